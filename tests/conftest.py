"""Shared fixtures: a small organisation and a user factory for every role."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from qms.models import StaffProfile, Unit, UnitKind
from qms.roles import ROLES, Role

PASSWORD = "Test.parola.2026"
_counter = itertools.count(1)


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                      "live_server"}


def _uses_database(item) -> bool:
    """Whether a collected test touches the database (the rule pytest-django sets databases up by)."""
    return (item.get_closest_marker("django_db") is not None
            or bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))))


@pytest.fixture(scope="session", autouse=True)
def post_migrate_snapshot(request, django_db_blocker) -> dict[str, str]:
    """The test database's post-migration content (Wagtail's root page, document types, the
    approval workflow ...), serialized before any test runs.

    A transactional test ends with a flush that empties every table, and data migrations do not
    run again: transactional tests therefore use `serialized_rollback=True`, which restores this
    snapshot when they start (and leaves the tables empty, not half re-created, when they end).
    """
    from django.db import connections

    # A run of only database-free tests (gunicorn.conf.py, log settings) gets no test database
    # from pytest-django: there is nothing to serialize then.
    if not any(_uses_database(item) for item in request.session.items):
        return {}
    request.getfixturevalue("django_db_setup")
    snapshot = {}
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
            snapshot[alias] = connection._test_serialized_contents
    return snapshot


@pytest.fixture
def org(db):
    """Branch → two chiefdoms → units, plus one answering department. Returns units by code."""
    branch = Unit.objects.create(code="HİŞM", name="Halkla İlişkiler Şube Müdürlüğü", kind=UnitKind.BRANCH)
    cm = Unit.objects.create(code="ÇMŞ", name="Çağrı Merkezi Şefliği", kind=UnitKind.CHIEFDOM, parent=branch)
    alo = Unit.objects.create(code="ALO153", name="Çağrı Merkezi Birimi", parent=cm)
    qa = Unit.objects.create(code="ÇMPK", name="Çağrı Merkezi Performans ve Kalite Birimi", parent=cm)
    solution = Unit.objects.create(code="ÇÖZM", name="Çözüm Merkezi Şefliği", kind=UnitKind.CHIEFDOM, parent=branch)
    desk = Unit.objects.create(code="KSB", name="Karşılama ve Sonuç Birimi", parent=solution)
    fen = Unit.objects.create(code="FEN", name="Fen İşleri Dairesi Başkanlığı", kind=UnitKind.DEPARTMENT,
                              answers_requests=True)
    return {u.code: u for u in (branch, cm, alo, qa, solution, desk, fen)}


@pytest.fixture
def make_user(db, org):
    """make_user(Role.AGENT, unit="ALO153") -> a saved user with that role and a staff profile."""

    def factory(*roles: Role, unit: str | None = "KSB", username: str | None = None, **fields):
        User = get_user_model()
        n = next(_counter)
        user = User.objects.create_user(
            username=username or f"user{n}",
            password=PASSWORD,
            first_name=fields.pop("first_name", f"Ad{n}"),
            last_name=fields.pop("last_name", f"Soyad{n}"),
            email=fields.pop("email", f"user{n}@example.org"),
            **fields,
        )
        for role in roles:
            user.groups.add(Group.objects.get(name=ROLES[role].group_name))
        if unit is not None:
            StaffProfile.objects.create(user=user, unit=org[unit], title="Memur")
        return user

    return factory


@pytest.fixture
def role_client(client, make_user):
    """role_client(Role.X, unit=...) -> a test client logged in as a fresh user with that role."""

    def factory(*roles: Role, **kwargs):
        user = make_user(*roles, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return factory
