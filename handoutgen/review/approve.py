"""Approvals: a listed reviewer approves exactly the text they saw on the review sheet.

``review sheet`` records a digest of every entry it shows in ``build/review/<lang>.json``;
``review approve`` checks each entry asked for against it, against the reviewers file (listed for
the language, not the translation's author) and against the checks (an error-level finding, or a
translation that is still the English, needs an override with a reason). What passes becomes one
approval record each (see :mod:`handoutgen.catalogs.approvals`), and the PO file drops ``fuzzy`` and
the ``#|`` lines of those entries so PO editors show them as done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message

from handoutgen.catalogs.approvals import (
    Approvals,
    append_records,
    load_approvals,
    new_record,
    read_log,
)
from handoutgen.catalogs.states import State, is_machine_text, machine_provider, mark_approved
from handoutgen.catalogs.store import catalog_locks, po_path, read_for_update, write_changes
from handoutgen.content.reviewers import Reviewer, load_reviewers
from handoutgen.errors import ReviewError
from handoutgen.project import git_commit
from handoutgen.review.sheets import Item, collect, existing_po, read_sheet_record, sheet_paths

#: Findings a reviewer must override with a reason before approving, besides error-level ones.
NEEDS_OVERRIDE = ("untranslated",)
_RANGE_RE = re.compile(r"^(\d+)(?:\s*[-–]\s*(\d+))?$")


def parse_entries(given: list[str]) -> list[int]:
    """Entry numbers from the command line: ``3 5-9 12,14``."""
    numbers: list[int] = []
    for part in (p for chunk in given for p in chunk.split(",") if p.strip()):
        match = _RANGE_RE.match(part.strip())
        if not match:
            raise ReviewError(f"'{part}' is not an entry number or range (write 12, or 3-7)")
        low, high = int(match[1]), int(match[2] or match[1])
        if high < low or high - low > 100_000:
            raise ReviewError(f"'{part}' is not a range from a lower to a higher number")
        numbers.extend(range(low, high + 1))
    return numbers


def parse_overrides(given: list[str]) -> dict[str, str]:
    """``--override CHECK=REASON``: the checks a reviewer overrides, each with why."""
    from handoutgen.checks.issues import CHECKS

    overrides = {}
    for item in given:
        check, _, reason = item.partition("=")
        check, reason = check.strip(), " ".join(reason.split())
        if check not in CHECKS:
            raise ReviewError(f"--override {check!r}: no such check; checks are {', '.join(sorted(CHECKS))}")
        if len(reason) < 10:
            raise ReviewError(
                f'--override {check}: give the reason, e.g. --override {check}="38 is written 38,0 here"'
            )
        overrides[check] = reason
    return overrides


@dataclass
class ApprovalPlan:
    reviewer: Reviewer
    approve: list[Item] = field(default_factory=list)
    refused: list[tuple[Item, str]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    shared_labels: int = 0  # entries approved for a handout that other handouts show too
    file_digest: str = ""  # the catalogue's bytes when the plan was made
    log_digest: str = ""


@dataclass(frozen=True)
class Selection:
    """What a reviewer asked to approve: entry numbers, one handout's entries, or all."""

    numbers: tuple[int, ...] = ()
    handout: str | None = None
    everything: bool = False


def plan_approval(
    root: Path,
    code: str,
    reviewer_id: str,
    selection: Selection,
    overrides: dict[str, str] | None = None,
    shown: dict[str, dict] | None = None,
) -> tuple[Catalog, ApprovalPlan]:
    """What an approval would do, checked against what the reviewer saw: the latest review sheet,
    or ``shown`` (number -> msgid, context and digest, as the browser shows them). Long because each
    refusal is one step: who may approve, what was asked, what the reviewer saw."""
    root = Path(root).resolve()
    existing_po(root, code)
    if not (selection.numbers or selection.handout or selection.everything):
        raise ReviewError("say what to approve: entry numbers from the sheet (3 5-9), --handout ID, or --all")
    if shown is None:
        shown = _sheet_entries(root, code)
    reviewer = _reviewer_for(root, code, reviewer_id)
    approvals = load_approvals(root, code)
    if approvals.log.broken:
        raise ReviewError(problems=approvals.log.problems)
    plan = ApprovalPlan(reviewer, overrides=dict(overrides or {}))
    plan.file_digest = hashlib.sha256(po_path(root / "locales", code).read_bytes()).hexdigest()
    plan.log_digest = hashlib.sha256(approvals.log.raw).hexdigest()
    catalog, items = collect(root, code, back_translate=False, approvals=approvals)
    on_handout = keys_on_handout(root, code, selection.handout) if selection.handout else None
    current = {i.key: i for i in items}
    for number, seen in sorted(shown.items(), key=lambda kv: int(kv[0])):
        item = current.get((seen["msgid"], seen["context"]))
        if item is None or not _selected(item, int(number), selection, on_handout):
            continue  # not asked for, or reviewed since, or gone from the catalogue
        item.number = int(number)
        why = _refusal(item, seen, reviewer, catalog, approvals, plan.overrides)
        (plan.refused.append((item, why)) if why else plan.approve.append(item))
    if selection.numbers:
        unknown = sorted(set(selection.numbers) - {int(n) for n in shown})
        if unknown:
            raise ReviewError(f"entries {_ranges(unknown)} are not on the review sheet for '{code}'")
    if on_handout is not None:
        plan.shared_labels = sum(1 for i in plan.approve if i.handout != selection.handout)
    return catalog, plan


def _sheet_entries(root: Path, code: str) -> dict[str, dict]:
    _, _, json_path = sheet_paths(root, code)
    if not json_path.exists():
        raise ReviewError(
            f"no review sheet for '{code}'; run `generate.py review sheet {code}` and read it first"
        )
    return read_sheet_record(json_path, root)["entries"]


def shown_now(root: Path, code: str, keys: list | None = None) -> dict[str, dict]:
    """The entries as they are now, numbered as on a sheet of every entry: what a reviewer sees
    in the browser (``keys``: only these)."""
    _, items = collect(root, code, only_pending=False, back_translate=False)
    wanted = set(keys) if keys is not None else None
    return {
        str(i.number): {"msgid": i.key[0], "context": i.key[1], "digest": i.digest}
        for i in items
        if wanted is None or i.key in wanted
    }


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    for n in numbers:
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def _selected(item: Item, number: int, selection: Selection, on_handout: set | None) -> bool:
    if selection.numbers and number not in selection.numbers:
        return False
    return on_handout is None or item.key in on_handout


def _reviewer_for(root: Path, code: str, reviewer_id: str) -> Reviewer:
    reviewers = load_reviewers(root)
    person = reviewers.find(reviewer_id)
    if person.may_review(code):
        if not person.may_review(code, dt.date.today()):
            raise ReviewError(
                f"{person.id} may not approve any more: {reviewers.file} ends their listing {person.until}"
            )
    else:
        raise ReviewError(
            f"{person.id} may not approve '{code}': {reviewers.file} lists them for "
            f"{', '.join(person.languages) or 'no language'}; a clinic administrator adds a language "
            "together with the qualification for it"
        )
    return person


def _refusal(
    item: Item,
    shown: dict,
    reviewer: Reviewer,
    catalog: Catalog,
    approvals: Approvals,
    overrides: dict[str, str],
) -> str | None:
    """Why an entry on the sheet cannot be approved now by ``reviewer``, if it cannot."""
    if item.digest != shown["digest"]:
        return "changed since the review sheet was made; regenerate the sheet and read it again"
    if item.state is State.MISSING:
        return "has no translation"
    if item.message is not None:
        author = origin_of(item.message, catalog, approvals)
        if author.get("kind") == "person" and reviewer.is_person(str(author.get("name", ""))):
            return (
                f"{reviewer.id} wrote this translation ({author.get('name')}, {author.get('source')}); "
                "another listed reviewer must approve it"
            )
    blocking = [
        f
        for f in item.findings
        if (f.severity == "error" or f.check in NEEDS_OVERRIDE) and f.check not in overrides
    ]
    if blocking:
        what = "; ".join(f"{f.check}: {f.message}" for f in blocking)
        names = ",".join(dict.fromkeys(f.check for f in blocking))
        return f'fails a check ({what}); fix it, or approve with --override {names.split(",")[0]}="reason"'
    return None


def origin_of(message: Message, catalog: Catalog, approvals: Approvals) -> dict[str, Any]:
    """Where the translation came from: the person who edited it in the browser, the machine that
    drafted it (if no one changed its text), or the catalogue's Last-Translator."""
    editor = approvals.editor(message)
    if editor:
        return {"kind": "person", "name": editor, "source": "edited in the review app"}
    provider = machine_provider(message)
    if provider and is_machine_text(message):
        return {"kind": "machine", "package": provider}
    translator = (catalog.last_translator or "").strip()
    if translator and not translator.upper().startswith("FULL NAME"):
        return {"kind": "person", "name": translator, "source": "Last-Translator of the catalogue"}
    return {"kind": "unknown"}


def keys_on_handout(root: Path, code: str, handout: str) -> set:
    """Every entry the handout's sheet shows in ``code``: its own text and the template's labels."""
    from handoutgen.build.run import load_inputs
    from handoutgen.render.html import make_environment, render_html
    from handoutgen.text.locales import locale_info

    inputs = load_inputs(root)
    known = [h.id for h in inputs.handouts]
    if handout not in known:
        raise ReviewError(f"unknown handout '{handout}'; known: {', '.join(known)}")
    locale = locale_info(code)
    translations = inputs.translations(locale)
    env = make_environment(inputs.project)
    render_html(inputs.project, env, inputs.handout(handout), inputs.clinic, locale, translations)
    return set(translations.lookup.used)


def source_version(root: Path, message: Message) -> dict[str, Any]:
    """The English the approval was made against: each handout file's hash, and the commit."""
    files = sorted({f for f, _ in message.locations if f.startswith(("handouts/", "templates/"))})
    hashes = {}
    for name in files:
        path = Path(root) / name
        if path.is_file():
            hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return {"files": hashes, "commit": git_commit(Path(root))}


def approval_record(
    root: Path,
    code: str,
    item: Item,
    message: Message,
    catalog: Catalog,
    plan: ApprovalPlan,
    approvals: Approvals,
) -> dict[str, Any]:
    """The record of one approval (the chain fields are added when it is appended)."""
    waived = [
        {"check": f.check, "finding": f.message, "reason": plan.overrides[f.check]}
        for f in item.findings
        if f.check in plan.overrides
    ]
    return {
        **new_record(code, message, "approve", plan.reviewer.id, plan.reviewer.name),
        "qualification": plan.reviewer.qualification,
        "source": source_version(root, message),
        "origin": origin_of(message, catalog, approvals),
        "overrides": waived,
    }


def apply_approval(root: Path, code: str, catalog: Catalog, plan: ApprovalPlan) -> int:
    """Record the planned approvals and clear ``fuzzy`` on those entries; nothing is written if the
    catalogue or the records changed since the plan was made."""
    root = Path(root).resolve()
    with catalog_locks(root, [code]):  # the same lock as `catalogs update`, `translate`, the browser
        return _write_approval(root, code, catalog, plan)


def approve_now(
    root: Path, code: str, reviewer_id: str, shown: dict[str, dict], overrides: dict[str, str] | None = None
) -> ApprovalPlan:
    """Plan and write in one go under the catalogue's lock (the browser: two reviewers approving at
    the same moment are done one after the other, and neither approval is lost)."""
    root = Path(root).resolve()
    with catalog_locks(root, [code]):
        catalog, plan = plan_approval(root, code, reviewer_id, Selection(everything=True), overrides, shown)
        if plan.approve:
            _write_approval(root, code, catalog, plan)
    return plan


def _write_approval(root: Path, code: str, catalog: Catalog, plan: ApprovalPlan) -> int:
    path = po_path(root / "locales", code)
    approvals = load_approvals(root, code)
    if (
        hashlib.sha256(path.read_bytes()).hexdigest() != plan.file_digest
        or hashlib.sha256(approvals.log.raw).hexdigest() != plan.log_digest
    ):
        raise ReviewError(
            f"{path.relative_to(root)}: the catalogue or its approvals changed while approving; "
            "nothing was written, run the command again"
        )
    old, source = read_for_update(path)
    records = []
    for item in plan.approve:
        message = catalog.get(item.key[0], context=item.key[1])
        if message is not None:  # planned from this very catalogue: always there
            records.append(approval_record(root, code, item, message, catalog, plan, approvals))
            mark_approved(message)
    write_changes(path, catalog, old, source)
    append_records(read_log(approvals.log.path), records)
    return len(records)


def describe_plan(plan: ApprovalPlan) -> str:
    shared = f" ({plan.shared_labels} of them labels other handouts share)" if plan.shared_labels else ""
    who = f"{plan.reviewer.name} ({plan.reviewer.qualification})"
    return f"will approve {len(plan.approve)} entries{shared} as {who}:"
