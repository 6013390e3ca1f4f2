"""Capacity and the walk-in step: refused as a whole, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from qms.roles import Role
from training import services
from training.models import Attendance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_inviting_beyond_capacity_adds_nobody(make_session, make_user, coordinator):
    session = make_session(capacity=3)
    people = [make_user(Role.AGENT, unit="ALO153") for _ in range(4)]
    with pytest.raises(ValidationError, match="3 free places of 3"):
        services.session_invite(session=session, people=people, user=coordinator)
    assert not session.attendances.exists()
    assert services.session_invite(session=session, people=people[:3], user=coordinator) == 3
    # Already invited people are not counted twice.
    assert services.session_invite(session=session, people=people[:3], user=coordinator) == 0


def test_a_mark_for_someone_not_on_the_list_saves_nothing(make_session, make_user, coordinator):
    session = make_session()
    invited = make_user(Role.AGENT, unit="ALO153")
    stranger = make_user(Role.AGENT, unit="ALO153", first_name="Deniz", last_name="Yabancı")
    services.session_invite(session=session, people=[invited], user=coordinator)
    with pytest.raises(ValidationError, match="Deniz Yabancı is not on this session's list; add them as a walk-in"):
        services.attendance_record(session=session, user=coordinator,
                                   marks={invited.pk: "present", stranger.pk: "present"})
    assert Attendance.objects.get(person=invited).status == "pending"
    assert not Attendance.objects.filter(person=stranger).exists()


def test_the_walk_in_step_adds_an_uninvited_participant(make_session, make_user, coordinator):
    session = make_session()
    invited = make_user(Role.AGENT, unit="ALO153")
    walk_in = make_user(Role.STAFF, unit="KSB")
    services.session_invite(session=session, people=[invited], user=coordinator)
    counts = services.attendance_record(session=session, user=coordinator, walk_ins=[walk_in],
                                        marks={invited.pk: "excused", walk_in.pk: "present"})
    assert counts == {"pending": 0, "present": 1, "absent": 0, "excused": 1}
    row = Attendance.objects.get(person=walk_in)
    assert not row.invited and row.status == "present" and row.recorded_by == coordinator


def test_a_walk_in_beyond_capacity_saves_nothing(make_session, make_user, coordinator):
    session = make_session(capacity=1)
    invited = make_user(Role.AGENT, unit="ALO153")
    walk_in = make_user(Role.STAFF, unit="KSB")
    services.session_invite(session=session, people=[invited], user=coordinator)
    with pytest.raises(ValidationError, match="full"):
        services.attendance_record(session=session, user=coordinator, walk_ins=[walk_in],
                                   marks={invited.pk: "present", walk_in.pk: "present"})
    assert Attendance.objects.get(person=invited).status == "pending"
    assert not Attendance.objects.filter(person=walk_in).exists()


def test_an_inactive_user_is_no_walk_in(make_session, make_user, coordinator):
    session = make_session()
    gone = make_user(Role.STAFF, unit="KSB", is_active=False)
    with pytest.raises(ValidationError, match="not found"):
        services.attendance_record(session=session, user=coordinator, walk_ins=[gone], marks={gone.pk: "present"})
    assert not session.attendances.exists()


def test_capacity_holds_whatever_creates_the_row(make_session, make_user):
    session = make_session(capacity=1)
    Attendance.objects.create(session=session, person=make_user(Role.AGENT, unit="ALO153"))
    with pytest.raises(ValidationError, match="full"):
        Attendance.objects.create(session=session, person=make_user(Role.AGENT, unit="ALO153"))
    session.capacity = 0
    with pytest.raises(ValidationError):
        session.full_clean()


def test_bad_status_and_scores_save_nothing(make_session, make_user, coordinator):
    session = make_session()
    a, b = make_user(Role.AGENT, unit="ALO153"), make_user(Role.AGENT, unit="ALO153")
    services.session_invite(session=session, people=[a, b], user=coordinator)
    with pytest.raises(ValidationError, match="not an attendance status"):
        services.attendance_record(session=session, user=coordinator, marks={a.pk: "present", b.pk: "late"})
    with pytest.raises(ValidationError, match="0 to 100"):
        services.attendance_record(session=session, user=coordinator, marks={a.pk: "present"},
                                   scores={a.pk: (40, 140)})
    assert set(session.attendances.values_list("status", flat=True)) == {"pending"}
    services.attendance_record(session=session, user=coordinator, marks={a.pk: "present"}, scores={a.pk: (40, 85)})
    row = Attendance.objects.get(person=a)
    assert (row.pre_test_score, row.post_test_score) == (40, 85)
