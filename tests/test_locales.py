"""Handouts in every shipped language: translated text, the right fonts, right-to-left Arabic,
no tofu, no silent English, a DRAFT mark on unreviewed sheets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from conftest import copy_project, pdf_fonts, pdf_info, pdf_text

from handoutgen.build.run import BuildOptions, build, build_run, load_inputs, plan_jobs, prepare_job
from handoutgen.catalogs.lookup import CatalogTranslations, pseudolocalize
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog
from handoutgen.content.markup import strip_markup
from handoutgen.project import Project
from handoutgen.render.html import make_environment

LOCALES = ["es", "zh_Hans", "vi", "ar", "ko"]
SCRIPT_FONT = {
    "es": "Noto-Sans",
    "vi": "Noto-Sans",
    "zh_Hans": "Noto-Sans-CJK-SC",
    "ko": "Noto-Sans-CJK-KR",
    "ar": "Noto-Sans-Arabic",
    "en_XA": "Noto-Sans",
}
DRAFT_WORD = {"es": "BORRADOR", "zh_Hans": "草稿", "en_XA": "ĐŔÁƑŢ"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("locales") / "project")
    outcomes = build(
        root, BuildOptions(locales=(*LOCALES, "en_XA"), write_html=True), report=lambda line: None
    )
    assert [o.error for o in outcomes if o.error] == []
    return root


def squash(text: str) -> str:
    """Without white space or the bidi controls poppler adds around right-to-left runs.

    Arabic vowel marks, lam and alef are dropped too: poppler maps the lam-alef ligature glyph back in
    the wrong order ("ال" for "لا"), a quirk of text extraction, not of the printed page.
    """
    return re.sub(r"[\s\u202a-\u202e\u2066-\u2069\u064b-\u0652لاأإآ]+", "", text)


def _on_page(phrase: str, text: str, code: str) -> bool:
    """The phrase is in the page's text; for Arabic, every word of it (poppler's text output moves a
    word with a shadda to another line; the logical order is checked on the structure tree, with
    its ActualText, in test_accessibility.py)."""
    if code != "ar":
        return squash(phrase) in text
    return all(squash(word) in text for word in phrase.split())


@pytest.mark.parametrize("code", LOCALES)
def test_translated_titles_and_headings_are_on_the_page(built: Path, code: str) -> None:
    catalog = load_catalog(po_path(built / "locales", code), code)
    for handout in load_inputs(built).handouts:
        text = squash(pdf_text(built / "build" / code / f"{handout.id}.pdf", "-raw"))
        if code == "ar":  # poppler may emit Arabic in visual order: compare on the logical reading
            text = squash(pdf_text(built / "build" / code / f"{handout.id}.pdf"))
        title = strip_markup(catalog.get(handout.title.text).string)
        assert _on_page(title, text, code), (code, handout.id, title)
        for section in handout.sections:
            if section.title:
                heading = strip_markup(catalog.get(section.title.text).string)
                assert _on_page(heading, text, code), (code, heading)
        assert handout.title.text not in pdf_text(built / "build" / code / f"{handout.id}.pdf")


@pytest.mark.parametrize("code", [*LOCALES, "en_XA"])
def test_the_scripts_font_is_embedded(built: Path, code: str) -> None:
    for pdf in (built / "build" / code).glob("*.pdf"):
        names = {row["name"].split("+", 1)[-1] for row in pdf_fonts(pdf)}
        assert any(n == SCRIPT_FONT[code] or n.startswith(SCRIPT_FONT[code] + "-") for n in names), (
            pdf,
            names,
        )
        assert all(row["emb"] == "yes" for row in pdf_fonts(pdf))


@pytest.mark.parametrize(
    "code, lang, direction",
    [
        ("es", "es", "ltr"),
        ("zh_Hans", "zh-CN", "ltr"),
        ("vi", "vi", "ltr"),
        ("ar", "ar", "rtl"),
        ("ko", "ko", "ltr"),
    ],
)
def test_html_carries_region_correct_language_and_direction(
    built: Path, code: str, lang: str, direction: str
) -> None:
    html = (built / "build" / "html" / code / "aftercare.html").read_text()
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_arabic_lines_run_right_to_left(built: Path) -> None:
    """In the Arabic PDF, the first word of the title (in reading order) is the rightmost one."""
    pdf = built / "build" / "ar" / "aftercare.pdf"
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    catalog = load_catalog(po_path(built / "locales", "ar"), "ar")
    title_words = strip_markup(catalog.get("After your acupuncture visit").string).split()
    for line in re.findall(r"<line[^>]*>(.*?)</line>", out, re.S):
        words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', line)
        positions = {w[::-1]: float(x) for x, w in words}  # -bbox gives glyphs in visual order
        found = [positions[w] for w in title_words if w in positions]
        if len(found) >= 3:
            break
    else:
        pytest.fail(f"title line not found: {title_words}")
    assert found == sorted(found, reverse=True), (title_words, found)


@pytest.mark.parametrize("code", ["es", "zh_Hans", "en_XA"])
def test_unreviewed_sheets_say_draft_on_every_page(built: Path, code: str) -> None:
    pdf = built / "build" / code / "first-visit.pdf"
    for page in range(1, int(pdf_info(pdf)["Pages"]) + 1):
        assert DRAFT_WORD[code] in pdf_text(pdf, "-f", str(page), "-l", str(page)), (code, page)


def test_dates_follow_the_locale(built: Path) -> None:
    assert "1 de noviembre de 2026" in pdf_text(built / "build" / "es" / "aftercare.pdf")
    assert "2026年11月1日" in squash(pdf_text(built / "build" / "zh_Hans" / "aftercare.pdf"))


def test_a_missing_translation_waits_instead_of_printing_english(project: Path) -> None:
    """Never a sheet that mixes languages: a sheet with an untranslated string is not printed (an
    older PDF of it is removed), and the build says what to do without failing."""
    build(project, BuildOptions(locales=("es",), handouts=("aftercare",)), report=lambda line: None)
    assert (project / "build" / "es" / "aftercare.pdf").exists()
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    catalog.get("Rest for the rest of the day if you can.").string = ""
    save_catalog(catalog, path)
    lines: list[str] = []
    run = build_run(project, BuildOptions(locales=("es",), handouts=("aftercare",)), report=lines.append)
    assert not run.failed and run.outcomes[0].waiting == 1
    assert (
        run.waiting
        == [lines[-2]]
        == [
            "es: aftercare not translated yet (1 string): run `generate.py translate es` "
            "or send locales/es/LC_MESSAGES/handouts.po to a translator"
        ]
    )
    assert not (project / "build" / "es" / "aftercare.pdf").exists()


def test_a_character_no_font_covers_fails_naming_it_and_the_package(project: Path) -> None:
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    message = catalog.get("Rest for the rest of the day if you can.")
    message.string += " \U000f0041"
    save_catalog(catalog, path)
    outcome = build(
        project, BuildOptions(locales=("es",), handouts=("aftercare",)), report=lambda line: None
    )[0]
    assert outcome.error and "U+F0041" in outcome.error and "fonts-noto-core" in outcome.error
    assert not (project / "build" / "es" / "aftercare.pdf").exists()


def test_pseudo_locale_keeps_placeholders_markup_and_numbers_and_grows() -> None:
    source = "Use **gentle** heat for 15–20 minutes. Call {clinic_phone}."
    pseudo = pseudolocalize(source)
    assert "{clinic_phone}" in pseudo and "15–20" in pseudo and pseudo.count("**") == 2
    assert len(pseudo) >= len(source) * 1.3
    assert "gentle" not in pseudo


def test_plural_forms_follow_cldr_for_arabic() -> None:
    """zero, one, two, few (3–10), many (11–99) and other (100–102) each get their own form,
    in the order of the catalogue's own Plural-Forms expression."""
    catalog = Catalog(locale="ar")
    catalog.add(("%(num)s page", "%(num)s pages"), tuple(f"form{i}" for i in range(6)))
    translations = CatalogTranslations(catalog)
    forms = [
        translations.ngettext("%(num)s page", "%(num)s pages", n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102)
    ]
    assert forms[:4] == ["form0", "form1", "form2", "form3"] and forms[4] == "form3"
    assert forms[5] == forms[6] and forms[7] == forms[8]
    assert len(set(forms)) == 6


def test_a_build_keeps_entry_totals_per_locale_not_per_sheet(project: Path) -> None:
    """The planner's memory must not grow with the library: the entries each sheet used (hundreds,
    for thousands of sheets) are added to its locale's totals, not kept with every outcome; the
    summary still counts each entry once per locale, and a waiting locale's untranslated strings."""
    path = po_path(project / "locales", "es")
    catalog = load_catalog(path, "es")
    catalog.get("Rest for the rest of the day if you can.").string = ""
    save_catalog(catalog, path)
    lines: list[str] = []
    run = build_run(project, BuildOptions(locales=("es", "vi")), report=lines.append, jobs=2)
    assert not run.failed and len(run.outcomes) == 8
    assert all(o.used == {} for o in run.outcomes)  # kept once per locale instead
    drafts = {o.job.locale: 0 for o in run.outcomes}
    for outcome in run.outcomes:
        drafts[outcome.job.locale] += bool(outcome.draft)
    inputs, env = load_inputs(project), make_environment(Project(project))
    used: dict = {}  # what each vi sheet uses, prepared again on its own
    for job in plan_jobs(inputs, BuildOptions(locales=("vi",))):
        prepared = prepare_job(inputs, job, BuildOptions(), env)
        used.update(prepared.outcome.used)
    assert run.draft_entries["vi"] == {k: s for k, s in used.items() if not s.final}
    counts: dict[str, int] = {}
    for state in run.draft_entries["vi"].values():
        counts[state.value] = counts.get(state.value, 0) + 1
    summary = [line for line in lines if line.startswith(("es:", "vi:"))]
    assert summary[0] == (
        "es: aftercare not translated yet (1 string): run `generate.py translate es` "
        "or send locales/es/LC_MESSAGES/handouts.po to a translator"
    )
    head, detail = summary[-1].removesuffix(" entries").split(": ", 2)[1:]
    assert head == f"DRAFT ({drafts['vi']} of 4 sheets)"
    assert set(detail.split(", ")) == {f"{n} {name}" for name, n in counts.items()}
