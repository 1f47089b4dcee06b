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

Everything runs offline.  The statistics are in :mod:`handoutgen.text.readability` and
:mod:`handoutgen.text.syllables`, the rules in :mod:`~handoutgen.checks.handout_rules` and
:mod:`~handoutgen.checks.plain_language`, the report in :mod:`~handoutgen.checks.report`.
Spanish translations get a Fernández-Huerta score as information for reviewers.

Thresholds, word lists and severities live in ``literacy.yaml`` (see :func:`load_literacy_config`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from handoutgen.checks.handout_rules import HandoutChecker, units
from handoutgen.checks.report import HandoutLiteracy, LiteracyReport, LocaleScore
from handoutgen.content.handout import Handout
from handoutgen.content.settings import LiteracyConfig
from handoutgen.content.settings import load_literacy_config as load_literacy_config  # read in content/
from handoutgen.content.yamldoc import display_path
from handoutgen.text.locales import language
from handoutgen.text.readability import LOCALE_FORMULAS

# -- entry points ---------------------------------------------------------------------------------


def check_handout(
    handout: Handout,
    config: LiteracyConfig,
    *,
    file: str | None = None,
    translations: Mapping[str, Mapping[tuple[str | None, str], str]] | None = None,
) -> HandoutLiteracy:
    """Scores and findings for one handout; ``file`` is how findings name it (default: its source)."""
    result = HandoutChecker(handout, config, file or str(handout.source)).run()
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
    prose = [u.text for u in units(handout) if not u.heading]
    scores = []
    for lang, table in sorted(translations.items()):
        formula = LOCALE_FORMULAS.get(language(lang))
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
