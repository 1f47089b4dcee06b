"""Accessibility and typography of the printed sheets, judged by independent tools: pikepdf walks the
structure tree and the content streams (which text is tagged, which is an artifact, at what size and
colour), poppler's pdftotext gives the reading order and the line breaks, WeasyPrint's own CSS parser
says what it would drop. Every sheet of every shipped locale is built once, in a copy of the project."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest
from conftest import copy_project, pdf_info, pdf_text

from handoutgen.build.run import BuildOptions, build, load_inputs

LOCALES = ("en", "es", "zh_Hans", "vi", "ar", "ko")
WATERMARK_WORDS = {"DRAFT", "BORRADOR", "草稿", "BẢN NHÁP", "مسودة", "초안"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("accessible") / "project")
    outcomes = build(root, BuildOptions(locales=LOCALES, write_html=True), report=lambda line: None)
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    return root


def sheets(root: Path, locales: tuple[str, ...] = LOCALES) -> list[Path]:
    return sorted(p for code in locales for p in (root / "build" / code).glob("*.pdf"))


_PREPARED: dict[Path, tuple] = {}


def print_html(root: Path, pdf: Path) -> str:
    """The HTML a sheet's PDF was rendered from, made again as the build makes it (build/html/ holds
    the web page for a screen instead: tests/test_portal_html.py)."""
    from handoutgen.build.run import Job, Prepared, prepare_job
    from handoutgen.render.html import make_environment

    if root not in _PREPARED:
        inputs = load_inputs(root)
        _PREPARED[root] = (inputs, make_environment(inputs.project))
    inputs, env = _PREPARED[root]
    code = pdf.parent.name
    prepared = prepare_job(inputs, Job(pdf.stem, code), BuildOptions(locales=(code,)), env)
    assert isinstance(prepared, Prepared), prepared
    return prepared.html


# -- reading a PDF with pikepdf ------------------------------------------------------------------------


@dataclass
class Run:
    """One text-showing operator: its page, text, size in points, fill colour, and how it is marked."""

    page: int
    text: str
    size: float
    fill: tuple[float, ...]  # composited over white paper with the fill's opacity
    mcid: int | None
    artifact: str | None  # None (tagged content), or the artifact's /Subtype ("" when it has none)


@dataclass
class Sheet:
    pdf: pikepdf.Pdf
    runs: list[Run]
    mcid_text: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def document(self) -> pikepdf.Dictionary:
        kids = self.pdf.Root.StructTreeRoot.K
        return kids[0] if isinstance(kids, pikepdf.Array) else kids


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """The font's ToUnicode CMap (bfchar and bfrange) as code -> text."""
    cmap: dict[int, str] = {}
    if "/ToUnicode" not in font:
        return cmap
    data = font.ToUnicode.read_bytes().decode("latin-1")
    hexs = lambda h: bytes.fromhex(h).decode("utf-16-be")  # noqa: E731
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            cmap[int(code, 16)] = hexs(text)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(text, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                cmap[code] = chr(start + offset)
    return cmap


def read_sheet(path: Path) -> Sheet:
    """Every text-showing operator of every page, decoded, with the marked content around it.
    Long because it is one content-stream interpreter: graphics state, text state, marked content."""
    pdf = pikepdf.open(path)
    runs: list[Run] = []
    cmaps: dict[tuple[int, int], dict[int, str]] = {}
    for number, page in enumerate(pdf.pages):
        fonts = page.Resources.Font
        ctm, saved, marks = 1.0, [], []
        size, scale, fill, cmap, width, alpha = 0.0, 1.0, (0.0,), {}, 2, 1.0
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "q":
                saved.append(ctm)
            elif op == "Q":
                ctm = saved.pop()
            elif op == "cm":
                ctm *= abs(float(operands[3]))
            elif op in ("BDC", "BMC"):
                props = operands[1] if op == "BDC" else None
                marks.append((str(operands[0]), props))
            elif op == "EMC":
                marks.pop()
            elif op == "Tm":
                scale = abs(float(operands[3]))
            elif op == "gs":
                alpha = float(page.Resources.ExtGState[str(operands[0])].get("/ca", 1))
            elif op == "rg":
                fill = tuple(float(v) for v in operands)
            elif op == "g":
                fill = (float(operands[0]),) * 3
            elif op == "Tf":
                font = fonts[str(operands[0])]
                key = font.objgen
                if key not in cmaps:
                    cmaps[key] = _to_unicode(font)
                cmap, size = cmaps[key], float(operands[1])
                width = 2 if font.Subtype == "/Type0" else 1
            elif op in ("TJ", "Tj"):
                strings = operands[0] if op == "TJ" else [operands[0]]
                raw = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
                codes = [int.from_bytes(raw[i : i + width], "big") for i in range(0, len(raw), width)]
                text = "".join(cmap.get(code, "\ufffd") for code in codes)
                paper = tuple(alpha * c + 1 - alpha for c in fill)
                runs.append(Run(number, text, size * scale * ctm, paper, *_marking(marks)))
    return Sheet(pdf, runs)


def _marking(marks: list) -> tuple[int | None, str | None]:
    """(MCID, artifact subtype) of the innermost MCID and the outermost artifact around a run."""
    mcid, artifact = None, None
    for tag, props in marks:
        if tag == "/Artifact" and artifact is None:
            artifact = str(props.get("/Subtype", "")).lstrip("/") if props is not None else ""
        if props is not None and "/MCID" in props:
            mcid = int(props.MCID)
    return mcid, artifact


def kids(element: pikepdf.Dictionary) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def is_element(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary) and value.get("/Type") != "/MCR" and "/S" in value


def elements(element: pikepdf.Dictionary, depth: int = 0):
    """(element, depth) for every structure element under ``element``, in reading order."""
    yield element, depth
    for kid in kids(element):
        if is_element(kid):
            yield from elements(kid, depth + 1)


def page_index(sheet: Sheet, page: pikepdf.Dictionary) -> int:
    return next(i for i, p in enumerate(sheet.pdf.pages) if p.objgen == page.objgen)


def text_of(sheet: Sheet, element: pikepdf.Dictionary, actual: bool = True) -> str:
    """What a screen reader gets from an element: its ActualText, or its content's text in order
    (``actual=False``: the glyphs' text even where there is ActualText)."""
    if actual and "/ActualText" in element:
        return str(element.ActualText)
    if not sheet.mcid_text:
        for run in sheet.runs:
            if run.mcid is not None and run.artifact is None:
                key = (run.page, run.mcid)
                sheet.mcid_text[key] = sheet.mcid_text.get(key, "") + run.text
    parts = []
    for kid in kids(element):
        if isinstance(kid, int):
            parts.append(sheet.mcid_text.get((page_index(sheet, element.Pg), kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            parts.append(sheet.mcid_text.get((page_index(sheet, kid.Pg), int(kid.MCID)), ""))
        elif is_element(kid):
            parts.append(text_of(sheet, kid, actual))
    return "".join(parts)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text))


def numbers_as_zero(word: str) -> str:
    """A word with every run of digits as 0: ``2쪽`` and ``%(page)s쪽`` (filled) read alike."""
    return re.sub(r"\d+", "0", word)


def cldr_words(root: Path, code: str) -> set[str]:
    """Words the renderer takes from CLDR, not from the catalogue: day names and times of the phone
    hours, and the dates of the clinical reviews."""
    from babel.dates import format_date

    from handoutgen.render.html import phone_hours
    from handoutgen.text.locales import locale_info

    inputs = load_inputs(root)
    said = [
        f"{h['first']} {h['last'] or ''} {h['times']}" for h in phone_hours(inputs.clinic, locale_info(code))
    ]
    said += [
        format_date(h.reviewed, format="long", locale=locale_info(code).babel_code) for h in inputs.handouts
    ]
    return {numbers_as_zero(w) for w in words(" ".join(said))}


def catalogue_words(root: Path, code: str) -> set[str]:
    """Every word of a catalogue's translations, the digits of each as 0 and its variables as numbers."""
    from babel.messages.pofile import read_po

    with open(root / "locales" / code / "LC_MESSAGES" / "handouts.po", "rb") as f:
        catalog = read_po(f)
    found: set[str] = set()
    for message in catalog:
        for text in message.string if isinstance(message.string, tuple) else [message.string]:
            found.update(numbers_as_zero(w) for w in words(re.sub(r"%\(\w+\)s", "0", text or "")))
    return found


# -- PDF/UA: everything tagged or an artifact ------------------------------------------------------------


def test_every_text_is_tagged_in_the_tree_or_an_artifact(built: Path) -> None:
    """PDF/UA-1 7.1: real content is in the structure tree, the rest is an artifact, never both; the
    document has a title shown as title, a language, and is marked; a figure has alternative text."""
    for path in sheets(built):
        sheet = read_sheet(path)
        root = sheet.pdf.Root
        assert root.MarkInfo.Marked and str(root.Lang) and root.ViewerPreferences.DisplayDocTitle, path
        reachable = {e.objgen for e, _ in elements(sheet.document)}
        nums = list(root.StructTreeRoot.ParentTree.Nums)
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for run in sheet.runs:
            if run.artifact is not None:
                assert run.mcid is None, (path, run)  # tagged content inside an artifact
                continue
            assert run.mcid is not None, (path, run.text)  # neither tagged nor an artifact
            parent = parents[run.page][run.mcid]
            assert isinstance(parent, pikepdf.Dictionary), (path, run.text)
            assert parent.objgen in reachable, (path, "tagged but outside the tree", run.text)
        for element, _ in elements(sheet.document):
            if element.S == "/Figure":
                assert str(element.get("/Alt", "")).strip(), path


def test_footer_header_and_watermark_are_artifacts_and_the_draft_notice_is_read_once_last(
    built: Path,
) -> None:
    pdf = built / "build" / "es" / "aftercare.pdf"
    sheet = read_sheet(pdf)
    pages = int(pdf_info(pdf)["Pages"])
    for page in range(pages):
        on_page = [r for r in sheet.runs if r.page == page]
        footer = "".join(r.text for r in on_page if r.artifact == "Footer")
        assert f"{page + 1} de {pages}" in footer and "aftercare" in footer
        assert "BORRADOR" in "".join(r.text for r in on_page if r.artifact == "Watermark")
    said = [text_of(sheet, e) for e, depth in elements(sheet.document) if depth == 1]
    everything = " ".join(said)
    assert "Página" not in everything and "versión 1.0" not in everything  # the footer is not read
    assert everything.count("BORRADOR") == 1  # the watermark is not read, the notice once…
    assert said[-1].startswith("BORRADOR — traducción")  # …and last


def test_the_watermark_is_not_in_the_extracted_text_and_the_title_comes_first(built: Path) -> None:
    inputs = load_inputs(built)
    for path in sheets(built):
        text = pdf_text(path)
        for page in text.split("\f"):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            assert not lines or lines[0] not in WATERMARK_WORDS, (path, lines[:3])
            # drawn at an angle, it would come out as words or letters on lines of their own
            letters = {line for line in lines if len(line) == 1 and line in "".join(WATERMARK_WORDS)}
            assert not (WATERMARK_WORDS & set(lines) or letters), (
                path,
                "the watermark is mixed into the text",
            )
        if path.parent.name == "en":
            handout = inputs.handout(path.stem)
            flat = " ".join(text.split())
            positions = [
                flat.find(h.text) for h in [handout.title] + [s.title for s in handout.sections if s.title]
            ]
            assert -1 not in positions and positions == sorted(positions), (path, positions)


# -- structure: lists, languages, FAQ, right-to-left ----------------------------------------------------


def test_a_list_that_crosses_a_page_stays_one_list(built: Path) -> None:
    crossing = 0
    for path in sheets(built):
        sheet = read_sheet(path)
        html = print_html(built, path)
        found = Counter(str(e.S) for e, _ in elements(sheet.document))
        assert found["/L"] == html.count("<ul>") + html.count("<ol>"), path
        assert found["/Sect"] == html.count("<section"), path  # nor is a section split in two
        assert found["/Part"] == html.count("<main>") == 1, path
        lists = [e for e, _ in elements(sheet.document) if e.S == "/L"]
        crossing += sum(
            1 for e in lists if len({page_index(sheet, li.Pg) for li in kids(e) if is_element(li)}) > 1
        )
    assert crossing, "no list crosses a page in the shipped sheets: this test would prove nothing"


def test_text_in_another_language_says_which(built: Path) -> None:
    clinic = load_inputs(built).clinic
    for path in sheets(built, ("es", "ar", "ko")):
        sheet = read_sheet(path)
        english = [
            lang
            for element, lang in _with_languages(sheet.document, str(sheet.pdf.Root.Lang))
            if text_of(sheet, element).strip() in (clinic.name, clinic.address)
        ]
        assert len(english) >= 2 and set(english) == {"en"}, (path, english)  # name and address


def _with_languages(element: pikepdf.Dictionary, lang: str):
    """(element, its language: its own /Lang or the one it inherits) for every element under it."""
    lang = str(element.get("/Lang", lang))
    yield element, lang
    for kid in kids(element):
        if is_element(kid):
            yield from _with_languages(kid, lang)


def test_faq_questions_and_answers_are_read_as_pairs(built: Path) -> None:
    handout = load_inputs(built).handout("back-pain-faq")
    items = [item for section in handout.sections for item in section.items]
    for code in ("en", "es", "ar"):
        sheet = read_sheet(built / "build" / code / "back-pain-faq.pdf")
        pairs = []
        for element, _ in elements(sheet.document):
            children = [k for k in kids(element) if is_element(k)]
            if element.S == "/Sect" and children and children[0].S == "/H3":
                assert len(children) >= 2 and children[0].S == "/H3", code
                assert all(c.S not in ("/H1", "/H2", "/H3") for c in children[1:]), code
                pairs.append((text_of(sheet, children[0]), " ".join(text_of(sheet, c) for c in children[1:])))
        assert len(pairs) == len(items), code
        if code == "en":
            for (question, answer), item in zip(pairs, items):
                assert words(question) == words(item.question.text.replace("*", ""))
                assert words(item.answer[0].items[0].text)[0] in words(answer)


def test_right_to_left_text_is_read_in_logical_order(built: Path) -> None:
    """Every run of Arabic has ActualText with the same letters as its glyphs, in the order written:
    every word of it is a word of the catalogue. The glyphs alone, in the order they are drawn, would
    not be (the figure before this was measured: 15-19 % of the words came out wrong)."""
    clinic = load_inputs(built).clinic
    known = catalogue_words(built, "ar") | set(words(clinic.name)) | cldr_words(built, "ar")
    assert "العلاج" in known and "العالج" not in known  # lam-alef, and lam-alef read backwards
    for path in sheets(built, ("ar",)):
        sheet = read_sheet(path)
        drawn_wrong = read_wrong = total = 0
        for element, _ in elements(sheet.document):
            if element.S != "/Span" or any(is_element(k) for k in kids(element)):
                continue
            glyphs = text_of(sheet, element, actual=False)
            if not any(unicodedata.bidirectional(c) in ("R", "AL") for c in glyphs):
                continue
            assert "/ActualText" in element, (path, glyphs)
            actual = str(element.ActualText)
            # the same letters (a glyph's ToUnicode can lose one, which is why ActualText is there)
            said, drawn = (
                Counter(unicodedata.normalize("NFKD", t).replace(" ", "")) for t in (actual, glyphs)
            )
            assert sum((said & drawn).values()) >= 0.9 * max(sum(said.values()), sum(drawn.values())), actual
            for word in words(actual):
                total += 1
                read_wrong += numbers_as_zero(word) not in known
            drawn_wrong += sum(1 for word in words(glyphs) if numbers_as_zero(word) not in known)
        assert total and read_wrong == 0, (path, read_wrong, total)
        assert drawn_wrong > total // 2, "the glyph order is not visual: this test would prove nothing"


# -- typography ------------------------------------------------------------------------------------------


def test_stylesheets_are_valid_css_for_weasyprint(built: Path) -> None:
    """No rule or declaration of templates/*.css, nor of any sheet's own <style>, is dropped."""
    import weasyprint

    def dropped(css: str) -> list[str]:
        messages: list[str] = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            weasyprint.CSS(string=css)
        finally:
            logger.removeHandler(handler)
        return messages

    assert dropped("@page { @bottom-left, @bottom-right { color: red } }")  # the judge can fail
    assert dropped("p { word-break: keep-all }")
    for sheet in sorted((built / "templates").glob("*.css")):
        assert dropped(sheet.read_text()) == [], sheet
    pages = [(p, p.read_text()) for p in sorted((built / "build" / "html").glob("*/*.html"))]
    for path, html in [(p, print_html(built, p)) for p in sheets(built)] + pages:
        for style in re.findall(r"<style>(.*?)</style>", html, re.S):
            assert dropped(style) == [], path


def test_body_text_is_at_least_12_points(built: Path) -> None:
    for path in sheets(built):
        sizes = {round(r.size, 1) for r in read_sheet(path).runs if r.artifact is None and r.text.strip()}
        assert sizes and min(sizes) >= 12, (path, sorted(sizes))


def test_korean_breaks_lines_between_words_only(built: Path) -> None:
    known = catalogue_words(built, "ko") | cldr_words(built, "ko")
    for path in sheets(built, ("ko",)):
        lines = [line.split() for line in pdf_text(path).splitlines() if line.split() and "·" not in line]
        for words_on_line in lines:
            for end in (words_on_line[0], words_on_line[-1]):
                for word in words(end):
                    if re.search("[\uac00-\ud7a3]", word):
                        assert numbers_as_zero(word) in known, (path, "a word cut at a line end", word)


def test_no_line_break_inside_a_number_range_or_before_its_unit(built: Path) -> None:
    for path in sheets(built):
        lines = [line.strip() for line in pdf_text(path).splitlines()]
        for line, following in zip(lines, lines[1:]):
            assert not re.search(r"\d\s?[-–—~]$", line), (path, line, following)
            assert not (
                re.search(r"\d$", line) and re.match(r"(°C|°F|%|minut|phút|hora|hour|día|day)", following)
            ), (
                path,
                line,
                following,
            )


def test_spanish_is_not_hyphenated(built: Path) -> None:
    for path in sheets(built, ("es", "vi", "en")):
        for line in pdf_text(path).splitlines():
            assert not re.search(r"[^\W\d_]\u00ad?[-\u2010]$|\u00ad$", line.strip()), (path, line)


def test_draft_mark_survives_a_greyscale_copy(built: Path) -> None:
    """The watermark's colour, made grey as a copier does (Rec. 601 luma), against white paper: at least
    3:1 (WCAG's contrast ratio for large text and graphics)."""

    def luminance(grey: float) -> float:
        return grey / 12.92 if grey <= 0.04045 else ((grey + 0.055) / 1.055) ** 2.4

    sheet = read_sheet(built / "build" / "es" / "aftercare.pdf")
    fills = {r.fill for r in sheet.runs if r.artifact == "Watermark"}
    assert fills
    for fill in fills:
        r, g, b = fill
        grey = 0.299 * r + 0.587 * g + 0.114 * b
        assert 1.05 / (luminance(grey) + 0.05) >= 3.0, fill


def test_large_print_is_16_points_and_longer(built: Path, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "large")
    handout = project / "handouts" / "aftercare.yaml"
    handout.write_text(re.sub(r"(?m)^(pages: \d+\n)", r"\1large_print: true\n", handout.read_text(), count=1))
    outcome = build(
        project, BuildOptions(locales=("en", "ko"), handouts=("aftercare",)), report=lambda line: None
    )
    assert all(o.error is None for o in outcome), outcome
    for code in ("en", "ko"):
        large, normal = project / "build" / code / "aftercare.pdf", built / "build" / code / "aftercare.pdf"
        sizes = [round(r.size, 1) for r in read_sheet(large).runs if r.artifact is None and r.text.strip()]
        assert min(sizes) >= 16, sorted(set(sizes))
        assert int(pdf_info(large)["Pages"]) > int(pdf_info(normal)["Pages"])
        same = [Counter(text_of(s, s.document).replace(" ", "")) for s in map(read_sheet, (large, normal))]
        assert same[0] and same[0] == same[1]  # the same content


def test_print_id_is_shown_small_in_the_footer_only_when_given(built: Path) -> None:
    from handoutgen.project import Project
    from handoutgen.render.html import SourceLabels, make_environment, render_html
    from handoutgen.render.pdf import html_to_pdf
    from handoutgen.text.locales import locale_info

    inputs = load_inputs(built)
    env = make_environment(Project(built))
    args = (
        Project(built),
        env,
        inputs.handout("first-visit"),
        inputs.clinic,
        locale_info("en"),
        SourceLabels(),
    )
    with_id = render_html(*args, print_id="Q7-3K2")
    assert "Q7-3K2" in with_id and "Q7-3K2" not in render_html(*args)
    path = built / "print-id.pdf"
    path.write_bytes(html_to_pdf(Project(built), with_id, "print-id", locale_info("en")).data)
    runs = [r for r in read_sheet(path).runs if "Q7-3K2" in r.text]
    assert runs and all(r.artifact == "Footer" and r.size < 9 for r in runs)


def test_finished_tags_keep_the_pdf_byte_reproducible(built: Path) -> None:
    """The same HTML, rendered again in this process, gives the bytes a build worker wrote: the tag
    finishing (artifacts, joined lists, ActualText, /Lang) decides nothing by chance or by time."""
    from handoutgen.project import Project
    from handoutgen.render.pdf import html_to_pdf
    from handoutgen.text.locales import locale_info

    for code in ("ar", "ko"):
        html = print_html(built, built / "build" / code / "aftercare.pdf")
        again = html_to_pdf(Project(built), html, "again", locale_info(code)).data
        assert again == (built / "build" / code / "aftercare.pdf").read_bytes(), code
