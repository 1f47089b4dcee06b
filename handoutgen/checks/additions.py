"""What a translation must not add: HTML markup, web or mail addresses, bidi controls.

The renderer escapes every translation, so none of this can reach a PDF as a tag or a link; but a
translation that brings its own markup or address was either pasted from somewhere it should not
have been or written to mislead, and a reviewer must see it (as an error, so it never prints final).
"""

from __future__ import annotations

import re
from collections import Counter

from handoutgen.checks.findings import excerpt
from handoutgen.checks.issues import Issue, issue
from handoutgen.checks.tokens import without_variables

_HTML_RE = re.compile(
    r"</?[A-Za-z][\w:-]*(?=[\s/>]|$)[^<>]*>?"  # a tag, even unclosed: <script, <a href=…>, </b>
    r"|<!--.*?(?:-->|$)|<!\[CDATA\[|<![A-Za-z][^>]*>?|<\?[^>]*>?"  # comment, CDATA, doctype, <?…?>
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});",  # a character reference: &lt; &#60; &nbsp;
    re.DOTALL,
)
# Domains written without www. or a scheme are recognised by these endings only: endings that are also
# words ("mañana.Es importante", a missing space) would turn a typo into an error.
_TLDS = "com|org|net|edu|gov|mil|info|biz|io|xyz|top|site|online|click|ru|cn|tk|ml|cf|gq|uk|vn|kr|jp|mx|br"
_ADDRESS_RE = re.compile(
    r"(?:https?|ftps?|file|sftp|smb|ws|wss)://[^\s<>\"']*"  # scheme://…
    r"|(?<![\w.-])(?:javascript|vbscript|data|mailto|blob|filesystem|intent):[^\s<>\"']+"  # javascript:…
    r"|(?<![\w:/])//[\w-]+(?:\.[\w-]+)+[^\s<>\"']*"  # protocol-relative //host.tld/…
    r"|(?<![\w.@-])www\.[\w-]+(?:\.[\w-]+)+[^\s<>\"']*"  # www.example.org/…
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?:/[^\s<>\"']*)?(?![\w-])(?!\.\w)"  # 169.254.169.254
    rf"|(?<![\w.@/-])[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})(?:/[^\s<>\"']*)?(?![\w-])(?!\.\w)",  # example.org/path
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}»”’\"'。，、！？）"

#: Explicit direction controls: embeddings, overrides, isolates. They are invisible and can make a
#: number or a phone number read in a different order than it is stored (a "Trojan Source" reordering).
#: LRM, RLM and ALM (U+200E, U+200F, U+061C) are ordinary marks in right-to-left text and are allowed.
BIDI_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}


def _markup_tokens(text: str) -> list[str]:
    return [" ".join(m.group().split()) for m in _HTML_RE.finditer(text)]


#: Every kind of address above has one of these; most sentences have none (a full stop before a space).
_ADDRESS_HINT = re.compile(r"[:@/]|\.[\w-]")


def _addresses(text: str) -> list[str]:
    found: list[str] = []
    text = without_variables(text)
    if not _ADDRESS_HINT.search(text):
        return found
    for match in _ADDRESS_RE.finditer(text):
        token = match.group()
        while (
            token
            and token[-1] in _TRAILING
            and not (token[-1] == ")" and token.count("(") >= token.count(")"))
        ):
            token = token[:-1]  # sentence punctuation after an address is not part of it
        if token:
            found.append(token)
    return found


def check_added_markup(source: str, target: str) -> list[Issue]:
    """HTML of any kind, and addresses of any kind, that the translation has and the English has not."""
    issues = []
    english = Counter(t.casefold() for t in _markup_tokens(source))
    for token in dict.fromkeys(_markup_tokens(target)):
        if english[token.casefold()] < _markup_tokens(target).count(token):
            issues.append(
                issue(
                    "markup-added",
                    f'the translation has the markup "{excerpt(token, 60)}", which the '
                    "English does not have; remove it (handouts print text only)",
                )
            )
    english = Counter(t.casefold() for t in _addresses(source))
    added = _addresses(target)
    for token in dict.fromkeys(added):
        if english[token.casefold()] < sum(t.casefold() == token.casefold() for t in added):
            issues.append(
                issue(
                    "url-added",
                    f'the translation has the address "{excerpt(token, 60)}", which the '
                    "English does not have; remove it (only the English may point patients "
                    "anywhere, and clinic addresses come from placeholders)",
                )
            )
    return issues


_BIDI_RE = re.compile("[" + "".join(BIDI_CONTROLS) + "]")


def check_bidi(source: str, target: str) -> list[Issue]:
    """Invisible direction controls in the translation (more than the English has)."""
    if not _BIDI_RE.search(target):
        return []
    extra = [(i, c) for i, c in enumerate(target) if c in BIDI_CONTROLS]
    if len(extra) <= sum(c in BIDI_CONTROLS for c in source):
        return []
    names = ", ".join(dict.fromkeys(f"U+{ord(c):04X} {BIDI_CONTROLS[c]}" for _, c in extra))
    where = ", ".join(str(i + 1) for i, _ in extra[:5]) + ("…" if len(extra) > 5 else "")
    return [
        issue(
            "bidi-control",
            f"the translation holds {len(extra)} invisible bidi control character(s) ({names}) "
            f"at character {where}; they can change the order a patient reads words and "
            "numbers in, so delete them (the page sets the direction itself)",
        )
    ]
