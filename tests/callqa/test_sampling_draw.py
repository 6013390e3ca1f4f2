"""The monthly sample: reproducible from the seed, spread over weeks and shifts, only eligible calls,
fewer calls than N reported, and the refusals (kpi.callqa.sampling)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from kpi.callqa import access, sampling
from kpi.callqa.models import (
    Direction,
    Evaluation,
    EvaluationStatus,
    Outcome,
    SamplingRun,
    Scorecard,
)
from tests.callqa.conftest import make_call, make_scorecard
from tests.callqa.sampling_data import OCTOBER, OCTOBER_WEEKS, month_calls, submit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def october(centre):
    """Four calls a day (one per shift) all October for a1, a2 and b1."""
    for agent in (centre.agents.a1, centre.agents.a2, centre.agents.b1):
        month_calls(agent)
    return centre


def _picked(plan) -> list[tuple[str, str]]:
    return [(a.call.call_id, a.evaluator.get_username()) for a in plan.assignments]


def test_same_seed_and_data_give_the_same_sample_and_assignments(october):
    first = sampling.preview(OCTOBER, 5, 1234, scorecard=october.scorecard, today=TODAY)
    again = sampling.preview(OCTOBER, 5, 1234, scorecard=october.scorecard, today=TODAY)
    assert _picked(first) == _picked(again)
    assert first.total == 15
    run = sampling.draw(OCTOBER, per_agent=5, seed=1234, scorecard=october.scorecard, today=TODAY)
    made = sorted(Evaluation.objects.filter(sampling=run).values_list("call__call_id", "evaluator__username"))
    assert made == sorted(_picked(first))


def test_a_different_seed_gives_a_different_sample(october):
    one = sampling.preview(OCTOBER, 5, 1, scorecard=october.scorecard, today=TODAY)
    other = sampling.preview(OCTOBER, 5, 2, scorecard=october.scorecard, today=TODAY)
    assert {a.call.call_id for a in one.assignments} != {a.call.call_id for a in other.assignments}


def test_the_draw_does_not_depend_on_the_order_rows_come_in(october):
    candidates = sampling._candidates(OCTOBER, [])[october.agents.a1.pk]
    shuffled = list(candidates)
    random.Random(7).shuffle(shuffled)
    picked = sampling.choose(candidates, 6, random.Random("x"))
    assert sampling.choose(shuffled, 6, random.Random("x")) == picked


@pytest.mark.parametrize("seed", [1, 99, 2026])
def test_every_week_of_the_month_is_covered_when_n_allows(october, seed):
    plan = sampling.preview(OCTOBER, 5, seed, scorecard=october.scorecard, today=TODAY)
    for sample in plan.agents:
        assert sample.weeks == OCTOBER_WEEKS  # 5 calls over 5 weeks: one each
        assert len(sample.calls) == 5


@pytest.mark.parametrize("seed", [3, 42])
def test_shifts_are_covered_evenly(october, seed):
    plan = sampling.preview(OCTOBER, 8, seed, scorecard=october.scorecard, today=TODAY)
    for sample in plan.agents:
        shifts = Counter(call.shift for call in sample.calls)
        assert sorted(shifts) == [0, 1, 2, 3]
        assert max(shifts.values()) - min(shifts.values()) <= 1
        weeks = Counter(call.week for call in sample.calls)
        assert set(weeks) == set(OCTOBER_WEEKS)
        assert max(weeks.values()) - min(weeks.values()) <= 1


def test_shift_buckets():
    assert [sampling.shift_of(h) for h in (8, 11, 12, 15, 16, 19, 20, 23, 0, 7)] == [0, 0, 1, 1, 2, 2, 3, 3, 3, 3]
    assert sampling.shift_label(3) == "20–08"
    assert sampling.weeks_of(OCTOBER) == OCTOBER_WEEKS


def test_only_answered_inbound_calls_of_active_agents_in_the_month_not_yet_evaluated(centre):
    a1, a2 = centre.agents.a1, centre.agents.a2
    eligible = make_call(agent=a1, offered_at=dt.datetime(2026, 10, 7, 10))
    make_call(agent=a1, offered_at=dt.datetime(2026, 10, 8, 10), outcome=Outcome.ABANDONED)
    make_call(agent=a1, offered_at=dt.datetime(2026, 10, 9, 10), direction=Direction.OUTBOUND)
    make_call(agent=None, offered_at=dt.datetime(2026, 10, 9, 11))
    make_call(agent=a1, offered_at=dt.datetime(2026, 9, 30, 23))
    make_call(agent=a1, offered_at=dt.datetime(2026, 11, 1, 0, 30))
    evaluated = make_call(agent=a1, offered_at=dt.datetime(2026, 10, 10, 10))
    Evaluation.objects.create(call=evaluated, agent=a1, scorecard=centre.scorecard, evaluator=centre.users.ev1,
                              month=OCTOBER)
    a2.is_active = False
    a2.save()
    make_call(agent=a2, offered_at=dt.datetime(2026, 10, 7, 10))
    plan = sampling.preview(OCTOBER, 5, 1, scorecard=centre.scorecard, today=TODAY)
    assert [a.call.call_id for a in plan.assignments] == [eligible.call_id]
    assert [s.agent for s in plan.agents] == [a1]


def test_a_call_scored_only_in_calibration_can_still_be_drawn(centre):
    from kpi.callqa import calibration

    call = make_call(agent=centre.agents.a1, offered_at=dt.datetime(2026, 10, 7, 10))
    calibration.create_session(call=call, scorecard=centre.scorecard, lead=centre.users.qa_lead,
                               evaluators=[centre.users.ev1])
    plan = sampling.preview(OCTOBER, 5, 1, scorecard=centre.scorecard, today=TODAY)
    assert [a.call.call_id for a in plan.assignments] == [call.call_id]


def test_fewer_calls_than_n_gives_all_of_them_and_says_so(centre):
    calls = [make_call(agent=centre.agents.b1, offered_at=dt.datetime(2026, 10, d, 10)) for d in (2, 14, 27)]
    month_calls(centre.agents.a1)
    plan = sampling.preview(OCTOBER, 5, 8, scorecard=centre.scorecard, today=TODAY)
    b1 = next(s for s in plan.agents if s.agent == centre.agents.b1)
    assert b1.short and b1.available == 3 and {c.call_id for c in b1.calls} == {c.call_id for c in calls}
    assert [s.agent for s in plan.short_agents] == [centre.agents.b1]
    assert any("1" in note for note in plan.notes)
    run = sampling.draw(OCTOBER, per_agent=5, seed=8, scorecard=centre.scorecard, today=TODAY)
    assert run.plan.short_agents and Evaluation.objects.filter(sampling=run).count() == 8


def test_the_draw_makes_assigned_evaluations_of_the_frozen_scorecard(october):
    users = october.users
    run = sampling.draw(OCTOBER, per_agent=2, seed=5, scorecard=october.scorecard, by=users.qa_lead, today=TODAY)
    assert (run.month, run.seed, run.per_agent, run.created_by) == (OCTOBER, 5, 2, users.qa_lead)
    evaluations = list(Evaluation.objects.filter(sampling=run).select_related("call"))
    assert len(evaluations) == 6
    for evaluation in evaluations:
        assert evaluation.status == EvaluationStatus.ASSIGNED
        assert evaluation.month == OCTOBER and evaluation.session_id is None
        assert evaluation.agent_id == evaluation.call.agent_id
        assert access.evaluations_visible_to(evaluation.evaluator).filter(pk=evaluation.pk).exists()
        # the agent sees nothing before submission
        assert not access.evaluations_visible_to(evaluation.agent.staff.user).filter(pk=evaluation.pk).exists()
    october.scorecard.refresh_from_db()
    assert october.scorecard.is_frozen


# --- refusals ---------------------------------------------------------------------------------------------


def _refused(*args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        sampling.draw(*args, **kwargs)
    return " ".join(caught.value.messages)


def test_a_month_that_has_not_begun_is_refused(october):
    assert _refused(dt.date(2026, 12, 1), per_agent=5, seed=1, scorecard=october.scorecard, today=TODAY)
    assert SamplingRun.objects.count() == 0


def test_the_current_month_is_allowed_with_a_note(centre):
    make_call(agent=centre.agents.a1, offered_at=dt.datetime(2026, 11, 3, 10))
    plan = sampling.preview(dt.date(2026, 11, 1), 5, 1, scorecard=centre.scorecard, today=TODAY)
    assert plan.total == 1 and plan.notes


@pytest.mark.parametrize("per_agent", [0, 51])
def test_n_outside_1_to_50_is_refused(october, per_agent):
    _refused(OCTOBER, per_agent=per_agent, seed=1, scorecard=october.scorecard, today=TODAY)
    assert not Evaluation.objects.exists()


def test_a_scorecard_that_is_not_active_is_refused(october):
    draft = make_scorecard("other", activate=False)
    _refused(OCTOBER, per_agent=5, seed=1, scorecard=draft, today=TODAY)
    assert not Evaluation.objects.exists()


def test_a_month_sampled_with_the_scorecard_is_refused_without_replace(october):
    sampling.draw(OCTOBER, per_agent=2, seed=1, scorecard=october.scorecard, today=TODAY)
    before = Evaluation.objects.count()
    message = _refused(OCTOBER, per_agent=2, seed=2, scorecard=october.scorecard, today=TODAY)
    assert message
    assert Evaluation.objects.count() == before and SamplingRun.objects.count() == 1
    # a new version of the same key counts as the same scorecard
    from kpi.callqa import scoring

    version = scoring.new_version(october.scorecard)
    scoring.activate(version)
    _refused(OCTOBER, per_agent=2, seed=2, scorecard=version, today=TODAY)
    # another scorecard key may sample the same month
    other = make_scorecard("whatsapp")
    assert sampling.preview(OCTOBER, 2, 2, scorecard=other, today=TODAY).total == 6


def test_replace_withdraws_unstarted_keeps_started_and_counts_them(october):
    card = october.scorecard
    first = sampling.draw(OCTOBER, per_agent=3, seed=1, scorecard=card, today=TODAY)
    a1_evaluations = list(Evaluation.objects.filter(sampling=first, agent=october.agents.a1).order_by("pk"))
    started = a1_evaluations[0]
    submit(started, card)
    unstarted = {e.pk for e in Evaluation.objects.filter(sampling=first, status=EvaluationStatus.ASSIGNED)}
    second = sampling.draw(OCTOBER, per_agent=3, seed=2, scorecard=card, replace_unstarted=True, today=TODAY)
    assert not Evaluation.objects.filter(pk__in=unstarted).exists()
    assert Evaluation.objects.filter(pk=started.pk, sampling=first).exists()
    per_agent = Counter(Evaluation.objects.filter(month=OCTOBER, session__isnull=True).values_list("agent", flat=True))
    assert per_agent == {october.agents.a1.pk: 3, october.agents.a2.pk: 3, october.agents.b1.pk: 3}
    assert Evaluation.objects.filter(sampling=second, agent=october.agents.a1).count() == 2
    assert len(second.plan.withdrawn) == 8


def test_an_evaluator_without_the_permission_is_refused(october, make_user):
    from qms.roles import Role

    outsider = make_user(Role.STAFF)
    _refused(OCTOBER, per_agent=2, seed=1, scorecard=october.scorecard, evaluators=[outsider], today=TODAY)
    inactive = october.users.ev1
    inactive.is_active = False
    inactive.save()
    _refused(OCTOBER, per_agent=2, seed=1, scorecard=october.scorecard, evaluators=[inactive], today=TODAY)
    assert not Evaluation.objects.exists()


def test_nothing_to_draw_is_refused(centre):
    _refused(OCTOBER, per_agent=5, seed=1, scorecard=centre.scorecard, today=TODAY)
    assert not SamplingRun.objects.exists()


def test_preview_writes_nothing(october):
    plan = sampling.preview(OCTOBER, 5, 77, scorecard=october.scorecard, today=TODAY)
    assert plan.total == 15
    assert not Evaluation.objects.exists() and not SamplingRun.objects.exists()
    assert not Scorecard.objects.get(pk=october.scorecard.pk).is_frozen
