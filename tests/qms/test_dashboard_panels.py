"""The portal's dashboard panels: "Your role" and "Your due and overdue items"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from qms.reminders import Reminder, register, registry
from qms.roles import CAPABILITIES, ROLES, Role

ADMIN = "/admin/"
STAFF_LIST = reverse("wagtailsnippets_qms_staffprofile:list")


def in_english(user):
    """Make the admin speak English to this user, so assertions do not depend on the catalogue."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


@pytest.mark.parametrize(
    "role",
    [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.QA_EVALUATOR, Role.AGENT, Role.STAFF],
)
def test_the_role_panel_names_the_role_unit_title_and_capabilities(role_client, role):
    client = role_client(role, unit="ALO153")
    in_english(client.user)
    response = client.get(ADMIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="qms-role-section"' in html and "Your role in the portal" in html
    assert ROLES[role].group_name in html
    assert "Çağrı Merkezi Birimi" in html and "Memur" in html
    with translation.override("en"):
        for key in ROLES[role].capabilities:
            assert str(CAPABILITIES[key].label) in html
    assert 'id="qms-reminders-section"' in html


def test_the_role_panel_says_when_there_is_no_staff_profile_and_whom_to_ask(role_client):
    client = role_client(Role.STAFF, unit=None)
    in_english(client.user)
    html = client.get(ADMIN).content.decode()
    assert "You have no staff profile" in html
    assert ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name in html


def test_role_holders_without_a_profile_show_up_for_the_management_representative_only(role_client, make_user, client):
    make_user(Role.AGENT, unit=None)
    agent = make_user(Role.AGENT, unit="ALO153")
    in_english(agent)
    client.force_login(agent)
    html = client.get(ADMIN).content.decode()
    assert "role but no staff profile" not in html
    assert "Nothing is due" in html

    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    in_english(client.user)
    html = client.get(ADMIN).content.decode()
    assert "1 user has a role but no staff profile" in html
    assert f'href="{STAFF_LIST}"' in html


@pytest.fixture
def planned_items():
    """A temporary rule serving `planned` (a list the test fills) to whoever asks; zero queries."""
    planned: list[Reminder] = []

    def rule(*, today, users):
        return list(planned)

    register("tests.dashboard_items", "Dashboard test items")(rule)
    yield planned
    registry.unregister("tests.dashboard_items")


def test_overdue_items_are_marked_in_words_and_listed_first(role_client, planned_items):
    client = role_client(Role.AGENT, unit="ALO153")
    in_english(client.user)
    today = timezone.localdate()
    planned_items += [
        Reminder(user_id=client.user.pk, title="Read procedure P-01", url="/admin/a/", due=today + timedelta(3)),
        Reminder(
            user_id=client.user.pk,
            title="Acknowledge evaluation",
            url="/admin/b/",
            due=date(2026, 1, 5),
            overdue=True,
        ),
    ]
    html = client.get(ADMIN).content.decode()
    panel = html[html.index('id="qms-reminders-section"') :]
    assert panel.index("Acknowledge evaluation") < panel.index("Read procedure P-01")
    assert "Overdue" in panel and "05.01.2026" in panel
    assert '<th scope="col">' in panel
    assert "2 items" in panel and "1 overdue" in panel


def test_the_dashboard_query_count_does_not_grow_with_the_number_of_items(role_client, planned_items):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    user = client.user
    client.get(ADMIN)  # warm caches (content types, site root) once

    def count_queries(n):
        planned_items[:] = [
            Reminder(
                user_id=user.pk,
                title=f"Item {i}",
                url=f"/admin/x/{i}/",
                due=date(2026, 3, 1 + i % 28),
                overdue=i % 3 == 0,
            )
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ADMIN)
        assert response.status_code == 200
        assert response.content.decode().count("/admin/x/") == n
        return len(queries)

    assert count_queries(1) == count_queries(20)
