"""E-mails of the audits app, sent after the transaction that caused them commits.

* A signed-off audit report goes, with its PDF, to the managers of the audited units.
* A DÖF raised by a person goes to those who triage; a DÖF given to a unit, to its managers.
* A corrective action goes to its owner.
The daily reminder digest (audits/reminders.py) follows up everything that falls due.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from audits.models import AuditReport, CorrectiveAction, Nonconformity
from qms.mail import absolute_url, send_each
from qms.roles import ROLES, Role


def nearest_managers(unit):
    """The unit managers of `unit`, or of the nearest unit above it that has some."""
    from audits.grants import managers_of

    candidates = list(managers_of(unit).select_related("staff_profile__unit"))
    if not candidates:
        return []
    deepest = max(user.staff_profile.unit.depth for user in candidates)
    return [user for user in candidates if user.staff_profile.unit.depth == deepest]


def report_signed_off(report_pk: int) -> int:
    from audits.pdf import audit_report_pdf

    report = AuditReport.objects.select_related("audit__programme").get(pk=report_pk)
    audit = report.audit
    recipients = {}
    for unit in audit.units.all():
        for user in nearest_managers(unit):
            recipients[user.pk] = user
    url = absolute_url(reverse("audits:audit", args=[audit.pk]))

    def compose(user):
        subject = _("Audit report %(code)s (version %(version)s)") % {"code": audit.code, "version": report.version}
        body = _(
            "The report of internal audit %(code)s “%(title)s” was signed off (version %(version)s) and is "
            "attached. Nonconformities found in your unit have been opened as DÖFs; please record their "
            "root causes and corrective actions.\n\n%(url)s"
        ) % {"code": audit.code, "title": audit.title, "version": report.version, "url": url}
        return subject, body

    def attachments():
        return [(f"{audit.code}-v{report.version}.pdf", audit_report_pdf(report), "application/pdf")]

    return send_each(recipients.values(), compose, attachments)


def _nc_mail(nc: Nonconformity, users, intro: str) -> int:
    url = absolute_url(reverse("audits:nonconformity", args=[nc.pk]))

    def compose(user):
        subject = f"{nc.code}: {nc.title}"
        body = f"{intro}\n\n{nc.code} — {nc.title}\n{nc.unit.name}\n\n{nc.description}\n\n{url}"
        return subject, body

    return send_each(users, compose)


def nonconformity_raised(nc_pk: int) -> int:
    nc = Nonconformity.objects.select_related("unit").get(pk=nc_pk)
    if nc.triaged_at is None:
        User = get_user_model()
        triagers = User._default_manager.filter(
            is_active=True, groups__name=ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name
        ).distinct()
        return _nc_mail(nc, triagers, _("A new DÖF was raised and waits for triage."))
    return _nc_mail(nc, nearest_managers(nc.unit), _("A DÖF was opened for your unit."))


def nonconformity_assigned(nc_pk: int) -> int:
    nc = Nonconformity.objects.select_related("unit").get(pk=nc_pk)
    return _nc_mail(nc, nearest_managers(nc.unit), _("A DÖF was opened for your unit."))


def action_assigned(action_pk: int) -> int:
    action = CorrectiveAction.objects.select_related("nonconformity__unit", "owner").get(pk=action_pk)
    nc = action.nonconformity
    url = absolute_url(reverse("audits:nonconformity", args=[nc.pk]))

    def compose(user):
        subject = _("Corrective action for %(code)s") % {"code": nc.code}
        body = _("You own a corrective action of %(code)s, due %(due)s:\n\n%(action)s\n\n%(url)s") % {
            "code": nc.code, "due": action.due_date.strftime("%d.%m.%Y"), "action": action.description, "url": url,
        }
        return subject, body

    return send_each([action.owner], compose)
