"""WeasyPrint in worker processes: HTML in, PDF bytes out, results in submission order."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
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


class Renderer:
    """WeasyPrint in worker processes (it is not safe under threads), results in submission order.

    Work is submitted as soon as each sheet is prepared, so workers start (and import WeasyPrint)
    while the parent is still preparing. A single sheet is rendered in this process: starting a
    worker would cost more than it saves. Workers are replaced after WORKER_RENDERS renders each,
    because WeasyPrint's memory grows across renders (a fresh pool, not max_tasks_per_child, which
    can hang CPython 3.11's executor). One pool runs at a time: a pool takes at most
    WORKER_RENDERS × workers sheets; the rest wait until its results are in and it has shut down.
    """

    def __init__(self, root: Path, workers: int):
        self.root = str(root)
        self.workers = workers
        self.pending: deque[tuple] = deque()  # tasks not yet handed to a pool
        self.futures: list[Any] = []
        self.pool: Any = None
        self.submitted_to_pool = 0
        self.pools_started = 0

    def submit(self, prepared: Prepared) -> None:
        if self.workers == 0:
            return  # explaining only
        self.pending.append((self.root, prepared.html, prepared.job.label, prepared.job.locale))
        if self.workers > 1 and len(self.pending) + len(self.futures) >= 2:  # more than one sheet
            self._hand_over()

    def _hand_over(self) -> None:
        """Give waiting tasks to the current pool while it has room (starting the first one)."""
        if self.pool is None:
            self._start_pool()
        while self.pending and self.submitted_to_pool < WORKER_RENDERS * self.workers:
            self.futures.append(self.pool.submit(pdf_worker, self.pending.popleft()))
            self.submitted_to_pool += 1

    def _start_pool(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_worker)
        self.submitted_to_pool = 0
        self.pools_started += 1

    def close(self) -> None:
        """Stop: no result is wanted (the build stops before writing any PDF)."""
        self.pending.clear()
        self._retire_pool()

    def _retire_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def results(self) -> Iterator[dict]:
        """Each task's result, in submission order; a full pool is retired before the next starts."""
        try:
            index = 0
            while True:
                if index < len(self.futures):
                    future, self.futures[index] = self.futures[index], None  # its bytes are the caller's
                    index += 1
                    yield future.result()
                elif self.pending and (self.pool is not None or len(self.pending) > 1) and self.workers > 1:
                    self._retire_pool()  # every result of this pool is in: its workers can go
                    self._hand_over()
                elif self.pending:
                    yield pdf_worker(self.pending.popleft())
                else:
                    return
        finally:
            self._retire_pool()


_WARM_HTML = """<html><body>
<p style="font-family: 'Noto Sans'">Warm <b>up</b></p>
<p style="font-family: 'Noto Sans Arabic'" dir="rtl" lang="ar">تسخين</p>
<p style="font-family: 'Noto Sans CJK SC'" lang="zh-CN">预热 <b>预热</b></p>
<p style="font-family: 'Noto Sans CJK KR'" lang="ko">준비 <b>준비</b></p>
</body></html>"""


def _warm_worker() -> None:
    """Import WeasyPrint, load the font configuration and touch every script's fonts before the
    first sheet arrives: this runs while the parent is still preparing sheets."""
    import weasyprint

    global _WORKER_FONT_CONFIG
    _WORKER_FONT_CONFIG = _font_config()
    weasyprint.HTML(string=_WARM_HTML).write_pdf(font_config=_WORKER_FONT_CONFIG)


WORKER_RENDERS = 40  # renders before a worker process is replaced


def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()
