"""HTML to a tagged, reproducible PDF with WeasyPrint, fetching only the project's own files; missing
glyphs are errors."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutgen.errors import (
    RenderError,
)
from handoutgen.project import Project
from handoutgen.render.tagging import finishing
from handoutgen.resources import _readable_file
from handoutgen.text.locales import LocaleInfo

_ATTACHMENT_RE = re.compile(r"""<(?:a|link)\b[^>]*\brel\s*=\s*["']?[^"'>]*\battachment\b[^>]*>""", re.I)


_HREF_RE = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.I)


def _make_fetcher_class() -> tuple[type[Any], type[Exception]]:
    """Made on first use, since WeasyPrint (which it subclasses) is imported only when rendering."""
    from handoutgen.render.weasy import load

    load()  # WeasyPrint itself first, its libraries found the quick way
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectFetcher(URLFetcher):
        """Fetches only files inside the project's asset folders and ``data:`` URLs."""

        def __init__(self, roots: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or _readable_file(url, self.roots):
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
            args = record.args if isinstance(record.args, tuple) else ()
            self.missing.append(str(args[0]) if args else record.getMessage())


def html_to_pdf(
    project: Project, html: str, label: str, locale: LocaleInfo, font_config: Any = None
) -> RenderedPdf:
    """Lay out and write one PDF in memory; refused URLs and missing glyphs are errors."""
    _refuse_attachments(html, label)
    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        data, pages = _write_pdf(project, html, label, font_config)
    finally:
        logger.removeHandler(watch)
    if watch.missing:
        chars = "".join(dict.fromkeys(watch.missing))
        codes = " ".join(f"U+{ord(c):04X}" for c in chars)
        packages = " ".join(locale.font_packages)
        raise RenderError(
            f"{label}: no font covers {chars!r} ({codes}); install the fonts ({packages}) with "
            f"`apt-get install {packages}` or fix the text"
        )
    return RenderedPdf(data, pages)


def _write_pdf(project: Project, html: str, label: str, font_config: Any) -> tuple[bytes, int]:
    """The PDF's bytes and page count, every URL read through the project's fetcher. A refusal stops
    WeasyPrint at once; one it caught and went on from (an image left out) still fails the PDF."""
    from handoutgen.render.weasy import weasyprint

    fetcher_class, fatal = _make_fetcher_class()
    fetcher = fetcher_class(project.asset_roots())
    base_url = project.templates.resolve().as_uri() + "/"
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_config, pdf_variant="pdf/ua-1", pdf_tags=True
        )
        if document.metadata.attachments:
            raise RenderError(f"{label}: attachments are not allowed in handouts")
        with finishing() as finisher:  # what WeasyPrint's tagging leaves undone: see tagging.py
            data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, finisher=finisher)
    except fatal as exc:
        raise _refused(label, fetcher.refused[-1] if fetcher.refused else str(exc)) from None
    if fetcher.refused:
        raise _refused(label, fetcher.refused[0])
    return data, len(document.pages)


def _refused(label: str, url: str) -> RenderError:
    """The same words whether WeasyPrint stopped at the refusal or went on without the file."""
    return RenderError(
        f"{label}: refused to fetch {url}: only files in assets/ or templates/ and data: URLs may be used"
    )


def _refuse_attachments(html: str, label: str) -> None:
    match = _ATTACHMENT_RE.search(html)
    if match:
        href = _HREF_RE.search(match.group(0))
        target = href.group(1) if href else match.group(0)
        raise RenderError(f"{label}: refused attachment {target}: handouts may not embed files")
