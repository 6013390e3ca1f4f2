"""Production settings: with DEBUG off the deploy check is clean, and an unsafe setup refuses to start.

Settings are read once, at import, so each configuration runs `manage.py check` in its own process
with a controlled environment (nothing inherited from the test run's DEBUG=1).
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables the settings module reads: none may leak from the developer's shell into these runs.
_SETTINGS_ENV = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "BASE_URL",
    "PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "CSRF_TRUSTED_ORIGINS",
    "SQLITE_TEST_NAME",
    "DJANGO_SETTINGS_MODULE",
)


def random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def run_check(tmp_path, **overrides: str | None) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` under a production-like environment."""
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS_ENV}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": random_secret(),
            "ALLOWED_HOSTS": "qms.example.org",
            "BASE_URL": "https://qms.example.org",
            "EMAIL_HOST": "smtp.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production-check.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "qms.settings",
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_environment(tmp_path):
    result = run_check(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "ERRORS" not in output
    assert "System check identified no issues" in output


@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_missing_secret_key_stops_start_up(tmp_path, value):
    result = run_check(tmp_path, SECRET_KEY=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value", [None, "", " , "], ids=["unset", "empty", "only-separators"])
def test_missing_allowed_hosts_stops_start_up(tmp_path, value):
    result = run_check(tmp_path, ALLOWED_HOSTS=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_malformed_orientation_date_stops_start_up(tmp_path):
    result = run_check(tmp_path, TRAINING_ORIENTATION_SINCE="26.11.2026")
    assert result.returncode != 0
    assert "TRAINING_ORIENTATION_SINCE must be a date such as 2026-01-01" in result.stderr


@pytest.mark.parametrize(
    "secret",
    [
        "too-short-secret",
        "x" * 49,
        "dev-only-insecure-key-not-for-production",
        "dev-only-" + "a" * 60,  # long enough, but the development key's marker
    ],
    ids=["short", "49-chars", "dev-key", "dev-prefixed"],
)
def test_weak_secret_key_is_refused(tmp_path, secret):
    result = run_check(tmp_path, SECRET_KEY=secret)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_mode_without_secret_still_starts(tmp_path):
    """The refusals above are about DEBUG=0: a developer's laptop needs no secrets set."""
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS_ENV}
    env.update(
        {
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'dev-check.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "qms.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


# --- security headers on every response ------------------------------------------------------


@pytest.fixture
def login_page(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    return response


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = tokens[1:]
    return directives


def test_content_security_policy_forbids_inline_script(login_page):
    header = login_page.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = csp_directives(header)
    assert "script-src" in directives
    assert "'self'" in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'self'"]
    assert directives.get("base-uri") == ["'self'"]


def test_protective_headers_are_sent(login_page):
    assert login_page.headers.get("X-Content-Type-Options") == "nosniff"
    assert login_page.headers.get("Referrer-Policy") == "same-origin"
    assert login_page.headers.get("X-Frame-Options") in {"DENY", "SAMEORIGIN"}
    assert login_page.headers.get("Cross-Origin-Opener-Policy") == "same-origin"


def test_protective_headers_on_api_and_health_responses(client, db):
    for url in ("/health/", "/api/v1/me"):
        response = client.get(url)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        assert response.headers.get("Content-Security-Policy"), url
