"""The call rollups the contact-centre KPIs read: kept current by every call import (`CallDelta`,
in the import's transaction) and rebuildable from the call table (`manage.py rebuild_call_rollups`).

Four cubes hold the same counters (kpi.callqa.models.CallCounters): `CallRollupHour` (day x hour x
line x queue x agent), `CallRollupInterval` (day x hour x line x queue: the hour profile of lines
and queues without reading a row per agent), `CallRollupDay` (day x line x queue x agent) and
`CallRollupMonth` (month x line x queue x agent). Calls without an agent are kept under agent_key 0.

The service-level and short-abandon thresholds are counted in (`answered_in_sl`, ...): the
thresholds used are kept in `CallRollupState`; after the settings change, a rebuild recounts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from kpi.callqa.models import (
    CALL_COUNTERS,
    NO_AGENT,
    CallRollupDay,
    CallRollupHour,
    CallRollupInterval,
    CallRollupMonth,
    CallRollupState,
    Direction,
    Outcome,
)
from kpi.rollups import upsert_sums

N = len(CALL_COUNTERS)
INBOUND, OUTBOUND = int(Direction.INBOUND), int(Direction.OUTBOUND)
ANSWERED, ABANDONED = int(Outcome.ANSWERED), int(Outcome.ABANDONED)
EMPTY = "offered = 0 AND outbound = 0"
FLUSH_KEYS = 50_000


def thresholds() -> tuple[int, int]:
    """(service-level seconds, short-abandon seconds) from the settings."""
    return int(settings.QMS_CALL_SL_SECONDS), int(settings.QMS_CALL_SHORT_ABANDON_SECONDS)


def state() -> CallRollupState:
    """The thresholds the rollups hold (created with the settings' values when there is none)."""
    found = CallRollupState.objects.order_by("pk").first()
    if found is None:
        sl, short = thresholds()
        found = CallRollupState.objects.create(sl_seconds=sl, short_abandon_seconds=short)
    return found


def stale() -> bool:
    """True when the rollups were counted with other thresholds than the settings' (rebuild them)."""
    current = state()
    return (current.sl_seconds, current.short_abandon_seconds) != thresholds()


class CallDelta:
    """Sums of the changes an import makes, per cube row, written by `flush()`.

    `add(fact, sign)` takes a call's facts: (offered_on, hour, line_id, queue_id, agent_id or None,
    direction, outcome, wait, talk, hold, wrap); sign +1 for the row as it is now, -1 for the row
    as it was before an update. Counted with the thresholds in `CallRollupState`.
    """

    def __init__(self):
        current = state()
        self.sl, self.short = current.sl_seconds, current.short_abandon_seconds
        self.hour: dict[tuple, list[int]] = {}
        self.subtracted = False

    def __len__(self) -> int:
        return len(self.hour)

    def add(self, fact: tuple, sign: int) -> None:
        if sign < 0:
            self.subtracted = True
        day, hour, line, queue, agent, direction, outcome, wait, talk, hold, wrap = fact
        key = (day, hour, line, queue, agent or NO_AGENT)
        vector = self.hour.get(key)
        if vector is None:
            vector = self.hour[key] = [0] * N
        if direction == OUTBOUND:
            vector[11] += sign
            vector[12] += sign * (talk + hold + wrap)
            return
        vector[0] += sign
        if outcome == ANSWERED:
            vector[1] += sign
            if wait <= self.sl:
                vector[4] += sign
            vector[6] += sign * wait
            vector[8] += sign * talk
            vector[9] += sign * hold
            vector[10] += sign * wrap
        else:
            vector[2] += sign
            vector[7] += sign * wait
            if wait < self.short:
                vector[3] += sign
            elif wait <= self.sl:
                vector[5] += sign

    def flush(self) -> None:
        """Add the sums to the four cubes (creating rows), then forget them."""
        interval: dict[tuple, list[int]] = {}
        day: dict[tuple, list[int]] = {}
        month: dict[tuple, list[int]] = {}
        for (d, hour, line, queue, agent), vector in self.hour.items():
            for target, key in ((interval, (d, hour, line, queue)), (day, (d, line, queue, agent)),
                                (month, (d.replace(day=1), line, queue, agent))):
                total = target.get(key)
                if total is None:
                    target[key] = list(vector)
                else:
                    for index, value in enumerate(vector):
                        total[index] += value
        prune = self.subtracted
        upsert_sums(CallRollupHour, ("day", "hour", "line_id", "queue_id", "agent_key"), self.hour,
                    counters=CALL_COUNTERS, prune=prune, empty=EMPTY)
        upsert_sums(CallRollupInterval, ("day", "hour", "line_id", "queue_id"), interval,
                    counters=CALL_COUNTERS, prune=prune, empty=EMPTY)
        upsert_sums(CallRollupDay, ("day", "line_id", "queue_id", "agent_key"), day,
                    counters=CALL_COUNTERS, prune=prune, empty=EMPTY)
        upsert_sums(CallRollupMonth, ("month", "line_id", "queue_id", "agent_key"), month,
                    counters=CALL_COUNTERS, prune=prune, empty=EMPTY)
        self.hour = {}
        self.subtracted = False


# ---- rebuilding in SQL ----------------------------------------------------------------------------


def _count_if(condition: str) -> str:
    if connection.vendor == "postgresql":
        return f"COUNT(*) FILTER (WHERE {condition})"
    return f"COALESCE(SUM({condition}), 0)"


def _sum_if(value: str, condition: str) -> str:
    return f"COALESCE(SUM(CASE WHEN {condition} THEN {value} END), 0)"


def _counters_sql(sl: int, short: int) -> str:
    """CALL_COUNTERS from callqa_call rows, in order."""
    inbound, answered = f"direction = {INBOUND}", f"direction = {INBOUND} AND outcome = {ANSWERED}"
    abandoned = f"direction = {INBOUND} AND outcome = {ABANDONED}"
    return ", ".join([
        _count_if(inbound),
        _count_if(answered),
        _count_if(abandoned),
        _count_if(f"{abandoned} AND wait_seconds < {short}"),
        _count_if(f"{answered} AND wait_seconds <= {sl}"),
        _count_if(f"{abandoned} AND wait_seconds >= {short} AND wait_seconds <= {sl}"),
        _sum_if("wait_seconds", answered),
        _sum_if("wait_seconds", abandoned),
        _sum_if("talk_seconds", answered),
        _sum_if("hold_seconds", answered),
        _sum_if("wrap_seconds", answered),
        _count_if(f"direction = {OUTBOUND}"),
        _sum_if("talk_seconds + hold_seconds + wrap_seconds", f"direction = {OUTBOUND}"),
    ])


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _rebuild(cursor, first: dt.date | None, last: dt.date | None, sl: int, short: int) -> None:
    counters = ", ".join(CALL_COUNTERS)
    sums = ", ".join(f"SUM({name})" for name in CALL_COUNTERS)
    params = [] if first is None else [first, last]
    where_day = "" if first is None else " WHERE day BETWEEN %s AND %s"
    where_offered = "" if first is None else " WHERE offered_on BETWEEN %s AND %s"
    agent = f"COALESCE(agent_id, {NO_AGENT})"
    cursor.execute(f"DELETE FROM callqa_callrolluphour{where_day}", params)
    cursor.execute(
        f"INSERT INTO callqa_callrolluphour (day, hour, line_id, queue_id, agent_key, {counters}) "
        f"SELECT offered_on, offered_hour, line_id, queue_id, {agent}, {_counters_sql(sl, short)} "
        f"FROM callqa_call{where_offered} GROUP BY offered_on, offered_hour, line_id, queue_id, {agent}", params)
    cursor.execute(f"DELETE FROM callqa_callrollupinterval{where_day}", params)
    cursor.execute(
        f"INSERT INTO callqa_callrollupinterval (day, hour, line_id, queue_id, {counters}) "
        f"SELECT day, hour, line_id, queue_id, {sums} FROM callqa_callrolluphour{where_day} "
        "GROUP BY day, hour, line_id, queue_id", params)
    cursor.execute(f"DELETE FROM callqa_callrollupday{where_day}", params)
    cursor.execute(
        f"INSERT INTO callqa_callrollupday (day, line_id, queue_id, agent_key, {counters}) "
        f"SELECT day, line_id, queue_id, agent_key, {sums} FROM callqa_callrolluphour{where_day} "
        "GROUP BY day, line_id, queue_id, agent_key", params)


def _rebuild_months(cursor, first: dt.date | None, last: dt.date | None) -> None:
    counters = ", ".join(CALL_COUNTERS)
    sums = ", ".join(f"SUM({name})" for name in CALL_COUNTERS)
    params = [] if first is None else [first, last]
    where_month = "" if first is None else " WHERE month BETWEEN %s AND %s"
    where_day = "" if first is None else " WHERE day BETWEEN %s AND %s"
    cursor.execute(f"DELETE FROM callqa_callrollupmonth{where_month}", params)
    cursor.execute(
        f"INSERT INTO callqa_callrollupmonth (month, line_id, queue_id, agent_key, {counters}) "
        f"SELECT {_month_of('day')}, line_id, queue_id, agent_key, {sums} FROM callqa_callrollupday{where_day} "
        f"GROUP BY {_month_of('day')}, line_id, queue_id, agent_key", params)


# The rollup rows of purged days are recounted up to this day (dates compare as ISO text on SQLite).
LAST_DAY = dt.date(9999, 12, 31)


def rebuild_all() -> None:
    """Every call rollup from the call table, with the settings' thresholds (which the rollups then
    record). Days before the retention horizon (`CallRollupState.purged_before`) keep their rollups:
    their calls were deleted, so recounting them would erase their KPI history. Those days stay
    counted with the thresholds in force when they were purged."""
    sl, short = thresholds()
    current = state()
    horizon = current.purged_before
    with connection.cursor() as cursor:
        if horizon is None:
            _rebuild(cursor, None, None, sl, short)
            _rebuild_months(cursor, None, None)
        else:
            _rebuild(cursor, horizon, LAST_DAY, sl, short)
            # The horizon's month is summed from the day rollups, whose purged days were kept.
            _rebuild_months(cursor, horizon.replace(day=1), LAST_DAY)
    current.sl_seconds, current.short_abandon_seconds, current.rebuilt_at = sl, short, timezone.now()
    current.save()


def record_purge(before: dt.date) -> None:
    """Retention deleted call rows offered before `before`: from now on a rebuild keeps the rollups
    of the days before it (the horizon only moves forward)."""
    current = state()
    if current.purged_before is None or current.purged_before < before:
        current.purged_before = before
        current.save(update_fields=["purged_before"])
