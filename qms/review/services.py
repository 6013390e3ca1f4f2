"""Every change of a review's state, and of an action's status, goes through here (one
transaction each, one audit-log entry each). The screens, the API and the demo seed call these;
the models refuse any other write to a review that has left preparation."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import audit
from qms.review import rules
from qms.review.models import (
    AGENDA_ORDER,
    Action,
    ActionStatus,
    AgendaItem,
    Attendee,
    Decision,
    Review,
    ReviewState,
)
from qms.review.pack import compile_item


def _set_state(review: Review, to_state: str, *, user, note: str = "", **fields) -> None:
    from_state = review.state
    if (from_state, to_state) not in {(a, b) for (a, b) in _transitions()}:
        raise ValidationError(
            _("A review cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ReviewState(from_state).label, "to": ReviewState(to_state).label}
        )
    review.state = to_state
    for name, value in fields.items():
        setattr(review, name, value)
    review._state_change = True
    try:
        review.save()
    finally:
        review._state_change = False
    audit.record_transition(
        review, user=user, from_state=from_state, to_state=to_state,
        from_label=ReviewState(from_state).label, to_label=ReviewState(to_state).label, note=note,
    )


def _transitions():
    from qms.review.models import TRANSITIONS

    return TRANSITIONS.keys()


def next_code(year: int) -> str:
    """YGG-2026-1, YGG-2026-2: the reviews of a year in order (callers hold a transaction)."""
    prefix = f"YGG-{year}-"
    codes = Review.objects.select_for_update().filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code.rsplit("-", 1)[1]) for code in codes]
    return f"{prefix}{max(numbers, default=0) + 1}"


@transaction.atomic
def create_review(*, title: str, planned_date: dt.date, period_start: dt.date, period_end: dt.date, chair,
                  created_by, location: str = "", invited=()) -> Review:
    """A review in preparation with the full standard agenda; the chair, its author and `invited`
    users are invited."""
    rules.check_may_manage(created_by)
    review = Review(
        code=next_code(planned_date.year), title=title, planned_date=planned_date, location=location,
        period_start=period_start, period_end=period_end, chair=chair, created_by=created_by,
    )
    review.full_clean(exclude=["code"])
    review.save()
    AgendaItem.objects.bulk_create([AgendaItem(review=review, kind=kind) for kind in AGENDA_ORDER])
    # The chair and whoever prepares the review attend it, besides those invited.
    people = {user.pk: user for user in (chair, created_by, *invited)}
    Attendee.objects.bulk_create([Attendee(review=review, user=user, invited=True) for user in people.values()])
    audit.record(review, "wagtail.create", user=created_by)
    return review


def readiness_problems(review: Review) -> list[str]:
    """What stops the review from being submitted or approved, each as a sentence."""
    problems = []
    items = list(review.items.all())
    missing = [item for item in items if not item.narrative.strip()]
    for item in sorted(missing, key=lambda i: i.position):
        problems.append(
            _("Agenda item %(number)d “%(item)s” has no narrative.")
            % {"number": item.position, "item": item.get_kind_display()}
        )
    if len(items) != len(AGENDA_ORDER):
        problems.append(_("The agenda is missing standard items."))
    for action in review.actions.all():
        if action.owner_id is None or action.due is None:
            problems.append(
                _("The action “%(action)s” needs an owner and a due date.") % {"action": action.text[:60]}
            )
    if review.held_on is None:
        problems.append(_("Enter the date the meeting was held."))
    present = [a for a in review.attendees.all() if a.present]
    if not present:
        problems.append(_("Mark who was present."))
    elif not any(a.user_id == review.chair_id for a in present):
        problems.append(_("The chair must be among those present."))
    return problems


def _refuse_if_not_ready(review: Review) -> None:
    problems = readiness_problems(review)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def submit(review: Review, *, user) -> Review:
    """Compile and store the input pack, then send the review to the chair for approval.

    A correction keeps the figures its original was approved with (it corrects the minutes, not
    the data the meeting saw)."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    rules.check_may_manage(user)
    if review.state != ReviewState.PREPARATION:
        raise ValidationError(_("Only a review in preparation can be submitted."))
    _refuse_if_not_ready(review)
    for item in review.items.all():
        if review.corrects_id is None or item.pack is None:
            item.pack = compile_item(review, item.kind)
            item._frozen_write = True
            item.save(update_fields=["pack"])
    _set_state(review, ReviewState.SUBMITTED, user=user, submitted_at=timezone.now(), submitted_by=user,
               pack_compiled_at=timezone.now())
    return review


@transaction.atomic
def return_to_preparation(review: Review, *, user, note: str) -> Review:
    """The chair (or the management representative) sends a submitted review back; the stored
    figures are dropped and compiled again at the next submission."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not (rules.may_approve(user, review) or rules.may_manage(user)):
        raise PermissionDenied(_("Only the chair or the management representative can return a review."))
    if review.state != ReviewState.SUBMITTED:
        raise ValidationError(_("Only a review awaiting approval can be returned."))
    if not (note or "").strip():
        raise ValidationError(_("Say why the review is returned."))
    if review.corrects_id is None:
        AgendaItem.objects.filter(review=review).update(pack=None)
    _set_state(review, ReviewState.PREPARATION, user=user, note=note, pack_compiled_at=None)
    return review


def minutes_snapshot(review: Review) -> dict:
    """Attendees, decisions and actions as they are now, as JSON (stored on approval)."""
    attendees = [
        {"name": a.display_name, "position": a.position, "invited": a.invited, "present": a.present,
         "chair": a.user_id == review.chair_id}
        for a in review.attendees.select_related("user")
    ]
    decisions = [
        {"id": d.pk, "text": d.text, "item": d.item.kind if d.item_id else ""}
        for d in review.decisions.select_related("item")
    ]
    actions = [
        {"id": a.pk, "text": a.text, "item": a.item.kind if a.item_id else "",
         "decision": a.decision_id, "owner": a.owner.get_full_name() or a.owner.get_username(),
         "due": a.due.isoformat()}
        for a in review.actions.select_related("owner", "item").order_by("pk")
    ]
    chair = review.chair
    submitted_by = review.submitted_by
    return {
        "submitted_by": (submitted_by.get_full_name() or submitted_by.get_username()) if submitted_by else "",
        "title": review.title,
        "held_on": review.held_on.isoformat() if review.held_on else None,
        "location": review.location,
        "chair": chair.get_full_name() or chair.get_username(),
        "attendees": attendees,
        "decisions": decisions,
        "actions": actions,
    }


@transaction.atomic
def approve(review: Review, *, user) -> Review:
    """The chair approves the minutes: they are frozen as stored. Approving a correction
    supersedes the version it corrects and moves that version's actions to it."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not rules.may_approve(user, review):
        raise PermissionDenied(_("Only the chair of this review can approve its minutes."))
    if review.state != ReviewState.SUBMITTED:
        raise ValidationError(_("Only a review awaiting approval can be approved."))
    _refuse_if_not_ready(review)
    now = timezone.now()
    if review.corrects_id:
        original = Review.objects.select_for_update().get(pk=review.corrects_id)
        for action in Action.objects.filter(review=original):
            action.review = review
            action._frozen_write = True
            action.save(update_fields=["review"])
        _set_state(original, ReviewState.SUPERSEDED, user=user, note=review.correction_reason)
    review.minutes = minutes_snapshot(review)
    _set_state(review, ReviewState.APPROVED, user=user, approved_at=now, approved_by=user, minutes=review.minutes)
    return review


@transaction.atomic
def start_correction(review: Review, *, user, reason: str) -> Review:
    """A new version of approved minutes, in preparation, with the same agenda (narratives and
    stored figures), attendees and decisions. The approved version stays as it is until the
    correction is approved."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    rules.check_may_manage(user)
    if review.state != ReviewState.APPROVED:
        raise ValidationError(_("Only approved minutes are corrected; change a review in preparation directly."))
    if Review.objects.filter(corrects=review).exists():
        raise ValidationError(_("A correction of these minutes is already under way."))
    if not (reason or "").strip():
        raise ValidationError(_("Say what the correction is for."))
    copy = Review.objects.create(
        code=review.code, version=review.version + 1, corrects=review, correction_reason=reason,
        title=review.title, planned_date=review.planned_date, held_on=review.held_on, location=review.location,
        period_start=review.period_start, period_end=review.period_end, chair=review.chair, created_by=user,
    )
    items = {}
    for item in review.items.all():
        items[item.pk] = AgendaItem.objects.create(review=copy, kind=item.kind, narrative=item.narrative,
                                                   pack=item.pack)
    Attendee.objects.bulk_create([
        Attendee(review=copy, user_id=a.user_id, name=a.name, position=a.position, invited=a.invited,
                 present=a.present)
        for a in review.attendees.all()
    ])
    for decision in review.decisions.all():
        Decision.objects.create(review=copy, item=items.get(decision.item_id), text=decision.text)
    audit.record(copy, "wagtail.create", user=user)
    return copy


# --- Actions after approval -------------------------------------------------------------------

@transaction.atomic
def set_action_status(action: Action, *, user, status: str, note: str = "", on: dt.date | None = None) -> Action:
    """Done or cancelled (with a note), by the owner or the management representative; either way
    `completed_on` records the day the action was closed."""
    action = Action.objects.select_for_update().select_related("review").get(pk=action.pk)
    if not rules.may_update_action(user, action):
        raise PermissionDenied(_("Only the action's owner or the management representative can update it."))
    if status not in ActionStatus.values:
        raise ValidationError(_("Unknown status."))
    if action.review.state != ReviewState.APPROVED:
        raise ValidationError(_("An action is followed once its review is approved."))
    if status == action.status:
        raise ValidationError(_("The action already has this status."))
    if status != ActionStatus.OPEN and not (note or "").strip():
        raise ValidationError(_("Say what was done (or why the action is cancelled)."))
    from_status = action.status
    action.status = status
    action.status_note = note
    action.completed_on = (on or timezone.localdate()) if status != ActionStatus.OPEN else None
    action.save(update_fields=["status", "status_note", "completed_on"])
    audit.record_transition(
        action, user=user, from_state=from_status, to_state=status,
        from_label=ActionStatus(from_status).label, to_label=ActionStatus(status).label, note=note,
    )
    return action


@transaction.atomic
def raise_dof_for_action(action: Action, *, user, unit, title: str = "", description: str = "") -> Action:
    """Turn a review action into a DÖF (source: management review), linked both ways."""
    from audits.models import Source
    from audits.services import raise_nonconformity

    action = Action.objects.select_for_update().select_related("review").get(pk=action.pk)
    rules.check_may_manage(user)
    if action.review.state != ReviewState.APPROVED:
        raise ValidationError(_("A DÖF is raised from an action of approved minutes."))
    if action.nonconformity_id:
        raise ValidationError(_("This action already has a DÖF."))
    from django.urls import reverse

    nonconformity = raise_nonconformity(
        source=Source.MANAGEMENT_REVIEW,
        title=title or action.text[:200],
        description=description or action.text,
        unit=unit,
        raised_by=user,
        origin=action,
        origin_label=f"{action.review.label} — {action.text[:80]}",
        origin_url=reverse("review:detail", args=[action.review_id]),
        triaged_by=user,
    )
    action.nonconformity = nonconformity
    action.save(update_fields=["nonconformity"])
    return action
