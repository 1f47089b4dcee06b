#!/usr/bin/env python3
"""Python's garbage collector in a render worker, measured in one run (prints figures; not a test).

    .venv/bin/python benchmarks/gc_bench.py [--rounds 3]

The shipped project's sheets (every handout × every locale, their HTML made as the build makes it)
are rendered by :func:`handoutgen.build.workers.pdf_worker`, all of them in one warm process, in two
ways taken in turn, each round in a fresh process:

- ``default``: Python's collector as it comes (a pass after every 700 allocations);
- ``per sheet``: as a build's workers run (:func:`~handoutgen.build.workers.collect_per_sheet`): what
  is imported frozen, the collector off, one collection before each sheet.

Printed for each: the renders' CPU seconds, the collector's share of them (timed with
``gc.callbacks`` in the same process, so a machine that is slower for a while slows both alike), the
number of passes, and the process's peak memory. The collector's share is the figure to compare; on
a shared machine the CPU seconds of two rounds can differ by a fifth.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RENDER = """
import gc, json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from handoutgen.build import workers
import weasyprint

workers._WORKER_FONT_CONFIG = workers._font_config()  # made first, as a worker makes it
weasyprint.HTML(string="<p>warm</p>").write_pdf(font_config=workers._WORKER_FONT_CONFIG)
if {per_sheet!r}:
    workers.collect_per_sheet()
spent, passes, begun = [0.0], [0], [0.0]

def timed(phase, info):
    if phase == "start":
        begun[0] = time.process_time()
    else:
        spent[0] += time.process_time() - begun[0]
        passes[0] += 1

gc.callbacks.append(timed)
tasks = json.loads(Path({tasks!r}).read_text())
started = time.process_time()
for task in tasks:
    result = workers.pdf_worker(tuple(task))
    assert "data" in result, result
print(json.dumps({{"cpu": time.process_time() - started, "gc": spent[0], "passes": passes[0],
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def sheet_tasks(project: Path) -> list[list[str]]:
    """Every sheet of ``project``, as the tasks a build hands its workers."""
    from scale_bench import prepared_sheets

    sheets = prepared_sheets(project)
    return [[str(project), sheet.html, sheet.job.label, sheet.job.locale] for sheet in sheets]


def measured(tasks_file: Path, per_sheet: bool) -> dict:
    code = RENDER.format(root=str(ROOT), per_sheet=per_sheet, tasks=str(tasks_file))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each way once a round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tasks_file = Path(tmp) / "tasks.json"
        tasks = sheet_tasks(ROOT)
        tasks_file.write_text(json.dumps(tasks))
        print(f"{len(tasks)} sheets of the shipped project, rendered in one process, {args.rounds} rounds")
        results: dict[str, list[dict]] = {"default": [], "per sheet": []}
        for round_ in range(args.rounds):
            ways = ["default", "per sheet"] if round_ % 2 == 0 else ["per sheet", "default"]
            for way in ways:  # in turn, the first one alternating, so a drift hits both
                results[way].append(measured(tasks_file, way == "per sheet"))
        for way, runs in results.items():
            shares = sorted(run["gc"] / run["cpu"] * 100 for run in runs)
            cpu = ", ".join(f"{run['cpu']:.1f}" for run in runs)
            print(
                f"{way:>9}: collector {', '.join(f'{s:.1f}' for s in shares)} % of the renders' CPU "
                f"(median {shares[len(shares) // 2]:.1f} %); renders {cpu} s CPU; "
                f"{runs[0]['passes']} passes; peak memory {max(run['peak_mib'] for run in runs):.0f} MiB"
            )


if __name__ == "__main__":
    main()
