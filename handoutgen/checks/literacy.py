"""Health-literacy checks on the English content, before anything is sent for translation.

Staff edit the YAML; ``generate.py check`` then tells them, section by section, whether the
English is easy to read and act on.  The checks follow the public checklists clinics use:

* readability: Flesch-Kincaid grade and Flesch reading ease per section and per handout
  (the AMA asks for grade 6 or lower, the NIH for grade 8 or lower);
* plain-language lint: long sentences, unexplained medical words, passive voice, instructions
  not addressed to the reader, numbers written in a hard way;
* claims a patient handout must not make (cure, success rates, "no side effects", "miracle",
  "guaranteed", brand or practitioner names);
* structure, after AHRQ's PEMAT-P and the CDC Clear Communication Index: a stated purpose,
  informative headings, a concrete action, a "when to get help" section with the emergency
  number, and a short summary or key points.

Everything runs offline.  Syllables are counted with Pyphen's bundled en_US hyphenation
dictionary plus spelling rules (textstat's counter downloads NLTK's CMU dictionary at run time).
Spanish translations get a Fernández-Huerta score as information for reviewers.

Thresholds, word lists and severities live in ``literacy.yaml`` (see :func:`load_literacy_config`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyphen
import yaml

from handoutgen.content.handout import Block, Handout, Section, Text
from handoutgen.content.yamldoc import Reader, display_path, read_mapping_file
from handoutgen.errors import ContentError
from handoutgen.text.sentences import split_sentences

# -- rules ----------------------------------------------------------------------------------------

SEVERITIES = ("error", "warning", "info", "off")

#: Every rule: stable name -> (default severity, what it checks).  ``literacy.yaml`` may change a
#: severity (or turn a rule ``off``) but never invents a rule name.
RULES: dict[str, tuple[str, str]] = {
    "grade-too-high": ("warning", "Flesch-Kincaid grade over the target (an error over the hard limit)"),
    "long-sentence": ("warning", "a sentence with more words than the limit"),
    "jargon": ("warning", "a medical or formal word with no plain explanation nearby"),
    "passive-voice": ("warning", "passive voice hides who does what"),
    "not-addressed-to-reader": ("warning", "an instruction that does not speak to the reader"),
    "hard-number": ("warning", "fractions, decimals, or ranges without a unit"),
    "claim-cure": ("error", "promises a cure"),
    "claim-percentage": ("error", "a success rate as a percentage or 'N out of N'"),
    "claim-no-side-effects": ("error", "says there are no side effects or no risk"),
    "claim-miracle": ("error", "'miracle', 'magic', 'breakthrough' and the like"),
    "claim-guarantee": ("error", "guarantees or 'proven' results"),
    "brand-or-name": ("error", "a brand name or a practitioner's name"),
    "no-purpose": ("warning", "the summary does not say what the handout is for"),
    "uninformative-heading": ("warning", "a heading that does not say what the section is about"),
    "no-action": ("warning", "no concrete action for the reader outside the warning signs"),
    "no-help-section": ("error", "no 'when to get help' section"),
    "no-emergency-number": ("error", "the 'when to get help' section does not give {emergency_number}"),
    "no-summary": ("warning", "no short summary and no key-points section"),
}

# -- configuration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiteracyConfig:
    """Thresholds, word lists and severities; every list comes from ``literacy.yaml``."""

    target_grade: float = 6.0  # AMA: grade 6 or lower; over it is a warning
    max_grade: float = 7.0  # hard limit for a handout; over it is an error
    max_sentence_words: int = 20
    section_min_words: int = 40  # shorter sections are too small a sample for a grade
    summary_max_words: int = 40
    negation_window: int = 5  # words before a claim that may negate it ("is not a cure")
    severity: Mapping[str, str] = field(default_factory=lambda: {k: v[0] for k, v in RULES.items()})
    jargon: Mapping[str, str] = field(default_factory=dict)  # term -> plain words
    explain_after: tuple[re.Pattern[str], ...] = ()  # matched right after a term
    explain_before: tuple[re.Pattern[str], ...] = ()  # matched right before a term
    explain_next: tuple[re.Pattern[str], ...] = ()  # matched at the start of the next sentence
    passive_ok: frozenset[str] = frozenset()  # participles used as adjectives: tired, swollen
    not_addressed: tuple[re.Pattern[str], ...] = ()
    units: frozenset[str] = frozenset()
    claims: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    benefit_words: tuple[re.Pattern[str], ...] = ()
    negations: frozenset[str] = frozenset()
    brands: Mapping[str, str] = field(default_factory=dict)  # brand -> generic name
    names: tuple[str, ...] = ()  # practitioners and other names the clinic wants kept out
    honorifics: tuple[str, ...] = ()
    purpose_cues: tuple[re.Pattern[str], ...] = ()
    generic_headings: frozenset[str] = frozenset()
    key_points_headings: tuple[re.Pattern[str], ...] = ()
    action_verbs: frozenset[str] = frozenset()
    action_phrases: tuple[re.Pattern[str], ...] = ()
    emergency_placeholder: str = "emergency_number"


_NUMBERS = {
    "target_grade": float,
    "max_grade": float,
    "max_sentence_words": int,
    "section_min_words": int,
    "summary_max_words": int,
    "negation_window": int,
}
_CONFIG_FIELDS = {
    "readability": "thresholds: " + ", ".join(_NUMBERS),
    "severity": "rule name -> error, warning, info or off",
    "jargon": "term -> plain words to use instead",
    "explain": "regexes that show a term is explained: after, before, next",
    "passive_ok": "participles that are adjectives here (tired, swollen)",
    "not_addressed": "regexes for instructions that do not speak to the reader",
    "units": "words that give a number range its unit",
    "claims": "rule name -> regexes of claims a handout must not make",
    "benefit_words": "regexes: a percentage near one of these is a success rate",
    "negations": "words that negate a claim a few words later",
    "brands": "brand name -> generic name",
    "names": "practitioners' and other names to keep out of handouts",
    "honorifics": "titles that start a person's name (Dr, Doctor)",
    "purpose_cues": "regexes: a summary with one of these says what the handout is for",
    "generic_headings": "headings that say nothing about their section",
    "key_points_headings": "regexes for a heading of a key-points section",
    "action_verbs": "verbs that start an instruction (call, rest, drink)",
    "action_phrases": "regexes for an action addressed to the reader (you should)",
    "emergency_placeholder": "placeholder that holds the emergency number",
}
_CLAIM_PATTERN_RULES = ("claim-cure", "claim-no-side-effects", "claim-miracle", "claim-guarantee")


class _ConfigReader(Reader):
    """Reads literacy.yaml node by node so every problem names its line."""

    def number(self, node: yaml.Node, path: str, kind: type) -> float | int | None:
        value = self.text(node, path)
        try:
            result = kind(value) if value is not None else None
        except ValueError:
            result = None
        if result is None or result < 0:
            self.problem(
                node, path, f"expected a {'whole ' if kind is int else ''}number of 0 or more, got {value!r}"
            )
            return None
        return result

    def strings(self, node: yaml.Node, path: str) -> list[str]:
        items = self.sequence(node, path) or []
        found = [self.text(item, f"{path}[{i}]") for i, item in enumerate(items)]
        return [s for s in found if s is not None]

    def patterns(self, node: yaml.Node, path: str) -> tuple[re.Pattern[str], ...]:
        items = self.sequence(node, path) or []
        result = []
        for index, item in enumerate(items):
            source = self.text(item, f"{path}[{index}]")
            if source is None:
                continue
            try:
                result.append(re.compile(source, re.IGNORECASE))
            except re.error as exc:
                self.problem(
                    item,
                    f"{path}[{index}]",
                    f"bad regular expression ({exc}); in YAML put regexes in single quotes",
                )
        return tuple(result)

    def string_map(self, node: yaml.Node, path: str) -> dict[str, str]:
        fields = self.mapping(node, path) or {}
        result = {}
        for key, value in fields.items():
            text = self.text(value, f"{path}.{key}")
            if text is not None:
                result[key] = text
        return result


def load_literacy_config(path: Path) -> LiteracyConfig:
    """Read ``literacy.yaml``; every problem is raised at once as ``file:line: path: problem``."""
    from handoutgen.project import refuse_outside_links

    refuse_outside_links(Path(path).parent, [Path(path)])  # a symlink out of the project is not read
    reader = _ConfigReader(str(path))
    root, fields = read_mapping_file(reader, path, _CONFIG_FIELDS, "copy literacy.yaml from the project")
    if fields is None or reader.problems:
        raise ContentError(problems=reader.problems)
    values = _config_values(reader, fields)
    if values.get("target_grade", LiteracyConfig.target_grade) > values.get(
        "max_grade", LiteracyConfig.max_grade
    ):
        reader.problem(fields["readability"], "readability", "target_grade must not be above max_grade")
    if reader.problems:
        raise ContentError(problems=reader.problems)
    return LiteracyConfig(**values)


def _config_values(reader: _ConfigReader, fields: dict[str, yaml.Node]) -> dict[str, object]:
    values: dict[str, object] = {}
    if "readability" in fields:
        values.update(_readability_values(reader, fields["readability"]))
    if "severity" in fields:
        values["severity"] = _severity_values(reader, fields["severity"])
    if "explain" in fields:
        values.update(_explain_values(reader, fields["explain"]))
    if "claims" in fields:
        values["claims"] = _claim_values(reader, fields["claims"])
    simple: dict[str, Callable[[yaml.Node, str], object]] = {
        "jargon": lambda n, p: {k.lower(): v for k, v in reader.string_map(n, p).items()},
        "passive_ok": lambda n, p: frozenset(s.lower() for s in reader.strings(n, p)),
        "not_addressed": reader.patterns,
        "units": lambda n, p: frozenset(s.lower() for s in reader.strings(n, p)),
        "benefit_words": reader.patterns,
        "negations": lambda n, p: frozenset(s.lower() for s in reader.strings(n, p)),
        "brands": reader.string_map,
        "names": lambda n, p: tuple(reader.strings(n, p)),
        "honorifics": lambda n, p: tuple(reader.strings(n, p)),
        "purpose_cues": reader.patterns,
        "generic_headings": lambda n, p: frozenset(_heading_key(s) for s in reader.strings(n, p)),
        "key_points_headings": reader.patterns,
        "action_verbs": lambda n, p: frozenset(s.lower() for s in reader.strings(n, p)),
        "action_phrases": reader.patterns,
        "emergency_placeholder": lambda n, p: reader.text(n, p) or "emergency_number",
    }
    for key, convert in simple.items():
        if key in fields:
            values[key] = convert(fields[key], key)
    return values


def _readability_values(reader: _ConfigReader, node: yaml.Node) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, value in (reader.mapping(node, "readability", dict.fromkeys(_NUMBERS, "")) or {}).items():
        number = reader.number(value, f"readability.{key}", _NUMBERS[key])
        if number is not None:
            values[key] = number
    return values


def _severity_values(reader: _ConfigReader, node: yaml.Node) -> dict[str, str]:
    severity = {k: v[0] for k, v in RULES.items()}
    for key, value in (reader.mapping(node, "severity", dict.fromkeys(RULES, "")) or {}).items():
        level = reader.text(value, f"severity.{key}")
        if level is not None and level not in SEVERITIES:
            reader.problem(
                value, f"severity.{key}", f"unknown severity '{level}'; use one of: {', '.join(SEVERITIES)}"
            )
        elif level is not None:
            severity[key] = level
    return severity


def _explain_values(reader: _ConfigReader, node: yaml.Node) -> dict[str, object]:
    known = {"after": "", "before": "", "next": ""}
    parts = reader.mapping(node, "explain", known) or {}
    return {f"explain_{k}": reader.patterns(v, f"explain.{k}") for k, v in parts.items()}


def _claim_values(reader: _ConfigReader, node: yaml.Node) -> dict[str, tuple[re.Pattern[str], ...]]:
    known = dict.fromkeys(_CLAIM_PATTERN_RULES, "")
    parts = reader.mapping(node, "claims", known) or {}
    return {k: reader.patterns(v, f"claims.{k}") for k, v in parts.items()}


# -- words and syllables --------------------------------------------------------------------------

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

_HYPHENATOR = pyphen.Pyphen(lang="en_US")

#: Words the spelling rules get wrong and Pyphen does not fix (counts as in the CMU dictionary).
_SYLLABLE_EXCEPTIONS = {
    "every": 2,
    "everyone": 3,
    "everybody": 4,
    "everything": 3,
    "everywhere": 3,
    "evening": 2,
    "evenings": 2,
    "business": 2,
    "chocolate": 2,
    "vegetable": 3,
    "vegetables": 3,
    "different": 2,
    "difference": 2,
    "interest": 2,
    "interested": 3,
    "interesting": 3,
    "several": 2,
    "family": 3,
    "people": 2,
    "being": 2,
    "hour": 1,
    "hours": 1,
    "our": 1,
    "area": 3,
    "areas": 3,
    "idea": 3,
    "ideas": 3,
    "syncope": 3,
    "comfortable": 4,
    "uncomfortable": 5,
    "friend": 1,
    "friends": 1,
    "real": 1,
    "really": 2,
    "clothes": 1,
    "video": 3,
    "union": 2,
    "safety": 2,
    "somewhat": 2,
    "whereas": 2,
    "therefore": 2,
    "behavior": 3,
    "behaviour": 3,
    "pacemaker": 3,
    "eye": 1,
    "eyes": 1,
}
_COMPOUND_TAILS = (
    "thing",
    "things",
    "one",
    "where",
    "body",
    "times",
    "time",
    "self",
    "selves",
    "work",
    "care",
    "line",
    "lines",
    "place",
    "while",
    "side",
)
_SUFFIXES = ("fully", "ful", "ments", "ment", "ness", "less", "ly")
# Two vowels side by side that are two syllables (di-et, me-di-um, go-ing, cre-ate).
_HIATUS_RE = re.compile(
    r"[^cstgqx]ia|[^cstgxqln]io|[^qg]ua|[^cstgq]ie(?!nd)[nrt]|iu|ii|[aeiou]ing$"
    r"|[aeiou][^aeiouy]eas?$|uou|uet|crea|[^aeiou]ire[sd]?$"
)
_NUMBER_WORDS = [2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 3, 1, 2, 2, 2, 2, 3, 2, 2]  # zero..nineteen
_TENS = {2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 3, 8: 2, 9: 2}  # twenty..ninety


def plain_text(text: str) -> str:
    """The words a reader sees: emphasis markers removed, placeholders kept as single tokens."""
    return _MARKUP_RE.sub("", text)


def tokenize(text: str) -> list[str]:
    """Words of plain text; a placeholder, a number, ``e.g.`` and ``light-headed`` are one word each."""
    return _TOKEN_RE.findall(text)


def count_syllables(word: str) -> int:
    """English syllables of one token, without any dictionary download.

    Pyphen's hyphenation points are nearly always syllable breaks, but TeX patterns leave short
    edges unbroken ("area" has none), so Pyphen alone undercounts.  Spelling rules count vowel
    groups (silent e, -ed, -es, two-vowel hiatus, compounds like some-thing).  Each method
    mostly errs low, so the larger count wins.  A placeholder counts as one syllable: it prints
    as a name or phone number the reader recognises whole.
    """
    if not word:
        return 0
    if word.startswith("{"):
        return 1
    if word[0].isdigit():
        return _number_syllables(word)
    if "." in word:  # e.g., a.m.: read letter by letter
        return sum(_letter_syllables(c) for c in word if c.isalpha())
    if "-" in word:
        return sum(count_syllables(part) for part in word.split("-") if part)
    if word.isupper() and len(word) > 1 and not re.search(r"[AEIOUY]", word):
        return sum(_letter_syllables(c) for c in word)  # initialisms: TCM, BP
    return _word_syllables(word.lower().replace("’", "'"))


def _letter_syllables(letter: str) -> int:
    return 3 if letter.lower() == "w" else 1


@lru_cache(maxsize=8192)
def _word_syllables(word: str) -> int:
    if word.endswith("n't"):  # did-n't, could-n't; but don't, can't
        stem = word[:-3]
        extra = 1 if stem and stem[-1] not in "aeiouy" else 0
        return max(1, _word_syllables(stem) if stem else 1) + extra
    letters = re.sub(r"[^a-z]", "", word)
    if not letters:
        return 0
    if letters in _SYLLABLE_EXCEPTIONS:
        return _SYLLABLE_EXCEPTIONS[letters]
    return max(_rule_syllables(letters), len(_HYPHENATOR.positions(letters)) + 1)


def _rule_syllables(word: str) -> int:
    if word in _SYLLABLE_EXCEPTIONS:
        return _SYLLABLE_EXCEPTIONS[word]
    if word.endswith("ically"):  # basically: ba-sic-ly
        return _rule_syllables(word[:-4]) + 1
    parts = _split_compound(word)
    if parts:
        return _rule_syllables(parts[0]) + _rule_syllables(parts[1])
    count = _vowel_groups(word)
    if count > 1 and _silent_ending(word):
        count -= 1
    return max(1, count + len(_HIATUS_RE.findall(word)))


def _split_compound(word: str) -> tuple[str, str] | None:
    """some|thing, care|ful, safe|ly: the silent e inside a word is only silent before these."""
    for tail in _COMPOUND_TAILS + _SUFFIXES:
        head = word[: -len(tail)]
        long_enough = len(head) >= (2 if tail in _COMPOUND_TAILS else 3)
        if (
            word.endswith(tail)
            and long_enough
            and re.search("[aeiouy]", head)
            and not head.endswith(("ph", "l"))
        ):
            return head, tail
    return None


def _vowel_groups(word: str) -> int:
    """Runs of vowels; y is a vowel except at the start and between two vowels (beyond)."""
    flags = []
    for i, ch in enumerate(word):
        if ch == "y":
            between = 0 < i < len(word) - 1 and word[i - 1] in "aeiou" and word[i + 1] in "aeiou"
            flags.append(i > 0 and not between)
        else:
            flags.append(ch in "aeiou")
    return sum(1 for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1]))


def _silent_ending(word: str) -> bool:
    """make, walked, makes: a final e, -ed or -es that adds no syllable."""
    if word.endswith("e"):
        return not word.endswith(("ee", "ye", "oe")) and not re.search(r"[^aeiouy]le$", word)
    if re.search(r"[^aeiouytd]ed$", word):
        return True
    return bool(re.search(r"[^aeiouy]es$", word)) and not re.search(r"(s|x|z|ch|sh|c|g)es$", word)


def _number_syllables(token: str) -> int:
    """Syllables of a number read aloud: 15 -> fif-teen, 1.5 -> one point five, 30% -> ... percent."""
    percent = 2 if token.endswith("%") else 0
    body = re.sub(r"(st|nd|rd|th)?%?$", "", token).replace(",", "")
    parts = re.split(r"[.:]", body)
    total = _integer_syllables(int(parts[0])) if parts[0] else 0
    if "." in body:
        total += 1 + sum(_integer_syllables(int(d)) for d in parts[1])  # "point", then digits
    elif ":" in body:
        total += sum(_integer_syllables(int(p)) for p in parts[1:] if int(p))
    return max(1, total + percent)


def _integer_syllables(n: int) -> int:
    if n < 20:
        return _NUMBER_WORDS[n]
    if n < 100:
        return _TENS[n // 10] + (_NUMBER_WORDS[n % 10] if n % 10 else 0)
    if n < 1000:
        return _NUMBER_WORDS[n // 100] + 2 + (_integer_syllables(n % 100) if n % 100 else 0)
    if n < 1_000_000:
        return _integer_syllables(n // 1000) + 2 + (_integer_syllables(n % 1000) if n % 1000 else 0)
    return len(str(n))


_ES_STRONG = set("aeoáéíóú")  # an accented i or u breaks a diphthong (dí-a)
_ES_VOWELS = set("aeiouáéíóúü")


def count_syllables_es(word: str) -> int:
    """Spanish syllables by rule (Spanish spelling is regular): vowel nuclei, with diphthongs.

    Two strong vowels side by side are two syllables (le-er, a-e-ro); a weak vowel (i, u, ü)
    next to another vowel joins it unless accented; a final y after a vowel (muy, hay) is part
    of the nucleus.  Pyphen's es patterns leave word edges unbroken, so they are not used.
    Digits are counted as English numbers read aloud: close enough for a score that only informs.
    """
    w = word.lower()
    if w.startswith("{"):
        return 1
    if w[:1].isdigit():
        return _number_syllables(w)
    count, prev = 0, ""
    for ch in w:
        if ch in _ES_VOWELS:
            if not prev or (prev in _ES_STRONG and ch in _ES_STRONG):
                count += 1
            prev = ch
        else:
            prev = ""
    if count == 0 and "y" in w:
        return 1  # the word "y"
    return max(1, count)


# -- readability ----------------------------------------------------------------------------------


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


# -- findings and reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem with one string, in the same ``file:line: path:`` form as content errors."""

    rule: str
    severity: str
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.severity}[{self.rule}]: {self.message}"


@dataclass(frozen=True)
class SectionScore:
    index: int | None  # None for the text at the top (summary, audience)
    kind: str
    heading: str
    line: int
    readability: Readability


@dataclass(frozen=True)
class LocaleScore:
    """A translation's readability, for reviewers only: it never fails a check."""

    lang: str
    formula: str
    score: float | None
    translated: int  # strings with a translation
    total: int


@dataclass
class HandoutLiteracy:
    handout_id: str
    file: str
    readability: Readability
    sections: list[SectionScore]
    findings: list[Finding]
    locales: list[LocaleScore] = field(default_factory=list)

    def counts_by_rule(self) -> Counter[str]:
        return Counter(f.rule for f in self.findings)


@dataclass
class LiteracyReport:
    handouts: list[HandoutLiteracy]

    @property
    def findings(self) -> list[Finding]:
        return [f for h in self.handouts for f in h.findings]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        """True when ``check`` must exit non-zero: any error, or with ``--strict`` any warning."""
        return self.count("error") > 0 or (strict and self.count("warning") > 0)

    def format_findings(self) -> str:
        lines = [str(f) for f in self.findings]
        lines.append(
            f"{self.count('error')} error(s), {self.count('warning')} warning(s), {self.count('info')} note(s)"
        )
        return "\n".join(lines)

    def format_scores(self) -> str:
        """Per handout and per section: grade, reading ease, longest sentence (plain text)."""
        lines = []
        for h in self.handouts:
            lines.append(
                f"{h.file}: {_score_text(h.readability)}"
                + "".join(
                    f"; {s.lang} {s.formula} {s.score:.0f} ({s.translated}/{s.total} translated)"
                    for s in h.locales
                    if s.score is not None
                )
            )
            for s in h.sections:
                lines.append(f"  {s.line}: {s.heading}: {_score_text(s.readability)}")
        return "\n".join(lines)

    def format_table(self) -> str:
        """Markdown: handout × grade, reading ease, longest sentence, findings by rule."""
        rows = [
            "| handout | grade | reading ease | longest sentence (words) | findings by rule |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for h in self.handouts:
            counts = h.counts_by_rule()
            by_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "none"
            r = h.readability
            rows.append(
                f"| {h.handout_id} | {r.grade:.1f} | {r.ease:.1f} | {r.longest_sentence} | {by_rule} |"
            )
        return "\n".join(rows)


def _score_text(r: Readability) -> str:
    return (
        f"grade {r.grade:.1f}, reading ease {r.ease:.0f}, {r.words} words, "
        f"{r.sentences} sentences, longest {r.longest_sentence} words"
    )


# -- walking a handout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """One string with what it is on the page."""

    text: Text
    section: int | None  # index into handout.sections; None for title/summary/audience
    heading: bool  # titles are labels, not prose: linted but not scored
    help: bool  # inside "when to get help"


def _units(handout: Handout) -> Iterator[_Unit]:
    """Every string in reading order (the order of ``Handout.texts``), with its place."""
    yield _Unit(handout.title, None, True, False)
    yield _Unit(handout.summary, None, False, False)
    yield _Unit(handout.audience, None, False, False)
    for index, section in enumerate(handout.sections):
        is_help = section.kind == "when_to_get_help"
        if section.title:
            yield _Unit(section.title, index, True, is_help)
        for text in _block_texts(section.body):
            yield _Unit(text, index, False, is_help)
        for item in section.items:
            yield _Unit(item.question, index, False, is_help)
            for text in _block_texts(item.answer):
                yield _Unit(text, index, False, is_help)
        for text in _block_texts(section.urgent) + _block_texts(section.emergency):
            yield _Unit(text, index, False, is_help)


def _block_texts(blocks: Iterable[Block]) -> list[Text]:
    return [text for block in blocks for text in block.items]


def _heading(section: Section) -> str:
    return section.title.text if section.title else section.kind.replace("_", " ")


# -- the checker ----------------------------------------------------------------------------------


class _Checker:
    """Runs every rule over one handout and collects findings."""

    def __init__(self, handout: Handout, config: LiteracyConfig, file: str):
        self.handout = handout
        self.config = config
        self.file = file
        self.units = list(_units(handout))
        self.findings: list[Finding] = []

    def add(self, rule: str, line: int | None, path: str, message: str, severity: str | None = None) -> None:
        level = severity or self.config.severity.get(rule, RULES[rule][0])
        if level != "off":
            self.findings.append(Finding(rule, level, self.file, line, path, message))

    def run(self) -> HandoutLiteracy:
        sections = self.section_scores()
        total = sum((s.readability for s in sections), Readability())
        self.check_grades(total, sections)
        self.check_sentences()
        self.check_jargon()
        self.check_structure()
        self.findings.sort(key=lambda f: (f.line or 0, f.path, f.rule))
        return HandoutLiteracy(self.handout.id, self.file, total, sections, self.findings)

    # readability
    def section_scores(self) -> list[SectionScore]:
        top = [u.text.text for u in self.units if u.section is None and not u.heading]
        scores = [SectionScore(None, "top", "summary", self.handout.summary.line, readability(top))]
        for index, section in enumerate(self.handout.sections):
            texts = [u.text.text for u in self.units if u.section == index and not u.heading]
            scores.append(
                SectionScore(index, section.kind, _heading(section), section.line, readability(texts))
            )
        return scores

    def check_grades(self, total: Readability, sections: list[SectionScore]) -> None:
        """Over the target is the configured severity; over the hard limit always an error."""
        cfg = self.config
        advice = "use shorter sentences and words with fewer syllables"
        grade = round(total.grade, 1)  # compare what is printed: "7.0" is within a limit of 7
        if grade > cfg.max_grade and cfg.severity.get("grade-too-high") != "off":
            self.add(
                "grade-too-high",
                self.handout.id_line,
                "",
                f"reading grade {grade:.1f} is over the limit of {cfg.max_grade:g} "
                f"(target {cfg.target_grade:g}); {advice}",
                "error",
            )
        elif grade > cfg.target_grade:
            self.add(
                "grade-too-high",
                self.handout.id_line,
                "",
                f"reading grade {grade:.1f} is over the target of {cfg.target_grade:g}; {advice}",
            )
        for s in sections:
            r = s.readability
            if s.index is not None and r.words >= cfg.section_min_words and round(r.grade, 1) > cfg.max_grade:
                self.add(
                    "grade-too-high",
                    s.line,
                    f"sections[{s.index}]",
                    f"section '{s.heading}' reads at grade {r.grade:.1f} (limit {cfg.max_grade:g}); {advice}",
                )

    # sentence rules
    def check_sentences(self) -> None:
        for unit in self.units:
            for sentence in sentences_of(unit.text.text):
                for rule, message in sentence_findings(sentence, self.config):
                    self.add(rule, unit.text.line, unit.text.path, message)

    def check_jargon(self) -> None:
        sentences = [(i, s) for i, u in enumerate(self.units) for s in sentences_of(u.text.text)]
        explained: dict[str, int] = {}  # term -> first unit index where it is explained
        uses: list[tuple[str, int]] = []
        for pos, (unit_index, sentence) in enumerate(sentences):
            following = sentences[pos + 1][1] if pos + 1 < len(sentences) else ""
            for term, is_explained in jargon_uses(sentence, following, self.config):
                uses.append((term, unit_index))
                if is_explained:
                    explained.setdefault(term, unit_index)
        reported: set[tuple[str, int]] = set()
        for term, unit_index in uses:
            if self._jargon_ok(term, unit_index, explained) or (term, unit_index) in reported:
                continue
            reported.add((term, unit_index))
            text = self.units[unit_index].text
            plain = self.config.jargon[term]
            self.add(
                "jargon",
                text.line,
                text.path,
                f"'{term}' is a medical or formal word; use '{plain}', "
                f"or explain it where it first appears, e.g. '{term} ({plain})'",
            )

    def _jargon_ok(self, term: str, unit_index: int, explained: Mapping[str, int]) -> bool:
        """Explained here or earlier; a heading may rely on its own section explaining it."""
        where = explained.get(term)
        if where is None:
            return False
        unit = self.units[unit_index]
        return where <= unit_index or (
            unit.heading and unit.section is not None and self.units[where].section == unit.section
        )

    # structure rules
    def check_structure(self) -> None:
        self.check_purpose()
        self.check_headings()
        self.check_action()
        self.check_help()
        self.check_summary()

    def check_purpose(self) -> None:
        summary = self.handout.summary
        if not any(p.search(plain_text(summary.text)) for p in self.config.purpose_cues):
            self.add(
                "no-purpose",
                summary.line,
                summary.path,
                "the summary does not say what the handout is "
                "for; start with e.g. 'This handout explains how to …'",
            )

    def check_headings(self) -> None:
        for unit in self.units:
            if unit.heading and _is_generic_heading(unit.text.text, self.config):
                self.add(
                    "uninformative-heading",
                    unit.text.line,
                    unit.text.path,
                    f"heading '{unit.text.text}' does not say what the section is about; name the topic "
                    "or the action, e.g. 'How to care for the needle spots'",
                )

    def check_action(self) -> None:
        has_steps = any(b.kind == "steps" for s in self.handout.sections for b in s.body)
        prose = [u for u in self.units if not u.heading and not u.help and u.section is not None]
        if has_steps or any(is_action(s, self.config) for u in prose for s in sentences_of(u.text.text)):
            return
        self.add(
            "no-action",
            self.handout.id_line,
            "sections",
            "no sentence tells the reader what to do "
            "(outside the warning signs); add at least one clear action such as 'Drink water after your visit.'",
        )

    def check_help(self) -> None:
        help_sections = [(i, s) for i, s in enumerate(self.handout.sections) if s.kind == "when_to_get_help"]
        if not help_sections:
            self.add(
                "no-help-section",
                self.handout.id_line,
                "sections",
                "add a 'when_to_get_help' section "
                "with warning signs, the clinic's number and the emergency number",
            )
            return
        placeholder = "{" + self.config.emergency_placeholder + "}"
        for index, section in help_sections:
            if not any(placeholder in t.text for t in _block_texts(section.emergency)):
                self.add(
                    "no-emergency-number",
                    section.line,
                    f"sections[{index}]",
                    f"say when to call {placeholder}, e.g. 'Call {placeholder} right away if you have chest pain.'",
                )

    def check_summary(self) -> None:
        summary = self.handout.summary
        words = len(tokenize(plain_text(summary.text)))
        if words <= self.config.summary_max_words:
            return
        for section in self.handout.sections:
            if section.title and any(p.search(section.title.text) for p in self.config.key_points_headings):
                return
        self.add(
            "no-summary",
            summary.line,
            summary.path,
            f"the summary has {words} words (limit {self.config.summary_max_words}) and there is no key-points "
            "section; shorten the summary or add a section titled 'The main points'",
        )


def _heading_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", plain_text(text).lower()).split())


def _is_generic_heading(text: str, config: LiteracyConfig) -> bool:
    key = _heading_key(text)
    return (
        not key
        or key in config.generic_headings
        or bool(re.fullmatch(r"(section|part|chapter|page)?\s*\d+", key))
    )


# -- sentence rules -------------------------------------------------------------------------------

_BE = r"(?:am|is|are|was|were|be|been|being|get|gets|got|gotten|getting)"
_BETWEEN = (
    r"(?:\s+(?:not|never|also|often|usually|always|then|still|only|just|all|both|each|sometimes|\w+ly))*"
)
_PASSIVE_RE = re.compile(rf"\b({_BE}){_BETWEEN}\s+([a-z]+)\b(?!-)", re.IGNORECASE)
_IRREGULAR_PARTICIPLES = frozenset(
    ["arisen", "awoken", "beaten", "begun", "bent", "bitten", "bled", "blown", "broken", "brought", "built", "burnt", "bought", "caught", "chosen", "dealt", "done", "drawn", "drunk", "driven", "eaten", "fallen", "fed", "felt", "fought", "found", "forgotten", "forgiven", "frozen", "given", "gone", "grown", "heard", "held", "hidden", "hung", "hurt", "kept", "known", "laid", "led", "lent", "lost", "made", "meant", "met", "paid", "ridden", "risen", "said", "seen", "sent", "shaken", "shot", "shown", "shut", "sold", "sought", "spent", "spoken", "spread", "stolen", "struck", "stuck", "swept", "sworn", "taken", "taught", "thought", "thrown", "told", "torn", "understood", "woken", "worn", "written"]
)
_NOT_PARTICIPLES = frozenset(
    {"need", "bed", "red", "seed", "feed", "bleed", "speed", "hundred", "naked", "wicked", "sacred", "shed"}
)


def sentence_findings(sentence: str, config: LiteracyConfig) -> list[tuple[str, str]]:
    """(rule, message) for every sentence-level rule except jargon (which needs the context)."""
    found: list[tuple[str, str]] = []
    tokens = tokenize(sentence)
    if len(tokens) > config.max_sentence_words:
        found.append(
            (
                "long-sentence",
                f"{len(tokens)} words (limit {config.max_sentence_words}) "
                f"in '{_snippet(sentence)}'; split it into shorter sentences",
            )
        )
    addressed = not_addressed(sentence, config)
    if addressed:
        found.append(
            (
                "not-addressed-to-reader",
                f"'{addressed}' does not speak to the reader; say 'you', "
                "or start with the action, e.g. 'Drink water …'",
            )
        )
    else:
        found.extend(
            ("passive-voice", f"passive voice '{p}'; say who does it, e.g. 'We use …' instead of 'is used'")
            for p in passive_phrases(sentence, config)
        )
    found.extend(("hard-number", message) for message in hard_numbers(sentence, config))
    found.extend(claim_findings(sentence, config))
    found.extend(("brand-or-name", message) for message in brand_or_names(sentence, config))
    return found


def _snippet(sentence: str, words: int = 6) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def passive_phrases(sentence: str, config: LiteracyConfig) -> list[str]:
    """'is used', 'were given', 'will be removed'; not 'you may feel sore' or 'you are tired'."""
    found = []
    for match in _PASSIVE_RE.finditer(sentence):
        word = match.group(2).lower()
        if _is_participle(word) and word not in config.passive_ok:
            found.append(match.group(0))
    return found


def _is_participle(word: str) -> bool:
    if word in _IRREGULAR_PARTICIPLES:
        return True
    return len(word) >= 4 and word.endswith("ed") and word not in _NOT_PARTICIPLES


def not_addressed(sentence: str, config: LiteracyConfig) -> str | None:
    """The words of an instruction aimed at 'patients' or at nobody ('it is recommended to')."""
    for pattern in config.not_addressed:
        match = pattern.search(sentence)
        if match:
            return match.group("q") if "q" in pattern.groupindex else match.group(0)
    return None


_FRACTION_RE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}(?![\d/])|[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]")
_DECIMAL_RE = re.compile(r"(?<![\d.])\d+\.\d+(?!\d|\.\d)")
# Two short numbers joined by a dash, "to" or "between … and"; not part of a phone number or decimal.
_RANGE_RE = re.compile(
    r"(?<![\d/–-])(?<!\d[.,])(?:between\s+)?(\d{1,3})\s*(?:[-–—]|\bto\b|\band\b)\s*(\d{1,3})"
    r"(?![\d/–-]|[.,]\d)",
    re.IGNORECASE,
)
_UNIT_BEFORE_RE = re.compile(r"(?:\bages?|\baged|[$€£])\s*$", re.IGNORECASE)


def hard_numbers(sentence: str, config: LiteracyConfig) -> list[str]:
    """Fractions, decimals, and ranges whose unit the reader has to guess (PEMAT item 5)."""
    found = []
    for match in _FRACTION_RE.finditer(sentence):
        if match.group(0) != "24/7":
            found.append(f"fraction '{match.group(0)}' is hard to read; write it in words, e.g. 'half a cup'")
    for match in _DECIMAL_RE.finditer(sentence):
        found.append(
            f"decimal '{match.group(0)}' is hard to read; use a whole number or words, e.g. '1 and a half'"
        )
    for match in _RANGE_RE.finditer(sentence):
        is_between = match.group(0).lower().startswith("between")
        if " and " in match.group(0).lower() and not is_between:
            continue  # "1 and 2" is a list, not a range
        if not _has_unit(sentence, match, config):
            found.append(f"range '{match.group(0)}' has no unit; say what is counted, e.g. '2 to 3 days'")
    return found


def _has_unit(sentence: str, match: re.Match[str], config: LiteracyConfig) -> bool:
    after = re.match(r"\s*([%°]|[^\W\d_]+(?:\.[^\W\d_]\.?)?)", sentence[match.end() :])
    if after and (after.group(1) in "%°" or _unit_word(after.group(1), config)):
        return True
    before = sentence[: match.start()]
    word_before = re.search(r"([^\W\d_]+)\s*$", before)
    return bool(_UNIT_BEFORE_RE.search(before)) or bool(
        word_before and _unit_word(word_before.group(1), config)
    )


def _unit_word(word: str, config: LiteracyConfig) -> bool:
    w = word.lower()
    return w in config.units or w.rstrip("s") in config.units or w.rstrip(".") in config.units


def _negated(sentence: str, start: int, config: LiteracyConfig) -> bool:
    """A negation a few words before, in the same clause: 'is not a cure', 'no one can promise'."""
    clause = re.split(r"[,;:()—–]|\bbut\b", sentence[:start], flags=re.IGNORECASE)[-1]
    words = re.findall(r"[\w']+", clause.lower().replace("’", "'"))
    before = words[max(0, len(words) - config.negation_window) :]
    return any(word in config.negations for word in before)


_SMALL = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_PERCENT_RE = re.compile(
    rf"\b\d+(?:\.\d+)?\s*(?:%|percent\b|per cent\b)|\b{_SMALL}\s+(?:out of|in)\s+(?:{_SMALL}|a hundred)\b",
    re.IGNORECASE,
)


def claim_findings(sentence: str, config: LiteracyConfig) -> list[tuple[str, str]]:
    """Claims a handout must not make; a negated claim ('is not a cure') is what it should say."""
    advice = {
        "claim-cure": "promises a cure; say what it may help with, e.g. 'may ease pain for some people'",
        "claim-no-side-effects": "says there are no side effects; say which effects are common and how often, "
        "e.g. 'Minor soreness is common.'",
        "claim-miracle": "oversells the treatment; describe what it can and cannot do in plain words",
        "claim-guarantee": "promises a result; no treatment is certain to work, so say 'may help'",
    }
    if sentence.rstrip(" \"'”’)").endswith("?"):
        return []  # a question ("Can acupuncture cure my pain?") claims nothing; its answer is checked
    found = []
    for rule, patterns in config.claims.items():
        claim = _first_claim(sentence, patterns, config)
        if claim:
            found.append((rule, f"'{claim}' {advice[rule]}"))
    found.extend(_percentage_claims(sentence, config))
    return found


def _first_claim(sentence: str, patterns: Iterable[re.Pattern[str]], config: LiteracyConfig) -> str | None:
    """The first match that no nearby negation cancels; one finding per rule per sentence."""
    for pattern in patterns:
        for match in pattern.finditer(sentence):
            if not _negated(sentence, match.start(), config):
                return match.group(0)
    return None


def _percentage_claims(sentence: str, config: LiteracyConfig) -> list[tuple[str, str]]:
    if not any(p.search(sentence) for p in config.benefit_words):
        return []
    for match in _PERCENT_RE.finditer(sentence):
        if not _negated(sentence, match.start(), config):
            return [
                (
                    "claim-percentage",
                    f"'{match.group(0)}' states a success rate; results differ from person "
                    "to person, so say 'Some people …' or 'Many people …'",
                )
            ]
    return []


def brand_or_names(sentence: str, config: LiteracyConfig) -> list[str]:
    """Brand names (use the generic name) and practitioners' names (every practitioner hands it out)."""
    found = []
    for brand, generic in config.brands.items():
        if re.search(rf"(?<![\w-]){re.escape(brand)}(?![\w-])", sentence, re.IGNORECASE):
            found.append(f"'{brand}' is a brand name; use the generic name '{generic}'")
    for name in config.names:
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence):
            found.append(
                f"'{name}' names a person; say 'your acupuncturist' so any practitioner can hand this out"
            )
    if config.honorifics:
        titles = "|".join(re.escape(h) for h in config.honorifics)
        for match in re.finditer(rf"\b(?:{titles})\.?\s+[A-Z][a-z]+", sentence):
            found.append(
                f"'{match.group(0)}' names a practitioner; say 'your acupuncturist' or 'your doctor'"
            )
    if re.search(r"[®™]", sentence):
        found.append("a ® or ™ mark shows a brand name; use the generic name")
    return found


def jargon_uses(sentence: str, following: str, config: LiteracyConfig) -> list[tuple[str, bool]]:
    """(term, explained?) for each jargon term in the sentence.

    Explained means a plain explanation right there (PEMAT: "medical terms are defined"):
    after it ("sterile, which means free of germs", "sterile (germ-free)", "sterile — free of
    germs"), before it ("swelling (inflammation)", "also called inflammation"), or in the
    next sentence ("… a blood thinner. This is a medicine that …").
    """
    found = []
    for term in config.jargon:
        for match in _term_pattern(term).finditer(sentence):
            found.append((term, _explained(sentence, match, following, config)))
    return found


@lru_cache(maxsize=1024)
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.IGNORECASE)


def _explained(sentence: str, match: re.Match[str], following: str, config: LiteracyConfig) -> bool:
    after, before = sentence[match.end() :], sentence[: match.start()]
    return (
        any(p.match(after) for p in config.explain_after)
        or any(p.search(before) for p in config.explain_before)
        or any(p.match(following) for p in config.explain_next)
    )


def is_action(sentence: str, config: LiteracyConfig) -> bool:
    """An instruction to the reader: starts with a verb ('Drink water'), maybe after 'If …,'."""
    if any(p.search(sentence) for p in config.action_phrases):
        return True
    clauses = [sentence] + sentence.split(",")[1:]
    for clause in clauses:
        words = re.findall(r"[A-Za-z']+", plain_text(clause).lower())
        while words and words[0] in {"please", "always", "also", "then", "first", "next", "now", "still"}:
            words = words[1:]
        if words and words[0] in config.action_verbs:
            return True
    return False


# -- entry points ---------------------------------------------------------------------------------


def check_handout(
    handout: Handout,
    config: LiteracyConfig,
    *,
    file: str | None = None,
    translations: Mapping[str, Mapping[tuple[str | None, str], str]] | None = None,
) -> HandoutLiteracy:
    """Scores and findings for one handout; ``file`` is how findings name it (default: its source)."""
    result = _Checker(handout, config, file or str(handout.source)).run()
    result.locales = locale_scores(handout, translations or {})
    return result


def check_handouts(
    handouts: Iterable[Handout],
    config: LiteracyConfig,
    *,
    root: Path | None = None,
    translations: Mapping[str, Mapping[tuple[str | None, str], str]] | None = None,
) -> LiteracyReport:
    """Check every handout; file names are shown relative to ``root`` when given.

    ``translations`` maps a language code to ``{(msgctxt, msgid): msgstr}`` (see
    :func:`translations_from_catalog`); languages with a standard formula get a score.
    """
    return LiteracyReport(
        [
            check_handout(h, config, file=display_path(h.source, root), translations=translations)
            for h in handouts
        ]
    )


def locale_scores(
    handout: Handout, translations: Mapping[str, Mapping[tuple[str | None, str], str]]
) -> list[LocaleScore]:
    """Readability of each translation that has a formula, over the prose that is translated."""
    prose = [u.text for u in _units(handout) if not u.heading]
    scores = []
    for lang, table in sorted(translations.items()):
        formula = LOCALE_FORMULAS.get(lang.replace("-", "_").split("_")[0].lower())
        if formula is None:
            continue
        done = [table[(t.context, t.text)] for t in prose if table.get((t.context, t.text))]
        scores.append(LocaleScore(lang, formula[0], formula[1](done), len(done), len(prose)))
    return scores


def translations_from_catalog(catalog: Iterable[object]) -> dict[tuple[str | None, str], str]:
    """``{(msgctxt, msgid): msgstr}`` from a Babel catalogue, skipping fuzzy and empty entries."""
    table = {}
    for message in catalog:
        msgid, msgstr = getattr(message, "id", None), getattr(message, "string", None)
        if (
            isinstance(msgid, str)
            and msgid
            and isinstance(msgstr, str)
            and msgstr
            and not getattr(message, "fuzzy", False)
        ):
            table[(getattr(message, "context", None), msgid)] = msgstr
    return table
