"""Who may do what with audits and DÖFs, and the auditor-independence rule.

The role table (`qms.roles`) grants the model permissions; the functions here add the per-record
part (an auditor performs only their own audits; a unit's managers answer its DÖFs through the
django-guardian grants of `audits.grants`). Views hide buttons with them and the services refuse
with them, so both follow one rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext as _

from qms.roles import Role, has_role


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def check_auditors(users: Iterable) -> None:
    """Every auditor must be an active user in the Internal Auditor role."""
    problems = []
    for user in users:
        if not user.is_active or not has_role(user, Role.INTERNAL_AUDITOR):
            problems.append(_("%(name)s is not in the Internal Auditor role.") % {"name": _name(user)})
    if problems:
        raise ValidationError(problems, code="auditor_role")


def independence_conflicts(units: Iterable, auditors: Iterable) -> list[str]:
    """Messages for each auditor who works in an audited unit (or in a unit under it)."""
    units = list(units)
    problems = []
    for user in auditors:
        profile = getattr(user, "staff_profile", None)
        if profile is None:
            problems.append(
                _("%(name)s has no staff profile, so their unit (and independence) cannot be checked.")
                % {"name": _name(user)}
            )
            continue
        own = profile.unit
        for unit in units:
            if own.path.startswith(unit.path):
                problems.append(
                    _("%(name)s works in %(unit)s: an auditor may not audit their own unit.")
                    % {"name": _name(user), "unit": unit.name if own.pk == unit.pk else f"{own.name} ({unit.name})"}
                )
    return problems


def lead_in_team_message(user) -> str:
    return _("%(name)s is the lead auditor; do not add them to the team as well.") % {"name": _name(user)}


def check_independence(units: Iterable, auditors: Iterable) -> None:
    problems = independence_conflicts(units, auditors)
    if problems:
        raise ValidationError(problems, code="independence")


def _guard_audit_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Model-layer guard on Audit.units and Audit.team: refuses (before anything is written) a
    unit or auditor that breaks the independence or role rule, whatever adds it."""
    if action != "pre_add" or not pk_set:
        return
    from audits.models import Audit
    from qms.models import Unit

    User = get_user_model()
    if reverse:  # unit.audits.add(audit) / user.audit_teams.add(audit)
        audits = Audit.objects.filter(pk__in=pk_set).select_related("lead_auditor__staff_profile__unit")
        for audit in audits:
            if isinstance(instance, Unit):
                check_independence([instance], [audit.lead_auditor, *audit.team.select_related("staff_profile__unit")])
            else:
                check_auditors([instance])
                if instance.pk == audit.lead_auditor_id:
                    raise ValidationError(lead_in_team_message(instance), code="lead_in_team")
                check_independence(audit.units.all(), [instance])
        return
    if sender is Audit.units.through:
        units = Unit.objects.filter(pk__in=pk_set)
        check_independence(units, [instance.lead_auditor, *instance.team.select_related("staff_profile__unit")])
    elif sender is Audit.team.through:
        members = list(User._default_manager.filter(pk__in=pk_set).select_related("staff_profile__unit"))
        check_auditors(members)
        if instance.lead_auditor_id in pk_set:
            raise ValidationError(lead_in_team_message(instance.lead_auditor), code="lead_in_team")
        check_independence(instance.units.all(), members)


def connect() -> None:
    from audits.models import Audit

    m2m_changed.connect(_guard_audit_m2m, sender=Audit.units.through, dispatch_uid="audits_units_guard")
    m2m_changed.connect(_guard_audit_m2m, sender=Audit.team.through, dispatch_uid="audits_team_guard")


# --- who may act ------------------------------------------------------------------------------


def is_auditor_of(user, audit) -> bool:
    return user.pk == audit.lead_auditor_id or audit.team.filter(pk=user.pk).exists()


def may_plan(user) -> bool:
    return user.has_perm("audits.change_audit")


def may_perform(user, audit) -> bool:
    """Start, answer, record findings: the audit's own lead auditor and team."""
    return user.is_active and user.has_perm("audits.perform_audit") and is_auditor_of(user, audit)


def may_sign_off(user, audit) -> bool:
    return user.is_active and user.has_perm("audits.perform_audit") and user.pk == audit.lead_auditor_id


def may_triage(user) -> bool:
    return user.has_perm("audits.triage_nonconformity")


def may_answer(user, nonconformity) -> bool:
    """Record the cause, plan and follow actions: the responsible unit's managers (object grant)
    and the management representative (model permission)."""
    return user.has_perm("audits.change_nonconformity") or user.has_perm("audits.change_nonconformity", nonconformity)


def may_complete(user, action) -> bool:
    return user.is_active and (user.pk == action.owner_id or may_answer(user, action.nonconformity))


def may_verify(user) -> bool:
    return user.has_perm("audits.verify_nonconformity")


def may_close(user) -> bool:
    return user.has_perm("audits.close_nonconformity")
