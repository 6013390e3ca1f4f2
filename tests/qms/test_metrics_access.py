"""/metrics/ is for the scraper holding METRICS_TOKEN and for superusers: without a configured
token the address does not exist (404), a missing or wrong token is refused (401)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from qms.roles import Role

TOKEN = "m" * 40


@override_settings(QMS_METRICS_TOKEN="")
def test_without_a_configured_token_metrics_do_not_exist(client, db):
    assert client.get("/metrics/").status_code == 404
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@override_settings(QMS_METRICS_TOKEN="")
def test_without_a_token_a_signed_in_non_superuser_gets_404(client, make_user):
    client.force_login(make_user(Role.MANAGEMENT_REPRESENTATIVE))  # the highest role short of superuser
    assert client.get("/metrics/").status_code == 404


@override_settings(QMS_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_a_missing_or_wrong_token_is_refused(client, db, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/metrics/", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"qms_" not in response.content


@override_settings(QMS_METRICS_TOKEN=TOKEN)
def test_a_signed_in_staff_member_without_the_token_is_refused(client, make_user):
    client.force_login(make_user(Role.STAFF))
    assert client.get("/metrics/").status_code == 401


@override_settings(QMS_METRICS_TOKEN=TOKEN)
def test_the_right_token_gets_the_metrics(client, db):
    response = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"qms_http_request_duration_seconds" in response.content
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("token", ["", TOKEN])
def test_a_superuser_gets_the_metrics(client, db, token):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    with override_settings(QMS_METRICS_TOKEN=token):
        assert client.get("/metrics/").status_code == 200
