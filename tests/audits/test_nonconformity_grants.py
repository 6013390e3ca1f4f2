"""Object grants on DÖFs (audits.grants, django-guardian): the responsible unit's managers (and the
managers of the units above it) see and answer a DÖF, its raiser and its action owners see it; the
grants follow triage, new actions, a person's unit and roles, and a unit moving in the tree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from audits import grants, rules, services
from audits.models import NCState, NonconformityUserObjectPermission, Source
from qms.models import StaffProfile
from qms.roles import ROLES, Role

pytestmark = pytest.mark.django_db

VIEW, CHANGE = "view_nonconformity", "change_nonconformity"


def granted(nc) -> dict[str, set[str]]:
    """{username: {codenames}} of the DÖF's user grants."""
    result: dict[str, set[str]] = {}
    for row in NonconformityUserObjectPermission.objects.filter(content_object=nc).select_related("user",
                                                                                                  "permission"):
        result.setdefault(row.user.username, set()).add(row.permission.codename)
    return result


def fresh(user):
    """The user re-read (Django caches permissions and roles on the user object)."""
    return get_user_model().objects.get(pk=user.pk)


def may_see(user, nc) -> bool:
    return fresh(user).has_perm(f"audits.{VIEW}", nc)


def may_change(user, nc) -> bool:
    return fresh(user).has_perm(f"audits.{CHANGE}", nc)


def group(role: Role) -> Group:
    return Group.objects.get(name=ROLES[role].group_name)


@pytest.fixture
def branch_manager(make_user):
    return make_user(Role.UNIT_MANAGER, unit="HİŞM", username="subemuduru")


@pytest.fixture
def alo_manager(make_user):
    return make_user(Role.UNIT_MANAGER, unit="ALO153", username="alosef")


def raise_for(cast, org, unit="ÇMŞ", by="clerk"):
    return services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title="Geri dönüş yok",
                                        description="Geri dönüş sözü tutulmuyor.", unit=org[unit],
                                        raised_by=cast[by])


def test_the_units_managers_and_those_above_answer_the_raiser_sees(cast, org, branch_manager, alo_manager):
    nc = raise_for(cast, org)
    assert granted(nc) == {
        "sef": {VIEW, CHANGE},           # the ÇMŞ chief
        "subemuduru": {VIEW, CHANGE},    # the branch above it
        "memur": {VIEW},                 # the raiser
    }
    assert may_change(cast["manager"], nc) and may_change(branch_manager, nc)
    assert may_see(cast["clerk"], nc) and not may_change(cast["clerk"], nc)
    # A sibling chiefdom's manager and the manager of a unit below do not.
    assert not may_see(cast["desk_manager"], nc) and not may_see(alo_manager, nc)


def test_an_action_owner_sees_the_dof(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    assert not may_see(cast["agent"], nc)
    services.action_add(nonconformity=nc, user=cast["manager"], description="Talimat", owner=cast["agent"],
                        due_date=today + dt.timedelta(days=3))
    assert granted(nc)["temsilci"] == {VIEW}
    assert may_see(cast["agent"], nc) and not may_change(cast["agent"], nc)


def test_re_triage_to_another_unit_moves_the_grants(cast, org):
    nc = raise_for(cast, org)
    services.nonconformity_triage(nonconformity=nc, user=cast["mr"], unit=org["KSB"])
    assert granted(nc) == {"cozumsef": {VIEW, CHANGE}, "memur": {VIEW}}
    assert not may_see(cast["manager"], nc) and may_change(cast["desk_manager"], nc)


def test_a_person_made_unit_manager_later_sees_the_units_dofs_at_once(cast, org, make_user):
    nc = raise_for(cast, org)
    chief = make_user(Role.STAFF, unit="ÇMŞ", username="yenisef")
    assert not may_see(chief, nc)
    chief.groups.add(group(Role.UNIT_MANAGER))
    assert granted(nc)["yenisef"] == {VIEW, CHANGE}
    assert may_change(chief, nc)
    chief.groups.remove(group(Role.UNIT_MANAGER))
    assert "yenisef" not in granted(nc) and not may_see(chief, nc)


def test_the_role_given_and_taken_through_the_group_side_too(cast, org, make_user):
    nc = raise_for(cast, org)
    chief = make_user(Role.STAFF, unit="ÇMŞ", username="yenisef")
    managers = group(Role.UNIT_MANAGER)
    managers.user_set.add(chief)
    assert may_change(chief, nc)
    managers.user_set.remove(chief)
    assert not may_see(chief, nc)
    managers.user_set.add(chief)
    chief.groups.clear()
    assert not may_see(chief, nc)
    managers.user_set.add(chief)
    managers.user_set.clear()  # every unit manager loses the role
    assert granted(nc) == {"memur": {VIEW}}


def test_a_unit_manager_moved_to_the_unit_sees_its_dofs_and_stops_seeing_the_old_ones(cast, org, make_user):
    nc = raise_for(cast, org)
    other = raise_for(cast, org, unit="FEN")
    manager = make_user(Role.UNIT_MANAGER, unit="FEN", username="tasinan")
    assert may_change(manager, other) and not may_see(manager, nc)
    profile = StaffProfile.objects.get(user=manager)
    profile.unit = org["ÇMŞ"]
    profile.save()
    assert may_change(manager, nc) and not may_see(manager, other)


def test_a_manager_who_leaves_loses_the_grants(cast, org):
    nc = raise_for(cast, org)
    profile = StaffProfile.objects.get(user=cast["manager"])
    profile.is_active = False
    profile.save()
    assert "sef" not in granted(nc)
    assert not rules.may_answer(fresh(cast["manager"]), nc)


def test_a_unit_moved_under_another_chiefdom_is_answered_by_its_new_managers(
        cast, org, django_capture_on_commit_callbacks):
    nc = raise_for(cast, org, unit="ALO153")
    assert may_change(cast["manager"], nc) and not may_see(cast["desk_manager"], nc)
    alo = org["ALO153"]
    alo.parent = org["ÇÖZM"]
    with django_capture_on_commit_callbacks(execute=True):
        alo.save()
    assert may_change(cast["desk_manager"], nc) and not may_see(cast["manager"], nc)
    assert granted(nc) == {"cozumsef": {VIEW, CHANGE}, "memur": {VIEW}}


def test_renaming_a_unit_does_not_touch_the_grants(cast, org, django_capture_on_commit_callbacks, monkeypatch):
    raise_for(cast, org)
    calls = []
    monkeypatch.setattr(grants, "sync_unit_subtree", calls.append)
    unit = org["ÇMŞ"]
    unit.name = "Çağrı Merkezi Şefliği (yeni ad)"
    with django_capture_on_commit_callbacks(execute=True):
        unit.save()
    assert calls == []


def test_sync_grants_is_exact_and_idempotent(cast, org, make_user):
    nc = raise_for(cast, org)
    stranger = make_user(Role.STAFF, unit="FEN", username="yabanci")
    NonconformityUserObjectPermission.objects.create(content_object=nc, user=stranger,
                                                     permission=grants._permissions()[CHANGE])
    assert may_change(stranger, nc)
    grants.sync_grants(nc)
    grants.sync_grants(nc)
    assert granted(nc) == {"sef": {VIEW, CHANGE}, "memur": {VIEW}}
    assert not may_see(stranger, nc)


def test_an_inactive_manager_has_no_grant(cast, org):
    cast["manager"].is_active = False
    cast["manager"].save()
    nc = raise_for(cast, org)
    assert "sef" not in granted(nc)


@pytest.mark.parametrize(("who", "expected"), [
    ("manager", True),        # the unit's own manager
    ("branch", True),         # the manager of the unit above
    ("desk_manager", False),  # another unit's manager
    ("alo", False),           # the manager of a unit below
    ("mr", True),             # the management representative answers every DÖF
    ("auditor", False),
    ("top", False),
    ("clerk", False),         # the raiser sees, does not answer
    ("agent", False),
])
def test_may_answer(cast, org, branch_manager, alo_manager, who, expected):
    nc = raise_for(cast, org)
    user = {"branch": branch_manager, "alo": alo_manager}.get(who) or cast[who]
    assert rules.may_answer(fresh(user), nc) is expected


def test_the_raisers_grant_lets_them_follow_but_not_answer(cast, org):
    nc = raise_for(cast, org, by="agent")
    with pytest.raises(PermissionDenied):
        services.nonconformity_analyse(nonconformity=nc, user=cast["agent"], whys=["a"], root_cause="r")
    assert may_see(cast["agent"], nc)
