"""The worked example of docs/kpi.md ("Contact-centre KPIs"), through the import-free path:
calls, a rollup rebuild, the engine. If this fails, the docs or the engine are wrong."""

import datetime as dt

import pytest

from kpi.callqa import rollups
from kpi.callqa.engine import CallKpiEngine
from kpi.callqa.models import Outcome
from tests.callqa.conftest import make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(centre):
    agent = centre.agents.a1
    at = dt.datetime(2026, 10, 7, 11, 0)
    for wait, handle in ((5, 200), (10, 180), (20, 240), (21, 300), (40, 150), (60, 130)):
        make_call(agent=agent, offered_at=at, wait=wait, talk=handle - 30, hold=0, wrap=30)
    for wait in (2, 3, 15, 90):
        make_call(offered_at=at, wait=wait, outcome=Outcome.ABANDONED)
    rollups.rebuild_all()
    return centre


def _total(user):
    report = CallKpiEngine(user=user).compute(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
    return report.total.as_dict()


def test_the_default_definition(example):
    kpis = _total(example.users.mr)
    assert (kpis["offered"], kpis["answered"], kpis["abandoned"], kpis["short_abandoned"]) == (10, 6, 4, 2)
    assert kpis["service_level"] == pytest.approx(0.375)
    assert kpis["asa"] == pytest.approx(26)
    assert kpis["aht"] == pytest.approx(200)
    assert kpis["abandon_rate"] == pytest.approx(0.25)


def test_abandons_within_the_threshold_met(example, settings):
    settings.QMS_CALL_SL_ABANDONS_IN_THRESHOLD_MET = True
    assert _total(example.users.mr)["service_level"] == pytest.approx(0.5)


def test_short_abandons_kept_in_the_denominator(example, settings):
    settings.QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS = False
    kpis = _total(example.users.mr)
    assert kpis["service_level"] == pytest.approx(0.3)
    assert kpis["abandon_rate"] == pytest.approx(0.4)
