"""QR codes as SVG, drawn by reportlab (already a dependency for the PDFs): the check-in screen
shows the session's rotating check-in URL as one."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

# Error correction "M" (15 %): a projector's glare or a smudged screen still scans, and a URL of
# about 80 characters stays a small code (version 5, 37 x 37 modules) that phones read from afar.
ERROR_CORRECTION = "M"


def qr_svg(text: str, *, size: int = 480, title: str = "") -> str:
    """An SVG document of `size` x `size` points showing `text` as a QR code (with the standard
    quiet zone of four modules), titled `title` for assistive technology."""
    widget = QrCodeWidget(text, barLevel=ERROR_CORRECTION)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing)
    # renderSVG writes placeholder title and description elements: fill them in.
    return svg.replace("<title>...</title>", f"<title>{escape(title)}</title>", 1).replace(
        "<desc>...</desc>", f"<desc>{escape(text)}</desc>", 1)
