"""Management-review fixtures: the management representative, a chair from top management and a
review in preparation over 2026-01-01..2026-10-31, created through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.review import services
from qms.review.models import ActionStatus, Review
from qms.roles import Role

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 10, 31))


@pytest.fixture
def mr(make_user):
    return make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", username="yonetim.temsilcisi")


@pytest.fixture
def chair(make_user):
    return make_user(Role.TOP_MANAGEMENT, unit="HİŞM", username="sube.muduru")


@pytest.fixture
def make_review(mr, chair):
    """make_review(period=(from, to), planned=date, **fields) -> a review in preparation."""

    def factory(*, period=PERIOD, planned=dt.date(2026, 11, 20), title="Yönetimin Gözden Geçirmesi", **fields):
        return services.create_review(
            title=title, planned_date=planned, period_start=period[0], period_end=period[1],
            chair=fields.pop("chair", chair), created_by=fields.pop("created_by", mr), **fields,
        )

    return factory


@pytest.fixture
def review(make_review) -> Review:
    return make_review()


def make_ready(review: Review, *, narrative: str = "Değerlendirildi.", held_on=dt.date(2026, 11, 20)) -> Review:
    """Fill every narrative, the meeting date and the chair's presence (what approval requires)."""
    review.items.update(narrative=narrative)
    review.attendees.filter(user=review.chair).update(present=True)
    Review.objects.filter(pk=review.pk).update(held_on=held_on)
    review.refresh_from_db()
    return review


@pytest.fixture
def approved_review(review, mr, chair) -> Review:
    """The fixture review, ready, submitted and approved by its chair, with one open action."""
    make_ready(review)
    review.actions.create(text="Çağrı karşılama oranını artırmak için vardiya planını gözden geçir.", owner=mr,
                          due=dt.date(2026, 12, 31))
    services.submit(review, user=mr)
    services.approve(review, user=chair)
    review.refresh_from_db()
    return review


__all__ = ["ActionStatus", "PERIOD", "make_ready"]
