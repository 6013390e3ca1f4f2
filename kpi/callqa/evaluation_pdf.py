"""One call evaluation as a PDF (A4), laid out by `qms.pdf.build_pdf` (letterhead, the embedded font
with Turkish letters, "Page x / y") from the same data as the evaluation's page
(`kpi.callqa.views.evaluations.evaluation_view_data`). The view checks who may see it first."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Paragraph

from kpi.callqa.models import EvaluationStatus
from kpi.scorecards import month_label
from qms.pdf import build_pdf, data_table, facts_table, styles


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip() if user else ""


def _duration(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def evaluation_pdf_name(evaluation) -> str:
    return _("Call evaluation %(call)s.pdf") % {"call": evaluation.call.call_id}


def evaluation_pdf(evaluation, data: dict, *, user=None) -> bytes:
    st = styles()
    call = evaluation.call
    title = _("Call evaluation")
    submitted = evaluation.status == EvaluationStatus.SUBMITTED
    facts = [
        (_("Agent"), f"{evaluation.agent.code} — {evaluation.agent.display_name}"),
        (_("Team"), evaluation.agent.team.name if evaluation.agent.team_id else "—"),
        (_("Call"), call.call_id),
        (_("Line / queue"), f"{call.line.name} / {call.queue.name}"),
        (_("Call time"), timezone.localtime(call.offered_at)),
        (_("Talk / hold / wrap-up"), " / ".join(_duration(s) for s in (call.talk_seconds, call.hold_seconds,
                                                                         call.wrap_seconds))),
        (_("Month"), month_label(evaluation.month)),
        (_("Scorecard"), str(evaluation.scorecard)),
        (_("Evaluator"), _person(evaluation.evaluator)),
        (_("Status"), evaluation.get_status_display()),
    ]
    if evaluation.session_id:
        facts.append((_("Calibration session"), str(evaluation.session)))
    if submitted:
        facts += [
            (_("Submitted"), timezone.localtime(evaluation.submitted_at)),
            (_("Score"), f"{evaluation.score}"),
            (_("Critical fail"), _("Yes") if evaluation.critical_failed else _("No")),
        ]
        if evaluation.original_score is not None:
            facts.append((_("Original score"), f"{evaluation.original_score}"))
        if not evaluation.session_id:
            facts.append((_("Agent response"), evaluation.get_acknowledgement_display()))
    flowables: list[Flowable] = [Paragraph(escape(title), st.title), facts_table(facts)]
    rescored = data.get("rescored")
    for section in data["sections"]:
        heading = section.section.title
        if section.score is not None:
            heading += " — " + _("section score %(score)s") % {"score": section.score}
        if section.zeroed:
            heading += " (" + _("zeroed by a critical fail") + ")"
        flowables.append(Paragraph(escape(heading), st.heading))
        headers = [_("Criterion"), _("Weight"), _("Score")]
        if rescored:
            headers.append(_("Original score"))
        headers.append(_("Comment"))
        rows = []
        for line in section.lines:
            label = line.criterion.text
            if line.criterion.critical:
                label += " (" + _("critical") + ")"
            row = [label, line.criterion.weight, line.text]
            if rescored:
                row.append(line.original_text if line.changed else "")
            row.append(line.comment)
            rows.append(row)
        widths = ["40%", "9%", "12%", "12%", "27%"] if rescored else ["44%", "10%", "14%", "32%"]
        flowables.append(data_table(headers, rows, col_widths=widths))
    for label, text in ((_("Overall feedback"), evaluation.feedback),
                        (_("Development suggestions"), evaluation.suggestions)):
        flowables.append(Paragraph(escape(label), st.heading))
        flowables.append(Paragraph(escape(text or "—").replace("\n", "<br/>"), st.body))
    found = data.get("dispute")
    if found is not None:
        flowables.append(Paragraph(escape(_("Dispute")), st.heading))
        dispute_facts = [(_("Raised"), timezone.localtime(found.raised_at)), (_("Reason"), found.reason),
                         (_("Decision"), found.get_status_display())]
        if found.decided_at:
            dispute_facts += [(_("Decided"), timezone.localtime(found.decided_at)),
                              (_("Decided by"), _person(found.decided_by)), (_("Note"), found.decision_note or "—")]
        flowables.append(facts_table(dispute_facts))
    flowables.append(Paragraph(escape(_("Confidential: personal data (KVKK). Only for the agent, the agent's team "
                                        "lead and call QA.")), st.small))
    return build_pdf(title=title, flowables=flowables, user=user, subject=_("Call QA"))
