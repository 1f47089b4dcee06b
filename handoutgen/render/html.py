"""Rendering: Jinja2 templates to HTML, then WeasyPrint to a tagged, reproducible PDF.

WeasyPrint is imported inside the functions that need it, so commands that print nothing (``--help``,
``status``, a no-op build) start fast.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from handoutgen import __version__
from handoutgen.content.clinic import PAPER_SIZES, Clinic
from handoutgen.content.handout import Handout, Text
from handoutgen.errors import (
    CatalogError,
    ContentError,
    HandoutError,
    Problem,
    RenderError,
    TemplateError,
    display,
)
from handoutgen.text.locales import LocaleInfo
from handoutgen.content.markup import fill_placeholders, strip_markup, to_html

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
    from handoutgen.build.manifest import refuse_outside_links

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
        from handoutgen.catalogs.store import po_path

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


# -- what the renderer may read ----------------------------------------------------------------------

#: How a refused reference is fixed; said by every error about one.
ALLOWED_URLS = ("only files in the project's assets/ or templates/ folders and data: URLs that refer to nothing "
                "else may be used")
_MAX_NESTING = 4  # data: URLs inside data: URLs, checked this deep (deeper is refused)
_SHOWN_URL = 100  # a longer URL (a data: URL, mostly) is shortened in messages


def _readable_file(url: str, roots: tuple[Path, ...]) -> bool:
    """The fetcher's rule for everything but ``data:``: a ``file:`` URL of this machine naming an
    existing file under one of ``roots`` (symlinks followed, so a link cannot lead out)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root) for root in roots) and path.is_file()


def shown_url(url: str) -> str:
    return url if len(url) <= _SHOWN_URL else url[:_SHOWN_URL - 20] + "…" + url[-19:]


def url_refusal(url: str, roots: tuple[Path, ...], _depth: int = 0) -> str | None:
    """Why the renderer must not read ``url`` (absolute, already resolved against its base), as a
    phrase that follows "which …", or None when it may.

    The fetcher's rule (files under ``roots`` and ``data:`` URLs), checked before rendering, and one
    step further: what a ``data:`` URL holds (an SVG picture, a stylesheet) must refer to nothing but
    its own parts (``#id``) and further such ``data:`` URLs, since the fetcher would otherwise be
    asked for those at render time."""
    if url.startswith("data:"):
        return _data_refusal(url, roots, _depth)
    if _readable_file(url, roots):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(unquote(parts.path))
        if any(path.resolve().is_relative_to(root) for root in roots):
            return f"{'is a folder, not a file' if path.is_dir() else 'does not exist'} ({display(path)})"
        return f"is a file outside the project's assets/ and templates/ folders ({display(path)})"
    if scheme == "file":
        return f"is a file on another machine ({parts.netloc})"
    if scheme in ("http", "https", "ftp", "ws", "wss"):
        return f"is on the network ({scheme}:)"
    return f"uses the {scheme or 'unknown'}: scheme, which the renderer never reads"


def _data_refusal(url: str, roots: tuple[Path, ...], depth: int) -> str | None:
    """What a ``data:`` URL holds refers to something outside it (see :func:`url_refusal`)."""
    header, comma, payload = url[5:].partition(",")
    if not comma:
        return None  # not a data: URL the fetcher can read at all: nothing is fetched
    data = unquote_to_bytes(payload)
    if header.rstrip().lower().endswith(";base64"):
        try:
            data = base64.decodebytes(data)
        except (binascii.Error, ValueError):
            return None  # undecodable: the renderer cannot use it either
    media = header.split(";", 1)[0].strip().lower()
    if media == "text/css":
        text = data.decode("utf-8", "replace")
        references = [(line, ref) for line, _, ref in css_references(text)]
        what = "a stylesheet"
    else:
        from handoutgen.content.clinic import RASTER_KINDS, SvgError, image_kind, svg_references

        if image_kind(data[:64]) in RASTER_KINDS:
            return None
        try:  # anything else is tried as SVG by the renderer, whatever its media type says
            references = svg_references(data)
        except SvgError:
            return None  # not XML: the renderer cannot draw it, so it fetches nothing for it
        what = "an SVG picture"
    for line, reference in references:
        if not reference or reference.startswith("#"):
            continue  # a part of the same picture or sheet
        if depth >= _MAX_NESTING:
            return f"is a data: URL holding {what} with data: URLs nested too deep to check"
        if not reference.startswith("data:"):
            return (f"is a data: URL holding {what} that refers to {shown_url(reference)} (its line {line}); "
                    "what a data: URL holds may refer to nothing else")
        inner = url_refusal(reference, roots, depth + 1)
        if inner:
            return f"is a data: URL holding {what} whose data: URL (its line {line}) {inner}"
    return None


def css_references(text: str) -> list[tuple[int, int, str]]:
    """(line, column, URL as written) for every resource CSS text refers to: ``url(…)``, ``src(…)``,
    the strings of ``image-set()`` and ``image()``, and ``@import "…"``. Read with tinycss2, the
    tokenizer WeasyPrint itself uses, so escapes (``u\\72 l(…)``) and comments hide nothing."""
    import tinycss2

    found: list[tuple[int, int, str]] = []

    def walk(tokens: list) -> None:
        after_import = False
        for token in tokens:
            kind = token.type
            if kind in ("whitespace", "comment"):
                continue
            if kind == "url" or (kind == "string" and after_import):
                found.append((token.source_line, token.source_column, token.value))
            elif kind == "function":
                strings = [t for t in token.arguments if t.type == "string"]
                if token.lower_name in ("url", "src") and strings:
                    found.append((token.source_line, token.source_column, strings[0].value))
                elif token.lower_name in ("image-set", "-webkit-image-set", "image"):
                    found.extend((t.source_line, t.source_column, t.value) for t in strings)
                walk(token.arguments)
            elif kind in ("() block", "[] block", "{} block"):
                walk(token.content)
            after_import = kind == "at-keyword" and token.lower_value == "import"

    walk(tinycss2.parse_component_value_list(text, skip_comments=True))
    return found


# -- stylesheets --------------------------------------------------------------------------------------

# WeasyPrint's warnings that are no mistake in the stylesheet: a real CSS property this version does
# not apply yet (unicode-bidi, kept for browsers showing the --html preview), and a prefixed name it
# still applies but would rather see unprefixed.
_HARMLESS_CSS_WARNINGS = ("property not supported yet", "Deprecated `")
_LOCATION_RE = re.compile(r",?\s*\bat (\d+):(\d+)\b")
_SHOWN_CODE = 60  # CSS quoted in a message is cut after this many characters
_QUOTED_RE = re.compile(rf"([`'])([^`']{{{_SHOWN_CODE}}})[^`']+\1")


def stylesheets(project: Project) -> list[Path]:
    """Every stylesheet in templates/; one that is a symlink leading out of the project is refused."""
    sheets = sorted(project.templates.glob("*.css"))
    _refuse_links_out(project.root, sheets)
    return sheets


def check_stylesheets(project: Project) -> list[HandoutError]:
    """Every stylesheet in templates/ as the renderer will read it, before anything is rendered.

    Two kinds of problem, each naming the sheet's file and line: a rule or declaration WeasyPrint's
    own CSS parser drops (a typo such as ``colour:``, a ``{`` never closed, an invalid selector), as a
    :class:`TemplateError`; and a URL the renderer must not read (see :func:`url_refusal`), as a
    :class:`RenderError`. Returns one error per kind found (nothing: the sheets are fine).

    Imports WeasyPrint: call it only when something will be rendered (or checked)."""
    invalid: list[Problem] = []
    refused: list[Problem] = []
    roots = project.asset_roots()
    base = project.templates.resolve().as_uri() + "/"
    for path in stylesheets(project):
        shown = path.relative_to(project.root).as_posix()
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            invalid.append(Problem(shown, None, f"not UTF-8 text ({exc.reason}); save the stylesheet as UTF-8"))
            continue
        url = urljoin(base, path.name)
        for line, _column, written in css_references(text):
            try:
                reason = url_refusal(urljoin(url, written.strip()), roots)
            except ValueError:
                reason = "is not a valid URL"
            if reason:
                refused.append(Problem(shown, line, (
                    f"refused to fetch {shown_url(written)}, which {reason}; {ALLOWED_URLS} (copy the file into "
                    "assets/ and refer to it as ../assets/NAME, or remove the rule)")))
        invalid.extend(_dropped_by_weasyprint(text, url, shown))
    errors: list[HandoutError] = []
    if invalid:
        errors.append(TemplateError(problems=invalid))
    if refused:
        errors.append(RenderError(problems=refused))
    return errors


def validate_stylesheets(project: Project) -> None:
    """:func:`check_stylesheets`, raised: the error of the one kind found, or a plain HandoutError
    (exit code 1) holding both kinds."""
    errors = check_stylesheets(project)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise HandoutError(problems=[p for error in errors for p in error.problems])


def _dropped_by_weasyprint(text: str, url: str, shown: str) -> list[Problem]:
    """What WeasyPrint's CSS parser logs while reading ``text`` (as the sheet at ``url``): each thing
    it ignores, at the line it gives, or (for a selector, which it names without a line) at the line
    of the rule whose selector it quotes. A ``{`` (or ``(``, ``[``) never closed is said first and
    plainly: WeasyPrint then reads the rest of the sheet as part of that rule, and what it logs from
    there on is a consequence. Nothing is fetched: an ``@import`` gets an empty sheet (URLs were judged
    before, and every sheet in templates/ is checked on its own)."""
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class NoFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            return URLFetcherResponse(url, b"", {"Content-Type": "text/css; charset=utf-8"})

    records = _WarningLog()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.WARNING)
    try:
        weasyprint.CSS(string=text, base_url=url, url_fetcher=NoFetcher())
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
    unclosed, stray = _unbalanced(text)
    problems = [Problem(shown, line, (
        f"this {opener} is never closed, so WeasyPrint reads everything after it as part of this rule and "
        f"drops it; add the missing {closer}")) for line, opener, closer in unclosed]
    problems.extend(Problem(shown, line, (
        "this } closes no rule, so WeasyPrint reads it as the start of the next rule's selector and drops "
        "that rule; remove it")) for line in stray)
    first_unclosed = min((line for line, _, _ in unclosed), default=None)
    preludes: list[tuple[int, str]] | None = None
    for message in records.messages:
        if any(harmless in message for harmless in _HARMLESS_CSS_WARNINGS):
            continue
        location = _LOCATION_RE.search(message)
        if location:
            line: int | None = int(location.group(1))
            what = _LOCATION_RE.sub("", message, count=1)
        else:
            if preludes is None:
                preludes = _rule_preludes(text)
            line, what = _rule_line(message, preludes), message
        if first_unclosed is not None and (line is None or line >= first_unclosed):
            continue  # read as part of a rule never closed: said above
        if line in stray:
            continue  # the rule a stray } swallowed: said above
        what = _QUOTED_RE.sub(r"\1\2…\1", " ".join(what.split()))
        column = f" (column {location.group(2)})" if location else ""
        problems.append(Problem(shown, line, (
            f"WeasyPrint drops this: {what.rstrip('. ')}{column}; fix the CSS (a misspelt property, a missing ; "
            "or }, an invalid value or selector) so that the printed sheet uses it")))
    return problems


def _unbalanced(text: str) -> tuple[list[tuple[int, str, str]], list[int]]:
    """(line, opener, closer) of every ``{``, ``(`` and ``[`` that CSS text never closes, and the line
    of every ``}`` outside any block, found with CSS's own tokenizing rules for what hides a bracket:
    comments, strings, escapes, ``url(…)``."""
    closers = {"{": "}", "(": ")", "[": "]"}
    stack: list[tuple[int, str, str]] = []
    stray: list[int] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        start = i
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in "\"'":
            i += 1
            while i < n and text[i] not in (c, "\n"):
                i += 2 if text[i] == "\\" else 1
            i += 1 if i < n and text[i] == c else 0
        elif c == "\\":
            i += 2
        elif c == "(" and re.search(r"(?<![\w-])url$", text[max(0, i - 4):i], re.IGNORECASE) and \
                not re.match(r"\s*[\"']", text[i + 1:i + 64]):
            i += 1  # an unquoted url(…): everything up to ) is the URL
            while i < n and text[i] != ")":
                i += 2 if text[i] == "\\" else 1
            i += 1
        else:
            if c in closers:
                stack.append((line, c, closers[c]))
            elif stack and c == stack[-1][2]:
                stack.pop()
            elif not stack and c == "}":
                stray.append(line)
            i += 1
        line += text.count("\n", start, min(i, n))
    return stack, stray


def _rule_preludes(text: str) -> list[tuple[int, str]]:
    """(line, selector as WeasyPrint quotes it) of every rule, nested ones and those in at-rules too."""
    import tinycss2

    found: list[tuple[int, str]] = []

    def walk(nodes: list) -> None:
        for node in nodes:
            if node.type in ("qualified-rule", "at-rule"):
                if node.type == "qualified-rule":
                    found.append((node.source_line, " ".join(tinycss2.serialize(node.prelude).split())))
                if node.content is not None:
                    walk(tinycss2.parse_blocks_contents(node.content))

    walk(tinycss2.parse_stylesheet(text))
    return found


def _rule_line(message: str, preludes: list[tuple[int, str]]) -> int | None:
    """The line of the rule whose selector a message quotes (the longest that fits), or None."""
    quoted = re.search(r"'(.*)'", " ".join(message.split()))
    if not quoted:
        return None
    inside = quoted.group(1).strip()
    fits = [(len(prelude), line) for line, prelude in preludes
            if prelude and (inside == prelude or inside.endswith((" " + prelude, ")" + prelude))
                            or (len(prelude) >= 8 and prelude in inside))]
    return max(fits)[1] if fits else None


class _WarningLog(logging.Handler):
    """Collects the messages WeasyPrint logs at warning level and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


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
