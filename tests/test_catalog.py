"""Catalogues: extraction through Babel's entry point, updates that never lose work, clear errors."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, approve
from hypothesis import given, settings
from hypothesis import strategies as hst

from handoutgen.catalogs.approvals import load_approvals
from handoutgen.catalogs.extract import extract_template
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import (
    init_catalog,
    load_catalog,
    po_path,
    pot_path,
    save_catalog,
    update_catalogs,
    validate_catalog,
)
from handoutgen.checks.issues import CHECKS
from handoutgen.errors import CatalogError

TODAY = dt.date(2026, 11, 21)


def msgfmt_check(path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def _signature(catalog):
    return sorted(
        (m.id, m.context, tuple(m.locations), tuple(m.auto_comments), tuple(sorted(m.flags)))
        for m in catalog
        if m.id
    )


def test_pybabel_extract_matches_the_project_extraction(project: Path, tmp_path: Path) -> None:
    """Both written to disk and read back, so wrapping is compared like for like."""
    out = tmp_path / "pybabel.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", str(out), "."],
        cwd=project,
        check=True,
        capture_output=True,
    )
    (project / "locales" / "handouts.pot").unlink()
    update_catalogs(project)
    ours = load_catalog(pot_path(project / "locales"))
    assert len(ours) > 100
    assert _signature(load_catalog(out)) == _signature(ours)


def test_every_shipped_catalogue_passes_msgfmt() -> None:
    paths = [pot_path(ROOT / "locales"), *sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po"))]
    assert len(paths) >= 6
    for path in paths:
        msgfmt_check(path)


def test_shipped_catalogues_are_up_to_date_with_the_content(project: Path) -> None:
    """A content edit without `catalogs update` would leave strings untranslatable."""
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    reports = update_catalogs(project)
    assert not [r.summary() for r in reports if r.changed]
    assert before == {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}


def test_extracted_comments_tell_translators_where_and_which_placeholders() -> None:
    template = extract_template(ROOT)
    with_phone = [m for m in template if m.id and "{clinic_phone}" in m.id]
    assert with_phone
    for message in with_phone:
        comment = " ".join(message.auto_comments)
        assert "Keep {clinic_phone} as is" in comment and " at sections[" in " " + comment
        assert message.locations[0][0].startswith("handouts/")


def test_a_sentence_every_handout_shares_keeps_a_readable_entry(project: Path) -> None:
    """A library's boilerplate is used by thousands of handouts: its entry keeps MAX_PLACES references
    and comments and says how many more files use it, instead of growing without end."""
    from handoutgen.catalogs.extract import MAX_PLACES

    source = (project / "handouts" / "aftercare.yaml").read_text()
    copies = MAX_PLACES + 8
    for index in range(copies):
        text = re.sub(r"^id: .*$", f"id: copy-{index:02d}", source, count=1, flags=re.M)
        (project / "handouts" / f"copy-{index:02d}.yaml").write_text(text)
    template = extract_template(project)
    shared = template.get("Drink a glass of water after your visit. Drink water through the day.")
    assert len(shared.locations) == MAX_PLACES and len(shared.auto_comments) <= MAX_PLACES + 1
    assert shared.auto_comments[-1] == f"also used in {copies + 1 - MAX_PLACES} more files"
    once = extract_template(ROOT).get("Drink a glass of water after your visit. Drink water through the day.")
    assert not any("also used" in c for c in once.auto_comments)  # a few handouts: every place listed


# -- update keeps work ----------------------------------------------------------------------------


def _approve_all(path: Path, code: str) -> None:
    catalog = load_catalog(path, code)
    for message in catalog:
        if message.id:
            message.string = "T:" + message.id
    save_catalog(catalog, path)
    project = path.parents[3]
    reason = "test translations are the English with a prefix"
    approve(project, code, overrides=dict.fromkeys(CHECKS, reason))
    assert all(s is State.REVIEWED for s in _states(project, code).values())


def _states(project: Path, code: str) -> dict:
    approvals = load_approvals(project, code)
    return {
        m.id: entry_state(m, approvals)
        for m in load_catalog(po_path(project / "locales", code), code)
        if m.id
    }


def _edit(project: Path, old: str, new: str) -> None:
    path = project / "handouts" / "aftercare.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_edit_marks_exactly_that_entry_fuzzy_with_previous_english(project: Path) -> None:
    path = po_path(project / "locales", "es")
    _approve_all(path, "es")
    old = "Drink a glass of water after your visit. Drink water through the day."
    new = "Drink a glass of water after your visit. Sip water through the day."
    _edit(project, old, new)
    update_catalogs(project, ["es"])
    catalog = load_catalog(path, "es")
    states = _states(project, "es")
    assert states[new] is State.STALE
    assert catalog.get(new).string == "T:" + old
    assert catalog.get(new).previous_id == [old]
    assert [k for k, s in states.items() if s is not State.REVIEWED] == [new]
    text = path.read_text()
    assert '#| msgid "Drink a glass of water after your visit. Drink water through the day."' in text
    msgfmt_check(path)


def test_removed_text_becomes_obsolete_and_returns_reviewed(project: Path) -> None:
    path = po_path(project / "locales", "es")
    _approve_all(path, "es")
    yaml_path = project / "handouts" / "aftercare.yaml"
    original = yaml_path.read_text()
    removed = re.sub(r"^\s*- Eat regular meals.*\n", "", original, flags=re.M)
    assert removed != original
    yaml_path.write_text(removed)
    update_catalogs(project, ["es"])
    assert '#~ msgid "Eat regular meals. Have a snack if you feel weak or shaky."' in path.read_text()
    msgfmt_check(path)
    yaml_path.write_text(original)
    reports = update_catalogs(project, ["es"])
    assert reports[0].restored == 1
    message = load_catalog(path, "es").get("Eat regular meals. Have a snack if you feel weak or shaky.")
    assert _states(project, "es")[message.id] is State.REVIEWED and message.string.startswith("T:")


def test_update_twice_is_byte_stable_and_keeps_translator_comments(project: Path) -> None:
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id)
    message.user_comments.append("Keep this short: it is a heading.")
    message.flags.add("no-wrap")
    save_catalog(catalog, path)
    update_catalogs(project)
    first = path.read_bytes()
    update_catalogs(project)
    assert path.read_bytes() == first
    again = load_catalog(path, "es").get(message.id)
    assert "Keep this short: it is a heading." in again.user_comments and "no-wrap" in again.flags


def test_clearing_fuzzy_in_a_po_editor_is_awaiting_review_never_reviewed(project: Path) -> None:
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    catalog.last_translator = "Rosa Díaz <rosa@example.org>"
    for message in catalog:
        message.flags.discard("fuzzy")  # what an editor (or msgattrib --clear-fuzzy) does
    save_catalog(catalog, path)
    update_catalogs(project, ["es"])
    states = _states(project, "es")
    assert State.REVIEWED not in states.values()
    assert list(states.values()).count(State.AWAITING) >= len(states) - 2
    assert not (project / "locales" / "es" / "approvals.jsonl").exists()


def test_init_writes_language_and_plural_forms(project: Path) -> None:
    path = init_catalog(project, "pt_BR")
    text = path.read_text()
    assert '"Language: pt_BR\\n"' in text and "Plural-Forms: nplurals=2;" in text
    msgfmt_check(path)
    with pytest.raises(CatalogError, match="already exists"):
        init_catalog(project, "pt_BR")


# -- errors ----------------------------------------------------------------------------------------


def test_syntax_error_names_file_and_line_and_update_rewrites_nothing(project: Path) -> None:
    broken = po_path(project / "locales", "vi")
    lines = broken.read_text().splitlines(keepends=True)
    index = next(i for i, l in enumerate(lines) if l.startswith("msgid") and i > 20)
    lines.insert(index, 'msgid "unterminated\n')
    broken.write_text("".join(lines))
    others = {p: p.read_bytes() for p in (project / "locales").rglob("*.po*")}
    with pytest.raises(CatalogError) as info:
        update_catalogs(project)
    assert "handouts.po" in str(info.value) and f":{index + 1}" in str(info.value)
    assert others == {p: p.read_bytes() for p in (project / "locales").rglob("*.po*")}


def test_dropped_or_invented_placeholder_is_an_error_with_line(project: Path) -> None:
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and "{clinic_phone}" in m.id)
    message.string = message.id.replace("{clinic_phone}", "{clinic_fone}")
    save_catalog(catalog, path)
    problems = validate_catalog(load_catalog(path, "es"), path, "es")
    assert any(
        "drops clinic_phone" in p.message and "invents clinic_fone" in p.message and p.line for p in problems
    )


def _set_plural_header(path: Path, header: str) -> None:
    text = path.read_text()
    start = text.index('"Plural-Forms:')
    end = text.index('"MIME-Version')
    path.write_text(text[:start] + f'"Plural-Forms: {header}\\n"\n' + text[end:])


@pytest.mark.parametrize(
    "code, header",
    [
        ("es", "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"),  # CLDR 46
        ("es", "nplurals=2; plural=(n != 1);"),  # gettext's classic rule for Spanish
        ("ar", "nplurals=2; plural=(n != 1);"),  # differs from CLDR: the translator's decision
    ],
)
def test_a_plural_forms_header_gettext_accepts_is_accepted(project: Path, code: str, header: str) -> None:
    """gettext uses the catalogue's own header; so does the project, whatever Babel's CLDR guess."""
    path = po_path(project / "locales", code)
    _set_plural_header(path, header)
    msgfmt_check(path)
    catalog = load_catalog(path, code)
    assert catalog.num_plurals == int(header.split(";")[0].split("=")[1])
    assert validate_catalog(catalog, path, code) == []


def test_a_plural_entry_with_the_wrong_number_of_forms_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "es.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);\\n"\n\n'
        'msgid "one day"\nmsgid_plural "%(num)s days"\nmsgstr[0] "un día"\nmsgstr[1] "%(num)s días"\n'
    )
    assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True).returncode != 0
    with pytest.raises(CatalogError) as caught:
        load_catalog(path, "es")
    problem = caught.value.problems[0]
    assert problem.line == 6 and "2 msgstr forms" in problem.message and "nplurals=3" in problem.message


def test_a_plural_expression_gettext_cannot_evaluate_is_an_error(project: Path) -> None:
    path = po_path(project / "locales", "es")
    _set_plural_header(path, "nplurals=2; plural=(n !!= 1 import os);")
    with pytest.raises(CatalogError, match="Plural-Forms") as caught:
        load_catalog(path, "es")
    assert caught.value.problems[0].line is not None


def test_the_header_plural_rule_picks_the_form_when_rendering(tmp_path: Path) -> None:
    from handoutgen.catalogs.lookup import CatalogTranslations

    path = tmp_path / "x.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n\n'
        'msgid "day"\nmsgid_plural "days"\nmsgstr[0] "A"\nmsgstr[1] "B"\nmsgstr[2] "C"\n'
    )
    translations = CatalogTranslations(load_catalog(path, "es"))
    assert [translations.ngettext("day", "days", n) for n in (1, 2, 5)] == ["A", "B", "C"]


def test_unknown_locale_code_is_a_clear_error(project: Path) -> None:
    with pytest.raises(CatalogError, match="Babel does not know the locale 'xx'"):
        init_catalog(project, "xx")


# -- "did anything change?" without writing the catalogue out ----------------------------------------


def _shipped_pair(code: str):
    from handoutgen.catalogs.store import po_path, read_for_update

    first, _ = read_for_update(po_path(ROOT / "locales", code))
    second, _ = read_for_update(po_path(ROOT / "locales", code))
    for catalog in (first, second):  # and a plural entry, which the shipped catalogues lack
        forms = tuple(f"%(count)s día{'s' * n}" for n in range(catalog.num_plurals))
        catalog.add(("%(count)s day", "%(count)s days"), forms, [("handouts/a.yaml", 1)])
    return first, second


def test_an_unchanged_catalogue_is_known_without_writing_it_out() -> None:
    """The update's question (is the merge's text the file's text?) is answered from the entries
    when they are equal: the template against handouts.pot and each merge against its .po."""
    from handoutgen.catalogs.store import (
        _as_written,
        locales_on_disk,
        merge_catalog,
        po_path,
        pot_path,
        read_for_update,
    )

    template = extract_template(ROOT)
    pot, _ = read_for_update(pot_path(ROOT / "locales"))
    assert _as_written(template, True) == _as_written(pot, True)
    for code in locales_on_disk(ROOT / "locales"):
        old, _ = read_for_update(po_path(ROOT / "locales", code))
        merged, _ = merge_catalog(old, template, load_approvals(ROOT, code))
        assert _as_written(merged, False) == _as_written(old, False), code


_EDITS = [
    lambda m: setattr(m, "string", (m.string or "") + "x") if isinstance(m.string, str) else None,
    lambda m: m.flags.add("fuzzy"),
    lambda m: m.flags.discard("fuzzy"),
    lambda m: m.auto_comments.append("a short comment"),
    lambda m: m.auto_comments.append("a long comment " * 9),  # wrapped into several lines when written
    lambda m: m.user_comments.append("  spaced  "),
    lambda m: setattr(m, "locations", [*m.locations, ("handouts/other.yaml", 3)]),
    lambda m: setattr(m, "locations", list(reversed(m.locations))),  # written sorted: the same text
    lambda m: setattr(m, "previous_id", ["an older English"]),
    lambda m: setattr(m, "context", "ctx"),
    lambda m: setattr(m, "id", list(m.id)) if isinstance(m.id, tuple) else None,  # written alike
    lambda m: setattr(m, "string", list(m.string)) if isinstance(m.string, tuple) else None,
    lambda m: setattr(m, "locations", [*m.locations, *m.locations]),  # repeated: written once
    lambda m: None,
]


@pytest.mark.parametrize("code", ["es", "ar"])
def test_same_text_answers_exactly_what_comparing_the_written_text_answers(code: str) -> None:
    """Every kind of edit, on several entries, alone and in pairs: the quick answer is the answer
    that writing both catalogues out gives, equal or not."""
    from handoutgen.catalogs.store import dump_text, same_text

    first, _ = _shipped_pair(code)
    entries = [m.id for m in first if m.id][:: max(1, len(first) // 6)] + ["%(count)s day"]
    cases = 0
    for one in range(len(_EDITS)):
        for two in (0, 2, 4, 7, len(_EDITS) - 1):
            a, b = _shipped_pair(code)
            for index, msgid in enumerate(entries):
                _EDITS[(one + index) % len(_EDITS)](b.get(msgid))
                _EDITS[two](a.get(msgid)) if index % 2 else None
            for omit in (True, False):
                expected = dump_text(a, omit_header=omit) == dump_text(b, omit_header=omit)
                assert same_text(a, b, omit_header=omit) is expected, (one, two, omit)
                cases += 1
    a, b = _shipped_pair(code)
    b.obsolete["gone"] = type(next(iter(b)))("gone", "ido", flags={"fuzzy"})
    assert same_text(a, b) is (dump_text(a) == dump_text(b)) is False
    assert cases == 2 * 5 * len(_EDITS)
    # a long comment, and the lines a catalogue read back holds for it: the same text, known quickly
    from handoutgen.catalogs.store import _as_written, _comment_lines

    a, b = _shipped_pair(code)
    long = "aftercare: aftercare section, checklist item (an empty tick box is printed before it)"
    a.get(entries[1]).auto_comments.append(long)
    b.get(entries[1]).auto_comments.extend(_comment_lines(long))
    assert len(_comment_lines(long)) == 2
    assert _as_written(a, False) == _as_written(b, False) and dump_text(a) == dump_text(b)


# -- a rewrite writes out only the entries that changed ---------------------------------------------


def _as_full_rewrite(new, old, source) -> str:
    """What the rewrite gave when both catalogues were written out in full (the oracle)."""
    from handoutgen.catalogs import store

    original = store._blocks(source.text)
    blocks, lined_up = store._all_blocks(new, old, original)
    if blocks and original and lined_up:
        blocks[0] = original[0]
    return "\n\n".join(blocks) + "\n"


_REWRITE_EDITS = hst.lists(
    hst.tuples(
        hst.integers(0, 10_000),
        hst.sampled_from(["string", "fuzzy", "comment", "remove", "add", "places"]),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(edits=_REWRITE_EDITS, wrap=hst.sampled_from(["--width=79", "--width=40", "--no-wrap"]))
def test_rewriting_only_the_changed_entries_gives_the_full_rewrite(edits, wrap: str) -> None:
    """A catalogue as an editor wrapped it (another width), then edited as an update or a reviewer
    edits it: the rewrite that writes out only the changed entries is, byte for byte, the one that
    wrote both catalogues out in full, and keeps every unchanged entry's own lines."""
    import copy

    from handoutgen.catalogs import store

    shipped = ROOT / "locales" / "es" / "LC_MESSAGES" / "handouts.po"
    text = subprocess.run(["msgcat", wrap, str(shipped)], capture_output=True, text=True, check=True).stdout
    old = store._parse(text, "es.po")
    source = store.PoSource(text, "utf-8", False)
    new = copy.deepcopy(old)
    entries = [m for m in new if m.id]
    for number, (at, kind) in enumerate(edits):
        message = entries[at % len(entries)]
        if kind == "string" and isinstance(message.string, str):
            message.string += " (editado)"
        elif kind == "fuzzy":
            message.flags ^= {"fuzzy"}
        elif kind == "comment":
            message.user_comments.append(f"nota {number}")
        elif kind == "remove" and message.id in new:
            del new[message.id]
            new.obsolete[message.id] = message
        elif kind == "places":  # the same places in another order, one twice: written alike
            message.locations = [*reversed(message.locations), *message.locations[:1]]
        elif kind == "add":
            new.add(f"New English {number}.", f"Nuevo {number}.", locations=[("x.yaml", number)])
    assert store._changed_blocks(new, old, store._blocks(text)) is not None  # the short way was taken
    fast = store.preserve_lines(new, old, source).decode()
    assert fast == _as_full_rewrite(new, old, source)
    if not edits:
        assert fast == text  # nothing changed: the file as it was
