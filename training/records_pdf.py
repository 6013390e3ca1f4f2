"""PDFs of the training records: the competence matrix with mandatory-training compliance (A4
landscape: the record an auditor asks for) and the training-hours report. Both are laid out by
`qms.pdf.build_pdf` (letterhead, embedded font with Turkish letters, "Page x / y") from the same
report objects the pages and the spreadsheets use (`training.views.records`), so all three agree.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer

from qms.pdf import FONT_BOLD, build_pdf, data_table, facts_table, styles
from training.queries import CompetenceState

__all__ = ["competence_matrix_pdf", "training_hours_pdf"]

# Text colours of the states on white (contrast > 7:1); the state is always written out too.
STATE_COLOURS = {
    CompetenceState.COMPLETED: colors.HexColor("#0C4A2A"),
    CompetenceState.EXPIRING: colors.HexColor("#5C3B00"),
    CompetenceState.EXPIRED: colors.HexColor("#7D1717"),
    CompetenceState.DUE: colors.HexColor("#163A73"),
}


def _bold(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(f"<b>{escape(text)}</b>", style)


def _percent(value) -> str:
    return "—" if value is None else _("%(percent)s%%") % {"percent": value}


def _hex(state: str) -> str:
    return STATE_COLOURS[state].hexval()[2:]


def _state_cell(status, style: ParagraphStyle) -> Paragraph | str:
    """A matrix cell: the state in words (bold, coloured) and its date."""
    if status is None:
        return "—"
    text = f'<font color="#{_hex(status.state)}"><b>{escape(str(status.label))}</b></font>'
    if status.state == CompetenceState.COMPLETED and status.completed_on:
        text += f"<br/>{status.completed_on:%d.%m.%Y}"
    elif status.state in (CompetenceState.EXPIRING, CompetenceState.EXPIRED):
        text += f"<br/>{status.expires_on:%d.%m.%Y}"
    return Paragraph(text, style)


def _legend(st) -> Paragraph:
    parts = [
        (CompetenceState.COMPLETED, _("the last completion is valid (date: completed on)")),
        (CompetenceState.EXPIRING, _("valid for 30 days or fewer, still compliant (date: expires on)")),
        (CompetenceState.EXPIRED, _("the validity ended, not compliant (date: expired on)")),
        (CompetenceState.DUE, _("never completed, not compliant")),
    ]
    text = "  ·  ".join(
        f'<font color="#{_hex(state)}"><b>{escape(str(CompetenceState.LABELS[state]))}</b></font>: {escape(meaning)}'
        for state, meaning in parts
    )
    return Paragraph(text, st.small)


def competence_matrix_pdf(report, *, user=None) -> bytes:
    """The competence matrix of `report` (a `training.views.records.CompetenceReport`)."""
    st = styles()
    cell = ParagraphStyle("training-matrix-cell", parent=st.table_cell, fontSize=7.5, leading=9)
    name_style = ParagraphStyle("training-matrix-name", parent=cell, fontName=FONT_BOLD)
    matrix = report.matrix
    title = _("Competence matrix and mandatory-training compliance")
    flowables: list[Flowable] = [Paragraph(escape(title), st.title)]
    facts = [
        (_("Date"), report.today),
        (_("Scope"), report.scope_label()),
        (_("People"), len(matrix.people)),
        (_("Compliant"), _("%(compliant)s of %(people)s people (%(percent)s)") % {
            "compliant": report.compliant_count, "people": len(matrix.people), "percent": _percent(matrix.percent)}),
    ]
    if report.gaps:
        facts.append((_("Shown"), _("Only people with a gap (expired or not completed)")))
    flowables += [facts_table(facts), Spacer(0, 6)]

    flowables.append(Paragraph(escape(_("Mandatory-training compliance by unit")), st.heading))
    unit_rows = [[u.unit.name, u.people, u.compliant, _percent(u.percent)] for u in matrix.units]
    unit_rows.append([_bold(_("Total"), st.table_cell), len(matrix.people),
                      report.compliant_count, _percent(matrix.percent)])
    flowables.append(data_table([_("Unit"), _("People"), _("Compliant"), _("Compliance rate")], unit_rows,
                                col_widths=["55%", "15%", "15%", "15%"]))

    flowables.append(Paragraph(escape(_("Mandatory-training compliance by course")), st.heading))
    course_rows = [[f"{r.course.code} {r.course.title}", _validity(r.course), r.required, r.completed, r.expiring,
                    r.expired, r.due, _percent(r.percent)] for r in report.course_rows]
    flowables.append(data_table(
        [_("Course"), _("Validity"), _("Required of"), pgettext("competence", "Completed"),
         pgettext("competence", "Expires soon"), pgettext("competence", "Expired"), pgettext("competence", "Due"),
         _("Compliance rate")],
        course_rows or [[_("No course of the catalogue is mandatory."), "", "", "", "", "", "", ""]],
        col_widths=["34%", "14%", "9%", "9%", "9%", "9%", "8%", "8%"],
    ))

    courses = report.courses
    if courses:
        flowables.append(Paragraph(escape(_("Required courses by role")), st.heading))
        headers = [_("Role")] + [c.code for c in courses]
        rows = [[row["role"]] + [_("Required") if required else "—" for required in row["cells"]]
                for row in report.role_rows()]
        share = 76 / len(courses)
        flowables.append(data_table(headers, rows, col_widths=["24%"] + [f"{share:.2f}%"] * len(courses)))
        units_label = _("units")
        notes = [f"<b>{escape(c.code)}</b> {escape(c.title)}: {escape(_validity(c))}; {escape(units_label)}: "
                 f"{escape(_targets(c))}" for c in courses]
        flowables.append(Paragraph("<br/>".join(notes), st.small))

        flowables.append(Paragraph(escape(_("Each person's state on the required courses")), st.heading))
        flowables.append(_legend(st))
        headers = [_("Person"), _("Unit")] + [c.code for c in courses] + [_("Compliant")]
        rows = []
        for person in report.people:
            profile = person.profile
            row = [Paragraph(escape(profile.full_name), name_style), Paragraph(escape(profile.unit.name), cell)]
            row += [_state_cell(person.statuses.get(c.pk), cell) for c in courses]
            row.append(_bold(_("Yes") if person.compliant else _("No"), cell))
            rows.append(row)
        if not rows:
            rows = [[_("Nobody to show.")] + [""] * (len(courses) + 2)]
        course_share = 64 / len(courses)
        widths = ["15%", "13%"] + [f"{course_share:.2f}%"] * len(courses) + ["8%"]
        flowables.append(data_table(headers, rows, col_widths=widths))
    return build_pdf(title=title, flowables=flowables, user=user, landscape=True,
                     subject=_("Competence matrix"))


def _validity(course) -> str:
    if not course.validity_months:
        return _("does not expire")
    return _("valid for %(months)s months") % {"months": course.validity_months}


def _targets(course) -> str:
    if course.is_orientation:
        return _("every new hire")
    units = [u.name for u in course.target_units.all()]
    return ", ".join(units) if units else _("all units")


def _h(value) -> str:
    """Hours with one decimal, localised (14,0 in Turkish)."""
    return number_format(value, decimal_pos=1)


def _num(value, st) -> Paragraph:
    return Paragraph(escape(_h(value)), st.table_number)


def training_hours_pdf(report, *, user=None) -> bytes:
    """Training hours of a year per unit and per person (`training.views.records.HoursReport`)."""
    st = styles()
    title = _("Training hours %(year)s") % {"year": report.year}
    flowables: list[Flowable] = [
        Paragraph(escape(title), st.title),
        facts_table([
            (_("Year"), str(report.year)),
            (_("Scope"), report.scope_label()),
            (_("Total training hours"), _h(report.total)),
            (_("People"), len(report.people)),
            (_("People trained"), report.trained),
            (_("Hours per person"), _h(report.per_person)),
        ]),
        Paragraph(escape(_("Hours of the sessions a person was recorded present at, once the session was finalised; "
                           "a person is counted in their current unit.")), st.small),
        Paragraph(escape(_("Hours per unit")), st.heading),
    ]
    unit_rows = [[u["unit"].name, u["people"], _num(u["hours"], st), _num(u["per_person"], st)]
                 for u in report.units]
    unit_rows.append([_bold(_("Total"), st.table_cell), len(report.people),
                      _num(report.total, st), _num(report.per_person, st)])
    flowables.append(data_table([_("Unit"), _("People"), _("Hours"), _("Hours per person")], unit_rows,
                                col_widths=["52%", "16%", "16%", "16%"]))
    flowables.append(Paragraph(escape(_("Hours per person")), st.heading))
    person_rows = [[p["profile"].registry_no, p["profile"].full_name, p["profile"].unit.name, p["sessions"],
                    _num(p["hours"], st)] for p in report.people]
    person_rows.append(["", _bold(_("Total"), st.table_cell), "", report.sessions,
                        _num(report.total, st)])
    flowables.append(data_table([_("Registry number"), pgettext("person", "Name"), _("Unit"),
                                 _("Sessions attended"), _("Hours")], person_rows,
                                col_widths=["14%", "30%", "32%", "12%", "12%"]))
    return build_pdf(title=title, flowables=flowables, user=user, subject=_("Training hours"))
