"""Data for the meetings and outputs screens' tests: the people around a review, URL makers, a
review walked to any state, and last year's approved review with actions in every state."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from qms.review import services
from qms.review.models import Action, ActionStatus, Review
from qms.roles import Role

from .conftest import make_ready

LAST_YEAR = (dt.date(2025, 1, 1), dt.date(2025, 10, 31))


def url(name: str, *args) -> str:
    return reverse(f"review:{name}", args=args)


def detail(review) -> str:
    return url("detail", review.pk)


@pytest.fixture
def other_top(make_user):
    """A member of top management who does not chair the fixture review."""
    return make_user(Role.TOP_MANAGEMENT, unit="HİŞM", username="daire.baskani")


@pytest.fixture
def auditor(make_user):
    return make_user(Role.INTERNAL_AUDITOR, unit="HİŞM", username="ic.tetkikci")


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF, unit="KSB", username="personel")


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, unit="ALO153", username="temsilci")


def submitted(review: Review, mr, *, with_action: bool = True) -> Review:
    """Ready (every narrative, held, chair present), one complete action, submitted."""
    make_ready(review)
    if with_action:
        review.actions.create(text="Vardiya planını gözden geçir.", owner=mr, due=dt.date(2026, 12, 31))
    services.submit(review, user=mr)
    review.refresh_from_db()
    return review


def approved(review: Review, mr, chair, **kwargs) -> Review:
    submitted(review, mr, **kwargs)
    services.approve(review, user=chair)
    review.refresh_from_db()
    return review


def digest_of(client, review) -> str:
    """The digest the approve form of the review's page carries."""
    html = client.get(detail(review)).content.decode()
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', html)
    assert found, "the page has no approve form"
    return found.group(1)


def without_tokens(html: str) -> str:
    """A page's HTML without what changes on every request (CSRF tokens, in forms and in Wagtail's
    client-side configuration)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'"CSRF_TOKEN": "[^"]*"', "", html)


@pytest.fixture
def last_year(make_review, mr, chair, make_user):
    """Last year's approved review (YGG-2025-1) with four actions, followed afterwards:
    `open_` (due 2025-12-31, overdue now), `done_in` (done 2026-03-10, inside this year's period),
    `done_before` (done 2025-12-01, before it), `cancelled` (cancelled now)."""
    owner = make_user(Role.UNIT_MANAGER, unit="ALO153", username="birim.muduru")
    review = make_review(period=LAST_YEAR, planned=dt.date(2025, 11, 20), title="2025 Yönetimin Gözden Geçirmesi")
    make_ready(review, held_on=dt.date(2025, 11, 20))
    actions = {
        name: Action.objects.create(review=review, text=text, owner=owner, due=due)
        for name, text, due in [
            ("open_", "Çağrı karşılama oranı için ek personel talep et.", dt.date(2025, 12, 31)),
            ("done_in", "Anket sorularını güncelle.", dt.date(2026, 3, 31)),
            ("done_before", "Web formunu sadeleştir.", dt.date(2025, 12, 15)),
            ("cancelled", "Eski santral yazılımını yenile.", dt.date(2026, 6, 30)),
        ]
    }
    services.submit(review, user=mr)
    services.approve(review, user=chair)
    decided = dt.datetime(2025, 11, 20, 12, tzinfo=dt.UTC)
    Action.objects.filter(pk__in=[a.pk for a in actions.values()]).update(created_at=decided)
    services.set_action_status(actions["done_in"], user=owner, status=ActionStatus.DONE, note="Güncellendi.",
                               on=dt.date(2026, 3, 10))
    services.set_action_status(actions["done_before"], user=owner, status=ActionStatus.DONE, note="Sadeleşti.",
                               on=dt.date(2025, 12, 1))
    services.set_action_status(actions["cancelled"], user=mr, status=ActionStatus.CANCELLED,
                               note="Santral ihalesi başka birime geçti.")
    review.refresh_from_db()
    for action in actions.values():
        action.refresh_from_db()
    review.owner = owner
    review.named = actions
    return review
