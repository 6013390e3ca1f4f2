"""The clause-coverage report: per clause of a standard, the controlled documents in force that
meet it, the audits that looked at it, the findings and open DÖFs on it, and whether it went
unaudited for the last 12 months (the view an external auditor asks for). Also as CSV.

Who: the roles that oversee or perform audits or see every DÖF (`audits.view_audit`,
`audits.perform_audit`, `audits.view_nonconformity`): the management representative, top
management, internal auditors. Anyone else: 403. The figures are counts; the only record links are
to the audit files the person may open (`audits_visible_to`) and to the DÖF list (which applies
its own rule).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audits.models import FindingKind
from audits.queries import COVERAGE_WINDOW_DAYS, audits_visible_to, clause_coverage
from qms.downloads import CSV_CONTENT_TYPE, attachment_response, csv_bytes
from qms.models import Standard

COVERAGE_PERMISSIONS = ("audits.view_audit", "audits.perform_audit", "audits.view_nonconformity")
DEFAULT_STANDARD = "ISO 10002"

# Short column headings for the finding kinds (the full label is given to screen readers and in CSV).
FINDING_ABBREVIATIONS = {
    FindingKind.MAJOR: pgettext_lazy("finding column", "Major"),
    FindingKind.MINOR: pgettext_lazy("finding column", "Minor"),
    FindingKind.OBSERVATION: pgettext_lazy("finding column", "Observation"),
    FindingKind.IMPROVEMENT: pgettext_lazy("finding column", "Improvement"),
}


def may_see_coverage(user) -> bool:
    return any(user.has_perm(perm) for perm in COVERAGE_PERMISSIONS)


class CoverageFilterForm(forms.Form):
    standard = forms.ModelChoiceField(label=gettext_lazy("Standard"), queryset=Standard.objects.none(),
                                      empty_label=None, required=False)
    unaudited = forms.BooleanField(label=gettext_lazy("Only clauses with no audit in the last 12 months"),
                                   required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = Standard.objects.order_by("code")
        self.fields["standard"].label_from_instance = lambda standard: f"{standard} {standard.title}"


class ClauseCoverageView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "audits/coverage.html"
    page_title = gettext_lazy("Clause coverage")
    header_icon = "table"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if not may_see_coverage(request.user):
            return permission_denied(
                request, PermissionDenied(_("The clause coverage report is for auditors and the quality team."))
            )
        self.form = CoverageFilterForm(request.GET or None)
        self.standard = None
        self.unaudited = False
        if self.form.is_bound and self.form.is_valid():
            self.standard = self.form.cleaned_data["standard"]
            self.unaudited = self.form.cleaned_data["unaudited"]
        if self.standard is None:
            self.standard = (Standard.objects.filter(code=DEFAULT_STANDARD).first()
                             or Standard.objects.order_by("code").first())
        if not self.form.is_bound:
            self.form = CoverageFilterForm(initial={"standard": self.standard})
        return super().dispatch(request, *args, **kwargs)

    def report(self):
        self.today = timezone.localdate()
        report = clause_coverage(self.standard, self.today) if self.standard else None
        return report

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.export_csv(self.report())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report()
        rows = report.rows if report else []
        audit_ids = {row.last_audit.pk for row in rows if row.last_audit}
        openable = set(
            audits_visible_to(self.request.user).filter(pk__in=audit_ids).values_list("pk", flat=True)
        ) if audit_ids else set()
        shown = [row for row in rows if row.not_audited_recently] if self.unaudited else rows
        query = self.request.GET.copy()
        query["format"] = "csv"
        if self.standard and "standard" not in query:
            query["standard"] = self.standard.pk
        context.update(
            form=self.form,
            report=report,
            rows=shown,
            openable=openable,
            kinds=[(kind, FINDING_ABBREVIATIONS[kind], label) for kind, label in FindingKind.choices],
            csv_query=query.urlencode(),
            window_days=COVERAGE_WINDOW_DAYS,
        )
        return context

    def export_csv(self, report) -> HttpResponse:
        kinds = FindingKind.choices
        headers = [
            _("Standard"), _("Clause"), pgettext("clause", "Title"), _("Level"), _("Documents in force"), _("Audits"),
            _("Last audit"), _("Last audited on"), _("Next planned audit"), *[label for _kind, label in kinds],
            _("Open DÖFs"), _("No audit in the last 12 months"),
        ]
        rows = report.rows if report else []
        if self.unaudited:
            rows = [row for row in rows if row.not_audited_recently]
        lines = [[
            row.clause.standard.code, row.clause.number, row.clause.title, row.clause.depth, row.documents,
            row.audits, row.last_audit.code if row.last_audit else "", row.last_audit_date, row.next_audit_date,
            *row.finding_counts, row.open_nonconformities,
            pgettext("coverage flag", "yes") if row.not_audited_recently else pgettext("coverage flag", "no"),
        ] for row in rows]
        code = report.standard.code if report else ""
        filename = f"{_('Clause coverage')} {code} {self.today:%Y-%m-%d}.csv"
        return attachment_response(csv_bytes(headers, lines), filename, CSV_CONTENT_TYPE)


urlpatterns = [
    path("coverage/", ClauseCoverageView.as_view(), name="clause_coverage"),
]
