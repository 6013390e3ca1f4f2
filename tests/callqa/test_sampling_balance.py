"""The sample's workload: evaluators' loads at most 1 apart, open work levelled, nobody evaluates
their own calls, deterministic from the seed (kpi.callqa.sampling)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from kpi.callqa import sampling
from kpi.callqa.models import Agent, Evaluation, EvaluationStatus
from qms.roles import Role
from tests.callqa.conftest import make_call
from tests.callqa.sampling_data import OCTOBER, month_calls

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def october(centre):
    for agent in (centre.agents.a1, centre.agents.a2, centre.agents.b1):
        month_calls(agent, hours=(9, 18))
    return centre


def _loads(plan) -> dict[str, int]:
    return {load.user.get_username(): load.new for load in plan.evaluators}


def test_default_evaluators_are_everyone_who_may_evaluate(october):
    users = october.users
    assert set(sampling.default_evaluators()) == {users.ev1, users.ev2, users.qa_lead}


@pytest.mark.parametrize(("per_agent", "seed"), [(1, 1), (4, 2), (5, 3), (7, 4), (10, 5)])
def test_new_work_differs_by_at_most_one(october, per_agent, seed):
    plan = sampling.preview(OCTOBER, per_agent, seed, scorecard=october.scorecard, today=TODAY)
    loads = _loads(plan)
    assert sum(loads.values()) == 3 * per_agent
    assert max(loads.values()) - min(loads.values()) <= 1


def test_the_saved_evaluations_have_the_planned_balance(october):
    users = october.users
    run = sampling.draw(OCTOBER, per_agent=5, seed=11, scorecard=october.scorecard,
                        evaluators=[users.ev1, users.ev2], today=TODAY)
    counts = Counter(Evaluation.objects.filter(sampling=run).values_list("evaluator__username", flat=True))
    assert sorted(counts.values()) == [7, 8]


def test_an_agents_calls_are_spread_over_the_evaluators(october):
    plan = sampling.preview(OCTOBER, 6, 21, scorecard=october.scorecard, today=TODAY)
    for agent in (october.agents.a1, october.agents.a2, october.agents.b1):
        per_evaluator = Counter(a.evaluator.pk for a in plan.calls_of(agent))
        assert sorted(per_evaluator.values()) == [2, 2, 2]


def test_open_work_is_levelled(october):
    users = october.users
    # ev1 already has 4 open evaluations (assigned and draft), ev2 none
    extra = month_calls(october.agents.a1, month=dt.date(2026, 9, 1), hours=(10,), prefix="O")[:4]
    for index, call in enumerate(extra):
        Evaluation.objects.create(call=call, agent=call.agent, scorecard=october.scorecard, evaluator=users.ev1,
                                  month=dt.date(2026, 9, 1),
                                  status=EvaluationStatus.DRAFT if index else EvaluationStatus.ASSIGNED)
    plan = sampling.preview(OCTOBER, 2, 3, scorecard=october.scorecard, evaluators=[users.ev1, users.ev2],
                            today=TODAY)
    loads = {load.user: load for load in plan.evaluators}
    assert (loads[users.ev1].open, loads[users.ev2].open) == (4, 0)
    assert (loads[users.ev1].new, loads[users.ev2].new) == (1, 5)
    assert abs(loads[users.ev1].total - loads[users.ev2].total) <= 1
    # without levelling, only the new work is shared evenly
    plain = sampling.preview(OCTOBER, 2, 3, scorecard=october.scorecard, evaluators=[users.ev1, users.ev2],
                             level_open=False, today=TODAY)
    assert sorted(_loads(plain).values()) == [3, 3]


def test_submitted_work_does_not_count_as_open(october):
    users = october.users
    call = make_call(agent=october.agents.a1, offered_at=dt.datetime(2026, 9, 3, 10))
    Evaluation.objects.create(call=call, agent=call.agent, scorecard=october.scorecard, evaluator=users.ev1,
                              month=dt.date(2026, 9, 1), status=EvaluationStatus.SUBMITTED)
    plan = sampling.preview(OCTOBER, 2, 3, scorecard=october.scorecard, evaluators=[users.ev1, users.ev2],
                            today=TODAY)
    assert sorted(_loads(plan).values()) == [3, 3]


@pytest.mark.parametrize("seed", range(6))
def test_nobody_evaluates_their_own_calls(october, make_user, seed):
    users = october.users
    # ev1 also takes calls as agent E001
    own = Agent.objects.create(code="E001", staff=users.ev1.staff_profile)
    month_calls(own, hours=(10, 14))
    plan = sampling.preview(OCTOBER, 5, seed, scorecard=october.scorecard, evaluators=[users.ev1, users.ev2],
                            today=TODAY)
    assert all(a.evaluator != users.ev1 for a in plan.calls_of(own))
    assert len(plan.calls_of(own)) == 5
    loads = _loads(plan)
    assert max(loads.values()) - min(loads.values()) <= 1  # ev1 takes more of the others' calls


def test_a_call_only_its_own_agent_could_evaluate_is_refused(october):
    users = october.users
    own = Agent.objects.create(code="E001", staff=users.ev1.staff_profile)
    make_call(agent=own, offered_at=dt.datetime(2026, 10, 6, 10))
    with pytest.raises(ValidationError):
        sampling.draw(OCTOBER, per_agent=2, seed=1, scorecard=october.scorecard, evaluators=[users.ev1], today=TODAY)
    assert not Evaluation.objects.exists()


def test_the_assignment_depends_on_the_seed(october):
    users = october.users
    evaluators = [users.ev1, users.ev2, users.qa_lead]
    one = sampling.preview(OCTOBER, 1, 1, scorecard=october.scorecard, evaluators=evaluators, today=TODAY)
    again = sampling.preview(OCTOBER, 1, 1, scorecard=october.scorecard, evaluators=list(reversed(evaluators)),
                             today=TODAY)
    assert [(a.call.pk, a.evaluator.pk) for a in one.assignments] == [
        (a.call.pk, a.evaluator.pk) for a in again.assignments]
    orders = {tuple(a.evaluator.pk for a in sampling.preview(OCTOBER, 1, seed, scorecard=october.scorecard,
                                                            evaluators=evaluators, today=TODAY).assignments)
              for seed in range(8)}
    assert len(orders) > 1


def test_a_new_evaluator_gets_a_fair_share(october, make_user):
    newcomer = make_user(Role.QA_EVALUATOR, unit="ÇMPK")
    plan = sampling.preview(OCTOBER, 4, 9, scorecard=october.scorecard, today=TODAY)
    loads = _loads(plan)
    assert loads[newcomer.get_username()] == 3 and set(loads.values()) == {3}
