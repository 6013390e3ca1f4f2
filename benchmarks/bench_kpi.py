"""KPI benchmark: importing citizen requests (the raw limit of the streaming pipeline, the real
import, a re-import with a tenth changed, django-import-export and bulk_create for comparison),
rebuilding the rollups, and the KPI dashboard's month and year views at 10,000 and at millions of
requests.

Usage:  .venv/bin/python benchmarks/bench_kpi.py --rows 1000000 [--dashboard-rows 5000000]
                                                  [--dashboard-years 5] [--sample 20000] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp; for PostgreSQL `createdb` a
fresh database and point DATABASE_URL at it). Not run by CI; the figures go to docs/performance.md.

The requests come from kpi.demo_data (a year of realistic requests for the ten answering units,
written to CSV files first, so generating them is not timed). Stages:
  a. raw limit: kpi.ingest's own reading path and row validation (`RequestIngest.run_file`,
     `_validate`) and its writers (executemany on lists of 5,000 rows / COPY), but every row
     inserted as new: no look-up of existing rows, no rollups;
  b. `kpi.ingest.import_file` of the same file into the empty table (validation, upsert, rollups);
  c. `import_file` of the later export of the same requests (one row in ten moved on);
  d. django-import-export's plain ModelResource and Django's bulk_create on a --sample row
     sample (and the pipeline on the same sample);
  e. `manage.py rebuild_kpi_rollups`, checked against the rollups the imports kept;
  f. `kpi.engine.dashboard` month and year views (all units): median ms and SQL queries at 10,000
     requests, at --rows, and with --dashboard-rows at that many (spread over --dashboard-years
     years, loaded by stage a's writer and rebuilt by stage e: the rows are really in kpi_request).
Stages a-c (and the --dashboard-rows load) run in a child process each, so that their peak
memory (VmHWM, the high-water mark of resident memory) is their own. DEBUG is off, as in production.
"""

from __future__ import annotations

# isort: off
import harness  # noqa: F401  first: puts the project on the path and sets Django up
# isort: on

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpi import engine
from kpi.demo_data import COLUMNS, generate_requests, later_export, write_csv, year_until
from kpi.ingest import RequestIngest, _Refused, import_file
from kpi.models import (
    Category,
    Channel,
    ImportRun,
    Request,
    RollupDayUnit,
    RollupMonth,
    RollupMonthUnit,
    RollupOpen,
)
from qms.models import Unit
from qms.seed import ANSWERING_UNITS

NO_LIMIT = 1 << 40
CHUNK = 1_000_000  # rows per file when loading --dashboard-rows
ROLLUP_TABLES = ("kpi_rollupdayunit", "kpi_rollupmonth", "kpi_rollupmonthunit", "kpi_rollupopen")

settings.DEBUG = False


class RawIngest(RequestIngest):
    """The pipeline's reading, validation and writers, every row written as new: the raw limit."""

    def _write(self, batch):
        records = []
        for line, cells, *fingerprint in batch:  # the batch as RequestIngest._run hands it over
            try:
                records.append(self._validate(cells, *fingerprint))
            except _Refused as refused:
                self._error(line, refused.column, refused.message, str(cells[0])[:40])
        self.result.created += len(records)
        if self.vendor == "postgresql":
            self._write_postgresql(records, [])
        else:
            self._write_sqlite(records, [])


# ---- the child processes (stages a-c) ---------------------------------------------------------

def peak_mb() -> float:
    """This process's peak resident memory. (Not getrusage's ru_maxrss: Linux carries the parent's
    over fork and exec, so a child started by a big parent would report the parent's.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(stage: str, path: str) -> None:
    baseline = peak_mb()
    name = Path(path).name
    if stage == "profile":
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        with open(path, "rb") as data:
            profiler.runcall(import_file, data, name, source=ImportRun.Source.COMMAND, max_bytes=NO_LIMIT)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        print("RESULT " + json.dumps({"committed": True, "errors": 0}))
        return
    start, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as data:
        if stage == "raw":
            result = RawIngest(filename=name, source=ImportRun.Source.COMMAND).run_file(data, name, max_bytes=NO_LIMIT)
        else:
            result = import_file(data, name, source=ImportRun.Source.COMMAND, max_bytes=NO_LIMIT)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = peak_mb()
    print("RESULT " + json.dumps({
        "seconds": seconds, "cpu": cpu, "load": os.getloadavg()[0],
        "rows": result.rows, "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "errors": result.error_count, "committed": result.committed,
        "baseline_mb": baseline, "peak_mb": peak,
    }))


def run_child(stage: str, path: Path) -> dict:
    connection.close()  # SQLite: no connection of ours open beside the child's writes
    done = subprocess.run([sys.executable, __file__, "--child", stage, str(path)], capture_output=True, text=True,
                          env=os.environ.copy(), check=False)
    if stage == "profile":
        print(done.stderr)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            found = json.loads(line[7:])
            if not found["committed"] or found["errors"]:
                raise SystemExit(f"{stage} of {path.name} refused rows: {found}")
            return found
    raise SystemExit(f"{stage} of {path.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")


# ---- helpers ----------------------------------------------------------------------------------

def empty() -> None:
    """No requests and no rollups (channels, categories and units stay)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE kpi_request, {', '.join(ROLLUP_TABLES)}")
        else:
            for table in ("kpi_request",) + ROLLUP_TABLES:
                cursor.execute(f"DELETE FROM {table}")
    analyze()


def analyze() -> None:
    """Fresh planner statistics, as autovacuum leaves them soon after a bulk load (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def rollup_snapshot() -> list[tuple]:
    snapshot = []
    for model, keys in ((RollupDayUnit, ("day", "unit_id", "channel_id", "type")),
                        (RollupMonth, ("month", "unit_id", "channel_id", "type", "category_id")),
                        (RollupMonthUnit, ("month", "unit_id", "channel_id", "type")),
                        (RollupOpen, ("day", "unit_id", "channel_id", "type", "category_id", "kind", "falls_due"))):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.values_list(*fields)
        snapshot.append(sorted(row for row in rows if any(row[len(keys):])))  # empty cube rows do not count
    return snapshot


def write_files(rows: int, units: list[str], folder: Path, start, end, as_of) -> tuple[Path, Path, int]:
    """The export and the later export (kpi.demo_data.later_export) of the same `rows` requests,
    written side by side in one pass. Returns both paths and how many rows moved on."""
    original, changed = folder / "requests.csv", folder / "requests-later.csv"
    current = {}

    def source():
        for row in generate_requests(rows, start=start, end=end, as_of=as_of, units=units):
            current["row"] = row
            yield row

    moved = 0
    with original.open("w", encoding="utf-8", newline="") as first, \
            changed.open("w", encoding="utf-8", newline="") as second:
        writer_a, writer_b = csv.writer(first), csv.writer(second)
        writer_a.writerow(COLUMNS)
        writer_b.writerow(COLUMNS)
        for after in later_export(source(), as_of=as_of):
            before = current["row"]
            moved += after is not before
            writer_a.writerow([before[c] for c in COLUMNS])
            writer_b.writerow([after[c] for c in COLUMNS])
    return original, changed, moved


def cpu_note(found: dict) -> str:
    """The importing process's own CPU seconds (the database server's are not in it) and the
    machine's load when it ended: figures taken while other work ran are slower."""
    return f"CPU {found['cpu']:.1f} s, load {found['load']:.1f}"


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "-"


def measure_dashboard(period: str, runs: int) -> tuple[float, int]:
    engine.dashboard(period=period)  # warm-up: the first query of each shape
    times, queries = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            engine.dashboard(period=period)
        times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx)
    return statistics.median(times), queries


# ---- stage d ----------------------------------------------------------------------------------

def request_resource():
    from import_export import fields, resources, widgets

    class RequestResource(resources.ModelResource):
        channel = fields.Field(attribute="channel", column_name="channel",
                               widget=widgets.ForeignKeyWidget(Channel, "name"))
        category = fields.Field(attribute="category", column_name="category",
                                widget=widgets.ForeignKeyWidget(Category, "name"))
        unit = fields.Field(attribute="unit", column_name="unit_code", widget=widgets.ForeignKeyWidget(Unit, "code"))

        class Meta:
            model = Request
            import_id_fields = ("request_no",)
            exclude = ("id",)

    return RequestResource()


def compare_sample(sample: int, units: list[str], folder: Path, start, end, as_of) -> list[tuple]:
    """The pipeline, import-export's ModelResource and bulk_create on the same `sample` requests."""
    import tablib

    path = folder / "sample.csv"
    write_csv(path, generate_requests(sample, start=start, end=end, as_of=as_of, units=units, prefix="S-"))
    lines = []
    begin = time.perf_counter()
    with path.open("rb") as data:
        result = import_file(data, path.name, max_bytes=NO_LIMIT)
    seconds = time.perf_counter() - begin
    assert result.created == sample, result.as_dict()
    lines.append(("d", f"kpi.ingest import_file, {sample:,}-row sample (validation, upsert, rollups)", sample,
                  seconds, ""))
    # The sample as the pipeline stored it: every field of the model, derived ones included.
    names = {u: c for c, u in Unit.objects.values_list("code", "pk")}
    channels = dict(Channel.objects.values_list("pk", "name"))
    categories = dict(Category.objects.values_list("pk", "name"))
    columns = [f.attname for f in Request._meta.concrete_fields if f.attname != "id"]
    stored = list(Request.objects.filter(request_no__startswith="S-").values(*columns))
    empty()

    resource_ = request_resource()
    headers = [("unit_code" if c == "unit_id" else c[:-3] if c.endswith("_id") else c) for c in columns]
    dataset = tablib.Dataset(headers=headers)
    for row in stored:
        values = []
        for c in columns:
            value = row[c]
            if c == "unit_id":
                value = names[value]
            elif c == "channel_id":
                value = channels[value]
            elif c == "category_id":
                value = categories[value]
            values.append(value)
        dataset.append(values)
    begin = time.perf_counter()
    outcome = resource_.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - begin
    assert not outcome.has_errors() and Request.objects.count() == sample, outcome.totals
    lines.append(("d", f"django-import-export ModelResource, same {sample:,} rows (already validated)", sample,
                  seconds, "no rollups"))
    empty()

    begin = time.perf_counter()
    with transaction.atomic():
        Request.objects.bulk_create([Request(**row) for row in stored])
    seconds = time.perf_counter() - begin
    assert Request.objects.count() == sample
    lines.append(("d", f"Django bulk_create, same {sample:,} rows (model instances built from validated values)",
                  sample, seconds, "no validation, no upsert, no rollups"))
    empty()
    path.unlink()
    return lines


# ---- main -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dashboard-rows", type=int, default=0,
                        help="also measure the dashboard at this many requests (loaded after the import stages)")
    parser.add_argument("--dashboard-years", type=int, default=5,
                        help="years the --dashboard-rows requests are spread over (ending yesterday)")
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1, help="run stages a and b this many times each, "
                                                             "alternately, and keep the fastest")
    parser.add_argument("--profile", action="store_true",
                        help="import the --rows file once more under cProfile and print where the time goes")
    parser.add_argument("--dashboard-only", action="store_true",
                        help="only measure the dashboard views on the requests already in DATABASE_URL")
    parser.add_argument("--child", nargs=2, metavar=("STAGE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    if args.dashboard_only:
        count = Request.objects.count()
        (month_ms, month_q), (year_ms, year_q) = measure_dashboard("month", args.runs), measure_dashboard("year",
                                                                                                         args.runs)
        print(f"{connection.vendor}, {count:,} requests, load {os.getloadavg()[0]:.1f}: month view {month_ms:.0f} ms "
              f"({month_q} queries), year view {year_ms:.0f} ms ({year_q} queries)")
        return
    call_command("migrate", verbosity=0)
    for code, name, kind in ANSWERING_UNITS:
        Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "answers_requests": True})
    units = sorted(code for code, _name, _kind in ANSWERING_UNITS)
    today = timezone.localdate()
    start, end, as_of = year_until(today)
    folder = Path(tempfile.mkdtemp(prefix="bench-kpi-"))
    database = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if database == "postgresql" else "SELECT 'SQLite ' || sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"{database}: {args.rows:,} requests from {start} to {end}, as of {today}; files in {folder}\n"
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start; Python {platform.python_version()}, "
          f"{version}")
    lines: list[tuple] = []
    try:
        begin = time.perf_counter()
        original, changed, moved = write_files(args.rows, units, folder, start, end, as_of)
        print(f"generated the export and the later export ({moved:,} rows moved on) in "
              f"{time.perf_counter() - begin:.0f} s ({original.stat().st_size / 1e6:.0f} MB each)", flush=True)

        lines += compare_sample(args.sample, units, folder, start, end, as_of)
        print("stage d done", flush=True)

        # a and b alternate --repeat times, the fastest of each kept: figures taken beside other
        # work on a shared machine vary, and both stages should see the same conditions.
        raw = imported = None
        for repetition in range(args.repeat):
            found = run_child("raw", original)
            raw = found if raw is None or found["seconds"] < raw["seconds"] else raw
            empty()
            print("stage a done", flush=True)
            found = run_child("import", original)
            imported = found if imported is None or found["seconds"] < imported["seconds"] else imported
            print("stage b done", flush=True)
            if repetition + 1 < args.repeat:
                empty()
        lines.append(("a", "raw limit: read + full validation + executemany/COPY, no look-ups, no rollups",
                      raw["rows"], raw["seconds"], f"{cpu_note(raw)}; peak {raw['peak_mb']:.0f} MB (process at "
                                                   f"start {raw['baseline_mb']:.0f} MB)"))
        ratio = raw["seconds"] / imported["seconds"]
        lines.append(("b", "kpi.ingest import_file into the empty table", imported["rows"], imported["seconds"],
                      f"{ratio:.0%} of the raw limit (goal ≥ 75%; by the importing process's CPU time "
                      f"{raw['cpu'] / imported['cpu']:.0%}); {cpu_note(imported)}; peak {imported['peak_mb']:.0f} MB "
                      f"(goal < 300 MB; {imported['baseline_mb']:.0f} MB before the import); "
                      f"{imported['created']:,} new"))
        analyze()
        count_before = Request.objects.count()

        again = run_child("import", changed)
        count_after = Request.objects.count()
        lines.append(("c", f"re-import, {moved:,} rows changed", again["rows"], again["seconds"],
                      f"goal ≥ 90,000 rows/s; {again['created']:,} new, {again['updated']:,} updated, "
                      f"{again['unchanged']:,} unchanged; requests {count_before:,} → {count_after:,}"
                      f"{'' if count_after == count_before else ' DUPLICATES'}; {cpu_note(again)}; "
                      f"peak {again['peak_mb']:.0f} MB"))
        print("stage c done", flush=True)
        analyze()

        kept = rollup_snapshot()
        begin = time.perf_counter()
        call_command("rebuild_kpi_rollups", stdout=open(os.devnull, "w"))  # noqa: SIM115
        seconds = time.perf_counter() - begin
        same = rollup_snapshot() == kept
        lines.append(("e", f"manage.py rebuild_kpi_rollups at {count_after:,} requests", count_after, seconds,
                      f"rollups kept by the imports {'identical to' if same else 'DIFFER from'} the rebuilt ones"))
        analyze()

        if args.profile:
            empty()
            run_child("profile", original)
            empty()
            run_child("import", original)
            analyze()

        dashboards = [(f"{count_after:,}", measure_dashboard("month", args.runs), measure_dashboard("year", args.runs))]
        empty()
        with (folder / "small.csv").open("w", encoding="utf-8", newline="") as out:
            write_csv(out, generate_requests(10_000, start=start, end=end, as_of=as_of, units=units, prefix="D-"))
        with (folder / "small.csv").open("rb") as data:
            import_file(data, "small.csv", max_bytes=NO_LIMIT)
        analyze()
        dashboards.insert(0, ("10,000", measure_dashboard("month", args.runs), measure_dashboard("year", args.runs)))

        if args.dashboard_rows:
            empty()
            big_start = end - dt.timedelta(days=365 * args.dashboard_years - 1)
            source = generate_requests(args.dashboard_rows, start=big_start, end=end, as_of=as_of, units=units,
                                       prefix="M-")
            begin = time.perf_counter()
            loaded = 0
            peak = 0.0
            for number in itertools.count():
                chunk = folder / f"chunk{number}.csv"
                written = write_csv(chunk, itertools.islice(source, CHUNK))
                if not written:
                    chunk.unlink()
                    break
                done = run_child("raw", chunk)
                loaded += done["rows"]
                peak = max(peak, done["peak_mb"])
                chunk.unlink()
                print(f"  loaded {loaded:,} requests", flush=True)
            load_seconds = time.perf_counter() - begin
            analyze()
            begin = time.perf_counter()
            call_command("rebuild_kpi_rollups", stdout=open(os.devnull, "w"))  # noqa: SIM115
            seconds = time.perf_counter() - begin
            lines.append(("e", f"manage.py rebuild_kpi_rollups at {loaded:,} requests ({args.dashboard_years} years)",
                          loaded, seconds, f"(loaded by stage a's writer in {load_seconds:.0f} s, with generation)"))
            analyze()
            dashboards.append((f"{loaded:,}", measure_dashboard("month", args.runs),
                               measure_dashboard("year", args.runs)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print()
    print("| stage | what | rows | seconds | rows/s | notes |\n|---|---|---:|---:|---:|---|")
    for stage, what, rows, seconds, notes in sorted(lines, key=lambda line: line[0]):
        print(f"| {stage} | {what} | {rows:,} | {seconds:.1f} | {rate(rows, seconds)} | {notes} |")
    print()
    print("| requests | dashboard month view ms | queries | dashboard year view ms | queries |")
    print("|---:|---:|---:|---:|---:|")
    for size, (month_ms, month_q), (year_ms, year_q) in dashboards:
        print(f"| {size} | {month_ms:.0f} | {month_q} | {year_ms:.0f} | {year_q} |")


if __name__ == "__main__":
    main()
