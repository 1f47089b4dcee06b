"""Inline markup in content strings: ``**bold**``, ``*italic*``, ``{placeholders}`` and ``%(name)s``.

The patterns every stage uses to find placeholders and format variables live here, and only here.

The text is escaped first and only then turned into tags the project itself writes, so nothing a
content author or translator types can inject HTML, fetch a URL or break the page.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: A ``{name}`` placeholder, filled with a clinic value after translation; group 1 is the name.
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
#: What a placeholder's name may be: ``clinic_phone``, ``after_hours_phone``.
PLACEHOLDER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: A ``%(name)s`` format variable as the project's catalogues use them; group 1 is the name.
FORMAT_RE = re.compile(r"%\(([a-z_]+)\)s")
#: Any ``%(name)…`` conversion (``%(count)d``, ``%(n)05.1f``), as a translator might write one;
#: group 1 is the name. Wider than :data:`FORMAT_RE`: for comparing an English text with its
#: translation, where a variable of any shape must survive.
FORMAT_ANY_RE = re.compile(r"%\(([^()]*)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")

_STRONG_RE = re.compile(r"\*\*(.+?)\*\*")
_EM_RE = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


def placeholders(text: str) -> list[str]:
    """The names of the ``{placeholders}`` in a text, sorted, each as often as it occurs."""
    return sorted(PLACEHOLDER_RE.findall(text))


def format_variables(text: str) -> list[str]:
    """The names of the ``%(name)s`` variables in a text, sorted, each as often as it occurs."""
    return sorted(FORMAT_RE.findall(text))


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
