"""qms/roles.py is the one source of truth: groups hold exactly the table's permissions, always.

After migrate every role group exists with exactly `permissions_for(role)` (plus the page and
collection permissions of its capabilities); `sync_roles()` removes whatever was added by hand and
is idempotent; a capability naming a permission that does not exist stops the sync; the
generated tables in README.md and docs/roles.md match the table.
"""

from __future__ import annotations

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from qms import roles
from qms.management.commands import roles_table
from qms.roles import (
    CAPABILITIES,
    ROLES,
    Capability,
    Role,
    capability_table,
    collection_permissions_for,
    page_permissions_for,
    permissions_for,
    sync_roles,
)

BASE_DIR = Path(settings.BASE_DIR)
REGENERATE = "run `make compile-messages` then `.venv/bin/python manage.py roles_table --write`"


def group_of(role: Role) -> Group:
    return Group.objects.get(name=ROLES[role].group_name)


def group_permissions(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def page_permissions(group: Group) -> set[tuple[int, str]]:
    return set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename"))


def collection_permissions(group: Group) -> set[tuple[int, str]]:
    return {
        (collection_id, f"{app}.{codename}")
        for collection_id, app, codename in GroupCollectionPermission.objects.filter(group=group).values_list(
            "collection_id", "permission__content_type__app_label", "permission__codename"
        )
    }


def snapshot() -> dict:
    return {
        role: (
            group_permissions(group_of(role)),
            page_permissions(group_of(role)),
            collection_permissions(group_of(role)),
        )
        for role in Role
    }


# --- the table itself -------------------------------------------------------------------------


def test_every_role_is_in_the_table():
    assert set(ROLES) == set(Role)
    names = [spec.group_name for spec in ROLES.values()]
    assert len(set(names)) == len(names)


def test_every_capability_a_role_names_exists():
    for role, spec in ROLES.items():
        assert set(spec.capabilities) <= set(CAPABILITIES), role


def test_every_role_can_sign_in_to_the_admin():
    for role in Role:
        assert "wagtailadmin.access_admin" in permissions_for(role), role


@pytest.mark.django_db
def test_every_permission_named_in_capabilities_exists():
    existing = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for key, capability in CAPABILITIES.items():
        missing = (set(capability.permissions) | set(capability.collection_permissions)) - existing
        assert not missing, f"capability {key!r} names unknown permissions {sorted(missing)}"
        for action in capability.page_permissions:
            assert f"wagtailcore.{action}_page" in existing, key


# --- after migrate ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_after_migrate_each_group_has_exactly_the_tables_permissions(role):
    group = group_of(role)
    assert group_permissions(group) == permissions_for(role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_after_migrate_page_permissions_follow_the_table(role):
    root = Page.get_first_root_node()
    expected = {(root.pk, f"{action}_page") for action in page_permissions_for(role)}
    assert page_permissions(group_of(role)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_after_migrate_collection_permissions_follow_the_table(role):
    root = Collection.get_first_root_node()
    expected = {(root.pk, name) for name in collection_permissions_for(role)}
    assert collection_permissions(group_of(role)) == expected


@pytest.mark.django_db
def test_only_portal_editors_may_edit_pages():
    editors = [role for role in Role if "portal.edit" in ROLES[role].capabilities]
    assert editors == [Role.MANAGEMENT_REPRESENTATIVE]
    root = Page.get_first_root_node()
    assert page_permissions(group_of(Role.MANAGEMENT_REPRESENTATIVE)) == {
        (root.pk, "add_page"),
        (root.pk, "change_page"),
        (root.pk, "publish_page"),
    }
    for role in Role:
        if role not in editors:
            assert page_permissions(group_of(role)) == set(), role
            assert collection_permissions(group_of(role)) == set(), role


@pytest.mark.django_db
def test_wagtails_starter_groups_are_gone():
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()


@pytest.mark.django_db
def test_starter_group_in_use_is_kept(make_user):
    """Deleting a group someone is in would silently take their access; sync leaves it alone."""
    user = make_user(Role.STAFF)
    editors = Group.objects.create(name="Editors")
    user.groups.add(editors)
    sync_roles()
    assert Group.objects.filter(name="Editors").exists()


# --- sync_roles -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sync_removes_a_permission_added_by_hand():
    group = group_of(Role.STAFF)
    extra = Permission.objects.get(content_type__app_label="qms", codename="delete_unit")
    group.permissions.add(extra)
    root = Page.get_first_root_node()
    GroupPagePermission.objects.create(
        group=group, page=root, permission=Permission.objects.get(codename="publish_page")
    )
    GroupCollectionPermission.objects.create(
        group=group,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(content_type__app_label="wagtailimages", codename="add_image"),
    )

    sync_roles()

    assert group_permissions(group) == permissions_for(Role.STAFF)
    assert page_permissions(group) == set()
    assert collection_permissions(group) == set()


@pytest.mark.django_db
def test_sync_restores_a_permission_removed_by_hand():
    group = group_of(Role.MANAGEMENT_REPRESENTATIVE)
    group.permissions.clear()
    GroupPagePermission.objects.filter(group=group).delete()
    sync_roles()
    assert group_permissions(group) == permissions_for(Role.MANAGEMENT_REPRESENTATIVE)
    assert len(page_permissions(group)) == len(page_permissions_for(Role.MANAGEMENT_REPRESENTATIVE))


@pytest.mark.django_db
def test_sync_recreates_a_deleted_group():
    group_of(Role.AGENT).delete()
    sync_roles()
    assert group_permissions(group_of(Role.AGENT)) == permissions_for(Role.AGENT)


@pytest.mark.django_db
def test_sync_is_idempotent():
    before = snapshot()
    groups_before = Group.objects.count()
    sync_roles()
    sync_roles()
    assert snapshot() == before
    assert Group.objects.count() == groups_before


@pytest.mark.django_db
def test_sync_reports_when_verbose():
    out = StringIO()
    sync_roles(verbosity=1, stdout=out)
    assert str(len(ROLES)) in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["permissions", "collection_permissions"])
def test_sync_refuses_an_unknown_permission_and_applies_nothing(monkeypatch, field):
    # A hand-made grant on the first role: a half-applied sync would already have removed it.
    first = group_of(Role.MANAGEMENT_REPRESENTATIVE)
    first.permissions.add(Permission.objects.get(content_type__app_label="auth", codename="delete_group"))
    before = snapshot()
    monkeypatch.setitem(CAPABILITIES, "bogus", Capability("Bogus", **{field: ("qms.fly_to_the_moon",)}))
    spec = ROLES[Role.STAFF]
    monkeypatch.setitem(ROLES, Role.STAFF, dataclasses.replace(spec, capabilities=spec.capabilities + ("bogus",)))

    with pytest.raises(LookupError, match="qms.fly_to_the_moon"):
        sync_roles()

    monkeypatch.undo()
    assert snapshot() == before
    assert "auth.delete_group" in group_permissions(first)


@pytest.mark.django_db
def test_system_check_reports_an_unknown_capability(monkeypatch):
    from qms.checks import check_role_table

    spec = ROLES[Role.STAFF]
    monkeypatch.setitem(ROLES, Role.STAFF, dataclasses.replace(spec, capabilities=spec.capabilities + ("nope",)))
    assert [error.id for error in check_role_table(None)] == ["qms.E001"]


def test_role_groups_migration_names_every_role():
    from importlib import import_module

    created = set()
    for name in ("0002_role_groups", "0005_call_qa_role_groups"):
        created |= set(import_module(f"qms.migrations.{name}").ROLE_GROUPS)
    assert created == {spec.group_name for spec in ROLES.values()}


# --- the generated tables ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["tr", "en"])
def test_capability_table_lists_every_role_and_capability(language):
    table = capability_table(language)
    header = table.splitlines()[0]
    for role, spec in ROLES.items():
        assert (spec.group_name if language == "tr" else spec.label_en) in header, role
    for key in CAPABILITIES:
        assert f"(`{key}`)" in table
    rows = table.strip().splitlines()
    assert len(rows) == 2 + len(CAPABILITIES) + 1
    assert all(row.count("|") == len(ROLES) + 2 for row in rows)


def test_capability_table_marks_exactly_the_roles_capabilities():
    rows = {line.split("(`")[1].split("`)")[0]: line for line in capability_table("en").splitlines() if "(`" in line}
    for key, row in rows.items():
        cells = [cell.strip() for cell in row.strip("|").split("|")[1:]]
        assert cells == ["✓" if key in spec.capabilities else "" for spec in ROLES.values()], key


def read_section(relative: str, name: str) -> str:
    path = BASE_DIR / relative
    assert path.exists(), f"{relative} is missing; {REGENERATE}"
    section = roles_table.marked_section(path.read_text(encoding="utf-8"), name)
    assert section is not None, f"{relative} lacks the <!-- {name}:start/end --> markers"
    return section


@pytest.mark.parametrize(
    ("relative", "name", "language"),
    [
        ("docs/roles.md", "roles-table", "tr"),
        ("docs/roles.md", "roles-table-en", "en"),
        ("README.md", "roles-table", "tr"),
    ],
)
def test_documents_contain_the_current_table(relative, name, language):
    assert read_section(relative, name).strip() == capability_table(language).strip(), (
        f"the role table in {relative} is out of date; {REGENERATE}"
    )


# --- manage.py roles_table --------------------------------------------------------------------


def test_roles_table_command_prints_both_tables():
    out = StringIO()
    call_command("roles_table", stdout=out)
    assert capability_table("tr") in out.getvalue()
    assert capability_table("en") in out.getvalue()


def project_copy(tmp_path, readme: str, roles_md: str | None) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    if roles_md is not None:
        (tmp_path / "docs" / "roles.md").write_text(roles_md, encoding="utf-8")
    return tmp_path


MARKED_README = "# Portal\n\nBefore.\n\n<!-- roles-table:start -->\nold table\n<!-- roles-table:end -->\n\nAfter.\n"
MARKED_ROLES = (
    "# Roles\n\n<!-- roles-table:start -->\n<!-- roles-table:end -->\n\n"
    "## English\n\n<!-- roles-table-en:start -->\nold\n<!-- roles-table-en:end -->\n"
)


def test_roles_table_write_rewrites_only_the_marked_sections(tmp_path, settings):
    settings.BASE_DIR = project_copy(tmp_path, MARKED_README, MARKED_ROLES)
    call_command("roles_table", "--write", stdout=StringIO())

    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Portal\n\nBefore.\n\n<!-- roles-table:start -->\n")
    assert readme.endswith("<!-- roles-table:end -->\n\nAfter.\n")
    assert "old table" not in readme
    assert roles_table.marked_section(readme, "roles-table") == capability_table("tr")

    roles_md = (tmp_path / "docs" / "roles.md").read_text(encoding="utf-8")
    assert roles_table.marked_section(roles_md, "roles-table") == capability_table("tr")
    assert roles_table.marked_section(roles_md, "roles-table-en") == capability_table("en")

    # A second run changes nothing.
    out = StringIO()
    call_command("roles_table", "--write", stdout=out)
    assert out.getvalue().count("already up to date") == 2
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == readme


def test_roles_table_write_refuses_missing_markers_and_writes_nothing(tmp_path, settings):
    settings.BASE_DIR = project_copy(tmp_path, MARKED_README, "# Roles without markers\n")
    with pytest.raises(CommandError, match="roles-table"):
        call_command("roles_table", "--write", stdout=StringIO())
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == MARKED_README


def test_roles_table_write_refuses_a_missing_file(tmp_path, settings):
    settings.BASE_DIR = project_copy(tmp_path, MARKED_README, None)
    with pytest.raises(CommandError, match="docs/roles.md"):
        call_command("roles_table", "--write", stdout=StringIO())


def test_roles_module_documents_the_command():
    assert "roles_table" in roles.__doc__
