"""Stylesheets and the logo are checked before anything is rendered: what WeasyPrint would drop from
a stylesheet, and every URL a stylesheet or an SVG logo would make the renderer fetch, is one error
line naming the file and line, never a silently different (or silently fetched-from) PDF."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from conftest import ROOT, run_tool

from handoutgen.build.run import BuildOptions, build_run
from handoutgen.cli.main import main
from handoutgen.content.clinic import load_clinic
from handoutgen.errors import ContentError, HandoutError, RenderError, TemplateError
from handoutgen.project import Project
from handoutgen.render.css import check_stylesheets, validate_stylesheets
from handoutgen.resources import css_references, svg_references

SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def with_css(project: Path, snippet: str) -> Path:
    """``snippet`` as the first line(s) of templates/handout.css."""
    sheet = project / "templates" / "handout.css"
    sheet.write_text(snippet + "\n" + sheet.read_text(encoding="utf-8"), encoding="utf-8")
    return sheet


def problems(project: Path) -> dict[type, list[str]]:
    return {type(error): str(error).splitlines() for error in check_stylesheets(Project(project))}


# -- the shipped stylesheets -------------------------------------------------------------------------


def test_the_shipped_stylesheets_lose_nothing_in_weasyprint() -> None:
    """Fails while templates/handout.css has a rule WeasyPrint drops whole (``@bottom-left,
    @bottom-right { … }`` is no valid @page rule: the footer was printed at body size)."""
    assert check_stylesheets(Project(ROOT)) == []


def word_heights(pdf: Path) -> list[tuple[float, float]]:
    """(top, height) of every word on page 1, as poppler lays them out."""
    out = run_tool("pdftotext", "-f", "1", "-l", "1", "-bbox", pdf, "-")
    return [
        (float(m[1]), float(m[2]) - float(m[1]))
        for m in re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', out)
    ]


@pytest.mark.parametrize("code", ["en", "ar"])
def test_the_footer_is_printed_small_in_both_directions(project: Path, code: str) -> None:
    """The stylesheet's page-margin rules apply (9 pt), left-to-right and right-to-left: with
    ``@bottom-left, @bottom-right { … }`` WeasyPrint dropped them and the footer was body-sized."""
    run = build_run(
        project, BuildOptions(locales=(code,), handouts=("aftercare",)), report=lambda line: None, jobs=1
    )
    assert not run.failed, [o.error for o in run.failed]
    words = word_heights(project / "build" / code / "aftercare.pdf")
    bottom = max(top for top, _ in words)
    footer = [height for top, height in words if top > bottom - 2]
    body = sorted(height for top, height in words if top < bottom - 40)
    assert footer and max(footer) < 0.85 * body[len(body) // 2], (footer, body[len(body) // 2])


@pytest.mark.parametrize("code", ["en", "ar"])
def test_the_templates_own_style_block_loses_nothing_either(project: Path, code: str) -> None:
    """The page rules the template writes (footer labels, the DRAFT banner, right-to-left margin boxes)
    are read whole by WeasyPrint: ``@bottom-left, @bottom-right, @top-center { … }`` was dropped."""
    from handoutgen.build.run import load_inputs
    from handoutgen.render.css import _dropped_by_weasyprint
    from handoutgen.render.html import make_environment, render_html
    from handoutgen.text.locales import locale_info

    inputs = load_inputs(project)
    locale = locale_info(code)
    html = render_html(
        inputs.project,
        make_environment(inputs.project),
        inputs.handout("aftercare"),
        inputs.clinic,
        locale,
        inputs.translations(locale),
        draft_reason="test",
    )
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert style and "@bottom-left" in style.group(1)
    assert _dropped_by_weasyprint(style.group(1), (project / "templates").as_uri() + "/", "style") == []


# -- what WeasyPrint would drop ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet, line, words",
    [
        ("h1 { colour: #1f5f7a; }", 1, "colour"),
        ("h1 { color: #1f5f7a; }\n\nh2 { width: 10pxx; }", 3, "10pxx"),
        ("@media print {\n  h2 { colr: red }\n}", 2, "colr"),
        ("h1 { color: red; h2 { colr: blue } }", 1, "colr"),
        ("h1 { color: #1f5f7a;\n  font-size: 16pt", 1, "never closed"),
        ("h1 { color: red }\n}", 2, "closes no rule"),
        ("p { }\nh1::befor { color: red }", 2, "h1::befor"),
        ("@pagee { margin: 0 }", 1, "@pagee"),
    ],
    ids=[
        "unknown-property",
        "invalid-value",
        "in-media",
        "nested",
        "unclosed-block",
        "stray-brace",
        "bad-selector",
        "unknown-at-rule",
    ],
)
def test_what_weasyprint_drops_is_an_error_at_its_line(
    project: Path, snippet: str, line: int, words: str
) -> None:
    with_css(project, snippet)
    found = problems(project)
    assert list(found) == [TemplateError], found
    assert any(
        l.startswith(f"templates/handout.css:{line}: ") and words in l for l in found[TemplateError]
    ), found


def test_a_property_weasyprint_does_not_support_yet_is_no_error(project: Path) -> None:
    """unicode-bidi is real CSS (browsers use it in the --html preview); WeasyPrint ignores it."""
    with_css(project, "p { unicode-bidi: isolate; }")
    assert problems(project) == {}


def test_every_stylesheet_in_templates_is_checked(project: Path) -> None:
    sheet = project / "templates" / "review.css"
    sheet.write_text("h1 { font-wieght: bold }\n" + sheet.read_text(encoding="utf-8"), encoding="utf-8")
    assert any(l.startswith("templates/review.css:1: ") for l in problems(project)[TemplateError])


def test_a_stylesheet_that_is_not_utf8_is_an_error(project: Path) -> None:
    (project / "templates" / "extra.css").write_bytes(b"h1 { content: '\xe9' }\n")
    assert any(l.startswith("templates/extra.css: not UTF-8") for l in problems(project)[TemplateError])


# -- what a stylesheet may fetch ------------------------------------------------------------------------


def data_url(media: str, text: str) -> str:
    return f"data:{media};base64," + base64.b64encode(text.encode()).decode()


REFUSED = {
    "http": ("body { background: url(http://evil.example/a.png) }", "http://evil.example/a.png"),
    "https-font": (
        "@font-face { font-family: E; src: url('https://evil.example/f.woff2') }",
        "https://evil.example/f.woff2",
    ),
    "import-string": ('@import "http://evil.example/t.css";', "http://evil.example/t.css"),
    "import-url": ("@import url(http://evil.example/t.css);", "http://evil.example/t.css"),
    "etc-passwd": ("body { background: url(file:///etc/passwd) }", "file:///etc/passwd"),
    "outside-folders": ("body { background: url(../clinic.yaml) }", "../clinic.yaml"),
    "climbing-out": ("body { background: url(../../../etc/passwd) }", "../../../etc/passwd"),
    "missing-file": ("body { background: url(../assets/none.png) }", "does not exist"),
    "protocol-relative": ("body { background: url(//evil.example/a.png) }", "//evil.example/a.png"),
    "escaped-function": (
        r"body { background: u\72 l(http://evil.example/a.png) }",
        "http://evil.example/a.png",
    ),
    "image-set": (
        "body { background: image-set('http://evil.example/a.png' 1x) }",
        "http://evil.example/a.png",
    ),
    "data-svg-image": (
        (
            "body { background: url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
            "<image href='http://evil.example/p.png'/></svg>\") }"
        ),
        "http://evil.example/p.png",
    ),
    "data-svg-base64-style": (
        "body { background: url("
        + data_url("image/svg+xml", f'<svg {SVG_NS}><rect style="fill: url(//evil.example/x)"/></svg>')
        + ") }",
        "//evil.example/x",
    ),
    "data-css-import": (
        f"@import url({data_url('text/css', '@import url(file:///etc/passwd);')});",
        "file:///etc/passwd",
    ),
    "data-in-data": (
        'body { background: url("'
        + data_url(
            "image/svg+xml",
            f"<svg {SVG_NS}><image href='"
            + data_url("image/svg+xml", f"<svg {SVG_NS}><image href='http://evil.example/deep.png'/></svg>")
            + "'/></svg>",
        )
        + '") }',
        "http://evil.example/deep.png",
    ),
}


@pytest.mark.parametrize("snippet, words", REFUSED.values(), ids=REFUSED.keys())
def test_a_stylesheet_url_the_renderer_must_not_read_is_refused_at_its_line(
    project: Path, snippet: str, words: str
) -> None:
    with_css(project, "/* first */\n" + snippet)
    found = problems(project)
    assert RenderError in found, found
    assert any(
        l.startswith("templates/handout.css:2: refused to fetch ") and words in l for l in found[RenderError]
    ), found


ALLOWED = {
    "asset": "body { background: url(../assets/logo.svg) }",
    "template-folder": "@import 'review.css';",
    "data-png": "body { background: url(" + data_url("image/png", "\x89PNG\r\n\x1a\n") + ") }",
    "data-svg-own-parts": (
        "body { background: url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
        "<defs><linearGradient id='g'/></defs><rect fill='url(%23g)'/></svg>\") }"
    ),
    "fragment": "p { color: red } /* url(http://evil.example/in-a-comment) */",
}


@pytest.mark.parametrize("snippet", ALLOWED.values(), ids=ALLOWED.keys())
def test_project_files_and_self_contained_data_urls_are_allowed(project: Path, snippet: str) -> None:
    with_css(project, snippet)
    assert RenderError not in problems(project)


def test_css_references_are_found_as_weasyprint_tokenizes_them() -> None:
    css = (
        '@import "a.css";\nh1 { background: url(b.png) U\\52 L("c.png") }\n@font-face { src: url("d.woff") }'
    )
    assert [(line, url) for line, _, url in css_references(css)] == [
        (1, "a.css"),
        (2, "b.png"),
        (2, "c.png"),
        (3, "d.woff"),
    ]


def test_a_stylesheet_linked_out_of_the_project_is_refused_not_read(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("h1 { colour: red }")
    (project / "templates" / "extra.css").symlink_to(secret)
    with pytest.raises(ContentError, match="templates/extra.css: is a symlink to"):
        check_stylesheets(Project(project))


def test_both_kinds_at_once_are_all_reported_with_exit_code_1(project: Path) -> None:
    with_css(project, "h1 { colour: red }\nbody { background: url(http://evil.example/a.png) }")
    with pytest.raises(HandoutError) as caught:
        validate_stylesheets(Project(project))
    assert type(caught.value) is HandoutError and caught.value.exit_code == 1
    lines = str(caught.value).splitlines()
    assert any(l.startswith("templates/handout.css:1: ") for l in lines)
    assert any(
        l.startswith("templates/handout.css:2: refused to fetch http://evil.example/a.png") for l in lines
    )


# -- where the check runs ------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_build_stops_before_rendering_on_a_bad_stylesheet(project: Path, jobs: int, capsys) -> None:
    with_css(project, "h1 { colour: #1f5f7a; }")
    with pytest.raises(TemplateError, match=r"templates/handout.css:1: .*colour"):
        build_run(project, BuildOptions(locales=("en",)), report=lambda line: None, jobs=jobs)
    assert not list((project / "build").glob("*/*.pdf"))
    assert main(["-C", str(project), "build", "-l", "en", "--handout", "aftercare", "-j", "1"]) == 2
    err = [l for l in capsys.readouterr().err.splitlines() if l.startswith("error:")]
    assert err and err[0].startswith(
        "error: templates/handout.css:1: WeasyPrint drops this: Ignored `colour"
    ), err


def test_the_build_refuses_a_stylesheet_url_with_exit_code_5(project: Path, capsys) -> None:
    with_css(project, "body { background: url(file:///etc/passwd) }")
    assert main(["-C", str(project), "build", "-l", "en", "--handout", "aftercare", "-j", "1"]) == 5
    err = [l for l in capsys.readouterr().err.splitlines() if l.startswith("error:")]
    assert len(err) == 1 and err[0].startswith(
        "error: templates/handout.css:1: refused to fetch file:///etc/passwd"
    ), err


def test_check_reports_stylesheet_problems(project: Path, capsys) -> None:
    with_css(project, "h1 { colour: #1f5f7a; }")
    assert main(["-C", str(project), "check", "-l", "en"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(l.startswith("error: templates/handout.css:1: ") and "colour" in l for l in err), err


# -- the logo ----------------------------------------------------------------------------------------


def with_logo(project: Path, name: str, data: bytes) -> int:
    """``assets/NAME`` as the logo; returns the logo's line in clinic.yaml."""
    (project / "assets" / name).write_bytes(data)
    clinic = project / "clinic.yaml"
    text = re.sub(r"(?m)^logo: .*$", f"logo: assets/{name}", clinic.read_text())
    clinic.write_text(text)
    return next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("logo:"))


def png_bytes() -> bytes:
    """A real PNG whose pixel data fills most of the file (noise does not compress)."""
    import random
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.frombytes("RGB", (64, 64), random.Random(7).randbytes(64 * 64 * 3)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_cut_off_raster_logo_is_refused(project: Path, cut: float) -> None:
    """Also once WeasyPrint is imported, which tells Pillow to accept cut-off images for the whole
    process (a long-running `watch` would otherwise let them through)."""
    import weasyprint  # noqa: F401

    data = png_bytes()
    line = with_logo(project, "logo.png", data[: int(len(data) * cut)])
    with pytest.raises(ContentError) as caught:
        load_clinic(project / "clinic.yaml", project)
    message = str(caught.value)
    assert message.startswith(
        f"clinic.yaml:{line}: logo: 'assets/logo.png' cannot be decoded as a PNG image"
    ), message


def test_a_whole_raster_logo_is_accepted(project: Path) -> None:
    with_logo(project, "logo.png", png_bytes())
    assert load_clinic(project / "clinic.yaml", project).logo == (project / "assets" / "logo.png").resolve()


def test_a_malformed_svg_logo_is_refused_at_its_line(project: Path) -> None:
    with_logo(
        project,
        "logo.svg",
        f'<svg {SVG_NS} width="8" height="8">\n  <g>\n  <circle r="3">\n</svg>\n'.encode(),
    )
    with pytest.raises(ContentError) as caught:
        load_clinic(project / "clinic.yaml", project)
    assert str(caught.value).startswith("assets/logo.svg:4: the logo (clinic.yaml:"), str(caught.value)
    assert "not well-formed XML" in str(caught.value)


LOGO_REFUSED = {
    "image-http": (
        '<image xlink:href="http://evil.example/pixel.png" width="8" height="8"/>',
        "http://evil.example/pixel.png",
    ),
    "image-file": ('<image href="file:///etc/passwd" width="8" height="8"/>', "file:///etc/passwd"),
    "use-other-host": ('<use href="//evil.example/sprite.svg#a"/>', "//evil.example/sprite.svg#a"),
    "fe-image": (
        '<filter id="f"><feImage href="https://evil.example/i.png"/></filter>',
        "https://evil.example/i.png",
    ),
    "style-attribute": (
        '<rect style="fill: url(http://evil.example/p.svg#g)"/>',
        "http://evil.example/p.svg#g",
    ),
    "fill-attribute": ('<rect fill="url(http://evil.example/p.svg#g)"/>', "http://evil.example/p.svg#g"),
    "style-element": ("<style>@import url(http://evil.example/s.css);</style>", "http://evil.example/s.css"),
    "outside-project": ('<image href="../../etc/passwd"/>', "../../etc/passwd"),
    "entity-encoded": ('<image href="&#104;ttp://evil.example/e.png"/>', "http://evil.example/e.png"),
    "data-svg-inside": (
        '<image href="'
        + data_url("image/svg+xml", f"<svg {SVG_NS}><image href='http://evil.example/n.png'/></svg>")
        + '"/>',
        "http://evil.example/n.png",
    ),
}


@pytest.mark.parametrize("element, url", LOGO_REFUSED.values(), ids=LOGO_REFUSED.keys())
def test_an_svg_logo_referring_outside_the_project_is_refused(project: Path, element: str, url: str) -> None:
    with_logo(project, "logo.svg", f'<svg {SVG_NS} width="8" height="8">\n  {element}\n</svg>\n'.encode())
    with pytest.raises(RenderError) as caught:
        load_clinic(project / "clinic.yaml", project)
    message = str(caught.value)
    assert message.startswith("assets/logo.svg:2: the logo (clinic.yaml:") and url in message, message


def test_an_xml_stylesheet_instruction_in_a_logo_is_refused(project: Path) -> None:
    with_logo(
        project,
        "logo.svg",
        f'<?xml-stylesheet href="http://evil.example/s.css"?>\n<svg {SVG_NS}/>\n'.encode(),
    )
    with pytest.raises(RenderError, match=r"assets/logo.svg:1: .*http://evil.example/s.css"):
        load_clinic(project / "clinic.yaml", project)


def test_an_svg_logo_may_use_its_own_parts_and_files_in_assets(project: Path) -> None:
    (project / "assets" / "dot.png").write_bytes(png_bytes())
    with_logo(
        project,
        "logo.svg",
        (
            f'<svg {SVG_NS} width="8" height="8"><defs><linearGradient id="g"/></defs>'
            '<rect fill="url(#g)" style="stroke: url(#g)"/><use xlink:href="#g"/><image href="dot.png"/>'
            f'<image href="{data_url("image/png", "x")}"/></svg>'
        ).encode(),
    )
    assert load_clinic(project / "clinic.yaml", project).logo is not None


def test_the_logo_is_refused_by_the_command_with_exit_code_5(project: Path, capsys) -> None:
    with_logo(
        project, "logo.svg", f'<svg {SVG_NS}>\n<image href="http://evil.example/t.png"/>\n</svg>'.encode()
    )
    assert main(["-C", str(project), "build", "-l", "en", "--handout", "aftercare", "-j", "1"]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1
        and err[0].startswith("error: assets/logo.svg:2: ")
        and "http://evil.example/t.png" in err[0]
    ), err


def test_svg_references_reports_lines_and_refuses_malformed_xml() -> None:
    from handoutgen.resources import SvgError

    svg = f'<svg {SVG_NS}>\n<a href="#x"/>\n<style>\n\n p {{ fill: url(q.svg) }}</style></svg>'.encode()
    assert svg_references(svg) == [(2, "#x"), (5, "q.svg")]
    with pytest.raises(SvgError):
        svg_references(b"<svg><g></svg>")
