"""Rendering: Jinja2 templates to HTML, then WeasyPrint to a tagged, reproducible PDF.

WeasyPrint is imported inside the functions that need it, so commands that print nothing (``--help``,
``status``, a no-op build) start fast.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from . import __version__
from .clinic import PAPER_SIZES, Clinic
from .content import Handout, Text
from .errors import RenderError
from .locales import LocaleInfo
from .markup import fill_placeholders, strip_markup, to_html

TEMPLATE = "handout.html.j2"
ASSET_DIRS = ("assets", "templates")
_PAGE = "\x00page\x00"
_PAGES = "\x00pages\x00"
_ATTACHMENT_RE = re.compile(r"""<(?:a|link)\b[^>]*\brel\s*=\s*["']?[^"'>]*\battachment\b[^>]*>""", re.I)
_HREF_RE = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.I)


@dataclass(frozen=True)
class Project:
    """Where a project's inputs live; every path the renderer may read is under ``root``."""

    root: Path

    @property
    def handouts(self) -> Path:
        return self.root / "handouts"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def clinic_file(self) -> Path:
        return self.root / "clinic.yaml"

    def asset_roots(self) -> tuple[Path, ...]:
        return tuple((self.root / name).resolve() for name in ASSET_DIRS)


# -- HTML ------------------------------------------------------------------------------------------

def make_environment(project: Project) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(project.templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    return env


def css_string(value: str) -> Markup:
    """A CSS string literal; used for page-margin labels, which CSS (not HTML) prints."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def page_label_css(label: str) -> Markup:
    """'Page X of Y', translated whole, as CSS ``content`` with live page counters."""
    text = label.unescape() if isinstance(label, Markup) else str(label)
    parts = re.split(f"({_PAGE}|{_PAGES})", text)
    out = []
    for part in parts:
        if part == _PAGE:
            out.append("counter(page)")
        elif part == _PAGES:
            out.append("counter(pages)")
        elif part:
            out.append(css_string(part))
    return Markup(" ".join(out))


def render_html(project: Project, env: jinja2.Environment, handout: Handout, clinic: Clinic,
                locale: LocaleInfo, translations: Any, draft_reason: str | None = None) -> str:
    """The handout as one HTML document in ``locale``; ``translations`` records what it used."""
    from babel.dates import format_date

    values = clinic.placeholders()

    def tr(text: Text | None) -> Markup:
        if text is None:
            return Markup("")
        translated = translations.pgettext(text.context, text.text) if text.context else translations.gettext(text.text)
        return to_html(translated, values)

    def plain(text: Text) -> str:
        translated = translations.pgettext(text.context, text.text) if text.context else translations.gettext(text.text)
        return fill_placeholders(strip_markup(translated), values)

    env.install_gettext_translations(translations, newstyle=True)
    template = env.get_template(TEMPLATE)
    logo = clinic.logo.relative_to(project.root.resolve()).as_posix() if clinic.logo else None
    return template.render(
        handout=handout,
        clinic=clinic,
        locale=locale,
        tr=tr,
        plain=plain,
        logo_url=f"../{logo}" if logo else None,
        page=_PAGE,
        pages=_PAGES,
        page_label_css=page_label_css,
        reviewed_date=format_date(handout.reviewed, format="long", locale=locale.babel_code),
        paper=PAPER_SIZES[clinic.paper],
        draft_reason=draft_reason,
        generator=f"handoutgen {__version__}",
    )


# -- PDF -------------------------------------------------------------------------------------------

def _make_fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectFetcher(URLFetcher):
        """Fetches only files inside the project's asset folders and ``data:`` URLs."""

        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise FatalURLFetchingError(f"refused to fetch {url}")

    return ProjectFetcher, FatalURLFetchingError


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


class _GlyphWatch(logging.Handler):
    """Collects WeasyPrint's '.notdef glyph rendered' warnings: each one is a tofu box on paper."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(".notdef glyph"):
            args = record.args or ()
            self.missing.append(str(args[0]) if args else record.getMessage())


def html_to_pdf(project: Project, html: str, label: str, locale: LocaleInfo,
                font_config: Any = None) -> RenderedPdf:
    """Lay out and write one PDF in memory; refused URLs and missing glyphs are errors."""
    import weasyprint

    _refuse_attachments(html, label)
    fetcher_class, fatal = _make_fetcher_class()
    fetcher = fetcher_class(project.asset_roots())
    base_url = project.templates.resolve().as_uri() + "/"
    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_config, pdf_variant="pdf/ua-1", pdf_tags=True)
        if document.metadata.attachments:
            raise RenderError(f"{label}: attachments are not allowed in handouts")
        data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    except fatal as exc:
        url = fetcher.refused[-1] if fetcher.refused else str(exc)
        raise RenderError(f"{label}: refused to fetch {url}: only files in assets/ or templates/ and data: URLs may be used") from None
    finally:
        logger.removeHandler(watch)
    if fetcher.refused:
        raise RenderError(f"{label}: refused to fetch {fetcher.refused[0]}: only files in assets/ or templates/ and data: URLs may be used")
    if watch.missing:
        chars = "".join(dict.fromkeys(watch.missing))
        codes = " ".join(f"U+{ord(c):04X}" for c in chars)
        packages = " ".join(locale.font_packages)
        raise RenderError(f"{label}: no font covers {chars!r} ({codes}); install the fonts ({packages}) with `apt-get install {packages}` or fix the text")
    return RenderedPdf(data, len(document.pages))


def _refuse_attachments(html: str, label: str) -> None:
    match = _ATTACHMENT_RE.search(html)
    if match:
        href = _HREF_RE.search(match.group(0))
        target = href.group(1) if href else match.group(0)
        raise RenderError(f"{label}: refused attachment {target}: handouts may not embed files")
