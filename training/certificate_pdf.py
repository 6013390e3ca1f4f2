"""The certificate of completion (Eğitim Sertifikası): one A4 landscape page per `Certificate`.

It prints only what the certificate row holds (holder, course, date, hours, trainer, number:
copied in when it was issued, so a later rename never rewrites it), the organisation from
`OrganisationSettings` as on every PDF of the portal, and the public verification address with
its QR code, so whoever reads the paper can check it on /verify/<number>/.

A designed page rather than a report, so it is drawn on the canvas directly; the fonts and
colours are those of `qms.pdf` (DejaVu Sans prints every Turkish letter).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from qms.mail import absolute_url
from qms.pdf import FONT, FONT_BOLD, HEADER_BG, PRINT_TIME_ZONE, register_fonts
from training.models import Certificate

__all__ = ["certificate_pdf", "certificate_verify_url", "hours_label"]

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#444444")
ACCENT = colors.HexColor("#8A6D1F")  # the thin inner frame: dark gold on white, decoration only


def certificate_verify_url(number: str) -> str:
    """The public page that confirms a certificate, as an absolute address (BASE_URL)."""
    return absolute_url(reverse("training_public:certificate", args=[number]))


def hours_label(hours: Decimal) -> str:
    """"2 hours", "1.5 hours" (Turkish "2 saat", "1,5 saat")."""
    hours = Decimal(hours)
    if hours == hours.to_integral_value():
        count = int(hours)
        text = str(count)
    else:
        count = 2  # a fraction reads as a plural in English
        text = number_format(hours, decimal_pos=1)
    return ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": text}


def _paragraph(canvas: Canvas, text: str, style: ParagraphStyle, *, x: float, top: float, width: float) -> float:
    """Draw `text` (already escaped) with its top at `top`; return the y of its bottom."""
    paragraph = Paragraph(text, style)
    _w, height = paragraph.wrapOn(canvas, width, 200 * mm)
    paragraph.drawOn(canvas, x, top - height)
    return top - height


def _style(name: str, *, size: float, bold: bool = False, colour=INK, align=TA_CENTER, leading=None):
    return ParagraphStyle(f"training-cert-{name}", fontName=FONT_BOLD if bold else FONT, fontSize=size,
                          leading=leading or size * 1.25, textColor=colour, alignment=align)


def _qr(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def certificate_pdf(certificate: Certificate, *, user=None) -> bytes:
    """The certificate as PDF bytes (A4 landscape), in the active language."""
    from qms.models import OrganisationSettings

    register_fonts()
    org = OrganisationSettings.load()
    page_width, page_height = landscape(A4)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(page_width, page_height), lang=translation.get_language() or "tr",
                    initialFontName=FONT)
    title = _("Training certificate")
    canvas.setTitle(f"{title} {certificate.number}")
    canvas.setAuthor(org.organisation_name)
    canvas.setSubject(f"{certificate.holder_name} — {certificate.course_title}")
    canvas.setCreator(org.department_name)

    # The frame: a strong outer rule and a thin inner one.
    canvas.setStrokeColor(HEADER_BG)
    canvas.setLineWidth(2.5)
    canvas.rect(10 * mm, 10 * mm, page_width - 20 * mm, page_height - 20 * mm)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.75)
    canvas.rect(13 * mm, 13 * mm, page_width - 26 * mm, page_height - 26 * mm)

    margin = 28 * mm
    width = page_width - 2 * margin
    top = page_height - 22 * mm
    top = _paragraph(canvas, escape(org.organisation_name), _style("org", size=13, bold=True, colour=HEADER_BG),
                     x=margin, top=top, width=width)
    top = _paragraph(canvas, escape(org.department_name), _style("dept", size=11, colour=MUTED),
                     x=margin, top=top - 1 * mm, width=width)
    top = _paragraph(canvas, escape(title), _style("title", size=30, bold=True, colour=HEADER_BG, leading=36),
                     x=margin, top=top - 10 * mm, width=width)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1)
    canvas.line(page_width / 2 - 30 * mm, top - 3 * mm, page_width / 2 + 30 * mm, top - 3 * mm)

    top = _paragraph(canvas, escape(certificate.holder_name), _style("name", size=24, bold=True, leading=30),
                     x=margin, top=top - 10 * mm, width=width)
    top = _paragraph(canvas, escape(_("has completed the training")), _style("lead", size=12, colour=MUTED),
                     x=margin, top=top - 3 * mm, width=width)
    top = _paragraph(canvas, escape(certificate.course_title), _style("course", size=17, bold=True, leading=22),
                     x=margin, top=top - 3 * mm, width=width)

    # Date, duration and trainer in three columns.
    facts = [
        (_("Date"), certificate.completed_on.strftime("%d.%m.%Y")),
        (_("Duration"), hours_label(certificate.hours)),
        (_("Trainer"), certificate.trainer_name or "—"),
    ]
    column = width / len(facts)
    facts_top = top - 9 * mm
    for index, (label, value) in enumerate(facts):
        x = margin + index * column
        bottom = _paragraph(canvas, escape(label), _style(f"fact-label-{index}", size=9, colour=MUTED),
                            x=x, top=facts_top, width=column)
        _paragraph(canvas, escape(value), _style(f"fact-{index}", size=12, bold=True), x=x, top=bottom - 1 * mm,
                   width=column)

    # The verification block (bottom left) and the QR code of the same address (bottom right).
    url = certificate_verify_url(certificate.number)
    qr_size = 32 * mm
    left = 22 * mm
    block_width = page_width - 2 * left - qr_size - 10 * mm
    bottom = 22 * mm
    issued = timezone.localtime(certificate.issued_at, PRINT_TIME_ZONE).strftime("%d.%m.%Y")
    lines = [
        (escape(_("Verification number")), _style("vn-label", size=8.5, colour=MUTED, align=TA_LEFT)),
        (escape(certificate.number), _style("vn", size=13, bold=True, align=TA_LEFT)),
        (escape(_("Check this certificate at %(url)s or by scanning the QR code.") % {"url": url}),
         _style("vurl", size=8.5, align=TA_LEFT)),
        (escape(_("Issued electronically by %(department)s on %(date)s.") % {
            "department": org.department_name, "date": issued}), _style("issued", size=8, colour=MUTED,
                                                                         align=TA_LEFT)),
    ]
    heights = []
    paragraphs = []
    for text, style in lines:
        paragraph = Paragraph(text, style)
        heights.append(paragraph.wrapOn(canvas, block_width, 50 * mm)[1])
        paragraphs.append(paragraph)
    y = bottom + sum(heights) + (len(lines) - 1) * 1 * mm
    for paragraph, height in zip(paragraphs, heights, strict=True):
        y -= height
        paragraph.drawOn(canvas, left, y)
        y -= 1 * mm
    _qr(canvas, url, x=page_width - left - qr_size, y=bottom - 2 * mm, size=qr_size)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
