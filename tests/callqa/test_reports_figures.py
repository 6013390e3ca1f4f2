"""The report figures (kpi.callqa.reports) against the hand-computed scenario of
tests/callqa/reports_data.py: an agent's month, a team's summary, trends, the weakest criteria and
evaluator productivity, each as one viewer may see them, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kpi.callqa import reports
from kpi.callqa.models import Agent, EvaluationStatus
from kpi.callqa.rollups import rebuild_all
from tests.callqa.conftest import make_call
from tests.callqa.reports_data import OCTOBER, SEPTEMBER, at, evaluate, many_agents, october

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def data(centre):
    return october(centre)


# ---- one agent's month ---------------------------------------------------------------------------


def test_agent_month_holds_the_hand_computed_figures(centre, data):
    report = reports.agent_month(centre.agents.a1, OCTOBER, viewer=centre.users.qa_lead)
    f = report.figures
    # E1 81.25, E2 85.71, E3 62.50 (the calibration evaluation C1 is not counted)
    assert [line.pk for line in report.lines] == [data.e1.pk, data.e2.pk, data.e3.pk]
    assert (f.evaluations, f.scored, f.mean, f.minimum, f.maximum, f.critical_fails) == (
        3, 3, D("76.49"), D("62.50"), D("85.71"), 1)
    assert (report.previous.month, report.previous.evaluations, report.previous.mean) == (SEPTEMBER, 1, D("100.00"))
    assert report.change == D("-23.51")
    # Sections: opening 100, 66.67, 0 (zeroed by the KVKK fail) -> 55.56; resolution 70, 100, 100 -> 90.00
    assert [(s.section, s.percent, s.scored) for s in report.sections] == [
        ("Açılış", D("55.56"), 3), ("Çözüm", D("90.00"), 3)]
    # Criteria in % of the maximum, raw marks, N/A left out
    assert [(c.text, c.percent, c.scored, c.na, c.zeros, c.critical) for c in report.criteria] == [
        ("Kurumsal karşılama yapıldı", D("66.67"), 3, 0, 1, False),
        ("KVKK kimlik doğrulaması yapıldı", D("66.67"), 3, 0, 1, True),
        ("Doğru ve eksiksiz bilgi verildi", D("83.33"), 3, 0, 0, False),
        ("Nezaket ve empati", D("100.00"), 2, 1, 0, False),
        ("Hakaret veya uygunsuz ifade yok", D("100.00"), 3, 0, 0, True),
    ]
    assert report.lines[0].feedback.startswith("Karşılama güzeldi")
    assert report.lines[0].acknowledgement_label
    assert report.coaching_open == 1
    assert report.several_scorecards is False


def test_a_rescored_evaluation_counts_with_its_new_score(centre, data):
    report = reports.agent_month(centre.agents.b1, OCTOBER, viewer=centre.users.qa_lead)
    # E5 re-scored 84.38 -> 93.75, E6 (version 2) 87.50: the versions add up by section title and text
    assert [(line.score, line.original_score) for line in report.lines] == [
        (D("93.75"), D("84.38")), (D("87.50"), None)]
    assert report.figures.mean == D("90.63")
    greeting = next(c for c in report.criteria if c.text == "Kurumsal karşılama yapıldı")
    assert (greeting.scored, greeting.percent) == (2, D("50.00"))
    assert len(report.criteria) == 5 and len(report.sections) == 2


def test_agent_month_shows_only_what_the_viewer_may_see(centre, data):
    u, a = centre.users, centre.agents
    assert reports.agent_month(a.a1, OCTOBER, viewer=u.a1).figures.evaluations == 3
    assert reports.agent_month(a.a1, OCTOBER, viewer=u.lead_a).figures.mean == D("76.49")
    for outsider in (u.a2, u.b1, u.lead_b, u.top, u.staff, u.ev2):
        report = reports.agent_month(a.a1, OCTOBER, viewer=outsider)
        assert report.lines == [] and report.figures.mean is None and report.previous.evaluations == 0
    # an evaluator sees what they scored, never the calibration evaluation as a regular one
    assert reports.agent_month(a.a1, OCTOBER, viewer=u.ev1).figures.evaluations == 3


def test_call_figures_come_from_the_month_rollup(centre, data):
    a1 = centre.agents.a1
    make_call(agent=a1, offered_at=at(2026, 10, 6), wait=10, talk=100, hold=20, wrap=30)
    make_call(agent=a1, offered_at=at(2026, 10, 7), wait=30, talk=200, hold=0, wrap=10)
    rebuild_all()
    report = reports.agent_month(a1, OCTOBER, viewer=centre.users.lead_a)
    # the scenario's three calls (talk 120, wrap 30, wait 10) and these two
    assert report.calls.answered == 5
    assert report.calls.aht == pytest.approx((3 * 150 + 150 + 210) / 5)
    assert report.calls.asa == pytest.approx((3 * 10 + 10 + 30) / 5)


def test_agent_month_runs_a_fixed_number_of_queries(centre, django_assert_num_queries):
    card, a1, ev1, qa_lead = centre.scorecard, centre.agents.a1, centre.users.ev1, centre.users.qa_lead
    for _n in range(10):
        evaluate(card, a1, ev1, (1, 1, 3, 2, 1))
    qa_lead = type(qa_lead).objects.get(pk=qa_lead.pk)
    reports.agent_month(a1, OCTOBER, viewer=qa_lead)  # permission caches
    with django_assert_num_queries(7) as ten:
        assert reports.agent_month(a1, OCTOBER, viewer=qa_lead).figures.evaluations == 10
    for _n in range(90):
        evaluate(card, a1, ev1, (1, 1, 3, 2, 1))
    with django_assert_num_queries(len(ten.captured_queries)):
        assert reports.agent_month(a1, OCTOBER, viewer=qa_lead).figures.evaluations == 100


# ---- team summary --------------------------------------------------------------------------------


def test_team_summary_per_agent_and_team_mean(centre, data):
    summary = reports.team_summary(centre.teams.a, OCTOBER, viewer=centre.users.lead_a)
    rows = {row.agent.code: row for row in summary.rows}
    assert list(rows) == ["A001", "A002"]
    a1, a2 = rows["A001"], rows["A002"]
    assert (a1.figures.evaluations, a1.figures.mean, a1.figures.critical_fails, a1.coaching_open) == (
        3, D("76.49"), 1, 1)
    assert (a2.figures.evaluations, a2.figures.mean, a2.figures.critical_fails, a2.coaching_open) == (
        1, D("0.00"), 1, 1)
    # the team's mean is over its four evaluations (229.46 / 4 = 57.365), not the mean of the means
    assert (summary.figures.evaluations, summary.figures.mean, summary.figures.critical_fails) == (4, D("57.37"), 2)
    assert (summary.figures.minimum, summary.figures.maximum, summary.coaching_open) == (D("0.00"), D("85.71"), 2)


def test_team_summary_of_every_team_for_the_qa_lead(centre, data):
    summary = reports.team_summary(None, OCTOBER, viewer=centre.users.qa_lead)
    # teams by name, agents without a team (X999, active, no evaluation) last
    assert [row.agent.code for row in summary.rows] == ["A001", "A002", "B001", "X999"]
    assert summary.rows[2].figures.mean == D("90.63")
    # (229.46 + 0 + 93.75 + 87.50) / 6 = 68.4517
    assert (summary.figures.evaluations, summary.figures.mean) == (6, D("68.45"))


def test_team_summary_leaves_out_what_the_viewer_may_not_see(centre, data):
    u = centre.users
    assert reports.team_summary(None, OCTOBER, viewer=u.lead_a).figures.evaluations == 4
    assert [r.agent.code for r in reports.team_summary(None, OCTOBER, viewer=u.lead_b).rows] == ["B001"]
    # a team lead asking for another team gets no agents; an agent only themself
    assert reports.team_summary(centre.teams.b, OCTOBER, viewer=u.lead_a).rows == []
    assert [r.agent.code for r in reports.team_summary(None, OCTOBER, viewer=u.a2).rows] == ["A002"]
    for outsider in (u.ev1, u.top, u.staff):
        assert reports.team_summary(None, OCTOBER, viewer=outsider).rows == []


def test_an_inactive_agent_is_listed_only_with_evaluations(centre, data):
    Agent.objects.filter(pk=centre.agents.a2.pk).update(is_active=False)
    Agent.objects.create(code="A003", team=centre.teams.a, is_active=False)
    codes = [r.agent.code for r in reports.team_summary(centre.teams.a, OCTOBER, viewer=centre.users.qa_lead).rows]
    assert codes == ["A001", "A002"]


@pytest.mark.parametrize("viewer", ["qa_lead", "lead_a"])
def test_team_summary_runs_a_fixed_number_of_queries(centre, viewer, django_assert_num_queries):
    user = getattr(centre.users, viewer)
    card, ev1 = centre.scorecard, centre.users.ev1
    for agent in many_agents(centre.teams.a, 8, prefix="T"):
        evaluate(card, agent, ev1, (1, 1, 2, 2, 1), coach=True)
    user = type(user).objects.get(pk=user.pk)
    reports.team_summary(centre.teams.a, OCTOBER, viewer=user)
    with django_assert_num_queries(3) as ten:
        assert len(reports.team_summary(centre.teams.a, OCTOBER, viewer=user).rows) == 10
    for agent in many_agents(centre.teams.a, 90, prefix="U"):
        evaluate(card, agent, ev1, (1, 1, 2, 2, 1))
    with django_assert_num_queries(len(ten.captured_queries)):
        assert len(reports.team_summary(centre.teams.a, OCTOBER, viewer=user).rows) == 100


# ---- trends --------------------------------------------------------------------------------------


def test_trends_per_team_and_in_total(centre, data):
    found = reports.trends([SEPTEMBER, OCTOBER], viewer=centre.users.qa_lead)
    table = {row.label: [(c.evaluations, c.mean) for c in row.cells] for row in found.rows}
    assert table == {
        "Takım A": [(1, D("100.00")), (4, D("57.37"))],
        "Takım B": [(0, None), (2, D("90.63"))],
    }
    assert [(c.evaluations, c.mean) for c in found.total.cells] == [(1, D("100.00")), (6, D("68.45"))]


def test_trends_for_a_team_lead_count_their_team_only(centre, data):
    found = reports.trends([SEPTEMBER, OCTOBER], viewer=centre.users.lead_a)
    assert [row.label for row in found.rows] == ["Takım A"]
    assert [(c.evaluations, c.mean) for c in found.total.cells] == [(1, D("100.00")), (4, D("57.37"))]
    one = reports.trends([OCTOBER], centre.teams.b, viewer=centre.users.qa_lead)
    assert [(row.label, row.cells[0].mean) for row in one.rows] == [("Takım B", D("90.63"))]
    assert reports.trends([OCTOBER], viewer=centre.users.top).rows == []


def test_trends_run_one_query(centre, data, django_assert_num_queries):
    qa_lead = type(centre.users.qa_lead).objects.get(pk=centre.users.qa_lead.pk)
    months = reports.months_between(dt.date(2025, 11, 1), OCTOBER)
    assert len(months) == 12
    reports.trends(months, viewer=qa_lead)
    with django_assert_num_queries(1):
        reports.trends(months, viewer=qa_lead)


# ---- weakest criteria ----------------------------------------------------------------------------


def test_weakest_criteria_of_team_a(centre, data):
    found = reports.weakest_criteria(centre.teams.a, [OCTOBER], viewer=centre.users.lead_a)
    # greeting 1,0,1,1; KVKK 1,1,0,1; abuse 1,1,1,0 -> 75 each (one 0 each), ties by text;
    # accuracy 2/4,4/4,4/4,4/4 -> 87.5; courtesy 2/2, N/A, 2/2, 2/2 -> 100
    assert [(f.text, f.percent, f.marks, f.na, f.zeros) for f in found] == [
        ("Hakaret veya uygunsuz ifade yok", D("75.00"), 4, 0, 1),
        ("Kurumsal karşılama yapıldı", D("75.00"), 4, 0, 1),
        ("KVKK kimlik doğrulaması yapıldı", D("75.00"), 4, 0, 1),
        ("Doğru ve eksiksiz bilgi verildi", D("87.50"), 4, 0, 0),
        ("Nezaket ve empati", D("100.00"), 3, 1, 0),
    ]
    assert found[0].critical and not found[1].critical
    assert found[0].scorecard == "Standart Çağrı Değerlendirme"


def test_weakest_criteria_add_up_across_scorecard_versions(centre, data):
    found = reports.weakest_criteria(centre.teams.b, [OCTOBER], viewer=centre.users.qa_lead)
    # E5 as re-scored (1,1,4,1,1) on v1 and E6 (0,1,4,2,1) on v2: greeting 50, courtesy 75, the rest 100
    assert [(f.text, f.percent, f.marks) for f in found] == [
        ("Kurumsal karşılama yapıldı", D("50.00"), 2),
        ("Nezaket ve empati", D("75.00"), 2),
        ("Doğru ve eksiksiz bilgi verildi", D("100.00"), 2),
        ("Hakaret veya uygunsuz ifade yok", D("100.00"), 2),
        ("KVKK kimlik doğrulaması yapıldı", D("100.00"), 2),
    ]
    assert reports.weakest_criteria(centre.teams.b, [OCTOBER], viewer=centre.users.lead_a) == []
    assert reports.weakest_criteria(None, [SEPTEMBER], viewer=centre.users.a2) == []


def test_weakest_criteria_run_two_queries(centre, data, django_assert_num_queries):
    qa_lead = type(centre.users.qa_lead).objects.get(pk=centre.users.qa_lead.pk)
    reports.weakest_criteria(None, [SEPTEMBER, OCTOBER], viewer=qa_lead)
    with django_assert_num_queries(2):
        assert len(reports.weakest_criteria(None, [SEPTEMBER, OCTOBER], viewer=qa_lead)) == 5


# ---- evaluator productivity ----------------------------------------------------------------------


def test_evaluator_productivity_of_october(centre, data):
    found = {f.evaluator_id: f for f in reports.evaluator_productivity(OCTOBER, viewer=centre.users.qa_lead)}
    ev1, ev2 = found[centre.users.ev1.pk], found[centre.users.ev2.pk]
    # ev1: E1, E2, E3 submitted (E2 on 05.11 23:59 is on time, E3 on 10.11 late), P1 not started; C1 not counted
    assert (ev1.assigned, ev1.not_started, ev1.drafts, ev1.submitted, ev1.on_time, ev1.late) == (4, 1, 0, 3, 2, 1)
    assert (ev1.mean_given, ev1.disputes, ev1.rescored, ev1.upheld, ev1.open_disputes) == (D("76.49"), 1, 0, 1, 0)
    # ev2: E4, E5, E6 submitted, P2 draft; the mean uses E5's original 84.38: (0 + 84.38 + 87.50) / 3
    assert (ev2.assigned, ev2.not_started, ev2.drafts, ev2.submitted, ev2.on_time, ev2.late) == (4, 0, 1, 3, 3, 0)
    assert (ev2.mean_given, ev2.disputes, ev2.rescored, ev2.upheld) == (D("57.29"), 1, 1, 0)
    assert set(found) == {centre.users.ev1.pk, centre.users.ev2.pk}


def test_the_grace_days_are_a_setting(centre, data, settings):
    settings.QMS_CALLQA_EVALUATION_GRACE_DAYS = 10
    ev1 = next(f for f in reports.evaluator_productivity(OCTOBER, viewer=centre.users.qa_lead)
               if f.evaluator_id == centre.users.ev1.pk)
    assert (ev1.on_time, ev1.late) == (3, 0)


def test_evaluator_productivity_runs_one_query(centre, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    card, a1 = centre.scorecard, centre.agents.a1
    qa_lead = get_user_model().objects.get(pk=centre.users.qa_lead.pk)
    evaluators = [get_user_model().objects.create(username=f"degerlendirici{i}") for i in range(10)]
    for evaluator in evaluators:
        evaluate(card, a1, evaluator, (1, 1, 4, 2, 1))
    reports.evaluator_productivity(OCTOBER, viewer=qa_lead)
    with django_assert_num_queries(1):
        assert len(reports.evaluator_productivity(OCTOBER, viewer=qa_lead)) == 10
    for evaluator in evaluators:
        for _n in range(9):
            evaluate(card, a1, evaluator, status=EvaluationStatus.ASSIGNED)
    with django_assert_num_queries(1):
        assert sum(f.assigned for f in reports.evaluator_productivity(OCTOBER, viewer=qa_lead)) == 100
