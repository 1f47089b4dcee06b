"""Entry states, stored in the .po files themselves so standard PO editors keep working.

| state         | in the .po                                                    | printed as final? |
| ------------- | ------------------------------------------------------------- | ----------------- |
| missing       | empty msgstr                                                  | no                |
| machine draft | ``fuzzy`` + translator comment ``machine-draft: …``           | no (DRAFT mark)   |
| stale         | ``fuzzy`` + previous English kept in ``#|`` lines             | no (DRAFT mark)   |
| draft         | ``fuzzy`` otherwise (a human draft, not yet reviewed)         | no (DRAFT mark)   |
| reviewed      | not fuzzy; translator comment ``reviewed-by: NAME on DATE``   | yes               |

Clearing ``fuzzy`` in Poedit, Weblate or Lokalize is an approval: the entry is reviewed even before
the next catalogue update records a ``reviewed-by`` comment for it.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re

from babel.messages.catalog import Message

#: What identifies a catalogue entry: its English (the singular msgid) and its msgctxt.
Key = tuple[str, str | None]

MACHINE_DRAFT_PREFIX = "machine-draft: "
REVIEWED_PREFIX = "reviewed-by: "
_REVIEWED_RE = re.compile(r"^reviewed-by: (?P<name>.+?) on (?P<date>\d{4}-\d{2}-\d{2})$")


class State(str, enum.Enum):  # noqa: UP042 (a StrEnum prints as "missing", not "State.MISSING")
    MISSING = "missing"
    MACHINE_DRAFT = "machine draft"
    STALE = "stale"
    DRAFT = "draft"
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


def entry_state(message: Message) -> State:
    if not is_complete(message):
        return State.MISSING
    if not message.fuzzy:
        return State.REVIEWED
    if message.previous_id:
        return State.STALE
    if any(c.startswith(MACHINE_DRAFT_PREFIX) for c in message.user_comments):
        return State.MACHINE_DRAFT
    return State.DRAFT


def _drop_state_comments(message: Message) -> None:
    message.user_comments = [
        c for c in message.user_comments if not c.startswith((MACHINE_DRAFT_PREFIX, REVIEWED_PREFIX))
    ]


def mark_machine_draft(message: Message, provider: str) -> None:
    """Flag a machine-translated msgstr: fuzzy, with the package that produced it."""
    _drop_state_comments(message)
    message.user_comments.append(MACHINE_DRAFT_PREFIX + provider)
    message.flags.add("fuzzy")
    message.previous_id = []


def mark_reviewed(message: Message, reviewer: str, when: _dt.date) -> None:
    """Record an approval: not fuzzy, who approved it and on which day."""
    reviewer = " ".join(reviewer.split())
    if not reviewer:
        raise ValueError("reviewer name is empty")
    _drop_state_comments(message)
    message.user_comments.append(f"{REVIEWED_PREFIX}{reviewer} on {when.isoformat()}")
    message.flags.discard("fuzzy")
    message.previous_id = []


def approval(message: Message) -> tuple[str, _dt.date] | None:
    """Who approved this entry and when, if the catalogue records it."""
    for comment in reversed(message.user_comments):
        match = _REVIEWED_RE.match(comment)
        if match:
            return match["name"], _dt.date.fromisoformat(match["date"])
    return None


def machine_provider(message: Message) -> str | None:
    for comment in message.user_comments:
        if comment.startswith(MACHINE_DRAFT_PREFIX):
            return comment[len(MACHINE_DRAFT_PREFIX) :]
    return None
