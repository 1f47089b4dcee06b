"""WeasyPrint, imported once for the whole package: ``from handoutgen.render.weasy import weasyprint``.

Importing WeasyPrint loads Pango, HarfBuzz and fontconfig by trying several names for each library,
the first ones spelled for Windows or macOS. On Linux every name that is not a file path is looked up
with :func:`ctypes.util.find_library`, and each one it does not know costs ``ldconfig -p``, a run of
the C compiler (which runs the linker) and one of the linker: about 80 programs started, 0.15-0.2 s of
wall time and as much CPU, in every process that renders (measured on Debian 12: a WeasyPrint import
0.55 s wall alone, 0.37 s with the lookups answered as here). A build pays it in the forkserver before
its first sheet can start, and an edit rebuild in the planner.

Here the lookups are answered from the system's library cache, read once with ``ldconfig -p``: the
same answer the standard lookup gives first, and what Debian's packages (``scripts/setup.sh``) are
found by. A name the cache does not know is not searched for with the compiler and linker; WeasyPrint
goes on to its next spelling. If that leaves a library WeasyPrint needs unfound, or HarfBuzz's subsetter
(which decides the PDF's bytes) missing, the import is done again with the standard lookup, so a library
installed elsewhere (``LD_LIBRARY_PATH``) is found as before, only more slowly.

Every part of the package that renders imports WeasyPrint through this module; none imports it
directly (tests/test_weasy.py holds them to it), so the lookups are answered here wherever WeasyPrint is
first imported. The planner of a build never imports it.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import gc
import io
import os
import re
import struct
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType

#: The C library tags ``ldconfig -p`` gives each machine's native libraries, as ctypes.util reads them.
_ABI_TAGS = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def library_cache() -> str:
    """What ``ldconfig -p`` lists (every library in the system's cache); empty if it cannot run."""
    try:
        listed = subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env={"LC_ALL": "C", "LANG": "C"},
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return listed.stdout.decode(errors="replace")


def cached_lookup(listing: str) -> Callable[[str], str | None]:
    """A ``find_library`` that answers from ``listing`` (``ldconfig -p``) only: the soname the standard
    lookup's first step finds (``pango-1.0`` → ``libpango-1.0.so.0``), or None."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    tag = re.escape(_ABI_TAGS.get(machine, "libc6"))

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({tag}", listing)
        return found.group(1) if found else None

    return find_library


def _import(lookup: Callable[[str], str | None] | None) -> ModuleType | None:
    """WeasyPrint imported with ``lookup`` in place of ctypes' own (None: the standard lookup); None
    when a library is not found or the subsetter is missing (said by the standard import, not here)."""
    standard = ctypes.util.find_library
    if lookup is None:
        import weasyprint

        return weasyprint
    ctypes.util.find_library = lookup  # type: ignore[assignment]
    try:
        # WeasyPrint prints its installation advice and warns about a missing subsetter: the
        # standard import below says so if it is so
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import weasyprint
            import weasyprint.text.ffi as ffi
    except OSError:
        return None
    finally:
        ctypes.util.find_library = standard
    return weasyprint if ffi.harfbuzz_subset is not None else None


def _forget() -> None:
    """Drop what a failed or incomplete import left, so the next one runs WeasyPrint's modules again."""
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        del sys.modules[name]


def load() -> ModuleType:
    """WeasyPrint: already imported, or imported now with the cached lookup (the standard one if
    that does not find everything)."""
    if "weasyprint.text.ffi" in sys.modules:
        import weasyprint

        return weasyprint
    with _no_collections():
        module = _import(cached_lookup(library_cache())) if sys.platform.startswith("linux") else None
        if module is None:
            _forget()
            module = _import(None)
    assert module is not None
    return module


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """Python's garbage collector paused. The import makes some 50,000 objects that all live on
    (modules, classes, parsed declarations, stylesheets), and the collector, run after every 700
    new objects, walked them about 150 times for nothing: 9% of the import's CPU, before a build's
    first sheet can start."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


weasyprint = load()
