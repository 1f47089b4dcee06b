"""Writing files so that a crash or a full disk never leaves a half-written output behind."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

#: Temp files are named ``.<target>.<pid>.<random>.tmp`` beside their target, so a later run can tell
#: one left by a killed process (its pid is gone) from one being written right now.
TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


@contextlib.contextmanager
def atomic_writer(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Yield a temp file beside ``path``; rename it over ``path`` only if the block succeeds. Its bytes
    are flushed to disk first unless ``durable`` is False (a cache file, made again when lost)."""
    path = Path(path)
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            _flush(handle, durable)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, on_busy: Callable[[], None]) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path``. When another process holds it, ``on_busy``
    runs first: it raises to refuse, or returns to wait for the lock."""
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_busy()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _temp_beside(path: Path) -> tuple[int, str]:
    """A new temp file beside ``path`` (its folder made if need be), named so that
    :func:`remove_leftovers` can tell whose it is: its descriptor and name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent)


def _flush(handle: BinaryIO, durable: bool) -> None:
    """What was written to ``handle`` handed to the system, and on to the disk if ``durable``."""
    handle.flush()
    if durable:
        os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_writer(path, durable=durable) as handle:
        handle.write(data)


class StagedWrites:
    """Files written one by one but replaced all together: each is written in full to a temp file
    beside its target as it comes (so nothing need be held in memory until the last is ready), and
    :meth:`commit` renames them all over their targets. Used as a context manager, a block that
    fails removes every temp file and no target is touched. A killed process's temp files are
    ours (see :func:`remove_leftovers`)."""

    def __init__(self) -> None:
        self.staged: list[tuple[str, Path]] = []  # (temp file, target), in the order written

    def write(self, path: Path, data: bytes) -> None:
        path = Path(path)
        fd, tmp = _temp_beside(path)
        self.staged.append((tmp, path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            _flush(handle, durable=True)
        os.chmod(tmp, 0o666 & ~_umask())

    def commit(self) -> None:
        while self.staged:
            tmp, path = self.staged.pop(0)
            os.replace(tmp, path)

    def discard(self) -> None:
        while self.staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.staged.pop()[0])

    def __enter__(self) -> StagedWrites:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.commit()
        self.discard()  # after a failure; after a commit there is nothing left


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def remove_leftovers(folders: Iterable[Path]) -> list[Path]:
    """Delete temp files that a killed run left beside its outputs; a live process's are kept.

    Only our own pattern is touched, and only files (never a symlink's target)."""
    removed = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for path in _temp_files(Path(folder)):
            match = _TEMP_RE.match(path.name)
            if not match or path.is_symlink() or not path.is_file() or _alive(int(match["pid"])):
                continue
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def _temp_files(folder: Path) -> Iterator[Path]:
    """Files named like our temp files below ``folder``, walked without following links (as
    ``rglob`` does, with one listing per folder and no ``stat`` per file)."""
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                yield Path(dirpath) / name


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
