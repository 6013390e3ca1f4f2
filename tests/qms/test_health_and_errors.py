"""The health probe answers for the database, error pages are our own, and the portal needs a login."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import override_settings
from wagtail.models import Page, Site

from qms.models import HomePage
from qms.roles import Role

POLICY_SENTENCE = "hızlı, şeffaf, adil ve güvenilir"


@pytest.fixture
def home(db):
    """The portal's home page as the default site's root (what seed_demo sets up)."""
    root = Page.get_first_root_node()
    home = HomePage(
        title="Kalite Yönetim Portalı",
        slug="portal",
        intro="Kalite yönetim sistemi",
        quality_policy=f"<p>Başvuruları <b>{POLICY_SENTENCE}</b> biçimde sonuçlandırırız.</p>",
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


# --- /health/ ---------------------------------------------------------------------------------


def test_health_is_ok_when_the_database_answers(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # No worker heartbeat in this database: "degraded" (tests/qms/test_health_checks.py), still 200.
    assert response.json()["database"] == "ok"
    assert response.json()["status"] in {"ok", "degraded"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_is_503_when_the_database_fails(client, db, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    # Restored before the test database is rolled back (that needs a working cursor).
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "OperationalError"
    assert "connection refused" not in response.content.decode()  # no internals leak


def test_health_needs_no_login(client, db):
    assert client.get("/health/").status_code == 200


# --- error pages ------------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_unknown_url_renders_our_404_page(client, home, make_user):
    client.force_login(make_user(Role.STAFF))
    response = client.get("/bu-adres-yok/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    text = response.content.decode()
    assert "Sayfa bulunamadı" in text  # Turkish, the default language
    assert "Portal ana sayfasına dön" in text
    assert "Traceback" not in text
    assert "urlpatterns" not in text.lower()  # not Django's technical 404


@override_settings(DEBUG=False)
def test_unknown_url_is_404_for_anonymous_too(client, home):
    response = client.get("/bu-adres-yok/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


@override_settings(DEBUG=False)
def test_unknown_admin_url_is_404_not_a_traceback(client, db, make_user):
    client.force_login(make_user(Role.STAFF))
    response = client.get("/admin/no-such-screen/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_server_error_page_is_static_and_bilingual(rf, db):
    from qms.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Beklenmeyen bir hata oluştu" in text
    assert "An unexpected error occurred" in text


# --- the portal home --------------------------------------------------------------------------


def test_anonymous_home_redirects_to_login(client, home):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/"


def test_anonymous_portal_page_redirects_with_its_own_address(client, home):
    from qms.models import StandardPage

    page = StandardPage(title="Kalite Hedefleri", slug="kalite-hedefleri")
    home.add_child(instance=page)
    page.save_revision().publish()

    response = client.get("/kalite-hedefleri/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/kalite-hedefleri/"


def test_signed_in_home_shows_the_quality_policy(client, home, make_user):
    client.force_login(make_user(Role.AGENT, unit="ALO153"))
    response = client.get("/")
    assert response.status_code == 200
    assert POLICY_SENTENCE in response.content.decode()
