"""A record under an active legal hold is never deleted or anonymised, nor what the hold covers
(a call's recording and evaluations, an evaluation's call, the log entries about them); it is listed
with the hold's reason. A released hold protects nothing; holds are refused for missing records."""

from __future__ import annotations

import pytest
from wagtail.models import ModelLogEntry

from kpi.callqa.models import Call, Evaluation
from qms.operations.models import LegalHold
from qms.operations.retention import apply_retention, hold_place, hold_release
from tests.operations.retention_data import PERIODS, TODAY, build, people, periods

__all__ = ["build", "people", "periods"]  # fixtures

pytestmark = pytest.mark.django_db

OLD = max(PERIODS.values()) + 10  # past every period


def lines(dry_run=False):
    return {line.record_type.key: line for line in apply_retention(dry_run=dry_run, today=TODAY)[1]}


def test_a_held_call_keeps_its_row_recording_evaluation_and_log(periods, build, people):
    evaluation = build.evaluation(OLD)
    call = evaluation.call
    entry = build.log_entry(call, OLD)
    free = build.call(OLD)
    hold = hold_place(record_type="call_records", object_id=call.call_id, reason="KVKK başvurusu", reference="B-7",
                      user=people.mr)
    assert hold.object_id == str(call.pk), "a call may be named by its telephony id"
    result = lines()
    call.refresh_from_db()
    entry.refresh_from_db()
    assert call.recording_url and Evaluation.objects.filter(pk=evaluation.pk).exists()
    assert entry.user_id == people.mr.pk
    assert not Call.objects.filter(pk=free.pk).exists()
    for key in ("call_recordings", "call_evaluations", "audit_log"):
        assert [(h.hold.reason, h.hold.reference) for h in result[key].held] == [("KVKK başvurusu", "B-7")], key
    assert result["call_recordings"].applied == 1  # the free call's link


def test_a_held_evaluation_keeps_its_call(periods, build, people):
    evaluation = build.evaluation(OLD)
    hold_place(record_type="call_evaluations", object_id=str(evaluation.pk), reason="İtiraz incelemesi")
    lines()
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()
    assert Call.objects.get(pk=evaluation.call_id).recording_url


def test_a_held_attendance_keeps_its_check_in(periods, build, people):
    attendance = build.check_in(OLD)
    hold_place(record_type="attendance_signatures", object_id=str(attendance.pk), reason="Denetim")
    result = lines()
    attendance.refresh_from_db()
    assert attendance.self_checked_in_at is not None
    assert ModelLogEntry.objects.get(action="training.check_in").user_id == people.trainee.pk
    assert [h.object_id for h in result["attendance_signatures"].held] == [str(attendance.pk)]


def test_a_released_hold_protects_nothing(periods, build, people):
    old = build.call(OLD)
    hold = hold_place(record_type="call_records", object_id=str(old.pk), reason="Dava", user=people.mr)
    assert len(lines(dry_run=True)["call_records"].held) == 1
    hold_release(hold=hold, user=people.mr)
    hold.refresh_from_db()
    assert hold.released_by == people.mr and not hold.active
    assert lines()["call_records"].applied == 1
    assert not Call.objects.filter(pk=old.pk).exists()
    with pytest.raises(ValueError):
        hold_release(hold=hold, user=people.mr)


def test_holds_are_refused_for_missing_records_unknown_types_duplicates_and_no_reason(periods, build):
    call = build.call(1)
    with pytest.raises(ValueError):
        hold_place(record_type="call_records", object_id="999999", reason="Dava")
    with pytest.raises(ValueError):
        hold_place(record_type="photos", object_id=str(call.pk), reason="Dava")
    with pytest.raises(ValueError):
        hold_place(record_type="call_records", object_id=str(call.pk), reason="  ")
    hold_place(record_type="call_records", object_id=str(call.pk), reason="Dava")
    with pytest.raises(ValueError):
        hold_place(record_type="call_records", object_id=str(call.pk), reason="Yine")
    assert LegalHold.objects.count() == 1
