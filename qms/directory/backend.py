"""What happens when someone signs in through the directory (LDAP / Active Directory).

- The directory checks the password and the deny group (LDAP_DENY_GROUP); the AD filter in
  docs/deploy.md also leaves out accounts disabled in AD. A person the directory knows but refuses
  (wrong password, disabled, in the deny group) is refused outright: no local password is tried for
  them, so an old local password of that person cannot be used to get round the directory.
- Every directory sign-in copies names and e-mail from the directory, makes the user's ROLE groups
  exactly the roles mapped from their directory groups (QMS_LDAP_ROLE_GROUPS; other groups are not
  touched) and keeps their local password unusable. Local users (never signed in through the
  directory) are not touched.
- The first sign-in creates the staff profile in the unit whose code is in the user's
  QMS_LDAP_UNIT_ATTRIBUTE, else in QMS_LDAP_DEFAULT_UNIT; without either the user has no profile
  until an administrator adds one (a warning is logged).
- When the directory cannot be reached (or refuses the portal's own bind), the request is marked,
  so the sign-in form says so instead of "wrong password"; local accounts still sign in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import ldap
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend, ldap_error, populate_user

from qms.audit import DIRECTORY_ROLES, record
from qms.directory import normalise_dn
from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role

logger = logging.getLogger("qms.directory")

UNAVAILABLE_FLAG = "qms_directory_unavailable"


def directory_was_unavailable(request: HttpRequest | None) -> bool:
    """True when a sign-in on this request could not be checked because the directory failed."""
    return bool(getattr(request, UNAVAILABLE_FLAG, False))


def directory_roles(group_dns: Iterable[str], role_groups: Mapping[str, Iterable[str]]) -> set[Role]:
    """The portal roles the directory groups `group_dns` give, by the LDAP_ROLE_GROUPS mapping."""
    roles: set[Role] = set()
    for group in group_dns:
        roles.update(Role(value) for value in role_groups.get(normalise_dn(group), ()))
    return roles


def sync_directory_roles(user, roles: set[Role]) -> None:
    """Make `user`'s role groups exactly `roles`; groups that are not roles stay as they are."""
    role_groups = Group.objects.filter(name__in=[spec.group_name for spec in ROLES.values()])
    wanted_names = {ROLES[role].group_name for role in roles}
    wanted = [group for group in role_groups if group.name in wanted_names]
    missing = wanted_names - {group.name for group in wanted}
    if missing:  # the role table is applied after `migrate`; a missing group means it was not run
        logger.warning("Role groups %s do not exist; run manage.py migrate.", ", ".join(sorted(missing)))
    current = set(user.groups.filter(pk__in=[group.pk for group in role_groups]))
    removed, added = current - set(wanted), set(wanted) - current
    user.groups.remove(*removed)
    user.groups.add(*added)
    if removed or added:  # who got which role, and from where, belongs in the audit trail
        record(user, DIRECTORY_ROLES, added=sorted(group.name for group in added),
               removed=sorted(group.name for group in removed))


def unit_for(attributes: Mapping[str, list[str]] | None) -> Unit | None:
    """The active unit named by the user's unit attribute, else by LDAP_DEFAULT_UNIT; None when neither names one."""
    attribute = getattr(settings, "QMS_LDAP_UNIT_ATTRIBUTE", "")
    codes = []
    if attribute and attributes:
        # Attribute names are case-insensitive in LDAP; python-ldap keeps the server's spelling.
        values = next((value for key, value in attributes.items() if key.lower() == attribute.lower()), [])
        codes.extend(value.strip() for value in values[:1] if value.strip())
    default = getattr(settings, "QMS_LDAP_DEFAULT_UNIT", "")
    if default:
        codes.append(default)
    for code in codes:
        unit = Unit.objects.filter(code=code, is_active=True).first()
        if unit is not None:
            return unit
        logger.warning("Directory unit code %r names no active unit.", code)
    return None


def ensure_staff_profile(user, attributes: Mapping[str, list[str]] | None) -> StaffProfile | None:
    """The user's staff profile, created at their first directory sign-in; later the portal keeps it."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    unit = unit_for(attributes)
    if unit is None:
        logger.warning("Directory user %s has no unit (LDAP_UNIT_ATTRIBUTE / LDAP_DEFAULT_UNIT): "
                       "signed in without a staff profile.", user.get_username())
        return None
    return StaffProfile.objects.create(user=user, unit=unit)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend with the portal's rules: roles, staff profile, no local fallback."""

    def authenticate_ldap_user(self, ldap_user, password):
        """The user; None when the directory cannot decide; PermissionDenied when it refuses a known person."""
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            # The directory found this person (their DN is known) and refused them: raising stops
            # Django from trying ModelBackend, so a local password cannot get round the directory.
            # (`_user_dn` is read directly: the `dn` property would search the directory again.)
            if ldap_user._user_dn is not None and not directory_was_unavailable(ldap_user._request):
                raise PermissionDenied
            return None
        try:
            roles = directory_roles(ldap_user.group_dns, settings.QMS_LDAP_ROLE_GROUPS)
        except ldap.LDAPError as error:
            # Without the groups the roles would be stale: refuse, as django-auth-ldap does when
            # mirroring groups fails, and let the form say the directory is unavailable.
            ldap_error.send(type(self), context="mirror_groups", user=user, request=ldap_user._request, exception=error)
            return None
        with transaction.atomic():
            sync_directory_roles(user, roles)
            ensure_staff_profile(user, ldap_user.attrs)
        return user


def keep_local_password_unusable(sender, user, ldap_user, **kwargs) -> None:
    """A directory user signs in only through the directory: their local password is made unusable.

    Only when it is usable: replacing the hash at every sign-in would end the user's other sessions
    (Django ties a session to the password hash).
    """
    if user.has_usable_password():
        user.set_unusable_password()


def mark_directory_unavailable(sender, context, user, request=None, exception=None, **kwargs) -> None:
    """Remember on the request that the directory failed, for the sign-in form's message, and log it."""
    if request is not None:
        setattr(request, UNAVAILABLE_FLAG, True)
    logger.error("Directory sign-in failed (%s): %s", context, exception)


populate_user.connect(keep_local_password_unusable, sender=DirectoryBackend, dispatch_uid="qms.directory.password")
ldap_error.connect(mark_directory_unavailable, sender=DirectoryBackend, dispatch_uid="qms.directory.unavailable")
