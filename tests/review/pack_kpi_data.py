"""Requests, calls and call evaluations for the input-pack tests of the kpi items
(tests/review/test_pack_kpi_*.py), with the figures worked out by hand.

The fixtures of the kpi and callqa tests are reused (imported here, then into the test modules):
`kpi_units` (FEN with FEN-YOL under it, PARK beside it) and `make_requests` (the import pipeline,
which keeps the rollups), `centre` (two teams, agents, evaluators, a QA lead, a scorecard).

Requests (`period_requests`), the review period being 01.01.2026 - 31.10.2026, report date
26.11.2026 or later (every due date below has passed):

    r1  FEN      complaint   ALO 153   02.03.2026  7 days, answered 04.03 (on time)    score 5
    r2  FEN      complaint   WhatsApp  02.03.2026  answered 12.03 (late), returned once  score 2
    r3  FEN-YOL  request     ALO 153   05.05.2026  answered 06.05 (on time), closed     score 4
    r4  FEN      suggestion  ALO 153   10.06.2026  open, due 17.06 (overdue)
    r5  PARK     thanks      WhatsApp  20.10.2026  answered 21.10 (on time)             score 5
    r6  PARK     complaint   ALO 153   30.10.2026  open, due 06.11 (overdue after the period)
  outside the period:
    o1  FEN      complaint   ALO 153   31.12.2025  answered 02.01.2026                   score 1
    o2  FEN      complaint   ALO 153   02.11.2026  answered 03.11                         score 1
    o3  FEN      complaint   ALO 153   03.03.2025  answered 04.03.2025 (on time)

In the period by hand: created 6 (complaints 3, suggestions 1, thanks 1, requests 1), answered 4,
overdue 2 (r4, r6), due or answered 6, on time 3, on-time rate 50 %; 4 scores, average
(5 + 2 + 4 + 5) / 4 = 4.00, satisfied (4-5) 3 / 4 = 75 %. By unit: FEN with FEN-YOL 4 created
(r1-r4), PARK 2. At the end of October (the yearly analysis of 2026) r6 is not yet due: overdue 1.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from kpi.callqa.models import CalibrationSession
from tests.callqa.conftest import centre, make_call  # noqa: F401  (fixture and helper, re-exported)
from tests.callqa.reports_data import OCTOBER, SEPTEMBER, evaluate
from tests.callqa.reports_data import october as october_evaluations
from tests.kpi.conftest import kpi_units, make_requests, request_row  # noqa: F401  (fixtures, re-exported)

PERIOD_FROM, PERIOD_TO = dt.date(2026, 1, 1), dt.date(2026, 10, 31)
OCTOBER_FROM, OCTOBER_TO = dt.date(2026, 10, 1), dt.date(2026, 10, 31)

IN_PERIOD = {
    "created": 6, "complaints": 3, "suggestions": 1, "thanks": 1, "answered": 4, "overdue_open": 2,
    "due_or_answered": 6, "on_time": 3, "on_time_rate": 0.5, "rated": 4, "satisfaction_avg": 4.0,
    "satisfied_rate": 0.75,
}


def period_request_rows() -> list[dict]:
    return [
        request_row(unit_code="FEN", created_at="2026-03-02 09:00", first_answer_at="2026-03-04 10:00",
                    satisfaction="5"),
        request_row(unit_code="FEN", channel="WhatsApp", created_at="2026-03-02 09:00",
                    first_answer_at="2026-03-12 09:00", satisfaction="2", return_count="1"),
        request_row(unit_code="FEN-YOL", type="request", created_at="2026-05-05 09:00",
                    first_answer_at="2026-05-06 09:00", satisfaction="4", field_check="ok", status="closed",
                    closed_at="2026-05-07 09:00"),
        request_row(unit_code="FEN", type="suggestion", created_at="2026-06-10 09:00", status="open",
                    first_answer_at=None),
        request_row(unit_code="PARK", type="thanks", channel="WhatsApp", category="Park Bakım",
                    created_at="2026-10-20 09:00", first_answer_at="2026-10-21 09:00", satisfaction="5"),
        request_row(unit_code="PARK", category="Park Bakım", created_at="2026-10-30 09:00", status="open",
                    first_answer_at=None),
        request_row(unit_code="FEN", created_at="2025-12-31 12:00", first_answer_at="2026-01-02 09:00",
                    satisfaction="1"),
        request_row(unit_code="FEN", created_at="2026-11-02 09:00", first_answer_at="2026-11-03 09:00",
                    satisfaction="1"),
        request_row(unit_code="FEN", created_at="2025-03-03 09:00", first_answer_at="2025-03-04 09:00"),
    ]


def more_units(count: int):
    """`count` more top-level answering units, each with one request in the period (for the query pins)."""
    from qms.models import Unit, UnitKind

    units = [Unit.objects.create(code=f"D{i:03d}", name=f"İlçe Belediyesi {i}", kind=UnitKind.DEPARTMENT,
                                 answers_requests=True) for i in range(count)]
    return [request_row(unit_code=unit.code, created_at="2026-04-01 09:00", first_answer_at="2026-04-02 09:00",
                        satisfaction="3") for unit in units]


def qa_october(centre) -> SimpleNamespace:  # noqa: F811  (the fixture's value, passed in)
    """The call-QA scenario of tests/callqa/reports_data.py (September: S1; October: E1-E6 submitted,
    P1 assigned, P2 draft, a calibration session on 25.10 with ev1's evaluation scoring 10), plus the
    lead's scoring of that session (100.00: ev1 deviates by −90.00, over the 5-point tolerance) and a
    September session (ev2 scores 81.25 there: a deviation of −18.75, outside October).

    October by hand: 6 evaluations, scores 81.25, 85.71, 62.50, 0.00, 93.75 (re-scored), 87.50:
    mean 410.71 / 6 = 68.45; critical fails 2 (E3, E4); disputes 2 (E1 upheld, E5 re-scored).
    Team A (E1-E4): mean 229.46 / 4 = 57.37, 2 critical fails; team B (E5, E6): 181.25 / 2 = 90.63."""
    found = october_evaluations(centre)
    u, a, card = centre.users, centre.agents, centre.scorecard
    found.lead_c = evaluate(card, a.a1, u.qa_lead, (1, 1, 4, 2, 1), session=found.session, call=found.e1.call)
    september = CalibrationSession.objects.create(title="Eylül kalibrasyonu", call=found.s1.call, scorecard=card,
                                                  lead=u.qa_lead, held_on=dt.date(2026, 9, 10))
    evaluate(card, a.a1, u.qa_lead, (1, 1, 4, 2, 1), session=september, call=found.s1.call, month=SEPTEMBER)
    evaluate(card, a.a1, u.ev2, (1, 1, 2, 2, 1), session=september, call=found.s1.call, month=SEPTEMBER)
    found.september_session = september
    return found


__all__ = ["OCTOBER", "centre", "kpi_units", "make_call", "make_requests", "request_row"]
