"""Each input file's SHA-256, known by its ``stat`` while the ``stat`` is the same.

A health system's library (5,000 handouts in 20 languages) holds a gigabyte of catalogues: hashing
them was most of a no-op build, and of ``status`` and ``check`` with nothing changed. As git's index
does, a file's hash is kept with its inode, size, modification time and change time; while all four
are the same, the kept hash is the file's. The change time cannot be set by any tool and is moved by
every write, so a rewrite that keeps the old modification time (``touch -r``, ``rsync -t``, an
editor's restore) is still seen. A file modified less than :data:`RACY_SECONDS` before it was hashed
is hashed again every time (a second write in the same tick of a coarse clock would leave the same
``stat``: git's "racy" entries).

The kept hashes are in ``.cache/status/hashes.pickle``, stamped with the project's root and
:data:`FORMAT`; a damaged or foreign file is ignored. Delete it at any time: the next run hashes
every file again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

FORMAT = 1
NAME = Path(".cache") / "status" / "hashes.pickle"
#: How long before it was hashed a file must have been last modified for its hash to be kept.
RACY_SECONDS = 2.0


class FileHashes:
    """The project's kept hashes: :meth:`sha` answers, :meth:`save` keeps what was learnt."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.path = self.root / NAME
        self.stamp = (FORMAT, str(self.root))
        self.kept: dict[str, tuple[int, int, int, int, int, str]] = self._read()
        self.changed = False

    def _read(self) -> dict:
        try:
            with open(self.path, "rb") as handle:
                stored = pickle.load(handle)
        except Exception:  # none yet, or damaged: every file is hashed
            return {}
        if not isinstance(stored, dict) or stored.get("stamp") != self.stamp:
            return {}
        kept = stored.get("files")
        return kept if isinstance(kept, dict) else {}

    def sha(self, path: Path) -> str | None:
        """The file's SHA-256 (hex); None when there is no such file."""
        name = str(path)
        try:
            stat = os.stat(name)
        except FileNotFoundError:
            return None
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        kept = self.kept.get(name)
        if kept is not None and kept[:4] == signature and kept[4] - stat.st_mtime_ns > RACY_SECONDS * 1e9:
            return kept[5]
        hashed_at = time.time_ns()
        with open(name, "rb") as handle:
            sha = hashlib.file_digest(handle, "sha256").hexdigest()
        self.kept[name] = (*signature, hashed_at, sha)
        self.changed = True
        return sha

    def save(self) -> None:
        """Written when a hash was learnt; a cache that cannot be written is only a slower next run.
        Files that are gone are dropped."""
        if not self.changed:
            return
        from handoutgen.fsutil import write_bytes_atomic

        # a snapshot: the server may hash in another thread meanwhile
        kept = {name: entry for name, entry in list(self.kept.items()) if os.path.exists(name)}
        data = pickle.dumps({"stamp": self.stamp, "files": kept}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_bytes_atomic(self.path, data, durable=False)
        except OSError:
            pass
        self.changed = False


_OPEN: dict[Path, FileHashes] = {}


def hashes_of(root: Path) -> FileHashes:
    """The project's kept hashes, read once per process (every part of one command shares them)."""
    found = _OPEN.get(root)  # asked for every file: the folder is resolved once, not per file
    if found is None:
        resolved = Path(root).resolve()
        found = _OPEN.get(resolved) or FileHashes(resolved)
        _OPEN[resolved] = _OPEN[Path(root)] = found
    return found
