"""The monthly agent QA report as a PDF (A4), laid out by `qms.pdf.build_pdf` (letterhead, the
embedded font with Turkish letters, "Page x / y") from the same `kpi.callqa.reports.AgentMonth`
the page shows, so they agree. It carries no call content: the call's id and time, the scores and
the evaluator's written feedback only."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Paragraph

from kpi.callqa.reports import AgentMonth
from kpi.charts import NO_VALUE, format_number, format_percent
from kpi.scorecards import month_label
from qms.pdf import build_pdf, data_table, facts_table, styles

__all__ = ["agent_report_filename", "agent_report_pdf", "agent_report_title", "change_text", "score", "seconds"]


def score(value) -> str:
    return NO_VALUE if value is None else format_number(value, 2)


def percent(value) -> str:
    return NO_VALUE if value is None else format_percent(value, 1)


def change_text(value) -> str:
    """A change in points with its sign (+3,20 / −3,20 / 0,00)."""
    if value is None:
        return NO_VALUE
    if value > 0:
        return "+" + format_number(value, 2)
    if value < 0:
        return "−" + format_number(-value, 2)
    return format_number(0, 2)


def seconds(value) -> str:
    """Seconds as m:ss (a handle time of 185 s is 3:05)."""
    if value is None:
        return NO_VALUE
    whole = int(round(value))
    return f"{whole // 60}:{whole % 60:02d}"


def agent_report_title(report: AgentMonth) -> str:
    return _("Monthly QA report: %(agent)s, %(month)s") % {"agent": report.agent.code,
                                                           "month": month_label(report.month)}


def agent_report_filename(report: AgentMonth) -> str:
    return _("QA report %(agent)s %(month)s") % {"agent": report.agent.code, "month": f"{report.month:%Y-%m}"}


def _local(value):
    return timezone.localtime(value) if value else None


def facts(report: AgentMonth) -> list[tuple[str, str]]:
    """The report's head figures, in the order the page and the PDF show them."""
    f, p = report.figures, report.previous
    agent = report.agent
    rows = [
        (_("Agent"), f"{agent.code} — {agent.display_name}" if agent.display_name != agent.code else agent.code),
        (_("Team"), agent.team.name if agent.team_id else _("No team")),
        (_("Month"), month_label(report.month)),
        (_("Evaluations"), format_number(f.evaluations)),
        (_("Mean score"), score(f.mean)),
        (_("Lowest / highest score"), f"{score(f.minimum)} / {score(f.maximum)}"),
        (_("Critical fails"), format_number(f.critical_fails)),
        (_("Previous month"), _("%(month)s: %(count)s evaluations, mean score %(mean)s") % {
            "month": month_label(p.month), "count": format_number(p.evaluations), "mean": score(p.mean)}),
        (_("Change of the mean score"), _("%(change)s points") % {"change": change_text(report.change)}
         if report.change is not None else NO_VALUE),
        (_("Open coaching tasks"), format_number(report.coaching_open)),
    ]
    if report.calls is not None:
        rows.append((_("Calls answered / AHT / ASA"), f"{format_number(report.calls.answered)} / "
                     f"{seconds(report.calls.aht)} / {seconds(report.calls.asa)}"))
    return rows


def agent_report_pdf(report: AgentMonth, *, user=None) -> bytes:
    st = styles()
    title = agent_report_title(report)
    flowables: list[Flowable] = [Paragraph(escape(title), st.title), facts_table(facts(report))]
    flowables.append(Paragraph(escape(_(
        "Submitted evaluations of the month. Score = 100 × Σ(weight × mark / maximum) / Σ weight over the applicable "
        "criteria, then the critical rules; the mean score is the mean of the evaluations' scores. A re-scored "
        "evaluation counts with its new score (the original is shown in brackets).")), st.small))

    flowables.append(Paragraph(escape(_("Evaluations")), st.heading))
    if report.lines:
        rows = []
        for line in report.lines:
            shown = score(line.score)
            if line.original_score is not None and line.original_score != line.score:
                shown += f" ({score(line.original_score)})"
            rows.append([_local(line.offered_at), line.call_id, line.evaluator, shown,
                         _("Yes") if line.critical_failed else _("No"), line.acknowledgement_label])
        flowables.append(data_table([_("Call time"), _("Call id"), _("Evaluator"), _("Score"), _("Critical fail"),
                                     _("Agent response")], rows,
                                    col_widths=["17%", "17%", "22%", "14%", "12%", "18%"]))
    else:
        flowables.append(Paragraph(escape(_("No evaluation of this month was submitted.")), st.body))

    if report.sections:
        flowables.append(Paragraph(escape(_("Sections")), st.heading))
        rows = [[(f"{s.scorecard}: " if report.several_scorecards else "") + s.section, percent(s.percent),
                 format_number(s.scored)] for s in report.sections]
        flowables.append(data_table([_("Section"), _("Average score"), _("Evaluations")], rows,
                                    col_widths=["60%", "20%", "20%"]))
    if report.criteria:
        flowables.append(Paragraph(escape(_("Criteria")), st.heading))
        rows = [[c.section, c.text + (" ★" if c.critical else ""), percent(c.percent), format_number(c.scored),
                 format_number(c.na), format_number(c.zeros)] for c in report.criteria]
        flowables.append(data_table([_("Section"), _("Criterion"), _("Average (share of the maximum mark)"), _("Marks"),
                                     _("N/A"), _("Marks of 0")], rows,
                                    col_widths=["15%", "35%", "16%", "10%", "12%", "12%"]))
        flowables.append(Paragraph(escape(_("★ critical criterion. N/A marks are left out of the average.")),
                                   st.small))

    written = [line for line in report.lines if line.feedback.strip() or line.suggestions.strip()]
    if written:
        flowables.append(Paragraph(escape(_("Feedback and development suggestions")), st.heading))
        for line in written:
            when = _local(line.offered_at)
            flowables.append(Paragraph(f"<b>{escape(f'{when:%d.%m.%Y %H:%M} · {line.call_id} · {line.evaluator}')}</b>",
                                       st.body))
            if line.feedback.strip():
                flowables.append(Paragraph(escape(_("Feedback: %(text)s") % {"text": line.feedback.strip()})
                                           .replace("\n", "<br/>"), st.body))
            if line.suggestions.strip():
                flowables.append(Paragraph(escape(_("Development suggestions: %(text)s")
                                                  % {"text": line.suggestions.strip()}).replace("\n", "<br/>"),
                                           st.body))
    flowables.append(Paragraph(escape(_("Confidential (KVKK): for the agent, their team lead and the QA team only.")),
                               st.small))
    return build_pdf(title=title, flowables=flowables, user=user, subject=_("Monthly QA report"))
