"""Numbers as values, whatever script and separators they are written with.

``1.5`` may be ``1,5`` where the locale's decimal symbol is a comma (CLDR, through Babel); digits
may be written in any script's decimal digits (Arabic-Indic ``٢٤``, Eastern Arabic-Indic ``۲۴``,
full-width ``２４``: :mod:`unicodedata` knows them all); a group separator may be a comma, a full stop
or a space.  A token whose separators could be read two ways (``1.500``) keeps both readings.  A
time (``9:30``) or a date (``2026-11-01``) is read as its numbers, in order.

Two numbers joined by a dash or a word for "to" are a range (``15–20``, ``15 a 20``, ``15 đến 20``,
``15至20``, ``۲ تا ۳``, ``2 से 3``); :func:`ranges` finds them.

A decimal is read with every digit it is written with: ``38.0`` is not ``38`` (see :func:`canonical`).
A Thai time is written with a full stop, ``9.30 น.`` ("9:30"): it is read as 9 and 30, like ``9:30``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from handoutgen.text.locales import babel_code, language

#: Spaces that group digits (no-break, narrow no-break, thin, ordinary).
SPACES = "\u00a0\u202f\u2009 "
#: Dashes and tildes that join the two ends of a range.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212~\u301c\uff5e\u223c"


@dataclass(frozen=True)
class Number:
    """One number of a text: as written, its possible values, and where it is."""

    text: str  # as written
    values: tuple[str, ...]  # canonical readings ("1.5", "1500"); two when the separators are ambiguous
    start: int
    end: int


def ascii_digits(text: str) -> str:
    """Every decimal digit (any script: ٢, ۲, ２…) as 0-9; Arabic separators as . and ,.

    One character for one, so positions stay valid."""
    if text.isascii():
        return text
    table = {ord(char): _ascii_digit(char) for char in set(text) if not char.isascii()}
    return text.translate(table)


@functools.lru_cache(maxsize=1024)
def _ascii_digit(char: str) -> str:
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    return _ARABIC_SEPARATORS.get(char, char)


_ARABIC_SEPARATORS = {"\u066b": ".", "\u066c": ","}  # ARABIC DECIMAL and THOUSANDS SEPARATOR


def canonical(digits: str) -> str | None:
    """``digits`` (ASCII, ``.`` as the decimal point) as a plain decimal, every written decimal kept:
    ``"1,000"`` read as ``"1000"``, ``"007"`` as ``"7"``, but ``"38.0"`` stays ``"38.0"`` and
    ``"1.50"`` ``"1.50"``: a patient reads 38.0 °C and 38 °C differently, so the checks do too."""
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return format(value, "f")


@functools.cache
def number_symbols(locale: str) -> tuple[str, str]:
    """The locale's CLDR decimal and group symbols (Latin digits), ``.`` and ``,`` when unknown."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    for code in (babel_code(locale), language(locale)):
        try:
            return get_decimal_symbol(code), get_group_symbol(code)
        except Exception:
            continue
    return ".", ","


def _reading(token: str, decimal: str, group: str) -> str | None:
    """``token`` read with these symbols, or None when it does not fit (``1,5`` with group ``,``)."""
    spaces = group in SPACES
    parts = re.split(r"([.,\u00a0\u202f\u2009 ])", token)
    numbers, separators = parts[0::2], parts[1::2]
    integer, fraction, seen_decimal = [numbers[0]], "", False
    for sep, part in zip(separators, numbers[1:]):
        if sep == decimal and not seen_decimal:
            seen_decimal, fraction = True, part
        elif not seen_decimal and (sep == group or (spaces and sep in SPACES)) and len(part) == 3:
            if len(integer) == 1 and not 1 <= len(integer[0]) <= 3:
                return None
            integer.append(part)
        else:
            return None
    return canonical("".join(integer) + ("." + fraction if seen_decimal else ""))


def _readings(token: str, decimal: str, group: str) -> list[str]:
    """Every value ``token`` may have: read the English way, then with the locale's symbols."""
    readings: list[str] = []
    for symbols in ((".", ","), (decimal, group)):
        value = _reading(token, *symbols) if re.search(r"\D", token) else canonical(token)
        if value is not None and value not in readings:
            readings.append(value)
    return readings


#: A time written with a full stop and the Thai word for o'clock (นาฬิกา, abbreviated น.): 9.30 น.
_DOTTED_TIME = re.compile(r"\d{1,2}\.\d{2}(?=\s*(?:น\.|นาฬิกา))", re.ASCII)


def find_numbers(text: str, decimal: str = ".", group: str = ",") -> list[Number]:
    """The numbers of ``text``, each with its possible values, in order.

    English is read with ``.`` and ``,`` only; a translation also with its locale's symbols
    (see :func:`number_symbols`).  Remove placeholders first: ``{1}`` is not a number."""
    normal = ascii_digits(text)
    sep = r"(?:[.,]|[\u00a0\u202f\u2009 ](?=\d{3}(?!\d)))" if group in SPACES else r"[.,]"
    result = []
    for match in re.finditer(rf"\d+(?:{sep}\d+)*", normal, flags=re.ASCII):
        readings = (
            [] if _DOTTED_TIME.match(normal, match.start()) else _readings(match.group(), decimal, group)
        )
        if readings:
            result.append(Number(text[match.start() : match.end()], tuple(readings), *match.span()))
            continue
        for part in re.finditer(r"\d+", match.group()):  # "1,2,3": a list of small numbers, not one
            start, end = match.start() + part.start(), match.start() + part.end()
            result.append(Number(text[start:end], (canonical(part.group()) or part.group(),), start, end))
    return result


#: What joins the two ends of a range in English: a dash, "to", "through".
EN_RANGE_GAP = re.compile(rf"^\s*(?:[{DASHES}]|to|through|thru)\s*$", re.IGNORECASE)
# Words for "to" between two numbers: es/pt/it/fr/de/nl/pl/ru/vi/tr/zh/ja/ko/ar/fa/hi/am/th/tl, "y"/"و" for
# "between 15 and 20". A short unit may come first: "15分钟到20分钟", "15분에서 20분".
RANGE_WORDS = (
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
    "تا",  # Persian: ۲ تا ۳ روز
    "الی",
    "से",  # Hindi: 2 से 3 दिन
    "እስከ",  # Amharic: ከ2 እስከ 3 ቀን
    "ถึง",  # Thai: 2 ถึง 3 วัน
)
#: What joins the two ends of a range in a translation: a dash or a word for "to", maybe after a unit.
RANGE_GAP = re.compile(
    rf"^\s*(?:[^\W\d_]{{1,10}}\s*)?(?:[{DASHES}]|{'|'.join(map(re.escape, RANGE_WORDS))})\s*$",
    re.IGNORECASE,
)


def ranges(
    text: str, numbers: list[Number], gap: re.Pattern[str] = RANGE_GAP, *, chains: bool = True
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
