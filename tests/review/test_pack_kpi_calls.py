"""The contact-centre item of the input pack holds the same figures the callqa module reports for
the review's period: the call KPIs of `CallKpiEngine(user=None).compute` with the definition it
states, by line and by month; the call-QA results of `kpi.callqa.reports` (trends by team,
evaluator productivity's dispute counts) and `kpi.callqa.calibration.results`, as department and
team aggregates only: no agent's or evaluator's name or code reaches the pack. Calls and
evaluations outside the period are not counted; the pack is JSON; the queries do not grow with the
evaluations or the teams."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpi.callqa import calibration, reports
from kpi.callqa.engine import CallKpiEngine, definition_lines
from kpi.callqa.models import Team
from qms.review.models import AgendaItemKind
from qms.review.pack import compile_item, figure, table
from tests.callqa.dashboard_data import OCTOBER_TOTAL, make_october
from tests.callqa.reports_data import evaluate, many_agents
from tests.review.pack_kpi_data import (
    OCTOBER,
    OCTOBER_FROM,
    OCTOBER_TO,
    PERIOD_FROM,
    PERIOD_TO,
    centre,  # noqa: F401  (fixture)
    qa_october,
)

pytestmark = pytest.mark.django_db

KIND = AgendaItemKind.CONTACT_CENTRE
CALL_KEYS = ("offered", "answered", "abandoned", "short_abandoned", "service_level", "answer_rate", "abandon_rate",
             "asa", "aht", "outbound")


def raw(pack, key):
    found = figure(pack, key)
    assert found is not None, f"no figure {key!r} in {[f['key'] for f in pack['figures']]}"
    return found["raw"]


@pytest.fixture
def calls(centre):  # noqa: F811
    """The hand-counted October calls of tests/callqa/dashboard_data.py (and one on 02.11.2026)."""
    make_october(centre.agents)
    return centre


@pytest.fixture
def qa(centre):  # noqa: F811
    return qa_october(centre)


def test_the_call_kpis_are_the_engines_for_the_period(make_review, calls):
    pack = compile_item(make_review(period=(PERIOD_FROM, PERIOD_TO)), KIND)
    report = CallKpiEngine(user=None).compute(date_from=PERIOD_FROM, date_to=PERIOD_TO)
    for key in CALL_KEYS:
        assert raw(pack, key) == report.total.values[key] == OCTOBER_TOTAL[key], key  # the November call is out
    assert figure(pack, "service_level")["value"] == "%50,0"
    assert figure(pack, "asa")["value"] == "15,0 sn"
    assert pack["notes"][:2] == definition_lines(report.definition)
    assert "20 sn" in pack["notes"][0]


def test_calls_outside_the_period_are_not_counted(make_review, calls):
    pack = compile_item(make_review(period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30))), KIND)
    assert (raw(pack, "offered"), raw(pack, "answered"), raw(pack, "asa")) == (1, 1, 8.0)


def test_the_call_tables_by_line_and_by_month(make_review, calls):
    pack = compile_item(make_review(period=(dt.date(2026, 9, 1), dt.date(2026, 10, 31))), KIND)
    engine = CallKpiEngine(user=None)
    by_line = engine.compute(date_from=dt.date(2026, 9, 1), date_to=dt.date(2026, 10, 31), group_by=("line",))
    lines = table(pack, "lines")
    assert lines["columns"][:4] == ["Hat", "Sunulan", "Cevaplanan", "Terk edilen"]
    assert [row[:4] for row in lines["rows"]] == [
        [row.keys["line"], str(row.values["offered"]), str(row.values["answered"]), str(row.values["abandoned"])]
        for row in by_line.rows] == [["ALO 153", "9", "5", "4"], ["WhatsApp", "1", "1", "0"]]
    months = table(pack, "months")
    assert [row[:4] for row in months["rows"]] == [["Eylül 2026", "0", "0", "0"], ["Ekim 2026", "10", "6", "4"]]
    assert months["rows"][1][4] == "%50,0"
    chart = pack["charts"][0]
    assert chart["key"] == "months" and chart["svg"].startswith('<figure class="kpi-chart" id="review-calls-months"')
    dashboard = next(link["url"] for link in pack["links"] if link["url"].startswith("/admin/callqa/dashboard/"))
    assert dashboard == "/admin/callqa/dashboard/?period=range&date_from=2026-09-01&date_to=2026-10-31"


def test_the_qa_results_are_those_of_the_qa_reports(make_review, qa, centre):  # noqa: F811
    pack = compile_item(make_review(period=(OCTOBER_FROM, OCTOBER_TO)), KIND)
    trends = reports.trends([OCTOBER], viewer=centre.users.qa_lead)
    department = trends.total.cells[0]
    assert raw(pack, "qa_evaluations") == department.evaluations == 6  # S1 (September) is out
    assert raw(pack, "qa_scored") == department.scored == 6
    assert Decimal(str(raw(pack, "qa_mean_score"))) == department.mean == Decimal("68.45")
    assert figure(pack, "qa_mean_score")["value"] == "68,45"
    summary = reports.team_summary(None, OCTOBER, viewer=centre.users.qa_lead)
    assert raw(pack, "qa_critical_fails") == summary.figures.critical_fails == 2
    assert raw(pack, "qa_critical_fail_rate") == round(2 / 6, 4)
    productivity = reports.evaluator_productivity(OCTOBER, viewer=centre.users.qa_lead)
    assert raw(pack, "qa_disputes") == sum(f.disputes for f in productivity) == 2
    assert raw(pack, "qa_disputes_upheld") == sum(f.upheld for f in productivity) == 1
    assert raw(pack, "qa_disputes_rescored") == sum(f.rescored for f in productivity) == 1
    assert raw(pack, "qa_disputes_open") == sum(f.open_disputes for f in productivity) == 0


def test_the_team_table_is_the_trends_report_and_names_no_agent(make_review, qa, centre):  # noqa: F811
    pack = compile_item(make_review(period=(OCTOBER_FROM, OCTOBER_TO)), KIND)
    teams = table(pack, "qa_teams")
    assert teams["columns"] == ["Takım", "Değerlendirmeler", "Ortalama puan", "Kritik hatalar", "Kritik hata oranı"]
    assert teams["rows"] == [
        ["Takım A", "4", "57,37", "2", "%50,0"],
        ["Takım B", "2", "90,63", "0", "%0,0"],
        ["Müdürlük (tüm takımlar)", "6", "68,45", "2", "%33,3"],
    ]
    trends = reports.trends([OCTOBER], viewer=centre.users.qa_lead)
    assert [(row.label, row.cells[0].evaluations, row.cells[0].mean) for row in trends.rows] == [
        ("Takım A", 4, Decimal("57.37")), ("Takım B", 2, Decimal("90.63"))]
    text = json.dumps(pack, ensure_ascii=False)
    for agent in vars(centre.agents).values():
        assert agent.code not in text
        if agent.name:
            assert agent.name not in text
    for user in vars(centre.users).values():
        if user.get_full_name():
            assert user.get_full_name() not in text, user.username
    months = table(pack, "qa_months")
    assert months["rows"] == [["Ekim 2026", "6", "68,45", "2", "%33,3"]]


def test_calibration_deviation_is_that_of_the_session_results(make_review, qa):
    pack = compile_item(make_review(period=(OCTOBER_FROM, OCTOBER_TO)), KIND)
    results = calibration.results(qa.session)
    deviations = [p.deviation for p in results.participants if not p.is_lead and p.deviation is not None]
    assert deviations == [Decimal("-90.00")]
    assert raw(pack, "calibration_sessions") == 1  # the September session is out
    assert raw(pack, "calibration_compared") == 1
    assert raw(pack, "calibration_mean_deviation") == 90.0
    assert raw(pack, "calibration_flagged") == sum(p.flagged for p in results.participants) == 1


def test_the_period_takes_in_septembers_evaluations_and_session(make_review, qa):
    pack = compile_item(make_review(period=(dt.date(2026, 9, 1), OCTOBER_TO)), KIND)
    assert raw(pack, "qa_evaluations") == 7  # S1 (100.00) with E1-E6
    assert raw(pack, "qa_mean_score") == 72.96  # 510.71 / 7 = 72.9586
    assert raw(pack, "calibration_sessions") == 2
    assert raw(pack, "calibration_compared") == 2
    assert raw(pack, "calibration_mean_deviation") == 54.38  # (90.00 + 18.75) / 2 = 54.375
    trends = next(link["url"] for link in pack["links"] if "/reports/trends/" in link["url"])
    assert trends == "/admin/callqa/reports/trends/?start=2026-09&end=2026-10"


def test_an_empty_period_compiles(make_review, centre):  # noqa: F811
    pack = compile_item(make_review(period=(dt.date(2026, 1, 1), dt.date(2026, 1, 31))), KIND)
    assert raw(pack, "offered") == 0 and raw(pack, "service_level") is None
    assert raw(pack, "qa_evaluations") == 0 and raw(pack, "qa_mean_score") is None
    assert raw(pack, "calibration_mean_deviation") is None
    assert table(pack, "qa_teams")["rows"] == []


def test_the_pack_is_json(make_review, calls, qa):
    pack = compile_item(make_review(period=(PERIOD_FROM, PERIOD_TO)), KIND)
    assert pack["figures"] and pack["tables"] and pack["charts"] and pack["links"]
    assert json.loads(json.dumps(pack)) == pack


def test_the_queries_do_not_grow_with_evaluations_or_teams(make_review, qa, centre):  # noqa: F811
    review = make_review(period=(OCTOBER_FROM, OCTOBER_TO))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compile_item(review, KIND)
        return len(captured)

    queries()  # the first compile may create the call rollups' state row
    before = queries()
    for number in range(5):
        team = Team.objects.create(name=f"Takım {number + 3}")
        for agent in many_agents(team, 3, prefix=f"T{number}"):
            evaluate(qa.v2, agent, centre.users.ev1, (1, 1, 4, 2, 1))
    after = queries()
    assert before == after
    assert len(table(compile_item(review, KIND), "qa_teams")["rows"]) == 8
