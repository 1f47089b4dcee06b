"""``generate.py users add``: an account for the review app, checked against reviewers.yaml."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from handoutgen.content.reviewers import load_reviewers
from handoutgen.errors import HandoutError, ReviewError
from handoutgen.web.accounts import User, add_user, store_path


def add_from_command_line(root: Path, name: str, role: str, languages: list[str], from_stdin: bool) -> User:
    """Check the account against reviewers.yaml, ask for the password (twice), and add it."""
    if role == "reviewer":
        reviewers = load_reviewers(root)
        if reviewers.get(name) is None:
            langs, first = ", ".join(languages) or "es", languages[0] if languages else "es"
            raise ReviewError(
                f"{name} is not in reviewers.yaml; list them there first (it says who may approve, in "
                f"version control), e.g. under reviewers:  - {{id: {name}, name: Full Name, "
                f"languages: [{langs}], qualification: ATA certified en>{first}}}"
            )
        person = reviewers.find(name)
        missing = [c for c in languages if not person.may_review(c)]
        if missing:
            raise ReviewError(
                f"reviewers.yaml does not list {name} for {', '.join(missing)}; add the language with "
                "the qualification for it first"
            )
    password = _password(from_stdin)
    return add_user(store_path(root), name, role, languages, password)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise HandoutError("no terminal to ask the password on; pass --password-stdin and pipe it in")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise HandoutError("the two passwords differ; nothing was added")
    return first
