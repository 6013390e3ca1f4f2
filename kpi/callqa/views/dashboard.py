"""The contact-centre KPI dashboard (Çağrı merkezi → Çağrı merkezi göstergeleri), `callqa:dashboard`,
GET /admin/callqa/dashboard/, and the home dashboard's "Contact centre this month" panel.

A month, or a range of days, filtered by line, queue and team: a tile per KPI (the service-level
definition in force written under the service level, and a warning when the rollups were counted
with other thresholds), the calls offered, answered and abandoned with the service level day by
day (month by month over a long range), the profile by hour of the day, the service level by
queue and the calls by line (each chart with its table), and tables by agent (sortable by any
column) and by queue, downloadable as CSV (one table, the definition on its first line) or XLSX
(every table and a sheet with the definition) through qms.downloads.

Who: `callqa.view_callkpi` every figure; a team lead (`callqa.lead_team`) the figures of their
own team's agents only (kpi.callqa.engine applies it; their team filter offers their teams);
anyone else 403. All figures come from ONE `kpi.callqa.engine.dashboard()` (four rollup queries,
the rollup state and the names): the page runs the same number of queries whatever the number of
calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi import charts
from kpi.callqa import call_charts
from kpi.callqa.engine import (
    KPI_LABELS,
    RATES,
    SECONDS,
    TEAM_PERMISSION,
    VIEW_PERMISSION,
    CallKpiEngine,
    csv_with_definition,
    dashboard,
    definition_lines,
    may_view,
    refusal_message,
)
from kpi.callqa.menu import PermissionMenuItem
from kpi.engine import time_range
from qms.dashboard import ModulePanel, panels_shown_to

YEARS_BACK = 4
TILE_KPIS = ("offered", "answered", "abandoned", "short_abandoned", "service_level", "asa", "aht", "abandon_rate",
             "answer_rate", "outbound")
TABLE_KPIS = ("offered", "answered", "abandoned", "short_abandoned", "service_level", "asa", "aht", "abandon_rate",
              "outbound")
DOWNLOAD_TABLES = ("agent", "queue", "line", "series", "hour")
EXPORT_FORMATS = ("csv", "xlsx")


def refusal(request):
    """403 unless the person may see call KPIs (returned: Wagtail turns a raised PermissionDenied
    into a redirect)."""
    if may_view(request.user):
        return None
    return permission_denied(request, PermissionDenied(refusal_message()))


# --- the filters ----------------------------------------------------------------------------------


class CallDashboardForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=[
        ("month", pgettext_lazy("KPI period", "Month")), ("range", gettext_lazy("Range of days"))])
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    month = forms.TypedChoiceField(label=pgettext_lazy("KPI period", "Month"), coerce=int,
                                   choices=[(number, name) for number, name in MONTHS.items()])
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=gettext_lazy("For a range of days."))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text=gettext_lazy("For a range of days."))
    line = forms.TypedChoiceField(label=pgettext_lazy("call line", "Line"), required=False, coerce=int,
                                  empty_value=None)
    queue = forms.TypedChoiceField(label=gettext_lazy("Queue"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, engine: CallKpiEngine, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in range(today.year, today.year - YEARS_BACK - 1, -1)]
        self.fields["line"].choices = [("", _("All lines"))] + sorted(engine.lines().items(), key=lambda i: i[1])
        self.fields["queue"].choices = [("", _("All queues"))] + sorted(engine.queues().items(), key=lambda i: i[1])
        teams = engine.visible_teams()
        self.fields["team"].choices = [("", _("All teams") if not engine.scoped else _("All my teams"))] + sorted(
            teams.items(), key=lambda i: i[1])

    @classmethod
    def defaults(cls, today: dt.date) -> dict:
        return {"period": "month", "year": str(today.year), "month": str(today.month)}

    def clean(self):
        data = super().clean()
        if data.get("period") == "range":
            start, end = data.get("date_from"), data.get("date_to")
            if start is None:
                self.add_error("date_from", _("Give the first day of the range."))
            if end is None:
                self.add_error("date_to", _("Give the last day of the range."))
            if start and end and start > end:
                self.add_error("date_to", _("The range ends before it starts."))
        return data

    def bounds(self) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data
        if data["period"] == "range":
            return data["date_from"], data["date_to"]
        return time_range("month", f"{data['year']}-{data['month']:02d}")


@dataclass
class Cell:
    kpi: str
    value: object
    text: str


def cells_of(values: dict, kpis=TABLE_KPIS) -> list[Cell]:
    return [Cell(kpi, values[kpi], call_charts.format_call_kpi(kpi, values[kpi])) for kpi in kpis]


def kpi_header(kpi: str) -> str:
    """A column header for a download: the label, with the unit of a rate or a time."""
    label = str(KPI_LABELS[kpi])
    if kpi in RATES:
        return _("%(label)s (%%)") % {"label": label}
    if kpi in SECONDS:
        return _("%(label)s (s)") % {"label": label}
    return label


def download_value(kpi: str, value):
    """A rate in percent with one decimal, a time in seconds with one decimal, a count as is."""
    if value is None:
        return None
    if kpi in RATES:
        return Decimal(str(round(value * 100, 1)))
    if kpi in SECONDS:
        return Decimal(str(round(value, 1)))
    return value


# --- the page -------------------------------------------------------------------------------------


class CallDashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "callqa/dashboard/index.html"
    page_title = gettext_lazy("Contact-centre KPIs")
    header_icon = "crosshairs"

    def dispatch(self, request, *args, **kwargs):
        if denied := refusal(request):
            return denied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")}, {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        engine = CallKpiEngine(user=request.user)
        params = {k: v for k, v in request.GET.dict().items() if k not in ("sort", "format", "table")}
        form = CallDashboardForm({**CallDashboardForm.defaults(today), **params}, engine=engine, today=today)
        context = self.get_context_data(form=form)
        if not form.is_valid():
            return self.render_to_response(context, status=400)
        date_from, date_to = form.bounds()
        data = form.cleaned_data
        board = dashboard(engine=engine, date_from=date_from, date_to=date_to,
                          lines=[data["line"]] if data.get("line") else None,
                          queues=[data["queue"]] if data.get("queue") else None,
                          teams=[data["team"]] if data.get("team") else None)
        tables = self.tables(board)
        export_format = request.GET.get("format")
        if export_format is not None:
            if export_format not in EXPORT_FORMATS:
                return HttpResponseBadRequest(_("Unknown download format."))
            table = request.GET.get("table") or "agent"
            if table not in DOWNLOAD_TABLES:
                return HttpResponseBadRequest(_("Unknown table."))
            return self.download(board, tables, export_format, table, date_from, date_to)
        context.update(self.figures(board, form, tables, params))
        return self.render_to_response(context)

    # ---- the figures --------------------------------------------------------------------------

    def tables(self, board) -> dict:
        engine = board.engine
        agents = engine.agents()
        agent_rows = []
        for row in board.by_agent.rows:
            info = agents.get(row.ids["agent_id"])
            agent_rows.append({
                "code": row.keys["agent"], "name": info.name if info else row.keys["agent"],
                "team": row.keys["team"] or "", "values": row.values, "cells": cells_of(row.values)})
        queue_rows = [{"name": row.keys["queue"], "values": row.values, "cells": cells_of(row.values)}
                      for row in board.by_queue.rows]
        line_rows = [{"name": row.keys["line"], "values": row.values, "cells": cells_of(row.values)}
                     for row in board.by_line.rows]
        return {"agent": agent_rows, "queue": queue_rows, "line": line_rows}

    def figures(self, board, form: CallDashboardForm, tables: dict, params: dict) -> dict:
        data = form.cleaned_data
        definition = board.definition
        tiles = []
        for kpi in TILE_KPIS:
            value = board.total.values[kpi]
            tiles.append({"kpi": kpi, "label": KPI_LABELS[kpi], "text": call_charts.format_call_kpi(kpi, value),
                          "note": definition["text"] if kpi == "service_level" else ""})
        sort = self.request.GET.get("sort") or "agent"
        agent_rows = sort_rows(tables["agent"], sort)
        query = {k: v for k, v in params.items() if v != ""}
        base = urlencode(query)
        headers = []
        for key, label in [("agent", _("Agent")), ("team", _("Team"))] + [(k, str(KPI_LABELS[k])) for k in TABLE_KPIS]:
            current = sort.lstrip("-") == key
            descending = sort.startswith("-")
            next_sort = key if (not current or descending) else f"-{key}"
            headers.append({"key": key, "label": label, "href": f"?{urlencode({**query, 'sort': next_sort})}",
                            "aria_sort": ("descending" if descending else "ascending") if current else ""})
        engine = board.engine
        return {
            "board": board, "definition": definition, "tiles": tiles,
            "period_label": (date_format(board.date_from, "F Y") if data["period"] == "month" else
                             f"{board.date_from:%d.%m.%Y}–{board.date_to:%d.%m.%Y}"),
            "line_label": engine.lines().get(data["line"]) if data.get("line") else _("All lines"),
            "queue_label": engine.queues().get(data["queue"]) if data.get("queue") else _("All queues"),
            "team_label": engine.teams().get(data["team"]) if data.get("team") else (
                _("All my teams") if engine.scoped else _("All teams")),
            "scoped": engine.scoped,
            "agent_rows": agent_rows, "agent_headers": headers, "queue_rows": tables["queue"],
            "line_rows": tables["line"],
            "kpi_headers": [str(KPI_LABELS[k]) for k in TABLE_KPIS],
            "downloads": [
                {"label": _("Agents (CSV)"), "href": f"?{base}&format=csv&table=agent"},
                {"label": _("Queues (CSV)"), "href": f"?{base}&format=csv&table=queue"},
                {"label": _("Every table (XLSX)"), "href": f"?{base}&format=xlsx"},
            ],
            "charts": self.charts(board),
        }

    def charts(self, board) -> dict:
        step = board.series.group_by[0]
        by_key = {row.keys[step]: row for row in board.series.rows}
        points = []
        if step == "day":
            day = board.date_from
            while day <= board.date_to:
                points.append((day.isoformat(), str(day.day), date_format(day, "j F Y")))
                day += dt.timedelta(days=1)
        else:
            month = board.date_from.replace(day=1)
            while month <= board.date_to:
                key = f"{month.year}-{month.month:02d}"
                points.append((key, date_format(month, "M"), date_format(month, "F Y")))
                month = (month + dt.timedelta(days=32)).replace(day=1)
        series = [self.point(by_key.get(key), axis, label) for key, axis, label in points]
        hours = {row.keys["hour"]: row for row in board.by_hour.rows}
        profile = [self.point(hours.get(hour), f"{hour:02d}", f"{hour:02d}:00–{hour:02d}:59") for hour in range(24)]
        result = {
            "series": call_charts.call_series_chart(
                series, chart_id="callqa-series", period_header=_("Day") if step == "day" else _("Month"),
                title=_("Calls offered, answered and abandoned, and the service level, each %(step)s")
                % {"step": _("day") if step == "day" else _("month")},
                description=_("Stacked bars: calls answered (solid) and abandoned (hatched), together the calls "
                              "offered; line: the service level. The table under the chart gives every figure.")),
            "hours": call_charts.call_series_chart(
                profile, chart_id="callqa-hours", period_header=_("Hour"),
                title=_("Interval profile: calls and service level by hour of the day"),
                description=_("The calls of the period by the hour they were offered in (local time): answered "
                              "(solid) and abandoned (hatched), with the service level of each hour.")),
        }
        queue_bars = [charts.Bar(label=row.keys["queue"], value=None if row.values["service_level"] is None
                                 else row.values["service_level"] * 100,
                                 text=call_charts.format_call_kpi("service_level", row.values["service_level"]))
                      for row in board.by_queue.rows]
        queue_bars.sort(key=lambda b: (b.value is None, b.value or 0, b.label))
        result["queues"] = call_charts.bars(
            queue_bars, chart_id="callqa-queues", title=_("Service level by queue"),
            description=_("The service level of each queue, lowest first."), label_header=_("Queue"),
            value_header=str(KPI_LABELS["service_level"]), maximum=100)
        line_bars = [charts.Bar(label=row.keys["line"], value=row.values["offered"],
                                text=call_charts.format_call_kpi("offered", row.values["offered"]))
                     for row in board.by_line.rows]
        line_bars.sort(key=lambda b: (-(b.value or 0), b.label))
        result["lines"] = call_charts.bars(
            line_bars, chart_id="callqa-lines", title=_("Calls offered by line"),
            description=_("The calls offered on each line, largest first."), label_header=pgettext("call line", "Line"),
            value_header=str(KPI_LABELS["offered"]))
        return result

    @staticmethod
    def point(row, axis_label: str, label: str) -> call_charts.CallPoint:
        if row is None:
            return call_charts.CallPoint(axis_label, label, 0, 0, 0, None)
        values = row.values
        return call_charts.CallPoint(axis_label, label, values["offered"], values["answered"], values["abandoned"],
                                     values["service_level"])

    # ---- downloads ----------------------------------------------------------------------------

    def download(self, board, tables: dict, export_format: str, table: str, date_from: dt.date, date_to: dt.date):
        from qms.downloads import CSV_CONTENT_TYPE, attachment_response, csv_bytes, spreadsheet_response

        kpi_headers = [kpi_header(k) for k in TABLE_KPIS]

        def kpi_values(values: dict) -> list:
            return [download_value(k, values[k]) for k in TABLE_KPIS]

        sheets = {
            "agent": (_("By agent"), [_("Agent code"), _("Agent"), _("Team")] + kpi_headers,
                      [[r["code"], r["name"], r["team"]] + kpi_values(r["values"]) for r in tables["agent"]]),
            "queue": (_("By queue"), [_("Queue")] + kpi_headers,
                      [[r["name"]] + kpi_values(r["values"]) for r in tables["queue"]]),
            "line": (_("By line"), [pgettext("call line", "Line")] + kpi_headers,
                     [[r["name"]] + kpi_values(r["values"]) for r in tables["line"]]),
            "series": (_("By day") if board.series.group_by[0] == "day" else _("By month"),
                       [_("Day") if board.series.group_by[0] == "day" else _("Month")] + kpi_headers,
                       [[row.keys[board.series.group_by[0]]] + kpi_values(row.values) for row in board.series.rows]),
            "hour": (_("By hour"), [_("Hour")] + kpi_headers,
                     [[row.keys["hour"]] + kpi_values(row.values) for row in board.by_hour.rows]),
        }
        stem = f"{_('Contact-centre KPIs')} {date_from:%Y-%m-%d} {date_to:%Y-%m-%d}"
        if export_format == "csv":
            title, headers, rows = sheets[table]
            content = csv_with_definition(csv_bytes(headers, rows), board.definition)
            return attachment_response(content, f"{stem} {title}.csv", CSV_CONTENT_TYPE)
        definition_sheet = (_("Definition"), [_("Definition")], [[line] for line in definition_lines(board.definition)])
        ordered = [definition_sheet] + [sheets[name] for name in DOWNLOAD_TABLES]
        return spreadsheet_response("xlsx", ordered, stem)


def sort_rows(rows: list[dict], sort: str) -> list[dict]:
    """The agent table sorted by a column ("-" first: descending); no value always last."""
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key not in ("agent", "team") + TABLE_KPIS:
        key, descending = "agent", False
    if key == "agent":
        return sorted(rows, key=lambda r: r["code"], reverse=descending)
    if key == "team":
        return sorted(rows, key=lambda r: (r["team"], r["code"]), reverse=descending)
    present = [r for r in rows if r["values"][key] is not None]
    missing = [r for r in rows if r["values"][key] is None]
    present.sort(key=lambda r: (r["values"][key], r["code"]), reverse=descending)
    return present + sorted(missing, key=lambda r: r["code"])


# --- the home dashboard panel ---------------------------------------------------------------------

PANEL_KPIS = ("service_level", "asa", "abandon_rate")


class CallKpiPanel(ModulePanel):
    """“Contact centre this month”: this month's service level, ASA and abandon rate (a team lead:
    their team's agents), with the definition, in one rollup query."""

    name = "callqa_kpi_summary"
    template_name = "callqa/dashboard/panel.html"
    order = 86

    @staticmethod
    def is_shown_to(user) -> bool:
        return bool(user and user.is_authenticated and may_view(user))

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        today = timezone.localdate()
        date_from, date_to = time_range("month", f"{today.year}-{today.month:02d}")
        engine = CallKpiEngine(user=user)
        total = engine.compute(date_from=date_from, date_to=date_to).total
        return {
            "figures": [{"kpi": kpi, "label": KPI_LABELS[kpi],
                         "text": call_charts.format_call_kpi(kpi, total.values[kpi])} for kpi in PANEL_KPIS],
            "offered": call_charts.format_call_kpi("offered", total.values["offered"]),
            "period": date_format(date_from, "F Y"), "definition": engine.definition(), "scoped": engine.scoped,
            "dashboard_url": reverse("callqa:dashboard"),
        }


def homepage_panels(request, panels):
    panels.extend(panels_shown_to((CallKpiPanel,), request.user))


urlpatterns = [
    path("dashboard/", CallDashboardView.as_view(), name="dashboard"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Contact-centre KPIs"), reverse_lazy("callqa:dashboard"),
                           name="callqa-dashboard", icon_name="crosshairs", order=100,
                           permissions=(VIEW_PERMISSION, TEAM_PERMISSION)),
    ]


def hooks():
    return [("construct_homepage_panels", homepage_panels)]
