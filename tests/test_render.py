"""English PDFs, judged by poppler's tools; the URL fetcher; reproducible bytes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import copy_project, pdf_fonts, pdf_info, pdf_text

from handoutgen.build.run import BuildOptions, build, load_inputs
from handoutgen.cli.main import main
from handoutgen.content.markup import strip_markup
from handoutgen.errors import RenderError


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    outcomes = build(root, BuildOptions(locales=("en",), write_html=True), report=lambda line: None)
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    return root


def test_every_handout_has_a_pdf_with_its_title_headings_and_phone(built: Path) -> None:
    inputs = load_inputs(built)
    for handout in inputs.handouts:
        pdf = built / "build" / "en" / f"{handout.id}.pdf"
        text = " ".join(pdf_text(pdf).split())
        assert strip_markup(handout.title.text) in text
        for section in handout.sections:
            if section.title:
                assert strip_markup(section.title.text) in text, section.title.text
        assert "When to get help" in text
        assert inputs.clinic.phone in text
        assert "{" not in text, "an unfilled placeholder reached the page"


def test_fonts_are_embedded_and_subset(built: Path) -> None:
    for pdf in (built / "build" / "en").glob("*.pdf"):
        rows = pdf_fonts(pdf)
        assert rows, pdf
        assert all(r["emb"] == "yes" and r["sub"] == "yes" for r in rows), rows


def test_pdf_is_tagged_with_page_size_title_and_author(built: Path) -> None:
    inputs = load_inputs(built)
    for handout in inputs.handouts:
        info = pdf_info(built / "build" / "en" / f"{handout.id}.pdf")
        assert info["Tagged"] == "yes"
        assert info["Page size"].startswith("612 x 792")  # letter, from clinic.yaml
        assert 1 <= int(info["Pages"]) <= handout.pages + 1
        assert info["Title"] == strip_markup(handout.title.text)
        assert info["Author"] == inputs.clinic.name


def test_footer_says_page_x_of_y_and_the_version(built: Path) -> None:
    pdf = built / "build" / "en" / "aftercare.pdf"
    pages = int(pdf_info(pdf)["Pages"])
    text = pdf_text(pdf)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in text
    assert "aftercare · version 1.0 · English" in text


def test_html_preview_is_written_on_request(built: Path) -> None:
    html = (built / "build" / "html" / "en" / "aftercare.html").read_text()
    assert '<html lang="en" dir="ltr">' in html


def test_a4_paper_from_clinic_settings(project: Path) -> None:
    clinic = project / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("paper: letter", "paper: a4"))
    build(project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None)
    assert pdf_info(project / "build" / "en" / "aftercare.pdf")["Page size"].startswith("595.276 x 841.89")


def test_same_inputs_give_identical_bytes(project: Path, tmp_path: Path) -> None:
    other = copy_project(tmp_path / "other")
    digests = []
    for root in (project, other):
        build(root, BuildOptions(locales=("en",), handouts=("first-visit",)), report=lambda line: None)
        digests.append(hashlib.sha256((root / "build" / "en" / "first-visit.pdf").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


# -- the locked-down URL fetcher -------------------------------------------------------------------


def _inject_into_template(project: Path, snippet: str) -> None:
    template = project / "templates" / "handout.html.j2"
    template.write_text(template.read_text().replace("<main>", "<main>" + snippet, 1))


@pytest.mark.parametrize(
    "snippet, url",
    [
        ('<img src="file:///etc/hostname" alt="">', "file:///etc/hostname"),
        ('<img src="http://127.0.0.1/logo.png" alt="">', "http://127.0.0.1/logo.png"),
        ('<link rel="stylesheet" href="../../outside.css">', "outside.css"),
        ('<a rel="attachment" href="../assets/logo.svg">file</a>', "logo.svg"),
    ],
    ids=["file-outside", "network", "relative-escape", "attachment"],
)
def test_fetcher_refuses_urls_outside_the_project(project: Path, snippet: str, url: str) -> None:
    (project.parent / "outside.css").write_text("body { color: red }")
    _inject_into_template(project, snippet)
    outcomes = build(
        project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None
    )
    assert outcomes[0].error and url in outcomes[0].error and "refused" in outcomes[0].error
    assert not (project / "build" / "en" / "aftercare.pdf").exists()


def test_css_import_of_an_outside_file_is_refused(project: Path) -> None:
    (project.parent / "evil.css").write_text("body { color: red }")
    css = project / "templates" / "handout.css"
    css.write_text('@import url("file://' + str(project.parent / "evil.css") + '");\n' + css.read_text())
    with pytest.raises(RenderError, match=r"templates/handout.css:1: refused to fetch file://.*evil.css"):
        build(project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None)
    assert not (project / "build" / "en" / "aftercare.pdf").exists()


def test_html_in_content_is_printed_as_text_not_fetched(project: Path) -> None:
    handout = project / "handouts" / "aftercare.yaml"
    text = handout.read_text().replace(
        "- Rest for the rest of the day if you can.", "- 'Rest <img src=\"file:///etc/hostname\"> now.'", 1
    )
    assert text != handout.read_text()
    handout.write_text(text)
    outcomes = build(
        project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None
    )
    assert outcomes[0].error is None
    assert '<img src="file:///etc/hostname">' in pdf_text(project / "build" / "en" / "aftercare.pdf")


# -- command line ------------------------------------------------------------------------------------


def test_bad_content_exits_non_zero_with_one_line_and_keeps_old_pdfs(project: Path, capsys) -> None:
    assert main(["-C", str(project), "build", "--handout", "aftercare"]) == 0
    pdf = project / "build" / "en" / "aftercare.pdf"
    before = pdf.read_bytes()
    handout = project / "handouts" / "aftercare.yaml"
    handout.write_text(handout.read_text().replace("kind: aftercare", "kind: afterkare", 1))
    capsys.readouterr()
    assert main(["-C", str(project), "build"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: handouts/aftercare.yaml:") and "afterkare" in err[0]
    assert pdf.read_bytes() == before
    assert not list(pdf.parent.glob(".*.tmp"))


def test_no_arguments_builds_everything(project: Path, capsys) -> None:
    assert main(["-C", str(project)]) == 0
    assert len(list((project / "build" / "en").glob("*.pdf"))) == len(
        list((project / "handouts").glob("*.yaml"))
    )


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_help_explains_itself(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_page_budget_overflow_is_a_warning_and_strict_makes_it_an_error(project: Path) -> None:
    handout = project / "handouts" / "aftercare.yaml"
    handout.write_text(re.sub(r"(?m)^pages: \d+$", "pages: 1", handout.read_text(), count=1))
    outcome = build(
        project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None
    )[0]
    assert outcome.error is None and any("page budget of 1" in w for w in outcome.warnings)
    strict = build(
        project, BuildOptions(locales=("en",), handouts=("aftercare",), strict=True), report=lambda line: None
    )[0]
    assert strict.error and "page budget of 1" in strict.error


def test_body_markup_escapes_before_it_adds_tags() -> None:
    """markup.to_html: whatever a translator or author types is text; only **, * and {placeholders}
    become tags, and clinic values are escaped too."""
    from handoutgen.content.markup import to_html

    html = str(
        to_html(
            '**<b>x</b>** *" onmouseover="alert(1)* <a href="javascript:x">y</a> {clinic_name} & {nope}',
            {"clinic_name": '<img src="http://169.254.169.254/">'},
        )
    )
    assert "<strong>&lt;b&gt;x&lt;/b&gt;</strong>" in html
    assert "<em>&#34; onmouseover=&#34;alert(1)</em>" in html
    assert "&lt;a href=&#34;javascript:x&#34;&gt;y&lt;/a&gt;" in html
    assert (
        '<span class="value value-clinic_name" dir="ltr">&lt;img src=&#34;http://169.254.169.254/&#34;&gt;'
        "</span>"
    ) in html
    assert "&amp; {nope}" in html
    assert re.findall(r"<(\w+)", html) == ["strong", "em", "span"]
