"""Coaching reminders (imported by kpi/callqa/reminders.py, which the `qms.reminders` registry finds;
the daily digest and the dashboard's "Your due and overdue items" panel show them).

* an open coaching task due within 3 days, or overdue -> its owner (the agent's team lead); one
  without an (active) owner -> the QA leads.

The titles name the agent by code only (no score, no call: the digest is an e-mail). The rule runs
a fixed number of queries (three at most) whatever the number of tasks, and gives lazy titles so
that each recipient reads them in their own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kpi.callqa.models import CoachingTask
from qms.reminders import Reminder, register
from qms.roles import ROLES, Role

COACHING_NOTICE_DAYS = 3


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _qa_leads(users: QuerySet | None) -> list[int]:
    """Active holders of the QA lead role (one query)."""
    leads = get_user_model()._default_manager.filter(is_active=True, groups__name=ROLES[Role.QA_LEAD].group_name)
    if users is not None:
        leads = leads.filter(pk__in=users.values("pk"))
    return list(leads.distinct().values_list("pk", flat=True))


@register("callqa.coaching_due", _("Coaching tasks due or overdue"))
def coaching_due(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """To each open coaching task's owner from 3 days before its due date; ownerless ones to the QA leads."""
    tasks = CoachingTask.objects.filter(status=CoachingTask.Status.OPEN,
                                        due_on__lte=today + timedelta(days=COACHING_NOTICE_DAYS))
    rows = list(tasks.order_by("due_on", "pk").values_list("pk", "owner_id", "owner__is_active", "due_on",
                                                           "agent__code"))
    if not rows:
        return
    wanted = None if users is None else set(users.values_list("pk", flat=True))
    leads = None
    for pk, owner_id, owner_active, due, code in rows:
        overdue = due < today
        if overdue:
            title = format_lazy(_("Coaching of agent {code} is overdue (due {date})"), code=code, date=_day(due))
        else:
            title = format_lazy(_("Coaching of agent {code} is due on {date}"), code=code, date=_day(due))
        url = reverse("callqa:coaching_task", args=[pk])
        if owner_id is not None and owner_active:
            recipients = [owner_id]
        else:
            if leads is None:
                leads = _qa_leads(users)
            recipients = leads
        for user_id in recipients:
            if wanted is None or user_id in wanted:
                yield Reminder(user_id=user_id, title=title, url=url, due=due, overdue=overdue)
