"""Negations, counted: how many times an English text says "not", and how many negation markers a
translation has, per language.

A dropped negation turns "Do not drive" into "Drive"; nothing else in the sentence changes, so only a
count catches it.  English is counted by word (:data:`ENGLISH_NEGATION`): *not* and every *n't*,
*never*, *no* (not the abbreviation "No. 5", not "say no"), *none*, *nothing*, *nobody*, *nowhere*,
*neither*, *cannot*, *without* and *avoid*.  "Unless" is no negation: languages say it in too many ways.

A translation is counted with its language's markers (:func:`negation_markers`): words for
Latin-script, Cyrillic, Arabic-script, Devanagari and Ethiopic languages, after folding
(:func:`words`); substrings for Chinese, Thai and Korean, where negation is a character or a verb
ending.  Each language's list holds its words for *not*, *don't* (prohibitive), *no/none*,
*never*, *without* and *avoid*.  Markers are counted generously (``ne … pas`` may count twice,
Chinese 无菌 "germ-free" counts once): a translation may say "not" more often than the English, only
fewer is a finding, so a generous count can hide an error but never invents one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

#: English negations; "No." before a number is an abbreviation and "say no" an answer, not a negation.
ENGLISH_NEGATION = re.compile(
    r"\b(?:not|never|cannot|none|nothing|nobody|nowhere|neither|without|avoid(?:s|ed|ing)?)\b"
    r"|\b[a-z]+n['’]t\b"
    r"|(?<!\bsay )(?<!\bsays )(?<!\bsaid )\bno\b(?!\s*\.?\s*(?:\d|#))",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def english_negations(text: str) -> tuple[str, ...]:
    """The negations of an English text, as written, in order (kept: every locale checks the same
    English)."""
    return tuple(m.group() for m in ENGLISH_NEGATION.finditer(text))


# -- words ------------------------------------------------------------------------------------------

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # tashkeel, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ي": "ی", "ك": "ک", "ى": "ی", "ة": "ه"})


def fold(text: str) -> str:
    """``text`` for matching words: NFC, case-folded; Arabic script without short vowels, with one
    form of alef, yeh, kaf and teh marbuta (Arabic and Persian spellings then meet)."""
    text = unicodedata.normalize("NFC", text).casefold()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


def accentless(word: str) -> str:
    """``word`` without combining accents (``evítelo`` → ``evitelo``); Latin script only."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of ``text`` (folded): runs of letters, digits and combining marks, so a Devanagari
    vowel sign or a zero-width non-joiner (Persian نمی‌توانید) stays inside its word, and an
    apostrophe splits (French ``n'est`` → ``n``, ``est``)."""
    out, current = [], []
    for char in fold(text):
        category = unicodedata.category(char)
        if category[0] in "LMN" or char in "\u200c\u200d":
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


# -- per language -----------------------------------------------------------------------------------

WordTest = Callable[[str], bool]


@functools.cache
def _wordlist(text: str) -> tuple[str, ...]:
    """The folded words of a space-separated list."""
    return tuple(fold(word) for word in text.split())


def _word_test(exact: str, prefixes: tuple[str, ...] = (), *, latin: bool = False) -> WordTest:
    """A test for one word: one of ``exact`` (space-separated), or starting with one of ``prefixes``."""
    wanted = frozenset(_wordlist(exact))
    starts = tuple(fold(p) for p in prefixes)

    def test(word: str) -> bool:
        word = accentless(word) if latin else word
        return word in wanted or (bool(starts) and word.startswith(starts))

    return test


# Persian negates a verb with the prefix ن (نکنید "do not do", نمی‌توانید "you cannot"); a word that
# starts with ن is a negation when a common verb stem follows it. Nouns that start so (نیاز "need")
# are not in the stems; the few that are (نزدیک "near") only make the count generous.
_FA_STEMS = (
    "کن کرد خور نوش رو رفت ده داد گیر گرف کش شو شد دار داش زن بر برد مان گذار گذاش "
    "خواب ایست بند پوش بین دید گو گف مال ریز شست توان خواه ساز رس یای بای"
)
_FA_WORDS = "نه هرگز بدون بی هیچ نیست نیستند نیستید نباید عدم غیر ممنوع خودداری پرهیز اجتناب دوری"


def _persian(word: str) -> bool:
    if word.startswith("بی\u200c"):  # بی‌اجازه "without permission" (بیمار "patient" has no joiner)
        return True
    word = word.replace("\u200c", "")
    if word in _wordlist(_FA_WORDS) or word.startswith("نمی"):
        return True
    return word.startswith("ن") and word[1:].startswith(_wordlist(_FA_STEMS))


_AR_WORDS = "لا لم لن ليس ليست ليسوا لست لستم لسنا بدون دون بلا غير عدم ابدا ممنوع"
_AR_STEMS = ("تجنب", "امتنع", "امتناع", "يمنع", "ابتعد", "الابتعاد")  # avoid, refrain, forbidden, keep away


def _arabic(word: str) -> bool:
    exact = _wordlist(_AR_WORDS)
    bare = word[1:] if word[:1] in ("و", "ف") and len(word) > 2 else word  # ولا "and not", فلا
    return word in exact or bare in exact or any(fold(s) in word for s in _AR_STEMS)


# Amharic marks negation on the verb: አል-/አይ-/አት- … -ም (አይቆምም "it does not stop"), the
# prohibitive አት-/አይ-/አያ- (አትንዱ "do not drive", polite አያሽከርክሩ, አያንሱ "do not lift"),
# relative የማይ- "that does not", ሳይ- "without doing", ካል- "if not", እንዳይ- "so that not";
# ያለ is "without", የለም "there is not".
_AM_WORDS = "አይደለም የለም የሉም የላቸውም ያለ ያለምንም በጭራሽ ፈጽሞ አይ"
_AM_PREFIXES = "አል አይ አያ አት አታ የማይ የማያ የማት ማይ ማያ ሳይ ሳያ ሳት ሳታ ካል እንዳይ እንዳያ"
# eye, kind, grandparent, vegetable, bed, alcohol, science, sock
_AM_NOT = "አይነ አይኖ አይና አያት አትክ አልጋ አልኮ ሳይን ካልሲ"
_AM_AVOID = "ይቆጠቡ ያስወግዱ ይራቁ"  # refrain, avoid, keep away


def _amharic(word: str) -> bool:
    if word in _wordlist(_AM_WORDS) or word.startswith(_wordlist(_AM_AVOID)):
        return True
    for proclitic in ("", "በ", "ለ", "ከ", "እና"):  # a preposition may come first: ለማይ…
        stem = word[len(proclitic) :] if word.startswith(proclitic) else ""
        if (
            len(stem) > 2
            and stem != "አይን"  # eye
            and stem.startswith(_wordlist(_AM_PREFIXES))
            and not stem.startswith(_wordlist(_AM_NOT))
        ):
            return True
    return False


def _french(word: str) -> bool:
    word = accentless(word)
    return word in {"ne", "n", "non", "sans", "ni", "jamais", "aucun", "aucune", "rien"} or word.startswith(
        ("evit", "absten")
    )


#: Languages counted word by word: language -> test of one folded word. Each list: not, don't,
#: never, no/none/nothing, without, avoid/refrain.
WORD_MARKERS: dict[str, WordTest] = {
    "es": _word_test(
        "no nunca jamas sin ni ningun ninguno ninguna nada nadie tampoco", ("evit", "absten"), latin=True
    ),
    "pt": _word_test(
        "nao nunca jamais sem nem nenhum nenhuma nada ninguem tampouco", ("evit", "abst"), latin=True
    ),
    "fr": _french,
    "vi": _word_test("không chưa đừng chẳng chớ cấm tránh chả kiêng"),
    "ru": _word_test("не нет ни никогда без нельзя ничего никто никакой никакие никак", ("избег", "воздерж")),
    "tl": _word_test("hindi huwag wag di wala walang ayaw bawal", ("iwas", "umiwas")),
    "hi": _word_test("नहीं न मत ना बिना बगैर बग़ैर बचें बचना बचे मना वर्जित निषेध परहेज परहेज़"),
    "ar": _arabic,
    "fa": _persian,
    "am": _amharic,
}

#: Languages counted by substring: language -> (pattern of one marker, compounds that hold a
#: marker character but negate nothing, space-separated: removed first).
TEXT_MARKERS: dict[str, tuple[re.Pattern[str], str]] = {
    # 不 没 未 无 别 勿 莫 否 非 not/no/don't, 避免 avoid, 禁 忌 戒 forbid, abstain
    "zh": (
        re.compile("避免|[不没沒未无無别別勿莫否非禁忌戒]"),
        (
            "非常 除非 不同 不久 不断 不斷 不过 不過 不少 不仅 不僅 不论 不論 不管 无论 無論 "
            "是否 否则 否則 未来 未來 别人 別人 别的 別的 特别 特別 区别 區別 分别 分別 类别 類別"
        ),
    ),
    # ไม่ not, อย่า don't (not อย่าง "kind, -ly"), ห้าม must not, ปราศจาก/ไร้ without, (หลีก)เลี่ยง avoid,
    # งด abstain when a word follows (งดดื่ม; not the ง|ด of เครื่องดื่ม "drink", a vowel sign follows)
    "th": (re.compile("ไม่|อย่า(?!ง)|ห้าม|ปราศจาก|เลี่ยง|งด(?=[ก-ฮเ-ไ])(?!งาม)|ไร้|มิได้|มิให้"), ""),
    # -지 않다, 안 (a word of its own), 못, 없다/없이, 아니다/아니요, -지 마세요/말고, 금지, 금물,
    # 피하다, 삼가다, 자제하다 (refrain)
    "ko": (
        re.compile(r"않|못|없|아니|아닙|(?<!\S)안(?!\S)|지\s*(?:마|말)|금지|금물|피하|피해|삼가|자제"),
        "",
    ),
}


def supported(language: str) -> bool:
    """True when negations of ``language`` (a language subtag: es, zh, fa) can be counted."""
    return language in WORD_MARKERS or language in TEXT_MARKERS


@functools.lru_cache(maxsize=2048)
def negation_markers(text: str, language: str) -> tuple[str, ...]:
    """The negation markers of a translation in ``language``, in order (empty if unsupported)."""
    if language in TEXT_MARKERS:
        pattern, not_negations = TEXT_MARKERS[language]
        folded = fold(text)
        for compound in _wordlist(not_negations):
            folded = folded.replace(compound, " " * len(compound))
        return tuple(m.group() for m in pattern.finditer(folded))
    test = WORD_MARKERS.get(language)
    if test is None:
        return ()
    found = [w for w in words(text) if test(w)]
    if language == "fr":  # "ne … pas" is one negation: count the ne, or the pas when ne is left out
        nes = sum(accentless(w) in ("ne", "n") for w in found)
        pas = sum(w == "pas" for w in words(text))
        found += ["pas"] * max(0, pas - nes)
    return tuple(found)
