"""The rollup tables the KPI engine reads, rebuilt from the request table for the days an import
touched (in the import's transaction) or all at once (`manage.py rebuild_kpi_rollups`).

Three cubes hold the same counters (kpi.models.RollupCounters) at different grains:
`RollupDayUnit` (day x unit x channel x type) and `RollupMonth` (month x unit x channel x type x
category) are built from the requests, `RollupMonthUnit` (month x unit x channel x type) from
`RollupMonth`. `RollupOpen` counts the requests still waiting by the date they fall due.
Rebuilding a range deletes its rows and inserts them again in SQL, so the figures never drift
from the requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from kpi.models import HISTOGRAM_FIELDS, OpenKind, Status

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
