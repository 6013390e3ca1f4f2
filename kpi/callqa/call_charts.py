"""The contact-centre charts, drawn with the KPI chart kit (kpi/charts.py: the same SVG frame,
patterns, axes, number formats and data tables; bars by queue and line are its `bar_chart`).

`call_series_chart` is the one shape the request charts have no twin for: stacked bars of the
calls offered per day (or per hour of the day), answered at the bottom and abandoned on top
(hatched, so that it does not rest on colour), with the service level as a line on a 0-100 %
right axis. Like every KPI chart it is a `<figure>` with an accessible SVG and a table of the same
figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kpi import charts
from kpi.charts import BAR, GRID, INK, LINE, MUTED, NO_VALUE, WIDTH, format_number, format_percent, nice_maximum

ABANDONED_FILL = charts.RATING_FILLS["red"]


def format_seconds(value) -> str:
    """Seconds with one decimal, as the language writes them (“12,5 sn”)."""
    if value is None:
        return NO_VALUE
    return _("%(value)s s") % {"value": format_number(value, 1)}


def format_call_kpi(kpi: str, value) -> str:
    """A call KPI as the screens show it: rates in percent with one decimal, times in seconds with
    one decimal, counts whole."""
    from kpi.callqa.engine import RATES, SECONDS

    if value is None:
        return NO_VALUE
    if kpi in RATES:
        return format_percent(value * 100)
    if kpi in SECONDS:
        return format_seconds(value)
    return format_number(value)


def empty_chart(chart_id: str, title: str) -> SafeString:
    return charts._empty(chart_id, title, _("No call was offered in this period."))


@dataclass
class CallPoint:
    """One day, month or hour of the day: calls answered and abandoned, and the service level."""

    axis_label: str  # under the bar: "5", "Mar", "09"
    label: str  # in the table and the tooltip: "5 March 2026", "09:00–09:59"
    offered: int
    answered: int
    abandoned: int
    service_level: float | None  # fraction 0..1


def call_series_chart(points: list[CallPoint], *, chart_id: str, title: str, description: str,
                      period_header: str) -> SafeString:
    """Stacked bars (answered, abandoned: together the calls offered; left axis) and the service
    level line (right axis, 0-100 %)."""
    if not points or not any(p.offered for p in points):
        return empty_chart(chart_id, title)
    left, right, bottom, plot_h = 60, 64, 44, 232
    plot_w = WIDTH - left - right
    entries = [("answered", _("Answered (bars, left axis)")), ("abandoned", _("Abandoned (hatched, left axis)")),
               ("line", _("Service level (line, right axis)"))]
    legend, x, line_y = [], left, 17
    for kind, text in entries:
        width = 36 + charts._text_width(text, 12)
        if x > left and x + width > WIDTH - 8:
            x, line_y = left, line_y + 20
        if kind == "answered":
            legend.append(format_html('<rect x="{}" y="{}" width="14" height="14" fill="{}"/>', x, line_y - 7, BAR))
        elif kind == "abandoned":
            legend.append(format_html('<rect x="{}" y="{}" width="14" height="14" fill="{}"/>'
                                      '<rect x="{}" y="{}" width="14" height="14" fill="url(#{}-hatch)"/>',
                                      x, line_y - 7, ABANDONED_FILL, x, line_y - 7, chart_id))
        else:
            legend.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>'
                                      '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
                                      x, line_y, x + 28, line_y, LINE, x + 14, line_y, LINE))
        legend.append(format_html('<text x="{}" y="{}">{}</text>', x + (34 if kind == "line" else 20), line_y + 4,
                                  text))
        x += width
    top = line_y + 27
    height = top + plot_h + bottom
    y_max = nice_maximum(max(p.offered for p in points))
    slot = plot_w / len(points)
    bar_w = slot * 0.68
    base = top + plot_h
    parts = [charts._group('class="kpi-chart__legend" font-size="12" fill="{}"', legend, INK)]

    axes = []
    for step in range(5):
        y = base - plot_h * step / 4
        count = y_max * step / 4
        axes.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}">{}</text>',
            left, charts._num(y), left + plot_w, charts._num(y), GRID, left - 8, charts._num(y + 4),
            format_number(count, 0 if float(count).is_integer() else 1),
            left + plot_w + 8, charts._num(y + 4), format_percent(25 * step, 0),
        ))
    label_every = 1 if slot >= 18 else (2 if slot >= 10 else 5)
    for index, point in enumerate(points):
        if index % label_every == 0:
            axes.append(format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>',
                                    charts._num(left + slot * (index + 0.5)), base + 18, point.axis_label))
    parts.append(charts._group('font-size="11" fill="{}"', axes, MUTED))

    bars = []
    for index, point in enumerate(points):
        x = left + slot * index + (slot - bar_w) / 2
        answered_h = plot_h * point.answered / y_max
        abandoned_h = plot_h * point.abandoned / y_max
        tip = _("%(label)s: %(offered)s offered, %(answered)s answered, %(abandoned)s abandoned, service level "
                "%(level)s") % {
            "label": point.label, "offered": format_number(point.offered), "answered": format_number(point.answered),
            "abandoned": format_number(point.abandoned), "level": format_call_kpi("service_level", point.service_level)}
        bars.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                                charts._num(x), charts._num(base - answered_h), charts._num(bar_w),
                                charts._num(answered_h), BAR, tip))
        if point.abandoned:
            y = base - answered_h - abandoned_h
            bars.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-hatch)"/>',
                charts._num(x), charts._num(y), charts._num(bar_w), charts._num(abandoned_h), ABANDONED_FILL, tip,
                charts._num(x), charts._num(y), charts._num(bar_w), charts._num(abandoned_h), chart_id))
        if slot >= 34 and point.offered:
            bars.append(format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>',
                                    charts._num(x + bar_w / 2), charts._num(base - answered_h - abandoned_h - 4),
                                    format_number(point.offered)))
    parts.append(charts._group('class="kpi-chart__bars" font-size="11" fill="{}"', bars, INK))

    line = charts.polylines([point.service_level for point in points], left=left, slot=slot, base=base,
                            plot_h=plot_h, colour=LINE)
    for index, point in enumerate(points):
        if point.service_level is None:
            continue
        line.append(format_html(
            '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}</title></circle>',
            charts._num(left + slot * (index + 0.5)), charts._num(base - plot_h * point.service_level), LINE,
            f"{point.label}: {format_call_kpi('service_level', point.service_level)}"))
    line.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                            left, base, left + plot_w, base, MUTED))
    parts.append(charts._group('class="kpi-chart__line"', line))

    rows = [[p.label, format_number(p.offered), format_number(p.answered), format_number(p.abandoned),
             format_call_kpi("service_level", p.service_level)] for p in points]
    from kpi.callqa.engine import KPI_LABELS

    headers = [period_header] + [str(KPI_LABELS[name]) for name in ("offered", "answered", "abandoned",
                                                                    "service_level")]
    table = charts._table(title, headers, rows, _("The figures as a table"))
    return format_html('<figure class="kpi-chart" id="{}"><figcaption class="kpi-chart__title">{}</figcaption>'
                       '<div class="kpi-chart__frame">{}</div>{}</figure>',
                       chart_id, title, charts._svg(chart_id, title, description, height, parts), table)


def bars(bars_: list[charts.Bar], *, chart_id: str, title: str, description: str, label_header: str,
         value_header: str, maximum: float | None = None) -> SafeString:
    """kpi.charts.bar_chart, saying "no call" rather than "no request" when there is nothing."""
    if not bars_:
        return empty_chart(chart_id, title)
    return charts.bar_chart(bars_, chart_id=chart_id, title=title, description=description,
                            label_header=label_header, value_header=value_header, maximum=maximum)
