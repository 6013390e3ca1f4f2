"""THE confidentiality matrix (KVKK): every person of the centre x every kind of evaluation x every
way to reach one (page, PDF, list, download, API list, API detail), against the rules of
kpi/callqa/access.py and grants.py: the agent their own submitted ones, the evaluator what they
scored or were assigned, the team lead their team's submitted ones, the QA lead and the management
representative all; calibration evaluations never reach the agent or the team lead. Everything
else, and every guessed id, is a 404 (the list screens of roles one does not hold too; the API
list answers 403 to those without a call-QA permission)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpi.callqa.models import Evaluation
from tests.callqa.evaluations_data import english, kinds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["english", "kinds"]

USERS = ("a1", "a2", "b1", "lead_a", "lead_b", "ev1", "ev2", "qa_lead", "mr", "top", "staff")
KINDS = ("a1_submitted", "a1_draft", "b1_submitted", "calibration")

SEES = {
    "a1_submitted": {"a1", "lead_a", "ev1", "qa_lead", "mr"},
    "a1_draft": {"ev1", "qa_lead", "mr"},
    "b1_submitted": {"b1", "lead_b", "ev2", "qa_lead", "mr"},
    "calibration": {"ev1", "qa_lead", "mr"},  # ev1 scored a2's call in a session the QA lead leads
}
WITHOUT_LISTS = {"top", "staff"}  # no call-QA permission at all

API = "/api/v1/callqa/evaluations"


def _surfaces(client, evaluation, who: str) -> dict[str, bool]:
    """Whether `who` reaches `evaluation` through each way in."""
    pk = evaluation.pk
    call_id = evaluation.call.call_id
    seen = {}
    detail = client.get(reverse("callqa:evaluation", args=[pk]))
    assert detail.status_code in (200, 404), (who, "detail", detail.status_code)
    seen["detail"] = detail.status_code == 200
    pdf = client.get(reverse("callqa:evaluation_pdf", args=[pk]))
    assert pdf.status_code in (200, 404), (who, "pdf", pdf.status_code)
    seen["pdf"] = pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    listing = client.get(reverse("callqa:evaluations"))
    export = client.get(reverse("callqa:evaluations"), {"format": "csv"})
    if who in WITHOUT_LISTS:
        assert listing.status_code == 404 and export.status_code == 404, (who, "list")
        seen["list"] = seen["export"] = False
    else:
        assert listing.status_code == 200 and export.status_code == 200, (who, "list")
        seen["list"] = reverse("callqa:evaluation", args=[pk]) in listing.content.decode()
        seen["export"] = f";{call_id};" in export.content.decode("utf-8-sig")
    api_list = client.get(API, {"limit": 100})
    if who in WITHOUT_LISTS:
        assert api_list.status_code == 403, (who, "api list")
        seen["api_list"] = False
    else:
        assert api_list.status_code == 200, (who, "api list")
        seen["api_list"] = pk in [item["id"] for item in api_list.json()["items"]]
    api_detail = client.get(f"{API}/{pk}")
    assert api_detail.status_code in (200, 404), (who, "api detail", api_detail.status_code)
    seen["api_detail"] = api_detail.status_code == 200
    return seen


@pytest.mark.parametrize("who", USERS)
def test_the_matrix(client, centre, kinds, who):
    client.force_login(getattr(centre.users, who))
    wrong = []
    for kind in KINDS:
        evaluation = getattr(kinds, kind)
        expected = who in SEES[kind]
        for surface, reached in _surfaces(client, evaluation, who).items():
            if reached != expected:
                wrong.append(f"{who} x {kind} x {surface}: {'reached' if reached else 'refused'}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("who", USERS)
def test_guessed_ids_are_404(client, centre, kinds, who):
    client.force_login(getattr(centre.users, who))
    guess = Evaluation.objects.order_by("-pk").first().pk + 1000
    for name in ("callqa:evaluation", "callqa:evaluation_pdf", "callqa:evaluation_score"):
        assert client.get(reverse(name, args=[guess])).status_code == 404, name
    for name in ("callqa:evaluation_acknowledge", "callqa:evaluation_dispute"):
        assert client.post(reverse(name, args=[guess]), {"reason": "x"}).status_code == 404, name
    assert client.get(f"{API}/{guess}").status_code == 404
    assert client.get(reverse("callqa:dispute", args=[guess])).status_code == 404


@pytest.mark.parametrize("who", USERS)
def test_scoring_pages_only_for_the_evaluator(client, centre, kinds, who):
    """The scoring page of the draft: its evaluator scores; who may see it is sent to its page; others 404."""
    client.force_login(getattr(centre.users, who))
    response = client.get(reverse("callqa:evaluation_score", args=[kinds.a1_draft.pk]))
    if who == "ev1":
        assert response.status_code == 200
    elif who in SEES["a1_draft"]:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    response = client.post(reverse("callqa:evaluation_score", args=[kinds.a1_draft.pk]), {"action": "draft"})
    assert response.status_code == (302 if who in SEES["a1_draft"] else 404)


@pytest.mark.parametrize("who", USERS)
def test_role_screens(client, centre, kinds, who):
    """Queue, My evaluations and Disputes are the screens of a role: others get 404."""
    client.force_login(getattr(centre.users, who))
    queue = client.get(reverse("callqa:queue"))
    mine = client.get(reverse("callqa:my_evaluations"))
    disputes = client.get(reverse("callqa:disputes"))
    assert queue.status_code == (200 if who in {"ev1", "ev2", "qa_lead"} else 404)
    assert mine.status_code == (200 if who in {"a1", "a2", "b1"} else 404)
    assert disputes.status_code == (200 if who in {"qa_lead", "mr"} else 404)
    if queue.status_code == 200:
        html = queue.content.decode()
        assert (reverse("callqa:evaluation_score", args=[kinds.a1_draft.pk]) in html) == (who == "ev1")
        assert reverse("callqa:evaluation_score", args=[kinds.a1_submitted.pk]) not in html
    if mine.status_code == 200:
        html = mine.content.decode()
        for kind in KINDS:
            expected = kind == f"{who}_submitted"
            assert (reverse("callqa:evaluation", args=[getattr(kinds, kind).pk]) in html) == expected, kind


def test_a_team_change_moves_visibility(client, centre, kinds):
    u = centre.users
    url = reverse("callqa:evaluation", args=[kinds.a1_submitted.pk])
    client.force_login(u.lead_a)
    assert client.get(url).status_code == 200
    agent = centre.agents.a1
    agent.team = centre.teams.b
    agent.save()
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("callqa:evaluations")).content.decode()
    client.force_login(u.lead_b)
    assert client.get(url).status_code == 200
    assert client.get(f"{API}/{kinds.a1_submitted.pk}").status_code == 200
    # A new lead of team B sees it at once; the one who left stops seeing it.
    team = centre.teams.b
    team.lead = u.lead_a
    team.save()
    assert client.get(url).status_code == 404
    client.force_login(u.lead_a)
    assert client.get(url).status_code == 200
    # The draft and the calibration evaluation never reach a team lead.
    assert client.get(reverse("callqa:evaluation", args=[kinds.a1_draft.pk])).status_code == 404


def test_an_agent_relinked_to_another_account(client, centre, kinds):
    """The evaluations follow the agent profile's staff account: a2's account linked to a1's code sees them."""
    u, a = centre.users, centre.agents
    url = reverse("callqa:evaluation", args=[kinds.a1_submitted.pk])
    profile = a.a1.staff
    a.a1.staff = None
    a.a1.save()
    client.force_login(u.a1)
    assert client.get(url).status_code == 404
    a.a1.staff = profile
    a.a1.save()
    assert client.get(url).status_code == 200


def test_inactive_users_see_nothing(client, centre, kinds):
    u = centre.users
    client.force_login(u.qa_lead)
    u.qa_lead.is_active = False
    u.qa_lead.save()
    response = client.get(reverse("callqa:evaluation", args=[kinds.a1_submitted.pk]))
    assert response.status_code in (302, 404)
