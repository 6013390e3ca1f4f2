"""E-mail about training requests: the person who asked hears the coordinator's decision."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from qms.mail import absolute_url, send_each
from training.models import RequestState, TrainingRequest


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
