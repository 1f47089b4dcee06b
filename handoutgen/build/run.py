"""The build: load inputs, then one PDF per handout × locale, written atomically.

    inputs (clinic.yaml, handouts/*.yaml, locales/*.po) ──▶ jobs ──▶ HTML ──▶ PDF ──▶ build/<locale>/<id>.pdf

Each failure is reported with its context (``handout 'aftercare' [es]: …``); the build finishes what it
can and fails at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import jinja2

from handoutgen.build.manifest import environment_digest
from handoutgen.build.workers import Renderer
from handoutgen.catalogs.approvals import Approvals, load_approvals, without_overridden
from handoutgen.catalogs.lookup import (
    CatalogTranslations,
    PseudoTranslations,
    SourceTranslations,
)
from handoutgen.catalogs.states import State
from handoutgen.catalogs.store import load_catalog, po_path, validate_catalog
from handoutgen.content.clinic import Clinic, load_clinic
from handoutgen.content.handout import Handout, load_handouts
from handoutgen.content.reviewers import Reviewers, load_reviewers
from handoutgen.errors import CatalogError, HandoutError, Problem, ReviewError, TemplateError
from handoutgen.fsutil import exclusive_lock, write_bytes_atomic, write_text_atomic
from handoutgen.project import Project, git_commit
from handoutgen.render.html import SourceLabels, install_translations, make_environment, render_html
from handoutgen.text.locales import LocaleInfo, language, locale_info


class HandoutFile(Protocol):
    """What every list of handouts knows of each without parsing it: ``Inputs.handout(id)`` gives the
    parsed handout."""

    @property
    def id(self) -> str: ...

    @property
    def source(self) -> Path: ...


@dataclass
class Inputs:
    """Everything a render reads, loaded and validated once."""

    project: Project
    clinic: Clinic
    handouts: Sequence[HandoutFile]
    catalogs: dict[str, Any] = field(default_factory=dict)
    approvals: dict[str, Approvals] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # broken approval records, reported once
    _reviewers: Reviewers | None = None
    _unreadable: dict[str, CatalogError] = field(default_factory=dict)  # why a catalogue cannot be used
    _findings: dict[str, dict] = field(default_factory=dict)
    _shared_parts: dict[str, str] | None = None
    _check_references: tuple | None = None
    _by_id: dict[str, Handout] | None = None
    content: dict[str, str] = field(default_factory=dict)  # handout id -> manifest.handout_digest
    # catalogues the build's update read and left as they were: not read a second time
    read_ahead: dict[str, Any] = field(default_factory=dict)
    # an update in memory (--explain, check): the locales whose catalogue it changes, merged again
    # from this template when asked for after being let go
    merge_later: set[str] = field(default_factory=set)
    merge_template: Any = None

    def handout(self, handout_id: str) -> Handout:
        """By id, from an index made once (a search of the list per sheet made planning quadratic)."""
        if self._by_id is None:
            self._by_id = {}
            for handout in self.handouts:
                self._by_id.setdefault(handout.id, cast(Handout, handout))
        return self._by_id[handout_id]

    def content_digest(self, handout_id: str) -> str:
        """The handout as parsed, hashed once per build (not once per sheet in every language)."""
        if handout_id not in self.content:
            from handoutgen.build.manifest import handout_digest

            self.content[handout_id] = handout_digest(self.handout(handout_id))
        return self.content[handout_id]

    def translations(self, locale: LocaleInfo):
        if locale.is_source:
            return SourceTranslations()
        if locale.pseudo:
            return PseudoTranslations()
        if locale.code in self._unreadable:  # read once: every sheet gets the same error again
            known = self._unreadable[locale.code]
            raise CatalogError(str(known), known.problems)
        if locale.code not in self.catalogs:
            path = po_path(self.project.locales, locale.code)
            try:
                catalog = self.read_ahead.pop(locale.code, None) or self._read(locale, path)
                problems = validate_catalog(catalog, path.relative_to(self.project.root), locale.code)
                if problems:
                    raise CatalogError(problems=problems)
            except CatalogError as exc:
                self._unreadable[locale.code] = exc
                raise
            self.catalogs[locale.code] = catalog
        if locale.code not in self.approvals:
            self.approvals[locale.code] = self.load_approvals(locale.code)
        return CatalogTranslations(self.catalogs[locale.code], self.approvals[locale.code])

    def _read(self, locale: LocaleInfo, path: Path) -> Any:
        """The catalogue as the build uses it: as on disk, or as the update in memory merges it."""
        if locale.code in self.merge_later:
            from handoutgen.catalogs.store import merge_one

            return merge_one(self.project.root, locale.code, self.merge_template).merged
        return load_catalog(path, locale.babel_code)

    def forget(self, code: str) -> None:
        """Let go of a locale's catalogue, records and findings once nothing more is asked of it (a
        library's catalogues are hundreds of MB each in memory: a run over 20 locales kept them all)."""
        for table in (self.catalogs, self.approvals, self._findings):
            table.pop(code, None)

    def load_approvals(self, code: str) -> Approvals:
        """The locale's approval records; a broken chain is reported and the records after the
        break count for nothing (their entries print as drafts)."""
        if self._reviewers is None:
            self._reviewers = load_reviewers(self.project.root)
        approvals = load_approvals(self.project.root, code, self._reviewers)
        self.problems.extend(approvals.log.problems)
        return approvals

    def shared_parts(self) -> dict[str, str]:
        """Key parts every sheet shares (templates, clinic settings, assets, renderer), hashed once
        per build rather than once per sheet."""
        from handoutgen.build.manifest import digest, files_digest

        if self._shared_parts is None:
            root, clinic = self.project.root, self.clinic
            logo = clinic.logo.relative_to(root).as_posix() if clinic.logo else None
            self._shared_parts = {
                "templates": files_digest(list(self.project.templates.glob("*")), root),
                # the logo's bytes are in "assets"; its project-relative path keeps copies of a project alike
                "clinic": digest(
                    [clinic.placeholders(), clinic.paper, logo, clinic.large_print, clinic.sheet_settings()]
                ),
                "assets": files_digest([p for p in (root / "assets").rglob("*") if p.is_file()], root),
                "renderer": environment_digest(),
            }
        return self._shared_parts

    def findings(self, locale: LocaleInfo) -> dict:
        """Quality-check findings per entry; the English and the pseudo-locale have none."""
        if locale.is_source or locale.pseudo:
            return {}
        if locale.code not in self._findings:
            from handoutgen.checks.runner import check_references, findings_by_key

            self.translations(locale)  # loads and validates the catalogue
            if self._check_references is None:
                self._check_references = check_references(self.project.root)
            path = po_path(self.project.locales, locale.code)
            memo = self._check_memo(locale.code)
            found = findings_by_key(
                self.project.root,
                self.catalogs[locale.code],
                path.relative_to(self.project.root),
                locale.code,
                self._check_references,
                memo,
            )
            self._keep_check_memo(locale.code, memo)
            self._findings[locale.code] = without_overridden(
                found, self.catalogs[locale.code], self.approvals[locale.code]
            )
        return self._findings[locale.code]

    def _memo_key(self, code: str) -> str:
        from handoutgen.build.sheetcache import file_sha, key_of
        from handoutgen.checks.translation import checks_code_key

        return key_of(code, file_sha(self.project.root / "glossary.yaml"), checks_code_key())

    def _check_memo(self, code: str):
        """The pairs this locale's checks answered before (``.cache/status/``), with this glossary
        and this code; none for a project whose cache cannot be used."""
        from handoutgen.build.sheetcache import Cache
        from handoutgen.checks.translation import CheckMemo

        stored = Cache(self.project.root).read(f"checks-{code}")
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self._memo_key(code):
            return CheckMemo(stored[1])
        return CheckMemo()

    def _keep_check_memo(self, code: str, memo) -> None:
        """Kept: the pairs this catalogue holds now (written only when they changed)."""
        from handoutgen.build.sheetcache import Cache

        if memo.used.keys() != memo.known.keys():
            Cache(self.project.root).write(f"checks-{code}", (self._memo_key(code), memo.used))


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
    error_code: int = 1  # the exit code of the error's kind (2 template, 3 catalogue, 5 render…)
    seconds: float = 0.0
    waiting: int = 0  # strings with no translation yet: the sheet waits for a translator
    used: dict = field(default_factory=dict)  # entry key -> state, for the locale summary


@dataclass
class BuildOptions:
    locales: tuple[str, ...] = ()
    handouts: tuple[str, ...] = ()
    write_html: bool = False
    strict: bool = False
    final_only: bool = False
    update_catalogs: bool = True  # merge edited English into the catalogues before building


def draft_reason(lookup, findings: dict | None = None) -> str | None:
    """Why a sheet is not final: entries not reviewed, or reviewed entries failing an error check."""
    counts = lookup.counts()
    parts = [f"{n} {state.value}" for state, n in counts.items() if n and not state.final]
    failing = [k for k in lookup.used if any(f.severity == "error" for f in (findings or {}).get(k, ()))]
    if failing:
        parts.append(f"{len(failing)} failing checks")
    return ", ".join(parts) if parts else None


@dataclass
class Prepared:
    """A sheet ready for WeasyPrint: its HTML and the hashes of everything it was made from."""

    job: Job
    html: str
    parts: dict[str, str]
    budget: int
    budget_file: str
    fonts: tuple[str, ...]
    outcome: Outcome
    print_record: dict[str, Any] | None = None  # for a final sheet: what it says, who approved it
    screen_html: str | None = None  # with --html: the sheet as a web page (render/portal.py)
    read: tuple = ()  # every catalogue entry its Jinja passes looked up, in order


def prepare_job(inputs: Inputs, job: Job, options: BuildOptions, env) -> Prepared | Outcome:
    """Everything up to the HTML; cheap (no WeasyPrint), so staleness can be decided per sheet.
    A sheet that cannot be prepared comes back as an Outcome saying why."""
    outcome = Outcome(job)
    try:
        prepared = _prepare(inputs, job, options, env, outcome)
        if options.write_html and isinstance(prepared, Prepared):
            _add_screen_html(inputs, prepared, env)
        return prepared
    except HandoutError as exc:
        outcome.error, outcome.error_code = str(exc), exc.exit_code
    except (jinja2.TemplateError, RecursionError, UnicodeDecodeError) as exc:
        outcome.error = str(template_problem(exc, inputs.project.root))
        outcome.error_code = TemplateError.exit_code
    return outcome


def _add_screen_html(inputs: Inputs, prepared: Prepared, env) -> None:
    """The sheet as a web page, from what its PDF says (DRAFT or its print identifier); its hash is a
    key part, so a page missing or out of date is rebuilt like a PDF (after the print identifier,
    which stays the same with or without --html)."""
    from handoutgen.render.portal import render_portal

    job, record = prepared.job, prepared.print_record
    locale = locale_info(job.locale)
    translations = inputs.translations(locale)
    html = render_portal(
        inputs.project,
        env,
        inputs.handout(job.handout_id),
        inputs.clinic,
        locale,
        translations,
        draft_reason=prepared.outcome.draft,
        print_id=record["id"] if record else None,
    )
    if translations.lookup.missing:  # the web page's own words must be translated like the sheet's
        raise HandoutError(f"{job.label}: the web page uses text with no translation yet")
    prepared.screen_html = html
    prepared.parts["screen_html"] = hashlib.sha256(html.encode()).hexdigest()[:20]


#: Stands for the print identifier in a sheet's first (and, for a final sheet, only) Jinja pass: the
#: identifier is a hash of that HTML's key parts, filled in afterwards.
PRINT_ID_SLOT = "print-id-slot-7f3c9a1e"


def _prepare(inputs: Inputs, job: Job, options: BuildOptions, env, outcome: Outcome) -> Prepared | Outcome:
    """One Jinja pass for a final sheet (rendered as final, its identifier filled in after), two for a
    draft (rendered again with its DRAFT marks). The entries a sheet uses decide its state."""
    locale = locale_info(job.locale)
    handout = inputs.handout(job.handout_id)
    translations = inputs.translations(locale)
    html = render_html(
        inputs.project, env, handout, inputs.clinic, locale, translations, print_id=PRINT_ID_SLOT
    )
    lookup = translations.lookup
    outcome.used = dict(lookup.used)
    if lookup.missing:  # never a sheet that mixes languages: it waits for its translation
        outcome.waiting = len(lookup.missing)
        return outcome
    findings = inputs.findings(locale)
    if options.strict:
        _refuse_warnings(job, lookup, findings)
    reason = draft_reason(lookup, findings)
    record = None
    if reason:
        outcome.draft = reason
        if options.final_only:
            outcome.warnings.append(f"{job.label}: skipped (--final-only): {reason}")
            return outcome
        html = render_html(
            inputs.project, env, handout, inputs.clinic, locale, translations, draft_reason=reason
        )
        parts = _key_parts(inputs, handout, locale, translations, findings, html)
    else:  # final: the footer and the metadata carry the print identifier
        parts = _key_parts(inputs, handout, locale, translations, findings, html)
        record = _print_record(inputs, job, translations, parts)
        html = html.replace(PRINT_ID_SLOT, record["id"])
        parts["html"] = hashlib.sha256(html.encode()).hexdigest()[:20]
    budget = page_budget(inputs, handout)
    prepared = Prepared(job, html, parts, budget, handout.source.name, locale.fonts, outcome, record)
    prepared.read = tuple(translations.lookup.used)
    return prepared


def _print_record(inputs: Inputs, job: Job, translations: Any, parts: dict[str, str]) -> dict[str, Any]:
    """The print record of a final sheet, less the PDF's hash (added once it is rendered)."""
    from handoutgen.build.prints import print_entries, print_id

    handout = inputs.handout(job.handout_id)
    source = handout.source.relative_to(inputs.project.root).as_posix()
    return {
        "id": print_id(parts, job.handout_id, job.locale),
        "handout": job.handout_id,
        "locale": job.locale,
        "source": {
            "file": source,
            "sha256": hashlib.sha256(handout.source.read_bytes()).hexdigest(),
            "commit": git_commit(inputs.project.root),
        },
        "entries": print_entries(
            translations.lookup,
            getattr(translations, "catalog", None),
            getattr(translations, "approvals", None),
        ),
    }


def _refuse_warnings(job: Job, lookup, findings: dict) -> None:
    """--strict: a sheet using an entry with a check warning is an error."""
    warned = [k for k in lookup.used if any(f.severity == "warning" for f in findings.get(k, ()))]
    if warned:
        raise HandoutError(
            f"{job.label}: {len(warned)} entries have check warnings (--strict); "
            f"see `generate.py check -l {job.locale}`"
        )


def _key_parts(inputs: Inputs, handout, locale: LocaleInfo, translations, findings: dict, html: str) -> dict:
    """What can change this sheet's bytes, hashed: its staleness key (see build/manifest.py)."""
    from handoutgen.build.manifest import entries_digest, fonts_digest

    return {
        "content": inputs.content_digest(handout.id),
        "translations": entries_digest(translations.lookup, getattr(translations, "catalog", None), findings),
        **inputs.shared_parts(),
        "fonts": fonts_digest(locale.fonts),
        "html": hashlib.sha256(html.encode()).hexdigest()[:20],
    }


def template_problem(exc: Exception, root: Path) -> Problem:
    """A Jinja error as ``templates/handout.html.j2:LINE: what (how to fix)``: the line comes from
    the exception for a syntax error, else from the template's frame in the traceback."""
    import jinja2

    where, line = "templates/", getattr(exc, "lineno", None)
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if name:
        where = _project_relative(Path(name), root)
    tb = exc.__traceback__
    while tb is not None:  # Jinja rewrites template frames to carry the template's file and line
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            where, line = _project_relative(Path(code.co_filename), root), tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, RecursionError):
        return Problem(where, line, "a template includes or extends itself without end (fix the template)")
    if isinstance(exc, UnicodeDecodeError):
        return Problem(where, line, f"a template is not UTF-8 text ({exc.reason}); save it as UTF-8")
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem(
            where,
            line,
            f"template error: no template '{exc.name}' in templates/ (only files in "
            "templates/ can be included)",
        )
    kind = "syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "error"
    return Problem(where, line, f"template {kind}: {getattr(exc, 'message', None) or exc} (fix the template)")


def _project_relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def check_budget(prepared: Prepared, pages: int, options: BuildOptions) -> bool:
    """Over the handout's page budget: a warning, or with --strict an error (returns False)."""
    return _within_budget(prepared.outcome, pages, prepared.budget, prepared.budget_file, options)


def page_budget(inputs: Inputs, handout: Handout) -> int:
    """The handout's pages, doubled for large print (16 pt text)."""
    return handout.pages * (2 if handout.large_print or inputs.clinic.large_print else 1)


def _within_budget(
    outcome: Outcome, pages: int, budget: int, budget_file: str, options: BuildOptions
) -> bool:
    outcome.pages = pages
    if pages <= budget:
        return True
    message = (
        f"{outcome.job.label}: {pages} pages, over its page budget of {budget} "
        f"(pages: in {budget_file}); shorten the text or raise the budget"
    )
    if options.strict:
        outcome.error = message
        return False
    outcome.warnings.append(message)
    return True


def finish(project: Project, prepared: Prepared, result: dict, options: BuildOptions) -> Outcome:
    """Write the PDF (and HTML) atomically, or record why not."""
    outcome, job = prepared.outcome, prepared.job
    outcome.seconds = result.get("seconds", 0.0)
    if "error" in result:
        outcome.error, outcome.error_code = result["error"], result.get("code", 1)
        return outcome
    if not check_budget(prepared, result["pages"], options):
        return outcome
    if prepared.screen_html is not None:
        write_text_atomic(job.html_path(project.build), prepared.screen_html)
    else:  # a web page from before this PDF would no longer say what it says
        with contextlib.suppress(FileNotFoundError):
            job.html_path(project.build).unlink()
    path = job.pdf_path(project.build)
    write_bytes_atomic(path, result["data"])
    outcome.path, outcome.pages, outcome.size = path, result["pages"], len(result["data"])
    if prepared.print_record is not None:
        from handoutgen.build.prints import write_print

        built = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        sha = hashlib.sha256(result["data"]).hexdigest()
        write_print(project.root, {**prepared.print_record, "pdf_sha256": sha, "built_at": built})
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


@dataclass
class BuildRun:
    """What one build did: every outcome, which were rebuilt and why, and the workers' peak memory."""

    outcomes: list[Outcome] = field(default_factory=list)
    rebuilt: dict[str, list[str]] = field(default_factory=dict)  # output -> reasons
    up_to_date: int = 0
    no_op: bool = False
    worker_maxrss_kib: dict[int, int] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)  # one line per locale with untranslated sheets
    rebuilt_any: bool = False  # a sheet was sent to the renderer (its stylesheets were checked)
    records_broken: bool = False  # an approval record file failed its chain check

    # per locale, the entries its DRAFT sheets use that are not final, and those its waiting sheets
    # lack: what the summary counts, kept once per locale rather than with every sheet
    draft_entries: dict[str, dict] = field(default_factory=dict)
    missing_entries: dict[str, set] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        """Keep a sheet's outcome. The entries it used go to its locale's totals (a library's
        thousands of sheets each use hundreds of entries: kept with every outcome, they made the
        planner's memory grow with the library)."""
        code = outcome.job.locale
        if outcome.draft:
            kept = self.draft_entries.setdefault(code, {})
            kept.update((key, state) for key, state in outcome.used.items() if not state.final)
        if outcome.waiting:
            missing = self.missing_entries.setdefault(code, set())
            missing.update(key for key, state in outcome.used.items() if state is State.MISSING)
        outcome.used = {}
        self.outcomes.append(outcome)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def exit_code(self) -> int:
        """0, or the failures' common kind (2 template or content, 3 catalogue, 5 render, 6 approval
        records), else 1."""
        codes = {o.error_code for o in self.failed} | (
            {ReviewError.exit_code} if self.records_broken else set()
        )
        return 0 if not codes else codes.pop() if len(codes) == 1 else 1


def build(
    root: Path, options: BuildOptions, report: Callable[[str], None] | None = None, **run_options: Any
) -> list[Outcome]:
    """The outcomes of :func:`build_run` (same options: ``jobs``, ``force``, ``explain``)."""
    return build_run(root, options, report, **run_options).outcomes


def build_run(
    root: Path,
    options: BuildOptions,
    report: Callable[[str], None] | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    explain: bool = False,
    cluster: str | None = None,
) -> BuildRun:
    """Plan, prepare and render. Long because it is the pipeline, step by step: the fast no-op
    check, the catalogue update, preparing each sheet, rendering the stale ones, the summary."""
    from handoutgen.build.hashes import hashes_of
    from handoutgen.build.manifest import Manifest, digest, inputs_digest
    from handoutgen.build.sheetcache import Cache, load_inputs_cached
    from handoutgen.fsutil import remove_leftovers

    report = report or (lambda line: print(line, file=sys.stderr))
    root = Path(root).resolve()
    for code in options.locales:  # a bad code is refused before the lock or any file is touched
        locale_info(code)
    run = BuildRun()
    with build_lock(root / "build", report), Manifest(root / "build") as manifest:
        if not explain:
            remove_leftovers([root / "build", root / "locales", root / ".cache"])
        option_key = digest(dataclasses.asdict(options))
        input_key = inputs_digest(root)
        fast = manifest.fast(option_key)
        if not force and fast and fast["inputs"] == input_key and manifest.outputs_ok(fast["outputs"]):
            run.no_op, run.up_to_date = True, len(fast["outputs"])
            run.waiting = list(fast.get("waiting", []))
            report(f"up to date: {run.up_to_date} PDF(s), no input changed")
            for line in run.waiting:
                report(line)
            if not explain:
                manifest.save()  # a PDF found the same after a copy is not hashed again
            hashes_of(root).save()
            return run
        one_sheet = len(options.handouts) == 1 and len(options.locales) == 1
        eager = (force or manifest.empty) and not one_sheet  # a cold build: warm workers now
        renderer = _renderer(root, jobs, explain, cluster, eager=eager, report=report)
        try:
            inputs = load_inputs(root) if explain else load_inputs_cached(root, Cache(root))
            if not eager and not one_sheet and not explain and _shared_part_changed(inputs, manifest):
                getattr(renderer, "warm", lambda: None)()  # many sheets to render: workers start now
            planned = plan_jobs(inputs, options)

            def update_catalogs() -> None:  # edited English reaches the catalogues
                nonlocal input_key
                keep = options.locales or None
                if options.update_catalogs and _refresh_catalogs(
                    inputs, report, write=not explain, keep=keep
                ):
                    input_key = inputs_digest(root)

            steps = _Steps(options, manifest, run, report, renderer, update_catalogs)
            _prepare_and_render(inputs, planned, steps, force, explain)
        finally:
            renderer.close()
        _report_unbuilt(inputs, run, report)
        if explain:  # said why, built nothing, wrote nothing
            return run
        _forget_unbuilt(inputs, manifest, run)
        order = {job: index for index, job in enumerate(planned)}
        run.outcomes.sort(key=lambda o: order[o.job])
        if not run.failed and not run.records_broken and not (options.strict and run.waiting):
            outputs = [_output_name(o.job) for o in run.outcomes if o.path]
            manifest.set_fast(option_key, {"inputs": input_key, "outputs": outputs, "waiting": run.waiting})
        manifest.save()
        hashes_of(root).save()
        if run.up_to_date:
            report(f"{run.up_to_date} PDF(s) already up to date")
        _summarise_locales(run, report)
    return run


#: Key parts that change a PDF only through its HTML: when the HTML hash is unchanged (and the
#: templates, assets, fonts and renderer are too), rendering again would give the same bytes.
SAME_HTML_SAME_PDF = {"content", "translations", "clinic"}


#: Sheets in flight per worker: enough that no worker waits for the planner, few enough that the
#: planner's memory does not grow with the library.
IN_FLIGHT_PER_WORKER = 3


@dataclass
class _Steps:
    """What the build's loop works with, and the catalogue update it runs once on the way."""

    options: BuildOptions
    manifest: Any
    run: BuildRun
    report: Callable[[str], None]
    renderer: Any
    update_catalogs: Callable[[], None] | None

    def catalogues_ready(self) -> None:
        """The catalogue update (edited English reaching every catalogue), once: before the first
        sheet that reads a catalogue is prepared and before the first PDF is written, so the workers
        start on the English sheets meanwhile, and a catalogue that cannot be read still stops the
        build with nothing written."""
        update, self.update_catalogs = self.update_catalogs, None
        if update is not None:
            update()


def _prepare_and_render(
    inputs: Inputs, planned: list[Job], steps: _Steps, force: bool, explain: bool
) -> None:
    """Prepare each sheet's HTML and send a stale one to the renderer at once, writing results as they
    come: a few sheets in flight, so the planner's memory stays flat as the library grows. Sheets are
    prepared slowest first (CJK fonts, longer handouts) so no worker is left with a long sheet at the
    end. A sheet known up to date (build/known.py) is not prepared at all. Long because it is the
    build's one loop: known, prepared, up to date or sent, and the results taken as they come."""
    from handoutgen.build.known import known_sheets, remembered

    options, manifest, run, renderer = steps.options, steps.manifest, steps.run, steps.renderer
    env = make_environment(inputs.project)
    window = max(2, IN_FLIGHT_PER_WORKER * max(1, renderer.workers))
    in_flight: deque[tuple[Prepared, list[str]]] = deque()
    known = known_sheets(inputs, manifest, options, force=force, explain=explain)
    sizes = {h.id: h.source.stat().st_size if h.source.is_file() else 0 for h in inputs.handouts}
    ordered = sorted(planned, key=lambda job: _render_order(job, sizes))
    last = {job.locale: index for index, job in enumerate(ordered)}  # then its catalogue is let go
    for index, job in enumerate(ordered):
        if _render_order(job, sizes)[0]:  # the first sheet that reads a catalogue
            steps.catalogues_ready()
        if index and last[ordered[index - 1].locale] == index - 1:
            inputs.forget(ordered[index - 1].locale)
            install_translations(env, SourceLabels())  # the template held on to the catalogue too
            if known is not None:
                known.forget(ordered[index - 1].locale)
        name = _output_name(job)
        outcome = known.outcome(job, name) if known is not None else None
        if outcome is not None:  # known up to date: not prepared again
            _known_up_to_date(inputs, outcome, manifest, run, options)
            continue
        prepared = prepare_job(inputs, job, options, env)
        if isinstance(prepared, Outcome):
            run.add(prepared)
            continue
        remembered(known, prepared, name)
        reasons = _stale_reasons(manifest, name, prepared, force, explain)
        if not reasons:
            _up_to_date(inputs, prepared, manifest, run, options)
            continue
        steps.report(f"{'stale' if explain else 'rebuilding'} {name}: {', '.join(reasons)}")
        run.rebuilt[name] = reasons
        if explain:
            continue
        _check_stylesheets_once(renderer, run)
        renderer.submit(prepared)
        in_flight.append((prepared, reasons))
        while renderer.in_flight > window:
            _finish_one(inputs, in_flight, steps, len(planned))
    steps.catalogues_ready()
    while in_flight:
        _finish_one(inputs, in_flight, steps, len(planned))
    if known is not None:
        known.save()


def _render_order(job: Job, sizes: dict[str, int]) -> tuple[int, float, str, int]:
    """The order sheets are prepared and sent in. First the sheets that read no catalogue (English,
    the pseudo-locale): the workers start on them while the planner reads the catalogues and runs
    their checks. Then one locale after another, each locale's sheets together so that its catalogue
    is read once and let go before the next (a library's catalogues are hundreds of MB each in
    memory): the slowest scripts first (measured: CJK about twice as slow as Latin, Korean twice
    again for its keep-all words, Arabic half as much again), and in each locale the longest handout
    first (``sizes``: its source's size, by handout id), so that the last sheets are the shortest
    and no worker is left alone with a long one."""
    locale = locale_info(job.locale)
    if locale.is_source or locale.pseudo:
        return (0, 0.0, "", -sizes[job.handout_id])
    factor = 1.0
    if any("CJK" in font for font in locale.fonts):
        factor = 4.0 if language(locale.code) == "ko" else 2.0
    elif locale.rtl:
        factor = 1.5
    return (1, -factor, job.locale, -sizes[job.handout_id])


def _stale_reasons(manifest, name: str, prepared: Prepared, force: bool, explain: bool) -> list[str]:
    """Why the sheet must be rendered; none when only parts that act through the HTML changed and
    its HTML did not (the PDF would come out the same: its key parts are refreshed instead)."""
    if force:
        return ["--force"]
    reasons = manifest.reasons(name, prepared.parts)
    if reasons and set(reasons) <= SAME_HTML_SAME_PDF and not explain:
        manifest.refresh(name, prepared.parts)
        return []
    return reasons


def _up_to_date(inputs: Inputs, prepared: Prepared, manifest, run: BuildRun, options: BuildOptions) -> None:
    job = prepared.job
    if check_budget(prepared, manifest.pages(_output_name(job)), options):
        prepared.outcome.path = job.pdf_path(inputs.project.build)
        prepared.outcome.size = prepared.outcome.path.stat().st_size
        run.up_to_date += 1
    run.add(prepared.outcome)


def _known_up_to_date(
    inputs: Inputs, outcome: Outcome, manifest, run: BuildRun, options: BuildOptions
) -> None:
    """As :func:`_up_to_date`, for a sheet known up to date without preparing it."""
    job = outcome.job
    handout = inputs.handout(job.handout_id)
    pages = manifest.pages(_output_name(job))
    if _within_budget(outcome, pages, page_budget(inputs, handout), handout.source.name, options):
        outcome.path = job.pdf_path(inputs.project.build)
        outcome.size = outcome.path.stat().st_size
        run.up_to_date += 1
    run.add(outcome)


def _check_stylesheets_once(renderer: Any, run: BuildRun) -> None:
    """Before the first PDF (only when something is rendered): a stylesheet WeasyPrint would read in
    part, or one referring outside the project, stops the build. The renderer checks where WeasyPrint
    runs and raises the error before giving the first result, so nothing is written."""
    if run.rebuilt_any:
        return
    run.rebuilt_any = True
    renderer.check_stylesheets()


def _finish_one(inputs: Inputs, in_flight: deque, steps: _Steps, total: int) -> None:
    """Take the oldest sheet's result: write its PDF, record it, say so ([sheets decided/planned])."""
    steps.catalogues_ready()  # a catalogue that cannot be read stops the build before any PDF is written
    options, manifest, run, renderer = steps.options, steps.manifest, steps.run, steps.renderer
    prepared, reasons = in_flight.popleft()
    result = renderer.next_result()
    outcome = finish(inputs.project, prepared, result, options)
    run.add(outcome)
    pid = result.get("pid", 0)
    run.worker_maxrss_kib[pid] = max(run.worker_maxrss_kib.get(pid, 0), result.get("maxrss_kib", 0))
    name = _output_name(prepared.job)
    if outcome.path:
        manifest.record(name, prepared.parts, result["data"], reasons, outcome.pages, prepared.screen_html)
    else:
        run.rebuilt.pop(name, None)
    steps.report(describe(outcome, inputs.project.root, len(run.outcomes), total))


def _renderer(
    root: Path, jobs: int | None, explain: bool, cluster: str | None, *, eager: bool, report: Callable
) -> Any:
    """A Dask cluster (``--cluster``), the render service's warm workers while it runs
    (build/service.py), or worker processes of this build's own; none when only explaining."""
    if cluster and not explain:
        from handoutgen.build.cluster import ClusterRenderer

        return ClusterRenderer(root, cluster)
    if not explain:
        from handoutgen.build.service import connect

        service = connect(root, report)
        if service is not None:
            return service
    return Renderer(root, 0 if explain else (jobs or os.cpu_count() or 1), eager=eager)


def _shared_part_changed(inputs: Inputs, manifest) -> bool:
    """Whether more than one sheet built before was made with other templates, clinic settings,
    assets or renderer than there are now (a template or logo edit): every such sheet is rendered
    again, so the workers are worth starting before the planner reads the catalogues."""
    shared, stale = inputs.shared_parts(), 0
    for entry in manifest.entries():
        recorded = entry.get("parts", {})
        stale += any(recorded.get(part) != value for part, value in shared.items())
        if stale > 1:
            return True
    return False


def _report_unbuilt(inputs: Inputs, run: BuildRun, report: Callable[[str], None]) -> None:
    """Every sheet that failed before rendering says why, once; a sheet whose translation is not
    there yet is not a failure: one line per locale says what to do."""
    for problem in dict.fromkeys(inputs.problems):  # sheets using those records print as drafts
        report(f"error: {problem}")
        run.records_broken = True
    seen: dict[str, list[Job]] = {}
    for outcome in run.outcomes:
        if outcome.error:
            seen.setdefault(outcome.error, []).append(outcome.job)
    for message, jobs in seen.items():
        handouts = list(dict.fromkeys(j.handout_id for j in jobs))
        codes = list(dict.fromkeys(j.locale for j in jobs))
        names = ", ".join(f"'{h}'" for h in handouts)
        label = f"handout{'s' if len(handouts) > 1 else ''} {names} [{', '.join(codes)}]"
        for line in message.splitlines():
            report(f"error: {line}" if line.startswith("handout") else f"error: {label}: {line}")
    by_locale: dict[str, list[Outcome]] = {}
    for outcome in run.outcomes:
        if outcome.waiting:
            by_locale.setdefault(outcome.job.locale, []).append(outcome)
    for code, group in by_locale.items():
        names = ", ".join(o.job.handout_id for o in group)
        missing = {k for o in group for k, state in o.used.items() if state is State.MISSING}
        strings = len(missing | run.missing_entries.get(code, set()))
        po = po_path(inputs.project.locales, code).relative_to(inputs.project.root).as_posix()
        line = (
            f"{code}: {names} not translated yet ({strings} string{'s' if strings != 1 else ''}): run "
            f"`generate.py translate {code}` or send {po} to a translator"
        )
        run.waiting.append(line)
        report(line)


def _forget_unbuilt(inputs: Inputs, manifest, run: BuildRun) -> None:
    """A sheet that could not be built now must not leave an older PDF (or web page) behind that looks
    current."""
    for outcome in run.outcomes:
        if outcome.path is None:  # waiting for translation, failed, or skipped by --final-only
            build = inputs.project.build
            for path in (outcome.job.pdf_path(build), outcome.job.html_path(build)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            manifest.forget(_output_name(outcome.job))


#: The catalogues (as .po text) an update may leave in memory for the rest of the run, all locales
#: together: a small project's are all kept (not parsed twice); a library's, each hundreds of MB
#: once parsed, are read again one at a time when their sheets come, so memory stays flat.
HOLD_BYTES = 16 * 2**20


class _Holding:
    """Which of the update's catalogues stay in memory for the run: those merged in memory (not
    written) and, in ``keep``, those read and left unchanged, while they total under
    :data:`HOLD_BYTES` of .po text."""

    def __init__(self, inputs: Inputs, write: bool, keep: Sequence[str] | None) -> None:
        self.inputs, self.write, self.keep, self.room = inputs, write, keep, HOLD_BYTES

    def __call__(self, item: Any) -> bool:
        changed, wanted = item.report.changed, self.keep is None or item.code in self.keep
        if not (changed and not self.write) and not (
            wanted and not changed and item.code not in self.inputs.catalogs
        ):
            return False
        self.room -= len(item.source.text)
        return self.room >= 0


def _refresh_catalogs(
    inputs: Inputs, report: Callable[[str], None], *, write: bool = True, keep: Sequence[str] | None = ()
) -> bool:
    """Edited English reaches every catalogue before printing: the edited entries turn stale (and
    their sheets DRAFT) instead of failing as missing. Without ``write`` (``--explain``, ``check``)
    the merge stays in memory and the plan is made from it; nothing on disk changes. Skipped when the
    English, the template and every catalogue with its records are as they were after the last
    update. A catalogue read and left unchanged (or merged in memory) is kept for the run, within
    :data:`HOLD_BYTES`, when its locale is in ``keep`` (None: every locale), so it is not read twice."""
    from handoutgen.build.sheetcache import Cache, merge_keys
    from handoutgen.catalogs.store import run_update

    root = inputs.project.root
    keys, cache = merge_keys(root), Cache(root)
    clean = cache.read("merge") or set()
    # a catalogue whose key is clean was merged with this very English: only the others are merged
    dirty = [code for code, key in keys.items() if key not in clean]
    if not dirty:
        return False
    hold = _Holding(inputs, write, keep)
    update = run_update(root, dirty, write=write, report=report, hold=hold)
    for item in update.pending:
        if item.report.changed:
            if not write:  # asked for later, the catalogue is merged again (when let go)
                inputs.merge_later.add(item.code)
                inputs.merge_template = update.template
                if item.merged is not None:
                    inputs.catalogs[item.code] = item.merged
            report(f"catalogue {'updated' if write else 'would be updated'}: {item.report.summary()}")
        elif item.old is not None:
            inputs.read_ahead[item.code] = item.old  # the file as it is, read under its lock just now
    if write:  # every catalogue now matches this English
        cache.write("merge", set(merge_keys(root).values()))
    else:
        unchanged = {keys[item.code] for item in update.pending if not item.report.changed}
        cache.write("merge", {key for key in keys.values() if key in clean} | unchanged)
    return write and (update.template_changed or any(item.report.changed for item in update.pending))


def _output_name(job: Job) -> str:
    return f"{job.locale}/{job.handout_id}.pdf"


def _summarise_locales(run: BuildRun, report: Callable[[str], None]) -> None:
    """One line per locale, with that locale's own figures: final, DRAFT and why, or failed."""
    by_locale: dict[str, list[Outcome]] = {}
    for outcome in run.outcomes:
        by_locale.setdefault(outcome.job.locale, []).append(outcome)
    for code, group in by_locale.items():
        failed = [o for o in group if o.error]
        drafts = [o for o in group if o.draft]
        waiting = [o for o in group if o.waiting]
        built = len(group) - len(failed) - len(waiting)
        tail = f"; {len(waiting)} waiting for translation" if waiting else ""
        if failed:
            report(f"{code}: {len(failed)} of {len(group)} sheets failed (reasons above){tail}")
        elif drafts:
            used: dict = dict(run.draft_entries.get(code, {}))
            for outcome in drafts:
                used.update(outcome.used)
            counts: dict[str, int] = {}
            for state in used.values():
                if not state.final:
                    counts[state.value] = counts.get(state.value, 0) + 1
            detail = ", ".join(f"{n} {name}" for name, n in counts.items()) or "entries failing checks"
            report(f"{code}: DRAFT ({len(drafts)} of {built} sheets): {detail} entries{tail}")
        elif built:
            report(f"{code}: final ({built} sheets){tail}")
        else:
            report(f"{code}: nothing built{tail}")


@contextlib.contextmanager
def build_lock(build_dir: Path, report: Callable[[str], None]):
    """One build at a time per project; the second one says it is waiting."""
    with exclusive_lock(
        build_dir / ".lock", lambda: report("waiting for another build of this project to finish…")
    ):
        yield


def describe(outcome: Outcome, root: Path, index: int, total: int) -> str:
    prefix = f"[{index}/{total}]"
    if outcome.error:
        return f"{prefix} error: {outcome.error}"
    if outcome.path is None:
        return f"{prefix} " + "; ".join(outcome.warnings)
    rel = os.path.relpath(outcome.path, root)
    pages = f"{outcome.pages} page{'s' if outcome.pages != 1 else ''}"
    line = f"{prefix} {rel}: {pages}, {outcome.size // 1024} KiB, {outcome.seconds:.1f} s"
    if outcome.draft:
        line += f" (DRAFT: {outcome.draft})"
    for warning in outcome.warnings:
        line += f"\n  warning: {warning}"
    return line
