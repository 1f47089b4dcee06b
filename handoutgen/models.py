"""argostranslate language packages: where they live, listing, installing, loading.

Packages live in a folder the project controls: ``HANDOUTGEN_ARGOS_DIR`` if set, else
``<project>/.cache/argos-packages``.  argostranslate reads ``ARGOS_PACKAGES_DIR`` once, when
``argostranslate.settings`` is first imported, and ignores later changes; so
:func:`configure_argos` sets it (and the device) before the first import, and the project
never relies on argostranslate's global lookups anyway: it lists and loads packages from its
own folder by path.

argostranslate is a heavy optional dependency, so it is imported inside functions only.
Listing packages reads ``metadata.json`` directly and needs no argostranslate at all.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem, TranslationError
from .fsutil import atomic_writer

ENV_PACKAGES_DIR = "HANDOUTGEN_ARGOS_DIR"
INDEX_TIMEOUT = 5.0
DOWNLOAD_TIMEOUT = 60.0

#: Locale codes of the project → codes of the Argos package index.
_ARGOS_CODES = {
    "zh_hans": "zh", "zh_cn": "zh", "zh_sg": "zh",
    "zh_hant": "zt", "zh_tw": "zt", "zh_hk": "zt",
    "pt_br": "pb",
}


def project_root() -> Path:
    """The checkout this package belongs to (``generate.py`` sits there)."""
    return Path(__file__).resolve().parent.parent


def cache_dir(project_dir: Path | None = None) -> Path:
    return Path(project_dir or project_root()) / ".cache"


def packages_dir(explicit: Path | None = None, project_dir: Path | None = None) -> Path:
    """The packages folder: an explicit one, else ``$HANDOUTGEN_ARGOS_DIR``, else the cache's."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get(ENV_PACKAGES_DIR):
        return Path(os.environ[ENV_PACKAGES_DIR])
    return cache_dir(project_dir) / "argos-packages"


def argos_code(lang: str) -> str:
    """Argos language code for a locale: ``zh_Hans`` → ``zh``, ``zh_Hant`` → ``zt``, ``es_MX`` → ``es``."""
    key = lang.replace("-", "_").lower()
    return _ARGOS_CODES.get(key, key.split("_")[0])


def configure_argos(folder: Path) -> None:
    """Point argostranslate at ``folder`` before it is imported (it reads settings only once).

    The device defaults to the CPU unless the user set ``ARGOS_DEVICE_TYPE``.  Once
    argostranslate is imported, changing these has no effect on its own lookups; the project
    passes package paths explicitly, so a later folder still works for it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if "argostranslate.settings" not in sys.modules:
        os.environ["ARGOS_PACKAGES_DIR"] = str(folder)
        os.environ.setdefault("ARGOS_DEVICE_TYPE", "cpu")


@dataclass(frozen=True)
class PackageInfo:
    """One installed translation package, as its ``metadata.json`` describes it."""

    path: Path
    from_code: str
    to_code: str
    version: str
    from_name: str = ""
    to_name: str = ""
    has_splitter: bool = False

    @property
    def name(self) -> str:
        return f"translate-{self.from_code}_{self.to_code}"

    @property
    def provider(self) -> str:
        """What produced a draft, for the ``machine-draft:`` comment and the memory key."""
        return f"argostranslate {self.name} {self.version}"

    def __str__(self) -> str:
        names = f" ({self.from_name} → {self.to_name})" if self.from_name and self.to_name else ""
        return f"{self.name} {self.version}{names}"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def read_package(folder: Path) -> PackageInfo:
    """Read one installed package folder; a broken one is a TranslationError naming the file."""
    meta_path = folder / "metadata.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _broken(meta_path, "metadata.json is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _broken(meta_path, f"metadata.json is not valid JSON ({exc})") from None
    return _info_from_metadata(meta, folder, meta_path)


def _error(where: Path | str, what: str) -> TranslationError:
    """One problem line: where, what is wrong, how to fix it."""
    return TranslationError(problems=[Problem(str(where), None, what)])


def _broken(where: Path, what: str) -> TranslationError:
    return TranslationError(problems=[Problem(str(where), None, (
        f"{what}; reinstall the package with `generate.py models install FILE.argosmodel`"))])


def _info_from_metadata(meta: Any, folder: Path, where: Path) -> PackageInfo:
    if not isinstance(meta, dict):
        raise _broken(where, "metadata.json must hold a JSON object")
    if meta.get("type", "translate") != "translate":
        raise _broken(where, f"package type is {meta.get('type')!r}, not 'translate'")
    for key in ("from_code", "to_code"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise _broken(where, f"metadata.json has no '{key}'")
    return PackageInfo(
        path=folder,
        from_code=meta["from_code"],
        to_code=meta["to_code"],
        version=str(meta.get("package_version") or "0"),
        from_name=str(meta.get("from_name") or ""),
        to_name=str(meta.get("to_name") or ""),
        has_splitter=any((folder / "minisbd").glob("*.onnx")),
    )


def list_packages(folder: Path | None = None) -> list[PackageInfo]:
    """Installed translation packages, sorted by pair; folders being installed are skipped."""
    root = packages_dir(folder)
    if not root.is_dir():
        return []
    found = [read_package(p) for p in sorted(root.iterdir())
             if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (p.from_code, p.to_code, _version_key(p.version)))


def find_package(from_code: str, to_code: str, folder: Path | None = None) -> PackageInfo | None:
    """The newest installed package for the pair, or None."""
    matches = [p for p in list_packages(folder) if (p.from_code, p.to_code) == (from_code, to_code)]
    return max(matches, key=lambda p: _version_key(p.version)) if matches else None


def require_package(from_code: str, to_code: str, folder: Path | None = None) -> PackageInfo:
    """Like :func:`find_package`, but say which package to install, and how, when it is missing."""
    found = find_package(from_code, to_code, folder)
    if found is None:
        raise TranslationError(problems=[Problem(str(packages_dir(folder)), None, (
            f"no argostranslate package for {from_code} → {to_code}; install it with "
            f"`generate.py models install {from_code} {to_code}` (online) or "
            f"`generate.py models install translate-{from_code}_{to_code}-VERSION.argosmodel` "
            "(a file copied from a machine with internet)"))])
    return found


# --- installing from a file ----------------------------------------------------------------

def _corrupt(archive: Path, what: str) -> TranslationError:
    return TranslationError(problems=[Problem(str(archive), None, (
        f"{what}; this is not a usable .argosmodel, download the package again"))])


def _check_archive(archive: Path, zf: zipfile.ZipFile) -> str:
    """Validate the layout of a package archive; return its single top-level folder name."""
    names = zf.namelist()
    if not names:
        raise _corrupt(archive, "the archive is empty")
    tops = set()
    for name in names:
        parts = Path(name).parts
        if name.startswith(("/", "\\")) or ".." in parts or not parts:
            raise _corrupt(archive, f"unsafe path in the archive: {name!r}")
        tops.add(parts[0])
    if len(tops) != 1 or not any(n.startswith(next(iter(tops)) + "/") for n in names):
        raise _corrupt(archive, "expected one top-level folder holding the package, found "
                       + ", ".join(sorted(tops)[:5]))
    top = tops.pop()
    bad = zf.testzip()
    if bad is not None:
        raise _corrupt(archive, f"member {bad!r} fails its checksum (truncated or damaged download)")
    required = {f"{top}/metadata.json": "metadata.json", f"{top}/model/model.bin": "model/model.bin"}
    for member, label in required.items():
        if member not in names:
            raise _corrupt(archive, f"{label} is missing")
    if f"{top}/sentencepiece.model" not in names and f"{top}/bpe.model" not in names:
        raise _corrupt(archive, "no tokenizer (sentencepiece.model or bpe.model)")
    return top


def install_file(archive: Path, folder: Path | None = None) -> PackageInfo:
    """Install a ``.argosmodel`` file; replaces any installed package for the same pair.

    The archive is checked (zip, checksums, layout, metadata, model loads) and extracted into
    a hidden folder first, then renamed into place: a failure never leaves half a package.
    """
    archive = Path(archive)
    root = packages_dir(folder)
    root.mkdir(parents=True, exist_ok=True)
    if not archive.is_file():
        raise _error(archive, "file not found; give the path of a .argosmodel file")
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=root))
    try:
        top = _extract(archive, staging)
        info = _info_from_metadata(_load_metadata(archive, staging / top), staging / top, archive)
        _check_model_loads(archive, staging / top / "model")
        final = root / top
        replaced = [p.path for p in list_packages(root)
                    if (p.from_code, p.to_code) == (info.from_code, info.to_code)]
        for old in replaced:
            shutil.rmtree(old)
        os.replace(staging / top, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_package(final)


def _extract(archive: Path, staging: Path) -> str:
    try:
        with zipfile.ZipFile(archive) as zf:
            top = _check_archive(archive, zf)
            zf.extractall(staging)
        return top
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _corrupt(archive, f"not a valid zip archive ({exc})") from None


def _load_metadata(archive: Path, folder: Path) -> Any:
    try:
        return json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _corrupt(archive, f"metadata.json is not valid JSON ({exc})") from None


def _check_model_loads(archive: Path, model_dir: Path) -> None:
    """Load the CTranslate2 model once, so a damaged model fails at install, not mid-run."""
    import ctranslate2

    try:
        ctranslate2.Translator(str(model_dir), device="cpu", intra_threads=1)
    except (RuntimeError, ValueError, OSError) as exc:
        raise _corrupt(archive, f"the model in model/ does not load ({exc})") from None


# --- installing from the package index -----------------------------------------------------

def index_url() -> str:
    """The Argos package index, honouring ``ARGOS_PACKAGE_INDEX`` the way argostranslate does."""
    import argostranslate.settings as argos_settings  # light: no torch, no stanza

    return str(argos_settings.remote_package_index)


def _fetch(url: str, timeout: float) -> bytes:
    """One attempt, short timeout: offline must fail at once, not retry into RecursionError."""
    request = urllib.request.Request(url, headers={"User-Agent": "handoutgen"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def fetch_index(url: str | None = None, timeout: float = INDEX_TIMEOUT) -> list[dict[str, Any]]:
    """Download the package index once; offline, a TranslationError saying what to do instead."""
    url = url or index_url()
    try:
        data = json.loads(_fetch(url, timeout))
    except (OSError, urllib.error.URLError, socket.timeout) as exc:
        reason = getattr(exc, "reason", exc)
        raise TranslationError(problems=[Problem(url, None, (
            f"cannot reach the Argos package index ({reason}); offline, install from a file "
            "instead: `generate.py models install FILE.argosmodel` (copy the file from a machine "
            "with internet)"))]) from None
    except json.JSONDecodeError as exc:
        raise _error(url, f"the package index is not JSON ({exc}); try again later") from None
    if not isinstance(data, list):
        raise _error(url, "the package index is not a list of packages; try again later")
    return [entry for entry in data if isinstance(entry, dict)]


def install_pair(from_code: str, to_code: str, folder: Path | None = None, *,
                 url: str | None = None, timeout: float = INDEX_TIMEOUT,
                 downloads: Path | None = None) -> PackageInfo:
    """Install the index's package for a language pair (online only)."""
    root = packages_dir(folder)
    configure_argos(root)
    index = fetch_index(url, timeout)
    entry = _pick_entry(index, from_code, to_code, url or index_url())
    name = f"translate-{from_code}_{to_code}-{entry.get('package_version', '0')}.argosmodel"
    target = Path(downloads or root.parent / "argos-downloads") / name  # beside the packages
    _download(entry, target)
    try:
        return install_file(target, root)
    finally:
        target.unlink(missing_ok=True)


def _pick_entry(index: list[dict[str, Any]], from_code: str, to_code: str, url: str) -> dict[str, Any]:
    matches = [e for e in index if e.get("type", "translate") == "translate"
               and e.get("from_code") == from_code and e.get("to_code") == to_code]
    if matches:
        return max(matches, key=lambda e: _version_key(str(e.get("package_version", "0"))))
    targets = sorted({str(e.get("to_code")) for e in index if e.get("from_code") == from_code})
    raise TranslationError(problems=[Problem(url, None, (
        f"the package index has no {from_code} → {to_code} package; "
        f"from {from_code} it offers: {', '.join(targets) or 'nothing'}"))])


def _download(entry: dict[str, Any], target: Path) -> None:
    """Try each link once; write atomically so a broken download never looks installed."""
    errors = []
    for link in entry.get("links") or []:
        try:
            data = _fetch(link, DOWNLOAD_TIMEOUT)
        except (OSError, urllib.error.URLError, socket.timeout) as exc:
            errors.append(f"{link}: {getattr(exc, 'reason', exc)}")
            continue
        with atomic_writer(target) as handle:
            handle.write(data)
        return
    raise TranslationError(problems=[Problem(str(target), None, (
        "download failed (" + ("; ".join(errors) or "the index lists no link") +
        "); try again, or install from a file with `generate.py models install FILE.argosmodel`"))])


# --- loading --------------------------------------------------------------------------------

def load_argos_package(info: PackageInfo):
    """argostranslate's own ``Package`` for an installed folder (metadata + tokenizer).

    Imports ``argostranslate.package`` only: it needs neither torch nor stanza nor spaCy.
    """
    configure_argos(info.path.parent)
    from argostranslate.package import Package

    package = Package(info.path)
    if not hasattr(package, "tokenizer"):
        raise _broken(info.path, "the package has no sentencepiece.model or bpe.model")
    return package
