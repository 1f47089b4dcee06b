"""The translation checks against a seeded error set: recall per kind of error, and no false alarm on
correct translations (hand-written ones in many scripts, and every entry of the shipped catalogues).

The cases live in ``tests/data/seeded/``: ``kinds.yaml`` says which check must catch each kind of
error and at which severity; ``<locale>.yaml`` holds (English, wrong translation, kind, check) cases
and (English, correct translation) pairs.  ``scripts/check-recall.py`` prints the same figures as a
table.  The checks run for real (:func:`handoutgen.checks.translation.check_entry`), nothing mocked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from handoutgen.catalogs.store import load_catalog
from handoutgen.checks.issues import CHECKS
from handoutgen.checks.translation import check_catalog, check_entry, load_glossary

ROOT = Path(__file__).resolve().parent.parent
SEEDED = ROOT / "tests" / "data" / "seeded"
SHIPPED = ("es", "zh_Hans", "vi", "ar", "ko")

#: Every kind the set must hold, each caught by its check: removing or weakening a check fails here.
REQUIRED_KINDS = (
    "number-dropped",
    "number-changed",
    "range-swapped",
    "decimal-changed",
    "negation-dropped",
    "unit-changed",
    "placeholder-dropped",
    "markup-added",
    "url-added",
    "bidi-control",
    "untranslated",
)
MIN_RECALL = 0.9
MIN_ERRORS, MIN_CORRECT, MIN_LANGUAGES = 80, 60, 6
#: Warnings a correct translation must not get: the checks whose false alarms the audit found, and
#: every kind above (the rest, e.g. glossary-required, need a glossary and are not tested here).
QUIET_WARNINGS = frozenset(
    {"length-ratio", "sentence-count", "ending-punctuation", "untranslated", "bidi-control"}
)


@dataclass(frozen=True)
class Case:
    locale: str
    en: str
    tr: str
    kind: str = ""  # empty for a correct translation
    check: str = ""
    note: str = ""

    def __str__(self) -> str:
        return f"{self.locale}: {self.en!r} -> {self.tr!r}" + (f" [{self.kind}]" if self.kind else "")


def load_kinds() -> dict[str, dict[str, str]]:
    return yaml.safe_load((SEEDED / "kinds.yaml").read_text(encoding="utf-8"))


def load_cases() -> tuple[list[Case], list[Case]]:
    """(seeded errors, correct translations) of every ``<locale>.yaml``."""
    errors, correct = [], []
    for path in sorted(SEEDED.glob("*.yaml")):
        if path.name == "kinds.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        locale = data["locale"]
        for item in data.get("errors") or []:
            errors.append(
                Case(locale, item["en"], item["wrong"], item["kind"], item["check"], item.get("note", ""))
            )
        for item in data.get("correct") or []:
            correct.append(Case(locale, item["en"], item["tr"], note=item.get("note", "")))
    return errors, correct


def caught(case: Case, kinds: dict[str, dict[str, str]]) -> bool:
    """The case's check reports it, at the severity its kind is caught at."""
    severity = kinds[case.kind]["severity"]
    return any(c == case.check and s == severity for c, s, _ in check_entry(case.en, case.tr, case.locale))


def false_alarms(case: Case) -> list[tuple[str, str, str]]:
    """Errors of any check, and warnings of the quiet kinds, on a correct translation."""
    return [
        found
        for found in check_entry(case.en, case.tr, case.locale)
        if found[1] == "error" or found[0] in QUIET_WARNINGS
    ]


def recall_table(errors: list[Case], kinds: dict[str, dict[str, str]]) -> list[tuple[str, int, int, float]]:
    """(kind, seeded, caught, recall) for every kind of ``kinds.yaml``, in its order."""
    seeded = Counter(case.kind for case in errors)
    hits = Counter(case.kind for case in errors if caught(case, kinds))
    return [
        (kind, seeded[kind], hits[kind], hits[kind] / seeded[kind] if seeded[kind] else 0.0) for kind in kinds
    ]


def shipped_false_alarms() -> dict[str, list[str]]:
    """Per shipped catalogue, its findings that would be false alarms (errors, quiet warnings)."""
    glossary = load_glossary(ROOT / "glossary.yaml")
    result = {}
    for locale in SHIPPED:
        path = ROOT / "locales" / locale / "LC_MESSAGES" / "handouts.po"
        findings = check_catalog(load_catalog(path), path, locale, glossary)
        result[locale] = [str(f) for f in findings if f.severity == "error" or f.check in QUIET_WARNINGS]
    return result


# -- tests ------------------------------------------------------------------------------------------

ERRORS, CORRECT = load_cases()
KINDS = load_kinds()


def test_the_set_is_large_and_varied_enough():
    assert len(ERRORS) >= MIN_ERRORS and len(CORRECT) >= MIN_CORRECT
    assert len({c.locale for c in ERRORS}) >= MIN_LANGUAGES
    assert set(REQUIRED_KINDS) <= set(KINDS)
    for case in ERRORS:
        assert case.kind in KINDS, f"unknown kind: {case}"
        assert case.check == KINDS[case.kind]["check"], (
            f"{case}: kind {case.kind} is caught by {KINDS[case.kind]}"
        )
        assert case.check in CHECKS, f"{case}: no check named {case.check}"
    assert len({(c.locale, c.en, c.tr) for c in ERRORS}) == len(ERRORS), "a case is there twice"


@pytest.mark.parametrize("kind", REQUIRED_KINDS)
def test_recall_per_kind(kind):
    cases = [c for c in ERRORS if c.kind == kind]
    assert len(cases) >= 8, f"only {len(cases)} seeded {kind} cases"
    missed = [str(c) for c in cases if not caught(c, KINDS)]
    recall = 1 - len(missed) / len(cases)
    assert recall >= MIN_RECALL, f"{kind}: recall {recall:.0%}, missed:\n" + "\n".join(missed)


def test_every_error_kind_is_an_error_except_those_named_warnings_by_design():
    assert {k for k, v in KINDS.items() if v["severity"] == "warning"} == {"untranslated"}
    for kind, value in KINDS.items():
        assert CHECKS[value["check"]][0] == value["severity"], kind


@pytest.mark.parametrize("case", CORRECT, ids=str)
def test_no_false_alarm_on_a_correct_translation(case):
    assert false_alarms(case) == []


def test_no_false_alarm_on_the_shipped_catalogues():
    assert shipped_false_alarms() == {locale: [] for locale in SHIPPED}


# -- the text rules behind the false-alarm fixes, one line each ------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("Bring form No. 5 to your visit.", 1),  # "No." before a number is an abbreviation
        ("You can say no. We will stop.", 2),  # elsewhere "no." ends a sentence
        ("No. It does not hurt.", 2),
        ("See Dr. Lee at 9 a.m. tomorrow, i.e. early.", 1),
        ("आज आराम करें। पानी पिएं॥", 2),  # danda, double danda
        ("ዛሬ ያርፉ። ውሃ ይጠጡ፨", 2),  # Ethiopic full stop, paragraph separator
    ],
)
def test_sentence_ends(text, count):
    from handoutgen.text.sentences import count_sentences

    assert count_sentences(text) == count


@pytest.mark.parametrize(
    "text, values",
    [
        ("38.0 °C", [("38.0",)]),  # the written decimal is kept
        ("۳۸٫۰ درجه", [("38.0",)]),  # Persian digits, Arabic decimal separator
        ("१.५ गोलियां", [("1.5",)]),  # Devanagari
        ("๒–๓ วัน", [("2",), ("3",)]),  # Thai
        ("২–৩ দিন", [("2",), ("3",)]),  # Bengali
        ("เวลา 9.30 น.", [("9",), ("30",)]),  # a Thai time is its hours and minutes, like 9:30
    ],
)
def test_numbers_in_every_script(text, values):
    from handoutgen.text.numbers import find_numbers

    assert [n.values for n in find_numbers(text)] == values


def test_english_negations_leave_out_abbreviations_and_answers():
    from handoutgen.text.negation import english_negations

    assert list(
        english_negations("Bring form No. 5. You can say no. No food. Don't drive without help.")
    ) == [
        "No",
        "Don't",
        "without",
    ]


# -- the checks' fast paths find what the full scan finds ---------------------------------------------

_ADDRESSY = st.lists(
    st.sampled_from([*"ab.:/@-_ 1{}", "com", "www", "{x}", "http", "%(n)s", "192", ". "]), max_size=14
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ADDRESSY)
@example("see www.-a.-b now")  # a dot before a hyphen only
@example("example.{x}com")  # an address once the placeholder is taken out
def test_the_address_shortcut_misses_no_address(text: str) -> None:
    """``_addresses`` skips the full pattern when a text has no character an address needs; on any
    text (placeholders too, which are taken out first) it finds what the full pattern finds."""
    from handoutgen.checks import additions
    from handoutgen.checks.tokens import without_variables

    found = []  # the full pattern on every text, as before the shortcut
    for match in additions._ADDRESS_RE.finditer(without_variables(text)):
        token = match.group()
        while (
            token
            and token[-1] in additions._TRAILING
            and not (token[-1] == ")" and token.count("(") >= token.count(")"))
        ):
            token = token[:-1]
        if token:
            found.append(token)
    assert additions._addresses(text) == found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd", "Ll", "Po", "Zs"])))
def test_digits_of_every_script_read_as_ascii_one_for_one(text: str) -> None:
    import unicodedata

    from handoutgen.text.numbers import ascii_digits

    expected = "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() else {"\u066b": ".", "\u066c": ","}.get(c, c)
        for c in text
    )
    assert ascii_digits(text) == expected
