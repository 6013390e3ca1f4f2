"""The management-review watchdog: is a review overdue, and did approved reviews leave actions
overdue?

ISO 9001 9.3 and seed 001 ask for a review at least once a year and for its decisions to be
followed. One function, `watch(today)`, works the answer out in three queries whatever the number of
reviews and actions; the dashboard panel (`qms.review.views.watchdog`) and the management
representative's reminder (`qms.review.reminders`) both read it, so they never disagree.

A review counts as held when its minutes are approved (`held_on` of the latest approved version);
a correction does not restart the clock, it carries the meeting's date. The warnings are lazy
strings, so a reminder e-mailed to several people reads in each recipient's language.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.http import urlencode
from django.utils.translation import ngettext

from qms.review.models import Action, Review, ReviewState


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (29.02 -> 28.02 when the earlier year has no 29th)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


@dataclass(frozen=True)
class ReviewRef:
    """A review as the panel and the reminders name it."""

    pk: int
    label: str
    title: str
    day: dt.date | None  # held on (an approved review) or planned for (a coming one)
    state: str

    @property
    def url(self) -> str:
        return reverse("review:detail", args=[self.pk])


def _no_review_text(months: int, last: str) -> str:
    if last:
        return ngettext(
            "No management review has been held in the last %(months)d month (the last one was held on %(date)s).",
            "No management review has been held in the last %(months)d months (the last one was held on %(date)s).",
            months,
        ) % {"months": months, "date": last}
    return ngettext(
        "No management review has been held in the last %(months)d month (none has ever been approved).",
        "No management review has been held in the last %(months)d months (none has ever been approved).",
        months,
    ) % {"months": months}


def _overdue_actions_text(count: int) -> str:
    return ngettext(
        "%(count)d action from approved management reviews is overdue.",
        "%(count)d actions from approved management reviews are overdue.",
        count,
    ) % {"count": count}


no_review_text = lazy(_no_review_text, str)
overdue_actions_text = lazy(_overdue_actions_text, str)


@dataclass(frozen=True)
class Watch:
    """What the watchdog saw on `today`."""

    today: dt.date
    interval_months: int
    notice_days: int
    last_review: ReviewRef | None
    next_review: ReviewRef | None
    open_actions: int
    overdue_actions: int
    due_soon_actions: int
    oldest_overdue: dt.date | None
    no_review_warning: object = None  # a lazy string, or None
    overdue_warning: object = None  # a lazy string, or None

    @property
    def warnings(self) -> list:
        """The warnings in words (lazy strings), in the order the panel shows them."""
        return [w for w in (self.no_review_warning, self.overdue_warning) if w is not None]

    @property
    def review_overdue(self) -> bool:
        """No review held within the interval (or none ever)."""
        return self.last_review is None or self.last_review.day is None or (
            self.last_review.day < months_before(self.today, self.interval_months)
        )

    @property
    def review_due_since(self) -> dt.date | None:
        """The day the next review fell due (None when none was ever held)."""
        if self.last_review is None or self.last_review.day is None:
            return None
        return _months_after(self.last_review.day, self.interval_months)


def _months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def _ref(row: dict | None, day_field: str) -> ReviewRef | None:
    if row is None:
        return None
    label = row["code"] if row["version"] == 1 else f"{row['code']} v{row['version']}"
    return ReviewRef(pk=row["pk"], label=label, title=row["title"], day=row[day_field], state=row["state"])


def watch(today: dt.date) -> Watch:
    """The watchdog's findings on `today` (three queries)."""
    months = settings.QMS_REVIEW_INTERVAL_MONTHS
    notice = settings.QMS_REVIEW_ACTION_NOTICE_DAYS
    columns = ("pk", "code", "version", "title", "held_on", "planned_date", "state")
    last = (
        Review.objects.approved().filter(held_on__isnull=False)
        .order_by("-held_on", "-approved_at").values(*columns).first()
    )
    # A correction re-records a meeting already held: it is not a coming review.
    coming = (
        Review.objects.filter(state__in=[ReviewState.PREPARATION, ReviewState.SUBMITTED], corrects__isnull=True)
        .order_by("planned_date", "pk").values(*columns).first()
    )
    counts = Action.objects.open().of_approved_reviews().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due__lt=today)),
        due_soon=Count("pk", filter=Q(due__gte=today, due__lte=today + dt.timedelta(days=notice))),
        oldest=Min("due", filter=Q(due__lt=today)),
    )
    result = Watch(
        today=today, interval_months=months, notice_days=notice,
        last_review=_ref(last, "held_on"), next_review=_ref(coming, "planned_date"),
        open_actions=counts["open"], overdue_actions=counts["overdue"], due_soon_actions=counts["due_soon"],
        oldest_overdue=counts["oldest"],
    )
    return replace(
        result,
        no_review_warning=no_review_text(months, _day(result.last_review.day if result.last_review else None))
        if result.review_overdue else None,
        overdue_warning=overdue_actions_text(result.overdue_actions) if result.overdue_actions else None,
    )


def review_list_url() -> str:
    return reverse("review:list")


def open_actions_url() -> str:
    """Where the open actions of approved reviews are listed (qms.review.views.outputs)."""
    return f"{reverse('review:actions')}?{urlencode({'status': 'open'})}"


def overdue_actions_url() -> str:
    """The same list narrowed to the overdue actions."""
    return f"{reverse('review:actions')}?{urlencode({'status': 'open', 'overdue': '1'})}"
