"""/api/v1/ authenticates every call: a live bearer token of an active user, or the admin session.

No credentials, a revoked token, a token of an inactive user or a malformed header: 401 and no data,
on every endpoint the schema lists (so endpoints that modules add later are walked as well).
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import APIToken

from qms.api import api
from qms.roles import Role

API = "/api/v1"


def schema_operations() -> list[tuple[str, str]]:
    """(method, url) for every operation in the OpenAPI schema, path parameters filled in."""
    operations = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        url = re.sub(r"\{[^}]+\}", "ALO153", path)
        for method in methods:
            operations.append((method.lower(), url))
    return operations


OPERATIONS = schema_operations()


def call(client, method: str, url: str, **extra):
    if method in ("post", "put", "patch"):
        return getattr(client, method)(url, data="{}", content_type="application/json", **extra)
    return getattr(client, method)(url, **extra)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="ALO153")


@pytest.fixture
def token(manager):
    instance, plaintext = APIToken.create_token(user=manager, name="test")
    instance.plaintext = plaintext
    return instance


def test_the_core_endpoints_are_in_the_schema():
    urls = {url for _method, url in OPERATIONS}
    assert {f"{API}/me", f"{API}/units", f"{API}/units/ALO153", f"{API}/staff", f"{API}/staff/ALO153"} <= urls


@pytest.mark.parametrize(("method", "url"), OPERATIONS)
def test_no_credentials_is_401_on_every_endpoint(client, org, method, url):
    response = call(client, method, url)
    assert response.status_code == 401, (method, url, response.status_code)
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(("method", "url"), OPERATIONS)
def test_revoked_token_is_401_on_every_endpoint(client, token, method, url):
    token.revoke()
    response = call(client, method, url, **bearer(token.plaintext))
    assert response.status_code == 401, (method, url)


def test_token_of_inactive_user_is_401(client, token, manager):
    manager.is_active = False
    manager.save()
    response = client.get(f"{API}/me", **bearer(token.plaintext))
    assert response.status_code == 401
    assert "username" not in response.content.decode()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wagtail_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Token {token}",  # right token, wrong scheme: not accepted as a token
        "Basic {token}",
    ],
)
def test_malformed_or_unknown_tokens_are_401(client, token, header):
    response = client.get(f"{API}/me", HTTP_AUTHORIZATION=header.format(token=token.plaintext))
    assert response.status_code == 401


def test_bad_token_is_401_even_with_a_session(client, token, manager):
    """A stale or stolen header must not ride on the browser's session."""
    client.force_login(manager)
    response = client.get(f"{API}/me", **bearer("wagtail_invalid"))
    assert response.status_code == 401


def test_valid_token_authenticates_and_records_its_use(client, token, manager):
    assert token.last_used_at is None

    response = client.get(f"{API}/me", **bearer(token.plaintext))

    assert response.status_code == 200
    assert response.json()["username"] == manager.username
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_from_an_older_secret_key_still_works_during_rotation(client, token, manager, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.get(f"{API}/me", **bearer(token.plaintext)).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(f"{API}/me", **bearer(token.plaintext)).status_code == 401


# --- manage.py api_token ----------------------------------------------------------------------


def issue(username: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("api_token", username, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_api_token_command_prints_only_the_token(client, manager):
    stdout, stderr = issue(manager.username)

    plaintext = stdout.rstrip("\n")
    assert stdout == plaintext + "\n"
    assert APIToken.validate_token_format(plaintext)
    assert plaintext not in stderr  # the notice names the prefix only

    response = client.get(f"{API}/me", **bearer(plaintext))
    assert response.status_code == 200
    assert response.json()["username"] == manager.username


def test_api_token_command_stores_only_a_digest(manager):
    stdout, _stderr = issue(manager.username)
    plaintext = stdout.strip()

    row = APIToken.objects.filter(user=manager).values().get()
    assert row["key_hash"] == APIToken.hash_token(plaintext)
    for value in row.values():
        assert plaintext not in str(value)
    assert plaintext.startswith(row["prefix"])
    assert len(row["prefix"]) < len(plaintext) // 2


def test_api_token_command_issues_a_new_token_each_time(manager):
    first, _ = issue(manager.username)
    second, _ = issue(manager.username)
    assert first != second
    assert APIToken.objects.filter(user=manager).count() == 2


def test_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        issue("nobody")
    assert not APIToken.objects.exists()


def test_api_token_command_refuses_an_inactive_user(make_user):
    user = make_user(Role.STAFF, is_active=False)
    with pytest.raises(CommandError):
        issue(user.username)
    assert not APIToken.objects.exists()


# --- session auth, schema, docs ---------------------------------------------------------------


def test_session_auth_works_for_a_signed_in_user(client, manager):
    client.force_login(manager)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["username"] == manager.username


def test_session_of_inactive_user_is_401(client, manager):
    client.force_login(manager)
    manager.is_active = False
    manager.save()
    assert client.get(f"{API}/me").status_code == 401


def test_openapi_schema_lists_the_endpoints(client, manager):
    client.force_login(manager)
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {f"{API}/me", f"{API}/units", f"{API}/units/{{code}}", f"{API}/staff", f"{API}/staff/{{username}}"} <= set(
        schema["paths"]
    )
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_openapi_schema_requires_login(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


def test_docs_require_login(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 302
    assert response.url == f"/admin/login/?next={API}/docs"


def test_docs_render_for_a_signed_in_user(client, make_user):
    client.force_login(make_user(Role.STAFF))
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert "swagger" in response.content.decode().lower()
