"""LOG_FORMAT=json makes the real logging configuration write JSON lines; an unknown LOG_FORMAT and,
in production, a short METRICS_TOKEN stop start-up with a message saying why (Turkish and English)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
LOG_A_LINE = "import django, logging; django.setup(); logging.getLogger('qms.import').warning('satır %s reddedildi', 7)"


def run_python(code: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in {"LOG_FORMAT", "METRICS_TOKEN", "REDIS_URL", "DATABASE_URL", "SQLITE_TEST_NAME"}}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "qms.settings", **env_overrides})
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=120)


def test_log_format_json_writes_one_json_object_per_line():
    done = run_python(LOG_A_LINE, LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "satır 7 reddedildi"
    assert (line["level"], line["logger"], line["request_id"]) == ("WARNING", "qms.import", None)


def test_the_plain_format_stays_plain():
    done = run_python(LOG_A_LINE)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "satır 7 reddedildi"


def test_an_unknown_log_format_stops_start_up():
    done = run_python("import django; django.setup()", LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "LOG_FORMAT 'plain' ya da 'json' olmalıdır" in done.stderr
    assert "LOG_FORMAT must be 'plain' or 'json'" in done.stderr


def test_a_short_metrics_token_stops_a_production_start(tmp_path):
    done = run_python(
        "import django; django.setup()", DEBUG="0", SECRET_KEY="k" * 20 + "-production-secret-key-of-sixty-chars-xx",
        ALLOWED_HOSTS="qms.example.org", BASE_URL="https://qms.example.org", EMAIL_HOST="smtp.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", METRICS_TOKEN="short")
    assert done.returncode != 0
    assert "METRICS_TOKEN en az 32 karakterlik" in done.stderr
    assert "METRICS_TOKEN must be a random value of at least 32 characters" in done.stderr
