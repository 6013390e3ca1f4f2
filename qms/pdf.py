"""THE reportlab base every PDF of the portal is built on.

One font (DejaVu Sans, embedded: reportlab's built-in Helvetica has no ğ, ı, İ or ş), one
letterhead (organisation, department, document title and code on every page), one footer
("Page x / y", when and by whom it was printed) and one table look. Modules build their list
of flowables with `styles()`, `data_table()` and reportlab's own flowables, then call
`build_pdf()` and return `pdf_response()`:

    flowables = [Paragraph(escape(intro), styles().body), data_table(headers, rows)]
    pdf = build_pdf(title=_("Staff list"), code="PR-HİM-001", flowables=flowables, user=request.user)
    return pdf_response(pdf, "personel-listesi.pdf")

A controlled document adds its revision and effective date to the letterhead and a note
("Printed copies are uncontrolled") to every footer; `draw_margin_line()` draws the same footer
line on pages reportlab did not lay out (documents.pdf stamps uploaded PDFs with it).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as landscape_size
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

__all__ = [
    "FONT",
    "FONT_BOLD",
    "HEADER_BG",
    "PRINT_TIME_ZONE",
    "STRIPE_BG",
    "PdfStyles",
    "build_pdf",
    "data_table",
    "draw_margin_line",
    "facts_table",
    "pdf_filename_ascii",
    "pdf_response",
    "printed_line",
    "register_fonts",
    "styles",
]

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
PRINT_TIME_ZONE = ZoneInfo("Europe/Istanbul")

# Colours: dark text on white or on the light stripe, white on the dark header (contrast > 10:1).
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#444444")
HEADER_BG = colors.HexColor("#1F3A5F")
STRIPE_BG = colors.HexColor("#EEF2F7")
RULE = colors.HexColor("#9AA5B1")
GRID = colors.HexColor("#C5CCD6")

MARGIN_X = 15 * mm
MARGIN_TOP = 10 * mm  # above the letterhead
LETTERHEAD_GAP = 5 * mm  # between the letterhead and the text
FOOTER_Y = 8 * mm  # baseline of the footer text
MARGIN_BOTTOM = 17 * mm  # the text frame ends here, above the footer rule

_fonts_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) once per process as the family `DejaVuSans`.

    Idempotent and thread-safe. The family mapping makes `<b>` in a Paragraph pick the bold
    face; italic maps to the upright faces so `<i>` can never fall back to a Helvetica face.
    """
    global _fonts_registered
    if _fonts_registered:
        return
    with _fonts_lock:
        if _fonts_registered:
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        _fonts_registered = True


@dataclass(frozen=True)
class PdfStyles:
    """The paragraph styles of the house, all in the embedded font."""

    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    table_header: ParagraphStyle
    table_cell: ParagraphStyle
    table_number: ParagraphStyle


def styles() -> PdfStyles:
    """Fresh paragraph styles (title, heading, body, small, and the table cell styles).

    A new set each call, so a caller may adjust one (`s = styles(); s.body.alignment = ...`)
    without changing anybody else's.
    """
    register_fonts()
    body = ParagraphStyle(
        "qms-body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13, textColor=INK, spaceAfter=4
    )
    return PdfStyles(
        title=ParagraphStyle(
            "qms-title", parent=body, fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=0, spaceAfter=8
        ),
        heading=ParagraphStyle(
            "qms-heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
        ),
        body=body,
        small=ParagraphStyle("qms-small", parent=body, fontSize=8, leading=10, textColor=MUTED, spaceAfter=2),
        table_header=ParagraphStyle(
            "qms-th",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=10.5,
            textColor=colors.white,
            spaceAfter=0,
        ),
        table_cell=ParagraphStyle("qms-td", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        table_number=ParagraphStyle(
            "qms-td-num", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0, alignment=TA_RIGHT
        ),
    )


def _cell(value: Any, st: PdfStyles) -> Flowable | str:
    """A table cell: flowables pass through; everything else becomes a wrapping Paragraph."""
    if isinstance(value, Flowable):
        return value
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return Paragraph(escape(_("Yes") if value else _("No")), st.table_cell)
    if isinstance(value, int | float | Decimal):
        # Localised: 4,2 and 12.345 in Turkish, 4.2 and 12,345 in English.
        return Paragraph(escape(number_format(value, force_grouping=True)), st.table_number)
    if isinstance(value, datetime):
        value = (
            timezone.localtime(value, PRINT_TIME_ZONE).strftime("%d.%m.%Y %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%d.%m.%Y %H:%M")
        )
    elif isinstance(value, date):
        value = value.strftime("%d.%m.%Y")
    return Paragraph(escape(str(value)), st.table_cell)


def _default_widths(headers: list[Any], rows: list[list[Any]]) -> list[str]:
    """Share the width by each column's longest text (within bounds), as percentages."""
    if not headers:
        return []
    weights = []
    for i, header in enumerate(headers):
        lengths = [len(str(header))] + [
            len(str(row[i])) for row in rows[:200] if i < len(row) and not isinstance(row[i], Flowable)
        ]
        weights.append(min(max(max(lengths), 4), 40))
    total = sum(weights)
    return [f"{100 * w / total:.2f}%" for w in weights]


# The grid, padding and type of every table cell (data_table, facts_table).
_CELL_GRID = [
    ("GRID", (0, 0), (-1, -1), 0.25, GRID),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
]


def data_table(
    headers: list[Any],
    rows: list[list[Any]],
    col_widths: list[float | str] | None = None,
) -> Table:
    """A full-width table in the house style.

    The header row repeats on every page; text cells are Paragraphs so long Turkish text wraps
    inside its column; booleans print as Yes / No, dates as dd.mm.yyyy, numbers right-aligned;
    a Flowable is used as it is. `col_widths` takes points or percentage strings ("30%");
    without it, columns share the width by the length of their content.
    """
    st = styles()
    data = [[_cell(h, st) if isinstance(h, Flowable) else Paragraph(escape(str(h)), st.table_header) for h in headers]]
    data += [[_cell(value, st) for value in row] for row in rows]
    table = Table(
        data,
        colWidths=col_widths or _default_widths(headers, rows),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_BG]),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, HEADER_BG),
                *_CELL_GRID,
            ]
        )
    )
    return table


def facts_table(rows: list[tuple[str, Any]], label_share: float = 0.28) -> Table:
    """A two-column label / value table in the house style (a record's facts, not a listing);
    `label_share` is the labels' part of the width.

    Values are formatted as in `data_table` (dates dd.mm.yyyy, Flowables as they are). A row may
    split across pages, so a long value (a change summary) never makes the layout fail.
    """
    st = styles()
    label_style = ParagraphStyle("qms-fact-label", parent=st.table_cell, fontName=FONT_BOLD)
    data = [[Paragraph(escape(label), label_style), _cell(value, st) or "—"] for label, value in rows]
    widths = [f"{100 * label_share:.2f}%", f"{100 * (1 - label_share):.2f}%"]
    table = Table(data, colWidths=widths, hAlign="LEFT", splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, -1), STRIPE_BG),
                *_CELL_GRID,
            ]
        )
    )
    return table


def signature_table(rows: list[tuple[str, str, str]], *, widths=("26%", "30%", "20%", "24%"),
                    row_height: float = 14 * mm) -> Table:
    """The sign-off block of a record: role | name | date | an empty box to sign in, one row per
    signatory (a missing name or date is left blank, to be written in by hand)."""
    st = styles()
    label = ParagraphStyle("qms-sig-label", parent=st.table_cell, fontName=FONT_BOLD)
    head = [Paragraph(escape(text), st.table_header) for text in (_("Role"), _("Name"), _("Date"), _("Signature"))]
    data = [head] + [
        [Paragraph(escape(role), label), Paragraph(escape(name or ""), st.table_cell),
         Paragraph(escape(when or ""), st.table_cell), ""]
        for role, name, when in rows
    ]
    table = Table(data, colWidths=list(widths), rowHeights=[None] + [row_height] * len(rows), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _user_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def printed_line(user=None, printed_at: datetime | None = None) -> str:
    """The footer's "Printed dd.mm.yyyy HH:MM by <name>" (Europe/Istanbul; no name without a
    user), shared with pages stamped outside `build_pdf`."""
    when = timezone.localtime(printed_at or timezone.now(), PRINT_TIME_ZONE).strftime("%d.%m.%Y %H:%M")
    who = _user_label(user)
    if who:
        return _("Printed %(when)s by %(user)s") % {"when": when, "user": who}
    return _("Printed %(when)s") % {"when": when}


def _letterhead(
    *,
    organisation: str,
    department: str,
    title: str,
    code: str,
    width: float,
    revision: str = "",
    effective_date: date | None = None,
) -> Table:
    """The box at the top of every page: who issues the document, what it is, its code (and for
    a controlled document its revision and effective date, which identify the copy)."""
    st = styles()
    org_style = ParagraphStyle("qms-lh-org", parent=st.body, fontName=FONT_BOLD, fontSize=9, leading=11.5, spaceAfter=0)
    dept_style = ParagraphStyle("qms-lh-dept", parent=st.body, fontSize=8.5, leading=11, spaceAfter=0)
    title_style = ParagraphStyle(
        "qms-lh-title",
        parent=st.body,
        fontName=FONT_BOLD,
        fontSize=12,
        leading=15,
        alignment=TA_CENTER,
        spaceAfter=0,
    )
    label_style = ParagraphStyle("qms-lh-label", parent=st.small, fontSize=7, leading=9, spaceAfter=0)
    code_style = ParagraphStyle(
        "qms-lh-code", parent=st.body, fontName=FONT_BOLD, fontSize=9.5, leading=12, spaceAfter=0
    )

    detail_style = ParagraphStyle("qms-lh-detail", parent=st.body, fontSize=8, leading=10, spaceAfter=0)

    issuer = [Paragraph(escape(organisation), org_style), Paragraph(escape(department), dept_style)]
    cells: list[Any] = [issuer, Paragraph(escape(title), title_style)]
    widths = [0.36 * width, 0.64 * width]
    identity: list[Paragraph] = []
    if code:
        identity += [Paragraph(escape(_("Document code")), label_style), Paragraph(escape(code), code_style)]
    if revision:
        identity.append(Paragraph(escape(_("Rev. %(number)s") % {"number": revision}), detail_style))
    if effective_date is not None:
        effective = _("Effective date: %(date)s") % {"date": effective_date.strftime("%d.%m.%Y")}
        identity.append(Paragraph(escape(effective), detail_style))
    if identity:
        cells.append(identity)
        if revision or effective_date is not None:
            widths = [0.30 * width, 0.44 * width, 0.26 * width]
        else:
            widths = [0.34 * width, 0.46 * width, 0.20 * width]
    table = Table([cells], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, HEADER_BG),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # reportlab sets a cell font even for Paragraphs
            ]
        )
    )
    return table


class NumberedCanvas(Canvas):
    """Two-pass canvas: pages are kept until the end, then each gets its "Page x / y" footer.

    reportlab only knows the page count once the last page is laid out, so `showPage` stores the
    page and `save` draws every footer with the final total before writing the pages out.
    """

    def __init__(
        self,
        *args,
        footer_left: str = "",
        page_label: str = "%(page)s / %(pages)s",
        footer_note: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self._saved_page_states: list[dict] = []
        self._footer_left = footer_left
        self._page_label = page_label
        self._footer_note = footer_note

    def showPage(self) -> None:
        self._saved_page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_page_states)
        for state in self._saved_page_states:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        page_width = self._pagesize[0]
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, FOOTER_Y + 4 * mm, page_width - MARGIN_X, FOOTER_Y + 4 * mm)
        self.restoreState()
        draw_margin_line(
            self,
            y=FOOTER_Y,
            x_from=MARGIN_X,
            x_to=page_width - MARGIN_X,
            left=self._footer_left,
            emphasis=self._footer_note,
            right=self._page_label % {"page": self._pageNumber, "pages": total},
        )


def draw_margin_line(
    canvas: Canvas,
    *,
    y: float,
    x_from: float,
    x_to: float,
    left: str = "",
    emphasis: str = "",
    right: str = "",
    size: float = 7.5,
) -> None:
    """One line of small text in a page margin: `left` at the start, `right` at the end and
    `emphasis` (bold, dark) just before `right`.

    The footer of every page and the stamp on uploaded PDFs both use it, so they read alike.
    `right` and `emphasis` are what must never be lost (page number, "uncontrolled" note), so
    only `left` is shortened with an ellipsis when the line is too narrow.
    """
    register_fonts()
    gap = 6 * mm if not emphasis else 4 * mm
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, size)
    end = x_to
    if right:
        canvas.drawRightString(end, y, right)
        end -= canvas.stringWidth(right, FONT, size) + gap
    if emphasis:
        emphasis = _fit(emphasis, FONT_BOLD, size, max(end - x_from, 0))
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, size)
        canvas.drawRightString(end, y, emphasis)
        end -= canvas.stringWidth(emphasis, FONT_BOLD, size) + gap
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, size)
    if left and end > x_from:
        canvas.drawString(x_from, y, _fit(left, FONT, size, end - x_from))
    canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, shortened with an ellipsis if it would be wider than `width`."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def build_pdf(
    *,
    title: str,
    flowables: list[Flowable],
    code: str = "",
    user=None,
    landscape: bool = False,
    subject: str = "",
    printed_at: datetime | None = None,
    revision: str = "",
    effective_date: date | None = None,
    footer_note: str = "",
) -> bytes:
    """Lay out `flowables` on A4 pages with the letterhead and footer; return the PDF bytes.

    The letterhead (every page) shows the organisation and department from
    `OrganisationSettings`, `title` and, if given, the document `code` (e.g. "PR-HİM-001"),
    its `revision` ("02" prints as "Rev. 02") and `effective_date` (dd.mm.yyyy): together they
    identify which version a paper copy is. The footer shows "Page x / y", when
    (Europe/Istanbul, dd.mm.yyyy HH:MM) and by whom (`user`'s full name, else username) it was
    printed, and `footer_note` in bold (e.g. "Printed copies are uncontrolled"). `printed_at`
    defaults to now. The PDF's metadata carry the title, the organisation as author, `subject`
    (default: the department) and the active language.
    """
    from qms.models import OrganisationSettings

    register_fonts()
    org = OrganisationSettings.load()
    pagesize = landscape_size(A4) if landscape else A4
    page_width, page_height = pagesize
    width = page_width - 2 * MARGIN_X

    footer_left = printed_line(user, printed_at)
    page_label = _("Page %(page)s / %(pages)s")  # filled in per page by NumberedCanvas

    letterhead = _letterhead(
        organisation=org.organisation_name,
        department=org.department_name,
        title=title,
        code=code,
        width=width,
        revision=revision,
        effective_date=effective_date,
    )
    _w, letterhead_height = letterhead.wrap(width, page_height)
    letterhead_top = page_height - MARGIN_TOP

    def draw_letterhead(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        letterhead.drawOn(canvas, MARGIN_X, letterhead_top - letterhead_height)
        canvas.restoreState()

    frame_top = letterhead_top - letterhead_height - LETTERHEAD_GAP
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        width,
        frame_top - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=page_height - frame_top,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=org.organisation_name,
        subject=subject or org.department_name,
        creator=org.department_name,
        lang=translation.get_language() or "tr",
        displayDocTitle=True,
        initialFontName=FONT,
        initialFontSize=9.5,
        pageTemplates=[PageTemplate(id="letterhead", frames=[frame], onPage=draw_letterhead)],
    )
    doc.build(
        list(flowables),
        canvasmaker=lambda *args, **kwargs: NumberedCanvas(
            *args, footer_left=footer_left, page_label=page_label, footer_note=footer_note, **kwargs
        ),
    )
    return buffer.getvalue()


_ASCII_FOLD = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ğ": "g",
        "Ğ": "G",
        "ş": "s",
        "Ş": "S",
        "ç": "c",
        "Ç": "C",
        "ö": "o",
        "Ö": "O",
        "ü": "u",
        "Ü": "U",
    }
)


def pdf_filename_ascii(filename: str) -> str:
    """An ASCII stand-in for `filename` ("Şikâyet raporu.pdf" -> "Sikayet_raporu.pdf")."""
    folded = unicodedata.normalize("NFKD", filename.translate(_ASCII_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._") or "document"
    return folded if folded.lower().endswith(".pdf") else f"{folded}.pdf"


def pdf_response(pdf: bytes, filename: str, inline: bool = False) -> HttpResponse:
    """An HttpResponse carrying `pdf`, as a download (or shown in the browser if `inline`).

    Content-Disposition has both an ASCII `filename` for old clients and an RFC 5987
    `filename*=UTF-8''...` with the real (Turkish) name. Marked private and not stored, as
    reports carry personal data.
    """
    if not filename.lower().endswith(".pdf"):
        filename = f"{filename}.pdf"
    filename = filename.replace("/", "_").replace("\\", "_")
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{pdf_filename_ascii(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Content-Length"] = str(len(pdf))
    response["Cache-Control"] = "private, no-store"
    return response
