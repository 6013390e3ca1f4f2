"""The rollup tables the KPI engine reads: kept current by every import (`RollupDelta`, in the
import's transaction) and rebuildable from the request table (`manage.py rebuild_kpi_rollups`).

Three cubes hold the same counters (kpi.models.RollupCounters) at different grains:
`RollupDayUnit` (day x unit x channel x type) and `RollupMonth` (month x unit x channel x type x
category) are built from the requests, `RollupMonthUnit` (month x unit x channel x type) from
`RollupMonth`. `RollupOpen` counts the requests still waiting by the date they fall due.

An import adds each new row's contribution and takes away the old contribution of each changed
row, in Python as the rows stream past (a hash aggregate: no sort), then adds the sums to the
rollup rows with one upsert per cube row touched. A rebuild deletes a range's rows and inserts
them again from the requests in SQL; a test keeps the two in agreement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from kpi.models import HISTOGRAM_FIELDS, OpenKind, RollupDayUnit, RollupMonth, RollupMonthUnit, RollupOpen, Status

NOT_PROCESSED = int(Status.NOT_PROCESSED)
SCHEDULED = int(Status.SCHEDULED)
COUNTERS = ("created", "not_processed", "answered", "on_time", "answer_seconds", "returned", "sat_count",
            "sat_sum", "satisfied", "fc_count", "fc_fail") + HISTOGRAM_FIELDS
MERGE_GAP_DAYS = 7  # days closer than this are rebuilt as one range


def _count_if(condition: str) -> str:
    if connection.vendor == "postgresql":
        return f"COUNT(*) FILTER (WHERE {condition})"
    return f"SUM({condition})"  # SQLite: a comparison is 0 or 1


def _request_counters_sql() -> str:
    """The counters of RollupCounters from kpi_request rows, in COUNTERS order."""
    answered = "answer_bucket IS NOT NULL"
    parts = [
        "COUNT(*)",
        _count_if(f"status = {NOT_PROCESSED}"),
        "COUNT(answer_bucket)",
        _count_if(f"{answered} AND on_time"),
        f"COALESCE(SUM(CASE WHEN {answered} THEN answer_seconds END), 0)",
        _count_if(f"{answered} AND return_count > 0"),
        "COUNT(satisfaction)",
        "COALESCE(SUM(satisfaction), 0)",
        _count_if("satisfaction >= 4"),
        "COUNT(field_check)",
        _count_if("field_check = 2"),
    ] + [_count_if(f"answer_bucket = {index}") for index in range(len(HISTOGRAM_FIELDS))]
    return ", ".join(f"COALESCE({p}, 0)" if p.startswith("SUM(") else p for p in parts)


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _sum_counters() -> str:
    return ", ".join(f"SUM({name})" for name in COUNTERS)


def ranges_of(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days merged into inclusive ranges (gaps under MERGE_GAP_DAYS are bridged)."""
    out: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if out and (day - out[-1][1]).days <= MERGE_GAP_DAYS:
            out[-1][1] = day
        else:
            out.append([day, day])
    return [(a, b) for a, b in out]


def month_range(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of `first`'s month and the last day of `last`'s month."""
    start = first.replace(day=1)
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def _rebuild_days(cursor, first: dt.date | None, last: dt.date | None) -> None:
    counters = ", ".join(COUNTERS)
    where_day = "" if first is None else " WHERE day BETWEEN %s AND %s"
    and_created = "" if first is None else " AND created_on BETWEEN %s AND %s"
    where_created = "" if first is None else " WHERE created_on BETWEEN %s AND %s"
    params = [] if first is None else [first, last]
    cursor.execute(f"DELETE FROM kpi_rollupdayunit{where_day}", params)
    cursor.execute(
        f"INSERT INTO kpi_rollupdayunit (day, unit_id, channel_id, type, {counters}) "
        f"SELECT created_on, unit_id, channel_id, type, {_request_counters_sql()} "
        f"FROM kpi_request{where_created} GROUP BY created_on, unit_id, channel_id, type", params)
    cursor.execute(f"DELETE FROM kpi_rollupopen{where_day}", params)
    cursor.execute(
        "INSERT INTO kpi_rollupopen (day, unit_id, channel_id, type, category_id, kind, falls_due, count) "
        f"SELECT created_on, unit_id, channel_id, type, category_id, {int(OpenKind.UNANSWERED)}, due_on, COUNT(*) "
        f"FROM kpi_request WHERE status NOT IN ({NOT_PROCESSED}, {SCHEDULED}) AND answer_bucket IS NULL"
        f"{and_created} GROUP BY created_on, unit_id, channel_id, type, category_id, due_on", params)
    cursor.execute(
        "INSERT INTO kpi_rollupopen (day, unit_id, channel_id, type, category_id, kind, falls_due, count) "
        f"SELECT created_on, unit_id, channel_id, type, category_id, {int(OpenKind.SCHEDULED)}, scheduled_until, "
        f"COUNT(*) FROM kpi_request WHERE status = {SCHEDULED} AND closed_at IS NULL "
        f"AND scheduled_until IS NOT NULL{and_created} "
        "GROUP BY created_on, unit_id, channel_id, type, category_id, scheduled_until", params)


def _rebuild_months(cursor, first: dt.date | None, last: dt.date | None) -> None:
    """Every month from `first`'s to `last`'s (first and last days of months)."""
    counters = ", ".join(COUNTERS)
    params = [] if first is None else [first, last]
    where_month = "" if first is None else " WHERE month BETWEEN %s AND %s"
    where_created = "" if first is None else " WHERE created_on BETWEEN %s AND %s"
    cursor.execute(f"DELETE FROM kpi_rollupmonth{where_month}", params)
    cursor.execute(
        f"INSERT INTO kpi_rollupmonth (month, unit_id, channel_id, type, category_id, {counters}) "
        f"SELECT {_month_of('created_on')}, unit_id, channel_id, type, category_id, {_request_counters_sql()} "
        f"FROM kpi_request{where_created} GROUP BY {_month_of('created_on')}, unit_id, channel_id, type, category_id",
        params)
    cursor.execute(f"DELETE FROM kpi_rollupmonthunit{where_month}", params)
    cursor.execute(
        f"INSERT INTO kpi_rollupmonthunit (month, unit_id, channel_id, type, {counters}) "
        f"SELECT month, unit_id, channel_id, type, {_sum_counters()} FROM kpi_rollupmonth{where_month} "
        "GROUP BY month, unit_id, channel_id, type", params)


def rebuild_days(days: Iterable[dt.date]) -> int:
    """Rebuild the rollups of the given creation days (and of their whole months). Returns the
    number of day ranges rebuilt."""
    ranges = ranges_of(days)
    if not ranges:
        return 0
    months = ranges_of(d for first, last in ranges for d in month_range(first, last))
    with connection.cursor() as cursor:
        for first, last in ranges:
            _rebuild_days(cursor, first, last)
        for first, last in months:
            _rebuild_months(cursor, *month_range(first, last))
    return len(ranges)


def rebuild_all() -> None:
    """Every rollup from the whole request table (`manage.py rebuild_kpi_rollups`)."""
    with connection.cursor() as cursor:
        _rebuild_days(cursor, None, None)
        _rebuild_months(cursor, None, None)


# ---- incremental maintenance -------------------------------------------------------------------

N_COUNTERS = len(COUNTERS)
OPEN_UNANSWERED, OPEN_SCHEDULED = int(OpenKind.UNANSWERED), int(OpenKind.SCHEDULED)
FLUSH_KEYS = 50_000  # cube rows kept in memory before they are written


class RollupDelta:
    """Sums of the changes an import makes, per cube row, written by `flush()`.

    `add(fact, sign)` takes a request's rollup facts: (created_on, unit_id, channel_id, type,
    category_id, status, answer_bucket, on_time, answer_seconds, return_count, satisfaction,
    field_check, due_on, scheduled_until, closed) with `closed` true when closed_at is set;
    sign +1 for the row as it is now, -1 for the row as it was before an update.
    """

    def __init__(self):
        self.day: dict[tuple, list[int]] = {}
        self.month: dict[tuple, list[int]] = {}
        self.open: dict[tuple, int] = {}
        self.subtracted = False  # an update took a row away: empty cube rows may be left

    def __len__(self) -> int:
        return len(self.day) + len(self.month)

    def add(self, fact: tuple, sign: int) -> None:
        if sign < 0:
            self.subtracted = True
        (created_on, unit, channel, kind, category, status, bucket, on_time, seconds, returns, satisfaction,
         field_check, due_on, scheduled_until, closed) = fact
        day_key = (created_on, unit, channel, kind)
        month_key = (created_on.replace(day=1), unit, channel, kind, category)
        day = self.day.get(day_key)
        if day is None:
            day = self.day[day_key] = [0] * N_COUNTERS
        month = self.month.get(month_key)
        if month is None:
            month = self.month[month_key] = [0] * N_COUNTERS
        for vector in (day, month):
            vector[0] += sign
            if status == NOT_PROCESSED:
                vector[1] += sign
            elif bucket is not None:
                vector[2] += sign
                if on_time:
                    vector[3] += sign
                vector[4] += sign * seconds
                if returns:
                    vector[5] += sign
                vector[11 + bucket] += sign
            if satisfaction is not None:
                vector[6] += sign
                vector[7] += sign * satisfaction
                if satisfaction >= 4:
                    vector[8] += sign
            if field_check is not None:
                vector[9] += sign
                if field_check == 2:
                    vector[10] += sign
        if status != NOT_PROCESSED and status != SCHEDULED:
            if bucket is None:
                key = (created_on, unit, channel, kind, category, OPEN_UNANSWERED, due_on)
                self.open[key] = self.open.get(key, 0) + sign
        elif status == SCHEDULED and not closed and scheduled_until is not None:
            key = (created_on, unit, channel, kind, category, OPEN_SCHEDULED, scheduled_until)
            self.open[key] = self.open.get(key, 0) + sign

    def flush(self) -> None:
        """Add the sums to the rollup rows (creating them), then forget them."""
        months_unit: dict[tuple, list[int]] = {}
        for (month, unit, channel, kind, _category), vector in self.month.items():
            key = (month, unit, channel, kind)
            total = months_unit.get(key)
            if total is None:
                months_unit[key] = list(vector)
            else:
                for index, value in enumerate(vector):
                    total[index] += value
        prune = self.subtracted
        upsert_sums(RollupDayUnit, ("day", "unit_id", "channel_id", "type"), self.day, prune=prune)
        upsert_sums(RollupMonth, ("month", "unit_id", "channel_id", "type", "category_id"), self.month, prune=prune)
        upsert_sums(RollupMonthUnit, ("month", "unit_id", "channel_id", "type"), months_unit, prune=prune)
        upsert_sums(RollupOpen, ("day", "unit_id", "channel_id", "type", "category_id", "kind", "falls_due"),
                {key: [count] for key, count in self.open.items() if count}, counters=("count",), prune=prune)
        self.day, self.month, self.open = {}, {}, {}
        self.subtracted = False


def upsert_sums(model, keys: tuple[str, ...], rows: dict[tuple, list[int]], counters: tuple[str, ...] = COUNTERS,
               prune: bool = False, empty: str | None = None) -> None:
    """Add `rows` ({key tuple: counter vector}) to a cube's rows, creating them (one upsert). With
    `prune`, the cube's rows in the touched range that `empty` (SQL) says hold nothing are removed.
    The call rollups (kpi.callqa.rollups) use it too."""
    rows = {key: vector for key, vector in rows.items() if any(vector)}
    if not rows:
        return
    table = model._meta.db_table
    columns = keys + counters
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in counters)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "
           f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")
    sqlite = connection.vendor == "sqlite"
    params = []
    for key, vector in rows.items():
        if sqlite:
            key = tuple(v.isoformat() if isinstance(v, dt.date) else v for v in key)
        params.append(key + tuple(vector))
    if sqlite:  # the driver's own executemany on a list: fast, and no debug wrapper
        connection.connection.executemany(sql.replace("%s", "?"), params)
    else:  # PostgreSQL: COPY the sums into a staging table, then one INSERT ... ON CONFLICT
        names = ", ".join(columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}_delta ON COMMIT DROP AS "
                        f"SELECT {names} FROM {table} WITH NO DATA")
            raw.execute(f"TRUNCATE {table}_delta")
            with raw.copy(f"COPY {table}_delta ({names}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
            raw.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_delta "
                        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")
    if not prune:
        return
    # A cube row whose requests all moved away (an update changed their day, unit ...) is removed.
    first_key = keys[0]
    low, high = min(k[0] for k in rows), max(k[0] for k in rows)
    if empty is None:
        empty = "count = 0" if counters == ("count",) else "created = 0"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {first_key} BETWEEN %s AND %s AND {empty}", [low, high])
