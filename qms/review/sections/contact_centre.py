"""The contact-centre item of the management-review input pack (ISO 18295-1): the call KPIs of the
period and the call-QA results, department-wide.

Call KPIs come from `kpi.callqa.engine.CallKpiEngine(user=None).compute` for the calls offered in
the period (ONE rollup query, grouped by line and month and regrouped in memory), with the
service-level definition the engine states, so the item shows what the contact-centre dashboard
shows for the same dates.

Call QA is shown as aggregates only. Evaluations are confidential (KVKK): the pack is read by top
management, who may not see an agent's evaluations, and it is frozen into the minutes. The report
functions of `kpi.callqa.reports` are built for a viewer and list agents (`team_summary`) or
evaluators (`evaluator_productivity`), and a department-wide pack has no viewer; so the figures are
counted here over the same records and the same fields those reports use (regular SUBMITTED
evaluations, calibration ones never; the score in force after a re-scored dispute; a mean over the
evaluations that have a score, rounded half up to two decimals; agents grouped by their team today),
and grouped no finer than the team. No agent's or evaluator's name or code enters the pack. The
evaluations counted are those of the calls offered in the period (the QA reports' month is the
call's month, so over whole months these are exactly the reports' evaluations).

Calibration: the sessions held in the period; a participant's deviation is their score minus the
session lead's, as `kpi.callqa.calibration.results` computes it, and the pack gives the mean of the
absolute deviations and how many were over the session's tolerance.

Stable keys (`Figure.key`, `Table.key`, `Chart.key`):

* call KPIs, by the engine's names: `offered`, `answered`, `abandoned`, `short_abandoned`,
  `service_level`, `answer_rate`, `abandon_rate` (rates as fractions 0..1), `asa`, `aht` (seconds),
  `outbound`; tables `lines`, `months`; chart `months`; the definition as the first notes.
* call QA: `qa_evaluations`, `qa_scored`, `qa_mean_score` (0-100), `qa_critical_fails`,
  `qa_critical_fail_rate` (0..1), `qa_disputes`, `qa_disputes_open`, `qa_disputes_upheld`,
  `qa_disputes_rescored`, `calibration_sessions`, `calibration_compared` (participants compared
  with their lead), `calibration_mean_deviation` (mean absolute deviation, points),
  `calibration_flagged`; tables `qa_teams`, `qa_months`; chart `qa_months`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kpi import charts
from kpi.callqa import call_charts
from kpi.callqa.engine import COUNTS, KPI_LABELS, KPI_NAMES, CallKpiEngine, definition_lines
from kpi.callqa.models import CalibrationSession, Dispute, Evaluation, EvaluationStatus
from kpi.callqa.report_charts import TrendSeries, score_trend_chart
from kpi.callqa.reports import CENT, months_between, regular_submitted
from kpi.scorecards import month_label
from qms.review.models import AgendaItemKind
from qms.review.pack import Chart, Figure, Link, Section, Table, section

CALL_FIGURES = ("offered", "answered", "abandoned", "short_abandoned", "service_level", "answer_rate",
                "abandon_rate", "asa", "aht", "outbound")
TABLE_KPIS = ("offered", "answered", "abandoned", "service_level", "abandon_rate", "asa", "aht")
TRENDS_MAX_MONTHS = 24  # the QA trends page shows at most this many months


def mean_score(total, count: int) -> Decimal | None:
    """The plain mean of scores, two decimals, half up (as kpi.callqa.reports writes a mean score)."""
    if not count or total is None:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def score_text(value) -> str:
    return charts.NO_VALUE if value is None else charts.format_number(value, 2)


def share_text(part: int, whole: int) -> str:
    return charts.format_percent(100 * part / whole) if whole else charts.NO_VALUE


# --- call KPIs ---------------------------------------------------------------------------------------


def call_part(date_from: dt.date, date_to: dt.date, data: Section) -> None:
    engine = CallKpiEngine(user=None)
    report = engine.compute(date_from=date_from, date_to=date_to, group_by=("line", "month"))
    total = report.total.values
    data.notes.extend(definition_lines(report.definition))
    for kpi in CALL_FIGURES:
        data.figures.append(Figure(label=str(KPI_LABELS[kpi]), value=call_charts.format_call_kpi(kpi, total[kpi]),
                                   raw=total[kpi], key=kpi))

    headers = [str(KPI_LABELS[kpi]) for kpi in TABLE_KPIS]
    by_line = report.regroup(("line",))
    data.tables.append(Table(
        title=_("Call KPIs by line"), columns=[pgettext("call line", "Line"), *headers],
        rows=[[row.keys["line"], *(call_charts.format_call_kpi(kpi, row.values[kpi]) for kpi in TABLE_KPIS)]
              for row in by_line.rows],
        key="lines"))

    by_month = {row.keys["month"]: row for row in report.regroup(("month",)).rows}
    empty = {kpi: 0 if kpi in COUNTS else None for kpi in KPI_NAMES}  # a month without calls
    rows, points = [], []
    for month in months_between(date_from, date_to):
        row = by_month.get(f"{month:%Y-%m}")
        values = row.values if row else empty
        rows.append([month_label(month), *(call_charts.format_call_kpi(kpi, values[kpi]) for kpi in TABLE_KPIS)])
        points.append(call_charts.CallPoint(
            axis_label=MONTHS_3[month.month].capitalize(), label=month_label(month), offered=values["offered"],
            answered=values["answered"], abandoned=values["abandoned"], service_level=values["service_level"]))
    data.tables.append(Table(title=_("Call KPIs by month"), columns=[pgettext("KPI period", "Month"), *headers],
                             rows=rows, key="months"))
    title = _("Calls offered and the service level by month")
    data.charts.append(Chart(title=title, key="months", svg=call_charts.call_series_chart(
        points, chart_id="review-calls-months", title=title,
        description=_("Stacked bars: calls answered and abandoned each month (together the calls offered); line: "
                      "the service level. The table of call KPIs by month gives every figure."),
        period_header=pgettext("KPI period", "Month"))))
    query = urlencode({"period": "range", "date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    data.links.append(Link(_("Contact-centre KPI dashboard for the period"),
                           reverse("callqa:dashboard") + "?" + query))


# --- call QA, aggregated -------------------------------------------------------------------------------


@dataclass
class Tally:
    evaluations: int = 0
    scored: int = 0
    total: Decimal = Decimal(0)
    critical: int = 0

    def add(self, row: dict) -> None:
        self.evaluations += row["n"]
        self.scored += row["scored"]
        self.total += row["total"] or Decimal(0)
        self.critical += row["critical"]

    @property
    def mean(self) -> Decimal | None:
        return mean_score(self.total, self.scored)


@dataclass
class QaFigures:
    """The department's call-QA figures of a period (no agent or evaluator in them)."""

    department: Tally = field(default_factory=Tally)
    teams: list[tuple[str, Tally]] = field(default_factory=list)
    months: dict[dt.date, Tally] = field(default_factory=dict)
    disputes: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    deviations: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (deviation, tolerance)

    @property
    def mean_deviation(self) -> Decimal | None:
        if not self.deviations:
            return None
        return (sum(abs(d) for d, _tolerance in self.deviations) / len(self.deviations)).quantize(CENT)

    @property
    def flagged(self) -> int:
        return sum(1 for d, tolerance in self.deviations if abs(d) > tolerance)


TALLY = {"n": Count("pk"), "scored": Count("score"), "total": Sum("score"),
         "critical": Count("pk", filter=Q(critical_failed=True))}


def qa_figures(date_from: dt.date, date_to: dt.date) -> QaFigures:
    """Counted over kpi.callqa.models directly (see the module's text for why). Five queries."""
    evaluations = regular_submitted().filter(call__offered_on__range=(date_from, date_to))
    found = QaFigures()
    teams: dict[int | None, tuple[str, Tally]] = {}
    for row in evaluations.values("agent__team_id", "agent__team__name", "month").annotate(**TALLY).order_by():
        found.department.add(row)
        team_id = row["agent__team_id"]
        if team_id not in teams:
            teams[team_id] = (row["agent__team__name"] or _("No team"), Tally())
        teams[team_id][1].add(row)
        found.months.setdefault(row["month"], Tally()).add(row)
    found.teams = [teams[key] for key in sorted(teams, key=lambda key: (key is None, teams[key][0].casefold()))]
    found.disputes = dict(Dispute.objects.filter(evaluation__in=evaluations.values("pk")).values("status")
                          .annotate(n=Count("pk")).order_by().values_list("status", "n"))
    sessions = CalibrationSession.objects.filter(held_on__range=(date_from, date_to))
    found.sessions = sessions.count()
    scores: dict[int, list] = {}
    for session_id, evaluator_id, lead_id, tolerance, score in (
            Evaluation.objects.filter(session__in=sessions, status=EvaluationStatus.SUBMITTED)
            .values_list("session_id", "evaluator_id", "session__lead_id", "session__tolerance", "score")):
        entry = scores.setdefault(session_id, [None, tolerance, []])
        if evaluator_id == lead_id:
            entry[0] = score
        else:
            entry[2].append(score)
    for lead_score, tolerance, others in scores.values():
        if lead_score is None:
            continue
        found.deviations += [((score - lead_score).quantize(CENT), tolerance) for score in others if score is not None]
    return found


def qa_part(date_from: dt.date, date_to: dt.date, data: Section) -> None:
    qa = qa_figures(date_from, date_to)
    department = qa.department
    mean = department.mean
    disputes = qa.disputes
    count = charts.format_number
    rate = department.critical / department.evaluations if department.evaluations else None
    deviation = qa.mean_deviation
    data.figures += [
        Figure(label=_("Call evaluations submitted"), value=count(department.evaluations),
               raw=department.evaluations, key="qa_evaluations"),
        Figure(label=_("Call evaluations with a score"), value=count(department.scored), raw=department.scored,
               key="qa_scored"),
        Figure(label=_("Mean QA score (0-100)"), value=score_text(mean), raw=None if mean is None else float(mean),
               key="qa_mean_score"),
        Figure(label=_("Evaluations with a critical fail"), value=count(department.critical), raw=department.critical,
               key="qa_critical_fails"),
        Figure(label=_("Critical-fail rate"), value=share_text(department.critical, department.evaluations),
               raw=None if rate is None else round(rate, 4), key="qa_critical_fail_rate"),
        Figure(label=_("Disputes raised by agents"), value=count(sum(disputes.values())), raw=sum(disputes.values()),
               key="qa_disputes"),
        Figure(label=_("Disputes still open"), value=count(disputes.get(Dispute.Status.OPEN, 0)),
               raw=disputes.get(Dispute.Status.OPEN, 0), key="qa_disputes_open"),
        Figure(label=_("Disputes upheld (the score stands)"), value=count(disputes.get(Dispute.Status.UPHELD, 0)),
               raw=disputes.get(Dispute.Status.UPHELD, 0), key="qa_disputes_upheld"),
        Figure(label=_("Disputes re-scored"), value=count(disputes.get(Dispute.Status.RESCORED, 0)),
               raw=disputes.get(Dispute.Status.RESCORED, 0), key="qa_disputes_rescored"),
        Figure(label=_("Calibration sessions held"), value=count(qa.sessions), raw=qa.sessions,
               key="calibration_sessions"),
        Figure(label=_("Calibration scores compared with the lead's"), value=count(len(qa.deviations)),
               raw=len(qa.deviations), key="calibration_compared"),
        Figure(label=_("Mean calibration deviation from the lead (points)"), value=score_text(deviation),
               raw=None if deviation is None else float(deviation), key="calibration_mean_deviation"),
        Figure(label=_("Calibration scores over the tolerance"), value=count(qa.flagged), raw=qa.flagged,
               key="calibration_flagged"),
    ]
    columns = [_("Evaluations"), _("Mean score"), _("Critical fails"), _("Critical-fail rate")]

    def cells(tally: Tally) -> list[str]:
        return [count(tally.evaluations), score_text(tally.mean), count(tally.critical),
                share_text(tally.critical, tally.evaluations)]

    team_rows = [[label, *cells(tally)] for label, tally in qa.teams]
    if qa.teams:
        team_rows.append([_("Department (all teams)"), *cells(department)])
    data.tables.append(Table(title=_("Call-QA results by team"), columns=[_("Team"), *columns], rows=team_rows,
                             key="qa_teams"))
    months = months_between(date_from, date_to)
    data.tables.append(Table(title=_("Call-QA results by month"), columns=[pgettext("KPI period", "Month"), *columns],
                             rows=[[month_label(m), *cells(qa.months.get(m, Tally()))] for m in months],
                             key="qa_months"))
    labels = [month_label(m) for m in months]
    title = _("Mean QA score per month")
    series = [TrendSeries(label=_("Department (all teams)"), is_total=True,
                          values=[None if qa.months.get(m, Tally()).mean is None else float(qa.months[m].mean)
                                  for m in months],
                          counts=[qa.months.get(m, Tally()).evaluations for m in months])]
    data.charts.append(Chart(title=title, key="qa_months", svg=score_trend_chart(
        series, month_labels=labels, axis_labels=[f"{MONTHS_3[m.month].capitalize()} {m:%y}" for m in months],
        chart_id="review-qa-months", title=title,
        description=_("The department's mean score (0-100) of the submitted call evaluations per month. The table "
                      "of call-QA results by month gives every figure."))))
    reports_query = ""
    if len(months) <= TRENDS_MAX_MONTHS:
        reports_query = "?" + urlencode({"start": f"{months[0]:%Y-%m}", "end": f"{months[-1]:%Y-%m}"})
    data.links += [
        Link(_("Call-QA reports"), reverse("callqa:reports")),
        Link(_("QA score trends for the period"), reverse("callqa:report_trends") + reports_query),
        Link(_("Calibration sessions"), reverse("callqa:calibration")),
    ]
    data.notes.append(_("Call QA: the submitted evaluations of the calls offered in the period (calibration "
                        "evaluations not counted), by team; scores as in force after disputes. Individual results "
                        "stay in the QA reports, for those who may see them."))


@section(AgendaItemKind.CONTACT_CENTRE)
def contact_centre(review) -> Section:
    """The call KPIs of the period and the call-QA results (team and department aggregates)."""
    data = Section()
    call_part(review.period_start, review.period_end, data)
    qa_part(review.period_start, review.period_end, data)
    return data
