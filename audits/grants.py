"""Object-level grants on DÖFs (django-guardian, direct foreign-key tables).

Who sees a DÖF beyond the roles that see them all: the unit managers of its responsible unit (or
of a unit above it) see and answer it; whoever raised it and the owners of its actions see it.
`sync_grants(nc)` makes a DÖF's grants exactly that, and runs whenever one of those changes
(raising, triage, a new action) and when a person's unit or roles change (`connect()`), so a new
unit manager sees their unit's DÖFs at once and one who leaves stops seeing them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save

from qms.roles import ROLES, Role

VIEW = "view_nonconformity"
CHANGE = "change_nonconformity"


def managers_of(unit):
    """Active unit managers whose own unit is `unit` or a unit above it."""
    from qms.models import Unit

    User = get_user_model()
    prefixes = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"]
    above = Unit.objects.filter(path__in=prefixes)
    return User._default_manager.filter(
        is_active=True,
        groups__name=ROLES[Role.UNIT_MANAGER].group_name,
        staff_profile__is_active=True,
        staff_profile__unit__in=above,
    ).distinct()


def _permissions() -> dict[str, Permission]:
    return {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="audits", codename__in=[VIEW, CHANGE])
    }


def wanted_grants(nc) -> set[tuple[int, str]]:
    wanted = {(nc.raised_by_id, VIEW)}
    wanted |= {(owner_id, VIEW) for owner_id in nc.actions.values_list("owner_id", flat=True)}
    for user_id in managers_of(nc.unit).values_list("pk", flat=True):
        wanted |= {(user_id, VIEW), (user_id, CHANGE)}
    return wanted


@transaction.atomic
def sync_grants(nc) -> None:
    from audits.models import NonconformityUserObjectPermission as Grant

    perms = _permissions()
    wanted = wanted_grants(nc)
    existing = {
        (row.user_id, row.permission.codename): row.pk
        for row in Grant.objects.filter(content_object=nc).select_related("permission")
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        Grant.objects.filter(pk__in=stale).delete()
    Grant.objects.bulk_create(
        [Grant(content_object=nc, user_id=user_id, permission=perms[codename])
         for user_id, codename in wanted - existing.keys()]
    )


def sync_user(user) -> None:
    """Re-derive the grants of every DÖF this person has or could have a grant on."""
    from audits.models import Nonconformity
    from audits.models import NonconformityUserObjectPermission as Grant
    from qms.models import Unit

    affected = set(Grant.objects.filter(user=user).values_list("content_object_id", flat=True))
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        affected |= set(
            Nonconformity.objects.filter(unit__in=Unit.objects.subtree(profile.unit)).values_list("pk", flat=True)
        )
    for nc in Nonconformity.objects.filter(pk__in=affected).select_related("unit"):
        sync_grants(nc)


def _profile_saved(sender, instance, **kwargs):
    sync_user(instance.user)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse and action == "pre_clear":
        # group.user_set.clear(): post_clear does not say who was in the group; note it now.
        instance._audits_cleared_user_ids = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # group.user_set.add(...) / .remove(...) / .clear()
        user_ids = pk_set if action != "post_clear" else getattr(instance, "_audits_cleared_user_ids", ())
        for user in get_user_model()._default_manager.filter(pk__in=user_ids or ()):
            sync_user(user)
    else:
        sync_user(instance)


def sync_unit_subtree(unit_pk: int) -> None:
    """Re-derive the grants of the DÖFs of a unit and the units under it (after the unit moved
    in the tree, its managers above changed)."""
    from audits.models import Nonconformity
    from qms.models import Unit

    unit = Unit.objects.filter(pk=unit_pk).first()
    if unit is None:
        return
    for nc in Nonconformity.objects.filter(unit__in=Unit.objects.subtree(unit)).select_related("unit"):
        sync_grants(nc)


def _unit_before_save(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._audits_stored_parent_id = (
            sender.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
        )


def _unit_saved(sender, instance, created, **kwargs):
    if created or getattr(instance, "_audits_stored_parent_id", instance.parent_id) == instance.parent_id:
        return
    # After the commit: Unit.save() rewrites the paths of the units under it after this signal.
    unit_pk = instance.pk
    transaction.on_commit(lambda: sync_unit_subtree(unit_pk), robust=True)


def connect() -> None:
    from qms.models import StaffProfile, Unit

    post_save.connect(_profile_saved, sender=StaffProfile, dispatch_uid="audits_grants_profile")
    pre_save.connect(_unit_before_save, sender=Unit, dispatch_uid="audits_grants_unit_before")
    post_save.connect(_unit_saved, sender=Unit, dispatch_uid="audits_grants_unit")
    m2m_changed.connect(_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audits_grants_groups")
