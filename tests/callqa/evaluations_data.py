"""Call-QA evaluation test data: marks for the standard scorecard (tests/callqa/conftest.py
`make_scorecard`), evaluations assigned and submitted through the services, a calibration one, and
the four kinds of evaluation the confidentiality matrix walks."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from kpi.callqa import services
from kpi.callqa.models import CalibrationSession, Criterion
from kpi.callqa.scoring import Mark
from tests.callqa.conftest import make_call

# The standard scorecard's criteria, by a short name (make_scorecard's order).
NAMES = ("greeting", "kvkk", "accuracy", "courtesy", "abuse")


def criteria(card) -> dict[str, Criterion]:
    found = list(Criterion.objects.filter(section__scorecard=card).order_by("section__order", "order"))
    return dict(zip(NAMES, found, strict=True))


def marks(card, **values) -> dict[int, Mark]:
    """Full marks unless given: greeting 1, kvkk 1, accuracy 4, courtesy 2, abuse 1; "na" for N/A."""
    full = {"greeting": 1, "kvkk": 1, "accuracy": 4, "courtesy": 2, "abuse": 1}
    full.update(values)
    by_name = criteria(card)
    return {by_name[name].pk: (Mark(None, True) if value == "na" else Mark(value))
            for name, value in full.items() if value is not None}


def post_data(card, action="submit", **values) -> dict:
    """What the scoring page posts for these marks."""
    data = {"action": action, "feedback": "Genel olarak iyi.", "suggestions": "Kapanış cümlesine dikkat."}
    by_name = criteria(card)
    full = {"greeting": "1", "kvkk": "1", "accuracy": "4", "courtesy": "2", "abuse": "1"}
    full.update({k: str(v) for k, v in values.items()})
    for name, value in full.items():
        if value != "None":
            data[f"criterion_{by_name[name].pk}"] = value
    return data


def assigned(centre, agent, evaluator, *, card=None, offered_at=None, recording_url=""):
    call = make_call(agent=agent, offered_at=offered_at or dt.datetime(2026, 10, 5, 10, 0),
                     recording_url=recording_url)
    return services.assign(call, evaluator, card or centre.scorecard, by=centre.users.qa_lead)


def submitted(centre, agent, evaluator, *, card=None, offered_at=None, **values):
    evaluation = assigned(centre, agent, evaluator, card=card, offered_at=offered_at)
    card = card or centre.scorecard
    return services.submit(evaluation, marks(card, **values), {}, "Geri bildirim", "Öneri", by=evaluator)


def calibration(centre, agent, evaluator, *, submit=True):
    call = make_call(agent=agent, offered_at=dt.datetime(2026, 10, 7, 11, 0))
    session = CalibrationSession.objects.create(title="Kalibrasyon", call=call, scorecard=centre.scorecard,
                                                lead=centre.users.qa_lead, held_on=dt.date(2026, 10, 20))
    evaluation = services.assign(call, evaluator, centre.scorecard, session=session, by=centre.users.qa_lead)
    if submit:
        evaluation = services.submit(evaluation, marks(centre.scorecard), {}, "", "", by=evaluator)
    return evaluation


@pytest.fixture
def kinds(centre):
    """a1's submitted evaluation by ev1, a1's draft by ev1, b1's submitted by ev2, and a calibration
    evaluation (ev1 scoring a2's call in a session led by the QA lead, submitted)."""
    u, a = centre.users, centre.agents
    draft = assigned(centre, a.a1, u.ev1, offered_at=dt.datetime(2026, 10, 6, 9, 30))
    draft = services.save_draft(draft, marks(centre.scorecard, accuracy=None, courtesy=None), {}, "", "", by=u.ev1)
    return SimpleNamespace(
        a1_submitted=submitted(centre, a.a1, u.ev1),
        a1_draft=draft,
        b1_submitted=submitted(centre, a.b1, u.ev2, offered_at=dt.datetime(2026, 10, 8, 14, 0)),
        calibration=calibration(centre, a.a2, u.ev1),
    )


@pytest.fixture
def english(settings):
    """The admin in English (the site default is Turkish), so tests read the messages as written."""
    settings.LANGUAGE_CODE = "en"
