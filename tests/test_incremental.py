"""Incremental builds: each kind of edit rebuilds exactly the PDFs it must, and says why; a killed
build followed by a build gives the bytes of a clean build; builds wait for each other."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import cast

import pytest
from conftest import ROOT, copy_built, copy_project, run_python

from handoutgen.build.manifest import MANIFEST, Manifest
from handoutgen.build.run import BuildOptions, build_lock, build_run
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog

LOCALES = ("en", "es", "ar")
#: An entry three of the four shipped handouts use (not back-pain-faq).
SHARED_ENTRY = "How bad is your pain today? Circle a number."
OPTIONS = BuildOptions(locales=LOCALES)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("incremental") / "project")
    run = build_run(root, OPTIONS, report=lambda line: None, jobs=2)
    assert not [o.error for o in run.outcomes if o.error]
    return root


@pytest.fixture
def built(baseline: Path, tmp_path: Path) -> Path:
    """A fully built project: a copy of the module's baseline, build/ included."""
    return copy_built(baseline, tmp_path)


def rebuild(root: Path, **kwargs) -> dict[str, list[str]]:
    lines: list[str] = []
    run = build_run(root, OPTIONS, report=lines.append, jobs=1, **kwargs)
    assert not [o.error for o in run.outcomes if o.error], lines
    return run.rebuilt


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_nothing_changed_is_a_no_op_that_imports_no_weasyprint(built: Path) -> None:
    code = (
        "import sys; from handoutgen.build.run import BuildOptions, build_run; "
        f"r = build_run({str(built)!r}, BuildOptions(locales={LOCALES!r}), report=lambda l: None); "
        "assert r.no_op, r; assert 'weasyprint' not in sys.modules; "
        "assert 'argostranslate' not in sys.modules"
    )
    run_python(code)


def test_editing_one_paragraph_renders_only_the_sheets_whose_html_changed(built: Path) -> None:
    """The English sheet changes; the translated sheets' entry turns stale, which changes their
    key but not their HTML (still the old translation, still a draft): their PDFs are kept, and
    they are exactly the bytes a forced render gives."""
    replace(
        built / "handouts" / "aftercare.yaml",
        "Rest for the rest of the day if you can.",
        "Rest for the rest of the day if you are able.",
    )
    kept = {code: (built / "build" / code / "aftercare.pdf").read_bytes() for code in LOCALES}
    rebuilt = rebuild(built)
    assert sorted(rebuilt) == ["en/aftercare.pdf"] and "content" in rebuilt["en/aftercare.pdf"]
    assert kept["en"] != (built / "build" / "en" / "aftercare.pdf").read_bytes()
    assert rebuild(built) == {}  # the new key parts were recorded: nothing is stale now
    forced = build_run(
        built, BuildOptions(locales=("es", "ar"), handouts=("aftercare",)), lambda line: None, force=True
    )
    assert not [o.error for o in forced.outcomes if o.error]
    for code in ("es", "ar"):
        assert (built / "build" / code / "aftercare.pdf").read_bytes() == kept[code]


def test_rewrapping_the_yaml_rebuilds_nothing(built: Path) -> None:
    path = built / "handouts" / "aftercare.yaml"
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, l in enumerate(lines) if "- Rest for the rest of the day if you can." in l)
    indent = " " * (lines[index].index("-") + 4)
    lines[index] = (
        lines[index].split("-")[0] + f"- >-\n{indent}Rest for the rest\n{indent}of the day   if you can.\n"
    )
    path.write_text("".join(lines))
    assert rebuild(built) == {}


def test_editing_a_template_rebuilds_everything_it_renders(built: Path) -> None:
    replace(built / "templates" / "handout.css", "h1 { font-size: 20pt;", "h1 { font-size: 19pt;")
    rebuilt = rebuild(built)
    assert len(rebuilt) == 4 * len(LOCALES) and all("templates" in r for r in rebuilt.values())


def test_editing_a_catalogue_entry_rebuilds_only_sheets_using_it(built: Path) -> None:
    path = po_path(built / "locales", "es")
    catalog = load_catalog(path, "es")
    message = catalog.get("Rest for the rest of the day if you can.")
    message.string = "Descanse durante el resto del día, si le es posible."
    save_catalog(catalog, path)
    assert rebuild(built) == {"es/aftercare.pdf": ["translations", "html"]}


def test_a_catalogue_entry_no_sheet_uses_rebuilds_nothing(built: Path) -> None:
    path = po_path(built / "locales", "es")
    catalog = load_catalog(path, "es")
    catalog.add("An entry no handout uses", "Una entrada sin uso")
    save_catalog(catalog, path)
    assert rebuild(built) == {}


def test_a_clinic_setting_rebuilds_every_sheet(built: Path) -> None:
    replace(built / "clinic.yaml", 'phone: "555-0100"', 'phone: "555-0111"')
    rebuilt = rebuild(built)
    assert len(rebuilt) == 4 * len(LOCALES) and all("clinic" in r for r in rebuilt.values())


def test_a_font_choice_rebuilds_only_that_script(built: Path) -> None:
    import handoutgen.text.locales as locales

    original = locales._FONT_STACKS["ar"]
    locales._FONT_STACKS["ar"] = ("Noto Naskh Arabic",) + locales.LATIN_FONTS
    locales.locale_info.cache_clear()
    try:
        rebuilt = rebuild(built)
    finally:
        locales._FONT_STACKS["ar"] = original
        locales.locale_info.cache_clear()
    assert sorted(rebuilt) == [
        f"ar/{h}.pdf" for h in ("aftercare", "back-care", "back-pain-faq", "first-visit")
    ]
    assert all("fonts" in r for r in rebuilt.values())


def test_a_deleted_pdf_is_rebuilt(built: Path) -> None:
    (built / "build" / "es" / "back-care.pdf").unlink()
    assert rebuild(built) == {"es/back-care.pdf": ["PDF missing or changed on disk"]}


def test_force_rebuilds_all_to_the_same_bytes(built: Path) -> None:
    before = {p: p.read_bytes() for p in (built / "build").glob("*/*.pdf")}
    assert len(rebuild(built, force=True)) == len(before)
    assert before == {p: p.read_bytes() for p in (built / "build").glob("*/*.pdf")}


def test_a_killed_build_then_a_build_gives_clean_bytes(built: Path, baseline: Path) -> None:
    import shutil

    shutil.rmtree(built / "build")
    command = [
        sys.executable,
        str(ROOT / "generate.py"),
        "-C",
        str(built),
        "build",
        "-j",
        "1",
        *[a for code in LOCALES for a in ("-l", code)],
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # kill it in the middle, right after a PDF was written
        if line.startswith("[3/"):
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    partial = list((built / "build").glob("*/*.pdf"))
    assert 0 < len(partial) < 4 * len(LOCALES)
    assert not list((built / "build").rglob("*.tmp"))
    subprocess.run(command, check=True, capture_output=True)
    clean = {p.relative_to(baseline): p.read_bytes() for p in (baseline / "build").glob("*/*.pdf")}
    after = {p.relative_to(built): p.read_bytes() for p in (built / "build").glob("*/*.pdf")}
    assert after == clean


def test_a_second_build_waits_for_the_first(built: Path) -> None:
    said: list[str] = []
    with build_lock(built / "build", said.append):
        thread = threading.Thread(target=lambda: build_run(built, OPTIONS, report=said.append, jobs=1))
        thread.start()
        time.sleep(1.0)
        assert thread.is_alive()
        assert any("waiting for another build" in line for line in said)
    thread.join(60)
    assert not thread.is_alive() and any("up to date" in line for line in said)


def test_watch_rebuilds_after_an_edit_and_survives_a_mistake(built: Path) -> None:
    command = [
        sys.executable,
        str(ROOT / "generate.py"),
        "-C",
        str(built),
        "watch",
        "-l",
        "en",
        "--interval",
        "0.2",
    ]
    # Ctrl-C stops it: SIGINT as a terminal sends it, even when this suite runs with SIGINT ignored (a
    # shell's background job without job control), which the watch would otherwise inherit
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        wait_for(lambda: any("watching" in l for l in lines))
        handout = built / "handouts" / "aftercare.yaml"
        good = handout.read_text()
        handout.write_text(good.replace("kind: aftercare", "kind: afterkare", 1))
        wait_for(lambda: any("afterkare" in l and l.startswith("error:") for l in lines))
        handout.write_text(good.replace("Rest for the rest of the day if you can.", "Rest today if you can."))
        wait_for(lambda: any("rebuilding en/aftercare.pdf" in l for l in lines))
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(20)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_one_pool_serves_the_build_and_results_keep_their_order(tmp_path: Path) -> None:
    """Every sheet goes to the same pool of warm workers (no pool is started again, no worker is
    replaced), results come back in submission order, and closing leaves no pool behind."""
    from types import SimpleNamespace

    from handoutgen.build import workers

    renderer = workers.Renderer(tmp_path, 2)
    results = []
    for pages in range(1, 8):
        html = "<p>x</p>" + '<p style="break-before: page">x</p>' * (pages - 1)
        renderer.submit(SimpleNamespace(html=html, job=SimpleNamespace(label=f"sheet {pages}", locale="en")))
        if renderer.in_flight > 3:  # the caller bounds what is in flight
            results.append(renderer.next_result())
    while renderer.in_flight:
        results.append(renderer.next_result())
    renderer.close()
    assert [r["pages"] for r in results] == [1, 2, 3, 4, 5, 6, 7]
    assert renderer.pools_started == 1 and renderer.pool is None
    assert len({r["pid"] for r in results}) <= 2


def test_a_single_sheet_is_rendered_in_this_process(tmp_path: Path) -> None:
    import os
    from types import SimpleNamespace

    from handoutgen.build import workers

    renderer = workers.Renderer(tmp_path, 2)
    renderer.submit(SimpleNamespace(html="<p>x</p>", job=SimpleNamespace(label="one", locale="en")))
    result = renderer.next_result()
    assert result["pid"] == os.getpid() and renderer.pools_started == 0


def test_pdfs_are_written_while_later_sheets_are_still_being_prepared(tmp_path: Path, monkeypatch) -> None:
    """The planner streams: the first PDF is written before the last sheet is prepared, and no more
    than IN_FLIGHT_PER_WORKER × workers sheets (their HTML) wait at any time."""
    from handoutgen.build import run as build_module
    from handoutgen.build import workers

    monkeypatch.setattr(build_module, "IN_FLIGHT_PER_WORKER", 1)
    most = []
    real_submit = workers.Renderer.submit

    def submit(self, prepared) -> None:
        real_submit(self, prepared)
        most.append(self.in_flight)

    monkeypatch.setattr(workers.Renderer, "submit", submit)
    root = copy_project(tmp_path / "project")
    lines: list[str] = []
    run = build_run(root, OPTIONS, report=lines.append, jobs=2)
    assert not run.failed and len(run.rebuilt) == 12
    first_pdf = next(i for i, line in enumerate(lines) if line.startswith("[1/"))
    last_prepared = max(i for i, line in enumerate(lines) if line.startswith("rebuilding"))
    assert first_pdf < last_prepared, lines
    assert max(most) <= 3  # the window (2) and the sheet just submitted


def test_a_final_sheet_takes_one_template_pass_and_a_draft_two(built: Path, monkeypatch) -> None:
    """Finals are rendered once (their print identifier filled in after); drafts again with their
    DRAFT marks. English sheets are final; the shipped Spanish ones are drafts."""
    from handoutgen.build import run as build_module

    calls: list[str] = []
    real = build_module.render_html

    def counting(project, env, handout, clinic, locale, *args, **kwargs):
        calls.append(locale.code)
        return real(project, env, handout, clinic, locale, *args, **kwargs)

    monkeypatch.setattr(build_module, "render_html", counting)
    build_run(built, BuildOptions(locales=("en", "es")), report=lambda line: None, jobs=1, force=True)
    handouts = len(list((built / "handouts").glob("*.yaml")))
    assert calls.count("en") == handouts and calls.count("es") == 2 * handouts


def test_a_no_op_reads_no_pdf(built: Path, monkeypatch) -> None:
    """Up-to-date PDFs are known by the size and time recorded with their hash; one whose size or
    time changed is hashed again (and found changed, or not)."""
    assert rebuild(built) == {}  # records every PDF's size and time
    read: list[str] = []
    real = Path.read_bytes

    def spying(self: Path) -> bytes:
        if self.suffix == ".pdf":
            read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spying)
    run = build_run(built, OPTIONS, report=lambda line: None)
    assert run.no_op and read == []
    pdf = built / "build" / "es" / "aftercare.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-2] + b"X\n")  # same size, new time: hashed, found changed
    assert rebuild(built) == {"es/aftercare.pdf": ["PDF missing or changed on disk"]}


def test_a_cold_build_with_workers_never_imports_weasyprint_in_the_planner(tmp_path: Path) -> None:
    """The planner prepares; WeasyPrint runs only in the workers, the stylesheet check included (it
    runs in a worker ahead of the first sheet). Importing WeasyPrint costs the planner most of a
    second of CPU that the workers need."""
    root = copy_project(tmp_path / "project")
    code = (
        "import sys; from handoutgen.build.run import BuildOptions, build_run; "
        f"r = build_run({str(root)!r}, BuildOptions(locales=('en', 'es')), report=lambda l: None, jobs=2); "
        "assert not r.failed and len(r.rebuilt) > 1, r; "
        "assert 'weasyprint' not in sys.modules, 'the planner imported WeasyPrint'"
    )
    run_python(code)
    assert len(list((root / "build").glob("*/*.pdf"))) > 1


def test_a_stylesheet_error_found_in_a_worker_stops_the_build_before_any_pdf(tmp_path: Path) -> None:
    """The check's error crosses from the worker as the same error (class, message, problems), and
    comes before the first result, so nothing is written however far the workers got."""
    from handoutgen.errors import TemplateError

    root = copy_project(tmp_path / "project")
    css = root / "templates" / "handout.css"
    css.write_text(css.read_text() + "\nh2 { colour: red }\n")
    line = css.read_text().count("\n")
    with pytest.raises(TemplateError) as caught:
        build_run(root, OPTIONS, report=lambda line: None, jobs=2, force=True)
    assert caught.value.problems and caught.value.problems[0].line == line
    assert f"templates/handout.css:{line}: WeasyPrint drops this" in str(caught.value)
    assert not list((root / "build").glob("*/*.pdf"))


def test_errors_cross_processes_whole() -> None:
    import pickle

    from handoutgen.errors import CatalogError, Problem

    error = CatalogError(problems=[Problem("locales/es/x.po", 3, "bad", "entries[1]")])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is CatalogError and again.exit_code == 3
    assert str(again) == str(error) and again.problems == error.problems


def test_font_files_are_the_ones_fc_match_names() -> None:
    """The staleness key's font files are asked of fontconfig in this process; the answer is the
    command-line tool's for every family and style a shipped language uses (and for a family that is
    not installed, fontconfig's fallback)."""
    import shutil

    from handoutgen.build.fontfiles import _fc_match, font_file
    from handoutgen.text.locales import locale_info

    if not shutil.which("fc-match"):
        pytest.skip("fontconfig's fc-match is not installed")
    families = {"No Such Family 7f3c"}
    for code in ("en", "es", "zh_Hans", "vi", "ar", "ko"):
        families.update(locale_info(code).fonts)
    for family in sorted(families):
        for style in ("Regular", "Bold"):
            assert font_file(family, style) == _fc_match(family, style), (family, style)
            assert font_file(family, style), (family, style)


def _prepared_handouts(monkeypatch) -> list[tuple[str, str]]:
    """(handout, locale) of every sheet the build prepares from now on."""
    from handoutgen.build import run as build_module

    prepared: list[tuple[str, str]] = []
    real = build_module.prepare_job

    def spying(inputs, job, options, env):
        prepared.append((job.handout_id, job.locale))
        return real(inputs, job, options, env)

    monkeypatch.setattr(build_module, "prepare_job", spying)
    return prepared


def test_after_an_edit_only_the_sheets_it_can_change_are_prepared_again(tmp_path: Path, monkeypatch) -> None:
    """Sheets whose handout, shared parts and catalogue entries are as they were are known up to
    date without their Jinja pass: an English edit prepares that handout's sheets only (the catalogue
    update turns the edited entry stale, which no other sheet uses); a catalogue edit prepares the
    sheets using that entry only."""
    built = copy_project(tmp_path / "project")
    build_run(built, OPTIONS, report=lambda line: None, jobs=2)  # records what each sheet was made from
    prepared = _prepared_handouts(monkeypatch)
    replace(built / "handouts" / "aftercare.yaml", "Rest for the rest of the day", "Rest for the whole day")
    rebuilt = rebuild(built)
    assert sorted(prepared) == sorted(("aftercare", code) for code in LOCALES), prepared
    assert sorted(rebuilt) == ["en/aftercare.pdf"]  # the others' HTML is unchanged (still a draft)
    prepared.clear()
    path = po_path(built / "locales", "es")
    catalog = load_catalog(path, "es")
    message = catalog.get(SHARED_ENTRY)
    message.string += " (editado)"
    save_catalog(catalog, path)
    rebuilt = rebuild(built)
    users = {h for h, code in prepared}
    assert prepared and all(code == "es" for _, code in prepared), prepared
    assert set(rebuilt) == {f"es/{h}.pdf" for h in users} and len(users) < 4


def test_a_build_that_knows_its_sheets_says_what_a_full_preparation_says(tmp_path: Path) -> None:
    """The same edit, built with the records and without them (no .cache): the same lines, the same
    exit code, the same PDFs, the same manifest."""
    import shutil

    built = copy_project(tmp_path / "project")
    build_run(built, OPTIONS, report=lambda line: None, jobs=2)
    replace(built / "handouts" / "aftercare.yaml", "Rest for the rest of the day", "Rest for the whole day")
    path = po_path(built / "locales", "ar")
    catalog = load_catalog(path, "ar")
    catalog.get(SHARED_ENTRY).flags.discard("fuzzy")  # a machine draft now awaits review: new DRAFT reason
    save_catalog(catalog, path)
    bare = tmp_path / "bare"
    shutil.copytree(built, bare)
    shutil.rmtree(bare / ".cache")
    results = []
    for root in (built, bare):
        lines: list[str] = []
        run = build_run(root, OPTIONS, report=lines.append, jobs=1)
        shown = sorted(line.replace(str(root), "ROOT") for line in lines if not line.startswith("["))
        manifest = Manifest(root / "build")
        pdfs = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "build").glob("*/*.pdf")}
        outcomes = [(o.job, o.draft, o.used, o.pages, o.warnings, o.path is not None) for o in run.outcomes]
        recorded = {name: cast(dict, manifest.entry(name))["pdf"] for name in manifest.names()}
        results.append((shown, run.exit_code, outcomes, pdfs, recorded))
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("state", "started"),
    [("cold", True), ("built", False), ("explain", False), ("one worker", False), ("one sheet", False)],
)
def test_a_cold_build_starts_its_forkserver_before_anything_else(
    tmp_path: Path, state: str, started: bool
) -> None:
    """`generate.py build` on a project with no manifest starts the forkserver (which imports
    WeasyPrint for the workers) before the planner imports its own modules; nothing is started when
    the build will likely render little or nothing in workers."""
    root = tmp_path / "project"
    (root / "build").mkdir(parents=True)
    if state == "built":
        (root / "build" / MANIFEST).write_text("{}")
    options = {
        "jobs": 1 if state == "one worker" else 2,
        "force": False,
        "explain": state == "explain",
        "one_sheet": state == "one sheet",
    }
    code = (
        "import multiprocessing.forkserver as f; from pathlib import Path; "
        "from handoutgen.build.workers import start_early; "
        f"start_early(Path({str(root)!r}), **{options!r}); "
        "print(f._forkserver._forkserver_pid is not None)"
    )
    assert run_python(code).split()[-1] == str(started)


@pytest.mark.parametrize("edited", [None, "templates/handout.html.j2", "assets/logo.svg", "clinic.yaml"])
def test_workers_start_early_after_a_file_every_sheet_uses_is_saved(built: Path, edited: str | None) -> None:
    """A saved template, stylesheet or clinic setting makes every sheet stale: the forkserver (which
    imports WeasyPrint for the workers) starts before the planner imports its own modules, as for a
    cold build. With nothing saved since the last build it does not start (a no-op stays cheap)."""
    import os

    if edited:
        path = built / edited
        os.utime(path, (path.stat().st_atime, (built / "build" / MANIFEST).stat().st_mtime + 5))
    code = (
        "import multiprocessing.forkserver as f; from handoutgen.build.workers import start_early; "
        f"start_early({str(built)!r}, jobs=2, force=False, explain=False, one_sheet=False); "
        "print(f._forkserver._forkserver_pid is not None)"
    )
    assert run_python(code).strip() == str(edited is not None)


def test_a_build_knows_early_when_every_sheet_is_stale(built: Path) -> None:
    """Before reading the catalogues, the build tells a template or clinic edit (every sheet made
    with other shared parts) from an edit to one handout, and starts its workers at once."""
    from handoutgen.build.manifest import Manifest
    from handoutgen.build.run import _shared_part_changed, load_inputs

    def changed() -> bool:
        return _shared_part_changed(load_inputs(built), Manifest(built / "build"))

    assert not changed()
    aftercare = built / "handouts" / "aftercare.yaml"
    aftercare.write_text(aftercare.read_text().replace("Rest for the rest of the day", "Rest all day", 1))
    assert not changed()
    template = built / "templates" / "handout.html.j2"
    template.write_text(template.read_text().replace("<body>", "<body>\n<!-- a new footer -->", 1))
    assert changed()


def test_the_english_sheets_go_to_the_workers_before_the_catalogues_are_updated(
    tmp_path: Path, monkeypatch
) -> None:
    """The catalogue update (here: an English edit reaching every catalogue) runs while the workers
    render the English sheets: after those are submitted and before any translated sheet is prepared."""
    from handoutgen.build import run as build_module
    from handoutgen.build import workers

    events: list[str] = []
    real_submit, real_refresh, real_prepare = (
        workers.Renderer.submit,
        build_module._refresh_catalogs,
        build_module.prepare_job,
    )

    def submit(self, prepared) -> None:
        events.append(f"submit {prepared.job.locale}")
        real_submit(self, prepared)

    def refresh(*args, **kwargs):
        events.append("update")
        return real_refresh(*args, **kwargs)

    def prepare(inputs, job, *args):
        events.append(f"prepare {job.locale}")
        return real_prepare(inputs, job, *args)

    monkeypatch.setattr(workers.Renderer, "submit", submit)
    monkeypatch.setattr(build_module, "_refresh_catalogs", refresh)
    monkeypatch.setattr(build_module, "prepare_job", prepare)
    root = copy_project(tmp_path / "project")
    source = root / "handouts" / "aftercare.yaml"
    source.write_text(source.read_text().replace("Rest for the rest of the day", "Rest for the day", 1))
    lines: list[str] = []
    run = build_run(root, OPTIONS, report=lines.append, jobs=2)
    assert not run.failed and any(line.startswith("catalogue updated") for line in lines), lines
    update = events.index("update")
    english = [e for e in events if e.endswith(" en")]
    assert events[:update] == english and english.count("submit en") == 4, events
    assert all(not e.endswith(" en") for e in events[update + 1 :]), events


def test_a_catalogue_the_update_cannot_read_stops_the_build_before_any_pdf(
    tmp_path: Path, monkeypatch
) -> None:
    """The English sheets are already with the workers when the update finds a broken catalogue (more
    of them than are let in flight): nothing is written, not even an English PDF, and the catalogue
    is left as it was."""
    from handoutgen.build import run as build_module
    from handoutgen.errors import CatalogError

    monkeypatch.setattr(build_module, "IN_FLIGHT_PER_WORKER", 1)  # 2 in flight: the 4 English wait
    root = copy_project(tmp_path / "project")
    path = po_path(root / "locales", "es")
    path.write_text(path.read_text().replace('msgstr "', 'msgstr "\\q', 1), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(CatalogError) as caught:
        build_run(root, OPTIONS, report=lambda line: None, jobs=2)
    assert "locales/es/LC_MESSAGES/handouts.po:" in str(caught.value)
    assert not list((root / "build").glob("*/*.pdf")) and path.read_bytes() == before
