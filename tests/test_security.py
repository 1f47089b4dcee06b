"""What a hostile translation, file or setting cannot do: inject HTML or links into a sheet, make the
renderer read anything outside the project, or crash the command with a traceback.

Everything here goes through the real renderer (Jinja2 and WeasyPrint), real files and symlinks,
and poppler's tools as the judge of the PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import pdf_text

from handoutgen.build.manifest import files_digest, inputs_digest
from handoutgen.build.run import BuildOptions, build, load_inputs
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog
from handoutgen.cli.main import main
from handoutgen.content.clinic import load_clinic
from handoutgen.errors import CatalogError, ContentError, RenderError
from handoutgen.project import Project
from handoutgen.render.html import css_string, make_environment
from handoutgen.render.pdf import html_to_pdf
from handoutgen.text.locales import check_code, locale_info

LOCALE = "vi"  # a shipped catalogue with one plural form: nothing here depends on plural rules
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
LABEL = "Call us the same day"  # translated in the template with _()
PAGE_LABEL = "Page %(page)s of %(pages)s"  # translated with %-variables
BODY = "Rest for the rest of the day if you can."  # a paragraph of handouts/aftercare.yaml


def pdf_urls(pdf: Path) -> list[str]:
    """Every URL in the PDF's objects (link annotations, actions), as poppler lists them."""
    out = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1] for line in out.splitlines()[1:] if line.strip()]


def set_translations(root: Path, entries: dict[str, str], code: str = LOCALE) -> None:
    path = po_path(root / "locales", code)
    catalog = load_catalog(path, code)
    for msgid, text in entries.items():
        message = catalog.get(msgid)
        assert message is not None, msgid
        message.string = text
    save_catalog(catalog, path)


def build_one(root: Path, code: str = LOCALE, handout: str = "aftercare"):
    outcome = build(
        root, BuildOptions(locales=(code,), handouts=(handout,), write_html=True), report=lambda line: None
    )[0]
    return (
        outcome,
        root / "build" / "html" / code / f"{handout}.html",
        root / "build" / code / f"{handout}.pdf",
    )


# -- A. translations are text, never markup ------------------------------------------------------------

HOSTILE = {
    "script": '<script>alert("x")</script>',
    "link": f'<a href="{METADATA_URL}">mở</a>',
    "image": f'<img src="{METADATA_URL}logo.png" alt="">',
    "all": f'<script>alert(1)</script><a href="{METADATA_URL}">x</a><img src="{METADATA_URL}i.png">',
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_translated_label_and_paragraph_holding_html_print_as_text(project: Path, payload: str) -> None:
    set_translations(
        project,
        {
            LABEL: f"Gọi cho chúng tôi {payload}",
            BODY: f"Nghỉ ngơi {payload}",
            PAGE_LABEL: f"Trang %(page)s/%(pages)s {payload}",
        },
    )
    outcome, html_path, pdf = build_one(project)
    assert outcome.error is None, outcome.error  # nothing was fetched, so nothing was refused
    html = html_path.read_text()
    body = html.split("<body>", 1)[1]
    for tag in ("<script", "<a ", '<img src="http'):
        assert tag not in body, tag
    assert "<script" not in html.split("<body>", 1)[0]  # the page label is CSS text in <style>
    escaped = str(__import__("markupsafe").escape(payload))
    assert f"<h3>Gọi cho chúng tôi {escaped}</h3>" in body  # the label, escaped once
    assert f"<li>Nghỉ ngơi {escaped}</li>" in body  # the paragraph (markup.to_html), escaped once
    assert not [url for url in pdf_urls(pdf) if "169.254" in url]
    text = "".join(pdf_text(pdf).split())
    assert "".join(f"Gọi cho chúng tôi {payload[:12]}".split()) in text  # printed as the characters typed


def test_a_page_label_cannot_break_out_of_its_css_string(project: Path) -> None:
    """A quote, backslash, new line, carriage return or form feed in a translation would end the CSS
    string of the page footer and let the rest be read as CSS: they are written as CSS escapes. (A .po
    file cannot carry \\r or \\f any more, so the catalogue is changed in memory and rendered for real.)"""
    from handoutgen.catalogs.lookup import CatalogTranslations
    from handoutgen.render.html import render_html

    breakout = 'x"\r} @page { @top-left { content: "INJECTED" } } p { color: red }\f\\\n</style><p>'
    inputs = load_inputs(project)
    catalog = load_catalog(po_path(project / "locales", LOCALE), LOCALE)
    catalog.get(PAGE_LABEL).string = f"Trang %(page)s/%(pages)s {breakout}"
    html = render_html(
        inputs.project,
        make_environment(inputs.project),
        inputs.handout("aftercare"),
        inputs.clinic,
        locale_info(LOCALE),
        CatalogTranslations(catalog),
    )
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    footer = next(line for line in style.splitlines() if "counter(pages)" in line)
    assert not set("\r\f") & set(style)  # a raw one would end the CSS string
    assert (
        footer.count('"') == 6 and "\\22 INJECTED\\22 " in footer
    )  # three CSS strings, the rest inside them
    pdf = html_to_pdf(inputs.project, html, "aftercare [vi]", locale_info(LOCALE))
    assert pdf.pages >= 1
    assert css_string('a"b\\c\r\n\f<\x00\x01d\t') == '"a\\22 b\\5c c \\a  \\3c d "'


def test_a_translation_whose_percent_signs_do_not_fit_is_one_error_line(project: Path, capsys) -> None:
    """Jinja's gettext %-formats every template label, so a lone % in a translation raised ValueError
    from deep inside the template (a traceback); now it is an error naming the entry."""
    set_translations(project, {LABEL: "Gọi 100% ngay"})
    outcome, _, pdf = build_one(project)
    assert outcome.error and not pdf.exists()
    assert re.match(
        rf"locales/{LOCALE}/LC_MESSAGES/handouts.po:\d+: the translation of 'Call us the same day' "
        r"\('Gọi 100% ngay'\) does not fit its %-variables",
        outcome.error,
    ), outcome.error
    for argv in (["build", "-l", LOCALE, "--handout", "aftercare"], ["check", "-l", LOCALE]):
        capsys.readouterr()
        assert main(["-C", str(project), *argv]) in (1, CatalogError.exit_code)
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert [
            line
            for line in err.splitlines()
            if line.startswith("error:")
            and "Call us the same day" in line
            and "write a literal percent sign as %%" in line
        ], (argv, err)


# -- C1. nothing outside the project is read: symlinks ----------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project with a secret in it, and a real PNG."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("TOP-SECRET-OUTSIDE-THE-PROJECT\n")
    from PIL import Image

    Image.new("RGB", (4, 4), (200, 0, 0)).save(folder / "secret.png")
    return folder


@pytest.mark.parametrize(
    "link, target",
    [
        ("assets/evil.png", "secret.png"),
        ("assets/sub", "."),  # a whole folder
        ("templates/extra.css", "secret.txt"),
        ("handouts/evil.yaml", "secret.txt"),
        ("locales/vi/LC_MESSAGES/handouts.po", "secret.txt"),
    ],
    ids=["asset", "asset-folder", "template", "handout", "catalogue"],
)
def test_a_symlink_out_of_the_project_stops_the_build_naming_it(
    project: Path, outside: Path, capsys, link: str, target: str
) -> None:
    path = project / link
    if path.exists():
        path.unlink()
    path.symlink_to(outside / target)
    with pytest.raises(ContentError) as caught:
        inputs_digest(project)
    assert str(caught.value).startswith(
        f"{link}: is a symlink to {(outside / target).resolve()}, outside the project"
    )
    capsys.readouterr()
    assert main(["-C", str(project), "build", "-l", "en"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {link}: is a symlink to "), err
    assert "TOP-SECRET" not in "".join(err)


def test_a_symlinked_handout_is_not_read_by_check_either(project: Path, outside: Path, capsys) -> None:
    (project / "handouts" / "evil.yaml").symlink_to(outside / "secret.txt")
    assert main(["-C", str(project), "check", "-l", LOCALE]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        (
            f"error: handouts/evil.yaml: is a symlink to {(outside / 'secret.txt').resolve()}, outside the "
            "project; nothing outside the project is read, so copy the file into the project instead of "
            "linking to it"
        )
    ]


@pytest.mark.parametrize("name", ["glossary.yaml", "literacy.yaml"])
def test_a_symlinked_settings_file_is_not_read_by_check_either(
    project: Path, outside: Path, capsys, name: str
) -> None:
    """The build refuses these before reading anything (inputs_digest); check reads them through
    their own loaders, which refuse a link out of the project too, and leave it as it was."""
    target = outside / name
    target.write_bytes((project / name).read_bytes())
    (project / name).unlink()
    (project / name).symlink_to(target)
    before = target.read_bytes()
    assert main(["-C", str(project), "check", "-l", LOCALE]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        (
            f"error: {name}: is a symlink to {target.resolve()}, outside the project; nothing outside the "
            "project is read, so copy the file into the project instead of linking to it"
        )
    ], err
    assert (project / name).is_symlink() and target.read_bytes() == before


def test_a_symlink_that_stays_inside_the_project_is_fine(project: Path) -> None:
    (project / "assets" / "alias.svg").symlink_to("logo.svg")
    clinic = project / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("logo: assets/logo.svg", "logo: assets/alias.svg"))
    inputs_digest(project)
    outcome = build(
        project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None
    )[0]
    assert outcome.error is None and outcome.path.exists()


def test_files_digest_refuses_an_outside_link(project: Path, outside: Path) -> None:
    (project / "assets" / "evil.png").symlink_to(outside / "secret.png")
    with pytest.raises(ContentError, match="assets/evil.png: is a symlink to"):
        files_digest(list((project / "assets").rglob("*")), project)
    assert files_digest([project / "assets" / "logo.svg"], project)


def test_the_template_loader_does_not_follow_a_symlink_out(project: Path, outside: Path) -> None:
    (project / "templates" / "secret.html.j2").symlink_to(outside / "secret.txt")
    env = make_environment(Project(project.resolve()))
    with pytest.raises(ContentError, match="templates/secret.html.j2: leads to .*outside the project"):
        env.get_template("secret.html.j2")
    assert env.get_template("handout.html.j2")  # the real one still loads


def test_an_assets_folder_linked_out_of_the_project_is_no_asset_root(project: Path, outside: Path) -> None:
    real_assets = project / "assets"
    shutil.rmtree(real_assets)
    real_assets.symlink_to(outside)
    assert Project(project).asset_roots() == ((project / "templates").resolve(),)
    html = '<html lang="en"><title>t</title><body><img src="../assets/secret.png" alt=""></body></html>'
    with pytest.raises(RenderError, match="refused to fetch file://.*/assets/secret.png"):
        html_to_pdf(Project(project), html, "t", locale_info("en"))


# -- C2. locale codes never become paths -------------------------------------------------------------


@pytest.mark.parametrize("code", ["es", "vi", "zh_Hans", "pt_BR", "en_XA", "es_419", "sr_Latn_RS"])
def test_locale_codes_of_the_project_form_pass(code: str) -> None:
    assert check_code(code) == code


@pytest.mark.parametrize(
    "code, words",
    [
        ("../../etc", "is a path"),
        ("/tmp/x", "is a path"),
        ("es/../../x", "is a path"),
        ("..", "is a path"),
        ("es\n", "is not a locale code"),  # the old check's $ let a trailing new line through
        ("es\x00", "is a path"),
        ("pt-BR", "did you mean pt_BR?"),
        ("", "is not a locale code"),
        ("x" * 300, "is not a locale code"),
    ],
)
def test_anything_else_is_refused_before_it_becomes_a_path(code: str, words: str) -> None:
    with pytest.raises(CatalogError) as caught:
        check_code(code)
    assert words in str(caught.value) and len(str(caught.value).splitlines()) == 1
    with pytest.raises(CatalogError):
        locale_info(code)


@pytest.mark.parametrize(
    "argv",
    [
        ["-l", "../../etc"],
        ["build", "-l", "/etc"],
        ["catalogs", "init", "/tmp/handoutgen-x"],
        ["catalogs", "init", "../x"],
        ["review", "sheet", "../../etc"],
        ["status", "-l", "../x"],
    ],
)
def test_the_command_refuses_a_path_as_a_locale_in_one_line(project: Path, capsys, argv: list[str]) -> None:
    before = sorted(p.relative_to(project.parent) for p in project.parent.rglob("*"))
    code = main(["-C", str(project), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3, err
    assert len(err) == 1 and err[0].startswith("error: ") and "is a path, not a locale code" in err[0], err
    created = {p.relative_to(project.parent) for p in project.parent.rglob("*")} - set(before)
    assert not [p for p in created if p.parts[0] != "project" or p.parts[1] == "locales"], created
    assert not Path("/tmp/handoutgen-x").exists()


def test_a_path_in_clinic_locales_names_its_line(project: Path, capsys) -> None:
    clinic = project / "clinic.yaml"
    text = clinic.read_text().replace("locales: [en, es,", "locales: [en, ../../etc,")
    assert text != clinic.read_text()
    clinic.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("locales:"))
    assert main(["-C", str(project), "build"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"error: clinic.yaml:{line}: locales[1]: '../../etc' is a path"
    ), err


# -- C4. the logo is an image inside assets/ ---------------------------------------------------------


def _clinic_with_logo(project: Path, logo: str) -> tuple[Path, int]:
    clinic = project / "clinic.yaml"
    text = re.sub(r"(?m)^logo: .*$", lambda m: f"logo: {logo}", clinic.read_text())
    clinic.write_text(text)
    return clinic, next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("logo:"))


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("assets/notes.png", b"just some text\n", "is not an image"),
        ("assets/logo.png", None, "is named as PNG but holds SVG"),  # the SVG copied under a .png name
        ("assets/page.svg", b"<html><body>not an svg</body></html>", "is not an image"),
        (
            "assets/bomb.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
            "declares XML entities",
        ),
        ("assets/logo.txt", b"\x89PNG\r\n\x1a\n", "is not an image file"),
    ],
)
def test_a_logo_that_is_not_an_image_is_refused_naming_the_line(
    project: Path, name: str, content: bytes | None, words: str
) -> None:
    path = project / name
    path.write_bytes(content if content is not None else (project / "assets" / "logo.svg").read_bytes())
    clinic, line = _clinic_with_logo(project, name)
    with pytest.raises(ContentError) as caught:
        load_clinic(clinic, project)
    message = str(caught.value)
    assert message.startswith(f"clinic.yaml:{line}: logo: '{name}' ") and words in message, message


def test_a_logo_outside_assets_or_linked_out_is_refused(project: Path, outside: Path) -> None:
    clinic, line = _clinic_with_logo(project, str(outside / "secret.png"))
    with pytest.raises(
        ContentError, match=f"clinic.yaml:{line}: logo: .* is outside the project's assets/ folder"
    ):
        load_clinic(clinic, project)
    (project / "assets" / "linked.png").symlink_to(outside / "secret.png")
    clinic, line = _clinic_with_logo(project, "assets/linked.png")
    with pytest.raises(ContentError, match="through a symlink"):
        load_clinic(clinic, project)


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("assets/logo-new.png", "PNG"),
        ("assets/logo-new.jpg", "JPEG"),
        ("assets/logo-new.gif", "GIF"),
        ("assets/logo-new.webp", "WEBP"),
    ],
)
def test_real_raster_logos_are_accepted_and_printed(project: Path, name: str, fmt: str) -> None:
    from PIL import Image

    Image.new("RGB", (32, 32), (31, 95, 122)).save(project / name, fmt)
    clinic, _ = _clinic_with_logo(project, name)
    assert load_clinic(clinic, project).logo == (project / name).resolve()
    if fmt == "PNG":
        outcome = build(
            project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None
        )[0]
        assert outcome.error is None, outcome.error


# -- D. the renderer's URL lock-down, through the real renderer ------------------------------------------

VECTORS = {
    "img-etc-passwd": ('<img src="file:///etc/passwd" alt="">', "file:///etc/passwd"),
    "img-metadata": (f'<img src="{METADATA_URL}" alt="">', METADATA_URL),
    "img-relative-escape": ('<img src="../../outside/secret.png" alt="">', "outside/secret.png"),
    "stylesheet-metadata": (f'<link rel="stylesheet" href="{METADATA_URL}x.css">', METADATA_URL),
    "css-import-file": ('<style>@import url("file:///etc/passwd");</style>', "file:///etc/passwd"),
    "css-background-escape": (
        '<style>body { background-image: url("../../outside/secret.png") }</style>',
        "outside/secret.png",
    ),
    "font-face-file": (
        '<style>@font-face { font-family: X; src: url("file:///etc/passwd") } p { font-family: X }</style>',
        "file:///etc/passwd",
    ),
    "object-outside": (
        '<object data="../../outside/secret.png" type="image/png"></object>',
        "outside/secret.png",
    ),
    "svg-image-metadata": (
        f'<svg width="8" height="8"><image href="{METADATA_URL}a.png" width="4" height="4"/></svg>',
        METADATA_URL,
    ),
    "base-href-outside": ('<base href="file:///etc/"><img src="passwd" alt="">', "file:///etc/"),
}


@pytest.mark.parametrize("snippet, url", VECTORS.values(), ids=VECTORS.keys())
def test_a_hostile_template_is_refused_by_the_real_renderer(
    project: Path, outside: Path, snippet: str, url: str
) -> None:
    """Fails if html_to_pdf stops using the project-only fetcher: WeasyPrint's default fetcher reads
    file: URLs anywhere and goes to the network, and only logs what it cannot use."""
    template = project / "templates" / "handout.html.j2"
    template.write_text(template.read_text().replace("<main>", "<main>" + snippet, 1))
    outcome = build(
        project, BuildOptions(locales=("en",), handouts=("aftercare",)), report=lambda line: None
    )[0]
    assert outcome.error and "refused to fetch" in outcome.error and url in outcome.error, outcome.error
    assert not (project / "build" / "en" / "aftercare.pdf").exists()


def test_the_renderer_reads_assets_and_data_urls_only(project: Path, outside: Path) -> None:
    """The same lock-down, called directly: the project's own logo and a data: URL render; the same
    picture outside the project does not."""
    root = Project(project)
    ok = (
        '<html lang="en"><title>t</title><body><img src="../assets/logo.svg" alt="">'
        '<img alt="" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%224%22 '
        'height=%224%22/%3E"></body></html>'
    )
    assert html_to_pdf(root, ok, "t", locale_info("en")).pages == 1
    bad = (
        f'<html lang="en"><title>t</title><body><img src="file://{outside}/secret.png" alt=""></body></html>'
    )
    with pytest.raises(RenderError, match=f"refused to fetch file://{outside}/secret.png"):
        html_to_pdf(root, bad, "t", locale_info("en"))


@pytest.mark.parametrize(
    "expression",
    [
        "cycler.__init__.__globals__.os.listdir('/')",
        "tr.__globals__['__builtins__']['open']('/etc/passwd').read()",
        "''.__class__.__mro__[1].__subclasses__()",
    ],
)
def test_a_template_cannot_reach_python_internals(project: Path, expression: str) -> None:
    """Templates are sandboxed: without it, these read the disk or list every class of the process."""
    template = project / "templates" / "handout.html.j2"
    template.write_text("{{ " + expression + " }}" + template.read_text())
    outcome = build(
        project,
        BuildOptions(locales=("en",), handouts=("aftercare",), write_html=True),
        report=lambda line: None,
    )[0]
    assert outcome.error and "unsafe" in outcome.error, outcome.error
    assert not (project / "build" / "en" / "aftercare.pdf").exists()
    assert not (project / "build" / "html" / "en" / "aftercare.html").exists()
