"""Read-only commands stay read-only, rewrites keep the translator's lines, crashes leave nothing
behind, concurrent writers lose nothing, and the print policy holds (draft on check errors,
--strict on warnings)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, approve, copy_project

try:
    from tests.argos_fixture import argos_packages
except ImportError:  # tests/ is on sys.path rather than the project root
    from argos_fixture import argos_packages  # noqa: F401

from handoutgen.build.run import BuildOptions, build_run
from handoutgen.build.service import _alive
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import (
    load_catalog,
    po_path,
    read_for_update,
    save_catalog,
    update_catalogs,
    write_changes,
)
from handoutgen.fsutil import write_bytes_atomic


def cli(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(root), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, result.stderr
    return result


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The shipped project as a fresh git checkout, with the project's own .gitignore."""
    root = copy_project(tmp_path / "repo")
    shutil.copy2(ROOT / ".gitignore", root / ".gitignore")
    git(root, "init", "-q")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    return root


# -- read-only commands -------------------------------------------------------------------------------


def test_read_only_commands_change_no_tracked_file(repo: Path) -> None:
    cli(repo, "build", "-l", "en", "-l", "es", "--handout", "aftercare")
    cli(repo, "build", "-l", "en", "-l", "es", "--handout", "aftercare")  # nothing changed
    cli(repo, "build", "--explain")
    cli(repo, "check", check=False)
    cli(repo, "status")
    cli(repo, "review", "sheet", "es", "--no-pdf")
    assert git(repo, "status", "--porcelain") == ""


def test_explain_after_an_english_edit_writes_no_catalogue(repo: Path) -> None:
    path = repo / "handouts" / "aftercare.yaml"
    path.write_text(
        path.read_text().replace(
            "Rest for the rest of the day if you can.", "Rest for the rest of the day, if you can."
        )
    )
    before = {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")}
    result = cli(repo, "build", "--explain")
    assert "would be updated" in result.stderr and "stale es/aftercare.pdf" in result.stderr
    assert {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")} == before


def test_an_update_with_no_english_change_rewrites_nothing_even_under_another_babel_header(
    repo: Path,
) -> None:
    """A catalogue last written by another Babel (or Poedit) is not rewritten for its header."""
    path = po_path(repo / "locales", "es")
    path.write_text(path.read_text().replace("Generated-By: Babel", "Generated-By: Poedit 3.4 / Babel"))
    before = path.stat().st_mtime_ns, path.read_bytes()
    reports = update_catalogs(repo)
    assert not any(r.changed for r in reports)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_an_english_edit_rewrites_only_that_entrys_lines_in_the_translators_wrapping(repo: Path) -> None:
    """Saved by a tool that wraps at 79 columns (msgcat's default), then one English edit: the diff
    of the catalogue is that one entry (and the old English kept as obsolete), nothing else."""
    path = po_path(repo / "locales", "es")
    subprocess.run(["msgcat", "--width=79", "-o", str(path), str(path)], check=True)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "msgcat")
    handout = repo / "handouts" / "aftercare.yaml"
    handout.write_text(
        handout.read_text().replace(
            "Rest for the rest of the day if you can.", "Rest for the rest of the day if you are able."
        )
    )
    update_catalogs(repo, ["es"])
    diff = git(repo, "diff", "-U0", "--", str(path.relative_to(repo)))
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(
        "Rest for the rest of the day" in line or line.startswith(("+#|", "+#,", "-#,", "+#~")) or line == "+"
        for line in changed
    ), changed
    assert len([line for line in changed if not line.startswith("+#~")]) <= 5, changed
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], check=True)


def test_a_latin1_catalogue_is_read_by_its_charset_and_never_written_with_escapes(repo: Path) -> None:
    """The charset header is honoured when reading. The English has characters Latin-1 cannot
    hold (the en dash), so an update refuses, saying how to convert, and writes nothing."""
    path = po_path(repo / "locales", "es")
    text = path.read_text(encoding="utf-8").replace("charset=utf-8", "charset=ISO-8859-1")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    catalog = load_catalog(path, "es")
    assert catalog.get("After your acupuncture visit").string == "Después de su visita de acupuntura"
    before = {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")}
    result = cli(repo, "catalogs", "update", check=False)
    assert result.returncode == 3 and "msgconv -t UTF-8" in result.stderr and "8859-1" in result.stderr
    assert result.stderr.startswith("error: locales/es/LC_MESSAGES/handouts.po: ")
    assert {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")} == before


def test_a_latin1_catalogue_keeps_its_charset_when_it_can(tmp_path: Path) -> None:

    path = tmp_path / "fr.po"
    path.write_bytes(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
        'msgid "Rest"\nmsgstr "Repos complet"\n\nmsgid "Call"\nmsgstr "Appelez-nous"\n'.encode("latin-1")
    )
    old, source = read_for_update(path)
    new, _ = read_for_update(path)
    new.get("Call").string = "Appelez-nous tôt"
    assert write_changes(path, new, old, source)
    data = path.read_bytes()
    assert "Appelez-nous tôt".encode("latin-1") in data and b"charset=ISO-8859-1" in data
    assert load_catalog(path).get("Call").string == "Appelez-nous tôt"
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], check=True, capture_output=True)


def test_a_bom_is_accepted_and_kept(repo: Path) -> None:
    path = po_path(repo / "locales", "es")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_catalog(path, "es")) > 100
    handout = repo / "handouts" / "aftercare.yaml"
    handout.write_text(
        handout.read_text().replace(
            "Rest for the rest of the day if you can.", "Rest for the rest of the day if you are able."
        )
    )
    update_catalogs(repo, ["es"])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


# -- a broken file is refused, never repaired --------------------------------------------------------


def _unclose(text: str) -> str:
    start = text.index('msgstr "Después')
    end = text.index("\n", start)
    return text[: end - 1] + text[end:]


@pytest.mark.parametrize(
    "damage, msgfmt_refuses, words",
    [
        (lambda t: t.replace('msgstr "Después', 'msgstr "Después\\q', 1), True, "escape"),
        (_unclose, True, "not closed"),
        (lambda t: t.replace('msgstr "Después', "msgstr Después", 1), True, "double quotes"),
        (lambda t: t + '\nmsgid "After your acupuncture visit"\nmsgstr "otra vez"\n', True, "defined twice"),
        (lambda t: t.replace('\nmsgid "', '\nmsgidd "', 3), True, "not a PO keyword"),
        # msgfmt only warns on these; the project cannot read them exactly, so it refuses, saying why
        (lambda t: t.replace("charset=utf-8", "charset=NO-SUCH-CHARSET"), False, "unknown charset"),
        (lambda t: t.replace('msgstr "Después', 'msgstr "Desp\x00ués', 1), False, "NUL byte"),
    ],
)
def test_a_broken_catalogue_is_refused_with_its_line_and_nothing_is_rewritten(
    repo: Path, damage, msgfmt_refuses, words
) -> None:
    path = po_path(repo / "locales", "es")
    path.write_text(damage(path.read_text()), encoding="utf-8")
    if msgfmt_refuses:
        assert (
            subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True).returncode != 0
        )
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    for args in (["catalogs", "update"], ["build", "-l", "es", "--handout", "aftercare"], ["check"]):
        result = cli(repo, *args, check=False)
        assert result.returncode == 3, (args, result.stderr)
        lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
        assert lines and words in lines[0], result.stderr
        assert "locales/es/LC_MESSAGES/handouts.po:" in lines[0], lines[0]
    after = {p: p.read_bytes() for p in before}
    assert after == before


def test_a_template_syntax_error_makes_no_entry_obsolete(repo: Path) -> None:
    template = repo / "templates" / "handout.html.j2"
    template.write_text(template.read_text().replace("{% if ", "{% iff ", 1))
    before = {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")}
    for args in (["catalogs", "update"], ["build", "-l", "es"], ["check"]):
        result = cli(repo, *args, check=False)
        assert result.returncode == 2, result.stderr
        assert "templates/handout.html.j2:" in result.stderr and "iff" in result.stderr
    assert {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")} == before


def test_check_catches_what_the_build_would_fail_on(repo: Path) -> None:
    """One validation path: a placeholder dropped in a translation fails the build and `check`."""
    path = po_path(repo / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and "{clinic_phone}" in m.id)
    message.string = message.string.replace("{clinic_phone}", "{clinic_fone}")
    save_catalog(catalog, path)
    build = cli(repo, "build", "-l", "es", check=False)
    check = cli(repo, "check", "-l", "es", check=False)
    assert build.returncode == 3 and check.returncode == 1  # an invalid catalogue; check: "a check failed"
    assert "invents clinic_fone" in build.stderr and "invents clinic_fone" in check.stderr


# -- crash leftovers and concurrency ----------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_a_killed_run_are_removed_and_a_live_ones_kept(repo: Path) -> None:
    folder = po_path(repo / "locales", "es").parent
    dead = folder / f".handouts.po.{_dead_pid()}.abc123.tmp"
    dead.write_text("half a catalogue")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = folder / f".handouts.po.{sleeper.pid}.xyz789.tmp"
        live.write_text("being written")
        other = folder / "notes.tmp"  # not ours: never touched
        other.write_text("mine")
        result = cli(repo, "catalogs", "update")
        assert not dead.exists() and live.exists() and other.exists()
        assert "left by an interrupted run" in result.stderr
    finally:
        sleeper.kill()


def test_a_build_killed_at_random_points_leaves_no_temp_file_after_the_next_run(repo: Path) -> None:
    for delay in (0.3, 0.9, 1.6):
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(repo), "-l", "es", "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.kill()
        proc.wait()
    cli(repo, "-l", "es", "-j", "1")
    leftovers = [p for p in repo.rglob("*.tmp") if ".git" not in p.parts]
    assert leftovers == []
    for pdf in (repo / "build" / "es").glob("*.pdf"):
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


def _marked(mark: str) -> list[int]:
    """The live processes whose environment holds ``mark`` (a build and everything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            marked = entry.name.isdigit() and mark.encode() in (entry / "environ").read_bytes()
            if marked and _alive(entry.name):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for(test, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not test() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(test())


def test_a_killed_build_leaves_no_process_behind(repo: Path) -> None:
    """A build killed outright (SIGKILL: no clean-up runs) once its first sheet is written: the
    workers, the forkserver and multiprocessing's resource tracker all end within seconds, instead
    of holding WeasyPrint in memory for ever."""
    mark = f"HANDOUTGEN_TEST_MARK=killed-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(repo), "--force", "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        started = _wait_for(lambda: any((repo / "build").glob("*/*.pdf")))
        assert started and proc.poll() is None, "the build ended before it could be killed"
        before = len(_marked(mark))
        proc.kill()
        proc.wait()
        assert _wait_for(lambda: not _marked(mark), seconds=15), f"of {before}, alive: {_marked(mark)}"
    finally:
        for pid in _marked(mark):
            os.kill(pid, 9)


def test_an_update_during_a_translate_run_loses_neither(repo: Path, argos_packages) -> None:
    """`translate` writes its drafts under the catalogue's lock and into the file as it is then:
    an English edit merged by `catalogs update` while the model ran is kept, and so are the drafts."""
    import io

    from handoutgen.mt import drafting as translate
    from handoutgen.mt import packages as models

    models.install_file(argos_packages.copy_en_es, models.packages_dir(project_dir=repo))
    path = po_path(repo / "locales", "es")
    catalog = load_catalog(path, "es")
    emptied = [m.id for m in catalog if m.id and "24 hours" in m.id][:2]
    assert emptied
    for msgid in emptied:
        catalog.get(msgid).string = ""
    save_catalog(catalog, path)
    engine = translate.Engine(models.require_package("en", "es", models.packages_dir(project_dir=repo)))
    real = engine.translate

    def translate_and_meanwhile_edit(texts):
        handout = repo / "handouts" / "aftercare.yaml"
        handout.write_text(
            handout.read_text().replace(
                "Rest for the rest of the day if you can.", "Rest for the rest of the day if you are able."
            )
        )
        cli(repo, "catalogs", "update", "es")  # another process, while the model runs
        return real(texts)

    engine.translate = translate_and_meanwhile_edit
    translate.translate_locale(
        "es", locales_dir=repo / "locales", project_dir=repo, engine=engine, progress=io.StringIO()
    )
    after = load_catalog(path, "es")
    edited = after.get("Rest for the rest of the day if you are able.")
    assert edited is not None and edited.string and entry_state(edited) is State.STALE
    for msgid in emptied:
        assert after.get(msgid).string == msgid  # the copy package's draft
        assert entry_state(after.get(msgid)) is State.MACHINE_DRAFT
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], check=True)


def test_catalogue_writers_share_one_lock(repo: Path) -> None:
    """While a lock holder writes, `catalogs update` waits (and says so) instead of interleaving."""
    from handoutgen.catalogs.store import catalog_locks

    done = threading.Event()

    def hold() -> None:
        with catalog_locks(repo, ["es"]):
            time.sleep(1.5)
        done.set()

    thread = threading.Thread(target=hold)
    thread.start()
    time.sleep(0.2)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(repo), "catalogs", "update", "es"],
        capture_output=True,
        text=True,
    )
    assert done.is_set(), "the update did not wait for the lock"
    assert "waiting for another command" in proc.stderr and proc.returncode == 0
    thread.join()


# -- atomic writes ------------------------------------------------------------------------------------


def test_a_write_that_fails_half_way_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """The disk fills up half-way (RLIMIT_FSIZE): the old catalogue stays intact, no temp is left."""
    path = tmp_path / "handouts.po"
    shutil.copy2(po_path(ROOT / "locales", "es"), path)
    before = path.read_bytes()
    code = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from handoutgen.fsutil import write_bytes_atomic\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        f"write_bytes_atomic(Path({str(path)!r}), b'x' * 100000)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "File too large" in result.stderr
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["handouts.po"]


def test_an_atomic_write_replaces_the_file_rather_than_writing_into_it(tmp_path: Path) -> None:
    """A reader holding the old file keeps reading the old bytes (a new inode, renamed over)."""
    path = tmp_path / "out.pdf"
    path.write_bytes(b"old")
    with open(path, "rb") as reader:
        inode = os.fstat(reader.fileno()).st_ino
        write_bytes_atomic(path, b"new")
        assert reader.read() == b"old"
    assert path.read_bytes() == b"new" and path.stat().st_ino != inode


# -- the print policy -----------------------------------------------------------------------------------


def _approve_all(path: Path, code: str) -> None:
    approve(path.parents[3], code)


def test_a_reviewed_sheet_with_an_error_level_finding_prints_as_draft(repo: Path) -> None:
    path = po_path(repo / "locales", "es")
    _approve_all(path, "es")
    options = BuildOptions(locales=("es",), handouts=("aftercare",))
    run = build_run(repo, options, report=lambda line: None)
    assert run.outcomes[0].path and run.outcomes[0].draft is None  # all reviewed and clean: final
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and "24" in m.id and "aftercare" in str(m.auto_comments))
    message.string = message.string.replace("24", "12")  # a changed number: an error-level finding
    save_catalog(catalog, path)  # changed after approval, by any tool: no longer reviewed
    run = build_run(repo, options, report=lambda line: None)
    assert run.outcomes[0].draft and "failing checks" in run.outcomes[0].draft


def test_strict_turns_check_warnings_into_errors(repo: Path) -> None:
    """A check warning (a translation left in English): a plain build passes, --strict fails."""
    path = po_path(repo / "locales", "ko")
    catalog = load_catalog(path, "ko")
    message = catalog.get("Rest for the rest of the day if you can.")
    message.string = message.id  # untranslated: a warning
    save_catalog(catalog, path)
    relaxed = cli(
        repo,
        "build",
        "-l",
        "ko",
        "--handout",
        "aftercare",
        "--handout",
        "back-care",
        "--handout",
        "back-pain-faq",
        "--handout",
        "first-visit",
        check=False,
    )
    strict = cli(repo, "build", "-l", "ko", "--strict", check=False)
    assert relaxed.returncode == 0, relaxed.stderr
    assert strict.returncode == 1 and "check warnings (--strict)" in strict.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["catalogs", "update", "{outside}"],
        ["catalogs", "init", "{outside}"],
        ["translate", "{outside}"],
        ["review", "sheet", "{outside}"],
        ["review", "approve", "{outside}", "--reviewer", "A", "--all", "--yes"],
        ["build", "-l", "{outside}"],
        ["check", "-l", "{outside}"],
        ["status", "-l", "{outside}"],
    ],
)
def test_a_locale_code_never_becomes_a_path_outside_the_project(
    repo: Path, tmp_path: Path, args: list[str]
) -> None:
    """Every command that takes a locale refuses a code that is a path, before reading or writing."""
    outside = tmp_path / "outside"
    (outside / "LC_MESSAGES").mkdir(parents=True)
    po = outside / "LC_MESSAGES" / "handouts.po"
    shutil.copy2(po_path(repo / "locales", "es"), po)
    before = po.read_bytes()
    code = os.path.relpath(outside, repo / "locales")
    result = cli(repo, *[a.format(outside=code) for a in args], check=False)
    assert result.returncode == 3 and "is a path, not a locale code" in result.stderr, result.stderr
    assert po.read_bytes() == before and sorted(p.name for p in outside.rglob("*")) == [
        "LC_MESSAGES",
        "handouts.po",
    ]
