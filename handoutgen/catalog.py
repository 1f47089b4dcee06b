"""Gettext catalogues: reading, writing (atomically, stable wrapping) and locating them."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from .errors import CatalogError, Problem
from .fsutil import write_bytes_atomic

DOMAIN = "handouts"
PO_WIDTH = 76


def po_path(locales_dir: Path, lang: str) -> Path:
    return Path(locales_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def pot_path(locales_dir: Path) -> Path:
    return Path(locales_dir) / f"{DOMAIN}.pot"


def load_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po/.pot file; a syntax error becomes one CatalogError line with file and line."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            return read_po(handle, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)
        raise CatalogError(problems=[Problem(str(path), line, f"{exc}; fix the .po syntax (try `msgfmt -c {path}`)")]) from exc
    except FileNotFoundError as exc:
        raise CatalogError(problems=[Problem(str(path), None, "catalogue not found; run `generate.py catalogs init LANG`")]) from exc


def dump_catalog(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, sort_output=False, include_previous=True,
             ignore_obsolete=False, omit_header=omit_header)
    return buffer.getvalue()


def save_catalog(catalog: Catalog, path: Path) -> None:
    """Write atomically: a failure half-way never truncates the catalogue on disk."""
    write_bytes_atomic(Path(path), dump_catalog(catalog))
