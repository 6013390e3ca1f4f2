"""gunicorn.conf.py: every value from the environment with safe defaults, a bad value refused at
start-up, and the Prometheus hook only where the metrics folder is set. (The whole production
setup is proven by `make prod-check`; these are the parts that can be checked in a second.)"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CONFIG = BASE_DIR / "gunicorn.conf.py"


@pytest.fixture
def gunicorn_env(monkeypatch):
    """No GUNICORN_* or metrics variable leaks in from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name in {"PROMETHEUS_MULTIPROC_DIR", "FORWARDED_ALLOW_IPS"}:
            monkeypatch.delenv(name)
    return monkeypatch


def load_config() -> dict:
    return runpy.run_path(str(CONFIG))


def test_defaults_are_local_and_capped(gunicorn_env):
    gunicorn_env.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    config = load_config()
    assert config["bind"] == ["127.0.0.1:8001"]  # only nginx on the same machine reaches it
    assert config["workers"] == 8  # 2 x 64 + 1 capped: each worker holds a database connection
    assert config["timeout"] == 120 and config["graceful_timeout"] == 30
    assert config["max_requests"] == 1000 and config["max_requests_jitter"] == 100
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert config["wsgi_app"] == "qms.wsgi:application"
    assert "request_id=%({x-request-id}i)s" in config["access_log_format"]


def test_small_machine_gets_two_per_core_plus_one(gunicorn_env):
    gunicorn_env.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert load_config()["workers"] == 5


def test_every_value_comes_from_the_environment(gunicorn_env):
    gunicorn_env.setenv("GUNICORN_BIND", "0.0.0.0:8001, unix:/run/qms.sock")
    gunicorn_env.setenv("GUNICORN_WORKERS", "3")
    gunicorn_env.setenv("GUNICORN_THREADS", "4")
    gunicorn_env.setenv("GUNICORN_TIMEOUT", "300")
    gunicorn_env.setenv("GUNICORN_MAX_REQUESTS", "0")
    gunicorn_env.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    gunicorn_env.setenv("GUNICORN_WORKER_TMP_DIR", "/var/tmp/qms")
    config = load_config()
    assert config["bind"] == ["0.0.0.0:8001", "unix:/run/qms.sock"]
    assert (config["workers"], config["threads"], config["timeout"], config["max_requests"]) == (3, 4, 300, 0)
    assert config["forwarded_allow_ips"] == "10.0.0.5"
    assert config["worker_tmp_dir"] == "/var/tmp/qms"


def test_a_malformed_number_stops_start_up_naming_the_variable(gunicorn_env):
    gunicorn_env.setenv("GUNICORN_WORKERS", "four")
    with pytest.raises(SystemExit) as stopped:
        load_config()
    assert "GUNICORN_WORKERS" in str(stopped.value) and "must be an integer" in str(stopped.value)


def test_dead_workers_metrics_are_dropped_only_in_multiprocess_mode(gunicorn_env, tmp_path):
    assert "child_exit" not in load_config()
    gunicorn_env.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    live = tmp_path / "gauge_livesum_4242.db"  # a live gauge: meaningless once its process is gone
    live.write_bytes(b"")
    kept = tmp_path / "counter_4242.db"  # counters of a dead worker must still add up
    kept.write_bytes(b"")

    class Worker:
        pid = 4242

    load_config()["child_exit"](server=None, worker=Worker())
    assert not live.exists()
    assert kept.exists()


def test_gunicorn_accepts_the_file(gunicorn_env):
    env = {**os.environ, "GUNICORN_BIND": "127.0.0.1:18001", "GUNICORN_WORKERS": "3"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(CONFIG), "--print-config"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    printed = {line.split("=", 1)[0].strip(): line.split("=", 1)[1].strip()
               for line in result.stdout.splitlines() if "=" in line}
    assert printed["bind"] == "['127.0.0.1:18001']"
    assert printed["workers"] == "3"
    assert printed["control_socket_disable"] == "True"  # two instances on one machine do not collide
