"""Sentence splitting done by the project, so no splitter model is ever downloaded.

argostranslate 1.11 splits text with MiniSBD, which fetches an ONNX model from the internet on
first use unless the package ships ``minisbd/*.onnx``.  Translation models are trained on single
sentences, so splitting matters, but for handout prose a rule-based splitter is enough:
sentence-final punctuation followed by a space and something that can start a sentence.

Languages written without sentence punctuation (Thai, Lao, Khmer, Burmese) cannot be split by
rule; for those the package must carry its own MiniSBD model, and the project fails with a
clear message when it does not (see :func:`splitter_for`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from handoutgen.errors import Problem, TranslationError

Splitter = Callable[[str], list[str]]

#: Languages whose text marks no sentence ends with punctuation: rules cannot split them.
NO_SENTENCE_PUNCTUATION = frozenset({"th", "lo", "km", "my"})

#: Words that end with a full stop without ending the sentence (lower case, no final dot).
ABBREVIATIONS = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "jr",
        "sr",
        "prof",
        "vs",
        "approx",
        "appt",
        "dept",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "no",
        "nos",
        "tel",
        "ext",
        "fig",
        "min",
        "hr",
        "hrs",
        "sra",
        "dra",
        "ud",
        "uds",
    }
)

_CLOSERS = "\"'”’»)]}*"
_OPENERS = "\"'“‘«([{*¿¡"
# A run of sentence-final punctuation, then closing quotes/brackets/markup, then spaces.
_LATIN_END = re.compile(rf"[.!?…؟।]+[{re.escape(_CLOSERS)}]*(\s+)")
# Full-width terminators end a sentence with or without a following space.
_CJK_END = re.compile(rf"[。！？]+[{re.escape(_CLOSERS)}」』）]*\s*")


def _can_start_sentence(char: str) -> bool:
    """Upper-case letters, digits, openers, and letters of scripts without case."""
    if char.isupper() or char.isdigit() or char in _OPENERS:
        return True
    return char.isalpha() and char.lower() == char.upper()


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPENERS:
        start -= 1
    return text[start:end]


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation or a single initial."""
    if text[dot] != ".":
        return False
    word = _word_before(text, dot)
    # An initial is one capital Latin letter ("J. Smith"); one Hangul or Arabic letter before a
    # full stop ends a sentence ("멍." is "bruise.").
    return word.lower() in ABBREVIATIONS or (len(word) == 1 and "A" <= word <= "Z")


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences; joining them with spaces gives the paragraph back.

    Whitespace between sentences is dropped and surrounding whitespace stripped; no sentence is
    ever empty.  Decimal numbers (``1.5``) never split because no space follows the point.
    """
    pieces: list[str] = []
    start = 0
    for match in _boundaries(text):
        cut, resume = match
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = resume
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _boundaries(text: str) -> list[tuple[int, int]]:
    """(end of sentence, start of next) pairs, in order."""
    found: list[tuple[int, int]] = []
    for match in _LATIN_END.finditer(text):
        resume = match.end()
        if resume >= len(text) or not _can_start_sentence(text[resume]):
            continue
        if _is_abbreviation(text, match.start()):
            continue
        found.append((match.start(1), resume))
    for match in _CJK_END.finditer(text):
        if match.end() < len(text):
            found.append((match.end(), match.end()))
    found.sort()
    return found


def splitter_for(from_code: str, package_path: Path | None = None) -> Splitter:
    """The sentence splitter for text in ``from_code``.

    Rule-based for every language that ends sentences with punctuation.  Otherwise the
    package's own MiniSBD model (``minisbd/*.onnx``) is used, loaded from the file so nothing
    is downloaded; without one the run stops before any model is loaded.
    """
    base = from_code.split("_")[0].lower()
    if base not in NO_SENTENCE_PUNCTUATION:
        return split_sentences
    onnx = sorted((Path(package_path) / "minisbd").glob("*.onnx")) if package_path else []
    if not onnx:
        where = str(package_path) if package_path else from_code
        raise TranslationError(
            problems=[
                Problem(
                    where,
                    None,
                    (
                        f"no sentence splitter for '{from_code}': the project cannot split this language by "
                        "punctuation and the package ships no minisbd/*.onnx model; install a package that "
                        "includes its minisbd/ splitter (nothing will be downloaded)"
                    ),
                )
            ]
        )
    return _minisbd_splitter(onnx[0])


def _minisbd_splitter(model_file: Path) -> Splitter:
    """Wrap MiniSBD around a model file shipped in the package (a path is never downloaded)."""
    from minisbd import SBDetect

    detector = SBDetect(str(model_file.resolve()), use_gpu=False, max_threads=1)

    def split(text: str) -> list[str]:
        return [s.strip() for s in detector.sentences(text) if s.strip()]

    return split
