"""Translation quality checks: what a careful reviewer would catch by comparing each msgstr with
its English, done by machine so nothing that matters on a printed sheet slips through.

Every check has a stable name (see :data:`CHECKS`) and a default severity. Errors are mistakes
that change what a patient reads (a dropped "24", a swapped range, a lost ``{emergency_number}``);
warnings point a reviewer at something to look at (a glossary word not used, a sentence more or
less, a translation much longer than the English).

* :func:`check_entry` checks one English/translation pair;
* :func:`check_catalog` checks every translated entry of a catalogue (drafts too) and adds the
  catalogue-level check that every ``{emergency_number}`` sentence is there and keeps the number;
* :func:`load_glossary` reads ``glossary.yaml`` (required terms per locale, do-not-translate terms).

Numbers are compared as values: ``1.5`` may be ``1,5`` where the locale's decimal symbol is a
comma (CLDR, through Babel), digits may be written in any script's decimal digits (Arabic-Indic
``٢٤``, Eastern Arabic-Indic ``۲۴``, full-width ``２４``), and a range must stay a range in the same
order, with a dash or the language's own word for "to" (``15 a 20``, ``15 đến 20``, ``15至20``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from handoutgen.content.yamldoc import Reader, line_of, read_mapping_file
from handoutgen.errors import CatalogError

# -- the checks -----------------------------------------------------------------------------------

#: Every check: stable name -> (default severity, what it checks). Names never change: reviewers,
#: CI logs and ``glossary.yaml`` refer to them.
CHECKS: dict[str, tuple[str, str]] = {
    "numbers": ("error", "every number of the English is in the translation (ranges in the same order)"),
    "placeholders": ("error", "the same {name} placeholders as the English, none dropped or invented"),
    "format": ("error", "the same %(name)s format variables as the English"),
    "markup": ("error", "the same **bold** and *italic* spans as the English, each closed and non-empty"),
    "glossary-required": ("warning", "an English term from glossary.yaml is translated with the agreed word"),
    "glossary-keep": ("error", "a do-not-translate term from glossary.yaml appears unchanged"),
    "untranslated": ("warning", "the translation is the English text unchanged"),
    "empty": ("warning", "the translation is only spaces"),
    "length-ratio": ("warning", "the translation is far longer or shorter than usual for its script"),
    "sentence-count": ("warning", "the translation has a different number of sentences"),
    "ending-punctuation": ("warning", "the translation ends with different punctuation (. ? ! :)"),
    "emergency-number": (
        "error",
        "every {emergency_number} sentence is translated and keeps {emergency_number}",
    ),
    "markup-added": ("error", "no HTML tag, comment or character reference that the English does not have"),
    "url-added": (
        "error",
        (
            "no web or e-mail address, IP address or javascript:/data:/file: link that the "
            "English does not have"
        ),
    ),
    "bidi-control": (
        "warning",
        ("no invisible bidi embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069)"),
    ),
}

SEVERITIES = ("error", "warning")
EMERGENCY_PLACEHOLDER = "{emergency_number}"
SOURCE_LANGUAGE = "en"

Issue = tuple[str, str, str]  # (check, severity, message)


@dataclass(frozen=True)
class Finding:
    """One problem with one catalogue entry, printed like a compiler message."""

    check: str
    severity: str  # "error" | "warning"
    message: str
    file: str
    line: int | None
    msgid: str
    context: str | None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f'{where}: {self.severity}[{self.check}]: {self.message} (English: "{_excerpt(self.msgid)}")'


def _excerpt(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rstrip() + "…"


def _issue(check: str, message: str, severity: str | None = None) -> Issue:
    return (check, severity or CHECKS[check][0], message)


# -- glossary -------------------------------------------------------------------------------------

GLOSSARY_SEVERITIES = ("error", "warning", "off")


@dataclass(frozen=True)
class Term:
    """One glossary entry: an English term and the translations that count as using it."""

    english: str
    forms: tuple[str, ...]  # accepted translations; empty for a do-not-translate term
    severity: str  # error | warning | off
    line: int | None = None  # in glossary.yaml

    @functools.cached_property
    def source_pattern(self) -> re.Pattern[str]:
        return _english_pattern(self.english, inflect=bool(self.forms))


@dataclass(frozen=True)
class Glossary:
    """``glossary.yaml``: required terms per locale and do-not-translate terms."""

    required: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)  # locale -> terms
    keep: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)  # "*" (every locale) or locale
    file: str = "glossary.yaml"

    def required_terms(self, locale: str) -> tuple[Term, ...]:
        """The locale's required terms, longest English first (``dry needling`` before ``needle``)."""
        terms = _for_locale(self.required, locale)
        return tuple(sorted(terms, key=lambda t: -len(t.english)))

    def keep_terms(self, locale: str) -> tuple[Term, ...]:
        return tuple(self.keep.get("*", ())) + _for_locale(self.keep, locale)


def _for_locale(table: Mapping[str, tuple[Term, ...]], locale: str) -> tuple[Term, ...]:
    """Terms for ``es_MX`` come from ``es_MX``, else from ``es``."""
    parts = locale.split("_")
    for size in range(len(parts), 0, -1):
        code = "_".join(parts[:size])
        if code in table:
            return tuple(table[code])
    return ()


_GLOSSARY_FIELDS = {
    "severity": "default severity per check: glossary-required, glossary-keep",
    "keep": "do-not-translate terms for every locale",
    "locales": "locale code -> required terms (and keep, severity) for that locale",
}
_LOCALE_FIELDS = {
    "required": "English term -> translation, list of translations, or {forms, severity}",
    "keep": "do-not-translate terms for this locale only",
    "severity": "this locale's default severity per check",
}
_TERM_FIELDS = {
    "forms": "accepted translations",
    "severity": "error, warning or off",
    "note": "for translators",
}
_KEEP_FIELDS = {
    "term": "the text to keep unchanged",
    "severity": "error, warning or off",
    "note": "for translators",
}
_GLOSSARY_CHECKS = ("glossary-required", "glossary-keep")


class _GlossaryReader(Reader):
    def severity(self, node: yaml.Node, path: str) -> str | None:
        value = self.text(node, path)
        if value is not None and value not in GLOSSARY_SEVERITIES:
            self.problem(
                node, path, f"unknown severity '{value}'; use one of: {', '.join(GLOSSARY_SEVERITIES)}"
            )
            return None
        return value

    def severities(self, node: yaml.Node, path: str, base: dict[str, str]) -> dict[str, str]:
        result = dict(base)
        for key, value in (self.mapping(node, path, dict.fromkeys(_GLOSSARY_CHECKS, "")) or {}).items():
            level = self.severity(value, f"{path}.{key}")
            if level is not None:
                result[key] = level
        return result

    def forms(self, node: yaml.Node, path: str) -> tuple[str, ...]:
        if isinstance(node, yaml.SequenceNode):
            items = [self.text(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
            found = tuple(i for i in items if i is not None)
            if not node.value:
                self.problem(node, path, "no translations listed; give at least one")
            return found
        value = self.text(node, path)
        return (value,) if value is not None else ()

    def required(self, node: yaml.Node, path: str, default: str) -> tuple[Term, ...]:
        terms = []
        for english, value in (self.mapping(node, path) or {}).items():
            where = f"{path}.{english}"
            if not english.strip():
                self.problem(value, where, "empty English term; write the term or remove the line")
                continue
            severity = default
            if isinstance(value, yaml.MappingNode):
                fields = self.mapping(value, where, _TERM_FIELDS) or {}
                forms_node = self.require(fields, value, where, "forms")
                forms = self.forms(forms_node, f"{where}.forms") if forms_node is not None else ()
                severity = self.optional(fields, "severity", where, self.severity, default)
            else:
                forms = self.forms(value, where)
            if forms:
                terms.append(Term(" ".join(english.split()), forms, severity, line_of(value)))
        return tuple(terms)

    def keep(self, node: yaml.Node, path: str, default: str) -> tuple[Term, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return ()  # `keep:` with only commented-out examples under it
        terms = []
        for index, item in enumerate(self.sequence(node, path) or []):
            where = f"{path}[{index}]"
            severity = default
            if isinstance(item, yaml.MappingNode):
                fields = self.mapping(item, where, _KEEP_FIELDS) or {}
                term_node = self.require(fields, item, where, "term")
                term = self.text(term_node, f"{where}.term") if term_node is not None else None
                severity = self.optional(fields, "severity", where, self.severity, default)
            else:
                term = self.text(item, where)
            if term:
                terms.append(Term(term, (), severity, line_of(item)))
        return tuple(terms)


def load_glossary(path: Path) -> Glossary:
    """Read ``glossary.yaml``; every problem is raised at once as ``file:line: path: problem``."""
    from handoutgen.project import refuse_outside_links
    from handoutgen.text.locales import locale_info

    refuse_outside_links(Path(path).parent, [Path(path)])  # a symlink out of the project is not read
    reader = _GlossaryReader(str(path))
    root, fields = read_mapping_file(reader, path, _GLOSSARY_FIELDS, "copy glossary.yaml from the project")
    if fields is None:
        raise CatalogError(problems=reader.problems)
    defaults = {check: CHECKS[check][0] for check in _GLOSSARY_CHECKS}
    if "severity" in fields:
        defaults = reader.severities(fields["severity"], "severity", defaults)
    keep: dict[str, tuple[Term, ...]] = {}
    if "keep" in fields:
        keep["*"] = reader.keep(fields["keep"], "keep", defaults["glossary-keep"])
    required: dict[str, tuple[Term, ...]] = {}
    locales = (reader.mapping(fields["locales"], "locales") or {}) if "locales" in fields else {}
    key_nodes = _key_nodes(fields["locales"]) if "locales" in fields else {}
    for code, node in locales.items():
        where = f"locales.{code}"
        try:
            locale_info(code)
        except CatalogError as exc:
            reader.problem(key_nodes.get(code, node), where, f"{exc}")  # the key is what is wrong
            continue
        parts = reader.mapping(node, where, _LOCALE_FIELDS) or {}
        levels = (
            reader.severities(parts["severity"], f"{where}.severity", defaults)
            if "severity" in parts
            else defaults
        )
        if "required" in parts:
            required[code] = reader.required(
                parts["required"], f"{where}.required", levels["glossary-required"]
            )
        if "keep" in parts:
            keep[code] = reader.keep(parts["keep"], f"{where}.keep", levels["glossary-keep"])
    if reader.problems:
        raise CatalogError(problems=reader.problems)
    return Glossary(required=required, keep=keep, file=str(path))


def _key_nodes(node: yaml.Node) -> dict[str, yaml.Node]:
    """A mapping's keys to their own nodes (the first of duplicates), for problems about a key."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    found: dict[str, yaml.Node] = {}
    for key_node, _ in node.value:
        found.setdefault(str(key_node.value), key_node)
    return found


# -- text helpers ---------------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")  # as content.PLACEHOLDER_RE
_FORMAT_RE = re.compile(r"%\(([^()]*)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
_VARIABLE_RE = re.compile(rf"{_PLACEHOLDER_RE.pattern}|{_FORMAT_RE.pattern}")
_OBJECT = "\ufffc"  # stands in for a placeholder: not a digit, letter, space or punctuation we read


def _without_variables(text: str) -> str:
    return _VARIABLE_RE.sub(_OBJECT, text)


def _language(locale: str) -> str:
    return locale.split("_")[0].lower()


@functools.cache
def _number_symbols(locale: str) -> tuple[str, str]:
    """The locale's CLDR decimal and group symbols (Latin digits), ``.`` and ``,`` when unknown."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    for code in (_babel_code(locale), _language(locale)):
        try:
            return get_decimal_symbol(code), get_group_symbol(code)
        except Exception:
            continue
    return ".", ","


def _babel_code(locale: str) -> str:
    from handoutgen.text.locales import locale_info

    try:
        return locale_info(locale).babel_code
    except CatalogError:
        return locale


# -- numbers --------------------------------------------------------------------------------------

_SPACES = "\u00a0\u202f\u2009 "


def _ascii_digits(text: str) -> str:
    """Every decimal digit (any script: ٢, ۲, ２…) as 0-9; Arabic separators as . and ,.

    One character for one, so positions stay valid."""
    out = []
    for char in text:
        if char.isdecimal():
            out.append(str(unicodedata.decimal(char)))
        elif char == "\u066b":  # ARABIC DECIMAL SEPARATOR
            out.append(".")
        elif char == "\u066c":  # ARABIC THOUSANDS SEPARATOR
            out.append(",")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class _Number:
    text: str  # as written
    values: tuple[str, ...]  # canonical readings ("1.5", "1500"); two when the separators are ambiguous
    start: int
    end: int


def _canonical(digits: str) -> str | None:
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    text = format(value.normalize(), "f")
    return text


def _reading(token: str, decimal: str, group: str) -> str | None:
    """``token`` read with these symbols, or None when it does not fit (``1,5`` with group ``,``)."""
    spaces = group in _SPACES
    parts = re.split(r"([.,\u00a0\u202f\u2009 ])", token)
    numbers, separators = parts[0::2], parts[1::2]
    integer, fraction, seen_decimal = [numbers[0]], "", False
    for sep, part in zip(separators, numbers[1:]):
        if sep == decimal and not seen_decimal:
            seen_decimal, fraction = True, part
        elif not seen_decimal and (sep == group or (spaces and sep in _SPACES)) and len(part) == 3:
            if len(integer) == 1 and not 1 <= len(integer[0]) <= 3:
                return None
            integer.append(part)
        else:
            return None
    return _canonical("".join(integer) + ("." + fraction if seen_decimal else ""))


def _numbers(text: str, decimal: str = ".", group: str = ",") -> list[_Number]:
    """The numbers of ``text`` (placeholders already removed), each with its possible values.

    English is read with ``.`` and ``,`` only; a translation also with its locale's symbols."""
    normal = _ascii_digits(text)
    spaced = group in _SPACES
    sep = r"(?:[.,]|[\u00a0\u202f\u2009 ](?=\d{3}(?!\d)))" if spaced else r"[.,]"
    result = []
    for match in re.finditer(rf"\d+(?:{sep}\d+)*", normal, flags=re.ASCII):
        token = match.group()
        readings = []
        for symbols in ((".", ","), (decimal, group)):
            value = _reading(token, *symbols) if re.search(r"\D", token) else _canonical(token)
            if value is not None and value not in readings:
                readings.append(value)
        if readings:
            result.append(
                _Number(text[match.start() : match.end()], tuple(readings), match.start(), match.end())
            )
            continue
        for part in re.finditer(r"\d+", token):  # "1,2,3": a list of small numbers, not one
            start = match.start() + part.start()
            result.append(
                _Number(
                    text[start : start + len(part.group())],
                    (_canonical(part.group()) or part.group(),),
                    start,
                    start + len(part.group()),
                )
            )
    return result


_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212~\u301c\uff5e\u223c"
_EN_RANGE_GAP = re.compile(rf"^\s*(?:[{_DASHES}]|to|through|thru)\s*$", re.IGNORECASE)
# Words for "to" between two numbers: es/pt/it/fr/de/nl/pl/ru/vi/tr/zh/ja/ko/ar, and "y"/"و" for
# "between 15 and 20". A short unit may come first: "15分钟到20分钟", "15분에서 20분".
_RANGE_WORDS = (
    "to",
    "a",
    "al",
    "à",
    "au",
    "hasta",
    "y",
    "e",
    "entre",
    "bis",
    "tot",
    "do",
    "до",
    "đến",
    "tới",
    "den",
    "ile",
    "至",
    "到",
    "から",
    "에서",
    "부터",
    "내지",
    "إلى",
    "الى",
    "و",
    "ta",
    "hanggang",
)
_RANGE_GAP = re.compile(
    rf"^\s*(?:[^\W\d_]{{1,10}}\s*)?(?:[{_DASHES}]|{'|'.join(map(re.escape, _RANGE_WORDS))})\s*$",
    re.IGNORECASE,
)


def _ranges(
    text: str, numbers: list[_Number], gap: re.Pattern[str], *, chains: bool = True
) -> list[tuple[int, int]]:
    """Indexes of consecutive numbers joined as a range; with ``chains=False`` a run of three or
    more (2026-11-01, 1-800-555-0100) is a date or a code, not a range."""
    pairs = [
        (i, i + 1) for i in range(len(numbers) - 1) if gap.match(text[numbers[i].end : numbers[i + 1].start])
    ]
    if chains:
        return pairs
    linked = Counter(i for pair in pairs for i in pair)
    return [(i, j) for i, j in pairs if linked[i] == 1 and linked[j] == 1]


def check_numbers(source: str, target: str, locale: str) -> list[Issue]:
    """Every number of the English once per use, nothing invented, ranges kept in order."""
    source_text, target_text = _without_variables(source), _without_variables(target)
    english = _numbers(source_text)
    translated = _numbers(target_text, *_number_symbols(locale))
    issues: list[Issue] = []

    remaining = list(range(len(translated)))
    missing: list[_Number] = []
    for number in english:
        value = number.values[0]
        pick = next((k for k in remaining if translated[k].values == (value,)), None)
        if pick is None:
            pick = next((k for k in remaining if value in translated[k].values), None)
        if pick is None:
            missing.append(number)
        else:
            remaining.remove(pick)
    extra = [translated[k] for k in remaining]
    if len(missing) == 1 and len(extra) == 1:
        was, now = missing[0].text, extra[0].text
        issues.append(
            _issue("numbers", f'"{was}" became "{now}" in the translation; write {was} as in the English')
        )
    else:
        english_count = Counter(n.values[0] for n in english)
        for number in missing:
            value = number.values[0]
            found = sum(value in t.values for t in translated)
            if found:
                issues.append(
                    _issue(
                        "numbers",
                        f'"{number.text}" appears {english_count[value]} times in the English but '
                        f"{found} in the translation; keep every number of the English",
                    )
                )
            else:
                issues.append(
                    _issue(
                        "numbers",
                        f'"{number.text}" is missing from the translation; keep every number '
                        "of the English, written in digits",
                    )
                )
        for number in extra:
            issues.append(
                _issue(
                    "numbers",
                    f'"{number.text}" is in the translation but not in the English; '
                    "remove it or correct it to the English number",
                )
            )

    pairs = _ranges(target_text, translated, _RANGE_GAP)
    for i, j in _ranges(source_text, english, _EN_RANGE_GAP, chains=False):
        low, high = english[i].values[0], english[j].values[0]
        shown = source_text[english[i].start : english[j].end]
        forward = next(
            (p for p in pairs if low in translated[p[0]].values and high in translated[p[1]].values), None
        )
        if forward is not None:
            pairs.remove(forward)
            continue
        backward = next(
            (p for p in pairs if high in translated[p[0]].values and low in translated[p[1]].values), None
        )
        if backward is not None:
            written = target_text[translated[backward[0]].start : translated[backward[1]].end]
            issues.append(
                _issue(
                    "numbers",
                    f'the range "{shown}" is reversed ("{written}") in the translation; '
                    f"write {english[i].text} first, then {english[j].text}, as in the English",
                )
            )
        elif any(low in t.values for t in translated) and any(high in t.values for t in translated):
            issues.append(
                _issue(
                    "numbers",
                    f'"{english[i].text}" and "{english[j].text}" are no longer the range "{shown}"; '
                    "join them with a dash or the word for 'to'",
                )
            )
    return issues


# -- placeholders, format variables, markup -------------------------------------------------------


def _compare_tokens(check: str, want: list[str], got: list[str], how: str) -> list[Issue]:
    """Same tokens, same count: a dropped, invented or translated token names itself."""
    want_count, got_count = Counter(want), Counter(got)
    dropped = sorted((want_count - got_count).elements())
    invented = sorted((got_count - want_count).elements())
    issues = []
    if (
        len(dropped) == 1
        and len(invented) == 1
        and dropped[0] not in got_count
        and invented[0] not in want_count
    ):
        return [_issue(check, f"{dropped[0]} was changed to {invented[0]}; {how}")]
    for token in sorted(set(dropped)):
        if got_count[token]:
            issues.append(
                _issue(
                    check,
                    f"{token} appears {want_count[token]} times in the English but "
                    f"{got_count[token]} in the translation; {how}",
                )
            )
        else:
            issues.append(_issue(check, f"{token} is missing from the translation; {how}"))
    for token in sorted(set(invented)):
        if want_count[token]:
            issues.append(
                _issue(
                    check,
                    f"{token} appears {got_count[token]} times in the translation but "
                    f"{want_count[token]} in the English; {how}",
                )
            )
        else:
            issues.append(_issue(check, f"{token} is not in the English; remove it ({how})"))
    return issues


def check_placeholders(source: str, target: str) -> list[Issue]:
    want = [m.group() for m in _PLACEHOLDER_RE.finditer(source)]
    got = [m.group() for m in _PLACEHOLDER_RE.finditer(target)]
    return _compare_tokens(
        "placeholders", want, got, "copy placeholders exactly as in the English, untranslated"
    )


def check_format(source: str, target: str) -> list[Issue]:
    want = [m.group() for m in _FORMAT_RE.finditer(source)]
    got = [m.group() for m in _FORMAT_RE.finditer(target)]
    return _compare_tokens("format", want, got, "copy %(name)s variables exactly as in the English")


_STRONG_RE = re.compile(r"\*\*(.+?)\*\*")  # as markup.py renders it: bold first, then italic
_EM_RE = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


@dataclass(frozen=True)
class _Markup:
    strong: int
    em: int
    empty: int  # spans with nothing (or only spaces) inside
    stray: int  # asterisks that open or close nothing


def _markup(text: str) -> _Markup:
    empty = len(re.findall(r"\*\*\s*\*\*(?!\*)|(?<!\*)\*\s+\*(?!\*)", text))
    strong = _STRONG_RE.findall(text)
    rest = _STRONG_RE.sub(lambda m: m.group(1), text)
    em = _EM_RE.findall(rest)
    rest = _EM_RE.sub(lambda m: m.group(1), rest)
    empty += sum(1 for s in strong + em if not s.strip(" *"))
    return _Markup(len(strong), len(em), empty, rest.count("*"))


def check_markup(source: str, target: str) -> list[Issue]:
    if "*" not in source and "*" not in target:
        return []
    want, got = _markup(source), _markup(target)
    issues = []
    for name, example, a, b in (
        ("bold", "**…**", want.strong, got.strong),
        ("italic", "*…*", want.em, got.em),
    ):
        if a != b:
            issues.append(
                _issue(
                    "markup",
                    f"the English has {a} {name} span(s) ({example}) but the translation has {b}; "
                    f"put {example} around the matching words",
                )
            )
    if got.empty > want.empty:
        issues.append(
            _issue(
                "markup",
                "an emphasis span is empty (**** or * *); put the marked words between the asterisks",
            )
        )
    if got.stray > want.stray:
        issues.append(
            _issue(
                "markup",
                "unbalanced * in the translation: an emphasis span is not closed; "
                "every ** or * needs its closing pair",
            )
        )
    return issues


# -- what a translation must not add: markup, addresses, bidi controls --------------------------------
#
# The renderer escapes every translation, so none of this can reach a PDF as a tag or a link; but a
# translation that brings its own markup or address was either pasted from somewhere it should not
# have been or written to mislead, and a reviewer must see it (as an error, so it never prints final).

_HTML_RE = re.compile(
    r"</?[A-Za-z][\w:-]*(?=[\s/>]|$)[^<>]*>?"  # a tag, even unclosed: <script, <a href=…>, </b>
    r"|<!--.*?(?:-->|$)|<!\[CDATA\[|<![A-Za-z][^>]*>?|<\?[^>]*>?"  # comment, CDATA, doctype, processing instr.
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});",  # a character reference: &lt; &#60; &nbsp;
    re.DOTALL,
)
# Domains written without www. or a scheme are recognised by these endings only: endings that are also
# words ("mañana.Es importante", a missing space) would turn a typo into an error.
_TLDS = "com|org|net|edu|gov|mil|info|biz|io|xyz|top|site|online|click|ru|cn|tk|ml|cf|gq|uk|vn|kr|jp|mx|br"
_ADDRESS_RE = re.compile(
    r"(?:https?|ftps?|file|sftp|smb|ws|wss)://[^\s<>\"']*"  # scheme://…
    r"|(?<![\w.-])(?:javascript|vbscript|data|mailto|blob|filesystem|intent):[^\s<>\"']+"  # javascript:alert(1)
    r"|(?<![\w:/])//[\w-]+(?:\.[\w-]+)+[^\s<>\"']*"  # protocol-relative //host.tld/…
    r"|(?<![\w.@-])www\.[\w-]+(?:\.[\w-]+)+[^\s<>\"']*"  # www.example.org/…
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?:/[^\s<>\"']*)?(?![\w-])(?!\.\w)"  # 169.254.169.254
    rf"|(?<![\w.@/-])[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})(?:/[^\s<>\"']*)?(?![\w-])(?!\.\w)",  # example.org/path
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}»”’\"'。，、！？）"

#: Explicit direction controls: embeddings, overrides, isolates. They are invisible and can make a
#: number or a phone number read in a different order than it is stored (a "Trojan Source" reordering).
#: LRM, RLM and ALM (U+200E, U+200F, U+061C) are ordinary marks in right-to-left text and are allowed.
BIDI_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}


def _markup_tokens(text: str) -> list[str]:
    return [" ".join(m.group().split()) for m in _HTML_RE.finditer(text)]


def _addresses(text: str) -> list[str]:
    found = []
    for match in _ADDRESS_RE.finditer(_without_variables(text)):
        token = match.group()
        while (
            token
            and token[-1] in _TRAILING
            and not (token[-1] == ")" and token.count("(") >= token.count(")"))
        ):
            token = token[:-1]  # sentence punctuation after an address is not part of it
        if token:
            found.append(token)
    return found


def check_added_markup(source: str, target: str) -> list[Issue]:
    """HTML of any kind, and addresses of any kind, that the translation has and the English has not."""
    issues = []
    english = Counter(t.casefold() for t in _markup_tokens(source))
    for token in dict.fromkeys(_markup_tokens(target)):
        if english[token.casefold()] < _markup_tokens(target).count(token):
            issues.append(
                _issue(
                    "markup-added",
                    f'the translation has the markup "{_excerpt(token, 60)}", which the '
                    "English does not have; remove it (handouts print text only)",
                )
            )
    english = Counter(t.casefold() for t in _addresses(source))
    for token in dict.fromkeys(_addresses(target)):
        if english[token.casefold()] < sum(t.casefold() == token.casefold() for t in _addresses(target)):
            issues.append(
                _issue(
                    "url-added",
                    f'the translation has the address "{_excerpt(token, 60)}", which the '
                    "English does not have; remove it (only the English may point patients "
                    "anywhere, and clinic addresses come from placeholders)",
                )
            )
    return issues


def check_bidi(source: str, target: str) -> list[Issue]:
    """Invisible direction controls in the translation (more than the English has)."""
    extra = [(i, c) for i, c in enumerate(target) if c in BIDI_CONTROLS]
    if len(extra) <= sum(c in BIDI_CONTROLS for c in source):
        return []
    names = ", ".join(dict.fromkeys(f"U+{ord(c):04X} {BIDI_CONTROLS[c]}" for _, c in extra))
    where = ", ".join(str(i + 1) for i, _ in extra[:5]) + ("…" if len(extra) > 5 else "")
    return [
        _issue(
            "bidi-control",
            f"the translation holds {len(extra)} invisible bidi control character(s) ({names}) "
            f"at character {where}; they can change the order a patient reads words and "
            "numbers in, so delete them (the page sets the direction itself)",
        )
    ]


# -- glossary matching ----------------------------------------------------------------------------

_LETTER_BEFORE = r"(?<![^\W_])"
_LETTER_AFTER = r"(?![^\W_])"


def _inflected(word: str) -> str:
    """An English word with its plural, -ed and -ing forms: needle(s), bruis(e|es|ed|ing)."""
    word = re.escape(word.lower())
    if word.endswith("e"):
        return word[:-1] + "(?:e|es|ed|ing)"
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "(?:y|ies|ied|ying)"
    return word + "(?:s|es|ed|ing)?"


def _english_pattern(term: str, inflect: bool = True) -> re.Pattern[str]:
    words = term.split()
    parts = [re.escape(w.lower()) for w in words[:-1]] + [
        _inflected(words[-1]) if inflect else re.escape(words[-1].lower())
    ]
    return re.compile(_LETTER_BEFORE + r"[\s\-]+".join(parts) + _LETTER_AFTER, re.IGNORECASE)


_HARAKAT_RE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
)  # tashkeel, Quranic marks, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")  # and the, with the, for the…


def _script(text: str) -> str:
    """The writing system that decides how a glossary form is matched and how long text may be."""
    counts: Counter[str] = Counter()
    for char in text:
        code = ord(char)
        if not char.isalpha():
            continue
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif (
            0x4E00 <= code <= 0x9FFF
            or 0x3400 <= code <= 0x4DBF
            or 0xF900 <= code <= 0xFAFF
            or 0x3040 <= code <= 0x30FF
            or 0x20000 <= code <= 0x2FFFF
        ):
            counts["cjk"] += 1
        elif 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
            counts["abjad"] += 1  # Arabic and Hebrew: short vowels unwritten
        elif 0x0E00 <= code <= 0x0EFF or 0x1000 <= code <= 0x109F or 0x1780 <= code <= 0x17FF:
            counts["cjk"] += 1  # Thai, Lao, Burmese, Khmer: no spaces between words, matched like CJK
        else:
            counts["alphabet"] += 1
    return counts.most_common(1)[0][0] if counts else "alphabet"


def _arabic_fold(text: str) -> str:
    return _HARAKAT_RE.sub("", unicodedata.normalize("NFC", text)).translate(_ARABIC_FOLD)


def _arabic_stem(word: str) -> str:
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    if word.endswith("ه") and len(word) >= 4:  # ة: كدمة, كدمات
        word = word[:-1]
    return word


def _accent_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


# Languages whose diacritics make different words (Vietnamese tones: kim "needle", kìm "pliers").
_ACCENTS_MATTER = frozenset({"vi"})


@functools.lru_cache(maxsize=4096)
def _form_matcher(form: str, language: str) -> tuple[str, re.Pattern[str]]:
    """(how to fold the translation, pattern of the form in the folded translation)."""
    script = _script(form)
    if script in ("cjk", "hangul"):  # no inflection to speak of; spacing varies (침 치료, 침치료)
        return "squeeze", re.compile(re.escape("".join(form.casefold().split())))
    if script == "abjad":  # stems, each inside a word: article, clitics and endings around it
        stems = [_arabic_stem(w) for w in _arabic_fold(form).split()]
        return "arabic", re.compile(r"\S*\s+\S*".join(map(re.escape, stems)))
    fold = "casefold" if language in _ACCENTS_MATTER else "accents"
    words = _fold(form, fold).split()
    body = r"[\s\-]+".join(re.escape(w) + "(?:s|es)?" for w in words)  # plurals: agujas, moretones
    return fold, re.compile(_LETTER_BEFORE + body + _LETTER_AFTER)


def _fold(text: str, how: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if how == "squeeze":
        return "".join(text.casefold().split())
    if how == "arabic":
        return _arabic_fold(text)
    if how == "accents":
        return _accent_fold(text.casefold())
    return text.casefold()


def _contains_form(target: str, form: str, language: str) -> bool:
    how, pattern = _form_matcher(form, language)
    return pattern.search(_fold(target, how)) is not None


def check_glossary(source: str, target: str, locale: str, glossary: Glossary) -> list[Issue]:
    issues: list[Issue] = []
    language = _language(locale)
    masked = unicodedata.normalize("NFC", source)
    file = Path(glossary.file).name
    for term in glossary.required_terms(locale):
        if term.severity == "off":
            continue
        match = term.source_pattern.search(masked)
        if match is None:
            continue
        for found in term.source_pattern.finditer(masked):  # a longer term hides the words inside it
            masked = masked[: found.start()] + " " * (found.end() - found.start()) + masked[found.end() :]
        if not any(_contains_form(target, form, language) for form in term.forms):
            wanted = " or ".join(f'"{f}"' for f in term.forms)
            where = f"{file}:{term.line}" if term.line else file
            issues.append(
                _issue(
                    "glossary-required",
                    f'the English has "{match.group()}" but the translation has no '
                    f"{wanted}; use the agreed term ({where})",
                    term.severity,
                )
            )
    for term in glossary.keep_terms(locale):
        if term.severity == "off" or not term.source_pattern.search(source):
            continue
        if term.english.casefold() not in unicodedata.normalize("NFC", target).casefold():
            where = f"{file}:{term.line}" if term.line else file
            issues.append(
                _issue(
                    "glossary-keep",
                    f'"{term.english}" must appear unchanged in the translation '
                    f"(do not translate: {where}); copy it as written in the English",
                    term.severity,
                )
            )
    return issues


# -- untranslated, length, sentences, punctuation -------------------------------------------------

_ACRONYM_RE = re.compile(r"\b[A-Z]{2,4}s?\b")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")


@functools.cache
def _language_names(locale: str) -> frozenset[str]:
    """Names of languages (in English and in the locale): a language menu keeps them as they are."""
    from babel import Locale

    names: set[str] = set()
    for code in ("en", _babel_code(locale)):
        try:
            loc = Locale.parse(code)
        except Exception:
            continue
        names.update(n.casefold() for n in loc.languages.values())
        names.add((loc.get_display_name(loc) or "").casefold())
    return frozenset(names)


def check_untranslated(
    source: str, target: str, locale: str, glossary: Glossary | None = None
) -> list[Issue]:
    if _language(locale) == SOURCE_LANGUAGE:
        return []
    if " ".join(source.split()).casefold() != " ".join(target.split()).casefold():
        return []
    words = _URL_RE.sub(" ", _VARIABLE_RE.sub(" ", source))
    for term in glossary.keep_terms(locale) if glossary else ():
        words = term.source_pattern.sub(" ", words)
    words = _ACRONYM_RE.sub(" ", words)
    if not any(c.isalpha() for c in words):
        return []  # placeholders, numbers, punctuation, acronyms and names to keep: nothing to translate
    if " ".join(source.split()).casefold() in _language_names(locale):
        return []
    return [
        _issue(
            "untranslated",
            "the translation is the English text unchanged; translate it "
            "(or, if it must stay as is, add its names to the keep list of glossary.yaml)",
        )
    ]


# Translation length / English length, counted in characters, by the translation's script. Drawn
# from published expansion tables for English sources (W3C "Text size in translation"; IBM's
# globalisation guide: short strings expand most) and checked against the shipped catalogues:
# * alphabetic scripts: Spanish runs 0.7–1.65 (median 1.2). Vietnamese goes as low as 0.42
#   ("You are afraid of needles." → "Bạn sợ kim.": one syllable per word), so the floor is 0.4;
#   2.5 leaves room for the 200 % expansion of short strings.
# * CJK: a Han character carries a syllable or a word; Chinese runs 0.14–0.66 (median 0.33, e.g.
#   "Questions and answers" → "问与答" is 0.14), so 0.1–1.0; a translation as long as the English
#   in characters almost always still holds English.
# * Hangul: a syllable block is 2–3 Latin letters; Korean runs 0.29–0.92 (median 0.56), so 0.2–1.5.
# * Arabic (and Hebrew): short vowels are not written, so about English length; 0.5–1.6 shipped
#   (median 0.91), so 0.4–2.0.
LENGTH_RATIOS: dict[str, tuple[float, float]] = {
    "alphabet": (0.4, 2.5),
    "cjk": (0.1, 1.0),
    "hangul": (0.2, 1.5),
    "abjad": (0.4, 2.0),
}
LENGTH_MIN_SOURCE = 20  # shorter English (labels, headings) varies too much to judge
# The script a locale is written in (the text's own mix would excuse English left in a translation).
_LANGUAGE_SCRIPTS = {
    "zh": "cjk",
    "ja": "cjk",
    "yue": "cjk",
    "th": "cjk",
    "lo": "cjk",
    "km": "cjk",
    "my": "cjk",
    "ko": "hangul",
    "ar": "abjad",
    "fa": "abjad",
    "ur": "abjad",
    "ps": "abjad",
    "ckb": "abjad",
    "sd": "abjad",
    "ug": "abjad",
    "he": "abjad",
    "yi": "abjad",
}
_SCRIPT_NAMES = {
    "alphabet": "alphabetic scripts",
    "cjk": "Chinese/Japanese",
    "hangul": "Korean",
    "abjad": "Arabic script",
}


def _visible(text: str) -> str:
    return " ".join(_VARIABLE_RE.sub("X", text).replace("*", "").split())


def check_length(source: str, target: str, locale: str) -> list[Issue]:
    english, translated = _visible(source), _visible(target)
    if len(english) < LENGTH_MIN_SOURCE or not translated:
        return []
    script = _LANGUAGE_SCRIPTS.get(_language(locale)) or _script(translated)
    low, high = LENGTH_RATIOS[script]
    ratio = len(translated) / len(english)
    if low <= ratio <= high:
        return []
    what = "longer" if ratio > high else "shorter"
    hint = "text added or repeated" if ratio > high else "text left out"
    return [
        _issue(
            "length-ratio",
            f"the translation is {ratio:.2f}× the length of the English, much {what} than usual "
            f"for {_SCRIPT_NAMES[script]} ({low}–{high}×); check for {hint}",
        )
    ]


# English and Spanish abbreviations that end with a full stop inside a sentence (lower case, no dot).
_ABBREVIATIONS = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "jr",
        "sr",
        "prof",
        "vs",
        "etc",
        "approx",
        "appt",
        "dept",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "no",
        "nos",
        "tel",
        "ext",
        "fig",
        "min",
        "hr",
        "hrs",
        "sra",
        "srta",
        "dra",
        "ud",
        "uds",
        "p. ej",
        "ej",
        "aprox",
        "núm",
        "pág",
    }
)
_TERMINAL_RE = re.compile(r"\.{3}|[.!?…。！？؟।]+")
_FULL_WIDTH_END = frozenset("。！？")
_CLOSERS = "\"'”’»›)]}」』）】*"


def count_sentences(text: str) -> int:
    """Sentences in ``text``: ends marked . ! ? 。！？ ؟, not decimals, abbreviations or ordinals."""
    text = _VARIABLE_RE.sub("X", text)
    count, start = 0, 0
    for match in _TERMINAL_RE.finditer(text):
        end = match.end()
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        after = text[end:]
        if not (set(match.group()) & _FULL_WIDTH_END):
            if after and not after[0].isspace():
                continue  # 1.5, e.g, a URL
            following = after.lstrip()
            if following and following[0].isalpha() and following[0].islower():
                continue  # a full stop before a lower-case word ends no sentence (Apt. 4b, approx. half)
            if match.group() == "." and _ends_abbreviation(text, match.start()):
                continue
        if any(c.isalnum() for c in text[start : match.start()]):
            count += 1
        start = end
    if any(c.isalnum() for c in text[start:]):
        count += 1
    return count


def _ends_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“‘«[":
        start -= 1
    word = text[start:dot]
    if word.lower() in _ABBREVIATIONS:
        return True
    # a single initial (J. Smith) — only in scripts with case: Korean "멍." is a whole word
    return len(word) == 1 and word.isalpha() and word.isupper()


def check_sentences(source: str, target: str) -> list[Issue]:
    english, translated = count_sentences(source), count_sentences(target)
    if english == translated or (english < 2 and abs(english - translated) <= 1):
        return []
    return [
        _issue(
            "sentence-count",
            f"the English has {english} sentence(s) but the translation has {translated}; "
            "check that nothing was dropped, merged or added",
        )
    ]


_END_CLASSES = {
    "period": ".。．۔",
    "question": "?？؟",
    "exclamation": "!！",
    "colon": ":：",
}
_END_NAMES = {
    "period": "a full stop",
    "question": "a question mark",
    "exclamation": "an exclamation mark",
    "colon": "a colon",
}
_LOCALE_ENDS = {  # what to suggest
    "zh": {"period": "。", "question": "？", "exclamation": "！", "colon": "："},
    "ja": {"period": "。", "question": "？", "exclamation": "！", "colon": "："},
    "ar": {"question": "؟"},
    "fa": {"question": "؟"},
    "ur": {"period": "۔", "question": "؟"},
}


def _ending(text: str) -> tuple[str | None, str]:
    """(class of the final punctuation or None, the character) after closing quotes and brackets."""
    text = text.rstrip()
    while text and (text[-1] in _CLOSERS or text[-1].isspace()):
        text = text[:-1]
    if text.endswith("...") or text.endswith("…"):
        return "ellipsis", "…"
    last = text[-1:] if text else ""
    for name, chars in _END_CLASSES.items():
        if last and last in chars:
            return name, last
    return None, last


def check_ending(source: str, target: str, locale: str) -> list[Issue]:
    want, want_char = _ending(source)
    got, got_char = _ending(target)
    if want == got or "ellipsis" in (want, got):
        return []
    if want is None:
        if want_char and not want_char.isalnum():
            return []  # the English ends with other punctuation (a comma, a dash): not compared
        return [
            _issue(
                "ending-punctuation",
                f'the translation ends with "{got_char}" but the English has no final punctuation; remove it',
            )
        ]
    suggestion = _LOCALE_ENDS.get(_language(locale), {}).get(want, _END_CLASSES[want][0])
    if got is None:
        return [
            _issue(
                "ending-punctuation",
                f'the English ends with "{want_char}" but the translation does not; '
                f'end it with {_END_NAMES[want]} ("{suggestion}")',
            )
        ]
    return [
        _issue(
            "ending-punctuation",
            f'the English ends with "{want_char}" but the translation with "{got_char}"; '
            f'end it with {_END_NAMES[want]} ("{suggestion}")',
        )
    ]


# -- one entry, one catalogue ---------------------------------------------------------------------


def check_entry(source: str, target: str, locale: str, glossary: Glossary | None = None) -> list[Issue]:
    """(check, severity, message) for every problem of one English/translation pair."""
    if not source:
        return []
    if not target.strip():
        return [
            _issue(
                "empty",
                "the translation is only spaces; write it, or leave msgstr empty so the entry counts as missing",
            )
        ]
    issues: list[Issue] = []
    issues += check_numbers(source, target, locale)
    issues += check_placeholders(source, target)
    issues += check_format(source, target)
    issues += check_markup(source, target)
    issues += check_added_markup(source, target)
    issues += check_bidi(source, target)
    if glossary is not None:
        issues += check_glossary(source, target, locale, glossary)
    issues += check_untranslated(source, target, locale, glossary)
    issues += check_length(source, target, locale)
    issues += check_sentences(source, target)
    issues += check_ending(source, target, locale)
    return issues


def _pairs(message, nplurals: int) -> Iterable[tuple[str, str]]:
    """(English, translation) for each msgstr: [0] against msgid, the rest against msgid_plural."""
    if isinstance(message.id, str):
        string = message.string
        if isinstance(string, (tuple, list)):
            string = string[0] if string else ""
        yield message.id, string or ""
        return
    singular, plural = message.id[0], message.id[1] if len(message.id) > 1 else message.id[0]
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    for index, string in enumerate(strings):
        yield (plural if index or nplurals == 1 else singular), string or ""


def check_catalog(
    catalog, path: Path, locale: str, glossary: Glossary | None = None, template=None
) -> list[Finding]:
    """Findings for every translated entry (drafts too) and the catalogue-level checks.

    ``template`` (the ``handouts.pot`` Catalog), when given, lets the check see entries the
    catalogue lacks altogether."""
    file = str(path)
    findings: list[Finding] = []
    nplurals = getattr(catalog, "num_plurals", 2) or 2
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        seen: set[Issue] = set()
        for source, target in _pairs(message, nplurals):
            if not target:
                continue
            for issue in check_entry(source, target, locale, glossary):
                if issue not in seen:
                    seen.add(issue)
                    findings.append(
                        Finding(issue[0], issue[1], issue[2], file, message.lineno, msgid, message.context)
                    )
    findings += _emergency_findings(catalog, file, template)
    return sorted(findings, key=lambda f: (f.line is None, f.line or 0))


def _emergency_findings(catalog, file: str, template) -> list[Finding]:
    severity = CHECKS["emergency-number"][0]
    wanted = [
        (m.id if isinstance(m.id, str) else m.id[0], m.context, m)
        for m in (template if template is not None else catalog)
        if m.id
    ]
    findings = []
    for msgid, context, source in wanted:
        if EMERGENCY_PLACEHOLDER not in msgid:
            continue
        message = catalog.get(msgid, context=context) if template is not None else source
        if message is None:
            text = (
                f"this {EMERGENCY_PLACEHOLDER} sentence is missing from the catalogue; run "
                "`generate.py catalogs update`, then translate it"
            )
            findings.append(Finding("emergency-number", severity, text, file, None, msgid, context))
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not any(s and s.strip() for s in strings):
            text = f"this {EMERGENCY_PLACEHOLDER} sentence is not translated; translate it first, it tells patients when to call"
        elif not all(EMERGENCY_PLACEHOLDER in s for s in strings if s):
            text = f"the translation drops {EMERGENCY_PLACEHOLDER}; put it back so the sheet prints the emergency number"
        else:
            continue
        findings.append(Finding("emergency-number", severity, text, file, message.lineno, msgid, context))
    return findings
