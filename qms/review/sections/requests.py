"""The citizen-request items of the management-review input pack (ISO 10002 9.6, ISO 9001 9.3.2 c):
citizen satisfaction and feedback, the request KPIs against their targets, and the yearly data
analysis.

Every number comes from the kpi module's own readers, department-wide (`user=None`: the pack is
the department's, read by top management), for the requests created in the review's period:
`kpi.engine.KpiEngine.compute` for the first two items, `kpi.reports.year_analysis` for the third.
So an item shows exactly what the KPI dashboard, the unit scorecards and the yearly report show for
the same dates. Overdue figures are counted at the day the pack is compiled (the engine's report
date, as the dashboard does); the pack says so, and the figures are frozen on submission.

A figure with a department target (`kpi.models.KpiTarget`, unit empty) carries the target as the
scorecards write it and a status: "met" when the engine rates it green (at or better than the
target), "missed" when it rates it amber or red, "" when it has no target or rests on fewer
requests than the minimum sample (the engine does not rate those, and neither does the pack).

The engine keeps one on-time figure over every deadline (3, 7, 30 days and the legal ones): its
rollups are not split by deadline, so the pack reports the on-time rate the module reports.

Stable keys (`Figure.key`, `Table.key`, `Chart.key`):

* satisfaction: figures `satisfaction_avg` (1-5), `satisfied_rate` (share of scores 4-5, 0..1),
  `rated` (requests with a score), `created`, `complaints`, `suggestions`, `thanks` (requests of
  each type); tables `satisfaction_months`, `feedback_types`, `feedback_channels`; chart
  `satisfaction_months`.
* request_kpis: one figure per KPI the engine reports, keyed by its name (`kpi.models.Kpi`:
  `created`, `answered`, `due_or_answered`, `on_time`, `on_time_rate`, `mean_answer_hours`,
  `median_answer_hours`, `overdue_open`, `scheduled_overdue`, `returned_rate`, `satisfaction_avg`,
  `satisfied_rate`, `field_check_fail_rate`; rates as fractions 0..1, times in hours); table `units`
  (each top-level answering unit with the units under it); chart `units_on_time`.
* data_analysis, for each year Y the period touches: figures `Y:created` and `Y:<kpi>` for each of
  `kpi.reports.HEADLINE_KPIS`; tables `Y:indicators` (every KPI beside the year before, with the
  change), `Y:months`, `Y:channels`, `Y:types`, `Y:categories`; chart `Y:months`; the report's
  sentences as notes.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kpi import charts
from kpi.engine import RATED, KpiEngine, KpiRow, Rating, kpis_of, time_key, time_range
from kpi.models import Kpi
from kpi.reports import HEADLINE_KPIS, Compared, YearAnalysis, type_label, year_analysis
from kpi.scorecards import KPIS, behind_url, change_of, kpi_label, month_label, shown, target_text
from qms.review.models import AgendaItemKind
from qms.review.pack import Chart, Figure, Link, Section, Table, section

MET, MISSED = "met", "missed"
FEEDBACK_TYPES = (("complaints", "complaint"), ("suggestions", "suggestion"), ("thanks", "thanks"))


# --- shared pieces -------------------------------------------------------------------------------


def target_status(rating: str | None) -> str:
    """"met" for a green rating, "missed" for amber or red, "" when not rated (no target, small sample)."""
    if rating == Rating.GREEN:
        return MET
    if rating in (Rating.AMBER, Rating.RED):
        return MISSED
    return ""


def kpi_figure(engine: KpiEngine, row: KpiRow, kpi: str, *, key: str | None = None, label: str | None = None) -> Figure:
    """One KPI of a department-wide row, with the department's target and its status when it has one."""
    value = row.values[kpi]
    rating = row.ratings.get(kpi) if kpi in RATED else None
    target = engine.targets().get((kpi, None)) if kpi in RATED else None
    return Figure(label=label or kpi_label(kpi), value=charts.shown_value(kpi, value, rating), raw=value,
                  target=target_text(kpi, target) if target is not None else "", status=target_status(rating),
                  key=key or Kpi(kpi).value)


def months_of(date_from: dt.date, date_to: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Each month the period touches: (engine key "YYYY-MM", its first day, its last day within the period)."""
    found, day = [], date_from
    while day <= date_to:
        first, last = time_range("month", time_key("month", day))
        found.append((time_key("month", day), first, min(last, date_to)))
        day = last + dt.timedelta(days=1)
    return found


def period_text(date_from: dt.date, date_to: dt.date) -> str:
    return f"{date_from:%d.%m.%Y} – {date_to:%d.%m.%Y}"


def as_of_note(engine: KpiEngine) -> str:
    return _("Requests created in the period under review; overdue figures as at %(date)s. A rate or average "
             "over fewer than %(min)s requests is shown but not rated against its target.") % {
        "date": f"{engine.as_of:%d.%m.%Y}", "min": engine.min_sample}


def dashboard_link(year: int) -> Link:
    url = reverse("kpi:dashboard") + "?" + urlencode({"period": "year", "year": year})
    return Link(_("Request KPI dashboard, %(year)s") % {"year": year}, url)


# --- citizen satisfaction and feedback -----------------------------------------------------------


@section(AgendaItemKind.SATISFACTION)
def satisfaction(review) -> Section:
    """The satisfaction surveys (average score, share satisfied, how many answered) month by month,
    and the feedback received by type (complaints, suggestions, thanks ...) and by channel."""
    date_from, date_to = review.period_start, review.period_end
    engine = KpiEngine(user=None)
    total_report = engine.compute(date_from=date_from, date_to=date_to, group_by=("month",))
    total = total_report.total
    by_type = engine.compute(date_from=date_from, date_to=date_to, group_by=("type",))
    by_channel = engine.compute(date_from=date_from, date_to=date_to, group_by=("channel",))
    types = {row.keys["type"]: row for row in by_type.rows}

    figures = [
        kpi_figure(engine, total, Kpi.SATISFACTION_AVG),
        kpi_figure(engine, total, Kpi.SATISFIED_RATE),
        Figure(label=_("Requests with a satisfaction score"), value=charts.format_number(total.counters["sat_count"]),
               raw=total.counters["sat_count"], key="rated"),
        Figure(label=_("Requests received"), value=charts.format_number(total.values[Kpi.CREATED]),
               raw=total.values[Kpi.CREATED], key="created"),
    ]
    for key, code in FEEDBACK_TYPES:
        row = types.get(code)
        count = row.values[Kpi.CREATED] if row else 0
        figures.append(Figure(label=type_label(code), value=charts.format_number(count), raw=count, key=key))

    by_month = {row.keys["month"]: row for row in total_report.rows}
    month_rows, bars = [], []
    for key, first, last in months_of(date_from, date_to):
        row = by_month.get(key)
        counters = row.counters if row else {"sat_count": 0}
        average = row.values[Kpi.SATISFACTION_AVG] if row else None
        rate = row.values[Kpi.SATISFIED_RATE] if row else None
        rating = row.ratings.get(Kpi.SATISFIED_RATE) if row else None
        label = month_label(first)
        month_rows.append([label, charts.format_number(row.values[Kpi.CREATED] if row else 0),
                           charts.format_number(counters["sat_count"]), shown(Kpi.SATISFACTION_AVG, average),
                           charts.shown_value(Kpi.SATISFIED_RATE, rate, rating), charts.rating_label(rating) or "—"])
        bars.append(charts.Bar(label=label, value=None if rate is None else rate * 100,
                               text=charts.shown_value(Kpi.SATISFIED_RATE, rate, rating), rating=rating,
                               href=behind_url("satisfied", date_from=first, date_to=last, as_of=engine.as_of)))
    month_links = [behind_url("satisfaction", date_from=first, date_to=last, as_of=engine.as_of)
                   for _key, first, last in months_of(date_from, date_to)]
    tables = [Table(
        title=_("Satisfaction survey results by month"),
        columns=[pgettext("KPI period", "Month"), _("Requests created"), _("Requests with a satisfaction score"),
                 str(Kpi.SATISFACTION_AVG.label), str(Kpi.SATISFIED_RATE.label), _("Rating")],
        rows=month_rows, links=month_links, key="satisfaction_months")]

    def feedback_table(report, name: str, title: str, key: str, label_of, link_of) -> Table:
        rows, links = [], []
        for row in sorted(report.rows, key=lambda r: (-r.values[Kpi.CREATED], label_of(r))):
            rows.append([label_of(row), charts.format_number(row.values[Kpi.CREATED]),
                         charts.format_number(row.values[Kpi.ANSWERED]),
                         charts.shown_value(Kpi.ON_TIME_RATE, row.values[Kpi.ON_TIME_RATE],
                                            row.ratings.get(Kpi.ON_TIME_RATE)),
                         charts.format_number(row.counters["sat_count"]),
                         shown(Kpi.SATISFACTION_AVG, row.values[Kpi.SATISFACTION_AVG]),
                         shown(Kpi.SATISFIED_RATE, row.values[Kpi.SATISFIED_RATE])])
            links.append(link_of(row))
        return Table(title=title, columns=[name, _("Requests created"), str(Kpi.ANSWERED.label),
                                           str(Kpi.ON_TIME_RATE.label), _("Requests with a satisfaction score"),
                                           str(Kpi.SATISFACTION_AVG.label), str(Kpi.SATISFIED_RATE.label)],
                     rows=rows, links=links, key=key)

    def requests_of(**filters):
        from kpi.views.dashboard import drilldown_url

        return drilldown_url(date_from=date_from, date_to=date_to, figure="created", as_of=engine.as_of, **filters)

    tables.append(feedback_table(by_type, _("Type"), _("Feedback by request type"), "feedback_types",
                                 lambda row: type_label(row.keys["type"]),
                                 lambda row: requests_of(type_code=row.keys["type"])))
    tables.append(feedback_table(by_channel, _("Channel"), _("Feedback by channel"), "feedback_channels",
                                 lambda row: row.keys["channel"],
                                 lambda row: requests_of(channel=row.channel_id)))

    title = _("Satisfied rate by month")
    chart = charts.bar_chart(
        bars, chart_id="review-satisfaction-months", title=title,
        description=_("The share of satisfaction scores of 4 or 5 each month, with its rating against the target. "
                      "The table of survey results by month gives every figure."),
        label_header=pgettext("KPI period", "Month"), value_header=str(Kpi.SATISFIED_RATE.label), rated=True,
        maximum=100)
    return Section(
        figures=figures, tables=tables, charts=[Chart(title=title, svg=chart, key="satisfaction_months")],
        links=[dashboard_link(date_to.year),
               Link(_("Requests with a satisfaction score in the period"),
                    behind_url("satisfaction", date_from=date_from, date_to=date_to, as_of=engine.as_of)),
               Link(_("Complaints received in the period"), requests_of(type_code="complaint"))],
        notes=[as_of_note(engine)])


# --- request KPIs against targets ----------------------------------------------------------------


def top_units() -> dict[int, object]:
    """Each unit's top-level answering unit: the highest unit on its path that answers requests
    (the unit itself when none above it does). One query."""
    from qms.models import Unit

    units = list(Unit.objects.only("pk", "code", "name", "path", "depth", "answers_requests").order_by("path"))
    answering = sorted((unit for unit in units if unit.answers_requests), key=lambda unit: unit.depth)
    return {unit.pk: next((top for top in answering if unit.path.startswith(top.path)), unit) for unit in units}


@section(AgendaItemKind.REQUEST_KPIS)
def request_kpis(review) -> Section:
    """Every KPI the engine reports for the period beside the department's target, and the main
    figures of each top-level answering unit (its own requests and those of the units under it,
    as its scorecard counts them)."""
    date_from, date_to = review.period_start, review.period_end
    engine = KpiEngine(user=None)
    report = engine.compute(date_from=date_from, date_to=date_to, group_by=("unit",))
    figures = [kpi_figure(engine, report.total, kpi.value) for kpi in KPIS]

    tops = top_units()
    sums: dict[int, dict] = {}
    for row in report.rows:
        top = tops.get(row.unit_id)
        top_id = top.pk if top is not None else row.unit_id
        counters = sums.setdefault(top_id, dict.fromkeys(row.counters, 0))
        for name, value in row.counters.items():
            counters[name] += value
    units = {unit.pk: unit for unit in tops.values()}
    ordered = sorted(sums, key=lambda pk: units[pk].path if pk in units else "")
    rows, links, bars = [], [], []
    for unit_id in ordered:
        counters = sums[unit_id]
        values = kpis_of(counters)
        ratings = {kpi: engine.rate(kpi, values[kpi], counters, unit_id) for kpi in
                   (Kpi.ON_TIME_RATE, Kpi.RETURNED_RATE, Kpi.SATISFACTION_AVG)}
        unit = units.get(unit_id)
        code, name = (unit.code, unit.name) if unit else ("?", "")
        on_time = charts.shown_value(Kpi.ON_TIME_RATE, values[Kpi.ON_TIME_RATE], ratings[Kpi.ON_TIME_RATE])
        rows.append([f"{name} ({code})", charts.format_number(values[Kpi.CREATED]),
                     charts.format_number(values[Kpi.ANSWERED]), charts.format_number(values[Kpi.OVERDUE_OPEN]),
                     on_time, charts.rating_label(ratings[Kpi.ON_TIME_RATE]) or "—",
                     shown(Kpi.MEAN_ANSWER_HOURS, values[Kpi.MEAN_ANSWER_HOURS]),
                     charts.shown_value(Kpi.RETURNED_RATE, values[Kpi.RETURNED_RATE], ratings[Kpi.RETURNED_RATE]),
                     charts.shown_value(Kpi.SATISFACTION_AVG, values[Kpi.SATISFACTION_AVG],
                                        ratings[Kpi.SATISFACTION_AVG])])
        links.append(behind_url(Kpi.CREATED, date_from=date_from, date_to=date_to, as_of=engine.as_of,
                                unit_code=code) if unit else None)
        rate = values[Kpi.ON_TIME_RATE]
        bars.append(charts.Bar(label=name, note=code, value=None if rate is None else rate * 100, text=on_time,
                               rating=ratings[Kpi.ON_TIME_RATE],
                               href=behind_url(Kpi.ON_TIME_RATE, date_from=date_from, date_to=date_to,
                                               as_of=engine.as_of, unit_code=code) if unit else ""))
    table = Table(
        title=_("Request KPIs by answering unit (with the units under it)"),
        columns=[_("Unit"), _("Requests created"), str(Kpi.ANSWERED.label), str(Kpi.OVERDUE_OPEN.label),
                 str(Kpi.ON_TIME_RATE.label), _("Rating"), str(Kpi.MEAN_ANSWER_HOURS.label),
                 str(Kpi.RETURNED_RATE.label), str(Kpi.SATISFACTION_AVG.label)],
        rows=rows, links=links, key="units")
    bars.sort(key=lambda b: (b.value is None, b.value or 0, b.label))
    title = _("On-time rate by answering unit")
    chart = charts.bar_chart(
        bars, chart_id="review-units-on-time", title=title,
        description=_("The share of requests answered on time of those due or answered, by answering unit, lowest "
                      "first, with each unit's rating against its target."),
        label_header=_("Unit"), value_header=str(Kpi.ON_TIME_RATE.label), rated=True, maximum=100)
    return Section(
        figures=figures, tables=[table], charts=[Chart(title=title, svg=chart, key="units_on_time")],
        links=[dashboard_link(date_to.year), Link(_("Unit scorecards"), reverse("kpi:scorecards")),
               Link(_("Requests created in the period"),
                    behind_url(Kpi.CREATED, date_from=date_from, date_to=date_to, as_of=engine.as_of)),
               Link(_("Overdue and unanswered requests of the period"),
                    behind_url(Kpi.OVERDUE_OPEN, date_from=date_from, date_to=date_to, as_of=engine.as_of))],
        notes=[as_of_note(engine), _("The on-time rate counts every answer deadline (3, 7 and 30 days, and the legal "
                                     "deadlines) together, as the KPI module does.")])


# --- the yearly data analysis --------------------------------------------------------------------


def analysis_as_of(year: int, review, today: dt.date) -> dt.date:
    """The report date of a year's analysis: today for a year that is over; for the year in
    progress the period's end (when already past), so that the analysis stops where the period
    under review does."""
    if year < today.year:
        return today
    return min(today, review.period_end)


def compared_table(items: list[Compared], a: YearAnalysis, name: str, title: str, key: str) -> Table:
    rows = []
    for item in items:
        before, now = item.before(Kpi.CREATED), item.value(Kpi.CREATED)
        change = change_of(Kpi.CREATED, before, now)
        rows.append([item.label, charts.format_number(before), charts.format_number(now),
                     change.text if change else "—", shown(Kpi.ON_TIME_RATE, item.value(Kpi.ON_TIME_RATE)),
                     shown(Kpi.SATISFACTION_AVG, item.value(Kpi.SATISFACTION_AVG))])
    return Table(title=title, columns=[name, str(a.previous_year), str(a.year), pgettext("difference", "Change"),
                                       str(Kpi.ON_TIME_RATE.label), str(Kpi.SATISFACTION_AVG.label)],
                 rows=rows, key=key)


def year_part(a: YearAnalysis, data: Section) -> None:
    """One year's analysis as figures, tables, a chart, links and sentences."""
    year = a.year
    engine = KpiEngine(user=None, as_of=a.as_of)
    for kpi in (Kpi.CREATED, *HEADLINE_KPIS):
        data.figures.append(kpi_figure(engine, a.total, kpi, key=f"{year}:{kpi.value}",
                                       label=f"{a.period_label}: {kpi_label(kpi)}"))

    indicators = []
    for kpi in KPIS:
        before, now = a.previous_total.values[kpi], a.total.values[kpi]
        change = change_of(kpi, before, now)
        indicators.append([kpi_label(kpi), shown(kpi, before), shown(kpi, now), change.text if change else "—"])
    data.tables.append(Table(
        title=_("Indicators of %(period)s beside %(previous)s") % {"period": a.period_label,
                                                                   "previous": a.previous_year},
        columns=[_("Indicator"), str(a.previous_year), str(year), pgettext("difference", "Change")],
        rows=indicators, key=f"{year}:indicators"))

    month_rows, links, points = [], [], []
    for month in a.months:
        first, last = time_range("month", month.key)
        before, now = month.before(Kpi.CREATED), month.value(Kpi.CREATED)
        change = change_of(Kpi.CREATED, before, now)
        rate = month.value(Kpi.ON_TIME_RATE)
        rating = month.current.ratings.get(Kpi.ON_TIME_RATE) if month.current else None
        month_rows.append([month.label, charts.format_number(before), charts.format_number(now),
                           change.text if change else "—", charts.shown_value(Kpi.ON_TIME_RATE, rate, rating),
                           shown(Kpi.MEAN_ANSWER_HOURS, month.value(Kpi.MEAN_ANSWER_HOURS)),
                           shown(Kpi.SATISFACTION_AVG, month.value(Kpi.SATISFACTION_AVG)),
                           shown(Kpi.SATISFIED_RATE, month.value(Kpi.SATISFIED_RATE))])
        href = behind_url(Kpi.CREATED, date_from=first, date_to=last, as_of=a.as_of)
        links.append(href)
        points.append(charts.SeriesPoint(axis_label=date_format(first, "M"), label=month_label(first), created=now,
                                         rate=rate, rating=rating, href=href))
    data.tables.append(Table(
        title=_("Requests by month, %(period)s") % {"period": a.period_label},
        columns=[pgettext("KPI period", "Month"), _("Requests created in %(year)s") % {"year": a.previous_year},
                 _("Requests created in %(year)s") % {"year": year}, pgettext("difference", "Change"),
                 str(Kpi.ON_TIME_RATE.label), str(Kpi.MEAN_ANSWER_HOURS.label), str(Kpi.SATISFACTION_AVG.label),
                 str(Kpi.SATISFIED_RATE.label)],
        rows=month_rows, links=links, key=f"{year}:months"))
    data.tables.append(compared_table(a.channels, a, _("Channel"), _("Requests by channel, %(period)s")
                                      % {"period": a.period_label}, f"{year}:channels"))
    data.tables.append(compared_table(a.types, a, _("Type"), _("Requests by type, %(period)s")
                                      % {"period": a.period_label}, f"{year}:types"))
    data.tables.append(compared_table(a.categories, a, _("Category"), _("The main categories, %(period)s")
                                      % {"period": a.period_label}, f"{year}:categories"))

    target = engine.targets().get((Kpi.ON_TIME_RATE.value, None))
    title = _("Requests created and the on-time rate by month, %(period)s") % {"period": a.period_label}
    chart = charts.series_chart(
        points, chart_id=f"review-analysis-{year}", title=title,
        description=_("Bars: requests created each month; line: the share answered on time of those due or "
                      "answered. The table of requests by month gives every figure."),
        target_percent=target.green if target else None)
    data.charts.append(Chart(title=title, svg=chart, key=f"{year}:months"))
    query = urlencode({"year": year})
    data.links.append(Link(_("Yearly data-analysis report %(year)s") % {"year": year},
                           reverse("kpi:yearly") + "?" + query))
    data.links.append(Link(_("Yearly data-analysis report %(year)s (PDF)") % {"year": year},
                           reverse("kpi:yearly_pdf") + "?" + query))
    data.notes.extend(a.sentences)


@section(AgendaItemKind.DATA_ANALYSIS)
def data_analysis(review) -> Section:
    """The kpi module's yearly data-analysis report for each year the period touches (a year in
    progress counted to the end of the period's month), beside the year before."""
    today = timezone.localdate()
    data = Section()
    for year in range(review.period_start.year, review.period_end.year + 1):
        if year > today.year:
            data.notes.append(_("The year %(year)s has not begun.") % {"year": year})
            continue
        a = year_analysis(year=year, user=None, as_of=analysis_as_of(year, review, today))
        data.notes.append(_("%(period)s: requests created from %(start)s to %(end)s, compared with %(before)s; "
                            "overdue figures as at %(date)s.") % {
            "period": a.period_label, "start": f"{a.date_from:%d.%m.%Y}", "end": f"{a.date_to:%d.%m.%Y}",
            "before": period_text(a.previous_from, a.previous_to), "date": f"{a.as_of:%d.%m.%Y}"})
        year_part(a, data)
    return data
