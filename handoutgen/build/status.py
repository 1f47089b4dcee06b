"""Which handouts are ready to print in which language: a table, and ``build/index.html``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from handoutgen.build.run import Inputs, draft_reason, template_problem
from handoutgen.catalogs.approvals import record_date
from handoutgen.catalogs.lookup import Key, Lookup
from handoutgen.catalogs.states import State
from handoutgen.errors import HandoutError
from handoutgen.fsutil import write_text_atomic
from handoutgen.render.html import make_environment, render_html
from handoutgen.text.locales import locale_info

if TYPE_CHECKING:
    from handoutgen.build.sheetcache import Cache, CachedInputs, SheetStore, Summary


@dataclass
class SheetStatus:
    handout: str
    locale: str
    counts: dict[State, int] = field(default_factory=dict)
    errors: int = 0
    last_approval: dt.date | None = None
    reason: str | None = None  # why it is not ready; None when it prints as final
    problem: str | None = None  # the catalogue could not be read
    waiting: int = 0  # strings not translated yet: the sheet is not printed at all

    @property
    def ready(self) -> bool:
        return self.reason is None and self.problem is None

    def count(self, *states: State) -> int:
        return sum(self.counts.get(s, 0) for s in states)


def sheet_status(inputs: Inputs, env, handout_id: str, code: str) -> SheetStatus:
    """One sheet's row, by rendering it: the reference :func:`compute_status` gives the same rows as."""
    row = SheetStatus(handout_id, code)
    locale = locale_info(code)
    try:
        translations = inputs.translations(locale)
        render_html(inputs.project, env, inputs.handout(handout_id), inputs.clinic, locale, translations)
        findings = inputs.findings(locale)
    except HandoutError as exc:
        row.problem = str(exc).splitlines()[0]
        return row
    except jinja2.TemplateError as exc:
        row.problem = str(template_problem(exc, inputs.project.root))
        return row
    lookup = translations.lookup
    row.counts = lookup.counts()
    row.errors = sum(1 for k in lookup.used if any(f.severity == "error" for f in findings.get(k, ())))
    row.reason = draft_reason(lookup, findings)
    if lookup.missing:
        row.waiting = len(lookup.missing)
    catalog, approvals = getattr(translations, "catalog", None), getattr(translations, "approvals", None)
    if catalog is not None and approvals is not None:
        messages = [catalog.get(k[0], context=k[1]) for k in lookup.used]
        records = [r for m in messages if m is not None and (r := approvals.approval(m))]
        row.last_approval = max((record_date(r) for r in records), default=None)
    return row


def compute_status(
    root: Path, locales: tuple[str, ...] = (), report: Callable[[str], None] | None = None
) -> tuple[Inputs, list[SheetStatus]]:
    """Every sheet's row, as :func:`sheet_status` makes it, without rendering a sheet whose handout,
    shared parts and used entries are unchanged since the last run (see :mod:`sheetcache`).
    ``report`` gets a progress line every few seconds on a long run (default: stderr)."""
    from handoutgen.build.hashes import hashes_of
    from handoutgen.build.sheetcache import Cache, Progress, SheetStore, load_inputs_cached, whole_key

    cache = Cache(root)
    inputs = load_inputs_cached(root, cache)
    codes = locales or inputs.clinic.locales
    whole = whole_key(inputs, cache, codes)
    stored = cache.read("status-rows")
    if isinstance(stored, Rows) and stored.key == whole:  # every key the rows came from is the same
        hashes_of(root).save()
        return inputs, stored
    store = SheetStore(cache)
    progress = Progress("status", len(codes) * len(inputs.handouts), report)
    rows = Rows()
    for code in codes:
        rows += _locale_rows(inputs, cache, store, code, progress)
        inputs.forget(code)
    store.save()
    rows.key, rows.table = whole, format_table(rows)
    cache.write("status-rows", rows)
    hashes_of(root).save()
    return inputs, rows


class Rows(list):
    """The rows of :func:`compute_status`, with the key they were made from and their table as
    printed (both kept with them: a library's table is a hundred thousand lines)."""

    key: str = ""
    table: str = ""


def _locale_rows(
    inputs: CachedInputs, cache: Cache, store: SheetStore, code: str, progress
) -> list[SheetStatus]:
    """One locale's rows: from the records while the summary key is the one they were made with, else
    from the summary (when what rendering read is unchanged), else by rendering the sheet. A
    catalogue that cannot be summarised (it does not read, a check reference is broken) takes the
    path that renders every sheet, which says why on each row."""
    from handoutgen.build.sheetcache import LazySummary, key_of, shared_key

    lazy, shared, rows = LazySummary(inputs, cache, code), shared_key(inputs), []
    env = None
    for handout in inputs.handouts:
        progress.step()
        sheet = key_of(shared, inputs.content[handout.id], code)
        record = store.get("status", code, sheet)
        if record is not None and record[2] == lazy.key:
            store.keep("status", code, sheet, record)
            rows.append(_row(handout.id, code, record[1], record[4]))
            continue
        try:
            summary = lazy.get()
        except HandoutError:
            env = env or make_environment(inputs.project)
            rows.append(sheet_status(inputs, env, handout.id, code))
            continue
        if record is None or summary.render_print(store.keys(record)) != record[3]:
            env = env or make_environment(inputs.project)
            keys, problem = _render_used(inputs, env, handout.id, code)
            record = store.put("status", code, sheet, keys, problem, "", summary.render_print(keys), None)
        keys = store.keys(record)
        data = None if record[1] is not None else _row_data(keys, summary)
        store.keep("status", code, sheet, (record[0], record[1], summary.key, record[3], data))
        rows.append(_row(handout.id, code, record[1], data))
    return rows


def _render_used(inputs: Inputs, env, handout_id: str, code: str) -> tuple[tuple[Key, ...], str | None]:
    """The entries one sheet's render uses (in the order it looks them up), and the problem it ran
    into, worded as :func:`sheet_status` words it."""
    translations = inputs.translations(locale_info(code))
    handout = inputs.handout(handout_id)
    try:
        render_html(
            inputs.project, env, handout, inputs.clinic, locale_info(code), translations, lookup_only=True
        )
    except HandoutError as exc:
        return tuple(translations.lookup.used), str(exc).splitlines()[0]
    except jinja2.TemplateError as exc:
        return tuple(translations.lookup.used), str(template_problem(exc, inputs.project.root))
    return tuple(translations.lookup.used), None


def _row_data(keys: tuple[Key, ...], summary: Summary) -> tuple:
    """A sheet's figures from the entries it used and the locale's summary, as :func:`sheet_status`
    computes them from its lookup: counts per state, errors, last approval, reason, waiting."""
    lookup = Lookup(summary.used(keys))
    findings = summary.findings
    errors = sum(1 for k in lookup.used if any(f.severity == "error" for f in findings.get(k, ())))
    dates = [summary.approved[k] for k in lookup.used if k in summary.approved]
    counts = lookup.counts()
    return (
        tuple(counts[s] for s in State),
        errors,
        max(dates, default=None),
        draft_reason(lookup, findings),
        len(lookup.missing),
    )


def _row(handout_id: str, code: str, problem: str | None, data: tuple | None) -> SheetStatus:
    row = SheetStatus(handout_id, code)
    if problem is not None or data is None:
        row.problem = problem
        return row
    counts, row.errors, row.last_approval, row.reason, row.waiting = data
    row.counts = dict(zip(State, counts))
    return row


COLUMNS = (
    "handout",
    "locale",
    "reviewed",
    "awaiting review",
    "draft",
    "stale",
    "missing",
    "errors",
    "last approval",
    "ready to print",
)


def _cells(row: SheetStatus) -> tuple[str, ...]:
    if row.problem:
        return (row.handout, row.locale, "-", "-", "-", "-", "-", "-", "-", "no: " + row.problem)
    return (
        row.handout,
        row.locale,
        str(row.count(State.REVIEWED)),
        str(row.count(State.AWAITING)),
        str(row.count(State.DRAFT, State.MACHINE_DRAFT)),
        str(row.count(State.STALE)),
        str(row.count(State.MISSING)),
        str(row.errors),
        row.last_approval.isoformat() if row.last_approval else "-",
        "yes"
        if row.ready
        else f"no (waiting for translation: {row.waiting})"
        if row.waiting
        else "no (DRAFT)",
    )


def format_table(rows: list[SheetStatus]) -> str:
    if isinstance(rows, Rows) and rows.table:
        return rows.table
    table = [COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_index(inputs: Inputs, rows: list[SheetStatus]) -> Path:
    """``build/index.html``: the status table, with a link to every PDF and review sheet. Not rendered
    again while the page on disk is the one last written from the same rows, links, clinic settings
    and templates."""
    from handoutgen.build.sheetcache import Cache, file_sha, key_of

    build = inputs.project.build
    links, sheets = _links(build, rows)
    path, cache = build / "index.html", Cache(inputs.project.root)
    key = key_of(
        rows.key  # what the rows were made from (the same key, the same rows)
        if isinstance(rows, Rows) and rows.key
        else [
            (
                r.handout,
                r.locale,
                [r.counts.get(s, 0) for s in State],
                r.errors,
                r.last_approval,
                r.reason,
                r.problem,
                r.waiting,
            )
            for r in rows
        ],
        sorted(links.items()),
        sorted(sheets.items()),
        file_sha(inputs.project.clinic_file),
        inputs.shared_parts()["templates"],
    )
    if cache.read("index") == (key, file_sha(path)):
        return path
    page = (
        make_environment(inputs.project)
        .get_template("index.html.j2")
        .render(rows=rows, cells=_cells, columns=COLUMNS, links=links, sheets=sheets, clinic=inputs.clinic)
    )
    write_text_atomic(path, page)
    cache.write("index", (key, file_sha(path)))
    return path


def _links(build: Path, rows: list[SheetStatus]) -> tuple[dict, dict[str, str]]:
    """The PDF of each row and the review sheet of each locale, relative to build/, when there (each
    locale's folder listed once: a library has a hundred thousand sheets)."""
    present: dict[str, set[str]] = {}
    for code in dict.fromkeys(r.locale for r in rows):
        try:
            with os.scandir(build / code) as entries:
                present[code] = {e.name for e in entries if e.name.endswith(".pdf") and e.is_file()}
        except OSError:  # no such folder (nothing built in this locale yet)
            present[code] = set()
    links = {}
    for row in rows:
        name = f"{row.handout}.pdf"
        links[(row.handout, row.locale)] = f"{row.locale}/{name}" if name in present[row.locale] else None
    sheets = {}
    for code in dict.fromkeys(r.locale for r in rows):
        for suffix in ("pdf", "html"):
            sheet = build / "review" / f"{code}.{suffix}"
            if sheet.exists():
                sheets[code] = os.path.relpath(sheet, build)
                break
    return links, sheets
