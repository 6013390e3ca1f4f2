"""The whole journey through the screens: the management representative creates a review, writes
every item's narrative, marks who was present and when the meeting was held, records a decision and
an action, submits; the chair reads the page and approves the minutes, which are then frozen."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.review.models import AGENDA_ORDER, Action, AgendaItemKind, Attendee, Decision, Review, ReviewState
from qms.roles import Role

from .meetings_data import approved, detail, digest_of, url

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_prepare_submit_and_approve_through_the_screens(client, mr, chair, make_user):
    guest = make_user(Role.INTERNAL_AUDITOR, unit="HİŞM", first_name="Ayşe", last_name="Tetkik")
    client.force_login(mr)

    form = client.get(url("create"))
    assert form.status_code == 200
    assert chair in form.context["form"].fields["chair"].queryset
    assert mr not in form.context["form"].fields["chair"].queryset  # top management only
    response = client.post(url("create"), {
        "title": "2026 Yönetimin Gözden Geçirmesi", "planned_date": "2026-11-20", "chair": chair.pk,
        "invited": [guest.pk, mr.pk], "location": "Toplantı salonu",
    })
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(review)
    assert (review.period_start, review.period_end) == (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    assert review.items.count() == 13
    assert set(review.attendees.values_list("user", flat=True)) == {chair.pk, guest.pk, mr.pk}

    page = client.get(detail(review))
    assert all(entry["live"] for entry in page.context["items"])
    assert len(page.context["problems"]) >= 13  # no narrative anywhere, not held, nobody present

    for kind in AGENDA_ORDER:
        assert client.get(url("item", review.pk, kind)).status_code == 200
        response = client.post(url("item", review.pk, kind), {"narrative": f"{kind} değerlendirildi."})
        assert response.status_code == 302
    assert not review.items.filter(narrative="").exists()

    attendees = list(review.attendees.order_by("pk"))
    data = {"title": review.title, "planned_date": "2026-11-20", "held_on": "2026-11-20",
            "location": "Toplantı salonu", "period_start": "2025-11-01", "period_end": "2026-10-31",
            "chair": chair.pk, "guest_name": "Dış Denetçi", "guest_position": "Belgelendirme kuruluşu",
            "attendees-TOTAL_FORMS": len(attendees), "attendees-INITIAL_FORMS": len(attendees),
            "attendees-MIN_NUM_FORMS": 0, "attendees-MAX_NUM_FORMS": 1000}
    for index, attendee in enumerate(attendees):
        data[f"attendees-{index}-id"] = attendee.pk
        data[f"attendees-{index}-invited"] = "on"
        data[f"attendees-{index}-position"] = "Şube Müdürü" if attendee.user_id == chair.pk else ""
        if attendee.user_id != guest.pk:
            data[f"attendees-{index}-present"] = "on"
    assert client.get(url("edit", review.pk)).status_code == 200
    response = client.post(url("edit", review.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    review.refresh_from_db()
    assert review.held_on == dt.date(2026, 11, 20)
    assert set(review.attendees.filter(present=True).values_list("user", flat=True)) == {chair.pk, mr.pk}
    assert review.attendees.filter(name="Dış Denetçi", user=None).exists()

    item = review.items.get(kind=AgendaItemKind.CONTACT_CENTRE)
    response = client.post(url("decision_add", review.pk), {"text": "Vardiya planı yenilenecek.", "item": item.pk})
    assert response.status_code == 302
    decision = Decision.objects.get()
    response = client.post(url("action_add", review.pk), {
        "text": "Yeni vardiya planını hazırla.", "owner": mr.pk, "due": "2027-01-31", "item": item.pk,
        "decision": decision.pk})
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.item, action.decision, action.owner) == (item, decision, mr)

    page = client.get(detail(review))
    assert page.context["problems"] == []
    response = client.post(url("submit", review.pk), follow=True)
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert all(i.pack is not None for i in review.items.all())

    client.force_login(chair)
    page = client.get(detail(review))
    html = page.content.decode()
    assert page.context["may_approve"]
    assert "Yeni vardiya planını hazırla." in html and "Vardiya planı yenilenecek." in html
    response = client.post(url("approve", review.pk), {"digest": digest_of(client, review)}, follow=True)
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED
    assert review.approved_by == chair
    assert [a["name"] for a in review.minutes["attendees"]][-1] == "Dış Denetçi"
    html = response.content.decode()
    assert response.context["review"].state == ReviewState.APPROVED
    assert 'name="digest"' not in html

    client.force_login(mr)
    html = client.get(detail(review)).content.decode()
    for name, args in [("edit", [review.pk]), ("item", [review.pk, "context"]), ("decision_add", [review.pk]),
                       ("action_add", [review.pk]), ("action_edit", [action.pk]), ("submit", [review.pk])]:
        assert url(name, *args) not in html, name
    assert url("action_status", action.pk) in html
    assert url("action_dof", action.pk) in html
    assert Attendee.objects.filter(review=review).count() == 4


def test_the_default_period_runs_from_the_last_approved_review_or_12_months(review, mr, chair):
    from qms.review.views.meetings import default_period

    assert default_period(dt.date(2026, 3, 15)) == (dt.date(2025, 3, 1), dt.date(2026, 2, 28))
    approved(review, mr, chair)  # its period ends 2026-10-31
    assert default_period(dt.date(2027, 6, 10)) == (dt.date(2026, 11, 1), dt.date(2027, 5, 31))


def test_the_create_form_needs_both_period_dates_or_neither(client, mr, chair):
    client.force_login(mr)
    response = client.post(url("create"), {"title": "YGG", "planned_date": "2026-11-20", "chair": chair.pk,
                                           "period_start": "2026-01-01"})
    assert response.status_code == 400 and not Review.objects.exists()
    response = client.post(url("create"), {"title": "YGG", "planned_date": "2026-11-20", "chair": mr.pk})
    assert response.status_code == 400 and "chair" in response.context["form"].errors
