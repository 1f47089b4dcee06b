"""Which handouts are ready to print in which language: a table, and ``build/index.html``."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from handoutgen.build.run import Inputs, draft_reason, load_inputs, template_problem
from handoutgen.catalogs.approvals import record_date
from handoutgen.catalogs.states import State
from handoutgen.fsutil import write_text_atomic
from handoutgen.render.html import make_environment, render_html
from handoutgen.text.locales import locale_info


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
    from handoutgen.errors import HandoutError

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


def compute_status(root: Path, locales: tuple[str, ...] = ()) -> tuple[Inputs, list[SheetStatus]]:
    inputs = load_inputs(root)
    env = make_environment(inputs.project)
    codes = locales or inputs.clinic.locales
    rows = [sheet_status(inputs, env, h.id, code) for code in codes for h in inputs.handouts]
    return inputs, rows


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
    table = [COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_index(inputs: Inputs, rows: list[SheetStatus]) -> Path:
    """``build/index.html``: the status table, with a link to every PDF and review sheet."""
    build = inputs.project.build
    env = make_environment(inputs.project)
    links = {}
    for row in rows:
        pdf = build / row.locale / f"{row.handout}.pdf"
        links[(row.handout, row.locale)] = os.path.relpath(pdf, build) if pdf.exists() else None
    sheets = {}
    for code in dict.fromkeys(r.locale for r in rows):
        for suffix in ("pdf", "html"):
            sheet = build / "review" / f"{code}.{suffix}"
            if sheet.exists():
                sheets[code] = os.path.relpath(sheet, build)
                break
    page = env.get_template("index.html.j2").render(
        rows=rows, cells=_cells, columns=COLUMNS, links=links, sheets=sheets, clinic=inputs.clinic
    )
    path = build / "index.html"
    write_text_atomic(path, page)
    return path
