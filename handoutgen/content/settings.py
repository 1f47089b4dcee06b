"""The checks' settings files, read by the schema engine: ``glossary.yaml`` and ``literacy.yaml``.

Each file is described by tables of fields (:mod:`handoutgen.content.schema`), so every problem of
a file is reported at once as ``file:line: path.into.data: what is wrong (how to fix)``. The checks
that use these settings live in :mod:`handoutgen.checks`; the names a file may refer to (checks,
rules, severities) are the files' vocabulary and are declared here, with what each one is for.

* :func:`load_glossary` reads ``glossary.yaml``: required terms per locale, do-not-translate terms;
* :func:`load_literacy_config` reads ``literacy.yaml``: thresholds, word lists, rule severities.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handoutgen.content.schema import (
    ANYTHING,
    TEXT,
    ByShape,
    Checked,
    Const,
    Field,
    Lined,
    ListOf,
    MapOf,
    Number,
    Pattern,
    Record,
    Table,
    convert,
    one_of,
    read_settings,
)
from handoutgen.content.yamldoc import Reader
from handoutgen.errors import CatalogError, ContentError
from handoutgen.project import refuse_outside_links
from handoutgen.text.locales import locale_info
from handoutgen.text.readability import heading_key

# -- glossary.yaml --------------------------------------------------------------------------------

#: What ``glossary.yaml`` may set a glossary check to; ``off`` turns it off.
GLOSSARY_SEVERITIES = ("error", "warning", "off")
#: The checks ``glossary.yaml`` configures: name -> (default severity, what it checks).
GLOSSARY_CHECKS: dict[str, tuple[str, str]] = {
    "glossary-required": ("warning", "an English term from glossary.yaml is translated with the agreed word"),
    "glossary-keep": ("error", "a do-not-translate term from glossary.yaml appears unchanged"),
}

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


def english_pattern(term: str, inflect: bool = True) -> re.Pattern[str]:
    """Where a glossary term is in English text: whole words, any case, the last word inflected
    (as ``glossary.yaml`` promises: "needle" also finds "needles")."""
    words = term.split()
    parts = [re.escape(w.lower()) for w in words[:-1]] + [
        _inflected(words[-1]) if inflect else re.escape(words[-1].lower())
    ]
    return re.compile(_LETTER_BEFORE + r"[\s\-]+".join(parts) + _LETTER_AFTER, re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One glossary entry: an English term and the translations that count as using it."""

    english: str
    forms: tuple[str, ...]  # accepted translations; empty for a do-not-translate term
    severity: str  # error | warning | off
    line: int | None = None  # in glossary.yaml

    @functools.cached_property
    def source_pattern(self) -> re.Pattern[str]:
        return english_pattern(self.english, inflect=bool(self.forms))


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


def _locale_key(reader: Reader, key: yaml.Node, value: yaml.Node, path: str, code: str) -> bool:
    try:
        locale_info(code)
    except CatalogError as exc:
        reader.problem(key, path, f"{exc}")  # the key is what is wrong
        return False
    return True


def _english_key(reader: Reader, key: yaml.Node, value: yaml.Node, path: str, english: str) -> bool:
    if not english.strip():
        reader.problem(value, path, "empty English term; write the term or remove the line")
        return False
    return True


_glossary_severity = one_of(GLOSSARY_SEVERITIES, "unknown severity '{value}'; use one of: {choices}")
_SEVERITY = Record(
    Table(*(Field(name, TEXT, doc, check=_glossary_severity) for name, (_, doc) in GLOSSARY_CHECKS.items()))
)
_NOTE = Field("note", ANYTHING, "for translators (not read)")
_FORMS = ByShape(
    sequence=ListOf(TEXT, empty="no translations listed; give at least one"),
    other=Checked(TEXT, convert(lambda form: (form,))),
)
_TERMS = MapOf(
    Lined(
        ByShape(
            mapping=Record(
                Table(
                    Field("forms", _FORMS, "accepted translations", required=True),
                    Field("severity", TEXT, "error, warning or off", check=_glossary_severity),
                    _NOTE,
                )
            ),
            other=_FORMS,
        )
    ),
    key=_english_key,
)
_KEEP = ByShape(
    null=Const(()),  # `keep:` with only commented-out examples under it
    other=ListOf(
        Lined(
            ByShape(
                mapping=Record(
                    Table(
                        Field("term", TEXT, "the text to keep unchanged", required=True),
                        Field("severity", TEXT, "error, warning or off", check=_glossary_severity),
                        _NOTE,
                    )
                ),
                other=TEXT,
            )
        )
    ),
)
GLOSSARY = Table(
    Field("severity", _SEVERITY, "default severity per check: glossary-required, glossary-keep"),
    Field("keep", _KEEP, "do-not-translate terms for every locale"),
    Field(
        "locales",
        MapOf(
            Record(
                Table(
                    Field("severity", _SEVERITY, "this locale's default severity per check"),
                    Field(
                        "required",
                        _TERMS,
                        "English term -> translation, list of translations, or {forms, severity}",
                    ),
                    Field("keep", _KEEP, "do-not-translate terms for this locale only"),
                )
            ),
            key=_locale_key,
        ),
        "locale code -> required terms (and keep, severity) for that locale",
    ),
)


def load_glossary(path: Path) -> Glossary:
    """Read ``glossary.yaml``; every problem is raised at once as ``file:line: path: problem``."""
    refuse_outside_links(Path(path).parent, [Path(path)])  # a symlink out of the project is not read
    reader = Reader(str(path))
    document = read_settings(reader, path, GLOSSARY, "copy glossary.yaml from the project")
    if document is None or reader.problems:
        raise CatalogError(problems=reader.problems)
    values = document[1]
    defaults = _levels({name: level for name, (level, _) in GLOSSARY_CHECKS.items()}, values["severity"])
    keep: dict[str, tuple[Term, ...]] = {}
    if values["keep"] is not None:
        keep["*"] = _keep_terms(values["keep"], defaults["glossary-keep"])
    required: dict[str, tuple[Term, ...]] = {}
    for code, parts in values["locales"].items() if values["locales"] else ():
        levels = _levels(defaults, parts["severity"])
        if parts["required"] is not None:
            required[code] = _required_terms(parts["required"], levels["glossary-required"])
        if parts["keep"] is not None:
            keep[code] = _keep_terms(parts["keep"], levels["glossary-keep"])
    return Glossary(required=required, keep=keep, file=str(path))


def _levels(base: dict[str, str], given: dict[str, str | None] | None) -> dict[str, str]:
    """Severities per check: ``base``, with those ``given`` (a ``severity:`` mapping) instead."""
    return {**base, **{check: level for check, level in (given or {}).items() if level is not None}}


def _required_terms(entries: dict[str, tuple[Any, int]], default: str) -> tuple[Term, ...]:
    terms = []
    for english, (value, line) in entries.items():
        forms, severity = (value["forms"], value["severity"]) if isinstance(value, dict) else (value, None)
        if forms:
            terms.append(Term(" ".join(english.split()), forms, severity or default, line))
    return tuple(terms)


def _keep_terms(items: tuple[tuple[Any, int], ...], default: str) -> tuple[Term, ...]:
    terms = []
    for value, line in items:
        term, severity = (value["term"], value["severity"]) if isinstance(value, dict) else (value, None)
        if term:
            terms.append(Term(term, (), severity or default, line))
    return tuple(terms)


# -- literacy.yaml --------------------------------------------------------------------------------

#: What ``literacy.yaml`` may set a rule to: ``info`` is a note, ``off`` turns the rule off.
LITERACY_SEVERITIES = ("error", "warning", "info", "off")
#: Every plain-language rule: stable name -> (default severity, what it checks). ``literacy.yaml``
#: may change a severity (or turn a rule ``off``) but never invents a rule name.
LITERACY_RULES: dict[str, tuple[str, str]] = {
    "grade-too-high": ("warning", "Flesch-Kincaid grade over the target (an error over the hard limit)"),
    "long-sentence": ("warning", "a sentence with more words than the limit"),
    "jargon": ("warning", "a medical or formal word with no plain explanation nearby"),
    "passive-voice": ("warning", "passive voice hides who does what"),
    "not-addressed-to-reader": ("warning", "an instruction that does not speak to the reader"),
    "hard-number": ("warning", "fractions, decimals, or ranges without a unit"),
    "claim-cure": ("error", "promises a cure"),
    "claim-percentage": ("error", "a success rate as a percentage or 'N out of N'"),
    "claim-no-side-effects": ("error", "says there are no side effects or no risk"),
    "claim-miracle": ("error", "'miracle', 'magic', 'breakthrough' and the like"),
    "claim-guarantee": ("error", "guarantees or 'proven' results"),
    "brand-or-name": ("error", "a brand name or a practitioner's name"),
    "no-purpose": ("warning", "the summary does not say what the handout is for"),
    "uninformative-heading": ("warning", "a heading that does not say what the section is about"),
    "no-action": ("warning", "no concrete action for the reader outside the warning signs"),
    "no-help-section": ("error", "no 'when to get help' section"),
    "no-emergency-number": ("error", "the 'when to get help' section does not give {emergency_number}"),
    "no-summary": ("warning", "no short summary and no key-points section"),
}
#: The claim rules whose claims are regexes in ``literacy.yaml`` (``claims:``).
CLAIM_PATTERN_RULES = ("claim-cure", "claim-no-side-effects", "claim-miracle", "claim-guarantee")


@dataclass(frozen=True)
class LiteracyConfig:
    """Thresholds, word lists and severities; every list comes from ``literacy.yaml``."""

    target_grade: float = 6.0  # AMA: grade 6 or lower; over it is a warning
    max_grade: float = 7.0  # hard limit for a handout; over it is an error
    max_sentence_words: int = 20
    section_min_words: int = 40  # shorter sections are too small a sample for a grade
    summary_max_words: int = 40
    negation_window: int = 5  # words before a claim that may negate it ("is not a cure")
    severity: Mapping[str, str] = field(default_factory=lambda: {k: v[0] for k, v in LITERACY_RULES.items()})
    jargon: Mapping[str, str] = field(default_factory=dict)  # term -> plain words
    explain_after: tuple[re.Pattern[str], ...] = ()  # matched right after a term
    explain_before: tuple[re.Pattern[str], ...] = ()  # matched right before a term
    explain_next: tuple[re.Pattern[str], ...] = ()  # matched at the start of the next sentence
    passive_ok: frozenset[str] = frozenset()  # participles used as adjectives: tired, swollen
    not_addressed: tuple[re.Pattern[str], ...] = ()
    units: frozenset[str] = frozenset()
    claims: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    benefit_words: tuple[re.Pattern[str], ...] = ()
    negations: frozenset[str] = frozenset()
    brands: Mapping[str, str] = field(default_factory=dict)  # brand -> generic name
    names: tuple[str, ...] = ()  # practitioners and other names the clinic wants kept out
    honorifics: tuple[str, ...] = ()
    purpose_cues: tuple[re.Pattern[str], ...] = ()
    generic_headings: frozenset[str] = frozenset()
    key_points_headings: tuple[re.Pattern[str], ...] = ()
    action_verbs: frozenset[str] = frozenset()
    action_phrases: tuple[re.Pattern[str], ...] = ()
    emergency_placeholder: str = "emergency_number"


_PATTERNS = ListOf(Pattern())
_WORDS = ListOf(TEXT)
_lower_set = convert(lambda words: frozenset(w.lower() for w in words))
_literacy_severity = one_of(LITERACY_SEVERITIES, "unknown severity '{value}'; use one of: {choices}")

#: ``literacy.yaml``, in the order its fields are read.
LITERACY = Table(
    Field(
        "readability",
        Record(
            Table(
                Field("target_grade", Number(float), "grade a handout should be at or under (AMA: 6)"),
                Field("max_grade", Number(float), "hard limit: a handout over it is an error (NIH: 8)"),
                Field("max_sentence_words", Number(int), "a longer sentence is a 'long-sentence' finding"),
                Field("section_min_words", Number(int), "a shorter section is too small to grade alone"),
                Field("summary_max_words", Number(int), "a longer summary does not count as short"),
                Field("negation_window", Number(int), "words before a claim that may negate it"),
            )
        ),
        "thresholds: target_grade, max_grade, max_sentence_words, section_min_words, "
        "summary_max_words, negation_window",
    ),
    Field(
        "severity",
        Record(
            Table(
                *(
                    Field(rule, TEXT, doc, check=_literacy_severity)
                    for rule, (_, doc) in LITERACY_RULES.items()
                )
            )
        ),
        "rule name -> error, warning, info or off",
    ),
    Field(
        "explain",
        Record(
            Table(
                Field("after", _PATTERNS, "matched right after a term"),
                Field("before", _PATTERNS, "matched right before a term"),
                Field("next", _PATTERNS, "matched at the start of the next sentence"),
            )
        ),
        "regexes that show a term is explained: after, before, next",
    ),
    Field(
        "claims",
        Record(Table(*(Field(rule, _PATTERNS, LITERACY_RULES[rule][1]) for rule in CLAIM_PATTERN_RULES))),
        "rule name -> regexes of claims a handout must not make",
    ),
    Field(
        "jargon",
        MapOf(TEXT),
        "term -> plain words to use instead",
        check=convert(lambda terms: {k.lower(): v for k, v in terms.items()}),
    ),
    Field("passive_ok", _WORDS, "participles that are adjectives here (tired, swollen)", check=_lower_set),
    Field("not_addressed", _PATTERNS, "regexes for instructions that do not speak to the reader"),
    Field("units", _WORDS, "words that give a number range its unit", check=_lower_set),
    Field("benefit_words", _PATTERNS, "regexes: a percentage near one of these is a success rate"),
    Field("negations", _WORDS, "words that negate a claim a few words later", check=_lower_set),
    Field("brands", MapOf(TEXT), "brand name -> generic name"),
    Field("names", _WORDS, "practitioners' and other names to keep out of handouts"),
    Field("honorifics", _WORDS, "titles that start a person's name (Dr, Doctor)"),
    Field("purpose_cues", _PATTERNS, "regexes: a summary with one of these says what the handout is for"),
    Field(
        "generic_headings",
        _WORDS,
        "headings that say nothing about their section",
        check=convert(lambda headings: frozenset(heading_key(h) for h in headings)),
    ),
    Field("key_points_headings", _PATTERNS, "regexes for a heading of a key-points section"),
    Field("action_verbs", _WORDS, "verbs that start an instruction (call, rest, drink)", check=_lower_set),
    Field("action_phrases", _PATTERNS, "regexes for an action addressed to the reader (you should)"),
    Field("emergency_placeholder", TEXT, "placeholder that holds the emergency number"),
)


def load_literacy_config(path: Path) -> LiteracyConfig:
    """Read ``literacy.yaml``; every problem is raised at once as ``file:line: path: problem``."""
    refuse_outside_links(Path(path).parent, [Path(path)])  # a symlink out of the project is not read
    reader = Reader(str(path))
    document = read_settings(reader, path, LITERACY, "copy literacy.yaml from the project")
    if document is None:
        raise ContentError(problems=reader.problems)
    nodes, values = document
    settings = _literacy_settings(values)
    target = settings.get("target_grade", LiteracyConfig.target_grade)
    if target > settings.get("max_grade", LiteracyConfig.max_grade):
        reader.problem(nodes["readability"], "readability", "target_grade must not be above max_grade")
    if reader.problems:
        raise ContentError(problems=reader.problems)
    return LiteracyConfig(**settings)


def _literacy_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The file's values as :class:`LiteracyConfig` fields; those not given keep their defaults."""
    nested = ("readability", "explain", "severity", "claims")
    settings = {k: v for k, v in values.items() if k not in nested and v is not None}
    for name, prefix in (("readability", ""), ("explain", "explain_")):
        settings.update({prefix + k: v for k, v in (values[name] or {}).items() if v is not None})
    if values["severity"] is not None:
        defaults = {rule: level for rule, (level, _) in LITERACY_RULES.items()}
        settings["severity"] = {**defaults, **{k: v for k, v in values["severity"].items() if v is not None}}
    if values["claims"] is not None:
        settings["claims"] = {k: v for k, v in values["claims"].items() if v is not None}
    return settings
