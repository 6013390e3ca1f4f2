"""Training e-mail: the person who asked for a training hears the coordinator's decision; people
put on a session's list get an invitation with the event for their calendar."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from qms.calendar import calendar_text, ical_escape, ical_utc
from qms.mail import absolute_url, send_each
from training.models import RequestState, Session, TrainingRequest


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip() if user else ""


def request_decided(request: TrainingRequest) -> int:
    """Tell the requester that their request was accepted into the plan (when) or declined (why).
    Written in the requester's language; returns the number of messages sent (0 without an address)."""
    request = (TrainingRequest.objects.select_related("requested_by", "course", "decided_by", "plan_item__plan")
               .get(pk=request.pk))

    def compose(user):
        lines = [
            _("Dear %(name)s,") % {"name": _person(user)},
            "",
            _("Your training request of %(date)s: %(subject)s") % {
                "date": timezone.localtime(request.created_at).strftime("%d.%m.%Y"), "subject": request.subject},
        ]
        if request.state == RequestState.ACCEPTED:
            subject = _("Your training request was accepted")
            item = request.plan_item
            lines.append(_("It was accepted into the training plan: %(course)s, %(month)s %(year)s.") % {
                "course": request.course.title if request.course_id else request.subject,
                "month": MONTHS[item.month], "year": item.plan.year} if item else _("It was accepted."))
            if request.decision_note:
                lines += ["", _("Note: %(note)s") % {"note": request.decision_note}]
            lines += ["", _("You will be invited when the session is scheduled.")]
        else:
            subject = _("Your training request was declined")
            lines += [_("It was declined for this reason:"), request.decision_note]
        lines += [
            "",
            _("Decided by %(name)s.") % {"name": _person(request.decided_by)},
            _("Your requests: %(url)s") % {"url": absolute_url(reverse("training:request_mine"))},
        ]
        return subject, "\n".join(lines)

    return send_each([request.requested_by], compose)


def session_invitation_calendar(session: Session) -> str:
    """The session as an iCalendar event (times in UTC, the place, the trainer), for the
    invitee's calendar; its UID stays the same, so a later copy updates the same event."""
    host = urlparse(settings.WAGTAILADMIN_BASE_URL).hostname or "qms.local"
    description = "\n".join([
        _("Trainer: %(trainer)s") % {"trainer": session.trainer_label},
        _("Hours: %(hours)s") % {"hours": session.hours},
        absolute_url(reverse("training:my_trainings")),
    ])
    return calendar_text(
        ["PRODID:-//QMS Portal//Training//TR", "METHOD:PUBLISH"],
        [[
            f"UID:training-session-{session.pk}@{host}",
            f"DTSTAMP:{ical_utc(timezone.now())}",
            f"DTSTART:{ical_utc(session.starts_at)}",
            f"DTEND:{ical_utc(session.ends_at)}",
            "SUMMARY:" + ical_escape(f"{session.code} {session.course.title}"),
            "DESCRIPTION:" + ical_escape(description),
            "LOCATION:" + ical_escape(session.place),
            "STATUS:CONFIRMED",
        ]],
    )


def session_invited(session: Session, people) -> int:
    """Tell each person just put on a session's list when and where it is, with the event for
    their calendar. In each person's language; returns the number of messages sent."""
    session = Session.objects.select_related("course", "trainer").get(pk=session.pk)

    def compose(user):
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        subject = _("Training invitation: %(course)s, %(date)s") % {
            "course": session.course.title, "date": start.strftime("%d.%m.%Y")}
        lines = [
            _("Dear %(name)s,") % {"name": _person(user)},
            "",
            _("You are invited to the training “%(course)s” (%(code)s).") % {
                "course": session.course.title, "code": session.code},
            _("When: %(date)s, %(start)s–%(end)s") % {
                "date": start.strftime("%d.%m.%Y"), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")},
            _("Where: %(place)s") % {"place": session.place},
            _("Trainer: %(trainer)s") % {"trainer": session.trainer_label},
            "",
            _("If you cannot attend, tell the training coordinator before the session."),
            _("Your trainings: %(url)s") % {"url": absolute_url(reverse("training:my_trainings"))},
        ]
        return subject, "\n".join(lines)

    def attachments():
        return [(f"{session.code}.ics", session_invitation_calendar(session).encode("utf-8"), "text/calendar")]

    return send_each(people, compose, attachments)
