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

import ipaddress
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from handoutgen.errors import Problem, TranslationError
from handoutgen.fsutil import atomic_writer

ENV_PACKAGES_DIR = "HANDOUTGEN_ARGOS_DIR"
INDEX_TIMEOUT = 5.0
DOWNLOAD_TIMEOUT = 60.0

# Limits for a package archive, read from its central directory before anything is extracted and
# enforced again while extracting (a zip's headers can lie). Real packages are 50–400 MB unpacked,
# made of model weights that barely compress; a zip bomb is thousands of times smaller packed.
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # uncompressed / compressed, for any member over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_DOWNLOAD_BYTES = 4 * 1024**3
MAX_INDEX_BYTES = 32 * 1024 * 1024
_TOP_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_ARGOS_CODE_RE = re.compile(r"[a-z]{2,3}")
_SAFE_VERSION_RE = re.compile(r"[^0-9A-Za-z]+")

#: Locale codes of the project → codes of the Argos package index.
_ARGOS_CODES = {
    "zh_hans": "zh",
    "zh_cn": "zh",
    "zh_sg": "zh",
    "zh_hant": "zt",
    "zh_tw": "zt",
    "zh_hk": "zt",
    "pt_br": "pb",
}


def project_root() -> Path:
    """The checkout this package belongs to (``generate.py`` sits there)."""
    return Path(__file__).resolve().parents[2]


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
    return TranslationError(
        problems=[
            Problem(
                str(where),
                None,
                (f"{what}; reinstall the package with `generate.py models install FILE.argosmodel`"),
            )
        ]
    )


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
    found = [read_package(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (p.from_code, p.to_code, _version_key(p.version)))


def find_package(from_code: str, to_code: str, folder: Path | None = None) -> PackageInfo | None:
    """The newest installed package for the pair, or None."""
    matches = [p for p in list_packages(folder) if (p.from_code, p.to_code) == (from_code, to_code)]
    return max(matches, key=lambda p: _version_key(p.version)) if matches else None


def require_package(from_code: str, to_code: str, folder: Path | None = None) -> PackageInfo:
    """Like :func:`find_package`, but say which package to install, and how, when it is missing."""
    found = find_package(from_code, to_code, folder)
    if found is None:
        raise TranslationError(
            problems=[
                Problem(
                    str(packages_dir(folder)),
                    None,
                    (
                        f"no argostranslate package for {from_code} → {to_code}; install it with "
                        f"`generate.py models install {from_code} {to_code}` (online) or "
                        f"`generate.py models install translate-{from_code}_{to_code}-VERSION.argosmodel` "
                        "(a file copied from a machine with internet)"
                    ),
                )
            ]
        )
    return found


# --- installing from a file ----------------------------------------------------------------


def _corrupt(archive: Path, what: str) -> TranslationError:
    return TranslationError(
        problems=[
            Problem(
                str(archive), None, (f"{what}; this is not a usable .argosmodel, download the package again")
            )
        ]
    )


def _size(count: int) -> str:
    return f"{count // 1024**2} MB" if count >= 1024**2 else f"{count // 1024} KB"


_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def _check_archive(
    archive: Path,
    zf: zipfile.ZipFile,
    *,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    max_ratio: float = MAX_RATIO,
) -> str:
    """Validate a package archive from its central directory, before anything is inflated: safe
    member names, no links or special files, no encryption, sizes under the limits, one top-level
    folder holding the package. Returns that folder's name."""
    infos = zf.infolist()
    if not infos:
        raise _corrupt(archive, "the archive is empty")
    if len(infos) > MAX_MEMBERS:
        raise _corrupt(archive, f"the archive has {len(infos)} members (a package has a few dozen)")
    seen: set[str] = set()
    total = 0
    for info in infos:
        why = _member_refusal(info, seen)
        seen.add(info.filename)
        total += info.file_size
        if why is None and total > max_unpacked:
            why = (
                f"the archive would unpack to more than {_size(max_unpacked)} "
                "(a zip bomb, or not a translation package)"
            )
        if (
            why is None
            and info.file_size > RATIO_FLOOR
            and info.file_size > max_ratio * max(info.compress_size, 1)
        ):
            why = (
                f"member {info.filename!r} would inflate {info.file_size // max(info.compress_size, 1)}-fold "
                f"to {_size(info.file_size)} (a zip bomb)"
            )
        if why:
            raise _corrupt(archive, why)
    return _package_folder(archive, seen)


def _member_refusal(info: zipfile.ZipInfo, seen: set[str]) -> str | None:
    """Why a member may not be extracted (its name, its kind, its encryption or compression), or None."""
    name = info.filename
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\0" in name
        or ":" in parts[0]
        or any(part in ("", ".", "..") for part in parts)
    ):
        return f"unsafe path in the archive: {name!r}"
    if name in seen:
        return f"the archive holds {name!r} twice"
    mode = info.external_attr >> 16
    unix = info.create_system == 3  # Unix, whose mode bits are meaningful
    if unix and stat.S_ISLNK(mode):
        return f"the archive holds a symbolic link ({name!r}); a package holds only files"
    if unix and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return f"the archive holds a special file ({name!r}); a package holds only files"
    if info.flag_bits & 0x1:
        return f"member {name!r} is encrypted"
    if info.compress_type not in _COMPRESSIONS:
        return f"member {name!r} uses an unsupported compression method ({info.compress_type})"
    return None


def _package_folder(archive: Path, names: set[str]) -> str:
    """The one top-level folder of the archive, holding what every package has."""
    tops = {name.split("/")[0] for name in names}
    if len(tops) != 1 or not any(n.startswith(next(iter(tops)) + "/") for n in names):
        raise _corrupt(
            archive, "expected one top-level folder holding the package, found " + ", ".join(sorted(tops)[:5])
        )
    top = tops.pop()
    if not _TOP_RE.fullmatch(top):
        raise _corrupt(
            archive, f"the package folder is named {top!r}; expected a name like translate-en_es-1_0"
        )
    required = {f"{top}/metadata.json": "metadata.json", f"{top}/model/model.bin": "model/model.bin"}
    for member, label in required.items():
        if member not in names:
            raise _corrupt(archive, f"{label} is missing")
    if f"{top}/sentencepiece.model" not in names and f"{top}/bpe.model" not in names:
        raise _corrupt(archive, "no tokenizer (sentencepiece.model or bpe.model)")
    return top


def install_file(
    archive: Path, folder: Path | None = None, *, max_unpacked: int = MAX_UNPACKED_BYTES
) -> PackageInfo:
    """Install a ``.argosmodel`` file; replaces any installed package for the same pair.

    The archive is checked (zip, member names and sizes, checksums, layout, metadata, model loads)
    and extracted into a hidden folder first, then renamed into place: a failure never leaves half
    a package, and an installed package is only replaced once the new one is ready.
    """
    archive = Path(archive)
    root = packages_dir(folder)
    root.mkdir(parents=True, exist_ok=True)
    if not archive.is_file():
        raise _error(archive, "file not found; give the path of a .argosmodel file")
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=root))
    try:
        top = _extract(archive, staging, max_unpacked=max_unpacked)
        info = _info_from_metadata(_load_metadata(archive, staging / top), staging / top, archive)
        _check_model_loads(archive, staging / top / "model")
        final = root / top
        installed = _installed(root)
        replaced = [
            path
            for path, old in installed  # the same pair, or a broken folder of the same name
            if (old is not None and (old.from_code, old.to_code) == (info.from_code, info.to_code))
            or (old is None and path == final)
        ]
        if (final.exists() or final.is_symlink()) and final not in replaced:
            raise _taken(archive, info, final, installed)
        _swap_in(staging / top, final, replaced, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_package(final)


def _taken(
    archive: Path, info: PackageInfo, final: Path, installed: list[tuple[Path, PackageInfo | None]]
) -> TranslationError:
    """The archive's folder name is taken by another pair's package (or by something else)."""
    holder = next((old for path, old in installed if path == final), None)
    what = (
        f"the installed package {holder} ({holder.from_code} → {holder.to_code})"
        if holder
        else "something that is not a package folder"
    )
    return _error(
        archive,
        f"its folder {final.name!r} is already taken in {final.parent} by {what}, and this archive "
        f"holds {info.from_code} → {info.to_code}; the archive is mislabelled: download the right "
        f"package, or remove {final} first if you mean to replace it",
    )


def _installed(root: Path) -> list[tuple[Path, PackageInfo | None]]:
    """Every package folder, with its metadata, or None where it is broken (a reinstall replaces it)."""
    found: list[tuple[Path, PackageInfo | None]] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.is_symlink() or not path.is_dir():
            continue
        try:
            found.append((path, read_package(path)))
        except TranslationError:
            found.append((path, None))
    return found


def _swap_in(new: Path, final: Path, replaced: list[Path], staging: Path) -> None:
    """Move the old packages aside, the new one into place, then delete the old ones; on a failure
    the old ones are put back."""
    aside = []
    try:
        for index, old in enumerate(replaced):
            parked = staging / f".old-{index}"
            os.replace(old, parked)
            aside.append((old, parked))
        os.replace(new, final)
    except OSError as exc:
        for old, parked in reversed(aside):
            os.replace(parked, old)
        raise _error(
            final, f"could not put the package in place ({exc}); check the folder's permissions"
        ) from None


def _extract(archive: Path, staging: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> str:
    try:
        with zipfile.ZipFile(archive) as zf:
            top = _check_archive(archive, zf, max_unpacked=max_unpacked)
            _extract_members(archive, zf, staging, max_unpacked)
        return top
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _corrupt(archive, f"not a valid zip archive ({exc})") from None


def _extract_members(archive: Path, zf: zipfile.ZipFile, staging: Path, max_unpacked: int) -> None:
    """Extract member by member, counting the bytes actually inflated: a member that produces more
    than its header declares, or an archive past the limit, stops at once."""
    total = 0
    real = staging.resolve()
    for info in zf.infolist():
        target = staging.joinpath(*info.filename.rstrip("/").split("/"))
        if not target.resolve().is_relative_to(real):  # names were checked; this is the belt to those braces
            raise _corrupt(archive, f"unsafe path in the archive: {info.filename!r}")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with zf.open(info) as source, open(target, "xb") as out:
            while True:
                try:
                    chunk = source.read(1024 * 1024)  # zipfile checks the CRC as the member ends
                except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    raise _corrupt(
                        archive,
                        f"member {info.filename!r} fails its checksum (truncated or damaged download: {exc})",
                    ) from None
                if not chunk:
                    break
                written += len(chunk)
                total += len(chunk)
                if written > info.file_size:
                    raise _corrupt(
                        archive,
                        f"member {info.filename!r} inflates to more than its declared {info.file_size} bytes",
                    )
                if total > max_unpacked:
                    raise _corrupt(
                        archive,
                        f"the archive unpacks to more than {_size(max_unpacked)} "
                        "(a zip bomb, or not a translation package)",
                    )
                out.write(chunk)


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


def link_refused(url: str) -> str | None:
    """Why a package link (or a redirect) from the index may not be followed, or None.

    Links come from the index, which is data from the network: only ``https://`` is followed (and
    ``http://`` to this machine, a local mirror). ``file://`` would read local files, ``ftp://`` and
    plain ``http://`` elsewhere travel unprotected (and reach 169.254.169.254 and the like)."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname
    except ValueError:
        return "it is not a valid URL"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host and _is_loopback(host):
        return None
    return "only https:// links are followed"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to where a link itself could point."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        why = link_refused(newurl)
        if why:
            raise urllib.error.URLError(f"redirected to {newurl}, which is refused: {why}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(
    url: str, timeout: float, limit: int = MAX_INDEX_BYTES, out: Any = None, *, checked: bool = False
) -> bytes:
    """One attempt, short timeout: offline must fail at once, not retry into RecursionError.

    At most ``limit`` bytes are read (into ``out`` in pieces when given); ``checked`` applies
    :func:`link_refused` to the URL and to every redirect."""
    if checked:
        why = link_refused(url)
        if why:
            raise urllib.error.URLError(f"refused: {why}")
    opener = urllib.request.build_opener(_CheckedRedirects) if checked else urllib.request.build_opener()
    request = urllib.request.Request(url, headers={"User-Agent": "handoutgen"})
    data, size = [], 0
    with opener.open(request, timeout=timeout) as response:
        while chunk := response.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise urllib.error.URLError(f"more than {_size(limit)}; not a package or an index")
            if out is not None:
                out.write(chunk)
            else:
                data.append(chunk)
    return b"".join(data)


def fetch_index(url: str | None = None, timeout: float = INDEX_TIMEOUT) -> list[dict[str, Any]]:
    """Download the package index once; offline, a TranslationError saying what to do instead."""
    url = url or index_url()
    try:
        raw = _fetch(url, timeout)
    except (TimeoutError, OSError, urllib.error.URLError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TranslationError(
            problems=[
                Problem(
                    url,
                    None,
                    (
                        f"cannot reach the Argos package index ({reason}); offline, install from a file "
                        "instead: `generate.py models install FILE.argosmodel` (copy the file from a machine "
                        "with internet)"
                    ),
                )
            ]
        ) from None
    except ValueError as exc:  # urllib: "unknown url type"
        raise _error(
            url, f"the package index address is not a URL ({exc}); fix ARGOS_PACKAGE_INDEX"
        ) from None
    try:
        data = json.loads(raw)
    except ValueError as exc:  # not JSON, or not UTF-8
        raise _error(url, f"the package index is not JSON ({exc}); try again later") from None
    if not isinstance(data, list):
        raise _error(url, "the package index is not a list of packages; try again later")
    return [entry for entry in data if isinstance(entry, dict)]


def install_pair(
    from_code: str,
    to_code: str,
    folder: Path | None = None,
    *,
    url: str | None = None,
    timeout: float = INDEX_TIMEOUT,
    downloads: Path | None = None,
) -> PackageInfo:
    """Install the index's package for a language pair (online only)."""
    for code in (from_code, to_code):
        if not isinstance(code, str) or not _ARGOS_CODE_RE.fullmatch(code):
            raise _error(
                "models install",
                f"{code!r} is not a language code of the package index; give two or three lower-case "
                "letters such as en, es, zt (Chinese, traditional) or pb (Brazilian Portuguese)",
            )
    root = packages_dir(folder)
    configure_argos(root)
    index = fetch_index(url, timeout)
    entry = _pick_entry(index, from_code, to_code, url or index_url())
    version = _SAFE_VERSION_RE.sub("_", str(entry.get("package_version", "0")))[:40].strip("_") or "0"
    name = f"translate-{from_code}_{to_code}-{version}.argosmodel"  # the index's text never makes a path
    target = Path(downloads or root.parent / "argos-downloads") / name  # beside the packages
    _download(entry, target)
    try:
        return install_file(target, root)
    finally:
        target.unlink(missing_ok=True)


def _pick_entry(index: list[dict[str, Any]], from_code: str, to_code: str, url: str) -> dict[str, Any]:
    matches = [
        e
        for e in index
        if e.get("type", "translate") == "translate"
        and e.get("from_code") == from_code
        and e.get("to_code") == to_code
    ]
    if matches:
        return max(matches, key=lambda e: _version_key(str(e.get("package_version", "0"))))
    targets = sorted({str(e.get("to_code")) for e in index if e.get("from_code") == from_code})
    raise TranslationError(
        problems=[
            Problem(
                url,
                None,
                (
                    f"the package index has no {from_code} → {to_code} package; "
                    f"from {from_code} it offers: {', '.join(targets) or 'nothing'}"
                ),
            )
        ]
    )


def _download(entry: dict[str, Any], target: Path) -> None:
    """Try each link once; write atomically so a broken download never looks installed. Links the
    index gives are followed only over https (see :func:`link_refused`)."""
    errors = []
    links = entry.get("links") or []
    for link in links if isinstance(links, list) else []:
        why = link_refused(link)
        if why:
            errors.append(f"{link}: not followed, {why}")
            continue
        try:
            with atomic_writer(target) as handle:
                _fetch(link, DOWNLOAD_TIMEOUT, MAX_DOWNLOAD_BYTES, handle, checked=True)
        except (TimeoutError, OSError, urllib.error.URLError, ValueError) as exc:
            errors.append(f"{link}: {getattr(exc, 'reason', exc)}")
            continue
        return
    raise TranslationError(
        problems=[
            Problem(
                str(target),
                None,
                (
                    "download failed ("
                    + ("; ".join(errors) or "the index lists no link")
                    + "); try again, or install from a file with `generate.py models install FILE.argosmodel`"
                ),
            )
        ]
    )


# --- loading --------------------------------------------------------------------------------


def load_argos_package(info: PackageInfo) -> Any:
    """argostranslate's own ``Package`` for an installed folder (metadata + tokenizer).

    Imports ``argostranslate.package`` only: it needs neither torch nor stanza nor spaCy.
    """
    configure_argos(info.path.parent)
    from argostranslate.package import Package

    package = Package(info.path)
    if not hasattr(package, "tokenizer"):
        raise _broken(info.path, "the package has no sentencepiece.model or bpe.model")
    return package
