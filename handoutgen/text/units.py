"""Units of time and measure: which ones an English text gives a quantity in ("24 hours", "a few
days", "38.0 °C"), and which ones a translation mentions, per language.

A translation that writes "2 weeks" for "2 days" keeps every number and reads well; only the unit
changed.  English units count when a quantity comes with them (:data:`EN_QUANTITY`: digits, a
number word, *a*, *a few*, *several*, *each*, *every*, *per*…), so "the rest of the day" asks nothing
of the translation.  A translation's units are found anywhere in it (word order differs:
"每周", "매주", "كل أسبوع"), in every form a language gives them (Arabic duals يومين, Korean native
counts 하루/이틀, Russian дня/дней), by :func:`unit_mentions`.  As with negations, a generous count
only hides errors, it never invents one: Korean 시간 is "hour" and "time", Vietnamese năm "year" and
"five".
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from handoutgen.text.negation import accentless, fold

#: Unit kinds, in the order messages name them, with their English names.
UNIT_NAMES = {
    "minute": "minutes",
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "celsius": "°C",
    "fahrenheit": "°F",
    "mg": "mg",
    "kg": "kg",
    "ml": "ml",
    "cm": "cm",
    "lb": "lb",
}

_EN_UNITS = {
    "minute": r"minutes?|mins?(?![a-z])",
    "hour": r"hours?|hrs?|h(?![a-z])",
    "day": r"days?",
    "week": r"weeks?",
    "month": r"months?",
    "year": r"years?",
    "celsius": r"°\s?C\b|℃|ºC\b|degrees? (?:C\b|Celsius)",
    "fahrenheit": r"°\s?F\b|℉|ºF\b|degrees? (?:F\b|Fahrenheit)",
    "mg": r"mg\b|milligrams?",
    "kg": r"kg\b|kilo(?:gram)?s?\b",
    "ml": r"ml\b|millilit(?:er|re)s?",
    "cm": r"cm\b|centimet(?:er|re)s?",
    "lb": r"lbs?\b|pounds?",
}
_NUMBER_WORDS = (
    r"\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|forty-eight|a|an|a few|few|several|a couple of|couple of|many|each|every|per|"
    r"half an?|a half"
)
#: A quantity and its unit: "24 hours", "15–20 minutes", "1 or 2 days", "a few more days", "38.0 °C".
EN_QUANTITY = re.compile(
    rf"(?<![\w.])(?:{_NUMBER_WORDS})(?:\s*(?:[-–—~]|to|or)\s*(?:{_NUMBER_WORDS}))?"
    r"\s*(?:(?:more|extra|full|whole|additional|straight)\s+)?"
    rf"(?P<unit>{'|'.join(f'(?P<{k}>{v})' for k, v in _EN_UNITS.items())})(?![\w])",
    re.IGNORECASE,
)
_EN_ANY = re.compile(rf"(?<![a-z])(?:{'|'.join(_EN_UNITS.values())})", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def english_quantities(text: str) -> tuple[tuple[str, str], ...]:
    """(unit kind, the quantity as written) for every quantity with a unit in an English text (kept:
    every locale checks the same English)."""
    found = []
    for match in EN_QUANTITY.finditer(text):
        kind = next(k for k in _EN_UNITS if match.group(k))
        found.append((kind, match.group().strip()))
    return tuple(found)


def english_units(text: str) -> Counter[str]:
    """Every unit word of an English text, with or without a quantity ("the same day" too)."""
    counts: Counter[str] = Counter()
    for match in _EN_ANY.finditer(text):
        word = match.group()
        counts.update(k for k, v in _EN_UNITS.items() if re.fullmatch(v, word, re.IGNORECASE))
    return counts


# -- translations -----------------------------------------------------------------------------------

# Symbols every language may keep as in English (Latin letters, the degree sign).
_SYMBOLS = {
    "celsius": r"°\s?c(?![a-z])|℃|ºc(?![a-z])",
    "fahrenheit": r"°\s?f(?![a-z])|℉|ºf(?![a-z])",
    "mg": r"(?<![a-z])mg(?![a-z])",
    "kg": r"(?<![a-z])kg(?![a-z])",
    "ml": r"(?<![a-z])ml(?![a-z])",
    "cm": r"(?<![a-z])cm(?![a-z])",
    "lb": r"(?<![a-z])lbs?(?![a-z])",
}
#: Each language's units (Latin-script languages without accents; a text and these patterns are
#: matched after :func:`~handoutgen.text.negation.fold`). ``degree`` is a word for "degree" that
#: says neither Celsius nor Fahrenheit.
LANGUAGE_UNITS: dict[str, dict[str, str]] = {
    "es": {
        "minute": r"minutos?|min",
        "hour": r"horas?|(?<=\d)\s?h",
        "day": r"dias?|jornadas?",
        "week": r"semanas?",
        "month": r"mes|meses",
        "year": r"anos?",
        "degree": r"grados?|centigrados?",
        "celsius": r"celsius|centigrados?",
        "fahrenheit": r"fahrenheit",
        "mg": r"miligramos?",
        "kg": r"kilos?|kilogramos?",
        "ml": r"mililitros?",
        "cm": r"centimetros?",
        "lb": r"libras?",
    },
    "pt": {
        "minute": r"minutos?|min",
        "hour": r"horas?|(?<=\d)\s?h",
        "day": r"dias?",
        "week": r"semanas?",
        "month": r"mes|meses",
        "year": r"anos?",
        "degree": r"graus?",
        "celsius": r"celsius|centigrados?",
        "fahrenheit": r"fahrenheit",
        "mg": r"miligramas?",
        "kg": r"quilos?|quilogramas?",
        "ml": r"mililitros?",
        "cm": r"centimetros?",
        "lb": r"libras?",
    },
    "fr": {
        "minute": r"minutes?|min",
        "hour": r"heures?|(?<=\d)\s?h",
        "day": r"jours?|journees?",
        "week": r"semaines?",
        "month": r"mois",
        "year": r"ans?|annees?",
        "degree": r"degres?",
        "celsius": r"celsius",
        "fahrenheit": r"fahrenheit",
        "mg": r"milligrammes?",
        "kg": r"kilos?|kilogrammes?",
        "ml": r"millilitres?",
        "cm": r"centimetres?",
        "lb": r"livres?",
    },
    "tl": {
        "minute": r"minuto",
        "hour": r"oras",
        "day": r"araw",
        "week": r"linggo",
        "month": r"buwan",
        "year": r"taon",
        "degree": r"digri|degrees?",
        "celsius": r"celsius",
        "fahrenheit": r"fahrenheit",
        "kg": r"kilos?",
        "lb": r"libras?",
    },
    "vi": {
        "minute": r"phút",
        "hour": r"giờ|tiếng",
        "day": r"ngày|hôm",
        "week": r"tuần",
        "month": r"tháng",
        "year": r"năm",
        "degree": r"độ",
        "kg": r"cân|ký|kí",
    },
    "ru": {
        "minute": r"минут\w*|мин",
        "hour": r"час(?:а|ов|у|ам|ами|ах)?|ч",
        "day": r"(?:день|дня|дней|дни|днём|днем|дням|днями|сутки|суток|суткам)",
        "week": r"недел\w+",
        "month": r"месяц\w*",
        "year": r"(?:год|года|году|годы|годам|лет)",
        "degree": r"градус\w*",
        "celsius": r"цельси\w*",
        "fahrenheit": r"фаренгейт\w*",
        "mg": r"мг|миллиграмм\w*",
        "kg": r"кг|килограмм\w*",
        "ml": r"мл|миллилитр\w*",
        "cm": r"см|сантиметр\w*",
    },
    "zh": {
        "minute": r"分钟|分鐘",
        "hour": r"小时|小時|钟头|鐘頭|个钟|個鐘",
        "day": r"天|日",
        "week": r"周|週|星期|礼拜|禮拜",
        "month": r"个月|個月|每月|\d\s*月",
        "year": r"年",
        "degree": r"度",
        "celsius": r"摄氏|攝氏",
        "fahrenheit": r"华氏|華氏",
        "mg": r"毫克",
        "kg": r"公斤|千克",
        "ml": r"毫升",
        "cm": r"厘米|公分",
        "lb": r"磅",
    },
    "ko": {
        "minute": r"(?:\d|몇)\s*분|분\s*(?:동안|간|마다|씩)",
        "hour": r"시간",
        "day": r"(?:\d|몇)\s*일|[매당]일|하루|이틀|사흘|나흘|며칠|날(?!카)",
        "week": r"(?:\d|[매몇한두세네일])\s*주(?!세|시|의|로|사|머)|주(?:일|간|마다)",
        "month": r"개월|(?:\d|[매한두세몇])\s*달",
        "year": r"(?:\d|몇|[매작올내])\s*년|년\s*(?:동안|간)",
        "celsius": r"섭씨",
        "fahrenheit": r"화씨",
        "mg": r"밀리그램",
        "kg": r"킬로그램|킬로",
        "ml": r"밀리리터",
        "cm": r"센티미터|센티",
        "lb": r"파운드",
    },
    "th": {
        "minute": r"นาที",
        "hour": r"ชั่วโมง|ชม\.",
        "day": r"วัน",
        "week": r"สัปดาห์|อาทิตย์",
        "month": r"เดือน",
        "year": r"ปี",
        "degree": r"องศา",
        "celsius": r"เซลเซียส",
        "fahrenheit": r"ฟาเรนไฮต์",
        "mg": r"มก\.|มิลลิกรัม",
        "kg": r"กก\.|กิโลกรัม|กิโล",
        "ml": r"มล\.|มิลลิลิตร",
        "cm": r"ซม\.|เซนติเมตร",
        "lb": r"ปอนด์",
    },
    "ar": {
        "minute": r"دقيقة|دقائق|دقيقتين|دقيقتان",
        "hour": r"ساعة|ساعات|ساعتين|ساعتان",
        "day": r"يوم|أيام|يومين|يومان",
        "week": r"أسبوع|أسابيع",
        "month": r"شهر|أشهر|شهور",
        "year": r"سنة|سنوات|سنين|سنتين|عام|أعوام",
        "degree": r"درجة|درجات",
        "celsius": r"مئوية|سيليزية|سيلسيوس",
        "fahrenheit": r"فهرنهايت",
        "mg": r"(?<![\u0600-\u06ff])(?:ملغ|مجم)(?![\u0600-\u06ff])|مليغرام|ملليغرام",
        "kg": r"(?<![\u0600-\u06ff])(?:كغ|كجم)(?![\u0600-\u06ff])|كيلوغرام|كيلو",
        "ml": r"(?<![\u0600-\u06ff])مل(?![\u0600-\u06ff])|مليلتر|ملليلتر",
        "cm": r"(?<![\u0600-\u06ff])سم(?![\u0600-\u06ff])|سنتيمتر",
        "lb": r"رطل|باوند",
    },
    "fa": {
        "minute": r"دقیقه",
        "hour": r"ساعت",
        "day": r"روز",
        "week": r"هفته",
        "month": r"ماه",
        "year": r"سال",
        "degree": r"درجه",
        "celsius": r"سانتی\u200c?گراد|سلسیوس",
        "fahrenheit": r"فارنهایت",
        "mg": r"میلی\u200c?گرم",
        "kg": r"کیلوگرم|کیلو",
        "ml": r"میلی\u200c?لیتر|سی\u200c?سی",
        "cm": r"سانتی\u200c?متر|سانت",
        "lb": r"پوند",
    },
    "hi": {
        "minute": r"मिनट",
        "hour": r"घंट|घण्ट",
        "day": r"दिन|रोज़|रोज",
        "week": r"हफ़्त|हफ्त|सप्ताह",
        "month": r"महीन|माह",
        "year": r"साल|वर्ष|बरस",
        "degree": r"डिग्री",
        "celsius": r"सेल्सियस",
        "fahrenheit": r"फ़ारेनहाइट|फारेनहाइट",
        "mg": r"मिलीग्राम|मि\.ग्रा",
        "kg": r"किलोग्राम|किलो",
        "ml": r"मिलीलीटर|मिली",
        "cm": r"सेंटीमीटर|सेमी",
        "lb": r"पाउंड",
    },
    "am": {
        "minute": r"ደቂቃ",
        "hour": r"ሰዓት|ሰአት|ሰዓታ|ሰአታ",
        "day": r"ቀን|ቀና|ቀኑ|ቀኖ",
        "week": r"ሳምንት|ሳምንቱ|ሳምንታ",
        "month": r"ወር(?!ቅ)|ወራ|ወሩ",
        "year": r"ዓመት|አመት|ዓመታ|አመታ|ዓመቱ|አመቱ",
        "degree": r"ዲግሪ",
        "celsius": r"ሴልሺየስ|ሴልሲየስ",
        "fahrenheit": r"ፋራናይት|ፋረንሃይት",
        "mg": r"ሚሊ\s?ግራም",
        "kg": r"ኪሎ",
        "ml": r"ሚሊ\s?ሊትር",
        "cm": r"ሴንቲ\s?ሜትር|ሴሜ",
    },
}
_EN_WORDS = {k: _EN_UNITS[k] for k in ("minute", "hour", "day", "week", "month", "year")}
_LATIN_LANGUAGES = frozenset({"es", "pt", "fr", "tl"})
#: Languages whose units are whole words (elsewhere a unit may be part of a word: Chinese 每天,
#: Arabic بالساعة, Hindi घंटों).
_SPACED_LANGUAGES = _LATIN_LANGUAGES | {"ru", "vi"}
_WORD_START, _WORD_END = r"(?<![^\W\d_])", r"(?![^\W\d_])"  # no letter before, no letter after


def supported(language: str) -> bool:
    """True when the time units of ``language`` (a language subtag) are known."""
    return language in LANGUAGE_UNITS


@functools.lru_cache(maxsize=64)
def _pattern(language: str) -> re.Pattern[str]:
    """One pattern with a named group per unit kind: the language's words, then the symbols."""
    words = LANGUAGE_UNITS.get(language, {})
    parts = []
    for kind in (*UNIT_NAMES, "degree"):
        options = [f"(?:{fold(words[kind])})"] if kind in words else []
        if language in _SPACED_LANGUAGES and options:
            options = [f"{_WORD_START}{options[0]}{_WORD_END}"]
        if kind in _SYMBOLS:
            options.append(f"(?:{_SYMBOLS[kind]})")
        if kind in _EN_WORDS and words:  # an English unit left in keeps the unit
            options.append(rf"(?<![a-z])(?:{_EN_WORDS[kind]})(?![a-z])")
        if options:
            parts.append(f"(?P<{kind}>{'|'.join(options)})")
    return re.compile("|".join(parts))


def unit_mentions(text: str, language: str) -> Counter[str]:
    """How often a translation in ``language`` names each unit kind (symbols in any language); a
    bare "degree" counts as °C and °F when the text names neither (درجة alone, but not درجة فهرنهايت)."""
    folded = fold(text)
    if language in _LATIN_LANGUAGES:
        folded = accentless(folded)
    counts: Counter[str] = Counter(match.lastgroup or "" for match in _pattern(language).finditer(folded))
    degrees = counts.pop("degree", 0)
    if degrees and not (counts["celsius"] or counts["fahrenheit"]):
        counts.update({"celsius": degrees, "fahrenheit": degrees})
    return counts
