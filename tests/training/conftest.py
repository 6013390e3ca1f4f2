"""Training fixtures: a coordinator, courses and sessions built through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qms.roles import Role
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
    from training import services

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
