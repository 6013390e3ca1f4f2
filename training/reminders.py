"""Training reminders (registered in `qms.reminders`; the daily digest and the dashboard's "Your due
and overdue items" panel show them).

* orientation: a new hire, from their hire date, until they complete the orientation course (due
  on the 30th day, overdue after it); once overdue, also their nearest unit manager (one item per
  person) and whoever records attendance (the training coordinators: one summary);
* an evaluation form not filled after a finalised session the person was present at: due 14 days
  after the finalisation, overdue after that; no longer asked for after 90 days;
* an effectiveness evaluation due within 14 days, or overdue, to its reviewer (the participant's
  manager); one without a reviewer (nobody manages the person) to the training coordinators;
* a required course expired or expiring within 30 days, to the person; a summary (how many people
  have expired or expiring required training) to the training coordinators;
* a planned session starting within seven days, to everyone on its list (when and where).

Each rule runs a fixed number of queries whatever the number of people and sessions, and gives
lazy titles so that each recipient reads them in their own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qms.models import StaffProfile
from qms.reminders import Reminder, register
from training import queries, services
from training.models import EffectivenessReview

REVIEW_NOTICE_DAYS = 14
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _coordinators(users: QuerySet | None) -> list[int]:
    """Active users who record attendance (the training coordinators; one query)."""
    holders = get_user_model()._default_manager.with_perm(services.RECORD_PERMISSION, backend=_MODEL_BACKEND)
    if users is not None:
        holders = holders.filter(pk__in=users.values("pk"))
    return list(holders.values_list("pk", flat=True))


def _wanted(users: QuerySet | None):
    """The ids a rule may remind (None: everybody)."""
    return None if users is None else set(users.values_list("pk", flat=True))


def _name(profile) -> str:
    return profile.full_name


def _orientation_summary(count: int) -> str:
    return ngettext(
        "%(count)d new hire is past the orientation deadline",
        "%(count)d new hires are past the orientation deadline",
        count,
    ) % {"count": count}


_orientation_summary_lazy = lazy(_orientation_summary, str)


@register("training.orientation", _("Orientation training of new hires"))
def orientation(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """To the new hire until they complete it; once overdue, to their manager and the coordinators.
    Five queries at most."""
    pending = queries.orientation_pending(None, today=today)
    if not pending:
        return
    wanted = _wanted(users)
    mine = reverse("training:my_trainings")
    follow_up = reverse("training:orientation")
    overdue = [p for p in pending if p.days_late > 0]
    for item in pending:
        person = item.profile.user_id
        if wanted is not None and person not in wanted:
            continue
        late = item.days_late > 0
        if late:
            title = format_lazy(_("Your orientation training is overdue: the deadline was {date}"),
                                date=_day(item.due_on))
        else:
            title = format_lazy(_("Complete your orientation training by {date}"), date=_day(item.due_on))
        yield Reminder(user_id=person, title=title, url=mine, due=item.due_on, overdue=late)
    if not overdue:
        return
    managers = queries.managers_of([item.profile for item in overdue])
    for item in overdue:
        manager = managers.get(item.profile.user_id)
        if manager is None or (wanted is not None and manager not in wanted):
            continue
        yield Reminder(
            user_id=manager,
            title=format_lazy(_("Orientation training of {name} is overdue (deadline {date})"),
                              name=_name(item.profile), date=_day(item.due_on)),
            url=follow_up, due=item.due_on, overdue=True,
        )
    earliest = min(item.due_on for item in overdue)
    for coordinator in _coordinators(users):
        yield Reminder(user_id=coordinator, title=_orientation_summary_lazy(len(overdue)), url=follow_up,
                       due=earliest, overdue=True)


@register("training.evaluation_pending", _("Training evaluation forms not filled"))
def evaluation_pending(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """To each participant recorded present at a finalised session who has not filled its form
    (one query)."""
    for row in queries.evaluations_pending(today=today, users=users):
        due = queries.evaluation_due_on(row)
        yield Reminder(
            user_id=row.person_id,
            title=format_lazy(_("Fill the evaluation form of “{course}” ({code})"), course=row.session.course.title,
                              code=row.session.code),
            url=reverse("training:evaluation_form", args=[row.session_id]),
            due=due, overdue=due < today,
        )


def _review_title(course: str, code: str, names: list[str]) -> str:
    if len(names) == 1:
        return _("Evaluate the effectiveness of “%(course)s” (%(code)s) for %(name)s") % {
            "course": course, "code": code, "name": names[0]}
    return ngettext(
        "Evaluate the effectiveness of “%(course)s” (%(code)s) for %(count)d participant",
        "Evaluate the effectiveness of “%(course)s” (%(code)s) for %(count)d participants",
        len(names),
    ) % {"course": course, "code": code, "count": len(names)}


_review_title_lazy = lazy(_review_title, str)


@register("training.effectiveness_due", _("Effectiveness evaluations of trainings due"))
def effectiveness_due(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """From 14 days before their due date, to the reviewer, one item per session (a manager of 30
    agents gets one line, not 30); without a reviewer, to the training coordinators. Two queries."""
    reviews = list(
        EffectivenessReview.objects.filter(submitted_at__isnull=True,
                                           due_date__lte=today + timedelta(days=REVIEW_NOTICE_DAYS),
                                           attendance__person__is_active=True)
        .select_related("attendance__person", "attendance__session__course", "reviewer")
        .order_by("due_date", "attendance__session_id", "pk")
    )
    if not reviews:
        return
    wanted = _wanted(users)
    coordinators = None
    groups: dict[tuple[int, int], list[EffectivenessReview]] = {}
    for review in reviews:
        if review.reviewer_id and review.reviewer.is_active:
            recipients = [review.reviewer_id]
        else:
            if coordinators is None:
                coordinators = _coordinators(users)
            recipients = coordinators
        for recipient in recipients:
            if wanted is None or recipient in wanted:
                groups.setdefault((recipient, review.attendance.session_id), []).append(review)
    for (recipient, _session), items in groups.items():
        session = items[0].attendance.session
        names = [r.attendance.person.get_full_name() or r.attendance.person.get_username() for r in items]
        due = min(r.due_date for r in items)
        url = (reverse("training:effectiveness_form", args=[items[0].pk]) if len(items) == 1
               else reverse("training:effectiveness_queue"))
        yield Reminder(user_id=recipient, title=_review_title_lazy(session.course.title, session.code, names),
                       url=url, due=due, overdue=due < today)


def _expiry_summary(expired: int, expiring: int) -> str:
    parts = []
    if expired:
        parts.append(ngettext("%(count)d person has expired required training",
                              "%(count)d people have expired required training", expired) % {"count": expired})
    if expiring:
        parts.append(ngettext("%(count)d person has required training expiring within 30 days",
                              "%(count)d people have required training expiring within 30 days",
                              expiring) % {"count": expiring})
    return "; ".join(parts)


_expiry_summary_lazy = lazy(_expiry_summary, str)


@register("training.required_expiring", _("Required training expired or expiring"))
def required_expiring(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """A required course expired, or expiring within 30 days, to the person; a summary to the
    training coordinators. A fixed number of queries: the competence rule once for the people asked
    about, and once more for everyone when the summary's recipients are among them."""
    expired_state, expiring_state = queries.CompetenceState.EXPIRED, queries.CompetenceState.EXPIRING
    active = StaffProfile.objects.filter(is_active=True, user__is_active=True)
    people = active if users is None else active.filter(user__in=users)
    courses = list(queries.required_courses_qs())
    if not courses:
        return
    mine = reverse("training:my_trainings")
    everyone = queries.competence_of(people, today=today, courses=courses)
    for person in everyone:
        for status in person.statuses.values():
            if status.state == expired_state:
                title = format_lazy(_("Your “{course}” training expired on {date}; attend a new session"),
                                    course=status.course.title, date=_day(status.expires_on))
            elif status.state == expiring_state:
                title = format_lazy(_("Your “{course}” training expires on {date}"),
                                    course=status.course.title, date=_day(status.expires_on))
            else:
                continue
            yield Reminder(user_id=person.profile.user_id, title=title, url=mine, due=status.expires_on,
                           overdue=status.state == expired_state)
    coordinators = _coordinators(users)
    if not coordinators:
        return
    if users is not None:
        everyone = queries.competence_of(active, today=today, courses=courses)
    expired = sum(1 for p in everyone if any(s.state == expired_state for s in p.statuses.values()))
    expiring = sum(1 for p in everyone if not any(s.state == expired_state for s in p.statuses.values())
                   and any(s.state == expiring_state for s in p.statuses.values()))
    if not (expired or expiring):
        return
    for coordinator in coordinators:
        yield Reminder(user_id=coordinator, title=_expiry_summary_lazy(expired, expiring),
                       url=reverse("training:matrix"), due=today, overdue=bool(expired))


UPCOMING_DAYS = 7


@register("training.session_upcoming", _("Training sessions coming up"))
def session_upcoming(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """To each person on the list of a planned session that starts within the next seven days:
    when and where (one query)."""
    from datetime import datetime, time

    from django.utils import timezone

    from training.models import Attendance, SessionState

    start = timezone.make_aware(datetime.combine(today, time.min))
    end = start + timedelta(days=UPCOMING_DAYS + 1)
    rows = (Attendance.objects.filter(session__state=SessionState.PLANNED, session__starts_at__gte=start,
                                      session__starts_at__lt=end)
            .select_related("session__course").order_by("session__starts_at"))
    if users is not None:
        rows = rows.filter(person__in=users)
    mine = reverse("training:my_trainings")
    for row in rows:
        when = timezone.localtime(row.session.starts_at)
        yield Reminder(
            user_id=row.person_id,
            title=format_lazy(_("Training “{course}” on {date} at {time}, {place}"), course=row.session.course.title,
                              date=_day(when.date()), time=when.strftime("%H:%M"), place=row.session.place),
            url=mine, due=when.date(), overdue=False,
        )
