"""Content schema: every bad input is one clear line naming the file, the line and the field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from handoutgen.content.handout import load_handouts, parse_handout
from handoutgen.errors import ContentError

DATA = Path(__file__).parent / "data"
BAD = sorted((DATA / "bad" / "handout").glob("*.yaml"))  # also run through generate.py by test_bad_inputs.py
PLACEHOLDERS = {"clinic_name", "clinic_phone", "clinic_address", "clinic_website", "emergency_number"}


def expectation(path: Path) -> tuple[int, str, str]:
    match = re.match(r"# expect: (\d+): ([^:]*): (.+)", path.read_text().splitlines()[0])
    assert match, f"{path.name} needs a first line '# expect: LINE: PATH: MESSAGE'"
    return int(match[1]), match[2], match[3]


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_handout_is_reported_with_file_line_and_field(path: Path, tmp_path: Path) -> None:
    line, field, message = expectation(path)
    folder = tmp_path / "handouts"
    folder.mkdir()
    shutil.copy(path, folder / path.name)
    with pytest.raises(ContentError) as info:
        load_handouts(folder, PLACEHOLDERS, tmp_path)
    lines = str(info.value).splitlines()
    expected_prefix = f"handouts/{path.name}:{line}: " + (f"{field}: " if field else "")
    assert any(l.startswith(expected_prefix) and message in l for l in lines), lines


def test_all_problems_in_a_run_are_reported_together(tmp_path: Path) -> None:
    folder = tmp_path / "handouts"
    folder.mkdir()
    for path in BAD[:3]:
        shutil.copy(path, folder / path.name)
    with pytest.raises(ContentError) as info:
        load_handouts(folder, PLACEHOLDERS, tmp_path)
    files = {p.file for p in info.value.problems}
    assert files == {f"handouts/{p.name}" for p in BAD[:3]}


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    folder = tmp_path / "handouts"
    folder.mkdir()
    shipped = Path(__file__).parent.parent / "handouts" / "aftercare.yaml"
    shutil.copy(shipped, folder / "a.yaml")
    shutil.copy(shipped, folder / "b.yaml")
    with pytest.raises(
        ContentError, match=r"handouts/b.yaml:\d+: id: duplicate id 'aftercare' \(also in handouts/a.yaml\)"
    ):
        load_handouts(folder, PLACEHOLDERS, tmp_path)


def test_rewrapping_and_reindenting_changes_no_text() -> None:
    compact = """id: x\ntitle: Hi\nsummary: S.\naudience: A.\nversion: '1'\nreviewed: 2026-01-01\nsections:
- kind: aftercare
  body:
  - Rest for the rest of the day if you can.
- kind: when_to_get_help
  urgent:
  - Call {clinic_phone}.
  emergency:
  - Call {emergency_number}.
"""
    wrapped = """id: x
title: Hi
summary: S.
audience: A.
version: '1'
reviewed: 2026-01-01
sections:
    -   kind: aftercare
        body:
            -   >-
                Rest for the rest
                of the day   if you can.
    -   kind: when_to_get_help
        urgent:
            - Call {clinic_phone}.
        emergency:
            - Call {emergency_number}.
"""
    a, _ = parse_handout(compact, Path("a.yaml"), PLACEHOLDERS)
    b, _ = parse_handout(wrapped, Path("b.yaml"), PLACEHOLDERS)
    assert [t.text for t in a.texts()] == [t.text for t in b.texts()]
    assert [t.line for t in a.texts()] != [t.line for t in b.texts()]


def test_shipped_handouts_are_valid_and_say_when_to_get_help() -> None:
    root = Path(__file__).parent.parent
    handouts = load_handouts(root / "handouts", PLACEHOLDERS, root)
    assert {h.id for h in handouts} >= {"first-visit", "aftercare", "back-pain-faq", "back-care"}
    for handout in handouts:
        kinds = [s.kind for s in handout.sections]
        assert "when_to_get_help" in kinds, handout.id
        text = " ".join(t.text for t in handout.texts()).lower()
        assert "{emergency_number}" in text and "{clinic_phone}" in text
        for banned in ("no side effects", "guarantee", "miracle", "%"):
            assert banned not in text, (handout.id, banned)


# -- settings: a locale Babel does not know, a glossary key ------------------------------------------


def test_a_clinic_locale_babel_does_not_know_is_refused_at_its_line(tmp_path: Path) -> None:
    """A well-formed code (xx) that is no locale: a content error at clinic.yaml's line, not a
    catalogue error without a line when the build first asks Babel about it."""
    from conftest import copy_project

    from handoutgen.content.clinic import load_clinic

    project = copy_project(tmp_path / "project")
    clinic = project / "clinic.yaml"
    text = re.sub(r"(?m)^locales: .*$", "locales: [en, xx]", clinic.read_text())
    clinic.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("locales:"))
    with pytest.raises(ContentError) as info:
        load_clinic(clinic, project)
    assert str(info.value).startswith(
        f"clinic.yaml:{line}: locales[1]: Babel does not know the locale 'xx'"
    ), info.value


@pytest.mark.parametrize("key", ["vn", "../../etc", "xx_YY"])
def test_a_glossary_locale_key_that_is_no_locale_is_reported_at_the_key(tmp_path: Path, key: str) -> None:
    """The key is what is wrong, so the error names its line, not the line of the value under it."""
    from handoutgen.content.settings import load_glossary
    from handoutgen.errors import CatalogError

    path = tmp_path / "glossary.yaml"
    path.write_text(
        f"# a glossary\nlocales:\n  vi:\n    required:\n      needle: kim\n  '{key}':\n"
        "    required:\n      needle: kim\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as info:
        load_glossary(path)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (6, f"locales.{key}"), problem


# -- the schema layer: one engine reads every YAML file ----------------------------------------------


def _tables():
    from handoutgen.content.clinic import CLINIC
    from handoutgen.content.handout import HANDOUT, SECTION_TABLES, TEXT_WITH_CONTEXT
    from handoutgen.content.settings import GLOSSARY, LITERACY

    return {
        "clinic": CLINIC,
        "glossary": GLOSSARY,
        "literacy": LITERACY,
        "handout": HANDOUT,
        "text": TEXT_WITH_CONTEXT,
        **{f"section {kind}": table for kind, table in SECTION_TABLES.items()},
    }


@pytest.mark.parametrize("name", sorted(_tables()))
def test_every_field_of_every_settings_file_says_what_it_is_for(name: str) -> None:
    lines = _tables()[name].describe()
    assert lines
    for line in lines:
        assert not line.endswith(": "), f"{name}: a field without a docstring: {line}"


def test_a_settings_file_reports_every_problem_at_once_with_file_line_and_path(tmp_path: Path) -> None:
    from handoutgen.content.settings import load_glossary

    path = tmp_path / "glossary.yaml"
    path.write_text(
        "severity: {glossary-keep: loud}\n"  # 1
        "colour: blue\n"  # 2
        "locales:\n"  # 3
        "  es:\n"  # 4
        "    required:\n"  # 5
        "      needle: []\n"  # 6
        "      bruise: {severity: off}\n",  # 7
        encoding="utf-8",
    )
    with pytest.raises(Exception) as info:
        load_glossary(path)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems] == [
        "glossary.yaml:2: colour: unknown field 'colour'; expected one of: keep, locales, severity",
        "glossary.yaml:1: severity.glossary-keep: unknown severity 'loud'; use one of: error, warning, off",
        "glossary.yaml:6: locales.es.required.needle: no translations listed; give at least one",
        "glossary.yaml:7: locales.es.required.bruise: missing required field 'forms'",
    ]


def test_the_glossary_vocabulary_is_the_checks_vocabulary() -> None:
    """glossary.yaml names two translation checks; the default severities and descriptions it is
    read with are those the checks apply."""
    from handoutgen.checks.issues import CHECKS
    from handoutgen.content.settings import GLOSSARY_CHECKS

    applied = {name: CHECKS[name] for name in GLOSSARY_CHECKS}
    assert applied == GLOSSARY_CHECKS


def test_one_pattern_finds_placeholders_and_format_variables_everywhere() -> None:
    from handoutgen.catalogs import lookup, store
    from handoutgen.content import handout, markup

    assert handout.PLACEHOLDER_RE is markup.PLACEHOLDER_RE
    assert markup.placeholders("Call {clinic_phone} or {clinic_phone}, %(n)s") == ["clinic_phone"] * 2
    assert markup.format_variables("%(count)s of %(total)s, %(n)d, {x}") == ["count", "total"]
    assert markup.FORMAT_ANY_RE.findall("%(count)s of %(n)05.1f") == ["count", "n"]
    assert markup.PLACEHOLDER_RE.pattern in lookup._PROTECTED_RE.pattern
    assert markup.FORMAT_RE.pattern in lookup._PROTECTED_RE.pattern
    copied = {"placeholder": markup.placeholders, "format variable": markup.format_variables}
    assert copied == store._COPIED


def test_one_key_for_a_catalogue_entry() -> None:
    from handoutgen.catalogs import lookup, states, store

    assert lookup.Key is states.Key and store.Key is states.Key
