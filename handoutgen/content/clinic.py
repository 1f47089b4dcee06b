"""Clinic settings (``clinic.yaml``): who the handouts come from and how they are printed."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import yaml

from handoutgen.content.markup import PLACEHOLDER_NAME_RE
from handoutgen.content.schema import (
    TEXT,
    Checked,
    Field,
    ListOf,
    MapOf,
    Record,
    Table,
    YesNo,
    read_settings,
)
from handoutgen.content.yamldoc import Reader, display_path, line_of
from handoutgen.errors import CatalogError, ContentError, HandoutError, Problem, RenderError
from handoutgen.project import Project
from handoutgen.resources import (
    ALLOWED_URLS,
    RASTER_KINDS,
    SvgError,
    image_kind,
    shown_url,
    svg_references,
    url_refusal,
)
from handoutgen.text.locales import check_code, locale_info

PAPER_SIZES = {"letter": "letter", "a4": "A4"}
#: Logo file types by extension; the file's first bytes must say the same.
LOGO_TYPES = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}
LOGO_MAX_BYTES = 10 * 1024 * 1024
LOGO_MAX_PIXELS = 40_000_000  # a logo is printed 14 mm high: more pixels only cost memory
#: Day names as ``hours:`` writes them, Monday first (Babel's day numbers).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The placeholders a ``handout_url`` may hold.
URL_FIELDS = {"locale": "the sheet's locale code (es, zh_Hans)", "id": "the handout's id"}


@dataclass(frozen=True)
class Hours:
    """When the clinic answers the phone on a day or a range of days (Monday = 0)."""

    first_day: int
    last_day: int
    opens: dt.time
    closes: dt.time


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
    large_print: bool = False  # print every handout in large print (body text 16 pt)
    hours: tuple[Hours, ...] = ()  # phone hours, printed in the 'when_to_call' box
    handout_url: str = ""  # the web version of a sheet, with {locale} and {id}; "" for no QR code
    interpreters: bool = True  # print "an interpreter is available" on every sheet
    source: Path = Path("clinic.yaml")

    def sheet_url(self, locale: str, handout_id: str) -> str:
        """The address of one sheet's web version, or "" when the clinic gives none."""
        return self.handout_url.replace("{locale}", locale).replace("{id}", handout_id)

    def sheet_settings(self) -> list[object]:
        """What else of the settings changes a sheet (for the build's key)."""
        hours = [[h.first_day, h.last_day, h.opens.isoformat(), h.closes.isoformat()] for h in self.hours]
        return [hours, self.handout_url, self.interpreters]

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


class _ClinicReader(Reader):
    """Reads clinic.yaml; a logo's references that the renderer would refuse are kept apart."""

    def __init__(self, file: str, project_root: Path) -> None:
        super().__init__(file)
        self.project_root = Path(project_root)
        self.refused: list[Problem] = []  # what the logo would make the renderer fetch


def load_clinic(path: Path, project_root: Path) -> Clinic:
    """Read ``clinic.yaml``; every problem is raised at once as ``file:line: field: problem``."""
    path = Path(path)
    reader = _ClinicReader(display_path(path, project_root), project_root)
    document = read_settings(reader, path, CLINIC, "copy the example clinic.yaml")
    if document is None:
        raise ContentError(problems=reader.problems)
    values = document[1]
    if reader.problems and reader.refused:  # two kinds: exit code 1, every problem said
        raise HandoutError(problems=reader.problems + reader.refused)
    if reader.problems:
        raise ContentError(problems=reader.problems)
    if reader.refused:
        raise RenderError(problems=reader.refused)
    return Clinic(**values, source=path)


def _paper(reader: Reader, node: yaml.Node, path: str, value: str) -> str:
    paper = value.lower()
    if paper not in PAPER_SIZES:
        reader.problem(node, path, f"unknown paper size '{paper}'; use letter or a4")
    return paper


def _logo(reader: Reader, node: yaml.Node, path: str, value: str) -> Path | None:
    """The logo's file, when it is an image inside assets/ that the renderer can print."""
    assert isinstance(reader, _ClinicReader)
    project_root = reader.project_root
    real_root = project_root.resolve()
    assets = (project_root / "assets").resolve()
    written = project_root / value
    logo = written.resolve()  # symlinks followed: a logo is judged by where it leads
    if not (logo.is_relative_to(assets) and logo.is_relative_to(real_root)):
        linked = os.path.normpath(written.absolute()) != str(logo)
        reader.problem(
            node,
            path,
            f"'{value}' is outside the project's assets/ folder"
            f"{f' (through a symlink, it is {logo})' if linked else ''}; copy the logo file into assets/",
        )
    elif logo.suffix.lower() not in LOGO_TYPES:
        reader.problem(
            node,
            path,
            f"'{value}' is not an image file (SVG, PNG, JPEG, GIF or WebP); convert the logo to SVG or PNG",
        )
    elif not logo.is_file():
        reader.problem(node, path, f"logo file '{value}' not found; put it in assets/ or fix the path")
    elif wrong := _not_an_image(logo, LOGO_TYPES[logo.suffix.lower()]):
        reader.problem(node, path, f"'{value}' {wrong}")
    elif logo.suffix.lower() != ".svg" or _svg_logo_is_safe(reader, logo, f"{reader.file}:{line_of(node)}"):
        return logo
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
        return (
            f"cannot be decoded as a {kind} image ({detail}); the file is damaged or cut off: "
            "export the logo again"
        )
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    return None


def _svg_logo_is_safe(reader: _ClinicReader, path: Path, named_in: str) -> bool:
    """An SVG logo must be well-formed XML (or the renderer leaves it out without a word) and may
    refer to nothing outside the project: its parts (``#id``), files beside it in assets/, and
    data: URLs that refer to nothing else. Problems name the SVG file and line."""
    shown = display_path(path, reader.project_root)
    try:
        references = svg_references(path.read_bytes())
    except SvgError as exc:
        reader.problems.append(
            Problem(
                shown,
                exc.line,
                f"the logo ({named_in}) is not well-formed XML: {exc}; the printed sheet would have no "
                "logo. Fix the SVG or export it again",
            )
        )
        return False
    refused = [
        Problem(
            shown,
            line,
            f"the logo ({named_in}) refers to {shown_url(reference)}, which {reason}; {ALLOWED_URLS}: "
            "embed the picture in the SVG (or copy it into assets/) or remove the reference",
        )
        for line, reference, reason in _svg_refusals(path, references, reader.project_root)
    ]
    reader.refused += refused
    return not refused


def _svg_refusals(
    path: Path, references: list[tuple[int, str]], project_root: Path
) -> list[tuple[int, str, str]]:
    """The SVG's references the renderer would refuse: (line, reference, why)."""
    roots = Project(project_root).asset_roots()
    base = path.as_uri()
    found = []
    for line, reference in references:
        if not reference or reference.startswith("#"):
            continue
        try:
            reason = url_refusal(urljoin(base, reference), roots)
        except ValueError:
            reason = "is not a valid URL"
        if reason:
            found.append((line, reference, reason))
    return found


def _locale(reader: Reader, node: yaml.Node, path: str, code: str) -> str | None:
    try:
        locale_info(check_code(code))  # a well-formed code Babel does not know (xx) is refused too
    except CatalogError as exc:
        reader.problem(node, path, str(exc))
        return None
    return code


def _placeholder_name(reader: Reader, key: yaml.Node, value: yaml.Node, path: str, name: str) -> bool:
    if not PLACEHOLDER_NAME_RE.match(name):
        reader.problem(value, path, "placeholder names use lower-case letters, digits and _")
        return False
    return True


def _days(reader: Reader, node: yaml.Node, path: str, value: str) -> tuple[int, int] | None:
    """``mon``, or a range ``mon-fri``: (first day, last day), Monday = 0."""
    names = [part.strip().lower()[:3] for part in re.split(r"\s*[-–]\s*", value.strip())]
    if len(names) in (1, 2) and all(name in DAYS for name in names):
        first, last = DAYS.index(names[0]), DAYS.index(names[-1])
        if first <= last:
            return first, last
    reader.problem(
        node,
        path,
        f"'{value}' is not a day or a range of days; write mon, tue, … sun, or a range like mon-fri",
    )
    return None


def _clock(reader: Reader, node: yaml.Node, path: str, value: str) -> dt.time | None:
    """A time of day written 24-hour, ``08:00`` or ``17:30``."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if match is None:
        reader.problem(
            node, path, f"'{value}' is not a time; write it 24-hour in quotes, like '08:00' or '17:30'"
        )
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))


def _hours(reader: Reader, node: yaml.Node, path: str, values: dict) -> Hours | None:
    if None in (values["days"], values["open"], values["close"]):
        return None
    if values["close"] <= values["open"]:
        reader.problem(node, path, "'close' must be later than 'open' on the same day")
        return None
    (first, last), opens, closes = values["days"], values["open"], values["close"]
    return Hours(first, last, opens, closes)


#: The longest ``handout_url``: its QR code, printed a few centimetres wide, must scan from paper.
URL_MAX = 200


def _handout_url(reader: Reader, node: yaml.Node, path: str, value: str) -> str | None:
    """An http(s) address with {id} (and usually {locale}) and no other placeholder."""
    names = re.findall(r"\{([^{}]*)\}", value)
    unknown = sorted(set(names) - set(URL_FIELDS))
    if not re.match(r"https?://[^\s/]+", value) or re.search(r"\s", value):
        reader.problem(
            node,
            path,
            f"'{value}' is not a web address; write it like 'https://example.org/{{locale}}/{{id}}.html'",
        )
    elif len(value) > URL_MAX:
        reader.problem(
            node,
            path,
            f"the address is {len(value)} characters; the QR code of a longer one is too dense to scan from "
            f"paper: keep it to {URL_MAX} or fewer",
        )
    elif unknown or "id" not in names:
        reader.problem(
            node,
            path,
            f"'{value}' must hold {{id}} (and may hold {{locale}}), nothing else in braces"
            + (f"; unknown: {', '.join('{' + n + '}' for n in unknown)}" if unknown else ""),
        )
    else:
        return value
    return None


#: One line of ``hours:``.
HOURS = Table(
    Field("days", TEXT, "a day (mon … sun) or a range (mon-fri)", required=True, check=_days),
    Field(
        "open",
        TEXT,
        "when the phone is answered from, 24-hour in quotes: '08:00'",
        required=True,
        check=_clock,
    ),
    Field("close", TEXT, "until when, 24-hour in quotes: '18:00'", required=True, check=_clock),
)

#: ``clinic.yaml``, in the order its fields are read.
CLINIC = Table(
    Field("name", TEXT, "the clinic's name, printed in the header", required=True),
    Field("phone", TEXT, "the number patients call", required=True),
    Field("emergency_number", TEXT, "the local emergency number (911, 112, 999…)", required=True),
    Field("address", TEXT, "street address", default=""),
    Field("website", TEXT, "web address", default=""),
    Field("paper", TEXT, "letter or a4", default="letter", check=_paper),
    Field(
        "logo",
        TEXT,
        "an image (SVG, PNG, JPEG, GIF or WebP) inside the project's assets/ folder",
        check=_logo,
    ),
    Field(
        "locales",
        ListOf(Checked(TEXT, _locale)),
        "the locales built by default, e.g. [en, es]",
        default=("en",),
        check=lambda reader, node, path, codes: codes or None,
    ),
    Field(
        "large_print",
        YesNo(),
        "true: print every handout in large print (body text 16 pt; more pages)",
        default=False,
    ),
    Field(
        "hours",
        ListOf(Checked(Record(HOURS), _hours)),
        "phone hours for the 'when_to_call' box: [{days: mon-fri, open: '08:00', close: '18:00'}, …]; "
        "day names and times are printed in each sheet's language",
        default=(),
    ),
    Field(
        "handout_url",
        TEXT,
        "the web version of each sheet, e.g. 'https://example.org/handouts/{locale}/{id}.html': printed "
        "as a QR code with the address beside it (no QR code when left out)",
        default="",
        check=_handout_url,
    ),
    Field(
        "interpreters",
        YesNo(),
        "true (default): every sheet says an interpreter is available; false when the clinic has none",
        default=True,
    ),
    Field(
        "extra",
        MapOf(TEXT, key=_placeholder_name),
        "more placeholder values, e.g. {after_hours_phone: '555-0199'}",
        default={},
    ),
)
