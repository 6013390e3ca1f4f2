"""The QA score trend chart, drawn with the KPI chart kit (kpi/charts.py: the same accessible SVG
frame, axes, number formats and table of the figures).

`score_trend_chart` is a line per team (and a bold one for the total) of the mean QA score per
month on a 0-100 axis. Lines are told apart by colour, by their marker's shape and by their dash,
and each line's name is written at its end, so the chart never rests on colour alone; the same
figures follow as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kpi import charts
from kpi.charts import GRID, INK, MUTED, NO_VALUE, WIDTH, format_number

# Dark enough for text and lines on white (> 4.5:1).
SERIES_COLOURS = ("#24568c", "#a64600", "#1a6b37", "#6b3fa0", "#8a5a00", "#0f6b75", "#b42318", "#4b5563")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
TOTAL_COLOUR = INK


@dataclass
class TrendSeries:
    label: str
    values: list[float | None]  # one per month, the mean score 0..100 (None: no evaluation)
    counts: list[int]  # evaluations behind each value
    is_total: bool = False


def _marker(kind: str, x: float, y: float, colour: str, tip: str) -> SafeString:
    n = charts._num
    if kind == "square":
        return format_html('<rect x="{}" y="{}" width="8" height="8" fill="{}"><title>{}</title></rect>',
                           n(x - 4), n(y - 4), colour, tip)
    if kind == "triangle":
        points = f"{n(x)},{n(y - 5)} {n(x + 5)},{n(y + 4)} {n(x - 5)},{n(y + 4)}"
        return format_html('<polygon points="{}" fill="{}"><title>{}</title></polygon>', points, colour, tip)
    if kind == "diamond":
        points = f"{n(x)},{n(y - 5)} {n(x + 5)},{n(y)} {n(x)},{n(y + 5)} {n(x - 5)},{n(y)}"
        return format_html('<polygon points="{}" fill="{}"><title>{}</title></polygon>', points, colour, tip)
    return format_html('<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}</title></circle>', n(x), n(y), colour, tip)


def score_text(value) -> str:
    return NO_VALUE if value is None else format_number(value, 2)


def score_trend_chart(series: list[TrendSeries], *, month_labels: list[str], axis_labels: list[str],
                      chart_id: str, title: str, description: str) -> SafeString:
    """Lines of the mean score per month (0-100), one per series, with a table of the same figures."""
    if not series or not any(v is not None for s in series for v in s.values):
        return charts._empty(chart_id, title, _("No evaluation was submitted in this period."))
    left, right, top, bottom, plot_h = 48, 170, 16, 40, 240
    plot_w = WIDTH - left - right
    base = top + plot_h
    slot = plot_w / max(len(month_labels), 1)
    height = top + plot_h + bottom
    axes = []
    for step in range(5):
        y = base - plot_h * step / 4
        axes.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                                left, charts._num(y), left + plot_w, charts._num(y), GRID, left - 8,
                                charts._num(y + 4), format_number(25 * step)))
    for index, label in enumerate(axis_labels):
        axes.append(format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>',
                                charts._num(left + slot * (index + 0.5)), base + 18, label))
    parts = [charts._group('font-size="11" fill="{}"', axes, MUTED)]
    lines = []
    end_labels: list[tuple[float, str, str]] = []
    for number, item in enumerate(series):
        colour = TOTAL_COLOUR if item.is_total else SERIES_COLOURS[number % len(SERIES_COLOURS)]
        dash = "" if item.is_total else DASHES[number % len(DASHES)]
        marker = "circle" if item.is_total else MARKERS[number % len(MARKERS)]
        width = 3.5 if item.is_total else 2
        points = [(left + slot * (i + 0.5), base - plot_h * min(max(float(v), 0), 100) / 100, v, i)
                  for i, v in enumerate(item.values) if v is not None]
        lines += charts.polylines([None if v is None else min(max(float(v), 0), 100) / 100 for v in item.values],
                                  left=left, slot=slot, base=base, plot_h=plot_h, colour=colour, width=width,
                                  dash=dash)
        for x, y, value, i in points:
            tip = _("%(series)s, %(month)s: %(score)s (%(count)s evaluations)") % {
                "series": item.label, "month": month_labels[i], "score": score_text(value),
                "count": format_number(item.counts[i])}
            lines.append(_marker(marker, x, y, colour, tip))
        if points:
            x, y, _value, _i = points[-1]
            end_labels.append((y, charts._truncate(item.label, 24), colour))
    # The names at the lines' ends, nudged apart so that they never overlap.
    placed: list[float] = []
    for y, label, colour in sorted(end_labels):
        while any(abs(y - other) < 13 for other in placed):
            y += 13
        placed.append(y)
        lines.append(format_html('<text x="{}" y="{}" fill="{}" font-size="12">{}</text>',
                                 left + plot_w + 8, charts._num(y + 4), colour, label))
    lines.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                             left, base, left + plot_w, base, MUTED))
    parts.append(charts._group('class="callqa-trend__lines"', lines))
    headers = [_("Month")] + [item.label for item in series]
    rows = []
    for index, month in enumerate(month_labels):
        row = [month]
        for item in series:
            value = item.values[index]
            row.append(NO_VALUE if value is None else _("%(score)s (%(count)s)") % {
                "score": score_text(value), "count": format_number(item.counts[index])})
        rows.append(row)
    table = charts._table(title, headers, rows, _("The figures as a table"))
    return format_html('<figure class="kpi-chart" id="{}"><figcaption class="kpi-chart__title">{}</figcaption>'
                       '<div class="kpi-chart__frame">{}</div><p class="kpi-chart__legend-text">{}</p>{}</figure>',
                       chart_id, title, charts._svg(chart_id, title, description, height, parts),
                       _("Each line is named at its end and has its own marker and dash; the bold line is the "
                         "total. In the table, the number of evaluations follows each mean score."), table)
