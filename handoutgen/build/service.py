"""The render service: WeasyPrint workers kept warm between builds (``generate.py workers start``).

A build's first second goes before any sheet can render: worker processes start and import
WeasyPrint (0.75 s on a 2-core machine, a sixth of a 24-sheet build). The service keeps a pool of
warm workers for one project, the way a compiler server or a build daemon does; ``build`` uses it
while it runs and was started from this very code and fonts, and otherwise starts its own workers as
before. ``watch`` and ``serve`` keep their own workers warm already.

Everything lives in the project's ``.cache/service/`` (mode 0700):

* ``sock``, a Unix socket;
* ``key``, 32 random bytes (mode 0600): a client proves it can read them before anything is rendered
  (``multiprocessing.connection``'s HMAC challenge), so another user of the machine cannot use it;
* ``info.json``: its pid, its workers, its code key (:func:`code_key`) and when it started.

It renders only its own project (a task names no folder), writes nothing but these files, and holds
no state a build depends on: the planner writes every PDF, the manifest and the print records, so a
service that stops mid-build costs that build only a fallback to its own workers. It stops after
``--idle`` minutes without a build, on ``workers stop``, or when a build finds it stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutgen.errors import HandoutError

if TYPE_CHECKING:
    from handoutgen.build.run import Prepared

FOLDER = Path(".cache") / "service"
#: The longest path a Unix socket may have (sun_path is 108 bytes with its final NUL).
SOCKET_PATH_MAX = 107
#: Minutes without a build after which the service stops (``workers start --idle``).
IDLE_MINUTES = 30.0
#: Seconds ``workers start`` waits for the workers to be warm.
START_TIMEOUT = 60.0


class ServiceError(HandoutError):
    exit_code = 7


def folder_of(root: Path) -> Path:
    return Path(root).resolve() / FOLDER


def code_key() -> str:
    """What a render depends on besides its HTML: the package's code, WeasyPrint and the libraries
    under it, and the font files fontconfig picks for every family the locales use. A service whose
    key differs from the build's is stale (the package was updated, a font package installed)."""
    from handoutgen.build.manifest import digest, environment_digest, fonts_digest
    from handoutgen.text.locales import FONT_PACKAGES

    package = Path(__file__).resolve().parent.parent
    sha = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest([sha.hexdigest(), environment_digest(), fonts_digest(tuple(sorted(FONT_PACKAGES)))])


def read_info(root: Path) -> dict | None:
    try:
        info = json.loads((folder_of(root) / "info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _alive(pid: Any) -> bool:
    """Whether the process runs (one that ended but was not reaped yet, a zombie, does not)."""
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    try:
        state = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


# -- the service process ----------------------------------------------------------------------------


class Service:
    """One project's warm workers, answering builds on a Unix socket until it is idle or stopped."""

    def __init__(self, root: Path, workers: int, idle_minutes: float) -> None:
        self.root = Path(root).resolve()
        self.folder = folder_of(self.root)
        self.workers = max(1, workers)
        self.idle_seconds = idle_minutes * 60
        self.clients = 0
        self.last_seen = time.monotonic()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.pool: Any = None
        self.listener: Any = None

    def run(self) -> None:
        """Warm the workers, then answer builds until stopped; the files go with it."""
        import secrets
        import socket

        from handoutgen.fsutil import write_bytes_atomic

        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        key = secrets.token_bytes(32)
        write_bytes_atomic(self.folder / "key", key)
        os.chmod(self.folder / "key", 0o600)
        path = self.folder / "sock"
        path.unlink(missing_ok=True)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen()
        self.listener.settimeout(1.0)  # so a stop is seen within a second
        try:
            self._start_pool()
            info = {"pid": os.getpid(), "workers": self.workers, "code": code_key(), "started": time.time()}
            write_bytes_atomic(self.folder / "info.json", json.dumps(info).encode())
            threading.Thread(target=self._watch_idle, daemon=True).start()
            self._accept(key)
        finally:
            self.listener.close()
            self._shut_down()

    def _start_pool(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        from handoutgen.build.workers import start_forkserver, worker_setup

        self.pool = ProcessPoolExecutor(self.workers, mp_context=start_forkserver(), **worker_setup())
        for future in [self.pool.submit(warm_task) for _ in range(self.workers)]:
            future.result()

    def _accept(self, key: bytes) -> None:
        """Each client proves it holds the key (and checks the service does) before anything else:
        ``multiprocessing.connection``'s HMAC challenge, both ways, as its ``Listener`` makes it."""
        from multiprocessing import AuthenticationError
        from multiprocessing.connection import Connection, answer_challenge, deliver_challenge

        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.setblocking(True)  # Connection reads the descriptor itself
            conn = Connection(client.detach())
            try:
                deliver_challenge(conn, key)
                answer_challenge(conn, key)
            except (AuthenticationError, EOFError, OSError):
                conn.close()  # refused, nothing rendered
                continue
            with self.lock:
                self.clients += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: Any) -> None:
        """One build: its tasks go to the pool, each result goes back (tagged) as it is done."""
        sending = threading.Lock()
        futures: list[Any] = []

        def reply(tag: Any, future: Any) -> None:
            try:
                result = future.result()
            except Exception:  # a worker died (out of memory?): said as the local renderer says it
                result = {
                    "error": "a render worker stopped unexpectedly (out of memory?); build again",
                    "code": 5,
                }
                self.stop()  # a broken pool serves no further build
            with sending:
                try:
                    conn.send((tag, result))
                except (OSError, ValueError):
                    pass  # the build went away

        try:
            while (task := self._task(conn.recv())) is not None:
                tag, future = task
                futures.append(future)
                future.add_done_callback(lambda f, tag=tag: reply(tag, f))
        except (EOFError, OSError):
            pass  # the build ended (or was interrupted)
        finally:
            for future in futures:
                future.cancel()
            with self.lock:
                self.clients -= 1
                self.last_seen = time.monotonic()
            conn.close()

    def _task(self, message: tuple) -> tuple[Any, Any] | None:
        """A build's message as (tag, future in the pool); None at "close" (or "stop", which also
        stops the service)."""
        from handoutgen.build.workers import pdf_worker, stylesheet_task

        if message[0] == "render":
            _, tag, html, label, code = message
            return tag, self.pool.submit(pdf_worker, (str(self.root), html, label, code))
        if message[0] == "check":
            return "check", self.pool.submit(stylesheet_task, str(self.root))
        if message[0] == "stop":
            self.stop()
        return None

    def _watch_idle(self) -> None:
        """Stop when idle long enough, or when its info file is gone or names another process (the
        cache was deleted: no build could find it again)."""
        while not self.stopping.wait(1.0):
            with self.lock:
                idle = self.clients == 0 and time.monotonic() - self.last_seen > self.idle_seconds
            orphaned = (read_info(self.root) or {}).get("pid") != os.getpid()
            if idle or orphaned:
                self.stop()
        self.stop()

    def stop(self) -> None:
        self.stopping.set()  # the accept loop sees it within a second

    def _shut_down(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        info = read_info(self.root)
        if info is not None and info.get("pid") == os.getpid():
            for name in ("info.json", "key", "sock"):
                (self.folder / name).unlink(missing_ok=True)


def warm_task() -> int:
    """A first render in a worker (fonts found, WeasyPrint's lazy imports done) before any build."""
    from handoutgen.build import workers
    from handoutgen.render.weasy import weasyprint

    weasyprint.HTML(string="<p>warm</p>").write_pdf(font_config=workers._WORKER_FONT_CONFIG)
    return os.getpid()


def main(argv: list[str] | None = None) -> None:
    """``python -m handoutgen.build.service ROOT WORKERS IDLE_MINUTES``: the service in this process."""
    root, workers, idle = (argv or sys.argv[1:])[:3]
    Service(Path(root), int(workers), float(idle)).run()


# -- starting, stopping, asking -----------------------------------------------------------------------


def start(root: Path, workers: int, idle_minutes: float = IDLE_MINUTES) -> dict:
    """Start the service in the background and wait until its workers are warm; its info. One that
    runs already (from this code) is kept; a stale one is stopped first."""
    import subprocess

    root = Path(root).resolve()
    socket = folder_of(root) / "sock"
    if len(str(socket).encode()) > SOCKET_PATH_MAX:
        raise ServiceError(
            f"{socket}: too long for a Unix socket ({len(str(socket).encode())} bytes, at most "
            f"{SOCKET_PATH_MAX}); move the project to a shorter path to use the render service"
        )
    info = running(root)
    if info is not None and info.get("code") == code_key():
        return info
    if info is not None:
        stop(root)
    folder_of(root).mkdir(parents=True, exist_ok=True)
    log = open(folder_of(root) / "log", "ab")  # noqa: SIM115 (the service keeps it)
    from handoutgen.build.workers import PACKAGE_HOME as home

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(home), *sys.path])}
    process = subprocess.Popen(  # from the package's folder: `-m` searches its current folder first
        [sys.executable, "-m", "handoutgen.build.service", str(root), str(workers), str(idle_minutes)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        env=env,
        cwd=home,
    )
    log.close()
    return _wait_ready(root, process)


def _wait_ready(root: Path, process: Any) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = read_info(root)
        if info is not None and info.get("pid") == process.pid:
            return info
        if process.poll() is not None:
            raise ServiceError(
                f"the render service did not start (exit {process.returncode}); see {folder_of(root) / 'log'}"
            )
        time.sleep(0.05)
    process.kill()
    raise ServiceError(f"the render service was not ready after {START_TIMEOUT:.0f} s; see its log")


def running(root: Path) -> dict | None:
    """The service's info while its process lives, else None."""
    info = read_info(root)
    return info if info is not None and _alive(info.get("pid")) else None


def stop(root: Path, timeout: float = 30.0) -> bool:
    """Ask the service to stop and wait for it; False when none was running."""
    info = running(root)
    if info is None:
        return False
    conn = _connect(root)
    if conn is not None:
        try:
            conn.send(("stop",))
        except OSError:
            pass
        conn.close()
    else:
        os.kill(int(info["pid"]), 15)
    deadline = time.monotonic() + timeout
    while _alive(info["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def _connect(root: Path) -> Any:
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

    folder = folder_of(root)
    try:
        return Client(str(folder / "sock"), family="AF_UNIX", authkey=(folder / "key").read_bytes())
    except (OSError, EOFError, AuthenticationError):
        return None


# -- a build's side ---------------------------------------------------------------------------------


def connect(root: Path, report) -> ServiceRenderer | None:
    """The running service as a renderer, or None (none runs, or it cannot be reached). A service
    from other code or fonts is stopped (said in one line): its PDFs would not be this build's."""
    info = running(root)
    if info is None:
        return None
    if info.get("code") != code_key():
        stop(root)
        report(
            "the render service was started before handoutgen or the fonts changed; stopped it "
            "(start it again: generate.py workers start)"
        )
        return None
    conn = _connect(root)
    if conn is None:
        return None
    report(f"rendering with the render service's {info['workers']} warm worker(s) (pid {info['pid']})")
    return ServiceRenderer(Path(root), conn, int(info["workers"]))


class ServiceRenderer:
    """The :class:`~handoutgen.build.workers.Renderer` interface on the render service. Should the
    service go away mid-build, every sheet not answered yet goes to workers of this build's own, in
    the same order: the build finishes as it would have."""

    def __init__(self, root: Path, conn: Any, workers: int) -> None:
        self.root, self.conn, self.workers = Path(root), conn, workers
        self.order: deque[int] = deque()  # tags sent, results not taken yet
        self.sent: dict[int, Prepared] = {}
        self.answers: dict[Any, Any] = {}
        self.count = 0
        self.check: str | None = None  # "pending" once the stylesheet check was asked for
        self.fallback: Any = None

    @property
    def in_flight(self) -> int:
        return len(self.order)

    def submit(self, prepared: Prepared) -> None:
        self.count += 1
        self.order.append(self.count)
        self.sent[self.count] = prepared
        if self.fallback is not None:
            return self.fallback.submit(prepared)
        self._send(("render", self.count, prepared.html, prepared.job.label, prepared.job.locale))

    def check_stylesheets(self) -> None:
        self.check = "pending"
        self._send(("check",))

    def next_result(self) -> dict:
        """The oldest sheet's result (the stylesheet check's error first, raised as the local renderer
        raises it)."""
        if self.check is not None:
            self._wait_for("check")
            self.check = None
            error = self.answers.pop("check", None)
            if error is not None:
                raise error
        tag = self.order[0]
        self._wait_for(tag)
        self.order.popleft()
        self.sent.pop(tag)
        return self.answers.pop(tag) if tag in self.answers else self.fallback.next_result()

    def _wait_for(self, tag: Any) -> None:
        """Until the service answered ``tag`` (other answers are kept as they come), or went away."""
        while tag not in self.answers and self.fallback is None:
            try:
                got, value = self.conn.recv()
            except (EOFError, OSError):
                self._fall_back()
                return
            self.answers[got] = value

    def _send(self, message: tuple) -> None:
        if self.fallback is not None:
            if message[0] == "check":
                self.fallback.check_stylesheets()
            return
        try:
            self.conn.send(message)
        except OSError:
            self._fall_back()

    def _fall_back(self) -> None:
        """Workers of this build's own for every sheet the service did not answer, in order."""
        from handoutgen.build.workers import Renderer

        self.fallback = Renderer(self.root, self.workers, eager=True)
        if self.check is not None and "check" not in self.answers:
            self.fallback.check_stylesheets()
        for tag in self.order:
            if tag not in self.answers:
                self.fallback.submit(self.sent[tag])

    def close(self) -> None:
        try:
            self.conn.send(("close",))
        except OSError:
            pass
        self.conn.close()
        if self.fallback is not None:
            self.fallback.close()


if __name__ == "__main__":
    main()
