"""Requests for the dashboard tests (the fixtures of tests/kpi/test_dash_*.py): March 2026 for
FEN, FEN-YOL and PARK, read at 15 April 2026."""

from __future__ import annotations

from datetime import date

from kpi.models import Kpi, KpiTarget
from tests.kpi.conftest import request_row

YEAR, MONTH = 2026, 3
AS_OF = date(2026, 4, 15)
MONTH_QUERY = f"period=month&year={YEAR}&month={MONTH}&as_of={AS_OF.isoformat()}"
MIN_SAMPLE = 4


def unit_rows(unit: str, *, on_time: int = 0, late: int = 0, overdue: int = 0, channel: str = "ALO 153",
              type_: str = "complaint", day: int = 2) -> list[dict]:
    """Requests created on 2026-03-<day> with a 7-day deadline (due 2026-03-<day+7>): answered on
    time, answered late, and still open past due at AS_OF."""
    created = f"2026-03-{day:02d} 09:00"
    rows = [request_row(unit_code=unit, created_at=created, channel=channel, type=type_,
                        first_answer_at=f"2026-03-{day + 1:02d} 10:00", satisfaction="5") for _ in range(on_time)]
    rows += [request_row(unit_code=unit, created_at=created, channel=channel, type=type_,
                         first_answer_at=f"2026-03-{day + 12:02d} 10:00", satisfaction="2") for _ in range(late)]
    rows += [request_row(unit_code=unit, created_at=created, channel=channel, type=type_, status="open",
                         first_answer_at=None) for _ in range(overdue)]
    return rows


def use_small_sample(settings) -> None:
    settings.QMS_KPI_MIN_SAMPLE = MIN_SAMPLE


def add_targets() -> None:
    """The department's on-time target (green at 90 %, red under 80 %) and overdue backlog (green
    up to 2, red over 5); PARK has its own, laxer on-time target."""
    from qms.models import Unit

    KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, green=90, red=80)
    KpiTarget.objects.create(kpi=Kpi.OVERDUE_OPEN, green=2, red=5)
    park = Unit.objects.filter(code="PARK").first()
    if park is not None:
        KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, unit=park, green=50, red=40)


def load_march(make_requests, settings) -> None:
    """The minimum sample lowered to MIN_SAMPLE, the targets, and the month's requests.
    FEN: 4 on time, 2 late, 3 overdue (on-time 4/9: red; overdue 3: amber).
    FEN-YOL: 5 on time (green). PARK: 3 on time, 1 late, 1 overdue via WhatsApp (60 %: green by its own target)."""
    use_small_sample(settings)
    add_targets()
    make_requests(unit_rows("FEN", on_time=4, late=2, overdue=3)
                  + unit_rows("FEN-YOL", on_time=5, day=5)
                  + unit_rows("PARK", on_time=3, late=1, overdue=1, channel="WhatsApp", type_="request", day=9))
