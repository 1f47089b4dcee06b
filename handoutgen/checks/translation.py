"""Translation quality checks: what a careful reviewer would catch by comparing each msgstr with
its English, done by machine so nothing that matters on a printed sheet slips through.

Every check has a stable name and a default severity (see :data:`~handoutgen.checks.issues.CHECKS`);
each lives in its own module: :mod:`~handoutgen.checks.numbers`, :mod:`~handoutgen.checks.negation`,
:mod:`~handoutgen.checks.units`, :mod:`~handoutgen.checks.tokens`
(placeholders, format variables, emphasis), :mod:`~handoutgen.checks.additions` (markup, addresses,
bidi controls), :mod:`~handoutgen.checks.glossary`, :mod:`~handoutgen.checks.untranslated`,
:mod:`~handoutgen.checks.length`, :mod:`~handoutgen.checks.sentences`.  This module runs them:

* :func:`check_entry` checks one English/translation pair;
* :func:`check_catalog` checks every translated entry of a catalogue (drafts too) and adds the
  catalogue-level check that every ``{emergency_number}`` sentence is there and keeps the number;
* :func:`load_glossary` reads ``glossary.yaml`` (required terms per locale, do-not-translate terms).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from handoutgen.checks.additions import check_added_markup, check_bidi
from handoutgen.checks.findings import Finding
from handoutgen.checks.glossary import check_glossary
from handoutgen.checks.issues import CHECKS, EMERGENCY_PLACEHOLDER, Issue, issue
from handoutgen.checks.length import check_length
from handoutgen.checks.negation import check_negation
from handoutgen.checks.numbers import check_numbers
from handoutgen.checks.sentences import check_ending, check_sentences
from handoutgen.checks.tokens import check_format, check_markup, check_placeholders
from handoutgen.checks.units import check_units
from handoutgen.checks.untranslated import check_untranslated
from handoutgen.content.settings import Glossary
from handoutgen.content.settings import Term as Term  # glossary.yaml is read in content/
from handoutgen.content.settings import load_glossary as load_glossary

# -- one entry, one catalogue ---------------------------------------------------------------------


def check_entry(source: str, target: str, locale: str, glossary: Glossary | None = None) -> list[Issue]:
    """(check, severity, message) for every problem of one English/translation pair."""
    if not source:
        return []
    if not target.strip():
        return [
            issue(
                "empty",
                "the translation is only spaces; write it, or leave msgstr empty so the entry counts "
                "as missing",
            )
        ]
    issues: list[Issue] = []
    issues += check_numbers(source, target, locale)
    issues += check_negation(source, target, locale)
    issues += check_units(source, target, locale)
    issues += check_placeholders(source, target)
    issues += check_format(source, target)
    issues += check_markup(source, target)
    issues += check_added_markup(source, target)
    issues += check_bidi(source, target)
    if glossary is not None:
        issues += check_glossary(source, target, locale, glossary)
    issues += check_untranslated(source, target, locale, glossary)
    issues += check_length(source, target, locale)
    issues += check_sentences(source, target, locale)
    issues += check_ending(source, target, locale)
    return issues


class CheckMemo:
    """The issues of English/translation pairs checked before, by a hash of the pair, for one locale,
    one glossary and this version of the checks (the caller keys a stored memo by those): a library's
    catalogue of 150,000 entries is checked again after one entry changes, and only that entry costs
    anything. ``used`` holds every pair asked for in this run: what is worth keeping."""

    def __init__(self, known: dict[bytes, list[Issue]] | None = None) -> None:
        self.known = known or {}
        self.used: dict[bytes, list[Issue]] = {}

    def issues(self, source: str, target: str, locale: str, glossary: Glossary | None) -> list[Issue]:
        pair = f"{source}\0{target}".encode("utf-8", "surrogatepass")
        key = hashlib.blake2b(pair, digest_size=16).digest()
        found = self.known.get(key)
        if found is None:
            found = check_entry(source, target, locale, glossary)
        self.used[key] = found
        return found


@functools.cache
def checks_code_key() -> str:
    """A hash of the code the checks run (the checks and the text helpers they use): a memo made by
    other code is not used."""
    package = Path(__file__).resolve().parent.parent
    sha = hashlib.sha256()
    for folder in ("checks", "text"):
        for path in sorted((package / folder).glob("*.py")):
            sha.update(path.name.encode() + b"\0" + path.read_bytes())
    sha.update((package / "content" / "settings.py").read_bytes())
    return sha.hexdigest()[:32]


def _pairs(message: Message, nplurals: int) -> Iterable[tuple[str, str]]:
    """(English, translation) for each msgstr: [0] against msgid, the rest against msgid_plural."""
    if isinstance(message.id, str):
        string = message.string
        if isinstance(string, (tuple, list)):
            string = string[0] if string else ""
        yield message.id, string or ""
        return
    singular, plural = message.id[0], message.id[1] if len(message.id) > 1 else message.id[0]
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    for index, string in enumerate(strings):
        yield (plural if index or nplurals == 1 else singular), string or ""


def check_catalog(
    catalog: Catalog,
    path: Path,
    locale: str,
    glossary: Glossary | None = None,
    template: Catalog | None = None,
    memo: CheckMemo | None = None,
) -> list[Finding]:
    """Findings for every translated entry (drafts too) and the catalogue-level checks.

    ``template`` (the ``handouts.pot`` Catalog), when given, lets the check see entries the
    catalogue lacks altogether. ``memo`` answers pairs checked before (it must be this locale's and
    this glossary's)."""
    memo = memo if memo is not None else CheckMemo()
    file = str(path)
    findings: list[Finding] = []
    nplurals = getattr(catalog, "num_plurals", 2) or 2
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        seen: set[Issue] = set()
        for source, target in _pairs(message, nplurals):
            if not target:
                continue
            for found in memo.issues(source, target, locale, glossary):
                if found not in seen:
                    seen.add(found)
                    check, severity, text = found
                    findings.append(
                        Finding(check, severity, text, file, message.lineno, msgid, message.context)
                    )
    findings += _emergency_findings(catalog, file, template)
    return sorted(findings, key=lambda f: (f.line is None, f.line or 0))


def _emergency_findings(catalog: Catalog, file: str, template: Catalog | None) -> list[Finding]:
    severity = CHECKS["emergency-number"][0]
    wanted = [
        (m.id if isinstance(m.id, str) else m.id[0], m.context, m)
        for m in (template if template is not None else catalog)
        if m.id
    ]
    findings = []
    for msgid, context, source in wanted:
        if EMERGENCY_PLACEHOLDER not in msgid:
            continue
        message = catalog.get(msgid, context=context) if template is not None else source
        if message is None:
            text = (
                f"this {EMERGENCY_PLACEHOLDER} sentence is missing from the catalogue; run "
                "`generate.py catalogs update`, then translate it"
            )
            findings.append(Finding("emergency-number", severity, text, file, None, msgid, context))
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not any(s and s.strip() for s in strings):
            text = (
                f"this {EMERGENCY_PLACEHOLDER} sentence is not translated; translate it first, "
                "it tells patients when to call"
            )
        elif not all(EMERGENCY_PLACEHOLDER in s for s in strings if s):
            text = (
                f"the translation drops {EMERGENCY_PLACEHOLDER}; put it back so the sheet prints "
                "the emergency number"
            )
        else:
            continue
        findings.append(Finding("emergency-number", severity, text, file, message.lineno, msgid, context))
    return findings
