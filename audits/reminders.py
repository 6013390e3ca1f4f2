"""Audit and DÖF reminders (registered in `qms.reminders`; the daily digest and the dashboard's
"Your due and overdue items" panel show them).

* a corrective action due within 7 days, or overdue -> its owner;
* a triaged DÖF still waiting for its root cause 14 days later -> the responsible unit's managers
  (the nearest ones, as `audits.notifications` mails them);
* a DÖF waiting for triage -> whoever triages (the management representative);
* an effectiveness check that may be made -> those who verify (internal auditors, the management
  representative), except whoever did the DÖF's actions (they may not verify them);
* a DÖF verified effective, waiting for closure -> whoever closes DÖFs;
* a planned audit starting within 14 days (or whose start has passed) -> its lead auditor and team;
* an audit in progress past its planned end, its report not signed off -> its lead auditor.

Each rule runs a fixed number of queries (at most four) whatever the number of DÖFs, actions and
audits, and gives lazy titles so that each recipient reads them in their own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _

from audits.models import (
    OPEN_STATES,
    ActionState,
    Audit,
    AuditState,
    CorrectiveAction,
    NCState,
    Nonconformity,
)
from audits.queries import start_of_day
from qms.reminders import Reminder, register
from qms.roles import ROLES, Role

ACTION_NOTICE_DAYS = 7
ROOT_CAUSE_DAYS = 14
AUDIT_NOTICE_DAYS = 14

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _nc_url(pk: int) -> str:
    return reverse("audits:nonconformity", args=[pk])


def _audit_url(pk: int) -> str:
    return reverse("audits:audit", args=[pk])


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _holders(permission: str, users: QuerySet | None) -> list[int]:
    """Active users who hold `permission` through their roles (one query)."""
    holders = get_user_model()._default_manager.with_perm(permission, backend=_MODEL_BACKEND)
    if users is not None:
        holders = holders.filter(pk__in=users.values("pk"))
    return list(holders.values_list("pk", flat=True))


@register("audits.action_due", _("Corrective actions due or overdue"))
def actions_due(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """To each action's owner, from 7 days before its due date (one query)."""
    actions = CorrectiveAction.objects.filter(
        state=ActionState.PLANNED,
        due_date__lte=today + timedelta(days=ACTION_NOTICE_DAYS),
        nonconformity__state__in=OPEN_STATES,
        owner__is_active=True,
    )
    if users is not None:
        actions = actions.filter(owner__in=users)
    rows = actions.order_by("due_date", "pk").values_list(
        "owner_id", "due_date", "description", "nonconformity_id", "nonconformity__code"
    )
    for owner_id, due, description, nc_id, code in rows:
        overdue = due < today
        text = Truncator(description.replace("\n", " ")).chars(80)
        if overdue:
            title = format_lazy(_("Corrective action of {code} is overdue: {action}"), code=code, action=text)
        else:
            title = format_lazy(_("Corrective action of {code} is due: {action}"), code=code, action=text)
        yield Reminder(user_id=owner_id, title=title, url=_nc_url(nc_id), due=due, overdue=overdue)


@register("audits.root_cause_waiting", _("DÖFs waiting for their root cause"))
def root_cause_waiting(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """A DÖF accepted more than 14 days ago and still without a root cause, to the managers of its
    responsible unit (the nearest unit above it that has some). Two queries: the DÖFs, and every
    unit manager with their unit's path (the nearest ones are found here, not per DÖF)."""
    waiting = list(
        Nonconformity.objects.filter(
            state=NCState.OPEN, triaged_at__lt=start_of_day(today - timedelta(days=ROOT_CAUSE_DAYS))
        )
        .order_by("triaged_at", "pk")
        .values_list("pk", "code", "triaged_at", "unit__path")
    )
    if not waiting:
        return
    managers = get_user_model()._default_manager.filter(
        is_active=True, groups__name=ROLES[Role.UNIT_MANAGER].group_name, staff_profile__is_active=True
    )
    # Everyone's unit is read (the nearest managers are found among all of them), and whether the
    # person is among `users` comes in the same query.
    if users is not None:
        managers = managers.annotate(_wanted=Exists(users.filter(pk=OuterRef("pk"))))
    else:
        managers = managers.annotate(_wanted=Value(True))
    people = list(managers.distinct().values_list("pk", "staff_profile__unit__path", "_wanted"))

    for pk, code, triaged_at, unit_path in waiting:
        candidates = [(path, person, wanted) for person, path, wanted in people if unit_path.startswith(path)]
        if not candidates:
            continue
        deepest = max(len(path) for path, _person, _wanted in candidates)
        due = timezone.localdate(triaged_at) + timedelta(days=ROOT_CAUSE_DAYS)
        for path, person, wanted in candidates:
            if len(path) == deepest and wanted:
                yield Reminder(
                    user_id=person,
                    title=format_lazy(_("Record the root cause of {code}"), code=code),
                    url=_nc_url(pk),
                    due=due,
                    overdue=due < today,
                )


@register("audits.triage", _("DÖFs waiting for triage"))
def triage_waiting(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """DÖFs raised by a person and not triaged yet, to whoever triages (two queries)."""
    waiting = list(
        Nonconformity.objects.filter(state=NCState.OPEN, triaged_at__isnull=True)
        .order_by("raised_at", "pk")
        .values_list("pk", "code", "title")
    )
    if not waiting:
        return
    for person in _holders("audits.triage_nonconformity", users):
        for pk, code, title in waiting:
            yield Reminder(
                user_id=person,
                title=format_lazy(_("Triage {code}: {title}"), code=code, title=Truncator(title).chars(80)),
                url=_nc_url(pk),
            )


@register("audits.effectiveness_due", _("Effectiveness checks due"))
def effectiveness_due(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """DÖFs whose actions are done and whose check date has come, to those who verify, except
    anyone who did one of the DÖF's actions (three queries)."""
    waiting = list(
        Nonconformity.objects.filter(state=NCState.ACTIONS_DONE, effectiveness_due__lte=today)
        .order_by("effectiveness_due", "pk")
        .values_list("pk", "code", "effectiveness_due")
    )
    if not waiting:
        return
    verifiers = _holders("audits.verify_nonconformity", users)
    if not verifiers:
        return
    # The model refuses a check by the owner of a done action or by whoever recorded one as done.
    doers: dict[int, set[int]] = {}
    for nc_id, owner_id, state, completed_by_id in CorrectiveAction.objects.filter(
        nonconformity_id__in=[pk for pk, _code, _due in waiting]
    ).values_list("nonconformity_id", "owner_id", "state", "completed_by_id"):
        ids = doers.setdefault(nc_id, set())
        if state == ActionState.DONE:
            ids.add(owner_id)
        if completed_by_id:
            ids.add(completed_by_id)
    for person in verifiers:
        for pk, code, due in waiting:
            if person in doers.get(pk, ()):
                continue
            yield Reminder(
                user_id=person,
                title=format_lazy(_("Check the effectiveness of {code}"), code=code),
                url=_nc_url(pk),
                due=due,
                overdue=due < today,
            )


@register("audits.closure_waiting", _("DÖFs verified effective, waiting for closure"))
def closure_waiting(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """Verified DÖFs to whoever closes them (two queries)."""
    waiting = list(
        Nonconformity.objects.filter(state=NCState.VERIFIED).order_by("code").values_list("pk", "code")
    )
    if not waiting:
        return
    for person in _holders("audits.close_nonconformity", users):
        for pk, code in waiting:
            yield Reminder(
                user_id=person,
                title=format_lazy(_("Close {code}: its actions were verified effective"), code=code),
                url=_nc_url(pk),
            )


@register("audits.audit_starting", _("Audits starting soon"))
def audits_starting(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """A planned audit from 14 days before its start (overdue once the start has passed and it has
    not started), to its lead auditor and team (two queries, three with `users`)."""
    audits = Audit.objects.filter(
        state=AuditState.PLANNED, planned_start__lte=today + timedelta(days=AUDIT_NOTICE_DAYS)
    )
    wanted = None
    if users is not None:
        wanted = set(users.values_list("pk", flat=True))
        audits = audits.filter(Q(lead_auditor__in=wanted) | Q(team__in=wanted)).distinct()
    audits = audits.select_related("programme").prefetch_related("team").order_by("planned_start", "pk")
    for audit in audits:
        overdue = audit.planned_start < today
        if overdue:
            title = format_lazy(_("Audit {code} was to start on {date}"), code=audit.code,
                                date=_day(audit.planned_start))
        else:
            title = format_lazy(_("Audit {code} starts on {date}"), code=audit.code, date=_day(audit.planned_start))
        for person in [audit.lead_auditor_id, *(member.pk for member in audit.team.all())]:
            if wanted is None or person in wanted:
                yield Reminder(user_id=person, title=title, url=_audit_url(audit.pk), due=audit.planned_start,
                               overdue=overdue)


@register("audits.report_overdue", _("Audit reports overdue"))
def reports_overdue(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """An audit still in progress after its planned end, with no signed-off report, to its lead
    auditor (one query)."""
    audits = Audit.objects.filter(state=AuditState.IN_PROGRESS, planned_end__lt=today, reports__isnull=True)
    if users is not None:
        audits = audits.filter(lead_auditor__in=users)
    for audit in audits.select_related("programme").order_by("planned_end", "pk"):
        yield Reminder(
            user_id=audit.lead_auditor_id,
            title=format_lazy(_("Sign off the report of audit {code}"), code=audit.code),
            url=_audit_url(audit.pk),
            due=audit.planned_end,
            overdue=True,
        )
