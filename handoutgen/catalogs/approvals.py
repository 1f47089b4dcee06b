"""Approval records: who approved which exact text, when, with what qualification.

Each locale keeps its records in ``locales/<lang>/approvals.jsonl`` beside its catalogue (they travel
together in version control), one JSON object per line, appended and never rewritten:

* ``text``: a hash of the exact entry (context, English, English plural, every translation form):
  the record counts only while the catalogue holds that very text;
* the reviewer's id, name and qualification *at that time*, the date and time, the source version
  (the handout files' hashes and the commit, when known), the translation's origin (machine package
  and version, or the person who wrote it), any check findings the reviewer overrode, with reasons;
* ``prev``: the hash of the record before it, and ``hash``: its own, so an edited, deleted or
  re-ordered record breaks the chain and ``review verify`` names the line.

Whether an entry is *reviewed* is decided here, never by the PO file's ``fuzzy`` flag: a PO editor
can clear ``fuzzy`` but cannot make a record. Records after a break in the chain are not trusted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message

from handoutgen.content.reviewers import Reviewers
from handoutgen.errors import Problem, display
from handoutgen.fsutil import write_bytes_atomic

FILE_NAME = "approvals.jsonl"
GENESIS = "0" * 64
#: approve: a reviewer approved the text; send-back: a reviewer returned it with a comment;
#: edit: a person changed the translation in the review app (so they may not approve it).
ACTIONS = ("approve", "send-back", "edit")
#: The fields every record has; the chain's hash covers all of them (and any others).
REQUIRED = ("seq", "prev", "action", "at", "locale", "context", "english", "text", "by", "hash")


def approvals_path(locales_dir: Path, code: str) -> Path:
    return Path(locales_dir) / code / FILE_NAME


def _forms(value: object) -> list[str]:
    if isinstance(value, (tuple, list)):
        return [str(v or "") for v in value]
    return [str(value or "")]


def entry_texts(message: Message) -> tuple[str | None, list[str], list[str]]:
    """An entry's context, English (singular, plural) and translation forms."""
    return message.context, _forms(message.id), _forms(message.string)


def text_hash(context: str | None, english: list[str], translation: list[str]) -> str:
    """The hash that binds an approval to the exact English and translation."""
    payload = json.dumps([context, english, translation], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def message_hash(message: Message) -> str:
    return text_hash(*entry_texts(message))


def record_hash(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    payload = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def new_record(code: str, message: Message, action: str, by: str, name: str) -> dict[str, Any]:
    """The fields every record has, for ``message`` as it is now (the chain fields come when it is
    appended)."""
    context, english, translation = entry_texts(message)
    return {
        "action": action,
        "at": now(),
        "locale": code,
        "context": context,
        "english": english,
        "translation": translation,
        "text": message_hash(message),
        "by": by,
        "name": name,
    }


def record_date(record: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(record["at"])[:10])


@dataclass
class Log:
    """One locale's approval records as read, and where the chain is broken, if it is."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)  # the trusted ones, in order
    problems: list[Problem] = field(default_factory=list)
    raw: bytes = b""

    @property
    def head(self) -> str:
        return self.records[-1]["hash"] if self.records else GENESIS

    @property
    def broken(self) -> bool:
        return bool(self.problems)


def read_log(path: Path) -> Log:
    """The records of ``path``; reading stops at the first record that breaks the chain (it and the
    records after it are not trusted, and the problem says which line and why)."""
    log = Log(Path(path))
    if not log.path.exists():
        return log
    log.raw = log.path.read_bytes()
    shown = display(log.path)
    previous = GENESIS
    for number, line in enumerate(log.raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        why = _damage(line, previous, len(log.records) + 1)
        if why:
            fix = "restore the file from version control; then run `generate.py review verify`"
            log.problems.append(Problem(shown, number, f"{why}; records from here on are not trusted; {fix}"))
            break
        record = json.loads(line)
        log.records.append(record)
        previous = record["hash"]
    return log


def _damage(line: bytes, previous: str, seq: int) -> str | None:
    """Why a line cannot be the next record of the chain, if it cannot."""
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "not a JSON record (the file was edited by hand?)"
    if not isinstance(record, dict) or any(k not in record for k in REQUIRED):
        return "a record without the fields every approval has"
    if record["hash"] != record_hash(record):
        return f"record {record.get('seq')} was changed after it was written (its hash does not match)"
    if record["prev"] != previous or record["seq"] != seq:
        return (
            f"record {record.get('seq')} does not follow record {seq - 1} "
            "(a record before it was deleted, added or moved)"
        )
    if record["action"] not in ACTIONS:
        return f"record {seq} has an unknown action {str(record['action'])[:20]!r}"
    return None


def append_records(log: Log, new: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain ``new`` records after the log's last and write the file: the old bytes unchanged, the new
    lines after them. A broken chain is refused (nothing is added to a log that cannot be trusted).
    The caller holds the locale's catalogue lock."""
    if log.broken:
        raise_broken(log)
    added = []
    previous, seq = log.head, len(log.records)
    for record in new:
        seq += 1
        record = {**record, "seq": seq, "prev": previous}
        record["hash"] = record_hash(record)
        previous = record["hash"]
        added.append(record)
    lines = b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"
        for r in added
    )
    data = log.raw if not log.raw or log.raw.endswith(b"\n") else log.raw + b"\n"
    write_bytes_atomic(log.path, data + lines)
    log.raw = data + lines
    log.records.extend(added)
    return added


def raise_broken(log: Log) -> None:
    from handoutgen.errors import ReviewError

    raise ReviewError(problems=log.problems)


# -- what the records say about an entry -----------------------------------------------------------


@dataclass
class Approvals:
    """The trusted records of one locale, indexed for the questions the build and review ask."""

    code: str
    log: Log
    reviewers: Reviewers
    by_text: dict[str, dict[str, Any]] = field(default_factory=dict)  # text hash -> latest record
    editors: dict[str, str] = field(default_factory=dict)  # text hash -> who last wrote that text
    by_translation: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.log.records:
            if record["action"] == "edit":
                self.editors[record["text"]] = str(record.get("name") or record["by"])
                continue
            self.by_text[record["text"]] = record
            if record["action"] == "approve":
                self.by_translation.setdefault(_translation_key(record), []).append(record)

    def editor(self, message: Message) -> str | None:
        """Who wrote this exact translation in the review app, if someone did."""
        return self.editors.get(message_hash(message))

    def approval(self, message: Message) -> dict[str, Any] | None:
        """The record that makes this exact text reviewed, if one does: the latest record for the
        text is an approval, by a reviewer listed now for this language (and active that day)."""
        record = self.by_text.get(message_hash(message))
        if record is None or record["action"] != "approve":
            return None
        return record if self.counts(record) else None

    def counts(self, record: dict[str, Any]) -> bool:
        person = self.reviewers.get(record["by"])
        if person is None or not person.may_review(self.code, record_date(record)):
            return False
        origin = record.get("origin") or {}
        if origin.get("kind") == "person" and person.is_person(str(origin.get("name", ""))):
            return False  # nobody approves their own translation
        editor = self.editors.get(record["text"])
        return not (editor and person.is_person(editor))

    def last_english_for(self, message: Message) -> str | None:
        """The English this exact translation was last approved for (by a reviewer who counts)."""
        context, _, translation = entry_texts(message)
        found = self.by_translation.get(
            _translation_key({"context": context, "translation": translation}), []
        )
        for record in reversed(found):
            if self.counts(record):
                return str(record["english"][0])
        return None


def _translation_key(record: dict[str, Any]) -> str:
    return json.dumps([record.get("context"), record.get("translation")], ensure_ascii=False)


def load_approvals(root: Path, code: str, reviewers: Reviewers | None = None) -> Approvals:
    from handoutgen.content.reviewers import load_reviewers

    log = read_log(approvals_path(Path(root) / "locales", code))
    return Approvals(code, log, reviewers if reviewers is not None else load_reviewers(root))


def without_overridden(findings: dict, catalog: Catalog, approvals: Approvals) -> dict:
    """``findings`` by entry, less those a reviewer overrode (with a reason) in the approval record
    that makes the entry reviewed: an override lasts exactly as long as that approval."""
    result = {}
    for key, found in findings.items():
        message = catalog.get(key[0], context=key[1])
        record = approvals.approval(message) if message is not None else None
        waived = {o.get("check") for o in (record or {}).get("overrides", ())}
        kept = [f for f in found if f.check not in waived]
        if kept:
            result[key] = kept
    return result
