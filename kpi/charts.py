"""The KPI dashboard's charts, drawn on the server as inline SVG (no JavaScript, no CDN), and the
one way the KPI screens write a figure (Turkish number formats, rating labels, targets).

Every chart is a `<figure>` holding an SVG with `role="img"`, an `aria-label`, `<title>` and
`<desc>`, and a `<details>` table of the same figures (the alternative for screen readers and
for anyone who wants the numbers). Meaning is never carried by colour alone: a rated bar also
has a fill pattern (hatched: off target, dotted: near the limit) and its rating written next to
its value. The colours reach 4.5:1 against the white chart background, so they pass WCAG AA for
text as well as for graphics (3:1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.formats import get_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from kpi.engine import HIGHER_IS_BETTER, RATES, Rating
from kpi.models import Kpi

# --- writing figures ------------------------------------------------------------------------------

COUNTS = frozenset({Kpi.CREATED, Kpi.ANSWERED, Kpi.DUE_OR_ANSWERED, Kpi.ON_TIME, Kpi.OVERDUE_OPEN,
                    Kpi.SCHEDULED_OVERDUE})
HOURS = frozenset({Kpi.MEAN_ANSWER_HOURS, Kpi.MEDIAN_ANSWER_HOURS})

RATING_LABELS = {
    Rating.GREEN: pgettext_lazy("KPI rating", "On target"),
    Rating.AMBER: pgettext_lazy("KPI rating", "Near the limit"),
    Rating.RED: pgettext_lazy("KPI rating", "Off target"),
    Rating.SMALL_SAMPLE: pgettext_lazy("KPI rating", "Small sample"),
}
# The symbol beside a rating in a crowded table (its words go to screen readers and the tooltip).
RATING_SYMBOLS = {Rating.GREEN: "✓", Rating.AMBER: "!", Rating.RED: "✕", Rating.SMALL_SAMPLE: "~"}
# Written after a figure whose denominator is under the minimum sample (shown, never coloured).
SMALL_SAMPLE_NOTE = gettext_lazy("(small sample)")
NO_VALUE = "—"


@lru_cache(maxsize=8)
def _separators(language: str | None) -> tuple[str, str]:
    return str(get_format("DECIMAL_SEPARATOR", language)), str(get_format("THOUSAND_SEPARATOR", language))


def format_number(value, decimals: int = 0) -> str:
    """12.345 / 87,5: the active language's separators (Turkish: dot for thousands, comma for decimals).
    (Django's number_format gives the same; this is the dashboard's hot path, with a few thousand figures.)"""
    decimal, thousand = _separators(get_language())
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousand)


def format_percent(percent, decimals: int = 1) -> str:
    """A value already in percent (87.5) as the language writes it: %87,5 in Turkish, 87,5% in English."""
    return _("%(value)s%%") % {"value": format_number(percent, decimals)}


def format_kpi(kpi: str, value) -> str:
    """A KPI's value as the screens show it: rates in percent with one decimal, hours with one
    decimal, the satisfaction score with two, counts whole."""
    if value is None:
        return NO_VALUE
    if kpi in RATES:
        return format_percent(value * 100)
    if kpi in HOURS:
        return format_number(value, 1)
    if kpi == Kpi.SATISFACTION_AVG:
        return format_number(value, 2)
    return format_number(value)


def format_target_value(kpi: str, value: float) -> str:
    """A target's threshold (stored in percent for rates, hours for times, as is for the rest)."""
    decimals = 0 if float(value).is_integer() else (2 if kpi == Kpi.SATISFACTION_AVG else 1)
    if kpi in RATES:
        return format_percent(value, decimals)
    return format_number(value, decimals)


def target_text(kpi: str, target) -> str:
    """“≥ %90 (red below %80)”: the green threshold and where red starts, in the KPI's direction."""
    if target is None:
        return ""
    green, red = format_target_value(kpi, target.green), format_target_value(kpi, target.red)
    if kpi in HIGHER_IS_BETTER:
        return _("≥ %(green)s (red below %(red)s)") % {"green": green, "red": red}
    return _("≤ %(green)s (red above %(red)s)") % {"green": green, "red": red}


def rating_label(rating: str | None) -> str:
    return str(RATING_LABELS.get(rating, "")) if rating else ""


def shown_value(kpi: str, value, rating: str | None) -> str:
    """The value with “(small sample)” when its denominator is under the minimum sample."""
    text = format_kpi(kpi, value)
    if rating == Rating.SMALL_SAMPLE and value is not None:
        return f"{text} {SMALL_SAMPLE_NOTE}"
    return text


# --- colours and patterns -------------------------------------------------------------------------

INK = "#1f2933"  # text: 14.7:1 on white
MUTED = "#4b5563"  # axis labels: 7.6:1
GRID = "#d5dae0"  # decorative grid lines
BAR = "#24568c"  # counts: 7.3:1
LINE = "#a64600"  # the on-time line: 5.6:1
TARGET = "#4b5563"
RATING_FILLS = {
    Rating.GREEN: "#1a6b37",  # 6.6:1
    Rating.AMBER: "#8a5a00",  # 5.9:1
    Rating.RED: "#b42318",  # 6.0:1
    Rating.SMALL_SAMPLE: "#5b6670",  # 5.9:1
    None: "#5b6670",
}
# The pattern laid over a rated bar so that the rating does not rest on colour alone.
RATING_PATTERNS = {Rating.RED: "hatch", Rating.AMBER: "dots", Rating.SMALL_SAMPLE: "grid"}

WIDTH = 760


def _concat(parts) -> SafeString:
    """Pieces of markup, each built by format_html (anything else would be escaped)."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _defs(chart_id: str) -> SafeString:
    """The fill patterns of one chart (ids are per chart: several charts share a page)."""
    return format_html(
        "<defs>"
        '<pattern id="{}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="none"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2" stroke-opacity="0.75"/></pattern>'
        '<pattern id="{}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<circle cx="3" cy="3" r="1.3" fill="#ffffff" fill-opacity="0.8"/></pattern>'
        '<pattern id="{}-grid" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<path d="M0 3H6M3 0V6" stroke="#ffffff" stroke-width="1" stroke-opacity="0.6"/></pattern>'
        "</defs>",
        chart_id, chart_id, chart_id,
    )


def _num(value: float) -> str:
    """A coordinate: short, and never with a locale's decimal comma."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def polylines(fractions, *, left: float, slot: float, base: float, plot_h: float, colour: str,
              width: float = 2.5, dash: str = "") -> list:
    """A line through `fractions` (0..1, one per slot, drawn at the slot's centre), broken where a
    value is None: one <polyline> per run of two or more points. Every line chart draws with it."""
    segments, current = [], []
    for index, value in enumerate(fractions):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append((left + slot * (index + 0.5), base - plot_h * value))
    if current:
        segments.append(current)
    dash_attr = format_html(' stroke-dasharray="{}"', dash) if dash else ""
    return [format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"{} stroke-linejoin="round"/>',
                        " ".join(f"{_num(x)},{_num(y)}" for x, y in segment), colour, width, dash_attr)
            for segment in segments if len(segment) > 1]


STEP_MULTIPLES = (1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7.5, 8)


def nice_maximum(value: float, ticks: int = 4) -> int:
    """The axis end: `ticks` equal whole-number steps of 1, 1.2, 1.5, 2, 2.5, ... x 10^k that reach `value`."""
    wanted = max(value, 1) / ticks
    power = 1
    while True:
        for multiple in STEP_MULTIPLES:
            step = multiple * power
            if step >= wanted and float(step).is_integer():
                return int(step) * ticks
        power *= 10


def _text_width(text: str, size: int) -> float:
    """A generous estimate of a text's width (0.6 em a character), for laying out the legend."""
    return len(text) * size * 0.6


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, description: str, height: int, parts: list) -> SafeString:
    return format_html(
        '<svg class="kpi-chart__svg" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'aria-describedby="{}-desc" xmlns="http://www.w3.org/2000/svg" font-family="inherit">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        WIDTH, height, title, chart_id, chart_id, title, chart_id, description, _defs(chart_id), _concat(parts),
    )


def _group(attributes: str, parts: list, *values) -> SafeString:
    """<g> with `attributes` (a format string for `values`) around `parts`."""
    return format_html("<g " + attributes + ">{}</g>", *values, _concat(parts))


def _table(caption: str, headers: list[str], rows: list[list], summary: str) -> str:
    """The figures of a chart as a table, folded under a <details>."""
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    body = []
    for row in rows:
        cells = [format_html('<th scope="row">{}</th>', row[0])]
        cells += [format_html("<td>{}</td>", cell) for cell in row[1:]]
        body.append(format_html("<tr>{}</tr>", _concat(cells)))
    return format_html(
        '<details class="kpi-chart__data"><summary>{}</summary><div class="kpi-table-wrap">'
        '<table class="listing kpi-chart__table"><caption class="w-sr-only">{}</caption><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div></details>",
        summary, caption, head, _concat(body),
    )


def _link(text: str, href: str) -> str:
    return format_html('<a href="{}">{}</a>', href, text) if href else escape(text)


def _empty(chart_id: str, title: str, message: str) -> SafeString:
    return format_html('<figure class="kpi-chart" id="{}"><figcaption class="kpi-chart__title">{}</figcaption>'
                       '<p class="kpi-chart__empty">{}</p></figure>', chart_id, title, message)


# --- the time series ------------------------------------------------------------------------------


@dataclass
class SeriesPoint:
    """One day (month view) or month (year view): requests created and the on-time rate."""

    axis_label: str  # under the bar: "5", "Mar"
    label: str  # in the table and the tooltip: "5 March 2026", "March 2026"
    created: int
    rate: float | None  # fraction 0..1
    rating: str | None = None
    href: str = ""  # the requests behind the bar


def series_chart(points: list[SeriesPoint], *, chart_id: str, title: str, description: str,
                 target_percent: float | None = None) -> SafeString:
    """Bars of requests created (left axis) and a line of the on-time rate (right axis, 0-100 %);
    the on-time target as a dashed line. A hollow marker is a rate under the minimum sample."""
    if not points or not any(p.created for p in points):
        return _empty(chart_id, title, _("No request was created in this period."))
    left, right, bottom, plot_h = 60, 64, 44, 232
    plot_w = WIDTH - left - right
    # The legend flows over as many lines as its (translated) entries need.
    entries = [("bar", _("Requests created (bars, left axis)")), ("line", _("On-time rate (line, right axis)"))]
    if target_percent is not None:
        decimals = 0 if float(target_percent).is_integer() else 1
        entries.append(("target", _("Target %(value)s") % {"value": format_percent(target_percent, decimals)}))
    legend, x, line_y = [], left, 17
    for kind, text in entries:
        width = 36 + _text_width(text, 12)
        if x > left and x + width > WIDTH - 8:
            x, line_y = left, line_y + 20
        if kind == "bar":
            legend.append(format_html('<rect x="{}" y="{}" width="14" height="14" fill="{}"/>', x, line_y - 7, BAR))
        elif kind == "line":
            legend.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>'
                                      '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
                                      x, line_y, x + 28, line_y, LINE, x + 14, line_y, LINE))
        else:
            legend.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                                      'stroke-dasharray="5 4"/>', x, line_y, x + 28, line_y, TARGET))
        legend.append(format_html('<text x="{}" y="{}">{}</text>', x + (20 if kind == "bar" else 34), line_y + 4, text))
        x += width
    top = line_y + 27
    height = top + plot_h + bottom
    y_max = nice_maximum(max(p.created for p in points))
    slot = plot_w / len(points)
    bar_w = slot * 0.68
    base = top + plot_h
    parts = [_group('class="kpi-chart__legend" font-size="12" fill="{}"', legend, INK)]

    axes = []
    for step in range(5):
        y = base - plot_h * step / 4
        count = y_max * step / 4
        axes.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}">{}</text>',
            left, _num(y), left + plot_w, _num(y), GRID, left - 8, _num(y + 4),
            format_number(count, 0 if float(count).is_integer() else 1),
            left + plot_w + 8, _num(y + 4), format_percent(25 * step, 0),
        ))
    label_every = 1 if slot >= 18 else (2 if slot >= 10 else 5)
    for index, point in enumerate(points):
        if index % label_every == 0:
            axes.append(format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>',
                                    _num(left + slot * (index + 0.5)), base + 18, point.axis_label))
    parts.append(_group('font-size="11" fill="{}"', axes, MUTED))

    bars = []  # with their values written above them when there is room
    for index, point in enumerate(points):
        x = left + slot * index + (slot - bar_w) / 2
        h = plot_h * point.created / y_max
        tip = _("%(label)s: %(created)s created, on-time rate %(rate)s") % {
            "label": point.label, "created": format_number(point.created),
            "rate": shown_value(Kpi.ON_TIME_RATE, point.rate, point.rating)}
        bars.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                                _num(x), _num(base - h), _num(bar_w), _num(h), BAR, tip))
        if slot >= 34 and point.created:
            bars.append(format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>',
                                    _num(x + bar_w / 2), _num(base - h - 4), format_number(point.created)))
    parts.append(_group('class="kpi-chart__bars" font-size="11" fill="{}"', bars, INK))

    line = []
    if target_percent is not None:
        y = base - plot_h * min(max(target_percent, 0), 100) / 100
        line.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                                'stroke-dasharray="5 4"/>', left, _num(y), left + plot_w, _num(y), TARGET))
    line += polylines([point.rate for point in points], left=left, slot=slot, base=base, plot_h=plot_h,
                      colour=LINE)
    for index, point in enumerate(points):
        if point.rate is None:
            continue
        small = point.rating == Rating.SMALL_SAMPLE
        line.append(format_html(
            '<circle cx="{}" cy="{}" r="4" fill="{}" stroke="{}" stroke-width="2"><title>{}</title></circle>',
            _num(left + slot * (index + 0.5)), _num(base - plot_h * point.rate), "#ffffff" if small else LINE, LINE,
            f"{point.label}: {shown_value(Kpi.ON_TIME_RATE, point.rate, point.rating)}"))
    line.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                            left, base, left + plot_w, base, MUTED))
    parts.append(_group('class="kpi-chart__line"', line))

    rows = [[p.label, _link(format_number(p.created), p.href), shown_value(Kpi.ON_TIME_RATE, p.rate, p.rating),
             rating_label(p.rating) or NO_VALUE] for p in points]
    table = _table(title, [_("Period"), _("Requests created"), str(Kpi.ON_TIME_RATE.label), _("Rating")], rows,
                   _("The figures as a table"))
    return format_html('<figure class="kpi-chart" id="{}"><figcaption class="kpi-chart__title">{}</figcaption>'
                       '<div class="kpi-chart__frame">{}</div><p class="kpi-chart__legend-text">{}</p>{}</figure>',
                       chart_id, title, _svg(chart_id, title, description, height, parts),
                       _("A hollow point is a rate over too few requests to be rated."), table)


# --- horizontal bars ------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: float | None  # what the bar's length shows (a rate in percent, a count)
    text: str  # the value as written
    rating: str | None = None
    href: str = ""  # the requests behind the figure
    note: str = ""  # e.g. the unit's code


def bar_chart(bars: list[Bar], *, chart_id: str, title: str, description: str, label_header: str,
              value_header: str, rated: bool = False, maximum: float | None = None) -> SafeString:
    """One horizontal bar per row, its value (and rating) written at its end; `maximum` fixes the
    scale (100 for percentages), otherwise it fits the largest value."""
    if not bars:
        return _empty(chart_id, title, _("No request was created in this period."))
    row_h, top, bottom, label_w, text_w = 28, 8, 30, 230, 190
    plot_w = WIDTH - label_w - text_w - 12
    rows_h = row_h * len(bars)
    height = top + rows_h + bottom
    values = [b.value for b in bars if b.value is not None]
    x_max = maximum if maximum is not None else nice_maximum(max(values, default=0))
    x0 = label_w + 8
    is_percent = maximum == 100

    axis = []
    for step in range(5):
        x = x0 + plot_w * step / 4
        tick = x_max * step / 4
        tick_text = (format_percent(tick, 0) if is_percent
                     else format_number(tick, 0 if float(tick).is_integer() else 1))
        axis.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                                _num(x), top, _num(x), top + rows_h, GRID, _num(x), top + rows_h + 18, tick_text))
    parts = [_group('font-size="11" fill="{}"', axis, MUTED)]

    rows = []
    for index, bar in enumerate(bars):
        y = top + row_h * index
        text_y = _num(y + row_h / 2 + 4)
        full = f"{bar.label} ({bar.note})" if bar.note else bar.label
        rows.append(format_html('<text x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>',
                                label_w, text_y, full, _truncate(bar.label, 32)))
        label = f"{bar.text} · {rating_label(bar.rating)}" if rated and bar.rating else bar.text
        if bar.value is None:
            rows.append(format_html('<text x="{}" y="{}" fill="{}">{}</text>', x0 + 4, text_y, MUTED, label))
            continue
        width = max(plot_w * min(bar.value, x_max) / x_max, 0)
        fill = RATING_FILLS.get(bar.rating, RATING_FILLS[None]) if rated else BAR
        rows.append(format_html('<rect x="{}" y="{}" width="{}" height="18" fill="{}"><title>{}</title></rect>',
                                x0, _num(y + 5), _num(width), fill, f"{full}: {label}"))
        pattern = RATING_PATTERNS.get(bar.rating) if rated else None
        if pattern and width > 0:
            rows.append(format_html('<rect x="{}" y="{}" width="{}" height="18" fill="url(#{}-{})"/>',
                                    x0, _num(y + 5), _num(width), chart_id, pattern))
        rows.append(format_html('<text x="{}" y="{}">{}</text>', _num(x0 + width + 6), text_y, label))
    rows.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                            x0, top, x0, top + rows_h, MUTED))
    parts.append(_group('class="kpi-chart__bars" font-size="12" fill="{}"', rows, INK))

    headers = [label_header, value_header] + ([_("Rating")] if rated else [])
    table_rows = []
    for bar in bars:
        row = [f"{bar.label} ({bar.note})" if bar.note else bar.label, _link(bar.text, bar.href)]
        if rated:
            row.append(rating_label(bar.rating) or NO_VALUE)
        table_rows.append(row)
    table = _table(title, headers, table_rows, _("The figures as a table"))
    legend = ""
    if rated:
        legend = format_html('<p class="kpi-chart__legend-text">{}</p>',
                             _("Solid: on target; dotted: near the limit; hatched: off target; grey: small sample "
                               "or no target. Each bar also says its rating in words."))
    return format_html('<figure class="kpi-chart" id="{}"><figcaption class="kpi-chart__title">{}</figcaption>'
                       '<div class="kpi-chart__frame">{}</div>{}{}</figure>',
                       chart_id, title, _svg(chart_id, title, description, height, parts), legend, table)
