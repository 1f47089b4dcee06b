"""Glossary matching: an English term found in the English (with its plural, -ed and -ing forms)
must be translated with an agreed form, found in the translation however the script inflects it;
a do-not-translate term must appear unchanged.  ``glossary.yaml`` itself is read, and its English
terms are found, by :mod:`handoutgen.content.settings`."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from handoutgen.checks.issues import Issue, issue
from handoutgen.content.settings import Glossary, Term
from handoutgen.text.locales import language as language_of
from handoutgen.text.scripts import script_of
from handoutgen.text.sentences import quoted_spans

_LETTER_BEFORE = r"(?<![^\W_])"
_LETTER_AFTER = r"(?![^\W_])"


_HARAKAT_RE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
)  # tashkeel, Quranic marks, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")  # and the, with the, for the…


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
    script = script_of(form)
    if script in ("cjk", "hangul", "thai"):  # no inflection to speak of; spacing varies (침 치료, 침치료)
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
    """The locale's required terms translated with an agreed form; do-not-translate terms kept."""
    return _required_issues(source, target, locale, glossary) + _keep_issues(source, target, locale, glossary)


def _where(glossary: Glossary, term: Term) -> str:
    file = Path(glossary.file).name
    return f"{file}:{term.line}" if term.line else file


def _required_issues(source: str, target: str, locale: str, glossary: Glossary) -> list[Issue]:
    issues: list[Issue] = []
    language = language_of(locale)
    masked = unicodedata.normalize("NFC", source)
    for term in glossary.required_terms(locale):
        if term.severity == "off":
            continue
        match = term.source_pattern.search(masked)
        if match is None:
            continue
        for found in term.source_pattern.finditer(masked):  # a longer term hides the words inside it
            masked = masked[: found.start()] + " " * (found.end() - found.start()) + masked[found.end() :]
        if not any(_contains_form(target, form, language) for form in term.forms):
            if _quoted_verbatim(term, target):
                continue  # a title cited in English, in quotation marks: kept as is on purpose
            wanted = " or ".join(f'"{f}"' for f in term.forms)
            issues.append(
                issue(
                    "glossary-required",
                    f'the English has "{match.group()}" but the translation has no '
                    f"{wanted}; use the agreed term ({_where(glossary, term)})",
                    term.severity,
                )
            )
    return issues


def _quoted_verbatim(term: Term, target: str) -> bool:
    """Whether the English term stands, in English, inside quotation marks in the translation."""
    return any(term.source_pattern.search(inside) for _, inside in quoted_spans(target))


def _keep_issues(source: str, target: str, locale: str, glossary: Glossary) -> list[Issue]:
    issues: list[Issue] = []
    for term in glossary.keep_terms(locale):
        if term.severity == "off" or not term.source_pattern.search(source):
            continue
        if term.english.casefold() not in unicodedata.normalize("NFC", target).casefold():
            issues.append(
                issue(
                    "glossary-keep",
                    f'"{term.english}" must appear unchanged in the translation '
                    f"(do not translate: {_where(glossary, term)}); copy it as written in the English",
                    term.severity,
                )
            )
    return issues
