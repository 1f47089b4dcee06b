"""Staleness by content, not by clock: what each PDF was built from, and why it must be rebuilt.

Two levels, so a no-op build is almost free:

1. ``inputs``: a hash of every input file's bytes. When none changed and every recorded PDF is
   still on disk with the recorded hash, nothing is parsed, rendered or imported. A PDF whose size
   and modification time are those recorded with its hash is not read again.
2. Per output (handout × locale): hashes of each part that can change its bytes — the handout's
   content (parsed, so re-wrapping the YAML changes nothing), the catalogue entries that sheet uses
   (not the whole catalogue), templates and stylesheets, clinic settings, assets, fonts and the
   versions of the renderer. The parts that differ are the reasons for a rebuild.

The manifest (``build/manifest.sqlite``, one row per output) is committed at most once a second
during a build and at its end, so a build killed at any moment leaves a manifest the next build can
trust: a PDF that was written but not yet recorded is simply built again, to the same bytes.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

from handoutgen import __version__
from handoutgen.fsutil import write_bytes_atomic
from handoutgen.project import input_files, refuse_outside_links

MANIFEST = "manifest.sqlite"
MANIFEST_VERSION = 2
LEGACY_MANIFEST = "manifest.json"  # version 1: one JSON document
SAVE_EVERY = 1.0  # seconds between manifest saves during a build
_T = TypeVar("_T")


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


def _disk_errors(method: Callable[..., _T]) -> Callable[..., _T]:
    """SQLite's word for a manifest it cannot open, read or write (a folder in its place, a full disk,
    an I/O error, damage found mid-build) said as the machine's: an OSError naming the file, which
    the command line gives as one line (exit 7)."""

    @functools.wraps(method)
    def wrapper(self: Manifest, *args: Any, **kwargs: Any) -> _T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise _disk_error(exc, self.path) from None

    return wrapper


def _disk_error(exc: sqlite3.DatabaseError, path: Path) -> OSError:
    return OSError(errno.EIO, f"the build's manifest cannot be used: {exc}", str(path))


class Manifest:
    """``build/manifest.sqlite``: per output, the part hashes it was built from and the PDF's hash.

    One row per output, read when its sheet comes and written when it is built: neither the build's
    memory nor a save grows with the library (the JSON document of version 1 was held whole and
    written whole; a 100,000-sheet library's was 44 MB). Changes are committed at most once a second
    during a build and at its end (:meth:`save`); a record not committed yet only means that PDF is
    built again. A manifest that is damaged or of another version counts as empty (every sheet is
    stale) and is made afresh at the first save; one of version 1 (``manifest.json``) is carried
    over, so an upgrade renders nothing again, and removed once the new one is saved.
    """

    @_disk_errors
    def __init__(self, build_dir: Path):
        self.path = Path(build_dir) / MANIFEST
        self._saved = time.monotonic()
        self._fresh = False  # in memory only: the file is written whole at the next save
        self._legacy: Path | None = None
        # the entry read or written last: a sheet's staleness, then its pages or new parts, read it once
        self._last: tuple[str, dict[str, Any]] | None = None
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path.exists():
            db = sqlite3.connect(self.path)
            try:
                if db.execute("PRAGMA user_version").fetchone()[0] == MANIFEST_VERSION:
                    db.execute("SELECT name FROM outputs LIMIT 1").fetchall()
                    return db
            except sqlite3.DatabaseError as exc:  # not a database, or damaged: everything is rebuilt
                if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    db.close()
                    raise  # in use by some other program: not ours to replace
            db.close()
        self._fresh = True
        db = sqlite3.connect(":memory:")
        for statement in _SCHEMA:
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {MANIFEST_VERSION}")
        self._carry_over(db)
        return db

    def _carry_over(self, db: sqlite3.Connection) -> None:
        """The outputs and no-op records of a version 1 manifest, if one is there and readable."""
        legacy = self.path.with_name(LEGACY_MANIFEST)
        try:
            loaded = json.loads(legacy.read_text())
        except (OSError, ValueError):
            return
        if not isinstance(loaded, dict) or loaded.get("version") != 1:
            return
        outputs, fast = loaded.get("outputs"), loaded.get("fast")
        for name, entry in (outputs if isinstance(outputs, dict) else {}).items():
            if _usable(entry):  # one of another shape is left out: that sheet is rebuilt
                _put(db, name, entry)
        for options, record in (fast if isinstance(fast, dict) else {}).items():
            db.execute("INSERT INTO fast VALUES (?, ?)", (options, json.dumps(record)))
        self._legacy = legacy

    @property
    @_disk_errors
    def empty(self) -> bool:
        """No output recorded: a cold build."""
        return self.db.execute("SELECT 1 FROM outputs LIMIT 1").fetchone() is None

    @_disk_errors
    def names(self) -> set[str]:
        return {name for (name,) in self.db.execute("SELECT name FROM outputs")}

    @_disk_errors
    def entry(self, name: str) -> dict[str, Any] | None:
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        row = self.db.execute("SELECT entry FROM outputs WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        self._last = (name, json.loads(row[0]))
        return self._last[1]

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every recorded output's entry, one at a time (SQLite's errors as :func:`_disk_errors` says
        them, however far the caller got)."""
        try:
            for (text,) in self.db.execute("SELECT entry FROM outputs"):
                yield json.loads(text)
        except sqlite3.DatabaseError as exc:
            raise _disk_error(exc, self.path) from None

    def pages(self, name: str) -> int:
        return (self.entry(name) or {}).get("pages", 0)

    @_disk_errors
    def fast(self, options: str) -> dict[str, Any] | None:
        """What the last complete build with these options wrote, for the no-op check."""
        row = self.db.execute("SELECT record FROM fast WHERE options = ?", (options,)).fetchone()
        record = json.loads(row[0]) if row else None
        usable = isinstance(record, dict) and isinstance(record.get("outputs"), list) and "inputs" in record
        return record if usable else None  # one carried over from a damaged manifest.json counts as none

    @_disk_errors
    def set_fast(self, options: str, record: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO fast VALUES (?, ?)", (options, json.dumps(record)))

    @_disk_errors
    def outputs_ok(self, names: list[str]) -> bool:
        """Every one of ``names`` recorded and on disk as recorded (:meth:`output_ok`), the size and
        time of each read in one query: a no-op over 100,000 PDFs is one ``stat`` each."""
        stats = {row[0]: row[1:] for row in self.db.execute("SELECT name, pdf_stat, html_stat FROM outputs")}
        folder = str(self.path.parent)
        for name in names:
            if name not in stats:
                return False
            pdf, html = stats[name]
            if _as_text(_stat(os.path.join(folder, name))) == pdf and (
                html is None or _as_text(_stat(os.path.join(folder, html_name(name)))) == html
            ):
                continue
            if not self.output_ok(name):
                return False
        return True

    @_disk_errors
    def output_ok(self, name: str) -> bool:
        """Recorded, and the PDF on disk is the one recorded (and so is its web page, if one was)."""
        entry = self.entry(name)
        return bool(entry) and self._files_problem(name, cast(dict, entry)) is None

    def _files_problem(self, name: str, entry: dict[str, Any]) -> str | None:
        """Why the output's files on disk are not the ones recorded; None when they are. A file found
        the same after a copy has its new size and time written, so it is not read next time."""
        before = (entry.get("pdf_stat"), entry.get("html_stat"))
        problem = None
        if not self._on_disk(name, entry, "pdf"):
            problem = "PDF missing or changed on disk"
        elif "html" in entry and not self._on_disk(html_name(name), entry, "html"):
            problem = "web page missing or changed on disk"
        if (entry.get("pdf_stat"), entry.get("html_stat")) != before:
            self._write(name, entry)
        return problem

    def _on_disk(self, relative: str, entry: dict[str, Any], kind: str) -> bool:
        """The file is the one recorded. When its size and modification time are the ones recorded
        with its hash, it is not read again (a no-op over thousands of PDFs stays cheap); otherwise
        its bytes are hashed, and a match records the new size and time."""
        path = os.path.join(self.path.parent, relative)  # a str: pathlib would intern every name
        signature = _stat(path)
        if signature is None:
            return False
        if entry.get(f"{kind}_stat") == signature:
            return True
        if not os.path.isfile(path) or digest(_read(path)) != entry.get(kind):
            return False
        entry[f"{kind}_stat"] = signature
        return True

    @_disk_errors
    def reasons(self, name: str, parts: dict[str, str]) -> list[str]:
        entry = self.entry(name)
        if not entry:
            return ["new"]
        problem = self._files_problem(name, entry)
        if problem:
            return [problem]
        old = entry.get("parts", {})
        return [part for part in parts if old.get(part) != parts[part]]

    @_disk_errors
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
        self._on_disk(name, entry, "pdf")
        if html is not None:
            entry["html"] = digest(html.encode())
            self._on_disk(html_name(name), entry, "html")
        self._write(name, entry)
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.save()  # a killed build keeps what it finished

    @_disk_errors
    def refresh(self, name: str, parts: dict[str, str]) -> None:
        """New key parts for an output whose PDF stays as it is (its HTML did not change)."""
        entry = self.entry(name)
        if entry is not None:
            entry["parts"] = parts
            self._write(name, entry)

    @_disk_errors
    def forget(self, name: str) -> None:
        self.db.execute("DELETE FROM outputs WHERE name = ?", (name,))
        self._last = None

    def _write(self, name: str, entry: dict[str, Any]) -> None:
        _put(self.db, name, entry)
        self._last = (name, entry)

    def close(self) -> None:
        """Let go of the file; changes not saved are dropped (``--explain`` writes nothing)."""
        self.db.rollback()
        self.db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_disk_errors
    def save(self) -> None:
        """Commit. A manifest made afresh (none yet, a damaged one, or carried over from version 1) is
        written whole and atomically the first time, and used in place from then on."""
        if self._fresh:
            self.db.commit()
            write_bytes_atomic(self.path, self.db.serialize())
            self.db.close()
            self.db, self._fresh = sqlite3.connect(self.path), False
            if self._legacy is not None:
                self._legacy.unlink(missing_ok=True)
                self._legacy = None
        else:
            self.db.commit()
        self._saved = time.monotonic()


_SCHEMA = (
    # the entry as JSON (parts, pdf, reasons, pages, html, and the files' size and time); the files'
    # [size, mtime_ns] again as text, so a no-op reads them for every output without parsing entries
    "CREATE TABLE outputs (name TEXT PRIMARY KEY, entry TEXT NOT NULL, pdf_stat TEXT, html_stat TEXT)"
    " WITHOUT ROWID",
    "CREATE TABLE fast (options TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID",
)


def _put(db: sqlite3.Connection, name: str, entry: dict[str, Any]) -> None:
    """Write one output's row. Its web page's column is NULL when it has none, and empty while its
    size and time are not known (never equal to a file's, so the page is checked in full)."""
    html = (_as_text(entry.get("html_stat")) or "") if "html" in entry else None
    db.execute(
        "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)",
        (name, json.dumps(entry, sort_keys=True), _as_text(entry.get("pdf_stat")), html),
    )


def _usable(entry: Any) -> bool:
    """An entry of the shape this module writes (a damaged ``manifest.json`` may hold anything)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("parts"), dict)
        and isinstance(entry.get("pdf"), str)
        and isinstance(entry.get("pages", 0), int)
    )


def _stat(path: str) -> list[int] | None:
    """A file's size and modification time, as the manifest keeps them; None when it is not there."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _as_text(signature: Any) -> str | None:
    """``[size, mtime_ns]`` as the column keeps it; None for anything else (none recorded yet)."""
    if isinstance(signature, list) and len(signature) == 2:
        return f"[{signature[0]}, {signature[1]}]"
    return None
