"""The unit scorecard in the admin (Göstergeler → Birim karnesi).

* `kpi:scorecards` (GET /admin/kpi/scorecards/): choose a unit (those of the reader's unit scope that
  answer requests) and a month; sends on to the card.
* `kpi:scorecard` (GET /admin/kpi/scorecards/<unit id>/<YYYY-MM>/): the unit's KPIs for the month
  with target and rating, the previous month with the change, the department's figure, and a link
  from each figure to the requests behind it.
* `kpi:scorecard_pdf`, `kpi:scorecard_xlsx`: the same card as a PDF and a spreadsheet.

Everything needs `kpi.view_kpi` (403 without); a unit outside the reader's unit scope is 404, like
a unit that does not exist. The figures come from `kpi.scorecards.unit_scorecard` (the engine).
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.menu import PermissionMenuItem
from kpi.scorecards import Scorecard, month_label, parse_month, previous_month, unit_scorecard
from kpi.views.dashboard import refusal
from qms.downloads import spreadsheet_response
from qms.models import Unit
from qms.pdf import pdf_response
from qms.roles import unit_scope

VIEW_PERMISSION = "kpi.view_kpi"  # the "kpi.view" capability


def units_in_scope(user):
    """The units this reader may choose (all, or their unit scope), by the tree."""
    units = Unit.objects.all()
    scope = unit_scope(user)
    if scope is not None:
        units = units.filter(pk__in=scope.values("pk"))
    return units.order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class ScorecardForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none(), empty_label=None)
    month = forms.CharField(label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in_scope(user).filter(answers_requests=True, is_active=True)

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        return month


class _KpiReportView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "crosshairs"

    def dispatch(self, request, *args, **kwargs):
        if response := refusal(request):
            return response
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": str(self.get_page_title())}]


class ScorecardIndexView(_KpiReportView):
    """The chooser; a chosen unit and month go on to the card."""

    template_name = "kpi/scorecards/scorecard.html"
    page_title = gettext_lazy("Unit scorecard")

    def get(self, request, *args, **kwargs):
        form = ScorecardForm(request.GET or None, user=request.user)
        if form.is_bound and form.is_valid():
            return HttpResponseRedirect(scorecard_url(form.cleaned_data["unit"], form.cleaned_data["month"]))
        if not form.is_bound:
            profile = getattr(request.user, "staff_profile", None)
            form = ScorecardForm(user=request.user, initial={
                "unit": getattr(profile, "unit_id", None),
                "month": f"{previous_month(timezone.localdate()):%Y-%m}"})
        return self.render_to_response(self.get_context_data(form=form, card=None),
                                       status=400 if form.is_bound else 200)


def scorecard_url(unit, month, name: str = "kpi:scorecard") -> str:
    return reverse(name, args=[unit.pk, f"{month:%Y-%m}"])


class ScorecardView(_KpiReportView):
    template_name = "kpi/scorecards/scorecard.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.month = parse_month(kwargs["month"])

    def card(self) -> Scorecard:
        if self.month is None:
            raise Http404
        unit = get_object_or_404(units_in_scope(self.request.user), pk=self.kwargs["unit_id"])
        return unit_scorecard(unit=unit, month=self.month, user=self.request.user)

    def get_page_title(self):
        return _("Unit scorecard")

    def get(self, request, *args, **kwargs):
        card = self.card()
        form = ScorecardForm(user=request.user, initial={"unit": card.unit.pk, "month": card.month_key})
        return self.render_to_response(self.get_context_data(
            form=form, card=card, month_label=month_label(card.month),
            previous_label=month_label(card.previous_from),
            pdf_url=scorecard_url(card.unit, card.month, "kpi:scorecard_pdf"),
            xlsx_url=scorecard_url(card.unit, card.month, "kpi:scorecard_xlsx")))


def card_filename(card: Scorecard) -> str:
    return _("Unit scorecard %(unit)s %(month)s") % {"unit": card.unit.code, "month": card.month_key}


class ScorecardPdfView(ScorecardView):
    def get(self, request, *args, **kwargs):
        from kpi.scorecard_pdf import scorecard_pdf

        card = self.card()
        return pdf_response(scorecard_pdf(card, user=request.user), f"{card_filename(card)}.pdf")


class ScorecardXlsxView(ScorecardView):
    def get(self, request, *args, **kwargs):
        card = self.card()
        sheet = (_("Unit scorecard"), card.sheet_headers(), card.sheet_rows())
        return spreadsheet_response("xlsx", [sheet], card_filename(card))


urlpatterns = [
    path("scorecards/", ScorecardIndexView.as_view(), name="scorecards"),
    path("scorecards/<int:unit_id>/<str:month>/", ScorecardView.as_view(), name="scorecard"),
    path("scorecards/<int:unit_id>/<str:month>/pdf/", ScorecardPdfView.as_view(), name="scorecard_pdf"),
    path("scorecards/<int:unit_id>/<str:month>/xlsx/", ScorecardXlsxView.as_view(), name="scorecard_xlsx"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Unit scorecard"), reverse_lazy("kpi:scorecards"),
                           name="kpi-scorecards", icon_name="clipboard-list", order=200,
                           permissions=(VIEW_PERMISSION,)),
    ]
