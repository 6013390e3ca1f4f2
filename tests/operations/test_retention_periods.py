"""Each record type is applied exactly to what is older than its period (a day before the cut-off:
applied; the cut-off day itself: kept), a period of 0 keeps for ever, and what retention keeps
(the attendance fact, evaluated calls) stays."""

from __future__ import annotations

import pytest
from wagtail.models import ModelLogEntry

from kpi.callqa.models import Call, CriterionScore, Evaluation
from qms.operations.retention import apply_retention, retention_plan
from tests.operations.retention_data import PERIODS, TODAY, build, people, periods
from training.models import Attendance, AttendanceStatus

__all__ = ["build", "people", "periods"]  # fixtures

pytestmark = pytest.mark.django_db


def run():
    return apply_retention(dry_run=False, today=TODAY)[0]


def test_recording_link_is_cleared_from_the_day_before_the_cutoff(periods, build):
    period = PERIODS["call_recordings"]
    old, boundary = build.call(period + 1), build.call(period)
    counts = run().counts["call_recordings"]
    old.refresh_from_db()
    boundary.refresh_from_db()
    assert old.recording_url == ""
    assert boundary.recording_url.startswith("https://")
    assert counts["anonymised"] == 1


def test_call_rows_are_deleted_after_their_period_but_evaluated_calls_stay(periods, build):
    period = PERIODS["call_records"]
    old, boundary = build.call(period + 1), build.call(period)
    # Evaluated within the evaluation period: the call is evidence and stays with its evaluation.
    evaluated = build.evaluation(PERIODS["call_evaluations"] - 1, call_days_ago=period + 5)
    counts = run().counts["call_records"]
    remaining = set(Call.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert {boundary.pk, evaluated.call_id} <= remaining
    assert counts["deleted"] == 1


def test_evaluations_are_deleted_with_their_scores_and_then_their_call(periods, build):
    period = PERIODS["call_evaluations"]
    old, boundary = build.evaluation(period + 1), build.evaluation(period)
    CriterionScore.objects.create(evaluation=old, criterion=old.scorecard.sections.first().criteria.first(), value=1)
    counts = run().counts
    assert list(Evaluation.objects.values_list("pk", flat=True)) == [boundary.pk]
    assert not CriterionScore.objects.filter(evaluation_id=old.pk).exists()
    assert not Call.objects.filter(pk=old.call_id).exists(), "the evaluated call goes with its evaluation"
    assert Call.objects.filter(pk=boundary.call_id).exists()
    assert counts["call_evaluations"]["deleted"] == 1
    assert counts["call_records"]["deleted"] == 1


def test_self_check_in_is_anonymised_but_the_attendance_stays(periods, build, people):
    period = PERIODS["attendance_signatures"]
    old, boundary = build.check_in(period + 1), build.check_in(period)
    # The audit log's own period is longer here, so only the signature rule empties the check-in entry.
    periods["audit_log"] = 0
    counts = run().counts["attendance_signatures"]
    old.refresh_from_db()
    boundary.refresh_from_db()
    assert old.self_checked_in_at is None and old.status == AttendanceStatus.PRESENT
    assert boundary.self_checked_in_at is not None
    assert counts["anonymised"] == 1
    entries = {e.object_id: e for e in ModelLogEntry.objects.filter(action="training.check_in")}
    assert entries[str(old.session_id)].user_id is None
    assert entries[str(boundary.session_id)].user_id == people.trainee.pk
    assert Attendance.objects.count() == 2


def test_audit_log_entries_about_personal_records_are_anonymised_not_deleted(periods, build, people):
    period = PERIODS["audit_log"]
    call = build.call(1)
    old, boundary = build.log_entry(call, period + 1), build.log_entry(call, period)
    # An entry about a quality record that is not personal data keeps its author.
    other = build.log_entry(people.mr.staff_profile.unit, period + 1)
    counts = run().counts["audit_log"]
    old.refresh_from_db()
    boundary.refresh_from_db()
    other.refresh_from_db()
    assert (old.user_id, old.data, old.label) == (None, {}, str(call.pk))
    assert old.action == "wagtail.edit" and old.timestamp is not None
    assert boundary.user_id == people.mr.pk and boundary.data
    assert other.user_id == people.mr.pk
    assert counts["anonymised"] == 1


def test_a_period_of_zero_keeps_for_ever(periods, build):
    periods["call_recordings"] = periods["call_records"] = 0
    old = build.call(5000)
    line = next(line for line in retention_plan(TODAY) if line.record_type.key == "call_recordings")
    assert line.cutoff is None and line.expired == 0
    run()
    old.refresh_from_db()
    assert old.recording_url


def test_the_environment_sets_each_period(monkeypatch):
    import importlib

    import qms.settings

    monkeypatch.setenv("RETENTION_CALL_RECORDINGS_DAYS", "365")
    monkeypatch.setenv("DEBUG", "1")
    try:
        reloaded = importlib.reload(qms.settings)
        assert reloaded.QMS_RETENTION_DAYS["call_recordings"] == 365
        assert reloaded.QMS_RETENTION_DAYS["audit_log"] == 1825
        monkeypatch.setenv("RETENTION_AUDIT_LOG_DAYS", "-1")
        with pytest.raises(Exception, match="RETENTION_"):
            importlib.reload(qms.settings)
    finally:
        monkeypatch.delenv("RETENTION_CALL_RECORDINGS_DAYS")
        monkeypatch.delenv("RETENTION_AUDIT_LOG_DAYS", raising=False)
        importlib.reload(qms.settings)
