"""The server-drawn SVG charts: accessible (role, label, title, description, a data table), their
data labels written in Turkish formats, ratings not by colour alone, names escaped."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from kpi import charts
from kpi.engine import Rating
from kpi.models import Kpi


@pytest.fixture(autouse=True)
def turkish():
    with translation.override("tr"):
        yield


def test_figures_are_written_the_turkish_way():
    assert charts.format_kpi(Kpi.ON_TIME_RATE, 0.875) == "%87,5"
    assert charts.format_kpi(Kpi.MEAN_ANSWER_HOURS, 31.26) == "31,3"
    assert charts.format_kpi(Kpi.CREATED, 12345) == "12.345"
    assert charts.format_kpi(Kpi.SATISFACTION_AVG, 4.1) == "4,10"
    assert charts.format_kpi(Kpi.OVERDUE_OPEN, None) == "—"
    assert charts.shown_value(Kpi.ON_TIME_RATE, 0.5, Rating.SMALL_SAMPLE) == "%50,0 (az örnek)"
    assert charts.rating_label(Rating.RED) == "Hedef dışı"
    assert charts.rating_label(Rating.GREEN) == "Hedefte"
    assert charts.rating_label(Rating.AMBER) == "Sınırda"
    assert charts.rating_label(Rating.SMALL_SAMPLE) == "Örnek az"


def test_english_puts_the_percent_sign_after():
    with translation.override("en"):
        assert charts.format_kpi(Kpi.ON_TIME_RATE, 0.875) == "87,5%"


def test_a_bar_chart_is_an_accessible_svg_with_its_data_labels_and_table():
    bars = [charts.Bar(label="Fen İşleri Dairesi Başkanlığı", note="FEN", value=44.4, text="%44,4", rating=Rating.RED,
                       href="/admin/kpi/requests/?unit=FEN"),
            charts.Bar(label="Park ve Bahçeler", note="PARK", value=87.5, text="%87,5", rating=Rating.GREEN),
            charts.Bar(label="Zabıta", note="ZABITA", value=None, text="—")]
    html = str(charts.bar_chart(bars, chart_id="c1", title="Zamanında cevap oranı", description="Birimlere göre",
                                label_header="Birim", value_header="Oran", rated=True, maximum=100))
    assert re.search(r'<svg[^>]* role="img" aria-label="Zamanında cevap oranı" aria-describedby="c1-desc"', html)
    assert '<title id="c1-title">Zamanında cevap oranı</title><desc id="c1-desc">Birimlere göre</desc>' in html
    # Data labels with the rating in words; a pattern over the red bar (not colour alone).
    assert ">%44,4 · Hedef dışı</text>" in html and ">%87,5 · Hedefte</text>" in html
    assert 'fill="url(#c1-hatch)"' in html
    assert ">%100</text>" in html  # the axis in percent
    # The table: every row, the link to the requests behind the figure.
    table = html.split("<details")[1]
    assert table.count('<th scope="row">') == 3
    assert '<a href="/admin/kpi/requests/?unit=FEN">%44,4</a>' in table


def test_names_are_escaped():
    html = str(charts.bar_chart([charts.Bar(label="<script>x</script>", value=1, text="1")], chart_id="c2",
                                title="<b>", description="d", label_header="a", value_header="b"))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html


def test_the_time_series_draws_bars_a_line_the_target_and_hollow_small_samples():
    points = [charts.SeriesPoint(axis_label=str(m), label=f"Ay {m}", created=100 * m, rate=0.5 + m / 40,
                                 rating=Rating.SMALL_SAMPLE if m == 1 else Rating.GREEN, href=f"/r?m={m}")
              for m in range(1, 13)]
    points[5].rate = None
    html = str(charts.series_chart(points, chart_id="s", title="Seri", description="Açıklama", target_percent=90))
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert svg.count("<rect") == 12 + 1 + 1  # the bars, the legend's sample and a pattern's ground
    assert ">1.200</text>" in svg  # a bar's value, with a Turkish thousands separator
    assert svg.count("<polyline") == 2  # broken where a month has no rate
    assert 'stroke-dasharray="5 4"' in svg and "Hedef %90" in svg
    assert 'fill="#ffffff" stroke="#a64600"' in svg  # the small sample's hollow point
    assert "Ay 3: oluşturulan 300, zamanında cevap oranı %57,5" in svg
    assert html.count('<th scope="row">') == 12 and '<a href="/r?m=2">200</a>' in html


def test_an_empty_period_says_so_instead_of_an_empty_chart():
    html = str(charts.series_chart([charts.SeriesPoint("1", "1", 0, None)], chart_id="e", title="Seri",
                                   description="d"))
    assert "<svg" not in html and "Bu dönemde oluşturulan başvuru yok." in html
    assert "<svg" not in str(charts.bar_chart([], chart_id="f", title="t", description="d", label_header="a",
                                              value_header="b"))


def test_the_nice_axis_end():
    # Four whole-number steps: 0-15-30-45-60 for 49, never 12,5 or 37,5.
    assert [charts.nice_maximum(v) for v in (0, 1, 7, 12, 26, 49, 140, 291, 999, 1001)] == [
        4, 4, 8, 12, 32, 60, 140, 300, 1000, 1200]


def test_colours_reach_aa_contrast_on_white():
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (charts.INK, charts.MUTED, charts.BAR, charts.LINE, *charts.RATING_FILLS.values()):
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour
