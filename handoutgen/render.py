"""Rendering: Jinja2 templates to HTML, then WeasyPrint to a tagged, reproducible PDF.

WeasyPrint is imported inside the functions that need it, so commands that print nothing (``--help``,
``status``, a no-op build) start fast.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup, escape

from . import __version__
from .clinic import PAPER_SIZES, Clinic
from .content import Handout, Text
from .errors import CatalogError, ContentError, Problem, RenderError
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
        """The handouts folder, once no file in it is a symlink leading out of the project (the
        content loader would otherwise read, and quote in its errors, any file on the machine)."""
        folder = self.root / "handouts"
        _refuse_links_out(self.root, [folder, *(folder.iterdir() if folder.is_dir() else ())])
        return folder

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
        path = self.root / "clinic.yaml"
        _refuse_links_out(self.root, [path])
        return path

    def asset_roots(self) -> tuple[Path, ...]:
        """The folders the renderer may read, as real paths; a folder that is a symlink leading out
        of the project is no root at all (its files are then refused like any outside file)."""
        real = self.root.resolve()
        roots = ((self.root / name).resolve() for name in ASSET_DIRS)
        return tuple(root for root in roots if root.is_relative_to(real))


def _refuse_links_out(root: Path, paths: list[Path]) -> None:
    from .incremental import refuse_outside_links

    refuse_outside_links(root, paths)


# -- HTML ------------------------------------------------------------------------------------------

class ProjectLoader(jinja2.FileSystemLoader):
    """Templates from ``templates/`` only: a template that is (or sits under) a symlink leading out
    of the project is refused, naming it, instead of being read."""

    def __init__(self, project: Project):
        super().__init__(str(project.templates))
        self.project = project

    def get_source(self, environment: jinja2.Environment, template: str):
        # checked before anything is opened: FileSystemLoader itself follows symlinks anywhere
        pieces = jinja2.loaders.split_template_path(template)  # refuses ".." in the name
        path = self.project.templates.joinpath(*pieces)
        real = path.resolve()
        if (path.exists() or path.is_symlink()) and not real.is_relative_to(self.project.root.resolve()):
            shown = path.relative_to(self.project.root) if path.is_relative_to(self.project.root) else path
            raise ContentError(problems=[Problem(str(shown), None, (
                f"leads to {real}, outside the project (a symlink); templates are read only from the "
                "project's templates/ folder: copy the file there instead of linking to it"))])
        return super().get_source(environment, template)


def make_environment(project: Project) -> jinja2.Environment:
    """Autoescaped and sandboxed: a template reaches only the values it is given, never Python's
    internals (``cycler.__init__.__globals__.os``), so it cannot read or run anything the renderer's
    URL lock-down would refuse."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=ProjectLoader(project),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    install_translations(env, SourceLabels())
    return env


class SourceLabels:
    """Template labels before a locale is installed: the English itself."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def install_translations(env: jinja2.Environment, translations: Any,
                         where: Callable[[str, str | None], tuple[str, int | None]] | None = None) -> None:
    """Make ``_()``, ``gettext`` and ``{% trans %}`` in templates use ``translations``, escaped.

    Jinja's own newstyle gettext marks the *translated* string as safe markup before %-formatting
    it (only the variables are escaped), so a translation holding ``<script>`` or ``<a href>`` would
    reach the page as HTML. Here the translation is escaped first, like every other text, and only
    then are the (escaped) variables put in. A translation whose %-variables do not fit its English
    (``100%``, ``%(pgae)s``) is a CatalogError naming the entry (``where`` gives its file and line),
    not a traceback.
    """

    def fill(msgid: str, context: str | None, translated: str, variables: dict[str, Any]) -> Markup:
        try:
            return escape(translated) % variables
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            names = ", ".join(f"%({name})s" for name in variables if name not in ("num", "context")) or "none"
            file, line = where(msgid, context) if where else (f"templates/{TEMPLATE}", None)
            raise CatalogError(problems=[Problem(file, line, (
                f"the translation of {msgid!r} ({translated!r}) does not fit its %-variables "
                f"({type(exc).__name__}: {exc}); use exactly the English's variables ({names}) and write a "
                "literal percent sign as %%"))]) from None

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, string: str, /, **variables: Any) -> Markup:
        return fill(string, None, translations.gettext(string), variables)

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, num: int, /,
                 **variables: Any) -> Markup:
        variables.setdefault("num", num)
        return fill(singular, None, translations.ngettext(singular, plural, num), variables)

    @jinja2.pass_context
    def pgettext(context: jinja2.runtime.Context, msgctxt: str, string: str, /, **variables: Any) -> Markup:
        variables.setdefault("context", msgctxt)
        return fill(string, msgctxt, translations.pgettext(msgctxt, string), variables)

    @jinja2.pass_context
    def npgettext(context: jinja2.runtime.Context, msgctxt: str, singular: str, plural: str, num: int, /,
                  **variables: Any) -> Markup:
        variables.setdefault("context", msgctxt)
        variables.setdefault("num", num)
        return fill(singular, msgctxt, translations.npgettext(msgctxt, singular, plural, num), variables)

    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} calls gettext(s, **vars)
    env.globals.update(gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext)


# Quotes, backslash and < > as CSS escapes; a new line as CSS's own; other white-space controls (a raw
# carriage return or form feed would end the string and let the rest be read as CSS) as a space;
# any other control character, which no font draws, dropped.
_CSS_STRING_ESCAPES: dict[int, str | None] = {code: None for code in (*range(0x20), 0x7F)}
_CSS_STRING_ESCAPES.update({ord(c): " " for c in "\t\r\f\v"})
_CSS_STRING_ESCAPES.update({ord(c): f"\\{ord(c):x} " for c in '\\"\'<>\n'})


def css_string(value: str) -> Markup:
    """A CSS string literal; used for page-margin labels, which CSS (not HTML) prints. Nothing in
    ``value`` can end the string early (see ``_CSS_STRING_ESCAPES``)."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    return Markup('"' + text.translate(_CSS_STRING_ESCAPES) + '"')


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

    def where(msgid: str, context: str | None) -> tuple[str, int | None]:
        catalog = getattr(translations, "catalog", None)
        if catalog is None:
            return f"templates/{TEMPLATE}", None
        from .catalog import po_path

        message = catalog.get(msgid, context=context)
        path = po_path(project.locales, locale.code)
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        return str(shown), (message.lineno if message is not None else None)

    install_translations(env, translations, where)
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
