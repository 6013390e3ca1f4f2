"""With PROMETHEUS_MULTIPROC_DIR set (gunicorn's several processes), one scrape adds up the request
samples of every process; a scrape still answers when the database is down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
TOKEN = "p" * 40


def in_a_process(code: str, multiproc_dir: Path) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "SQLITE_TEST_NAME"}}
    env.update({
        "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "qms.settings", "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
        # No database at all: the health probe answers 503 (its status class is counted) and the
        # scrape must still work.
        "DATABASE_URL": "sqlite:////nonexistent-folder-for-metrics/db.sqlite3",
    })
    done = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.test import Client; "
                           + code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_scrape_adds_up_every_process(tmp_path):
    for _process in range(2):
        in_a_process("Client().get('/health/')", tmp_path)

    scraped = in_a_process(
        f"r = Client().get('/metrics/', HTTP_AUTHORIZATION='Bearer {TOKEN}'); print(r.status_code); "
        "print(r.content.decode())", tmp_path)

    status, _newline, text = scraped.partition("\n")
    assert status == "200"
    assert 'qms_http_request_duration_seconds_count{method="GET",route="health",status="5xx"} 2.0' in text
    assert "qms_database_up 0.0" in text
    assert len(list(tmp_path.glob("histogram_*.db"))) == 3  # one file per process
