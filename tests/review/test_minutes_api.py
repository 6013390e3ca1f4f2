"""/api/v1/reviews, /api/v1/reviews/{id}, /api/v1/reviews/{id}/actions and /api/v1/review-actions:
what each returns, the filters, who may read (an action's owner: only their own actions), and a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qms.review import services
from qms.review.models import AGENDA_ORDER, Action, Review
from qms.review.pack import figure
from qms.roles import Role

from .conftest import make_ready
from .minutes_data import *  # noqa: F403 (its fixtures: known_pack, people, minutes_review)
from .minutes_data import fill, narrative

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews"
ACTIONS = "/api/v1/review-actions"


def get(client, path, **params):
    response = client.get(path, params)
    return response.status_code, (response.json() if response["Content-Type"].startswith("application/json") else None)


def test_the_list_gives_each_review_with_its_dates_chair_and_counts(client, minutes_review, people):
    client.force_login(people["auditor"])
    status, body = get(client, REVIEWS)
    assert status == 200 and body["count"] == 1
    row = body["items"][0]
    assert row["code"] == "YGG-2026-1" and row["version"] == 1 and row["label"] == "YGG-2026-1"
    assert row["title"] == "Yönetimin Gözden Geçirmesi"
    assert row["state"]["key"] == "approved"
    assert row["planned_date"] == "2026-11-20" and row["held_on"] == "2026-11-20"
    assert (row["period_start"], row["period_end"]) == ("2026-01-01", "2026-10-31")
    assert row["chair"] == {"username": "sube.muduru", "full_name": "Şükrü Çağlayan"}
    assert row["approved_at"] and row["submitted_at"]
    assert row["minutes_pdf"] == f"/admin/review/{minutes_review.pk}/minutes.pdf"
    assert row["counts"] == {"invited": 3, "present": 3, "decisions": 2, "actions": 2,
                             "open_actions": 2, "overdue_actions": 0}


def test_the_list_filters_by_state_and_year(client, minutes_review, make_review, people):
    make_review(planned=dt.date(2027, 11, 20), period=(dt.date(2026, 11, 1), dt.date(2027, 10, 31)))
    client.force_login(people["mr"])
    assert [r["state"]["key"] for r in get(client, REVIEWS)[1]["items"]] == ["preparation", "approved"]
    assert [r["code"] for r in get(client, REVIEWS, state="approved")[1]["items"]] == ["YGG-2026-1"]
    assert [r["code"] for r in get(client, REVIEWS, year=2027)[1]["items"]] == ["YGG-2027-1"]
    assert get(client, REVIEWS, state="lost")[0] == 400


def test_overdue_actions_are_counted_for_approved_reviews_only(client, minutes_review, people):
    Action.objects.filter(review=minutes_review).update(due=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(people["mr"])
    assert get(client, REVIEWS)[1]["items"][0]["counts"]["overdue_actions"] == 2


def test_the_detail_gives_the_agenda_with_the_stored_pack_and_the_minutes(client, minutes_review, people):
    client.force_login(people["chair"])
    status, body = get(client, f"{REVIEWS}/{minutes_review.pk}")
    assert status == 200
    assert [item["kind"]["key"] for item in body["items"]] == AGENDA_ORDER
    assert [item["position"] for item in body["items"]] == list(range(1, 14))
    first = body["items"][0]
    assert first["narrative"] == narrative(AGENDA_ORDER[0])
    assert first["pack_stored"] is True
    assert figure(first["pack"], "rate")["value"] == "%1,5"
    stored = minutes_review.items.get(kind=AGENDA_ORDER[0]).pack
    assert first["pack"] == stored
    assert {a["name"] for a in body["attendees"]} == {"Şükrü Çağlayan", "Ayşe Yıldırım", "İlker Öztürk", "Çiğdem Işık"}
    chair = next(a for a in body["attendees"] if a["chair"])
    assert chair["username"] == "sube.muduru" and chair["present"] is True
    guest = next(a for a in body["attendees"] if a["name"] == "Çiğdem Işık")
    assert guest == {"name": "Çiğdem Işık", "username": None, "position": "Misafir (İZSU)", "invited": False,
                     "present": True, "chair": False}
    assert [d["item"]["key"] if d["item"] else None for d in body["decisions"]] == ["contact_centre", None]
    assert [a["owner"]["full_name"] for a in body["actions"]] == ["Gülşen Ünlü", "Ayşe Yıldırım"]
    assert body["minutes"] == minutes_review.minutes


def test_the_detail_of_a_review_in_preparation_compiles_the_pack_live(client, known_pack, review, people, org):
    fill(review, people)
    client.force_login(people["mr"])
    body = get(client, f"{REVIEWS}/{review.pk}")[1]
    item = next(i for i in body["items"] if i["kind"]["key"] == "nonconformities")
    assert item["pack_stored"] is False
    assert figure(item["pack"], "open_dofs")["value"] == "0 adet"
    assert body["minutes"] is None
    assert all(i["pack"] is None for i in get(client, f"{REVIEWS}/{review.pk}", pack="false")[1]["items"])


def test_a_reviews_actions(client, minutes_review, people):
    client.force_login(people["mr"])
    status, body = get(client, f"{REVIEWS}/{minutes_review.pk}/actions")
    assert status == 200
    first, second = body
    assert first["text"] == "Vardiya planını yoğun saatlere göre güncelle."
    assert first["owner"]["full_name"] == "Gülşen Ünlü"
    assert first["due"] == "2026-12-31"
    assert first["status"]["key"] == "open"
    assert first["item"]["key"] == "contact_centre"
    assert first["decision_id"] is not None
    assert first["code"] == f"YGG-2026-1/A{first['id']}"
    assert first["review"]["code"] == "YGG-2026-1" and first["review"]["state"]["key"] == "approved"
    assert second["item"] is None and second["nonconformity"] is None
    assert get(client, f"{REVIEWS}/999999/actions")[0] == 404
    assert get(client, f"{REVIEWS}/999999")[0] == 404


def test_actions_across_reviews_filter_by_status_and_overdue(client, minutes_review, people):
    late = minutes_review.actions.get(owner=people["owner"])
    Action.objects.filter(pk=late.pk).update(due=timezone.localdate() - dt.timedelta(days=3))
    done = minutes_review.actions.get(owner=people["mr"])
    services.set_action_status(done, user=people["mr"], status="done", note="Anket güncellendi.")
    client.force_login(people["mr"])
    assert get(client, ACTIONS)[1]["count"] == 2
    assert [a["id"] for a in get(client, ACTIONS, status="open")[1]["items"]] == [late.pk]
    assert [a["id"] for a in get(client, ACTIONS, status="done")[1]["items"]] == [done.pk]
    overdue = get(client, ACTIONS, status="open", overdue=1)[1]["items"]
    assert [a["id"] for a in overdue] == [late.pk] and overdue[0]["overdue"] is True
    assert get(client, ACTIONS, owner=people["owner"].username)[1]["count"] == 1
    assert get(client, ACTIONS, review=minutes_review.pk)[1]["count"] == 2
    assert get(client, ACTIONS, status="lost")[0] == 400


def test_actions_of_a_review_not_yet_approved_are_never_overdue(client, review, mr):
    make_ready(review)
    review.actions.create(text="Taslak faaliyet", owner=mr, due=dt.date(2020, 1, 1))
    client.force_login(mr)
    body = get(client, ACTIONS)[1]
    assert body["count"] == 1 and body["items"][0]["overdue"] is False
    assert get(client, ACTIONS, overdue=1)[1]["count"] == 0


def test_an_action_owner_reads_only_their_own_actions(client, minutes_review, make_review, people):
    owner = people["owner"]  # a unit manager: may not view reviews
    draft = make_review(planned=dt.date(2027, 11, 20))
    draft.actions.create(text="Henüz onaylanmamış", owner=owner, due=dt.date(2027, 12, 1))
    client.force_login(owner)
    status, body = get(client, ACTIONS)
    assert status == 200
    assert [a["owner"]["username"] for a in body["items"]] == [owner.username]
    assert body["items"][0]["text"] == "Vardiya planını yoğun saatlere göre güncelle."
    assert get(client, ACTIONS, owner=people["mr"].username)[1]["count"] == 0
    # ... and nothing else of the reviews.
    assert get(client, REVIEWS)[0] == 403
    assert get(client, f"{REVIEWS}/{minutes_review.pk}")[0] == 403
    assert get(client, f"{REVIEWS}/{minutes_review.pk}/actions")[0] == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.QA_EVALUATOR, Role.TEAM_LEAD])
def test_those_who_may_not_view_reviews_and_own_no_action_are_refused(role_client, minutes_review, role):
    client = role_client(role, unit="ALO153")
    assert get(client, REVIEWS)[0] == 403
    assert get(client, f"{REVIEWS}/{minutes_review.pk}")[0] == 403
    assert get(client, f"{REVIEWS}/{minutes_review.pk}/actions")[0] == 403
    assert get(client, ACTIONS)[0] == 403


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_readers_see_every_action(role_client, minutes_review, role):
    client = role_client(role, unit="HİŞM")
    assert get(client, ACTIONS)[1]["count"] == 2
    assert get(client, REVIEWS)[0] == 200


def test_no_credentials_is_401(client, minutes_review):
    assert client.get(REVIEWS).status_code == 401
    assert client.get(ACTIONS).status_code == 401


# --- fixed query counts -------------------------------------------------------------------------------


def _reviews(first: int, count: int, chair, mr):
    Review.objects.bulk_create([
        Review(code=f"YGG-2000-{n}", title=f"Gözden geçirme {n}",
               planned_date=dt.date(2000, 1, 1) + dt.timedelta(days=n), period_start=dt.date(1999, 1, 1),
               period_end=dt.date(1999, 12, 31), chair=chair, created_by=mr)
        for n in range(first, first + count)
    ])


def _queries(client, path, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(queries)


def test_the_review_list_runs_the_same_queries_for_10_and_100_reviews(client, mr, chair):
    client.force_login(mr)
    _reviews(1, 10, chair, mr)
    at_10 = _queries(client, REVIEWS, limit=500)
    _reviews(11, 90, chair, mr)
    assert Review.objects.count() == 100
    assert _queries(client, REVIEWS, limit=500) == at_10


@pytest.mark.parametrize("as_owner", [False, True])
def test_the_action_lists_run_the_same_queries_for_10_and_100_actions(client, review, mr, chair, make_user,
                                                                      as_owner):
    owner = make_user(Role.STAFF, unit="KSB")
    for n in range(10):
        review.actions.create(text=f"Faaliyet {n}", owner=owner, due=dt.date(2026, 12, 1) + dt.timedelta(days=n))
    make_ready(review)
    services.submit(review, user=mr)
    services.approve(review, user=chair)
    client.force_login(owner if as_owner else mr)
    counts_10 = (_queries(client, ACTIONS, limit=500), _queries(client, ACTIONS, limit=500, status="open", overdue=1))
    detail_10 = None if as_owner else (_queries(client, f"{REVIEWS}/{review.pk}/actions"),
                                       _queries(client, f"{REVIEWS}/{review.pk}", pack="false"))
    # Written past the frozen-minutes guard (bulk_create skips save()): only the number matters here.
    Action.objects.bulk_create([
        Action(review=review, text=f"Ek faaliyet {n}", owner=owner, due=dt.date(2020, 1, 1))
        for n in range(90)
    ])
    assert review.actions.count() == 100
    assert (_queries(client, ACTIONS, limit=500),
            _queries(client, ACTIONS, limit=500, status="open", overdue=1)) == counts_10
    if not as_owner:
        assert (_queries(client, f"{REVIEWS}/{review.pk}/actions"),
                _queries(client, f"{REVIEWS}/{review.pk}", pack="false")) == detail_10

