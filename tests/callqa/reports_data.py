"""Evaluations for the report tests, created directly as rows (Evaluation, CriterionScore, Dispute)
with the score from `kpi.callqa.scoring.compute`, and the scenario whose figures the report tests
check by hand.

Marks are tuples in the order of the standard scorecard's criteria (tests/callqa/conftest.py):
(greeting yes/no w1, KVKK identity yes/no w2 critical-section, accuracy 0..4 w3, courtesy 0..2 w1
N/A allowed, no abuse yes/no w1 critical-evaluation); None is N/A.

The scenario (`october`), with the scores by hand (score = 100 x sum(w x mark/max) / sum(w)):

September 2026
  S1  a1  ev1  (1,1,4,2,1)      = 8/8                       = 100.00
October 2026 (scorecard v1 unless said)
  E1  a1  ev1  (1,1,2,2,1)      = (1+2+1.5+1+1)/8 = 6.5/8   =  81.25   disputed, upheld
  E2  a1  ev1  (0,1,4,N/A,1)    = (0+2+3+1)/7               =  85.71
  E3  a1  ev1  (1,0,4,2,1)      KVKK failed: opening zeroed = (0+0+3+1+1)/8 = 62.50, critical; submitted
                                late (10.11.2026); opens a coaching task
  E4  a2  ev2  (1,1,4,2,0)      abuse failed: the whole evaluation = 0.00, critical; opens a coaching task
  E5  b1  ev2  (1,1,3,1,1)      = (1+2+2.25+0.5+1)/8        =  84.38, disputed and re-scored to
               (1,1,4,1,1)      = (1+2+3+0.5+1)/8           =  93.75 (in force)
  E6  b1  ev2  v2 (0,1,4,2,1)   = (0+2+3+1+1)/8             =  87.50
  P1  a2  ev1  assigned, not started
  P2  b1  ev2  draft
  C1  a1  ev1  a calibration evaluation (score 10): never counted
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from kpi.callqa import coaching, scoring
from kpi.callqa.models import (
    CalibrationSession,
    CriterionScore,
    Dispute,
    Evaluation,
    EvaluationStatus,
)
from tests.callqa.conftest import make_call

ISTANBUL = ZoneInfo("Europe/Istanbul")
SEPTEMBER = dt.date(2026, 9, 1)
OCTOBER = dt.date(2026, 10, 1)
_days = itertools.count(0)


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ISTANBUL)


def _marks(criteria, marks) -> dict[int, scoring.Mark]:
    assert len(criteria) == len(marks), "one mark per criterion"
    return {c.pk: scoring.Mark(None, True) if value is None else scoring.Mark(value)
            for c, value in zip(criteria, marks, strict=True)}


def evaluate(card, agent, evaluator, marks=None, *, month=OCTOBER, status=EvaluationStatus.SUBMITTED,
             submitted_at=None, feedback="", suggestions="", coach=False, session=None, call=None) -> Evaluation:
    """One evaluation of a new call of `agent` in `month`, with its marks and (when submitted) its
    computed score; `coach` runs `coaching.on_submitted` (opens the task a weak score calls for)."""
    day = 1 + next(_days) % 27
    call = call or make_call(agent=agent, offered_at=at(month.year, month.month, day))
    if status == EvaluationStatus.SUBMITTED and submitted_at is None:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        submitted_at = at(following.year, following.month, 2)
    evaluation = Evaluation.objects.create(
        call=call, agent=agent, scorecard=card, evaluator=evaluator, month=month, status=status, session=session,
        submitted_at=submitted_at if status == EvaluationStatus.SUBMITTED else None, feedback=feedback,
        suggestions=suggestions)
    if marks is not None:
        criteria = scoring.criteria_of(card)
        given = _marks(criteria, marks)
        CriterionScore.objects.bulk_create([CriterionScore(evaluation=evaluation, criterion_id=pk, value=mark.value,
                                                           na=mark.na) for pk, mark in given.items()])
        if status == EvaluationStatus.SUBMITTED:
            result = scoring.compute(criteria, given)
            evaluation.score, evaluation.critical_failed = result.score, result.critical_failed
            evaluation.save(update_fields=["score", "critical_failed"])
    scoring.freeze(card)
    if coach:
        coaching.on_submitted(evaluation)
    return evaluation


def raise_dispute(evaluation, *, status=Dispute.Status.OPEN, by=None) -> Dispute:
    agent_user = evaluation.agent.staff.user
    return Dispute.objects.create(evaluation=evaluation, raised_by=agent_user, raised_at=timezone.now(),
                                  reason="Puanlamaya itiraz ediyorum.", status=status, decided_by=by,
                                  decided_at=timezone.now() if status != Dispute.Status.OPEN else None)


def rescore(evaluation, marks, *, by) -> Evaluation:
    """A dispute re-scored by the QA lead: the new marks and score beside the originals."""
    criteria = scoring.criteria_of(evaluation.scorecard)
    given = _marks(criteria, marks)
    for row in CriterionScore.objects.filter(evaluation=evaluation):
        row.original_value, row.original_na = row.value, row.na
        row.value, row.na = given[row.criterion_id].value, given[row.criterion_id].na
        row.save()
    result = scoring.compute(criteria, given)
    evaluation.original_score = evaluation.score
    evaluation.score, evaluation.critical_failed = result.score, result.critical_failed
    evaluation.save(update_fields=["original_score", "score", "critical_failed"])
    raise_dispute(evaluation, status=Dispute.Status.RESCORED, by=by)
    return evaluation


def october(centre) -> SimpleNamespace:
    """The scenario of the module docstring."""
    u, a, card = centre.users, centre.agents, centre.scorecard
    s1 = evaluate(card, a.a1, u.ev1, (1, 1, 4, 2, 1), month=SEPTEMBER)
    e1 = evaluate(card, a.a1, u.ev1, (1, 1, 2, 2, 1), feedback="Karşılama güzeldi; çağrı sonunda özet yapılmadı.",
                  suggestions="Bilgi doğruluğunu artırın: ışık, ğ, ş, İ, ö, ü, ç.", submitted_at=at(2026, 10, 20))
    e2 = evaluate(card, a.a1, u.ev1, (0, 1, 4, None, 1), submitted_at=at(2026, 11, 5, 23, 59))
    e3 = evaluate(card, a.a1, u.ev1, (1, 0, 4, 2, 1), submitted_at=at(2026, 11, 10), coach=True,
                  feedback="Kimlik doğrulaması atlandı.")
    e4 = evaluate(card, a.a2, u.ev2, (1, 1, 4, 2, 0), coach=True)
    e5 = evaluate(card, a.b1, u.ev2, (1, 1, 3, 1, 1))
    v2 = scoring.new_version(card)
    scoring.activate(v2)
    e6 = evaluate(v2, a.b1, u.ev2, (0, 1, 4, 2, 1))
    raise_dispute(e1, status=Dispute.Status.UPHELD, by=u.qa_lead)
    rescore(e5, (1, 1, 4, 1, 1), by=u.qa_lead)
    p1 = evaluate(card, a.a2, u.ev1, status=EvaluationStatus.ASSIGNED)
    p2 = evaluate(v2, a.b1, u.ev2, (1, 1, 1, 1, 1), status=EvaluationStatus.DRAFT)
    session = CalibrationSession.objects.create(title="Ekim kalibrasyonu", call=e1.call, scorecard=card,
                                                lead=u.qa_lead, held_on=dt.date(2026, 10, 25))
    c1 = evaluate(card, a.a1, u.ev1, (0, 1, 1, 0, 1), session=session, call=e1.call)
    Evaluation.objects.filter(pk=c1.pk).update(score=Decimal("10.00"))
    return SimpleNamespace(s1=s1, e1=e1, e2=e2, e3=e3, e4=e4, e5=e5, e6=e6, p1=p1, p2=p2, c1=c1, v2=v2,
                           session=session)


def many_agents(team, count: int, *, prefix: str):
    """`count` agents in `team` without staff accounts."""
    from kpi.callqa.models import Agent

    return Agent.objects.bulk_create([Agent(code=f"{prefix}{i:03d}", name=f"Temsilci {i}", team=team)
                                      for i in range(count)])
