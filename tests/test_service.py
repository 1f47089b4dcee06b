"""The render service (handoutgen/build/service.py): warm WeasyPrint workers a build uses while they
run. Real processes, a real Unix socket, real PDFs: a build through the service writes the bytes a
build with its own workers writes, whatever happens to the service meanwhile."""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from pathlib import Path

import pytest
from conftest import copy_project

from handoutgen.build import service
from handoutgen.build.run import BuildOptions, build_run
from handoutgen.cli.main import main

OPTIONS = BuildOptions(handouts=("aftercare", "first-visit"), locales=("en", "es", "zh_Hans"))


def pdfs(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root / "build").as_posix(): p.read_bytes() for p in (root / "build").glob("*/*.pdf")
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """The sheets as a build with its own workers writes them."""
    root = copy_project(tmp_path_factory.mktemp("reference") / "p")
    run = build_run(root, OPTIONS, report=lambda line: None, jobs=2)
    assert not run.failed and len(pdfs(root)) == 6
    return pdfs(root)


@pytest.fixture
def served(tmp_path: Path):
    """A project with its render service running (2 workers); stopped afterwards."""
    root = copy_project(tmp_path / "p")
    info = service.start(root, 2, idle_minutes=5)
    yield root, info
    service.stop(root)
    if service._alive(info["pid"]):
        os.kill(info["pid"], signal.SIGKILL)


def wait_gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while service._alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not service._alive(pid)


def test_a_build_through_the_service_writes_the_same_pdfs(served, reference, capsys) -> None:
    """The build says it uses the service, starts no workers of its own, and writes the reference
    bytes; `workers status` names it, `workers stop` stops it and removes its files."""
    root, info = served
    lines: list[str] = []
    run = build_run(root, OPTIONS, report=lines.append)
    assert lines[0] == f"rendering with the render service's 2 warm worker(s) (pid {info['pid']})"
    assert not run.failed and pdfs(root) == reference
    assert set(run.worker_maxrss_kib) <= set(_service_workers(info["pid"])), "rendered outside the service"
    assert main(["-C", str(root), "workers", "status"]) == 0
    assert f"pid {info['pid']}, 2 warm worker(s)" in capsys.readouterr().out
    assert main(["-C", str(root), "workers", "stop"]) == 0
    assert wait_gone(info["pid"])
    assert sorted(p.name for p in (root / service.FOLDER).iterdir()) == ["log"]
    assert main(["-C", str(root), "workers", "status"]) == 1


def _service_workers(pid: int) -> list[int]:
    """The processes under the service (its forkserver and workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_only_this_user_with_the_key_can_use_the_service(served) -> None:
    """The folder is 0700 and the key 0600; a client without the key is refused before anything is
    rendered, and the service goes on serving builds."""
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

    root, info = served
    folder = root / service.FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "key").stat().st_mode) == 0o600
    with pytest.raises(AuthenticationError):
        Client(str(folder / "sock"), family="AF_UNIX", authkey=b"guessed" * 4)
    lines: list[str] = []
    build_run(root, BuildOptions(handouts=("aftercare",), locales=("en",)), report=lines.append)
    assert lines[0].startswith("rendering with the render service")


def test_a_stale_service_is_stopped_and_the_build_uses_its_own_workers(served, reference) -> None:
    """A service started from other code or fonts (its code key differs) would not make this build's
    PDFs: the build stops it, says so, and renders with its own workers."""
    root, info = served
    path = root / service.FOLDER / "info.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "code": "an older handoutgen"}))
    lines: list[str] = []
    run = build_run(root, OPTIONS, report=lines.append, jobs=2)
    assert lines[0].startswith("the render service was started before handoutgen or the fonts changed")
    assert not any("rendering with the render service" in line for line in lines)
    assert not run.failed and pdfs(root) == reference
    assert wait_gone(info["pid"])


@pytest.mark.parametrize("when", ["before the build", "after its first sheet"])
def test_a_service_that_goes_away_leaves_a_complete_build(served, reference, when: str) -> None:
    """Killed (not stopped: no goodbye) before the build connects or after it took one result: every
    sheet not answered goes to the build's own workers, in order, and the build is what it would have
    been."""
    root, info = served
    if when == "before the build":
        os.kill(info["pid"], signal.SIGKILL)
        assert wait_gone(info["pid"])
    lines: list[str] = []

    def report(line: str) -> None:
        lines.append(line)
        if when != "before the build" and len([x for x in lines if x.startswith("[")]) == 1:
            for pid in [info["pid"], *_service_workers(info["pid"])]:
                os.kill(pid, signal.SIGKILL)

    run = build_run(root, OPTIONS, report=report, jobs=2)
    assert not run.failed, lines
    assert pdfs(root) == reference
    assert not service._alive(info["pid"])


def test_a_killed_service_leaves_no_process_behind(served) -> None:
    """The service killed outright (SIGKILL: it cannot stop its pool): its forkserver and warm
    workers end too, within seconds."""
    root, info = served
    under = _service_workers(info["pid"])
    assert len(under) >= 3, under  # the forkserver and two workers at least
    os.kill(info["pid"], signal.SIGKILL)
    assert wait_gone(info["pid"])
    try:
        assert all(wait_gone(pid, 15) for pid in under), [pid for pid in under if service._alive(pid)]
    finally:
        for pid in under:
            if service._alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_stylesheet_error_found_by_the_service_stops_the_build_before_any_pdf(served) -> None:
    """The stylesheet check runs in a service worker and its error is the one a build without the
    service gives: nothing is written."""
    root, _ = served
    css = root / "templates" / "handout.css"
    css.write_text(css.read_text() + "\n@page { size: A4 bogus-value; }\n")
    code_served = main(["-C", str(root), "build", "--handout", "aftercare"])
    assert not list((root / "build").glob("*/*.pdf"))
    service.stop(root)
    assert main(["-C", str(root), "build", "--handout", "aftercare"]) == code_served != 0


def test_the_service_stops_when_idle_or_when_its_files_are_deleted(tmp_path: Path) -> None:
    """No service outlives its use: after --idle minutes without a build, or at once when its folder
    is deleted (no build could find it again)."""
    root = copy_project(tmp_path / "p")
    info = service.start(root, 1, idle_minutes=0.02)
    assert wait_gone(info["pid"]), "still running after 20 s with --idle 0.02"
    assert not (root / service.FOLDER / "sock").exists()
    info = service.start(root, 1, idle_minutes=5)
    for name in ("info.json", "key", "sock"):
        (root / service.FOLDER / name).unlink()
    assert wait_gone(info["pid"]), "still running after its files were deleted"


def test_a_project_path_too_long_for_a_socket_is_one_clear_error(tmp_path: Path, capsys) -> None:
    root = copy_project(tmp_path / ("deep-" * 20) / "p")
    assert main(["-C", str(root), "workers", "start"]) == 7
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "too long for a Unix socket" in err and "Traceback" not in err
    assert service.running(root) is None
