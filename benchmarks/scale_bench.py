#!/usr/bin/env python3
"""A library of N handouts × the shipped languages, measured in one run (prints figures; not a test).

    .venv/bin/python benchmarks/scale_bench.py --handouts 25 [--repeat 5] [--cluster 1,2,4] [--jobs 2]

Each generated handout is a shipped one under a new id with its own title and summary (so every
catalogue grows by two entries per handout, translated like the shipped ones): realistic length, and
every script the project ships (Latin, Vietnamese, Arabic, CJK, Korean). Figures, all from this run:

- floor: WeasyPrint alone on the build's own HTML, one warm process per core, divided over the cores
  (the time no build can beat), and the full cold build; their ratio (target ≤ 1.2). With
  ``--repeat N`` the two are measured N times in turn, the floor first every other time (a shared
  machine drifts), and the run with the median ratio is shown;
- CPU and memory of every process the build starts (workers included): summed CPU seconds, peak of
  the summed resident memory of the whole process tree, sampled every 0.1 s;
- the planner's own CPU (the build's process, without its workers), and of it the part beyond
  start-up: this library's planner less that of a one-handout library (6 PDFs), per extra PDF;
- every sheet rendered again after a template edit (as a new logo or footer would), with the
  answers of the translation checks kept from the cold build: the full rebuild a library meets;
- no-op rebuild, `status` and `check` (each in a fresh process, as staff run them);
- one English paragraph edited: how many PDFs are rendered again, and the wall time;
- with ``--service``: each cold build is also timed with the render service running (``generate.py
  workers start``, started and stopped around it, so the plain cold build has no service), its
  workers already warm: no worker to start and no WeasyPrint import in the build;
- with ``--cluster 1,2,4``: the same cold build on a Dask LocalCluster of 1, 2 and 4 worker
  processes, and the scaling efficiency (time with 1 ÷ (time with k × k)). On a 2-core machine,
  4 workers can only show the cost of oversubscription.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml
from babel.messages.catalog import Catalog

from handoutgen.catalogs.store import load_catalog, po_path, save_catalog

if TYPE_CHECKING:
    from handoutgen.build.run import Prepared


def compile_package() -> None:
    """The package's bytecode, as ``scripts/setup.sh`` writes it: a checkout or clone without it (a
    shell with PYTHONDONTWRITEBYTECODE set, as on this machine) would compile every module again in
    every command it times, about 0.1-0.25 s of CPU each."""
    import compileall

    compileall.compile_dir(str(ROOT / "handoutgen"), quiet=1)


PARTS = (
    "handouts",
    "templates",
    "assets",
    "locales",
    "clinic.yaml",
    "babel.cfg",
    "glossary.yaml",
    "literacy.yaml",
)


def generated_project(dest: Path, count: int) -> Path:
    """The shipped project plus generated handouts, with their new entries translated."""
    dest.mkdir(parents=True)
    for name in PARTS:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    sources = sorted((dest / "handouts").glob("*.yaml"))
    pairs = []  # (generated English, source English) for the catalogues
    for index in range(count - len(sources)):
        src = sources[index % len(sources)]
        text = src.read_text()
        title_line = re.search(r"^title: (.*)$", text, re.M)[0]
        summary_line = re.search(r"^summary: (.*)$", text, re.M)[0]
        title = yaml.safe_load(title_line)["title"]
        summary = yaml.safe_load(summary_line)["summary"]
        text = re.sub(r"^id: .*$", f"id: gen-{index:04d}", text, count=1, flags=re.M)
        text = text.replace(title_line, "title: " + json.dumps(f"{title} ({index + 1})"), 1)
        text = text.replace(summary_line, "summary: " + json.dumps(f"{summary} Sheet {index + 1}."), 1)
        (dest / "handouts" / f"gen-{index:04d}.yaml").write_text(text)
        pairs += [
            (f"{title} ({index + 1})", title, f" ({index + 1})"),
            (f"{summary} Sheet {index + 1}.", summary, f" {index + 1}."),
        ]
    _translate(dest, pairs)
    return dest


def _translate(root: Path, pairs: list[tuple[str, str, str]]) -> None:
    from handoutgen.catalogs.store import update_catalogs

    update_catalogs(root)
    for code in ("es", "zh_Hans", "vi", "ar", "ko"):
        path = po_path(root / "locales", code)
        catalog: Catalog = load_catalog(path, code)
        for english, source, suffix in pairs:
            base, message = catalog.get(source), catalog.get(english)
            if base is not None and message is not None and base.string:
                message.string = base.string + suffix
                message.flags = set(base.flags)
                message.previous_id = []
        save_catalog(catalog, path)


class TreeSampler:
    """Peak summed RSS and total CPU of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib, self.cpu = pid, 0, {}
        self.peak_by_pid: dict[int, int] = {}  # each process's own peak RSS (KiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> dict[int, int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    parents[int(entry)] = int(stat[1])
                except (OSError, IndexError):
                    pass
        tree, frontier = {self.pid}, [self.pid]
        while frontier:
            current = frontier.pop()
            for pid, parent in parents.items():
                if parent == current and pid not in tree:
                    tree.add(pid)
                    frontier.append(pid)
        return dict.fromkeys(tree, 0)

    def _run(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while not self._stop.is_set():
            total = 0
            for pid in self._children():
                try:
                    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
                    total += rss // 1024
                    self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), rss // 1024)
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self.cpu[pid] = (int(stat[11]) + int(stat[12])) / ticks
                except (OSError, IndexError):
                    pass
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(0.1)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_command(root: Path, *args: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the whole tree, peak tree RSS (KiB) of one generate.py run."""
    wall, sampler = run_sampled(root, *args)
    return wall, sum(sampler.cpu.values()), sampler.peak_kib


def run_sampled(root: Path, *args: str) -> tuple[float, TreeSampler]:
    """Wall seconds of one generate.py run, and the sampler that watched its whole process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    with TreeSampler(process.pid) as sampler:
        _, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"generate.py {' '.join(args)} failed ({process.returncode}): {err[-2000:]}")
    return wall, sampler


FLOOR_CODE = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from handoutgen.project import Project
from handoutgen.render.pdf import html_to_pdf
from handoutgen.text.locales import locale_info
from weasyprint.text.fonts import FontConfiguration
import weasyprint
project, config = Project(Path({project!r})), FontConfiguration()
weasyprint.HTML(string="<p>warm</p>").write_pdf(font_config=config)
files = [Path(p) for p in sys.argv[1:]]
started, cpu = time.perf_counter(), time.process_time()
for path in files:
    html_to_pdf(project, path.read_text(), path.name, locale_info(path.parent.name), config)
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def prepared_sheets(root: Path) -> Iterator[Prepared]:
    """Every sheet of the project at ``root`` that would be rendered, prepared as the planner
    prepares it (its ``html`` is the exact HTML the build hands to WeasyPrint)."""
    from handoutgen.build.run import BuildOptions, Prepared, load_inputs, plan_jobs, prepare_job
    from handoutgen.render.html import make_environment

    inputs = load_inputs(root)
    env, options = make_environment(inputs.project), BuildOptions()
    for job in plan_jobs(inputs, options):
        prepared = prepare_job(inputs, job, options, env)
        if isinstance(prepared, Prepared):
            yield prepared


def print_html(root: Path, out: Path) -> None:
    """The exact HTML the build hands to WeasyPrint, one file per sheet."""
    for prepared in prepared_sheets(root):
        target = out / prepared.job.locale / f"{prepared.job.handout_id}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(prepared.html)


def weasyprint_floor(root: Path, cores: int) -> tuple[float, int, float]:
    """The build's own HTML rendered by WeasyPrint alone in ``cores`` warm processes at once:
    the wall time of the slowest (each takes every cores-th sheet), the number of sheets, and the
    CPU seconds of the renders in all of them."""
    out = root / ".floor-html"
    print_html(root, out)
    files = sorted(str(p) for p in out.glob("*/*.html"))
    code = FLOOR_CODE.format(root=str(ROOT), project=str(root))
    processes = [
        subprocess.Popen([sys.executable, "-c", code, *files[i::cores]], stdout=subprocess.PIPE, text=True)
        for i in range(cores)
    ]
    times = [[float(x) for x in p.communicate()[0].split()[-2:]] for p in processes]
    return max(wall for wall, _ in times), len(files), sum(cpu for _, cpu in times)


def edit_one_paragraph(root: Path) -> None:
    path = root / "handouts" / "aftercare.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "Rest for the rest of the day if you can.", "Rest for the rest of the day if you are able.", 1
        )
    )


def one_handout_project(dest: Path, jobs: int) -> Path:
    """The same project with one handout (6 PDFs), built once so its catalogues hold only that
    handout's entries: a cold build of it is the planner's start-up (imports, the template compiled,
    catalogues read and checked) with the fewest sheets."""
    root = generated_project(dest, 4)
    for path in sorted((root / "handouts").glob("*.yaml"))[1:]:
        path.unlink()
    run_command(root, "build", "-j", str(jobs))
    return root


def planner_cpu(root: Path, jobs: int) -> float:
    """The planner's own CPU seconds in a cold build (nothing built or kept)."""
    shutil.rmtree(root / "build", ignore_errors=True)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    _, sampler = run_sampled(root, "build", "-j", str(jobs))
    return sampler.cpu.get(sampler.pid, 0.0)


def edit_template(root: Path) -> None:
    """A template edit that changes every sheet's HTML (as a new logo or footer would)."""
    path = root / "templates" / "handout.html.j2"
    path.write_text(path.read_text().replace("<body>", "<body>\n<!-- edited -->", 1))


def cluster_efficiency(root: Path, sizes: list[int]) -> None:
    times = {}
    for workers in sizes:
        shutil.rmtree(root / "build", ignore_errors=True)
        wall, cpu, _ = run_command(root, "build", "--cluster", f"local:{workers}")
        times[workers] = wall
        one = times.get(1, times[sizes[0]] * sizes[0])
        print(
            f"  cluster, {workers} worker process(es): {wall:.1f} s, efficiency {one / (wall * workers):.2f}"
        )


def print_marginal(dest: Path, pairs: list, pdfs: int, per_pdf: float, args: argparse.Namespace) -> None:
    """The planner's CPU per PDF beyond its start-up: (planner of this library - planner of one
    handout) / (PDFs - 6), medians of ``--repeat`` cold builds of each."""
    one = one_handout_project(dest, args.jobs)
    small = sorted(planner_cpu(one, args.jobs) for _ in range(args.repeat))
    big = sorted(sampler.cpu.get(sampler.pid, 0.0) for _, _, sampler, _ in pairs)
    start, whole = small[len(small) // 2], big[len(big) // 2]
    marginal = (whole - start) / (pdfs - 6) * 1000
    print(
        f"  of which start-up (a cold build of one handout × 6 languages): {start:.2f} s; beyond it "
        f"{marginal:.0f} ms a PDF = {marginal / per_pdf * 100:.0f}% of WeasyPrint's time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--handouts", type=int, default=25)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="cold builds, each paired with a floor run; the median is shown"
    )
    parser.add_argument("--cluster", default="", help="worker counts for the cluster run, e.g. 1,2,4")
    parser.add_argument(
        "--service",
        action="store_true",
        help="also time each cold build with the render service running (generate.py workers start)",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # figures kept if stopped
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = generated_project(Path(tmp) / "project", args.handouts)
        pairs = []  # (floor, build wall, sampler, floor CPU), the two taken in turn so a drift hits both
        served = []  # (floor, build wall with the render service)
        for _ in range(args.repeat):
            shutil.rmtree(root / "build", ignore_errors=True)
            shutil.rmtree(root / ".cache", ignore_errors=True)
            if args.service:  # its workers stay warm: a cold build with the service running
                run_command(root, "workers", "start", "-j", str(args.jobs), "--idle", "30")
                shutil.rmtree(root / "build", ignore_errors=True)
                shutil.rmtree(root / ".cache" / "status", ignore_errors=True)
                served_wall, _ = run_sampled(root, "build", "-j", str(args.jobs))
                run_command(root, "workers", "stop")
                shutil.rmtree(root / "build", ignore_errors=True)
                shutil.rmtree(root / ".cache", ignore_errors=True)
            if len(pairs) % 2:  # every other pair the floor first, so a drift of the machine cancels out
                floor, rendered, floor_cpu = weasyprint_floor(root, args.jobs)
                shutil.rmtree(root / ".cache", ignore_errors=True)  # what preparing its HTML kept
            wall, sampler = run_sampled(root, "build", "-j", str(args.jobs))
            if not len(pairs) % 2:
                floor, rendered, floor_cpu = weasyprint_floor(root, args.jobs)
            pairs.append((floor, wall, sampler, floor_cpu))
            print(
                f"pair {len(pairs)} of {args.repeat}: build {wall:.1f} s, floor {floor:.1f} s",
                file=sys.stderr,
            )
            if args.service:
                served.append((floor, served_wall))
        pairs.sort(key=lambda pair: pair[1] / pair[0])
        floor, wall, sampler, floor_cpu = pairs[len(pairs) // 2]  # the run with the median ratio
        cpu, rss = sum(sampler.cpu.values()), sampler.peak_kib
        planner_cpu, planner_rss = sampler.cpu.get(sampler.pid, 0.0), sampler.peak_by_pid.get(sampler.pid, 0)
        others = [kib for pid, kib in sampler.peak_by_pid.items() if pid != sampler.pid]
        pdfs = len(list((root / "build").glob("*/*.pdf")))
        languages = len({p.parent.name for p in (root / "build").glob("*/*.pdf")})
        print(
            f"machine: {os.cpu_count()} cores; {args.handouts} handouts × {languages} languages = {pdfs} PDFs"
        )
        if len(pairs) > 1:
            shown = ", ".join(f"{w:.1f}/{f:.1f} = {w / f:.2f}" for f, w, *_ in pairs)
            print(f"{len(pairs)} cold builds, each beside its floor (build/floor = ratio): {shown}")
            print("  the figures below are the run with the median ratio")
        per_pdf = floor * args.jobs / rendered * 1000
        print(f"WeasyPrint alone, {args.jobs} warm processes: {floor:.1f} s for {rendered} PDFs")
        print(f"  {per_pdf:.0f} ms of WeasyPrint per PDF")
        ratio = wall / floor
        print(f"full cold build, -j {args.jobs}: {wall:.1f} s; ratio to the floor {ratio:.2f} (target ≤ 1.2)")
        if served:
            ratios = sorted(w / f for f, w in served)
            shown = ", ".join(f"{w:.1f}/{f:.1f} = {w / f:.2f}" for f, w in served)
            print(
                f"  the same cold build with the render service running (its {args.jobs} workers warm): "
                f"median ratio {ratios[len(ratios) // 2]:.2f} ({shown})"
            )
        print(
            f"  CPU of every process it started: {cpu:.1f} s; peak memory of them all: {rss / 1024:.0f} MiB"
        )
        cpu_ratios = sorted(sum(s.cpu.values()) / f_cpu for _, _, s, f_cpu in pairs)
        print(
            f"  CPU ratio (all the build's CPU, start-up included, ÷ the renders' CPU in the floor: what the "
            f"build adds, without the machine's noise in wall time): {cpu / floor_cpu:.2f}"
            + (
                f"; over the {len(pairs)} pairs {', '.join(f'{r:.2f}' for r in cpu_ratios)}"
                if len(pairs) > 1
                else ""
            )
        )
        share = planner_cpu / pdfs * 1000 / per_pdf * 100
        print(
            f"  planner (the build's own code: catalogues, checks, Jinja, hashing): {planner_cpu:.1f} s CPU, "
            f"{planner_cpu / pdfs * 1000:.0f} ms a PDF = {share:.0f}% of WeasyPrint's time (target ≤ 10%)"
        )
        print_marginal(Path(tmp) / "one", pairs, pdfs, per_pdf, args)
        print(
            f"  peak memory: planner {planner_rss / 1024:.0f} MiB, "
            f"largest worker {max(others, default=0) / 1024:.0f} MiB"
        )
        edit_template(root)
        edited, sampler = run_sampled(root, "build", "-j", str(args.jobs))
        print(
            f"every sheet rendered again after a template edit (check answers kept): {edited:.1f} s; ratio "
            f"to the floor {edited / floor:.2f}; planner {sampler.cpu.get(sampler.pid, 0.0):.1f} s CPU"
        )
        runs = (
            ("no-op rebuild", ("build",)),
            ("status, first run", ("status",)),
            ("status again, nothing changed", ("status",)),
            ("check, first run", ("check",)),
            ("check again, nothing changed", ("check",)),
        )
        for name, command in runs:
            seconds, _, peak = run_command(root, *command)
            print(f"{name}: {seconds:.2f} s, peak memory {peak / 1024:.0f} MiB")
        edit_one_paragraph(root)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(root), "build"],
            capture_output=True,
            text=True,
        )
        rendered_again = out.stderr.count("rebuilding ")
        seconds = time.perf_counter() - started
        print(f"one paragraph edited: {rendered_again} PDF(s) rendered again in {seconds:.2f} s")
        if args.cluster:
            cluster_efficiency(root, [int(n) for n in args.cluster.split(",")])


if __name__ == "__main__":
    main()
