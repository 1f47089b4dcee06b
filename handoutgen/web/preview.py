"""The preview keeps itself current: a background thread rebuilds what an edit affects (the same
incremental build as ``generate.py watch``), so a saved change to the YAML, a catalogue, the records
or a template shows in the browser within seconds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from handoutgen.build.run import BuildOptions, build_run
from handoutgen.build.watch import snapshot
from handoutgen.errors import HandoutError


class Rebuilder:
    def __init__(self, root: Path, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.builds = 0
        self.last_error: str | None = None
        self.last_build = 0.0
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._thread = threading.Thread(target=self._run, name="preview-rebuilder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._poke.set()
        self._thread.join(timeout=30)

    def poke(self) -> None:
        """Rebuild now (after an edit made in the browser), without waiting for the next poll."""
        self._poke.set()

    def _run(self) -> None:
        seen: dict = {}
        while not self._stop.is_set():
            now = snapshot(self.root)
            if now != seen:
                seen = now
                self._build()
            self._poke.wait(self.interval)
            self._poke.clear()

    def _build(self) -> None:
        lines: list[str] = []
        try:
            build_run(self.root, BuildOptions(), lines.append)
            self.last_error = None
        except HandoutError as exc:
            self.last_error = str(exc).splitlines()[0]
        except Exception as exc:  # the server keeps serving; the page shows the problem
            self.last_error = f"{type(exc).__name__}: {exc}"
        self.builds += 1
        self.last_build = time.time()
