"""Management-review reminders, found by the `qms.reminders` registry (it imports each installed
app's `reminders` module; this app is `qms.review`). The daily digest and the dashboard's "Your due
and overdue items" panel show them.

* An open action of approved minutes due within `QMS_REVIEW_ACTION_NOTICE_DAYS`, or overdue -> its
  owner, every day until it is done or cancelled. Actions of minutes not yet approved are drafts:
  nobody is reminded of them.
* The watchdog (`qms.review.watchdog`) -> the management representatives (whoever holds
  `rules.MANAGE`): no review held within `QMS_REVIEW_INTERVAL_MONTHS`, and actions of approved
  reviews left overdue.

Each rule runs a fixed number of queries whatever the number of actions, and gives lazy titles so
that each recipient reads them in their own language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from qms.reminders import Reminder, register
from qms.review import rules, watchdog
from qms.review.models import Action

TEXT_LENGTH = 80


def _day(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LENGTH else text[: TEXT_LENGTH - 1].rstrip() + "…"


@register("review.action_due", _("Management review actions due or overdue"))
def action_due(*, today: dt.date, users: QuerySet | None) -> Iterable[Reminder]:
    """To each open action's owner from the notice period before its due date (one query)."""
    horizon = today + dt.timedelta(days=settings.QMS_REVIEW_ACTION_NOTICE_DAYS)
    actions = Action.objects.open().of_approved_reviews().filter(
        due__lte=horizon, owner__isnull=False, owner__is_active=True,
    )
    if users is not None:
        actions = actions.filter(owner__in=users.values("pk"))
    # "My review actions": an owner may not be one who may open the review itself.
    url = reverse("review:my_actions")
    reminders = []
    for label, version, owner_id, due, text in actions.order_by("due", "pk").values_list(
            "review__code", "review__version", "owner_id", "due", "text"):
        code = label if version == 1 else f"{label} v{version}"
        overdue = due < today
        if overdue:
            title = format_lazy(_("Management review action of {review} is overdue (due {date}): {action}"),
                                review=code, date=_day(due), action=_short(text))
        else:
            title = format_lazy(_("Management review action of {review} is due on {date}: {action}"),
                                review=code, date=_day(due), action=_short(text))
        reminders.append(Reminder(user_id=owner_id, title=title, url=url, due=due, overdue=overdue))
    return reminders


@register("review.watchdog", _("Management review overdue, or its actions overdue"))
def review_watchdog(*, today: dt.date, users: QuerySet | None) -> Iterable[Reminder]:
    """To the management representatives: the watchdog's warnings (four queries at most)."""
    managers = get_user_model()._default_manager.with_perm(
        rules.MANAGE, backend="django.contrib.auth.backends.ModelBackend")
    if users is not None:
        managers = managers.filter(pk__in=users.values("pk"))
    manager_ids = list(managers.values_list("pk", flat=True))
    if not manager_ids:
        return []
    seen = watchdog.watch(today)
    items = []
    if seen.no_review_warning is not None:
        items.append((seen.no_review_warning, watchdog.review_list_url(), seen.review_due_since))
    if seen.overdue_warning is not None:
        items.append((seen.overdue_warning, watchdog.overdue_actions_url(), seen.oldest_overdue))
    return [Reminder(user_id=pk, title=title, url=url, due=due, overdue=True)
            for title, url, due in items for pk in manager_ids]
