"""A correction of approved minutes through the screens: version 2 starts in preparation with the
narratives and stored figures, the approved version stays valid meanwhile, and approving version 2
supersedes version 1 and moves its actions (with their status) to it."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.review import services
from qms.review.models import Action, ActionStatus, Review, ReviewState

from .meetings_data import approved, detail, digest_of, url

pytestmark = pytest.mark.django_db


def test_correction_makes_version_2_and_approving_it_supersedes_version_1(client, review, mr, chair):
    approved(review, mr, chair)
    action = Action.objects.get(review=review)
    services.set_action_status(action, user=mr, status=ActionStatus.DONE, note="Yapıldı.", on=dt.date(2026, 11, 25))
    client.force_login(mr)
    response = client.post(url("correct", review.pk), {"reason": "Katılımcı unvanları yanlış yazılmış."})
    v2 = Review.objects.get(corrects=review)
    assert response.status_code == 302 and response["Location"] == detail(v2)
    assert (v2.code, v2.version, v2.state) == (review.code, 2, ReviewState.PREPARATION)
    assert Review.objects.get(pk=review.pk).state == ReviewState.APPROVED

    page = client.get(detail(v2))
    assert page.context["may_edit"]
    assert [a.pk for a in page.context["carried"]] == [action.pk]
    assert all(not entry["live"] for entry in page.context["items"])  # the figures the meeting saw
    assert [v.version for v in page.context["versions"]] == [1, 2]
    old_pack = review.items.get(kind="audits").pack

    client.post(url("item", v2.pk, "audits"), {"narrative": "Düzeltilmiş değerlendirme."})
    attendee = v2.attendees.get(user=chair)
    assert client.post(url("submit", v2.pk)).status_code == 302
    v2.refresh_from_db()
    assert v2.state == ReviewState.SUBMITTED
    assert v2.items.get(kind="audits").pack == old_pack

    client.force_login(chair)
    client.post(url("approve", v2.pk), {"digest": digest_of(client, v2)})
    v2.refresh_from_db()
    review.refresh_from_db()
    assert (v2.state, review.state) == (ReviewState.APPROVED, ReviewState.SUPERSEDED)
    action.refresh_from_db()
    assert action.review == v2 and action.status == ActionStatus.DONE
    assert attendee.pk in v2.attendees.values_list("pk", flat=True)

    listing = client.get(url("list"))
    assert [r.pk for r in listing.context["reviews"]] == [v2.pk, review.pk]
    html = listing.content.decode()
    assert html.index(detail(v2)) < html.index(detail(review))
    assert "eski sürüm" in html

    old = client.get(detail(review))
    assert old.context["review"].state == ReviewState.SUPERSEDED
    assert [row.id for row in old.context["minutes"].actions] == [action.pk]  # as approved, still readable
    assert not old.context["may_correct"]
    new = client.get(detail(v2))
    assert [(v.version, v.state) for v in new.context["versions"]] == [(1, ReviewState.SUPERSEDED),
                                                                        (2, ReviewState.APPROVED)]
