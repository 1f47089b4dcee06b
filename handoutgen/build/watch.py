"""``generate.py watch``: rebuild what changed while staff edit, and keep going after mistakes.

Polling (every half second) rather than inotify: it needs no extra package, works on network
shares, and the inputs are a few dozen small files. Changes are debounced so an editor's
save-in-several-steps triggers one build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from handoutgen.build.run import BuildOptions, build_run
from handoutgen.errors import HandoutError
from handoutgen.project import input_files

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    result = {}
    for path in input_files(root):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        result[str(path.relative_to(root))] = (stat.st_mtime_ns, stat.st_size)
    return result


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def watch(
    root: Path,
    options: BuildOptions,
    *,
    jobs: int | None = None,
    interval: float = 0.5,
    debounce: float = 0.3,
    report: Callable[[str], None] = print,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Build once, then rebuild on every change until ``should_stop()`` (or Ctrl-C)."""
    root = Path(root).resolve()
    _build(root, options, jobs, report)
    seen = snapshot(root)
    report(f"watching {len(seen)} files for changes (Ctrl-C to stop)")
    while not should_stop():
        time.sleep(interval)
        now = snapshot(root)
        if now == seen:
            continue
        while True:  # wait until the files stop changing
            time.sleep(debounce)
            settled = snapshot(root)
            if settled == now:
                break
            now = settled
        report(f"changed: {', '.join(changed(seen, now))}")
        seen = now
        _build(root, options, jobs, report)


def _build(root: Path, options: BuildOptions, jobs: int | None, report: Callable[[str], None]) -> None:
    try:
        build_run(root, options, report, jobs=jobs)
    except HandoutError as exc:  # report and keep watching: the next save may fix it
        for line in str(exc).splitlines():
            report(f"error: {line}")
