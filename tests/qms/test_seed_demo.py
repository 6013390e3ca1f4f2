"""`manage.py seed_demo` loads a usable demo, and running it again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Page, Site

from qms.models import HomePage, StaffProfile, Unit
from qms.roles import ROLES, Role, roles_of
from qms.seed import DEMO_USERS

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    """Rows of every model of the portal's own apps, plus users, profiles, pages and sites."""
    result = {
        "units": Unit.objects.count(),
        "users": get_user_model().objects.count(),
        "profiles": StaffProfile.objects.count(),
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "group memberships": get_user_model().groups.through.objects.count(),
    }
    for label in settings.QMS_SEED_MODULES:
        for model in apps.get_app_config(label.rsplit(".", 1)[-1]).get_models():
            if model._meta.managed and not model._meta.proxy:
                result[model._meta.label] = model._default_manager.count()
    return result


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module (the documents' demo history takes seconds), in a transaction rolled
    back at the end; each test runs in its own savepoint, so a test that changes or re-seeds undoes it.
    Uploaded demo files go to a temporary folder."""
    media = tmp_path_factory.mktemp("private")
    with django_db_blocker.unblock(), override_settings(QMS_PRIVATE_MEDIA_ROOT=media), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


def test_seed_reports_success(seeded):
    assert "demo data ready" in seeded


def test_seed_twice_leaves_identical_counts(seeded):
    first = counts()
    paths_first = dict(Unit.objects.values_list("code", "path"))
    seed()
    assert counts() == first
    assert dict(Unit.objects.values_list("code", "path")) == paths_first


def test_seed_builds_the_organisation_tree(seeded):
    hism = Unit.objects.get(code="HİŞM")
    assert {"ÇMŞ", "ÇÖZM", "ALO153", "KSB"} <= set(Unit.objects.subtree(hism).values_list("code", flat=True))
    assert Unit.objects.get(code="ALO153").parent.code == "ÇMŞ"
    assert Unit.objects.filter(answers_requests=True).exists()


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_demo_user_with_a_profile(seeded, role):
    usernames = [username for username, _f, _l, r, _u, _t in DEMO_USERS if r == role]
    assert usernames, f"no demo user for {role}"
    for username in usernames:
        user = get_user_model().objects.get(username=username)
        assert user.groups.filter(name=ROLES[role].group_name).exists()
        assert roles_of(user) == [role]
        assert StaffProfile.objects.filter(user=user, is_active=True).exists()
        assert user.is_active and not user.is_superuser


def test_home_page_is_the_default_sites_root(seeded):
    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.get()
    assert site.root_page_id == home.pk
    assert home.live
    assert home.quality_policy
    # Wagtail's placeholder "Welcome" page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()


def test_seed_keeps_a_changed_password(seeded):
    """Re-seeding must not reset a password someone changed on the demo server."""
    user = get_user_model().objects.get(username="personel")
    user.set_password("Baska.parola.2026")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("Baska.parola.2026")


@pytest.mark.parametrize("username", [row[0] for row in DEMO_USERS])
def test_demo_password_signs_in(client, seeded, username):
    response = client.post("/admin/login/", {"username": username, "password": settings.QMS_DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_demo_user_sees_the_portal_home(client, seeded):
    client.post("/admin/login/", {"username": "cagri.temsilcisi", "password": settings.QMS_DEMO_PASSWORD})
    response = client.get("/")
    assert response.status_code == 200
    assert "ISO 10002" in response.content.decode()


def test_seed_demo_refuses_a_production_database(db, settings):
    from django.core.management import CommandError, call_command

    settings.QMS_ALLOW_DEMO_DATA = False  # what DEBUG=0 in the environment gives
    before = counts()  # the module's seeded data may be there already: nothing may be added to it
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert counts() == before
