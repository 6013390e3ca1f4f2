"""Management-review benchmark: how long the input pack takes to compile on a full demo, item by item,
and how fast the review's screens and minutes PDF answer ("prepared in minutes, not weeks").

Usage:  .venv/bin/python benchmarks/bench_review.py [--requests 200000] [--calls 300000] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp; for PostgreSQL `createdb` a fresh
database and point DATABASE_URL at it). Not run by CI; the figures go to docs/performance.md.

Stages (after `seed_demo` with the production demo sizes: --requests citizen requests over a year,
--calls calls over a quarter, five evaluations per agent and month, every module's demo history):
  a. `qms.review.pack.compile_item` for each of the 13 agenda items of this year's review (in
     preparation: live figures), median ms and SQL queries, and the whole pack;
  b. `services.submit` (compiles and stores the pack) once;
  c. the pages as the management representative and the chair: the list, the detail page of the
     submitted review (stored pack) and of last year's approved one, and the minutes PDF.
DEBUG is off, as in production.
"""

from __future__ import annotations

# isort: off
import harness  # noqa: F401  first: puts the project on the path and sets Django up
# isort: on

import argparse
import os
import platform
import statistics
import time
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qms.review import services
from qms.review.models import AGENDA_ORDER, Review, ReviewState
from qms.review.pack import compile_item

settings.DEBUG = False


def _median_ms(function, runs: int) -> tuple[float, int]:
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(ctx)


def _page(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    ms, queries = _median_ms(get, runs)
    return ms, queries, len(get().content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings.QMS_KPI_DEMO_REQUESTS = args.requests
    settings.QMS_CALL_DEMO_CALLS = args.calls
    settings.QMS_CALLQA_DEMO_PER_AGENT = 5
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average at start {os.getloadavg()[0]:.2f}\n")
    started = time.perf_counter()
    call_command("seed_demo", stdout=StringIO())
    print(f"seed_demo ({args.requests:,} requests, {args.calls:,} calls): {time.perf_counter() - started:.0f} s\n")

    User = get_user_model()
    mr, chair = User.objects.get(username="yonetim.temsilcisi"), User.objects.get(username="sube.muduru")
    this = Review.objects.get(state=ReviewState.PREPARATION)
    last = Review.objects.get(state=ReviewState.APPROVED)
    print(f"a. compile_item for {this.label} ({this.period_start} .. {this.period_end}), live\n")
    print("| agenda item | median ms | queries |\n|---|---:|---:|")
    total_ms = total_queries = 0
    for kind in AGENDA_ORDER:
        ms, queries = _median_ms(lambda kind=kind: compile_item(this, kind), args.runs)
        total_ms += ms
        total_queries += queries
        print(f"| {kind} | {ms:.1f} | {queries} |")
    print(f"| **whole pack** | **{total_ms:.0f}** | **{total_queries}** |\n")

    this.items.update(narrative="Değerlendirildi.")
    this.attendees.filter(user=chair).update(present=True)
    Review.objects.filter(pk=this.pk).update(held_on=this.planned_date)
    started = time.perf_counter()
    services.submit(Review.objects.get(pk=this.pk), user=mr)
    print(f"b. services.submit (compile and store the pack): {(time.perf_counter() - started) * 1000:.0f} ms\n")

    print("| page | as | median ms | queries | KB |\n|---|---|---:|---:|---:|")
    for label, user, url in (
        ("list of reviews", mr, reverse("review:list")),
        ("detail, submitted (stored pack)", chair, reverse("review:detail", args=[this.pk])),
        ("detail, approved last year", chair, reverse("review:detail", args=[last.pk])),
        ("minutes PDF, approved", chair, reverse("review:minutes_pdf", args=[last.pk])),
    ):
        client = Client()
        client.force_login(user)
        ms, queries, size = _page(client, url, args.runs)
        print(f"| {label} | {user.username} | {ms:.1f} | {queries} | {size / 1024:.0f} |")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
