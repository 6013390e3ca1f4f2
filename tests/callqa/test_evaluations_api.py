"""/api/v1/callqa/evaluations and /api/v1/callqa/scorecards: session or bearer token, what each
caller may see, filters, the shape of one evaluation with its scores, originals and dispute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from kpi.callqa import services
from tests.callqa.evaluations_data import criteria, english, kinds, marks, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["english", "kinds"]

API = "/api/v1/callqa/evaluations"
CARDS = "/api/v1/callqa/scorecards"


def _bearer(user) -> dict:
    _token, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_no_credentials_is_401(client, centre):
    assert client.get(API).status_code == 401
    assert client.get(CARDS).status_code == 401
    assert client.get(API, HTTP_AUTHORIZATION="Bearer wagtail_nonsense").status_code == 401


def test_bearer_token_lists_what_the_holder_may_see(client, centre, kinds):
    response = client.get(API, **_bearer(centre.users.lead_a))
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [kinds.a1_submitted.pk]
    everything = client.get(API, {"limit": 50}, **_bearer(centre.users.mr)).json()
    assert everything["count"] == 4
    assert client.get(API, **_bearer(centre.users.staff)).status_code == 403


def test_filters(client, centre, kinds):
    client.force_login(centre.users.qa_lead)
    ids = lambda **q: sorted(i["id"] for i in client.get(API, q).json()["items"])  # noqa: E731
    assert ids(status="assigned") == []
    assert ids(status="draft") == [kinds.a1_draft.pk]
    assert ids(agent="B001") == [kinds.b1_submitted.pk]
    assert ids(month="2026-10") == sorted(e.pk for e in vars(kinds).values())
    assert ids(month="2026-09") == []
    assert client.get(API, {"month": "ekim"}).status_code == 400
    assert client.get(API, {"status": "lost"}).status_code == 400
    page = client.get(API, {"limit": 2, "offset": 0}).json()
    assert page["count"] == 4 and len(page["items"]) == 2


def test_one_evaluation(client, centre, kinds):
    client.force_login(centre.users.a1)
    body = client.get(f"{API}/{kinds.a1_submitted.pk}").json()
    assert body["score"] == "100.00" or Decimal(str(body["score"])) == Decimal("100")
    assert body["status"]["key"] == "submitted" and body["acknowledgement"]["key"] == "pending"
    assert body["agent"] == {"code": "A001", "name": centre.users.a1.get_full_name(), "team": "Takım A"}
    assert body["call"]["call_id"] == kinds.a1_submitted.call.call_id
    assert body["calibration"] is False and body["month"] == "2026-10"
    # the deadline counts from the submission's local (Istanbul) day, not its UTC day
    kinds.a1_submitted.refresh_from_db()
    assert body["response_deadline"] == (
        timezone.localdate(kinds.a1_submitted.submitted_at) + dt.timedelta(days=7)).isoformat()
    assert len(body["scores"]) == 5 and {s["criterion"] for s in body["scores"]} >= {"Nezaket ve empati"}
    assert all(s["original_value"] is None and s["original_na"] is None for s in body["scores"])
    assert [s["title"] for s in body["sections"]] == ["Açılış", "Çözüm"]
    assert body["dispute"] is None and body["dispute_detail"] is None

    draft = client.get(f"{API}/{kinds.a1_draft.pk}")
    assert draft.status_code == 404
    client.force_login(centre.users.ev1)
    body = client.get(f"{API}/{kinds.a1_draft.pk}").json()
    assert body["score"] is None and body["critical_failed"] is None and body["acknowledgement"] is None
    assert body["sections"] == []


def test_dispute_and_originals_in_the_api(client, centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1, kvkk=0)
    found = services.dispute(evaluation, "Doğrulama yaptım", by=centre.users.a1)
    services.decide_dispute(found, upheld=False, note="Haklı", marks=marks(centre.scorecard),
                            by=centre.users.qa_lead)
    client.force_login(centre.users.lead_a)
    body = client.get(f"{API}/{evaluation.pk}").json()
    assert Decimal(str(body["original_score"])) == Decimal("62.5") and Decimal(str(body["score"])) == 100
    assert body["dispute"]["key"] == "rescored"
    assert body["dispute_detail"]["reason"] == "Doğrulama yaptım" and body["dispute_detail"]["decision_note"] == "Haklı"
    kvkk = next(s for s in body["scores"] if s["criterion_id"] == criteria(centre.scorecard)["kvkk"].pk)
    assert (kvkk["value"], kvkk["original_value"], kvkk["original_na"]) == (1, 0, False)


def test_scorecards(client, centre):
    client.force_login(centre.users.ev1)
    listing = client.get(CARDS).json()
    assert listing["count"] == 1
    card = listing["items"][0]
    assert (card["key"], card["version"], card["status"]["key"]) == ("standard", 1, "active")
    detail = client.get(f"{CARDS}/{card['id']}").json()
    assert [s["title"] for s in detail["sections"]] == ["Açılış", "Çözüm"]
    accuracy = detail["sections"][1]["criteria"][0]
    assert (accuracy["scoring"], accuracy["max_score"], accuracy["allow_na"]) == ("scale", 4, False)
    assert detail["sections"][0]["criteria"][1]["critical"] == "section"
    assert client.get(f"{CARDS}/999999").status_code == 404
    assert client.get(CARDS, {"status": "draft"}).json()["count"] == 0
    for who in ("a1", "staff", "top"):
        client.force_login(getattr(centre.users, who))
        assert client.get(CARDS).status_code == 403
        assert client.get(f"{CARDS}/{card['id']}").status_code == 403
