"""System checks for the role table: a typo in qms/roles.py should fail `check`, not a deploy."""

from django.core.checks import Error, register

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
