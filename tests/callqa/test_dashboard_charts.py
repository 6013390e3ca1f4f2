"""The call charts' lines (kpi.charts.polylines): drawn through the points, broken where a value is missing."""

import re

import pytest

from kpi.callqa.call_charts import CallPoint, call_series_chart
from kpi.callqa.report_charts import TrendSeries, score_trend_chart

pytestmark = pytest.mark.django_db


def _lines(svg: str) -> list[int]:
    """The number of points of every <polyline>."""
    return [len(points.split()) for points in re.findall(r'<polyline points="([^"]*)"', svg)]


def test_the_service_level_line_breaks_at_a_day_without_a_rate():
    points = [CallPoint(str(d), str(d), 10, 9, 1, None if d == 3 else 0.8) for d in range(1, 7)]
    assert _lines(call_series_chart(points, chart_id="c", title="t", description="d", period_header="p")) == [2, 3]


def test_a_trend_line_per_series_with_its_gap_and_dash():
    svg = score_trend_chart(
        [TrendSeries("A", [80, 90, None, 70, 75], [1, 1, 0, 1, 1]),
         TrendSeries("B", [60, 65, 70, 75, 80], [1, 1, 1, 1, 1]),
         TrendSeries("Tümü", [80, 85, 88, 70, 75], [2, 2, 1, 2, 2], is_total=True)],
        month_labels=list("abcde"), axis_labels=list("abcde"), chart_id="t", title="t", description="d")
    assert _lines(svg) == [2, 2, 5, 5]
    # the second team's line is dashed (the first is solid, as is the total): patterns, not colour alone
    assert re.findall(r'<polyline[^>]*stroke-dasharray="([^"]*)"', svg) == ["6 4"]
