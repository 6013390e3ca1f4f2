"""The request reports in the admin (Göstergeler → Kriz raporu, Yıllık veri analizi).

* `kpi:crisis` (GET /admin/kpi/reports/crisis/[?date=YYYY-MM-DD]): the units whose overdue backlog
  or on-time rate crossed a threshold (QMS_KPI_CRISIS_OVERDUE, QMS_KPI_CRISIS_ON_TIME_RATE) at the
  report date, with their figures and links to the requests behind them; `kpi:crisis_pdf` the same.
* `kpi:yearly` (GET /admin/kpi/reports/yearly/[?year=YYYY]): the year chooser, the automatic summary
  and the indicators beside the year before; `kpi:yearly_pdf` the full data-analysis report.

Everything needs `kpi.view_kpi` (403 without) and counts only the reader's unit scope.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kpi.menu import PermissionMenuItem
from kpi.models import RollupMonthUnit
from kpi.reports import crisis_reasons, crisis_report, crisis_rule, year_analysis
from kpi.scorecards import KPIS, change_of, kpi_label, number, percent, shown
from kpi.views.scorecards import VIEW_PERMISSION, _KpiReportView
from qms.pdf import pdf_response


class CrisisForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Report date"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           input_formats=["%Y-%m-%d", "%d.%m.%Y"])

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise ValidationError(_("The report date cannot be in the future."))
        return day


class CrisisView(_KpiReportView):
    template_name = "kpi/reports/crisis.html"
    page_title = gettext_lazy("Crisis report")
    header_icon = "warning"

    def report(self):
        self.form = CrisisForm(self.request.GET or None)
        day = self.form.cleaned_data["date"] if self.form.is_bound and self.form.is_valid() else None
        return crisis_report(user=self.request.user, as_of=day)

    def get(self, request, *args, **kwargs):
        report = self.report()
        if not self.form.is_bound:
            self.form = CrisisForm(initial={"date": report.as_of})
        rows = [{"unit": unit, "rate": shown("on_time_rate", unit.on_time_rate),
                 "overdue": number(unit.overdue_open), "reasons": crisis_reasons(unit)} for unit in report.units]
        return self.render_to_response(self.get_context_data(
            form=self.form, report=report, rows=rows, rule=crisis_rule(report),
            overdue_limit=number(report.overdue_limit), rate_limit=percent(report.rate_limit),
            pdf_query=f"date={report.as_of:%Y-%m-%d}"), status=400 if self.form.errors else 200)


class CrisisPdfView(CrisisView):
    def get(self, request, *args, **kwargs):
        from kpi.analysis_pdf import crisis_pdf

        report = self.report()
        return pdf_response(crisis_pdf(report, user=request.user),
                            _("Crisis report %(date)s") % {"date": f"{report.as_of:%Y-%m-%d}"} + ".pdf")


def report_years() -> list[int]:
    """Years with requests, and this year, newest first."""
    years = {day.year for day in RollupMonthUnit.objects.dates("month", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


class YearlyView(_KpiReportView):
    template_name = "kpi/reports/yearly.html"
    page_title = gettext_lazy("Yearly data-analysis report")
    header_icon = "doc-full"

    def analysis(self):
        years = report_years()
        self.form = YearForm(self.request.GET or None, years=years)
        if self.form.is_bound and self.form.is_valid():
            year = self.form.cleaned_data["year"]
        else:
            year = timezone.localdate().year
            if not self.form.is_bound:
                self.form = YearForm(initial={"year": year}, years=years)
        return year_analysis(year=year, user=self.request.user)

    def get(self, request, *args, **kwargs):
        a = self.analysis()
        rows = [{"label": kpi_label(k), "before": shown(k, a.previous_total.values[k]),
                 "now": shown(k, a.total.values[k]), "change": change_of(k, a.previous_total.values[k],
                                                                         a.total.values[k])} for k in KPIS]
        return self.render_to_response(self.get_context_data(
            form=self.form, analysis=a, rows=rows, pdf_query=f"year={a.year}"),
            status=400 if self.form.errors else 200)


class YearlyPdfView(YearlyView):
    def get(self, request, *args, **kwargs):
        from kpi.analysis_pdf import year_analysis_pdf

        a = self.analysis()
        name = _("Yearly data-analysis report %(year)s") % {"year": a.year}
        return pdf_response(year_analysis_pdf(a, user=request.user), f"{name}.pdf")


urlpatterns = [
    path("reports/crisis/", CrisisView.as_view(), name="crisis"),
    path("reports/crisis/pdf/", CrisisPdfView.as_view(), name="crisis_pdf"),
    path("reports/yearly/", YearlyView.as_view(), name="yearly"),
    path("reports/yearly/pdf/", YearlyPdfView.as_view(), name="yearly_pdf"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Crisis report"), reverse_lazy("kpi:crisis"),
                           name="kpi-crisis", icon_name="warning", order=210, permissions=(VIEW_PERMISSION,)),
        PermissionMenuItem(pgettext_lazy("menu", "Yearly data analysis"), reverse_lazy("kpi:yearly"),
                           name="kpi-yearly", icon_name="doc-full", order=220, permissions=(VIEW_PERMISSION,)),
    ]
