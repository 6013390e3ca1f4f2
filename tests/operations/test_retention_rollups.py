"""Deleting old call rows keeps the contact-centre KPI history: a rollup rebuild after retention
recounts only the days from the purge horizon on and keeps the figures of the purged days."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from kpi.callqa import rollups
from kpi.callqa.models import Call, CallRollupDay, CallRollupMonth, CallRollupState
from qms.operations.retention import apply_retention
from tests.operations.retention_data import PERIODS, TODAY, build, people, periods

__all__ = ["build", "people", "periods"]  # fixtures

pytestmark = pytest.mark.django_db


def offered(model, **filters) -> int:
    return model.objects.filter(**filters).aggregate(n=Sum("offered"))["n"] or 0


def test_rollups_of_purged_days_survive_retention_and_a_rebuild(periods, build):
    period = PERIODS["call_records"]
    old = [build.call(period + 3) for _ in range(3)]
    recent = build.call(2)
    rollups.rebuild_all()
    old_day = old[0].offered_on
    assert offered(CallRollupDay, day=old_day) == 3

    apply_retention(dry_run=False, today=TODAY)
    assert not Call.objects.filter(pk__in=[c.pk for c in old]).exists()
    assert CallRollupState.objects.get().purged_before == TODAY - __import__("datetime").timedelta(days=period)

    rollups.rebuild_all()
    assert offered(CallRollupDay, day=old_day) == 3, "the purged day keeps its figures"
    assert offered(CallRollupDay, day=recent.offered_on) == 1
    assert offered(CallRollupMonth) == 4


def test_without_a_purge_a_rebuild_still_recounts_everything(periods, build):
    call = build.call(PERIODS["call_records"] + 3)
    rollups.rebuild_all()
    Call.objects.filter(pk=call.pk).delete()  # deleted outside retention: no horizon recorded
    rollups.rebuild_all()
    assert offered(CallRollupDay) == 0
