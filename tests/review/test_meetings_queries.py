"""The review screens run a fixed number of queries: the list at 10 and at 100 reviews, the page
of a submitted or approved review whatever its number of attendees, decisions and actions, and the
action lists at 10 and at 100 actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.review.models import Action, ActionStatus, Attendee, Decision, Review, ReviewState
from qms.roles import Role

from .conftest import make_ready
from .meetings_data import approved, detail, submitted, url

pytestmark = pytest.mark.django_db


def _count(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def _add_reviews(chair, start: int, count: int) -> None:
    """Bare reviews (no agenda: the list does not read it), each with two actions, one open."""
    reviews = Review.objects.bulk_create([
        Review(code=f"YGG-2020-{n}", title=f"Gözden geçirme {n}",
               planned_date=dt.date(2020, 1, 1) + dt.timedelta(days=n),
               period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 12, 31), chair=chair,
               state=ReviewState.APPROVED if n % 2 else ReviewState.SUPERSEDED)
        for n in range(start, start + count)
    ])
    Action.objects.bulk_create([
        Action(review=r, text=f"Faaliyet {r.code} {status}", owner=chair, due=dt.date(2020, 6, 1), status=status)
        for r in reviews for status in (ActionStatus.OPEN, ActionStatus.DONE)
    ])


def test_the_list_takes_the_same_queries_at_10_and_100_reviews(client, mr, chair):
    client.force_login(mr)
    _add_reviews(chair, 1, 10)
    few = _count(client, url("list"))
    _add_reviews(chair, 11, 90)
    many = _count(client, url("list"))
    assert few == many
    page = client.get(url("list"))
    assert all(r.open_actions == 1 for r in page.context["reviews"])
    assert page.context["reviews"][0].state == ReviewState.APPROVED  # current versions first


def _grow(review, mr, make_user, n: int) -> None:
    """n more attendees (present), decisions and actions with their own owners."""
    for i in range(n):
        person = make_user(Role.STAFF, unit="KSB")
        Attendee.objects.create(review=review, user=person, present=True)
        decision = Decision.objects.create(review=review, text=f"Karar {i}", item=review.items.all()[i % 13])
        Action.objects.create(review=review, text=f"Faaliyet {i}", owner=person, due=dt.date(2027, 1, 1),
                              decision=decision, item=decision.item)


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_the_review_page_takes_the_same_queries_whatever_its_size(client, make_review, mr, chair, make_user, state):
    small = make_review(title="Küçük")
    big = make_review(title="Büyük", planned=dt.date(2026, 11, 21))
    for review in (small, big):
        make_ready(review)
    _grow(small, mr, make_user, 1)
    _grow(big, mr, make_user, 15)
    for review in (small, big):
        if state == "submitted":
            submitted(review, mr)
        else:
            approved(review, mr, chair)
    client.force_login(chair)
    assert _count(client, detail(small)) == _count(client, detail(big))
    assert len(client.get(detail(big)).context["minutes"].actions) == 16


def test_the_action_lists_take_the_same_queries_at_10_and_100_actions(client, mr, chair, make_user):
    owner = make_user(Role.AGENT, unit="ALO153")
    client.force_login(owner)
    review = Review.objects.create(code="YGG-2025-1", title="Geçen yıl", planned_date=dt.date(2025, 11, 20),
                                   period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 10, 31), chair=chair,
                                   state=ReviewState.APPROVED)

    def add(count: int) -> None:
        Action.objects.bulk_create([Action(review=review, text=f"Faaliyet {i}", owner=owner, due=dt.date(2025, 12, 1),
                                           status=ActionStatus.OPEN if i % 3 else ActionStatus.DONE)
                                    for i in range(count)])

    add(10)
    few = _count(client, url("my_actions"))
    client.force_login(mr)
    few_all = _count(client, f"{url('actions')}?status=any")
    add(90)
    client.force_login(owner)
    assert _count(client, url("my_actions")) == few
    client.force_login(mr)
    assert _count(client, f"{url('actions')}?status=any") == few_all
