"""Rendering: Jinja2 templates to HTML, then WeasyPrint to a tagged, reproducible PDF.

WeasyPrint is imported inside the functions that need it, so commands that print nothing (``--help``,
``status``, a no-op build) start fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup, escape

from handoutgen import __version__
from handoutgen.content.clinic import PAPER_SIZES, Clinic
from handoutgen.content.handout import Handout, Text
from handoutgen.content.icons import icon_file
from handoutgen.content.markup import fill_placeholders, strip_markup, to_html
from handoutgen.errors import (
    CatalogError,
    ContentError,
    Problem,
)
from handoutgen.project import Project
from handoutgen.render.typography import typeset
from handoutgen.text.locales import SOURCE_LOCALE, LocaleInfo, language

TEMPLATE = "handout.html.j2"
_PAGE = "\x00page\x00"
_PAGES = "\x00pages\x00"


# -- HTML ------------------------------------------------------------------------------------------


class ProjectLoader(jinja2.FileSystemLoader):
    """Templates from ``templates/`` only: a template that is (or sits under) a symlink leading out
    of the project is refused, naming it, instead of being read."""

    def __init__(self, project: Project) -> None:
        super().__init__(str(project.templates))
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # checked before anything is opened: FileSystemLoader itself follows symlinks anywhere
        pieces = jinja2.loaders.split_template_path(template)  # refuses ".." in the name
        path = self.project.templates.joinpath(*pieces)
        real = path.resolve()
        if (path.exists() or path.is_symlink()) and not real.is_relative_to(self.project.root.resolve()):
            shown = path.relative_to(self.project.root) if path.is_relative_to(self.project.root) else path
            raise ContentError(
                problems=[
                    Problem(
                        str(shown),
                        None,
                        (
                            f"leads to {real}, outside the project (a symlink); templates are read only from "
                            "the project's templates/ folder: copy the file there instead of linking to it"
                        ),
                    )
                ]
            )
        return super().get_source(environment, template)


def make_environment(project: Project) -> jinja2.Environment:
    """Autoescaped and sandboxed: a template reaches only the values it is given, never Python's
    internals (``cycler.__init__.__globals__.os``), so it cannot read or run anything the renderer's
    URL lock-down would refuse."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=ProjectLoader(project),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    install_translations(env, SourceLabels())
    return env


class SourceLabels:
    """Template labels before a locale is installed: the English itself."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


#: Where the entry for a template string is (its file, and its line when known), for error messages.
Where = Callable[[str, str | None], tuple[str, int | None]]


def install_translations(env: jinja2.Environment, translations: Any, where: Where | None = None) -> None:
    """Make ``_()``, ``gettext`` and ``{% trans %}`` in templates use ``translations``, escaped.

    Jinja's own newstyle gettext marks the *translated* string as safe markup before %-formatting
    it (only the variables are escaped), so a translation holding ``<script>`` or ``<a href>`` would
    reach the page as HTML. Here the translation is escaped first, like every other text, and only
    then are the (escaped) variables put in. A translation whose %-variables do not fit its English
    (``100%``, ``%(pgae)s``) is a CatalogError naming the entry (``where`` gives its file and line),
    not a traceback.
    """
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} calls gettext(s, **vars)
    env.globals.update(_escaping_gettext(translations, where or _in_template))


def _in_template(msgid: str, context: str | None) -> tuple[str, int | None]:
    """Without a catalogue to point into, a template string's entry is the template itself."""
    return f"templates/{TEMPLATE}", None


def _escaping_gettext(translations: Any, where: Where) -> dict[str, Callable[..., Markup]]:
    """The four gettext functions Jinja's i18n extension calls, in the shape it calls them (context
    first, the variables as keywords, ``num`` and ``context`` among them), all through :func:`_fill`."""

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, string: str, /, **variables: Any) -> Markup:
        return _fill(string, None, translations.gettext(string), variables, where)

    @jinja2.pass_context
    def ngettext(
        context: jinja2.runtime.Context, singular: str, plural: str, num: int, /, **variables: Any
    ) -> Markup:
        variables.setdefault("num", num)
        return _fill(singular, None, translations.ngettext(singular, plural, num), variables, where)

    @jinja2.pass_context
    def pgettext(context: jinja2.runtime.Context, msgctxt: str, string: str, /, **variables: Any) -> Markup:
        variables.setdefault("context", msgctxt)
        return _fill(string, msgctxt, translations.pgettext(msgctxt, string), variables, where)

    @jinja2.pass_context
    def npgettext(
        context: jinja2.runtime.Context,
        msgctxt: str,
        singular: str,
        plural: str,
        num: int,
        /,
        **variables: Any,
    ) -> Markup:
        variables.setdefault("context", msgctxt)
        variables.setdefault("num", num)
        translated = translations.npgettext(msgctxt, singular, plural, num)
        return _fill(singular, msgctxt, translated, variables, where)

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def _fill(
    msgid: str, context: str | None, translated: str, variables: dict[str, Any], where: Where
) -> Markup:
    """The translation escaped *before* the variables go in, so only the variables' own escaping
    stands between a translator and the page (see :func:`install_translations`)."""
    try:
        return escape(translated) % variables
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise _misfit(msgid, translated, exc, variables, where(msgid, context)) from None


def _misfit(
    msgid: str, translated: str, exc: Exception, variables: dict[str, Any], location: tuple[str, int | None]
) -> CatalogError:
    """A translation whose %-variables do not fit its English, said to the translator who can fix it:
    which variables the English has, and how a literal percent sign is written."""
    names = ", ".join(f"%({name})s" for name in variables if name not in ("num", "context")) or "none"
    file, line = location
    return CatalogError(
        problems=[
            Problem(
                file,
                line,
                (
                    f"the translation of {msgid!r} ({translated!r}) does not fit its %-variables "
                    f"({type(exc).__name__}: {exc}); use exactly the English's variables ({names}) and "
                    "write a literal percent sign as %%"
                ),
            )
        ]
    )


# Quotes, backslash and < > as CSS escapes; a new line as CSS's own; other white-space controls (a raw
# carriage return or form feed would end the string and let the rest be read as CSS) as a space;
# any other control character, which no font draws, dropped.
_CSS_STRING_ESCAPES: dict[int, str | None] = dict.fromkeys((*range(32), 127))
_CSS_STRING_ESCAPES.update({ord(c): " " for c in "\t\r\f\v"})
_CSS_STRING_ESCAPES.update({ord(c): f"\\{ord(c):x} " for c in "\\\"'<>\n"})


def css_string(value: str) -> Markup:
    """A CSS string literal; used for page-margin labels, which CSS (not HTML) prints. Nothing in
    ``value`` can end the string early (see ``_CSS_STRING_ESCAPES``)."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    return Markup('"' + text.translate(_CSS_STRING_ESCAPES) + '"')


def page_label_css(label: str) -> Markup:
    """'Page X of Y', translated whole, as CSS ``content`` with live page counters."""
    text = label.unescape() if isinstance(label, Markup) else str(label)
    parts = re.split(f"({_PAGE}|{_PAGES})", text)
    out = []
    for part in parts:
        if part == _PAGE:
            out.append("counter(page)")
        elif part == _PAGES:
            out.append("counter(pages)")
        elif part:
            out.append(css_string(part))
    return Markup(" ".join(out))


def render_html(
    project: Project,
    env: jinja2.Environment,
    handout: Handout,
    clinic: Clinic,
    locale: LocaleInfo,
    translations: Any,
    draft_reason: str | None = None,
    print_id: str | None = None,
    screen: dict[str, Any] | None = None,
    lookup_only: bool = False,
) -> str:
    """The handout as one HTML document in ``locale`` (large print when the handout or the clinic asks);
    ``translations`` records what it used. ``print_id`` (the footer's) and ``screen`` (render/portal.py)
    only when given; ``lookup_only``: only what ``translations`` records is wanted (no QR code drawn)."""
    from babel.dates import format_date

    tr, plain = _text_filters(translations, clinic.placeholders(), locale)
    install_translations(env, translations, _catalog_location(project, locale, translations))
    logo = clinic.logo.relative_to(project.root.resolve()).as_posix() if clinic.logo else None
    return env.get_template(TEMPLATE).render(
        handout=handout,
        clinic=clinic,
        locale=locale,
        tr=tr,
        plain=plain,
        logo_url=f"../{logo}" if logo else None,
        page=_PAGE,
        pages=_PAGES,
        page_label_css=page_label_css,
        reviewed_date=format_date(handout.reviewed, format="long", locale=locale.babel_code),
        paper=PAPER_SIZES[clinic.paper],
        draft_reason=draft_reason,
        generator=f"handoutgen {__version__}",
        large_print=handout.large_print or clinic.large_print,
        source_lang_attr=_source_lang_attribute(locale),
        **_actionable(project, handout, clinic, locale, lookup_only),
        **({} if print_id is None else {"print_id": print_id}),
        **(screen or {}),
    )


def _actionable(
    project: Project, handout: Handout, clinic: Clinic, locale: LocaleInfo, lookup_only: bool = False
) -> dict[str, Any]:
    """What the actionable blocks need besides the text: the typography of handout texts for long
    template labels, icon files, the clinic's phone hours in the sheet's language, and the web
    version's address with a maker of its QR code."""
    from handoutgen.render.qr import no_qr, qr_svg

    return {
        "label": lambda text: typeset(text, locale),  # a long template label: no break inside a word or range
        "icon_url": lambda name: f"../{icon_file(name)}",
        "hours": phone_hours(clinic, locale),
        "sheet_url": clinic.sheet_url(locale.code, handout.id),
        "qr_code": no_qr if lookup_only else qr_svg,
    }


def phone_hours(clinic: Clinic, locale: LocaleInfo) -> list[dict[str, str | None]]:
    """Each line of ``hours:`` as the sheet prints it: the first day's name (capitalised: it starts the
    line), the last day's name of a range (None for one day), and the times, all from CLDR in the
    sheet's language, 12- or 24-hour as the language writes them."""
    from babel import Locale
    from babel.dates import format_interval, get_day_names

    names = get_day_names("wide", context="format", locale=locale.babel_code)
    pattern = Locale.parse(locale.babel_code).time_formats["short"].pattern
    skeleton = "hm" if "h" in pattern else "Hm"
    lines: list[dict[str, str | None]] = []
    for hours in clinic.hours:
        first = names[hours.first_day]
        lines.append(
            {
                "first": first[:1].upper() + first[1:],
                "last": names[hours.last_day] if hours.last_day != hours.first_day else None,
                "times": format_interval(hours.opens, hours.closes, skeleton, locale=locale.babel_code),
            }
        )
    return lines


def _source_lang_attribute(locale: LocaleInfo) -> Markup:
    """`` lang="en"`` for what the clinic wrote in the source language (its name, its address), on a
    sheet in another language; nothing on an English sheet."""
    if language(locale.code) == SOURCE_LOCALE:
        return Markup("")
    return Markup(f' lang="{SOURCE_LOCALE}"')


def _translate(translations: Any, text: Text) -> str:
    """A handout text in the locale: its context, when it has one, tells apart the same English."""
    if text.context:
        return translations.pgettext(text.context, text.text)
    return translations.gettext(text.text)


def _text_filters(
    translations: Any, values: dict[str, str], locale: LocaleInfo
) -> tuple[Callable[[Text | None], Markup], Callable[[Text], str]]:
    """``tr`` and ``plain`` for the template: a handout text translated with the clinic's values put in,
    as HTML for the page and as plain text for places markup cannot go (the title, PDF metadata).
    On the page, the typography of :mod:`handoutgen.render.typography` is applied too."""

    def tr(text: Text | None) -> Markup:
        if text is None:
            return Markup("")
        return typeset(to_html(_translate(translations, text), values), locale)

    def plain(text: Text) -> str:
        return fill_placeholders(strip_markup(_translate(translations, text)), values)

    return tr, plain


def _catalog_location(project: Project, locale: LocaleInfo, translations: Any) -> Where:
    """Where a template string's entry is: its line in the locale's .po file when the translations
    come from a catalogue (so a translator is sent to the entry to fix), else the template."""
    catalog = getattr(translations, "catalog", None)
    if catalog is None:
        return _in_template

    def where(msgid: str, context: str | None) -> tuple[str, int | None]:
        from handoutgen.catalogs.store import po_path

        message = catalog.get(msgid, context=context)
        path = po_path(project.locales, locale.code)
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        return str(shown), (message.lineno if message is not None else None)

    return where


# -- what the renderer may read ----------------------------------------------------------------------


# -- stylesheets --------------------------------------------------------------------------------------


# -- PDF -------------------------------------------------------------------------------------------
