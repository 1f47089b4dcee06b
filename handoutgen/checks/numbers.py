"""The ``numbers`` check: every number of the English is in the translation, as a value (see
:mod:`handoutgen.text.numbers`: any script's digits, the locale's decimal symbol), once per use,
nothing invented, and every range still a range in the same order."""

from __future__ import annotations

from collections import Counter

from handoutgen.checks.issues import Issue, issue
from handoutgen.checks.tokens import without_variables
from handoutgen.text.numbers import EN_RANGE_GAP, Number, find_numbers, number_symbols, ranges


def check_numbers(source: str, target: str, locale: str) -> list[Issue]:
    """Every number of the English once per use, nothing invented, ranges kept in order."""
    source_text, target_text = without_variables(source), without_variables(target)
    english = find_numbers(source_text)
    translated = find_numbers(target_text, *number_symbols(locale))
    missing, extra = _unmatched(english, translated)
    return _count_issues(english, translated, missing, extra) + _range_issues(
        source_text, english, target_text, translated
    )


def _unmatched(english: list[Number], translated: list[Number]) -> tuple[list[Number], list[Number]]:
    """(English numbers the translation lacks, translated numbers the English lacks); an exact
    reading is matched before an ambiguous one (``1.500`` may be 1.5 or 1500)."""
    remaining = list(range(len(translated)))
    missing: list[Number] = []
    for number in english:
        value = number.values[0]
        pick = next((k for k in remaining if translated[k].values == (value,)), None)
        if pick is None:
            pick = next((k for k in remaining if value in translated[k].values), None)
        if pick is None:
            missing.append(number)
        else:
            remaining.remove(pick)
    return missing, [translated[k] for k in remaining]


def _count_issues(
    english: list[Number], translated: list[Number], missing: list[Number], extra: list[Number]
) -> list[Issue]:
    """One issue per missing or invented number; one changed number is named as a change."""
    if len(missing) == 1 and len(extra) == 1:
        was, now = missing[0].text, extra[0].text
        return [issue("numbers", f'"{was}" became "{now}" in the translation; write {was} as in the English')]
    issues: list[Issue] = []
    english_count = Counter(n.values[0] for n in english)
    for number in missing:
        value = number.values[0]
        found = sum(value in t.values for t in translated)
        if found:
            message = (
                f'"{number.text}" appears {english_count[value]} times in the English but '
                f"{found} in the translation; keep every number of the English"
            )
        else:
            message = (
                f'"{number.text}" is missing from the translation; keep every number '
                "of the English, written in digits"
            )
        issues.append(issue("numbers", message))
    for number in extra:
        issues.append(
            issue(
                "numbers",
                f'"{number.text}" is in the translation but not in the English; '
                "remove it or correct it to the English number",
            )
        )
    return issues


def _range_issues(
    source_text: str, english: list[Number], target_text: str, translated: list[Number]
) -> list[Issue]:
    """Each English range is a range in the translation too, low end first."""
    issues: list[Issue] = []
    pairs = ranges(target_text, translated)
    for i, j in ranges(source_text, english, EN_RANGE_GAP, chains=False):
        low, high = english[i].values[0], english[j].values[0]
        shown = source_text[english[i].start : english[j].end]
        forward = _joined(pairs, translated, low, high)
        if forward is not None:
            pairs.remove(forward)
            continue
        backward = _joined(pairs, translated, high, low)
        if backward is not None:
            written = target_text[translated[backward[0]].start : translated[backward[1]].end]
            message = (
                f'the range "{shown}" is reversed ("{written}") in the translation; '
                f"write {english[i].text} first, then {english[j].text}, as in the English"
            )
        elif any(low in t.values for t in translated) and any(high in t.values for t in translated):
            message = (
                f'"{english[i].text}" and "{english[j].text}" are no longer the range "{shown}"; '
                "join them with a dash or the word for 'to'"
            )
        else:
            continue
        issues.append(issue("numbers", message))
    return issues


def _joined(
    pairs: list[tuple[int, int]], numbers: list[Number], first: str, second: str
) -> tuple[int, int] | None:
    """The first range of ``numbers`` that goes from ``first`` to ``second``."""
    return next((p for p in pairs if first in numbers[p[0]].values and second in numbers[p[1]].values), None)
