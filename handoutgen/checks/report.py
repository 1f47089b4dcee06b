"""The plain-language report: scores per handout, section and translation, the findings, and
how they print (findings as compiler messages, scores as text, a Markdown table)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from handoutgen.checks.findings import Finding
from handoutgen.text.readability import Readability


@dataclass(frozen=True)
class SectionScore:
    index: int | None  # None for the text at the top (summary, audience)
    kind: str
    heading: str
    line: int
    readability: Readability


@dataclass(frozen=True)
class LocaleScore:
    """A translation's readability, for reviewers only: it never fails a check."""

    lang: str
    formula: str
    score: float | None
    translated: int  # strings with a translation
    total: int


@dataclass
class HandoutLiteracy:
    handout_id: str
    file: str
    readability: Readability
    sections: list[SectionScore]
    findings: list[Finding]
    locales: list[LocaleScore] = field(default_factory=list)

    def counts_by_rule(self) -> Counter[str]:
        """How many findings each rule made."""
        return Counter(f.rule for f in self.findings)


@dataclass
class LiteracyReport:
    handouts: list[HandoutLiteracy]

    @property
    def findings(self) -> list[Finding]:
        """Every handout's findings, handout by handout."""
        return [f for h in self.handouts for f in h.findings]

    def count(self, severity: str) -> int:
        """How many findings have this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        """True when ``check`` must exit non-zero: any error, or with ``--strict`` any warning."""
        return self.count("error") > 0 or (strict and self.count("warning") > 0)

    def format_findings(self) -> str:
        """One line per finding, then the totals."""
        lines = [str(f) for f in self.findings]
        lines.append(
            f"{self.count('error')} error(s), {self.count('warning')} warning(s), "
            f"{self.count('info')} note(s)"
        )
        return "\n".join(lines)

    def format_scores(self) -> str:
        """Per handout and per section: grade, reading ease, longest sentence (plain text)."""
        lines = []
        for h in self.handouts:
            lines.append(
                f"{h.file}: {_score_text(h.readability)}"
                + "".join(
                    f"; {s.lang} {s.formula} {s.score:.0f} ({s.translated}/{s.total} translated)"
                    for s in h.locales
                    if s.score is not None
                )
            )
            for s in h.sections:
                lines.append(f"  {s.line}: {s.heading}: {_score_text(s.readability)}")
        return "\n".join(lines)

    def format_table(self) -> str:
        """Markdown: handout × grade, reading ease, longest sentence, findings by rule."""
        rows = [
            "| handout | grade | reading ease | longest sentence (words) | findings by rule |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for h in self.handouts:
            counts = h.counts_by_rule()
            by_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "none"
            r = h.readability
            rows.append(
                f"| {h.handout_id} | {r.grade:.1f} | {r.ease:.1f} | {r.longest_sentence} | {by_rule} |"
            )
        return "\n".join(rows)


def _score_text(r: Readability) -> str:
    return (
        f"grade {r.grade:.1f}, reading ease {r.ease:.0f}, {r.words} words, "
        f"{r.sentences} sentences, longest {r.longest_sentence} words"
    )
