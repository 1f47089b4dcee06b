#!/usr/bin/env python3
"""Build speed, measured in one run on a copy of the project (prints figures; not a test).

    .venv/bin/python benchmarks/build_bench.py            # shipped handouts × all locales
    .venv/bin/python benchmarks/build_bench.py --scale 50 # also 10/25/50 generated handouts × 6 locales

Figures:
- full cold build wall time, and the floor: the sum of pure WeasyPrint times (HTML → PDF) for the
  same HTML in one process; ratio build / (floor / cores), target ≤ 1.2;
- a no-op rebuild: wall time and its ratio to the full build, target ≤ 0.05;
- after editing one paragraph of one handout: how many PDFs were rebuilt and the wall time;
- peak memory (max RSS) per worker process.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handoutgen.build.run import BuildOptions, build_run

PARTS = ("handouts", "templates", "assets", "locales", "clinic.yaml", "babel.cfg", "glossary.yaml")


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in PARTS:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def timed_build(root: Path, jobs: int, **kwargs):
    started = time.perf_counter()
    run = build_run(root, BuildOptions(**kwargs), report=lambda line: None, jobs=jobs)
    elapsed = time.perf_counter() - started
    errors = [o.error for o in run.outcomes if o.error]
    if errors:
        raise SystemExit("build failed: " + errors[0])
    return run, elapsed


def weasyprint_floor(root: Path) -> tuple[float, int]:
    """Render the build's own HTML (prepared again as the build prepares it) with WeasyPrint alone, one
    after another, in a fresh process."""
    code = f"""
import sys, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from handoutgen.build.run import BuildOptions, Prepared, load_inputs, plan_jobs, prepare_job
from handoutgen.render.html import make_environment
from handoutgen.render.pdf import html_to_pdf
from handoutgen.text.locales import locale_info
from weasyprint.text.fonts import FontConfiguration
inputs = load_inputs(Path({str(root)!r}))
env = make_environment(inputs.project)
options = BuildOptions(update_catalogs=False)
sheets = [prepare_job(inputs, job, options, env) for job in plan_jobs(inputs, options)]
sheets = [s for s in sheets if isinstance(s, Prepared)]
config = FontConfiguration()
total = 0.0
for sheet in sheets:
    started = time.perf_counter()
    html_to_pdf(inputs.project, sheet.html, sheet.job.label, locale_info(sheet.job.locale), config)
    total += time.perf_counter() - started
print(total, len(sheets))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1])


def edit_one_paragraph(root: Path) -> None:
    path = root / "handouts" / "aftercare.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "Rest for the rest of the day if you can.", "Rest for the rest of the day if you are able.", 1
        )
    )


def main_figures(jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        run, cold = timed_build(root, jobs)
        count = len([o for o in run.outcomes if o.path])
        floor, rendered = weasyprint_floor(root)
        _, noop = timed_build(root, jobs)
        edit_one_paragraph(root)
        edited, edit_time = timed_build(root, jobs)
        locales = {o.job.locale for o in run.outcomes}
        print(f"machine: {os.cpu_count()} cores, {jobs} worker processes")
        print(f"full cold build: {count} PDFs in {cold:.2f} s")
        print(
            f"WeasyPrint floor: {floor:.2f} s for {rendered} PDFs in one process; "
            f"floor/cores = {floor / jobs:.2f} s"
        )
        print(f"ratio build / (floor / cores): {cold / (floor / jobs):.2f}  (target <= 1.2)")
        print(
            f"no-op rebuild: {noop * 1000:.0f} ms; ratio to full build: {noop / cold:.3f}  (target <= 0.05)"
        )
        print(
            f"after editing one paragraph: {len(edited.rebuilt)} PDFs rebuilt "
            f"(handout is built in {len(locales)} locales) in {edit_time:.2f} s"
        )
        peak = max(run.worker_maxrss_kib.values()) if run.worker_maxrss_kib else 0
        print(
            f"peak memory per worker: {peak / 1024:.0f} MiB "
            f"(max RSS over {len(run.worker_maxrss_kib)} workers)"
        )


def generated_project(dest: Path, handouts: int) -> Path:
    """The shipped project with the shipped handouts repeated under new ids (same catalogue entries)."""
    root = copy_project(dest)
    sources = sorted((root / "handouts").glob("*.yaml"))
    for index in range(handouts - len(sources)):
        src = sources[index % len(sources)]
        text = re.sub(r"^id: .*$", f"id: generated-{index:03d}", src.read_text(), count=1, flags=re.M)
        (root / "handouts" / f"generated-{index:03d}.yaml").write_text(text)
    return root


def scaling(jobs: int, sizes: list[int]) -> None:
    print("scaling (generated handouts × 6 locales, cold build):")
    previous, prev_size = None, 0
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = generated_project(Path(tmp) / "project", size)
            run, seconds = timed_build(root, jobs)
            count = len([o for o in run.outcomes if o.path])
            per = seconds / count
            growth = (
                f", x{seconds / previous:.2f} time for x{size / prev_size:.1f} handouts" if previous else ""
            )
            print(f"  {size:3d} handouts: {count} PDFs in {seconds:.1f} s ({per * 1000:.0f} ms/PDF){growth}")
            previous, prev_size = seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scale", type=int, default=0, help="largest generated project for the scaling run")
    args = parser.parse_args()
    main_figures(args.jobs)
    if args.scale:
        scaling(args.jobs, sorted({max(4, args.scale // 5), max(4, args.scale // 2), args.scale}))


if __name__ == "__main__":
    main()
