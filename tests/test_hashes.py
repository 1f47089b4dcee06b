"""Kept file hashes (handoutgen/build/hashes.py): a file's SHA-256 is used again while its inode,
size, modification and change times are the ones it was hashed with. Real files on a real file
system; every answer is compared with hashing the bytes."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from conftest import copy_project

from handoutgen.build import hashes
from handoutgen.build.hashes import FileHashes
from handoutgen.build.run import BuildOptions, build_run


def truth(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def age(path: Path, seconds: float = 60.0) -> None:
    """Its modification time moved into the past (its change time becomes now, as any write's)."""
    past = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(past, past))


def counting_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    real = hashes.hashlib.file_digest

    def counting(handle, name):
        read.append(handle.name)
        return real(handle, name)

    monkeypatch.setattr(hashes.hashlib, "file_digest", counting)
    return read


@pytest.mark.parametrize(
    "edit",
    ["same size, old times put back", "appended", "replaced by another file", "removed", "touched only"],
)
def test_a_kept_hash_is_the_files_hash_after_any_edit(tmp_path: Path, edit: str) -> None:
    """Edits that keep the size and put the old modification time back (`touch -r`, `rsync -t`) are
    seen by the change time, which no tool can set; a file replaced by a rename has a new inode."""
    root = tmp_path / "p"
    path = root / "handouts" / "a.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("title: one\n")
    age(path)
    kept = FileHashes(root)
    assert kept.sha(path) == truth(path)
    kept.save()
    before = path.stat()
    time.sleep(0.01)  # a change time one tick later, even on a coarse clock
    if edit == "same size, old times put back":
        path.write_text("title: two\n")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif edit == "appended":
        with open(path, "a") as handle:
            handle.write("summary: more\n")
    elif edit == "replaced by another file":
        other = path.with_name("b.yaml")
        other.write_text("title: six\n")
        os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
        other.replace(path)
    elif edit == "removed":
        path.unlink()
    else:
        os.utime(path)
    again = FileHashes(root)
    assert again.sha(path) == (truth(path) if path.exists() else None)


def test_a_file_modified_just_before_it_was_hashed_is_hashed_again(tmp_path: Path, monkeypatch) -> None:
    """Within two seconds of its last write a file could be written again in the same clock tick and
    keep its stat: such a hash is not used again until the file is older (git's racy entries)."""
    path = tmp_path / "p" / "clinic.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("name: A clinic\n")
    read = counting_reads(monkeypatch)
    kept = FileHashes(tmp_path / "p")
    kept.sha(path)
    kept.sha(path)
    assert len(read) == 2, "a fresh file's hash was used again"
    age(path)
    kept.sha(path)
    kept.sha(path)
    assert len(read) == 3


def test_a_no_op_build_reads_no_unchanged_input(tmp_path: Path, monkeypatch) -> None:
    """After one no-op has learnt the hashes, the next reads no input file (a gigabyte of catalogues
    in a 20-language library) and is still a no-op; an edit that keeps size and times is built."""
    root = copy_project(tmp_path / "p")
    options = BuildOptions(locales=("en", "es"), handouts=("aftercare",))
    build_run(root, options, report=lambda line: None, jobs=1)
    for path in [
        *root.glob("handouts/*.yaml"),
        *root.glob("locales/*/LC_MESSAGES/*.po"),
        root / "clinic.yaml",
    ]:
        age(path)
    hashes._OPEN.clear()  # as a fresh process finds them
    assert build_run(root, options, report=lambda line: None).no_op
    read = counting_reads(monkeypatch)
    hashes._OPEN.clear()
    assert build_run(root, options, report=lambda line: None).no_op
    assert read == []
    handout = root / "handouts" / "aftercare.yaml"
    before = handout.stat()
    text = handout.read_text()
    handout.write_text(text.replace("Rest", "Nap.", 1))  # the same length
    os.utime(handout, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert handout.stat().st_size == before.st_size and handout.stat().st_mtime_ns == before.st_mtime_ns
    hashes._OPEN.clear()
    run = build_run(root, options, report=lambda line: None, jobs=1)
    assert not run.no_op and run.rebuilt
