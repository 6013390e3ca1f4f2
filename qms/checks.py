"""System checks: the role table (a typo in qms/roles.py should fail `check`, not a deploy) and the directory."""

from django.core.checks import Error, register

from qms.directory.checks import TAG, check_directory
from qms.roles import CAPABILITIES, ROLES


@register()
def check_role_table(app_configs, **kwargs):
    errors = []
    for role, spec in ROLES.items():
        for key in spec.capabilities:
            if key not in CAPABILITIES:
                errors.append(Error(f"Role {role} names unknown capability {key!r}.", id="qms.E001"))
    names = [spec.group_name for spec in ROLES.values()]
    if len(set(names)) != len(names):
        errors.append(Error("Two roles share a group name.", id="qms.E002"))
    return errors


# Directory sign-in: binds to the directory, so only with --deploy (plain `check` stays offline);
# `manage.py check --deploy --tag directory` runs it alone. Nothing happens when LDAP is off.
register(check_directory, TAG, deploy=True)
