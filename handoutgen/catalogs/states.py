"""Entry states: what the PO file says, judged against the approval records.

| state            | what makes it so                                                        | final? |
| ---------------- | ----------------------------------------------------------------------- | ------ |
| missing          | empty msgstr (or an empty plural form)                                  | no     |
| machine draft    | the text a machine produced (``machine-draft: …`` names package, hash)  | no     |
| stale            | the English changed since the translation (``#|`` keeps the old English) | no     |
| draft            | ``fuzzy``: a person's translation they marked unfinished                | no     |
| awaiting review  | translated, not fuzzy, but no approval record for this exact text       | no     |
| reviewed         | an approval record matches this exact English and translation, by a     | yes    |
|                  | reviewer listed for the language who did not write it; not ``fuzzy``    |        |

The PO file stays the translators' workspace: Poedit, Weblate and Lokalize keep working, and
clearing ``fuzzy`` in one makes an entry "awaiting review", never "reviewed" (see
:mod:`handoutgen.catalogs.approvals`). Any change to the English or the translation, by any tool,
leaves the record behind: the entry needs review again.
"""

from __future__ import annotations

import enum
import hashlib
import re
from typing import TYPE_CHECKING

from babel.messages.catalog import Message

if TYPE_CHECKING:
    from handoutgen.catalogs.approvals import Approvals

#: What identifies a catalogue entry: its English (the singular msgid) and its msgctxt.
Key = tuple[str, str | None]

MACHINE_DRAFT_PREFIX = "machine-draft: "
_MACHINE_RE = re.compile(r"^machine-draft: (?P<provider>.+?)(?: \(text (?P<sha>[0-9a-f]{12})\))?$")
#: Older catalogues recorded approvals as comments; they are removed on approval, never trusted.
LEGACY_REVIEWED_PREFIX = "reviewed-by: "


class State(str, enum.Enum):  # noqa: UP042 (a StrEnum prints as "missing", not "State.MISSING")
    MISSING = "missing"
    MACHINE_DRAFT = "machine draft"
    STALE = "stale"
    DRAFT = "draft"
    AWAITING = "awaiting review"
    REVIEWED = "reviewed"

    @property
    def final(self) -> bool:
        return self is State.REVIEWED


def msgstr_text(message: Message) -> str:
    """The singular translation, whatever the message's plural shape."""
    value = message.string
    if isinstance(value, (tuple, list)):
        value = value[0] if value else ""
    return value or ""


def is_complete(message: Message) -> bool:
    value = message.string
    if isinstance(value, (tuple, list)):
        return bool(value) and all(value)
    return bool(value)


def _short_hash(message: Message) -> str:
    forms = message.string if isinstance(message.string, (tuple, list)) else [message.string]
    return hashlib.sha256("\x00".join(str(f or "") for f in forms).encode("utf-8")).hexdigest()[:12]


def entry_state(message: Message, approvals: Approvals | None = None) -> State:
    """The entry's state; without ``approvals`` nothing is reviewed."""
    if not is_complete(message):
        return State.MISSING
    if message.previous_id:
        return State.STALE
    if not message.fuzzy and approvals is not None and approvals.approval(message) is not None:
        return State.REVIEWED
    if is_machine_text(message):
        return State.MACHINE_DRAFT
    return State.DRAFT if message.fuzzy else State.AWAITING


def is_machine_text(message: Message) -> bool:
    """Whether the translation is still the text a machine produced (no person has changed it)."""
    for comment in message.user_comments:
        match = _MACHINE_RE.match(comment)
        if match:
            sha = match["sha"]
            return _short_hash(message) == sha if sha else bool(message.fuzzy)
    return False


def _drop_state_comments(message: Message) -> None:
    message.user_comments = [
        c for c in message.user_comments if not c.startswith((MACHINE_DRAFT_PREFIX, LEGACY_REVIEWED_PREFIX))
    ]


def mark_machine_draft(message: Message, provider: str) -> None:
    """Flag a machine-translated msgstr: fuzzy, with the package that produced it and a hash of the
    text it produced (so an edit by a person is told apart from the machine's text)."""
    _drop_state_comments(message)
    message.user_comments.append(f"{MACHINE_DRAFT_PREFIX}{provider} (text {_short_hash(message)})")
    message.flags.add("fuzzy")
    message.previous_id = []


def mark_approved(message: Message) -> None:
    """What an approval changes in the PO file, for PO editors to show: not fuzzy, no ``#|`` lines.
    (The approval itself is the record; see :mod:`handoutgen.catalogs.approvals`.)"""
    message.user_comments = [
        c for c in message.user_comments if not c.startswith((LEGACY_REVIEWED_PREFIX, "review: "))
    ]
    message.flags.discard("fuzzy")
    message.previous_id = []


def machine_provider(message: Message) -> str | None:
    """The package (and version) that drafted this entry, if a machine did."""
    for comment in message.user_comments:
        match = _MACHINE_RE.match(comment)
        if match:
            return match["provider"]
    return None
