"""Lifecycle smoke test the lead wrote with the models: a review goes through preparation,
submission and approval, and approval freezes it."""

import pytest
from django.core.exceptions import ValidationError

from qms.review.models import ReviewState

from .conftest import make_ready


def test_a_review_is_created_with_the_full_standard_agenda(review):
    assert review.code == "YGG-2026-1"
    assert review.items.count() == 13
    assert review.attendees.filter(user=review.chair, invited=True).exists()


def test_submission_stores_the_pack_and_approval_freezes_the_review(review, mr, chair):
    from qms.review import services

    make_ready(review)
    services.submit(review, user=mr)
    assert all(item.pack is not None for item in review.items.all())
    services.approve(review, user=chair)
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED
    assert review.minutes["chair"]
    item = review.items.first()
    item.narrative = "değişti"
    with pytest.raises(ValidationError):
        item.save()


def test_a_register_row_is_closed_never_deleted(mr):
    import datetime as dt

    from qms.review.models import Risk

    risk = Risk.objects.create(description="Kesinti", process="Kayıt", likelihood=2, impact=3, owner=mr,
                               review_date=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError, match="R-001"):
        risk.delete()
    assert Risk.objects.filter(pk=risk.pk).exists()
