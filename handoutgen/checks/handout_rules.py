"""The plain-language rules over one handout: reading grade per handout and section, every
sentence rule (see :mod:`~handoutgen.checks.plain_language`), jargon explained where it first
appears, and structure after AHRQ's PEMAT-P and the CDC Clear Communication Index (a stated
purpose, informative headings, a concrete action, a "when to get help" section with the emergency
number, a short summary or key points)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from handoutgen.checks.findings import Finding
from handoutgen.checks.plain_language import is_action, jargon_uses, sentence_findings
from handoutgen.checks.report import HandoutLiteracy, SectionScore
from handoutgen.content.handout import Block, Handout, Section, Text
from handoutgen.content.settings import LITERACY_RULES, LiteracyConfig
from handoutgen.text.readability import (
    Readability,
    heading_key,
    plain_text,
    readability,
    sentences_of,
    tokenize,
)

# -- walking a handout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One string with what it is on the page."""

    text: Text
    section: int | None  # index into handout.sections; None for title/summary/audience
    heading: bool  # titles are labels, not prose: linted but not scored
    help: bool  # inside "when to get help"


def units(handout: Handout) -> Iterator[Unit]:
    """Every printed string in reading order (the order of ``Handout.texts``), with its place; the
    sources, the reviewer and icons' text alternatives are citations and labels, not prose: left out."""
    yield Unit(handout.title, None, True, False)
    yield Unit(handout.summary, None, False, False)
    yield Unit(handout.audience, None, False, False)
    for index, section in enumerate(handout.sections):
        is_help = section.kind == "when_to_get_help"
        if section.title:
            yield Unit(section.title, index, True, is_help)
        for text in _block_texts(section.body):
            yield Unit(text, index, False, is_help)
        for item in section.items:
            yield Unit(item.question, index, False, is_help)
            for text in _block_texts(item.answer):
                yield Unit(text, index, False, is_help)
        for text in _block_texts(section.urgent) + _block_texts(section.emergency):
            yield Unit(text, index, False, is_help)


def _block_texts(blocks: Iterable[Block]) -> list[Text]:
    """The printed words of blocks (an icon's text alternative is not prose: it is not scored)."""
    return [text for block in blocks for text in block.words()]


def _heading(section: Section) -> str:
    return section.title.text if section.title else section.kind.replace("_", " ")


# -- the checker ----------------------------------------------------------------------------------


class HandoutChecker:
    """Runs every rule over one handout and collects findings."""

    def __init__(self, handout: Handout, config: LiteracyConfig, file: str) -> None:
        self.handout = handout
        self.config = config
        self.file = file
        self.units = list(units(handout))
        self.findings: list[Finding] = []

    def add(self, rule: str, line: int | None, path: str, message: str, severity: str | None = None) -> None:
        """Record a finding at the configured severity (or ``severity``); rules set ``off`` say nothing."""
        level = severity or self.config.severity.get(rule, LITERACY_RULES[rule][0])
        if level != "off":
            self.findings.append(Finding(rule, level, message, self.file, line, path=path))

    def run(self) -> HandoutLiteracy:
        """Every rule, then the scores and findings, findings in the order of the file."""
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
        """Readability of the text at the top, then of each section (headings are not scored)."""
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
        """Every sentence rule on every sentence of every string."""
        for unit in self.units:
            for sentence in sentences_of(unit.text.text):
                for rule, message in sentence_findings(sentence, self.config):
                    self.add(rule, unit.text.line, unit.text.path, message)

    def check_jargon(self) -> None:
        """Each jargon term once per string, unless explained there or earlier."""
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
        """The rules about the handout as a whole (PEMAT-P, CDC Clear Communication Index)."""
        self.check_purpose()
        self.check_headings()
        self.check_action()
        self.check_help()
        self.check_summary()

    def check_purpose(self) -> None:
        """The summary says what the handout is for."""
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
        """Every heading names its topic or action."""
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
        """At least one concrete action for the reader outside the warning signs."""
        has_steps = any(b.kind in ("steps", "checklist") for s in self.handout.sections for b in s.body)
        prose = [u for u in self.units if not u.heading and not u.help and u.section is not None]
        if has_steps or any(is_action(s, self.config) for u in prose for s in sentences_of(u.text.text)):
            return
        self.add(
            "no-action",
            self.handout.id_line,
            "sections",
            "no sentence tells the reader what to do (outside the warning signs); "
            "add at least one clear action such as 'Drink water after your visit.'",
        )

    def check_help(self) -> None:
        """A "when to get help" section that gives the emergency number."""
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
                    f"say when to call {placeholder}, "
                    f"e.g. 'Call {placeholder} right away if you have chest pain.'",
                )

    def check_summary(self) -> None:
        """A short summary, or a key-points section when the summary is long."""
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
            f"the summary has {words} words (limit {self.config.summary_max_words}) and there is no "
            "key-points section; shorten the summary or add a section titled 'The main points'",
        )


def _is_generic_heading(text: str, config: LiteracyConfig) -> bool:
    key = heading_key(text)
    return (
        not key
        or key in config.generic_headings
        or bool(re.fullmatch(r"(section|part|chapter|page)?\s*\d+", key))
    )
