"""Self check-in: a rotating code, valid only during the session, only for people on the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import Attendance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STEP = 30


@pytest.fixture
def session(make_session, make_user, coordinator):
    session = make_session(start=timezone.now() - timedelta(minutes=10), hours_long=2)
    session.invitee = make_user(Role.AGENT, unit="ALO153")
    services.session_invite(session=session, people=[session.invitee], user=coordinator)
    return session


def test_the_code_changes_every_step_and_the_previous_one_still_works(session):
    now = timezone.now()
    assert services.checkin_code(session, now) != services.checkin_code(session, now + timedelta(seconds=STEP))
    old = services.checkin_code(session, now - timedelta(seconds=STEP))
    services.self_check_in(session=session, user=session.invitee, code=old, at=now)
    row = Attendance.objects.get(session=session, person=session.invitee)
    assert row.status == "present" and row.self_checked_in_at == now and not row.confirmed


def test_a_photo_of_an_old_code_is_refused(session):
    now = timezone.now()
    stale = services.checkin_code(session, now - timedelta(seconds=3 * STEP))
    with pytest.raises(ValidationError, match="expired"):
        services.self_check_in(session=session, user=session.invitee, code=stale, at=now)
    with pytest.raises(ValidationError, match="expired"):
        services.self_check_in(session=session, user=session.invitee, code="000000000000", at=now)


def test_codes_differ_between_sessions(session, make_session):
    other = make_session()
    now = timezone.now()
    assert services.checkin_code(session, now) != services.checkin_code(other, now)


def test_check_in_only_during_the_session_window(session):
    before = session.starts_at - timedelta(minutes=45)
    after = session.ends_at + timedelta(minutes=1)
    for moment in (before, after):
        with pytest.raises(ValidationError, match="only during"):
            services.self_check_in(session=session, user=session.invitee,
                                   code=services.checkin_code(session, moment), at=moment)
    early = session.starts_at - timedelta(minutes=20)  # the door opens 30 minutes before
    services.self_check_in(session=session, user=session.invitee, code=services.checkin_code(session, early), at=early)


def test_someone_not_on_the_list_cannot_check_in(session, make_user):
    stranger = make_user(Role.AGENT, unit="ALO153")
    now = timezone.now()
    with pytest.raises(ValidationError, match="not on this session's list"):
        services.self_check_in(session=session, user=stranger, code=services.checkin_code(session, now), at=now)
    assert not Attendance.objects.filter(person=stranger).exists()


def test_self_check_ins_are_confirmed_by_the_coordinator_before_finalising(session, coordinator):
    now = timezone.now()
    services.self_check_in(session=session, user=session.invitee, code=services.checkin_code(session, now), at=now)
    with pytest.raises(ValidationError, match="not confirmed"):
        services.session_finalise(session=session, user=coordinator)
    services.attendance_record(session=session, user=coordinator, marks={session.invitee.pk: "present"})
    assert Attendance.objects.get(session=session, person=session.invitee).confirmed
    services.session_finalise(session=session, user=coordinator)


def test_no_check_in_after_finalising(session, coordinator):
    services.attendance_record(session=session, user=coordinator, marks={session.invitee.pk: "absent"})
    services.session_finalise(session=session, user=coordinator)
    now = timezone.now()
    with pytest.raises(ValidationError, match="closed"):
        services.self_check_in(session=session, user=session.invitee, code=services.checkin_code(session, now),
                               at=now)
