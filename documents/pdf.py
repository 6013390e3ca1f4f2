"""The controlled copy of a revision: a PDF that says which revision it is and that paper is uncontrolled.

Every page carries the document code, the revision, its effective date, "Page x / y" and the
note "Printed copies are uncontrolled" (Basılı kopyalar kontrolsüzdür), so a copy found on a desk
can be checked against the register and is not mistaken for the version in force. What the page
holds depends on how the revision was written:

* **in the portal** (`revision.body`): laid out by `qms.pdf.build_pdf` with the house letterhead,
  a first-page block of approval facts and the content (headings, rich text, notes);
* **as an uploaded PDF**: the original pages, unchanged, with the same header and footer stamped
  on each one (`StampError` if the file cannot be opened, e.g. it is password-protected);
* **as another upload** (DOCX, XLSX, ODT, which reportlab cannot render): a one-page cover sheet
  naming the file and its SHA-256, since the file itself is downloaded separately.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import DependencyError
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer

from documents.files import ACCEPTED
from documents.models import DocumentFile, DocumentRevision
from qms.pdf import (
    HEADER_BG,
    PRINT_TIME_ZONE,
    STRIPE_BG,
    PdfStyles,
    build_pdf,
    draw_margin_line,
    facts_table,
    printed_line,
    register_fonts,
    styles,
)

__all__ = ["StampError", "controlled_copy_pdf", "rich_text_flowables"]

logger = logging.getLogger(__name__)

# Where the stamp goes on an uploaded page: inside the band most printers can print (>= 5 mm from
# the edge) and outside the usual 12.5 mm header / footer distance of office documents.
STAMP_X = 10 * mm
STAMP_TOP = 7 * mm  # from the top edge to the header's baseline
STAMP_BOTTOM = 6 * mm  # from the bottom edge to the footer's baseline
STAMP_SIZE = 7.5
# A light white backing under the stamp's text keeps it legible over a scanned or dark page while
# the original content under it stays visible.
STAMP_BACKING_ALPHA = 0.75

LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
LINK_COLOUR = "#" + HEADER_BG.hexval()[2:]


class StampError(Exception):
    """The uploaded PDF cannot be turned into a controlled copy; the message says why, for the reader."""


def controlled_copy_pdf(revision: DocumentRevision, *, user) -> bytes:
    """The controlled copy of `revision` as PDF bytes, printed by `user` (named in the footer).

    Portal content wins when a revision has both content and a file (the file is then listed
    with its checksum); an uploaded PDF is stamped; any other upload gets a cover sheet.
    Raises `StampError` when an uploaded PDF cannot be read.
    """
    stored = revision.file
    if revision.body or stored is None:
        return _portal_copy(revision, user=user)
    if stored.is_pdf:
        return _stamped_copy(revision, stored, user=user)
    return _cover_sheet(revision, stored, user=user)


def _footer_note() -> str:
    return _("Printed copies are uncontrolled")


def _date_label(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _copy_pdf(revision: DocumentRevision, flowables: list[Flowable], *, user) -> bytes:
    """`build_pdf` with what identifies a controlled copy in the letterhead and footer."""
    return build_pdf(
        title=revision.title,
        code=revision.document.code,
        revision=revision.label,
        effective_date=revision.effective_date,
        footer_note=_footer_note(),
        subject=_("Controlled copy"),
        flowables=flowables,
        user=user,
    )


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def _approval_facts(revision: DocumentRevision) -> list[tuple[str, Any]]:
    """The facts a reader checks a copy against the register with."""
    document = revision.document
    approved_on = timezone.localtime(revision.approved_at, PRINT_TIME_ZONE).date()
    return [
        (_("Title"), revision.title),
        (_("Type"), str(document.doc_type)),
        (_("Owning unit"), f"{document.unit.name} ({document.unit.code})"),
        (_("Revision"), revision.label),
        (_("Effective date"), revision.effective_date),
        (_("Approved on"), approved_on),
        (_("Approver"), _person(revision.approver)),
        (_("Change summary"), _plain_paragraph(revision.change_summary, styles().table_cell)),
    ]


def _file_facts(stored: DocumentFile) -> list[tuple[str, Any]]:
    kind = ACCEPTED.get(stored.extension)
    return [
        (_("File name"), stored.original_name),
        (_("File type"), kind.label if kind else stored.extension.upper()),
        (_("Size"), filesizeformat(stored.size)),
        ("SHA-256", stored.sha256),
    ]


def _portal_copy(revision: DocumentRevision, *, user) -> bytes:
    st = styles()
    flowables: list[Flowable] = [facts_table(_approval_facts(revision)), Spacer(1, 4 * mm)]
    stored = revision.file
    if stored is not None:
        flowables += [
            Paragraph(escape(_("Attached file")), st.heading),
            facts_table(_file_facts(stored)),
            Paragraph(escape(_("The attached file is downloaded separately from the portal.")), st.small),
            Spacer(1, 4 * mm),
        ]
    content = body_flowables(revision.body, st)
    if not content and stored is None:
        content = [Paragraph(escape(_("The content of this revision is kept outside the portal.")), st.body)]
    return _copy_pdf(revision, flowables + content, user=user)


def _cover_sheet(revision: DocumentRevision, stored: DocumentFile, *, user) -> bytes:
    st = styles()
    flowables: list[Flowable] = [
        Paragraph(escape(_("Controlled copy cover sheet")), st.title),
        Paragraph(
            escape(
                _(
                    "This revision is the file “%(name)s”. The original file is downloaded separately "
                    "from the portal; this sheet is its controlled copy."
                )
                % {"name": stored.original_name}
            ),
            st.body,
        ),
        Spacer(1, 2 * mm),
        facts_table(_approval_facts(revision) + _file_facts(stored)),
        Spacer(1, 3 * mm),
        Paragraph(
            escape(
                _(
                    "A downloaded or printed file is the approved revision only if its SHA-256 checksum is "
                    "the one above."
                )
            ),
            st.small,
        ),
    ]
    return _copy_pdf(revision, flowables, user=user)


# --- Portal content ---------------------------------------------------------------------------


def _printable(text: str) -> str:
    """`text` without control characters (other than line breaks and tabs), which no font has."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _plain_markup(text: str) -> str:
    """Plain text (a note, a change summary) as Paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(xml_escape(line) for line in _printable(text or "").strip().splitlines())


def _plain_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_plain_markup(text), style)


def _note_style(st: PdfStyles) -> ParagraphStyle:
    # A Paragraph border rather than a one-cell table: a long note can still break across pages.
    return ParagraphStyle(
        "documents-note",
        parent=st.body,
        backColor=STRIPE_BG,
        borderColor=HEADER_BG,
        borderWidth=0.75,
        borderPadding=5,
        leftIndent=5,
        rightIndent=5,
        spaceBefore=8,
        spaceAfter=10,
    )


def body_flowables(body: Iterable, st: PdfStyles) -> list[Flowable]:
    """The blocks of a revision's content as flowables: headings, rich-text paragraphs, boxed notes."""
    heading = ParagraphStyle("documents-heading", parent=st.heading, keepWithNext=1)
    flowables: list[Flowable] = []
    for block in body or []:
        kind, value = block.block_type, block.value
        if kind == "heading":
            flowables.append(Paragraph(xml_escape(_printable(str(value))), heading))
        elif kind == "paragraph":
            source = getattr(value, "source", None)
            flowables += rich_text_flowables(source if source is not None else str(value), st)
        elif kind == "note":
            label = xml_escape(_("Note:"))
            flowables.append(Paragraph(f"<b>{label}</b> {_plain_markup(str(value))}", _note_style(st)))
        else:  # a block type added later: its text, rather than nothing
            flowables.append(_plain_paragraph(str(value), st.body))
    return flowables


def rich_text_flowables(html: str, st: PdfStyles) -> list[Flowable]:
    """Wagtail rich text (HTML) as reportlab Paragraphs.

    Only what the editor offers is kept as formatting: bold, italic, ordered and bulleted lists
    (nested too), links to web and mail addresses, line breaks, and headings. Everything else
    is printed as escaped text (tags dropped, scripts and styles skipped), and badly nested or
    unclosed tags are repaired, so no stored HTML can break the PDF or inject reportlab markup.
    """
    parser = _RichTextParser(st)
    try:
        parser.feed(html or "")
        parser.close()
    except Exception:  # HTMLParser is lenient; this only guards against the unexpected
        logger.warning("Rich text could not be parsed for a controlled copy; printed as text", exc_info=True)
        return [_plain_paragraph(strip_tags(html or ""), st.body)]
    parser.end_block()
    return parser.flowables


# Rich-text inline tags and the reportlab markup they become.
_INLINE = {
    "b": ("<b>", "</b>"),
    "strong": ("<b>", "</b>"),
    "i": ("<i>", "</i>"),
    "em": ("<i>", "</i>"),
    "u": ("<u>", "</u>"),
    "sub": ("<sub>", "</sub>"),
    "sup": ("<super>", "</super>"),
    "s": ("<strike>", "</strike>"),
    "strike": ("<strike>", "</strike>"),
    "del": ("<strike>", "</strike>"),
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "div", "blockquote", "pre", "table", "tr", "hr", "figure", "section", "article", "dl", "dt", "dd"}
_SKIPPED = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}
_LIST_INDENT = 16


class _RichTextParser(HTMLParser):
    """Turns rich-text HTML into Paragraphs, one per block (paragraph, heading, list item).

    Inline formatting is tracked as a stack of open tags, so a paragraph always ends with every
    tag closed (reportlab refuses unbalanced markup) and formatting that spans a block boundary
    is reopened in the next block.
    """

    def __init__(self, st: PdfStyles):
        super().__init__(convert_charrefs=True)
        self.st = st
        self.flowables: list[Flowable] = []
        self.parts: list[str] = []
        self.has_text = False
        self.open: list[tuple[str, str, str]] = []  # (html tag, opening markup, closing markup)
        self.lists: list[list] = []  # [tag, items so far] per open <ul> / <ol>
        self.bullet: str | None = None
        self.in_heading = False
        self.skipping = 0

    # Parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "br":
            self.parts.append("<br/>")
        elif tag in _INLINE:
            self._open_inline(tag, *_INLINE[tag])
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href.lower().startswith(LINK_SCHEMES):
                opening = f'<a href="{xml_escape(href, {chr(34): "&quot;"})}" color="{LINK_COLOUR}"><u>'
                self._open_inline(tag, opening, "</u></a>")
            else:  # internal page links, javascript: and the like print as plain text
                self._open_inline(tag, "", "")
        elif tag in ("ul", "ol"):
            self.end_block()
            self.lists.append([tag, 0])
        elif tag == "li":
            self.end_block()
            if self.lists:
                self.lists[-1][1] += 1
                kind, count = self.lists[-1]
                self.bullet = "•" if kind == "ul" else f"{count}."
            else:
                self.bullet = "•"
        elif tag in _HEADINGS:
            self.end_block()
            self.in_heading = True
        elif tag in _BLOCKS:
            self.end_block()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>; a self-closed inline tag (<b/>) opens and closes nothing.
        if tag in _INLINE or tag == "a":
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping:
            return
        if tag in _INLINE or tag == "a":
            self._close_inline(tag)
        elif tag in ("ul", "ol"):
            self.end_block()
            self.bullet = None
            for index in range(len(self.lists) - 1, -1, -1):
                if self.lists[index][0] == tag:
                    del self.lists[index:]
                    break
        elif tag == "li" or tag in _BLOCKS:
            self.end_block()
        elif tag in _HEADINGS:
            self.end_block()
            self.in_heading = False

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        # reportlab collapses runs of white space (line breaks too) as a browser does.
        text = _printable(data)
        self.has_text = self.has_text or bool(text.strip())
        self.parts.append(xml_escape(text))

    # Building paragraphs

    def _open_inline(self, tag: str, opening: str, closing: str) -> None:
        self.open.append((tag, opening, closing))
        self.parts.append(opening)

    def _close_inline(self, tag: str) -> None:
        """Close `tag` and anything opened inside it, then reopen those (<b><i>x</b>y</i>)."""
        index = next((i for i in range(len(self.open) - 1, -1, -1) if self.open[i][0] == tag), None)
        if index is None:  # a stray closing tag
            return
        inner = self.open[index + 1 :]
        for _tag, _opening, closing in reversed(self.open[index:]):
            self.parts.append(closing)
        del self.open[index:]
        for entry in inner:
            self._open_inline(*entry)

    def end_block(self) -> None:
        """Finish the paragraph being collected (if it has any text) and start the next one."""
        closing = "".join(closing for _tag, _opening, closing in reversed(self.open))
        markup = "".join(self.parts) + closing
        if self.has_text:
            self.flowables.append(self._paragraph(markup.strip()))
        self.parts = [opening for _tag, opening, _closing in self.open]
        if self.has_text:  # an item's bullet waits for its text (<li><p>text</p></li>)
            self.bullet = None
        self.has_text = False

    def _paragraph(self, markup: str) -> Paragraph:
        if self.in_heading:
            style = self.st.heading
        elif self.bullet is not None or self.lists:
            depth = max(len(self.lists), 1)
            style = ParagraphStyle(
                f"documents-list-{depth}",
                parent=self.st.body,
                leftIndent=_LIST_INDENT * depth,
                bulletIndent=_LIST_INDENT * depth - 13,
                spaceAfter=2,
            )
        else:
            style = self.st.body
        bullet = self.bullet
        try:
            return Paragraph(markup, style, bulletText=bullet)
        except ValueError:  # reportlab's markup parser refused it: keep the words
            logger.warning("Rich text markup refused by reportlab; printed as text", exc_info=True)
            return Paragraph(xml_escape(strip_tags(markup)), style, bulletText=bullet)


# --- Uploaded PDFs ----------------------------------------------------------------------------


def _unreadable(stored: DocumentFile) -> StampError:
    return StampError(
        _(
            "The uploaded PDF “%(name)s” could not be read, so no controlled copy can be made of it. "
            "Open the original file instead and tell the document owner."
        )
        % {"name": stored.original_name}
    )


def _open_upload(stored: DocumentFile) -> PdfReader:
    """The uploaded PDF, opened and decrypted if it only restricts editing (empty user password).

    AES-encrypted files need the `cryptography` package; without it they count as protected.
    """
    try:
        with stored.file.open("rb") as handle:
            data = handle.read()
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except DependencyError:
                logger.warning("Controlled copy: %s needs `cryptography` to be decrypted", stored.original_name)
                opened = False
            if not opened:
                raise StampError(
                    _(
                        "The uploaded PDF “%(name)s” is password-protected or encrypted, so no controlled copy "
                        "can be made of it. Open the original file instead, and ask the document owner to "
                        "upload it without protection."
                    )
                    % {"name": stored.original_name}
                )
        if len(reader.pages) == 0:
            raise _unreadable(stored)
    except StampError:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files; all mean "unreadable"
        logger.warning(
            "Controlled copy: %s (DocumentFile %s) unreadable", stored.original_name, stored.pk, exc_info=True
        )
        raise _unreadable(stored) from error
    return reader


def _stamped_copy(revision: DocumentRevision, stored: DocumentFile, *, user) -> bytes:
    """The uploaded PDF with the controlled-copy header and footer merged onto every page.

    Each page keeps its content. A page displayed rotated (/Rotate) first has the rotation moved
    into its content, so the stamp reads upright the way the page is shown; the stamp is made
    to the size of the visible area (the crop box, which is the media box unless the file says
    otherwise), so A3, Letter, landscape and scanned pages are stamped along their own edges.
    """
    reader = _open_upload(stored)
    try:
        writer = PdfWriter(clone_from=reader)
        boxes = []
        for page in writer.pages:
            if page.rotation % 360:
                page.transfer_rotation_to_content()
            box = page.cropbox
            boxes.append((float(box.left), float(box.bottom), float(box.width), float(box.height)))
    except Exception as error:  # a damaged page tree, found only now that every page is read
        logger.warning(
            "Controlled copy: pages of %s (DocumentFile %s) unreadable", stored.original_name, stored.pk, exc_info=True
        )
        raise _unreadable(stored) from error

    overlay = PdfReader(BytesIO(_stamp_pages(revision, [(w, h) for _x, _y, w, h in boxes], user=user)))
    try:
        for page, stamp, (left, bottom, _w, _h) in zip(writer.pages, overlay.pages, boxes, strict=True):
            page.merge_transformed_page(stamp, Transformation().translate(left, bottom), over=True)
        writer.add_metadata(
            {
                "/Title": f"{revision.document.code} Rev. {revision.label} {revision.title}",
                "/Subject": _("Controlled copy"),
            }
        )
        out = BytesIO()
        writer.write(out)
    except Exception as error:  # a damaged content stream or resource dictionary in the upload
        logger.warning(
            "Controlled copy: stamping %s (DocumentFile %s) failed", stored.original_name, stored.pk, exc_info=True
        )
        raise _unreadable(stored) from error
    return out.getvalue()


def _stamp_pages(revision: DocumentRevision, sizes: list[tuple[float, float]], *, user) -> bytes:
    """A PDF with one transparent page per size holding only the header and footer text."""
    register_fonts()
    total = len(sizes)
    printed = printed_line(user)
    identity = " · ".join(
        [
            revision.document.code,
            _("Rev. %(number)s") % {"number": revision.label},
            _("Effective date: %(date)s") % {"date": _date_label(revision.effective_date)},
        ]
    )
    note = _footer_note()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=sizes[0])
    for number, (width, height) in enumerate(sizes, start=1):
        canvas.setPageSize((width, height))
        page_label = _("Page %(page)s / %(pages)s") % {"page": number, "pages": total}
        header_y, footer_y = height - STAMP_TOP, STAMP_BOTTOM
        _backing(canvas, width, header_y)
        _backing(canvas, width, footer_y)
        draw_margin_line(
            canvas, y=header_y, x_from=STAMP_X, x_to=width - STAMP_X, left=identity, right=page_label, size=STAMP_SIZE
        )
        draw_margin_line(
            canvas, y=footer_y, x_from=STAMP_X, x_to=width - STAMP_X, left=printed, emphasis=note, size=STAMP_SIZE
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _backing(canvas: Canvas, width: float, baseline: float) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.white, alpha=STAMP_BACKING_ALPHA)
    canvas.rect(STAMP_X - 1.5 * mm, baseline - 1.5 * mm, width - 2 * STAMP_X + 3 * mm, 4.5 * mm, stroke=0, fill=1)
    canvas.restoreState()
