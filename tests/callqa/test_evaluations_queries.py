"""The lists of evaluations run a fixed number of queries: the same at 10 rows and at 100 (pinned
with django_assert_num_queries), for each reader the rows are filtered for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpi.callqa import services
from tests.callqa.evaluations_data import assigned, english, marks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["english"]

# The most any of these pages may take (session, user, permissions, the rows, the filters' choices,
# the count, Wagtail's page furniture): a ceiling, the pins below are exact.
CEILING = 40


def _grow(centre, count: int, *, submit=True, dispute=False):
    """`count` more evaluations of a1 (team A) by ev1, spread over two months."""
    u = centre.users
    for n in range(count):
        offered = dt.datetime(2026, 9 + n % 2, 1 + n % 28, 8 + n % 10, n % 60)
        evaluation = assigned(centre, centre.agents.a1, u.ev1, offered_at=offered)
        if submit:
            evaluation = services.submit(evaluation, marks(centre.scorecard, accuracy=n % 5), {}, "", "", by=u.ev1)
        if dispute:
            services.dispute(evaluation, "Katılmıyorum", by=u.a1)


def _count(client, url) -> int:
    client.get(url)  # the first request after signing in also stores the session and the admin profile
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pinned(client, url, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


PAGES = [
    ("qa_lead", "callqa:evaluations", ""),
    ("mr", "callqa:evaluations", "?status=submitted"),
    ("lead_a", "callqa:evaluations", ""),
    ("ev1", "callqa:evaluations", "?month=2026-09"),
    ("a1", "callqa:evaluations", ""),
    ("a1", "callqa:my_evaluations", ""),
    ("qa_lead", "callqa:evaluations", "?format=csv"),
    ("lead_a", "callqa:evaluations", "?format=xlsx"),
    ("qa_lead", "api", "?limit=100"),
    ("lead_a", "api", "?limit=100"),
    ("a1", "api", "?limit=100"),
]


@pytest.mark.parametrize(("who", "name", "query"), PAGES)
def test_submitted_lists(client, centre, who, name, query, django_assert_num_queries):
    url = ("/api/v1/callqa/evaluations" if name == "api" else reverse(name)) + query
    client.force_login(getattr(centre.users, who))
    _grow(centre, 10)
    at_ten = _count(client, url)
    assert at_ten <= CEILING
    _grow(centre, 90)
    response = _pinned(client, url, django_assert_num_queries, at_ten)
    if name == "api":
        assert response.json()["count"] == 100


def test_the_queue(client, centre, django_assert_num_queries):
    client.force_login(centre.users.ev1)
    url = reverse("callqa:queue")
    _grow(centre, 10, submit=False)
    at_ten = _count(client, url)
    assert at_ten <= CEILING
    _grow(centre, 90, submit=False)
    response = _pinned(client, url, django_assert_num_queries, at_ten)
    assert sum(row["total"] for row in response.context["months"]) == 100
    _pinned(client, url + "?month=2026-10", django_assert_num_queries, at_ten)


def test_the_disputes(client, centre, django_assert_num_queries):
    client.force_login(centre.users.qa_lead)
    url = reverse("callqa:disputes")
    _grow(centre, 10, dispute=True)
    at_ten = _count(client, url)
    assert at_ten <= CEILING
    _grow(centre, 90, dispute=True)
    response = _pinned(client, url, django_assert_num_queries, at_ten)
    assert response.context["open_count"] == 100
