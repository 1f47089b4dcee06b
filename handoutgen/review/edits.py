"""Changes a translator or reviewer makes in the browser, written like every other change: under
the catalogue's lock, only the changed entry's lines, and a record in the approval chain.

* :func:`edit_translation`: a translator's new text (like a Poedit save: not fuzzy, "awaiting
  review"), recorded as an ``edit`` so its author can never approve it;
* :func:`send_back`: a reviewer returns an entry with a comment (``fuzzy``, the comment in the PO
  file for the translator's editor, and a ``send-back`` record).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.messages.catalog import Message

from handoutgen.catalogs.approvals import append_records, new_record, read_log
from handoutgen.catalogs.states import Key
from handoutgen.catalogs.store import catalog_locks, po_path, read_for_update, write_changes
from handoutgen.errors import ReviewError
from handoutgen.review.sheets import collect

SENT_BACK_PREFIX = "review: "
MAX_TEXT = 5000


def _current(root: Path, code: str, key: Key, seen_digest: str):
    """The entry as it is now, refused if it changed since the person saw it."""
    catalog, items = collect(root, code, only_pending=False, back_translate=False)
    item = next((i for i in items if i.key == key), None)
    if item is None or item.message is None:
        raise ReviewError(f"'{key[0][:60]}' is not in the '{code}' catalogue any more; reload the page")
    if item.digest != seen_digest:
        raise ReviewError(
            "someone changed this entry since you opened it; reload the page to see their change"
        )
    return catalog, item


def edit_translation(
    root: Path, code: str, key: Key, seen_digest: str, text: str, editor: str, name: str
) -> None:
    """Store ``text`` as the entry's translation, written by ``editor``."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ReviewError("the translation is empty; write the translation, or leave the entry as it is")
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ReviewError(f"the translation is longer than {MAX_TEXT} characters or holds a NUL byte")

    def change(message: Message) -> None:
        if isinstance(message.id, (tuple, list)):
            raise ReviewError("plural entries are edited in a PO editor (each form needs its own text)")
        message.string = text
        message.flags.discard("fuzzy")
        message.previous_id = []

    _change(root, code, key, seen_digest, change, new_record_for("edit", editor, name))


def send_back(
    root: Path, code: str, key: Key, seen_digest: str, reviewer: str, name: str, comment: str
) -> None:
    """Return an entry to the translator with ``comment``: it is fuzzy again, the comment is in the
    PO file, and a ``send-back`` record keeps who said what."""
    comment = " ".join(comment.split())
    if len(comment) < 3:
        raise ReviewError("say what is wrong, for the translator")

    def change(message: Message) -> None:
        message.flags.add("fuzzy")
        message.user_comments.append(f"{SENT_BACK_PREFIX}sent back by {name} on {dt.date.today()}: {comment}")

    _change(root, code, key, seen_digest, change, new_record_for("send-back", reviewer, name, comment))


def new_record_for(action: str, by: str, name: str, comment: str | None = None):
    def make(code: str, message: Message) -> dict:
        record = new_record(code, message, action, by, name)
        return record if comment is None else {**record, "comment": comment}

    return make


def _change(root: Path, code: str, key: Key, seen_digest: str, change, make_record) -> None:
    """Apply ``change`` to the entry under the catalogue's lock, write only its lines, and append
    the record ``make_record`` makes of the changed entry."""
    root = Path(root).resolve()
    path = po_path(root / "locales", code)
    with catalog_locks(root, [code]):
        old, source = read_for_update(path)
        catalog, item = _current(root, code, key, seen_digest)
        message = item.message
        message.user_comments = [c for c in message.user_comments if not c.startswith(SENT_BACK_PREFIX)]
        change(message)
        write_changes(path, catalog, old, source)
        append_records(read_log(root / "locales" / code / "approvals.jsonl"), [make_record(code, message)])
