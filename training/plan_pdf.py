"""The annual training plan grid (shared by its page and its PDF) and the two PDFs of the plan
screens: the plan with its realisation, and the yearly evaluation of training requests. Both are
laid out by `qms.pdf.build_pdf` (letterhead, embedded font with Turkish letters, "Page x / y")."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from qms.pdf import PRINT_TIME_ZONE, build_pdf, data_table, facts_table, signature_table, styles
from training.models import PlanState, RequestState
from training.queries import PlanLine, Realisation, RequestEvaluation

__all__ = ["GridCell", "GridRow", "grid_cell", "plan_grid", "plan_pdf", "request_evaluation_pdf"]

AFTER_APPROVAL_MARK = "*"


@dataclass
class GridCell:
    """One course in one month: the plan line there (if any) and how far it is held."""

    month: int
    line: PlanLine | None = None
    current: bool = False  # the month of the date asked about: not over yet

    @property
    def planned(self) -> int:
        return self.line.item.sessions if self.line else 0

    @property
    def held(self) -> int:
        return self.line.held if self.line else 0

    @property
    def status(self) -> str:
        """upcoming (month not reached at the date asked), done, current (the month of that date, not
        all held yet: it counts as planned, but the month is not over), partly (held fewer), missed."""
        if self.line is None:
            return ""
        if not self.line.due:
            return "upcoming"
        if self.held >= self.planned:
            return "done"
        if self.current:
            return "current"
        return "partly" if self.held else "missed"

    @property
    def status_label(self) -> str:
        return {
            "upcoming": pgettext("plan cell", "upcoming"),
            "done": pgettext("plan cell", "held"),
            "current": pgettext("plan cell", "this month"),
            "partly": pgettext("plan cell", "partly held"),
            "missed": pgettext("plan cell", "not held"),
        }.get(self.status, "")

    @property
    def after_approval(self) -> bool:
        return bool(self.line and self.line.item.added_after_approval)


@dataclass
class GridRow:
    course: object
    cells: list[GridCell] = field(default_factory=list)

    @property
    def planned(self) -> int:
        return sum(c.planned for c in self.cells)

    @property
    def held(self) -> int:
        return sum(c.held for c in self.cells)


def grid_cell(line: PlanLine, year: int, at) -> GridCell:
    month = line.item.month
    return GridCell(month=month, line=line, current=(year, month) == (at.year, at.month))


def plan_grid(realisation: Realisation, year: int) -> list[GridRow]:
    """Courses (by code) x 12 months of the `year` plan from the realisation's lines; runs no query."""
    rows: dict[int, GridRow] = {}
    for line in realisation.lines:
        course = line.item.course
        row = rows.setdefault(course.pk, GridRow(course=course, cells=[GridCell(month=m) for m in range(1, 13)]))
        row.cells[line.item.month - 1] = grid_cell(line, year, realisation.at)
    return sorted(rows.values(), key=lambda r: r.course.code)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip() if user else ""


def _when(value) -> str:
    return timezone.localtime(value, PRINT_TIME_ZONE).strftime("%d.%m.%Y %H:%M") if value else "—"


def realisation_sentence(realisation: Realisation) -> str:
    at = realisation.at.strftime("%d.%m.%Y")
    if realisation.percent is None:
        return _("Realisation at %(date)s: no session was planned up to this date.") % {"date": at}
    return _("Realisation at %(date)s: %(percent)s%% (%(held)s of %(planned)s planned sessions held).") % {
        "date": at, "percent": realisation.percent, "held": realisation.held, "planned": realisation.planned}


def plan_pdf(plan, realisation: Realisation, shortfalls: list[dict], *, user=None) -> bytes:
    """The year's plan on landscape pages: its state and approval, the realisation at the date asked,
    the courses x months grid (planned / held per cell), the lines with their notes, courses held
    fewer times than their yearly minimum, and the signatures."""
    st = styles()
    small = ParagraphStyle("trp-grid", parent=st.table_cell, fontSize=7.5, leading=9)
    number = ParagraphStyle("trp-grid-num", parent=small, alignment=1)
    head = ParagraphStyle("trp-grid-head", parent=st.table_header, fontSize=7.5, leading=9, alignment=1)
    title = _("Annual training plan %(year)s") % {"year": plan.year}
    approved = plan.state == PlanState.APPROVED
    flowables: list[Flowable] = [Paragraph(escape(title), st.title)]
    facts = [
        (pgettext("plan", "State"), str(PlanState(plan.state).label)),
        (_("Approved by"), f"{_person(plan.approved_by)} — {_when(plan.approved_at)}" if approved else "—"),
        (_("Realisation"), realisation_sentence(realisation)),
        (_("Whole year"), _("%(planned)s sessions planned, %(held)s held") % {
            "planned": realisation.planned_year, "held": realisation.held_year}),
        (_("Sessions held outside the plan"), str(realisation.unplanned)),
    ]
    if plan.notes:
        facts.append((_("Notes"), plan.notes))
    flowables += [facts_table(facts), Spacer(1, 3 * mm)]

    flowables.append(Paragraph(escape(_("Plan by month")), st.heading))
    rows = plan_grid(realisation, plan.year)
    if rows:
        flowables.append(Paragraph(escape(
            _("Each cell: sessions planned / sessions held by %(date)s. %(mark)s: added after the plan was approved.")
            % {"date": realisation.at.strftime("%d.%m.%Y"), "mark": AFTER_APPROVAL_MARK}), st.small))
        headers = [Paragraph(escape(_("Course")), head)]
        headers += [Paragraph(escape(str(MONTHS_3[m]).capitalize()), head) for m in range(1, 13)]
        headers.append(Paragraph(escape(_("Total")), head))
        table_rows = []
        for row in rows:
            cells = [Paragraph(escape(f"{row.course.code} {row.course.title}"), small)]
            for cell in row.cells:
                if cell.line is None:
                    cells.append("")
                    continue
                mark = AFTER_APPROVAL_MARK if cell.after_approval else ""
                cells.append(Paragraph(escape(f"{cell.planned} / {cell.held}{mark}"), number))
            cells.append(Paragraph(escape(f"{row.planned} / {row.held}"), number))
            table_rows.append(cells)
        totals = [Paragraph(f"<b>{escape(_('Total'))}</b>", small)]
        for m in range(12):
            planned = sum(r.cells[m].planned for r in rows)
            held = sum(r.cells[m].held for r in rows)
            totals.append(Paragraph(escape(f"{planned} / {held}") if planned else "", number))
        year_total = escape(f"{realisation.planned_year} / {realisation.held_year}")
        totals.append(Paragraph(f"<b>{year_total}</b>", number))
        table_rows.append(totals)
        flowables.append(data_table(headers, table_rows, col_widths=["24%"] + ["5.5%"] * 12 + ["10%"]))

        flowables.append(Paragraph(escape(_("Planned trainings")), st.heading))
        line_rows = []
        for line in realisation.lines:
            item = line.item
            cell = grid_cell(line, plan.year, realisation.at)
            line_rows.append([
                str(MONTHS[item.month]), f"{item.course.code} {item.course.title}", item.sessions, line.held,
                str(cell.status_label), _("Yes") if item.added_after_approval else "", item.note or "",
            ])
        flowables.append(data_table(
            [_("Month"), _("Course"), _("Planned"), _("Held"), pgettext("plan", "State"),
             _("Added after approval"), _("Note")],
            line_rows, col_widths=["9%", "31%", "8%", "7%", "10%", "10%", "25%"]))
    else:
        flowables.append(Paragraph(escape(_("No course is planned in this plan yet.")), st.body))

    flowables.append(Paragraph(escape(_("Courses below their yearly minimum")), st.heading))
    if shortfalls:
        flowables.append(data_table(
            [_("Course"), _("Minimum sessions per year"), _("Held in %(year)s") % {"year": plan.year}],
            [[f"{s['course'].code} {s['course'].title}", s["minimum"], s["held"]] for s in shortfalls],
            col_widths=["60%", "20%", "20%"]))
    else:
        flowables.append(Paragraph(escape(_("Every course with a yearly minimum reached it.")), st.body))

    flowables.append(Spacer(1, 4 * mm))
    flowables.append(KeepTogether([
        Paragraph(escape(_("Approval")), st.heading),
        signature_table([
            (_("Prepared by (training coordinator)"), "", ""),
            (_("Approved by (management representative)"), _person(plan.approved_by) if approved else "",
             _when(plan.approved_at) if approved else ""),
        ], row_height=13 * mm),
    ]))
    return build_pdf(title=title, flowables=flowables, user=user, landscape=True, subject=title)


def request_evaluation_pdf(evaluation: RequestEvaluation, *, user=None) -> bytes:
    """The yearly evaluation of training requests: counts by state, by course or topic, by unit and
    by who decided, then every request with its reason and decision."""
    st = styles()
    title = _("Evaluation of training requests %(year)s") % {"year": evaluation.year}
    flowables: list[Flowable] = [Paragraph(escape(title), st.title)]
    states = {row["state"]: row["count"] for row in evaluation.by_state}
    flowables.append(facts_table([
        (_("Requests"), str(evaluation.total)),
        (_("Participants asked for"), str(evaluation.participants)),
        *[(str(row["label"]), str(row["count"])) for row in evaluation.by_state],
        (_("Accepted and delivered (a session was held)"),
         f"{evaluation.delivered} / {states.get(RequestState.ACCEPTED, 0)}"),
    ]))

    def tally_table(heading: str, first: str, rows: list[dict]) -> list[Flowable]:
        out: list[Flowable] = [Paragraph(escape(heading), st.heading)]
        if not rows:
            return out + [Paragraph(escape(_("No request.")), st.body)]
        out.append(data_table(
            [first, _("Requests"), RequestState.ACCEPTED.label, RequestState.DECLINED.label,
             RequestState.SUBMITTED.label, _("Participants")],
            [[str(r["label"]), r["total"], r["accepted"], r["declined"], r["submitted"], r["participants"]]
             for r in rows],
            col_widths=["40%", "10%", "14%", "12%", "12%", "12%"]))
        return out

    flowables += tally_table(_("By course or topic"), _("Course or topic"), evaluation.by_subject)
    flowables += tally_table(_("By unit"), _("Unit"), evaluation.by_unit)
    flowables.append(Paragraph(escape(_("Decisions by person")), st.heading))
    if evaluation.by_decider:
        flowables.append(data_table(
            [_("Decided by"), RequestState.ACCEPTED.label, RequestState.DECLINED.label],
            [[d["name"], d["accepted"], d["declined"]] for d in evaluation.by_decider],
            col_widths=["50%", "25%", "25%"]))
    else:
        flowables.append(Paragraph(escape(_("No request has been decided yet.")), st.body))

    flowables.append(Paragraph(escape(_("All requests")), st.heading))
    if evaluation.requests:
        rows = []
        for req in evaluation.requests:
            if not req.course_id:
                subject = f"{req.topic} ({_('free topic')})"
            elif req.topic:
                subject = f"{req.subject} — " + _("Asked as: %(topic)s") % {"topic": req.topic}
            else:
                subject = req.subject
            plan = ""
            if req.plan_item_id:
                plan = f"{MONTHS[req.plan_item.month]} {req.plan_item.plan.year}"
                plan += " — " + (_("held") if req.held_sessions else _("not held yet"))
            decision = req.decision_note or ""
            if req.decided_by_id:
                decision = (decision + "\n" if decision else "") + f"{_person(req.decided_by)}, {_when(req.decided_at)}"
            rows.append([
                str(req.pk), timezone.localtime(req.created_at, PRINT_TIME_ZONE).strftime("%d.%m.%Y"),
                _person(req.requested_by),
                req.unit.name if req.unit_id else "—", subject, req.reason, req.participants,
                str(RequestState(req.state).label), Paragraph(escape(decision).replace("\n", "<br/>"),
                                                              st.table_cell), plan,
            ])
        flowables.append(data_table(
            [_("No."), _("Date"), _("Requested by"), _("Unit"), _("Course or topic"), _("Reason"), _("Participants"),
             pgettext("request", "State"), _("Decision"), _("Plan")],
            rows, col_widths=["4%", "8.5%", "10%", "10.5%", "14.5%", "14%", "7.5%", "8.5%", "13%", "9.5%"]))
    else:
        flowables.append(Paragraph(escape(_("No training request was made in %(year)s.") % {"year": evaluation.year}),
                                   st.body))
    return build_pdf(title=title, flowables=flowables, user=user, landscape=True, subject=title)
