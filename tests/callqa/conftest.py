"""Call-QA fixtures: a contact centre with two teams, agents with staff accounts, evaluators, a QA
lead, a standard scorecard, and calls created directly (the import pipeline has its own tests)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kpi.callqa import scoring
from kpi.callqa.models import (
    Agent,
    Call,
    Criterion,
    CriticalScope,
    Direction,
    Line,
    Outcome,
    Queue,
    Scorecard,
    ScorecardSection,
    ScoringType,
    Team,
)
from qms.roles import Role

ISTANBUL = ZoneInfo("Europe/Istanbul")
_call_numbers = itertools.count(1)


def make_call(*, agent=None, line="ALO 153", queue="Genel", offered_at=None, wait=10, outcome=Outcome.ANSWERED,
              talk=120, hold=0, wrap=30, direction=Direction.INBOUND, recording_url="", call_id=None) -> Call:
    """A call saved directly with its derived day and hour (offered_at: an aware or naive Istanbul time)."""
    offered_at = offered_at or dt.datetime(2026, 10, 5, 10, 0)
    if timezone.is_naive(offered_at):
        offered_at = offered_at.replace(tzinfo=ISTANBUL)
    local = offered_at.astimezone(ISTANBUL)
    answered = outcome == Outcome.ANSWERED
    return Call.objects.create(
        call_id=call_id or f"C{next(_call_numbers):07d}", line=Line.objects.get_or_create(name=line)[0],
        queue=Queue.objects.get_or_create(name=queue)[0], agent=agent, direction=direction, offered_at=offered_at,
        wait_seconds=wait, outcome=outcome, talk_seconds=talk if answered else 0, hold_seconds=hold if answered else 0,
        wrap_seconds=wrap if answered else 0, recording_url=recording_url, offered_on=local.date(),
        offered_hour=local.hour, imported_at=timezone.now(),
    )


def make_scorecard(key="standard", *, activate=True) -> Scorecard:
    """Two sections: "Opening" (greeting yes/no w1, KVKK identity check yes/no w2 critical for the section)
    and "Resolution" (accuracy 0..4 w3, courtesy 0..2 w1 N/A allowed, no abuse yes/no w1 critical for the
    whole evaluation)."""
    card = Scorecard.objects.create(key=key, name="Standart Çağrı Değerlendirme", pass_score=Decimal("70"))
    opening = ScorecardSection.objects.create(scorecard=card, order=1, title="Açılış")
    resolution = ScorecardSection.objects.create(scorecard=card, order=2, title="Çözüm")
    Criterion.objects.create(section=opening, order=1, text="Kurumsal karşılama yapıldı", weight=1,
                             guidance="Belediye adı ve temsilci adı söylenir.")
    Criterion.objects.create(section=opening, order=2, text="KVKK kimlik doğrulaması yapıldı", weight=2,
                             critical=CriticalScope.SECTION)
    Criterion.objects.create(section=resolution, order=1, text="Doğru ve eksiksiz bilgi verildi", weight=3,
                             scoring=ScoringType.SCALE, scale_max=4)
    Criterion.objects.create(section=resolution, order=2, text="Nezaket ve empati", weight=1,
                             scoring=ScoringType.SCALE, scale_max=2, allow_na=True)
    Criterion.objects.create(section=resolution, order=3, text="Hakaret veya uygunsuz ifade yok", weight=1,
                             critical=CriticalScope.EVALUATION)
    if activate:
        scoring.activate(card)
    return card


@pytest.fixture
def centre(org, make_user):
    """Two teams (A led by `lead_a`, B by `lead_b`), agents a1, a2 (team A) and b1 (team B) with staff
    accounts (role Agent, unit ALO153), an agent code without a staff account (`orphan`), two evaluators,
    a QA lead, the management representative, top management and plain staff; a standard scorecard."""
    users = SimpleNamespace(
        lead_a=make_user(Role.TEAM_LEAD, unit="ALO153", username="lead_a"),
        lead_b=make_user(Role.TEAM_LEAD, unit="ALO153", username="lead_b"),
        ev1=make_user(Role.QA_EVALUATOR, unit="ÇMPK", username="ev1"),
        ev2=make_user(Role.QA_EVALUATOR, unit="ÇMPK", username="ev2"),
        qa_lead=make_user(Role.QA_LEAD, unit="ÇMPK", username="qa_lead"),
        mr=make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMPK", username="mr"),
        top=make_user(Role.TOP_MANAGEMENT, unit="KSB", username="top"),
        staff=make_user(Role.STAFF, unit="ALO153", username="staff"),
        a1=make_user(Role.AGENT, unit="ALO153", username="a1"),
        a2=make_user(Role.AGENT, unit="ALO153", username="a2"),
        b1=make_user(Role.AGENT, unit="ALO153", username="b1"),
    )
    team_a = Team.objects.create(name="Takım A", lead=users.lead_a)
    team_b = Team.objects.create(name="Takım B", lead=users.lead_b)
    agents = SimpleNamespace(
        a1=Agent.objects.create(code="A001", staff=users.a1.staff_profile, team=team_a, shift="sabah"),
        a2=Agent.objects.create(code="A002", staff=users.a2.staff_profile, team=team_a, shift="akşam"),
        b1=Agent.objects.create(code="B001", staff=users.b1.staff_profile, team=team_b, shift="sabah"),
        orphan=Agent.objects.create(code="X999", name="Bilinmeyen"),
    )
    return SimpleNamespace(users=users, agents=agents, teams=SimpleNamespace(a=team_a, b=team_b),
                           scorecard=make_scorecard())
