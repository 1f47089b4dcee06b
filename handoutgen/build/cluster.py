"""Rendering on a Dask distributed cluster: ``generate.py build --cluster ADDRESS``.

Dask, not Ray: the render jobs are independent Python calls on a few kB of HTML each, which is what
``distributed``'s futures do with the least machinery (no object store, no actors); it has a
``LocalCluster`` that runs real worker processes on one machine (the tests use it), a scheduler and
workers started with one command each on other machines, and a Helm chart for Kubernetes.

The planner stays on the machine that holds the project. Each job ships what rendering may read: the
sheet's HTML and the project's render bundle (``templates/`` and ``assets/``, the only folders the
renderer may fetch from, sent once to every worker), and gets PDF bytes back. Workers need the
package and the fonts, never the project. The manifest and print records are written by the planner
only, as results arrive, so an interrupted cluster run leaves nothing half-done.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutgen.errors import HandoutError

if TYPE_CHECKING:
    from handoutgen.build.run import Prepared

BUNDLE_FOLDERS = ("templates", "assets")
LOCAL_PREFIX = "local:"  # ``--cluster local:4``: a LocalCluster of 4 worker processes on this machine


def render_bundle(root: Path) -> dict[str, bytes]:
    """Every file rendering may read, by project-relative path."""
    files: dict[str, bytes] = {}
    for folder in BUNDLE_FOLDERS:
        base = Path(root) / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else ():
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def bundle_key(bundle: dict[str, bytes]) -> str:
    sha = hashlib.sha256()
    for name in sorted(bundle):
        sha.update(name.encode() + b"\0" + hashlib.sha256(bundle[name]).digest())
    return sha.hexdigest()[:20]


def cluster_task(key: str, bundle: dict[str, bytes], html: str, label: str, code: str) -> dict:
    """On a worker: the bundle unpacked once per worker machine (by its hash), then the same
    WeasyPrint call as a local worker."""
    from handoutgen.build.workers import pdf_worker

    root = Path(tempfile.gettempdir()) / "handoutgen-bundles" / key
    if not root.is_dir():
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root.parent))
        for name, data in bundle.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            os.rename(staging, root)
        except OSError:  # another worker on this machine unpacked the same bundle first
            pass
    return pdf_worker((str(root), html, label, code))


class ClusterRenderer:
    """The :class:`~handoutgen.build.workers.Renderer` interface on a Dask cluster."""

    def __init__(self, root: Path, address: str) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise HandoutError(
                "--cluster needs Dask's distributed package: bash scripts/setup.sh --cluster"
            ) from None
        self.cluster: Any = None
        self.client: Any = None
        try:
            if address.startswith(LOCAL_PREFIX):
                workers = int(address[len(LOCAL_PREFIX) :] or os.cpu_count() or 1)
                self.cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout="15s")
        except (OSError, ValueError) as exc:
            self._shut()
            raise HandoutError(
                f"cannot reach the cluster at {address!r} ({exc}); is its scheduler running?"
            ) from None
        bundle = render_bundle(root)
        self.key = bundle_key(bundle)
        self.bundle = self.client.scatter(bundle, broadcast=True, hash=True)
        self.root = Path(root)
        self.futures: deque[Any] = deque()
        self.workers = len(self.client.scheduler_info().get("workers", {}))

    @property
    def in_flight(self) -> int:
        return len(self.futures)

    def check_stylesheets(self) -> None:
        """The stylesheet check, here: the planner holds the project (the error is raised now)."""
        from handoutgen.project import Project
        from handoutgen.render.css import validate_stylesheets

        validate_stylesheets(Project(self.root))

    def submit(self, prepared: Prepared) -> None:
        job = prepared.job
        self.futures.append(
            self.client.submit(
                cluster_task, self.key, self.bundle, prepared.html, job.label, job.locale, pure=False
            )
        )

    def next_result(self) -> dict:
        """The oldest submitted sheet's result (the planner writes results as they come, in order)."""
        return self.futures.popleft().result()

    def close(self) -> None:
        for future in self.futures:
            future.cancel()
        self.futures.clear()
        self._shut()

    def _shut(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
