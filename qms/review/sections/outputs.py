"""Agenda item 1, "Status of actions from previous reviews": the actions earlier approved reviews
decided, as they stand when the pack is compiled.

ISO 9001 9.3.2 a) asks the review to look at what became of the previous reviews' actions, and the
issue asks that open ones come back by themselves. So the item lists every action of an earlier
approved review that still mattered during this review's period: each one still open (whenever it
was decided), and each one created, done or cancelled since the period began. An action done or
cancelled before the period began was already reported at the review after it and is left out.

The review's own correction chain (its earlier versions share its number) is never "previous": a
correction reports on the same meeting.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qms.review.models import Action, ActionStatus, AgendaItemKind
from qms.review.pack import Figure, Link, Section, Table, section
from qms.review.sections.quality import url_or_none

NO_VALUE = "—"


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else NO_VALUE


def _person(user) -> str:
    if user is None:
        return NO_VALUE
    return user.get_full_name() or user.get_username()


def previous_actions(review) -> list[Action]:
    """The actions of earlier approved reviews this review reports on (module text above)."""
    start = review.period_start
    return list(
        Action.objects.of_approved_reviews()
        .filter(review__planned_date__lt=review.planned_date)
        .exclude(review__code=review.code)
        .filter(Q(status=ActionStatus.OPEN) | Q(completed_on__gte=start) | Q(created_at__date__gte=start))
        .select_related("review", "owner", "nonconformity")
        .order_by("review__planned_date", "pk")
    )


def _status_text(action: Action, today) -> str:
    if action.status == ActionStatus.OPEN and action.due and action.due < today:
        return _("Open — overdue since %(date)s") % {"date": _date(action.due)}
    return str(ActionStatus(action.status).label)


@section(AgendaItemKind.PREVIOUS_ACTIONS)
def build(review) -> Section:
    today = timezone.localdate()
    start = review.period_start
    actions = previous_actions(review)
    open_ = [a for a in actions if a.status == ActionStatus.OPEN]
    overdue = [a for a in open_ if a.due and a.due < today]
    done = [a for a in actions if a.status == ActionStatus.DONE and a.completed_on and a.completed_on >= start]
    cancelled = [a for a in actions if a.status == ActionStatus.CANCELLED]
    since = _date(start)
    figures = [
        Figure(label=_("Open actions of earlier reviews"), value=str(len(open_)), raw=len(open_), key="open_actions"),
        Figure(label=_("Open and past their due date"), value=str(len(overdue)), raw=len(overdue), target="0",
               status="met" if not overdue else "missed", key="overdue_actions"),
        Figure(label=_("Done since %(date)s") % {"date": since}, value=str(len(done)), raw=len(done),
               key="done_in_period"),
        Figure(label=_("Cancelled since %(date)s") % {"date": since}, value=str(len(cancelled)), raw=len(cancelled),
               key="cancelled_actions"),
    ]
    order = {ActionStatus.OPEN: 0, ActionStatus.DONE: 1, ActionStatus.CANCELLED: 2}
    actions.sort(key=lambda a: (order[a.status], a not in overdue, a.due or today, a.pk))
    rows, links, dof_links = [], [], []
    for action in actions:
        nc = action.nonconformity
        rows.append([
            action.code,
            action.review.label,
            action.text,
            _person(action.owner),
            _date(action.due),
            _status_text(action, today),
            _date(action.completed_on),
            action.status_note or NO_VALUE,
            nc.code if nc else NO_VALUE,
        ])
        detail = url_or_none("review:detail", action.review_id)
        links.append(f"{detail}#actions" if detail else None)
        if nc is not None:
            url = url_or_none("audits:nonconformity", nc.pk)
            if url:
                dof_links.append(Link(label=f"{nc.code} — {action.code}", url=url))
    table = Table(
        title=_("Actions of earlier reviews followed in this period"),
        columns=[_("Code"), _("Review"), pgettext("review action", "Action"), _("Owner"),
                 pgettext("review action", "Due date"), _("Status"),
                 _("Done or cancelled on"), _("Note"), _("DÖF")],
        rows=rows, links=links, key="previous_actions",
    )
    notes = [
        _("Listed: every action of an earlier approved review still open, and each one created, done or cancelled "
          "since %(date)s. Overdue as of %(today)s.") % {"date": since, "today": _date(today)},
    ]
    if not actions:
        notes.append(_("No earlier approved review left an action to follow in this period."))
    return Section(figures=figures, tables=[table] if actions else [], links=dof_links, notes=notes)
