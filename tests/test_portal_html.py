"""The web page of each handout (`generate.py build --html`, for a patient portal), judged in Debian's
Chromium: axe-core finds no WCAG 2.1 AA or best-practice violation, the page fetches nothing (one file is
the whole page), it reflows on a 320 px wide phone with 16 px text or more, it says its language and
direction, and a DRAFT sheet says so in words. Each judge is first shown a page it must fail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, copy_project

from handoutgen.build.run import BuildOptions, Outcome, build, build_run

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
#: Left to right, right to left, and CJK; English is final (with a print identifier), the others DRAFT.
LOCALES = ("en", "es", "ar", "zh_Hans")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Outcome]:
    """Every handout in LOCALES, built with --html: each web page with its sheet's outcome."""
    root = copy_project(tmp_path_factory.mktemp("portal") / "project")
    _fill_untranslated(root, LOCALES[1:])
    outcomes = build(root, BuildOptions(locales=LOCALES, write_html=True), report=lambda line: None)
    assert outcomes and all(o.error is None and o.path for o in outcomes), [o.error for o in outcomes]
    pages = {o.job.html_path(root / "build"): o for o in outcomes}
    assert all(path.is_file() for path in pages), sorted(pages)
    return pages


def _fill_untranslated(root: Path, codes: tuple[str, ...]) -> None:
    """English that no translator has reached yet (text just added) gets itself as an unreviewed
    translation in this copy, so that every sheet is built in every language: the web page is judged
    here, not the translations (the sheets stay DRAFT)."""
    from handoutgen.catalogs.store import load_catalog, po_path, run_update, save_catalog

    run_update(root, list(codes))
    for code in codes:
        path = po_path(root / "locales", code)
        catalog = load_catalog(path, code)
        empty = [
            m for m in catalog if m.id and not any(m.string if isinstance(m.string, tuple) else [m.string])
        ]
        for message in empty:
            plural = isinstance(message.id, tuple)
            message.string = (
                tuple(message.id[min(i, 1)] for i in range(catalog.num_plurals)) if plural else message.id
            )
        if empty:
            save_catalog(catalog, path)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    assert AXE.is_file(), f"{AXE} is missing: run `bash scripts/setup.sh --test` (npm ci in tests/js)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


class Viewer:
    """One browser tab of a given size, showing one page file after another; it records every request
    a page makes that is not for the file itself, and stops each before it leaves the machine."""

    def __init__(self, browser, **context: object) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.url = ""
        self.requests: list[str] = []
        self.page.on("request", self._seen)
        self.page.route(lambda url: not url.startswith(("file:", "data:")), lambda route: route.abort())

    def _seen(self, request) -> None:
        if request.url != self.url and not request.url.startswith("data:"):
            self.requests.append(request.url)

    def show(self, path: Path):
        self.url, self.requests = path.as_uri(), []
        self.page.goto(self.url, wait_until="load")
        return self.page


@pytest.fixture(scope="module")
def phone(browser) -> Iterator[Viewer]:
    viewer = Viewer(browser, **PHONE)
    yield viewer
    viewer.context.close()


@pytest.fixture(scope="module")
def desktop(browser) -> Iterator[Viewer]:
    viewer = Viewer(browser, viewport={"width": 1280, "height": 900})
    yield viewer
    viewer.context.close()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))  # put in as the script's text: nothing is fetched
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, why: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            lines.extend("      " + line for line in node["why"].splitlines())
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def _bad_page(tmp_path: Path, head: str = "", body: str = "", lang: str = ' lang="en"') -> Path:
    path = tmp_path / "bad.html"
    path.write_text(
        f"<!DOCTYPE html><html{lang}><head><meta charset='utf-8'><title>t</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{head}</head>'
        f"<body><main><h1>Title</h1><p>Text</p>{body}</main></body></html>",
        encoding="utf-8",
    )
    return path


def test_axe_finds_no_violation_on_any_page(
    built: dict[Path, Outcome], phone: Viewer, desktop: Viewer, tmp_path: Path
) -> None:
    """Every page on a phone; on a desktop too, one page per language (the rules that depend on the
    layout, such as contrast over a background, then see the wide one)."""
    bad = axe_violations(phone.show(_bad_page(tmp_path, lang="")))
    assert "html-has-lang" in {v["id"] for v in bad}, readable(bad)  # the judge can fail
    found = {}
    one_per_language = {path.parent: path for path in sorted(built, reverse=True)}.values()
    for viewer, paths in ((phone, sorted(built)), (desktop, one_per_language)):
        for path in paths:
            violations = axe_violations(viewer.show(path))
            if violations:
                width = viewer.page.viewport_size["width"]
                found[f"{path.parent.name}/{path.name} at {width} px"] = readable(violations)
    assert not found, "\n\n".join(f"{where}:\n{text}" for where, text in found.items())


def test_a_page_fetches_nothing(built: dict[Path, Outcome], phone: Viewer, tmp_path: Path) -> None:
    bad = _bad_page(tmp_path, head='<link rel="stylesheet" href="https://example.org/x.css">')
    phone.show(bad)
    assert phone.requests == ["https://example.org/x.css"]  # the judge can fail
    for path in built:
        phone.show(path)
        assert phone.requests == [], path
        html = path.read_text(encoding="utf-8")
        references = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html) + re.findall(
            r"url\(\s*['\"]?([^'\")]+)", html
        )
        assert all(ref.startswith("data:") for ref in references), (path, references)


def test_a_page_reflows_on_a_320_px_phone_with_16_px_text(
    built: dict[Path, Outcome], phone: Viewer, tmp_path: Path
) -> None:
    measure = """() => ({
        width: window.innerWidth,
        scroll: document.documentElement.scrollWidth,
        smallest: Math.min(...[...document.querySelectorAll("main p, main li, footer p")].map(
            e => parseFloat(getComputedStyle(e).fontSize))),
    })"""
    wide = _bad_page(tmp_path, body='<p style="white-space: nowrap">' + "word " * 80 + "</p>")
    got = phone.show(wide).evaluate(measure)
    # the judge can fail: a phone shows a page too wide for it zoomed out (a wider layout viewport)
    assert not (got["width"] == 320 and got["scroll"] <= got["width"]), got
    for path in built:
        got = phone.show(path).evaluate(measure)
        assert got["width"] == 320, (path, got)  # laid out for the phone, not a desktop shrunk to fit
        assert got["scroll"] <= got["width"], (path, got)
        assert got["smallest"] >= 16, (path, got)


def test_a_page_says_its_language_and_direction(built: dict[Path, Outcome], phone: Viewer) -> None:
    expected = {"en": ("en", "ltr"), "es": ("es", "ltr"), "ar": ("ar", "rtl"), "zh_Hans": ("zh-CN", "ltr")}
    for path in built:
        page = phone.show(path)
        got = page.evaluate(
            """() => [document.documentElement.lang, document.documentElement.dir,
                      getComputedStyle(document.querySelector("main")).direction]"""
        )
        lang, direction = expected[path.parent.name]
        assert got == [lang, direction, direction], path


def test_a_draft_sheet_says_draft_in_words_and_a_final_one_does_not(
    built: dict[Path, Outcome], phone: Viewer
) -> None:
    drafts = {path for path, outcome in built.items() if outcome.draft}
    assert drafts and drafts != set(built), "the built sheets must hold both DRAFT and final ones"
    for path, outcome in built.items():
        page = phone.show(path)
        notice = page.locator("main .draft-notice")
        if outcome.draft:
            assert notice.count() == 1 and notice.is_visible(), path
            words = notice.inner_text().strip()
            assert words and words in path.read_text(encoding="utf-8"), path
            if path.parent.name == "en":
                assert "DRAFT" in words
        else:
            assert notice.count() == 0, path
            assert page.locator("footer .print-id").is_visible(), path  # what identifies the final sheet
        assert page.locator(".draft-mark").count() == 0, path  # the print's watermark is not there


def test_landmarks_headings_and_no_print_artifacts(built: dict[Path, Outcome], phone: Viewer) -> None:
    for path in built:
        page = phone.show(path)
        assert page.locator("body > header").count() == page.locator("body > main").count() == 1, path
        assert page.locator("body > footer").count() == 1, path
        levels = page.evaluate(
            "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
        )
        assert levels[0] == 1 and levels.count(1) == 1, (path, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)
        html = path.read_text(encoding="utf-8")
        for artifact in ("@page", "counter(page", "@bottom-", "@top-", "<link", "\x00"):
            assert artifact not in html, (path, artifact)


def test_the_page_is_byte_reproducible_and_decides_staleness_like_the_pdf(tmp_path: Path) -> None:
    """Two copies of the project give the same bytes; a page deleted, or a screen stylesheet changed, is
    rebuilt; a build without --html after a change leaves no page that says something else."""
    one_sheet = BuildOptions(locales=("en",), handouts=("aftercare",), write_html=True)
    pages = []
    for name in ("a", "b"):
        root = copy_project(tmp_path / name)
        assert build(root, one_sheet, report=lambda line: None)[0].error is None
        pages.append(root / "build" / "html" / "en" / "aftercare.html")
    assert pages[0].read_bytes() == pages[1].read_bytes()
    root, page = tmp_path / "b", pages[1]
    assert build_run(root, one_sheet, report=lambda line: None).no_op
    page.unlink()
    assert build_run(root, one_sheet, report=lambda line: None).rebuilt == {
        "en/aftercare.pdf": ["web page missing or changed on disk"]
    }
    assert page.read_bytes() == pages[0].read_bytes()
    with (root / "templates" / "screen.css").open("a", encoding="utf-8") as sheet:
        sheet.write("\nmain { padding-block-end: 1rem; }\n")
    rebuilt = build_run(root, one_sheet, report=lambda line: None).rebuilt["en/aftercare.pdf"]
    assert {"templates", "screen_html"} <= set(rebuilt)
    assert "padding-block-end: 1rem" in page.read_text(encoding="utf-8")
    (root / "templates" / "screen.css").write_text("main { color: #000; }\n", encoding="utf-8")
    without_html = BuildOptions(locales=("en",), handouts=("aftercare",))
    assert build_run(root, without_html, report=lambda line: None).rebuilt
    assert not page.exists()
