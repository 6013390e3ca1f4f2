"""Hand-made requests for the report tests (tests/kpi/test_reports_*.py), with the figures a person
works out from them on paper. Everything is in March 2026 (the scorecard month) and February 2026
(the month before), long past: every due date has passed at any report date after April 2026.

FEN (the unit card counts FEN and FEN-YOL, the unit under it), March:
  r1 answered on time:  created 02.03 09:00, 7 days (due 09.03), answered 04.03 10:00 = 49 h; score 5
  r2 answered late:     created 02.03 09:00, answered 12.03 09:00 = 240 h; score 2; returned once
  r3 open, overdue:     created 03.03 09:00, due 10.03, no answer
  r4 not processed:     created 04.03 09:00 (counted as created, in no deadline figure)
FEN-YOL, March:
  r5 answered on time:  created 05.03 09:00, answered 06.03 09:00 = 24 h; score 4; field check ok
FEN, February:
  p1, p2 answered on time: created 02.02 09:00, answered 03.02 09:00 = 24 h
PARK, March (another unit: only in the department's total):
  k1 answered on time:  created 10.03 09:00, answered 11.03 09:00 = 24 h; field check not ok
  k2 open, overdue:     created 10.03 09:00, due 17.03

The FEN card for March 2026 by hand:
  created 5, answered 3 (r1 r2 r5), overdue 1 (r3), due or answered 4, on time 2 (r1 r5),
  on-time rate 2/4 = 50 %, mean answer (49 + 240 + 24) / 3 = 104.33 h,
  median 60 h (the middle one of three answers falls in the 48-72 h bucket: 48 + 0.5 x 24),
  returned 1/3 = 33.3 %, satisfaction (5 + 2 + 4) / 3 = 3.67, satisfied 2/3 = 66.7 %, field-check failure 0/1.
February: created 2, answered 2, on time 2, on-time rate 100 %, mean 24 h.
The department (every unit) for March: created 7, answered 4, overdue 2, due or answered 6, on time 3,
on-time rate 50 %, field-check failure 1/2 = 50 %.
"""

from __future__ import annotations

from tests.kpi.conftest import request_row

MARCH = "2026-03"


def scorecard_rows() -> list[dict]:
    return [
        request_row(unit_code="FEN", created_at="2026-03-02 09:00", first_answer_at="2026-03-04 10:00",
                    satisfaction="5"),
        request_row(unit_code="FEN", created_at="2026-03-02 09:00", first_answer_at="2026-03-12 09:00",
                    satisfaction="2", return_count="1"),
        request_row(unit_code="FEN", created_at="2026-03-03 09:00", status="open", first_answer_at=None),
        request_row(unit_code="FEN", created_at="2026-03-04 09:00", status="not_processed", first_answer_at=None),
        request_row(unit_code="FEN-YOL", created_at="2026-03-05 09:00", first_answer_at="2026-03-06 09:00",
                    satisfaction="4", field_check="ok", status="closed", closed_at="2026-03-07 09:00"),
        request_row(unit_code="FEN", created_at="2026-02-02 09:00", first_answer_at="2026-02-03 09:00"),
        request_row(unit_code="FEN", created_at="2026-02-02 09:00", first_answer_at="2026-02-03 09:00"),
        request_row(unit_code="PARK", created_at="2026-03-10 09:00", first_answer_at="2026-03-11 09:00",
                    field_check="not_ok", status="closed", closed_at="2026-03-11 10:00", channel="WhatsApp",
                    category="Park Bakım", type="request"),
        request_row(unit_code="PARK", created_at="2026-03-10 09:00", status="open", first_answer_at=None,
                    channel="WhatsApp", category="Park Bakım", type="request"),
    ]


def filler_rows(count: int, *, unit_code: str = "FEN", day: str = "2026-03-20") -> list[dict]:
    """`count` more answered requests (for the query-count tests)."""
    return [request_row(unit_code=unit_code, created_at=f"{day} 09:00", first_answer_at=f"{day} 15:00")
            for _ in range(count)]
