"""The build's manifest (``build/manifest.sqlite``): one row per output, so neither the planner's memory
nor a save grows with the library; a damaged one means a full rebuild, never a failure; one of the
earlier version (``manifest.json``) is carried over, so an upgrade renders nothing again."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from conftest import ROOT, copy_built, copy_project

from handoutgen.build.manifest import LEGACY_MANIFEST, MANIFEST, Manifest
from handoutgen.build.run import BuildOptions, build_run

OPTIONS = BuildOptions(locales=("en", "es"))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("manifest") / "project")
    run = build_run(root, OPTIONS, report=lambda line: None, jobs=2)
    assert not [o.error for o in run.outcomes if o.error] and len(run.rebuilt) == 8
    return root


@pytest.fixture
def built(baseline: Path, tmp_path: Path) -> Path:
    return copy_built(baseline, tmp_path)


def build(root: Path):
    """One build with one worker; it must not fail."""
    said: list[str] = []
    run = build_run(root, OPTIONS, report=said.append, jobs=1)
    assert not [o.error for o in run.outcomes if o.error], said
    return run


def pdfs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "build").glob("*/*.pdf")}


def as_version_1(root: Path, *, fast: bool) -> None:
    """The manifest as the earlier version wrote it: one JSON document, ``{"version": 1, "inputs",
    "outputs": {name: entry}, "fast": {options: record}}``, and no SQLite file."""
    db = sqlite3.connect(root / "build" / MANIFEST)
    outputs = {name: json.loads(entry) for name, entry in db.execute("SELECT name, entry FROM outputs")}
    records = {key: json.loads(record) for key, record in db.execute("SELECT options, record FROM fast")}
    db.close()
    document = {"version": 1, "inputs": None, "outputs": outputs, **({"fast": records} if fast else {})}
    (root / "build" / LEGACY_MANIFEST).write_text(json.dumps(document, sort_keys=True))
    (root / "build" / MANIFEST).unlink()


@pytest.mark.parametrize("fast", [True, False], ids=["no-op record", "per-sheet records only"])
def test_a_manifest_of_the_earlier_version_is_carried_over_and_nothing_is_rendered(
    built: Path, fast: bool
) -> None:
    before = pdfs(built)
    as_version_1(built, fast=fast)
    run = build(built)
    assert run.rebuilt == {} and run.no_op is fast
    assert pdfs(built) == before
    assert not (built / "build" / LEGACY_MANIFEST).exists()
    assert len(Manifest(built / "build").names()) == 8
    assert build(built).no_op


@pytest.mark.parametrize(
    "damage",
    [
        "not a database",
        "empty file",
        "another version",
        "no tables",
        "a damaged version 1",
        "a version 1 of the wrong shape",
    ],
)
def test_a_damaged_manifest_means_every_sheet_is_built_again(built: Path, damage: str) -> None:
    path = built / "build" / MANIFEST
    if damage == "not a database":
        path.write_bytes(b"SQLite format 3\0" + os.urandom(5000))
    elif damage == "empty file":
        path.write_bytes(b"")
    elif damage in ("another version", "no tables"):
        db = sqlite3.connect(path)
        if damage == "another version":
            db.execute("PRAGMA user_version = 99")
        else:
            db.execute("DROP TABLE outputs")
        db.commit()
        db.close()
    elif damage == "a damaged version 1":
        path.unlink()
        (built / "build" / LEGACY_MANIFEST).write_text('{"version": 1, "outputs": {"es/a')
    else:  # valid JSON, wrong shapes: every entry and the no-op record unusable
        as_version_1(built, fast=True)
        document = json.loads((built / "build" / LEGACY_MANIFEST).read_text())
        document["outputs"] = {name: {"pdf_stat": 7, "parts": "x"} for name in document["outputs"]}
        document["fast"] = {key: {"outputs": 3} for key in document["fast"]}
        (built / "build" / LEGACY_MANIFEST).write_text(json.dumps(document))
    before = pdfs(built)
    assert len(build(built).rebuilt) == 8
    assert pdfs(built) == before  # the same bytes, and a manifest that works again
    assert len(Manifest(built / "build").names()) == 8 and build(built).no_op


def test_a_folder_where_the_manifest_goes_is_one_line_and_nothing_is_rendered(built: Path) -> None:
    """Something in the manifest's place that SQLite cannot open: the build says so in one line
    naming the file (exit 7, the machine's kind of error) before it renders anything."""
    path = built / "build" / MANIFEST
    path.unlink()
    path.mkdir()
    for pdf in (built / "build").glob("*/*.pdf"):
        pdf.unlink()
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(built), "build", "-l", "en", "-l", "es"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 7, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "build/manifest.sqlite" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not list((built / "build").glob("*/*.pdf")) and path.is_dir()


def test_explain_leaves_the_manifest_as_it_was(built: Path) -> None:
    """``--explain`` writes nothing, even when it finds a copied PDF (new time, same bytes) that a
    build would record as unchanged."""
    for pdf in (built / "build").glob("*/*.pdf"):
        os.utime(pdf, ns=(pdf.stat().st_atime_ns, pdf.stat().st_mtime_ns + 10**9))
    path = built / "build" / MANIFEST
    before = path.read_bytes()
    run = build_run(built, OPTIONS, report=lambda line: None, explain=True)
    assert run.no_op and path.read_bytes() == before
    assert not (path.parent / f"{MANIFEST}-journal").exists()


@pytest.mark.parametrize("run", ["no-op", "after an edit", "after an edit, no .cache"])
def test_a_build_records_the_new_time_of_a_copied_pdf_so_it_is_not_read_again(built: Path, run: str) -> None:
    """Every PDF copied (new times, same bytes): the build finds each the same by its hash and
    records its new size and time, whether nothing changed (the no-op's check), an edit left the
    sheet known up to date (its records in .cache), or it was prepared again and found up to date."""
    for pdf in (built / "build").glob("*/*.pdf"):
        os.utime(pdf, ns=(pdf.stat().st_atime_ns, pdf.stat().st_mtime_ns + 10**9))
    if run != "no-op":
        summary = built / "handouts" / "aftercare.yaml"
        summary.write_text(summary.read_text().replace("Rest for the rest of the day", "Rest all day", 1))
    if run.endswith("no .cache"):
        shutil.rmtree(built / ".cache")
    done = build(built)
    assert done.no_op is (run == "no-op") and len(done.rebuilt) <= 2
    db = sqlite3.connect(built / "build" / MANIFEST)
    recorded = dict(db.execute("SELECT name, pdf_stat FROM outputs"))
    db.close()
    for name, signature in recorded.items():
        stat = (built / "build" / name).stat()
        assert json.loads(signature) == [stat.st_size, stat.st_mtime_ns], name


def test_the_manifest_keeps_no_output_in_memory(tmp_path: Path) -> None:
    """Recording thousands of outputs, and asking about each again, leaves the Python memory where
    it was after the first few hundred: the rows are on disk, not in the planner (the earlier
    manifest held every entry, about 1.5 KB each, for the whole build)."""
    folder = tmp_path / "build" / "xx"
    folder.mkdir(parents=True)
    manifest = Manifest(tmp_path / "build")
    parts = {f"part{i}": f"{i:020d}" for i in range(8)}

    def record(first: int, last: int) -> None:
        for n in range(first, last):
            name = f"xx/sheet-{n}.pdf"
            with open(os.path.join(folder, f"sheet-{n}.pdf"), "wb") as pdf:  # pathlib interns each name
                pdf.write(f"%PDF {n}".encode())
            manifest.record(name, {**parts, "html": f"{n:020d}"}, f"%PDF {n}".encode(), ["new"], 1)
            assert manifest.reasons(name, {**parts, "html": f"{n:020d}"}) == []

    tracemalloc.start()
    try:
        record(0, 300)
        manifest.save()
        settled = tracemalloc.get_traced_memory()[0]
        record(300, 3300)
        manifest.save()
        grown = tracemalloc.get_traced_memory()[0] - settled
    finally:
        tracemalloc.stop()
    assert grown < 300 * 1024, f"{grown / 1024:.0f} KiB more after 3,000 more outputs"
    assert len(manifest.names()) == 3300 and manifest.outputs_ok([f"xx/sheet-{n}.pdf" for n in range(3300)])
    manifest.close()


def test_a_manifest_damaged_while_its_entries_are_read_is_the_machines_error(tmp_path: Path) -> None:
    """SQLite finding damage part way through the entries (the file cut short under the build) is
    said as an OSError naming the manifest (the command line's one line, exit 7), not a traceback."""
    folder = tmp_path / "build"
    (folder / "xx").mkdir(parents=True)
    with Manifest(folder) as manifest:
        for n in range(2000):
            (folder / "xx" / f"s{n}.pdf").write_bytes(b"%PDF")
            manifest.record(f"xx/s{n}.pdf", {"content": f"{n:0500d}"}, b"%PDF", ["new"], 1)
        manifest.save()
    path = folder / MANIFEST
    with Manifest(folder) as manifest:
        entries = manifest.entries()
        assert next(entries)["pages"] == 1
        with open(path, "r+b") as file:
            file.truncate(path.stat().st_size // 4)
        with pytest.raises(OSError) as caught:
            for _ in entries:
                pass
    assert caught.value.filename == str(path) and "manifest cannot be used" in str(caught.value)
