"""`status` and `check` keep what they learnt in `.cache/status/` (handoutgen/build/sheetcache.py):
the rows and the output are the same with the cache as without it, and every input that can change
a result makes the cache miss. Real projects, real files; each guard test fails if its key part is
left out."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import approve, copy_project, list_reviewers, run_python

from handoutgen.build.run import load_inputs
from handoutgen.build.sheetcache import FOLDER, Cache
from handoutgen.build.status import SheetStatus, compute_status, sheet_status
from handoutgen.catalogs.states import State
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog
from handoutgen.cli.main import main
from handoutgen.render.html import make_environment

PROGRESS = re.compile(r"^(status|check): [\d,]+ of [\d,]+ sheets…$")


def rendered_rows(root: Path, codes: tuple[str, ...] = ()) -> list[SheetStatus]:
    """Every row by rendering every sheet (the path without a cache), as the reference."""
    inputs = load_inputs(root)
    env = make_environment(inputs.project)
    return [
        sheet_status(inputs, env, h.id, c) for c in codes or inputs.clinic.locales for h in inputs.handouts
    ]


def cached_rows(root: Path, codes: tuple[str, ...] = ()) -> list[SheetStatus]:
    return compute_status(root, codes, report=lambda line: None)[1]


def row(rows: list[SheetStatus], handout: str, code: str) -> SheetStatus:
    return next(r for r in rows if r.handout == handout and r.locale == code)


def same_as_rendering(root: Path, codes: tuple[str, ...] = ()) -> list[SheetStatus]:
    """The cached rows, asserted equal to the rendered ones; twice, so the second comes from the cache."""
    expected = rendered_rows(root, codes)
    assert cached_rows(root, codes) == expected
    assert cached_rows(root, codes) == expected
    return expected


def edit_project(root: Path) -> None:
    """Reviewed entries, a failing check, an English edit not merged yet, a broken approval chain."""
    list_reviewers(root)
    approve(root, "es")
    approve(root, "vi")
    path = po_path(root / "locales", "ko")
    catalog = load_catalog(path, "ko")
    message = next(m for m in catalog if m.id and re.search(r"\d", m.id) and m.string)
    message.string = re.sub(r"\d", "7", message.string)
    save_catalog(catalog, path)
    handout = root / "handouts" / "aftercare.yaml"
    handout.write_text(handout.read_text().replace("summary: ", "summary: Read this first. ", 1))
    records = root / "locales" / "vi" / "approvals.jsonl"
    lines = records.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"ana"', '"anx"', 1)
    records.write_text("".join(lines))


# -- the same rows, the same output ---------------------------------------------------------------------


def test_status_rows_are_the_rendered_rows_on_the_shipped_project(project: Path) -> None:
    rows = same_as_rendering(project)
    assert len(rows) == 4 * 6 and (project / FOLDER / "sheets.pickle").is_file()


def test_status_rows_are_the_rendered_rows_on_an_edited_project(project: Path) -> None:
    edit_project(project)
    rows = same_as_rendering(project, ("en", "es", "vi", "ko", "en_XA"))
    assert any(r.count(State.REVIEWED) for r in rows) and any(r.errors for r in rows)
    assert any(r.waiting for r in rows)  # the edited English has no translation yet


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    code = main(["-C", str(root), "check", *args])
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if not PROGRESS.match(line)]


@pytest.mark.parametrize("edited", [False, True], ids=["shipped", "edited"])
def test_check_says_the_same_with_a_warm_cache_as_with_a_cold_one(
    project: Path, capsys: pytest.CaptureFixture[str], edited: bool
) -> None:
    if edited:
        edit_project(project)
    cold = run_check(project, capsys)
    warm = run_check(project, capsys)
    assert warm == cold
    shutil.rmtree(project / FOLDER)
    assert run_check(project, capsys, "-l", "es", "-l", "ko") == run_check(
        project, capsys, "-l", "es", "-l", "ko"
    )
    if edited:
        assert cold[0] == 1 and any("error:" in line for line in cold[2])
        assert any("[numbers]" in line or "numbers" in line for line in cold[1].splitlines())


def test_check_reports_a_damaged_catalogue_the_same_every_time(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and "{clinic_phone}" in m.id)
    message.string = message.string.replace("{clinic_phone}", "{clinic_fone}")
    save_catalog(catalog, path)
    first, second = run_check(project, capsys, "-l", "es"), run_check(project, capsys, "-l", "es")
    assert first == second and first[0] == 1
    assert any("invents clinic_fone" in line for line in first[2])


# -- every input that can change a result makes the cache miss --------------------------------------


def test_an_edited_translation_changes_status(project: Path) -> None:
    before = row(cached_rows(project, ("es",)), "aftercare", "es")
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    catalog.get("What to expect").string = ""  # a template label every sheet uses
    save_catalog(catalog, path)
    after = row(same_as_rendering(project, ("es",)), "aftercare", "es")
    assert after.waiting == 1 and before.waiting == 0


def test_an_appended_approval_record_changes_status(project: Path) -> None:
    list_reviewers(project)
    approve(project, "es")
    records = project / "locales" / "es" / "approvals.jsonl"
    written = records.read_bytes()
    records.write_bytes(b"")  # the catalogue stays as the approval left it; only the records go
    assert row(same_as_rendering(project, ("es",)), "aftercare", "es").count(State.REVIEWED) == 0
    records.write_bytes(written)  # the records appended again
    reviewed = row(same_as_rendering(project, ("es",)), "aftercare", "es")
    assert reviewed.count(State.REVIEWED) > 0 and reviewed.last_approval is not None


def test_an_edited_reviewers_file_changes_status(project: Path) -> None:
    list_reviewers(project)
    approve(project, "es")
    assert row(same_as_rendering(project, ("es",)), "aftercare", "es").count(State.REVIEWED) > 0
    (project / "reviewers.yaml").write_text("reviewers: []\n", encoding="utf-8")  # nobody may approve now
    after = row(same_as_rendering(project, ("es",)), "aftercare", "es")
    assert after.count(State.REVIEWED) == 0 and after.last_approval is None


def test_a_template_label_edit_changes_the_entries_a_sheet_uses(project: Path) -> None:
    assert row(cached_rows(project, ("es",)), "aftercare", "es").waiting == 0
    template = project / "templates" / "handout.html.j2"
    template.write_text(template.read_text().replace('_("Who this is for:")', '_("Who should read this:")'))
    after = row(same_as_rendering(project, ("es",)), "aftercare", "es")
    assert after.waiting == 1  # the new label has no translation yet


def test_an_english_edit_changes_the_entries_a_sheet_uses(project: Path) -> None:
    assert row(cached_rows(project, ("es",)), "aftercare", "es").waiting == 0
    handout = project / "handouts" / "aftercare.yaml"
    handout.write_text(handout.read_text().replace("summary: ", "summary: Read this first. ", 1))
    rows = same_as_rendering(project, ("es",))
    assert row(rows, "aftercare", "es").waiting == 1 and row(rows, "back-care", "es").waiting == 0


def test_a_damaged_cache_is_ignored_and_rebuilt(project: Path) -> None:
    expected = same_as_rendering(project)
    for path in (project / FOLDER).glob("*.pickle"):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if path.name.startswith("catalog") else b"\x80\x05garbage")
    assert cached_rows(project) == expected
    assert cached_rows(project) == expected


def test_a_cache_folder_that_cannot_be_made_is_only_a_slower_run(project: Path, capsys) -> None:
    """``.cache/status`` is a file (a copy or a sync tool left it): status, check and a build say what
    they say without it, exit as they would, and nothing of the user's is touched."""
    expected = rendered_rows(project)
    reference = run_check(project, capsys)
    shutil.rmtree(project / FOLDER, ignore_errors=True)
    (project / FOLDER).write_text("not a folder")
    assert cached_rows(project) == expected
    assert main(["-C", str(project), "status"]) == 0
    capsys.readouterr()
    assert run_check(project, capsys) == reference
    assert main(["-C", str(project), "-l", "es", "--handout", "aftercare", "-j", "1"]) == 0
    assert (project / "build" / "es" / "aftercare.pdf").is_file()
    assert (project / FOLDER).read_text() == "not a folder"


def test_a_cache_is_not_used_by_another_project(project: Path, tmp_path: Path) -> None:
    cached_rows(project)
    other = tmp_path / "other"
    shutil.copytree(project, other)
    assert Cache(project).read("sheets") is not None
    assert Cache(other).read("sheets") is None  # same files, another root: not this project's cache
    catalog_path = po_path(other / "locales", "es")
    catalog = load_catalog(catalog_path, "es")
    catalog.get("What to expect").string = ""
    save_catalog(catalog, catalog_path)
    assert cached_rows(other, ("es",)) == rendered_rows(other, ("es",))


def test_status_and_a_warm_check_never_import_weasyprint(project: Path) -> None:
    assert main(["-C", str(project), "check", "-l", "es"]) in (0, 1)  # cold: checks the stylesheets
    code = (
        "import sys; from pathlib import Path; from handoutgen.cli.main import main; "
        f"root = Path({str(project)!r}); "
        "main(['-C', str(root), 'status']); main(['-C', str(root), 'check', '-l', 'es']); "
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'"
    )
    run_python(code)


def test_copy_project_fixture_is_the_shipped_project(tmp_path: Path) -> None:
    """The fixture these tests use has no cache of its own (it is ignored by git and not copied)."""
    root = copy_project(tmp_path / "p")
    assert not (root / FOLDER).exists()


def test_a_catalogue_that_cannot_be_used_is_read_once_not_once_per_sheet(project: Path, monkeypatch) -> None:
    """Every sheet of the locale says why, from one reading of the catalogue (a broken catalogue in a
    library of thousands of handouts was parsed again for every sheet)."""
    from handoutgen.build import run as build_module

    path = po_path(project / "locales", "es")
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r"^(msgstr .*)\{clinic_phone\}", r"\1{telefono}", text, count=1, flags=re.M)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    reads: list[Path] = []
    real = build_module.load_catalog

    def counting(where, *args, **kwargs):
        reads.append(Path(where))
        return real(where, *args, **kwargs)

    monkeypatch.setattr(build_module, "load_catalog", counting)
    _, rows = compute_status(project, ("es",))
    assert len(rows) == 4 and all(r.problem and "telefono" in r.problem for r in rows), rows
    assert reads.count(path) == 1


def test_after_one_catalogue_is_edited_only_it_is_merged_again(project: Path, monkeypatch) -> None:
    """A catalogue whose key is still the one recorded after the last update was merged with this
    very English: `check` and the build merge only the edited one (a library of 20 languages merged
    all 20 after one entry was edited). An English edit merges every catalogue."""
    from handoutgen.catalogs import store

    assert main(["-C", str(project), "check"]) in (0, 1)  # every catalogue merged once, keys recorded
    merged: list[list[str]] = []
    real = store.run_update

    def spying(root, locales=None, **kwargs):
        merged.append(sorted(locales or []))
        return real(root, locales, **kwargs)

    monkeypatch.setattr(store, "run_update", spying)
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    next(m for m in catalog if m.id).string += " (editado)"
    save_catalog(catalog, path)
    assert main(["-C", str(project), "check"]) in (0, 1)
    assert merged == [["es"]]
    aftercare = project / "handouts" / "aftercare.yaml"
    aftercare.write_text(aftercare.read_text().replace("Rest for the rest of the day", "Rest all day", 1))
    assert main(["-C", str(project), "check"]) in (0, 1)
    assert merged[1] == ["ar", "es", "ko", "vi", "zh_Hans"]


def test_translation_checks_answer_a_pair_once(project: Path, monkeypatch) -> None:
    """The checks' answers are kept per English/translation pair (for this locale, glossary and
    checks code): after one entry is edited only that pair is checked again, and the findings are
    the ones a run with nothing kept gives. A glossary edit makes every pair be checked again."""
    from handoutgen.checks import translation
    from handoutgen.text.locales import locale_info

    checked: list[tuple[str, str]] = []
    real = translation.check_entry

    def counting(source, target, locale, glossary=None):
        checked.append((source, target))
        return real(source, target, locale, glossary)

    monkeypatch.setattr(translation, "check_entry", counting)
    es = locale_info("es")
    first = load_inputs(project).findings(es)
    assert len(checked) > 100
    checked.clear()
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and isinstance(m.string, str) and m.string)
    message.string = message.string.replace(".", "") + " 42 mg."
    save_catalog(catalog, path)
    again = load_inputs(project).findings(es)
    assert checked == [(message.id, message.string)]
    shutil.rmtree(project / FOLDER)
    checked.clear()
    assert load_inputs(project).findings(es) == again != first
    assert len(checked) > 100
    checked.clear()
    glossary = project / "glossary.yaml"
    glossary.write_text(glossary.read_text() + "\n")
    load_inputs(project).findings(es)
    assert len(checked) > 100


# -- a library's handouts: known by an index, parsed only when a sheet needs them -------------------------


def parses_and_reads(monkeypatch) -> tuple[list[str], list[str]]:
    """(handout files parsed, parsed handouts read from the cache), recorded from here on."""
    from handoutgen.build import sheetcache
    from handoutgen.content import handout

    parsed: list[str] = []
    read: list[str] = []
    real_parse, real_read = handout.parse_handout, sheetcache.Cache.read

    def parsing(text, source, *args, **kwargs):
        parsed.append(Path(source).name)
        return real_parse(text, source, *args, **kwargs)

    def reading(self, name):
        if name.startswith("handouts"):  # a parsed handout, or (as once kept) all of them in one file
            read.append(name)
        return real_read(self, name)

    monkeypatch.setattr(handout, "parse_handout", parsing)
    monkeypatch.setattr(sheetcache.Cache, "read", reading)
    return parsed, read


def test_status_and_check_with_nothing_changed_neither_parse_nor_read_a_handout(
    project: Path, monkeypatch, capsys
) -> None:
    """A library's handouts are known by an index (file key -> id, content digest): `status` and a
    warm `check` need no parsed handout (unpickling 5,000 of them was most of a warm `status`). After
    one handout is edited, only it is parsed; the rows are still the rendered ones."""
    assert main(["-C", str(project), "check"]) in (0, 1)
    cold = capsys.readouterr()
    expected = rendered_rows(project)
    assert cached_rows(project) == expected  # status learns which entries each sheet uses
    parsed, read = parses_and_reads(monkeypatch)
    assert cached_rows(project) == expected
    assert main(["-C", str(project), "check"]) in (0, 1)
    assert capsys.readouterr() == cold
    assert (parsed, read) == ([], [])
    aftercare = project / "handouts" / "aftercare.yaml"
    aftercare.write_text(aftercare.read_text().replace("summary: ", "summary: Read this first. ", 1))
    rows = cached_rows(project)
    assert parsed == ["aftercare.yaml"]
    assert rows == rendered_rows(project) != expected


@pytest.mark.parametrize("damage", ["removed", "damaged", "another handout's"])
def test_a_parsed_handout_lost_from_the_cache_is_parsed_again(project: Path, damage: str) -> None:
    """A parsed handout's cache file that is gone, damaged or holds another handout is not trusted:
    the handout is parsed from its file again and the rows stay the rendered ones."""
    from handoutgen.build.sheetcache import HANDOUTS, INDEX

    expected = same_as_rendering(project)
    aftercare = project / "handouts" / "aftercare.yaml"
    aftercare.write_text(aftercare.read_text().replace("summary: ", "summary: Read this first. ", 1))
    cached_rows(project)  # indexes the edit; its sheets' records now name the new content
    index = Cache(project).read(INDEX)
    files = {i: project / FOLDER / HANDOUTS / f"{k}.pickle" for k, (i, _, _) in index.items()}
    if damage == "removed":
        files["aftercare"].unlink()
    elif damage == "damaged":
        files["aftercare"].write_bytes(b"not a pickle")
    else:
        shutil.copy(files["back-care"], files["aftercare"])
    shutil.rmtree(project / FOLDER / "sheets.pickle", ignore_errors=True)
    (project / FOLDER / "sheets.pickle").unlink()  # every sheet's entries are learnt again
    assert cached_rows(project) == rendered_rows(project) != expected


def test_a_handout_changed_after_it_was_indexed_is_an_error_to_run_again(project: Path) -> None:
    """A handout whose parsed copy is not kept, and whose file changed between the index and its
    use, is not silently taken as it is now: the command says to run it again."""
    from handoutgen.build.sheetcache import load_inputs_cached
    from handoutgen.errors import ContentError

    inputs = load_inputs_cached(project, Cache(project))
    inputs.parsed.clear()
    shutil.rmtree(project / FOLDER / "handouts")
    aftercare = project / "handouts" / "aftercare.yaml"
    aftercare.write_text(aftercare.read_text().replace("summary: ", "summary: Changed meanwhile. ", 1))
    with pytest.raises(ContentError, match="changed while this command ran; run it again"):
        inputs.handout("aftercare")
    assert inputs.handout("back-care").id == "back-care"


def test_a_warm_check_makes_no_finding_objects(project: Path, monkeypatch, capsys) -> None:
    """What `check` prints of a locale's translation checks is kept as text with its counts: a run
    with nothing changed makes no finding object (20 languages × 120,000 findings were most of a warm
    `check`), and says exactly what the cold run said, exit code included."""
    from handoutgen.checks.findings import Finding

    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and isinstance(m.string, str) and m.string.endswith("."))
    message.string = message.string.rstrip(".")  # one warning at least
    save_catalog(catalog, path)
    cold_code = main(["-C", str(project), "check"])
    cold = capsys.readouterr()
    assert "warning[" in cold.out
    made: list[int] = []
    monkeypatch.setattr(Finding, "__setstate__", lambda self, state: made.append(1), raising=False)
    real_init = Finding.__init__

    def counting(self, *args, **kwargs):
        made.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(Finding, "__init__", counting)
    assert main(["-C", str(project), "check"]) == cold_code
    assert capsys.readouterr() == cold
    assert made == []


def test_two_commands_saving_their_records_at_once_keep_each_others(project: Path, monkeypatch) -> None:
    """`status -l es` beside `status -l vi` (or the server beside the command line): each saves the
    records of what it saw, and keeps what the other saved meanwhile, so the next run renders no
    sheet. The records file is read again under a lock when it changed since it was read."""
    from handoutgen.build import status as status_module
    from handoutgen.build.sheetcache import Progress, SheetStore, load_inputs_cached

    cache = Cache(project)
    inputs = load_inputs_cached(project, cache)
    late = SheetStore(cache)  # read before the other command saves
    cached_rows(project, ("vi",))  # the other command: reads, learns vi, saves
    es_rows = status_module._locale_rows(inputs, cache, late, "es", Progress("status", 4, lambda line: None))
    late.save()
    rendered: list[str] = []
    real = status_module._render_used

    def counting(inputs, env, handout_id, code):
        rendered.append(f"{handout_id} [{code}]")
        return real(inputs, env, handout_id, code)

    monkeypatch.setattr(status_module, "_render_used", counting)
    rows = cached_rows(project, ("es", "vi"))
    assert rendered == []
    assert rows == rendered_rows(project, ("es", "vi")) and rows[:4] == es_rows


def test_status_learns_a_sheets_entries_without_drawing_its_qr_code(project: Path, monkeypatch) -> None:
    """Drawing a sheet's QR code (segno's mask search) was half of a cold `status` on a large library;
    no entry is looked up in it, so `status` does not draw it, and its rows are still the rendered
    ones. The build draws it."""
    from handoutgen.render import qr

    drawn: list[str] = []
    real = qr.qr_svg

    def counting(url, title):
        drawn.append(url)
        return real(url, title)

    monkeypatch.setattr(qr, "qr_svg", counting)
    expected = rendered_rows(project)
    assert len(drawn) == len(expected)  # the reference renders every sheet with its code
    drawn.clear()
    assert cached_rows(project) == expected
    assert drawn == []


def test_an_address_too_long_for_a_qr_code_is_a_content_error() -> None:
    """Defence in depth under clinic.yaml's 200-character limit: segno's overflow is one clear error,
    never a traceback."""
    from handoutgen.errors import ContentError
    from handoutgen.render.qr import _drawing

    with pytest.raises(ContentError, match="more than a QR code holds; shorten handout_url"):
        _drawing("https://example.org/" + "x" * 3000)


def test_status_and_check_let_go_of_each_catalogue_when_done_with_it(project: Path) -> None:
    """A library's catalogue is hundreds of MB in memory: a cold `status` over 20 locales held all of
    them (3.7 GB). Each is let go once its locale is done, whether its rows came from rendering or from
    the records."""
    from handoutgen.build.validate import validate_sheets

    for _ in range(2):  # cold, then warm
        inputs, _ = compute_status(project, report=lambda line: None)
        assert inputs.catalogs == {} and inputs.approvals == {}
        result = validate_sheets(project, report=lambda line: None)
        assert not set(result.inputs.catalogs) & set(result.reports), sorted(result.inputs.catalogs)


def test_a_status_with_nothing_changed_looks_at_no_sheet(project: Path, monkeypatch) -> None:
    """The rows are kept with the key of everything they were made from (shared parts, every locale's
    summary key, every handout's content): with nothing changed no sheet is looked at, and the rows
    and the printed table are the ones a cold run gives. Any edit makes it look again."""
    from handoutgen.build import status as status_module

    expected = same_as_rendering(project)
    looked: list[str] = []
    real = status_module._locale_rows

    def counting(inputs, cache, store, code, progress):
        looked.append(code)
        return real(inputs, cache, store, code, progress)

    monkeypatch.setattr(status_module, "_locale_rows", counting)
    inputs, rows = compute_status(project, report=lambda line: None)
    assert looked == [] and rows == expected
    assert status_module.format_table(rows) == status_module.format_table(list(expected))
    records = project / "locales" / "es" / "approvals.jsonl"
    approve(project, "es")
    assert records.exists()
    assert cached_rows(project) == rendered_rows(project) != expected
    assert looked == list(inputs.clinic.locales)


def test_a_check_with_nothing_changed_looks_at_no_sheet(project: Path, monkeypatch, capsys) -> None:
    """`check` keeps its sheets' outcomes with the same key as the status rows: with nothing changed
    no sheet is looked at and it says exactly what the cold run said (stdout, stderr, exit code);
    an edited catalogue makes it look again."""
    from handoutgen.build import validate

    list_reviewers(project)
    approve(project, "es")
    cold_code = main(["-C", str(project), "check"])
    cold = capsys.readouterr()
    looked: list[int] = []
    real = validate._check_sheets

    def counting(*args, **kwargs):
        looked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(validate, "_check_sheets", counting)
    assert main(["-C", str(project), "check"]) == cold_code
    assert capsys.readouterr() == cold
    assert looked == []
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    next(m for m in catalog if m.id and m.string).string = "{telefono}"
    save_catalog(catalog, path)
    assert main(["-C", str(project), "check"]) != 0
    assert "invents telefono" in capsys.readouterr().err and looked == [1]


def test_a_catalogue_the_builds_update_read_unchanged_is_not_read_again(project: Path, monkeypatch) -> None:
    """A first build (nothing kept) reads each catalogue under its lock to merge the English: one it
    leaves unchanged is used as read, not parsed a second time (at 20 languages of 150,000 entries,
    minutes). One the update rewrote is read again from the file, so its line numbers are the new
    file's; a locale not being built keeps nothing."""
    from handoutgen.build import run as build_module
    from handoutgen.build.run import BuildOptions, build_run

    loaded: list[str] = []
    real = build_module.load_catalog

    def spying(path, locale=None):
        loaded.append(Path(path).parent.parent.name)
        return real(path, locale)

    monkeypatch.setattr(build_module, "load_catalog", spying)
    quiet = BuildOptions(locales=("es", "vi"), handouts=("aftercare",))
    built = build_run(project, quiet, report=lambda line: None, jobs=1)
    assert not built.failed and loaded == []
    shutil.rmtree(project / FOLDER)  # the English edited, nothing kept: both catalogues change
    aftercare = project / "handouts" / "aftercare.yaml"
    aftercare.write_text(aftercare.read_text().replace("Rest for the rest of the day", "Rest all day", 1))
    built = build_run(project, quiet, report=lambda line: None, jobs=1)
    assert not built.failed and sorted(loaded) == ["es", "vi"]
    shutil.rmtree(project / FOLDER)
    inputs = load_inputs(project)
    build_module._refresh_catalogs(inputs, lambda line: None, keep=("es",))
    assert set(inputs.read_ahead) == {"es"}
