"""Files a sheet may use, and what they refer to: the URL rule for templates, stylesheets and the logo
(only the project's assets/ and templates/, and data: URLs that refer to nothing outside), image kinds,
and the references inside an SVG or a stylesheet."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from handoutgen.errors import (
    display,
)

if TYPE_CHECKING:
    from xml.parsers.expat import XMLParserType

#: How a refused reference is fixed; said by every error about one.
ALLOWED_URLS = (
    "only files in the project's assets/ or templates/ folders and data: URLs that refer to nothing "
    "else may be used"
)


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
    return url if len(url) <= _SHOWN_URL else url[: _SHOWN_URL - 20] + "…" + url[-19:]


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
            return (
                f"is a data: URL holding {what} that refers to {shown_url(reference)} (its line {line}); "
                "what a data: URL holds may refer to nothing else"
            )
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


_MAX_NESTING = 4  # data: URLs inside data: URLs, checked this deep (deeper is refused)


_SHOWN_URL = 100  # a longer URL (a data: URL, mostly) is shortened in messages


RASTER_KINDS = ("PNG", "JPEG", "GIF", "WebP")


# An SVG file: an optional BOM, XML declaration, comments and doctype, then the <svg> element.
_SVG_START_RE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*"
    rb"(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<!DOCTYPE\s+svg[^>\[]*(?:\[.*?\])?\s*>\s*)*"
    rb"<svg[\s>/]",
    re.DOTALL | re.IGNORECASE,
)


def image_kind(head: bytes) -> str | None:
    """The image type the file's first bytes announce (PNG, JPEG, GIF, WebP, SVG), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if _SVG_START_RE.match(head):
        return "SVG"
    return None


class SvgError(ValueError):
    """An SVG that is not well-formed XML, with the line where the parser stopped."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


def svg_references(data: bytes) -> list[tuple[int, str]]:
    """(line, reference as written) for everything an SVG could make the renderer fetch: every
    ``href`` (``xlink:href`` too) and ``src`` attribute, each ``url(…)`` in any other attribute (style,
    fill, filter, mask…), in ``<style>`` elements (and their ``@import``), and ``xml-stylesheet``
    instructions. Read with expat, the parser ElementTree (and so WeasyPrint) uses, so what the
    renderer would read is what is judged; external entities are never loaded. Raises
    :class:`SvgError` when the file is not well-formed XML."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    references = _SvgReferences(parser)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset + 1}"
        raise SvgError(exc.lineno, f"{expat.ErrorString(exc.code)} ({where})") from None
    return references.found


class _SvgReferences:
    """The expat callbacks of :func:`svg_references`, collecting into ``found`` as the parser goes:
    a reference's line is known only while the parser stands on it, and a ``<style>`` element's CSS
    arrives in pieces, so it is gathered until the element ends and then read from its first line."""

    def __init__(self, parser: XMLParserType) -> None:
        self.parser = parser
        self.found: list[tuple[int, str]] = []
        self.styles: list[tuple[int, list[str]]] = []  # open <style> elements: first line, text so far
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.ProcessingInstructionHandler = self.instruction

    def start(self, name: str, attributes: dict[str, str]) -> None:
        line = self.parser.CurrentLineNumber
        for attribute, value in attributes.items():
            if attribute.rsplit(" ", 1)[-1] in ("href", "src"):
                self.found.append((line, value.strip()))
            elif "(" in value or "\\" in value:
                self.found.extend((line + row - 1, ref) for row, _, ref in css_references(value))
        if name.rsplit(" ", 1)[-1] == "style":
            self.styles.append((line, []))

    def text(self, chunk: str) -> None:
        if self.styles:
            self.styles[-1][1].append(chunk)

    def end(self, name: str) -> None:
        if name.rsplit(" ", 1)[-1] == "style" and self.styles:
            line, chunks = self.styles.pop()
            self.found.extend((line + row - 1, ref) for row, _, ref in css_references("".join(chunks)))

    def instruction(self, target: str, body: str) -> None:
        if target.lower() == "xml-stylesheet":
            match = re.search(r"""href\s*=\s*(["'])(.*?)\1""", body, re.DOTALL)
            self.found.append(
                (self.parser.CurrentLineNumber, match.group(2).strip() if match else body.strip())
            )
