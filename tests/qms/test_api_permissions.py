"""/api/v1/ applies the role table: 403 without the permission, the unit scope on lists and details.

A unit manager of ÇMŞ sees the staff of ÇMŞ and the units under it (ALO153, ÇMPK), never KSB's;
asking for someone outside the scope by name is 404, so their existence is not disclosed.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role

API = "/api/v1"
ALL_ROLES = list(Role)
WITHOUT_STAFF_VIEW = [Role.AGENT, Role.STAFF]
SCOPED_TO_OWN_UNIT = [Role.QA_EVALUATOR]
SEES_ALL = [role for role in Role if ROLES[role].sees_all_units]


@pytest.fixture
def people(make_user):
    """One staff member in each unit of the fixture organisation, by unit code."""
    return {
        code: make_user(Role.STAFF, unit=code, username=f"staff.{code.lower()}")
        for code in ("HİŞM", "ÇMŞ", "ALO153", "ÇMPK", "ÇÖZM", "KSB", "FEN")
    }


def usernames(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["username"] for item in response.json()["items"]}


# --- /staff -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WITHOUT_STAFF_VIEW)
def test_staff_list_is_403_without_staff_view(role_client, people, role):
    client = role_client(role, unit="ALO153")
    response = client.get(f"{API}/staff")
    assert response.status_code == 403
    assert "items" not in response.json()


@pytest.mark.parametrize("role", WITHOUT_STAFF_VIEW)
def test_staff_detail_is_403_without_staff_view(role_client, people, role):
    client = role_client(role, unit="ALO153")
    # Even a colleague in the same unit, and even one's own record.
    assert client.get(f"{API}/staff/staff.alo153").status_code == 403
    assert client.get(f"{API}/staff/{client.user.username}").status_code == 403


def test_unit_manager_sees_own_unit_and_below(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    seen = usernames(client.get(f"{API}/staff"))
    assert seen == {"staff.çmş", "staff.alo153", "staff.çmpk", client.user.username}


@pytest.mark.parametrize("code", ["KSB", "ÇÖZM", "HİŞM", "FEN"])
def test_unit_manager_gets_404_outside_the_scope(role_client, people, code):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    response = client.get(f"{API}/staff/staff.{code.lower()}")
    assert response.status_code == 404


@pytest.mark.parametrize("code", ["ÇMŞ", "ALO153", "ÇMPK"])
def test_unit_manager_gets_staff_inside_the_scope(role_client, people, code):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    response = client.get(f"{API}/staff/staff.{code.lower()}")
    assert response.status_code == 200
    assert response.json()["unit"]["code"] == code


def test_unit_filter_cannot_widen_the_scope(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    assert usernames(client.get(f"{API}/staff", {"unit": "KSB"})) == set()
    assert usernames(client.get(f"{API}/staff", {"unit": "ALO153"})) == {"staff.alo153"}


def test_unknown_and_hidden_staff_look_the_same(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    hidden = client.get(f"{API}/staff/staff.ksb")
    unknown = client.get(f"{API}/staff/no.such.person")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()


@pytest.mark.parametrize("role", SCOPED_TO_OWN_UNIT)
def test_scoped_role_sees_own_unit_only(role_client, people, role):
    client = role_client(role, unit="ÇMPK")
    assert usernames(client.get(f"{API}/staff")) == {"staff.çmpk", client.user.username}
    assert client.get(f"{API}/staff/staff.alo153").status_code == 404


def test_unit_manager_without_a_staff_profile_sees_nobody(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit=None)
    assert usernames(client.get(f"{API}/staff")) == set()
    assert client.get(f"{API}/staff/staff.alo153").status_code == 404


def test_inactive_profile_of_a_unit_manager_sees_nobody(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    StaffProfile.objects.filter(user=client.user).update(is_active=False)
    assert usernames(client.get(f"{API}/staff")) == set()


@pytest.mark.parametrize("role", SEES_ALL)
def test_roles_that_see_all_units_see_all_staff(role_client, people, role):
    client = role_client(role, unit="KSB")
    seen = usernames(client.get(f"{API}/staff", {"limit": 1000}))
    assert seen == set(StaffProfile.objects.values_list("user__username", flat=True))
    assert client.get(f"{API}/staff/staff.fen").status_code == 200


def test_management_representative_sees_all(role_client, people):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    assert {f"staff.{code.lower()}" for code in ("KSB", "ALO153", "FEN")} <= usernames(client.get(f"{API}/staff"))


def test_superuser_sees_all(client, people, make_user):
    admin = make_user(unit=None, is_superuser=True, username="root")
    client.force_login(admin)
    assert len(usernames(client.get(f"{API}/staff"))) == len(people)


# --- /units -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_sees_the_unit_tree(role_client, role):
    client = role_client(role, unit="ALO153")
    response = client.get(f"{API}/units")
    assert response.status_code == 200
    codes = [item["code"] for item in response.json()["items"]]
    assert set(codes) == set(Unit.objects.values_list("code", flat=True))
    detail = client.get(f"{API}/units/ALO153")
    assert detail.status_code == 200
    assert detail.json()["parent_code"] == "ÇMŞ"
    assert detail.json()["depth"] == 3


def test_units_are_listed_in_tree_order(role_client):
    client = role_client(Role.STAFF)
    codes = [item["code"] for item in client.get(f"{API}/units").json()["items"]]
    assert codes.index("HİŞM") < codes.index("ÇMŞ") < codes.index("ALO153")


def test_unit_codes_with_turkish_letters_resolve(role_client):
    response = role_client(Role.STAFF).get(f"{API}/units/ÇMŞ")
    assert response.status_code == 200
    assert response.json()["name"] == "Çağrı Merkezi Şefliği"


def test_unknown_unit_is_404(role_client):
    assert role_client(Role.STAFF).get(f"{API}/units/YOK").status_code == 404


def test_user_without_any_role_gets_403(role_client):
    client = role_client(unit="KSB")  # a staff profile but no group
    assert client.get(f"{API}/units").status_code == 403
    assert client.get(f"{API}/units/KSB").status_code == 403
    assert client.get(f"{API}/staff").status_code == 403
    assert client.get(f"{API}/me").status_code == 200  # who am I is always answered


# --- /me --------------------------------------------------------------------------------------


def test_me_shows_roles_and_unit(role_client):
    client = role_client(Role.UNIT_MANAGER, Role.INTERNAL_AUDITOR, unit="ÇMŞ")
    body = client.get(f"{API}/me").json()
    assert body["username"] == client.user.username
    assert body["unit"] == {"code": "ÇMŞ", "name": "Çağrı Merkezi Şefliği"}
    # Roles in table order, each with its group name.
    assert body["roles"] == [
        {"key": "internal_auditor", "name": ROLES[Role.INTERNAL_AUDITOR].group_name},
        {"key": "unit_manager", "name": ROLES[Role.UNIT_MANAGER].group_name},
    ]
    assert body["title"] == "Memur"


def test_me_without_staff_profile(role_client):
    body = role_client(Role.STAFF, unit=None).get(f"{API}/me").json()
    assert body["unit"] is None
    assert body["title"] is None
    assert body["roles"] == [{"key": "staff", "name": ROLES[Role.STAFF].group_name}]


# --- query counts -----------------------------------------------------------------------------


def add_units(n: int, parent: Unit, start: int = 0) -> None:
    for i in range(start, start + n):
        Unit.objects.create(code=f"U{i:04d}", name=f"Birim {i}", parent=parent)


def add_staff(n: int, unit: Unit, make_user) -> None:
    for _ in range(n):
        make_user(Role.STAFF, unit=unit.code)


def count_queries(client, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"limit": 1000})
    assert response.status_code == 200
    assert len(response.json()["items"]) >= expected_rows
    return len(queries)


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER])
def test_staff_list_query_count_does_not_grow_with_rows(role_client, make_user, org, role):
    client = role_client(role, unit="ÇMŞ")
    add_staff(10, org["ALO153"], make_user)
    small = count_queries(client, f"{API}/staff", 10)
    add_staff(90, org["ÇMPK"], make_user)
    large = count_queries(client, f"{API}/staff", 100)
    assert small == large


def test_unit_list_query_count_does_not_grow_with_rows(role_client, org):
    client = role_client(Role.STAFF)
    add_units(10, org["ALO153"])
    small = count_queries(client, f"{API}/units", 10)
    add_units(90, org["ÇMPK"], start=10)
    large = count_queries(client, f"{API}/units", 100)
    assert small == large
