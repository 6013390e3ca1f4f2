"""Calibration sessions (kpi.callqa.calibration): making and closing them, the per-criterion spread,
agreement and alpha, each evaluator's deviation from the lead with its flag at the tolerance
boundary, who sees what, and the evaluator's history."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kpi.callqa import access, agreement, calibration
from kpi.callqa.models import CalibrationSession, Evaluation, EvaluationStatus, Outcome
from qms.roles import Role
from tests.callqa.conftest import make_call, make_scorecard
from tests.callqa.sampling_data import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ev3(make_user):
    return make_user(Role.QA_EVALUATOR, unit="ÇMPK", username="ev3")


@pytest.fixture
def session(centre, ev3):
    call = make_call(agent=centre.agents.a1, offered_at=dt.datetime(2026, 10, 12, 11))
    return calibration.create_session(call=call, scorecard=centre.scorecard, lead=centre.users.qa_lead,
                                      evaluators=[centre.users.ev1, centre.users.ev2, ev3], title="Ekim",
                                      held_on=dt.date(2026, 10, 20))


def _evaluation(session, user) -> Evaluation:
    return Evaluation.objects.get(session=session, evaluator=user)


@pytest.fixture
def scored(centre, session, ev3):
    """Lead 100; ev1 courtesy 1/2 -> 93.75 (-6.25); ev2 accuracy 3/4 -> 90.63 (-9.37); ev3 100 (0)."""
    card = centre.scorecard
    submit(_evaluation(session, centre.users.qa_lead), card)
    submit(_evaluation(session, centre.users.ev1), card, c4=1)
    submit(_evaluation(session, centre.users.ev2), card, c3=3)
    submit(_evaluation(session, ev3), card)
    return session


# --- making a session ---------------------------------------------------------------------------------------


def test_a_session_gives_the_lead_and_each_evaluator_one_calibration_evaluation(centre, session, ev3):
    users = centre.users
    evaluations = Evaluation.objects.filter(session=session)
    assert sorted(evaluations.values_list("evaluator__username", flat=True)) == ["ev1", "ev2", "ev3", "qa_lead"]
    for evaluation in evaluations:
        assert evaluation.status == EvaluationStatus.ASSIGNED and evaluation.agent == centre.agents.a1
        assert evaluation.is_calibration
    # never shown to the agent or the team lead
    assert not access.evaluations_visible_to(users.a1).filter(session=session).exists()
    assert not access.evaluations_visible_to(users.lead_a).filter(session=session).exists()
    assert session.tolerance == Decimal("5.00") and session.status == CalibrationSession.Status.OPEN


def _refused(**kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        calibration.create_session(**kwargs)
    return caught.value.messages


def test_making_a_session_is_refused_for_bad_input(centre, ev3):
    users = centre.users
    call = make_call(agent=centre.agents.a1)
    base = {"call": call, "scorecard": centre.scorecard, "lead": users.qa_lead, "evaluators": [users.ev1]}
    _refused(**{**base, "evaluators": []})
    _refused(**{**base, "evaluators": [users.qa_lead]})  # only the lead
    _refused(**{**base, "evaluators": [users.a1]})  # the agent of the call (and no evaluator role)
    _refused(**{**base, "evaluators": [users.staff]})
    _refused(**{**base, "call": make_call(agent=centre.agents.a1, outcome=Outcome.ABANDONED)})
    _refused(**{**base, "call": make_call(agent=None)})
    _refused(**{**base, "scorecard": make_scorecard("draft", activate=False)})
    _refused(**{**base, "tolerance": Decimal("-1")})
    _refused(**{**base, "lead": users.mr, "by": users.mr})  # the lead scores too: needs the evaluator role
    with pytest.raises(PermissionDenied):
        calibration.create_session(**{**base, "lead": users.ev2})
    assert not CalibrationSession.objects.exists() and not Evaluation.objects.exists()


def test_an_evaluator_who_is_the_calls_agent_is_refused(centre):
    from kpi.callqa.models import Agent

    users = centre.users
    own = Agent.objects.create(code="E001", staff=users.ev1.staff_profile)
    call = make_call(agent=own)
    _refused(call=call, scorecard=centre.scorecard, lead=users.qa_lead, evaluators=[users.ev1, users.ev2])


# --- results -----------------------------------------------------------------------------------------------


def _by_user(result):
    return {p.user.get_username(): p for p in result.participants}


def test_deviations_from_the_lead_and_the_flags(scored):
    result = calibration.results(scored)
    people = _by_user(result)
    assert result.lead.score == Decimal("100.00")
    assert (people["ev1"].score, people["ev1"].deviation, people["ev1"].flagged) == (
        Decimal("93.75"), Decimal("-6.25"), True)
    assert (people["ev2"].score, people["ev2"].deviation, people["ev2"].flagged) == (
        Decimal("90.63"), Decimal("-9.37"), True)
    assert (people["ev3"].deviation, people["ev3"].flagged) == (Decimal("0.00"), False)
    assert people["qa_lead"].deviation is None and not people["qa_lead"].flagged


def test_the_tolerance_boundary_is_strict(scored):
    scored.tolerance = Decimal("6.25")  # ev1 is exactly 6.25 away: within
    result = calibration.results(scored)
    assert not _by_user(result)["ev1"].flagged and _by_user(result)["ev2"].flagged
    scored.tolerance = Decimal("6.24")
    assert _by_user(calibration.results(scored))["ev1"].flagged


@pytest.mark.parametrize(("deviation", "expected"), [("5.00", False), ("-5.00", False), ("5.01", True),
                                                     ("-5.01", True), ("0", False), (None, False)])
def test_flag_rule(deviation, expected):
    value = None if deviation is None else Decimal(deviation)
    assert calibration.flagged(value, Decimal("5")) is expected


def test_per_criterion_marks_spread_and_agreement(scored, centre):
    result = calibration.results(scored)
    rows = {row.criterion.text: row for row in result.criteria}
    courtesy = rows["Nezaket ve empati"]  # 2, 1, 2, 2
    assert sorted(m.value for m in courtesy.marks) == [1, 2, 2, 2]
    assert (courtesy.minimum, courtesy.maximum) == (1, 2)
    assert courtesy.sd == pytest.approx(math.sqrt(0.1875))
    assert courtesy.lead_mark.value == 2
    assert (courtesy.agreeing_pairs, courtesy.pairs) == (3, 6) and courtesy.agreement == 0.5
    greeting = rows["Kurumsal karşılama yapıldı"]
    assert (greeting.agreement, greeting.sd, greeting.minimum) == (1.0, 0.0, 1)
    # every criterion: 5 x 6 pairs, two criteria with 3 disagreeing pairs
    assert result.agreement == pytest.approx(24 / 30)


def test_na_is_a_mark_for_agreement_and_missing_for_the_spread(centre, session, ev3):
    card = centre.scorecard
    submit(_evaluation(session, centre.users.qa_lead), card, c4="na")
    submit(_evaluation(session, centre.users.ev1), card, c4="na")
    submit(_evaluation(session, centre.users.ev2), card, c4=2)
    result = calibration.results(session)
    courtesy = next(r for r in result.criteria if r.criterion.text == "Nezaket ve empati")
    assert (courtesy.agreeing_pairs, courtesy.pairs) == (1, 3)
    assert (courtesy.minimum, courtesy.maximum, courtesy.sd) == (2, 2, 0.0)
    assert courtesy.lead_mark.na
    assert [p.user.username for p in result.waiting] == ["ev3"]


def test_the_sessions_alpha_takes_the_criteria_as_units(scored):
    result = calibration.results(scored)
    # fractions of the maximum, lead / ev1 / ev2 / ev3 in any order
    units = [(1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 0.75, 1), (1, 0.5, 1, 1), (1, 1, 1, 1)]
    assert result.session_alpha == pytest.approx(agreement.krippendorff_alpha(units, agreement.INTERVAL))
    assert result.session_alpha < 0  # the disagreements fall on criteria where the rest agree: worse than chance
    # one session is one unit per criterion: no criterion alpha yet
    assert all(row.history_alpha is None and row.history_sessions == 1 for row in result.criteria)


def test_a_criterions_alpha_is_over_every_session_of_the_scorecard(scored, centre, ev3):
    users = centre.users
    card = centre.scorecard
    other_call = make_call(agent=centre.agents.b1, offered_at=dt.datetime(2026, 10, 14, 15))
    second = calibration.create_session(call=other_call, scorecard=card, lead=users.qa_lead,
                                        evaluators=[users.ev1, users.ev2], held_on=dt.date(2026, 10, 27))
    submit(_evaluation(second, users.qa_lead), card, c3=2)
    submit(_evaluation(second, users.ev1), card, c3=2)
    submit(_evaluation(second, users.ev2), card, c3=1)
    result = calibration.results(second)
    accuracy = next(r for r in result.criteria if r.criterion.text == "Doğru ve eksiksiz bilgi verildi")
    expected = agreement.krippendorff_alpha([(4, 4, 3, 4), (2, 2, 1)], agreement.INTERVAL)
    assert accuracy.history_alpha == pytest.approx(expected) and accuracy.history_sessions == 2
    greeting = next(r for r in result.criteria if r.criterion.text == "Kurumsal karşılama yapıldı")
    assert greeting.history_alpha is None  # every mark the same: undefined
    assert result.key_sessions == 2
    # a session of another scorecard key does not count
    other = make_scorecard("whatsapp")
    third = calibration.create_session(call=other_call, scorecard=other, lead=users.qa_lead, evaluators=[ev3])
    submit(_evaluation(third, users.qa_lead), other, c3=0)
    submit(_evaluation(third, ev3), other, c3=4)
    again = calibration.results(second)
    assert next(r for r in again.criteria if r.criterion.pk == accuracy.criterion.pk).history_alpha == (
        pytest.approx(expected))


def test_results_without_the_lead_have_no_deviation(centre, session):
    submit(_evaluation(session, centre.users.ev1), centre.scorecard)
    result = calibration.results(session)
    assert result.lead is None and all(p.deviation is None for p in result.participants)


def test_results_take_four_queries(scored, centre, django_assert_num_queries):
    session = calibration.session_or_404(centre.users.qa_lead, scored.pk)
    with django_assert_num_queries(4):
        calibration.results(session)


# --- who sees what -------------------------------------------------------------------------------------------


def test_the_qa_lead_the_mr_and_the_sessions_lead_see_everything(scored, centre):
    result = calibration.results(scored)
    for user in (centre.users.qa_lead, centre.users.mr):
        shown = calibration.shown_to(result, user)
        assert shown.level == calibration.FULL and len(shown.columns) == 4 and len(shown.deviations) == 3


def test_a_participant_sees_nothing_before_submitting(centre, session):
    submit(_evaluation(session, centre.users.qa_lead), centre.scorecard)
    shown = calibration.shown_to(calibration.results(session), centre.users.ev1)
    assert shown.level == calibration.PENDING and not shown.columns and not shown.deviations


def test_a_participant_sees_own_part_and_the_aggregates_while_open(scored, centre):
    shown = calibration.shown_to(calibration.results(scored), centre.users.ev1)
    assert shown.level == calibration.OWN and not shown.show_lead
    assert [c.participant.user for c in shown.columns] == [centre.users.ev1]
    assert [p.user for p in shown.deviations] == [centre.users.ev1]
    assert all(len(marks) == 1 for _row, marks in shown.rows)


def test_after_closing_a_participant_sees_every_mark_others_unnamed(scored, centre):
    calibration.close_session(scored, by=centre.users.qa_lead)
    scored.refresh_from_db()
    shown = calibration.shown_to(calibration.results(scored), centre.users.ev2)
    assert shown.level == calibration.CLOSED_VIEW and shown.show_lead
    assert len(shown.columns) == 4
    labels = [str(c.label) for c in shown.columns]
    assert not any("ev1" in label or "ev3" in label for label in labels)
    assert sum(c.is_viewer for c in shown.columns) == 1
    assert [p.user for p in shown.deviations] == [centre.users.ev2]


@pytest.mark.parametrize("who", ["a1", "lead_a", "lead_b", "top", "staff", "ev3_outsider"])
def test_anyone_else_gets_404(scored, centre, make_user, who):
    user = (make_user(Role.QA_EVALUATOR, unit="ÇMPK") if who == "ev3_outsider" else getattr(centre.users, who))
    assert not calibration.sessions_visible_to(user).exists()
    with pytest.raises(Http404):
        calibration.session_or_404(user, scored.pk)
    with pytest.raises(Http404):
        calibration.shown_to(calibration.results(scored), user)


def test_a_participant_sees_only_their_sessions(scored, centre, ev3):
    users = centre.users
    other = calibration.create_session(call=make_call(agent=centre.agents.b1), scorecard=centre.scorecard,
                                       lead=users.qa_lead, evaluators=[users.ev2])
    assert list(calibration.sessions_visible_to(users.ev1)) == [scored]
    assert set(calibration.sessions_visible_to(users.ev2)) == {scored, other}
    assert set(calibration.sessions_visible_to(users.mr)) == {scored, other}


# --- closing ------------------------------------------------------------------------------------------------


def test_closing_needs_the_leads_scoring_and_withdraws_the_unsubmitted(centre, session, ev3):
    users = centre.users
    submit(_evaluation(session, users.ev1), centre.scorecard)
    with pytest.raises(ValidationError):
        calibration.close_session(session, by=users.qa_lead)
    submit(_evaluation(session, users.qa_lead), centre.scorecard)
    calibration.close_session(session, by=users.qa_lead)
    session.refresh_from_db()
    assert session.status == CalibrationSession.Status.CLOSED
    assert sorted(Evaluation.objects.filter(session=session).values_list("evaluator__username", flat=True)) == [
        "ev1", "qa_lead"]
    with pytest.raises(ValidationError):
        calibration.close_session(session, by=users.qa_lead)


def test_only_the_lead_or_the_qa_lead_closes(scored, centre):
    with pytest.raises(PermissionDenied):
        calibration.close_session(scored, by=centre.users.ev1)
    with pytest.raises(PermissionDenied):
        calibration.close_session(scored, by=centre.users.lead_a)
    scored.refresh_from_db()
    assert scored.status == CalibrationSession.Status.OPEN


# --- history -----------------------------------------------------------------------------------------------


def test_an_evaluators_history_over_time(scored, centre):
    users = centre.users
    card = centre.scorecard
    later = calibration.create_session(call=make_call(agent=centre.agents.b1), scorecard=card, lead=users.qa_lead,
                                       evaluators=[users.ev1], held_on=dt.date(2026, 11, 3), tolerance=Decimal("10"))
    submit(_evaluation(later, users.qa_lead), card, c3=3)  # 90.63
    submit(_evaluation(later, users.ev1), card)  # 100: +9.37, within 10
    pending = calibration.create_session(call=make_call(agent=centre.agents.a2), scorecard=card, lead=users.qa_lead,
                                         evaluators=[users.ev1], held_on=dt.date(2026, 11, 10))
    found = calibration.history(users.ev1)
    assert [row.session for row in found.rows] == [scored, later, pending]
    assert [row.deviation for row in found.rows] == [Decimal("-6.25"), Decimal("9.37"), None]
    assert [row.flagged for row in found.rows] == [True, False, False]
    assert found.flag_count == 1
    assert found.mean_abs_deviation == Decimal("7.81")
    assert found.mean_deviation == Decimal("1.56")
    # the lead's own sessions are not in their history as an evaluator
    assert calibration.history(users.qa_lead).rows == []
