"""Finalising a session locks its attendance; only the coordinator's logged correction changes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from qms.roles import Role
from training import services
from training.models import Attendance, AttendanceCorrection, Certificate, EffectivenessReview, SessionState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def people(make_user):
    return [make_user(Role.AGENT, unit="ALO153") for _ in range(3)]


def test_finalising_locks_every_path_that_changes_attendance(held_session, people, coordinator):
    session = held_session(present=people[:2], absent=people[2:])
    assert session.state == SessionState.FINALISED
    with pytest.raises(ValidationError, match="locked"):
        services.attendance_record(session=session, user=coordinator, marks={people[2].pk: "present"})
    with pytest.raises(ValidationError):
        services.session_invite(session=session, people=[people[0]], user=coordinator)
    row = Attendance.objects.get(session=session, person=people[2])
    row.status = "present"
    with pytest.raises(ValidationError, match="locked"):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    assert Attendance.objects.get(pk=row.pk).status == "absent"


def test_a_finalised_session_cannot_be_reopened_or_edited(held_session, people):
    session = held_session(present=people)
    session.state = SessionState.PLANNED
    with pytest.raises(ValidationError):
        session.save()
    session.refresh_from_db()
    session.place = "Başka salon"
    with pytest.raises(ValidationError, match="cannot be changed"):
        session.save()
    with pytest.raises(ValidationError):
        session.delete()


def test_correction_needs_a_reason_and_is_kept_and_logged(held_session, people, coordinator):
    session = held_session(present=people[:2], absent=people[2:])
    row = Attendance.objects.get(session=session, person=people[2])
    with pytest.raises(ValidationError, match="reason"):
        services.attendance_correct(attendance=row, user=coordinator, status="present", reason="  ")
    with pytest.raises(ValidationError, match="already"):
        services.attendance_correct(attendance=row, user=coordinator, status="absent", reason="x")
    services.attendance_correct(attendance=row, user=coordinator, status="present",
                                reason="İmza föyünde imzası var, yanlış işaretlenmiş.")
    row.refresh_from_db()
    assert row.status == "present" and row.confirmed
    correction = AttendanceCorrection.objects.get(attendance=row)
    assert (correction.from_status, correction.to_status, correction.corrected_by) == ("absent", "present", coordinator)
    entry = ModelLogEntry.objects.filter(action=services.CORRECTED).get()
    assert entry.data["reason"].startswith("İmza föyünde") and entry.user_id == coordinator.pk
    # Present now: the certificate and the manager's evaluation follow.
    assert Certificate.objects.get(attendance=row).is_valid
    assert EffectivenessReview.objects.filter(attendance=row).exists()


def test_correcting_present_to_absent_revokes_the_certificate(held_session, people, coordinator):
    session = held_session(present=people)
    row = Attendance.objects.get(session=session, person=people[0])
    certificate = Certificate.objects.get(attendance=row)
    services.attendance_correct(attendance=row, user=coordinator, status="absent", reason="Yanlış kişi işaretlendi")
    certificate.refresh_from_db()
    assert not certificate.is_valid and certificate.revoked_reason == "Yanlış kişi işaretlendi"
    assert not EffectivenessReview.objects.filter(attendance=row).exists()
    # And back: the same certificate number is valid again, not a second certificate.
    services.attendance_correct(attendance=row, user=coordinator, status="present", reason="Geri alındı")
    assert Certificate.objects.filter(attendance=row).count() == 1
    assert Certificate.objects.get(attendance=row).number == certificate.number
    assert Certificate.objects.get(attendance=row).is_valid


def test_only_the_coordinator_corrects_and_only_after_finalising(make_session, held_session, people, coordinator,
                                                                 make_user):
    session = held_session(present=people)
    row = Attendance.objects.get(session=session, person=people[0])
    for role in (Role.UNIT_MANAGER, Role.AGENT, Role.INTERNAL_AUDITOR, Role.TOP_MANAGEMENT):
        with pytest.raises(PermissionDenied):
            services.attendance_correct(attendance=row, user=make_user(role), status="absent", reason="x")
    planned = make_session()
    services.session_invite(session=planned, people=people[:1], user=coordinator)
    with pytest.raises(ValidationError, match="finalised"):
        services.attendance_correct(attendance=planned.attendances.get(), user=coordinator, status="absent",
                                    reason="x")
    assert not AttendanceCorrection.objects.exists()


def test_finalise_is_refused_until_everyone_has_a_status(make_session, people, coordinator):
    session = make_session()
    with pytest.raises(ValidationError, match="Nobody"):
        services.session_finalise(session=session, user=coordinator)
    services.session_invite(session=session, people=people, user=coordinator)
    services.attendance_record(session=session, user=coordinator, marks={people[0].pk: "present"})
    with pytest.raises(ValidationError, match="2 people have no attendance"):
        services.session_finalise(session=session, user=coordinator)
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED and not Certificate.objects.exists()


def test_a_session_in_the_future_cannot_be_finalised(make_session, people, coordinator):
    session = make_session(start=timezone.now() + timedelta(days=2))
    services.session_invite(session=session, people=people, user=coordinator)
    services.attendance_record(session=session, user=coordinator, marks={p.pk: "present" for p in people})
    with pytest.raises(ValidationError, match="not started"):
        services.session_finalise(session=session, user=coordinator)


def test_a_cancelled_session_keeps_its_list(make_session, people, coordinator, make_user):
    session = make_session()
    services.session_invite(session=session, people=people, user=coordinator)
    with pytest.raises(ValidationError, match="reason"):
        services.session_cancel(session=session, user=coordinator, reason=" ")
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=session, user=make_user(Role.STAFF), reason="x")
    services.session_cancel(session=session, user=coordinator, reason="Eğitmen hastalandı")
    with pytest.raises(ValidationError):
        services.attendance_record(session=session, user=coordinator, marks={people[0].pk: "present"})
    with pytest.raises(ValidationError, match="finalised or cancelled"):
        services.session_uninvite(session=session, person=people[0], user=coordinator)
    assert session.attendances.count() == 3


def test_only_the_coordinator_records_attendance(make_session, people, coordinator, make_user):
    session = make_session()
    services.session_invite(session=session, people=people, user=coordinator)
    for role in (Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.QA_EVALUATOR):
        with pytest.raises(PermissionDenied):
            services.attendance_record(session=session, user=make_user(role), marks={people[0].pk: "present"})
        with pytest.raises(PermissionDenied):
            services.session_finalise(session=session, user=make_user(role))
    # The management representative holds the same capability.
    services.attendance_record(session=session, user=make_user(Role.MANAGEMENT_REPRESENTATIVE),
                               marks={p.pk: "present" for p in people})
    assert set(session.attendances.values_list("status", flat=True)) == {"present"}
