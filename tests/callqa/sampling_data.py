"""Data for the sampling and calibration tests: a month of calls per agent (bulk, with the
derived day and hour the importer would set), and scoring helpers."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from kpi.callqa import scoring, services
from kpi.callqa.models import Call, Direction, Line, Outcome, Queue
from kpi.callqa.scoring import Mark
from tests.callqa.conftest import ISTANBUL

OCTOBER = dt.date(2026, 10, 1)  # Thursday: ISO weeks 40 (1-4), 41, 42, 43, 44 (26-31)
OCTOBER_WEEKS = [(2026, 40), (2026, 41), (2026, 42), (2026, 43), (2026, 44)]
HOURS = (9, 13, 17, 22)  # one per shift: 08-12, 12-16, 16-20, 20-08
_numbers = itertools.count(1)


def month_calls(agent, month: dt.date = OCTOBER, *, hours=HOURS, days=None, outcome=Outcome.ANSWERED,
                direction=Direction.INBOUND, prefix: str = "S") -> list[Call]:
    """One call at each of `hours` on each day of the month (or of `days`), bulk-created."""
    line, _created = Line.objects.get_or_create(name="ALO 153")
    queue, _created = Queue.objects.get_or_create(name="Genel")
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    days = days or [month + dt.timedelta(days=n) for n in range((end - month).days)]
    now = timezone.now()
    calls = []
    for day in days:
        for hour in hours:
            offered = dt.datetime(day.year, day.month, day.day, hour, 5, tzinfo=ISTANBUL)
            answered = outcome == Outcome.ANSWERED
            calls.append(Call(
                call_id=f"{prefix}{next(_numbers):07d}", line=line, queue=queue, agent=agent, direction=direction,
                offered_at=offered, wait_seconds=8, outcome=outcome, talk_seconds=100 if answered else 0,
                wrap_seconds=20 if answered else 0, offered_on=day, offered_hour=hour, imported_at=now))
    return Call.objects.bulk_create(calls)


def marks_for(scorecard, **by_order) -> dict[int, Mark]:
    """Full marks on every criterion, except the ones named by position c1..c5 (value or "na")."""
    marks = {}
    for index, criterion in enumerate(scoring.criteria_of(scorecard), start=1):
        given = by_order.get(f"c{index}", criterion.max_score)
        marks[criterion.pk] = Mark(None, True) if given == "na" else Mark(given)
    return marks


def submit(evaluation, scorecard, **by_order):
    """Submit `evaluation` as its evaluator with full marks except `by_order` (see marks_for)."""
    return services.submit(evaluation, marks_for(scorecard, **by_order), by=evaluation.evaluator)
