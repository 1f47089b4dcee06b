"""Stylesheets checked before rendering: every rule WeasyPrint would drop, and every URL, is an error at
its line."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from handoutgen.errors import (
    HandoutError,
    Problem,
    RenderError,
    TemplateError,
)
from handoutgen.project import Project, _refuse_links_out
from handoutgen.resources import ALLOWED_URLS, css_references, shown_url, url_refusal


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
            invalid.append(
                Problem(shown, None, f"not UTF-8 text ({exc.reason}); save the stylesheet as UTF-8")
            )
            continue
        url = urljoin(base, path.name)
        refused.extend(_refused_urls(text, url, shown, roots))
        invalid.extend(_dropped_by_weasyprint(text, url, shown))
    errors: list[HandoutError] = []
    if invalid:
        errors.append(TemplateError(problems=invalid))
    if refused:
        errors.append(RenderError(problems=refused))
    return errors


def _refused_urls(text: str, url: str, shown: str, roots: tuple[Path, ...]) -> list[Problem]:
    """Every URL in the sheet at ``url`` that the renderer would refuse at render time, found now so
    that it is said at its line, with the way to fix it, rather than as a failed build."""
    refused: list[Problem] = []
    for line, _column, written in css_references(text):
        try:
            reason = url_refusal(urljoin(url, written.strip()), roots)
        except ValueError:
            reason = "is not a valid URL"
        if reason:
            refused.append(
                Problem(
                    shown,
                    line,
                    (
                        f"refused to fetch {shown_url(written)}, which {reason}; {ALLOWED_URLS} (copy the "
                        "file into assets/ and refer to it as ../assets/NAME, or remove the rule)"
                    ),
                )
            )
    return refused


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
    messages = _weasyprint_warnings(text, url)
    unclosed, stray = _unbalanced(text)
    problems = _unbalanced_problems(shown, unclosed, stray)
    first_unclosed = min((line for line, _, _ in unclosed), default=None)
    for line, what, column in _located_warnings(messages, text):
        if first_unclosed is not None and (line is None or line >= first_unclosed):
            continue  # read as part of a rule never closed: said above
        if line in stray:
            continue  # the rule a stray } swallowed: said above
        problems.append(
            Problem(
                shown,
                line,
                (
                    f"WeasyPrint drops this: {what.rstrip('. ')}{column}; fix the CSS (a misspelt property, "
                    "a missing ; or }, an invalid value or selector) so that the printed sheet uses it"
                ),
            )
        )
    return problems


def _weasyprint_warnings(text: str, url: str) -> list[str]:
    """WeasyPrint says what it drops from a sheet only in its log, so the log is listened to while it
    reads the sheet. Its fetcher is replaced by one giving every ``@import`` an empty sheet: nothing is
    read from anywhere while checking."""
    from handoutgen.render.weasy import load

    weasyprint = load()  # itself first, its libraries found the quick way
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
    return records.messages


def _unbalanced_problems(shown: str, unclosed: list[tuple[int, str, str]], stray: list[int]) -> list[Problem]:
    """A bracket never closed, or a ``}`` closing nothing, said plainly: WeasyPrint's own warnings
    about them name only what it then swallowed, far from the mistake."""
    problems = [
        Problem(
            shown,
            line,
            (
                f"this {opener} is never closed, so WeasyPrint reads everything after it as part of this "
                f"rule and drops it; add the missing {closer}"
            ),
        )
        for line, opener, closer in unclosed
    ]
    problems.extend(
        Problem(
            shown,
            line,
            (
                "this } closes no rule, so WeasyPrint reads it as the start of the next rule's selector and "
                "drops that rule; remove it"
            ),
        )
        for line in stray
    )
    return problems


def _located_warnings(messages: list[str], text: str) -> list[tuple[int | None, str, str]]:
    """(line, what, column note) of each warning that is a mistake in the sheet, its quoted CSS cut short.
    Most warnings give their line and column; one about a selector gives neither, so its line is that
    of the rule whose selector it quotes (the sheet's rules are read only when such a warning comes)."""
    preludes: list[tuple[int, str]] | None = None
    located: list[tuple[int | None, str, str]] = []
    for message in messages:
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
        column = f" (column {location.group(2)})" if location else ""
        located.append((line, _QUOTED_RE.sub(r"\1\2…\1", " ".join(what.split())), column))
    return located


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
        elif (
            c == "("
            and re.search(r"(?<![\w-])url$", text[max(0, i - 4) : i], re.IGNORECASE)
            and not re.match(r"\s*[\"']", text[i + 1 : i + 64])
        ):
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
    fits = [
        (len(prelude), line)
        for line, prelude in preludes
        if prelude
        and (
            inside == prelude
            or inside.endswith((" " + prelude, ")" + prelude))
            or (len(prelude) >= 8 and prelude in inside)
        )
    ]
    return max(fits)[1] if fits else None


class _WarningLog(logging.Handler):
    """Collects the messages WeasyPrint logs at warning level and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# WeasyPrint's warnings that are no mistake in the stylesheet: a real CSS property this version does
# not apply yet (unicode-bidi, kept for browsers showing the --html preview), and a prefixed name it
# still applies but would rather see unprefixed.
_HARMLESS_CSS_WARNINGS = ("property not supported yet", "Deprecated `")


_LOCATION_RE = re.compile(r",?\s*\bat (\d+):(\d+)\b")


_SHOWN_CODE = 60  # CSS quoted in a message is cut after this many characters


_QUOTED_RE = re.compile(rf"([`'])([^`']{{{_SHOWN_CODE}}})[^`']+\1")
