"""Readability statistics of English text (and of Spanish translations, for reviewers): words,
sentences, syllables, and the Flesch-Kincaid grade, Flesch reading ease and Fernández-Huerta
formulas built on them.  Pure functions; markup (``**``, ``*``) is read as the reader sees it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from handoutgen.text.sentences import split_sentences
from handoutgen.text.syllables import count_syllables, count_syllables_es

_MARKUP_RE = re.compile(r"\*\*|\*")
_TOKEN_RE = re.compile(
    r"""
    \{[a-z][a-z0-9_]*\}                           # a placeholder is one word
  | (?:[^\W\d_]\.){2,}                            # e.g.  a.m.  i.e.
  | \d+(?:[.,:]\d+)*(?:st|nd|rd|th)?%?            # 15, 1.5, 9:30, 2nd, 30%
  | [^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*   # words, hyphenated, don't
""",
    re.VERBOSE,
)


def plain_text(text: str) -> str:
    """The words a reader sees: emphasis markers removed, placeholders kept as single tokens."""
    return _MARKUP_RE.sub("", text)


def tokenize(text: str) -> list[str]:
    """Words of plain text; a placeholder, a number, ``e.g.`` and ``light-headed`` are one word each."""
    return _TOKEN_RE.findall(text)


def heading_key(text: str) -> str:
    """A heading as compared with a list of headings: plain, lower case, words only."""
    return " ".join(re.sub(r"[^\w\s]", " ", plain_text(text).lower()).split())


@dataclass(frozen=True)
class Readability:
    """Counts behind the formulas; they add up, so a handout's score is not an average of grades."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0
    longest_sentence: int = 0

    def __add__(self, other: Readability) -> Readability:
        return Readability(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
            max(self.longest_sentence, other.longest_sentence),
        )

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade = 0.39 (words/sentences) + 11.8 (syllables/words) − 15.59."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def ease(self) -> float:
        """Flesch reading ease = 206.835 − 1.015 (words/sentences) − 84.6 (syllables/words)."""
        if not self.words:
            return 100.0
        return 206.835 - 1.015 * self.words / self.sentences - 84.6 * self.syllables / self.words


def sentences_of(text: str) -> list[str]:
    """Sentence units of one string; a list item or heading without a full stop is one unit."""
    return split_sentences(plain_text(text))


def readability(texts: Iterable[str]) -> Readability:
    """English readability counts of strings, each string its own sentence unit or units."""
    total = Readability()
    for text in texts:
        for sentence in sentences_of(text):
            tokens = tokenize(sentence)
            if tokens:
                total += Readability(len(tokens), 1, sum(count_syllables(t) for t in tokens), len(tokens))
    return total


def fernandez_huerta(texts: Iterable[str]) -> float | None:
    """Fernández-Huerta ease for Spanish: 206.84 − 60 (syllables/word) − 1.02 (words/sentence).

    That is 206.84 − 0.60 P − 1.02 F with P syllables per 100 words and F the *mean words per
    sentence*.  The formula is often quoted with F = sentences per 100 words, which makes
    shorter sentences score harder; Law (2011) traced that to an error in copying Fernández
    Huerta (1959), and the corrected form is used here.  Like Flesch: higher is easier,
    60–70 is "normal", 80–90 "easy".
    """
    words = sentences = syllables = 0
    for text in texts:
        for sentence in sentences_of(text):
            tokens = tokenize(sentence)
            if tokens:
                words += len(tokens)
                sentences += 1
                syllables += sum(count_syllables_es(t) for t in tokens)
    if not words:
        return None
    return 206.84 - 60 * syllables / words - 1.02 * words / sentences


#: Readability formulas for translations, by language code; only where a standard formula exists.
LOCALE_FORMULAS: dict[str, tuple[str, Callable[[Iterable[str]], float | None]]] = {
    "es": ("Fernández-Huerta", fernandez_huerta),
}
