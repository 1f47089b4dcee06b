"""A health system's catalogues are hundreds of MB each once read: the update and the build read
one locale's at a time and let it go before the next, and the update stays all or none."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from conftest import ROOT

from handoutgen.build import run as run_module
from handoutgen.build.run import BuildOptions, build_run
from handoutgen.build.sheetcache import Summary
from handoutgen.catalogs import store
from handoutgen.catalogs.store import locales_on_disk, po_path, update_catalogs

EDITED = ("Rest for the rest of the day if you can.", "Rest for the rest of the day if you are able.")


def edit_english(root: Path) -> None:
    """An edit every catalogue must take in (the sentence is translated in every locale)."""
    path = root / "handouts" / "aftercare.yaml"
    text = path.read_text(encoding="utf-8")
    assert EDITED[0] in text
    path.write_text(text.replace(*EDITED), encoding="utf-8")


def in_memory(kind: type = Catalog) -> list:
    gc.collect()
    return [o for o in gc.get_objects() if type(o) is kind]  # isinstance would wake lazy modules


@pytest.fixture
def reads(monkeypatch) -> list[tuple[str, int, int]]:
    """Each catalogue file read, with how many catalogues, and locale summaries (what the build
    knows of a catalogue's entries, as large), this test made were in memory just before (those
    other tests left behind, in caches of their own, are not counted)."""
    seen: list[tuple[str, int, int]] = []
    earlier = [*in_memory(Catalog), *in_memory(Summary)]  # kept alive, so their ids stay theirs
    before = {id(o) for o in earlier}
    real = store.read_catalog_text

    def counting(path, *args, **kwargs):
        name = path.name if path.suffix == ".pot" else path.parent.parent.name
        made = [o for o in (*in_memory(Catalog), *in_memory(Summary)) if id(o) not in before]
        seen.append((name, sum(type(o) is Catalog for o in made), sum(type(o) is Summary for o in made)))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(store, "read_catalog_text", counting)
    return seen


def test_the_update_reads_one_catalogue_at_a_time(project: Path, reads) -> None:
    """Every catalogue is merged and written out before the next is read: at each read only the
    template is in memory (the old update read all of them first, then merged them all)."""
    edit_english(project)
    reports = update_catalogs(project)
    codes = locales_on_disk(project / "locales")
    assert len(codes) >= 4 and all(r.changed for r in reports)
    at_catalogue_reads = [live for name, live, _ in reads if name in codes]
    assert len(at_catalogue_reads) == len(codes)
    assert max(at_catalogue_reads) <= 1, reads  # the template alone


@pytest.mark.parametrize("broken", ["first", "last"])
def test_an_update_stopped_by_a_broken_catalogue_writes_none_and_leaves_no_temp_file(
    project: Path, broken: str
) -> None:
    """The others were merged and staged before the broken one was read: none of them replaces its
    catalogue, the template is not rewritten, and their temp files are gone."""
    edit_english(project)
    codes = locales_on_disk(project / "locales")
    bad = po_path(project / "locales", codes[0] if broken == "first" else codes[-1])
    bad.write_text(bad.read_text(encoding="utf-8").replace('msgstr "', 'msgstr "\\q', 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*") if p.is_file()}
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(project), "catalogs", "update"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert bad.relative_to(project).as_posix() in result.stderr
    after = {p: p.read_bytes() for p in (project / "locales").rglob("*") if p.is_file()}
    assert after == before  # no catalogue replaced, no temp file left


def test_a_build_holds_one_catalogue_at_a_time(project: Path, reads, monkeypatch) -> None:
    """A library's catalogues are over what the update may keep (``HOLD_BYTES``): each locale's
    sheets come together and its catalogue, and the summary of it the build keeps for the sheets it
    knows, are let go before the next is read. The build's update reads each one (the template
    alone in memory), then the sheets read them again one by one."""
    monkeypatch.setattr(run_module, "HOLD_BYTES", 0)
    edit_english(project)
    run = build_run(project, BuildOptions(handouts=("aftercare",)), report=lambda line: None, jobs=1)
    assert not run.failed and len(run.outcomes) >= 6
    codes = locales_on_disk(project / "locales")
    catalogue_reads = [read for read in reads if read[0] in codes]
    assert sorted(name for name, *_ in catalogue_reads) == sorted(codes * 2)
    assert max(catalogues for _, catalogues, _ in catalogue_reads) <= 1, catalogue_reads
    assert max(summaries for *_, summaries in catalogue_reads) <= 1, catalogue_reads


@pytest.mark.parametrize("hold", [0, run_module.HOLD_BYTES])
def test_check_and_explain_merge_again_what_they_let_go(project: Path, monkeypatch, hold: int) -> None:
    """Without writing (``check``, ``--explain``), the update's merge is used in memory; a catalogue
    let go (over the room to keep it, or once its locale is done) is merged again when asked for.
    Every sheet's state and every check finding is the same either way, and the same as once the
    update is written."""
    from handoutgen.build.run import _refresh_catalogs, load_inputs, plan_jobs, prepare_job
    from handoutgen.build.validate import validate_sheets
    from handoutgen.render.html import make_environment

    monkeypatch.setattr(run_module, "HOLD_BYTES", hold)
    edit_english(project)

    def said() -> tuple:
        result = validate_sheets(project, report=lambda line: None)
        reports = {code: (r.lines, r.errors, r.warnings, r.note) for code, r in result.reports.items()}
        inputs, options = load_inputs(project), BuildOptions()
        _refresh_catalogs(inputs, lambda line: None, write=False)
        env, states = make_environment(inputs.project), []
        for job in plan_jobs(inputs, options):
            prepared = prepare_job(inputs, job, options, env)
            states.append((job.locale, job.handout_id, prepared.outcome.draft, prepared.outcome.waiting))
            inputs.forget(job.locale)  # asked for again at the next sheet
        return reports, result.errors, result.waiting, sorted(states)

    in_memory = said()
    assert any(handout == "aftercare" and "stale" in (draft or "") for _, handout, draft, _ in in_memory[3])
    update_catalogs(project)
    assert said() == in_memory


def test_check_keeps_no_locales_findings_in_memory_and_prints_the_same(project: Path) -> None:
    """A library's findings are tens of MB of text per locale: `check` keeps each locale's in a file
    of its own and reads it as it prints that locale (a warm run held all 20 at once, 1.3 GB). The
    output is the same cold, warm, and with those files lost (made again from the summary)."""
    from handoutgen.build.validate import validate_sheets

    for code in ("es", "vi"):  # every translation ending in a full stop loses it: a warning each
        path = po_path(project / "locales", code)
        path.write_text(re.sub(r'\.("\n\n)', r"\1", path.read_text(encoding="utf-8")), encoding="utf-8")

    def check() -> tuple[str, str, int]:
        out = subprocess.run(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(project), "check"],
            capture_output=True,
            text=True,
        )
        assert "Traceback" not in out.stderr
        return out.stdout, out.stderr, out.returncode

    cold = check()
    for _ in range(2):  # warm; then with a locale's lines written but its summary left
        result = validate_sheets(project, report=lambda line: None)
        found = {code: r for code, r in result.reports.items() if r.errors or r.warnings}
        assert found, "the shipped catalogues have findings"
        assert all(r.apart and r.lines == "" for r in found.values())
        assert all(result.lines(code).count("\n") + 1 == r.errors + r.warnings for code, r in found.items())
        assert check() == cold
        for path in (project / ".cache" / "status").glob("report-lines-*.pickle"):
            path.unlink()


def test_findings_text_stays_in_memory_when_its_file_cannot_be_written(project: Path) -> None:
    """The findings text is kept apart only once its file is written; where the cache cannot be
    written (its folder is under a file) the report keeps its text, and printing it reads nothing."""
    from handoutgen.build.sheetcache import Cache, LocaleReport, keep_report, lines_of, load_inputs_cached

    report = LocaleReport("key", "a finding\nanother", errors=0, warnings=2)
    cache = Cache(project)
    assert keep_report(cache, "es", report).apart  # a cache that can be written keeps it apart
    cache.folder = project / "clinic.yaml" / "status"  # nothing can be written there
    kept = keep_report(cache, "es", report)
    assert not kept.apart and kept.lines == report.lines
    assert lines_of(load_inputs_cached(project, cache), cache, "es", kept) == report.lines


def test_a_library_beyond_the_handouts_kept_holds_that_many_and_builds_the_same(
    project: Path, tmp_path: Path, monkeypatch
) -> None:
    """Parsed handouts are about 50 KB each: a library's thousands were all held for the whole run.
    With room for one, a cold build (which parses every file) and a warm one each hold at most the
    one kept and the one in hand, read the others again from their cache files, and write the same
    PDFs as a build that keeps them all; ``status`` gives the rows it gives with them all kept."""
    from conftest import copy_project

    from handoutgen.build import sheetcache
    from handoutgen.build.status import compute_status
    from handoutgen.content.handout import Handout

    options = BuildOptions(locales=("en", "es"))
    reference = copy_project(tmp_path / "reference")
    assert not build_run(reference, options, report=lambda line: None, jobs=1).failed
    rows = compute_status(reference, report=lambda line: None)[1]

    monkeypatch.setattr(sheetcache, "PARSED_KEPT", 1, raising=False)
    earlier = in_memory(Handout)
    before = {id(o) for o in earlier}
    live: list[int] = []
    real = run_module.prepare_job

    def counting(inputs, *args, **kwargs):
        live.append(sum(id(o) not in before for o in in_memory(Handout)))
        return real(inputs, *args, **kwargs)

    monkeypatch.setattr(run_module, "prepare_job", counting)
    handouts = len(list((project / "handouts").glob("*.yaml")))
    for _ in range(2):  # cold (no cache yet), then forced with the cache
        live.clear()
        assert not build_run(project, options, report=lambda line: None, jobs=1, force=True).failed
        assert len(live) == 2 * handouts >= 8 and max(live) <= 2, live
    for pdf in (reference / "build").glob("*/*.pdf"):
        assert (project / "build" / pdf.relative_to(reference / "build")).read_bytes() == pdf.read_bytes()
    assert compute_status(project, report=lambda line: None)[1] == rows
