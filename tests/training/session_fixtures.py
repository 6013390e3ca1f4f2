"""Fixtures of the sessions and attendance tests (imported by their modules): the cast of roles
and a planned session with people on its list."""

from __future__ import annotations

import pytest

from qms.roles import Role
from training import services


@pytest.fixture
def cast(make_user, coordinator):
    """One person per role the session screens treat differently."""
    return {
        "coordinator": coordinator,
        "mr": make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", first_name="Ayşe", last_name="Yıldırım"),
        "top": make_user(Role.TOP_MANAGEMENT, unit="HİŞM", first_name="Mehmet", last_name="Kaya"),
        "auditor": make_user(Role.INTERNAL_AUDITOR, unit="ÇÖZM", first_name="Zeynep", last_name="Demir"),
        "manager": make_user(Role.UNIT_MANAGER, unit="ÇMŞ", first_name="Gülşen", last_name="Aydın"),
        "agent": make_user(Role.AGENT, unit="ALO153", first_name="Burak", last_name="Öztürk"),
        "staff": make_user(Role.STAFF, unit="KSB", first_name="İbrahim", last_name="Arslan"),
    }


@pytest.fixture
def trainees(make_user):
    """Three agents of ALO 153 with registry numbers, in name order."""
    from qms.models import StaffProfile

    people = [
        make_user(Role.AGENT, unit="ALO153", first_name="Ahmet", last_name="Yılmaz", username="ahmet.yilmaz"),
        make_user(Role.AGENT, unit="ALO153", first_name="Çiğdem", last_name="Işık", username="cigdem.isik"),
        make_user(Role.AGENT, unit="ALO153", first_name="Şükrü", last_name="Öğüt", username="sukru.ogut"),
    ]
    for number, person in enumerate(people, start=10234):
        StaffProfile.objects.filter(user=person).update(registry_no=str(number))
        person.staff_profile.refresh_from_db()
    return people


@pytest.fixture
def listed_session(make_session, coordinator, trainees):
    """A session that started an hour ago with the three trainees invited."""

    def factory(**fields):
        session = make_session(**fields)
        services.session_invite(session=session, people=trainees, user=coordinator)
        return session

    return factory
