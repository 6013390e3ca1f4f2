"""The unit tree keeps a materialised path: right on create, rewritten for a whole subtree on a move.

A unit can never be moved under itself or one of its own sub-units, and a unit that still has
sub-units or staff cannot be deleted (its records would lose their unit).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from qms.models import StaffProfile, Unit, UnitKind
from qms.models.organisation import PATH_STEP
from qms.roles import Role


def seg(unit: Unit) -> str:
    return f"{unit.pk:0{PATH_STEP}d}/"


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


@pytest.fixture
def chain(db):
    """A → B → C → D (four levels) and a separate root X."""
    a = Unit.objects.create(code="A", name="A", kind=UnitKind.DEPARTMENT)
    b = Unit.objects.create(code="B", name="B", parent=a)
    c = Unit.objects.create(code="C", name="C", parent=b)
    d = Unit.objects.create(code="D", name="D", parent=c)
    x = Unit.objects.create(code="X", name="X", kind=UnitKind.DEPARTMENT)
    return {u.code: u for u in (a, b, c, d, x)}


# --- create -----------------------------------------------------------------------------------


def test_root_unit_gets_its_own_path_and_depth_one(chain):
    a = fresh(chain["A"])
    assert a.path == seg(a)
    assert a.depth == 1
    assert a.parent is None


def test_child_path_extends_its_parents(chain):
    a, b, c, d = (fresh(chain[code]) for code in "ABCD")
    assert b.path == seg(a) + seg(b)
    assert c.path == seg(a) + seg(b) + seg(c)
    assert d.path == seg(a) + seg(b) + seg(c) + seg(d)
    assert [u.depth for u in (a, b, c, d)] == [1, 2, 3, 4]


def test_plain_save_keeps_the_path(chain):
    c = fresh(chain["C"])
    before = c.path
    c.name = "C renamed"
    c.save()
    assert fresh(c).path == before


# --- move -------------------------------------------------------------------------------------


def test_move_rewrites_every_descendant(chain):
    b = fresh(chain["B"])
    b.parent = chain["X"]
    b.save()

    x, b, c, d = (fresh(chain[code]) for code in "XBCD")
    assert b.path == seg(x) + seg(b)
    assert c.path == seg(x) + seg(b) + seg(c)
    assert d.path == seg(x) + seg(b) + seg(c) + seg(d)
    assert [u.depth for u in (b, c, d)] == [2, 3, 4]
    assert fresh(chain["A"]).path == seg(chain["A"])  # the old parent is untouched


def test_move_to_the_top_level_shortens_the_paths(chain):
    c = fresh(chain["C"])
    c.parent = None
    c.save()
    c, d = fresh(chain["C"]), fresh(chain["D"])
    assert c.path == seg(c)
    assert d.path == seg(c) + seg(d)
    assert (c.depth, d.depth) == (1, 2)


def test_move_rewrites_descendants_in_one_statement(chain):
    # Widen the subtree so a per-row rewrite would show: B has three levels below it.
    for i in range(5):
        Unit.objects.create(code=f"C{i}", name=f"C{i}", parent=chain["B"])
    b = fresh(chain["B"])
    b.parent = chain["X"]

    with CaptureQueriesContext(connection) as queries:
        b.save()

    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE") and "qms_unit" in q["sql"]]
    descendant_updates = [sql for sql in updates if "LIKE" in sql.upper()]
    assert len(descendant_updates) == 1, updates
    assert len(updates) == 2, updates  # the unit itself, then all its descendants at once
    assert all(u.path.startswith(fresh(b).path) for u in Unit.objects.filter(code__startswith="C"))


def test_moving_a_stale_instance_uses_the_current_paths(chain):
    """An instance loaded before its parent moved must not write the old path back."""
    d = Unit.objects.select_related("parent").get(code="D")  # D.parent (C) cached with its old path
    b = fresh(chain["B"])
    b.parent = chain["X"]
    b.save()

    d.name = "D renamed"
    d.save()

    x, b, c, d = (fresh(chain[code]) for code in "XBCD")
    assert d.path == seg(x) + seg(b) + seg(c) + seg(d)
    assert d.depth == 4


def test_move_with_update_fields_still_moves_the_path(chain):
    b = fresh(chain["B"])
    b.parent = chain["X"]
    b.save(update_fields=["parent"])
    x, b, c = fresh(chain["X"]), fresh(chain["B"]), fresh(chain["C"])
    assert b.path == seg(x) + seg(b)
    assert c.path == b.path + seg(c)


@pytest.mark.parametrize("target", ["B", "C", "D"])
def test_moving_under_itself_or_a_descendant_is_refused(chain, target):
    b = fresh(chain["B"])
    before = {u.code: (u.path, u.depth, u.parent_id) for u in Unit.objects.all()}
    b.parent = fresh(chain[target])

    with pytest.raises(ValidationError) as excinfo:
        b.save()

    assert "parent" in excinfo.value.message_dict
    assert "altına taşınamaz" in excinfo.value.message_dict["parent"][0]  # Turkish is the default
    assert {u.code: (u.path, u.depth, u.parent_id) for u in Unit.objects.all()} == before


def test_full_clean_refuses_the_cycle_too(chain):
    """The admin form calls full_clean: the refusal shows on the parent field there."""
    b = fresh(chain["B"])
    b.parent = fresh(chain["D"])
    with pytest.raises(ValidationError) as excinfo:
        b.full_clean()
    assert list(excinfo.value.message_dict) == ["parent"]


def test_stale_instance_cannot_create_a_cycle(chain):
    """The cycle check reads current paths, not the ones an old instance remembers."""
    a_stale = fresh(chain["A"])
    x_stale = fresh(chain["X"])  # remembers X as a top-level unit
    x = fresh(chain["X"])
    x.parent = chain["A"]  # X joins A's tree
    x.save()

    a_stale.parent = x_stale  # A under X, while X is now under A
    with pytest.raises(ValidationError):
        a_stale.save()

    assert fresh(chain["A"]).parent_id is None
    assert fresh(chain["X"]).path == seg(chain["A"]) + seg(chain["X"])


def test_a_move_between_siblings_keeps_fixed_width_prefixes_apart(db):
    """Unit 1's path must not be a prefix of unit 10's ("1/" vs "10/")."""
    units = [Unit.objects.create(code=f"S{i}", name=f"S{i}") for i in range(12)]
    first = units[0]
    for unit in units[1:]:
        assert not unit.path.startswith(first.path)
    assert list(Unit.objects.subtree(first)) == [first]


# --- queries ----------------------------------------------------------------------------------


def test_subtree_is_the_unit_and_everything_below(org):
    cm = org["ÇMŞ"]
    assert set(Unit.objects.subtree(cm).values_list("code", flat=True)) == {"ÇMŞ", "ALO153", "ÇMPK"}
    assert set(Unit.objects.subtree(org["HİŞM"]).values_list("code", flat=True)) == {
        "HİŞM",
        "ÇMŞ",
        "ALO153",
        "ÇMPK",
        "ÇÖZM",
        "KSB",
    }
    assert list(Unit.objects.subtree(org["KSB"]).values_list("code", flat=True)) == ["KSB"]


def test_subtree_is_one_query(org):
    with CaptureQueriesContext(connection) as queries:
        list(Unit.objects.subtree(org["HİŞM"]))
    assert len(queries) == 1


def test_subtree_follows_a_move(org):
    ksb = fresh(org["KSB"])
    ksb.parent = org["ÇMŞ"]
    ksb.save()
    assert "KSB" in set(Unit.objects.subtree(org["ÇMŞ"]).values_list("code", flat=True))
    assert "KSB" not in set(Unit.objects.subtree(fresh(org["ÇÖZM"])).values_list("code", flat=True))


def test_ancestors_are_root_first(chain):
    d = fresh(chain["D"])
    assert list(d.ancestors().values_list("code", flat=True)) == ["A", "B", "C"]
    assert list(fresh(chain["A"]).ancestors()) == []


def test_ancestors_follow_a_move(chain):
    b = fresh(chain["B"])
    b.parent = chain["X"]
    b.save()
    assert list(fresh(chain["D"]).ancestors().values_list("code", flat=True)) == ["X", "B", "C"]


def test_indented_name_shows_the_depth(chain):
    assert fresh(chain["C"]).indented_name == "— — C"


def test_default_ordering_is_tree_order(org):
    codes = list(Unit.objects.filter(code__in=["HİŞM", "ÇMŞ", "ALO153", "ÇÖZM", "KSB"]).values_list("code", flat=True))
    assert codes.index("HİŞM") < codes.index("ÇMŞ") < codes.index("ALO153")
    assert codes.index("ÇÖZM") < codes.index("KSB")


# --- delete -----------------------------------------------------------------------------------


def test_unit_with_sub_units_cannot_be_deleted(chain):
    with pytest.raises(ProtectedError):
        fresh(chain["C"]).delete()
    assert Unit.objects.filter(code="C").exists()


def test_unit_with_staff_cannot_be_deleted(make_user, org):
    make_user(Role.STAFF, unit="KSB")
    with pytest.raises(ProtectedError):
        fresh(org["KSB"]).delete()
    assert Unit.objects.filter(code="KSB").exists()


def test_unit_with_inactive_staff_cannot_be_deleted_either(make_user, org):
    user = make_user(Role.STAFF, unit="KSB")
    StaffProfile.objects.filter(user=user).update(is_active=False)
    with pytest.raises(ProtectedError):
        fresh(org["KSB"]).delete()


def test_empty_leaf_unit_can_be_deleted(chain):
    fresh(chain["D"]).delete()
    assert not Unit.objects.filter(code="D").exists()
