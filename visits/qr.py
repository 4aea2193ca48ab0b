"""QR codes as inline SVG, drawn on the server (qrcode, already a dependency of allauth's
two-factor setup): no image files, no script, crisp at any print size."""

from __future__ import annotations

import qrcode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage


def qr_svg(text: str, label: str) -> SafeString:
    """An <svg> of `text` (error correction M: a scratched sticker still scans), named
    `label` for screen readers; its size comes from the page's CSS."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    svg = code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    named = svg.replace("<svg ", f'<svg class="qr" role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(named)  # noqa: S308 - the library's markup of our URL; the label is escaped
