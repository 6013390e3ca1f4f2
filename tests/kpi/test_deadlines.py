"""The deadline engine against dates counted by hand on the 2026 calendar (holiday weeks included)."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi.deadlines import add_working_days, due_date, is_working_day
from kpi.models import Deadline

D = dt.date
pytestmark = pytest.mark.django_db  # the suite's session fixtures snapshot the test database


@pytest.mark.parametrize(("created", "deadline", "due"), [
    (D(2026, 3, 2), Deadline.DAYS_3, D(2026, 3, 5)),
    (D(2026, 3, 2), Deadline.DAYS_7, D(2026, 3, 9)),
    (D(2026, 3, 2), Deadline.DAYS_30, D(2026, 4, 1)),
    (D(2026, 3, 2), Deadline.LAW_3071, D(2026, 4, 1)),
    # Calendar days run through holidays and weekends alike.
    (D(2026, 3, 18), Deadline.DAYS_3, D(2026, 3, 21)),
])
def test_calendar_day_classes(created, deadline, due):
    assert due_date(created, deadline) == due


def test_4982_skips_ramazan_bayrami_and_counts_its_eve():
    # Mon 16 March; 19 March is the eve (arife, a half day: counted), 20-22 March the holiday
    # (20 is a Friday). Counted: 17 18 19 23 24 25 26 27 30 31 | 1 2 3 6 7 April = 15.
    assert due_date(D(2026, 3, 16), Deadline.LAW_4982) == D(2026, 4, 7)


def test_4982_extended_to_30_working_days_skips_23_april():
    # From 7 April on: 8 9 10 13 14 15 16 17 20 21 22 (23 April is a holiday) 24 27 28 29 = 30.
    assert due_date(D(2026, 3, 16), Deadline.LAW_4982, extended=True) == D(2026, 4, 29)


def test_4982_across_kurban_bayrami():
    # Mon 25 May; 26 May the eve (counted), 27-30 May the holiday, 31 May a Sunday.
    # 26 | 1 2 3 4 5 | 8 9 10 11 12 | 15 16 17 18 June = 15.
    assert due_date(D(2026, 5, 25), Deadline.LAW_4982) == D(2026, 6, 18)


def test_working_days():
    assert not is_working_day(D(2026, 10, 29))  # Cumhuriyet Bayramı
    assert not is_working_day(D(2026, 3, 21))  # a Saturday in the holiday
    assert is_working_day(D(2026, 3, 19))  # the eve: a half working day counts
    assert is_working_day(D(2026, 10, 28))  # the eve of 29 October
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # 1 January, then a weekend
