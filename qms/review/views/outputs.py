"""The outputs of a management review in the admin: its decisions and action items.

    review:decision_add     GET/POST  /admin/review/<review>/decisions/new/[?item=<kind>]
    review:decision_edit    GET/POST  /admin/review/decisions/<pk>/edit/
    review:decision_delete  GET/POST  /admin/review/decisions/<pk>/delete/
    review:action_add       GET/POST  /admin/review/<review>/actions/new/[?item=<kind>&decision=<pk>]
    review:action_edit      GET/POST  /admin/review/actions/<pk>/edit/
    review:action_delete    GET/POST  /admin/review/actions/<pk>/delete/
    review:action_status    GET/POST  /admin/review/actions/<pk>/status/   done (note, date) / cancelled (reason)
    review:action_dof       GET/POST  /admin/review/actions/<pk>/dof/      turn it into a DÖF
    review:my_actions       GET       /admin/review/actions/mine/          the signed-in user's actions
    review:actions          GET       /admin/review/actions/[?status=&overdue=1&owner=]   every action

Decisions and actions are written by the management representative while the review is in
preparation (the models refuse them afterwards; the refusal is shown as a message). Once the
minutes are approved an action is followed: its owner or the management representative records it
done or cancelled (`services.set_action_status`), and the management representative may turn it into
a DÖF (`services.raise_dof_for_action`). Only actions of approved minutes are "actions" in the
lists: those of a review still in preparation are a draft.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages as admin_messages

from qms import audit
from qms.menu import PermissionMenuItem
from qms.models import Unit
from qms.review import rules, services
from qms.review.models import Action, ActionStatus, AgendaItem, Decision, Review, ReviewState
from qms.review.views.meetings import (
    DATE_INPUT,
    PAGE_SIZE,
    PersonChoiceField,
    ReviewPage,
    active_users,
    person,
    refusal_unless_editable,
    require_manage,
    require_view,
    show_errors,
)

RECENT = 20  # closed actions shown under "My review actions"
OWNS_ACTIONS = "review.owns_actions"  # session key: the user owns an action of approved minutes


def owns_actions(user) -> bool:
    return bool(user and user.is_authenticated
                and Action.objects.of_approved_reviews().filter(owner=user).exists())


def remember_action_owner(sender, request, user, **kwargs) -> None:
    """At sign-in, note in the session whether the user owns review actions. The menu asks on every
    admin page; reading the session costs nothing there, a query would cost every page one more.
    (Someone who becomes an owner later sees the item from their next sign-in; the dashboard and the
    reminders link to the page meanwhile.)"""
    session = getattr(request, "session", None)
    if session is not None:
        session[OWNS_ACTIONS] = owns_actions(user)


user_logged_in.connect(remember_action_owner, dispatch_uid="review-remember-action-owner")


class MyActionsMenuItem(PermissionMenuItem):
    def is_shown(self, request):
        session = getattr(request, "session", None) or {}
        return rules.may_view(request.user) or bool(session.get(OWNS_ACTIONS))


def back_to(review_id: int, anchor: str = "outputs"):
    return HttpResponseRedirect(reverse("review:detail", args=[review_id]) + f"#{anchor}")


def nonconformity_url(nc) -> str | None:
    if nc is None:
        return None
    try:
        return reverse("audits:nonconformity", args=[nc.pk])
    except NoReverseMatch:
        return None


def is_overdue(action: Action, today) -> bool:
    return action.status == ActionStatus.OPEN and action.due is not None and action.due < today


# --- forms -------------------------------------------------------------------------------------------


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.position}. {obj.get_kind_display()}"


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"D{obj.number}: {obj.text[:80]}"


def _items(review: Review):
    return sorted(AgendaItem.objects.filter(review=review), key=lambda item: item.position)


class DecisionForm(forms.ModelForm):
    item = ItemChoiceField(label=gettext_lazy("Agenda item"), required=False, queryset=AgendaItem.objects.none(),
                           empty_label=gettext_lazy("(the review as a whole)"))

    class Meta:
        model = Decision
        fields = ["text", "item"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(review=review)
        self.fields["item"].choices = [("", self.fields["item"].empty_label)] + [
            (item.pk, self.fields["item"].label_from_instance(item)) for item in _items(review)]


class ActionForm(forms.ModelForm):
    owner = PersonChoiceField(label=gettext_lazy("Owner"), required=False, queryset=get_user_model().objects.none(),
                              help_text=gettext_lazy("Needed before the review is submitted."))
    item = ItemChoiceField(label=gettext_lazy("Agenda item"), required=False, queryset=AgendaItem.objects.none(),
                           empty_label=gettext_lazy("(the review as a whole)"))
    decision = DecisionChoiceField(label=gettext_lazy("Decision"), required=False, queryset=Decision.objects.none(),
                                   empty_label=gettext_lazy("(none)"))

    class Meta:
        model = Action
        fields = ["text", "owner", "due", "item", "decision"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "due": DATE_INPUT}
        help_texts = {"due": gettext_lazy("Needed before the review is submitted.")}

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        owners = active_users()
        if self.instance.owner_id:
            owners = (owners | get_user_model().objects.filter(pk=self.instance.owner_id)).distinct()
        self.fields["owner"].queryset = owners
        self.fields["item"].queryset = AgendaItem.objects.filter(review=review)
        self.fields["item"].choices = [("", self.fields["item"].empty_label)] + [
            (item.pk, self.fields["item"].label_from_instance(item)) for item in _items(review)]
        decisions = list(Decision.objects.filter(review=review).order_by("pk"))
        for number, decision in enumerate(decisions, 1):
            decision.number = number
        self.fields["decision"].queryset = Decision.objects.filter(review=review)
        self.fields["decision"].choices = [("", self.fields["decision"].empty_label)] + [
            (d.pk, self.fields["decision"].label_from_instance(d)) for d in decisions]


# --- decisions and actions while in preparation ------------------------------------------------------


class OutputFormView(ReviewPage):
    """Add or edit a decision or an action of a review in preparation (management representative)."""

    template_name = "review/outputs/form.html"
    model = None
    form_class = None
    add_title = edit_title = ""
    saved_message = ""

    def get_page_title(self):
        return self.edit_title if self.instance.pk else self.add_title

    def dispatch(self, request, *args, pk=None, review=None, **kwargs):
        require_manage(request.user)
        if pk is not None:
            self.instance = get_object_or_404(self.model.objects.select_related("review"), pk=pk)
            self.review = self.instance.review
        else:
            self.review = get_object_or_404(Review, pk=review)
            self.instance = self.model(review=self.review)
        refusal = refusal_unless_editable(request, self.review)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict:
        initial = {}
        kind = self.request.GET.get("item")
        if kind and not self.instance.pk:
            item = AgendaItem.objects.filter(review=self.review, kind=kind).first()
            if item:
                initial["item"] = item.pk
        return initial

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form_class(instance=self.instance, review=self.review, initial=self.initial()))

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, instance=self.instance, review=self.review)
        if not form.is_valid():
            return self.render_form(form, status=400)
        adding = self.instance.pk is None
        try:
            with transaction.atomic():
                saved = form.save()
                audit.record(saved, "wagtail.create" if adding else "wagtail.edit", user=request.user)
        except ValidationError as error:
            show_errors(request, error)
            return back_to(self.review.pk)
        messages.success(request, self.saved_message)
        return back_to(self.review.pk)

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(review=self.review, form=form,
                                                             instance=self.instance), status=status)


class DecisionFormView(OutputFormView):
    model = Decision
    form_class = DecisionForm
    add_title = gettext_lazy("Add a decision")
    edit_title = gettext_lazy("Edit the decision")
    saved_message = gettext_lazy("The decision was saved.")


class ActionFormView(OutputFormView):
    model = Action
    form_class = ActionForm
    add_title = gettext_lazy("Add an action")
    edit_title = gettext_lazy("Edit the action")
    saved_message = gettext_lazy("The action was saved.")

    def initial(self) -> dict:
        initial = super().initial()
        decision = self.request.GET.get("decision", "")
        if decision.isdigit() and not self.instance.pk:
            found = Decision.objects.filter(review=self.review, pk=int(decision)).first()
            if found:
                initial["decision"] = found.pk
                if found.item_id:
                    initial.setdefault("item", found.item_id)
        return initial


class OutputDeleteView(ReviewPage):
    template_name = "review/outputs/delete.html"
    model = None
    deleted_message = ""

    def dispatch(self, request, *args, pk, **kwargs):
        require_manage(request.user)
        self.instance = get_object_or_404(self.model.objects.select_related("review"), pk=pk)
        self.review = self.instance.review
        refusal = refusal_unless_editable(request, self.review)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(review=self.review, instance=self.instance))

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                audit.record(self.instance, "wagtail.delete", user=request.user)
                self.instance.delete()
        except ValidationError as error:
            show_errors(request, error)
            return back_to(self.review.pk)
        messages.success(request, self.deleted_message)
        return back_to(self.review.pk)


class DecisionDeleteView(OutputDeleteView):
    model = Decision
    page_title = gettext_lazy("Delete the decision")
    deleted_message = gettext_lazy("The decision was deleted.")


class ActionDeleteView(OutputDeleteView):
    model = Action
    page_title = gettext_lazy("Delete the action")
    deleted_message = gettext_lazy("The action was deleted.")


# --- following actions after approval ----------------------------------------------------------------


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("What was done, or why the action is cancelled"),
                           widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    on = forms.DateField(label=gettext_lazy("Done on"), required=False, widget=DATE_INPUT,
                         help_text=gettext_lazy("For a done action; empty: today."))

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, label) for value, label in ActionStatus.choices
                                         if value != action.status]
        if action.status != ActionStatus.OPEN:
            self.fields["note"].required = False

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise ValidationError(_("The date an action was done cannot be in the future."))
        return on


class FollowedActionView(ReviewPage):
    """A page about one action of approved minutes."""

    def load(self, pk) -> Action:
        self.action = get_object_or_404(
            Action.objects.select_related("review", "owner", "nonconformity", "item", "decision"), pk=pk)
        self.review = self.action.review
        return self.action

    def not_followed(self, request):
        """Actions of minutes not (or no longer) approved are not followed: a message, back to the review."""
        if self.review.state == ReviewState.APPROVED:
            return None
        messages.error(request, _("An action is followed once its review is approved."))
        return back_to(self.review.pk, "actions")


class ActionStatusView(FollowedActionView):
    template_name = "review/outputs/status.html"
    page_title = gettext_lazy("Record the action's status")

    def dispatch(self, request, *args, pk, **kwargs):
        action = self.load(pk)
        if not rules.may_update_action(request.user, action):
            if not (rules.may_view(request.user) or action.owner_id == request.user.pk):
                raise PermissionDenied(_("Your role does not include management reviews."))
            raise PermissionDenied(_("Only the action's owner or the management representative can update it."))
        return self.not_followed(request) or super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_form(StatusForm(action=self.action, initial={"on": timezone.localdate()}))

    def post(self, request, *args, **kwargs):
        form = StatusForm(request.POST, action=self.action)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            services.set_action_status(self.action, user=request.user, status=data["status"], note=data["note"],
                                       on=data["on"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_form(form, status=400)
        messages.success(request, _("%(action)s is now “%(status)s”.")
                         % {"action": self.action.code, "status": ActionStatus(data["status"]).label})
        target = request.POST.get("next", "")
        if target == "mine":
            return HttpResponseRedirect(reverse("review:my_actions"))
        return back_to(self.review.pk, "actions")

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(
            review=self.review, action=self.action, form=form, owner=person(self.action.owner),
            overdue=is_overdue(self.action, timezone.localdate()), next=self.request.GET.get("next", "")),
            status=status)


class DofForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Responsible unit"), queryset=Unit.objects.none(),
                                  help_text=gettext_lazy("The unit whose work process the corrective action "
                                                         "concerns; its managers are told."))
    title = forms.CharField(label=gettext_lazy("DÖF title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: "\u2003" * max(unit.depth - 1, 0) + unit.name


class ActionDofView(FollowedActionView):
    template_name = "review/outputs/dof.html"
    page_title = gettext_lazy("Turn the action into a DÖF")

    def dispatch(self, request, *args, pk, **kwargs):
        require_manage(request.user)
        self.load(pk)
        refusal = self.not_followed(request)
        if refusal is not None:
            return refusal
        if self.action.nonconformity_id:
            messages.error(request, _("This action already has a DÖF."))
            return back_to(self.review.pk, "actions")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        description = _("Action %(code)s of the management review %(review)s (%(title)s):\n%(text)s") % {
            "code": self.action.code, "review": self.review.label, "title": self.review.title,
            "text": self.action.text}
        return self.render_form(DofForm(initial={"title": self.action.text[:200], "description": description}))

    def post(self, request, *args, **kwargs):
        form = DofForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            action = services.raise_dof_for_action(self.action, user=request.user, unit=data["unit"],
                                                   title=data["title"], description=data["description"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_form(form, status=400)
        nc = action.nonconformity
        url = nonconformity_url(nc)
        admin_messages.success(
            request, _("%(code)s was raised from action %(action)s.") % {"code": nc.code, "action": action.code},
            buttons=[admin_messages.button(url, _("Open %(code)s") % {"code": nc.code})] if url else None)
        return back_to(self.review.pk, "actions")

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(
            review=self.review, action=self.action, form=form, owner=person(self.action.owner)), status=status)


# --- the lists -------------------------------------------------------------------------------------------


def action_rows(actions, today, user) -> list[dict]:
    return [{
        "action": action, "owner": person(action.owner), "overdue": is_overdue(action, today),
        "dof_url": nonconformity_url(action.nonconformity),
        "may_update": rules.may_update_action(user, action),
    } for action in actions]


def _followed_actions():
    return Action.objects.of_approved_reviews().select_related("review", "owner", "nonconformity")


class MyActionsView(ReviewPage):
    template_name = "review/outputs/my_actions.html"
    page_title = gettext_lazy("My review actions")

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        user = request.user
        mine = _followed_actions().filter(owner=user)
        open_ = list(mine.filter(status=ActionStatus.OPEN).order_by("due", "pk"))
        closed = list(mine.exclude(status=ActionStatus.OPEN).order_by("-completed_on", "-pk")[:RECENT])
        if not open_ and not closed and not rules.may_view(user):
            raise PermissionDenied(_("You own no action of a management review."))
        request.session[OWNS_ACTIONS] = bool(open_ or closed)
        today = timezone.localdate()
        return self.render_to_response(self.get_context_data(
            open_rows=action_rows(open_, today, user), closed_rows=action_rows(closed, today, user),
            overdue=sum(1 for a in open_ if is_overdue(a, today)), recent=RECENT,
            may_list_all=rules.may_view(user)))


class ActionFilterForm(forms.Form):
    ANY = "any"
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[*ActionStatus.choices, (ANY, gettext_lazy("Any status"))])
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue"), required=False)
    owner = PersonChoiceField(label=gettext_lazy("Owner"), required=False, queryset=get_user_model().objects.none(),
                              empty_label=gettext_lazy("Anyone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = Action.objects.of_approved_reviews().exclude(owner=None).values("owner")
        self.fields["owner"].queryset = get_user_model().objects.filter(pk__in=owners).order_by(
            "first_name", "last_name")


class ActionListView(ReviewPage):
    template_name = "review/outputs/actions.html"
    page_title = gettext_lazy("Review actions")

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("review:list"), "label": _("Management reviews")},
                {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        user = request.user
        require_view(user)
        params = request.GET.copy()
        params.setdefault("status", ActionStatus.OPEN)
        form = ActionFilterForm(params)
        today = timezone.localdate()
        actions = _followed_actions().order_by("due", "pk")
        query = {}
        if form.is_valid():
            data = form.cleaned_data
            status = data["status"] or ActionStatus.OPEN
            if status != ActionFilterForm.ANY:
                actions = actions.filter(status=status)
            if data["overdue"]:
                actions = actions.filter(status=ActionStatus.OPEN, due__lt=today)
            if data["owner"]:
                actions = actions.filter(owner=data["owner"])
            query = {"status": status, "owner": data["owner"].pk if data["owner"] else ""}
            if data["overdue"]:
                query["overdue"] = "1"
        else:
            actions = actions.none()
        page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("p"))
        return self.render_to_response(self.get_context_data(
            form=form, page=page, rows=action_rows(list(page), today, user), query_string=urlencode(query)))


urlpatterns = [
    path("<int:review>/decisions/new/", DecisionFormView.as_view(), name="decision_add"),
    path("decisions/<int:pk>/edit/", DecisionFormView.as_view(), name="decision_edit"),
    path("decisions/<int:pk>/delete/", DecisionDeleteView.as_view(), name="decision_delete"),
    path("<int:review>/actions/new/", ActionFormView.as_view(), name="action_add"),
    path("actions/", ActionListView.as_view(), name="actions"),
    path("actions/mine/", MyActionsView.as_view(), name="my_actions"),
    path("actions/<int:pk>/edit/", ActionFormView.as_view(), name="action_edit"),
    path("actions/<int:pk>/delete/", ActionDeleteView.as_view(), name="action_delete"),
    path("actions/<int:pk>/status/", ActionStatusView.as_view(), name="action_status"),
    path("actions/<int:pk>/dof/", ActionDofView.as_view(), name="action_dof"),
]


def menu_items():
    return [
        PermissionMenuItem(gettext_lazy("Review actions"), reverse_lazy("review:actions"), name="review-actions",
                           icon_name="tasks", order=150, check=rules.may_view),
        MyActionsMenuItem(gettext_lazy("My review actions"), reverse_lazy("review:my_actions"),
                          name="review-my-actions", icon_name="user", order=200),
    ]
