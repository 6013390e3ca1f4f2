"""The requests behind a figure (`kpi:requests`, GET /admin/kpi/requests/): the list a unit manager
checks a KPI with, and its CSV / XLSX download.

The filters are those of the figure: the creation period (`from`, `to`), the figure's name
(`figure`, one of `kpi.engine.BEHIND_NAMES`: `overdue_open`, `on_time`, ...), the report date
(`as_of`), a unit (`unit`: its code; with the units under it, or alone with `unit_only=1`, as a
row of the dashboard's unit table counts), channel, type and category. The rows come from
`kpi.engine.requests_behind`, which counts the way the engine does, so the list's length is the
figure. They are limited to the reader's unit scope: a unit outside it answers 404, never
another unit's rows.

50 requests a page, in a fixed number of queries (the page and the count; unit, channel and
category come with the rows). `?format=csv|xlsx` downloads the list with the same filters, newest
first, at most DOWNLOAD_MAX[format] rows (the page says so when the list is longer): 100,000 as
CSV, 20,000 as XLSX, whose writer (openpyxl, through qms.downloads) is several times slower.

Needs `kpi.view_kpi` (the "kpi.view" capability); anyone else gets 403.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.engine import TYPE_BY_CODE, requests_behind
from kpi.models import Category, Channel, Deadline, RequestType, Status
from kpi.views.dashboard import Scope, reader_scope, refusal, type_choices, unit_choices
from qms.downloads import spreadsheet_response

PAGE_SIZE = 50
DOWNLOAD_MAX = {"csv": 100_000, "xlsx": 20_000}
EXPORT_FORMATS = tuple(DOWNLOAD_MAX)

FIGURE_LABELS = {
    "created": gettext_lazy("Created"),
    "not_processed": gettext_lazy("Not processed"),
    "answered": gettext_lazy("Answered"),
    "on_time": gettext_lazy("Answered on time"),
    "late": gettext_lazy("Answered late"),
    "returned": gettext_lazy("Answered, and returned to the unit at least once"),
    "satisfaction": gettext_lazy("With a satisfaction score"),
    "satisfied": gettext_lazy("Satisfied (score 4-5)"),
    "field_check": gettext_lazy("Checked on site"),
    "field_check_fail": gettext_lazy("Not solved on site"),
    "due_or_answered": gettext_lazy("Due or answered"),
    "overdue_open": gettext_lazy("Overdue and unanswered"),
    "scheduled_overdue": gettext_lazy("Scheduled and overdue"),
}


class RequestsFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Created from"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("Created until"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    figure = forms.ChoiceField(label=gettext_lazy("Figure"), choices=list(FIGURE_LABELS.items()))
    as_of = forms.DateField(label=gettext_lazy("Report date"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)
    unit_only = forms.BooleanField(label=gettext_lazy("This unit only"), required=False,
                                   help_text=gettext_lazy("Without the units under it."))
    channel = forms.TypedChoiceField(label=gettext_lazy("Channel"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    category = forms.TypedChoiceField(label=gettext_lazy("Category"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, scope: Scope, channels: dict, categories: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["unit"].choices = unit_choices(
            scope, empty_label=_("All units") if scope.all_units else _("All my units"))
        self.fields["channel"].choices = [("", _("All channels"))] + list(channels.items())
        self.fields["type"].choices = type_choices(_("All types"))
        self.fields["category"].choices = [("", _("All categories"))] + list(categories.items())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("The period ends before it starts."))
        return cleaned

    # The GET parameters are short (“from”, “to”), the form's field names are not Python keywords.
    PARAMS = {"from": "date_from", "to": "date_to"}

    @classmethod
    def data_from(cls, query, today: date) -> dict:
        data = {"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat(), "figure": "created",
                "as_of": today.isoformat()}
        for key, value in query.items():
            data[cls.PARAMS.get(key, key)] = value
        return data


def _local(value):
    """A stored time as the Istanbul wall-clock time, without its zone (spreadsheets hold no zones)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


class RequestListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "kpi/requests/list.html"
    page_title = gettext_lazy("Requests behind a figure")
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if denied := refusal(request):
            return denied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("kpi:dashboard"), "label": _("Request KPIs")},
                {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        scope = reader_scope(request.user)
        unit_code = request.GET.get("unit", "")
        if unit_code and unit_code not in scope.by_code:
            # Outside the reader's scope (or no such unit): not disclosed, and never its rows.
            raise Http404(_("There is no unit “%(code)s” among the units you may see.") % {"code": unit_code})
        channels = dict(Channel.objects.values_list("pk", "name"))
        categories = dict(Category.objects.values_list("pk", "name"))
        form = RequestsFilterForm(RequestsFilterForm.data_from(request.GET, today), scope=scope, channels=channels,
                                  categories=categories)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        queryset = self.queryset(form)
        export_format = request.GET.get("format")
        if export_format is not None:
            if export_format not in EXPORT_FORMATS:
                return HttpResponseBadRequest(_("Unknown download format."))
            return self.download(queryset, form, export_format)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        query.pop("format", None)
        data = form.cleaned_data
        context = self.get_context_data(
            form=form, page=page, rows=list(page), query_string=query.urlencode(),
            figure_label=FIGURE_LABELS[data["figure"]], data=data,
            unit=scope.by_code.get(data["unit"]) if data.get("unit") else None,
            csv_max=DOWNLOAD_MAX["csv"], xlsx_max=DOWNLOAD_MAX["xlsx"],
            too_many=page.paginator.count > min(DOWNLOAD_MAX.values()),
            csv_url=f"?{query.urlencode()}&format=csv", xlsx_url=f"?{query.urlencode()}&format=xlsx",
            dashboard_url=reverse("kpi:dashboard"),
        )
        return self.render_to_response(context)

    def queryset(self, form: RequestsFilterForm):
        data = form.cleaned_data
        units = None
        if data.get("unit"):
            unit = form.scope.by_code[data["unit"]]
            units = [unit.pk] if data.get("unit_only") else form.scope.subtree_ids(unit)
        return requests_behind(
            user=self.request.user, date_from=data["date_from"], date_to=data["date_to"], figure=data["figure"],
            as_of=data["as_of"], units=units, channels=[data["channel"]] if data.get("channel") else None,
            types=[TYPE_BY_CODE[data["type"]]] if data.get("type") else None,
            categories=[data["category"]] if data.get("category") else None)

    def download(self, queryset, form: RequestsFilterForm, export_format: str):
        data = form.cleaned_data
        types, statuses, deadlines = (
            {value: str(label) for value, label in choices.choices} for choices in (RequestType, Status, Deadline))
        headers = [_("Request number"), pgettext("request", "Created"), _("Unit code"), _("Unit"), _("Channel"),
                   _("Type"), _("Category"), _("Deadline"), _("Due date"), _("First answer"), _("Status"), _("On time")]

        # Plain tuples, not model instances: a long list downloads several times faster.
        fields = ("request_no", "created_at", "unit__code", "unit__name", "channel__name", "type", "category__name",
                  "deadline", "due_on", "first_answer_at", "status", "on_time")

        values = queryset.values_list(*fields)[:DOWNLOAD_MAX[export_format]]

        def rows():
            for (number, created, unit_code, unit_name, channel, type_, category, deadline, due_on, answered,
                 status, on_time) in values.iterator(chunk_size=5000):
                yield [number, _local(created), unit_code, unit_name, channel, str(types.get(type_, type_)), category,
                       str(deadlines.get(deadline, deadline)), due_on, _local(answered),
                       str(statuses.get(status, status)), on_time]

        title = str(FIGURE_LABELS[data["figure"]])
        stem = f"{_('Requests')} {title} {data['date_from']:%Y-%m-%d} {data['date_to']:%Y-%m-%d}"
        return spreadsheet_response(export_format, [(title, headers, rows())], stem)


urlpatterns = [
    path("requests/", RequestListView.as_view(), name="requests"),
]
