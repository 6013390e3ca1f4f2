"""`manage.py check_directory [username]`: IT tests the directory settings before people sign in.

Without a user name: connects, binds as LDAP_BIND_DN and looks up the search bases and mapped
groups (the same checks as `check --deploy --tag directory`). With one: also shows how that person
would be signed in: their DN, names, directory groups, the portal roles they map to and the unit of
their staff profile. No password is asked and nothing is written.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Test the directory (LDAP / Active Directory) settings; optionally show how a user would be signed in."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="a directory user name to look up")

    def handle(self, *args, username: str | None = None, **options):
        from qms.directory.checks import directory_enabled, directory_problems

        if not directory_enabled():
            raise CommandError("Dizin girişi kapalı: LDAP_SERVER_URI tanımlı değil. "
                               "(Directory sign-in is off: LDAP_SERVER_URI is not set.)")
        problems = directory_problems()
        for problem in problems:
            self.stderr.write(f"{problem.id}: {problem.msg}\n  {problem.hint}")
        if problems:
            raise CommandError(f"{len(problems)} directory setting problem(s).")
        self.stdout.write(self.style.SUCCESS("Directory settings OK: bind, search bases and groups found."))
        if username:
            self.describe_user(username)

    def describe_user(self, username: str) -> None:
        """Print what a sign-in of `username` would give, using the bind account (no password)."""
        from django.conf import settings
        from django_auth_ldap.backend import _LDAPUser

        from qms.directory.backend import DirectoryBackend, directory_roles, unit_for
        from qms.roles import ROLES

        ldap_user = _LDAPUser(DirectoryBackend(), username=username)
        if ldap_user.dn is None:
            raise CommandError(f"{username!r}: dizinde bulunamadı (LDAP_USER_FILTER ile). "
                               f"({username!r}: not found in the directory with LDAP_USER_FILTER.)")
        attributes = ldap_user.attrs or {}
        groups = sorted(ldap_user.group_dns)
        roles = directory_roles(groups, settings.QMS_LDAP_ROLE_GROUPS)
        unit = unit_for(attributes)
        for field, attribute in settings.AUTH_LDAP_USER_ATTR_MAP.items():
            self.stdout.write(f"{field}: {(attributes.get(attribute) or ['-'])[0]}")
        self.stdout.write(f"DN: {ldap_user.dn}")
        self.stdout.write("Groups: " + ("; ".join(groups) or "-"))
        self.stdout.write("Roles: " + (", ".join(sorted(ROLES[role].group_name for role in roles)) or "-"))
        self.stdout.write(f"Unit: {unit.code if unit else '-'}")
        deny = settings.AUTH_LDAP_DENY_GROUP
        if deny and ldap_user._get_groups().is_member_of(deny):
            self.stdout.write(self.style.WARNING("In LDAP_DENY_GROUP: this person cannot sign in."))
