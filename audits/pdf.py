"""PDFs of the audits app: the audit report (a frozen version, or the draft before sign-off) and
the year's audit programme. All are laid out by `qms.pdf.build_pdf` (letterhead, embedded font,
"Page x / y").

The signed-off report is printed ONLY from `AuditReport.snapshot` and the report row itself
(version, sign-off time, change note) plus the earlier versions' rows, which are frozen too: a
later change to the audit, its findings or its people never alters a version once signed off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from audits.models import AnswerResult, AuditState, FindingKind
from qms.pdf import PRINT_TIME_ZONE, build_pdf, data_table, facts_table, signature_table, styles

__all__ = ["DRAFT_MARK", "audit_report_pdf", "audit_report_preview_pdf", "programme_grid", "programme_pdf"]

# Printed on the preview of an unsigned report, in both languages whatever the reader's (a draft
# copy must never be mistaken for the signed report, by anyone).
DRAFT_MARK = "TASLAK / DRAFT"
DRAFT_COLOUR = colors.HexColor("#9B1C1C")  # dark red on white: contrast > 7:1


# --- helpers --------------------------------------------------------------------------------


def _day(value: str | date | None) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y")


def _period(start, end) -> str:
    start, end = _day(start), _day(end)
    return start if start == end else f"{start} – {end}"


def _lines(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text (with its line breaks) as one Paragraph."""
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _bullets(items: Iterable[str], style: ParagraphStyle) -> Paragraph | str:
    items = [item for item in items if item]
    if not items:
        return "—"
    return Paragraph("<br/>".join(f"• {escape(item)}" for item in items), style)


def _kind_label(finding: dict) -> str:
    try:
        return str(FindingKind(finding.get("kind")).label)
    except ValueError:
        return finding.get("kind_label") or finding.get("kind") or ""


# --- the audit report -----------------------------------------------------------------------


def _report_flowables(snapshot: dict, *, version: int, signed_off_at=None, change_note: str = "",
                      history: list[tuple[int, Any, str, str]] = (), draft: bool = False) -> list[Flowable]:
    st = styles()
    flowables: list[Flowable] = []
    if draft:
        mark = ParagraphStyle("audits-draft", parent=st.title, fontSize=22, leading=26, textColor=DRAFT_COLOUR,
                              alignment=1, borderColor=DRAFT_COLOUR, borderWidth=1.5, borderPadding=6,
                              spaceBefore=4, spaceAfter=12)
        flowables += [
            Paragraph(escape(DRAFT_MARK), mark),
            Paragraph(escape(_("This is a preview of the report's current content. It is not signed off and "
                               "is not a record.")), st.small),
        ]
    flowables.append(Paragraph(escape(f"{snapshot.get('code', '')} — {snapshot.get('title', '')}"), st.title))

    when = ""
    if signed_off_at is not None:
        when = timezone.localtime(signed_off_at, PRINT_TIME_ZONE).strftime("%d.%m.%Y %H:%M")
    facts: list[tuple[str, Any]] = [
        (_("Audit number"), snapshot.get("code", "")),
        (_("Report version"), str(version) + (f" ({DRAFT_MARK})" if draft else "")),
        (_("Audited units"), _bullets(snapshot.get("units", []), st.table_cell)),
        (_("Processes"), _bullets(snapshot.get("processes", []), st.table_cell)),
        (_("Clauses"), _bullets(snapshot.get("clauses", []), st.table_cell)),
        (_("Lead auditor"), snapshot.get("lead_auditor", "")),
        (_("Audit team"), ", ".join(snapshot.get("team", [])) or "—"),
        (_("Planned dates"), _period(snapshot.get("planned_start"), snapshot.get("planned_end"))),
        (_("Actual dates"), _period(snapshot.get("actual_start"), snapshot.get("actual_end"))),
    ]
    if when:
        facts.append((_("Signed off"), f"{when} — {snapshot.get('lead_auditor', '')}"))
    flowables += [facts_table(facts), Spacer(1, 3 * mm)]

    if change_note or history:
        flowables.append(Paragraph(escape(_("Changes in this version")), st.heading))
        if change_note:
            flowables.append(_lines(change_note, st.body))
        if history:
            rows = [[str(v), at, who, note or "—"] for v, at, who, note in history]
            flowables.append(data_table([_("Version"), _("Signed off"), _("Signed off by"), _("What changed")], rows,
                                        col_widths=["10%", "18%", "22%", "50%"]))

    flowables.append(Paragraph(escape(_("Summary and conclusion")), st.heading))
    flowables.append(_lines(snapshot.get("summary") or "—", st.body))

    flowables.append(Paragraph(escape(_("Checklist answers")), st.heading))
    counts = snapshot.get("answer_counts", {})
    flowables.append(data_table(
        [str(AnswerResult.CONFORMING.label), str(AnswerResult.NONCONFORMING.label),
         str(AnswerResult.OBSERVATION.label), str(AnswerResult.NOT_APPLICABLE.label), _("Questions")],
        [[counts.get(AnswerResult.CONFORMING, 0), counts.get(AnswerResult.NONCONFORMING, 0),
          counts.get(AnswerResult.OBSERVATION, 0), counts.get(AnswerResult.NOT_APPLICABLE, 0),
          snapshot.get("questions", 0)]],
        col_widths=["20%"] * 5,
    ))

    findings = snapshot.get("findings", [])
    flowables.append(Paragraph(escape(_("Findings")), st.heading))
    if findings:
        rows = [
            [f.get("code", ""), _kind_label(f), f.get("unit", ""), f.get("clause", "") or "—",
             _lines(f.get("statement", ""), st.table_cell), _lines(f.get("evidence", "") or "—", st.table_cell),
             f.get("nonconformity", "") or "—"]
            for f in findings
        ]
        flowables.append(data_table(
            [_("No."), _("Type"), _("Unit"), _("Clause"), _("Finding"), _("Evidence"), _("DÖF no.")], rows,
            col_widths=["12%", "13%", "13%", "10%", "23%", "18%", "11%"],
        ))
    else:
        flowables.append(Paragraph(escape(_("No findings were recorded.")), st.body))

    flowables.append(Spacer(1, 4 * mm))
    flowables.append(KeepTogether([
        Paragraph(escape(_("Sign-off")), st.heading),
        signature_table([
            (_("Lead auditor"), snapshot.get("lead_auditor", ""), when),
            (_("Unit manager"), "", ""),
            (_("Management representative"), "", ""),
        ]),
    ]))
    return flowables


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def audit_report_pdf(report, *, user=None) -> bytes:
    """A signed-off version of an audit report, from its frozen snapshot and its own row (version,
    sign-off time, change note); from version 2 on, the history of the versions up to this one
    (their rows are frozen too, and names come from their snapshots, so renaming a person or
    signing off a later version never changes this PDF). `user` is named in the footer as who
    printed it (nobody when it is mailed)."""
    snapshot = report.snapshot or {}
    earlier = []
    if report.version > 1:
        earlier = [
            (version, timezone.localtime(at, PRINT_TIME_ZONE).strftime("%d.%m.%Y %H:%M"),
             (frozen or {}).get("lead_auditor", ""), note)
            for version, at, frozen, note in type(report).objects
            .filter(audit_id=report.audit_id, version__lte=report.version).order_by("version")
            .values_list("version", "signed_off_at", "snapshot", "change_note")
        ]
    flowables = _report_flowables(
        snapshot, version=report.version, signed_off_at=report.signed_off_at, change_note=report.change_note,
        history=earlier,
    )
    return build_pdf(
        title=_("Internal Audit Report"), code=snapshot.get("code", ""), flowables=flowables, user=user,
        subject=f"{snapshot.get('code', '')} {snapshot.get('title', '')}",
        footer_note=_("Version %(version)s") % {"version": report.version},
    )


def audit_report_preview_pdf(audit, *, user=None) -> bytes:
    """The report as it would be signed off now, marked as a draft on every page."""
    from audits.services import audit_snapshot

    snapshot = audit_snapshot(audit)
    last = audit.reports.order_by("-version").values_list("version", flat=True).first() or 0
    flowables = _report_flowables(snapshot, version=last + 1, draft=True)
    return build_pdf(
        title=_("Internal Audit Report") + f" — {DRAFT_MARK}", code=snapshot["code"], flowables=flowables,
        user=user, subject=f"{snapshot['code']} {snapshot['title']}", footer_note=DRAFT_MARK,
    )


# --- the programme --------------------------------------------------------------------------


def programme_grid(audits: Iterable) -> list[tuple[Any, list[list]]]:
    """Rows of the year grid: (unit, twelve lists of audits starting that month), units in tree
    order. An audit of several units appears in each unit's row. Reads only what is given
    (audits with their `units` prefetched), so it runs no query of its own."""
    cells: dict[int, list[list]] = defaultdict(lambda: [[] for _m in range(12)])
    units = {}
    for audit in audits:
        for unit in audit.units.all():
            units[unit.pk] = unit
            cells[unit.pk][audit.planned_start.month - 1].append(audit)
    return [(unit, cells[unit.pk]) for unit in sorted(units.values(), key=lambda u: u.path)]


def _name(user) -> str:
    return _person(user) or "—"


def programme_pdf(programme, audits: Iterable, *, user=None) -> bytes:
    """The year's programme (landscape): the months x units grid and the list of audits with
    dates, units, lead auditor, team and state. `audits` come with `units`, `team` and
    `lead_auditor` loaded (the view decides which: the published plan leaves out cancelled ones)."""
    st = styles()
    audits = list(audits)
    small = ParagraphStyle("audits-grid", parent=st.table_cell, fontSize=7, leading=8.5)
    head = ParagraphStyle("audits-grid-head", parent=st.table_header, fontSize=7, leading=8.5)
    flowables: list[Flowable] = [Paragraph(escape(str(programme)), st.title)]
    if programme.objectives:
        flowables += [Paragraph(escape(_("Objectives and criteria")), st.heading), _lines(programme.objectives,
                                                                                            st.body)]
    live = [a for a in audits if a.state != AuditState.CANCELLED]
    if live:
        done = sum(1 for a in live if a.state in (AuditState.REPORTED, AuditState.CLOSED))
        flowables.append(Paragraph(escape(
            _("%(done)s of %(total)s audits reported or closed (%(percent)s%%).")
            % {"done": done, "total": len(live), "percent": round(100 * done / len(live))}), st.body))
    flowables.append(Paragraph(escape(_("Programme by month")), st.heading))
    if audits:
        grid = programme_grid(audits)
        headers = [Paragraph(escape(_("Unit")), head)] + [Paragraph(escape(str(MONTHS[m])), head)
                                                           for m in range(1, 13)]
        rows = []
        for unit, months in grid:
            row = [Paragraph(escape(unit.name), small)]
            for month in months:
                row.append(Paragraph("<br/>".join(escape(a.code) for a in month), small) if month else "")
            rows.append(row)
        flowables.append(data_table(headers, rows, col_widths=["16%"] + ["7%"] * 12))
        flowables.append(Paragraph(escape(_("Audits")), st.heading))
        list_rows = [
            [a.code, a.title, _period(a.planned_start, a.planned_end), ", ".join(u.name for u in a.units.all()),
             _name(a.lead_auditor), ", ".join(_name(m) for m in a.team.all()) or "—",
             str(AuditState(a.state).label)]
            for a in audits
        ]
        flowables.append(data_table(
            [_("No."), _("Audit"), _("Planned dates"), _("Audited units"), _("Lead auditor"), _("Audit team"),
             pgettext("audit", "State")],
            list_rows, col_widths=["9%", "22%", "13%", "20%", "12%", "14%", "10%"],
        ))
    else:
        flowables.append(Paragraph(escape(_("No audit is planned in this programme yet.")), st.body))
    return build_pdf(title=str(programme), code="", flowables=flowables, user=user, landscape=True,
                     subject=str(programme))
