"""``check``: every validation the build makes before WeasyPrint, with nothing written but the cache.

The catalogues as the build's update would merge them (in memory), each sheet prepared as the build
prepares it, the translation checks, the stylesheets, the plain-language checks of the English.
What was learnt last time is used again while its inputs' bytes are the same (see
:mod:`handoutgen.build.sheetcache`); the output is the same with the cache as without it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutgen.build.run import (
    BuildOptions,
    BuildRun,
    Job,
    Outcome,
    _refresh_catalogs,
    _report_unbuilt,
    plan_jobs,
    prepare_job,
)
from handoutgen.build.sheetcache import (
    Cache,
    CachedInputs,
    LocaleReport,
    Progress,
    SheetStore,
    Summary,
    key_of,
    lines_of,
    load_inputs_cached,
    load_report,
    load_summary,
    make_summary,
    report_of,
    shared_key,
    summary_key,
    whole_key,
)
from handoutgen.catalogs.states import State
from handoutgen.errors import HandoutError, Problem
from handoutgen.text.locales import locale_info


@dataclass
class Validation:
    """What ``check`` found by preparing every sheet as the build does."""

    inputs: CachedInputs
    cache: Cache
    reports: dict[str, LocaleReport] = field(default_factory=dict)  # per locale with a catalogue
    keys: dict[str, str] = field(default_factory=dict)  # per locale: its summary key ("" when merged)
    errors: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    def lines(self, code: str) -> str:
        """The locale's findings as printed, one a line (read from the cache when kept apart)."""
        return lines_of(self.inputs, self.cache, code, self.reports[code])

    def failed(self, strict: bool = False) -> bool:
        translation_errors = any(r.errors for r in self.reports.values())
        warnings = any(r.warnings for r in self.reports.values())
        return bool(self.errors or translation_errors or (strict and (warnings or self.waiting)))


def validate_sheets(
    root: Path,
    locales: tuple[str, ...] = (),
    *,
    strict: bool = False,
    report: Callable[[str], None] | None = None,
) -> Validation:
    """Every validation the build makes before WeasyPrint, with nothing written: the catalogues as
    the build's update would merge them (in memory), each sheet's HTML, the translation checks.
    ``report`` gets a progress line every few seconds on a long run (default: stderr)."""
    from handoutgen.build.hashes import hashes_of
    from handoutgen.catalogs.store import locales_on_disk

    cache = Cache(root)
    inputs = load_inputs_cached(root, cache)
    merged = _merge_in_memory(inputs)
    codes = tuple(locales) or tuple(
        dict.fromkeys([*inputs.clinic.locales, *locales_on_disk(inputs.project.locales)])
    )
    result, run = Validation(inputs, cache), BuildRun()
    whole = None if merged else whole_key(inputs, cache, codes)  # a merge in memory: none kept
    stored = cache.read("check-sheets") if whole else None
    if isinstance(stored, tuple) and stored[0] == whole:  # every key the outcomes came from is the same
        run.outcomes, problems, result.keys = stored[1], stored[2], dict(stored[3])
        result.reports = {code: load_report(inputs, cache, code) for code in result.keys}
    else:
        problems = _check_sheets(inputs, cache, codes, merged, result, run, report)
        catalogues = {c for c in codes if not (locale_info(c).is_source or locale_info(c).pseudo)}
        if whole and set(result.keys) == catalogues:  # each summarised (else: read again every time)
            cache.write("check-sheets", (whole, run.outcomes, problems, result.keys))
    hashes_of(root).save()
    inputs.problems[:] = problems
    lines: list[str] = []
    _report_unbuilt(inputs, run, lines.append)
    result.errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    result.errors.extend(stylesheet_errors(inputs, cache))  # as the build checks them before rendering
    result.waiting = run.waiting
    _unsummarised_findings(inputs, codes, result)
    result.reports = {c: result.reports[c] for c in codes if c in result.reports}
    return result


def _check_sheets(
    inputs: CachedInputs,
    cache: Cache,
    codes: tuple[str, ...],
    merged: set[str],
    result: Validation,
    run: BuildRun,
    report: Callable[[str], None] | None,
) -> list[Problem]:
    """Every sheet of every locale, from its record or prepared (:class:`_Checker`); the broken
    approval records found."""
    jobs = plan_jobs(inputs, BuildOptions(locales=codes, strict=False))
    store = SheetStore(cache)
    checker = _Checker(inputs, cache, store, run, Progress("check", len(jobs), report))
    problems: list[Problem] = []
    for code in codes:
        problems += checker.locale(code, [j for j in jobs if j.locale == code], code in merged, result)
        if code in result.reports:  # summarised: let go (a merge in memory is made again if asked for)
            inputs.forget(code)
    store.save()
    return problems


def _unsummarised_findings(inputs: CachedInputs, codes: tuple[str, ...], result: Validation) -> None:
    """A catalogue that was read but could not be summarised: its findings as the build finds them
    (which raises what the build raises, a broken glossary for one)."""
    from handoutgen.catalogs.store import plural_note

    for code in codes:
        locale = locale_info(code)
        if locale.is_source or locale.pseudo or code in result.reports or code not in inputs.catalogs:
            continue
        note = plural_note(inputs.catalogs[code], code)
        result.reports[code], result.keys[code] = LocaleReport.of(inputs.findings(locale), note=note), ""


@dataclass
class _Locale:
    """One locale as ``check`` goes through it: its summary key, and its summary once needed."""

    code: str
    merged: bool  # its catalogue is the update's merge, in memory: no record is read or kept
    key: str = ""  # the summary key ("" for the English and the pseudo-locale)
    kind: str = "catalog"
    summary: Summary | None = None
    broken: bool = False  # it cannot be summarised: every sheet is prepared, as the build would


class _Checker:
    """Prepares a locale's sheets, or takes their outcome from the records."""

    def __init__(
        self, inputs: CachedInputs, cache: Cache, store: SheetStore, run: BuildRun, progress
    ) -> None:
        self.inputs, self.cache, self.store, self.run, self.progress = inputs, cache, store, run, progress
        self.shared = shared_key(inputs)
        self.env: Any = None
        self.options = BuildOptions(strict=False)

    def locale(self, code: str, jobs: list[Job], merged: bool, result: Validation) -> list[Problem]:
        """Every sheet of one locale; returns the locale's broken approval records (reported once)."""
        before = len(self.inputs.problems)
        info = locale_info(code)
        here = _Locale(code, merged)
        if info.is_source or info.pseudo:
            here.kind = "source" if info.is_source else "pseudo"
        elif not merged:
            here.key = summary_key(self.inputs, code)
        for job in jobs:
            self.progress.step()
            self._sheet(job, here)
        if here.kind != "catalog" or here.broken:
            return self.inputs.problems[before:]
        try:
            summary = here.summary
            if summary is not None and here.merged:  # a merge in memory: its report is not kept
                report = report_of(summary)
            else:
                report = load_report(self.inputs, self.cache, code)
        except HandoutError:
            return self.inputs.problems[before:]
        result.reports[code], result.keys[code] = report, here.key
        if code not in self.inputs.approvals:  # not read this run: the summary's records say it
            return list(report.problems)
        return self.inputs.problems[before:]

    def _full(self, here: _Locale) -> Summary | None:
        """The locale's summary with its tables (None when it cannot be made), made once."""
        if here.summary is None and not here.broken:
            try:
                if here.merged or here.kind != "catalog":
                    here.summary = make_summary(self.inputs, here.code)
                else:
                    here.summary, _ = load_summary(self.inputs, self.cache, here.code)
            except HandoutError:
                here.broken = True
        return here.summary

    def _sheet(self, job: Job, here: _Locale) -> None:
        """One sheet: its recorded outcome while nothing it depends on changed, else prepared."""
        sheet = key_of(self.shared, self.inputs.content[job.handout_id], job.locale)
        record = None if here.merged else self.store.get("check", job.locale, sheet)
        if record is not None and record[1] == here.key:
            self.store.keep("check", job.locale, sheet, record)
            return self._append(_outcome(job, record[3]))
        full = self._full(here)
        if full is None:
            return self._append(self._prepare(job))
        if record is not None and full.check_print(self.store.keys(record)) == record[2]:
            self.store.keep("check", job.locale, sheet, (record[0], here.key, *record[2:]))
            return self._append(_outcome(job, record[3]))
        prepared = self._prepare(job)
        keys = tuple(self.inputs.handed_out[0].lookup.used) if self.inputs.handed_out else ()
        if not here.merged:
            self.store.put(
                "check", job.locale, sheet, keys, here.key, full.check_print(keys), _kept(prepared)
            )
        return self._append(prepared)

    def _prepare(self, job: Job) -> Any:
        from handoutgen.render.html import make_environment

        self.env = self.env or make_environment(self.inputs.project)
        self.inputs.handed_out = []
        return prepare_job(self.inputs, job, self.options, self.env)

    def _append(self, prepared: Any) -> None:
        if isinstance(prepared, Outcome):
            self.run.outcomes.append(prepared)


def _kept(prepared: Any) -> tuple | None:
    """What ``check`` reports of a prepared sheet: nothing, or its error, exit code and missing entries."""
    if not isinstance(prepared, Outcome):
        return None
    missing = tuple(k for k, state in prepared.used.items() if state is State.MISSING)
    return (prepared.error, prepared.error_code, prepared.waiting, missing)


def _outcome(job: Job, kept: tuple | None) -> Outcome | None:
    if kept is None:
        return None
    error, code, waiting, missing = kept
    return Outcome(
        job, error=error, error_code=code, waiting=waiting, used=dict.fromkeys(missing, State.MISSING)
    )


def _merge_in_memory(inputs: CachedInputs) -> set[str]:
    """The build's catalogue update, in memory: the locales whose catalogue it would change (each
    merged again when asked for once let go: ``Inputs.merge_later``). The update itself skips the
    merge when every catalogue, with its records, was found to need no change with this very English
    last time."""
    _refresh_catalogs(inputs, lambda line: None, write=False)
    return set(inputs.merge_later)


def stylesheet_errors(inputs: CachedInputs, cache: Cache) -> list[str]:
    """The stylesheets' problems as the build checks them (this imports WeasyPrint), kept by the
    templates', assets' and renderer's hashes."""
    key = shared_key(inputs)
    stored = cache.read("stylesheets")
    if isinstance(stored, tuple) and stored[0] == key:
        return list(stored[1])
    from handoutgen.render.css import check_stylesheets

    lines = [line for error in check_stylesheets(inputs.project) for line in str(error).splitlines()]
    cache.write("stylesheets", (key, lines))
    return lines


def literacy_report(result: Validation, config: Any) -> Any:
    """The plain-language report of every handout (``checks.literacy.check_handouts`` with the
    catalogues' translations): a handout's checks kept by its file and ``literacy.yaml``, its
    translation scores by the file and the locale's summary key."""
    from handoutgen.checks.literacy import check_handout
    from handoutgen.checks.report import LiteracyReport
    from handoutgen.content.yamldoc import display_path
    from handoutgen.text.locales import language
    from handoutgen.text.readability import LOCALE_FORMULAS

    inputs, root = result.inputs, result.inputs.project.root
    stored = result.cache.read("literacy") or {}
    fresh: dict[str, Any] = {}
    scored = sorted(c for c in result.reports if language(c) in LOCALE_FORMULAS)
    tables: dict[str, dict] = {}
    handouts = []
    for listed in inputs.handouts:
        base_key = key_of(inputs.file_keys[listed.id], inputs.file_sha(root / "literacy.yaml"))
        base = stored.get(base_key) or check_handout(
            inputs.handout(listed.id), config, file=display_path(listed.source, root)
        )
        fresh[base_key] = base
        scores: list[Any] = []
        for code in scored:
            score_key = key_of(base_key, code, result.keys[code])
            found = stored.get(score_key) if result.keys[code] else None
            if found is None:
                found = _scores(inputs, inputs.handout(listed.id), code, tables)
            fresh[score_key] = found
            scores += found
        handouts.append(dataclasses.replace(base, locales=scores))
    if fresh.keys() != stored.keys():
        result.cache.write("literacy", fresh)
    return LiteracyReport(handouts)


def _scores(inputs: CachedInputs, handout: Any, code: str, tables: dict[str, dict]) -> list:
    from handoutgen.checks.literacy import locale_scores, translations_from_catalog

    if code not in tables:
        if code not in inputs.catalogs:
            inputs.translations(locale_info(code))
        tables[code] = translations_from_catalog(inputs.catalogs[code])
    return locale_scores(handout, {code: tables[code]})
