"""Training fixtures: a coordinator, courses and sessions built through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import Course, Session


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.TRAINING_COORDINATOR, unit="KSB", first_name="Emre", last_name="Şahin")


@pytest.fixture
def make_course(db):
    counter = iter(range(1, 10_000))

    def factory(**fields) -> Course:
        n = next(counter)
        fields.setdefault("code", f"EĞT-{n:03d}")
        fields.setdefault("title", f"Eğitim {n}")
        fields.setdefault("duration_hours", Decimal("2.0"))
        fields.setdefault("external_trainer", "Dış Eğitim A.Ş.")
        return Course.objects.create(**fields)

    return factory


@pytest.fixture
def make_session(db, make_course):
    """make_session(course=None, start=<aware datetime>, hours_long=2, **fields) -> a planned session."""

    def factory(course: Course | None = None, start=None, hours_long: int = 2, **fields) -> Session:
        course = course or make_course()
        start = start or timezone.now() - timedelta(hours=1)
        fields.setdefault("place", "Eğitim Salonu")
        fields.setdefault("external_trainer", "Dış Eğitim A.Ş.")
        fields.setdefault("hours", course.duration_hours)
        fields.setdefault("capacity", 30)
        return Session.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=hours_long),
                                      **fields)

    return factory


@pytest.fixture
def held_session(make_session, coordinator):
    """held_session(present=[users], absent=[users], course=..., start=...) -> a finalised session."""

    def factory(present=(), absent=(), excused=(), **kwargs) -> Session:
        session = make_session(**kwargs)
        everyone = [*present, *absent, *excused]
        services.session_invite(session=session, people=everyone, user=coordinator)
        marks = {p.pk: "present" for p in present} | {p.pk: "absent" for p in absent}
        marks |= {p.pk: "excused" for p in excused}
        services.attendance_record(session=session, user=coordinator, marks=marks)
        return services.session_finalise(session=session, user=coordinator)

    return factory


@pytest.fixture
def english():
    """Messages in English, for tests that match the wording of a refusal."""
    from django.utils import translation

    with translation.override("en"):
        yield


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
