"""/health/ answers for the database, the cache, the worker's heartbeat and the media disks:
503 when the database or the cache is down (out of rotation), 200 "degraded" when only the worker
or disk space needs a look, and never a hostname or an error message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from qms.operations.models import WorkerHeartbeat

BASE_DIR = Path(__file__).resolve().parents[2]
CHECKS = {"database", "cache", "worker", "media", "private_media"}


def beat(seconds_ago: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker="app1:42", started_at=now - timedelta(hours=1),
                                   beat_at=now - timedelta(seconds=seconds_ago))


def test_all_checks_ok_with_a_fresh_worker_heartbeat(client, db):
    beat(10)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", **dict.fromkeys(CHECKS, "ok")}


def test_no_worker_ever_is_degraded_not_down(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == "missing"


@override_settings(QMS_WORKER_STALE_SECONDS=180)
def test_a_stale_worker_is_degraded(client, db):
    beat(181)
    body = client.get("/health/").json()
    assert body["status"] == "degraded"
    assert body["worker"] == "stale"


@override_settings(QMS_WORKER_STALE_SECONDS=0)
def test_the_worker_check_can_be_switched_off(client, db):
    body = client.get("/health/").json()
    assert body["worker"] == "disabled"
    assert body["status"] == "ok"


@override_settings(QMS_HEALTH_MIN_FREE_MB=10**12)  # an exabyte: no disk has that much free
def test_low_disk_space_is_degraded(client, db):
    beat(10)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["media"] == "low" and body["private_media"] == "low"


def test_a_media_folder_not_created_yet_is_measured_on_its_parent_disk(client, db, tmp_path):
    beat(10)
    with override_settings(MEDIA_ROOT=tmp_path / "not" / "yet"):
        assert client.get("/health/").json()["media"] == "ok"


REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "KEY_PREFIX": "qms-health-test"}


def test_the_cache_check_round_trips_through_redis(client, db):
    beat(10)
    with override_settings(CACHES={"default": {**REDIS, "LOCATION": "redis://127.0.0.1:6379/15"}}):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["cache"] == "ok"


def test_a_dead_redis_takes_the_server_out_of_rotation(client, db):
    beat(10)
    with override_settings(CACHES={"default": {**REDIS, "LOCATION": "redis://127.0.0.1:1/0"}}):
        response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["cache"] == "ConnectionError"
    assert body["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()


def _health_in_a_process(database_url: str) -> dict:
    """GET /health/ in a fresh process whose database cannot be reached (settings are read once,
    at start-up, so a broken DATABASE_URL needs its own process)."""
    script = (
        "import json, django; django.setup(); from django.test import Client; "
        "r = Client().get('/health/'); print(json.dumps({'code': r.status_code, 'body': r.content.decode()}))"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "SQLITE_TEST_NAME"}}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "qms.settings", "DATABASE_URL": database_url})
    done = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("database_url", [
    "postgres://qms:secret-password@127.0.0.1:1/qms",  # a PostgreSQL server that is not there
    "sqlite:////nonexistent-folder-for-health/db.sqlite3",  # a database file that cannot be opened
], ids=["postgres-closed-port", "sqlite-unopenable"])
def test_health_is_503_when_the_database_is_really_down(database_url):
    answer = _health_in_a_process(database_url)
    assert answer["code"] == 503
    body = json.loads(answer["body"])
    assert body["status"] == "unavailable"
    assert body["database"] == "OperationalError"
    assert body["worker"] == "unknown"
    for secret in ("127.0.0.1", "secret-password", "nonexistent-folder", "qms:"):
        assert secret not in answer["body"]
