"""Who opens what: every review URL of the meetings and outputs screens as the management
representative, the chair, another top manager, an internal auditor (read-only), staff and an agent
(403 everywhere), and the menu items each one sees."""

# ruff: noqa: F811 (the fixtures are imported from meetings_data and named as arguments)

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from qms.review.models import Action, Decision
from qms.review.views import meetings, outputs

from .conftest import make_ready
from .meetings_data import agent, approved, auditor, other_top, staff, submitted, url  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviews(make_review, mr, chair):
    """One review in each state that matters: preparation (with a decision and an action), submitted,
    approved (with an action)."""
    preparing = make_review(title="Hazırlıkta")
    make_ready(preparing)
    decision = Decision.objects.create(review=preparing, text="Karar")
    draft = Action.objects.create(review=preparing, text="Taslak faaliyet", owner=mr, due=dt.date(2027, 1, 1))
    waiting = submitted(make_review(title="Onayda", planned=dt.date(2026, 11, 21)), mr)
    done = approved(make_review(title="Onaylı", planned=dt.date(2026, 11, 22)), mr, chair)
    return {"preparing": preparing, "decision": decision, "draft": draft, "submitted": waiting, "approved": done,
            "followed": Action.objects.get(review=done)}


def _get_urls(r):
    return [
        url("list"), url("create"), url("detail", r["preparing"].pk), url("detail", r["approved"].pk),
        url("edit", r["preparing"].pk), url("item", r["preparing"].pk, "context"),
        url("decision_add", r["preparing"].pk), url("decision_edit", r["decision"].pk),
        url("decision_delete", r["decision"].pk), url("action_add", r["preparing"].pk),
        url("action_edit", r["draft"].pk), url("action_delete", r["draft"].pk),
        url("action_status", r["followed"].pk), url("action_dof", r["followed"].pk),
        url("actions"), url("my_actions"),
    ]


def _post_urls(r):
    return [
        (url("create"), {}), (url("submit", r["preparing"].pk), {}), (url("return", r["submitted"].pk), {"note": "x"}),
        (url("approve", r["submitted"].pk), {"digest": "x"}), (url("correct", r["approved"].pk), {"reason": "x"}),
        (url("item", r["preparing"].pk, "context"), {"narrative": "x"}), (url("edit", r["preparing"].pk), {}),
        (url("decision_add", r["preparing"].pk), {"text": "x"}), (url("action_add", r["preparing"].pk), {"text": "x"}),
        (url("action_status", r["followed"].pk), {"status": "done", "note": "x"}),
        (url("action_dof", r["followed"].pk), {}), (url("decision_delete", r["decision"].pk), {}),
    ]


@pytest.mark.parametrize("who", ["staff", "agent"])
def test_staff_and_agents_get_403_on_every_url(client, reviews, who, request):
    client.force_login(request.getfixturevalue(who))
    for address in _get_urls(reviews):
        assert client.get(address).status_code == 403, address
    for address, data in _post_urls(reviews):
        assert client.post(address, data).status_code == 403, address
    assert Decision.objects.filter(pk=reviews["decision"].pk).exists()


def test_the_internal_auditor_reads_but_changes_nothing(client, reviews, auditor):
    client.force_login(auditor)
    readable = {url("list"), url("detail", reviews["preparing"].pk), url("detail", reviews["approved"].pk),
                url("actions"), url("my_actions")}
    for address in _get_urls(reviews):
        assert client.get(address).status_code == (200 if address in readable else 403), address
    for address, data in _post_urls(reviews):
        assert client.post(address, data).status_code == 403, address
    page = client.get(url("detail", reviews["approved"].pk))
    assert not (page.context["may_edit"] or page.context["may_correct"] or page.context["may_approve"])
    assert url("action_status", reviews["followed"].pk) not in page.content.decode()


def test_the_chair_reads_approves_and_returns_but_does_not_prepare(client, reviews, chair):
    client.force_login(chair)
    for address in (url("list"), url("detail", reviews["preparing"].pk), url("actions")):
        assert client.get(address).status_code == 200
    preparing = reviews["preparing"].pk
    for address in (url("create"), url("edit", preparing), url("item", preparing, "context"),
                    url("action_add", preparing), url("action_dof", reviews["followed"].pk)):
        assert client.get(address).status_code == 403, address
    assert client.post(url("submit", reviews["preparing"].pk)).status_code == 403
    assert client.post(url("correct", reviews["approved"].pk), {"reason": "x"}).status_code == 403
    page = client.get(url("detail", reviews["submitted"].pk))
    assert page.context["may_approve"] and page.context["may_return"]
    # The action's owner is the management representative: the chair may not record its status.
    assert client.get(url("action_status", reviews["followed"].pk)).status_code == 403


def test_another_top_manager_reads_but_may_not_approve_or_return(client, reviews, other_top):
    client.force_login(other_top)
    page = client.get(url("detail", reviews["submitted"].pk))
    assert page.status_code == 200 and not (page.context["may_approve"] or page.context["may_return"])
    assert client.post(url("approve", reviews["submitted"].pk), {"digest": "x"}).status_code == 403
    assert client.post(url("return", reviews["submitted"].pk), {"note": "x"}).status_code == 403


def test_the_management_representative_opens_every_screen(client, reviews, mr):
    client.force_login(mr)
    for address in _get_urls(reviews):
        assert client.get(address).status_code == 200, address


def test_unknown_records_are_404(client, reviews, mr):
    client.force_login(mr)
    for address in (url("detail", 999999), url("item", reviews["preparing"].pk, "nothing"),
                    url("action_edit", 999999), url("decision_edit", 999999)):
        assert client.get(address).status_code == 404, address


def test_menu_items_follow_the_rules(client, reviews, mr, chair, auditor, staff, agent, make_user):
    from qms.roles import Role

    owner = make_user(Role.AGENT, unit="ALO153")
    Action.objects.filter(pk=reviews["followed"].pk).update(owner=owner)
    [reviews_item] = meetings.menu_items()
    all_actions, mine = outputs.menu_items()
    request = RequestFactory().get("/admin/")
    for user, shown in [(mr, True), (chair, True), (auditor, True), (staff, False), (agent, False), (owner, False)]:
        client.force_login(user)
        request.user, request.session = user, client.session
        assert reviews_item.is_shown(request) is shown
        assert all_actions.is_shown(request) is shown
        assert mine.is_shown(request) is (shown or user == owner)  # an action's owner, noted at sign-in
