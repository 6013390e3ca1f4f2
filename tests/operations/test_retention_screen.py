"""The retention screen is the management representative's: others get 403, anonymous visitors the
sign-in page. It shows each type's period, env variable, due and held counts, the active holds and
the last runs, with a fixed number of queries; holds are placed (record validated) and released by POST."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.operations.models import LegalHold
from qms.operations.retention import apply_retention
from qms.roles import Role
from tests.operations.retention_data import PERIODS, TODAY, build, people, periods

__all__ = ["build", "people", "periods"]  # fixtures

pytestmark = pytest.mark.django_db

URL = "/admin/retention/"


def expired_by_now(key: str) -> int:
    """Days before TODAY that are one day past `key`'s period as of the real today (the screen's day)."""
    return PERIODS[key] + 1 + (TODAY - timezone.localdate()).days


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.QA_LEAD, Role.INTERNAL_AUDITOR, Role.STAFF])
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(reverse("operations:hold_place"), {"record_type": "call_records", "object_id": "1",
                                                          "reason": "x"}).status_code == 403
    assert not LegalHold.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_representative_sees_periods_env_names_due_and_held(client, periods, build, people):
    old = build.call(expired_by_now("call_records"))
    build.call(expired_by_now("call_records") + 1)
    LegalHold.objects.create(record_type="call_records", object_id=str(old.pk), reason="Dava 2026/3",
                             reference="E-99", placed_by=people.mr)
    apply_retention(dry_run=True, today=TODAY)
    client.force_login(people.mr)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["lines"][0].cutoff is not None
    text = response.content.decode()
    assert "RETENTION_CALL_RECORDS_DAYS" in text and "RETENTION_AUDIT_LOG_DAYS" in text
    assert "Dava 2026/3" in text and "E-99" in text
    line = next(line for line in response.context["lines"] if line.record_type.key == "call_records")
    assert (line.due, len(line.held)) == (1, 1)
    assert len(response.context["runs"]) == 1


def test_a_hold_is_placed_on_an_existing_record_only(client, periods, build, people):
    call = build.call(1)
    client.force_login(people.mr)
    refused = client.post(reverse("operations:hold_place"), {"record_type": "call_records", "object_id": "424242",
                                                             "reason": "Dava"})
    assert refused.status_code == 400 and not LegalHold.objects.exists()
    placed = client.post(reverse("operations:hold_place"), {"record_type": "call_records", "object_id": call.call_id,
                                                            "reason": "Dava", "reference": "E-1"})
    assert placed.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.object_id, hold.placed_by, hold.reference) == (str(call.pk), people.mr, "E-1")


def test_a_hold_is_released_only_by_post_after_confirmation(client, periods, build, people):
    hold = LegalHold.objects.create(record_type="call_records", object_id=str(build.call(1).pk), reason="Dava")
    client.force_login(people.mr)
    url = reverse("operations:hold_release", args=[hold.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    hold.refresh_from_db()
    assert hold.active
    assert client.post(url).status_code == 302
    hold.refresh_from_db()
    assert not hold.active and hold.released_by == people.mr
    assert client.post(url).status_code == 404, "a released hold cannot be released again"


def test_csrf_is_required(people, periods):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.mr)
    response = strict.post(reverse("operations:hold_place"), {"record_type": "call_records", "object_id": "1",
                                                              "reason": "x"})
    assert response.status_code == 403


def _queries(client, build, people, n: int) -> int:
    for _ in range(n):
        call = build.call(expired_by_now("call_records"))
        LegalHold.objects.create(record_type="call_records", object_id=str(call.pk), reason="Dava", placed_by=people.mr)
        build.call(expired_by_now("call_records"))
        build.check_in(expired_by_now("attendance_signatures"))
        build.log_entry(call, expired_by_now("audit_log"))
    apply_retention(dry_run=True, today=TODAY)
    client.force_login(people.mr)
    client.get(URL)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_query_count_is_the_same_at_10_and_100_rows(client, periods, build, people):
    at_10 = _queries(client, build, people, 10)
    at_100 = _queries(client, build, people, 90)
    assert at_10 == at_100, (at_10, at_100)
