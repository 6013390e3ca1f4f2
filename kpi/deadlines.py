"""THE deadline engine: when a request falls due and whether its answer was on time.

Due date = the local (Europe/Istanbul) date of `created_at` plus
- 3, 7 or 30 calendar days for the department's own classes (seed 001, MADDE 16 a);
- 30 calendar days for a petition under law 3071;
- 15 working days for an information request under law 4982, 30 working days when the extension
  was notified to the applicant (`extended`);
working days skip Saturdays, Sundays and Turkish public holidays (the `holidays` package). The eve
of a religious holiday (arife) is a half working day: it counts as a working day, since offices
are open that morning and the law counts days, not hours. A request the case system gave its own
due time (`due_at`) is compared with that exact time instead.

An answer on or before the due date (the local date of `first_answer_at`) is on time.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from kpi.models import Deadline

CALENDAR_DAYS = {Deadline.DAYS_3: 3, Deadline.DAYS_7: 7, Deadline.DAYS_30: 30, Deadline.LAW_3071: 30}
WORKING_DAYS = {False: 15, True: 30}  # law 4982, by `extended`


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Turkey(years=year))  # public holidays only: eves (arife) are not among them


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`th working day after `start` (the day of application itself is not counted)."""
    day = start
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


@lru_cache(maxsize=65536)
def due_date(created_on: dt.date, deadline: int, extended: bool = False) -> dt.date:
    """The last day on which an answer is on time."""
    if deadline == Deadline.LAW_4982:
        return add_working_days(created_on, WORKING_DAYS[bool(extended)])
    return created_on + dt.timedelta(days=CALENDAR_DAYS[deadline])


def is_on_time(*, due_on: dt.date, answered_on: dt.date, due_at: dt.datetime | None = None,
               answered_at: dt.datetime | None = None) -> bool:
    if due_at is not None and answered_at is not None:
        return answered_at <= due_at
    return answered_on <= due_on
