"""Which kind of writing system a text is in, as far as the checks care: how its words are matched
and how long a translation into it may run."""

from __future__ import annotations

import functools
from collections import Counter

#: The kinds :func:`script_of` tells apart.
SCRIPTS = ("alphabet", "cjk", "hangul", "abjad", "thai", "ethiopic")


def _kind(code: int) -> str:
    """The kind of writing system of one letter (by code point)."""
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x3040 <= code <= 0x30FF
        or 0x20000 <= code <= 0x2FFFF
    ):
        return "cjk"
    if 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "abjad"  # Arabic and Hebrew: short vowels unwritten
    if 0x0E00 <= code <= 0x0EFF or 0x1000 <= code <= 0x109F or 0x1780 <= code <= 0x17FF:
        return "thai"  # Thai, Lao, Burmese, Khmer: letters and vowel signs, no spaces between words
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF or 0xAB00 <= code <= 0xAB2F:
        return "ethiopic"  # Amharic, Tigrinya: one character per syllable, words spaced
    return "alphabet"


@functools.lru_cache(maxsize=4096)
def script_of(text: str) -> str:
    """The writing system most of the letters of ``text`` belong to: ``alphabet`` (Latin, Cyrillic,
    Greek, Devanagari…), ``cjk`` (Han, kana), ``hangul``, ``abjad`` (Arabic, Hebrew), ``thai`` (Thai,
    Lao, Burmese, Khmer: written without spaces, but letters, not ideographs) or ``ethiopic``;
    ``alphabet`` when it has no letters."""
    counts = Counter(_kind(ord(char)) for char in text if char.isalpha())
    return counts.most_common(1)[0][0] if counts else "alphabet"
