"""English and Spanish syllables, counted offline for the readability formulas.

English: Pyphen's bundled en_US hyphenation dictionary plus spelling rules (textstat's counter
downloads NLTK's CMU dictionary at run time).  Spanish: by rule, its spelling is regular.  A number
counts as it is read aloud (``15`` fif-teen, ``1.5`` one point five, ``9:30``, ``30%``).
"""

from __future__ import annotations

import functools
import re

import pyphen


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    """The en_US dictionary, read on first use."""
    return pyphen.Pyphen(lang="en_US")


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


@functools.lru_cache(maxsize=8192)
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
    return max(_rule_syllables(letters), len(_hyphenator().positions(letters)) + 1)


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
