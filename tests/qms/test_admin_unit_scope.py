"""Every admin URL of the organisation snippets, walked as every role (DESIGN rule 4).

Each view names the permission it needs (Wagtail's `permission_required` /
`any_permission_required`); without it the view refuses (Wagtail redirects to the dashboard with
a message, or answers 403 to XHR), anonymous users are sent to the login page. On top of that the
staff views apply the unit scope: a record outside the user's scope is 404 on every object URL
(guessing the address does not help), and lists and choosers leave it out.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role, permissions_for
from tests.qms.admin_forms import staff_form

ALL_ROLES = list(Role)
STAFF_VIEWSET = StaffProfile.snippet_viewset
UNIT_VIEWSET = Unit.snippet_viewset
HOME = reverse("wagtailadmin_home")

# Every role's user sits in ÇMŞ; the units whose staff each role may see from there.
EVERY_UNIT = {"HİŞM", "ÇMŞ", "ALO153", "ÇMPK", "ÇÖZM", "KSB", "FEN"}
VISIBLE_FROM_CMS = {
    role: EVERY_UNIT
    if ROLES[role].sees_all_units
    else {"ÇMŞ", "ALO153", "ÇMPK"}
    if role == Role.UNIT_MANAGER
    else {"ÇMŞ"}
    for role in Role
}


def url_patterns(viewset) -> list[tuple[str, bool]]:
    """(URL name, takes a pk) for every URL the viewset registers."""
    return [(viewset.get_url_name(p.name), "pk" in str(p.pattern)) for p in viewset.get_urlpatterns()]


STAFF_URLS = url_patterns(STAFF_VIEWSET)
UNIT_URLS = url_patterns(UNIT_VIEWSET)
CHOOSER = STAFF_VIEWSET.chooser_viewset.name


def url_for(name: str, takes_pk: bool, obj=None) -> str:
    return reverse(name, args=[obj.pk]) if takes_pk else reverse(name)


def required_actions(url: str) -> list[str]:
    view_class = resolve(url).func.view_class
    if view_class.any_permission_required is not None:
        return list(view_class.any_permission_required)
    assert view_class.permission_required, f"{view_class.__name__} names no permission"
    return [view_class.permission_required]


def may(role: Role, model: str, actions: list[str]) -> bool:
    perms = permissions_for(role)
    return any(f"qms.{action}_{model}" in perms for action in actions)


def assert_refused(response) -> None:
    """Wagtail's refusal: back to the dashboard (with a message), never the page itself."""
    assert response.status_code == 302, response.status_code
    assert response.url == HOME


@pytest.fixture
def people(make_user):
    """One staff member in each unit, with a name that can be searched for in a page."""
    return {
        code: make_user(
            Role.STAFF, unit=code, username=f"p.{code.lower()}", first_name=f"Kişi{i}", last_name=f"Birim{code}"
        ).staff_profile
        for i, code in enumerate(sorted(EVERY_UNIT))
    }


def page_text(response) -> str:
    """The page's text; for a chooser's modal-workflow JSON response, the HTML and data it carries."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def codes_shown(response, people) -> set[str]:
    text = page_text(response)
    return {code for code, profile in people.items() if profile.full_name in text}


# --- every view names its permission ----------------------------------------------------------


@pytest.mark.parametrize(("name", "takes_pk"), STAFF_URLS + UNIT_URLS)
def test_every_view_names_the_permission_it_needs(name, takes_pk):
    url = reverse(name, args=[1]) if takes_pk else reverse(name)
    assert required_actions(url)


def test_the_staff_viewset_has_the_expected_urls():
    names = {name.split(":")[1] for name, _ in STAFF_URLS}
    assert {"list", "list_results", "add", "edit", "delete", "usage", "history", "history_results"} <= names
    assert "copy" not in names  # copying a person makes no sense


# --- anonymous --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "takes_pk"), STAFF_URLS + UNIT_URLS)
def test_anonymous_is_sent_to_login(client, people, name, takes_pk):
    obj = people["KSB"] if "staffprofile" in name else people["KSB"].unit
    url = url_for(name, takes_pk, obj)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


# --- the staff views, as every role -----------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "takes_pk"), STAFF_URLS)
def test_staff_urls_follow_permission_and_scope(role_client, people, role, name, takes_pk):
    client = role_client(role, unit="ÇMŞ")
    targets = people.values() if takes_pk else [None]
    for target in targets:
        url = url_for(name, takes_pk, target)
        response = client.get(url)
        allowed = may(role, "staffprofile", required_actions(url))
        if target is not None and target.unit.code not in VISIBLE_FROM_CMS[role]:
            # Outside the scope: 404 (or refused for lack of permission); never the page.
            assert response.status_code in (302, 404), (role, url, response.status_code)
            if allowed:
                assert response.status_code == 404, (role, url)
        elif allowed:
            assert response.status_code == 200, (role, url, response.status_code)
        else:
            assert_refused(response)


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF])
def test_staff_list_is_403_to_xhr_without_view_permission(role_client, people, role):
    client = role_client(role, unit="ÇMŞ")
    response = client.get(reverse(STAFF_VIEWSET.get_url_name("list")), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if may(r, "staffprofile", ["view"])])
def test_staff_list_shows_exactly_the_scope(role_client, people, role):
    client = role_client(role, unit="ÇMŞ")
    for name in ("list", "list_results"):
        response = client.get(reverse(STAFF_VIEWSET.get_url_name(name)))
        assert response.status_code == 200
        assert codes_shown(response, people) == VISIBLE_FROM_CMS[role], (role, name)


def test_unit_manager_sees_alo153_but_not_ksb(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    response = client.get(reverse(STAFF_VIEWSET.get_url_name("list")))
    text = response.content.decode()
    assert people["ALO153"].full_name in text
    assert people["ÇMPK"].full_name in text
    assert people["KSB"].full_name not in text


@pytest.mark.parametrize("action", ["edit", "history", "history_results", "delete", "usage"])
def test_unit_manager_guessing_a_ksb_url_gets_404(role_client, people, action):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    response = client.get(reverse(STAFF_VIEWSET.get_url_name(action), args=[people["KSB"].pk]))
    assert response.status_code == 404
    assert people["KSB"].full_name not in response.content.decode()


def test_search_does_not_reach_outside_the_scope(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    url = reverse(STAFF_VIEWSET.get_url_name("list_results"))
    found = client.get(url, {"q": people["ALO153"].user.first_name})
    assert people["ALO153"].full_name in found.content.decode()
    hidden = client.get(url, {"q": people["KSB"].user.first_name})
    assert hidden.status_code == 200
    assert people["KSB"].full_name not in hidden.content.decode()


def test_unit_search_works(role_client, org):
    client = role_client(Role.STAFF, unit="ÇMŞ")
    response = client.get(reverse(UNIT_VIEWSET.get_url_name("list_results")), {"q": "Karşılama"})
    assert response.status_code == 200
    assert org["KSB"].name in response.content.decode()
    assert org["FEN"].name not in response.content.decode()


def test_unit_filter_does_not_reach_outside_the_scope(role_client, people):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    response = client.get(reverse(STAFF_VIEWSET.get_url_name("list_results")), {"unit": people["KSB"].unit_id})
    assert people["KSB"].full_name not in response.content.decode()


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_unit_manager_cannot_post_changes(role_client, people, action):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    inside, outside = people["ALO153"], people["KSB"]
    url_inside = reverse(STAFF_VIEWSET.get_url_name(action), args=[inside.pk])
    url_outside = reverse(STAFF_VIEWSET.get_url_name(action), args=[outside.pk])
    data = staff_form(inside, title="Değişti")

    assert_refused(client.post(url_inside, data))
    assert client.post(url_outside, staff_form(outside, title="Değişti")).status_code == 404

    assert StaffProfile.objects.filter(pk__in=[inside.pk, outside.pk], title="Memur").count() == 2


def test_management_representative_can_edit_any_staff(role_client, people):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    target = people["KSB"]
    url = reverse(STAFF_VIEWSET.get_url_name("edit"), args=[target.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, staff_form(target, title="Şef Yardımcısı", unit=people["FEN"].unit_id))

    assert response.status_code == 302, response.context["form"].errors if response.context else None
    target.refresh_from_db()
    assert (target.title, target.unit.code) == ("Şef Yardımcısı", "FEN")


def test_management_representative_can_add_staff(role_client, people, make_user):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    newcomer = make_user(Role.STAFF, unit=None, username="yeni.personel")
    url = reverse(STAFF_VIEWSET.get_url_name("add"))
    assert client.get(url).status_code == 200

    data = {"user": newcomer.pk, "unit": people["KSB"].unit_id, "title": "Memur", "is_active": "on"}
    response = client.post(url, data)

    assert response.status_code == 302
    assert StaffProfile.objects.get(user=newcomer).unit.code == "KSB"


def test_nobody_deletes_staff_they_are_deactivated_instead(role_client, people):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    target = people["KSB"]
    response = client.post(reverse(STAFF_VIEWSET.get_url_name("delete"), args=[target.pk]))
    assert response.status_code in (302, 403)
    assert StaffProfile.objects.filter(pk=target.pk).exists()


# --- the staff chooser (used by other models' forms) ------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_chooser_offers_only_the_scope(role_client, people, role):
    client = role_client(role, unit="ÇMŞ")
    expected = VISIBLE_FROM_CMS[role] if may(role, "staffprofile", ["view"]) else set()
    for name in ("choose", "choose_results"):
        response = client.get(reverse(f"{CHOOSER}:{name}"))
        assert response.status_code == 200
        assert codes_shown(response, people) == expected, (role, name)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_chooser_refuses_a_guessed_id(role_client, people, role):
    client = role_client(role, unit="ÇMŞ")
    visible = VISIBLE_FROM_CMS[role] if may(role, "staffprofile", ["view"]) else set()
    for code, profile in people.items():
        response = client.get(reverse(f"{CHOOSER}:chosen", args=[profile.pk]))
        assert response.status_code == (200 if code in visible else 404), (role, code)
    many = client.get(reverse(f"{CHOOSER}:chosen_multiple"), {"id": [p.pk for p in people.values()]})
    assert many.status_code == 200
    assert codes_shown(many, people) == visible


# --- the unit views ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "takes_pk"), UNIT_URLS)
def test_unit_urls_follow_permission(role_client, org, role, name, takes_pk):
    client = role_client(role, unit="ÇMŞ")
    url = url_for(name, takes_pk, org["KSB"])
    response = client.get(url)
    if may(role, "unit", required_actions(url)):
        assert response.status_code == 200, (role, url, response.status_code)
    else:
        assert_refused(response)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_sees_the_whole_unit_list(role_client, org, role):
    client = role_client(role, unit="ÇMŞ")
    response = client.get(reverse(UNIT_VIEWSET.get_url_name("list")))
    assert response.status_code == 200
    text = response.content.decode()
    for unit in org.values():
        assert unit.name in text


def unit_form(unit: Unit, **changes) -> dict:
    data = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "answers_requests": "on" if unit.answers_requests else "",
        "is_active": "on" if unit.is_active else "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != Role.MANAGEMENT_REPRESENTATIVE])
def test_only_the_management_representative_may_change_units(role_client, org, role):
    client = role_client(role, unit="ÇMŞ")
    ksb = org["KSB"]
    units_before = Unit.objects.count()

    assert_refused(client.post(reverse(UNIT_VIEWSET.get_url_name("add")), unit_form(ksb, code="YENİ")))
    assert_refused(client.post(reverse(UNIT_VIEWSET.get_url_name("edit"), args=[ksb.pk]), unit_form(ksb, name="X")))
    assert_refused(client.post(reverse(UNIT_VIEWSET.get_url_name("delete"), args=[ksb.pk])))

    assert Unit.objects.count() == units_before
    assert Unit.objects.get(pk=ksb.pk).name == ksb.name


def test_management_representative_adds_and_moves_units_but_never_deletes(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    add = client.post(reverse(UNIT_VIEWSET.get_url_name("add")), unit_form(org["KSB"], code="YENİ", name="Yeni Birim"))
    assert add.status_code == 302
    new = Unit.objects.get(code="YENİ")
    assert new.parent == org["ÇÖZM"]
    assert new.depth == 3

    moved = client.post(
        reverse(UNIT_VIEWSET.get_url_name("edit"), args=[new.pk]), unit_form(new, parent=org["ÇMŞ"].pk)
    )
    assert moved.status_code == 302
    assert Unit.objects.get(pk=new.pk).path.startswith(org["ÇMŞ"].path)

    deleted = client.post(reverse(UNIT_VIEWSET.get_url_name("delete"), args=[new.pk]))
    assert deleted.status_code in (302, 403)
    assert Unit.objects.filter(pk=new.pk).exists()  # units are deactivated, never deleted


def test_moving_a_unit_under_its_own_sub_unit_shows_a_form_error(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    cm = org["ÇMŞ"]
    url = reverse(UNIT_VIEWSET.get_url_name("edit"), args=[cm.pk])
    response = client.post(url, unit_form(cm, parent=org["ALO153"].pk))
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert Unit.objects.get(pk=cm.pk).parent == org["HİŞM"]


def test_deleting_a_unit_with_sub_units_is_refused_without_an_error_page(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    response = client.post(reverse(UNIT_VIEWSET.get_url_name("delete"), args=[org["ÇMŞ"].pk]))
    assert response.status_code in (200, 302)
    assert Unit.objects.filter(pk=org["ÇMŞ"].pk).exists()


def test_deleting_a_unit_with_staff_is_refused_without_an_error_page(role_client, people):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMŞ")
    ksb = people["KSB"].unit
    response = client.post(reverse(UNIT_VIEWSET.get_url_name("delete"), args=[ksb.pk]))
    assert response.status_code in (200, 302)
    assert Unit.objects.filter(pk=ksb.pk).exists()


# --- query counts -----------------------------------------------------------------------------


def add_staff(make_user, n: int, unit: str) -> None:
    for _ in range(n):
        make_user(Role.STAFF, unit=unit)


def list_queries(client, viewset, monkeypatch) -> tuple[int, str]:
    # Show every row on one page so that a per-row query would show in the count.
    monkeypatch.setattr(viewset.index_view_class, "get_paginate_by", lambda self, queryset: 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(viewset.get_url_name("list")))
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER])
def test_staff_list_query_count_is_the_same_for_10_and_100_rows(role_client, make_user, monkeypatch, role):
    client = role_client(role, unit="ÇMŞ")
    add_staff(make_user, 9, "ALO153")
    small, small_page = list_queries(client, STAFF_VIEWSET, monkeypatch)
    add_staff(make_user, 90, "ÇMPK")
    large, large_page = list_queries(client, STAFF_VIEWSET, monkeypatch)
    assert large_page.count("Soyad") >= 100 > small_page.count("Soyad") >= 10
    assert small == large
    assert large <= 20  # 13 when written (session, user, menus, count, one page of rows)


def test_unit_list_query_count_is_the_same_for_10_and_100_rows(role_client, org, monkeypatch):
    client = role_client(Role.STAFF, unit="ÇMŞ")
    for i in range(3):
        Unit.objects.create(code=f"U{i:03d}", name=f"Alt birim {i}", parent=org["ALO153"])
    small, small_page = list_queries(client, UNIT_VIEWSET, monkeypatch)
    for i in range(3, 93):
        Unit.objects.create(code=f"U{i:03d}", name=f"Alt birim {i}", parent=org["ÇMPK"])
    large, large_page = list_queries(client, UNIT_VIEWSET, monkeypatch)
    assert large_page.count("Alt birim") >= 90 > small_page.count("Alt birim")
    assert Unit.objects.count() >= 100
    assert small == large
    assert large <= 20  # 11 when written
