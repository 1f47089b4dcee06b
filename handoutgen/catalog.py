"""Gettext catalogues: reading, writing (atomically, stable wrapping) and locating them."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, denormalize, normalize, read_po, write_po

from .errors import CatalogError, Problem
from .fsutil import write_bytes_atomic

DOMAIN = "handouts"
PO_WIDTH = 76


def po_path(locales_dir: Path, lang: str) -> Path:
    return Path(locales_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def pot_path(locales_dir: Path) -> Path:
    return Path(locales_dir) / f"{DOMAIN}.pot"


def load_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po/.pot file; a syntax error becomes one CatalogError line with file and line."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)
        line = line + 1 if isinstance(line, int) else None  # Babel counts from 0
        raise CatalogError(problems=[Problem(str(path), line, f"{exc}; fix the .po syntax (try `msgfmt -c {path}`)")]) from exc
    except FileNotFoundError as exc:
        raise CatalogError(problems=[Problem(str(path), None, "catalogue not found; run `generate.py catalogs init LANG`")]) from exc
    for message in [*catalog, *catalog.obsolete.values()]:
        _lift_previous(message)
    return catalog


def _lift_previous(message) -> None:
    """Babel reads ``#|`` lines as translator comments; turn them back into the previous msgid."""
    lines = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
    if not lines:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    fields: dict[str, list[str]] = {}
    current = None
    for line in lines:
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            current = keyword
            fields[current] = [rest]
        elif current:
            fields[current].append(line)
    if "msgid" in fields:
        previous = [denormalize("\n".join(fields["msgid"]))]
        if "msgid_plural" in fields:
            previous.append(denormalize("\n".join(fields["msgid_plural"])))
        message.previous_id = previous


def dump_catalog(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    """The catalogue as .po bytes, wrapped like Babel; ``#|`` lines written by us because Babel
    wraps a long previous msgid into lines that are not valid PO."""
    tokens: dict[str, tuple] = {}
    saved = []
    for index, message in enumerate(m for m in catalog if m.id and m.previous_id):
        token = f"@@previous-{index}@@"
        tokens[token] = tuple(message.previous_id)
        saved.append((message, message.previous_id))
        message.previous_id = [token]
    # Babel drops the flags of obsolete entries: a fuzzy entry that is removed and later restored
    # would come back looking reviewed. Mark them with a comment token, replaced by `#, fuzzy`.
    fuzzy_obsolete = [m for m in catalog.obsolete.values() if "fuzzy" in m.flags]
    for index, message in enumerate(fuzzy_obsolete):
        message.user_comments.append(f"@@fuzzy-{index}@@")
    buffer = io.BytesIO()
    try:
        write_po(buffer, catalog, width=PO_WIDTH, sort_output=False, include_previous=True,
                 ignore_obsolete=False, omit_header=omit_header)
    finally:
        for message, previous in saved:
            message.previous_id = previous
        for index, message in enumerate(fuzzy_obsolete):
            message.user_comments.remove(f"@@fuzzy-{index}@@")
    text = buffer.getvalue().decode("utf-8")
    for token, previous in tokens.items():
        text = text.replace(f'#| msgid "{token}"\n', _previous_lines(previous))
    for index in range(len(fuzzy_obsolete)):
        text = text.replace(f"# @@fuzzy-{index}@@\n", "#, fuzzy\n")
    return text.encode("utf-8")


def _previous_lines(previous: tuple) -> str:
    out = []
    for keyword, value in zip(("msgid", "msgid_plural"), previous):
        lines = normalize(value, width=PO_WIDTH).splitlines()
        out.append(f"#| {keyword} {lines[0]}\n")
        out.extend(f"#| {line}\n" for line in lines[1:])
    return "".join(out)


def save_catalog(catalog: Catalog, path: Path) -> None:
    """Write atomically: a failure half-way never truncates the catalogue on disk."""
    write_bytes_atomic(Path(path), dump_catalog(catalog))


# -- update that keeps work ------------------------------------------------------------------------

import copy
import datetime as _dt
import difflib
from dataclasses import dataclass, field

from babel.messages.catalog import Message

from .states import State, approval, entry_state, mark_reviewed

Key = tuple[str, str | None]
FUZZY_CUTOFF = 0.6  # how alike an edited paragraph must be to its old English to keep the old translation


def _key(message: Message) -> Key:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


@dataclass
class UpdateReport:
    """What one catalogue update did, per locale, for the command's summary."""

    locale: str
    kept: int = 0
    new: int = 0
    fuzzy: list[Key] = field(default_factory=list)
    obsoleted: int = 0
    restored: int = 0
    recorded_approvals: int = 0
    changed: bool = False

    def summary(self) -> str:
        parts = [f"{self.kept} kept", f"{self.new} new", f"{len(self.fuzzy)} changed (need review)",
                 f"{self.obsoleted} obsolete"]
        if self.restored:
            parts.append(f"{self.restored} restored from obsolete")
        if self.recorded_approvals:
            parts.append(f"{self.recorded_approvals} editor approvals recorded")
        return f"{self.locale}: " + ", ".join(parts) + ("" if self.changed else " (unchanged)")


def _carry(template_msg: Message, old: Message) -> Message:
    """The template's English and references with the old translation and the translator's notes."""
    merged = copy.copy(template_msg)
    merged.string = old.string
    merged.flags = set(template_msg.flags) | (set(old.flags) - {"python-format"})
    merged.user_comments = list(old.user_comments)
    merged.previous_id = old.previous_id
    return merged


def merge_catalog(old: Catalog, template: Catalog, reviewer_fallback: str | None = None,
                  today: _dt.date | None = None) -> tuple[Catalog, UpdateReport]:
    """Merge ``template`` into ``old`` without ever losing a translation.

    Unchanged English (matched on its text and context, wherever it moved) keeps its translation and
    state. New English that closely resembles removed English takes the old translation as fuzzy,
    with the old English in ``#|`` lines. Removed entries stay as obsolete and return if the text does.
    """
    report = UpdateReport(str(old.locale_identifier or old.locale or ""))
    previous: dict[Key, Message] = {}
    for message in old:
        if message.id:
            previous[_key(message)] = message
    obsolete_keys = set()
    for message in old.obsolete.values():
        key = _key(message)
        if key not in previous:
            previous[key] = message
            obsolete_keys.add(key)
    result = copy.copy(old)
    result._messages = type(old._messages)()
    result.obsolete = type(old.obsolete)()
    exact = [m for m in template if m.id and _key(m) in previous]
    used = {_key(m) for m in exact}
    removed = {k: m for k, m in previous.items() if k not in used and m.string}
    fuzzy: dict[Key, Key] = {}
    for message in template:  # one old entry per edited paragraph, in reading order
        key = _key(message)
        if message.id and key not in used:
            match = _closest(key, removed)
            if match is not None:
                fuzzy[key] = match
                removed.pop(match)
    for message in template:  # the result keeps the template's order
        if not message.id:
            continue
        key = _key(message)
        if key in used:
            report.restored += key in obsolete_keys
            report.kept += key not in obsolete_keys
            _add(result, _carry(message, previous[key]))
        elif key in fuzzy:
            merged = _carry(message, previous[fuzzy[key]])
            merged.flags.add("fuzzy")
            merged.previous_id = [fuzzy[key][0]]
            _add(result, merged)
            report.fuzzy.append(key)
        else:
            _add(result, copy.copy(message))
            report.new += 1
    for key, message in removed.items():
        result.obsolete[message.id if key[1] is None else (message.id, key[1])] = message
    report.obsoleted = len([k for k in removed if k not in obsolete_keys])
    report.recorded_approvals = _record_editor_approvals(result, reviewer_fallback, today or _dt.date.today())
    return result, report


def _add(catalog: Catalog, message: Message) -> None:
    catalog[message.id] = message  # Catalog keys by (id, context), taking the context from the message


def _closest(key: Key, candidates: dict[Key, Message]) -> Key | None:
    same_context = [k for k in candidates if k[1] == key[1]]
    best, best_ratio = None, FUZZY_CUTOFF
    for candidate in same_context:
        ratio = difflib.SequenceMatcher(None, key[0], candidate[0], autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def _record_editor_approvals(catalog: Catalog, reviewer: str | None, today: _dt.date) -> int:
    """Clearing ``fuzzy`` in a PO editor is an approval; record it with the header's translator."""
    if not reviewer:
        return 0
    count = 0
    for message in catalog:
        if message.id and entry_state(message) is State.REVIEWED and approval(message) is None:
            mark_reviewed(message, reviewer, today)
            count += 1
    return count


def last_translator(catalog: Catalog) -> str | None:
    """The name in the Last-Translator header, unless it is the template's placeholder."""
    value = (catalog.last_translator or "").strip()
    name = value.split("<")[0].strip()
    if not name or name.upper() == "FULL NAME":
        return None
    return name


# -- the catalogue commands --------------------------------------------------------------------------

def locales_on_disk(locales_dir: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in Path(locales_dir).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def refresh_template(root: Path) -> Catalog:
    """Extract, and rewrite ``handouts.pot`` only when its messages changed (no date-only churn)."""
    from .extract import extract_template

    path = pot_path(Path(root) / "locales")
    old_date = None
    if path.exists():
        old_date = load_catalog(path).creation_date
    template = extract_template(root, creation_date=old_date)
    data = dump_catalog(template)
    if not path.exists() or path.read_bytes() != data:
        if old_date is not None:
            template.creation_date = _dt.datetime.now(_dt.timezone.utc).replace(second=0, microsecond=0)
            data = dump_catalog(template)
        write_bytes_atomic(path, data)
    return template


def update_catalogs(root: Path, locales: list[str] | None = None) -> list[UpdateReport]:
    """Refresh the template and merge it into every locale's catalogue; all are checked first,
    so one broken catalogue stops the update before any file is rewritten."""
    root = Path(root)
    locales_dir = root / "locales"
    codes = locales or locales_on_disk(locales_dir)
    olds = {code: load_catalog(po_path(locales_dir, code), code) for code in codes}
    template = refresh_template(root)
    reports = []
    merged_all = {}
    for code, old in olds.items():
        merged, report = merge_catalog(old, template, last_translator(old))
        merged_all[code] = merged
        reports.append(report)
    for code, report in zip(olds, reports):
        path = po_path(locales_dir, code)
        data = dump_catalog(merged_all[code])
        report.locale = code
        report.changed = path.read_bytes() != data
        if report.changed:
            write_bytes_atomic(path, data)
    return reports


def init_catalog(root: Path, code: str) -> Path:
    """Start a catalogue for a new locale with correct Language and Plural-Forms headers."""
    from .locales import locale_info

    info = locale_info(code)
    root = Path(root)
    path = po_path(root / "locales", code)
    if path.exists():
        raise CatalogError(problems=[Problem(str(path.relative_to(root)), None, f"catalogue for '{code}' already exists; use `generate.py catalogs update`")])
    template = refresh_template(root)
    catalog = Catalog(locale=info.babel_code, project=template.project, version=template.version,
                      charset="utf-8", fuzzy=False, creation_date=template.creation_date,
                      revision_date=template.creation_date)
    for message in template:
        if message.id:
            catalog[message.id] = copy.copy(message)
    write_bytes_atomic(path, dump_catalog(catalog))
    return path


# -- validation before use -----------------------------------------------------------------------------

import re as _re

_FORMAT_RE = _re.compile(r"%\(([a-z_]+)\)s")
_NPLURALS_RE = _re.compile(r"nplurals\s*=\s*(\d+)")


def _placeholders(text: str) -> list[str]:
    from .content import PLACEHOLDER_RE

    return sorted(PLACEHOLDER_RE.findall(text))


def validate_catalog(catalog: Catalog, path: Path, code: str) -> list[Problem]:
    """Problems that would print a wrong sheet: a bad Plural-Forms header, a dropped or invented
    placeholder or format variable. Each names the .po file and line."""
    from babel.messages.plurals import get_plural

    from .locales import locale_info
    from .states import msgstr_text

    problems: list[Problem] = []
    info = locale_info(code)
    header = dict(catalog.mime_headers).get("Plural-Forms", "")
    expected = get_plural(info.babel_code)
    found = _NPLURALS_RE.search(header)
    if not found or int(found.group(1)) != expected.num_plurals:
        problems.append(Problem(str(path), 1, f"Plural-Forms header is '{header}' but {info.english_name} needs "
                                              f"'{expected.plural_forms}'; fix the header"))
    for message in catalog:
        if not message.id or not msgstr_text(message):
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = msgstr_text(message)
        for name, finder in (("placeholder", _placeholders), ("format variable", lambda t: sorted(_FORMAT_RE.findall(t)))):
            want, got = finder(source), finder(target)
            if want != got:
                lost = sorted(set(want) - set(got))
                extra = sorted(set(got) - set(want))
                detail = "; ".join(filter(None, [f"drops {', '.join(lost)}" if lost else "",
                                                  f"invents {', '.join(extra)}" if extra else "",
                                                  "" if lost or extra else "uses a different count"]))
                problems.append(Problem(str(path), message.lineno, f"msgstr {detail} ({name}s must match the English exactly)",
                                        f"msgid {source[:40]!r}"))
    return problems
