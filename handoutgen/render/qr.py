"""QR codes to a sheet's web version, drawn as inline SVG by segno.

The same address gives the same bytes (segno chooses the version and mask by rule, and the SVG has
no id, date or random part), so a PDF with a QR code stays byte-reproducible. The SVG's ``<title>`` is
its text alternative: WeasyPrint makes the drawing a Figure and gives it that title as ``/Alt``.
"""

from __future__ import annotations

import io
from functools import lru_cache

from markupsafe import Markup, escape

from handoutgen.errors import ContentError

#: The error correction level: M survives about 15 % damage (a fold, a smudge) at a modest size.
ERROR_LEVEL = "m"


def no_qr(url: str, title: str) -> Markup:
    """Nothing: for a render that only learns which entries a sheet uses (``status``). The address
    cannot be too long for a QR code there (clinic.yaml's ``handout_url`` is at most 200 characters,
    an id at most a file name), and no entry is looked up in drawing it."""
    return Markup("")


def qr_svg(url: str, title: str) -> Markup:
    """An ``<svg class="qr">`` of ``url``, with ``title`` (already translated) as its text alternative."""
    opening, rest = _drawing(url)
    label = escape(str(title))
    return Markup(f'{opening} class="qr" role="img" aria-label="{label}"><title>{label}</title>{rest}')


@lru_cache(maxsize=256)
def _drawing(url: str) -> tuple[str, str]:
    """segno's SVG of ``url``, split after its opening tag; kept, as a sheet's print and web pages
    draw the same code (choosing the mask is about 6 ms, most of a sheet's HTML time)."""
    import segno

    try:
        code = segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)
    except segno.DataOverflowError:
        raise ContentError(
            f"the sheet's web address is {len(url)} characters, more than a QR code holds; shorten "
            "handout_url in clinic.yaml or the handout's id"
        ) from None
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=4, svgclass=None)
    svg = out.getvalue().decode("ascii")
    opening, _, rest = svg.partition(">")
    return opening, rest
