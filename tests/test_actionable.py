"""The actionable blocks (checklist, notes, pain scale, when to call, icons) and the QR code: the schema
reads and refuses them, extraction gives translators what they need, and the printed sheets show them,
judged by poppler (text, and the page as pixels), pikepdf (the structure tree) and zbarimg (the QR code).
Malformed blocks as a user meets them are in tests/data/bad/handout/ (unknown-icon, notes-too-many-lines,
block-two-kinds) and tests/data/bad/clinic/bad-hours, run by tests/test_bad_inputs.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from conftest import copy_project, pdf_info, pdf_text
from test_accessibility import elements, read_sheet, text_of

from handoutgen.build.run import BuildOptions, build, load_inputs
from handoutgen.content.handout import parse_handout
from handoutgen.content.icons import ICONS

BLOCKS = """\
id: blocks
title: A handout
summary: Every actionable block.
audience: Adults.
version: "1.0"
reviewed: 2026-11-01
sections:
  - kind: aftercare
    body:
      - text: Rest today.
        icon: rest
      - checklist:
          - Drink water.
          - {text: Do not drive today., icon: no-driving}
      - notes:
      - notes: {title: Questions for us, lines: 3}
      - pain_scale:
      - pain_scale: {prompt: How bad is it now?}
  - kind: when_to_get_help
    body:
      - when_to_call:
      - when_to_call: {title: Reach us}
    urgent:
      - {text: "Call us at {clinic_phone}.", icon: call-us}
    emergency:
      - Call {emergency_number}.
reviewed_by: our clinical lead
sources: ["NCCIH: Acupuncture (nccih.nih.gov)"]
"""


def test_the_schema_reads_every_block() -> None:
    handout, problems = parse_handout(BLOCKS, Path("blocks.yaml"))
    assert problems == [] and handout is not None
    body = handout.sections[0].body
    assert [b.kind for b in body] == ["paragraph", "checklist", "notes", "notes", "pain_scale", "pain_scale"]
    assert body[0].items[0].icon.name == "rest" and body[0].items[0].icon.alt.text == ICONS["rest"]
    assert [t.text for t in body[1].items] == ["Drink water.", "Do not drive today."]
    assert body[1].items[0].icon is None and body[1].items[1].icon.name == "no-driving"
    assert (body[2].title, body[2].lines) == (None, 6) and (body[3].title.text, body[3].lines) == (
        "Questions for us",
        3,
    )
    assert body[4].title is None and body[5].title.text == "How bad is it now?"
    help_body = handout.sections[1].body
    assert [b.kind for b in help_body] == ["when_to_call", "when_to_call"]
    assert help_body[1].title.text == "Reach us"
    assert handout.reviewed_by.text == "our clinical lead" and len(handout.sources) == 1
    texts = [t.text for t in handout.texts()]
    assert ICONS["no-driving"] in texts and ICONS["call-us"] in texts  # icon alt texts are entries


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("icon: rest", "icon: bicycle", 11, "sections[0].body[0].icon: unknown icon 'bicycle'"),
        ("lines: 3}", "lines: 40}", 16, "notes.lines: expected a whole number of lines from 2 to 20"),
        (
            "pain_scale:\n      - pain",
            "pain_scale: [1, 2]\n      - pain",
            17,
            "pain_scale: expected a mapping",
        ),
        ("{prompt: How", "{question: How", 18, "unknown field 'question'; expected one of: prompt"),
        (
            "      - when_to_call:\n      - when",
            "      - when_to_call:\n        list: [A.]\n      - when",
            21,
            "a block holds exactly one of",
        ),
        (
            "- checklist:\n          - Drink water.\n"
            "          - {text: Do not drive today., icon: no-driving}",
            "- checklist: []",
            12,
            "checklist: is empty; add at least one item",
        ),
    ],
)
def test_a_malformed_block_is_refused_at_its_line(old: str, new: str, line: int, message: str) -> None:
    assert old in BLOCKS
    handout, problems = parse_handout(BLOCKS.replace(old, new, 1), Path("handouts/blocks.yaml"))
    assert handout is None and problems
    shown = [f"{p.file}:{p.line}: {p.path}: {p.message}" for p in problems]
    assert any(s.startswith(f"handouts/blocks.yaml:{line}: ") and message in s for s in shown), shown


def test_every_icon_has_its_own_drawing_and_nothing_else_is_in_the_set() -> None:
    root = Path(__file__).resolve().parent.parent
    drawn = {p.stem for p in (root / "assets" / "icons").glob("*.svg")}
    assert drawn == set(ICONS)
    for name in ICONS:
        svg = (root / "assets" / "icons" / f"{name}.svg").read_text()
        assert "<text" not in svg and "href" not in svg, name  # shapes only: no font, nothing fetched


def test_extraction_gives_translators_the_new_text_with_comments(project: Path) -> None:
    from handoutgen.catalogs.extract import extract_template

    catalog = extract_template(project)
    wanted = {
        "Rest for the rest of the day if you can.": "checklist item (an empty tick box",
        "My questions for my next visit": "heading over ruled lines",
        "How bad is your pain today? Circle a number.": "question over a 0-10 pain scale",
        ICONS["drink-water"]: "text alternative of the icon 'drink-water'",
        "our clinical lead, a licensed acupuncturist": "who did the clinical review",
    }
    for text, comment in wanted.items():
        message = catalog.get(text)
        assert message is not None, text
        assert any(comment in c for c in message.auto_comments), (text, message.auto_comments)
    for label in ("No pain", "Worst pain", "How to reach us", "%(first_day)s to %(last_day)s"):
        assert catalog.get(label) is not None, label  # template labels


# -- printed sheets --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("actionable") / "project")
    options = BuildOptions(locales=("en", "es"), handouts=("aftercare", "back-pain-faq"), write_html=True)
    outcomes = build(root, options, report=lambda line: None)
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    return root


def _squares(page: pikepdf.Page) -> Counter:
    """Rectangles drawn on a page, by rounded (width, height): borders are drawn as rectangles."""
    found: Counter = Counter()
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "re":
            width, height = abs(float(operands[2])), abs(float(operands[3]))
            if round(width, 1) == round(height, 1):
                found[round(width, 1)] += 1
    return found


def test_the_sheet_shows_tick_boxes_pain_scale_notes_hours_and_interpreter(built: Path) -> None:
    pdf = built / "build" / "en" / "aftercare.pdf"
    text = " ".join(pdf_text(pdf).split())
    scale = [line.split() for line in pdf_text(pdf, "-layout").splitlines()]
    assert [str(n) for n in range(11)] in scale  # the numbers in a row, 0 to 10
    assert ["No", "pain", "Worst", "pain"] in scale
    assert "My questions for my next visit" in text
    assert "How to reach us" in text and "Monday to Friday: 8:00" in text and "Saturday: 9:00" in text
    assert "In an emergency, call 911 right away." in text
    assert "An interpreter is available. Ask for one in your language." in text
    # six checklist items: six empty squares of one size (outer and inner edge of each border)
    items = len(load_inputs(built).handout("aftercare").sections[0].body[1].items)
    with pikepdf.open(pdf) as document:
        sizes = _squares(document.pages[0])
    assert any(count == 2 * items for count in sizes.values()), sizes
    spanish = " ".join(pdf_text(built / "build" / "es" / "aftercare.pdf").split())
    assert (
        "Hay un intérprete disponible" in spanish and "Sin dolor" in spanish and "Lunes a viernes" in spanish
    )


def test_the_qr_code_decodes_to_the_sheets_web_address(built: Path, tmp_path: Path) -> None:
    from handoutgen.render.qr import qr_svg

    clinic = load_inputs(built).clinic
    url = clinic.sheet_url("es", "back-pain-faq")
    assert url == "https://example.org/handouts/es/back-pain-faq.html"
    assert qr_svg(url, "t") == qr_svg(url, "t") != qr_svg(url + "x", "t")  # same address, same bytes
    pdf = built / "build" / "es" / "back-pain-faq.pdf"
    printed = "".join(pdf_text(pdf).split()).replace("-", "")  # pdftotext joins a line broken at "-"
    assert url.replace("-", "") in printed  # printed beside the code
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg not installed (scripts/setup.sh --test installs zbar-tools)")
    subprocess.run(
        ["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True
    )
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
    assert decoded.stdout.strip() == url


def test_no_qr_code_without_a_handout_url(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "noqr")
    clinic = project / "clinic.yaml"
    clinic.write_text(re.sub(r"(?m)^handout_url:.*\n", "", clinic.read_text()))
    build(
        project,
        BuildOptions(locales=("en",), handouts=("first-visit",), write_html=True),
        report=lambda line: None,
    )
    html = (project / "build" / "html" / "en" / "first-visit.html").read_text()
    assert "<svg" not in html and "example.org/handouts" not in html
    assert "on the web" not in pdf_text(project / "build" / "en" / "first-visit.pdf")


def test_icons_and_the_qr_code_have_alt_text_in_the_structure_tree(built: Path) -> None:
    for code, water, qr in (
        ("en", ICONS["drink-water"], "QR code: scan it"),
        ("es", "Imagen: un vaso de agua", "Código QR: escanéelo"),
    ):
        sheet = read_sheet(built / "build" / code / "aftercare.pdf")
        alts = [str(e.get("/Alt", "")) for e, _ in elements(sheet.document) if e.S == "/Figure"]
        assert water in alts, (code, alts)
        assert any(a.startswith(qr) for a in alts), (code, alts)
        assert all(alts), (code, alts)


def test_large_print_keeps_the_blocks_at_16_points(built: Path, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "large")
    clinic = project / "clinic.yaml"
    clinic.write_text(clinic.read_text() + "large_print: true\n")
    outcome = build(project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None)
    assert all(o.error is None for o in outcome), outcome
    large, normal = project / "build" / "en" / "aftercare.pdf", built / "build" / "en" / "aftercare.pdf"
    sheet = read_sheet(large)
    sizes = [round(r.size, 1) for r in sheet.runs if r.artifact is None and r.text.strip()]
    assert min(sizes) >= 16, sorted(set(sizes))
    assert int(pdf_info(large)["Pages"]) > int(pdf_info(normal)["Pages"])
    said = text_of(sheet, sheet.document)
    assert "Worst pain" in said and "My questions for my next visit" in said and "How to reach us" in said
