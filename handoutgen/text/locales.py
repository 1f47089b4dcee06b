"""What each locale needs on the page: language tag, direction, fonts, hyphenation.

Catalogue codes follow gettext/CLDR (``zh_Hans``); HTML needs a region-correct BCP 47 tag for font
selection (``zh-CN`` picks Simplified glyphs in Noto CJK, plain ``zh`` does not).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handoutgen.errors import CatalogError

if TYPE_CHECKING:
    from babel import Locale

SOURCE_LOCALE = "en"
PSEUDO_LOCALE = "en_XA"

LATIN_FONTS = ("Noto Sans", "DejaVu Sans")
ARABIC_FONTS = ("Noto Sans Arabic", "Noto Naskh Arabic")
FONT_PACKAGES = {
    "Noto Sans": "fonts-noto-core",
    "Noto Sans Arabic": "fonts-noto-core",
    "Noto Naskh Arabic": "fonts-noto-core",
    "Noto Sans CJK SC": "fonts-noto-cjk",
    "Noto Sans CJK KR": "fonts-noto-cjk",
    "Noto Sans CJK TC": "fonts-noto-cjk",
    "Noto Sans CJK JP": "fonts-noto-cjk",
    "DejaVu Sans": "fonts-dejavu-core",
}

# Script-specific stacks; everything else uses the Latin stack. The script's own face comes first so
# that punctuation and quotes take its forms; the Latin faces catch anything it lacks.
_FONT_STACKS = {
    "ar": ARABIC_FONTS + LATIN_FONTS,
    "fa": ARABIC_FONTS + LATIN_FONTS,
    "ur": ARABIC_FONTS + LATIN_FONTS,
    "zh_Hans": ("Noto Sans CJK SC",) + LATIN_FONTS,
    "zh_Hant": ("Noto Sans CJK TC",) + LATIN_FONTS,
    "ja": ("Noto Sans CJK JP",) + LATIN_FONTS,
    "ko": ("Noto Sans CJK KR",) + LATIN_FONTS,
}
_HTML_TAGS = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW"}
# language, then optional script and region, joined with "_" (the catalogue folder's name): es, vi, zh_Hans,
# pt_BR, es_419, sr_Latn_RS, en_XA. Nothing else may become part of a path under locales/.
_CODE_RE = re.compile(r"[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_[A-Z]{2}|_\d{3})?", re.ASCII)
_HYPHENATED_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|\d{3}))?", re.ASCII)
MAX_CODE_LENGTH = 16


def _shown(code: str) -> str:
    """The code as typed, quoted, with anything unprintable escaped (it is echoed to a terminal)."""
    text = code if len(code) <= 40 else code[:40] + "…"
    return repr(text) if not text.isprintable() or "'" in text else f"'{text}'"


def check_code(code: object) -> str:
    """``code`` if it is a locale code of the form the project uses (BCP 47 language, script and
    region subtags joined with ``_``: ``es``, ``zh_Hans``, ``pt_BR``, ``es_419``, ``en_XA``), else a
    CatalogError that says what a code looks like.

    Every locale code given by a user (command line, ``clinic.yaml``, a file name) passes here
    before it becomes part of a path: an absolute path, ``..``, a ``/`` or a NUL never does."""
    if not isinstance(code, str) or not code:
        raise CatalogError(
            f"{_shown(str(code or ''))} is not a locale code; use forms like es, vi, zh_Hans, pt_BR"
        )
    if len(code) <= MAX_CODE_LENGTH and _CODE_RE.fullmatch(code):
        return code
    what = "is not a locale code"
    if len(code) <= MAX_CODE_LENGTH and _HYPHENATED_RE.fullmatch(code):
        parts = re.split("[-_]", code)
        fixed = "_".join([parts[0].lower()] + [p.title() if len(p) == 4 else p.upper() for p in parts[1:]])
        if _CODE_RE.fullmatch(fixed):
            what += f" (did you mean {fixed}?)"
    elif any(mark in code for mark in ("/", "\\", "..", "\0")):
        what = "is a path, not a locale code"
    raise CatalogError(
        f"{_shown(code)} {what}; use forms like es, vi, zh_Hans, pt_BR: "
        "a language, then optionally a script and a region, joined with _"
    )


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # catalogue folder name: en, es, zh_Hans, ar, en_XA
    babel_code: str  # what Babel formats dates and numbers with
    html_lang: str
    rtl: bool
    fonts: tuple[str, ...]
    hyphenation: str | None  # Pyphen dictionary, when it has the language
    display_name: str  # in the language itself, for the footer
    english_name: str
    plural_forms: str

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def pseudo(self) -> bool:
        return self.code == PSEUDO_LOCALE

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LOCALE

    @property
    def font_packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(FONT_PACKAGES.get(f, "fonts-noto-core") for f in self.fonts))


@functools.cache
def locale_info(code: str) -> LocaleInfo:
    """Everything the renderer needs for one locale; unknown codes are a CatalogError."""
    from babel import Locale, UnknownLocaleError
    from babel.messages.plurals import get_plural

    check_code(code)
    babel_code = SOURCE_LOCALE if code == PSEUDO_LOCALE else code
    try:
        locale = Locale.parse(babel_code)
    except (UnknownLocaleError, ValueError) as exc:
        raise CatalogError(
            f"Babel does not know the locale '{code}'; use a CLDR code such as es, vi, zh_Hans"
        ) from exc
    plural = get_plural(locale)
    html_lang = _HTML_TAGS.get(code) or code.replace("_", "-")
    if code == PSEUDO_LOCALE:
        html_lang = "en-XA"
    return LocaleInfo(
        code=code,
        babel_code=babel_code,
        html_lang=html_lang,
        rtl=locale.character_order == "right-to-left",
        fonts=_FONT_STACKS.get(code, _FONT_STACKS.get(locale.language, LATIN_FONTS)),
        hyphenation=_pyphen_language(locale),
        display_name="English (pseudo)"
        if code == PSEUDO_LOCALE
        else (locale.get_display_name(locale) or code),
        english_name="Pseudo-English" if code == PSEUDO_LOCALE else (locale.get_display_name("en") or code),
        plural_forms=plural.plural_forms,
    )


def language(code: str) -> str:
    """The language subtag of a locale code: ``es`` for ``es_MX``, ``zh`` for ``zh-Hans``."""
    return code.replace("-", "_").split("_")[0].lower()


def babel_code(code: str) -> str:
    """What Babel formats ``code`` with (``en`` for the pseudo-locale); ``code`` itself when the
    project does not know it."""
    try:
        return locale_info(code).babel_code
    except CatalogError:
        return code


def _pyphen_language(locale: Locale) -> str | None:
    import pyphen

    for candidate in (str(locale), locale.language):
        if candidate in pyphen.LANGUAGES:
            return candidate
    return None
