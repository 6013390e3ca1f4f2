"""Approval freezes the pack: after the chair approves, later changes to the data behind the
figures (a new DÖF, a new action in another review, an earlier action closed, people renamed) leave
the approved review's page and its stored items exactly as they were."""

# ruff: noqa: F811 (the fixtures are imported from meetings_data and named as arguments)

from __future__ import annotations

import datetime as dt

import pytest

from audits.models import Source
from audits.services import raise_nonconformity
from qms.review import services
from qms.review.models import Action, ActionStatus, AgendaItemKind, ReviewState

from .conftest import make_ready
from .meetings_data import approved, detail, last_year, url, without_tokens  # noqa: F401

pytestmark = pytest.mark.django_db


def test_later_data_changes_never_reach_approved_minutes(client, review, last_year, mr, chair, org, make_review):
    approved(review, mr, chair)
    packs = {item.kind: item.pack for item in review.items.all()}
    previous = review.items.get(kind=AgendaItemKind.PREVIOUS_ACTIONS).pack
    assert previous["tables"] and last_year.named["open_"].code in str(previous["tables"][0]["rows"])
    client.force_login(mr)
    before = without_tokens(client.get(detail(review)).content.decode())

    raise_nonconformity(source=Source.STAFF_SUGGESTION, title="Yeni DÖF", description="Sonradan açıldı.",
                        unit=org["FEN"], raised_by=mr)
    services.set_action_status(last_year.named["open_"], user=mr, status=ActionStatus.DONE, note="Sonunda yapıldı.")
    later = make_review(title="Ara toplantı", planned=dt.date(2026, 11, 25))
    make_ready(later)
    Action.objects.create(review=later, text="Yeni faaliyet", owner=mr, due=dt.date(2027, 3, 1))
    chair.first_name, chair.last_name = "Yeni", "Ad"
    chair.save()

    assert {item.kind: item.pack for item in review.items.all()} == packs
    after = without_tokens(client.get(detail(review)).content.decode())
    assert after == before
    assert "Yeni Ad" not in after  # the minutes keep the chair's name as approved


def test_the_page_says_live_figures_before_submission_and_stored_ones_after(client, review, mr, chair):
    client.force_login(mr)
    page = client.get(detail(review))
    assert all(entry["live"] for entry in page.context["items"])
    assert "Canlı rakamlar, şimdi derlendi" in page.content.decode()
    approved(review, mr, chair)
    page = client.get(detail(review))
    html = page.content.decode()
    assert not any(entry["live"] for entry in page.context["items"])
    assert "saklandığı hâliyle rakamlar" in html and "Canlı rakamlar" not in html
    assert page.context["review"].state == ReviewState.APPROVED
    for name in ("edit", "submit"):
        assert url(name, review.pk) not in html
    assert "/items/" not in html
