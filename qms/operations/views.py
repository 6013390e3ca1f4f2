"""The retention screen (KVKK) for the management representative, in the admin's Settings menu.

    operations:retention       GET        /admin/retention/                     periods, due, holds, runs
    operations:hold_place      POST       /admin/retention/holds/               place a legal hold
    operations:hold_release    GET/POST   /admin/retention/holds/<pk>/release/  confirm, then release

Everything needs "retention.manage" (qms.roles: operations.change_legalhold); others get 403. The
page reads a fixed number of queries whatever the number of records (qms.operations.retention).
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms.operations.models import LegalHold, RetentionRun
from qms.operations.retention import RECORD_TYPES, hold_place, hold_release, retention_plan

MANAGE_PERMISSION = "operations.change_legalhold"
RECENT_RUNS = 10


def may_manage(user) -> bool:
    """Whether `user` sees the retention screen and places / releases holds."""
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_PERMISSION))


def hold_label(hold) -> str:
    """'Call records #12' for a message: the record type's label, not its key."""
    record_type = RECORD_TYPES.get(hold.record_type)
    return f"{record_type.label if record_type else hold.record_type} #{hold.object_id}"


class HoldForm(forms.Form):
    record_type = forms.ChoiceField(label=gettext_lazy("Record type"))
    object_id = forms.CharField(label=gettext_lazy("Record id"), max_length=64,
                                help_text=gettext_lazy("The record's number; a call may also be given by its call id."))
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=100, required=False,
                                help_text=gettext_lazy("Case, court or KVKK application number."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [(key, rt.label) for key, rt in RECORD_TYPES.items()]

    def clean(self):
        data = super().clean()
        record_type = RECORD_TYPES.get(data.get("record_type", ""))
        if record_type is not None and data.get("object_id"):
            if record_type.resolve(data["object_id"]) is None:
                self.add_error("object_id", _("There is no such record."))
        return data


class RetentionPage(WagtailAdminTemplateMixin, TemplateView):
    """An admin page of the retention area: refuses with 403 (and its reason) unless the user manages retention."""

    header_icon = "lock"

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)

        def guarded(request, *args, **kwargs):
            if not may_manage(request.user):
                return permission_denied(request, PermissionDenied(
                    _("Only the management representative manages the retention of personal data.")))
            return view(request, *args, **kwargs)

        return functools.update_wrapper(guarded, view)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if not isinstance(self, RetentionView):
            items.append({"url": reverse("operations:retention"), "label": str(RetentionView.page_title)})
        return items + [{"url": "", "label": str(self.get_page_title())}]


class RetentionView(RetentionPage):
    template_name = "operations/retention.html"
    page_title = gettext_lazy("Retention of personal data")

    def get(self, request, *args, **kwargs):
        return self.render(HoldForm())

    def render(self, form: HoldForm, status: int = 200):
        lines = retention_plan(timezone.localdate())
        holds = list(LegalHold.objects.filter(released_at__isnull=True).select_related("placed_by"))
        for hold in holds:
            record_type = RECORD_TYPES.get(hold.record_type)
            hold.type_label = record_type.label if record_type else hold.record_type
        runs = list(RetentionRun.objects.select_related("user")[:RECENT_RUNS])
        labels = {key: rt.label for key, rt in RECORD_TYPES.items()}
        for run in runs:
            run.lines = [(labels.get(key, key), counts.get("expired", 0), counts.get("held", 0),
                          counts.get("deleted", counts.get("anonymised", 0))) for key, counts in run.counts.items()]
        return self.render_to_response(self.get_context_data(
            lines=lines, holds=holds, runs=runs, form=form), status=status)


class HoldPlaceView(RetentionView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = HoldForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            hold = hold_place(record_type=form.cleaned_data["record_type"], object_id=form.cleaned_data["object_id"],
                              reason=form.cleaned_data["reason"], reference=form.cleaned_data["reference"],
                              user=request.user)
        except ValueError as refusal:
            form.add_error(None, str(refusal))
            return self.render(form, status=400)
        messages.success(request, _("Legal hold placed on %(record)s.") % {"record": hold_label(hold)})
        return HttpResponseRedirect(reverse("operations:retention") + "#holds")


class HoldReleaseView(RetentionPage):
    template_name = "operations/hold_release.html"
    page_title = gettext_lazy("Release the legal hold")

    def dispatch(self, request, *args, pk, **kwargs):
        self.hold = get_object_or_404(LegalHold.objects.select_related("placed_by"), pk=pk, released_at__isnull=True)
        record_type = RECORD_TYPES.get(self.hold.record_type)
        self.hold.type_label = record_type.label if record_type else self.hold.record_type
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(hold=self.hold))

    def post(self, request, *args, **kwargs):
        hold_release(hold=self.hold, user=request.user)
        messages.success(request, _("Legal hold on %(record)s released.") % {"record": hold_label(self.hold)})
        return HttpResponseRedirect(reverse("operations:retention") + "#holds")


app_name = "operations"
urlpatterns = [
    path("", RetentionView.as_view(), name="retention"),
    path("holds/", HoldPlaceView.as_view(), name="hold_place"),
    path("holds/<int:pk>/release/", HoldReleaseView.as_view(), name="hold_release"),
]
