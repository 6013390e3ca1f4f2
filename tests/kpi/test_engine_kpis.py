"""Every KPI against figures computed by hand (docs/kpi.md), on a month that holds a holiday week.

The requests of March 2026 below, seen on 15 April 2026 (answer times in hours in brackets):

| # | unit | type | created | class | due | first answer | |
|---|---|---|---|---|---|---|---|
| 1 | FEN | complaint | 02.03 09:00 | 7 | 09.03 | 04.03 10:00 (49) | on time |
| 2 | FEN | request | 02.03 09:00 | 3 | 05.03 | 06.03 09:00 (96) | late, returned once |
| 3 | FEN | request | 10.03 09:00 | 30 | 09.04 | — | overdue on 15.04 |
| 4 | FEN | request | 31.03 09:00 | 30 | 30.04 | — | not yet due |
| 5 | FEN | information | 16.03 09:00 | 4982 | 07.04 (bayram week) | 07.04 17:00 (536) | on time |
| 6 | FEN | request | 03.03 | 7 | — | — | not processed |
| 7 | PARK | suggestion | 05.03 09:00 | 30 | 04.04 | 06.03 09:00 (24) | scheduled to 01.04, not closed |
| 8 | PARK | complaint | 05.03 09:00 | 7 | 12.03 | 05.03 10:00 (1) | satisfaction 5, field check failed |
| 9 | PARK | complaint | 06.03 09:00 | 7 | 13.03 | 07.03 09:00 (24) | satisfaction 2, field check ok |
| 10 | FEN | request | 27.02 | 7 | | | outside the period |
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kpi import rollups
from kpi.engine import KpiEngine, Rating, median_from_histogram
from kpi.models import KpiTarget
from tests.kpi.conftest import request_row

MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
AS_OF = dt.date(2026, 4, 15)


@pytest.fixture
def march(make_requests):
    rows = [
        request_row(request_no="R1", unit_code="FEN", type="complaint", created_at="2026-03-02 09:00", deadline="7",
                    status="answered", first_answer_at="2026-03-04 10:00"),
        request_row(request_no="R2", unit_code="FEN", type="request", created_at="2026-03-02 09:00", deadline="3",
                    status="closed", first_answer_at="06.03.2026 09:00", closed_at="2026-03-06 12:00",
                    return_count="1"),
        request_row(request_no="R3", unit_code="FEN", type="request", created_at="2026-03-10 09:00", deadline="30",
                    status="open", first_answer_at=""),
        request_row(request_no="R4", unit_code="FEN", type="request", created_at="2026-03-31 09:00", deadline="30",
                    status="open", first_answer_at=""),
        request_row(request_no="R5", unit_code="FEN", type="information", channel="Bilgi Edinme",
                    created_at="2026-03-16 09:00", deadline="4982", status="answered",
                    first_answer_at="2026-04-07 17:00"),
        request_row(request_no="R6", unit_code="FEN", type="request", created_at="2026-03-03 11:00", deadline="7",
                    status="not_processed", first_answer_at=""),
        request_row(request_no="R7", unit_code="PARK", type="suggestion", category="Park Bakımı",
                    created_at="2026-03-05 09:00", deadline="30", status="scheduled", scheduled_until="2026-04-01",
                    first_answer_at="2026-03-06 09:00"),
        request_row(request_no="R8", unit_code="PARK", type="complaint", category="Park Bakımı",
                    created_at="2026-03-05T06:00:00Z", deadline="7", status="closed",
                    first_answer_at="2026-03-05 10:00", closed_at="2026-03-05 11:00", satisfaction="5",
                    field_check="not_ok"),
        request_row(request_no="R9", unit_code="PARK", type="complaint", category="Park Bakımı",
                    created_at="06.03.2026 09:00", deadline="7", status="closed", first_answer_at="2026-03-07 09:00",
                    closed_at="2026-03-07 09:30", satisfaction="2", field_check="ok"),
        request_row(request_no="R10", unit_code="FEN", created_at="2026-02-27 09:00", deadline="7", status="answered",
                    first_answer_at="2026-02-28 09:00"),
    ]
    make_requests(rows)


def report(group_by=(), as_of=AS_OF, **kwargs):
    return KpiEngine(as_of=as_of).compute(group_by=group_by, **(MARCH | kwargs))


def test_department_totals_for_march(march):
    values = report().total.values
    assert values == {
        "created": 9,
        "answered": 6,  # 1 2 5 7 8 9
        "due_or_answered": 7,  # the answered, and 3 (due 09.04, unanswered on 15.04)
        "on_time": 5,  # all answered but 2
        "on_time_rate": round(5 / 7, 4),
        "mean_answer_hours": round((49 + 96 + 536 + 24 + 1 + 24) / 6, 2),
        # Grouped median: n/2 = 3 falls in the 24-36 h bucket (2 answers, 1 before it):
        # 24 + (3 - 1) / 2 x 12 = 36.
        "median_answer_hours": 36.0,
        "overdue_open": 1,
        "scheduled_overdue": 1,  # 7: target date 01.04 passed, not closed
        "returned_rate": round(1 / 6, 4),
        "satisfaction_avg": 3.5,
        "satisfied_rate": 0.5,
        "field_check_fail_rate": 0.5,
    }


def test_by_unit(march):
    rows = {row.keys["unit_code"]: row.values for row in report(("unit",)).rows}
    fen, park = rows["FEN"], rows["PARK"]
    assert (fen["created"], fen["answered"], fen["due_or_answered"], fen["on_time"]) == (6, 3, 4, 2)
    assert fen["on_time_rate"] == 0.5
    assert fen["overdue_open"] == 1 and fen["scheduled_overdue"] == 0
    # 49, 96 and 536 h: n/2 = 1.5 falls in the 96-120 h bucket (one answer, one before it): 96 + 0.5 x 24.
    assert fen["median_answer_hours"] == 108.0
    assert (park["created"], park["answered"], park["on_time"], park["on_time_rate"]) == (3, 3, 3, 1.0)
    assert park["scheduled_overdue"] == 1
    assert park["satisfaction_avg"] == 3.5 and park["field_check_fail_rate"] == 0.5


def test_the_report_date_decides_what_is_overdue(march):
    # Request 3 falls due on 9 April: answering on that day is still on time, so it is overdue from the 10th.
    assert report(as_of=dt.date(2026, 4, 9)).total.values["overdue_open"] == 0
    assert report(as_of=dt.date(2026, 4, 10)).total.values["overdue_open"] == 1
    # The scheduled request's target date is 1 April.
    assert report(as_of=dt.date(2026, 4, 1)).total.values["scheduled_overdue"] == 0
    assert report(as_of=dt.date(2026, 4, 2)).total.values["scheduled_overdue"] == 1


def test_by_week_and_type_and_channel(march):
    weeks = {row.keys["week"]: row.values["created"] for row in report(("week",)).rows}
    # 2 3 (9 in Feb excluded); W10 = 2-8 March: 1 2 6 7 8 9; W11: 3; W12: 5; W14: 4
    assert weeks == {"2026-W10": 6, "2026-W11": 1, "2026-W12": 1, "2026-W14": 1}
    types = {row.keys["type"]: row.values["created"] for row in report(("type",)).rows}
    assert types == {"complaint": 3, "request": 4, "information": 1, "suggestion": 1}
    channels = {row.keys["channel"]: row.values["answered"] for row in report(("channel",)).rows}
    assert channels == {"ALO 153": 5, "Bilgi Edinme": 1}


def test_filters_and_category_by_month(march, kpi_units):
    park = report(units=[kpi_units["PARK"].pk]).total.values
    assert park["created"] == 3
    by_category = {r.keys["category"]: r.values["created"] for r in report(("category", "month")).rows}
    assert by_category == {"Park Bakımı": 3, "Yol Bakım": 6}
    with pytest.raises(ValidationError, match="aylık tutulur"):  # "kept per month"
        report(("category", "day"))
    with pytest.raises(ValidationError):
        report(("category",), date_from=dt.date(2026, 3, 2))


def test_ratings_against_targets_and_the_minimum_sample(march, kpi_units, settings):
    KpiTarget.objects.create(kpi="on_time_rate", green=90, red=80)
    KpiTarget.objects.create(kpi="on_time_rate", unit=kpi_units["FEN"], green=50, red=40)
    KpiTarget.objects.create(kpi="overdue_open", green=0, red=5)
    rows = {row.keys["unit_code"]: row.ratings for row in report(("unit",)).rows}
    assert rows["FEN"]["on_time_rate"] == Rating.SMALL_SAMPLE  # 4 under the default minimum of 20
    assert rows["FEN"]["overdue_open"] == Rating.AMBER  # counts have no sample rule: 1 is between 0 and 5
    settings.QMS_KPI_MIN_SAMPLE = 3
    rows = {row.keys["unit_code"]: row.ratings for row in report(("unit",)).rows}
    assert rows["FEN"]["on_time_rate"] == Rating.GREEN  # 50 % meets FEN's own target
    assert rows["PARK"]["on_time_rate"] == Rating.GREEN  # 100 % against the department's 90
    assert report().total.ratings["on_time_rate"] == Rating.RED  # 71.4 % < 80
    settings.QMS_KPI_MIN_SAMPLE = 1
    assert report().total.ratings["satisfaction_avg"] is None  # no target set
    assert report().total.ratings["on_time_rate"] == Rating.RED


def test_reimport_updates_the_figures_and_the_rollups_match_a_rebuild(march, make_requests):
    before = report(("unit", "day")).rows
    make_requests([
        request_row(request_no="R3", unit_code="PARK", type="request", created_at="2026-03-10 09:00", deadline="30",
                    status="answered", first_answer_at="2026-04-12 09:00"),  # answered late, moved to PARK
        request_row(request_no="R7", unit_code="PARK", type="suggestion", category="Park Bakımı",
                    created_at="2026-03-05 09:00", deadline="30", status="closed", scheduled_until="2026-04-01",
                    first_answer_at="2026-03-06 09:00", closed_at="2026-03-30 09:00"),
    ])
    values = report().total.values
    assert (values["answered"], values["overdue_open"], values["scheduled_overdue"]) == (7, 0, 0)
    assert values["on_time"] == 5 and values["on_time_rate"] == round(5 / 7, 4)
    incremental = [(r.keys, r.values) for r in report(("unit", "day")).rows]
    with transaction.atomic():
        rollups.rebuild_all()
    rebuilt = [(r.keys, r.values) for r in report(("unit", "day")).rows]
    assert incremental == rebuilt
    assert incremental != [(r.keys, r.values) for r in before]


def test_due_time_from_the_case_system_is_compared_exactly(make_requests):
    make_requests([
        request_row(request_no="D1", created_at="2026-03-02 09:00", due_at="2026-03-03 12:00",
                    first_answer_at="2026-03-03 11:59"),
        request_row(request_no="D2", created_at="2026-03-02 09:00", due_at="2026-03-03 12:00",
                    first_answer_at="2026-03-03 12:01"),  # same day, a minute late
    ])
    assert report().total.values["on_time"] == 1


def test_local_dates_decide_the_day(make_requests):
    # 22:30 UTC on 2 March is 01:30 on 3 March in Istanbul; 7 days -> due 10 March, answered then.
    make_requests([request_row(request_no="Z1", created_at="2026-03-02T22:30:00Z",
                               first_answer_at="2026-03-10T20:00:00+00:00")])  # 23:00 on the 10th, local
    row = report(("day",)).rows[0]
    assert row.keys["day"] == "2026-03-03"
    assert row.values["on_time"] == 1


def test_grouped_median():
    assert median_from_histogram([0] * 19) is None
    one = [0] * 19
    one[6] = 1  # a single answer in 24-36 h: half of it is 0.5 -> 24 + 0.5 x 12
    assert median_from_histogram(one) == 30.0
    last = [0] * 19
    last[-1] = 3  # the open last bucket gives its lower edge
    assert median_from_histogram(last) == 1440.0
