"""WeasyPrint in the processes that render: imported without the compiler and linker runs of its
library lookup (render/weasy.py) and with Python's collector paused; the build's workers started off
the planner's thread and from the package's folder; their collector run once a sheet; a clinic's
@font-face fonts copied by WeasyPrint removed as each process ends."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import ROOT, copy_project, run_python

#: A sitecustomize that logs every program a Python process starts (its pid and argv), wherever the
#: process comes from: the planner, the forkserver, the workers.
LOG_PROGRAMS = """
import json, os, sys

def _hook(event, args):
    if event == "subprocess.Popen":
        with open(os.environ["PROGRAM_LOG"], "a") as log:
            log.write(json.dumps([os.getpid(), [str(a) for a in (args[1] or [args[0]])]]) + "\\n")

sys.addaudithook(_hook)
"""


def _programs_started(tmp_path: Path, *args: str) -> list[list[str]]:
    """The programs Python started while ``generate.py`` ran ``args`` (exit 0), in every process."""
    hooks, log = tmp_path / "hooks", tmp_path / "programs.log"
    hooks.mkdir(parents=True)
    (hooks / "sitecustomize.py").write_text(LOG_PROGRAMS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)]), "PROGRAM_LOG": str(log)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line)[1] for line in log.read_text().splitlines()] if log.exists() else []


def test_a_build_starts_no_compiler_or_linker_in_any_process(tmp_path: Path) -> None:
    """A build with workers (forkserver and workers import WeasyPrint) and one sheet rendered in the
    planner itself: WeasyPrint's libraries are found without a C compiler or linker run (they were
    about 80 programs, 0.15-0.2 s, in every process that imports WeasyPrint)."""
    root = copy_project(tmp_path / "project")
    with_workers = _programs_started(
        tmp_path / "a", "-C", str(root), "build", "-j", "2", "--handout", "aftercare"
    )
    assert len(list((root / "build").glob("*/aftercare.pdf"))) == 6
    in_planner = _programs_started(
        tmp_path / "b", "-C", str(root), "build", "--force", "-l", "es", "--handout", "aftercare"
    )
    for started in (with_workers, in_planner):
        names = [Path(argv[0]).name for argv in started]
        assert not {"gcc", "cc", "ld", "collect2"} & set(names), names
        # the library cache: read where WeasyPrint is imported, and for fontconfig (build/fontfiles.py)
        assert names.count("ldconfig") <= 2, names


def test_the_cached_lookup_gives_the_standard_lookups_first_answer() -> None:
    """Answers as ctypes.util.find_library's first step (``ldconfig -p``) does: the soname of this
    machine's own kind of library, None for a name the cache does not know."""
    from handoutgen.render.weasy import cached_lookup, library_cache

    listing = library_cache()
    find = cached_lookup(listing)
    import ctypes.util

    for name in ("pango-1.0", "harfbuzz", "harfbuzz-subset", "fontconfig", "gobject-2.0", "c", "m"):
        assert find(name) == ctypes.util.find_library(name), name
    assert find("libpango-1.0-0") is None and find("no-such-library") is None
    other = "\tlibpango-1.0.so.0 (libc6) => /usr/lib32/libpango-1.0.so.0\n" + listing
    assert find("pango-1.0") == cached_lookup(other)("pango-1.0")  # another machine's kind is passed over


def test_weasyprint_is_imported_the_standard_way_when_the_cache_lists_nothing() -> None:
    """A machine whose library cache does not list WeasyPrint's libraries (installed elsewhere, found
    by the compiler's search): the import falls back to the standard lookup, finds them, and says
    nothing (WeasyPrint's installation advice is not printed for the first try)."""
    out = run_python(
        textwrap.dedent(
            """
            import subprocess
            real = subprocess.run
            def run(cmd, *args, **kwargs):
                if list(cmd) == ["/sbin/ldconfig", "-p"]:
                    return subprocess.CompletedProcess(cmd, 0, b"", b"")
                return real(cmd, *args, **kwargs)
            subprocess.run = run
            from handoutgen.render.weasy import weasyprint
            import weasyprint.text.ffi as ffi
            print("subset" if ffi.harfbuzz_subset is not None else "no subset")
            print(len(weasyprint.HTML(string="<p>x</p>").write_pdf()) > 500)
            """
        )
    )
    assert out.split() == ["subset", "True"], out


def test_weasyprint_is_imported_only_through_render_weasy() -> None:
    """Every import of WeasyPrint in the package comes after render/weasy.py has imported it in the
    same function (or is that module): otherwise the first import anywhere would look its libraries
    up the slow way."""
    offenders = []
    for path in sorted((ROOT / "handoutgen").rglob("*.py")):
        if path.name == "weasy.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
                body = node.body
                seen_weasy = False
                for statement in body:
                    names = _imported(statement)
                    if any(n == "handoutgen.render.weasy" for n in names):
                        seen_weasy = True
                    if any(n.split(".")[0] == "weasyprint" for n in names) and not seen_weasy:
                        offenders.append(f"{path.relative_to(ROOT)}:{statement.lineno}")
    assert not offenders, offenders


def _imported(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    if isinstance(statement, ast.ImportFrom) and statement.module:
        return [statement.module]
    return []


SLOW_PRELOAD = """
import os, time
time.sleep(float(os.environ["SLOW_SECONDS"]))
open(os.environ["SLOW_DONE"], "w").close()
"""


def test_the_planner_goes_on_while_the_workers_start(tmp_path: Path) -> None:
    """Starting a worker waits for the forkserver's imports; the planner does not: it submits sheets
    and asks for the stylesheet check while the forkserver is still importing, and the workers are
    handed those sheets as soon as they run, in order, without the planner asking."""
    (tmp_path / "slowstart.py").write_text(SLOW_PRELOAD)
    done = tmp_path / "imported"
    code = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from types import SimpleNamespace
        from handoutgen.build import workers

        workers.PRELOAD = ["slowstart", *workers.PRELOAD]
        renderer = workers.Renderer(Path({str(tmp_path)!r}), 2, eager=True)
        renderer.check_stylesheets()
        for pages in (1, 2, 3):
            html = "<p>x</p>" + '<p style="break-before: page">x</p>' * (pages - 1)
            renderer.submit(SimpleNamespace(html=html, job=SimpleNamespace(label=str(pages), locale="en")))
        print("submitted before the forkserver was ready:", not os.path.exists({str(done)!r}))
        deadline = time.monotonic() + 60
        while renderer.pending and time.monotonic() < deadline:
            time.sleep(0.05)
        print("handed over without asking:", not renderer.pending)
        print("pages:", [renderer.next_result()["pages"] for _ in range(3)])
        renderer.close()
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "SLOW_SECONDS": "3",
        "SLOW_DONE": str(done),
    }
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "submitted before the forkserver was ready: True",
        "handed over without asking: True",
        "pages: [1, 2, 3]",
    ], (result.stdout, result.stderr[-2000:], time.monotonic() - started)


SHADOW = """
import os
with open(os.environ["SHADOW_LOG"], "a") as log:
    log.write(f"{os.getpid()} ran {__file__}\\n")
raise ImportError("a stray file, not the real module")
"""


def test_files_in_the_current_folder_are_not_run_by_workers_or_the_service(tmp_path: Path) -> None:
    """Staff may run generate.py from any folder. A stray ``pydyf.py`` (a module WeasyPrint imports),
    ``yaml.py`` or ``json.py`` (a standard module) there is run by no process of a build with workers
    (forkserver, workers) nor of the render service: they start from the package's folder, since
    Python 3.11's forkserver (``-c``) and ``-m`` look in their current folder first. (Before, such a
    file stopped the build with a traceback, or ran inside it.)"""
    root = copy_project(tmp_path / "project")
    where = tmp_path / "staff-folder"
    where.mkdir()
    for name in ("pydyf", "yaml", "fontTools", "segno", "json"):
        (where / f"{name}.py").write_text(SHADOW)
    log = tmp_path / "shadow.log"
    env = {**os.environ, "SHADOW_LOG": str(log)}
    env.pop("PYTHONPATH", None)

    def generate(*args: str) -> None:
        result = subprocess.run(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(root), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=where,
        )
        assert result.returncode == 0, result.stderr[-2000:]

    generate("build", "-j", "2", "--handout", "aftercare", "-l", "en", "-l", "es")
    assert len(list((root / "build").glob("*/aftercare.pdf"))) == 2
    generate("workers", "start", "-j", "1")
    try:
        generate("build", "--force", "--handout", "aftercare", "-l", "en", "-l", "es")
    finally:
        generate("workers", "stop")
    assert not log.exists(), log.read_text()


def test_a_clinic_font_leaves_no_copy_behind(tmp_path: Path) -> None:
    """WeasyPrint copies each @font-face font into a temporary folder of the font configuration's
    own; every process that rendered removes it as it ends: the workers of a build (they left one
    folder each, on every build), and a build that renders in its own process."""
    project = copy_project(tmp_path / "project")
    font = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans:style=Regular"], capture_output=True, text=True, check=True
    ).stdout
    shutil.copy(font, project / "assets" / "clinic.ttf")
    sheet = project / "templates" / "handout.css"
    rule = "@font-face { font-family: Clinic; src: url(../assets/clinic.ttf) }\nh1 { font-family: Clinic }\n"
    sheet.write_text(rule + sheet.read_text(encoding="utf-8"), encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    in_workers = ["-j", "2", "--locale", "en", "--locale", "es"]
    in_process = ["--force", "--handout", "aftercare", "--locale", "en"]  # one sheet: rendered here
    for args in (in_workers, in_process):
        result = subprocess.run(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(project), "build", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "TMPDIR": str(temp)},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "rebuilt" in result.stdout + result.stderr
        assert "Exception ignored" not in result.stderr
        assert sorted(path.name for path in temp.iterdir()) == []


SHEETS_IN_A_WORKER = """
import gc, weakref
from handoutgen.build import workers

class Node:
    pass

def two_sheets(root):
    passes = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and passes.append(info["generation"]))
    cycle = Node()
    cycle.itself = cycle
    left = weakref.ref(cycle)
    del cycle
    first = workers.pdf_worker((root, "<p>one</p>" * 500, "one", "en"))
    gone = left() is None
    second = workers.pdf_worker((root, "<p>two</p>" * 500, "two", "en"))
    return gone, passes, first["pages"], second["pages"]
"""


def test_a_pool_worker_collects_garbage_once_before_each_sheet(tmp_path: Path) -> None:
    """In a build's worker (started as the Renderer starts it), Python's collector is off and what is
    imported is frozen; the collector runs once before each sheet instead of dozens of times during
    a render, and the cycles a sheet leaves behind are gone before the next one is rendered."""
    (tmp_path / "sheets_in_a_worker.py").write_text(SHEETS_IN_A_WORKER)
    code = textwrap.dedent(
        f"""
        import gc
        from concurrent.futures import ProcessPoolExecutor
        from handoutgen.build import workers
        from sheets_in_a_worker import two_sheets

        with ProcessPoolExecutor(1, mp_context=workers.start_forkserver(), **workers.worker_setup()) as pool:
            state = pool.submit(gc.isenabled).result(), pool.submit(gc.get_freeze_count).result() > 10_000
            print("collector on, imports frozen:", state)
            print("cycle gone, passes, pages:", pool.submit(two_sheets, {str(ROOT)!r}).result())
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "collector on, imports frozen: (False, True)",
        "cycle gone, passes, pages: (True, [2, 2], 20, 20)",
    ]


def test_the_collector_is_paused_while_weasyprint_is_imported() -> None:
    """WeasyPrint's import (in the forkserver, before a build's first sheet) makes some 50,000
    objects that all live on; Python's collector does not walk them over and over meanwhile (it
    made about 150 passes), and it is running again afterwards."""
    code = """
import gc, sys
passes = []
gc.callbacks.append(lambda phase, info: phase == "stop" and passes.append(info["generation"]))
import handoutgen.render.weasy
print(len(passes) < 10, gc.isenabled(), "weasyprint.text.ffi" in sys.modules)
"""
    assert run_python(code).split() == ["True", "True", "True"]
