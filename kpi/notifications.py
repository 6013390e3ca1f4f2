"""KPI e-mail: each month, the managers of every unit that answers requests get their unit's
scorecard (PDF attached), in their own language (`manage.py send_unit_scorecards`)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpi.scorecards import month_label, unit_scorecard
from qms.mail import absolute_url, send_each
from qms.models import Unit
from qms.roles import ROLES, Role


def managers_by_unit(units) -> dict[int, list]:
    """Unit id -> the active unit managers whose own (active) staff profile is in that unit; one query."""
    users = (get_user_model()._default_manager
             .filter(is_active=True, groups__name=ROLES[Role.UNIT_MANAGER].group_name,
                     staff_profile__is_active=True, staff_profile__unit__in=[unit.pk for unit in units])
             .select_related("staff_profile").distinct().order_by("pk"))
    found: dict[int, list] = {}
    for user in users:
        found.setdefault(user.staff_profile.unit_id, []).append(user)
    return found


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def send_unit_scorecard(unit, managers, *, month: dt.date, as_of: dt.date | None = None) -> int:
    """Mail `unit`'s scorecard for `month` to `managers`, each in their language; the number sent."""
    from kpi.scorecard_pdf import scorecard_pdf, scorecard_title

    cards: dict[str, object] = {}
    pdfs: dict[str, bytes] = {}

    def card():
        # Built in each recipient's language (labels, month names); the figures are the same.
        language = get_language()
        if language not in cards:
            cards[language] = unit_scorecard(unit=unit, month=month, as_of=as_of)
        return cards[language]

    url = absolute_url(reverse("kpi:scorecard", args=[unit.pk, f"{month:%Y-%m}"]))

    def compose(user):
        scorecard = card()
        rated = scorecard.rated()
        subject = scorecard_title(scorecard)
        lines = [
            _("Dear %(name)s,") % {"name": _person(user)},
            "",
            _("The scorecard of %(unit)s for %(month)s is attached.") % {
                "unit": unit.name, "month": month_label(scorecard.month)},
            _("%(green)s green, %(amber)s amber, %(red)s red") % {
                "green": rated["green"], "amber": rated["amber"], "red": rated["red"]},
            "",
            _("See it in the portal, with the requests behind each figure: %(url)s") % {"url": url},
        ]
        return subject, "\n".join(lines)

    def attachments():
        language = get_language()
        if language not in pdfs:
            pdfs[language] = scorecard_pdf(card())
        name = _("Unit scorecard %(unit)s %(month)s") % {"unit": unit.code, "month": f"{month:%Y-%m}"}
        return [(f"{name}.pdf", pdfs[language], "application/pdf")]

    return send_each(managers, compose, attachments)


def send_unit_scorecards(*, month: dt.date, as_of: dt.date | None = None) -> tuple[int, int]:
    """Every active unit that answers requests: its scorecard for `month` to its managers.
    Returns (units with a manager, messages sent)."""
    units = list(Unit.objects.filter(is_active=True, answers_requests=True).order_by("path"))
    managers = managers_by_unit(units)
    reached = sent = 0
    for unit in units:
        if managers.get(unit.pk):
            reached += 1
            sent += send_unit_scorecard(unit, managers[unit.pk], month=month, as_of=as_of)
    return reached, sent
