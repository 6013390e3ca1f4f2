"""The minutes of a management review as a PDF, laid out by `qms.pdf.build_pdf` (letterhead, the
embedded font with Turkish letters, "Page x / y").

Approved minutes are printed ONLY from what approval stored: `Review.minutes` (attendees,
decisions, actions, the chair), each agenda item's stored pack and its narrative, and the review's
own row (which is frozen too). Renaming a person, closing an action or raising a DÖF afterwards
therefore never changes the PDF of approved minutes; the one thing a later event adds is the note
that a correction superseded them. Action statuses are not printed: the minutes record what was
decided (owner, due date), the follow-up lives on the screens.

A review not yet approved prints as a draft ("TASLAK / DRAFT" under the letterhead and in every
footer): in preparation with the figures compiled now, once submitted with the stored figures, and
with the attendees, decisions and actions as they are now.

Minutes are one document, not a per-reader view: like the pack, they are printed in the
department's language (settings.LANGUAGE_CODE).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from qms.pdf import FONT_BOLD, PRINT_TIME_ZONE, build_pdf, data_table, facts_table, signature_table, styles
from qms.review.models import AGENDA_ORDER, AgendaItemKind, Review, ReviewState
from qms.review.pack import item_pack
from qms.review.services import minutes_snapshot

__all__ = ["DRAFT_MARK", "minutes_filename", "minutes_pdf"]

# Printed on minutes not yet approved, in both languages whatever the department's: a draft copy
# must never be mistaken for approved minutes.
DRAFT_MARK = "TASLAK / DRAFT"
DRAFT_COLOUR = colors.HexColor("#9B1C1C")  # dark red on white: contrast > 7:1
NO_VALUE = "—"


def _day(value: str | dt.date | None) -> str:
    if not value:
        return NO_VALUE
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y")


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, PRINT_TIME_ZONE).strftime("%d.%m.%Y")


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def _lines(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text (with its line breaks) as one Paragraph."""
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _kind_label(kind: str) -> str:
    try:
        return str(AgendaItemKind(kind).label)
    except ValueError:
        return kind


def _item_title(kind: str) -> str:
    if kind in AGENDA_ORDER:
        return f"{AGENDA_ORDER.index(kind) + 1}. {_kind_label(kind)}"
    return _kind_label(kind)


def _status_words(status: str, target: str) -> str:
    words = {"met": _("Target met"), "missed": _("Target missed")}
    if status in words:
        return words[status]
    if status:
        return status
    return _("No target") if not target else NO_VALUE


def _pack_flowables(pack: dict, st) -> list[Flowable]:
    """An item's figures (label, value, target, status in words), its tables and notes. Charts are
    SVG for the screen; the pack carries each chart's data as a table, which is printed instead."""
    flowables: list[Flowable] = []
    figures = pack.get("figures") or []
    if figures:
        flowables.append(data_table(
            [_("Figure"), _("Value"), _("Target"), _("Status")],
            [[f.get("label", ""), f.get("value", "") or NO_VALUE, f.get("target", "") or NO_VALUE,
              _status_words(f.get("status", ""), f.get("target", ""))] for f in figures],
            col_widths=["42%", "17%", "17%", "24%"],
        ))
        flowables.append(Spacer(1, 2 * mm))
    for table in pack.get("tables") or []:
        columns = [str(c) for c in table.get("columns") or []]
        rows = [list(row) for row in table.get("rows") or []]
        if table.get("title"):
            flowables.append(Paragraph(escape(table["title"]), st.subheading))
        if not columns:
            continue
        if rows:
            rows = [(row + [""] * len(columns))[: len(columns)] for row in rows]
            flowables.append(data_table(columns, rows))
        else:
            flowables.append(Paragraph(escape(_("No rows.")), st.small))
        flowables.append(Spacer(1, 2 * mm))
    for note in pack.get("notes") or []:
        flowables.append(Paragraph(escape(str(note)), st.small))
    return flowables


class _Styles:
    """The house styles plus the minutes' own (agenda-item heading, sub-heading, draft mark)."""

    def __init__(self):
        base = styles()
        self.title, self.heading, self.body, self.small = base.title, base.heading, base.body, base.small
        self.table_cell = base.table_cell
        self.item = ParagraphStyle("review-item", parent=base.heading, fontSize=11, leading=14, spaceBefore=10)
        self.subheading = ParagraphStyle("review-sub", parent=base.body, fontName=FONT_BOLD, spaceBefore=3)
        self.draft = ParagraphStyle(
            "review-draft", parent=base.title, fontSize=22, leading=26, textColor=DRAFT_COLOUR, alignment=1,
            borderColor=DRAFT_COLOUR, borderWidth=1.5, borderPadding=6, spaceBefore=4, spaceAfter=12)
        self.notice = ParagraphStyle("review-notice", parent=base.body, fontName=FONT_BOLD)


def _content(review: Review) -> tuple[dict, list[tuple[str, str, dict]], str, str]:
    """(minutes, [(kind, narrative, pack)], prepared-by name, approved-by name): stored for frozen
    minutes, as they are now for a draft."""
    items = sorted(review.items.all(), key=lambda item: item.position)
    if review.is_frozen:
        minutes = review.minutes or {}
        prepared = minutes.get("submitted_by") or _person(review.submitted_by)
        approved = minutes.get("approved_by") or minutes.get("chair", "")
        return minutes, [(item.kind, item.narrative, item.pack or {}) for item in items], prepared, approved
    for item in items:
        item.review = review  # item_pack compiles a draft's figures for this review
    minutes = minutes_snapshot(review)
    # A review returned to preparation keeps who submitted it last; that submission no longer stands.
    prepared = _person(review.submitted_by) if review.state == ReviewState.SUBMITTED else ""
    return minutes, [(item.kind, item.narrative, item_pack(item)) for item in items], prepared, ""


def _flowables(review: Review) -> list[Flowable]:
    st = _Styles()
    draft = not review.is_frozen
    minutes, items, prepared_by, approved_by = _content(review)
    flowables: list[Flowable] = []

    if draft:
        flowables.append(Paragraph(escape(DRAFT_MARK), st.draft))
        if review.state == ReviewState.PREPARATION:
            note = _("These minutes are in preparation and not approved: the figures are compiled now and may "
                     "still change.")
        else:
            note = _("These minutes await the chair's approval: the figures are those stored at submission; "
                     "the minutes are not approved yet.")
        flowables.append(Paragraph(escape(note), st.small))
    if review.state == ReviewState.SUPERSEDED:
        correction = Review.objects.filter(corrects=review).values("version", "approved_at").first()
        if correction:
            text = _("Superseded by v%(version)s (approved on %(date)s): these minutes are no longer valid.") % {
                "version": correction["version"], "date": _moment(correction["approved_at"])}
        else:
            text = _("Superseded by a correction: these minutes are no longer valid.")
        flowables.append(Paragraph(escape(text), st.notice))

    flowables.append(Paragraph(escape(f"{review.label} — {minutes.get('title') or review.title}"), st.title))
    if review.corrects_id:
        flowables.append(_lines(
            _("This version corrects v%(version)s. Reason: %(reason)s")
            % {"version": review.version - 1, "reason": review.correction_reason}, st.body))

    facts: list[tuple[str, Any]] = [
        (_("Number"), review.code),
        (_("Version"), str(review.version)),
        (_("Held on"), _day(minutes.get("held_on"))),
        (_("Location"), minutes.get("location") or NO_VALUE),
        (_("Period under review"), f"{_day(review.period_start)} – {_day(review.period_end)}"),
        (_("Chair"), minutes.get("chair") or NO_VALUE),
        (_("State"), str(ReviewState(review.state).label)),
    ]
    if review.pack_compiled_at:
        facts.append((_("Figures stored on"), _moment(review.pack_compiled_at)))
    flowables += [facts_table(facts), Spacer(1, 3 * mm)]

    attendees = minutes.get("attendees") or []
    flowables.append(Paragraph(escape(_("Attendees")), st.heading))
    invited = sum(1 for a in attendees if a.get("invited"))
    present = sum(1 for a in attendees if a.get("present"))
    flowables.append(Paragraph(escape(_("Invited: %(invited)s, present: %(present)s.")
                                      % {"invited": invited, "present": present}), st.body))
    if attendees:
        rows = []
        for number, person in enumerate(attendees, 1):
            name = person.get("name", "")
            if person.get("chair"):
                name = _("%(name)s (chair)") % {"name": name}
            rows.append([number, name, person.get("position") or NO_VALUE, bool(person.get("invited")),
                         bool(person.get("present"))])
        flowables.append(data_table([_("No."), _("Name"), _("Title / role"), _("Invited"), _("Present")], rows,
                                    col_widths=["7%", "37%", "32%", "12%", "12%"]))

    flowables.append(Paragraph(escape(_("Agenda")), st.heading))
    for kind, narrative, pack in items:
        flowables.append(Paragraph(escape(_item_title(kind)), st.item))
        flowables += _pack_flowables(pack, st)
        flowables.append(Paragraph(escape(_("Narrative")), st.subheading))
        flowables.append(_lines(narrative.strip() or NO_VALUE, st.body))

    decisions = minutes.get("decisions") or []
    decision_numbers = {d.get("id"): f"K{n}" for n, d in enumerate(decisions, 1)}
    flowables.append(Paragraph(escape(_("Decisions")), st.heading))
    if decisions:
        flowables.append(data_table(
            [_("No."), _("Agenda item"), _("Decision")],
            [[decision_numbers[d.get("id")], _item_title(d["item"]) if d.get("item") else NO_VALUE,
              _lines(d.get("text", ""), st.table_cell)] for d in decisions],
            col_widths=["8%", "30%", "62%"],
        ))
    else:
        flowables.append(Paragraph(escape(_("No decisions were recorded.")), st.body))

    actions = minutes.get("actions") or []
    flowables.append(Paragraph(escape(_("Actions")), st.heading))
    if actions:
        rows = []
        for number, action in enumerate(actions, 1):
            about = _item_title(action["item"]) if action.get("item") else ""
            if action.get("decision") in decision_numbers:
                about = f"{about} ({decision_numbers[action['decision']]})" if about else \
                    decision_numbers[action["decision"]]
            rows.append([f"A{number}", _lines(action.get("text", ""), st.table_cell), about or NO_VALUE,
                         action.get("owner") or NO_VALUE, _day(action.get("due"))])
        flowables.append(data_table([_("No."), _("Action"), _("Agenda item"), _("Owner"), _("Due date")], rows,
                                    col_widths=["7%", "41%", "22%", "18%", "12%"]))
    else:
        flowables.append(Paragraph(escape(_("No actions were recorded.")), st.body))

    flowables.append(Spacer(1, 4 * mm))
    flowables.append(KeepTogether([
        Paragraph(escape(_("Approval and signatures")), st.heading),
        signature_table([
            (_("Prepared by (management representative)"), prepared_by,
             _moment(review.submitted_at) if prepared_by else ""),
            (_("Approved by (chair)"), approved_by, _moment(review.approved_at) if review.is_frozen else ""),
        ], widths=("30%", "28%", "16%", "26%"), row_height=16 * mm),
    ]))
    return flowables


def minutes_pdf(review: Review, *, user=None) -> bytes:
    """The minutes of `review` (a draft unless approved or superseded); `user` is named in the
    footer as who printed it."""
    with translation.override(settings.LANGUAGE_CODE):
        flowables = _flowables(review)
        title = _("Management review minutes")
        if review.is_frozen:
            note = _("Version %(version)s") % {"version": review.version}
            if review.state == ReviewState.SUPERSEDED:
                note = _("Superseded: version %(version)s") % {"version": review.version}
        else:
            title, note = f"{title} — {DRAFT_MARK}", DRAFT_MARK
        return build_pdf(title=title, code=review.code, flowables=flowables, user=user,
                         subject=f"{review.label} {review.title}", footer_note=note)


def minutes_filename(review: Review) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        name = _("%(review)s minutes") % {"review": review.label}
        if not review.is_frozen:
            name = f"{name} {_('draft')}"
        return f"{name}.pdf"
