"""The DÖF form (Düzeltici ve Önleyici Faaliyet Formu) as a PDF, on the house letterhead (`qms.pdf`).

Everything the DÖF's page shows, as facts and tables: the nonconformity, the immediate correction,
the 5-whys root-cause analysis, the corrective actions of every cycle, the effectiveness checks,
the closure, and signature lines for the unit, the verifier and the management representative.
The caller checks that the reader may see the DÖF (`audits.views.nonconformities`).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from audits.models import WHY_FIELDS, ActionState, NCState, Nonconformity
from qms.pdf import build_pdf, data_table, facts_table, styles

__all__ = ["nonconformity_pdf"]


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def _when(user, moment) -> str:
    """"Name, dd.mm.yyyy" (empty when nobody did it yet)."""
    if moment is None:
        return ""
    day = timezone.localtime(moment).strftime("%d.%m.%Y")
    return f"{_person(user)}, {day}" if user is not None else day


def _text(value: str, style) -> Paragraph:
    return Paragraph(escape(value or "—").replace("\n", "<br/>"), style)


def _signatures(nc: Nonconformity, verifier) -> Table:
    st = styles()
    roles = [
        (_("Root cause and actions (responsible unit)"), nc.cause_analysed_by, nc.cause_analysed_at),
        (_("Effectiveness verified by"), verifier[0] if verifier else None, verifier[1] if verifier else None),
        (_("Closed by (management representative)"), nc.closed_by, nc.closed_at),
    ]
    head = [Paragraph(escape(label), st.table_cell) for label, _user, _at in roles]
    names = [
        Paragraph(escape(_("Name: %(name)s") % {"name": _person(user) or "……………………"}), st.table_cell)
        for _label, user, _at in roles
    ]
    dates = [
        Paragraph(escape(_("Date: %(date)s") % {
            "date": timezone.localtime(at).strftime("%d.%m.%Y") if at else "…… / …… / ……"}), st.table_cell)
        for _label, _user, at in roles
    ]
    signs = [Paragraph(escape(_("Signature:")), st.table_cell) for _role in roles]
    table = Table([head, names, dates, signs], colWidths=["33.3%", "33.3%", "33.4%"], rowHeights=[None, None, None, 40])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, "#9AA5B1"),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, "#C5CCD6"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def nonconformity_pdf(nc: Nonconformity, *, user=None) -> bytes:
    """The DÖF form of `nc` as PDF bytes, printed by `user` (named in the footer)."""
    st = styles()
    nc = (
        Nonconformity.objects.select_related(
            "unit", "clause__standard", "raised_by", "triaged_by", "cause_analysed_by", "closed_by",
            "finding__audit__programme",
        ).get(pk=nc.pk)
    )
    actions = list(nc.actions.select_related("owner", "completed_by").prefetch_related("files")
                   .order_by("cycle", "due_date", "pk"))
    checks = list(nc.checks.select_related("checked_by").order_by("checked_at", "pk"))

    source = str(nc.get_source_display())
    if nc.finding_id:
        source += f" — {nc.finding.code}"
    elif nc.origin_label:
        source += f" — {nc.origin_label}"
    facts = [
        (pgettext("DÖF", "Number"), nc.code),
        (pgettext("DÖF", "Title"), nc.title),
        (pgettext("DÖF", "State"), str(nc.get_state_display())),
        (pgettext("DÖF", "Source"), source),
        (_("Responsible unit"), nc.unit.name),
        (pgettext("DÖF", "Clause"), f"{nc.clause.reference} {nc.clause.title}" if nc.clause else ""),
        (pgettext("DÖF", "Severity"), str(nc.get_severity_display())),
        (_("Raised by"), _when(nc.raised_by, nc.raised_at)),
        (pgettext("DÖF", "Triaged"), _when(nc.triaged_by, nc.triaged_at)),
    ]
    if nc.cycle > 1:
        facts.append((pgettext("DÖF", "Cycle"), _("%(n)s (reopened after an ineffective check)") % {"n": nc.cycle}))
    flowables = [  # the letterhead names the form and the DÖF's number on every page
        facts_table(facts),
        Paragraph(escape(_("1. Nonconformity")), st.heading),
        _text(nc.description, st.body),
    ]
    if nc.state == NCState.REJECTED:
        flowables += [
            Paragraph(escape(_("Rejected at triage")), st.heading),
            _text(nc.rejection_reason, st.body),
        ]

    flowables += [
        Paragraph(escape(_("2. Immediate correction")), st.heading),
        facts_table([
            (_("Immediate correction"), nc.immediate_correction),
            (_("Corrected on"), nc.correction_date),
        ]),
        Paragraph(escape(_("3. Root-cause analysis (5 whys)")), st.heading),
    ]
    whys = [(getattr(nc, name) or "").strip() for name in WHY_FIELDS]
    rows = [[index, why] for index, why in enumerate(whys, start=1) if why]
    if rows:
        flowables.append(data_table([_("No."), _("Why?")], rows, col_widths=["8%", "92%"]))
        flowables.append(Spacer(1, 4))
    flowables.append(facts_table([
        (_("Root cause"), nc.root_cause),
        (_("Cause category"), str(nc.get_cause_category_display()) if nc.cause_category else ""),
        (_("Analysed by"), _when(nc.cause_analysed_by, nc.cause_analysed_at)),
    ]))

    flowables.append(Paragraph(escape(_("4. Corrective actions")), st.heading))
    if actions:
        cycles = sorted({a.cycle for a in actions})
        headers = [_("No."), pgettext("DÖF", "Action"), pgettext("DÖF", "Owner"), pgettext("DÖF", "Due date"),
                   pgettext("DÖF", "State"), pgettext("DÖF", "Evidence"), _("Done by")]
        for cycle in cycles:
            if len(cycles) > 1 or nc.cycle > 1:
                flowables.append(Paragraph(escape(_("Cycle %(n)s") % {"n": cycle}), st.body))
            rows = []
            for index, action in enumerate([a for a in actions if a.cycle == cycle], start=1):
                state = str(action.get_state_display())
                if action.state == ActionState.CANCELLED and action.cancel_reason:
                    state += f": {action.cancel_reason}"
                elif action.is_overdue and nc.is_open:
                    state += f" ({_('overdue')})"
                evidence = action.evidence
                names = [f.original_name for f in action.files.all()]
                if names:
                    files = _("Files: %(names)s") % {"names": ", ".join(names)}
                    evidence = f"{evidence} ({files})" if evidence else files
                rows.append([index, action.description, _person(action.owner), action.due_date, state, evidence,
                             _when(action.completed_by, action.completed_at)])
            flowables.append(data_table(headers, rows, col_widths=["5%", "25%", "13%", "12%", "12%", "19%", "14%"]))
            flowables.append(Spacer(1, 4))
    else:
        flowables.append(Paragraph(escape(_("No corrective action yet.")), st.body))

    flowables.append(Paragraph(escape(_("5. Effectiveness check")), st.heading))
    flowables.append(facts_table([(_("Effectiveness check on or after"), nc.effectiveness_due)]))
    flowables.append(Spacer(1, 4))
    verifier = None
    if checks:
        rows = []
        for check in checks:
            result = pgettext("DÖF", "Effective") if check.effective else _("Not effective (reopened)")
            rows.append([timezone.localtime(check.checked_at).date(), _person(check.checked_by), check.cycle, result,
                         check.note])
            if check.effective:
                verifier = (check.checked_by, check.checked_at)
        flowables.append(data_table(
            [pgettext("DÖF", "Date"), _("Checked by"), pgettext("DÖF", "Cycle"), pgettext("DÖF", "Result"),
             _("What was checked")],
            rows, col_widths=["13%", "18%", "8%", "18%", "43%"],
        ))
    else:
        flowables.append(Paragraph(escape(_("Not checked yet.")), st.body))

    flowables.append(Paragraph(escape(_("6. Closure")), st.heading))
    flowables.append(facts_table([(pgettext("DÖF", "Closed"), _when(nc.closed_by, nc.closed_at))]))
    flowables.append(Spacer(1, 10))
    flowables.append(KeepTogether([Paragraph(escape(_("Signatures")), st.heading), _signatures(nc, verifier)]))

    return build_pdf(
        title=_("Corrective and Preventive Action Form"),
        code=nc.code,
        flowables=flowables,
        user=user,
        subject=nc.title,
    )
