"""The ``negation`` check: every "not" of the English is in the translation.

"Do not drive" translated as "Drive" keeps every number, placeholder and word of emphasis; only
the meaning is reversed.  The English's negations are counted (:mod:`handoutgen.text.negation`), and
the translation must have at least as many negation markers of its language.  Languages the project
has no word list for are not compared."""

from __future__ import annotations

from handoutgen.checks.issues import Issue, issue
from handoutgen.checks.tokens import without_variables
from handoutgen.text.locales import language
from handoutgen.text.negation import english_negations, negation_markers, supported


def check_negation(source: str, target: str, locale: str) -> list[Issue]:
    """Fewer negations in the translation than in the English (a "not" dropped)."""
    lang = language(locale)
    if not supported(lang):
        return []
    english = english_negations(without_variables(source))
    if not english:
        return []
    translated = negation_markers(without_variables(target).replace("*", ""), lang)  # 지 **마세요**
    if len(translated) >= len(english):
        return []
    said = ", ".join(f'"{w}"' for w in english)
    found = ", ".join(f'"{w}"' for w in translated) if translated else "none"
    return [
        issue(
            "negation",
            f"the English says no {len(english)} time(s) ({said}) but the translation "
            f"{len(translated)} time(s) ({found}); a dropped negation reverses the instruction, so "
            "check that every one is translated",
        )
    ]
