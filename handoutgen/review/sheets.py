"""Review: the bilingual review sheet, approvals with an audit trail, and readiness per sheet.

A reviewer approves only what they saw: ``review sheet`` records a hash of every entry it shows in
``build/review/<lang>.json``, and ``review approve`` refuses entries that changed since.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from markupsafe import Markup

from handoutgen.catalogs.approvals import Approvals, load_approvals, without_overridden
from handoutgen.catalogs.states import Key, State, entry_state, msgstr_text
from handoutgen.catalogs.store import load_catalog, po_path
from handoutgen.checks.runner import findings_by_key
from handoutgen.errors import ReviewError
from handoutgen.fsutil import write_bytes_atomic, write_text_atomic

_AT_RE = re.compile(r"^at (sections\[(\d+)\])")


@dataclass
class Item:
    """One entry on a review sheet."""

    number: int
    key: Key
    handout: str
    section: str
    english: str
    translation: str
    state: State
    line: int | None
    previous: str | None
    findings: list = field(default_factory=list)
    back_translation: str | None = None
    record: dict | None = None  # the approval record that makes it reviewed, if one does
    message: Message | None = None

    @property
    def approved(self) -> tuple[str, dt.date] | None:
        """Who approved it (their name) and on which day, if it is reviewed."""
        if self.record is None:
            return None
        return self.record.get("name") or self.record["by"], dt.date.fromisoformat(self.record["at"][:10])

    @property
    def digest(self) -> str:
        return entry_digest(self.key, self.translation, self.state, self.previous)

    @property
    def blocked(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def entry_digest(key: Key, translation: str, state: State, previous: str | None) -> str:
    payload = json.dumps([key[0], key[1], translation, state.value, previous], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _message_key(message: Message) -> Key:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def _place(message: Message) -> tuple[str, str]:
    """Which handout and section an entry belongs to, from its references and comments."""
    files = [Path(f).stem for f, _ in message.locations if f.startswith("handouts/")]
    handout = files[0] if files else "(labels on every sheet)"
    section = "labels"
    for comment in message.auto_comments:
        match = _AT_RE.match(comment)
        if match:
            section = f"section {int(match.group(2)) + 1}"
            break
    else:
        if files:
            section = "title and summary"
    return handout, section


def collect(
    root: Path,
    code: str,
    *,
    only_pending: bool = True,
    back_translate: bool = True,
    approvals: Approvals | None = None,
) -> tuple[Catalog, list[Item]]:
    """Every entry of a locale that needs a reviewer (or all of them), in reading order."""
    root = Path(root)
    path = existing_po(root, code)
    catalog = load_catalog(path, code)
    approvals = approvals if approvals is not None else load_approvals(root, code)
    findings = without_overridden(
        findings_by_key(root, catalog, path.relative_to(root), code), catalog, approvals
    )
    items: list[Item] = []
    for message in catalog:
        if not message.id:
            continue
        state = entry_state(message, approvals)
        if not (only_pending and state is State.REVIEWED):
            items.append(_item(len(items) + 1, message, state, findings, approvals))
    if back_translate:
        _add_back_translations(root, code, items)
    return catalog, items


def _item(number: int, message: Message, state: State, findings: dict, approvals: Approvals) -> Item:
    key = _message_key(message)
    handout, section = _place(message)
    return Item(
        number,
        key,
        handout,
        section,
        key[0],
        msgstr_text(message),
        state,
        message.lineno,
        message.previous_id[0] if message.previous_id else None,
        findings.get(key, []),
        record=approvals.approval(message) if state is State.REVIEWED else None,
        message=message,
    )


def existing_po(root: Path, code: str) -> Path:
    path = po_path(root / "locales", code)
    if not path.exists():
        known = ", ".join(sorted(p.parent.parent.name for p in (root / "locales").glob("*/LC_MESSAGES/*.po")))
        raise ReviewError(
            f"there is no catalogue for '{code}' ({path.relative_to(root)}); known locales: {known}"
        )
    return path


def _add_back_translations(root: Path, code: str, items: list[Item]) -> None:
    """English read back from the translation, when the reverse MT package is installed."""
    texts = [i.translation for i in items if i.translation]
    if not texts:
        return
    try:
        from handoutgen.mt.drafting import back_translate

        back = back_translate(texts, code, "en", project_dir=root)
    except Exception:
        return
    if not back:
        return
    for item, text in zip([i for i in items if i.translation], back):
        item.back_translation = text


# -- the sheet -------------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> Markup:
    """The English change, word by word, as <del>/<ins>."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return Markup(" ".join(out))


def sheet_paths(root: Path, code: str) -> tuple[Path, Path, Path]:
    folder = Path(root) / "build" / "review"
    return folder / f"{code}.html", folder / f"{code}.pdf", folder / f"{code}.json"


def write_sheet(
    root: Path, code: str, *, pdf: bool = True, everything: bool = False
) -> tuple[list[Item], Path]:
    """Write the review sheet (HTML, PDF) and the manifest of what it showed."""
    from handoutgen.project import Project
    from handoutgen.render.html import make_environment
    from handoutgen.render.pdf import html_to_pdf
    from handoutgen.text.locales import locale_info

    root = Path(root).resolve()
    info = locale_info(code)
    catalog, items = collect(root, code, only_pending=not everything)
    project = Project(root)
    env = make_environment(project)
    env.filters["word_diff"] = word_diff
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.handout, []).append(item)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    manifest = sheet_record(code, items, generated)
    sheet_id = manifest["sheet"]
    page = env.get_template("review.html.j2").render(
        locale=info,
        items=items,
        groups=groups,
        generated=generated,
        sheet_id=sheet_id,
        po_file=po_path(Path("locales"), code).as_posix(),
        states=State,
    )
    html_path, pdf_path, json_path = sheet_paths(root, code)
    write_text_atomic(html_path, page)
    if pdf:
        rendered = html_to_pdf(project, page, f"review sheet [{code}]", info)
        write_bytes_atomic(pdf_path, rendered.data)
    write_text_atomic(json_path, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return items, html_path


def sheet_record(code: str, items: list[Item], generated: str) -> dict:
    """What the sheet showed, entry by entry, with a checksum of the entries: `review approve`
    approves only what is on it, unchanged."""
    entries = {str(i.number): {"msgid": i.key[0], "context": i.key[1], "digest": i.digest} for i in items}
    sheet_id = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:12]
    return {"locale": code, "generated": generated, "entries": entries, "sheet": sheet_id}


def read_sheet_record(path: Path, root: Path) -> dict:
    """The review sheet's record of what the reviewer saw; a damaged one is refused (the sheet is
    made again, never repaired)."""
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    fix = f"run `generate.py review sheet {path.stem}` again to make a new sheet and record"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ReviewError(f"{shown}: not UTF-8 text ({exc.reason}); {fix}") from None
    except json.JSONDecodeError as exc:
        raise ReviewError(f"{shown}:{exc.lineno}: not valid JSON ({exc.msg}); {fix}") from None
    entries = manifest.get("entries") if isinstance(manifest, dict) else None
    if isinstance(manifest, dict) and manifest.get("locale") not in (None, path.stem):
        raise ReviewError(
            f"{shown}: is the record of the '{manifest.get('locale')}' sheet, not '{path.stem}'; {fix}"
        )
    if not isinstance(entries, dict):
        raise ReviewError(f"{shown}: has no 'entries' table; {fix}")
    for number, entry in entries.items():
        if not (
            str(number).isdigit()
            and isinstance(entry, dict)
            and isinstance(entry.get("msgid"), str)
            and isinstance(entry.get("digest"), str)
            and isinstance(entry.get("context"), (str, type(None)))
        ):
            raise ReviewError(
                f"{shown}: entry {str(number)[:20]!r} is damaged (needs a number with msgid, "
                f"context and digest); {fix}"
            )
    sheet_id = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:12]
    if "sheet" in manifest and manifest["sheet"] != sheet_id:
        raise ReviewError(f"{shown}: its entries do not match its own checksum (edited by hand?); {fix}")
    return manifest


def describe_item(item: Item) -> str:
    english = item.english if len(item.english) <= 60 else item.english[:57] + "…"
    return f"  #{item.number} [{item.handout}, {item.section}] {item.state.value}: {english}"
