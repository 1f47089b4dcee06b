"""WeasyPrint in worker processes: HTML in, PDF bytes out, results in submission order."""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import os
import select
import signal
import threading
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutgen.errors import HandoutError
from handoutgen.project import Project
from handoutgen.render.pdf import html_to_pdf
from handoutgen.text.locales import locale_info

if TYPE_CHECKING:
    from handoutgen.build.run import Prepared


def pdf_worker(task: tuple[str, str, str, str]) -> dict:
    """WeasyPrint only, in a worker process: HTML in, PDF bytes out. One font configuration per
    worker is reused across its renders."""
    import resource

    global _WORKER_FONT_CONFIG
    root, html, label, code = task
    started = time.perf_counter()
    if _COLLECT_BEFORE_EACH:  # the sheets before this one: their garbage, in a single collection
        gc.collect()
    try:
        if _WORKER_FONT_CONFIG is None:
            _WORKER_FONT_CONFIG = _font_config()
        pdf = html_to_pdf(Project(Path(root)), html, label, locale_info(code), _WORKER_FONT_CONFIG)
        result = {"data": pdf.data, "pages": pdf.pages}
    except HandoutError as exc:
        result = {"error": str(exc), "code": exc.exit_code}
    result["seconds"] = time.perf_counter() - started
    result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["pid"] = os.getpid()
    return result


_WORKER_FONT_CONFIG = None

#: Set in a pool's worker (:func:`_warm_worker`): Python's collector is off there, and runs once
#: before each sheet instead of dozens of times during its render.
_COLLECT_BEFORE_EACH = False


def stylesheet_task(root: str) -> HandoutError | None:
    """The stylesheet check (:func:`~handoutgen.render.css.validate_stylesheets`), where WeasyPrint is
    already imported: its error, or None."""
    from handoutgen.render.css import validate_stylesheets

    try:
        validate_stylesheets(Project(Path(root)))
    except HandoutError as exc:
        return exc
    return None


class Renderer:
    """WeasyPrint in worker processes (it is not safe under threads), results in submission order.

    One pool of ``workers`` processes serves the whole build: WeasyPrint's memory grows only slowly
    across renders (tens of MB over thousands of sheets), while starting and warming a worker costs a
    second of CPU. The planner keeps only a few sheets in flight (:attr:`in_flight`, bounded by the
    caller), so neither its memory nor the pool's queue grows with the size of the library.

    ``eager`` starts the pool at once (a cold build: the workers import WeasyPrint and load fonts while
    the planner reads the project). Otherwise a pool starts at the second sheet: a single sheet is
    rendered in this process, where starting a worker would cost more than it saves.

    Starting a worker waits until the forkserver has imported WeasyPrint (most of a second), so the
    workers are started on a thread of their own: the planner goes on preparing sheets and updating
    catalogues meanwhile, what it submits waits in :attr:`pending`, and that thread hands it to the
    workers the moment they are there (``lock`` keeps the two threads' hands off each other).
    """

    def __init__(self, root: Path, workers: int, *, eager: bool = False):
        self.root = str(root)
        self.workers = workers
        self.pending: deque[tuple] = deque()  # tasks kept here until a pool is worth starting
        self.futures: deque[Any] = deque()
        self.pool: Any = None
        self.started = threading.Event()  # the pool's workers are running (starting one blocks)
        self.lock = threading.Lock()  # pending, futures and check, between this and the start thread
        self.pools_started = 0
        self.check: Any = None  # the stylesheet check: None, "pending" or its future
        if eager and workers > 1:
            self._start_pool()

    @property
    def in_flight(self) -> int:
        """Sheets submitted whose result has not been taken yet."""
        with self.lock:
            return len(self.pending) + len(self.futures)

    def submit(self, prepared: Prepared) -> None:
        if self.workers == 0:
            return  # explaining only
        with self.lock:
            self.pending.append((self.root, prepared.html, prepared.job.label, prepared.job.locale))
            self._send()
        if self.pool is None and self.workers > 1 and len(self.pending) >= 2:  # more than one sheet
            self._start_pool()

    def warm(self) -> None:
        """Start the pool now (the build knows it will render many sheets): the workers import
        WeasyPrint while the planner reads the catalogues, as in a cold build."""
        if self.pool is None and self.workers > 1:
            self._start_pool()

    def check_stylesheets(self) -> None:
        """Check the stylesheets (before the first sheet is submitted) where WeasyPrint runs: in a
        worker, ahead of every sheet, when there is a pool; else here, before the sheet rendered here.
        The planner never imports WeasyPrint for it. Its error is raised by :meth:`next_result` before
        the first result is given, so no PDF is written."""
        with self.lock:
            self.check = "pending"
            self._send()

    def next_result(self) -> dict:
        """The oldest submitted sheet's result (waiting for it); without a pool, rendered here."""
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is not None:
            self.started.wait()
            with self.lock:  # the start thread has handed over everything (or it failed: now)
                self._send()
        if self.check is not None:
            check, self.check = self.check, None
            try:
                error = stylesheet_task(self.root) if check == "pending" else check.result()
            except BrokenProcessPool:
                error = None  # said with the sheet's result, just below
            if error is not None:
                raise error
        if self.futures:
            try:
                return self.futures.popleft().result()
            except BrokenProcessPool:
                message = "a render worker stopped unexpectedly (out of memory?); build again"
                return {"error": message, "code": 5}
        return pdf_worker(self.pending.popleft())

    def _send(self) -> None:
        """Hand the stylesheet check and the pending sheets to the pool, in order, once its workers
        are running (called holding ``lock``)."""
        if self.pool is None or not self.started.is_set():
            return
        if self.check == "pending":
            self.check = self.pool.submit(stylesheet_task, self.root)
        while self.pending:
            self.futures.append(self.pool.submit(pdf_worker, self.pending.popleft()))

    def _start_pool(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        # the forkserver (started here unless the command line started it already) imports WeasyPrint
        # while the planner works; workers are forked from it, on a thread of their own
        context = start_forkserver()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, **worker_setup())
        self.pools_started += 1
        self.started.clear()
        threading.Thread(target=self._start_workers, name="start-render-workers", daemon=True).start()

    def _start_workers(self) -> None:
        """Start the pool's workers (an empty task each: the pool starts a worker for a task when
        none is idle, so one that is idle already may leave the next to start with the first sheet,
        by then at once), then hand them what the planner submitted meanwhile."""
        try:
            for _ in range(self.workers):
                self.pool.submit(_started)
            with self.lock:
                self.started.set()
                self._send()
        except Exception:  # a broken or closed pool: the planner's next call says so
            pass
        finally:
            self.started.set()

    def close(self) -> None:
        """Stop: results not taken yet are dropped (the build stops, or has taken them all)."""
        if self.pool is not None:
            self.started.wait()
        with self.lock:
            self.pending.clear()
            self.futures.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _started() -> None:
    """The task that starts a worker."""


#: What the forkserver imports once, for every worker forked from it to inherit.
PRELOAD = ["handoutgen.build.workers", "handoutgen.render.weasy", "weasyprint.text.fonts"]


#: The folder that holds the ``handoutgen`` package (a checkout's root, or site-packages).
PACKAGE_HOME = Path(__file__).resolve().parents[2]


def start_forkserver() -> Any:
    """Start the forkserver, which imports WeasyPrint (most of a second), and return its context; it
    runs beside this process, so the import overlaps whatever this process does meanwhile.

    It is started from the folder that holds this package: Python 3.11 starts it with ``-c`` (its
    module search starts in its current folder) and does not pass this process's search path on, so
    started from wherever staff ran the command, a ``pydyf.py`` or ``yaml.py`` lying there would be
    run by it and by every worker."""
    import multiprocessing
    import multiprocessing.forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    with contextlib.chdir(PACKAGE_HOME):  # the forkserver and resource tracker start here
        multiprocessing.forkserver.ensure_running()
    _stop_forkserver_at_exit()
    return context


@functools.cache
def _stop_forkserver_at_exit() -> None:
    atexit.register(_stop_forkserver)


def _stop_forkserver() -> None:
    """At exit, end the forkserver at once (its workers are gone by then). Left to itself it exits
    after this process, tearing down its WeasyPrint import for a fifth of a second, and whoever reads
    this command's output waits for it: it holds the same stderr."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def start_early(root: Path, *, jobs: int | None, force: bool, explain: bool, one_sheet: bool) -> None:
    """For a build that will render many sheets with more than one worker, the forkserver starts
    before the planner has even imported its own modules, which is the build's first second: a cold
    build (no manifest yet, or ``--force``), or one after a template, asset or clinic settings file
    was saved since the last build (a new logo makes every sheet stale)."""
    from handoutgen.build.manifest import LEGACY_MANIFEST, MANIFEST
    from handoutgen.build.service import running

    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or explain or one_sheet or running(root) is not None:
        return
    built = None
    for name in (MANIFEST, LEGACY_MANIFEST):  # the one of an earlier version until it is carried over
        with contextlib.suppress(OSError):
            built = built or (Path(root) / "build" / name).stat().st_mtime
    if force or built is None or _shared_files_newer(Path(root), built):
        start_forkserver()


def _shared_files_newer(root: Path, than: float) -> bool:
    """Whether a file every sheet is made from (templates, assets, clinic settings) was saved after
    ``than``: only a hint to start the workers early (the build itself decides what is stale)."""
    folders = [root / "templates", root / "assets"]
    files = [root / "clinic.yaml", *(p for folder in folders for p in folder.rglob("*"))]
    for path in files:
        try:
            if path.stat().st_mtime > than:
                return True
        except OSError:
            continue
    return False


def worker_setup() -> dict[str, Any]:
    """The pool's initializer, for workers that make their font configuration early and leave when
    this process is gone."""
    return {"initializer": _warm_worker, "initargs": (os.getpid(),)}


def _warm_worker(planner: int) -> None:
    """Make the font configuration before the first sheet arrives (WeasyPrint itself was imported by
    the forkserver); fonts load with the first sheet that uses them, as they would anyway. The worker
    also leaves once ``planner`` (the process that started the pool) has ended."""
    global _WORKER_FONT_CONFIG
    _leave_with(planner)
    _WORKER_FONT_CONFIG = _font_config()
    collect_per_sheet()


def collect_per_sheet() -> None:
    """Set Python's garbage collector, in a process that only renders, for rendering. A render
    allocates hundreds of thousands of objects that live until its end (boxes, layouts, fonts'
    caches), so the collector, run after every 700 allocations, ran some 50 times a sheet and found
    little; every tenth of its larger passes also walked all of WeasyPrint's imported objects. Now
    what is imported is frozen (never walked again: :func:`gc.freeze`), and the collector runs once
    before each sheet (:func:`pdf_worker`) instead, so each sheet's garbage is gone before the next
    begins. ``benchmarks/gc_bench.py`` measures both ways on the same sheets."""
    global _COLLECT_BEFORE_EACH
    gc.freeze()
    gc.disable()
    _COLLECT_BEFORE_EACH = True


def _leave_with(pid: int) -> None:
    """End this process as soon as process ``pid`` has ended, however it ended. A planner killed
    outright (SIGKILL, out of memory) cannot shut its pool down, and nothing else would: each idle
    worker holds both ends of its own task pipe, and the forkserver's liveness pipe, so the workers
    and the forkserver (WeasyPrint imported, about 100 MiB each) would wait for work for ever. A
    pidfd is readable once the process has ended, and is not fooled by its pid being used again."""
    import threading

    try:
        handle: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(0)
    except OSError:  # a kernel before 5.3: ask every second instead
        handle = None

    def wait() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            with contextlib.suppress(OSError):
                while True:
                    os.kill(pid, 0)
                    time.sleep(1.0)
        _release_font_config()  # its fonts' folder goes with it, unless a render is holding it
        os._exit(0)

    threading.Thread(target=wait, name="leave-with-planner", daemon=True).start()


def _font_config():
    """A font configuration for this process's renders, let go before the process ends (see
    :func:`_release_font_config`)."""
    from multiprocessing import util

    from handoutgen.render.weasy import load

    load()  # WeasyPrint itself first, its libraries found the quick way
    from weasyprint.text.fonts import FontConfiguration

    util.Finalize(None, _release_font_config, exitpriority=0)
    return FontConfiguration()


def _release_font_config() -> None:
    """Let the font configuration go while Python is still whole. WeasyPrint copies each
    ``@font-face`` font a stylesheet loads into a temporary folder of its own (``_folder``), removed
    when the configuration is collected; it sits in reference cycles, so only a collection frees it.
    Kept in a global, it never was: a worker ends without collecting anything (each left its folder in
    /tmp, a copy of every clinic font, on every build), and a process that rendered itself could
    collect it after Python had torn ``shutil`` down ("Exception ignored in
    FontConfiguration.__del__"). Run at exit by multiprocessing, in a worker (its process ends
    through it) and in the planner (an atexit handler); a collection only when there is a folder."""
    global _WORKER_FONT_CONFIG
    config, _WORKER_FONT_CONFIG = _WORKER_FONT_CONFIG, None
    if getattr(config, "_folder", None):
        del config
        gc.collect()
