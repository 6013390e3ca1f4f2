"""django-guardian 3.5 and django-import-export 4.4 still work on this Django (DESIGN, known edges).

Both declare support only up to an older Django; the portal relies on their basics (object grants
and `get_objects_for_user`; a `ModelResource` export and import), so this suite exercises exactly
those on the installed Django. If one of these fails after an upgrade, pin Django to the newest
version all of them support and record why in docs/decisions.md.
"""

from __future__ import annotations

from importlib.metadata import version

import django
import pytest
import tablib
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, get_objects_for_user, get_perms, remove_perm
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from qms.models import StaffProfile, Unit, UnitKind
from qms.roles import Role, permissions_for

PERM = "qms.view_staffprofile"


def test_the_versions_this_file_proves():
    assert django.VERSION[:2] >= (6, 1)
    assert version("django-guardian").startswith("3.5.")
    assert version("django-import-export").startswith("4.4.")


# --- django-guardian: object grants -----------------------------------------------------------


@pytest.fixture
def grantee(make_user):
    """A person whose role does not let them see the staff list: any sight of a profile is a grant."""
    assert PERM not in permissions_for(Role.STAFF)
    return make_user(Role.STAFF, unit="KSB", username="izinli")


@pytest.fixture
def two_profiles(make_user):
    return (
        make_user(Role.STAFF, unit="ALO153", username="birinci").staff_profile,
        make_user(Role.STAFF, unit="FEN", username="ikinci").staff_profile,
    )


def fresh(user):
    """The same user without Django's and guardian's per-object permission caches."""
    return get_user_model().objects.get(pk=user.pk)


def test_an_object_grant_lets_the_user_see_that_profile_only(grantee, two_profiles):
    granted, other = two_profiles
    assert not grantee.has_perm(PERM, granted)

    assign_perm(PERM, grantee, granted)
    user = fresh(grantee)

    assert user.has_perm(PERM, granted)
    assert not user.has_perm(PERM, other)
    assert not user.has_perm(PERM)  # an object grant is not a model-wide permission
    assert get_perms(user, granted) == ["view_staffprofile"]
    visible = get_objects_for_user(user, PERM, klass=StaffProfile, accept_global_perms=False)
    assert list(visible) == [granted]


def test_removing_the_grant_revokes_it(grantee, two_profiles):
    granted, _other = two_profiles
    assign_perm(PERM, grantee, granted)
    assert fresh(grantee).has_perm(PERM, granted)

    remove_perm(PERM, grantee, granted)
    user = fresh(grantee)

    assert not user.has_perm(PERM, granted)
    assert not get_objects_for_user(user, PERM, klass=StaffProfile, accept_global_perms=False).exists()


def test_a_grant_to_a_group_reaches_its_members(grantee, two_profiles):
    granted, other = two_profiles
    group = Group.objects.create(name="Soruşturma kurulu")
    grantee.groups.add(group)
    assign_perm(PERM, group, other)
    user = fresh(grantee)

    assert user.has_perm(PERM, other)
    assert not user.has_perm(PERM, granted)
    assert list(get_objects_for_user(user, PERM, klass=StaffProfile, accept_global_perms=False)) == [other]


def test_a_grant_to_a_queryset_and_a_filtered_lookup(grantee, two_profiles, org):
    assign_perm(PERM, grantee, StaffProfile.objects.filter(pk__in=[p.pk for p in two_profiles]))
    user = fresh(grantee)
    visible = get_objects_for_user(
        user, PERM, klass=StaffProfile.objects.filter(unit=org["FEN"]), accept_global_perms=False
    )
    assert list(visible) == [two_profiles[1]]


# --- django-import-export: a ModelResource for the unit register ------------------------------


class UnitResource(resources.ModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=ForeignKeyWidget(Unit, field="code"))

    class Meta:
        model = Unit
        fields = ("code", "name", "kind", "parent")
        export_order = ("code", "name", "kind", "parent")
        import_id_fields = ["code"]
        skip_unchanged = True


def exported_csv() -> str:
    return UnitResource().export(queryset=Unit.objects.order_by("path")).csv


def test_export_keeps_turkish_letters_and_parent_codes(org):
    dataset = UnitResource().export(queryset=Unit.objects.order_by("path"))
    assert dataset.headers == ["code", "name", "kind", "parent"]
    rows = {row[0]: row for row in dataset}
    assert set(rows) == set(org)
    assert rows["HİŞM"] == ("HİŞM", "Halkla İlişkiler Şube Müdürlüğü", UnitKind.BRANCH, "")
    assert rows["ÇMPK"][1:] == ("Çağrı Merkezi Performans ve Kalite Birimi", UnitKind.UNIT, "ÇMŞ")
    text = dataset.csv
    for word in ("Şube", "Çağrı", "Çözüm", "Karşılama", "İşleri", "ÇÖZM"):
        assert word in text


def test_reimporting_an_edited_export_updates_names_without_new_rows(org):
    dataset = tablib.Dataset().load(exported_csv(), format="csv")
    names = dataset["name"]
    codes = dataset["code"]
    edited = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        row = list(row)
        if row[0] in ("KSB", "FEN"):
            row[1] = row[1] + " (güncel)"
        edited.append(row)
    before = Unit.objects.count()

    result = UnitResource().import_data(edited, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Unit.objects.count() == before
    assert Unit.objects.get(code="KSB").name == "Karşılama ve Sonuç Birimi (güncel)"
    assert Unit.objects.get(code="FEN").name == "Fen İşleri Dairesi Başkanlığı (güncel)"
    assert result.totals["update"] == 2 and result.totals["new"] == 0
    untouched = {c: n for c, n in zip(codes, names, strict=True) if c not in ("KSB", "FEN")}
    assert dict(Unit.objects.filter(code__in=untouched).values_list("code", "name")) == untouched
    # The tree is intact after the save() of every updated unit.
    assert Unit.objects.get(code="KSB").parent == org["ÇÖZM"]
    assert Unit.objects.get(code="KSB").path.startswith(org["ÇÖZM"].path)


def test_importing_a_new_unit_under_an_existing_parent(org):
    dataset = tablib.Dataset(headers=["code", "name", "kind", "parent"])
    dataset.append(["YENİ", "Yeni İletişim Birimi", UnitKind.UNIT, "ÇMŞ"])
    result = UnitResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    new = Unit.objects.get(code="YENİ")
    assert new.parent == org["ÇMŞ"]
    assert new.depth == org["ÇMŞ"].depth + 1


def test_a_row_with_an_unknown_parent_imports_nothing(org):
    dataset = tablib.Dataset(headers=["code", "name", "kind", "parent"])
    dataset.append(["İYİ", "Geçerli Satır Birimi", UnitKind.UNIT, "ÇMŞ"])
    dataset.append(["KÖTÜ", "Geçersiz Satır Birimi", UnitKind.UNIT, "YOKBÖYLE"])
    dataset.append(["KSB", "Değişmemeli", UnitKind.UNIT, "ÇÖZM"])
    before = Unit.objects.count()

    with transaction.atomic():
        result = UnitResource().import_data(
            dataset, dry_run=False, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
        )

    assert result.has_errors() or result.has_validation_errors()
    assert Unit.objects.count() == before
    assert not Unit.objects.filter(code__in=["İYİ", "KÖTÜ"]).exists()
    assert Unit.objects.get(code="KSB").name == "Karşılama ve Sonuç Birimi"
    # The failing row is named by its number (the second data row). import-export 4.4 reports an
    # unknown foreign key as a row error (DoesNotExist), not as a validation error.
    numbers = [number for number, _errors in result.row_errors()] + [row.number for row in result.invalid_rows]
    assert numbers == [2]


def test_a_dry_run_changes_nothing(org):
    dataset = tablib.Dataset().load(exported_csv(), format="csv")
    dataset.append(["YENİ", "Yeni Birim", UnitKind.UNIT, "HİŞM"])
    before = Unit.objects.count()
    result = UnitResource().import_data(dataset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1
    assert Unit.objects.count() == before
