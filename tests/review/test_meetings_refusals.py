"""Every refusal through the screens: the page says what and why, and nothing changes.

Submitting or approving with an agenda item lacking narrative or an action without owner or due
date; any edit of approved minutes (meeting, attendees, narratives, decisions, actions); another
person than the chair approving (403); approving minutes that changed since the chair opened them."""

# ruff: noqa: F811 (the fixtures are imported from meetings_data and named as arguments)

from __future__ import annotations

import datetime as dt

import pytest
from django.core.serializers import serialize
from django.utils import translation

from qms.review import services
from qms.review.models import Action, AgendaItem, AgendaItemKind, Attendee, Decision, Review, ReviewState

from .conftest import make_ready
from .meetings_data import approved, detail, digest_of, other_top, submitted, url  # noqa: F401

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _label(kind) -> str:
    with translation.override("tr"):
        return str(kind.label)


def _stored(review) -> str:
    """Everything of a review in the database, to compare before and after a refused request."""
    rows = [Review.objects.get(pk=review.pk), *AgendaItem.objects.filter(review=review).order_by("pk"),
            *Attendee.objects.filter(review=review).order_by("pk"), *Decision.objects.filter(review=review),
            *Action.objects.filter(review=review).order_by("pk")]
    return serialize("json", rows)


def test_submitting_with_an_item_lacking_narrative_is_refused_with_its_name(client, review, mr):
    make_ready(review)
    review.items.filter(kind="resources").update(narrative="  ")
    client.force_login(mr)
    before = _stored(review)
    response = client.post(url("submit", review.pk), follow=True)
    texts = _messages(response)
    assert any(_label(AgendaItemKind.RESOURCES) in t for t in texts), texts
    assert _stored(review) == before
    assert Review.objects.get(pk=review.pk).state == ReviewState.PREPARATION


def test_submitting_with_an_action_without_owner_or_due_is_refused(client, review, mr):
    make_ready(review)
    review.actions.create(text="Sahipsiz faaliyet", owner=None, due=dt.date(2027, 1, 1))
    review.actions.create(text="Terminsiz faaliyet", owner=mr, due=None)
    client.force_login(mr)
    before = _stored(review)
    texts = _messages(client.post(url("submit", review.pk), follow=True))
    assert any("Sahipsiz faaliyet" in t for t in texts) and any("Terminsiz faaliyet" in t for t in texts)
    assert _stored(review) == before
    page = client.get(detail(review))
    assert len([p for p in page.context["problems"] if "faaliyet" in p]) == 2


def test_approving_with_an_item_lacking_narrative_is_refused(client, review, mr, chair):
    submitted(review, mr)
    # A write past the models (as a broken import might do): approval still checks readiness.
    AgendaItem.objects.filter(review=review, kind="training").update(narrative="")
    client.force_login(chair)
    digest = digest_of(client, review)
    before = _stored(review)
    texts = _messages(client.post(url("approve", review.pk), {"digest": digest}, follow=True))
    assert any(_label(AgendaItemKind.TRAINING) in t for t in texts), texts
    assert _stored(review) == before
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED


def test_approving_with_an_action_without_owner_is_refused(client, review, mr, chair):
    submitted(review, mr)
    Action.objects.filter(review=review).update(owner=None)
    client.force_login(chair)
    digest = digest_of(client, review)
    before = _stored(review)
    texts = _messages(client.post(url("approve", review.pk), {"digest": digest}, follow=True))
    assert any("Vardiya planını gözden geçir." in t for t in texts), texts
    assert _stored(review) == before


def test_approving_minutes_that_changed_since_they_were_read_is_refused(client, review, mr, chair):
    submitted(review, mr)
    client.force_login(chair)
    digest = digest_of(client, review)
    # Meanwhile the review goes back to preparation, the action changes, and it comes back.
    services.return_to_preparation(review, user=mr, note="Faaliyet terminini düzelt.")
    Action.objects.filter(review=review).update(due=dt.date(2027, 6, 30))
    services.submit(review, user=mr)
    before = _stored(review)
    response = client.post(url("approve", review.pk), {"digest": digest}, follow=True)
    assert any("read them again" in t or "yeniden okuyun" in t for t in _messages(response))
    assert _stored(review) == before
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED
    response = client.post(url("approve", review.pk), {"digest": ""}, follow=True)
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED
    client.post(url("approve", review.pk), {"digest": digest_of(client, review)})
    assert Review.objects.get(pk=review.pk).state == ReviewState.APPROVED


def test_someone_other_than_the_chair_gets_403_when_approving(client, review, mr, chair, other_top):
    submitted(review, mr)
    client.force_login(chair)
    digest = digest_of(client, review)
    for user in (other_top, mr):
        client.force_login(user)
        page = client.get(detail(review))
        assert page.status_code == 200 and not page.context["may_approve"]
        assert 'name="digest"' not in page.content.decode()
        assert client.post(url("approve", review.pk), {"digest": digest}).status_code == 403
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED
    client.force_login(other_top)
    assert client.post(url("return", review.pk), {"note": "Geri"}).status_code == 403
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED


def test_returning_needs_a_note_and_drops_the_stored_figures(client, review, mr, chair):
    submitted(review, mr)
    client.force_login(chair)
    response = client.post(url("return", review.pk), {"note": ""}, follow=True)
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED
    assert _messages(response)
    client.post(url("return", review.pk), {"note": "Eğitim maddesini genişletin."})
    assert Review.objects.get(pk=review.pk).state == ReviewState.PREPARATION
    assert not AgendaItem.objects.filter(review=review, pack__isnull=False).exists()


def test_a_submitted_review_cannot_be_edited_either(client, review, mr):
    submitted(review, mr)
    client.force_login(mr)
    before = _stored(review)
    response = client.post(url("item", review.pk, "context"), {"narrative": "Değişti"}, follow=True)
    assert _messages(response) and response.redirect_chain[-1][0] == detail(review)
    assert _stored(review) == before


def test_every_edit_of_approved_minutes_is_refused_with_a_message_and_changes_nothing(client, review, mr, chair):
    make_ready(review)
    decision = Decision.objects.create(review=review, text="Karar metni")
    approved(review, mr, chair)
    action = review.actions.get()
    attendee = review.attendees.get(user=chair)
    client.force_login(mr)
    before = _stored(review)
    attempts = [
        ("get", url("edit", review.pk), {}),
        ("post", url("edit", review.pk), {"title": "Yeni başlık", "planned_date": "2026-11-21",
                                          "period_start": "2026-01-01", "period_end": "2026-10-31",
                                          "chair": chair.pk, "attendees-TOTAL_FORMS": 1,
                                          "attendees-INITIAL_FORMS": 1, "attendees-0-id": attendee.pk}),
        ("get", url("item", review.pk, "context"), {}),
        ("post", url("item", review.pk, "context"), {"narrative": "Sonradan değişti"}),
        ("get", url("action_edit", action.pk), {}),
        ("post", url("action_edit", action.pk), {"text": "Değişti", "owner": mr.pk, "due": "2027-01-01"}),
        ("post", url("action_delete", action.pk), {}),
        ("post", url("action_add", review.pk), {"text": "Yeni", "owner": mr.pk, "due": "2027-01-01"}),
        ("post", url("decision_edit", decision.pk), {"text": "Değişti"}),
        ("post", url("decision_delete", decision.pk), {}),
        ("post", url("decision_add", review.pk), {"text": "Yeni karar"}),
        ("post", url("submit", review.pk), {}),
    ]
    for method, address, data in attempts:
        response = getattr(client, method)(address, data, follow=True)
        assert response.status_code == 200, address
        assert response.redirect_chain and response.redirect_chain[-1][0].startswith(detail(review)), address
        texts = _messages(response)
        assert texts, address
        assert _stored(review) == before, address
    html = client.get(detail(review)).content.decode()
    assert "Onaylı tutanak — donduruldu." in html


def test_a_correction_needs_a_reason_and_only_one_runs_at_a_time(client, review, mr, chair):
    approved(review, mr, chair)
    client.force_login(mr)
    response = client.post(url("correct", review.pk), {"reason": ""}, follow=True)
    assert _messages(response) and Review.objects.count() == 1
    client.post(url("correct", review.pk), {"reason": "Katılımcı listesi eksik."})
    assert Review.objects.count() == 2
    assert not client.get(detail(review)).context["may_correct"]
    response = client.post(url("correct", review.pk), {"reason": "Yine"}, follow=True)
    assert _messages(response) and Review.objects.count() == 2
