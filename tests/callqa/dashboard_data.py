"""Hand-countable calls for the contact-centre KPI tests (tests/callqa/test_dashboard_*.py).

With the default thresholds (service level 20 s, short abandon 5 s), October 2026:

    call  day    hour  line      queue   agent  outcome    wait  talk hold wrap
    c1    05.10  10    ALO 153   Genel   a1     answered   10    100  10   20   in SL
    c2    05.10  10    ALO 153   Genel   a1     answered   30    200   0   40
    c3    05.10  10    ALO 153   Genel   a2     answered   20     60  20   10   in SL (<= 20)
    c4    05.10  10    ALO 153   Genel   -      abandoned   3                    short
    c5    05.10  10    ALO 153   Genel   -      abandoned  15                    abandoned within SL
    c6    05.10  10    ALO 153   Genel   -      abandoned  40
    c7    06.10  14    ALO 153   Ruhsat  b1     answered    5     90   0   30   in SL
    c8    06.10  14    ALO 153   Ruhsat  b1     answered   25    150  30    0
    c9    06.10  14    ALO 153   Ruhsat  -      abandoned   4                    short
    c10   06.10  09    WhatsApp  Genel   -      answered    0     50   0   10   in SL (no agent)
    c11   05.10  11    ALO 153   Genel   a1     outbound          60   0    0
    and 02.11.2026 10:00, ALO 153 / Genel, a2 answered after 8 s (talk 100, wrap 20).

October: offered 10, answered 6, abandoned 4, short 2, answered in SL 4, abandoned in SL 1,
wait of answered 90 s, talk 650, hold 60, wrap 110, outbound 1.
"""

from __future__ import annotations

import datetime as dt

from kpi.callqa import rollups
from kpi.callqa.models import Direction, Outcome
from tests.callqa.conftest import make_call

ANSWERED, ABANDONED = Outcome.ANSWERED, Outcome.ABANDONED
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}

# The hand-computed October totals under each service-level variant (exclude short, abandons met).
OCTOBER_TOTAL = {
    "offered": 10, "answered": 6, "abandoned": 4, "short_abandoned": 2, "service_level": 0.5, "asa": 15.0,
    "aht": 136.7, "abandon_rate": 0.25, "answer_rate": 0.75, "outbound": 1, "avg_talk": 108.3, "avg_hold": 10.0,
    "avg_wrap": 18.3,
}


def make_october(agents) -> None:
    """The calls of the table above (agents: the `centre.agents` namespace), then the rollups."""
    day5, day6 = dt.datetime(2026, 10, 5, 10, 5), dt.datetime(2026, 10, 6, 14, 20)
    make_call(agent=agents.a1, offered_at=day5, wait=10, talk=100, hold=10, wrap=20)
    make_call(agent=agents.a1, offered_at=day5, wait=30, talk=200, hold=0, wrap=40)
    make_call(agent=agents.a2, offered_at=day5, wait=20, talk=60, hold=20, wrap=10)
    make_call(offered_at=day5, wait=3, outcome=ABANDONED)
    make_call(offered_at=day5, wait=15, outcome=ABANDONED)
    make_call(offered_at=day5, wait=40, outcome=ABANDONED)
    make_call(agent=agents.b1, offered_at=day6, queue="Ruhsat", wait=5, talk=90, hold=0, wrap=30)
    make_call(agent=agents.b1, offered_at=day6, queue="Ruhsat", wait=25, talk=150, hold=30, wrap=0)
    make_call(offered_at=day6, queue="Ruhsat", wait=4, outcome=ABANDONED)
    make_call(line="WhatsApp", offered_at=dt.datetime(2026, 10, 6, 9, 30), wait=0, talk=50, hold=0, wrap=10)
    make_call(agent=agents.a1, offered_at=dt.datetime(2026, 10, 5, 11, 0), wait=0, talk=60, hold=0, wrap=0,
              direction=Direction.OUTBOUND)
    make_call(agent=agents.a2, offered_at=dt.datetime(2026, 11, 2, 10, 0), wait=8, talk=100, hold=0, wrap=20)
    rollups.rebuild_all()


def make_many(agents, count: int, *, month: int = 10) -> None:
    """`count` calls spread over days, hours, lines, queues and agents (for the query-count pins)."""
    pool = [agents.a1, agents.a2, agents.b1, agents.orphan, None]
    for index in range(count):
        make_call(agent=pool[index % len(pool)], line=f"Hat {index % 4}", queue=f"Kuyruk {index % 7}",
                  offered_at=dt.datetime(2026, month, 1 + index % 28, 8 + index % 12, 0), wait=index % 45,
                  outcome=ABANDONED if index % 6 == 0 else ANSWERED)
    rollups.rebuild_all()
