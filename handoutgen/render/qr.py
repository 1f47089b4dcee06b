"""QR codes to a sheet's web version, drawn as inline SVG by segno.

The same address gives the same bytes (segno chooses the version and mask by rule, and the SVG has
no id, date or random part), so a PDF with a QR code stays byte-reproducible. The SVG's ``<title>`` is
its text alternative: WeasyPrint makes the drawing a Figure and gives it that title as ``/Alt``.
"""

from __future__ import annotations

import io
from functools import lru_cache

from markupsafe import Markup, escape

#: The error correction level: M survives about 15 % damage (a fold, a smudge) at a modest size.
ERROR_LEVEL = "m"


def qr_svg(url: str, title: str) -> Markup:
    """An ``<svg class="qr">`` of ``url``, with ``title`` (already translated) as its text alternative."""
    opening, rest = _drawing(url)
    label = escape(str(title))
    return Markup(f'{opening} class="qr" role="img" aria-label="{label}"><title>{label}</title>{rest}')


@lru_cache(maxsize=256)
def _drawing(url: str) -> tuple[str, str]:
    """segno's SVG of ``url``, split after its opening tag; kept, as every language's sheet of a
    handout draws the same code (choosing the mask is most of a sheet's HTML time)."""
    import segno

    code = segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=4, svgclass=None)
    svg = out.getvalue().decode("ascii")
    opening, _, rest = svg.partition(">")
    return opening, rest
