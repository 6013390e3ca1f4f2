"""The crisis report and the yearly data-analysis report: what they hold, for their pages and PDFs
(kpi.views.reports, kpi.analysis_pdf). Every figure comes from the engine (`KpiEngine.compute`);
these only choose the periods and groupings, pick the rows that cross a threshold, and put the
largest changes into words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpi.engine import DENOMINATOR, TYPE_BY_CODE, KpiEngine, KpiRow, counters_value
from kpi.models import Kpi, RequestType
from kpi.scorecards import COUNTS, behind_url, change_of, number, percent, shown

# --- the crisis report -----------------------------------------------------------------------------

WEEK_DAYS = 7


def year_before(day: dt.date) -> dt.date:
    """The first day of the twelve months that end on `day` (the day after the same date a year earlier)."""
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        earlier = day.replace(year=day.year - 1, day=28)
    return earlier + dt.timedelta(days=1)


@dataclass
class CrisisUnit:
    unit_id: int
    code: str
    name: str
    overdue_open: int  # unanswered past due, of the requests created in the last twelve months
    on_time_rate: float | None  # of the requests created in the last seven days
    due_or_answered: int  # the rate's denominator
    created: int  # requests created in the last seven days
    backlog_crossed: bool
    rate_crossed: bool
    backlog_url: str | None = None
    rate_url: str | None = None


@dataclass
class CrisisReport:
    as_of: dt.date
    backlog_from: dt.date
    week_from: dt.date
    overdue_limit: int
    rate_limit: float
    min_sample: int
    units: list[CrisisUnit] = field(default_factory=list)


def crisis_report(*, user=None, as_of: dt.date | None = None) -> CrisisReport:
    """The units (of `user`'s scope) whose overdue backlog is at or over QMS_KPI_CRISIS_OVERDUE
    (unanswered past due at the report date, of the requests created in the last twelve months),
    or whose on-time rate over the requests created in the last seven days is under
    QMS_KPI_CRISIS_ON_TIME_RATE (only with at least the minimum sample of due or answered ones)."""
    engine = KpiEngine(user=user, as_of=as_of)
    day = engine.as_of
    report = CrisisReport(as_of=day, backlog_from=year_before(day), week_from=day - dt.timedelta(days=WEEK_DAYS - 1),
                          overdue_limit=settings.QMS_KPI_CRISIS_OVERDUE,
                          rate_limit=settings.QMS_KPI_CRISIS_ON_TIME_RATE, min_sample=engine.min_sample)
    backlog = engine.compute(date_from=report.backlog_from, date_to=day, group_by=("unit",))
    week = engine.compute(date_from=report.week_from, date_to=day, group_by=("unit",))
    found: dict[int, CrisisUnit] = {}

    def entry(row: KpiRow) -> CrisisUnit:
        unit = found.get(row.unit_id)
        if unit is None:
            code, name = engine.units().get(row.unit_id, ("?", ""))
            unit = found[row.unit_id] = CrisisUnit(row.unit_id, code, name, 0, None, 0, 0, False, False)
        return unit

    week_rows = {row.unit_id: row for row in week.rows}
    for row in backlog.rows:
        overdue = row.values[Kpi.OVERDUE_OPEN]
        if overdue >= report.overdue_limit:
            unit = entry(row)
            unit.overdue_open, unit.backlog_crossed = overdue, True
    for row in week.rows:
        rate = row.values[Kpi.ON_TIME_RATE]
        denominator = counters_value(row.counters, DENOMINATOR[Kpi.ON_TIME_RATE])
        if rate is not None and denominator >= report.min_sample and rate < report.rate_limit:
            entry(row).rate_crossed = True
    backlog_rows = {row.unit_id: row for row in backlog.rows}
    for unit in found.values():
        if unit.unit_id in backlog_rows:
            unit.overdue_open = backlog_rows[unit.unit_id].values[Kpi.OVERDUE_OPEN]
        if unit.unit_id in week_rows:
            row = week_rows[unit.unit_id]
            unit.on_time_rate = row.values[Kpi.ON_TIME_RATE]
            unit.due_or_answered = row.values[Kpi.DUE_OR_ANSWERED]
            unit.created = row.values[Kpi.CREATED]
        unit.backlog_url = behind_url(Kpi.OVERDUE_OPEN, date_from=report.backlog_from, date_to=day, as_of=day,
                                      unit_code=unit.code)
        unit.rate_url = behind_url(Kpi.ON_TIME_RATE, date_from=report.week_from, date_to=day, as_of=day,
                                   unit_code=unit.code)
    report.units = sorted(found.values(), key=lambda u: (not u.backlog_crossed, -u.overdue_open,
                                                         u.on_time_rate if u.on_time_rate is not None else 1, u.code))
    return report


def crisis_rule(report: CrisisReport) -> str:
    """Which units the report lists, in words."""
    return _("Listed: units with %(overdue)s or more unanswered requests past due at %(date)s (of the requests "
             "created since %(since)s), or whose on-time rate for the requests created from %(week)s to %(date)s "
             "is under %(rate)s (only with at least %(min)s due or answered requests).") % {
        "overdue": number(report.overdue_limit), "date": f"{report.as_of:%d.%m.%Y}",
        "since": f"{report.backlog_from:%d.%m.%Y}", "week": f"{report.week_from:%d.%m.%Y}",
        "rate": percent(report.rate_limit), "min": report.min_sample}


def crisis_reasons(unit: CrisisUnit) -> str:
    reasons = []
    if unit.backlog_crossed:
        reasons.append(_("overdue backlog"))
    if unit.rate_crossed:
        reasons.append(_("on-time rate"))
    return ", ".join(reasons)


# --- the yearly data-analysis report ---------------------------------------------------------------

TOP_CATEGORIES = 15
HEADLINE_KPIS = (Kpi.ON_TIME_RATE, Kpi.MEAN_ANSWER_HOURS, Kpi.MEDIAN_ANSWER_HOURS, Kpi.OVERDUE_OPEN,
                 Kpi.RETURNED_RATE, Kpi.SATISFACTION_AVG, Kpi.SATISFIED_RATE, Kpi.FIELD_CHECK_FAIL_RATE)


def value_of(row: KpiRow | None, kpi: str):
    """A KPI of a group that may have had no request: counts are then 0, the rest no value."""
    if row is None:
        return 0 if kpi in COUNTS else None
    return row.values[kpi]


def enough(row: KpiRow | None, kpi: str, min_sample: int) -> bool:
    """Whether a ratio or average rests on at least the minimum sample (counts always do)."""
    if row is None:
        return False
    name = DENOMINATOR.get(kpi)
    return name is None or counters_value(row.counters, name) >= min_sample


@dataclass
class Compared:
    """One group (a month, channel, type, category or unit) in the year and the year before."""

    key: str
    label: str
    current: KpiRow | None
    previous: KpiRow | None

    def value(self, kpi: str):
        return value_of(self.current, kpi)

    def before(self, kpi: str):
        return value_of(self.previous, kpi)


@dataclass
class YearAnalysis:
    year: int
    previous_year: int
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    as_of: dt.date
    partial: bool  # the year is not over: counted to the end of this month, compared with the same months
    min_sample: int
    total: KpiRow
    previous_total: KpiRow
    months: list[Compared]
    channels: list[Compared]
    types: list[Compared]
    categories: list[Compared]  # the TOP_CATEGORIES largest of the year
    category_count: int
    units: list[Compared]
    sentences: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        if not self.partial:
            return str(self.year)
        return _("%(year)s (January to %(month)s)") % {"year": self.year, "month": MONTHS[self.date_to.month]}


def _by(report, key_name: str) -> dict[str, KpiRow]:
    return {row.keys[key_name]: row for row in report.rows}


def _compared(current: dict, previous: dict, label=lambda key: key) -> list[Compared]:
    keys = list(dict.fromkeys([*current, *previous]))
    return [Compared(key, label(key), current.get(key), previous.get(key)) for key in keys]


def _by_volume(items: list[Compared]) -> list[Compared]:
    return sorted(items, key=lambda c: (-(c.value(Kpi.CREATED)), -(c.before(Kpi.CREATED)), c.label))


def type_label(code: str) -> str:
    value = TYPE_BY_CODE.get(code)
    return str(RequestType(value).label) if value is not None else code


def year_analysis(*, year: int, user=None, as_of: dt.date | None = None) -> YearAnalysis:
    """The year's request figures for `user`'s scope, beside the year before: by month, channel,
    type, category and unit, and sentences on the largest changes. A year not yet over is counted
    to the end of the report date's month and compared with the same months of the year before."""
    engine = KpiEngine(user=user, as_of=as_of)
    today = engine.as_of
    if year > today.year:
        raise ValidationError(_("The year %(year)s has not begun.") % {"year": year})
    date_from, date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    partial = year == today.year and today.month < 12
    if partial:
        date_to = (dt.date(year, today.month, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    previous_from = dt.date(year - 1, 1, 1)
    previous_to = (dt.date(year - 1, date_to.month, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    def reports(start, end):
        return {group: engine.compute(date_from=start, date_to=end, group_by=(group,))
                for group in ("month", "channel", "type", "category", "unit")}

    now, before = reports(date_from, date_to), reports(previous_from, previous_to)
    month_rows, previous_month_rows = _by(now["month"], "month"), _by(before["month"], "month")
    months = [Compared(f"{year}-{m:02d}", str(MONTHS[m]), month_rows.get(f"{year}-{m:02d}"),
                       previous_month_rows.get(f"{year - 1}-{m:02d}")) for m in range(1, date_to.month + 1)]
    categories = _by_volume(_compared(_by(now["category"], "category"), _by(before["category"], "category")))
    units_named = {code: name for code, name in engine.units().values()}
    analysis = YearAnalysis(
        year=year, previous_year=year - 1, date_from=date_from, date_to=date_to, previous_from=previous_from,
        previous_to=previous_to, as_of=today, partial=partial, min_sample=engine.min_sample,
        total=now["month"].total, previous_total=before["month"].total, months=months,
        channels=_by_volume(_compared(_by(now["channel"], "channel"), _by(before["channel"], "channel"))),
        types=_by_volume(_compared(_by(now["type"], "type"), _by(before["type"], "type"), type_label)),
        categories=[c for c in categories if c.current is not None][:TOP_CATEGORIES],
        category_count=len([c for c in categories if c.current is not None]),
        units=sorted(_compared(_by(now["unit"], "unit_code"), _by(before["unit"], "unit_code"),
                               lambda code: f"{code} — {units_named.get(code, '')}"), key=lambda c: c.key),
    )
    analysis.sentences = sentences(analysis)
    return analysis


# --- the sentences: only from the figures above ----------------------------------------------------


def _relative(before, after) -> float:
    if not before:
        return float("inf") if after else 0.0
    return abs(after - before) / abs(before)


def sentences(a: YearAnalysis) -> list[str]:
    """Short sentences on the largest changes, written from the figures (nothing else)."""
    said = []
    if a.partial:
        said.append(_("%(year)s is counted to the end of %(month)s and compared with the same months of "
                      "%(previous)s.") % {"year": a.year, "month": MONTHS[a.date_to.month],
                                          "previous": a.previous_year})
    count, before = a.total.values[Kpi.CREATED], a.previous_total.values[Kpi.CREATED]
    words = {"count": number(count), "year": a.year, "previous": a.previous_year, "before": number(before)}
    if not before:
        said.append(ngettext("%(count)s request was received in %(year)s; none in %(previous)s.",
                             "%(count)s requests were received in %(year)s; none in %(previous)s.", count) % words)
    elif count == before:
        said.append(ngettext("%(count)s request was received in %(year)s, as many as in %(previous)s.",
                             "%(count)s requests were received in %(year)s, as many as in %(previous)s.",
                             count) % words)
    else:
        words["percent"] = percent(abs(count - before) / before)
        if count > before:
            said.append(ngettext(
                "%(count)s request was received in %(year)s: %(percent)s more than in %(previous)s (%(before)s).",
                "%(count)s requests were received in %(year)s: %(percent)s more than in %(previous)s (%(before)s).",
                count) % words)
        else:
            said.append(ngettext(
                "%(count)s request was received in %(year)s: %(percent)s fewer than in %(previous)s (%(before)s).",
                "%(count)s requests were received in %(year)s: %(percent)s fewer than in %(previous)s (%(before)s).",
                count) % words)

    # The headline figures that moved, the largest (relative) change first; rates only on enough requests.
    moves = []
    for kpi in HEADLINE_KPIS:
        after_value, before_value = a.total.values[kpi], a.previous_total.values[kpi]
        if not (enough(a.total, kpi, a.min_sample) and enough(a.previous_total, kpi, a.min_sample)):
            continue
        change = change_of(kpi, before_value, after_value)
        if change is None or change.better is None:
            continue
        moves.append((_relative(before_value, after_value), kpi, before_value, after_value, change))
    for _size, kpi, before_value, after_value, change in sorted(moves, key=lambda m: -m[0])[:4]:
        said.append(_("%(indicator)s: %(before)s in %(previous)s, %(after)s in %(year)s: %(change)s.") % {
            "indicator": Kpi(kpi).label, "before": shown(kpi, before_value), "after": shown(kpi, after_value),
            "previous": a.previous_year, "year": a.year, "change": change.text})

    busiest = max(a.months, key=lambda m: m.value(Kpi.CREATED), default=None)
    if busiest is not None and busiest.value(Kpi.CREATED):
        said.append(ngettext("The busiest month was %(month)s, with %(count)s request.",
                             "The busiest month was %(month)s, with %(count)s requests.",
                             busiest.value(Kpi.CREATED)) % {"month": busiest.label,
                                                            "count": number(busiest.value(Kpi.CREATED))})

    groups = (
        (a.channels, _("The largest change among channels: %(name)s, %(before)s requests in %(previous)s and "
                       "%(after)s in %(year)s (%(change)s).")),
        (a.types, _("The largest change among request types: %(name)s, %(before)s requests in %(previous)s and "
                    "%(after)s in %(year)s (%(change)s).")),
        (a.categories, _("The largest change among the main categories: %(name)s, %(before)s requests in "
                         "%(previous)s and %(after)s in %(year)s (%(change)s).")),
        (a.units, _("The largest change among units: %(name)s, %(before)s requests in %(previous)s and %(after)s "
                    "in %(year)s (%(change)s).")),
    )
    for items, text in groups:
        largest = max(items, key=lambda c: abs(c.value(Kpi.CREATED) - c.before(Kpi.CREATED)), default=None)
        if largest is None or largest.value(Kpi.CREATED) == largest.before(Kpi.CREATED):
            continue
        change = change_of(Kpi.CREATED, largest.before(Kpi.CREATED), largest.value(Kpi.CREATED))
        said.append(text % {"name": largest.label, "before": number(largest.before(Kpi.CREATED)),
                            "after": number(largest.value(Kpi.CREATED)), "previous": a.previous_year,
                            "year": a.year, "change": change.text})

    rated = [u for u in a.units if enough(u.current, Kpi.ON_TIME_RATE, a.min_sample)
             and u.value(Kpi.ON_TIME_RATE) is not None]
    if rated:
        lowest = min(rated, key=lambda u: (u.value(Kpi.ON_TIME_RATE), u.key))
        said.append(_("The lowest on-time rate among units with at least %(min)s due or answered requests: "
                      "%(unit)s, %(rate)s.") % {"min": a.min_sample, "unit": lowest.label,
                                                "rate": percent(lowest.value(Kpi.ON_TIME_RATE))})
        both = [u for u in rated if enough(u.previous, Kpi.ON_TIME_RATE, a.min_sample)
                and u.before(Kpi.ON_TIME_RATE) is not None
                and change_of(Kpi.ON_TIME_RATE, u.before(Kpi.ON_TIME_RATE), u.value(Kpi.ON_TIME_RATE)).better
                is not None]
        if both:
            moved = max(both, key=lambda u: (abs(u.value(Kpi.ON_TIME_RATE) - u.before(Kpi.ON_TIME_RATE)), u.key))
            said.append(_("The largest change in the on-time rate among units: %(unit)s, from %(before)s to "
                          "%(after)s: %(change)s.") % {
                "unit": moved.label, "before": percent(moved.before(Kpi.ON_TIME_RATE)),
                "after": percent(moved.value(Kpi.ON_TIME_RATE)),
                "change": change_of(Kpi.ON_TIME_RATE, moved.before(Kpi.ON_TIME_RATE),
                                    moved.value(Kpi.ON_TIME_RATE)).text})
    return said
