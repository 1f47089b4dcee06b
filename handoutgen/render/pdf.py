"""HTML to a tagged, reproducible PDF with WeasyPrint, fetching only the project's own files; missing glyphs are errors."""

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
from handoutgen.resources import _readable_file
from handoutgen.text.locales import LocaleInfo

_ATTACHMENT_RE = re.compile(r"""<(?:a|link)\b[^>]*\brel\s*=\s*["']?[^"'>]*\battachment\b[^>]*>""", re.I)


_HREF_RE = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.I)


def _make_fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectFetcher(URLFetcher):
        """Fetches only files inside the project's asset folders and ``data:`` URLs."""

        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None):
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
            args = record.args or ()
            self.missing.append(str(args[0]) if args else record.getMessage())


def html_to_pdf(
    project: Project, html: str, label: str, locale: LocaleInfo, font_config: Any = None
) -> RenderedPdf:
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
            font_config=font_config, pdf_variant="pdf/ua-1", pdf_tags=True
        )
        if document.metadata.attachments:
            raise RenderError(f"{label}: attachments are not allowed in handouts")
        data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    except fatal as exc:
        url = fetcher.refused[-1] if fetcher.refused else str(exc)
        raise RenderError(
            f"{label}: refused to fetch {url}: only files in assets/ or templates/ and data: URLs may be used"
        ) from None
    finally:
        logger.removeHandler(watch)
    if fetcher.refused:
        raise RenderError(
            f"{label}: refused to fetch {fetcher.refused[0]}: only files in assets/ or templates/ and data: URLs may be used"
        )
    if watch.missing:
        chars = "".join(dict.fromkeys(watch.missing))
        codes = " ".join(f"U+{ord(c):04X}" for c in chars)
        packages = " ".join(locale.font_packages)
        raise RenderError(
            f"{label}: no font covers {chars!r} ({codes}); install the fonts ({packages}) with `apt-get install {packages}` or fix the text"
        )
    return RenderedPdf(data, len(document.pages))


def _refuse_attachments(html: str, label: str) -> None:
    match = _ATTACHMENT_RE.search(html)
    if match:
        href = _HREF_RE.search(match.group(0))
        target = href.group(1) if href else match.group(0)
        raise RenderError(f"{label}: refused attachment {target}: handouts may not embed files")
