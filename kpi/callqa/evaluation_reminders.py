"""Call-QA evaluation reminders, registered in `qms.reminders` (imported by kpi/callqa/reminders.py,
which the registry discovers, and by kpi/callqa/views/evaluations.py).

* a submitted evaluation waiting for the agent's acknowledgement or dispute -> the agent, due on
  the window's last day (windows that have ended are closed by `manage.py
  expire_evaluation_responses`, daily; the rules only read, as `send_reminders --dry-run` expects);
* an open dispute -> whoever runs call QA (`callqa.manage_callqa`).

Each rule runs a fixed number of queries whatever the number of evaluations. No score or content
of an evaluation is in a title (KVKK): the reminder only links to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kpi.callqa.models import Acknowledgement, Dispute, Evaluation, EvaluationStatus
from qms.reminders import Reminder, register


@register("callqa.evaluation_response", _("Call evaluation waiting for the agent"))
def evaluation_response(*, today: dt.date, users: QuerySet | None) -> Iterable[Reminder]:
    days = settings.QMS_CALLQA_DISPUTE_DAYS
    first_open_day = today - dt.timedelta(days=days)
    since = timezone.make_aware(dt.datetime.combine(first_open_day, dt.time.min))
    waiting = Evaluation.objects.filter(
        session__isnull=True, status=EvaluationStatus.SUBMITTED, acknowledgement=Acknowledgement.PENDING,
        submitted_at__gte=since, agent__staff__user__is_active=True)
    if users is not None:
        waiting = waiting.filter(agent__staff__user__in=users.values("pk"))
    reminders = []
    for pk, user_id, submitted_at, offered_at in waiting.values_list(
            "pk", "agent__staff__user_id", "submitted_at", "call__offered_at").order_by("submitted_at", "pk"):
        deadline = timezone.localdate(submitted_at) + dt.timedelta(days=days)
        reminders.append(Reminder(
            user_id=user_id, url=reverse("callqa:evaluation", args=[pk]), due=deadline, overdue=False,
            title=format_lazy(_("Read your call evaluation (call of {date}) and acknowledge or dispute it"),
                              date=f"{timezone.localtime(offered_at):%d.%m.%Y}")))
    return reminders


@register("callqa.open_disputes", _("Open call-evaluation disputes"))
def open_disputes(*, today: dt.date, users: QuerySet | None) -> Iterable[Reminder]:
    managers = get_user_model()._default_manager.with_perm(
        "callqa.manage_callqa", backend="django.contrib.auth.backends.ModelBackend")
    if users is not None:
        managers = managers.filter(pk__in=users.values("pk"))
    manager_ids = list(managers.values_list("pk", flat=True))
    if not manager_ids:
        return []
    disputes = list(Dispute.objects.filter(status=Dispute.Status.OPEN).order_by("raised_at")
                    .values_list("pk", "raised_at"))
    if not disputes:
        return []
    oldest = timezone.localdate(disputes[0][1])
    title = format_lazy(_("Call-evaluation disputes waiting for a decision: {count}"), count=len(disputes))
    return [Reminder(user_id=pk, title=title, url=reverse("callqa:disputes"), due=oldest, overdue=False)
            for pk in manager_ids]
