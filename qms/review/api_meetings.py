"""/api/v1/reviews and /api/v1/review-actions: management reviews, their agenda with the input
pack, and their actions. Mounted on the one NinjaAPI (`qms.api.api`) when the app is ready
(`qms.review.areas.API_AREAS`). Authentication is the API's (a bearer token, or the admin
session): none, 401.

    GET /reviews                    every review version, newest first (filters: state, year),
                                    paginated, with its counts. Needs `rules.may_view` (403)
    GET /reviews/{id}               one review with its agenda items (kind, narrative, the pack:
                                    stored once submitted, else compiled now; `pack=false` leaves
                                    it out), attendees, decisions, actions and, once approved, the
                                    stored minutes. `rules.may_view` (403); unknown id: 404
    GET /reviews/{id}/actions       that review's actions. `rules.may_view` (403)
    GET /review-actions             actions across reviews (filters: status=open|done|cancelled,
                                    overdue=1, review=<id>, owner=<username>), paginated.
                                    Whoever may view reviews sees every action; an action's owner
                                    sees only their own actions of approved minutes; anybody else 403.

An action is `overdue` when it is open, its minutes are approved and its due date has passed (the
watchdog's and the reminders' rule). Every list runs a fixed number of queries.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from datetime import date, datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from qms.api import ChoiceOut, PersonOut, admin_path, api, choice_out, person_out
from qms.review import rules
from qms.review.models import Action, ActionStatus, Attendee, Decision, Review, ReviewState
from qms.review.pack import item_pack

reviews_router = Router(tags=["review"])
actions_router = Router(tags=["review"])


def _require_view(request) -> None:
    if not rules.may_view(request.user):
        raise HttpError(403, _("You do not have permission for this (%(perm)s).") % {"perm": rules.VIEW})


def _count(queryset):
    """The number of `queryset`'s rows of the outer review, as a subquery (0 when none)."""
    counted = queryset.filter(review=OuterRef("pk")).order_by().values("review").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def _with_counts(reviews, today: date):
    overdue = Q(status=ActionStatus.OPEN, due__lt=today, review__state=ReviewState.APPROVED)
    return reviews.select_related("chair").annotate(
        n_invited=_count(Attendee.objects.filter(invited=True)),
        n_present=_count(Attendee.objects.filter(present=True)),
        n_decisions=_count(Decision.objects.all()),
        n_actions=_count(Action.objects.all()),
        n_open=_count(Action.objects.filter(status=ActionStatus.OPEN)),
        n_overdue=_count(Action.objects.filter(overdue)),
    )


# --- schemas ------------------------------------------------------------------------------------------


class CountsOut(Schema):
    invited: int
    present: int
    decisions: int
    actions: int
    open_actions: int
    overdue_actions: int


class ReviewOut(Schema):
    id: int
    code: str
    version: int
    label: str
    title: str
    state: ChoiceOut
    planned_date: date
    held_on: date | None
    location: str
    period_start: date
    period_end: date
    chair: PersonOut
    submitted_at: datetime | None
    approved_at: datetime | None
    corrects: int | None
    url: str | None
    minutes_pdf: str | None
    counts: CountsOut

    @staticmethod
    def resolve_id(obj):
        return obj.pk

    @staticmethod
    def resolve_state(obj):
        return choice_out(obj, "state")

    @staticmethod
    def resolve_chair(obj):
        return person_out(obj.chair)

    @staticmethod
    def resolve_corrects(obj):
        return obj.corrects_id

    @staticmethod
    def resolve_url(obj):
        return admin_path("review:detail", obj.pk)

    @staticmethod
    def resolve_minutes_pdf(obj):
        return admin_path("review:minutes_pdf", obj.pk)

    @staticmethod
    def resolve_counts(obj):
        return {"invited": obj.n_invited, "present": obj.n_present, "decisions": obj.n_decisions,
                "actions": obj.n_actions, "open_actions": obj.n_open, "overdue_actions": obj.n_overdue}


class ReviewRef(Schema):
    id: int
    code: str
    version: int
    title: str
    state: ChoiceOut


class ActionOut(Schema):
    id: int
    code: str
    review: ReviewRef
    item: ChoiceOut | None
    decision_id: int | None
    text: str
    owner: PersonOut | None
    due: date | None
    status: ChoiceOut
    completed_on: date | None
    status_note: str
    overdue: bool
    nonconformity: str | None
    url: str | None

    @staticmethod
    def resolve_id(obj):
        return obj.pk

    @staticmethod
    def resolve_code(obj):
        return obj.code

    @staticmethod
    def resolve_review(obj):
        review = obj.review
        return {"id": review.pk, "code": review.code, "version": review.version, "title": review.title,
                "state": choice_out(review, "state")}

    @staticmethod
    def resolve_item(obj):
        return choice_out(obj.item, "kind") if obj.item_id else None

    @staticmethod
    def resolve_owner(obj):
        return person_out(obj.owner)

    @staticmethod
    def resolve_status(obj):
        return choice_out(obj, "status")

    @staticmethod
    def resolve_overdue(obj):
        return bool(obj.status == ActionStatus.OPEN and obj.due and obj.review.state == ReviewState.APPROVED
                    and obj.due < timezone.localdate())

    @staticmethod
    def resolve_nonconformity(obj):
        return obj.nonconformity.code if obj.nonconformity_id else None

    @staticmethod
    def resolve_url(obj):
        return admin_path("review:detail", obj.review_id)


class AttendeeOut(Schema):
    name: str
    username: str | None
    position: str
    invited: bool
    present: bool
    chair: bool


class DecisionOut(Schema):
    id: int
    item: ChoiceOut | None
    text: str


class ItemOut(Schema):
    id: int
    position: int
    kind: ChoiceOut
    narrative: str
    pack_stored: bool
    pack: dict | None


class ReviewDetailOut(ReviewOut):
    correction_reason: str
    pack_compiled_at: datetime | None
    items: list[ItemOut]
    attendees: list[AttendeeOut]
    decisions: list[DecisionOut]
    actions: list[ActionOut]
    minutes: dict | None

    # get_review works these out once and hangs them on the instance.
    @staticmethod
    def resolve_items(obj):
        return obj._api_items

    @staticmethod
    def resolve_attendees(obj):
        return obj._api_attendees

    @staticmethod
    def resolve_decisions(obj):
        return obj._api_decisions

    @staticmethod
    def resolve_actions(obj):
        return obj._api_actions


def _actions():
    return Action.objects.select_related("review", "owner", "item", "nonconformity")


# --- reviews ------------------------------------------------------------------------------------------


@reviews_router.get("", response=list[ReviewOut], summary="Yönetimin gözden geçirmeleri / management reviews")
@paginate(LimitOffsetPagination)
def list_reviews(request, state: str | None = None, year: int | None = None):
    """Every review version (a corrected one with its state "superseded"), newest first."""
    _require_view(request)
    reviews = _with_counts(Review.objects.all(), timezone.localdate()).order_by("-planned_date", "-version", "-pk")
    if state:
        if state not in ReviewState.values:
            raise HttpError(400, _("Unknown state “%(state)s”.") % {"state": state})
        reviews = reviews.filter(state=state)
    if year:
        reviews = reviews.filter(planned_date__year=year)
    return reviews


@reviews_router.get("/{review_id}", response=ReviewDetailOut,
                    summary="Bir yönetimin gözden geçirmesi / one management review")
def get_review(request, review_id: int, pack: bool = True):
    _require_view(request)
    review = get_object_or_404(_with_counts(Review.objects.all(), timezone.localdate()), pk=review_id)
    items = sorted(review.items.all(), key=lambda item: item.position)
    for item in items:
        item.review = review
    review._api_items = [
        {"id": item.pk, "position": item.position, "kind": choice_out(item, "kind"), "narrative": item.narrative,
         "pack_stored": item.pack is not None, "pack": item_pack(item) if pack else None}
        for item in items
    ]
    review._api_attendees = [
        {"name": a.display_name, "username": a.user.get_username() if a.user_id else None, "position": a.position,
         "invited": a.invited, "present": a.present, "chair": a.user_id == review.chair_id}
        for a in review.attendees.select_related("user")
    ]
    review._api_decisions = [
        {"id": d.pk, "item": choice_out(d.item, "kind") if d.item_id else None, "text": d.text}
        for d in review.decisions.select_related("item")
    ]
    review._api_actions = list(_actions().filter(review=review).order_by("pk"))
    return review


@reviews_router.get("/{review_id}/actions", response=list[ActionOut],
                    summary="Bir gözden geçirmenin eylemleri / the actions of one review")
def review_actions(request, review_id: int):
    _require_view(request)
    review = get_object_or_404(Review.objects.only("pk"), pk=review_id)
    return _actions().filter(review=review).order_by("pk")


# --- actions across reviews ---------------------------------------------------------------------------


@actions_router.get("", response=list[ActionOut],
                    summary="Gözden geçirme eylemleri / management review actions")
@paginate(LimitOffsetPagination)
def list_actions(request, status: str | None = None, overdue: bool = False, review: int | None = None,
                 owner: str | None = None):
    """Actions across reviews by due date. The management representative, top management and
    internal auditors see all; an action's owner their own actions of approved minutes."""
    actions = _actions()
    if not rules.may_view(request.user):
        actions = actions.filter(owner=request.user, review__state=ReviewState.APPROVED)
        if not actions.exists():
            raise HttpError(403, _("Management review actions are for those who may view reviews and for "
                                   "the actions' owners."))
    if status:
        if status not in ActionStatus.values:
            raise HttpError(400, _("Unknown status “%(status)s”.") % {"status": status})
        actions = actions.filter(status=status)
    if overdue:
        actions = actions.filter(status=ActionStatus.OPEN, review__state=ReviewState.APPROVED,
                                 due__lt=timezone.localdate())
    if review:
        actions = actions.filter(review_id=review)
    if owner:
        actions = actions.filter(owner__username=owner)
    return actions.order_by("due", "pk")


api.add_router("/reviews", reviews_router)
api.add_router("/review-actions", actions_router)
