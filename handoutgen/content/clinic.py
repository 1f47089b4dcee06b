"""Clinic settings (``clinic.yaml``): who the handouts come from and how they are printed."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handoutgen.content.handout import PLACEHOLDER_NAME_RE
from handoutgen.content.yamldoc import Reader, display_path, read_mapping_file
from handoutgen.errors import (
    CatalogError,
    ContentError,
    HandoutError,
    Problem,
    RenderError,
)
from handoutgen.resources import RASTER_KINDS, SvgError, image_kind, svg_references

PAPER_SIZES = {"letter": "letter", "a4": "A4"}
#: Logo file types by extension; the file's first bytes must say the same.
LOGO_TYPES = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}
LOGO_MAX_BYTES = 10 * 1024 * 1024
LOGO_MAX_PIXELS = 40_000_000  # a logo is printed 14 mm high: more pixels only cost memory

_FIELDS = {
    "name": "the clinic's name, printed in the header",
    "phone": "the number patients call",
    "address": "street address",
    "website": "web address",
    "emergency_number": "the local emergency number (911, 112, 999…)",
    "logo": "an image (SVG, PNG, JPEG, GIF or WebP) inside the project's assets/ folder",
    "paper": "letter or a4",
    "locales": "the locales built by default, e.g. [en, es]",
    "extra": "more placeholder values, e.g. {after_hours_phone: '555-0199'}",
}


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    address: str
    website: str
    emergency_number: str
    logo: Path | None
    paper: str
    locales: tuple[str, ...]
    extra: dict[str, str] = field(default_factory=dict)
    source: Path = Path("clinic.yaml")

    def placeholders(self) -> dict[str, str]:
        """The values for ``{name}`` placeholders in content, filled after translation."""
        values = {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "clinic_address": self.address,
            "clinic_website": self.website,
            "emergency_number": self.emergency_number,
        }
        values.update(self.extra)
        return values


def load_clinic(path: Path, project_root: Path) -> Clinic:
    path = Path(path)
    reader = Reader(display_path(path, project_root))
    root, fields = read_mapping_file(reader, path, _FIELDS, "copy the example clinic.yaml")
    if fields is None:
        raise ContentError(problems=reader.problems)
    values = {}
    for name in ("name", "phone", "emergency_number"):
        node = reader.require(fields, root, "", name)
        values[name] = reader.text(node, name) if node is not None else None
    for name in ("address", "website"):
        values[name] = reader.optional(fields, name, "", reader.text, "")
    paper = reader.optional(fields, "paper", "", reader.text, "letter").lower()
    if paper not in PAPER_SIZES:
        reader.problem(fields["paper"], "paper", f"unknown paper size '{paper}'; use letter or a4")
    refused: list[Problem] = []  # what the logo would make the renderer fetch
    logo = _logo(reader, fields.get("logo"), project_root, refused)
    locales = _locales(reader, fields.get("locales"))
    extra = _extra(reader, fields.get("extra"))
    if reader.problems and refused:  # two kinds: exit code 1, every problem said
        raise HandoutError(problems=reader.problems + refused)
    if reader.problems:
        raise ContentError(problems=reader.problems)
    if refused:
        raise RenderError(problems=refused)
    return Clinic(
        values["name"],
        values["phone"],
        values["address"],
        values["website"],
        values["emergency_number"],
        logo,
        paper,
        locales,
        extra,
        path,
    )


def _logo(reader: Reader, node: yaml.Node | None, project_root: Path, refused: list[Problem]) -> Path | None:
    if node is None:
        return None
    value = reader.text(node, "logo")
    if value is None:
        return None
    real_root = Path(project_root).resolve()
    assets = (Path(project_root) / "assets").resolve()
    written = Path(project_root) / value
    path = written.resolve()  # symlinks followed: a logo is judged by where it leads
    if not (path.is_relative_to(assets) and path.is_relative_to(real_root)):
        linked = os.path.normpath(written.absolute()) != str(path)
        reader.problem(
            node,
            "logo",
            f"'{value}' is outside the project's assets/ folder"
            f"{f' (through a symlink, it is {path})' if linked else ''}; copy the logo file into assets/",
        )
    elif path.suffix.lower() not in LOGO_TYPES:
        reader.problem(
            node,
            "logo",
            f"'{value}' is not an image file (SVG, PNG, JPEG, GIF or WebP); convert the logo to SVG or PNG",
        )
    elif not path.is_file():
        reader.problem(node, "logo", f"logo file '{value}' not found; put it in assets/ or fix the path")
    else:
        wrong = _not_an_image(path, LOGO_TYPES[path.suffix.lower()])
        if wrong:
            reader.problem(node, "logo", f"'{value}' {wrong}")
        elif path.suffix.lower() == ".svg":
            before = len(reader.problems)
            _check_svg_logo(reader, path, project_root, refused, f"{reader.file}:{node.start_mark.line + 1}")
            if len(reader.problems) == before and not refused:
                return path
        else:
            return path
    return None


def _not_an_image(path: Path, expected: str) -> str | None:
    """Why the file is not the image its extension promises, or None when it is."""
    size = path.stat().st_size
    if size > LOGO_MAX_BYTES:
        return (
            f"is {size // (1024 * 1024)} MB; a logo must be under {LOGO_MAX_BYTES // (1024 * 1024)} MB, "
            "export a smaller file"
        )
    data = path.read_bytes()
    kind = image_kind(data[: 64 * 1024])
    if kind is None:
        return (
            f"is not an image: its first bytes are not those of a {expected} file (nor of any image type "
            "a logo may be: PNG, JPEG, GIF, WebP, SVG); save the logo as an SVG or PNG file"
        )
    if kind != expected:
        return f"is named as {expected} but holds {kind}; give it the right extension (or re-export it)"
    if kind == "SVG" and re.search(rb"<!ENTITY", data, re.IGNORECASE):
        return (
            "is an SVG that declares XML entities, which a logo never needs; re-export the SVG without them"
        )
    if kind in RASTER_KINDS:
        return _undecodable(path, kind)
    return None


def _undecodable(path: Path, kind: str) -> str | None:
    """Why a raster image cannot be decoded to its last pixel (cut off, corrupt), or None. The
    renderer decodes it with the same library (Pillow), and would leave the logo out silently."""
    import warnings

    from PIL import Image, ImageFile

    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint turns it on for the whole process
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning: the size is judged below
            with Image.open(path) as image:
                width, height = image.size
                if width * height > LOGO_MAX_PIXELS:
                    return (
                        f"is {width}×{height} pixels; a logo needs far fewer (under "
                        f"{LOGO_MAX_PIXELS // 1_000_000} million): export a smaller image"
                    )
                image.load()
    except Exception as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        return f"cannot be decoded as a {kind} image ({detail}); the file is damaged or cut off: export the logo again"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    return None


def _check_svg_logo(
    reader: Reader, path: Path, project_root: Path, refused: list[Problem], named_in: str
) -> None:
    """An SVG logo must be well-formed XML (or the renderer leaves it out without a word) and may
    refer to nothing outside the project: its parts (``#id``), files beside it in assets/, and
    data: URLs that refer to nothing else. Problems name the SVG file and line."""
    from urllib.parse import urljoin

    from handoutgen.project import Project
    from handoutgen.resources import ALLOWED_URLS, shown_url, url_refusal

    shown = display_path(path, project_root)
    try:
        references = svg_references(path.read_bytes())
    except SvgError as exc:
        reader.problems.append(
            Problem(
                shown,
                exc.line,
                (
                    f"the logo ({named_in}) is not well-formed XML: {exc}; the printed sheet would have no logo. "
                    "Fix the SVG or export it again"
                ),
            )
        )
        return
    roots = Project(Path(project_root)).asset_roots()
    base = path.as_uri()
    for line, reference in references:
        if not reference or reference.startswith("#"):
            continue
        try:
            reason = url_refusal(urljoin(base, reference), roots)
        except ValueError:
            reason = "is not a valid URL"
        if reason:
            refused.append(
                Problem(
                    shown,
                    line,
                    (
                        f"the logo ({named_in}) refers to {shown_url(reference)}, which {reason}; {ALLOWED_URLS}: "
                        "embed the picture in the SVG (or copy it into assets/) or remove the reference"
                    ),
                )
            )


def _locales(reader: Reader, node: yaml.Node | None) -> tuple[str, ...]:
    from handoutgen.text.locales import check_code, locale_info

    if node is None:
        return ("en",)
    items = reader.sequence(node, "locales") or []
    result = []
    for index, item in enumerate(items):
        value = reader.text(item, f"locales[{index}]")
        if value:
            try:
                locale_info(check_code(value))  # a well-formed code Babel does not know (xx) is refused too
                result.append(value)
            except CatalogError as exc:
                reader.problem(item, f"locales[{index}]", str(exc))
    return tuple(result) or ("en",)


def _extra(reader: Reader, node: yaml.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    fields = reader.mapping(node, "extra") or {}
    result = {}
    for key, value_node in fields.items():
        if not PLACEHOLDER_NAME_RE.match(key):
            reader.problem(
                value_node, f"extra.{key}", "placeholder names use lower-case letters, digits and _"
            )
            continue
        value = reader.text(value_node, f"extra.{key}")
        if value is not None:
            result[key] = value
    return result
