"""Staleness by content, not by clock: what each PDF was built from, and why it must be rebuilt.

Two levels, so a no-op build is almost free:

1. ``inputs``: a hash of every input file's bytes. When none changed and every recorded PDF is
   still on disk with the recorded hash, nothing is parsed, rendered or imported. A PDF whose size
   and modification time are those recorded with its hash is not read again.
2. Per output (handout × locale): hashes of each part that can change its bytes — the handout's
   content (parsed, so re-wrapping the YAML changes nothing), the catalogue entries that sheet uses
   (not the whole catalogue), templates and stylesheets, clinic settings, assets, fonts and the
   versions of the renderer. The parts that differ are the reasons for a rebuild.

The manifest (``build/manifest.json``) is written atomically after every finished PDF, so a build
killed at any moment leaves a manifest the next build can trust: a PDF that was written but not yet
recorded is simply built again, to the same bytes.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import time
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from handoutgen import __version__
from handoutgen.fsutil import write_text_atomic
from handoutgen.project import input_files, refuse_outside_links

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
SAVE_EVERY = 1.0  # seconds between manifest saves during a build


def digest(value: Any) -> str:
    data = (
        value
        if isinstance(value, bytes)
        else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()
    )
    return hashlib.sha256(data).hexdigest()[:20]


def inputs_digest(root: Path) -> str:
    """Every input file's name and bytes, plus fonts and renderer versions.

    Symlinks leading out of the project are refused before anything is read."""
    refuse_outside_links(root)
    files = input_files(root)
    refuse_outside_links(root, files)
    from handoutgen.build.hashes import hashes_of

    hashes = hashes_of(root)  # the same as digest(p.read_bytes()), without reading an unchanged file
    parts = [(str(p.relative_to(root)), _kept(hashes, p)[:20]) for p in files]
    return digest([parts, environment_digest(), font_choices_digest()])


def _kept(hashes: Any, path: Path) -> str:
    found = hashes.sha(path)
    if found is None:  # removed since it was listed: said as reading it would say it
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    return found


def font_choices_digest() -> str:
    """The font stacks chosen per script, and fontconfig's caches (which change when font packages
    are installed or updated): cheap to read, and enough to know the fonts may have changed."""
    from handoutgen.text import locales

    caches: list[tuple[str, int]] = []
    for folder in ("/var/cache/fontconfig", str(Path.home() / ".cache" / "fontconfig")):
        if os.path.isdir(folder):
            caches.extend(
                (name, os.path.getsize(os.path.join(folder, name))) for name in sorted(os.listdir(folder))
            )
    return digest([sorted(locales._FONT_STACKS.items()), locales.LATIN_FONTS, caches])


@lru_cache(maxsize=1)
def environment_digest() -> str:
    """The project version, WeasyPrint's version and the Pango/HarfBuzz/fontconfig libraries in use,
    read without importing WeasyPrint (a no-op build must stay cheap)."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, object] = {"handoutgen": __version__}
    for package in ("weasyprint", "pydyf", "fonttools", "tinycss2"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    versions["libraries"] = _library_versions()
    return digest(versions)


def _library_versions() -> list[str]:
    """Real file names of the shared libraries, which carry their versions (libpango-1.0.so.0.5000.12)."""
    names = []
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        for stem in (
            "libpango-1.0.so.0",
            "libharfbuzz.so.0",
            "libharfbuzz-subset.so.0",
            "libfontconfig.so.1",
        ):
            path = Path(folder) / stem
            if path.exists():
                names.append(os.path.realpath(path))
    return sorted(set(names))


@cache
def fonts_digest(families: tuple[str, ...]) -> str:
    """Which font files fontconfig picks for a stack, and their sizes: installing or updating a
    font package changes the PDFs that use it."""
    from handoutgen.build.fontfiles import font_file

    files = []
    for family in families:
        for style in ("Regular", "Bold"):
            out = font_file(family, style)
            size = os.path.getsize(out) if out and os.path.exists(out) else None
            files.append((family, style, out, size))
    return digest(files)


def files_digest(paths: list[Path], root: Path) -> str:
    """Names and bytes of ``paths``; one that leads out of the project is refused, not read."""
    refuse_outside_links(root, list(paths))
    return digest([(str(p.relative_to(root)), digest(p.read_bytes())) for p in sorted(paths) if p.is_file()])


def handout_digest(handout) -> str:
    """The handout as parsed: text and structure, not line numbers or white space."""
    data = dataclasses.asdict(handout)

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("line", "source", "id_line")}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value

    return digest(strip(data))


def entries_digest(lookup, catalog, findings: dict) -> str:
    """Only the catalogue entries this sheet used: their translation, state and error findings."""
    rows = []
    for key, state in sorted(lookup.used.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        message = catalog.get(key[0], context=key[1]) if catalog is not None else None
        errors = sorted(f.check for f in findings.get(key, ()) if f.severity == "error")
        rows.append([key[0], key[1], message.string if message is not None else None, state.value, errors])
    return digest(rows)


def html_name(name: str) -> str:
    """Where an output's web page is, in build/ as its name is (``en/a.pdf`` -> ``html/en/a.html``)."""
    locale, _, file = name.rpartition("/")
    return f"html/{locale}/{file.removesuffix('.pdf')}.html"


class Manifest:
    """``build/manifest.json``: per output, the part hashes it was built from and the PDF's hash."""

    def __init__(self, build_dir: Path):
        self.path = Path(build_dir) / MANIFEST
        self._saved = time.monotonic()
        self._save_seconds = 0.0
        self.data: dict[str, Any] = {"version": MANIFEST_VERSION, "inputs": None, "outputs": {}}
        try:
            loaded = json.loads(self.path.read_text())
            if loaded.get("version") == MANIFEST_VERSION and isinstance(loaded.get("outputs"), dict):
                self.data = loaded
        except (OSError, ValueError):
            pass  # no manifest, or a damaged one: everything is stale and it is rebuilt

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return self.data["outputs"]

    def output_ok(self, name: str) -> bool:
        """Recorded, and the PDF on disk is the one recorded (and so is its web page, if one was)."""
        entry = self.outputs.get(name)
        if not entry:
            return False
        return self._on_disk(name, entry, "pdf") and (
            "html" not in entry or self._on_disk(html_name(name), entry, "html")
        )

    def _on_disk(self, relative: str, entry: dict[str, Any], kind: str) -> bool:
        """The file is the one recorded. When its size and modification time are the ones recorded
        with its hash, it is not read again (a no-op over thousands of PDFs stays cheap); otherwise
        its bytes are hashed, and a match records the new size and time."""
        path = self.path.parent / relative
        try:
            stat = path.stat()
        except OSError:
            return False
        signature = [stat.st_size, stat.st_mtime_ns]
        if entry.get(f"{kind}_stat") == signature:
            return True
        if not path.is_file() or digest(path.read_bytes()) != entry.get(kind):
            return False
        entry[f"{kind}_stat"] = signature
        return True

    def reasons(self, name: str, parts: dict[str, str]) -> list[str]:
        entry = self.outputs.get(name)
        if not entry:
            return ["new"]
        if not self._on_disk(name, entry, "pdf"):
            return ["PDF missing or changed on disk"]
        if not self.output_ok(name):
            return ["web page missing or changed on disk"]
        old = entry.get("parts", {})
        return [part for part in parts if old.get(part) != parts[part]]

    def record(
        self,
        name: str,
        parts: dict[str, str],
        pdf_bytes: bytes,
        reasons: list[str],
        pages: int,
        html: str | None = None,
    ) -> None:
        """An output built (its files already written): its PDF, and its web page (``build --html``)
        when it has one, with their hashes and their size and time on disk."""
        entry: dict[str, Any] = {"parts": parts, "pdf": digest(pdf_bytes), "reasons": reasons, "pages": pages}
        self.outputs[name] = entry
        self._on_disk(name, entry, "pdf")
        if html is not None:
            entry["html"] = digest(html.encode())
            self._on_disk(html_name(name), entry, "html")
        if time.monotonic() - self._saved >= max(SAVE_EVERY, 10 * self._save_seconds):
            self.save()  # a killed build keeps what it finished

    def refresh(self, name: str, parts: dict[str, str]) -> None:
        """New key parts for an output whose PDF stays as it is (its HTML did not change)."""
        self.outputs[name]["parts"] = parts

    def save(self) -> None:
        """Written whole and atomically; during a build at most once a second, and never more than a
        tenth of the time (a large library's manifest takes a while to write): a record not yet saved
        only means that PDF is rebuilt next time. And at the end."""
        started = time.monotonic()
        write_text_atomic(self.path, json.dumps(self.data, sort_keys=True, ensure_ascii=False))
        self._saved = time.monotonic()
        self._save_seconds = self._saved - started
