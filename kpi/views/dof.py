"""Raising a DÖF from a red or amber figure of the KPI dashboard (`kpi:raise_dof`, POST only).

The dashboard's small form posts the figure's filters (period, unit, channel, type, report date,
and the unit of the table row it stands in, if any). The first post shows a confirmation page
with the figure, its target, the period, the filters and the list of requests behind it; the
second (`confirm`) opens the DÖF through `audits.services.raise_nonconformity` (source "KPI
breach") with all of that in its description and the list as its originating record, then goes
to the DÖF. Both steps compute the figure again: one that is no longer red or amber (new
requests imported, a target changed) is refused with a message.

The responsible unit is the row's unit, else the filtered unit, else the top of the reader's
unit scope (a unit manager's own unit), else the department's top unit
(`department_top_unit`). Needs `kpi.view_kpi` and `audits.add_nonconformity`; a unit outside
the reader's scope answers 404.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi import charts
from kpi.engine import BEHIND_KPI, RATED, TYPE_BY_CODE, TYPE_CODES, KpiEngine, period_bounds
from kpi.models import Kpi, RequestType
from kpi.views.dashboard import (
    DOF_PERMISSION,
    RAISABLE,
    VIEW_PERMISSION,
    Scope,
    dashboard_url,
    drilldown_url,
    period_label,
    reader_scope,
)


class FigureForm(forms.Form):
    """The figure the dashboard's form posts: which KPI (and table row), over which filters. The
    dashboard's buttons send both as `cell` ("on_time_rate:FEN", "on_time_rate:" for a tile); the
    confirmation page sends `kpi` and `row_unit`."""

    cell = forms.CharField(required=False, max_length=80)
    kpi = forms.ChoiceField(required=False, choices=[(k.value, k.label) for k in RATED])
    period = forms.ChoiceField(choices=[("month", "month"), ("year", "year")])
    year = forms.IntegerField(min_value=2000, max_value=2100)
    month = forms.IntegerField(min_value=1, max_value=12)
    as_of = forms.DateField()
    unit = forms.CharField(required=False)
    row_unit = forms.CharField(required=False)
    channel = forms.IntegerField(required=False)
    type = forms.ChoiceField(required=False, choices=[("", "")] + [(code, code) for code in TYPE_CODES.values()])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cell"):
            kpi, _sep, row_unit = cleaned["cell"].partition(":")
            cleaned["kpi"], cleaned["row_unit"] = kpi, row_unit
        if cleaned.get("kpi") not in {k.value for k in RATED}:
            raise ValidationError(_("The figure could not be read; open the dashboard and try again."))
        return cleaned


def department_top_unit():
    """The department's own top unit: the one named as the department in the organisation details,
    else the first top-level unit that does not answer requests (the department, not a unit it
    measures), else the first top-level unit."""
    from qms.models import OrganisationSettings, Unit

    name = OrganisationSettings.load().department_name
    roots = list(Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path"))
    for unit in roots:
        if unit.name == name:
            return unit
    return next((u for u in roots if not u.answers_requests), roots[0] if roots else None)


class Figure:
    """The figure the form names, computed again by the engine at the form's report date."""

    def __init__(self, data: dict, scope: Scope, user):
        self.data = data
        self.kpi = Kpi(data["kpi"])
        self.period = data["period"]
        self.as_of = data["as_of"]
        anchor = date(data["year"], data["month"] if self.period == "month" else 1, 1)
        self.date_from, self.date_to = period_bounds(self.period, anchor)
        self.unit = self._unit(scope, data.get("unit"))
        self.row_unit = self._unit(scope, data.get("row_unit"))
        self.channel = data.get("channel")
        self.type_code = data.get("type") or ""
        engine = KpiEngine(user=user, as_of=self.as_of)
        if self.row_unit is not None:
            units = [self.row_unit.pk]
        elif self.unit is not None:
            units = scope.subtree_ids(self.unit)
        else:
            units = None
        report = engine.compute(date_from=self.date_from, date_to=self.date_to, units=units,
                                channels=[self.channel] if self.channel else None,
                                types=[TYPE_BY_CODE[self.type_code]] if self.type_code else None)
        effective = report.filters["units"]
        self.value = report.total.values[self.kpi.value]
        self.rating = report.total.ratings.get(self.kpi.value)
        target_unit = self.row_unit.pk if self.row_unit else (effective[0] if effective and len(effective) == 1
                                                               else None)
        targets = engine.targets()
        self.target = targets.get((self.kpi.value, target_unit)) or targets.get((self.kpi.value, None))
        self.channel_name = engine.channels().get(self.channel, "") if self.channel else ""

    @staticmethod
    def _unit(scope: Scope, code: str | None):
        if not code:
            return None
        unit = scope.by_code.get(code)
        if unit is None:
            raise Http404(_("There is no unit “%(code)s” among the units you may see.") % {"code": code})
        return unit

    @property
    def raisable(self) -> bool:
        return self.rating in RAISABLE

    @property
    def value_text(self) -> str:
        return charts.shown_value(self.kpi, self.value, self.rating)

    @property
    def period_text(self) -> str:
        return f"{period_label(self.period, self.date_from)} ({self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y})"

    @property
    def unit_text(self) -> str:
        if self.row_unit is not None:
            return _("%(name)s (%(code)s), this unit only") % {"name": self.row_unit.name, "code": self.row_unit.code}
        if self.unit is not None:
            return _("%(name)s (%(code)s) with the units under it") % {"name": self.unit.name, "code": self.unit.code}
        return _("every unit (no unit filter)")

    @property
    def type_text(self) -> str:
        return str(RequestType(TYPE_BY_CODE[self.type_code]).label) if self.type_code else _("All types")

    def drilldown_path(self) -> str:
        unit = self.row_unit or self.unit
        return drilldown_url(date_from=self.date_from, date_to=self.date_to, figure=BEHIND_KPI[self.kpi],
                             as_of=self.as_of, unit=unit.code if unit else "", unit_only=self.row_unit is not None,
                             channel=self.channel, type_code=self.type_code)

    def facts(self) -> list[tuple[str, str]]:
        return [
            (_("Indicator"), str(self.kpi.label)),
            (_("Value"), f"{self.value_text} — {charts.rating_label(self.rating) or _('not rated')}"),
            (_("Target"), charts.target_text(self.kpi, self.target) or _("none")),
            (_("Period"), self.period_text),
            (_("Unit"), self.unit_text),
            (_("Channel"), self.channel_name or _("All channels")),
            (_("Type"), self.type_text),
            (_("Report date"), f"{self.as_of:%d.%m.%Y}"),
        ]

    def title(self) -> str:
        unit = self.row_unit or self.unit
        where = unit.code if unit else _("all units")
        return _("KPI %(rating)s: %(kpi)s %(value)s (%(unit)s, %(period)s)") % {
            "rating": charts.rating_label(self.rating).lower(), "kpi": self.kpi.label, "value": self.value_text,
            "unit": where, "period": period_label(self.period, self.date_from)}

    def description(self, link: str) -> str:
        lines = [_("A request KPI on the KPI dashboard is off its target or near the limit."), ""]
        lines += [f"{label}: {value}" for label, value in self.facts()]
        lines += ["", _("The requests behind the figure: %(link)s") % {"link": link}]
        return "\n".join(lines)


class RaiseDofView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "kpi/dashboard/raise_dof.html"
    header_icon = "warning"
    http_method_names = ["post"]

    def get_page_title(self):
        return _("Raise a DÖF from a KPI")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.has_perm(VIEW_PERMISSION) and user.has_perm(DOF_PERMISSION)):
            return permission_denied(request, PermissionDenied(
                _("Raising a DÖF from a KPI needs the permissions to see the KPIs and to raise a DÖF.")))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("kpi:dashboard"), "label": _("Request KPIs")},
                {"url": "", "label": self.get_page_title()}]

    def post(self, request, *args, **kwargs):
        form = FigureForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The figure could not be read; open the dashboard and try again."))
            return HttpResponseRedirect(reverse("kpi:dashboard"))
        scope = reader_scope(request.user)
        figure = Figure(form.cleaned_data, scope, request.user)
        back = dashboard_url() + "?" + _dashboard_query(form.cleaned_data)
        if not figure.raisable:
            messages.error(request, _("%(kpi)s is %(value)s, which is no longer off target or near the limit: no DÖF "
                                      "was raised.") % {"kpi": figure.kpi.label, "value": figure.value_text})
            return HttpResponseRedirect(back)
        link = figure.drilldown_path()
        if request.POST.get("confirm") != "1":
            return self.render_to_response(self.get_context_data(
                figure=figure, facts=figure.facts(), link=link, back=back, hidden=_hidden(form.cleaned_data),
                title=figure.title(), unit=self.responsible_unit(figure, scope)))
        unit = self.responsible_unit(figure, scope)
        if unit is None:
            messages.error(request, _("There is no unit to make responsible for the DÖF; add the department's units "
                                      "first."))
            return HttpResponseRedirect(back)
        from audits.models import Source
        from audits.services import raise_nonconformity

        try:
            nc = raise_nonconformity(
                source=Source.KPI_BREACH, title=figure.title(), description=figure.description(
                    request.build_absolute_uri(link)),
                unit=unit, raised_by=request.user, origin_url=link,
                origin_label=_("%(kpi)s, %(period)s") % {"kpi": figure.kpi.label, "period": figure.period_text})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(back)
        except PermissionDenied as error:
            return permission_denied(request, error)
        messages.success(request, _("%(code)s was raised from the figure; the management representative will triage "
                                    "it.") % {"code": nc.code})
        return HttpResponseRedirect(reverse("audits:nonconformity", args=[nc.pk]))

    @staticmethod
    def responsible_unit(figure: Figure, scope: Scope):
        return figure.row_unit or figure.unit or scope.top_unit() or department_top_unit()


def _hidden(data: dict) -> dict:
    """The posted figure again, for the confirmation's form."""
    return {"kpi": data["kpi"], "period": data["period"], "year": data["year"], "month": data["month"],
            "as_of": data["as_of"].isoformat(), "unit": data.get("unit") or "", "row_unit": data.get("row_unit") or "",
            "channel": data.get("channel") or "", "type": data.get("type") or ""}


def _dashboard_query(data: dict) -> str:
    from urllib.parse import urlencode

    query = {"period": data["period"], "year": data["year"], "month": data["month"], "as_of": data["as_of"].isoformat()}
    for name in ("unit", "channel", "type"):
        if data.get(name):
            query[name] = data[name]
    return urlencode(query)


urlpatterns = [
    path("dof/", RaiseDofView.as_view(), name="raise_dof"),
]
