"""What every benchmark starts with: Django set up on a throw-away database, and one way to time a page.

Import it before anything from Django or the project: it puts the project on the path, sets the
development test settings, and (unless DATABASE_URL says otherwise) a fresh SQLite file in /tmp.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    """Median milliseconds of `runs` GETs of `url` (after one warm-up), the queries of the last
    one and its size in bytes; a response other than 200 raises AssertionError."""
    client.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return statistics.median(times), len(ctx), len(content)


def print_table(people: dict, urls: list[tuple[str, str]], runs: int) -> None:
    """A Markdown table of `measure()` for every person × page (pages a person may not open are
    left out), then the time to collect every reminder for everybody (what send_reminders does)."""
    from django.utils import timezone

    from qms.reminders import registry

    print("| who | what | median ms | queries | bytes |\n|---|---|---:|---:|---:|")
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        for label, url in urls:
            try:
                ms, queries, size = measure(client, url, runs)
            except AssertionError:
                continue  # not this role's screen
            print(f"| {who} | {label} | {ms:.0f} | {queries} | {size:,} |")
    start = time.perf_counter()
    collected = registry.collect(today=timezone.localdate())
    items = sum(len(found) for found in collected.values())
    print(f"reminder collection for everybody (send_reminders): {items} items for {len(collected)} people in "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
