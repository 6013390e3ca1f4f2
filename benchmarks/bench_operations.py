"""Operations benchmark: a backup of a portal holding years of calls, its verification, the restore
drill into a fresh database (in another process, as an operator would run it) and the KVKK
retention run over those years (dry run, then the real run, whose counts must be equal).

Usage:  .venv/bin/python benchmarks/bench_operations.py [--calls 1000000] [--years 4] [--requests 200000]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp; for PostgreSQL `createdb` a fresh
database and point DATABASE_URL at it: the restore goes into a second database the benchmark
creates and drops). Not run by CI; the figures go to docs/performance.md.

Stages:
  0. `seed_demo` (every module, with its document files; --requests citizen requests over a year)
     and --calls calls spread over the last --years years (kpi.callqa.demo_data, imported as one
     file); not timed;
  a. `create_backup` (consistent dump + media + manifest of counts and approved-record checksums);
  b. `verify_archive` (every member's checksum, read to the end), as `restore` does first;
  c. `manage.py restore ARCHIVE` into an empty database and empty media folders, in a new process
     (includes its own verification, and the recount and re-checksum afterwards);
  d. `apply_retention` dry run, then the real run on the same day (default periods: recordings two
     years, calls three); the counts of both, which must be equal;
  e. `create_backup` again after the retention run.
CPU time and the load average are printed: figures taken while the machine is busy say so.
"""

from __future__ import annotations

# isort: off
import harness  # noqa: F401  first: puts the project on the path and sets Django up
# isort: on

import argparse
import csv
import datetime as dt
import io
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kpi.callqa.demo_data import COLUMNS, assign_shifts, generate_calls
from kpi.callqa.ingest import import_file
from kpi.callqa.models import Agent, Call, CallImportRun
from qms.operations.backup import create_backup, verify_archive
from qms.operations.retention import apply_retention

BASE_DIR = Path(__file__).resolve().parent.parent
NO_LIMIT = 1 << 40


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _fill(calls: int, years: int, today: dt.date) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    codes = [f"T{n:03d}" for n in range(1, 61)]
    agents = assign_shifts(codes)
    Agent.objects.bulk_create([Agent(code=code, shift=shift) for code, shift in agents], ignore_conflicts=True)
    last = today - dt.timedelta(days=1)
    first = last - dt.timedelta(days=365 * years)
    folder = tempfile.mkdtemp(prefix="bench-operations-")
    path = os.path.join(folder, "calls.csv")
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in generate_calls(calls, start=first, end=last, agents=agents, prefix="B"):
            writer.writerow([row[name] for name in COLUMNS])
    with open(path, "rb") as data:
        result = import_file(data, "calls.csv", source=CallImportRun.Source.COMMAND, max_bytes=NO_LIMIT)
    assert result.committed and not result.error_count, result.errors[:3]
    shutil.rmtree(folder)


def _restore_target() -> tuple[str, callable]:
    """A DATABASE_URL for an empty database of the same kind, and how to drop it afterwards."""
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-restore-")
        return f"sqlite:///{folder}/restored.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)
    import psycopg

    params = connection.settings_dict
    name = f"bench_restore_{os.getpid()}"
    admin = {"dbname": "postgres", "user": params["USER"] or None, "password": params["PASSWORD"] or None,
             "host": params["HOST"] or None, "port": params["PORT"] or None}
    with psycopg.connect(autocommit=True, **admin) as raw:
        raw.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"] or ""
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    url = f"postgres://{user}{password}@{host}:{params['PORT'] or 5432}/{name}"

    def drop():
        with psycopg.connect(autocommit=True, **admin) as raw:
            raw.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def _restore(archive: Path) -> None:
    url, drop = _restore_target()
    media = tempfile.mkdtemp(prefix="bench-restore-media-")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT")}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="qms.settings", DEBUG="1",
               MEDIA_ROOT=f"{media}/media", PRIVATE_MEDIA_ROOT=f"{media}/private")
    try:
        started, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=BASE_DIR, env=env,
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        assert done.returncode == 0, done.stderr[-2000:]
        print(f"| c. `manage.py restore` into an empty database (new process) | {seconds:.1f} | "
              f"{_children_cpu() - cpu:.1f} | — | {_load()} |")
    finally:
        drop()
        shutil.rmtree(media, ignore_errors=True)


def _backup(label: str, folder: Path) -> Path:
    started, cpu = time.perf_counter(), _cpu() + _children_cpu()
    result = create_backup(folder)
    seconds = time.perf_counter() - started
    rows = sum(result.manifest.tables.values())
    print(f"| {label} | {seconds:.1f} | {_cpu() + _children_cpu() - cpu:.1f} | "
          f"{result.size / 1e6:,.1f} MB; {len(result.manifest.tables)} tables, {rows:,} rows, "
          f"{result.manifest.approved_record_count:,} approved records, "
          f"{sum(result.manifest.extra['media_files'].values())} files | {_load()} |")
    return result.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    settings.QMS_KPI_DEMO_REQUESTS = args.requests
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-media-"))
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average at start {_load()}\n")
    today = timezone.localdate()
    started = time.perf_counter()
    _fill(args.calls, args.years, today)
    print(f"0. seed_demo ({args.requests:,} requests) and {Call.objects.count():,} calls over {args.years} years: "
          f"{time.perf_counter() - started:.0f} s (not part of the figures)\n")
    folder = Path(tempfile.mkdtemp(prefix="bench-backups-"))
    print("| stage | s | CPU s | result | load |\n|---|---:|---:|---|---:|")
    archive = _backup("a. `create_backup`", folder)
    started, cpu = time.perf_counter(), _cpu()
    verify_archive(archive)
    print(f"| b. `verify_archive` | {time.perf_counter() - started:.1f} | {_cpu() - cpu:.1f} | — | {_load()} |")
    _restore(archive)
    results = {}
    for dry_run in (True, False):
        started, cpu = time.perf_counter(), _cpu()
        run, lines = apply_retention(dry_run=dry_run, today=today)
        seconds = time.perf_counter() - started
        results[dry_run] = {line.record_type.key: line.applied for line in lines}
        applied = ", ".join(f"{key} {count:,}" for key, count in results[dry_run].items() if count)
        print(f"| d. `apply_retention`, {'dry run' if dry_run else 'real run'} | {seconds:.1f} | "
              f"{_cpu() - cpu:.1f} | {applied or 'nothing due'} | {_load()} |")
    _backup("e. `create_backup` after retention", folder)
    print(f"\ndry run counts equal to the real run's: {results[True] == results[False]}; "
          f"calls left: {Call.objects.count():,}; load average at the end {_load()}")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
