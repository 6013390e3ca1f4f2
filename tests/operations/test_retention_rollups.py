"""Deleting old call rows keeps the contact-centre KPI history: a rollup rebuild after retention
recounts only the days from the purge horizon on and keeps the figures of the purged days."""

from __future__ import annotations

import datetime as dt

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
    assert CallRollupState.objects.get().purged_before == TODAY - dt.timedelta(days=period)

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


def test_a_call_from_before_the_purge_horizon_is_not_imported_again(periods, build):
    """Its day's figures were frozen when retention deleted it: a second import would count it twice."""
    from kpi.callqa.ingest import import_records
    from tests.callqa.ingest_data import call_row

    rollups.record_purge(TODAY - dt.timedelta(days=10))
    horizon = CallRollupState.objects.get().purged_before
    before = (horizon - dt.timedelta(days=1)).strftime("%Y-%m-%d 10:00")
    after = horizon.strftime("%Y-%m-%d 10:00")
    result = import_records([call_row(offered_at=before, agent=""), call_row(offered_at=after, agent="")],
                            skip_errors=True)

    assert [error.column for error in result.errors] == ["offered_at"]
    assert horizon.strftime("%d.%m.%Y") in result.errors[0].message
    assert Call.objects.filter(offered_on=horizon).count() == 1
    assert not Call.objects.filter(offered_on__lt=horizon).exists()
