"""The unit scorecard (birim karnesi): one unit's KPIs for one month against its targets, beside the
previous month and the department (every unit's total of the same month).

One builder (`unit_scorecard`) for the admin page, its PDF and XLSX, and the monthly mail, so they
show the same figures; every figure comes from the engine (three `compute` calls: the month, the
month before, the department). A unit's card counts the unit and the units under it.

Also the way figures are written everywhere in the reports (`shown`, `percent`, `change_of`,
`rating_label`, `target_text`) and the link from a figure to the requests behind it (`behind_url`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kpi.engine import BEHIND_KPI, DENOMINATOR, HIGHER_IS_BETTER, RATED, RATES, KpiEngine, Rating, counters_value
from kpi.models import Kpi

KPIS = tuple(Kpi)
COUNTS = (Kpi.CREATED, Kpi.ANSWERED, Kpi.DUE_OR_ANSWERED, Kpi.ON_TIME, Kpi.OVERDUE_OPEN, Kpi.SCHEDULED_OVERDUE)
DECIMALS = {Kpi.MEAN_ANSWER_HOURS: 1, Kpi.MEDIAN_ANSWER_HOURS: 1, Kpi.SATISFACTION_AVG: 2}
UP, DOWN, SAME = "▲", "▼", "="


# --- writing figures -----------------------------------------------------------------------------


def number(value, decimals: int = 0) -> str:
    """A number in the active language's way (12.345,6 in Turkish), rounded (Django's number_format
    cuts a float's digits off instead)."""
    return number_format(round(value, decimals), decimals, force_grouping=True)


def percent(fraction: float | None, decimals: int = 1) -> str:
    """A fraction 0..1 as a percentage (%87,5 in Turkish, 87.5% in English); None as a dash."""
    if fraction is None:
        return "—"
    return _("%(percent)s%%") % {"percent": number(fraction * 100, decimals)}


def shown(kpi: str, value) -> str:
    """A KPI's value as people read it: rates in percent, hours and averages with decimals."""
    if value is None:
        return "—"
    if kpi in RATES:
        return percent(value)
    if kpi in DECIMALS:
        return number(value, DECIMALS[kpi])
    return number(value)


def spreadsheet_value(kpi: str, value):
    """A KPI's value as a spreadsheet cell: rates in percent (rounded to 0.1), the rest as they are."""
    if value is None:
        return None
    if kpi in RATES:
        return round(value * 100, 1)
    return value


def kpi_label(kpi: str) -> str:
    label = str(Kpi(kpi).label)
    return f"{label} (%)" if kpi in RATES else label


def rating_label(rating: str | None) -> str:
    return {
        Rating.GREEN: _("Green"), Rating.AMBER: _("Amber"), Rating.RED: _("Red"),
        Rating.SMALL_SAMPLE: _("Too few to rate"),
    }.get(rating, "—")


RATING_COLOURS = {Rating.GREEN: "#1B5E20", Rating.AMBER: "#7A4F00", Rating.RED: "#9B1C1C",
                  Rating.SMALL_SAMPLE: "#444444"}


def target_text(kpi: str, target) -> str:
    """"green at ≥ %90, red below %80" (or ≤ / above for figures where lower is better)."""
    if target is None:
        return "—"

    def value(threshold: float) -> str:
        decimals = 0 if float(threshold).is_integer() else (1 if kpi in RATES else DECIMALS.get(kpi, 1))
        text = number(threshold, decimals)
        return _("%(percent)s%%") % {"percent": text} if kpi in RATES else text

    if kpi in HIGHER_IS_BETTER:
        return _("green at ≥ %(green)s, red below %(red)s") % {"green": value(target.green), "red": value(target.red)}
    return _("green at ≤ %(green)s, red above %(red)s") % {"green": value(target.green), "red": value(target.red)}


@dataclass(frozen=True)
class Change:
    arrow: str  # ▲ ▼ =
    text: str  # "▲ +2,5 points (better)"
    better: bool | None  # None: no judgement (a count, no change)


def change_of(kpi: str, before, after) -> Change | None:
    """The change from `before` to `after` with an arrow and words (points for rates); "better" or
    "worse" for the rated figures. None when either is missing."""
    if before is None or after is None:
        return None
    difference = (after - before) * (100 if kpi in RATES else 1)
    decimals = 1 if kpi in RATES else DECIMALS.get(kpi, 0)
    if round(difference, decimals) == 0:
        return Change(SAME, f"{SAME} " + _("no change"), None)
    arrow = UP if difference > 0 else DOWN
    amount = ("+" if difference > 0 else "−") + number(abs(difference), decimals)
    if kpi in RATES:
        amount = _("%(amount)s points") % {"amount": amount}
    better = None
    if kpi in RATED:
        better = (difference > 0) == (kpi in HIGHER_IS_BETTER)
    text = f"{arrow} {amount}"
    if better is not None:
        text += " (" + (_("better") if better else _("worse")) + ")"
    return Change(arrow, text, better)


def small_sample(kpi: str, counters: dict, min_sample: int) -> int | None:
    """The denominator of a ratio or average when it is under the minimum sample, else None."""
    name = DENOMINATOR.get(kpi)
    if name is None:
        return None
    count = counters_value(counters, name)
    return count if count < min_sample else None


def behind_url(kpi_or_figure: str, *, date_from: dt.date, date_to: dt.date, as_of: dt.date,
               unit_code: str | None = None) -> str:
    """The list of the requests a figure counts (the dashboard's drill-down, `kpi:requests`), for a
    unit with the units under it, as the figure counts them."""
    from kpi.views.dashboard import drilldown_url

    return drilldown_url(date_from=date_from, date_to=date_to, figure=BEHIND_KPI.get(kpi_or_figure, kpi_or_figure),
                         as_of=as_of, unit=unit_code or "")


# --- the scorecard -------------------------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def parse_month(value: str | None) -> dt.date | None:
    """"2026-03" -> 1 March 2026; None when it is not a month."""
    try:
        year, month = str(value or "").strip().split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


@dataclass
class ScorecardLine:
    kpi: str
    label: str
    value: object
    value_text: str
    rating: str | None
    rating_label: str
    target_text: str
    previous: object
    previous_text: str
    change: Change | None
    department: object
    department_text: str
    department_rating: str | None
    sample: int | None  # the denominator, when under the minimum sample
    url: str | None  # the requests behind the figure


@dataclass
class Scorecard:
    unit: object
    month: dt.date
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    as_of: dt.date
    min_sample: int
    lines: list[ScorecardLine]
    counters: dict

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"

    def rated(self) -> dict[str, int]:
        """How many figures are green, amber, red."""
        counts = {Rating.GREEN: 0, Rating.AMBER: 0, Rating.RED: 0}
        for line in self.lines:
            if line.rating in counts:
                counts[line.rating] += 1
        return counts

    def sheet_rows(self) -> list[list]:
        return [[line.label, spreadsheet_value(line.kpi, line.value), line.target_text, line.rating_label,
                 spreadsheet_value(line.kpi, line.previous), line.change.text if line.change else "",
                 spreadsheet_value(line.kpi, line.department)] for line in self.lines]

    def sheet_headers(self) -> list[str]:
        return [_("Indicator"), month_label(self.month), _("Target"), _("Rating"), month_label(self.previous_from),
                pgettext("difference", "Change"), _("Department (all units)")]


def month_label(month: dt.date) -> str:
    from django.utils.dates import MONTHS

    return f"{MONTHS[month.month]} {month.year}"


def unit_scorecard(*, unit, month: dt.date, user=None, as_of: dt.date | None = None) -> Scorecard:
    """`unit`'s scorecard for `month` as `user` sees it (None: as nobody in particular, for the
    monthly mail). The department column is every unit's total: an aggregate, shown to every reader."""
    engine = KpiEngine(user=user, as_of=as_of)
    units = engine.unit_ids_under(unit.code)
    date_from, date_to = month_bounds(month)
    previous_from, previous_to = month_bounds(previous_month(month))
    current = engine.compute(date_from=date_from, date_to=date_to, units=units).total
    before = engine.compute(date_from=previous_from, date_to=previous_to, units=units).total
    department = KpiEngine(as_of=engine.as_of).compute(date_from=date_from, date_to=date_to).total
    targets = engine.targets()
    lines = []
    for kpi in KPIS:
        name = kpi.value
        value, previous = current.values[name], before.values[name]
        rating = engine.rate(kpi, value, current.counters, unit.pk) if kpi in RATED else None
        target = (targets.get((name, unit.pk)) or targets.get((name, None))) if kpi in RATED else None
        lines.append(ScorecardLine(
            kpi=name, label=kpi_label(name), value=value, value_text=shown(name, value), rating=rating,
            rating_label=rating_label(rating) if kpi in RATED else "", target_text=target_text(name, target),
            previous=previous, previous_text=shown(name, previous), change=change_of(name, previous, value),
            department=department.values[name], department_text=shown(name, department.values[name]),
            department_rating=department.ratings.get(name),
            sample=small_sample(name, current.counters, engine.min_sample),
            url=behind_url(name, date_from=date_from, date_to=date_to, as_of=engine.as_of, unit_code=unit.code),
        ))
    return Scorecard(unit=unit, month=date_from, date_from=date_from, date_to=date_to, previous_from=previous_from,
                     previous_to=previous_to, as_of=engine.as_of, min_sample=engine.min_sample, lines=lines,
                     counters=current.counters)
