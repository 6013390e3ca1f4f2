"""Decisions and actions through the screens: written while the review is in preparation, followed
after approval (done with a note and date, cancelled with a reason, by the owner or the management
representative), turned into a DÖF; "My review actions" and the list of every action."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.models import Nonconformity, Source
from qms.review.models import Action, ActionStatus, Decision
from qms.roles import Role

from .conftest import make_ready
from .meetings_data import approved, detail, url

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_decisions_and_actions_are_added_edited_and_deleted_in_preparation(client, review, mr):
    client.force_login(mr)
    item = review.items.get(kind="training")
    form = client.get(url("decision_add", review.pk) + "?item=training")
    assert form.context["form"].initial["item"] == item.pk
    response = client.post(url("decision_add", review.pk), {"text": "Eğitim planı genişletilecek.", "item": item.pk})
    assert response.status_code == 302
    decision = Decision.objects.get()
    client.post(url("decision_edit", decision.pk), {"text": "Eğitim planı iki katına çıkacak.", "item": ""})
    decision.refresh_from_db()
    assert (decision.text, decision.item) == ("Eğitim planı iki katına çıkacak.", None)

    form = client.get(url("action_add", review.pk) + f"?decision={decision.pk}")
    assert form.context["form"].initial["decision"] == decision.pk
    client.post(url("action_add", review.pk), {"text": "Eğitim takvimini hazırla.", "decision": decision.pk})
    action = Action.objects.get()
    assert action.owner is None and action.due is None  # allowed while preparing; submission asks for them
    client.post(url("action_edit", action.pk), {"text": action.text, "owner": mr.pk, "due": "2027-02-28",
                                               "decision": decision.pk, "item": item.pk})
    action.refresh_from_db()
    assert (action.owner, action.due, action.item) == (mr, dt.date(2027, 2, 28), item)
    page = client.get(detail(review))
    assert [row.decision_number for row in page.context["minutes"].actions] == ["D1"]

    assert client.get(url("action_delete", action.pk)).status_code == 200
    client.post(url("action_delete", action.pk))
    client.post(url("decision_delete", decision.pk))
    assert not Action.objects.exists() and not Decision.objects.exists()


def test_an_item_or_decision_of_another_review_is_refused(client, review, make_review, mr):
    other = make_review(title="Başka", planned=dt.date(2026, 12, 1))
    foreign = Decision.objects.create(review=other, text="Başka karar")
    client.force_login(mr)
    response = client.post(url("action_add", review.pk), {"text": "x", "decision": foreign.pk,
                                                          "item": other.items.first().pk})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"decision", "item"}
    assert not Action.objects.exists()


@pytest.fixture
def followed(review, mr, chair, make_user):
    """The approved fixture review; its action is owned by an agent and overdue since 2026-11-01."""
    owner = make_user(Role.AGENT, unit="ALO153", username="faaliyet.sahibi")
    make_ready(review)
    Action.objects.create(review=review, text="Karşılama metnini güncelle.", owner=owner, due=dt.date(2026, 11, 1))
    approved(review, mr, chair, with_action=False)
    action = Action.objects.get(review=review)
    action.owner_user = owner
    return action


def test_the_owner_records_the_action_done_with_a_note_and_date(client, followed):
    owner = followed.owner_user
    client.force_login(owner)
    mine = client.get(url("my_actions"))
    assert [row["action"].pk for row in mine.context["open_rows"]] == [followed.pk]
    assert mine.context["overdue"] == 1 and "gecikmiş" in mine.content.decode()
    response = client.post(url("action_status", followed.pk), {"status": "done", "note": "", "on": "2026-11-20"})
    assert response.status_code == 400 and Action.objects.get(pk=followed.pk).status == ActionStatus.OPEN
    response = client.post(url("action_status", followed.pk),
                           {"status": "done", "note": "Metin güncellendi.", "on": "2026-11-20", "next": "mine"})
    assert response.status_code == 302 and response["Location"] == url("my_actions")
    followed.refresh_from_db()
    assert (followed.status, followed.completed_on, followed.status_note) == (
        ActionStatus.DONE, dt.date(2026, 11, 20), "Metin güncellendi.")
    mine = client.get(url("my_actions"))
    assert mine.context["open_rows"] == [] and [r["action"].pk for r in mine.context["closed_rows"]] == [followed.pk]


def test_a_date_in_the_future_is_refused(client, followed):
    client.force_login(followed.owner_user)
    response = client.post(url("action_status", followed.pk), {"status": "done", "note": "x", "on": "2099-01-01"})
    assert response.status_code == 400 and "on" in response.context["form"].errors


def test_the_management_representative_cancels_with_a_reason_others_get_403(client, followed, mr, chair, make_user):
    client.force_login(chair)
    assert client.post(url("action_status", followed.pk), {"status": "cancelled", "note": "x"}).status_code == 403
    client.force_login(make_user(Role.AGENT, unit="ALO153"))
    assert client.get(url("action_status", followed.pk)).status_code == 403
    client.force_login(mr)
    client.post(url("action_status", followed.pk), {"status": "cancelled", "note": "Artık gerekmiyor."})
    assert Action.objects.get(pk=followed.pk).status == ActionStatus.CANCELLED


def test_an_action_of_a_review_in_preparation_is_not_followed(client, review, mr):
    action = Action.objects.create(review=review, text="Taslak", owner=mr, due=dt.date(2027, 1, 1))
    client.force_login(mr)
    response = client.post(url("action_status", action.pk), {"status": "done", "note": "x"}, follow=True)
    assert _messages(response) and Action.objects.get(pk=action.pk).status == ActionStatus.OPEN
    response = client.get(url("action_dof", action.pk), follow=True)
    assert _messages(response) and Action.objects.get(pk=action.pk).nonconformity is None


def test_the_management_representative_turns_an_action_into_a_dof(client, followed, mr, chair, org):
    client.force_login(chair)
    assert client.get(url("action_dof", followed.pk)).status_code == 403
    client.force_login(mr)
    form = client.get(url("action_dof", followed.pk))
    assert form.context["form"].initial["title"] == followed.text
    response = client.post(url("action_dof", followed.pk), {"unit": org["ALO153"].pk, "title": followed.text,
                                                            "description": "Gözden geçirmeden."}, follow=True)
    nc = Nonconformity.objects.get()
    assert nc.source == Source.MANAGEMENT_REVIEW and nc.unit == org["ALO153"]
    assert Action.objects.get(pk=followed.pk).nonconformity == nc
    html = response.content.decode()
    assert nc.code in html and f'href="/admin/audits/nonconformities/{nc.pk}/"' in html
    again = client.post(url("action_dof", followed.pk), {"unit": org["ALO153"].pk, "title": "x", "description": "y"},
                        follow=True)
    assert _messages(again) and Nonconformity.objects.count() == 1
    assert url("action_dof", followed.pk) not in client.get(detail(followed.review)).content.decode()


def test_the_list_of_every_action_filters_by_status_overdue_and_owner(client, followed, review, mr):
    client.force_login(mr)
    page = client.get(url("actions"))
    assert [row["action"].pk for row in page.context["rows"]] == [followed.pk]  # open by default
    assert [row["overdue"] for row in page.context["rows"]] == [True]
    assert client.get(url("actions") + "?status=done").context["rows"] == []
    assert len(client.get(url("actions") + "?overdue=1").context["rows"]) == 1
    assert client.get(url("actions") + f"?owner={mr.pk}").context["rows"] == []
    owner = followed.owner_user
    assert len(client.get(url("actions") + f"?owner={owner.pk}&status=any").context["rows"]) == 1
    Action.objects.create(review=review.__class__.objects.create(
        code="YGG-2027-1", title="Hazırlıkta", planned_date=dt.date(2027, 11, 1), period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 10, 31), chair=review.chair), text="Taslak", owner=owner, due=dt.date(2026, 1, 1))
    assert len(client.get(url("actions") + "?status=any").context["rows"]) == 1  # drafts are not followed yet


def test_my_actions_is_refused_to_someone_without_any(client, make_user):
    client.force_login(make_user(Role.STAFF))
    assert client.get(url("my_actions")).status_code == 403
