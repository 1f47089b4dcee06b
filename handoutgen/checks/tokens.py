"""What a translation copies exactly: ``{name}`` placeholders, ``%(name)s`` format variables and
``**bold**`` / ``*italic*`` emphasis, each as often as the English has it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from handoutgen.checks.issues import Issue, issue
from handoutgen.content.markup import FORMAT_ANY_RE, PLACEHOLDER_RE

#: A placeholder or a format variable of any shape.
VARIABLE_RE = re.compile(rf"{PLACEHOLDER_RE.pattern}|{FORMAT_ANY_RE.pattern}")
_OBJECT = "\ufffc"  # stands in for a placeholder: not a digit, letter, space or punctuation we read


def without_variables(text: str) -> str:
    """``text`` with each placeholder and format variable replaced by one inert character, so its
    digits (``{1}``) are not read as numbers and positions stay comparable."""
    return VARIABLE_RE.sub(_OBJECT, text)


def compare_tokens(check: str, want: list[str], got: list[str], how: str) -> list[Issue]:
    """Same tokens, same count: a dropped, invented or translated token names itself."""
    want_count, got_count = Counter(want), Counter(got)
    dropped = sorted((want_count - got_count).elements())
    invented = sorted((got_count - want_count).elements())
    issues = []
    if (
        len(dropped) == 1
        and len(invented) == 1
        and dropped[0] not in got_count
        and invented[0] not in want_count
    ):
        return [issue(check, f"{dropped[0]} was changed to {invented[0]}; {how}")]
    for token in sorted(set(dropped)):
        if got_count[token]:
            issues.append(
                issue(
                    check,
                    f"{token} appears {want_count[token]} times in the English but "
                    f"{got_count[token]} in the translation; {how}",
                )
            )
        else:
            issues.append(issue(check, f"{token} is missing from the translation; {how}"))
    for token in sorted(set(invented)):
        if want_count[token]:
            issues.append(
                issue(
                    check,
                    f"{token} appears {got_count[token]} times in the translation but "
                    f"{want_count[token]} in the English; {how}",
                )
            )
        else:
            issues.append(issue(check, f"{token} is not in the English; remove it ({how})"))
    return issues


def check_placeholders(source: str, target: str) -> list[Issue]:
    """The same ``{name}`` placeholders as the English, as often."""
    want = [m.group() for m in PLACEHOLDER_RE.finditer(source)]
    got = [m.group() for m in PLACEHOLDER_RE.finditer(target)]
    return compare_tokens(
        "placeholders", want, got, "copy placeholders exactly as in the English, untranslated"
    )


def check_format(source: str, target: str) -> list[Issue]:
    """The same ``%(name)s`` format variables as the English, as often."""
    want = [m.group() for m in FORMAT_ANY_RE.finditer(source)]
    got = [m.group() for m in FORMAT_ANY_RE.finditer(target)]
    return compare_tokens("format", want, got, "copy %(name)s variables exactly as in the English")


_STRONG_RE = re.compile(r"\*\*(.+?)\*\*")  # as markup.py renders it: bold first, then italic
_EM_RE = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


@dataclass(frozen=True)
class _Markup:
    strong: int
    em: int
    empty: int  # spans with nothing (or only spaces) inside
    stray: int  # asterisks that open or close nothing


def _markup(text: str) -> _Markup:
    empty = len(re.findall(r"\*\*\s*\*\*(?!\*)|(?<!\*)\*\s+\*(?!\*)", text))
    strong = _STRONG_RE.findall(text)
    rest = _STRONG_RE.sub(lambda m: m.group(1), text)
    em = _EM_RE.findall(rest)
    rest = _EM_RE.sub(lambda m: m.group(1), rest)
    empty += sum(1 for s in strong + em if not s.strip(" *"))
    return _Markup(len(strong), len(em), empty, rest.count("*"))


def check_markup(source: str, target: str) -> list[Issue]:
    """As many bold and italic spans as the English, none empty, none left open."""
    if "*" not in source and "*" not in target:
        return []
    want, got = _markup(source), _markup(target)
    issues = []
    for name, example, a, b in (
        ("bold", "**…**", want.strong, got.strong),
        ("italic", "*…*", want.em, got.em),
    ):
        if a != b:
            issues.append(
                issue(
                    "markup",
                    f"the English has {a} {name} span(s) ({example}) but the translation has {b}; "
                    f"put {example} around the matching words",
                )
            )
    if got.empty > want.empty:
        issues.append(
            issue(
                "markup",
                "an emphasis span is empty (**** or * *); put the marked words between the asterisks",
            )
        )
    if got.stray > want.stray:
        issues.append(
            issue(
                "markup",
                "unbalanced * in the translation: an emphasis span is not closed; "
                "every ** or * needs its closing pair",
            )
        )
    return issues
