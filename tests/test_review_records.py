"""Review you can prove: approval records bound to the exact text, listed reviewers, a chain that
shows tampering, print records, and the evidence report. All through the real command line, on real
catalogues, records, PDFs (read back with pdftotext) and GNU gettext tools."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pikepdf
from conftest import list_reviewers, pdf_text

from handoutgen.catalogs.approvals import load_approvals, record_hash
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog, update_catalogs
from handoutgen.cli.main import main

REVIEWERS = """reviewers:
  - id: ana
    name: Ana Reviewer
    languages: [es]
    qualification: ATA certified en>es (no. 000001)
  - id: rosa
    name: Rosa Díaz
    email: rosa@example.org
    languages: [es]
    qualification: bilingual staff, assessed 2026-05 by the clinic's language services
"""
TRANSLATOR = "Rosa Díaz <rosa@example.org>"
DRAFT_MARK = "BORRADOR"
SHARED = "Feeling tired or sleepy for the rest of the day."


def run(project: Path, *args: str) -> int:
    return main(["-C", str(project), *args])


def states(project: Path, code: str = "es") -> dict:
    approvals = load_approvals(project, code)
    catalog = load_catalog(po_path(project / "locales", code), code)
    return {m.id: entry_state(m, approvals) for m in catalog if m.id}


def poedit_save(project: Path, change=None, code: str = "es") -> None:
    """What a translator's Poedit save does: every entry translated and not fuzzy, the translator
    in Last-Translator (``change`` may edit entries first)."""
    path = po_path(project / "locales", code)
    catalog = load_catalog(path, code)
    catalog.last_translator = TRANSLATOR
    for message in catalog:
        if message.id:
            if change:
                change(message)
            message.flags.discard("fuzzy")
    save_catalog(catalog, path)


def sheet_numbers(project: Path, code: str = "es") -> dict[str, int]:
    manifest = json.loads((project / "build" / "review" / f"{code}.json").read_text())
    return {e["msgid"]: int(n) for n, e in manifest["entries"].items()}


def approve_handout(project: Path, handout: str, reviewer: str = "ana") -> int:
    assert run(project, "review", "sheet", "es", "--no-pdf") == 0
    return run(project, "review", "approve", "es", "--reviewer", reviewer, "--handout", handout, "--yes")


def build_es(project: Path, *extra: str) -> int:
    return run(project, "build", "-l", "es", "--handout", "aftercare", *extra)


def assert_finals_were_approved(project: Path) -> None:
    """Nothing printed as final that a listed reviewer did not approve in exactly that form."""
    approvals = load_approvals(project, "es")
    catalog = load_catalog(po_path(project / "locales", "es"), "es")
    for pdf in (project / "build" / "es").glob("*.pdf"):
        if DRAFT_MARK in pdf_text(pdf):
            continue
        sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        record = next(
            json.loads(p.read_text())
            for p in (project / "prints" / "es").glob("*.json")
            if json.loads(p.read_text())["pdf_sha256"] == sha
        )
        for entry in record["entries"]:
            message = catalog.get(entry["english"], context=entry["context"])
            assert entry["approval"] and approvals.approval(message)["hash"] == entry["approval"]["hash"]


def test_scenario_poedit_obsolete_shared_self_approval_forgery(project: Path, capsys) -> None:
    """The clinic's promise, step by step. Long because it is one story."""
    list_reviewers(project, REVIEWERS)
    # 1. a Poedit-style save (msgattrib --clear-fuzzy does the same): translated, awaiting review
    poedit_save(project)
    assert State.REVIEWED not in states(project).values()
    assert build_es(project) == 0 and DRAFT_MARK in pdf_text(project / "build" / "es" / "aftercare.pdf")
    assert not (project / "prints" / "es").exists()
    # 2. the translator approving their own work is refused, entry by entry
    capsys.readouterr()
    assert approve_handout(project, "aftercare", reviewer="rosa") == 1
    assert "rosa wrote this translation" in capsys.readouterr().err
    assert not (project / "locales" / "es" / "approvals.jsonl").exists()
    # 3. another listed reviewer approves: the sheet is final, with a print record
    assert approve_handout(project, "aftercare") == 0
    assert build_es(project) == 0
    pdf = project / "build" / "es" / "aftercare.pdf"
    assert DRAFT_MARK not in pdf_text(pdf)
    assert_finals_were_approved(project)
    # 4. obsolete and back: pybabel strips fuzzy from obsolete entries; only approved text returns reviewed
    yaml_path = project / "handouts" / "aftercare.yaml"
    original = yaml_path.read_text()
    line = next(l for l in original.splitlines() if "Eat regular meals" in l)
    yaml_path.write_text(original.replace(line + "\n", ""))
    update_catalogs(project, ["es"])
    text = line.strip().lstrip("- ").strip()
    catalog = load_catalog(po_path(project / "locales", "es"), "es")
    for message in catalog.obsolete.values():
        message.flags.discard("fuzzy")
    save_catalog(catalog, po_path(project / "locales", "es"))
    yaml_path.write_text(original)
    update_catalogs(project, ["es"])
    assert states(project)[text] is State.REVIEWED  # approved in exactly this form before
    # 5. one copy of a shared sentence edited: the translation is kept (stale), the other copy stays
    other = project / "handouts" / "back-care.yaml"
    other_text = other.read_text()
    assert SHARED in original
    section = f"  - kind: aftercare\n    title: Care for the next 24 hours\n    body:\n      - {SHARED}\n"
    other.write_text(other_text.replace("sections:\n", "sections:\n" + section, 1))
    update_catalogs(project, ["es"])
    edited = SHARED.replace("the day.", "the evening.")
    yaml_path.write_text(original.replace(SHARED, edited))
    update_catalogs(project, ["es"])
    now = states(project)
    assert now[SHARED] is State.REVIEWED and now[edited] is State.STALE
    message = load_catalog(po_path(project / "locales", "es"), "es").get(edited)
    assert message.string and message.previous_id == [SHARED]
    assert build_es(project) == 0 and DRAFT_MARK in pdf_text(pdf)
    yaml_path.write_text(original)  # undone: reviewed again, final again
    update_catalogs(project, ["es"])
    assert states(project)[SHARED] is State.REVIEWED
    assert build_es(project) == 0 and DRAFT_MARK not in pdf_text(pdf)
    # 6. a forged record (well chained, by someone not listed) counts for nothing
    log_path = project / "locales" / "es" / "approvals.jsonl"
    records = [json.loads(l) for l in log_path.read_text().splitlines()]
    target = next(
        m
        for m in load_catalog(po_path(project / "locales", "es"), "es")
        if m.id and states(project)[m.id] is not State.REVIEWED and m.string and not m.previous_id
    )
    from handoutgen.catalogs.approvals import message_hash

    forged = {
        **records[-1],
        "by": "mallory",
        "name": "Mallory",
        "seq": len(records) + 1,
        "prev": records[-1]["hash"],
    }
    forged.update(
        english=[target.id], context=target.context, translation=[target.string], text=message_hash(target)
    )
    forged["hash"] = record_hash(forged)
    log_path.write_text(log_path.read_text() + json.dumps(forged, ensure_ascii=False) + "\n")
    assert states(project)[target.id] is not State.REVIEWED
    capsys.readouterr()
    assert run(project, "review", "verify", "es") == 6
    assert "'mallory' is not in reviewers.yaml" in capsys.readouterr().err
    assert_finals_were_approved(project)


def _log(project: Path) -> Path:
    return project / "locales" / "es" / "approvals.jsonl"


def _approved_project(project: Path) -> None:
    list_reviewers(project, REVIEWERS)
    poedit_save(project)
    assert approve_handout(project, "aftercare") == 0


def test_an_edited_record_breaks_the_chain_at_its_line(project: Path, capsys) -> None:
    _approved_project(project)
    lines = _log(project).read_text().splitlines()
    record = json.loads(lines[4])
    record["translation"] = ["algo distinto"]  # the text a reviewer approved, changed afterwards
    lines[4] = json.dumps(record, ensure_ascii=False)
    _log(project).write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert run(project, "review", "verify") == 6
    err = capsys.readouterr().err
    assert "locales/es/approvals.jsonl:5: record 5 was changed after it was written" in err
    # records from the break on count for nothing: the build says so, prints drafts, exits 6
    assert build_es(project) == 6
    assert "approvals.jsonl:5" in capsys.readouterr().err
    assert DRAFT_MARK in pdf_text(project / "build" / "es" / "aftercare.pdf")
    # and again, when the sheet is known up to date and the catalogue's summary comes from the cache
    assert build_es(project) == 6
    assert "approvals.jsonl:5" in capsys.readouterr().err
    assert sum(s is State.REVIEWED for s in states(project).values()) == 4


def test_a_deleted_record_is_detected(project: Path, capsys) -> None:
    _approved_project(project)
    lines = _log(project).read_text().splitlines()
    _log(project).write_text("\n".join(lines[:2] + lines[3:]) + "\n")
    capsys.readouterr()
    assert run(project, "review", "verify", "es") == 6
    assert "does not follow record 2" in capsys.readouterr().err


def test_a_deleted_last_record_that_a_print_cites_is_detected(project: Path, capsys) -> None:
    _approved_project(project)
    assert build_es(project) == 0
    lines = _log(project).read_text().splitlines()
    _log(project).write_text("\n".join(lines[:-1]) + "\n")
    capsys.readouterr()
    assert run(project, "review", "verify", "es") == 6
    assert "no longer holds" in capsys.readouterr().err


def test_approval_record_holds_what_section_1557_asks(project: Path) -> None:
    _approved_project(project)
    record = load_approvals(project, "es").log.records[0]
    assert record["by"] == "ana" and record["qualification"].startswith("ATA certified")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["at"])
    assert record["origin"] == {
        "kind": "person",
        "name": TRANSLATOR,
        "source": "Last-Translator of the catalogue",
    }
    assert "handouts/aftercare.yaml" in record["source"]["files"]
    assert record["english"] and record["translation"] and len(record["text"]) == 64


def test_any_change_to_the_translation_or_english_needs_review_again(project: Path) -> None:
    _approved_project(project)
    before = states(project)
    reviewed = [k for k, s in before.items() if s is State.REVIEWED]
    poedit_save(
        project, change=lambda m: setattr(m, "string", m.string + " ") if m.id == reviewed[0] else None
    )
    assert states(project)[reviewed[0]] is State.AWAITING
    assert sum(s is State.REVIEWED for s in states(project).values()) == len(reviewed) - 1


def test_trace_answers_what_the_patient_got(project: Path, capsys) -> None:
    _approved_project(project)
    assert build_es(project) == 0
    pdf = project / "build" / "es" / "aftercare.pdf"
    capsys.readouterr()
    assert run(project, "trace", str(pdf)) == 0
    out = capsys.readouterr().out
    print_id = re.search(r"print ([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})", out)[1]
    assert "handout 'aftercare' [es]" in out and "approved by Ana Reviewer (ATA certified" in out
    assert run(project, "trace", print_id) == 0 and print_id in capsys.readouterr().out
    assert run(project, "trace", print_id.replace("-", " ").upper()) == 0  # as typed off paper
    assert print_id in pdf_text(pdf).replace("\n", " ")  # small in the footer
    with pikepdf.open(pdf) as doc:  # and in the metadata: the document info and the XMP packet
        assert f"handoutgen-print:{print_id}" in str(doc.docinfo["/Keywords"])
        assert f"handoutgen-print:{print_id}" in doc.open_metadata()["pdf:Keywords"]
    pdf.write_bytes(pdf.read_bytes() + b"\n%tampered\n")
    assert run(project, "trace", str(pdf)) != 0
    assert "no print record matches this PDF" in capsys.readouterr().err


def test_a_sheet_no_longer_final_is_never_left_as_final(project: Path) -> None:
    _approved_project(project)
    assert build_es(project) == 0
    pdf = project / "build" / "es" / "aftercare.pdf"
    assert DRAFT_MARK not in pdf_text(pdf)
    target = next(k for k, s in states(project).items() if s is State.REVIEWED)
    poedit_save(project, change=lambda m: setattr(m, "string", m.string + "!") if m.id == target else None)
    assert build_es(project, "--final-only") == 0
    assert not pdf.exists()
    assert run(project, "status", "-l", "es") == 0
    assert "es/aftercare.pdf" not in (project / "build" / "index.html").read_text()
    assert build_es(project) == 0 and DRAFT_MARK in pdf_text(pdf)  # replaced by its draft


def test_review_report_csv_and_pdf_with_re_review_due(project: Path, capsys) -> None:
    _approved_project(project)
    capsys.readouterr()
    assert run(project, "review", "report", "es", "--today", "2031-01-01") == 0
    err = capsys.readouterr().err
    rows = list(csv.DictReader((project / "build" / "review" / "es-report.csv").open(encoding="utf-8")))
    reviewed = [r for r in rows if r["state"] == "reviewed"]
    assert reviewed and all(
        r["re-review due"] and r["qualification"] and r["source version"] for r in reviewed
    )
    assert {r["state"] for r in rows} >= {"reviewed", "awaiting review"}
    assert f"{len(reviewed)} due for re-review" in err
    text = pdf_text(project / "build" / "review" / "es-report.pdf")
    assert "Review report: Spanish" in text and "Ana Reviewer" in text
    assert run(project, "review", "report", "es", "--no-pdf") == 0
    assert "0 due for re-review" in capsys.readouterr().err


def test_reviewers_file_errors_name_the_line(project: Path, capsys) -> None:
    list_reviewers(project, "reviewers:\n  - id: ana ba\n    name: Ana\n    languages: [es, xx/..]\n")
    poedit_save(project)
    capsys.readouterr()
    assert run(project, "review", "sheet", "es", "--no-pdf") == 6  # nothing is read past a broken list
    err = capsys.readouterr().err
    assert "reviewers.yaml:2" in err and "not a reviewer id" in err
    assert "missing required field 'qualification'" in err and "xx/.." in err
    assert not _log(project).exists()


def test_msgattrib_clear_fuzzy_never_makes_a_sheet_final(project: Path) -> None:
    list_reviewers(project, REVIEWERS)
    path = po_path(project / "locales", "es")
    subprocess.run(["msgattrib", "--clear-fuzzy", "-o", str(path), str(path)], check=True)
    assert build_es(project) == 0 and DRAFT_MARK in pdf_text(project / "build" / "es" / "aftercare.pdf")
    assert run(project, "status", "-l", "es") == 0
