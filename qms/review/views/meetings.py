"""Management reviews in the admin (Yönetim gözden geçirmesi → Gözden geçirmeler).

    review:list     GET       /admin/review/                          every review, current versions first
    review:create   GET/POST  /admin/review/new/                      a new review (management representative)
    review:detail   GET       /admin/review/<pk>/                     the agenda with its input pack, narratives,
                                                                      decisions and actions, and what may be done next
    review:edit     GET/POST  /admin/review/<pk>/edit/                meeting fields and attendees (in preparation)
    review:item     GET/POST  /admin/review/<pk>/items/<kind>/        one agenda item's narrative (in preparation)
    review:submit   POST      /admin/review/<pk>/submit/              to the chair (stores the pack)
    review:return   POST      /admin/review/<pk>/return/              back to preparation, with a note
    review:approve  POST      /admin/review/<pk>/approve/             the chair approves what they read
    review:correct  POST      /admin/review/<pk>/correct/             a new version of approved minutes

Who: `rules.may_view` reads (anyone else gets 403 on every URL), `rules.may_manage` prepares and
`rules.may_approve` (the review's own chair) approves. The states are the models' and services':
these views hide what a state does not allow, and show any refusal of the models or services as an
error message, with nothing changed.

The chair approves what they read: the approve form carries a digest of everything the minutes are
made of (`minutes_digest`) taken when the page was rendered, and approval is refused when the
stored minutes no longer give the same digest.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.forms import modelformset_factory
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms import audit
from qms.menu import PermissionMenuItem
from qms.review import rules, services
from qms.review.models import (
    AGENDA_ORDER,
    Action,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    Attendee,
    Decision,
    Review,
    ReviewState,
    refusal_not_editable,
)
from qms.review.pack import item_pack
from qms.roles import ROLES, Role

PAGE_SIZE = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- who may -------------------------------------------------------------------------------------


def require_view(user) -> None:
    if not rules.may_view(user):
        raise PermissionDenied(_("Your role does not include management reviews."))


def require_manage(user) -> None:
    if not rules.may_manage(user):
        raise PermissionDenied(_("Only the management representative prepares management reviews."))


def refusal_unless_editable(request, review: Review):
    """The models' own refusal as a message and a way back, when the review left preparation."""
    if review.is_editable:
        return None
    messages.error(request, str(refusal_not_editable(review.state)))
    return HttpResponseRedirect(reverse("review:detail", args=[review.pk]))


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def minutes_pdf_url(review: Review) -> str | None:
    try:
        return reverse("review:minutes_pdf", args=[review.pk])
    except NoReverseMatch:
        return None


def show_errors(request, error: ValidationError, lead: str = "") -> None:
    if lead:
        messages.error(request, lead)
    for message in error.messages:
        messages.error(request, message)


# --- pages -----------------------------------------------------------------------------------------


class RefusedIs403:
    """A refusal (PermissionDenied, from the view or a service) answers 403 with its reason, instead
    of Wagtail's redirect to the dashboard: the person learns why, and tests see the refusal."""

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)

        def guarded(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return permission_denied(request, error)

        return functools.update_wrapper(guarded, view)


class ReviewPage(RefusedIs403, WagtailAdminTemplateMixin, TemplateView):
    """An admin page of the management review, with the breadcrumbs Home → Reviews → (review) → page."""

    header_icon = "clipboard-list"
    review: Review | None = None
    under_review = True  # False: the page is the review itself (no review crumb before it)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                 {"url": reverse("review:list"), "label": _("Management reviews")}]
        if self.review is not None and self.under_review:
            items.append({"url": reverse("review:detail", args=[self.review.pk]), "label": self.review.label})
        return items + [{"url": "", "label": str(self.get_page_title())}]


# --- the list ------------------------------------------------------------------------------------


class ReviewListView(ReviewPage):
    template_name = "review/meetings/list.html"
    page_title = gettext_lazy("Management reviews")

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        require_view(request.user)
        reviews = (
            Review.objects.select_related("chair")
            .annotate(
                open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)),
                superseded=Case(When(state=ReviewState.SUPERSEDED, then=Value(1)), default=Value(0),
                                output_field=IntegerField()),
            )
            .order_by("superseded", "-planned_date", "-version", "-pk")
        )
        page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("p"))
        return self.render_to_response(self.get_context_data(
            page=page, reviews=list(page), may_create=rules.may_manage(request.user)))


# --- creating a review -----------------------------------------------------------------------------


def _month_end_before(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def default_period(planned: dt.date) -> tuple[dt.date, dt.date]:
    """The period a new review looks at: up to the end of the month before the meeting, from the
    day after the last approved review's period (no gap, no overlap) or, with none, 12 months."""
    end = _month_end_before(planned)
    last = (Review.objects.approved().filter(planned_date__lt=planned, period_end__lt=end)
            .order_by("-period_end").values_list("period_end", flat=True).first())
    if last is not None:
        return last + dt.timedelta(days=1), end
    month = end.month - 11
    year = end.year
    if month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1), end


def top_managers():
    group = ROLES[Role.TOP_MANAGEMENT].group_name
    return get_user_model().objects.filter(is_active=True, groups__name=group).order_by("first_name", "last_name")


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


class ReviewCreateForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("review", "Title"), max_length=200,
                            initial=gettext_lazy("Management review"))
    planned_date = forms.DateField(label=gettext_lazy("Planned date"), widget=DATE_INPUT)
    period_start = forms.DateField(
        label=gettext_lazy("Period under review from"), required=False, widget=DATE_INPUT,
        help_text=gettext_lazy("Leave both dates empty: from the day after the last approved review's period "
                               "(or 12 months) up to the end of the month before the planned date."))
    period_end = forms.DateField(label=gettext_lazy("Period under review to"), required=False, widget=DATE_INPUT)
    chair = PersonChoiceField(label=gettext_lazy("Chair"), queryset=get_user_model().objects.none(),
                              help_text=gettext_lazy("A member of top management; only the chair approves the "
                                                     "minutes."))
    invited = PeopleChoiceField(label=gettext_lazy("Invited attendees"), required=False,
                                queryset=get_user_model().objects.none(),
                                widget=forms.SelectMultiple(attrs={"size": 10}),
                                help_text=gettext_lazy("The chair is invited anyway. Hold Ctrl (or ⌘) to choose "
                                                       "several."))
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = top_managers()
        self.fields["invited"].queryset = active_users()

    def clean(self):
        data = super().clean()
        start, end, planned = data.get("period_start"), data.get("period_end"), data.get("planned_date")
        if planned and not start and not end:
            data["period_start"], data["period_end"] = default_period(planned)
        elif bool(start) != bool(end):
            raise ValidationError(_("Give both dates of the period under review, or neither."))
        elif start and end and start > end:
            self.add_error("period_end", _("The period under review must end after it starts."))
        return data


class ReviewCreateView(ReviewPage):
    template_name = "review/meetings/create.html"
    page_title = gettext_lazy("New management review")

    def dispatch(self, request, *args, **kwargs):
        require_manage(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_form(ReviewCreateForm())

    def post(self, request, *args, **kwargs):
        form = ReviewCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.create_review(
                    title=data["title"], planned_date=data["planned_date"], period_start=data["period_start"],
                    period_end=data["period_end"], chair=data["chair"], created_by=request.user,
                    location=data["location"], invited=list(data["invited"]))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("%(review)s was created with the standard agenda. Write the narrative "
                                            "of each item.") % {"review": review.label})
                return HttpResponseRedirect(reverse("review:detail", args=[review.pk]))
        return self.render_form(form, status=400)

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(form=form), status=status)


# --- what the minutes are made of ---------------------------------------------------------------


def load_review(pk) -> Review:
    """A review with everything its page shows, in a fixed number of queries."""
    return get_object_or_404(
        Review.objects.select_related("chair").prefetch_related(
            "items",
            Prefetch("decisions", queryset=Decision.objects.order_by("pk")),
            Prefetch("actions", queryset=Action.objects.select_related("owner", "nonconformity").order_by("pk")),
            Prefetch("attendees", queryset=Attendee.objects.select_related("user").order_by("pk")),
        ),
        pk=pk,
    )


def minutes_digest(review: Review) -> str:
    """A fingerprint of what the chair reads: the meeting, each item's narrative and stored pack,
    the decisions, the actions and the attendees (from `load_review`'s prefetched rows)."""
    payload = {
        "review": [review.state, review.title, review.planned_date, review.held_on, review.location,
                   review.period_start, review.period_end, review.chair_id, review.submitted_at],
        "items": sorted([item.kind, item.narrative, item.pack] for item in review.items.all()),
        "decisions": [[d.pk, d.text, d.item_id] for d in review.decisions.all()],
        "actions": [[a.pk, a.text, a.owner_id, a.due, a.item_id, a.decision_id] for a in review.actions.all()],
        "attendees": [[a.pk, a.user_id, a.name, a.position, a.invited, a.present] for a in review.attendees.all()],
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class AttendeeRow:
    name: str
    position: str
    invited: bool
    present: bool
    chair: bool


@dataclass
class DecisionRow:
    id: int
    number: str
    text: str
    item_kind: str
    decision: Decision | None = None


@dataclass
class ActionRow:
    id: int
    code: str
    text: str
    item_kind: str
    decision_number: str
    owner_name: str
    due: dt.date | None
    status: str = ActionStatus.OPEN
    completed_on: dt.date | None = None
    note: str = ""
    overdue: bool = False
    action: Action | None = None
    may_update: bool = False  # the viewer may record its status (owner or management representative)

    @property
    def status_label(self) -> str:
        return str(ActionStatus(self.status).label)

    @property
    def nonconformity(self):
        return self.action.nonconformity if self.action else None


@dataclass
class Minutes:
    """Attendees, decisions and actions as the page shows them: the stored minutes once approved
    (later changes to people never alter them), the records themselves before. Action statuses are
    always the live ones: they are followed after approval."""

    chair_name: str
    attendees: list[AttendeeRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)

    def of_item(self, kind: str):
        return ([d for d in self.decisions if d.item_kind == kind], [a for a in self.actions if a.item_kind == kind])


def _follow(row: ActionRow, action: Action | None, today: dt.date, followed: bool) -> ActionRow:
    if action is not None:
        row.action = action
        row.status, row.completed_on, row.note = action.status, action.completed_on, action.status_note
        row.overdue = bool(followed and action.status == ActionStatus.OPEN and action.due and action.due < today)
    return row


def minutes_of(review: Review, today: dt.date | None = None) -> Minutes:
    today = today or timezone.localdate()
    stored = review.minutes if review.is_frozen else None
    if stored:
        numbers = {d["id"]: f"D{n}" for n, d in enumerate(stored["decisions"], 1)}
        ids = [a["id"] for a in stored["actions"]]
        live = {a.pk: a for a in Action.objects.filter(pk__in=ids).select_related("nonconformity")} if ids else {}
        return Minutes(
            chair_name=stored["chair"],
            attendees=[AttendeeRow(a["name"], a["position"], a["invited"], a["present"], a["chair"])
                       for a in stored["attendees"]],
            decisions=[DecisionRow(d["id"], numbers[d["id"]], d["text"], d["item"]) for d in stored["decisions"]],
            actions=[
                _follow(ActionRow(a["id"], f"{review.code}/A{a['id']}", a["text"], a["item"],
                                  numbers.get(a["decision"], ""), a["owner"],
                                  dt.date.fromisoformat(a["due"]) if a["due"] else None),
                        live.get(a["id"]), today, review.state == ReviewState.APPROVED)
                for a in stored["actions"]
            ],
        )
    items = {item.pk: item.kind for item in review.items.all()}
    decisions = list(review.decisions.all())
    numbers = {d.pk: f"D{n}" for n, d in enumerate(decisions, 1)}
    return Minutes(
        chair_name=person(review.chair),
        attendees=[AttendeeRow(a.display_name, a.position, a.invited, a.present, a.user_id == review.chair_id)
                   for a in review.attendees.all()],
        decisions=[DecisionRow(d.pk, numbers[d.pk], d.text, items.get(d.item_id, ""), d) for d in decisions],
        actions=[
            _follow(ActionRow(a.pk, a.code, a.text, items.get(a.item_id, ""), numbers.get(a.decision_id, ""),
                              person(a.owner), a.due), a, today, review.state == ReviewState.APPROVED)
            for a in review.actions.all()
        ],
    )


def pack_view(pack: dict) -> dict:
    """A compiled section laid out for `review/includes/pack_section.html`: each chart followed by
    the table holding its figures (same key), the other tables on their own, and each table row
    with its link. The charts' SVG is drawn by our own builders (kpi.charts), so it is marked safe."""
    chart_keys = {chart.get("key") for chart in pack.get("charts", []) if chart.get("key")}

    def laid_out(table: dict) -> dict:
        links = list(table.get("links") or [])
        rows = [{"cells": row, "link": links[index] if index < len(links) else None}
                for index, row in enumerate(table.get("rows", []))]
        return {"title": table.get("title", ""), "columns": table.get("columns", []), "rows": rows,
                "key": table.get("key", "")}

    tables = [laid_out(table) for table in pack.get("tables", [])]
    charts = []
    for index, chart in enumerate(pack.get("charts", [])):
        data = next((t for t in tables if chart.get("key") and t["key"] == chart.get("key")), None)
        charts.append({"title": chart.get("title", ""), "svg": mark_safe(chart.get("svg", "")),  # noqa: S308
                       "table": data, "index": index})
    return {
        "figures": pack.get("figures", []),
        "tables": [t for t in tables if not (t["key"] and t["key"] in chart_keys)],
        "charts": charts,
        "links": pack.get("links", []),
        "notes": pack.get("notes", []),
        "kind": pack.get("kind", ""),
    }


def compiled_at(pack: dict):
    value = parse_datetime(pack.get("compiled_at") or "")
    return timezone.localtime(value) if value and timezone.is_aware(value) else value


# --- the review's page ----------------------------------------------------------------------------


class ReturnForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What should change"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("What the correction is for"),
                             widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReviewDetailView(ReviewPage):
    template_name = "review/meetings/detail.html"
    under_review = False

    def get_page_title(self):
        return f"{self.review.label} — {self.review.title}"

    def get(self, request, pk, *args, **kwargs):
        user = request.user
        require_view(user)
        self.review = review = load_review(pk)
        may_manage = rules.may_manage(user)
        preparing = review.state == ReviewState.PREPARATION
        minutes = minutes_of(review)
        if review.state == ReviewState.APPROVED:
            for row in minutes.actions:
                row.may_update = row.action is not None and rules.may_update_action(user, row.action)
        items = []
        for item in sorted(review.items.all(), key=lambda i: i.position):
            pack = item_pack(item)
            decisions, actions = minutes.of_item(item.kind)
            items.append({
                "item": item, "number": item.position, "title": item.get_kind_display(), "pack": pack_view(pack),
                "live": item.pack is None, "compiled_at": compiled_at(pack), "narrative": item.narrative,
                "decisions": decisions, "actions": actions,
            })
        versions = list(Review.objects.filter(code=review.code).select_related("approved_by").order_by("version"))
        carried = []
        if review.corrects_id and not review.is_frozen:
            carried = list(Action.objects.filter(review_id=review.corrects_id).select_related("owner", "review")
                           .order_by("pk"))
        context = {
            "review": review, "minutes": minutes, "items": items, "versions": versions, "carried": carried,
            "stored_packs": any(not entry["live"] for entry in items),
            "problems": services.readiness_problems(review) if preparing else [],
            "may_manage": may_manage, "may_edit": may_manage and preparing,
            "may_approve": review.state == ReviewState.SUBMITTED and rules.may_approve(user, review),
            "may_return": review.state == ReviewState.SUBMITTED and (rules.may_approve(user, review) or may_manage),
            "may_correct": (review.state == ReviewState.APPROVED and may_manage
                            and not any(v.corrects_id == review.pk for v in versions)),
            "may_follow": review.state == ReviewState.APPROVED,
            "user_id": user.pk,
            "pdf_url": minutes_pdf_url(review),
            "digest": minutes_digest(review) if review.state == ReviewState.SUBMITTED else "",
            "return_form": ReturnForm(), "correction_form": CorrectionForm(),
        }
        return self.render_to_response(self.get_context_data(**context))


# --- preparing: the meeting and its attendees -----------------------------------------------------


class MeetingForm(forms.ModelForm):
    chair = PersonChoiceField(label=gettext_lazy("Chair"), queryset=get_user_model().objects.none())
    add_users = PeopleChoiceField(label=gettext_lazy("Invite more people"), required=False,
                                  queryset=get_user_model().objects.none(),
                                  widget=forms.SelectMultiple(attrs={"size": 8}),
                                  help_text=gettext_lazy("Hold Ctrl (or ⌘) to choose several."))
    guest_name = forms.CharField(label=gettext_lazy("Add a guest without an account: name"), max_length=150,
                                 required=False)
    guest_position = forms.CharField(label=gettext_lazy("The guest's title / role"), max_length=150,
                                     required=False)

    class Meta:
        model = Review
        fields = ["title", "planned_date", "held_on", "location", "period_start", "period_end", "chair"]
        widgets = {"planned_date": DATE_INPUT, "held_on": DATE_INPUT, "period_start": DATE_INPUT,
                   "period_end": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chairs = top_managers()
        if self.instance.chair_id:
            chairs = (chairs | get_user_model().objects.filter(pk=self.instance.chair_id)).distinct()
        self.fields["chair"].queryset = chairs
        self.fields["held_on"].help_text = _("Needed before the review is submitted.")
        taken = self.instance.attendees.exclude(user=None).values("user")
        self.fields["add_users"].queryset = active_users().exclude(pk__in=taken)

    def clean(self):
        data = super().clean()
        if data.get("guest_position") and not data.get("guest_name"):
            self.add_error("guest_name", _("Give the guest's name."))
        return data


AttendeeFormSet = modelformset_factory(
    Attendee, fields=("position", "invited", "present"), extra=0, can_delete=True,
)


class ReviewEditView(ReviewPage):
    template_name = "review/meetings/edit.html"
    page_title = gettext_lazy("Meeting and attendees")

    def dispatch(self, request, pk, *args, **kwargs):
        require_manage(request.user)
        self.review = get_object_or_404(Review.objects.select_related("chair"), pk=pk)
        refusal = refusal_unless_editable(request, self.review)
        if refusal is not None:
            return refusal
        return super().dispatch(request, pk, *args, **kwargs)

    def attendees(self):
        return self.review.attendees.select_related("user").order_by("pk")

    def get(self, request, *args, **kwargs):
        return self.render_forms(MeetingForm(instance=self.review),
                                 AttendeeFormSet(queryset=self.attendees(), prefix="attendees"))

    def post(self, request, *args, **kwargs):
        form = MeetingForm(request.POST, instance=self.review)
        formset = AttendeeFormSet(request.POST, queryset=self.attendees(), prefix="attendees")
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(form, formset, status=400)
        chair = form.cleaned_data["chair"]
        if any(f.instance.user_id == chair.pk for f in formset.deleted_forms):
            form.add_error("chair", _("The chair stays among the attendees: choose another chair first."))
            return self.render_forms(form, formset, status=400)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                review = form.save()
                formset.save()
                for user in data["add_users"]:
                    Attendee.objects.create(review=review, user=user, invited=True)
                if data["guest_name"]:
                    Attendee.objects.create(review=review, name=data["guest_name"],
                                            position=data["guest_position"], invited=True)
                if not review.attendees.filter(user=chair).exists():
                    Attendee.objects.create(review=review, user=chair, invited=True)
                audit.record(review, "wagtail.edit", user=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_forms(form, formset, status=400)
        messages.success(request, _("The meeting and its attendees were saved."))
        return HttpResponseRedirect(reverse("review:detail", args=[self.review.pk]))

    def render_forms(self, form, formset, status=200):
        rows = [{"form": f, "attendee": f.instance, "chair": f.instance.user_id == self.review.chair_id}
                for f in formset.forms]
        return self.render_to_response(self.get_context_data(review=self.review, form=form, formset=formset,
                                                             rows=rows), status=status)


# --- preparing: one agenda item's narrative -------------------------------------------------------


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["narrative"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"narrative": gettext_lazy("What the meeting concluded on this input: the figures above, "
                                                "what they mean, what is to be done.")}


class ItemEditView(ReviewPage):
    template_name = "review/meetings/item.html"

    def get_page_title(self):
        return f"{self.item.position}. {self.item.get_kind_display()}"

    def dispatch(self, request, pk, kind, *args, **kwargs):
        require_manage(request.user)
        if kind not in AgendaItemKind.values:
            raise Http404
        self.review = get_object_or_404(Review, pk=pk)
        self.item = get_object_or_404(AgendaItem.objects.select_related("review"), review=self.review, kind=kind)
        refusal = refusal_unless_editable(request, self.review)
        if refusal is not None:
            return refusal
        return super().dispatch(request, pk, kind, *args, **kwargs)

    def next_kind(self) -> str | None:
        index = AGENDA_ORDER.index(self.item.kind)
        return AGENDA_ORDER[index + 1] if index + 1 < len(AGENDA_ORDER) else None

    def get(self, request, *args, **kwargs):
        return self.render_form(NarrativeForm(instance=self.item))

    def post(self, request, *args, **kwargs):
        form = NarrativeForm(request.POST, instance=self.item)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            with transaction.atomic():
                self.item.save(update_fields=["narrative"])
                audit.record(self.review, "wagtail.edit", user=request.user, item=self.item.kind)
        except ValidationError as error:
            show_errors(request, error)
            return HttpResponseRedirect(reverse("review:detail", args=[self.review.pk]))
        messages.success(request, _("The narrative of “%(item)s” was saved.") % {"item": self.item.get_kind_display()})
        following = self.next_kind()
        if "next" in request.POST and following:
            return HttpResponseRedirect(reverse("review:item", args=[self.review.pk, following]))
        return HttpResponseRedirect(reverse("review:detail", args=[self.review.pk]) + f"#item-{self.item.kind}")

    def render_form(self, form, status=200):
        pack = item_pack(self.item)
        return self.render_to_response(self.get_context_data(
            review=self.review, item=self.item, form=form, pack=pack_view(pack), live=self.item.pack is None,
            compiled_at=compiled_at(pack), next_kind=self.next_kind()), status=status)


# --- state changes -----------------------------------------------------------------------------------


class ReviewActionView(RefusedIs403, View):
    """A POST that moves the review; refusals of the services come back as messages."""

    http_method_names = ["post"]

    def back(self, review: Review, anchor: str = ""):
        return HttpResponseRedirect(reverse("review:detail", args=[review.pk]) + anchor)


class SubmitView(ReviewActionView):
    def post(self, request, pk):
        require_manage(request.user)
        review = get_object_or_404(Review, pk=pk)
        try:
            services.submit(review, user=request.user)
        except ValidationError as error:
            show_errors(request, error, _("The review was not submitted:"))
            return self.back(review, "#readiness")
        messages.success(request, _("%(review)s was submitted: its figures are stored and the chair can approve "
                                    "the minutes.") % {"review": review.label})
        return self.back(review)


class ReturnView(ReviewActionView):
    def post(self, request, pk):
        review = get_object_or_404(Review, pk=pk)
        user = request.user
        if not (rules.may_approve(user, review) or rules.may_manage(user)):
            raise PermissionDenied(_("Only the chair or the management representative can return a review."))
        form = ReturnForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.return_to_preparation(review, user=user, note=note)
        except ValidationError as error:
            show_errors(request, error, _("The review was not returned:"))
            return self.back(review)
        messages.success(request, _("%(review)s is back in preparation.") % {"review": review.label})
        return self.back(review)


class ApproveView(ReviewActionView):
    def post(self, request, pk):
        review = get_object_or_404(Review, pk=pk)
        user = request.user
        if not rules.may_approve(user, review):
            raise PermissionDenied(_("Only the chair of this review can approve its minutes."))
        posted = request.POST.get("digest", "")
        try:
            with transaction.atomic():
                Review.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).first()
                if not constant_time_compare(minutes_digest(load_review(pk)), posted):
                    raise ValidationError(_("The minutes changed since you opened them; read them again before "
                                            "approving."))
                services.approve(review, user=user)
        except ValidationError as error:
            show_errors(request, error, _("The minutes were not approved:"))
            return self.back(review)
        messages.success(request, _("The minutes of %(review)s are approved and frozen.") % {"review": review.label})
        return self.back(review)


class CorrectView(ReviewActionView):
    def post(self, request, pk):
        require_manage(request.user)
        review = get_object_or_404(Review, pk=pk)
        form = CorrectionForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            correction = services.start_correction(review, user=request.user, reason=reason)
        except ValidationError as error:
            show_errors(request, error, _("No correction was started:"))
            return self.back(review, "#versions")
        messages.success(request, _("Version %(version)d of %(code)s was started; the approved version stays valid "
                                    "until the chair approves the correction.")
                         % {"version": correction.version, "code": correction.code})
        return HttpResponseRedirect(reverse("review:detail", args=[correction.pk]))


urlpatterns = [
    path("", ReviewListView.as_view(), name="list"),
    path("new/", ReviewCreateView.as_view(), name="create"),
    path("<int:pk>/", ReviewDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", ReviewEditView.as_view(), name="edit"),
    path("<int:pk>/items/<slug:kind>/", ItemEditView.as_view(), name="item"),
    path("<int:pk>/submit/", SubmitView.as_view(), name="submit"),
    path("<int:pk>/return/", ReturnView.as_view(), name="return"),
    path("<int:pk>/approve/", ApproveView.as_view(), name="approve"),
    path("<int:pk>/correct/", CorrectView.as_view(), name="correct"),
]


def menu_items():
    return [
        PermissionMenuItem(gettext_lazy("Management reviews"), reverse_lazy("review:list"), name="review-meetings",
                           icon_name="clipboard-list", order=100, check=rules.may_view),
    ]
