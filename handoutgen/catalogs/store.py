"""Gettext catalogues: reading, writing (atomically, stable wrapping) and locating them."""

from __future__ import annotations

import codecs
import contextlib
import copy
import datetime as _dt
import difflib
import functools
import gettext
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import (
    PoFileError,
    PoFileParser,
    denormalize,
    escape,
    normalize,
    write_po,
)

from handoutgen.catalogs.approvals import Approvals, load_approvals
from handoutgen.catalogs.states import Key, is_complete, msgstr_text
from handoutgen.content.markup import format_variables, placeholders
from handoutgen.errors import CatalogError, Problem, display
from handoutgen.fsutil import write_bytes_atomic

DOMAIN = "handouts"
PO_WIDTH = 76


def po_path(locales_dir: Path, lang: str) -> Path:
    """Where a locale's catalogue lives; the code is checked first, so it never becomes a path
    outside ``locales/`` (every command that takes a locale comes through here)."""
    from handoutgen.text.locales import check_code

    return Path(locales_dir) / check_code(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


def pot_path(locales_dir: Path) -> Path:
    return Path(locales_dir) / f"{DOMAIN}.pot"


class _StrictParser(PoFileParser):
    """Babel's parser, plus what GNU ``msgfmt -c`` refuses and Babel lets through: a msgid defined
    twice, and a plural entry whose msgstr count differs from the header's ``nplurals``."""

    def __init__(self, catalog: Catalog, path: str) -> None:
        super().__init__(catalog, ignore_obsolete=False, abort_invalid=True)
        self.path = path
        self.problems: list[Problem] = []
        self._seen: dict[tuple, int] = {}

    def _add_message(self) -> None:
        line = self.offset + 1
        first = self.messages[0].denormalize()
        context = self.context.denormalize() if self.context else None
        if len(self.messages) > 1:
            expected, found = self.catalog.num_plurals, len(self.translations)
            if found != expected:
                self.problems.append(
                    Problem(
                        self.path,
                        line,
                        f"this plural entry has {found} msgstr forms but the Plural-Forms header says "
                        f"nplurals={expected}; give exactly {expected} "
                        f"(msgstr[0] … msgstr[{expected - 1}])",
                    )
                )
                self.translations = [t for t in self.translations if t[0] < expected]
        key = (self.obsolete, first, context)
        if key in self._seen and not self.obsolete:
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    (
                        f"msgid {first[:40]!r} is defined twice (first at line {self._seen[key]}); "
                        "keep one of them (`msguniq` shows both)"
                    ),
                )
            )
        self._seen.setdefault(key, line)
        try:
            super()._add_message()
        except ValueError as exc:  # a malformed Plural-Forms or Content-Type header
            raise PoFileError(f"invalid header: {exc}", self.catalog, "", self.offset) from None


_BOM = b"\xef\xbb\xbf"
_CHARSET_RE = re.compile(rb"charset\s*=\s*([^\s\\\";]+)", re.I)


def _declared_charset(raw: bytes) -> tuple[str | None, int | None]:
    """The charset of the header entry's Content-Type (not of a comment), and its line: None when
    the header has no charset, "" when there is no header entry at all."""
    lines = raw.split(b"\n")
    in_header = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not in_header:
            if stripped.startswith(b'msgid ""'):
                in_header = True
            elif stripped and not stripped.startswith(b"#"):
                return "", None  # no header entry: read as UTF-8, and the syntax check says what is wrong
            continue
        if stripped.startswith(b'"') and b"content-type:" in stripped.lower():
            match = _CHARSET_RE.search(stripped)
            return (match.group(1).decode("ascii", "replace") if match else None), number
        if not stripped or stripped.startswith((b"#", b"msgid ", b"msgctxt ")):
            return None, 1
    return (None, 1) if in_header else ("", None)


def _error(path: str, line: int | None, message: str) -> CatalogError:
    """One problem with one catalogue file."""
    return CatalogError(problems=[Problem(path, line, message)])


def _decode_po(raw: bytes, path: str) -> tuple[str, str, bool]:
    """The file's text, its charset and whether it had a UTF-8 BOM. Honours the header's charset;
    anything that cannot be read exactly is refused with the line."""
    bom = raw.startswith(_BOM)
    if bom:
        raw = raw[len(_BOM) :]
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise _error(
            path,
            raw.count(b"\n", 0, nul) + 1,
            "contains a NUL byte; the file is damaged, restore it from version control",
        )
    charset = "utf-8" if bom else _charset(raw, path)  # a BOM says UTF-8 whatever the header claims
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError as exc:
        raise _error(
            path,
            raw.count(b"\n", 0, exc.start) + 1,
            f"bytes that are not valid {charset} ({raw[exc.start : exc.start + 4]!r}); save the file "
            f"as {charset.upper()} or fix the Content-Type header's charset",
        ) from None
    return text, charset, bom


def _charset(raw: bytes, path: str) -> str:
    """The charset the header declares (Python's name for it); UTF-8 without a header entry."""
    declared, line = _declared_charset(raw)
    if declared == "":
        return "utf-8"  # without a header entry, try UTF-8
    if declared is None or declared.upper() == "CHARSET":
        if not raw.isascii():  # "CHARSET" is the template's placeholder: the encoding is unknown
            what = "no charset" if declared is None else "the placeholder charset=CHARSET"
            raise _error(
                path,
                line,
                f"the Content-Type header has {what} but the file holds non-ASCII text; set "
                "'Content-Type: text/plain; charset=UTF-8' (or the charset the file is saved in)",
            )
        return "utf-8"
    try:
        return codecs.lookup(declared).name
    except LookupError:
        raise _error(
            path,
            line,
            f"unknown charset '{declared}' in the Content-Type header; save the file as UTF-8 and set "
            "'charset=UTF-8'",
        ) from None


def read_catalog_text(path: Path, locale: str | None = None) -> tuple[Catalog, PoSource]:
    """Read a .po/.pot strictly; the catalogue and the file's own text (for line-preserving writes)."""
    path = Path(path)
    shown = display(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise CatalogError(
            problems=[Problem(shown, None, "catalogue not found; run `generate.py catalogs init LANG`")]
        ) from exc
    except IsADirectoryError as exc:
        raise CatalogError(problems=[Problem(shown, None, "is a folder, not a catalogue")]) from exc
    text, charset, bom = _decode_po(raw, shown)
    return _parse(text, shown), PoSource(text, charset, bom)


_KEYWORD_RE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+(.*)$")
_STRING_RE = re.compile(r'^"(?:[^"\\]|\\[ntbrfva\\"?\']|\\[0-7]{1,3}|\\x[0-9a-fA-F]{1,2})*"$')


def _lex(text: str, shown: str) -> list[Problem]:
    """What GNU msgfmt refuses at the line level and Babel reads silently: an unterminated string,
    an escape gettext does not know, a line that is neither a keyword, a string nor a comment."""
    problems: list[Problem] = []
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        if line.startswith(("#~", "#|")):
            line = line[2:].strip()
        elif not line or line.startswith("#"):
            continue
        if not line:
            continue
        match = _KEYWORD_RE.match(line)
        string = match.group(2).strip() if match else line
        if not match and not line.startswith('"'):
            word = line.split()[0][:30]
            problems.append(
                Problem(
                    shown,
                    number,
                    f"'{word}' is not a PO keyword (msgctxt, msgid, msgid_plural, "
                    "msgstr); fix the line or restore the file",
                )
            )
        elif not _STRING_RE.match(string):
            what = (
                "the text must be in double quotes"
                if not string.startswith('"')
                else 'the string is not closed with a "'
                if not string.endswith('"') or string == '"'
                else 'the string holds an escape gettext does not know (use \\n, \\t, \\\\, \\" only)'
            )
            problems.append(Problem(shown, number, f"{what}; fix the line (check with `msgfmt -c {shown}`)"))
        if len(problems) >= 20:
            break
    return problems


def _parse(text: str, shown: str, locale: str | None = None) -> Catalog:
    from babel.core import UnknownLocaleError

    lexical = _lex(text, shown)
    if lexical:
        raise CatalogError(problems=lexical)

    try:
        catalog = Catalog(locale=locale, domain=None, charset="utf-8")
    except (UnknownLocaleError, ValueError):
        catalog = Catalog(locale=None, domain=None, charset="utf-8")
    parser = _StrictParser(catalog, shown)
    try:
        parser.parse(text.splitlines())
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)
        line = line + 1 if isinstance(line, int) else None  # Babel counts from 0
        raise CatalogError(
            problems=[Problem(shown, line, f"{exc}; fix the .po syntax (try `msgfmt -c {shown}`)")]
        ) from None
    except (ValueError, TypeError, KeyError, IndexError, UnknownLocaleError) as exc:  # Babel's readers
        raise CatalogError(
            problems=[Problem(shown, None, f"cannot be read: {exc}; check it with `msgfmt -c {shown}`")]
        ) from None
    if parser.problems:
        raise CatalogError(problems=parser.problems)
    _check_plural_header(catalog, text, shown)
    return catalog


def _check_plural_header(catalog: Catalog, text: str, shown: str) -> None:
    """A Plural-Forms header gettext could not evaluate is an error; a different *choice* is not."""
    header = dict(catalog.mime_headers).get("Plural-Forms")
    if not header:
        return
    line = next((n for n, t in enumerate(text.splitlines(), 1) if "Plural-Forms:" in t), None)
    try:
        plural = catalog.plural_expr
        nplurals = catalog.num_plurals
        gettext.c2py(plural)
    except (ValueError, SyntaxError, RecursionError) as exc:
        raise CatalogError(
            problems=[
                Problem(
                    shown,
                    line,
                    f"the Plural-Forms header '{header}' cannot be evaluated "
                    f"({exc}); fix the plural expression",
                )
            ]
        ) from None
    if not 1 <= nplurals <= 6:
        raise CatalogError(
            problems=[
                Problem(
                    shown, line, f"the Plural-Forms header says nplurals={nplurals}; gettext needs 1 to 6"
                )
            ]
        )


def read_for_update(path: Path) -> tuple[Catalog, PoSource]:
    """A catalogue to change and write back with :func:`preserve_lines` (``#|`` lines lifted)."""
    catalog, source = read_catalog_text(path)
    for message in [*catalog, *catalog.obsolete.values()]:
        _lift_previous(message)
    return catalog, source


def write_changes(path: Path, new: Catalog, old: Catalog, source: PoSource) -> bool:
    """Write ``new`` over ``path`` (read as ``old``/``source``) if an entry changed, keeping every
    unchanged line; False when there was nothing to write."""
    if same_text(new, old):
        return False
    write_bytes_atomic(Path(path), preserve_lines(new, old, source, path=Path(path)))
    return True


def load_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po/.pot file; anything malformed becomes a CatalogError naming file and line.

    ``locale`` is not used to guess plural rules: the catalogue's own ``Plural-Forms`` header
    decides, as in gettext."""
    catalog, _source = read_catalog_text(path, locale)
    for message in [*catalog, *catalog.obsolete.values()]:
        _lift_previous(message)
    return catalog


@dataclass(frozen=True)
class PoSource:
    """A catalogue file's own text, so a rewrite can keep every line it did not change."""

    text: str
    charset: str
    bom: bool


def _lift_previous(message: Message) -> None:
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


def dump_catalog(catalog: Catalog, *, omit_header: bool = False, path: Path | None = None) -> bytes:
    """The catalogue as .po bytes in its own charset. A character the charset cannot hold is an
    error (Babel would write a ``\\u`` escape that gettext refuses)."""
    text = dump_text(catalog, omit_header=omit_header)
    charset = _python_charset(catalog.charset)
    try:
        return text.encode(charset)
    except UnicodeEncodeError as exc:
        shown = display(path) if path else "catalogue"
        raise _unstorable(shown, exc, catalog.charset) from None


def dump_text(catalog: Catalog, *, omit_header: bool = False) -> str:
    """The catalogue as .po text, wrapped like Babel; ``#|`` lines written by us because Babel
    wraps a long previous msgid into lines that are not valid PO."""
    charset = catalog.charset
    buffer = io.BytesIO()
    with _tokens_for_babel(catalog) as (tokens, fuzzy_obsolete):
        catalog.charset = "utf-8"
        try:
            write_po(
                buffer,
                catalog,
                width=PO_WIDTH,
                sort_output=False,
                include_previous=True,
                ignore_obsolete=False,
                omit_header=omit_header,
            )
        finally:
            catalog.charset = charset
    text = buffer.getvalue().decode("utf-8")
    if _python_charset(charset) != "utf-8":  # written as UTF-8 text; the header keeps its own charset
        text = text.replace("; charset=utf-8\\n", f"; charset={charset}\\n", 1)
    for token, previous_id in tokens.items():
        text = text.replace(f'#| msgid "{token}"\n', _previous_lines(previous_id))
    for index in range(fuzzy_obsolete):
        text = text.replace(f"# @@fuzzy-{index}@@\n", "#, fuzzy\n")
    return text


def same_text(a: Catalog, b: Catalog, *, omit_header: bool = False) -> bool:
    """Whether ``dump_text(a) == dump_text(b)``, without writing either out when their entries are
    equal: writing a catalogue of 150,000 entries takes Babel minutes. Equal :func:`_as_written`
    values give equal text (they hold everything the writer reads); unequal ones are compared as
    text, since two different values can still be written alike."""
    first, second = _as_written(a, omit_header), _as_written(b, omit_header)
    if first == second:
        return True
    if _written_differently(first, second):
        return False
    return dump_text(a, omit_header=omit_header) == dump_text(b, omit_header=omit_header)


def _written_differently(first: tuple, second: tuple) -> bool:
    """Whether two :func:`_as_written` values surely give different text: another number of entries,
    or an entry (in the same place) whose msgid, context, translation, flags, comments or previous
    msgid differ, each of which is written as it is. Entries that differ only in the order or
    repetition of their places, and the header's wrapping, are left to the text."""
    rows, others = first[2], second[2]
    obsolete, other_obsolete = first[3], second[3]
    if len(rows) != len(others) or len(obsolete) != len(other_obsolete):
        return True
    pairs = [*zip(rows, others), *((a[1:], b[1:]) for a, b in zip(obsolete, other_obsolete))]
    return any(a != b and (a[:3] != b[:3] or a[4:] != b[4:]) for a, b in pairs)


def _as_written(catalog: Catalog, omit_header: bool) -> tuple:
    """Everything :func:`dump_text` (Babel's ``write_po`` and our tokens) reads from a catalogue: the
    header (its comment, its fields as written, its fuzzy flag), the number of plural forms, every
    entry's text, context, places, flags, comments and previous msgid in order, the obsolete entries
    and any conflicts recorded by a merge."""
    messages = iter(catalog)
    header = next(messages)
    head = None if omit_header else (catalog.header_comment, header.string, sorted(header.flags))
    rows = [_message_fields(m, catalog.num_plurals) for m in messages]
    obsolete = [(key, *_message_fields(m, catalog.num_plurals)) for key, m in catalog.obsolete.items()]
    conflicts = {k: v for k, v in (getattr(catalog, "_conflicts", None) or {}).items() if v}
    return head, catalog.num_plurals, rows, obsolete, conflicts


def _message_fields(message: Message, plurals: int) -> tuple:
    """An entry as the writer sees it: a missing translation is written as "", a plural one as
    ``plurals`` forms, and each comment as the lines it is wrapped into (a catalogue read back has
    one comment per line)."""
    if isinstance(message.id, (list, tuple)):
        forms = message.string or ()
        string: Any = tuple(forms[i] if i < len(forms) else "" for i in range(plurals))
    else:
        string = message.string or ""
    return (
        tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id,
        string,
        message.context,
        list(message.locations),
        sorted(message.flags),
        [line for comment in message.auto_comments for line in _comment_lines(comment)],
        [line for comment in message.user_comments for line in _comment_lines(comment)],
        list(message.previous_id),
    )


@functools.lru_cache(maxsize=65536)
def _comment_lines(comment: str) -> tuple[str, ...]:
    """The lines Babel writes a comment as: itself when it is short and plain, else what Babel's own
    writer makes of it in a catalogue of one entry (so any Babel version wraps it its own way)."""
    if len(comment) <= PO_WIDTH and comment == comment.strip() and comment.isprintable() and comment:
        return (comment,)
    catalog = Catalog()
    catalog.add("x", auto_comments=[comment])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, omit_header=True)
    lines = buffer.getvalue().decode(catalog.charset or "utf-8").splitlines()
    return tuple(line[3:] for line in lines if line.startswith("#. "))


@contextlib.contextmanager
def _tokens_for_babel(catalog: Catalog) -> Iterator[tuple[dict[str, tuple[str, ...]], int]]:
    """For the time of a write, what Babel would write wrong is a token, put back afterwards:
    each previous msgid (``@@previous-N@@``), and a comment on each fuzzy obsolete entry (Babel
    drops their flags: a fuzzy entry removed and later restored would come back looking reviewed).
    Yields the previous msgids by token, and how many fuzzy obsolete entries have ``@@fuzzy-N@@``."""
    tokens: dict[str, tuple[str, ...]] = {}
    saved = []
    for index, message in enumerate(m for m in catalog if m.id and m.previous_id):
        token = f"@@previous-{index}@@"
        tokens[token] = tuple(message.previous_id)
        saved.append((message, message.previous_id))
        message.previous_id = [token]
    fuzzy_obsolete = [m for m in catalog.obsolete.values() if "fuzzy" in m.flags]
    for index, message in enumerate(fuzzy_obsolete):
        message.user_comments.append(f"@@fuzzy-{index}@@")
    try:
        yield tokens, len(fuzzy_obsolete)
    finally:
        for message, previous in saved:
            message.previous_id = previous
        for index, message in enumerate(fuzzy_obsolete):
            message.user_comments.remove(f"@@fuzzy-{index}@@")


def _unstorable(shown: str, exc: UnicodeEncodeError, charset: str | None) -> CatalogError:
    return _error(
        shown,
        None,
        f"'{exc.object[exc.start : exc.end]}' cannot be stored in the catalogue's charset {charset}; "
        f"convert it to UTF-8 (`msgconv -t UTF-8 -o {shown} {shown}`) and set charset=UTF-8; nothing was "
        "written",
    )


def _python_charset(name: str | None) -> str:
    try:
        return codecs.lookup(name or "utf-8").name
    except LookupError:  # the template's "CHARSET" placeholder
        return "utf-8"


def _previous_lines(previous: tuple[str, ...]) -> str:
    out = []
    for keyword, value in zip(("msgid", "msgid_plural"), previous):
        lines = normalize(value, width=PO_WIDTH).splitlines()
        out.append(f"#| {keyword} {lines[0]}\n")
        out.extend(f"#| {line}\n" for line in lines[1:])
    return "".join(out)


def save_catalog(catalog: Catalog, path: Path) -> None:
    """Write atomically: a failure half-way never truncates the catalogue on disk."""
    write_bytes_atomic(Path(path), dump_catalog(catalog, path=Path(path)))


# -- update that keeps work ------------------------------------------------------------------------

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
    changed: bool = False

    def summary(self) -> str:
        parts = [
            f"{self.kept} kept",
            f"{self.new} new",
            f"{len(self.fuzzy)} changed (need review)",
            f"{self.obsoleted} obsolete",
        ]
        if self.restored:
            parts.append(f"{self.restored} restored from obsolete")
        return f"{self.locale}: " + ", ".join(parts) + ("" if self.changed else " (unchanged)")


def _carry(template_msg: Message, old: Message) -> Message:
    """The template's English and references with the old translation and the translator's notes."""
    merged = copy.copy(template_msg)
    merged.string = old.string
    merged.flags = set(template_msg.flags) | (set(old.flags) - {"python-format"})
    merged.user_comments = list(old.user_comments)
    merged.previous_id = old.previous_id
    merged.lineno = old.lineno  # findings on an in-memory merge still point at the file's lines
    return merged


def merge_catalog(
    old: Catalog, template: Catalog, approvals: Approvals | None = None
) -> tuple[Catalog, UpdateReport]:
    """Merge ``template`` into ``old`` without ever losing a translation.

    Unchanged English (matched on its text and context, wherever it moved) keeps its translation and
    state. New English that closely resembles any old English (removed, obsolete, or still used
    elsewhere: one copy of a shared sentence edited) takes that translation as *stale*, with the
    English it was written for in ``#|`` lines. Removed entries always stay as obsolete, even when
    their translation seeded an edit, so English that comes back gets its own translation back.
    With the locale's ``approvals``, the ``#|`` English is the one that translation was last
    approved for, and English edited back to exactly what was approved is reviewed again.
    """
    report = UpdateReport(str(old.locale_identifier or old.locale or ""))
    previous, obsolete_keys = _old_entries(old)
    used = {_key(m) for m in template if m.id and _key(m) in previous}
    translated = {k: m for k, m in previous.items() if m.string and is_complete(m)}
    fuzzy = _edited(template, used, translated)
    result = copy.copy(old)
    result._messages = type(old._messages)()
    result.obsolete = type(old.obsolete)()
    for message in template:  # the result keeps the template's order
        if not message.id:
            continue
        key = _key(message)
        if key in used:
            report.restored += key in obsolete_keys
            report.kept += key not in obsolete_keys
            _add(result, _carry(message, previous[key]))
        elif key in fuzzy:
            _add(result, _carry_as_draft(message, previous[fuzzy[key]], approvals))
            report.fuzzy.append(key)
        else:
            _add(result, copy.copy(message))
            report.new += 1
    removed = {k: m for k, m in previous.items() if k not in used and m.string}
    _keep_obsolete(result, removed)
    report.obsoleted = len([k for k in removed if k not in obsolete_keys])
    return result, report


def _keep_obsolete(result: Catalog, removed: dict[Key, Message]) -> None:
    for key, message in removed.items():
        slot: Any = message.id if key[1] is None else (message.id, key[1])
        result.obsolete[slot] = message


def _old_entries(old: Catalog) -> tuple[dict[Key, Message], set[Key]]:
    """Every entry of the old catalogue by key, obsolete ones too (unless current), and which keys
    are obsolete."""
    previous: dict[Key, Message] = {_key(m): m for m in old if m.id}
    obsolete_keys = set()
    for message in old.obsolete.values():
        key = _key(message)
        if key not in previous:
            previous[key] = message
            obsolete_keys.add(key)
    return previous, obsolete_keys


def _edited(template: Catalog, used: set[Key], translated: dict[Key, Message]) -> dict[Key, Key]:
    """New English -> the old English it is most likely an edit of (any translated old entry)."""
    fuzzy: dict[Key, Key] = {}
    for message in template:
        key = _key(message)
        if message.id and key not in used:
            match = _closest(key, translated)
            if match is not None:
                fuzzy[key] = match
    return fuzzy


def _carry_as_draft(template_msg: Message, old: Message, approvals: Approvals | None) -> Message:
    """The old translation of edited English: fuzzy, with the English the translation was last
    approved for (or else first written for) in ``#|`` lines: two edits in a row show the reviewer
    the English they last saw, not the edit in between."""
    merged = _carry(template_msg, old)
    merged.flags.add("fuzzy")
    merged.previous_id = list(old.previous_id) if old.previous_id else [_key(old)[0]]
    approved = approvals.last_english_for(merged) if approvals is not None else None
    if approved is not None:
        merged.previous_id = [approved]
    if merged.previous_id[0] == _key(template_msg)[0]:
        merged.previous_id = []  # back to the English the translation was written for
        if approvals is not None and approvals.approval(merged) is not None:
            merged.flags.discard("fuzzy")  # and exactly as approved: reviewed again
    return merged


def _add(catalog: Catalog, message: Message) -> None:
    catalog[message.id] = message  # Catalog keys by (id, context), taking the context from the message


def _closest(key: Key, candidates: dict[Key, Message]) -> Key | None:
    best, best_ratio = None, FUZZY_CUTOFF
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key[0])
    for candidate in candidates:
        if candidate[1] != key[1]:
            continue
        matcher.set_seq1(candidate[0])
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


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


def extract(root: Path) -> Catalog:
    """The template as extracted now; a broken handout or template stops here, before any
    catalogue is touched, so a failed extraction can never make entries obsolete."""
    from handoutgen.catalogs.extract import extract_template

    return extract_template(root)


def refresh_template(
    root: Path, template: Catalog | None = None, *, write: bool = True
) -> tuple[Catalog, bool]:
    """The template, and whether ``handouts.pot`` needs rewriting: only when its entries changed.
    The file's header is kept as it was, but for the new POT-Creation-Date."""
    path = pot_path(Path(root) / "locales")
    template = template if template is not None else extract(root)
    if not path.exists():
        if write:
            write_bytes_atomic(path, dump_catalog(template))
        return template, True
    old, source = read_for_update(path)
    if same_text(template, old, omit_header=True):
        return template, False
    template.creation_date = _dt.datetime.now(_dt.UTC).replace(second=0, microsecond=0)
    if write:
        stamp = template.creation_date.strftime("%Y-%m-%d %H:%M%z")
        header = re.sub(
            r'"POT-Creation-Date: [^"\\]*\\n"',
            f'"POT-Creation-Date: {stamp}\\\\n"',
            _blocks(source.text)[0],
            count=1,
        )
        write_bytes_atomic(path, preserve_lines(template, old, source, header=header, path=path))
    return template, True


# -- writes that keep every line they did not change ----------------------------------------------


def _blocks(text: str) -> list[str]:
    """A .po text as its entries (blocks separated by blank lines), line ends as ``\\n``."""
    text = text.replace("\r\n", "\n")
    return [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text) if b.strip()]


_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _block_key(block: str) -> str:
    """An entry's msgctxt and msgid, however its lines are wrapped."""
    parts = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
        elif line.startswith("#"):
            continue
        if line.startswith("msgstr"):
            break
        if line.startswith(("msgid", "msgctxt")):
            parts.append("\x00" + line.split()[0])
        parts.extend(_QUOTED_RE.findall(line))
    return "".join(parts)


def preserve_lines(
    new: Catalog, old: Catalog, source: PoSource, *, header: str | None = None, path: Path | None = None
) -> bytes:
    """``new`` as .po bytes in which every entry that did not change keeps its exact lines from
    the file (the translator's editor's wrapping, the header as it was, its charset, BOM and line
    ends): a rewrite shows only the entries that really changed.

    When the file's entries are ``old``'s, in order, only the entries that differ are written out
    by Babel (:func:`_changed_blocks`): a catalogue of 150,000 entries with one edit is not written
    out twice in full."""
    original = _blocks(source.text)
    blocks = _changed_blocks(new, old, original)
    lined_up = blocks is not None
    if blocks is None:
        blocks, lined_up = _all_blocks(new, old, original)
    if blocks and original and (header is not None or lined_up):
        blocks[0] = header if header is not None else original[0]
    text = "\n\n".join(blocks) + "\n"
    if "\r\n" in source.text:
        text = text.replace("\n", "\r\n")
    try:
        data = text.encode(source.charset)
    except UnicodeEncodeError as exc:
        shown = display(path) if path else "catalogue"
        raise _unstorable(shown, exc, source.charset.upper()) from None
    return (_BOM if source.bom else b"") + data


def _all_blocks(new: Catalog, old: Catalog, original: list[str]) -> tuple[list[str], bool]:
    """Both catalogues written out in full, each block of ``new`` that Babel writes as it wrote the
    file's (read as ``old``) replaced by the file's own lines; and whether the file's blocks lined up
    with ``old``'s (else none is replaced)."""
    as_read = _blocks(dump_text(old))
    mapping: dict[str, str] = {}
    if len(original) == len(as_read) and all(
        _block_key(a) == _block_key(b) for a, b in zip(original, as_read)
    ):
        mapping = dict(zip(as_read, original))
    return [mapping.get(block, block) for block in _blocks(dump_text(new))], bool(mapping)


def _changed_blocks(new: Catalog, old: Catalog, original: list[str]) -> list[str] | None:
    """The blocks of :func:`_all_blocks` (header first), writing out only the entries that changed;
    None when the file's blocks are not ``old``'s header, entries and obsolete entries in order."""
    olds = _in_writing_order(old)
    if len(original) != len(olds) + 1 or _block_key(original[0]) != "\x00msgid":
        return None
    if any(_block_key(block) != _written_key(m) for block, (_, m) in zip(original[1:], olds)):
        return None
    place = {(obsolete, _key(m)): index for index, (obsolete, m) in enumerate(olds)}
    plurals = (new.num_plurals, old.num_plurals)
    news = _in_writing_order(new)
    changed = []  # (position in news, the old entry of the same key or None)
    for index, (obsolete, message) in enumerate(news):
        at = place.get((obsolete, _key(message)))
        twin = olds[at][1] if at is not None else None
        if twin is None or _message_fields(message, plurals[0]) != _message_fields(twin, plurals[1]):
            changed.append((index, at))
    fresh = _written_alone(new, [news[i] for i, _ in changed])
    as_read = _written_alone(old, [olds[at] for _, at in changed if at is not None])
    blocks = [original[1 + place[(o, _key(m))]] if (o, _key(m)) in place else "" for o, m in news]
    seen = iter(as_read)
    for (index, at), block in zip(changed, fresh):
        was = next(seen) if at is not None else None
        blocks[index] = original[1 + at] if at is not None and was == block else block
    return [original[0], *blocks]


def _in_writing_order(catalog: Catalog) -> list[tuple[bool, Message]]:
    """(obsolete?, entry) in the order Babel writes them: the entries, then the obsolete ones."""
    return [(False, m) for m in catalog if m.id] + [(True, m) for m in catalog.obsolete.values()]


def _written_key(message: Message) -> str:
    """:func:`_block_key` of the block Babel writes for ``message``."""
    parts = []
    if message.context is not None:
        parts.append("\x00msgctxt" + _escaped(message.context))
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    parts.append("\x00msgid" + _escaped(ids[0]))
    if len(ids) > 1:
        parts.append("\x00msgid_plural" + _escaped(ids[1]))
    return "".join(parts)


def _escaped(text: str) -> str:
    return escape(text)[1:-1]


def _written_alone(catalog: Catalog, entries: list[tuple[bool, Message]]) -> list[str]:
    """The blocks Babel writes for ``entries`` of ``catalog`` (same header, plural forms and
    charset), in order."""
    if not entries:
        return []
    part = copy.copy(catalog)
    part._messages = type(catalog._messages)()
    part.obsolete = type(catalog.obsolete)()
    for obsolete, message in entries:
        if obsolete:
            part.obsolete[_slot(message)] = message
        else:
            part._messages[_slot(message)] = message
    return _blocks(dump_text(part, omit_header=True))


def _slot(message: Message) -> Any:
    key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return key if message.context is None else (key, message.context)


@dataclass
class Pending:
    """One catalogue's update, merged in memory: written only if an entry changed. ``old``,
    ``source`` and ``merged`` are None once the update let go of them (see :func:`run_update`)."""

    code: str
    path: Path
    report: UpdateReport
    old: Catalog | None = None
    source: PoSource | None = None
    merged: Catalog | None = None

    def data(self) -> bytes:
        assert self.merged is not None and self.old is not None and self.source is not None
        return preserve_lines(self.merged, self.old, self.source, path=self.path)

    def let_go(self) -> None:
        self.old = self.source = self.merged = None


@dataclass
class Update:
    """What :func:`run_update` did: the template, whether it changed, each catalogue's merge."""

    template: Catalog
    template_changed: bool
    pending: list[Pending]


def merge_one(root: Path, code: str, template: Catalog) -> Pending:
    """One locale's catalogue read (a broken file is a CatalogError naming file and line) and
    merged with ``template`` and the locale's approval records, in memory."""
    path = po_path(Path(root) / "locales", code)
    old, source = read_for_update(path)
    merged, report = merge_catalog(old, template, load_approvals(root, code))
    report.locale = code
    report.changed = not same_text(merged, old)
    return Pending(code, path, report, old, source, merged)


def update_catalogs(
    root: Path, locales: list[str] | None = None, *, write: bool = True
) -> list[UpdateReport]:
    """Refresh the template and merge it into every locale's catalogue (see :func:`run_update`)."""
    return [item.report for item in run_update(root, locales, write=write, hold=lambda item: False).pending]


def run_update(
    root: Path,
    locales: list[str] | None = None,
    *,
    write: bool = True,
    report: Callable[[str], None] | None = None,
    hold: Callable[[Pending], bool] | None = None,
) -> Update:
    """Merge under each catalogue's lock, one catalogue at a time: each is read, checked and merged,
    and with ``write``, when an entry changed, its new text (only the changed lines) is written to a
    temp file beside it, before the next is read. The temp files replace the catalogues only once
    every one is merged, so a broken file (a catalogue, the template, a handout) stops the update
    with nothing written, and memory holds one catalogue however many locales a library has (a
    health system's catalogues are hundreds of MB each once read). ``hold`` says which merges the
    caller keeps in memory (default: all; ``--explain`` plans from them); the others keep only
    their report."""
    from handoutgen.fsutil import StagedWrites

    root = Path(root)
    codes = locales or locales_on_disk(root / "locales")
    with catalog_locks(root, ["template", *codes], report), StagedWrites() as staged:
        template, template_changed = refresh_template(root, write=False)
        pending = []
        for code in codes:
            item = merge_one(root, code, template)
            if write and item.report.changed:
                staged.write(item.path, item.data())
            if hold is not None and not hold(item):
                item.let_go()
            pending.append(item)
        if write and template_changed:
            refresh_template(root, template, write=True)
    return Update(template, template_changed, pending)


@contextlib.contextmanager
def catalog_locks(
    root: Path, codes: list[str], report: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the per-catalogue locks (in a fixed order, so two commands never deadlock).
    ``catalogs update``, ``translate``, ``review approve`` and the build's update all take them,
    so two of them at once never lose an edit. The lock files live in ``.cache/locks/``."""
    from handoutgen.fsutil import exclusive_lock

    folder = Path(root) / ".cache" / "locks"
    say = report or _say

    def waiting(code: str) -> Callable[[], None]:
        return lambda: say(f"waiting for another command that is writing the '{code}' catalogue…")

    with contextlib.ExitStack() as stack:
        for code in sorted(set(codes)):
            stack.enter_context(exclusive_lock(folder / f"catalog-{code}.lock", waiting(code)))
        yield


def _say(line: str) -> None:
    import sys

    print(line, file=sys.stderr)


def init_catalog(root: Path, code: str) -> Path:
    """Start a catalogue for a new locale with correct Language and Plural-Forms headers."""
    from handoutgen.text.locales import locale_info

    info = locale_info(code)
    root = Path(root)
    path = po_path(root / "locales", code)
    if path.exists():
        raise CatalogError(
            problems=[
                Problem(
                    str(path.relative_to(root)),
                    None,
                    f"catalogue for '{code}' already exists; use `generate.py catalogs update`",
                )
            ]
        )
    with catalog_locks(root, ["template", code]):
        template, _changed = refresh_template(root)
    catalog = Catalog(
        locale=info.babel_code,
        project=template.project,
        version=template.version,
        charset="utf-8",
        fuzzy=False,
        creation_date=template.creation_date,
        revision_date=template.creation_date,
    )
    for message in template:
        if message.id:
            catalog[message.id] = copy.copy(message)
    forms = gettext_plural_forms(code)
    if forms:  # the rule PO editors and GNU gettext use, whatever Babel's CLDR release says
        vars(catalog).update(_num_plurals=forms[0], _plural_expr=forms[1])  # Babel's Plural-Forms
    write_bytes_atomic(path, dump_catalog(catalog))
    return path


_ONE = (1, "0")
_NOT_ONE = (2, "(n != 1)")
_OVER_ONE = (2, "(n > 1)")
_SLAVIC = (3, "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)")
#: Plural-Forms as GNU gettext's manual and PO editors write them, by language (Babel's CLDR rules
#: change between releases: CLDR 46 gave Spanish three forms). Other languages fall back to Babel.
GETTEXT_PLURALS: dict[str, tuple[int, str]] = {
    **dict.fromkeys(("ja", "ko", "vi", "zh", "th", "id", "ms", "lo", "km", "my", "yue"), _ONE),
    **dict.fromkeys(("en", "es", "de", "it", "nl", "sv", "da", "nb", "nn", "no", "fi", "el", "hu"), _NOT_ONE),
    **dict.fromkeys(("pt", "ca", "bg", "et", "eu", "gl", "sw", "so", "ur", "ta", "te", "ml", "mr"), _NOT_ONE),
    **dict.fromkeys(("ne", "pa", "gu", "kn", "ht", "tl", "ps", "tr", "az"), _NOT_ONE),
    **dict.fromkeys(("fr", "pt_BR", "fa", "hi", "am", "ti", "bn", "hy", "ln", "oc"), _OVER_ONE),
    **dict.fromkeys(("ru", "uk", "be", "sr", "hr", "bs"), _SLAVIC),
    "pl": (3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "cs": (3, "(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2"),
    "sk": (3, "(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2"),
    "ro": (3, "(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)"),
    "ar": (6, "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)"),
    "he": (2, "(n != 1)"),
}


def gettext_plural_forms(code: str) -> tuple[int, str] | None:
    """(nplurals, plural) for a locale code such as ``pt_BR`` or ``zh_Hans``."""
    return GETTEXT_PLURALS.get(code) or GETTEXT_PLURALS.get(code.split("_")[0].split("-")[0].lower())


# -- validation before use -----------------------------------------------------------------------------

#: What a translation must copy exactly, by what it is called in a problem.
_COPIED: dict[str, Callable[[str], list[str]]] = {
    "placeholder": placeholders,
    "format variable": format_variables,
}


def validate_catalog(catalog: Catalog, path: Path, code: str) -> list[Problem]:
    """Problems that would print a wrong sheet: a dropped or invented placeholder or format
    variable. Each names the .po file and line. (The file's syntax, charset and plural forms are
    checked when it is read, by :func:`load_catalog`.)"""
    problems: list[Problem] = []
    for message in catalog:
        if not message.id or not msgstr_text(message):
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for target in (f for f in forms if f):
            for name, finder in _COPIED.items():
                detail = _mismatch(finder(source), finder(target))
                if detail:
                    problems.append(
                        Problem(
                            str(path),
                            message.lineno,
                            f"msgstr {detail} ({name}s must match the English exactly)",
                            f"msgid {source[:40]!r}",
                        )
                    )
    return problems


def _mismatch(want: list[str], got: list[str]) -> str:
    """How the translation's names differ from the English's ("" when they do not)."""
    if want == got:
        return ""
    lost = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    parts = [
        f"drops {', '.join(lost)}" if lost else "",
        f"invents {', '.join(extra)}" if extra else "",
        "" if lost or extra else "uses a different count",
    ]
    return "; ".join(p for p in parts if p)


def plural_note(catalog: Catalog, code: str) -> str | None:
    """A Plural-Forms header that differs from Babel's CLDR rule is the translator's choice (gettext
    uses the header); worth a note, never an error."""
    from babel.messages.plurals import get_plural

    from handoutgen.text.locales import locale_info

    header = dict(catalog.mime_headers).get("Plural-Forms")
    if not header:
        return None
    try:
        expected = get_plural(locale_info(code).babel_code)
    except Exception:  # Babel has no rule for this locale: nothing to compare with
        return None
    if catalog.num_plurals != expected.num_plurals:
        return (
            f"Plural-Forms says nplurals={catalog.num_plurals}; Babel {_babel_version()}'s CLDR rule for "
            f"'{code}' has {expected.num_plurals} ({expected.plural_forms}); the header is used"
        )
    return None


def _babel_version() -> str:
    import babel

    return babel.__version__
