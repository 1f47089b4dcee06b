"""Print records: what each final PDF said, and who approved every word of it.

A final sheet carries a print identifier (small in its footer), made from
everything that decides its bytes, so the same inputs give the same identifier and the same PDF.
The identifier is also in the PDF's metadata (keywords ``handoutgen-print:<id>``).
The build keeps one record per identifier in ``prints/<lang>/<id>.json``: the handout and its English
source version, each entry with its translation and the approval record behind it (reviewer,
qualification, date, origin, overrides), and the PDF's SHA-256. ``generate.py trace FILE.pdf`` (or
the identifier) reads it back: the clinic's answer to "what did this patient get?". Records are only
ever added; keep the folder in version control or in the clinic's backups.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from handoutgen.catalogs.approvals import message_hash
from handoutgen.errors import HandoutError, display
from handoutgen.fsutil import write_text_atomic

PRINTS_DIR = "prints"
ID_RE = re.compile(r"^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$")


def print_id(parts: dict[str, str], handout: str, locale: str) -> str:
    """The identifier of a final sheet: a hash of what decides its bytes, as ``3f9a-21c0-7b4e``."""
    payload = json.dumps([handout, locale, sorted(parts.items())], sort_keys=True)
    raw = hashlib.sha256(payload.encode()).hexdigest()[:12]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def print_entries(lookup: Any, catalog: Any, approvals: Any) -> list[dict[str, Any]]:
    """Every entry the sheet used: English, translation, state and the approval record behind it."""
    rows = []
    for key, state in sorted(lookup.used.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        row: dict[str, Any] = {"context": key[1], "english": key[0], "state": state.value}
        message = catalog.get(key[0], context=key[1]) if catalog is not None else None
        if message is not None:
            row["translation"] = message.string
            row["text"] = message_hash(message)
            record = approvals.approval(message) if approvals is not None else None
            if record is not None:
                row["approval"] = {
                    k: record.get(k)
                    for k in (
                        "seq",
                        "hash",
                        "by",
                        "name",
                        "qualification",
                        "at",
                        "source",
                        "origin",
                        "overrides",
                    )
                }
        rows.append(row)
    return rows


def write_print(root: Path, record: dict[str, Any]) -> Path:
    """Keep the print record (once: the same identifier is the same sheet)."""
    path = Path(root) / PRINTS_DIR / record["locale"] / f"{record['id']}.json"
    if not path.exists():
        write_text_atomic(path, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path


def find_print(root: Path, what: str) -> dict[str, Any]:
    """The print record of a PDF file or an identifier; a ReviewError-like one line if none."""
    root = Path(root)
    folder = root / PRINTS_DIR
    candidate = Path(what)
    if not candidate.is_absolute() and not candidate.exists():
        candidate = root / what
    if candidate.suffix.lower() == ".pdf":
        if not candidate.is_file():
            raise HandoutError(f"{what}: no such PDF; give a PDF from build/ or the identifier in its footer")
        sha = hashlib.sha256(candidate.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*/*.json")):
            record = _read(path)
            if record.get("pdf_sha256") == sha:
                return record
        raise HandoutError(
            f"{what}: no print record matches this PDF (a draft, a PDF from another project, or one "
            f"changed after it was built); print records are in {PRINTS_DIR}/"
        )
    raw = re.sub(r"[^0-9a-f]", "", what.lower())  # as typed off paper: any dashes or spaces
    wanted = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else what.strip().lower()
    if not ID_RE.match(wanted):
        raise HandoutError(f"{what!r} is neither a PDF file nor a print identifier like 3f9a-21c0-7b4e")
    for path in sorted(folder.glob(f"*/{wanted}.json")):
        return _read(path)
    raise HandoutError(f"no print record {wanted} in {PRINTS_DIR}/ (was it printed from this project?)")


def _read(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HandoutError(f"{display(path)}: cannot be read as a print record ({exc})") from None
    if not isinstance(value, dict):
        raise HandoutError(f"{display(path)}: not a print record")
    return value


def format_print(record: dict[str, Any]) -> str:
    """The print record as text for a person: one line per entry."""
    lines = [
        f"print {record.get('id')}: handout '{record.get('handout')}' [{record.get('locale')}], "
        f"built {record.get('built_at')}, PDF sha256 {str(record.get('pdf_sha256'))[:16]}…",
        f"English source: {json.dumps(record.get('source', {}), sort_keys=True)}",
    ]
    for entry in record.get("entries", []):
        approval = entry.get("approval")
        who = (
            f"approved by {approval.get('name')} ({approval.get('qualification')}) on "
            f"{str(approval.get('at'))[:10]}, record {approval.get('seq')}"
            if approval
            else entry.get("state", "")
        )
        english = entry["english"] if len(entry["english"]) <= 60 else entry["english"][:57] + "…"
        lines.append(f"  {english!r}: {who}")
    return "\n".join(lines)
