"""Document reminders: read confirmations waiting, and periodic reviews due or overdue."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentAcknowledgement
from documents.queries import current_revisions, due_for_review
from qms.reminders import Reminder, register
from qms.roles import ROLES, Role

REVIEW_NOTICE_DAYS = 30


def _read_url(document_id: int) -> str:
    return reverse("documents:read", args=[document_id])


@register("documents.acknowledge", _("Documents to read and confirm"))
def documents_to_read(*, today, users):
    """One item per unconfirmed read request of a revision in force; due some days after it came
    into force (QMS_DOCUMENT_ACKNOWLEDGE_DAYS). Reads only the columns it shows: a big department
    has tens of thousands of open requests on the day a procedure changes."""
    days = settings.QMS_DOCUMENT_ACKNOWLEDGE_DAYS
    pending = DocumentAcknowledgement.objects.filter(
        acknowledged_at__isnull=True, revision__in=current_revisions(on=today)
    )
    if users is not None:
        pending = pending.filter(user__in=users)
    rows = pending.order_by("requested_at", "pk").values_list(
        "user_id", "requested_at", "revision__number", "revision__effective_date", "revision__document_id",
        "revision__document__code",
    )
    urls: dict[int, str] = {}
    for user_id, requested_at, number, effective_date, document_id, code in rows:
        due = max(effective_date, timezone.localdate(requested_at)) + timedelta(days=days)
        if document_id not in urls:
            urls[document_id] = _read_url(document_id)
        yield Reminder(
            user_id=user_id,
            title=format_lazy(_("Read and confirm {code} Rev. {rev}"), code=code, rev=f"{number:02d}"),
            url=urls[document_id],
            due=due,
            overdue=due < today,
        )


@register("documents.review_due", _("Documents due for periodic review"))
def documents_due_for_review(*, today, users):
    """To the management representatives (every document) and the owning unit's managers."""
    documents = list(due_for_review(within_days=REVIEW_NOTICE_DAYS, on=today).select_related("unit"))
    if not documents:
        return
    User = get_user_model()
    recipients = User.objects.filter(is_active=True, groups__name__in=[
        ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name, ROLES[Role.UNIT_MANAGER].group_name,
    ]).distinct()
    if users is not None:
        recipients = recipients.filter(pk__in=users.values("pk"))
    recipients = recipients.select_related("staff_profile__unit").prefetch_related("groups")
    representative = ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name
    for person in recipients:
        names = {group.name for group in person.groups.all()}
        profile = getattr(person, "staff_profile", None)
        for document in documents:
            if representative not in names:
                if profile is None or not profile.is_active or not document.unit.path.startswith(profile.unit.path):
                    continue
            yield Reminder(
                user_id=person.pk,
                title=format_lazy(_("Periodic review of {code} {title}"), code=document.code, title=document.title),
                url=reverse("documents:review", args=[document.pk]),
                due=document.next_review_date,
                overdue=document.next_review_date < today,
            )
