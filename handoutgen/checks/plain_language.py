"""Plain-language rules for one English sentence: length, passive voice, instructions that do
not speak to the reader, hard numbers, claims a handout must not make, brand and practitioners'
names, unexplained jargon, and whether the sentence is an action for the reader.

The word lists and patterns come from ``literacy.yaml`` (a
:class:`~handoutgen.content.settings.LiteracyConfig`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from handoutgen.content.settings import LiteracyConfig
from handoutgen.text.readability import plain_text, tokenize

_BE = r"(?:am|is|are|was|were|be|been|being|get|gets|got|gotten|getting)"
_BETWEEN = (
    r"(?:\s+(?:not|never|also|often|usually|always|then|still|only|just|all|both|each|sometimes|\w+ly))*"
)
_PASSIVE_RE = re.compile(rf"\b({_BE}){_BETWEEN}\s+([a-z]+)\b(?!-)", re.IGNORECASE)
_IRREGULAR_PARTICIPLES = frozenset(
    [
        "arisen",
        "awoken",
        "beaten",
        "begun",
        "bent",
        "bitten",
        "bled",
        "blown",
        "broken",
        "brought",
        "built",
        "burnt",
        "bought",
        "caught",
        "chosen",
        "dealt",
        "done",
        "drawn",
        "drunk",
        "driven",
        "eaten",
        "fallen",
        "fed",
        "felt",
        "fought",
        "found",
        "forgotten",
        "forgiven",
        "frozen",
        "given",
        "gone",
        "grown",
        "heard",
        "held",
        "hidden",
        "hung",
        "hurt",
        "kept",
        "known",
        "laid",
        "led",
        "lent",
        "lost",
        "made",
        "meant",
        "met",
        "paid",
        "ridden",
        "risen",
        "said",
        "seen",
        "sent",
        "shaken",
        "shot",
        "shown",
        "shut",
        "sold",
        "sought",
        "spent",
        "spoken",
        "spread",
        "stolen",
        "struck",
        "stuck",
        "swept",
        "sworn",
        "taken",
        "taught",
        "thought",
        "thrown",
        "told",
        "torn",
        "understood",
        "woken",
        "worn",
        "written",
    ]
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
        "claim-no-side-effects": "says there are no side effects; say which effects are common and "
        "how often, e.g. 'Minor soreness is common.'",
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
