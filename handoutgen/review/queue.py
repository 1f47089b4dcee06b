"""What the browser's review queue and history show, computed here so the command line and the
browser read the same states, findings and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutgen.catalogs.approvals import load_approvals
from handoutgen.catalogs.store import locales_on_disk
from handoutgen.review.approve import origin_of
from handoutgen.review.sheets import Item, collect


@dataclass
class QueueView:
    code: str
    items: list[Item]
    origins: dict[int, str]
    handouts: list[str]
    checks: list[str]
    may_edit: bool
    may_review: bool
    filters: dict[str, str | None] = field(default_factory=dict)
    total: int = 0


def queue_view(
    root: Path, code: str, user: Any, handout: str | None, state: str | None, finding: str | None
) -> QueueView:
    """Every entry that needs a reviewer (``state=all``: every entry), filtered by handout, state
    and finding, with where each translation came from and a back-translation where one exists."""
    approvals = load_approvals(root, code)
    catalog, items = collect(
        root, code, only_pending=state != "all", back_translate=True, approvals=approvals
    )
    handouts = sorted({i.handout for i in items})
    checks = sorted({f.check for i in items for f in i.findings})
    shown = [
        i
        for i in items
        if (not handout or i.handout == handout)
        and (not state or state == "all" or i.state.value == state)
        and (not finding or any(f.check == finding for f in i.findings))
    ]
    origins = {i.number: _origin_text(origin_of(i.message, catalog, approvals)) for i in shown if i.message}
    return QueueView(
        code,
        shown,
        origins,
        handouts,
        checks,
        user.may("edit", code),
        user.may("review", code),
        {"handout": handout, "state": state, "finding": finding},
        len(items),
    )


def _origin_text(origin: dict[str, Any]) -> str:
    if origin.get("kind") == "machine":
        return f"machine translation: {origin.get('package')}"
    if origin.get("kind") == "person":
        return f"{origin.get('name')} ({origin.get('source')})"
    return "unknown"


def history_rows(root: Path, code: str | None = None) -> list[dict[str, Any]]:
    """Every record (approvals, edits, send-backs), newest first."""
    rows = []
    for locale in [code] if code else locales_on_disk(Path(root) / "locales"):
        log = load_approvals(root, locale).log
        for record in log.records:
            rows.append(
                {
                    "locale": locale,
                    "at": record["at"],
                    "action": record["action"],
                    "by": record.get("name") or record["by"],
                    "qualification": record.get("qualification", ""),
                    "english": record["english"][0],
                    "translation": (record.get("translation") or [""])[0],
                    "comment": record.get("comment", ""),
                    "overrides": "; ".join(
                        f"{o['check']}: {o['reason']}" for o in record.get("overrides", [])
                    ),
                    "seq": record["seq"],
                }
            )
    rows.sort(key=lambda r: (r["at"], r["seq"]), reverse=True)
    return rows
