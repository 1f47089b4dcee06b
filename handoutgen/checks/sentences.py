"""Sentences and final punctuation: the ``sentence-count`` check (sentences counted by the
project's one splitter, :mod:`handoutgen.text.sentences`) and the ``ending-punctuation`` check."""

from __future__ import annotations

from handoutgen.checks.issues import Issue, issue
from handoutgen.text.locales import language
from handoutgen.text.sentences import CLOSERS, NO_SENTENCE_PUNCTUATION, count_sentences


def check_sentences(source: str, target: str, locale: str = "") -> list[Issue]:
    """The same number of sentences; one English sentence may become two (a long Korean or Arabic
    sentence is often better split), but none may go missing or be merged away.

    Text in a language that marks no sentence ends (Thai, Lao, Khmer, Burmese: see
    :data:`~handoutgen.text.sentences.NO_SENTENCE_PUNCTUATION`) cannot be counted by rule and is
    not compared."""
    if language(locale) in NO_SENTENCE_PUNCTUATION:
        return []
    english, translated = count_sentences(source), count_sentences(target)
    if english <= translated <= english + 1 or (english < 2 and abs(english - translated) <= 1):
        return []
    return [
        issue(
            "sentence-count",
            f"the English has {english} sentence(s) but the translation has {translated}; "
            "check that nothing was dropped, merged or added",
        )
    ]


_END_CLASSES = {
    "period": ".。．۔।॥።፨։",
    "question": "?？؟፧",
    "exclamation": "!！",
    "colon": ":：",
}
_END_NAMES = {
    "period": "a full stop",
    "question": "a question mark",
    "exclamation": "an exclamation mark",
    "colon": "a colon",
}
_LOCALE_ENDS = {  # what to suggest
    "zh": {"period": "。", "question": "？", "exclamation": "！", "colon": "："},
    "ja": {"period": "。", "question": "？", "exclamation": "！", "colon": "："},
    "ar": {"question": "؟"},
    "fa": {"question": "؟"},
    "ur": {"period": "۔", "question": "؟"},
    "hi": {"period": "।"},
    "mr": {"period": "।"},
    "ne": {"period": "।"},
    "am": {"period": "።", "question": "፧"},
    "ti": {"period": "።", "question": "፧"},
    "hy": {"period": "։"},
}


def _ending(text: str) -> tuple[str | None, str]:
    """(class of the final punctuation or None, the character) after closing quotes and brackets."""
    text = text.rstrip()
    while text and (text[-1] in CLOSERS or text[-1].isspace()):
        text = text[:-1]
    if text.endswith(("...", "…")):
        return "ellipsis", "…"
    last = text[-1:] if text else ""
    for name, chars in _END_CLASSES.items():
        if last and last in chars:
            return name, last
    return None, last


def check_ending(source: str, target: str, locale: str) -> list[Issue]:
    """The same kind of final punctuation as the English, in the locale's own form.

    Thai, Lao, Khmer and Burmese end a sentence (a question too: เจ็บไหม) with a space or nothing,
    not a full stop: a full stop there, or none, is not compared (``9.30 น.`` ends with the
    abbreviation of "o'clock")."""
    want, want_char = _ending(source)
    got, got_char = _ending(target)
    if want == got or "ellipsis" in (want, got):
        return []
    if language(locale) in NO_SENTENCE_PUNCTUATION and got in (None, "period"):
        return []
    if want is None:
        if want_char and not want_char.isalnum():
            return []  # the English ends with other punctuation (a comma, a dash): not compared
        return [
            issue(
                "ending-punctuation",
                f'the translation ends with "{got_char}" but the English has no final punctuation; remove it',
            )
        ]
    suggestion = _LOCALE_ENDS.get(language(locale), {}).get(want, _END_CLASSES[want][0])
    if got is None:
        return [
            issue(
                "ending-punctuation",
                f'the English ends with "{want_char}" but the translation does not; '
                f'end it with {_END_NAMES[want]} ("{suggestion}")',
            )
        ]
    return [
        issue(
            "ending-punctuation",
            f'the English ends with "{want_char}" but the translation with "{got_char}"; '
            f'end it with {_END_NAMES[want]} ("{suggestion}")',
        )
    ]
