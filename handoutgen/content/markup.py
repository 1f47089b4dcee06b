"""Inline markup in content strings: ``**bold**``, ``*italic*`` and ``{placeholders}``.

The text is escaped first and only then turned into tags the project itself writes, so nothing a
content author or translator types can inject HTML, fetch a URL or break the page.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from handoutgen.content.handout import PLACEHOLDER_RE

_STRONG_RE = re.compile(r"\*\*(.+?)\*\*")
_EM_RE = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


def strip_markup(text: str) -> str:
    """The words alone, for readability scores, QA and PDF metadata."""
    return text.replace("**", "").replace("*", "")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Plain-text substitution (for PDF metadata and titles); unknown names are left visible."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def to_html(text: str, values: dict[str, str]) -> Markup:
    """Escape, apply emphasis, then put in clinic values, each isolated left-to-right.

    Values are isolated so a phone number keeps its digit order inside right-to-left text.
    """
    html = str(escape(text))
    html = _STRONG_RE.sub(r"<strong>\1</strong>", html)
    html = _EM_RE.sub(r"<em>\1</em>", html)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return f'<span class="value value-{name}" dir="ltr">{escape(values[name])}</span>'

    return Markup(PLACEHOLDER_RE.sub(value, html))
