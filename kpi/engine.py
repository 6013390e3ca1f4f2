"""THE KPI engine: every request figure the portal shows (dashboard, scorecards, reports, API,
exports) comes from `KpiEngine.compute`, so they agree. docs/kpi.md gives the formulas.

It reads the rollups (kpi.rollups), never the request table: two queries per report (the
counters from the cheapest cube that holds the asked grouping, and the open requests by the date
they fall due), plus one each for the unit scope, the targets and the names it shows, whatever
the number of requests. `requests_behind` is the other direction: the requests a figure counts,
for the lists a unit manager checks the numbers with (it reads the request table, page by page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.models import (
    ANSWER_HOUR_EDGES,
    HISTOGRAM_FIELDS,
    Category,
    Channel,
    Kpi,
    KpiTarget,
    OpenKind,
    Request,
    RequestType,
    RollupDayUnit,
    RollupMonth,
    RollupMonthUnit,
    RollupOpen,
    Status,
)
from kpi.rollups import COUNTERS

DIMENSIONS = ("unit", "channel", "type", "category")
TIME_GROUPS = ("day", "week", "month", "quarter", "year")
GROUPS = DIMENSIONS + TIME_GROUPS
KPI_NAMES = tuple(Kpi.values)
RATES = (Kpi.ON_TIME_RATE, Kpi.RETURNED_RATE, Kpi.SATISFIED_RATE, Kpi.FIELD_CHECK_FAIL_RATE)
HIGHER_IS_BETTER = frozenset({Kpi.ON_TIME_RATE, Kpi.SATISFACTION_AVG, Kpi.SATISFIED_RATE})
RATED = (Kpi.ON_TIME_RATE, Kpi.MEAN_ANSWER_HOURS, Kpi.MEDIAN_ANSWER_HOURS, Kpi.OVERDUE_OPEN,
         Kpi.SCHEDULED_OVERDUE, Kpi.RETURNED_RATE, Kpi.SATISFACTION_AVG, Kpi.SATISFIED_RATE,
         Kpi.FIELD_CHECK_FAIL_RATE)
# The denominator each ratio or average is computed over (the minimum-sample rule looks at it).
DENOMINATOR = {
    Kpi.ON_TIME_RATE: "due_or_answered", Kpi.MEAN_ANSWER_HOURS: "answered", Kpi.MEDIAN_ANSWER_HOURS: "answered",
    Kpi.RETURNED_RATE: "answered", Kpi.SATISFACTION_AVG: "sat_count", Kpi.SATISFIED_RATE: "sat_count",
    Kpi.FIELD_CHECK_FAIL_RATE: "fc_count",
}
TYPE_CODES = {int(RequestType.REQUEST): "request", int(RequestType.COMPLAINT): "complaint",
              int(RequestType.SUGGESTION): "suggestion", int(RequestType.INFORMATION): "information",
              int(RequestType.THANKS): "thanks"}
TYPE_BY_CODE = {code: value for value, code in TYPE_CODES.items()}


class Rating:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    SMALL_SAMPLE = "small"  # the denominator is under the minimum sample: shown, never coloured


def median_from_histogram(counts: list[int]) -> float | None:
    """The grouped median of answer times in hours: inside the bucket that holds the middle answer,
    linear interpolation (L + (n/2 - F) / f x width). The open last bucket gives its lower edge."""
    total = sum(counts)
    if not total:
        return None
    half = total / 2
    before = 0
    for index, count in enumerate(counts):
        if count and before + count >= half:
            low = ANSWER_HOUR_EDGES[index]
            if index + 1 == len(ANSWER_HOUR_EDGES):
                return float(low)
            width = ANSWER_HOUR_EDGES[index + 1] - low
            return low + (half - before) / count * width
        before += count
    return float(ANSWER_HOUR_EDGES[-1])


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def time_key(group: str, day: dt.date) -> str:
    if group == "day":
        return day.isoformat()
    if group == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if group == "month":
        return f"{day.year}-{day.month:02d}"
    if group == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def time_range(group: str, key: str) -> tuple[dt.date, dt.date]:
    """The first and last day a time key covers (for the links from a figure to its requests)."""
    if group == "day":
        day = dt.date.fromisoformat(key)
        return day, day
    if group == "week":
        year, week = key.split("-W")
        first = dt.date.fromisocalendar(int(year), int(week), 1)
        return first, first + dt.timedelta(days=6)
    if group == "month":
        year, month = key.split("-")
        first = dt.date(int(year), int(month), 1)
    elif group == "quarter":
        year, quarter = key.split("-Q")
        first = dt.date(int(year), (int(quarter) - 1) * 3 + 1, 1)
    else:
        first = dt.date(int(key), 1, 1)
    months = {"month": 1, "quarter": 3, "year": 12}[group]
    month_index = first.month - 1 + months
    after = dt.date(first.year + month_index // 12, month_index % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


@dataclass
class KpiRow:
    """One group's figures: `keys` (group name -> key), `values` (KPI name -> number or None),
    `ratings` (KPI name -> Rating or None), `counters` (the rollup sums behind them)."""

    keys: dict
    counters: dict
    values: dict = field(default_factory=dict)
    ratings: dict = field(default_factory=dict)
    unit_id: int | None = None
    channel_id: int | None = None
    category_id: int | None = None

    def as_dict(self) -> dict:
        """The group keys and every KPI (rates as fractions 0..1): one row of the API and the export."""
        return {**self.keys, **self.values}


@dataclass
class KpiReport:
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    group_by: tuple[str, ...]
    filters: dict
    rows: list[KpiRow]
    total: KpiRow
    min_sample: int


class KpiEngine:
    """One reader's view of the KPIs: their unit scope, the targets, the report date.

    `compute()` can be called several times (the dashboard's panels); the scope, the targets and
    the names are read once per engine.
    """

    def __init__(self, *, user=None, as_of: dt.date | None = None):
        self.user = user
        self.as_of = as_of or timezone.localdate()
        self.min_sample = settings.QMS_KPI_MIN_SAMPLE
        self._scope: list[int] | None | bool = False
        self._targets: dict | None = None
        self._units: dict | None = None
        self._channels: dict | None = None
        self._categories: dict | None = None

    # ---- lookups, once per engine ----------------------------------------------------------------

    def scope(self) -> list[int] | None:
        """The unit ids this reader may see (None: all)."""
        if self._scope is False:
            if self.user is None:
                self._scope = None
            else:
                from qms.roles import unit_scope

                scope = unit_scope(self.user)
                self._scope = None if scope is None else list(scope.values_list("pk", flat=True))
        return self._scope

    def units(self) -> dict[int, tuple[str, str]]:
        if self._units is None:
            from qms.models import Unit

            self._units = {pk: (code, name) for pk, code, name in Unit.objects.values_list("pk", "code", "name")}
        return self._units

    def channels(self) -> dict[int, str]:
        if self._channels is None:
            self._channels = dict(Channel.objects.values_list("pk", "name"))
        return self._channels

    def categories(self) -> dict[int, str]:
        if self._categories is None:
            self._categories = dict(Category.objects.values_list("pk", "name"))
        return self._categories

    def targets(self) -> dict[tuple[str, int | None], KpiTarget]:
        if self._targets is None:
            self._targets = {(t.kpi, t.unit_id): t for t in KpiTarget.objects.all()}
        return self._targets

    def unit_ids_under(self, code: str) -> list[int]:
        """A unit and every unit under it, by code (ValidationError when there is none)."""
        from qms.models import Unit

        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError(_("There is no unit with the code “%(code)s”.") % {"code": code})
        return list(Unit.objects.subtree(unit).values_list("pk", flat=True))

    # ---- the report -------------------------------------------------------------------------------

    def compute(self, *, date_from: dt.date, date_to: dt.date, group_by=(), units: list[int] | None = None,
                channels: list[int] | None = None, types: list[int] | None = None,
                categories: list[int] | None = None) -> KpiReport:
        """The KPIs of the requests created from `date_from` to `date_to` (local dates, inclusive),
        grouped by `group_by` (names of GROUPS, at most one time group), for the given units
        (ids; None: all the reader may see), channels, types and categories."""
        group_by = tuple(group_by)
        unknown = [g for g in group_by if g not in GROUPS]
        if unknown:
            raise ValidationError(_("Unknown grouping: %(names)s (use %(allowed)s).")
                                  % {"names": ", ".join(unknown), "allowed": ", ".join(GROUPS)})
        times = [g for g in group_by if g in TIME_GROUPS]
        if len(times) > 1:
            raise ValidationError(_("Group by one period at most (day, week, month, quarter or year)."))
        if date_from > date_to:
            raise ValidationError(_("The period starts after it ends."))
        time_group = times[0] if times else None
        dims = [g for g in group_by if g in DIMENSIONS]
        scope = self.scope()
        if scope is not None:
            units = [u for u in (units if units is not None else scope) if u in set(scope)]
        needs_category = "category" in dims or categories is not None
        whole_months = date_from.day == 1 and (date_to + dt.timedelta(days=1)).day == 1
        daily = time_group in ("day", "week") or not whole_months
        if needs_category and daily:
            raise ValidationError(_("Figures by category are kept per month: choose whole months and group by "
                                    "month, quarter or year."))
        if daily:
            cube, time_field = RollupDayUnit, "day"
        else:
            cube, time_field = (RollupMonth if needs_category else RollupMonthUnit), "month"
        filters = Q(**{f"{time_field}__range": (date_from, date_to)})
        open_filters = Q(day__range=(date_from, date_to))
        for name, values in (("unit_id", units), ("channel_id", channels), ("type", types),
                             ("category_id", categories)):
            if values is not None:
                filters &= Q(**{f"{name}__in": values})
                open_filters &= Q(**{f"{name}__in": values})
        columns = [{"unit": "unit_id", "channel": "channel_id", "type": "type", "category": "category_id"}[d]
                   for d in dims]
        counter_rows = cube.objects.filter(filters).values(*columns, *([time_field] if time_group else [])) \
            .annotate(**{f"s_{name}": Sum(name) for name in COUNTERS}).order_by()
        open_rows = RollupOpen.objects.filter(open_filters, falls_due__lt=self.as_of) \
            .values(*columns, *(["day"] if time_group else []), "kind").annotate(n=Sum("count")).order_by()

        groups: dict[tuple, dict] = {}

        def bucket(row: dict, when: str) -> dict:
            key = tuple(row[c] for c in columns)
            if time_group:
                key += (time_key(time_group, _as_date(row[when])),)
            found = groups.get(key)
            if found is None:
                found = groups[key] = dict.fromkeys(COUNTERS, 0) | {"overdue_open": 0, "scheduled_overdue": 0}
            return found

        for row in counter_rows:
            target = bucket(row, time_field)
            for name in COUNTERS:
                target[name] += row[f"s_{name}"] or 0
        for row in open_rows:
            target = bucket(row, "day")
            target["overdue_open" if row["kind"] == OpenKind.UNANSWERED else "scheduled_overdue"] += row["n"]

        total_counters = dict.fromkeys(COUNTERS, 0) | {"overdue_open": 0, "scheduled_overdue": 0}
        rows = []
        for key, counters in groups.items():
            for name, value in counters.items():
                total_counters[name] += value
            rows.append(self._row(dims, time_group, key, counters, units))
        rows.sort(key=lambda r: tuple("" if v is None else str(v) for v in r.keys.values()))
        filters_out = {"units": units, "channels": channels, "types": types, "categories": categories}
        total = self._row([], None, (), total_counters, units)
        return KpiReport(date_from, date_to, self.as_of, group_by, filters_out, rows, total, self.min_sample)

    def _row(self, dims: list[str], time_group: str | None, key: tuple, counters: dict,
             units: list[int] | None) -> KpiRow:
        keys: dict = {}
        row = KpiRow(keys=keys, counters=counters)
        for dim, value in zip(dims, key, strict=False):
            if dim == "unit":
                row.unit_id = value
                keys["unit_code"] = self.units().get(value, ("?", ""))[0]
            elif dim == "channel":
                row.channel_id = value
                keys["channel"] = self.channels().get(value, "?")
            elif dim == "type":
                keys["type"] = TYPE_CODES.get(value, str(value))
            else:
                row.category_id = value
                keys["category"] = self.categories().get(value, "?")
        if time_group:
            keys[time_group] = key[-1]
        values = kpis_of(counters)
        row.values = values
        unit_for_target = row.unit_id if row.unit_id is not None else (units[0] if units and len(units) == 1 else None)
        row.ratings = {name.value: self.rate(name, values[name], counters, unit_for_target) for name in RATED}
        return row

    def rate(self, kpi: str, value, counters: dict, unit_id: int | None) -> str | None:
        """green / amber / red against the unit's target (or the department's), `small` under the
        minimum sample, None when there is no value or no target."""
        if value is None:
            return None
        denominator = DENOMINATOR.get(kpi)
        if denominator is not None and counters_value(counters, denominator) < self.min_sample:
            return Rating.SMALL_SAMPLE
        targets = self.targets()
        target = targets.get((kpi, unit_id)) or targets.get((kpi, None))
        if target is None:
            return None
        shown = value * 100 if kpi in RATES else value
        if kpi in HIGHER_IS_BETTER:
            return Rating.GREEN if shown >= target.green else (Rating.RED if shown < target.red else Rating.AMBER)
        return Rating.GREEN if shown <= target.green else (Rating.RED if shown > target.red else Rating.AMBER)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def counters_value(counters: dict, name: str) -> int:
    if name == "due_or_answered":
        return counters["answered"] + counters["overdue_open"]
    return counters[name]


def kpis_of(c: dict) -> dict:
    """Every KPI from a group's counters (docs/kpi.md). Rates are fractions 0..1, times in hours."""
    answered = c["answered"]
    due_or_answered = answered + c["overdue_open"]
    mean = round(c["answer_seconds"] / answered / 3600, 2) if answered else None
    median = median_from_histogram([c[name] for name in HISTOGRAM_FIELDS])
    return {
        Kpi.CREATED.value: c["created"],
        Kpi.ANSWERED.value: answered,
        Kpi.DUE_OR_ANSWERED.value: due_or_answered,
        Kpi.ON_TIME.value: c["on_time"],
        Kpi.ON_TIME_RATE.value: _round(_ratio(c["on_time"], due_or_answered)),
        Kpi.MEAN_ANSWER_HOURS.value: mean,
        Kpi.MEDIAN_ANSWER_HOURS.value: None if median is None else round(median, 2),
        Kpi.OVERDUE_OPEN.value: c["overdue_open"],
        Kpi.SCHEDULED_OVERDUE.value: c["scheduled_overdue"],
        Kpi.RETURNED_RATE.value: _round(_ratio(c["returned"], answered)),
        Kpi.SATISFACTION_AVG.value: round(c["sat_sum"] / c["sat_count"], 2) if c["sat_count"] else None,
        Kpi.SATISFIED_RATE.value: _round(_ratio(c["satisfied"], c["sat_count"])),
        Kpi.FIELD_CHECK_FAIL_RATE.value: _round(_ratio(c["fc_fail"], c["fc_count"])),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ---- the requests behind a figure -------------------------------------------------------------

# Which requests each figure counts (for the drill-down lists). "late" is answered but not on time.
BEHIND = {
    "created": Q(),
    "not_processed": Q(status=Status.NOT_PROCESSED),
    "answered": Q(answer_bucket__isnull=False),
    "on_time": Q(answer_bucket__isnull=False, on_time=True),
    "late": Q(answer_bucket__isnull=False, on_time=False),
    "returned": Q(answer_bucket__isnull=False, return_count__gt=0),
    "satisfaction": Q(satisfaction__isnull=False),
    "satisfied": Q(satisfaction__gte=4),
    "field_check": Q(field_check__isnull=False),
    "field_check_fail": Q(field_check=2),
}
BEHIND_KPI = {
    Kpi.CREATED: "created", Kpi.ANSWERED: "answered", Kpi.ON_TIME: "on_time", Kpi.MEAN_ANSWER_HOURS: "answered",
    Kpi.MEDIAN_ANSWER_HOURS: "answered", Kpi.RETURNED_RATE: "returned", Kpi.SATISFACTION_AVG: "satisfaction",
    Kpi.SATISFIED_RATE: "satisfied", Kpi.FIELD_CHECK_FAIL_RATE: "field_check_fail",
    Kpi.ON_TIME_RATE: "due_or_answered", Kpi.DUE_OR_ANSWERED: "due_or_answered",
    Kpi.OVERDUE_OPEN: "overdue_open", Kpi.SCHEDULED_OVERDUE: "scheduled_overdue",
}
BEHIND_NAMES = tuple(BEHIND) + ("due_or_answered", "overdue_open", "scheduled_overdue")


def behind_filter(name: str, as_of: dt.date) -> Q:
    """The requests a figure counts (`name` from BEHIND_NAMES) at the report date `as_of`."""
    overdue = Q(answer_bucket__isnull=True, due_on__lt=as_of) & ~Q(status__in=(Status.NOT_PROCESSED,
                                                                               Status.SCHEDULED))
    if name == "overdue_open":
        return overdue
    if name == "due_or_answered":
        return Q(answer_bucket__isnull=False) | overdue
    if name == "scheduled_overdue":
        return Q(status=Status.SCHEDULED, closed_at__isnull=True, scheduled_until__lt=as_of)
    if name not in BEHIND:
        raise ValidationError(_("Unknown figure “%(name)s”.") % {"name": name})
    return BEHIND[name]


def requests_behind(*, user, date_from: dt.date, date_to: dt.date, figure: str = "created",
                    as_of: dt.date | None = None, units: list[int] | None = None,
                    channels: list[int] | None = None, types: list[int] | None = None,
                    categories: list[int] | None = None):
    """The requests counted by a figure, within the reader's unit scope (a queryset, newest first)."""
    from qms.roles import unit_scope

    queryset = Request.objects.filter(created_on__range=(date_from, date_to))
    queryset = queryset.filter(behind_filter(figure, as_of or timezone.localdate()))
    scope = unit_scope(user)
    if scope is not None:
        queryset = queryset.filter(unit__in=scope)
    for name, values in (("unit_id", units), ("channel_id", channels), ("type", types),
                         ("category_id", categories)):
        if values is not None:
            queryset = queryset.filter(**{f"{name}__in": values})
    return queryset.select_related("unit", "channel", "category").order_by("-created_at", "-pk")


# ---- the dashboard -----------------------------------------------------------------------------

def period_bounds(period: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The month or the year that holds `anchor`."""
    if period == "year":
        return dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31)
    if period == "month":
        return time_range("month", time_key("month", anchor))
    raise ValidationError(_("The period is a month or a year."))


@dataclass
class Dashboard:
    period: str
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    total: KpiRow
    series: KpiReport  # by day (a month) or by month (a year)
    by_unit: KpiReport
    by_channel: KpiReport
    by_type: KpiReport


def dashboard(*, user=None, period: str = "month", anchor: dt.date | None = None, as_of: dt.date | None = None,
              units: list[int] | None = None, channels: list[int] | None = None,
              types: list[int] | None = None) -> Dashboard:
    """The KPI dashboard's figures for a month (series by day) or a year (series by month), with the
    same filters everywhere: a fixed number of queries (4 reports x 2, plus scope, targets, names)."""
    engine = KpiEngine(user=user, as_of=as_of)
    anchor = anchor or engine.as_of
    date_from, date_to = period_bounds(period, anchor)
    common = {"date_from": date_from, "date_to": date_to, "units": units, "channels": channels, "types": types}
    series = engine.compute(group_by=("day" if period == "month" else "month",), **common)
    by_unit = engine.compute(group_by=("unit",), **common)
    by_channel = engine.compute(group_by=("channel",), **common)
    by_type = engine.compute(group_by=("type",), **common)
    return Dashboard(period, date_from, date_to, engine.as_of, series.total, series, by_unit, by_channel, by_type)
