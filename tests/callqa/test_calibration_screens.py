"""Calibration screens and API (kpi.callqa.views.calibration, kpi.callqa.api_calibration): who opens
what (a session the reader may not see is 404, page or API), creating and closing a session, the
results page's flags in words and icon, the history page, and fixed query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kpi.callqa import calibration
from kpi.callqa.models import CalibrationSession, Evaluation, EvaluationStatus
from qms.roles import Role
from tests.callqa.conftest import make_call
from tests.callqa.sampling_data import submit

pytestmark = pytest.mark.django_db

LIST = reverse("callqa:calibration")
NEW = reverse("callqa:calibration_new")
HISTORY = reverse("callqa:calibration_history")
API = "/api/v1/callqa/calibration/sessions"


def _results(pk):
    return reverse("callqa:calibration_session", args=[pk])


@pytest.fixture
def session(centre):
    users = centre.users
    call = make_call(agent=centre.agents.a1, offered_at=dt.datetime(2026, 10, 12, 11), call_id="CAL-0001")
    found = calibration.create_session(call=call, scorecard=centre.scorecard, lead=users.qa_lead,
                                       evaluators=[users.ev1, users.ev2], title="Ekim kalibrasyonu")
    card = centre.scorecard
    submit(Evaluation.objects.get(session=found, evaluator=users.qa_lead), card)
    submit(Evaluation.objects.get(session=found, evaluator=users.ev1), card, c4=1)  # -6.25: flagged at 5
    return found


# --- who opens what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["a1", "lead_a", "top", "staff"])
def test_roles_without_calibration_get_404_everywhere(client, centre, session, who):
    client.force_login(getattr(centre.users, who))
    for url in (LIST, NEW, HISTORY, _results(session.pk), reverse("callqa:calibration_close", args=[session.pk])):
        assert client.get(url).status_code == 404, url
    assert client.get(API).status_code == 404
    assert client.get(f"{API}/{session.pk}/results").status_code == 404


def test_an_evaluator_not_in_the_session_gets_404(client, centre, session, make_user):
    outsider = make_user(Role.QA_EVALUATOR, unit="ÇMPK")
    client.force_login(outsider)
    assert client.get(LIST).status_code == 200
    assert session.title not in client.get(LIST).content.decode()
    assert client.get(_results(session.pk)).status_code == 404
    assert client.get(f"{API}/{session.pk}/results").status_code == 404
    assert client.get(API).json()["count"] == 0
    assert client.get(_results(999999)).status_code == 404


def test_the_list_shows_the_participants_sessions_with_a_link_to_score(client, centre, session):
    client.force_login(centre.users.ev2)
    response = client.get(LIST)
    assert response.status_code == 200
    [row] = response.context["sessions"]
    mine = Evaluation.objects.get(session=session, evaluator=centre.users.ev2)
    assert row.score_url == reverse("callqa:evaluation_score", args=[mine.pk])
    assert row.score_url in response.content.decode()
    assert not response.context["may_create"]


def test_results_page_for_the_qa_lead_flags_in_words_and_icon(client, centre, session):
    client.force_login(centre.users.qa_lead)
    response = client.get(_results(session.pk))
    assert response.status_code == 200
    assert response.context["shown"].level == calibration.FULL
    html = response.content.decode()
    assert 'data-flagged="1"' in html and "icon-warning" in html
    [flagged] = [row for row in response.context["deviations"] if row["flagged"]]
    assert flagged["participant"].user == centre.users.ev1 and flagged["deviation"] == "−6,25"
    assert response.context["waiting"]  # ev2 has not submitted
    assert response.context["may_close"]
    assert 'scope="col"' in html and "<caption" in html


def test_a_participant_who_has_not_submitted_sees_no_results(client, centre, session):
    client.force_login(centre.users.ev2)
    response = client.get(_results(session.pk))
    assert response.status_code == 200
    assert response.context["shown"].level == calibration.PENDING
    assert response.context["my_score_url"]
    assert 'data-flagged' not in response.content.decode()
    api = client.get(f"{API}/{session.pk}/results").json()
    assert api["level"] == "pending" and api["deviations"] == [] and api["columns"] == []
    assert all(row["marks"] == [] for row in api["criteria"])


def test_a_participant_sees_own_deviation_only(client, centre, session):
    client.force_login(centre.users.ev1)
    response = client.get(_results(session.pk))
    assert response.context["shown"].level == calibration.OWN
    assert [row["participant"].user for row in response.context["deviations"]] == [centre.users.ev1]
    assert not response.context["may_close"] and not response.context["waiting"]
    api = client.get(f"{API}/{session.pk}/results").json()
    assert api["level"] == "own" and [d["username"] for d in api["deviations"]] == ["ev1"]
    assert api["deviations"][0]["deviation"] == -6.25 and api["deviations"][0]["flagged"] is True
    assert api["lead_score"] is None and all(len(row["marks"]) == 1 for row in api["criteria"])
    # a participant may not close
    assert client.post(reverse("callqa:calibration_close", args=[session.pk])).status_code == 403


# --- creating and closing --------------------------------------------------------------------------------------


def test_the_qa_lead_finds_a_call_and_opens_a_session(client, centre):
    users = centre.users
    call = make_call(agent=centre.agents.b1, call_id="FIND-42")
    make_call(agent=None, call_id="FIND-43")
    client.force_login(users.qa_lead)
    search = client.get(NEW, {"q": "FIND"})
    assert search.status_code == 200 and [c.call_id for c in search.context["found"]] == ["FIND-42"]
    chosen = client.get(NEW, {"q": "FIND", "call": "FIND-42"})
    assert chosen.context["form"].initial["call_id"] == "FIND-42"
    assert chosen.context["form"].initial["tolerance"] == Decimal("5.00")
    response = client.post(NEW, {"call_id": "FIND-42", "title": "", "scorecard": centre.scorecard.pk,
                                 "evaluators": [users.ev1.pk, users.ev2.pk], "tolerance": "4,5",
                                 "held_on": "2026-11-02"})
    assert response.status_code == 302
    created = CalibrationSession.objects.get()
    assert response["Location"] == _results(created.pk)
    assert (created.call, created.lead, created.tolerance) == (call, users.qa_lead, Decimal("4.50"))
    assert Evaluation.objects.filter(session=created).count() == 3


def test_opening_a_session_is_refused_with_the_reason(client, centre):
    users = centre.users
    make_call(agent=centre.agents.a1, call_id="NO-AGENT-X")
    client.force_login(users.qa_lead)
    base = {"call_id": "NO-AGENT-X", "scorecard": centre.scorecard.pk, "evaluators": [users.ev1.pk],
            "tolerance": "5", "held_on": "2026-11-02"}
    assert client.post(NEW, {**base, "call_id": "MISSING"}).status_code == 400
    assert client.post(NEW, {**base, "evaluators": []}).status_code == 400
    assert client.post(NEW, {**base, "evaluators": [users.a1.pk]}).status_code == 400  # not a choice
    assert not CalibrationSession.objects.exists()
    client.force_login(users.ev1)
    assert client.post(NEW, base).status_code == 404


def test_closing_from_the_page(client, centre, session):
    client.force_login(centre.users.qa_lead)
    confirm = client.get(reverse("callqa:calibration_close", args=[session.pk]))
    assert confirm.status_code == 200 and confirm.context["waiting"] and confirm.context["lead_done"]
    response = client.post(reverse("callqa:calibration_close", args=[session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == CalibrationSession.Status.CLOSED
    assert not Evaluation.objects.filter(session=session).exclude(status=EvaluationStatus.SUBMITTED).exists()
    # the participant now sees every mark, the others unnamed
    client.force_login(centre.users.ev1)
    api = client.get(f"{API}/{session.pk}/results").json()
    assert api["level"] == "closed" and api["lead_score"] == 100.0
    assert [c["is_you"] for c in api["columns"]].count(True) == 1
    assert [d["username"] for d in api["deviations"]] == ["ev1"]


# --- history ------------------------------------------------------------------------------------------------


def test_history_page_own_and_for_the_qa_lead(client, centre, session):
    users = centre.users
    client.force_login(users.ev1)
    response = client.get(HISTORY)
    assert response.status_code == 200 and response.context["summary"]["flagged"] == 1
    assert 'data-flagged="1"' in response.content.decode()
    assert client.get(HISTORY, {"evaluator": users.ev2.pk}).status_code == 404
    client.force_login(users.qa_lead)
    response = client.get(HISTORY, {"evaluator": users.ev1.pk})
    assert response.status_code == 200 and response.context["evaluator"] == users.ev1
    assert users.ev1 in response.context["choices"]
    assert client.get(HISTORY, {"evaluator": "x"}).status_code == 404


# --- API and query counts -------------------------------------------------------------------------------------


def test_api_lists_what_the_caller_may_see(client, centre, session):
    other = calibration.create_session(call=make_call(agent=centre.agents.b1), scorecard=centre.scorecard,
                                       lead=centre.users.qa_lead, evaluators=[centre.users.ev2])
    client.force_login(centre.users.ev1)
    body = client.get(API).json()
    assert [item["id"] for item in body["items"]] == [session.pk]
    assert body["items"][0]["call_id"] == "CAL-0001" and body["items"][0]["tolerance"] == 5.0
    client.force_login(centre.users.mr)
    assert {item["id"] for item in client.get(API).json()["items"]} == {session.pk, other.pk}
    assert client.get(API, {"status": "closed"}).json()["count"] == 0
    full = client.get(f"{API}/{session.pk}/results").json()
    assert full["level"] == "full" and len(full["columns"]) == 2 and full["waiting"] == ["ev2"]


def test_api_needs_credentials(client, session):
    assert client.get(API).status_code == 401


def _sessions(count, centre):
    users = centre.users
    call = make_call(agent=centre.agents.a1)
    sessions = CalibrationSession.objects.bulk_create([
        CalibrationSession(title=f"S{i}", call=call, scorecard=centre.scorecard, lead=users.qa_lead,
                           held_on=dt.date(2026, 1, 1) + dt.timedelta(days=i)) for i in range(count)])
    Evaluation.objects.bulk_create([
        Evaluation(call=call, agent=centre.agents.a1, scorecard=centre.scorecard, evaluator=user,
                   month=dt.date(2026, 1, 1), session=s) for s in sessions for user in (users.qa_lead, users.ev1)])


LIST_QUERIES = {"qa_lead": 11, "ev1": 11}
API_QUERIES = {"qa_lead": 7, "ev1": 7}


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("who", ["qa_lead", "ev1"])
def test_the_list_takes_a_fixed_number_of_queries(client, centre, django_assert_num_queries, count, who):
    _sessions(count, centre)
    client.force_login(getattr(centre.users, who))
    client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES[who]):
        response = client.get(LIST)
    assert len(response.context["sessions"]) == min(count, 50)
    client.get(API)
    with django_assert_num_queries(API_QUERIES[who]):
        body = client.get(API, {"limit": 100}).json()
    assert body["count"] == count
