"""Sentence splitting done by the project, so no splitter model is ever downloaded; the one
splitter every stage uses (machine translation splits with it, the checks count with it).

argostranslate 1.11 splits text with MiniSBD, which fetches an ONNX model from the internet on
first use unless the package ships ``minisbd/*.onnx``.  Translation models are trained on single
sentences, so splitting matters, but for handout prose a rule-based splitter is enough:
sentence-final punctuation (in every script that has it: :data:`SPACED_ENDS`) followed by a space
and something that can start a sentence, or a full-width end (``。``) whatever follows.

Languages written without sentence punctuation (Thai, Lao, Khmer, Burmese) cannot be split by
rule; for those the package must carry its own MiniSBD model, and the project fails with a
clear message when it does not (see :func:`splitter_for`).  :func:`count_sentences` counts their
text as one sentence per paragraph, so the checks do not compare it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from handoutgen.errors import Problem, TranslationError

Splitter = Callable[[str], list[str]]

#: Languages whose text marks no sentence ends with punctuation: rules cannot split them.
NO_SENTENCE_PUNCTUATION = frozenset({"th", "lo", "km", "my"})

#: Words that end with a full stop without ending the sentence (lower case, no final dot): English,
#: and Spanish for text translated back.
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
        "etc",
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
        "srta",
        "dra",
        "ud",
        "uds",
        "ej",
        "aprox",
        "núm",
        "pág",
    }
)

#: Sentence ends that need a space after them: Latin . ! ? …, Arabic question mark ؟ and Urdu full
#: stop ۔, Devanagari danda । and double danda ॥ (Hindi, Marathi, Nepali, Bengali), Ethiopic full
#: stop ።, question mark ፧ and paragraph separator ፨ (Amharic, Tigrinya), Armenian full stop ։.
SPACED_ENDS = ".!?…؟۔।॥።፧፨։"
#: Sentence ends of scripts written without spaces between words (Chinese, Japanese): a sentence
#: ends there whatever follows.
FULL_WIDTH_ENDS = "。！？．｡"

CLOSERS = "\"'”’»›)]}」』）】*"
OPENERS = "\"'“‘«([{*¿¡"
# A run of sentence ends, then closing quotes, brackets and emphasis markers.
_END = re.compile(rf"[{re.escape(SPACED_ENDS + FULL_WIDTH_ENDS)}]+[{re.escape(CLOSERS)}]*")
_SPACE = re.compile(r"\s+")


# What cannot start a sentence: a closing bracket or quote, a comma, a colon.
_NEVER_STARTS = frozenset(CLOSERS).difference(OPENERS).union(",;:")


def _can_start_sentence(char: str) -> bool:
    """Anything but a lower-case letter or closing punctuation: a full stop before a lower-case
    word ends no sentence (Apt. 4b, approx. half); capitals, digits, openers, placeholders, symbols
    and letters of scripts without case can start one."""
    return not (char.isalpha() and char.islower()) and char not in _NEVER_STARTS


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in OPENERS:
        start -= 1
    return text[start:end]


#: Abbreviations that shorten a word only before a number ("No. 5", "Fig. 2"); elsewhere the word
#: is a word ("Say no. Then rest." is two sentences).
BEFORE_NUMBER = frozenset({"no", "nos", "núm", "fig", "pág"})


def _is_abbreviation(text: str, dot: int, following: str = "") -> bool:
    """True when the full stop at ``dot`` closes an abbreviation or a single initial (``following``
    is the first character after the space)."""
    word = _word_before(text, dot).lower()
    if word in BEFORE_NUMBER:
        return following.isdigit() or following == "#"
    # An initial is one capital letter ("J. Smith"); one Hangul or Arabic letter before a full stop
    # ends a sentence ("멍." is "bruise."): those scripts have no capitals.
    original = _word_before(text, dot)
    if _DOTTED_RE.fullmatch(original) or _DOUBLED_RE.fullmatch(original):
        return True  # U.S., U.K. (initials with dots); EE. UU., FF. AA. (Spanish plural initials)
    return word in ABBREVIATIONS or (len(original) == 1 and original.isalpha() and original.isupper())


_DOTTED_RE = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_DOUBLED_RE = re.compile(r"([A-Z])\1")


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences; joining them with spaces gives the paragraph back.

    Whitespace between sentences is dropped and surrounding whitespace stripped; no sentence is
    ever empty.  Decimal numbers (``1.5``) never split because no space follows the point.
    """
    pieces: list[str] = []
    start = 0
    for cut, resume in _boundaries(text):
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = resume
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def count_sentences(text: str) -> int:
    """Sentences in ``text`` that hold a word or a number (a lone "…" or "**" is none)."""
    return sum(1 for piece in split_sentences(text) if any(c.isalnum() for c in piece))


def _boundaries(text: str) -> list[tuple[int, int]]:
    """(end of sentence, start of next) pairs, in order."""
    found: list[tuple[int, int]] = []
    for match in _END.finditer(text):
        space = _SPACE.match(text, match.end())
        resume = space.end() if space else match.end()
        if resume >= len(text):
            continue
        if not set(match.group()) & set(FULL_WIDTH_ENDS):
            if space is None or not _can_start_sentence(text[resume]):
                continue
            if match.group().rstrip(CLOSERS) == "." and _is_abbreviation(text, match.start(), text[resume]):
                continue
        found.append((match.end(), resume))
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
    from minisbd import SBDetect  # type: ignore[import-untyped]  # ships no type information

    detector = SBDetect(str(model_file.resolve()), use_gpu=False, max_threads=1)

    def split(text: str) -> list[str]:
        return [s.strip() for s in detector.sentences(text) if s.strip()]

    return split


#: Text in quotation marks, by the marks of the languages the project ships: «…», “…”, "…", 《…》,
#: 「…」, „…“, ‹…›. A title cited as it is (in English) stands inside them.
_QUOTED_RE = re.compile(r"«([^»]*)»|“([^”]*)”|\"([^\"]*)\"|《([^》]*)》|「([^」]*)」|„([^“]*)“|‹([^›]*)›")


def quoted_spans(text: str) -> list[tuple[str, str]]:
    """Each quoted span of ``text``: (the span with its marks, the text inside them)."""
    return [(m.group(), next(g for g in m.groups() if g is not None)) for m in _QUOTED_RE.finditer(text)]
