"""The build: load inputs, then one PDF per handout × locale, written atomically.

    inputs (clinic.yaml, handouts/*.yaml, locales/*.po) ──▶ jobs ──▶ HTML ──▶ PDF ──▶ build/<locale>/<id>.pdf

Each failure is reported with its context (``handout 'aftercare' [es]: …``); the build finishes what it
can and fails at the end.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .catalog import load_catalog, po_path, validate_catalog
from .clinic import Clinic, load_clinic
from .content import Handout, load_handouts
from .errors import CatalogError, HandoutError, RenderError
from .fsutil import write_bytes_atomic, write_text_atomic
from .i18n import CatalogTranslations, PseudoTranslations, SourceTranslations
from .locales import LocaleInfo, locale_info
from .render import Project, html_to_pdf, make_environment, render_html


@dataclass
class Inputs:
    """Everything a render reads, loaded and validated once."""

    project: Project
    clinic: Clinic
    handouts: list[Handout]
    catalogs: dict[str, Any] = field(default_factory=dict)

    def handout(self, handout_id: str) -> Handout:
        return next(h for h in self.handouts if h.id == handout_id)

    def translations(self, locale: LocaleInfo):
        if locale.is_source:
            return SourceTranslations()
        if locale.pseudo:
            return PseudoTranslations()
        if locale.code not in self.catalogs:
            path = po_path(self.project.locales, locale.code)
            catalog = load_catalog(path, locale.babel_code)
            problems = validate_catalog(catalog, path.relative_to(self.project.root), locale.code)
            if problems:
                raise CatalogError(problems=problems)
            self.catalogs[locale.code] = catalog
        return CatalogTranslations(self.catalogs[locale.code])


def load_inputs(root: Path) -> Inputs:
    project = Project(Path(root).resolve())
    clinic = load_clinic(project.clinic_file, project.root)
    handouts = load_handouts(project.handouts, set(clinic.placeholders()), project.root)
    return Inputs(project, clinic, handouts)


@dataclass(frozen=True)
class Job:
    handout_id: str
    locale: str

    @property
    def label(self) -> str:
        return f"handout '{self.handout_id}' [{self.locale}]"

    def pdf_path(self, build: Path) -> Path:
        return build / self.locale / f"{self.handout_id}.pdf"

    def html_path(self, build: Path) -> Path:
        return build / "html" / self.locale / f"{self.handout_id}.html"


@dataclass
class Outcome:
    job: Job
    path: Path | None = None
    pages: int = 0
    size: int = 0
    draft: str | None = None  # why it carries the DRAFT mark
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class BuildOptions:
    locales: tuple[str, ...] = ()
    handouts: tuple[str, ...] = ()
    write_html: bool = False
    strict: bool = False
    final_only: bool = False


def draft_reason(lookup) -> str | None:
    counts = lookup.counts()
    parts = [f"{n} {state.value}" for state, n in counts.items() if n and not state.final]
    return ", ".join(parts) if parts else None


def render_job(inputs: Inputs, job: Job, options: BuildOptions, env=None, font_config=None) -> Outcome:
    """Render one handout in one locale to ``build/``; never leaves a partial file."""
    started = time.perf_counter()
    outcome = Outcome(job)
    try:
        locale = locale_info(job.locale)
        handout = inputs.handout(job.handout_id)
        env = env or make_environment(inputs.project)
        translations = inputs.translations(locale)
        html = render_html(inputs.project, env, handout, inputs.clinic, locale, translations)
        lookup = translations.lookup
        if lookup.missing:
            sample = "; ".join(repr(k[0][:50]) for k in lookup.missing[:3])
            raise CatalogError(f"{job.label}: {len(lookup.missing)} strings have no translation ({sample}…); "
                               f"translate them in {po_path(inputs.project.locales, job.locale).relative_to(inputs.project.root)} "
                               f"or run `generate.py translate {job.locale}`")
        reason = draft_reason(lookup)
        if reason:
            if options.final_only:
                outcome.draft = reason
                outcome.error = None
                outcome.warnings.append(f"{job.label}: skipped (--final-only): {reason}")
                return outcome
            html = render_html(inputs.project, env, handout, inputs.clinic, locale, translations, draft_reason=reason)
            outcome.draft = reason
        if options.write_html:
            write_text_atomic(job.html_path(inputs.project.build), html)
        pdf = html_to_pdf(inputs.project, html, job.label, locale, font_config)
        if pdf.pages > handout.pages:
            message = f"{job.label}: {pdf.pages} pages, over its page budget of {handout.pages} (pages: in {handout.source.name}); shorten the text or raise the budget"
            if options.strict:
                raise RenderError(message)
            outcome.warnings.append(message)
        path = job.pdf_path(inputs.project.build)
        write_bytes_atomic(path, pdf.data)
        outcome.path, outcome.pages, outcome.size = path, pdf.pages, len(pdf.data)
    except HandoutError as exc:
        outcome.error = str(exc)
    outcome.seconds = time.perf_counter() - started
    return outcome


def plan_jobs(inputs: Inputs, options: BuildOptions) -> list[Job]:
    locales = options.locales or inputs.clinic.locales
    for code in locales:
        locale_info(code)  # an unknown code is an error before any work
    known = {h.id for h in inputs.handouts}
    unknown = [h for h in options.handouts if h not in known]
    if unknown:
        raise HandoutError(f"unknown handout id(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    ids = options.handouts or tuple(h.id for h in inputs.handouts)
    return [Job(h, code) for code in locales for h in ids]


def build(root: Path, options: BuildOptions, report: Callable[[str], None] | None = None) -> list[Outcome]:
    """Build every planned PDF, one after another, reporting each as it finishes."""
    report = report or (lambda line: print(line, file=sys.stderr))
    inputs = load_inputs(root)
    jobs = plan_jobs(inputs, options)
    env = make_environment(inputs.project)
    font_config = _font_config()
    outcomes = []
    for index, job in enumerate(jobs, 1):
        outcome = render_job(inputs, job, options, env, font_config)
        outcomes.append(outcome)
        report(describe(outcome, inputs.project.root, index, len(jobs)))
    return outcomes


def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def describe(outcome: Outcome, root: Path, index: int, total: int) -> str:
    prefix = f"[{index}/{total}]"
    if outcome.error:
        return f"{prefix} error: {outcome.error}"
    if outcome.path is None:
        return f"{prefix} " + "; ".join(outcome.warnings)
    rel = os.path.relpath(outcome.path, root)
    line = f"{prefix} {rel}: {outcome.pages} page{'s' if outcome.pages != 1 else ''}, {outcome.size // 1024} KiB, {outcome.seconds:.1f} s"
    if outcome.draft:
        line += f" (DRAFT: {outcome.draft})"
    for warning in outcome.warnings:
        line += f"\n  warning: {warning}"
    return line
