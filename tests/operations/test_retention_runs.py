"""A dry run counts exactly what the real run then applies and changes nothing; the real run leaves
nothing for a second run, is all-or-nothing, and writes one audit-log entry with counts and no
content; the command prints per type the period, expired, held and applied."""

from __future__ import annotations

import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from wagtail.models import ModelLogEntry

from kpi.callqa.models import Call, Evaluation
from qms.operations.models import LegalHold, RetentionRun
from qms.operations.retention import RECORD_TYPES, apply_retention
from tests.operations.retention_data import PERIODS, TODAY, build, people, periods

__all__ = ["build", "people", "periods"]  # fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(periods, build, people):
    """Some of everything past its period, one record of each kind within it."""
    build.call(PERIODS["call_records"] + 10)
    build.call(PERIODS["call_recordings"] + 1)
    build.evaluation(PERIODS["call_evaluations"] + 3)
    build.evaluation(2)
    build.check_in(PERIODS["attendance_signatures"] + 2)
    build.check_in(1)
    build.log_entry(build.call(1), PERIODS["audit_log"] + 4)
    return build


def applied(counts: dict) -> dict:
    return {key: line.get("deleted", line.get("anonymised")) for key, line in counts.items()}


def snapshot() -> tuple:
    return (list(Call.objects.order_by("pk").values_list("pk", "recording_url")),
            list(Evaluation.objects.values_list("pk", flat=True)),
            list(ModelLogEntry.objects.order_by("pk").values_list("pk", "user_id", "label")))


def test_dry_run_counts_equal_the_real_run_and_change_nothing(dated):
    before = snapshot()
    dry, _lines = apply_retention(dry_run=True, today=TODAY)
    assert snapshot() == before
    assert dry.dry_run and not ModelLogEntry.objects.filter(action="qms.retention").exists()
    real, _lines = apply_retention(dry_run=False, today=TODAY)
    assert applied(dry.counts) == applied(real.counts)
    assert all(applied(real.counts)[key] >= 1 for key in RECORD_TYPES), real.counts
    again, _lines = apply_retention(dry_run=False, today=TODAY)
    assert set(applied(again.counts).values()) == {0}
    assert RetentionRun.objects.count() == 3


def test_the_audit_entry_has_the_counts_and_none_of_the_removed_content(dated):
    run, _lines = apply_retention(dry_run=False, today=TODAY, user=dated.agent.staff.user)
    entries = ModelLogEntry.objects.filter(action="qms.retention")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.data["counts"] == run.counts and entry.user_id == dated.agent.staff.user_id
    text = json.dumps(entry.data)
    assert "kayit.example" not in text and "geri bildirim" not in text.lower() and "C0" not in text
    assert "Retention applied" in str(entry.message) or "Saklama" in str(entry.message)


def test_a_failure_changes_nothing(dated):
    before = snapshot()
    evaluations = RECORD_TYPES["call_evaluations"]
    broken = mock.patch.dict(RECORD_TYPES, {"call_evaluations": evaluations.__class__(
        **{**evaluations.__dict__, "apply": mock.Mock(side_effect=RuntimeError("disk full"))})})
    with broken, pytest.raises(RuntimeError):
        apply_retention(dry_run=False, today=TODAY)
    assert snapshot() == before
    assert not RetentionRun.objects.exists()


def test_command_prints_each_type_and_lists_refused_holds(dated, people):
    held = Evaluation.objects.order_by("submitted_at").first()
    LegalHold.objects.create(record_type="call_evaluations", object_id=str(held.pk), reason="Dava 2026/15",
                             reference="İstanbul 3. İş Mahkemesi")
    out = StringIO()
    call_command("apply_retention", "--dry-run", f"--date={TODAY.isoformat()}", stdout=out)
    text = out.getvalue()
    assert "2027-01-01" in text
    for record_type in RECORD_TYPES.values():
        assert str(record_type.label) in text
    assert "refused: under legal hold" in text and "Dava 2026/15" in text and "İstanbul 3. İş Mahkemesi" in text
    assert f"#{held.pk}" in text
    assert Evaluation.objects.filter(pk=held.pk).exists()
    assert RetentionRun.objects.get().dry_run
