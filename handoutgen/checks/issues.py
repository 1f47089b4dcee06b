"""The translation checks by name: each with its default severity and what it checks, and the
(check, severity, message) issue each one reports for an English/translation pair.

Errors are mistakes that change what a patient reads (a dropped "24", a swapped range, 38.0 become
38, a dropped "not", days become weeks, a lost ``{emergency_number}``, an invisible bidi control that
reorders what is shown); warnings point a reviewer at something to look at (a glossary word not
used, a sentence more or less, a translation much longer than the English).
"""

from __future__ import annotations

from handoutgen.content.settings import GLOSSARY_CHECKS

#: Every check: stable name -> (default severity, what it checks). Names never change: reviewers,
#: CI logs and ``glossary.yaml`` refer to them.
CHECKS: dict[str, tuple[str, str]] = {
    "numbers": (
        "error",
        (
            "every number of the English is in the translation, decimals exactly as written (38.0, or "
            "38,0 with a decimal comma, never 38), ranges in the same order"
        ),
    ),
    "negation": (
        "error",
        'every negation of the English ("not", "never", "no", "without", "avoid"…) is kept',
    ),
    "units": ("error", "every quantity keeps its unit: days stay days (not weeks), °C stays °C"),
    "placeholders": ("error", "the same {name} placeholders as the English, none dropped or invented"),
    "format": ("error", "the same %(name)s format variables as the English"),
    "markup": ("error", "the same **bold** and *italic* spans as the English, each closed and non-empty"),
    **GLOSSARY_CHECKS,  # glossary-required, glossary-keep: glossary.yaml sets their severities
    "untranslated": ("warning", "the translation is the English text unchanged"),
    "empty": ("warning", "the translation is only spaces"),
    "length-ratio": ("warning", "the translation is far longer or shorter than usual for its script"),
    "sentence-count": ("warning", "the translation has a different number of sentences"),
    "ending-punctuation": ("warning", "the translation ends with different punctuation (. ? ! :)"),
    "emergency-number": (
        "error",
        "every {emergency_number} sentence is translated and keeps {emergency_number}",
    ),
    "markup-added": ("error", "no HTML tag, comment or character reference that the English does not have"),
    "url-added": (
        "error",
        (
            "no web or e-mail address, IP address or javascript:/data:/file: link that the "
            "English does not have"
        ),
    ),
    "bidi-control": (
        "error",
        ("no invisible bidi embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069)"),
    ),
}

SEVERITIES = ("error", "warning")
EMERGENCY_PLACEHOLDER = "{emergency_number}"
SOURCE_LANGUAGE = "en"

Issue = tuple[str, str, str]  # (check, severity, message)


def issue(check: str, message: str, severity: str | None = None) -> Issue:
    """An issue of ``check``, at its default severity unless ``severity`` is given."""
    return (check, severity or CHECKS[check][0], message)
