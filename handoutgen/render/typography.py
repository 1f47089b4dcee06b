"""Typography the stylesheet cannot say to WeasyPrint: where a line may not break, and which words are in
another language. Applied to each handout text after it is translated and turned into HTML (never to
the catalogues), so the translator's text is printed exactly as written, characters and all.

- A number keeps its range and its unit: ``15–20``, ``2–3``, ``38.0 °C``, ``10 minutes``, ``10 phút``,
  ``15–20分钟`` never break inside (a ``nobr`` span, ``white-space: nowrap``); a dash is a break
  opportunity in Unicode's line breaking, and so is the space before a unit. A number alone, or one
  inside a web or e-mail address, is left as it is.
- Korean breaks between words only (CSS ``word-break: keep-all``, which WeasyPrint 70 drops as an
  unknown value): each word with Hangul in it is a ``kw`` span that does not wrap.
- A clinic value the clinic wrote in English (its name, its address) says so, ``lang="en"``, on a sheet
  in another language, so that a screen reader pronounces it as English.

Only text between tags is changed; tags and character references are left as they are.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from handoutgen.text.locales import SOURCE_LOCALE, LocaleInfo, language

#: Languages whose words are not broken inside (CSS ``word-break: keep-all``).
KEEP_ALL_LANGUAGES = frozenset({"ko"})

#: Placeholders whose value is words in the clinic's own (source) language, not digits or an address
#: of the web.
SOURCE_LANGUAGE_VALUES = ("clinic_name", "clinic_address")

_NUMBER = r"\d+(?:[.,:]\d+)*"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014~\u301c\uff5e"  # hyphen … em dash, tilde, wave dashes
_CJK_UNIT = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]{1,2}"
_UNIT = rf"(?:\s?%|[ \u00a0]?°\s?[CF]\b|[ \u00a0][^\W\d_]+|{_CJK_UNIT})"
#: A number with a range, a unit or both (a number alone has no break inside it: it is left as it is).
_NUMBER_RUN_RE = re.compile(
    rf"(?<![A-Za-z\d.,/:@=?#\-\u2010]){_NUMBER}(?:\s?[{_DASHES}]\s?{_NUMBER}{_UNIT}?|{_UNIT})"
)
_HANGUL_WORD_RE = re.compile(r"\S*[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]\S*")
_PIECES_RE = re.compile(r"(<[^>]*>|&#?\w+;)")  # tags and character references, kept as they are


def typeset(html: Markup, locale: LocaleInfo) -> Markup:
    """``html`` (a handout text as :func:`handoutgen.content.markup.to_html` makes it) with no line
    break inside a number's range or before its unit, Korean words kept whole, and the clinic's
    English values marked ``lang="en"`` on a sheet in another language."""
    keep_words = language(locale.code) in KEEP_ALL_LANGUAGES
    pieces = _PIECES_RE.split(str(html))
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag or a character reference
            out.append(_with_language(piece, locale))
            continue
        piece = _NUMBER_RUN_RE.sub(lambda m: f'<span class="nobr">{m.group(0)}</span>', piece)
        if keep_words:
            piece = "".join(
                part if part.startswith("<") else _HANGUL_WORD_RE.sub(_keep_word, part)
                for part in _PIECES_RE.split(piece)
            )
        out.append(piece)
    return Markup("".join(out))


def _keep_word(match: re.Match[str]) -> str:
    return f'<span class="kw">{match.group(0)}</span>'


def _with_language(tag: str, locale: LocaleInfo) -> str:
    """A clinic value's opening tag with ``lang`` of the source language, where that differs."""
    if language(locale.code) == SOURCE_LOCALE:
        return tag
    for name in SOURCE_LANGUAGE_VALUES:
        marker = f'class="value value-{name}"'
        if tag.startswith("<span ") and marker in tag and " lang=" not in tag:
            return tag.replace(marker, f'{marker} lang="{SOURCE_LOCALE}"', 1)
    return tag
