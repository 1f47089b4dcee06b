"""The ``untranslated`` check: a translation that is the English unchanged, when there was
something to translate (not only placeholders, numbers, acronyms, kept names or a language's name)."""

from __future__ import annotations

import functools
import re

from handoutgen.checks.issues import SOURCE_LANGUAGE, Issue, issue
from handoutgen.checks.tokens import VARIABLE_RE
from handoutgen.content.settings import Glossary
from handoutgen.text.locales import babel_code, language

_ACRONYM_RE = re.compile(r"\b[A-Z]{2,4}s?\b")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")


@functools.cache
def _language_names(locale: str) -> frozenset[str]:
    """Names of languages (in English and in the locale): a language menu keeps them as they are."""
    from babel import Locale

    names: set[str] = set()
    for code in ("en", babel_code(locale)):
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
    """The English left as it is, in a locale of another language, when it had words to translate."""
    if language(locale) == SOURCE_LANGUAGE:
        return []
    if " ".join(source.split()).casefold() != " ".join(target.split()).casefold():
        return []
    words = _URL_RE.sub(" ", VARIABLE_RE.sub(" ", source))
    for term in glossary.keep_terms(locale) if glossary else ():
        words = term.source_pattern.sub(" ", words)
    words = _ACRONYM_RE.sub(" ", words)
    if not any(c.isalpha() for c in words):
        return []  # placeholders, numbers, punctuation, acronyms and names to keep: nothing to translate
    if " ".join(source.split()).casefold() in _language_names(locale):
        return []
    return [
        issue(
            "untranslated",
            "the translation is the English text unchanged; translate it "
            "(or, if it must stay as is, add its names to the keep list of glossary.yaml)",
        )
    ]
