"""The Training menu's entries of the plan screens: each shown to the roles that may open it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from qms.roles import Role
from training.views import plan as plan_views

pytestmark = pytest.mark.django_db

EVERYONE = {"training-request-add", "training-request-mine"}
READERS = {"training-plan", "training-courses"}
OVERSEERS = {"training-requests", "training-request-evaluation"}


@pytest.mark.parametrize(("role", "expected"), [
    (Role.TRAINING_COORDINATOR, EVERYONE | READERS | OVERSEERS),
    (Role.MANAGEMENT_REPRESENTATIVE, EVERYONE | READERS | OVERSEERS),
    (Role.TOP_MANAGEMENT, EVERYONE | READERS | OVERSEERS),
    (Role.INTERNAL_AUDITOR, EVERYONE | READERS | OVERSEERS),
    (Role.UNIT_MANAGER, EVERYONE | READERS | {"training-requests"}),
    (Role.QA_EVALUATOR, EVERYONE),
    (Role.AGENT, EVERYONE),
    (Role.STAFF, EVERYONE),
])
def test_each_role_sees_the_entries_it_may_open(make_user, role, expected):
    request = RequestFactory().get("/admin/")
    request.user = make_user(role, unit="ÇMŞ")
    shown = {item.name for item in plan_views.menu_items() if item.is_shown(request)}
    assert shown == expected
