"""The ``length-ratio`` check: a translation far longer or shorter than translations into its
script usually are (text added, repeated or left out)."""

from __future__ import annotations

from handoutgen.checks.issues import Issue, issue
from handoutgen.checks.tokens import VARIABLE_RE
from handoutgen.text.locales import language
from handoutgen.text.scripts import script_of
from handoutgen.text.sentences import quoted_spans

# Translation length / English length, counted in characters, by the translation's script. Drawn
# from published expansion tables for English sources (W3C "Text size in translation"; IBM's
# globalisation guide: short strings expand most) and checked against the shipped catalogues:
# * alphabetic scripts: Spanish runs 0.7–1.65 (median 1.2). Vietnamese goes as low as 0.42
#   ("You are afraid of needles." → "Bạn sợ kim.": one syllable per word), so the floor is 0.4;
#   2.5 leaves room for the 200 % expansion of short strings.
# * CJK: a Han character carries a syllable or a word; Chinese runs 0.14–0.66 (median 0.33, e.g.
#   "Questions and answers" → "问与答" is 0.14), so 0.1–1.0; a translation as long as the English
#   in characters almost always still holds English.
# * Hangul: a syllable block is 2–3 Latin letters; Korean runs 0.29–0.92 (median 0.56), so 0.2–1.5.
# * Arabic (and Hebrew): short vowels are not written, so about English length; 0.5–1.6 shipped
#   (median 0.91), so 0.4–2.0.
# * Thai (Lao, Khmer, Burmese): no spaces between words, but letters with vowel and tone marks, not
#   ideographs: a Thai sentence runs 0.6–1.2 of the English in code points ("Do not lift heavy
#   things for 24 hours." → "ห้ามยกของหนักเป็นเวลา 24 ชั่วโมง" is 0.82), so 0.3–2.0, never CJK's 0.1–1.0.
# * Ethiopic (Amharic, Tigrinya): one character per syllable, words spaced; Amharic runs 0.5–1.0
#   ("Drink water." → "ውሃ ይጠጡ።" is 0.67), so 0.25–1.8.
LENGTH_RATIOS: dict[str, tuple[float, float]] = {
    "alphabet": (0.4, 2.5),
    "cjk": (0.1, 1.0),
    "hangul": (0.2, 1.5),
    "abjad": (0.4, 2.0),
    "thai": (0.3, 2.0),
    "ethiopic": (0.25, 1.8),
}
LENGTH_MIN_SOURCE = 20  # shorter English (labels, headings) varies too much to judge
# The script a locale is written in (the text's own mix would excuse English left in a translation).
_LANGUAGE_SCRIPTS = {
    "zh": "cjk",
    "ja": "cjk",
    "yue": "cjk",
    "th": "thai",
    "lo": "thai",
    "km": "thai",
    "my": "thai",
    "am": "ethiopic",
    "ti": "ethiopic",
    "ko": "hangul",
    "ar": "abjad",
    "fa": "abjad",
    "ur": "abjad",
    "ps": "abjad",
    "ckb": "abjad",
    "sd": "abjad",
    "ug": "abjad",
    "he": "abjad",
    "yi": "abjad",
}
_SCRIPT_NAMES = {
    "alphabet": "alphabetic scripts",
    "cjk": "Chinese/Japanese",
    "hangul": "Korean",
    "abjad": "Arabic script",
    "thai": "Thai, Lao, Khmer and Burmese",
    "ethiopic": "Ethiopic script",
}


def _visible(text: str) -> str:
    return " ".join(VARIABLE_RE.sub("X", text).replace("*", "").split())


def _without_copied_latin(english: str, translated: str) -> tuple[str, str]:
    """Both texts less what the translation quotes verbatim from the English (a cited title kept in
    English, in quotation marks): that says nothing about the translation's length. English left
    unquoted still counts, so a translation padded with the English is still caught."""
    for span, quoted in quoted_spans(translated):
        if len(quoted) >= 8 and quoted in english:
            english, translated = english.replace(quoted, "", 1), translated.replace(span, "", 1)
    return english, translated


def check_length(source: str, target: str, locale: str) -> list[Issue]:
    """A translation's length against the English, within the usual range for its script."""
    english, translated = _visible(source), _visible(target)
    if len(english) < LENGTH_MIN_SOURCE or not translated:
        return []
    script = _LANGUAGE_SCRIPTS.get(language(locale)) or script_of(translated)
    if script != "alphabet":
        english, translated = _without_copied_latin(english, translated)
        if len(english) < LENGTH_MIN_SOURCE or not translated:
            return []
    low, high = LENGTH_RATIOS[script]
    ratio = len(translated) / len(english)
    if low <= ratio <= high:
        return []
    what = "longer" if ratio > high else "shorter"
    hint = "text added or repeated" if ratio > high else "text left out"
    return [
        issue(
            "length-ratio",
            f"the translation is {ratio:.2f}× the length of the English, much {what} than usual "
            f"for {_SCRIPT_NAMES[script]} ({low}–{high}×); check for {hint}",
        )
    ]
