"""Input-pack sections from the audits app: nonconformities and corrective actions, and audit results.

Both read the review's period department-wide through the audits app's public querysets and
`audits.queries` (`overdue_actions`, `programme_completion`, `clause_coverage`), never a reader's
scope: the pack is the department's. Each builder runs a fixed number of queries whatever the number
of DÖFs, actions, audits and findings (tests pin it).

A day of the period runs from local midnight to local midnight (`audits.queries.start_of_day`).
State figures ("open", "overdue") are taken at the period's end, or today while the period is
still running (`as_of`).

Figure keys of **nonconformities** (ISO 9001 9.3.2 c 2):

- `dofs_raised`: DÖFs raised in the period (those the management representative rejected at triage
  are left out: they were found not to be nonconformities);
- `dofs_rejected`: DÖFs raised in the period and rejected;
- `dofs_closed`: DÖFs closed in the period;
- `dofs_open_at_end`: DÖFs raised by the end of the period and neither closed nor rejected by then;
- `actions_overdue`: planned corrective actions of open DÖFs past their due date on `as_of`
  (`audits.queries.overdue_actions`);
- `checks_effective` / `checks_not_effective`: effectiveness checks recorded in the period;
- `avg_days_to_close`: mean days from raising to closing of the DÖFs closed in the period.

Tables: `dofs_by_source`, `dofs_by_unit`, `open_dofs` (with a link to each DÖF).

Figure keys of **audits** (ISO 9001 9.3.2 c 6):

- `audits_held`: audits in progress, reported or closed whose date (`audits.queries.audit_date`)
  falls in the period;
- `findings_major`, `findings_minor`, `findings_observation`, `findings_improvement`: the findings of
  those audits by type;
- `programme_completion` (percent), `programme_done`, `programme_total`: the audit programme of the
  period's last year (`audits.queries.programme_completion`);
- `external_audit_dofs`: DÖFs raised in the period from external audits (the audit programme holds
  internal audits only; see the note).

Tables: `audits_held` (with a link to each audit file), `programme` (one row per programme year of
the period), `clause_coverage` (one row per standard).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audits.models import (
    Audit,
    AuditState,
    EffectivenessCheck,
    FindingKind,
    NCState,
    Nonconformity,
    Source,
)
from audits.queries import (
    COVERAGE_WINDOW_DAYS,
    HELD_AUDIT_STATES,
    clause_coverage,
    overdue_actions,
    programme_completion,
    start_of_day,
)
from kpi.charts import NO_VALUE, format_number, format_percent
from qms.models import Standard
from qms.review.models import AgendaItemKind
from qms.review.pack import Figure, Link, Section, Table, section

# --- the period and the way figures are written (shared by the people and system sections) -------


def period_window(review) -> tuple[dt.datetime, dt.datetime]:
    """The period as instants: from the first day's local midnight up to (not including) the
    midnight after the last day."""
    return start_of_day(review.period_start), start_of_day(review.period_end + dt.timedelta(days=1))


def as_of(review) -> dt.date:
    """The day state figures are taken on: the period's last day, or today while it runs."""
    return min(review.period_end, timezone.localdate())


def period_years(review) -> list[int]:
    return list(range(review.period_start.year, review.period_end.year + 1))


def count_text(value) -> str:
    return NO_VALUE if value is None else format_number(value)


def percent_text(value, decimals: int = 0) -> str:
    return NO_VALUE if value is None else format_percent(value, decimals)


def decimal_text(value, decimals: int = 1) -> str:
    return NO_VALUE if value is None else format_number(value, decimals)


def day_text(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def url_or_none(name: str, *args, query: str = "") -> str | None:
    """An admin URL, or None when its app does not provide it (the pack still compiles)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def links(*pairs) -> list[Link]:
    return [Link(label=str(label), url=url) for label, url in pairs if url]


def audits_held_in(start: dt.date, end: dt.date):
    """Audits held from `start` to `end`: in progress, reported or closed, dated
    (`audits.queries.audit_date`: reported on, else started on, else planned start) in the range."""
    return Audit.objects.annotate(
        held_on=Coalesce("actual_end", "actual_start", "planned_start"),
    ).filter(state__in=HELD_AUDIT_STATES, held_on__gte=start, held_on__lte=end)


def raised_in(start: dt.datetime, end: dt.datetime) -> Q:
    """DÖFs raised in the period and not rejected."""
    return Q(raised_at__gte=start, raised_at__lt=end) & ~Q(state=NCState.REJECTED)


# --- nonconformities ------------------------------------------------------------------------------


def _dof_conditions(start: dt.datetime, end: dt.datetime) -> dict[str, Q]:
    return {
        "raised": raised_in(start, end),
        "rejected": Q(raised_at__gte=start, raised_at__lt=end, state=NCState.REJECTED),
        "closed": Q(state=NCState.CLOSED, closed_at__gte=start, closed_at__lt=end),
        # Open at the end: raised by then, not closed by then, not rejected by then (a rejection is
        # made at triage, so `triaged_at` dates it).
        "open": Q(raised_at__lt=end)
        & ~Q(state=NCState.CLOSED, closed_at__lt=end)
        & ~Q(state=NCState.REJECTED, triaged_at__lt=end),
    }


def _counts(conditions: dict[str, Q]) -> dict:
    return {name: Count("pk", filter=condition) for name, condition in conditions.items()}


@section(AgendaItemKind.NONCONFORMITIES)
def nonconformities(review) -> Section:
    start, end = period_window(review)
    on = as_of(review)
    conditions = _dof_conditions(start, end)
    relevant = Nonconformity.objects.filter(raised_at__lt=end).order_by()

    by_source = {row["source"]: row for row in relevant.values("source").annotate(**_counts(conditions))}
    totals = {name: sum(row[name] for row in by_source.values()) for name in conditions}
    by_unit = list(
        relevant.values("unit_id", "unit__code", "unit__name", "unit__path")
        .annotate(**_counts(conditions))
        .filter(Q(raised__gt=0) | Q(closed__gt=0) | Q(open__gt=0))
        .order_by("unit__path")
    )
    open_dofs = list(
        Nonconformity.objects.filter(conditions["open"]).select_related("unit").order_by("raised_at", "pk")
    )
    closed_spans = [
        (closed_at - raised_at).total_seconds() / 86400
        for raised_at, closed_at in Nonconformity.objects.filter(conditions["closed"])
        .values_list("raised_at", "closed_at")
    ]
    average_days = round(sum(closed_spans) / len(closed_spans), 1) if closed_spans else None
    overdue = overdue_actions(on).count()
    checks = EffectivenessCheck.objects.filter(checked_at__gte=start, checked_at__lt=end).aggregate(
        found_effective=Count("pk", filter=Q(effective=True)),
        found_not_effective=Count("pk", filter=Q(effective=False)),
    )

    figures = [
        Figure(_("DÖFs raised in the period"), count_text(totals["raised"]), totals["raised"], key="dofs_raised"),
        Figure(_("DÖFs closed in the period"), count_text(totals["closed"]), totals["closed"], key="dofs_closed"),
        Figure(_("DÖFs open at the end of the period"), count_text(totals["open"]), totals["open"],
               key="dofs_open_at_end"),
        Figure(_("DÖFs rejected at triage"), count_text(totals["rejected"]), totals["rejected"],
               key="dofs_rejected"),
        Figure(_("Corrective actions overdue"), count_text(overdue), overdue, key="actions_overdue"),
        Figure(_("Effectiveness checks: effective"), count_text(checks["found_effective"]), checks["found_effective"],
               key="checks_effective"),
        Figure(_("Effectiveness checks: not effective"), count_text(checks["found_not_effective"]),
               checks["found_not_effective"], key="checks_not_effective"),
        Figure(_("Average days to close a DÖF"), decimal_text(average_days), average_days, key="avg_days_to_close"),
    ]
    columns = [pgettext("review pack", "Raised"), pgettext("review pack", "Closed"), _("Open at the end of the period")]
    source_rows = []
    for value, label in Source.choices:
        row = by_source.get(value, {})
        source_rows.append([str(label), *(count_text(row.get(name, 0)) for name in ("raised", "closed", "open"))])
    unit_rows = [
        [f'{row["unit__code"]} {row["unit__name"]}', *(count_text(row[name]) for name in ("raised", "closed", "open"))]
        for row in by_unit
    ]
    open_rows, open_links = [], []
    for nc in open_dofs:
        age = (on - timezone.localtime(nc.raised_at).date()).days
        open_rows.append([nc.code, nc.title, nc.unit.code, str(NCState(nc.state).label), count_text(max(age, 0))])
        open_links.append(reverse("audits:nonconformity", args=[nc.pk]))
    tables = [
        Table(_("DÖFs by source"), [_("Source"), *columns], source_rows, key="dofs_by_source"),
        Table(_("DÖFs by responsible unit"), [_("Unit"), *columns], unit_rows, key="dofs_by_unit"),
        Table(_("DÖFs open at the end of the period"),
              [_("Number"), pgettext("review pack", "Title"), _("Unit"), _("Current state"), _("Age (days)")],
              open_rows, links=open_links, key="open_dofs"),
    ]
    notes = [
        _("A DÖF counts as open at the end of the period when it was raised by then and neither closed nor "
          "rejected by then; its state is shown as it is today."),
        _("Overdue corrective actions are the planned actions of open DÖFs whose due date had passed on "
          "%(date)s.") % {"date": day_text(on)},
    ]
    return Section(
        figures=figures, tables=tables, notes=notes,
        links=links((_("DÖF list"), url_or_none("audits:nonconformities"))),
    )


# --- audits ---------------------------------------------------------------------------------------

FINDING_KEYS = {
    FindingKind.MAJOR: "findings_major",
    FindingKind.MINOR: "findings_minor",
    FindingKind.OBSERVATION: "findings_observation",
    FindingKind.IMPROVEMENT: "findings_improvement",
}


@section(AgendaItemKind.AUDITS)
def audits(review) -> Section:
    start, end = period_window(review)
    on = as_of(review)
    finding_counts = {
        key: Count("findings", filter=Q(findings__kind=kind), distinct=True) for kind, key in FINDING_KEYS.items()
    }
    held = list(
        audits_held_in(review.period_start, review.period_end)
        .select_related("programme", "lead_auditor")
        .prefetch_related("units")
        .annotate(**finding_counts)
        .order_by("held_on", "programme__year", "number")
    )
    findings = {key: sum(getattr(audit, key) for audit in held) for key in FINDING_KEYS.values()}
    completions = [programme_completion(year) for year in period_years(review)]
    last = completions[-1]
    external = Nonconformity.objects.filter(raised_in(start, end), source=Source.EXTERNAL_AUDIT).count()
    coverage = [clause_coverage(standard, on) for standard in Standard.objects.order_by("code")]

    figures = [
        Figure(_("Audits held in the period"), count_text(len(held)), len(held), key="audits_held"),
        *(
            Figure(str(label), count_text(findings[FINDING_KEYS[kind]]), findings[FINDING_KEYS[kind]],
                   key=FINDING_KEYS[kind])
            for kind, label in FindingKind.choices
        ),
        Figure(_("Audit programme %(year)s completed") % {"year": last.year}, percent_text(last.percent),
               last.percent, key="programme_completion"),
        Figure(_("Audits of the %(year)s programme reported or closed") % {"year": last.year},
               count_text(last.done), last.done, key="programme_done"),
        Figure(_("Audits in the %(year)s programme (not cancelled)") % {"year": last.year},
               count_text(last.total), last.total, key="programme_total"),
        Figure(_("DÖFs raised from external audits"), count_text(external), external, key="external_audit_dofs"),
    ]
    audit_rows, audit_links = [], []
    for audit in held:
        lead = audit.lead_auditor.get_full_name() or audit.lead_auditor.get_username()
        audit_rows.append([
            audit.code, audit.title, ", ".join(unit.code for unit in audit.units.all()), lead,
            day_text(audit.held_on), str(AuditState(audit.state).label),
            *(count_text(getattr(audit, key)) for key in FINDING_KEYS.values()),
        ])
        audit_links.append(reverse("audits:audit", args=[audit.pk]))
    states = [state for state in AuditState.values]
    programme_rows = [
        [str(c.year), count_text(c.total), count_text(c.done), percent_text(c.percent),
         *(count_text(c.by_state[state]) for state in states)]
        for c in completions
    ]
    programme_links = [url_or_none("audits:programme_year", c.year) for c in completions]
    coverage_rows = [
        [f"{report.standard} {report.standard.title}", count_text(report.requirement_clauses),
         count_text(report.not_audited)]
        for report in coverage
    ]
    coverage_links = [url_or_none("audits:clause_coverage", query=f"standard={report.standard.pk}")
                      for report in coverage]
    tables = [
        Table(_("Audits held in the period"),
              [_("Number"), pgettext("review pack", "Title"), _("Audited units"), _("Lead auditor"), _("Date"),
               _("State"), *(str(label) for _kind, label in FindingKind.choices)],
              audit_rows, links=audit_links, key="audits_held"),
        Table(_("Audit programme completion"),
              [_("Year"), _("Audits (not cancelled)"), _("Reported or closed"), _("Completion"),
               *(str(AuditState(state).label) for state in states)],
              programme_rows, links=programme_links, key="programme"),
        Table(_("Clause coverage on %(date)s") % {"date": day_text(on)},
              [_("Standard"), _("Requirement clauses"),
               _("Not audited in the last %(days)s days") % {"days": COVERAGE_WINDOW_DAYS}],
              coverage_rows, links=coverage_links, key="clause_coverage"),
    ]
    notes = [
        _("The audit programme records internal audits only. External (certification) audit results are "
          "followed as DÖFs with the source “External audit” (counted above); the narrative reports the "
          "external audits themselves."),
        _("An audit is dated by its report, else its start, else its planned start; findings are those of "
          "the audits held in the period."),
    ]
    return Section(
        figures=figures, tables=tables, notes=notes,
        links=links(
            *((_("Audit programme %(year)s") % {"year": c.year}, url_or_none("audits:programme_year", c.year))
              for c in completions),
            (_("Audits"), url_or_none("audits:audit_list")),
            (_("Clause coverage"), url_or_none("audits:clause_coverage")),
        ),
    )
