"""Everyone on a planned session's list is reminded of it in the week before: when and where."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from qms.reminders import registry
from qms.roles import Role
from training import services
from training.reminders import session_upcoming

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def at(days: int, hour: int = 10):
    return timezone.make_aware(datetime.combine(TODAY + timedelta(days=days), datetime.min.time())) + timedelta(
        hours=hour)


def test_invitees_are_reminded_in_the_week_before(make_session, make_user, coordinator):
    soon = make_session(start=at(3, 14), place="Çağrı Merkezi Eğitim Salonu")
    later = make_session(start=at(10))
    cancelled = make_session(start=at(2))
    invitee, other = make_user(Role.AGENT, unit="ALO153"), make_user(Role.AGENT, unit="ALO153")
    for session in (soon, later, cancelled):
        services.session_invite(session=session, people=[invitee], user=coordinator)
    services.session_cancel(session=cancelled, user=coordinator, reason="Salon yok")
    found = list(session_upcoming(today=TODAY, users=None))
    assert [(r.user_id, r.due) for r in found] == [(invitee.pk, TODAY + timedelta(days=3))]
    with translation.override("tr"):
        assert str(found[0].title) == f"“{soon.course.title}” eğitimi: 29.11.2026 14:00, Çağrı Merkezi Eğitim Salonu"
    assert not [r for r in registry.reminders_for(other, today=TODAY) if r.rule == "training.session_upcoming"]
    assert list(session_upcoming(today=TODAY, users=get_user_model().objects.filter(pk=other.pk))) == []


def test_the_rule_runs_one_query_whatever_the_number_of_people(make_session, make_user, coordinator):
    session = make_session(start=at(1))
    services.session_invite(session=session, people=[make_user(Role.AGENT, unit="ALO153")], user=coordinator)
    with CaptureQueriesContext(connection) as few:
        list(session_upcoming(today=TODAY, users=None))
    services.session_invite(session=session, people=[make_user(Role.AGENT, unit="ALO153") for _ in range(20)],
                            user=coordinator)
    with CaptureQueriesContext(connection) as many:
        assert len(list(session_upcoming(today=TODAY, users=None))) == 21
    assert len(few) == len(many) == 1
