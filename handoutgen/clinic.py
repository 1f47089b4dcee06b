"""Clinic settings (``clinic.yaml``): who the handouts come from and how they are printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .content import PLACEHOLDER_NAME_RE
from .errors import ContentError
from .yamldoc import Reader, display_path, read_mapping_file

PAPER_SIZES = {"letter": "letter", "a4": "A4"}
LOGO_TYPES = {".svg", ".png"}

_FIELDS = {
    "name": "the clinic's name, printed in the header",
    "phone": "the number patients call",
    "address": "street address",
    "website": "web address",
    "emergency_number": "the local emergency number (911, 112, 999…)",
    "logo": "an SVG or PNG file inside the project's assets/ folder",
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
    logo = _logo(reader, fields.get("logo"), project_root)
    locales = _locales(reader, fields.get("locales"))
    extra = _extra(reader, fields.get("extra"))
    if reader.problems:
        raise ContentError(problems=reader.problems)
    return Clinic(values["name"], values["phone"], values["address"], values["website"],
                  values["emergency_number"], logo, paper, locales, extra, path)


def _logo(reader: Reader, node: yaml.Node | None, project_root: Path) -> Path | None:
    if node is None:
        return None
    value = reader.text(node, "logo")
    if value is None:
        return None
    assets = (project_root / "assets").resolve()
    path = (project_root / value).resolve()
    if not path.is_relative_to(assets):
        reader.problem(node, "logo", f"'{value}' is outside the project's assets/ folder; copy the logo into assets/")
    elif path.suffix.lower() not in LOGO_TYPES:
        reader.problem(node, "logo", f"'{value}' is not an SVG or PNG file; convert the logo to SVG or PNG")
    elif not path.is_file():
        reader.problem(node, "logo", f"logo file '{value}' not found; put it in assets/ or fix the path")
    else:
        return path
    return None


def _locales(reader: Reader, node: yaml.Node | None) -> tuple[str, ...]:
    if node is None:
        return ("en",)
    items = reader.sequence(node, "locales") or []
    result = []
    for index, item in enumerate(items):
        value = reader.text(item, f"locales[{index}]")
        if value:
            result.append(value)
    return tuple(result) or ("en",)


def _extra(reader: Reader, node: yaml.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    fields = reader.mapping(node, "extra") or {}
    result = {}
    for key, value_node in fields.items():
        if not PLACEHOLDER_NAME_RE.match(key):
            reader.problem(value_node, f"extra.{key}", "placeholder names use lower-case letters, digits and _")
            continue
        value = reader.text(value_node, f"extra.{key}")
        if value is not None:
            result[key] = value
    return result

