"""Read queries of the audits app: who sees which audit and DÖF, and the follow-up figures.

Every list, detail page, PDF, export and API endpoint filters with `audits_visible_to` and
`nonconformities_visible_to`, so they follow one rule:

* Audits: the roles that oversee audits (management representative, top management) see all; an
  internal auditor sees the audits they lead or are on the team of; a unit manager sees the audits
  of units in their scope (`qms.roles.unit_scope`).
* DÖFs: the roles that oversee them (management representative, top management, internal
  auditors) see all; anyone else sees the DÖFs they hold an object grant on (django-guardian,
  `audits.grants`): their unit's as a unit manager, the ones they raised, the ones they own an
  action of.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from audits.models import Audit, Finding, Nonconformity
from qms.roles import unit_scope


def audits_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Audit.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.has_perm("audits.view_audit"):
        return queryset
    condition = Q(pk__in=[])
    if user.has_perm("audits.perform_audit"):
        condition |= Q(lead_auditor=user) | Q(pk__in=Audit.team.through.objects.filter(user=user).values("audit_id"))
    if user.has_perm("audits.follow_audit"):
        scope = unit_scope(user)
        if scope is None:
            return queryset
        condition |= Q(pk__in=Audit.units.through.objects.filter(unit__in=scope).values("audit_id"))
    return queryset.filter(condition)


def findings_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Finding.objects.all() if queryset is None else queryset
    return queryset.filter(audit__in=audits_visible_to(user).values("pk"))


def nonconformities_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Nonconformity.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.has_perm("audits.view_nonconformity"):
        return queryset
    return get_objects_for_user(user, "audits.view_nonconformity", klass=queryset, accept_global_perms=False)


def programme_years() -> list[int]:
    from audits.models import AuditProgramme

    return list(AuditProgramme.objects.order_by("-year").values_list("year", flat=True))


def overdue_actions(today: date, queryset: QuerySet | None = None) -> QuerySet:
    from audits.models import ActionState, CorrectiveAction

    queryset = CorrectiveAction.objects.all() if queryset is None else queryset
    return queryset.filter(state=ActionState.PLANNED, due_date__lt=today, nonconformity__state__in=_open_states())


def _open_states():
    from audits.models import OPEN_STATES

    return OPEN_STATES
