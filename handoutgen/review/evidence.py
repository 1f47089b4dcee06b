"""Evidence of review: ``review verify`` (the records' chain) and ``review report`` (CSV and PDF).

What a compliance officer asks under Section 1557 of the ACA: for every entry a patient can read,
its state, who reviewed it with what qualification, when, against which source version, where the
translation came from, which check findings are still open and which were overridden and why; and
which approvals are old enough to be reviewed again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutgen.catalogs.approvals import Approvals, load_approvals, record_date
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import locales_on_disk, po_path
from handoutgen.content.reviewers import load_reviewers
from handoutgen.errors import Problem, ReviewError, display
from handoutgen.fsutil import write_bytes_atomic, write_text_atomic

# -- verify ----------------------------------------------------------------------------------------


def verify_records(root: Path, codes: list[str] | None = None) -> tuple[list[Problem], list[str]]:
    """Every problem of the approval records (chain, reviewers, self-approval, print records that
    cite a record no longer there), and one summary line per locale."""
    root = Path(root).resolve()
    reviewers = load_reviewers(root)
    problems: list[Problem] = []
    summary = []
    known = locales_on_disk(root / "locales")
    for code in codes or known:
        if code not in known:
            raise ReviewError(f"there is no catalogue for '{code}'; known locales: {', '.join(known)}")
        approvals = load_approvals(root, code, reviewers)
        log = approvals.log
        problems.extend(log.problems)
        problems.extend(_record_problems(approvals))
        problems.extend(_print_problems(root, code, approvals))
        people = {r["by"] for r in log.records if r["action"] == "approve"}
        state = "chain broken" if log.broken else "chain intact"
        summary.append(f"{code}: {len(log.records)} records, {state}, approvals by {len(people)} reviewer(s)")
    return problems, summary


def _record_problems(approvals: Approvals) -> list[Problem]:
    """Records that are well chained but do not count: reviewer not listed, or their own work."""
    shown = display(approvals.log.path)
    found = []
    for number, record in enumerate(approvals.log.records, start=1):
        if record["action"] != "approve" or approvals.counts(record):
            continue
        person = approvals.reviewers.get(record["by"])
        if person is None:
            why = f"'{record['by']}' is not in {approvals.reviewers.file}"
        elif not person.may_review(approvals.code, record_date(record)):
            why = f"'{record['by']}' was not listed for '{approvals.code}' on {record['at'][:10]}"
        else:
            why = f"'{record['by']}' approved their own translation"
        found.append(
            Problem(
                shown, _line_of(approvals, number), f"record {record['seq']}: {why}; it counts for nothing"
            )
        )
    return found


def _line_of(approvals: Approvals, number: int) -> int:
    """The file line of the ``number``-th record (blank lines are skipped when reading)."""
    lines = approvals.log.raw.split(b"\n")
    seen = 0
    for index, line in enumerate(lines, start=1):
        seen += bool(line.strip())
        if seen == number:
            return index
    return number


def _print_problems(root: Path, code: str, approvals: Approvals) -> list[Problem]:
    """A print record that cites an approval the records no longer hold: a record was deleted."""
    from handoutgen.build.prints import PRINTS_DIR

    hashes = {r["hash"] for r in approvals.log.records}
    found = []
    for path in sorted((root / PRINTS_DIR / code).glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8")).get("entries", [])
        except (OSError, ValueError, AttributeError):
            found.append(Problem(display(path), None, "not a readable print record"))
            continue
        cited = [e["approval"] for e in entries if isinstance(e, dict) and e.get("approval")]
        missing = [a for a in cited if a.get("hash") not in hashes]
        if missing and not approvals.log.broken:
            found.append(
                Problem(
                    display(path),
                    None,
                    f"cites approval record {missing[0].get('seq')} which {display(approvals.log.path)} no "
                    "longer holds (a record was deleted or the file replaced); restore it from version "
                    "control",
                )
            )
    return found


# -- report ----------------------------------------------------------------------------------------

COLUMNS = (
    "handouts",
    "context",
    "english",
    "translation",
    "state",
    "reviewer",
    "qualification",
    "approved",
    "re-review due",
    "source version",
    "origin",
    "open findings",
    "overrides",
)


@dataclass
class Report:
    code: str
    rows: list[dict[str, str]] = field(default_factory=list)
    csv_path: Path | None = None
    pdf_path: Path | None = None
    due: int = 0

    def summary(self) -> list[str]:
        states: dict[str, int] = {}
        for row in self.rows:
            states[row["state"]] = states.get(row["state"], 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        lines = [
            f"{self.code}: {len(self.rows)} entries on the handouts ({counts}); {self.due} due for re-review"
        ]
        lines += [f"wrote {display(p)}" for p in (self.csv_path, self.pdf_path) if p is not None]
        return lines


def write_report(root: Path, code: str, *, pdf: bool = True, today: dt.date | None = None) -> Report:
    """``build/review/<code>-report.csv`` (and ``.pdf``): one row per entry shown on the handouts."""
    from handoutgen.review.sheets import existing_po

    root = Path(root).resolve()
    existing_po(root, code)
    today = today or dt.date.today()
    approvals = load_approvals(root, code)
    rows, due = _report_rows(root, code, approvals, today)
    report = Report(code, rows, due=due)
    folder = root / "build" / "review"
    report.csv_path = folder / f"{code}-report.csv"
    write_text_atomic(report.csv_path, _csv(rows))
    if pdf:
        report.pdf_path = folder / f"{code}-report.pdf"
        write_bytes_atomic(report.pdf_path, _report_pdf(root, code, report, approvals, today))
    return report


def _report_rows(
    root: Path, code: str, approvals: Approvals, today: dt.date
) -> tuple[list[dict[str, str]], int]:
    from handoutgen.build.run import load_inputs
    from handoutgen.checks.runner import findings_by_key
    from handoutgen.render.html import make_environment, render_html
    from handoutgen.text.locales import locale_info

    inputs = load_inputs(root)
    locale = locale_info(code)
    env = make_environment(inputs.project)
    shown: dict[Any, list[str]] = {}
    for listed in inputs.handouts:
        translations = inputs.translations(locale)
        render_html(inputs.project, env, inputs.handout(listed.id), inputs.clinic, locale, translations)
        for key in translations.lookup.used:
            shown.setdefault(key, []).append(listed.id)
    catalog = inputs.catalogs[code]
    path = po_path(root / "locales", code)
    findings = findings_by_key(root, catalog, path.relative_to(root), code)
    limit = dt.timedelta(days=approvals.reviewers.re_review_after_days)
    rows, due = [], 0
    for key, handouts in shown.items():
        message = catalog.get(key[0], context=key[1])
        row = _row(key, handouts, message, approvals, findings.get(key, []))
        record = approvals.approval(message) if message is not None else None
        if record is not None and today - record_date(record) > limit:
            row["re-review due"] = (record_date(record) + limit).isoformat()
            due += 1
        rows.append(row)
    return rows, due


def _row(key: Any, handouts: list[str], message: Any, approvals: Approvals, found: list) -> dict[str, str]:
    state = entry_state(message, approvals) if message is not None else State.MISSING
    record = approvals.approval(message) if message is not None and state is State.REVIEWED else None
    waived = {o["check"]: o for o in (record or {}).get("overrides", [])}
    translation = message.string if message is not None else ""
    return {
        "handouts": " ".join(handouts),
        "context": key[1] or "",
        "english": key[0],
        "translation": translation if isinstance(translation, str) else " | ".join(translation),
        "state": state.value,
        "reviewer": f"{record['name']} ({record['by']})" if record else "",
        "qualification": record.get("qualification", "") if record else "",
        "approved": record["at"] if record else "",
        "re-review due": "",
        "source version": json.dumps(record.get("source", {}), sort_keys=True) if record else "",
        "origin": _origin_text(record.get("origin") if record else None),
        "open findings": "; ".join(f"{f.check}: {f.message}" for f in found if f.check not in waived),
        "overrides": "; ".join(f"{c}: {o.get('reason', '')}" for c, o in waived.items()),
    }


def _origin_text(origin: dict | None) -> str:
    if not origin:
        return ""
    if origin.get("kind") == "machine":
        return f"machine: {origin.get('package')}"
    if origin.get("kind") == "person":
        return f"person: {origin.get('name')}"
    return "unknown"


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _report_pdf(root: Path, code: str, report: Report, approvals: Approvals, today: dt.date) -> bytes:
    from handoutgen.project import Project
    from handoutgen.render.html import make_environment
    from handoutgen.render.pdf import html_to_pdf
    from handoutgen.text.locales import locale_info

    project = Project(root)
    info = locale_info(code)
    page = (
        make_environment(project)
        .get_template("review-report.html.j2")
        .render(
            locale=info,
            report=report,
            columns=COLUMNS,
            today=today.isoformat(),
            records=len(approvals.log.records),
            chain="broken: run generate.py review verify" if approvals.log.broken else "intact",
            reviewers=approvals.reviewers.people,
            re_review_days=approvals.reviewers.re_review_after_days,
        )
    )
    return html_to_pdf(project, page, f"review report [{code}]", info).data
