"""Review: the sheet, approvals with an audit trail, the print policy and the status page."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import list_reviewers, pdf_text

from handoutgen.build.run import BuildOptions, build
from handoutgen.catalogs.approvals import load_approvals
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog, update_catalogs
from handoutgen.cli.main import main


def run(project: Path, *args: str) -> int:
    return main(["-C", str(project), *args])


def sheet_numbers(project: Path, code: str, handout: str | None = None) -> dict[str, int]:
    manifest = json.loads((project / "build" / "review" / f"{code}.json").read_text())
    return {e["msgid"]: int(n) for n, e in manifest["entries"].items()}


def _state(project: Path, text: str, code: str = "es") -> State:
    message = load_catalog(po_path(project / "locales", code), code).get(text)
    return entry_state(message, load_approvals(project, code))


def test_full_cycle_draft_approve_edit_stale_reapprove_final(project: Path, capsys) -> None:
    list_reviewers(project)
    # draft: the shipped Spanish prints with a DRAFT mark
    assert run(project, "build", "-l", "es", "--handout", "aftercare") == 0
    assert "BORRADOR" in pdf_text(project / "build" / "es" / "aftercare.pdf")
    # approve everything of this handout (and the labels on every sheet) after reading the sheet
    assert run(project, "review", "sheet", "es") == 0
    assert (project / "build" / "review" / "es.pdf").exists()
    assert (
        run(
            project,
            "review",
            "approve",
            "es",
            "--reviewer",
            "ana",
            "--handout",
            "aftercare",
            "--yes",
        )
        == 0
    )
    assert run(project, "review", "sheet", "es") == 0
    labels = [n for msgid, n in sheet_numbers(project, "es").items() if msgid in LABELS]
    assert run(project, "review", "approve", "es", "--reviewer", "ana", "--yes", *map(str, labels)) == 0
    capsys.readouterr()
    assert run(project, "build", "-l", "es", "--handout", "aftercare") == 0
    assert "BORRADOR" not in pdf_text(project / "build" / "es" / "aftercare.pdf")
    # audit trail: who approved the Spanish aftercare sheet, and when
    catalog = load_catalog(po_path(project / "locales", "es"), "es")
    record = load_approvals(project, "es").approval(catalog.get("After your acupuncture visit"))
    assert record["by"] == "ana" and record["name"] == "Ana Reviewer" and "ATA" in record["qualification"]
    # edit the English: exactly that entry becomes stale, the sheet is a draft again
    yaml_path = project / "handouts" / "aftercare.yaml"
    old = "Rest for the rest of the day if you can."
    new = "Rest for the rest of the day if you are able to."
    yaml_path.write_text(yaml_path.read_text().replace(old, new))
    update_catalogs(project, ["es"])
    assert _state(project, new) is State.STALE
    assert run(project, "build", "-l", "es", "--handout", "aftercare") == 0
    assert "BORRADOR" in pdf_text(project / "build" / "es" / "aftercare.pdf")
    # the sheet shows the change as a diff
    assert run(project, "review", "sheet", "es") == 0
    html = (project / "build" / "review" / "es.html").read_text()
    assert "<del>can.</del>" in html and "<ins>are able to.</ins>" in html
    # re-approve that entry: final again
    number = sheet_numbers(project, "es")[new]
    assert run(project, "review", "approve", "es", "--reviewer", "ana", "--yes", str(number)) == 0
    assert run(project, "build", "-l", "es", "--handout", "aftercare") == 0
    assert "BORRADOR" not in pdf_text(project / "build" / "es" / "aftercare.pdf")


LABELS = {
    "Page %(page)s of %(pages)s",
    "%(handout_id)s · version %(version)s · %(language)s · last reviewed %(date)s",
    "Who this is for:",
    "When to get help",
    "Call us the same day",
    "Get emergency help now",
    "DRAFT — translation not yet reviewed",
    "DRAFT",
    "What to expect",
    "Before your visit",
    "Caring for yourself afterwards",
    "Questions and answers",
}


def test_approval_refuses_entries_changed_since_the_sheet(project: Path, capsys) -> None:
    list_reviewers(project)
    assert run(project, "review", "sheet", "es") == 0
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = catalog.get("After your acupuncture visit")
    message.string = "Después de su visita (cambiado)"
    save_catalog(catalog, path)
    number = sheet_numbers(project, "es")["After your acupuncture visit"]
    capsys.readouterr()
    assert run(project, "review", "approve", "es", "--reviewer", "ana", "--yes", str(number)) == 1
    assert "changed since the review sheet" in capsys.readouterr().err
    assert _state(project, "After your acupuncture visit") is not State.REVIEWED


def test_approval_refuses_entries_failing_an_error_check(project: Path, capsys) -> None:
    list_reviewers(project)
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = next(m for m in catalog if m.id and "24" in m.id)
    message.string = message.string.replace("24", "12")
    save_catalog(catalog, path)
    assert run(project, "review", "sheet", "es") == 0
    number = sheet_numbers(project, "es")[message.id]
    capsys.readouterr()
    assert run(project, "review", "approve", "es", "--reviewer", "ana", "--yes", str(number)) == 1
    assert "fails a check (numbers:" in capsys.readouterr().err
    assert _state(project, message.id) is State.DRAFT
    # a reviewer may override it, with a reason that goes into the record
    reason = "numbers=the clinic's protocol here is 12 hours, checked with Dr. Ruiz"
    assert (
        run(
            project,
            "review",
            "approve",
            "es",
            "--reviewer",
            "ana",
            "--yes",
            "--override",
            reason,
            str(number),
        )
        == 0
    )
    assert _state(project, message.id) is State.REVIEWED
    record = load_approvals(project, "es").log.records[-1]
    assert record["overrides"][0]["check"] == "numbers" and "Dr. Ruiz" in record["overrides"][0]["reason"]


REVIEWERS_WITHOUT_ROSA_ES = """reviewers:
  - {id: ana, name: Ana Reviewer, languages: [es], qualification: ATA certified en>es}
  - {id: rosa, name: Rosa Díaz, languages: [vi], qualification: bilingual staff}
"""


@pytest.mark.parametrize(
    "args, message",
    [
        (["review", "approve", "es", "--reviewer", "  ", "--all", "--yes"], "'  ' is not in reviewers.yaml"),
        (
            ["review", "approve", "es", "--reviewer", "Ana Reviewer", "--all", "--yes"],
            "is not in reviewers.yaml",
        ),
        (["review", "approve", "xx", "--reviewer", "ana", "--all", "--yes"], "no catalogue for 'xx'"),
        (["review", "sheet", "pt"], "no catalogue for 'pt'"),
        (["review", "approve", "es", "--reviewer", "ana", "--all", "--yes"], "no review sheet for 'es'"),
        (["review", "approve", "es", "--reviewer", "rosa", "--all", "--yes"], "rosa may not approve 'es'"),
        (["review", "approve", "es", "--reviewer", "ana", "--yes", "3-x"], "'3-x' is not an entry number"),
        (
            ["review", "approve", "es", "--reviewer", "ana", "--override", "numbers=ok", "1"],
            "give the reason",
        ),
        (
            ["review", "approve", "es", "--reviewer", "ana", "--override", "nope=a good reason", "1"],
            "no such check",
        ),
    ],
)
def test_review_errors_are_one_clear_line(project: Path, capsys, args: list[str], message: str) -> None:
    list_reviewers(project, REVIEWERS_WITHOUT_ROSA_ES)
    if "no review sheet" not in message:
        assert run(project, "review", "sheet", "es", "--no-pdf") == 0
    before = po_path(project / "locales", "es").read_bytes()
    capsys.readouterr()
    assert run(project, *args) == 6
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert po_path(project / "locales", "es").read_bytes() == before


def test_final_only_skips_drafts_and_says_why(project: Path) -> None:
    outcomes = build(
        project,
        BuildOptions(locales=("en", "es"), handouts=("aftercare",), final_only=True),
        report=lambda line: None,
    )
    assert (project / "build" / "en" / "aftercare.pdf").exists()
    assert not (project / "build" / "es" / "aftercare.pdf").exists()
    assert any("skipped (--final-only)" in w and "draft" in w for o in outcomes for w in o.warnings)


# -- status ---------------------------------------------------------------------------------------


def test_status_table_counts_entries_per_sheet(project: Path, capsys) -> None:
    capsys.readouterr()
    assert run(project, "status", "-l", "en", "-l", "es") == 0
    out = capsys.readouterr().out
    en_row = next(l for l in out.splitlines() if l.startswith("aftercare") and " en " in l)
    es_row = next(l for l in out.splitlines() if l.startswith("aftercare") and " es " in l)
    assert en_row.split()[-1] == "yes"
    assert "no (DRAFT)" in es_row and es_row.split()[5] != "0"  # drafts


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "tr" and "data-locale" in attrs:
            self.rows.append(attrs)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is installed by test.sh")
def test_status_page_in_a_real_browser(project: Path, tmp_path: Path) -> None:
    assert run(project, "build", "-l", "en", "-l", "es") == 0
    assert run(project, "review", "sheet", "es", "--no-pdf") == 0
    assert run(project, "status", "-l", "en", "-l", "es") == 0
    page = (project / "build" / "index.html").resolve().as_uri()
    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    parser = _Links()
    parser.feed(dom)
    states = {(r["data-handout"], r["data-locale"]): r["class"] for r in parser.rows}
    assert states[("aftercare", "en")] == "ready" and states[("aftercare", "es")] == "draft"
    assert len(states) == 2 * len(list((project / "handouts").glob("*.yaml")))
    pdfs = [l for l in parser.links if l.endswith(".pdf")]
    assert len(pdfs) == len(states)
    for link in parser.links:
        target = Path(unquote(urlsplit(urljoin(page, link)).path))
        assert target.is_file(), link
