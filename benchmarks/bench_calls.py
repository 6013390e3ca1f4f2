"""Contact-centre benchmark: importing call records (a fresh file, then the later export with a tenth
changed), rebuilding the call rollups, and the call dashboard (engine and page) at the --rows
imported and at --dashboard-rows (the issue's goal: 5 million calls, the dashboard under 150 ms).

Usage:  .venv/bin/python benchmarks/bench_calls.py --rows 1000000 [--dashboard-rows 5000000] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp; for PostgreSQL `createdb` a fresh
database and point DATABASE_URL at it). Not run by CI; the figures go to docs/performance.md.

The calls come from kpi.callqa.demo_data (60 agents on three shifts, realistic load), written to CSV
files first, so generating them is not timed. Stages:
  a. `kpi.callqa.ingest.import_file` of --rows calls into the empty table (validation, upsert,
     rollups kept by deltas) — rows/s;
  b. `import_file` of the same calls with one in ten changed (a later export: waits and
     durations moved) — rows/s;
  c. `manage.py rebuild_call_rollups`, checked against the rollups the imports kept;
  d. the dashboard: `engine.dashboard` for the latest month and for the whole last year, and the
     page `/admin/callqa/dashboard/` (HTML, all filters off) as the management representative —
     median ms of --runs and SQL queries; then the table is filled to --dashboard-rows (further
     imports of later months) and d is measured again.
DEBUG is off, as in production. CPU time and the load average are printed beside the wall time:
figures taken while the machine is busy say so.
"""

from __future__ import annotations

# isort: off
import harness  # noqa: F401  first: puts the project on the path and sets Django up
# isort: on

import argparse
import csv
import datetime as dt
import os
import platform
import random
import resource
import statistics
import tempfile
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kpi.callqa import engine
from kpi.callqa.demo_data import COLUMNS, assign_shifts, generate_calls
from kpi.callqa.ingest import import_file
from kpi.callqa.models import Agent, Call, CallImportRun
from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role

settings.DEBUG = False
NO_LIMIT = 1 << 40
CUBES = ("callqa_callrolluphour", "callqa_callrollupinterval", "callqa_callrollupday", "callqa_callrollupmonth")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _write(path: str, rows) -> int:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        count = 0
        for row in rows:
            writer.writerow([row[name] for name in COLUMNS])
            count += 1
    return count


def _changed(rows, seed: int = 9):
    """The later export: one row in ten with its wait and talk time moved (a re-routed record)."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable benchmark, not a secret
    for row in rows:
        if rng.random() < 0.1:
            row = dict(row)
            row["wait_seconds"] = int(row["wait_seconds"]) + 3
            if row["outcome"] == "answered":
                row["talk_seconds"] = int(row["talk_seconds"]) + 7
        yield row


def _import(path: str, label: str) -> dict:
    rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
    started, cpu = time.perf_counter(), _cpu()
    with open(path, "rb") as data:
        result = import_file(data, os.path.basename(path), source=CallImportRun.Source.COMMAND, max_bytes=NO_LIMIT)
    seconds = time.perf_counter() - started
    assert result.committed and not result.error_count, result.errors[:3]
    print(f"| {label} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {_cpu() - cpu:.1f} | "
          f"{result.created:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged | "
          f"{os.getloadavg()[0]:.2f} |")
    return {"rows": rows, "seconds": seconds}


def _cubes() -> dict[str, list]:
    out = {}
    with connection.cursor() as cursor:
        for table in CUBES:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - constant table names
            out[table] = sorted(tuple(r[1:]) for r in cursor.fetchall())
    return out


def _median_ms(function, runs: int) -> tuple[float, int]:
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(ctx)


def _viewer():
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench.mr", defaults={"first_name": "Bench", "last_name": "MR"})
    user.groups.add(Group.objects.get(name=ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name))
    unit, _ = Unit.objects.get_or_create(code="ÇMPK", defaults={"name": "Çağrı Merkezi Performans ve Kalite"})
    StaffProfile.objects.get_or_create(user=user, defaults={"unit": unit})
    return User.objects.get(pk=user.pk)


def _dashboard(label: str, last_day: dt.date, runs: int) -> None:
    user = _viewer()
    month_from = last_day.replace(day=1)
    month_to = (month_from + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    year_from = month_from.replace(year=month_from.year - 1, month=month_from.month % 12 + 1) \
        if month_from.month < 12 else month_from.replace(month=1)
    client = Client()
    client.force_login(user)
    calls = Call.objects.count()
    # the month so far, and the twelve whole months ending with this one (read from the month cube)
    for what, first, to in (("month", month_from, last_day), ("year", year_from, month_to)):
        ms, queries = _median_ms(lambda first=first, to=to: engine.dashboard(user=user, date_from=first, date_to=to),
                                 runs)
        print(f"| {label} | {calls:,} | engine.dashboard, {what} | {ms:.1f} | {queries} |")
    url = f"/admin/callqa/dashboard/?period=month&year={last_day.year}&month={last_day.month}"

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    ms, queries = _median_ms(page, runs)
    print(f"| {label} | {calls:,} | dashboard page (HTML), month | {ms:.1f} | {queries} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dashboard-rows", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average at start {os.getloadavg()[0]:.2f}\n")
    codes = [f"T{n:03d}" for n in range(1, 61)]
    agents = assign_shifts(codes)
    Agent.objects.bulk_create([Agent(code=code, shift=shift) for code, shift in agents], ignore_conflicts=True)
    today = dt.date(2026, 11, 26)
    last = today - dt.timedelta(days=1)
    # --rows calls over the last 91 days (a quarter of a busy centre is ~300,000)
    first = last - dt.timedelta(days=90)
    folder = tempfile.mkdtemp(prefix="bench-calls-")
    fresh, later = os.path.join(folder, "calls.csv"), os.path.join(folder, "calls-later.csv")
    _write(fresh, generate_calls(args.rows, start=first, end=last, agents=agents))
    _write(later, _changed(generate_calls(args.rows, start=first, end=last, agents=agents)))
    print("| stage | rows | s | rows/s | CPU s | result | load |\n|---|---:|---:|---:|---:|---|---:|")
    _import(fresh, "a. import, empty table")
    _import(later, "b. re-import, 1 in 10 changed")
    kept = _cubes()
    started = time.perf_counter()
    call_command("rebuild_call_rollups", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"\nc. rebuild_call_rollups: {time.perf_counter() - started:.1f} s; "
          f"equal to the rollups the imports kept: {_cubes() == kept}\n")
    print("| stage | calls | what | median ms | queries |\n|---|---:|---|---:|---:|")
    _dashboard("d", last, args.runs)
    if args.dashboard_rows > args.rows:
        # Earlier quarters, imported file by file (each a quarter's export) until the table holds
        # --dashboard-rows calls: the dashboard then reads cubes covering that many.
        remaining, end, part = args.dashboard_rows - args.rows, first - dt.timedelta(days=1), 0
        while remaining > 0:
            size = min(remaining, args.rows)
            start = end - dt.timedelta(days=90)
            part += 1
            path = os.path.join(folder, f"calls-{part}.csv")
            _write(path, generate_calls(size, start=start, end=end, agents=agents, prefix=f"Q{part}-", seed=part))
            with open(path, "rb") as data:
                result = import_file(data, os.path.basename(path), source=CallImportRun.Source.COMMAND,
                                     max_bytes=NO_LIMIT)
            assert result.committed, result.errors[:3]
            os.unlink(path)
            remaining -= size
            end = start - dt.timedelta(days=1)
        _dashboard("d, filled", last, args.runs)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
