"""Translations as the renderer sees them: every lookup is recorded with the entry's state.

Compiled ``.mo`` files leave fuzzy entries out, so draft rendering reads the ``.po`` directly and
knows, for each string on the page, whether it is reviewed, a draft, stale or missing. A missing
entry is recorded (and the build refuses the sheet) rather than silently falling back to English.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog, Message

from handoutgen.catalogs.approvals import Approvals
from handoutgen.catalogs.states import Key, State, entry_state, msgstr_text
from handoutgen.content.markup import FORMAT_RE, PLACEHOLDER_RE


@dataclass
class Lookup:
    """What one page used: each entry with its state."""

    used: dict[Key, State] = field(default_factory=dict)

    def record(self, key: Key, state: State) -> None:
        self.used[key] = state

    @property
    def missing(self) -> list[Key]:
        return [k for k, s in self.used.items() if s is State.MISSING]

    @property
    def final(self) -> bool:
        return all(s.final for s in self.used.values())

    def counts(self) -> dict[State, int]:
        result = dict.fromkeys(State, 0)
        for state in self.used.values():
            result[state] += 1
        return result


class SourceTranslations(gettext.NullTranslations):
    """English: the source text itself, always final."""

    def __init__(self) -> None:
        super().__init__()
        self.lookup = Lookup()

    def pgettext(self, context: str, message: str) -> str:
        return message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class CatalogTranslations(gettext.NullTranslations):
    """A locale's .po catalogue, drafts included, with every lookup recorded."""

    def __init__(self, catalog: Catalog, approvals: Approvals | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.approvals = approvals  # without records nothing is reviewed
        self.lookup = Lookup()
        self._plural = catalog.plural_expr  # CLDR rule as a C expression
        self._plural_func = gettext.c2py(self._plural) if self._plural else (lambda n: int(n != 1))

    def _message(self, msgid: str, context: str | None) -> Message | None:
        return self.catalog.get(msgid, context=context)

    def _lookup(self, msgid: str, context: str | None) -> tuple[Message | None, State]:
        message = self._message(msgid, context)
        state = entry_state(message, self.approvals) if message is not None else State.MISSING
        self.lookup.record((msgid, context), state)
        return message, state

    def gettext(self, message: str) -> str:
        return self.pgettext(None, message)

    def pgettext(self, context: str | None, message: str) -> str:
        entry, state = self._lookup(message, context)
        return message if state is State.MISSING or entry is None else msgstr_text(entry)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.npgettext(None, singular, plural, n)

    def npgettext(self, context: str | None, singular: str, plural: str, n: int) -> str:
        entry, state = self._lookup(singular, context)
        if state is State.MISSING or entry is None:
            return singular if n == 1 else plural
        forms = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
        index = min(self._plural_func(n), len(forms) - 1)
        return forms[index] or ""  # a complete entry: every form is there


# -- pseudo-locale ----------------------------------------------------------------------------------

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥíĵķĺɱñóþǫŕšţúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŢÚṼŴẊÝŽ",
)
#: Kept byte-for-byte: placeholders, format variables, ``%%``, emphasis markers and numbers.
_PROTECTED_RE = re.compile(
    "|".join((PLACEHOLDER_RE.pattern, FORMAT_RE.pattern, "%%", r"\*\*", r"\*", r"\d[\d.,:–-]*"))
)
_PAD_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def pseudolocalize(text: str) -> str:
    """Accented, about 35% longer English: shows which layouts would overflow before translation."""
    out, start = [], 0
    for match in _PROTECTED_RE.finditer(text):
        out += [text[start : match.start()].translate(_ACCENTS), match.group(0)]
        start = match.end()
    out.append(text[start:].translate(_ACCENTS))
    extra = max(1, round(len(text) * 0.35))
    pad: list[str] = []
    while sum(len(w) + 1 for w in pad) < extra:
        pad.append(_PAD_WORDS[len(pad) % len(_PAD_WORDS)].translate(_ACCENTS))
    return "[" + "".join(out) + " " + " ".join(pad) + "]"


class PseudoTranslations(SourceTranslations):
    """en_XA: generated from the English, never printed as final."""

    def gettext(self, message: str) -> str:
        self.lookup.record((message, None), State.DRAFT)
        return pseudolocalize(message)

    def pgettext(self, context: str, message: str) -> str:
        self.lookup.record((message, context), State.DRAFT)
        return pseudolocalize(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.pgettext(context, singular if n == 1 else plural)
