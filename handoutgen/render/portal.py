"""The handout as one standalone web page, for a patient portal (``generate.py build --html``).

The same template as the print (``handout.html.j2``, rendered with ``screen`` set): its ``<head>`` is
``screen-head.html.j2`` (a viewport, and handout.css less its ``@page`` rules followed by screen.css,
both inline), the DRAFT notice is a line of text at the top of ``<main>`` instead of the page margin and
the watermark, and the footer line of the page margins is a ``<footer>``. Every file the page shows (the
logo, any ``url()`` in the stylesheets) becomes a ``data:`` URL, so the one file is the whole page and a
browser fetches nothing. The same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import re
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
from markupsafe import Markup

from handoutgen.content.clinic import Clinic
from handoutgen.content.handout import Handout
from handoutgen.errors import Problem, RenderError, TemplateError
from handoutgen.project import Project, refuse_outside_links
from handoutgen.render.html import render_html
from handoutgen.resources import ALLOWED_URLS, _readable_file, shown_url, url_refusal
from handoutgen.text.locales import LocaleInfo

#: Inline in the page's <head>, in this order: the shared rules (less @page), then the screen's own.
STYLESHEETS = ("handout.css", "screen.css")

#: Media types by file suffix, fixed here (not read from the machine's mime.types) so that the bytes
#: of the page do not depend on the machine that built it.
MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}

# A src (or poster) attribute as the template writes it; text from a handout or a catalogue cannot
# make one, since its quotes are escaped.
_SRC_RE = re.compile(r'(\s(?:src|poster)=")([^"]*)(")', re.IGNORECASE)


def render_portal(
    project: Project,
    env: jinja2.Environment,
    handout: Handout,
    clinic: Clinic,
    locale: LocaleInfo,
    translations: Any,
    draft_reason: str | None = None,
    print_id: str | None = None,
) -> str:
    """The web page of a handout in ``locale``: what the printed sheet says (``draft_reason`` and
    ``print_id`` as for :func:`render_html`), laid out for a screen, with nothing to fetch."""
    screen = {"screen": True, "screen_css": screen_stylesheet(project)}
    html = render_html(
        project, env, handout, clinic, locale, translations, draft_reason, print_id, screen=screen
    )
    return _SRC_RE.sub(
        lambda m: m.group(1) + escape(inline_url(project, unescape(m.group(2)))) + m.group(3), html
    )


def screen_stylesheet(project: Project) -> Markup:
    """The stylesheets of :data:`STYLESHEETS` as one text for a ``<style>`` element: without ``@page``
    rules (a browser shows no page margins) and with every URL in them made a ``data:`` URL."""
    import tinycss2

    parts = []
    for name in STYLESHEETS:
        path = project.templates / name
        refuse_outside_links(project.root, [path])
        rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True)
        kept = [r for r in rules if not (r.type == "at-rule" and r.lower_at_keyword == "page")]
        _inline_css_urls(project, kept)
        parts.append(tinycss2.serialize(kept).strip())
    css = "\n\n".join(parts)
    if "</style" in css.lower():
        raise TemplateError(
            problems=[
                Problem(
                    "templates/", None, "a stylesheet holds '</style', which would end the page's <style>"
                )
            ]
        )
    return Markup(css)


def _inline_css_urls(project: Project, nodes: list, in_import: bool = False) -> None:
    """Every URL in ``nodes`` (``url(…)`` quoted or not, ``src(…)``, ``@import "…"``) made a ``data:``
    URL, in place, at any depth."""
    for node in nodes:
        kind = node.type
        if kind == "url" or (kind == "string" and in_import):
            node.value = inline_url(project, node.value)
            node.representation = f'url("{node.value}")' if kind == "url" else f'"{node.value}"'
        elif kind == "function" and node.lower_name in ("url", "src"):
            _inline_css_urls(project, [t for t in node.arguments if t.type == "string"][:1], True)
        if kind == "at-rule" and node.lower_at_keyword == "import":
            _inline_css_urls(project, node.prelude, True)
            continue
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                _inline_css_urls(project, children)


def inline_url(project: Project, written: str) -> str:
    """``written`` (relative to templates/, as for the print) as a ``data:`` URL holding the file's
    bytes; a ``data:`` URL as it is. Anything else would be fetched by the browser: refused."""
    if written.startswith("data:") or not written:
        return written
    roots = project.asset_roots()
    url = urljoin(project.templates.resolve().as_uri() + "/", written.strip())
    if not _readable_file(url.split("#", 1)[0], roots):
        reason = url_refusal(url, roots) or "cannot be read"
        raise RenderError(
            f"refused to put {shown_url(written)} in the web page, which {reason}; {ALLOWED_URLS}"
        )
    path = Path(unquote(urlsplit(url).path)).resolve()
    media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
