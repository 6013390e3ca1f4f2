"""The attendance sheet (Eğitim Katılım Tutanağı) of a session, printed before it starts: the
session's facts, the numbered list of participants with an empty signature column, a few blank
rows for walk-ins, and the trainer's and coordinator's signature block.

Printed after the session was finalised, the sheet also shows each person's recorded attendance,
so the paper copy filed with the minutes says the same as the portal.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from qms.pdf import FONT, build_pdf, data_table, facts_table, styles
from training.models import Session, SessionState

BLANK_ROWS = 5  # for people who come without being on the list
SIGNATURE_HEIGHT = 9 * mm


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def sheet_rows(session: Session):
    """The session's list in name order, with what the sheet prints of each person. One query."""
    return list(session.attendances.select_related("person__staff_profile__unit")
                .order_by("person__first_name", "person__last_name", "person__username"))


def session_facts(session: Session) -> list[tuple[str, object]]:
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    when = f"{starts:%d.%m.%Y %H:%M} – {ends:%H:%M}" if starts.date() == ends.date() else (
        f"{starts:%d.%m.%Y %H:%M} – {ends:%d.%m.%Y %H:%M}")
    facts = [
        (_("Session"), session.code),
        (_("Course"), f"{session.course.code} {session.course.title}"),
        (_("Date and time"), when),
        (_("Place"), session.place),
        (_("Trainer"), session.trainer_label),
        (_("Hours"), session.hours),
        (_("Capacity"), session.capacity),
    ]
    if session.plan_item_id:
        facts.append((_("Annual plan"), str(session.plan_item)))
    return facts


def attendance_sheet_pdf(session: Session, *, user=None) -> bytes:
    st = styles()
    finalised = session.state == SessionState.FINALISED
    rows = sheet_rows(session)
    title = _("Training attendance sheet")
    flowables = [
        Paragraph(escape(f"{title}: {session.code}"), st.title),
        facts_table(session_facts(session)),
        Spacer(1, 4 * mm),
    ]
    if session.state == SessionState.CANCELLED:
        flowables.append(Paragraph(escape(_("This session was cancelled.")), st.heading))
    flowables.append(Paragraph(escape(pgettext("list", "Participants")), st.heading))
    headers = ["#", _("Name"), _("Unit"), pgettext("job", "Title"), _("Registry no."), _("Signature")]
    widths = ["5%", "23%", "24%", "16%", "10%", "22%"]
    if finalised:
        headers.insert(5, _("Attendance"))
        widths = ["5%", "22%", "21%", "14%", "9%", "11%", "18%"]
    table_rows = []
    for number, row in enumerate(rows, start=1):
        profile = getattr(row.person, "staff_profile", None)
        name = _person(row.person) + ("" if row.invited else " " + _("(walk-in)"))
        cells = [str(number), name, profile.unit.name if profile else "", profile.title if profile else "",
                 profile.registry_no if profile else "", Spacer(1, SIGNATURE_HEIGHT)]
        if finalised:
            cells.insert(5, str(row.get_status_display()))
        table_rows.append(cells)
    if not finalised:
        for number in range(len(rows) + 1, len(rows) + 1 + BLANK_ROWS):
            table_rows.append([str(number), "", "", "", "", Spacer(1, SIGNATURE_HEIGHT)])
    flowables.append(data_table(headers, table_rows, col_widths=widths))
    flowables.append(Spacer(1, 3 * mm))
    flowables.append(Paragraph(escape(_(
        "By signing, participants confirm that they attended this training. People not on the list write "
        "their name, unit and registry number on an empty row.")), st.small))
    flowables.append(Spacer(1, 6 * mm))
    flowables.append(KeepTogether(_signature_block(session)))
    return build_pdf(title=title, flowables=flowables, user=user,
                     subject=f"{session.code} {session.course.title}")


def _signature_block(session: Session) -> list:
    """Two boxes side by side: the trainer and the training coordinator, each with name,
    signature and date lines."""
    st = styles()
    label = st.table_cell

    def box(heading: str, name: str) -> list:
        return [
            Paragraph(f"<b>{escape(heading)}</b>", label),
            Spacer(1, 2 * mm),
            Paragraph(escape(_("Name: %(name)s") % {"name": name or "_" * 28}), label),
            Spacer(1, 10 * mm),
            Paragraph(escape(_("Signature: %(line)s") % {"line": "_" * 24}), label),
            Spacer(1, 4 * mm),
            Paragraph(escape(_("Date: %(line)s") % {"line": "_" * 12}), label),
        ]

    table = Table([[box(_("Trainer"), session.trainer_label), box(_("Training coordinator"), "")]],
                  colWidths=["50%", "50%"])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (0, 0), 0.5, "#9AA5B1"),
        ("BOX", (1, 0), (1, 0), 0.5, "#9AA5B1"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
    ]))
    return [table]
