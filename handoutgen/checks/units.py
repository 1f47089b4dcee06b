"""The ``units`` check: every quantity of the English keeps its unit in the translation ("2 days"
stays days, never weeks; "38.0 °C" stays Celsius).

English quantities and their units come from :func:`handoutgen.text.units.english_quantities`, a
translation's units from :func:`~handoutgen.text.units.unit_mentions` (every form of its language).
A unit is missing when the translation names it nowhere, and named as changed when the translation
has a unit the English does not use at all.  (A unit used twice but translated once is not counted:
"2 and 3 days" is good Spanish for "2 days and 3 days".)"""

from __future__ import annotations

from handoutgen.checks.issues import SOURCE_LANGUAGE, Issue, issue
from handoutgen.checks.tokens import without_variables
from handoutgen.text.locales import language
from handoutgen.text.units import UNIT_NAMES, english_quantities, english_units, supported, unit_mentions

#: Units every language may write the English way; in a language without a word list, only one
#: replaced by another (°C by °F) is reported.
SYMBOL_UNITS = frozenset({"celsius", "fahrenheit", "mg", "kg", "ml", "cm", "lb"})


def check_units(source: str, target: str, locale: str) -> list[Issue]:
    """A unit of the English the translation names nowhere; named as a change when the
    translation has a unit the English does not use ("days → weeks")."""
    source, target = without_variables(source), without_variables(target)
    lang = language(locale)
    if lang == SOURCE_LANGUAGE:
        return []
    quantities = [(k, q) for k, q in english_quantities(source) if supported(lang) or k in SYMBOL_UNITS]
    if not quantities:  # most sentences have no quantity with a unit: nothing to look for
        return []
    got = unit_mentions(target, lang)
    missing = {kind: q for kind, q in reversed(quantities) if not got[kind]}  # the first example of each
    if not missing:
        return []
    used = english_units(source)
    extra = [k for k in UNIT_NAMES if got[k] and not used[k] and (supported(lang) or k in SYMBOL_UNITS)]
    if not supported(lang) and not extra:
        return []  # its own word for "degree" or "milligram" may be there: only a changed symbol counts
    return [issue("units", _message(kind, missing[kind], extra)) for kind in UNIT_NAMES if kind in missing]


def _message(kind: str, example: str, extra: list[str]) -> str:
    name = UNIT_NAMES[kind]
    if extra:
        instead = " or ".join(UNIT_NAMES[k] for k in extra)
        return (
            f'"{example}": the translation has {instead} where the English has {name} '
            f"({name} → {instead}); write the same unit as the English"
        )
    return f'"{example}": the translation has no word for {name}; keep the unit of every quantity'
