"""The request KPI dashboard (Göstergeler → Talep göstergeleri), `kpi:dashboard`, GET /admin/kpi/.

A month (series by day) or a year (series by month) of every KPI, filtered by unit (with the
units under it), channel and type, at a report date (default today): headline tiles with their
rating and target, the time series, bars by unit, channel and type, and a table by unit whose
every figure links to the requests behind it (`kpi:requests`). A red or amber figure has a small
button that raises a DÖF from it (`kpi:raise_dof`, kpi/views/dof.py): the tiles and the table
are each one form holding the filters, each button names its figure (`cell` = "kpi:unit code").

Needs `kpi.view_kpi` (the "kpi.view" capability); the figures are those of the reader's unit
scope (`qms.roles.unit_scope`, applied by the engine), and the unit filter offers only units in
that scope. All figures come from ONE call of `kpi.engine.dashboard()`, which reads the rollups:
the page runs the same number of queries whatever the number of requests or units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
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
from kpi.engine import BEHIND_KPI, RATED, TYPE_BY_CODE, TYPE_CODES, Rating, dashboard, time_range
from kpi.menu import PermissionMenuItem
from kpi.models import Channel, Kpi, KpiTarget, RequestType

VIEW_PERMISSION = "kpi.view_kpi"
DOF_PERMISSION = "audits.add_nonconformity"
YEARS_BACK = 9
# The KPIs in the order the tiles and the table show them.
KPI_ORDER = tuple(Kpi)
RAISABLE = (Rating.RED, Rating.AMBER)


def refusal(request):
    """403 unless the person may see the request KPIs (returned: Wagtail turns a raised
    PermissionDenied into a redirect)."""
    if request.user.has_perm(VIEW_PERMISSION):
        return None
    return permission_denied(request, PermissionDenied(
        _("The request KPIs are for those who hold the “see the request KPIs” permission.")))


# --- the reader's units ---------------------------------------------------------------------------


@dataclass
class Scope:
    """The units a reader may see (one query), by id and by code."""

    units: list  # Unit rows in tree order
    all_units: bool  # the reader sees every unit (unit_scope is None)
    by_id: dict = field(default_factory=dict)
    by_code: dict = field(default_factory=dict)

    @property
    def ids(self) -> list[int] | None:
        return None if self.all_units else [u.pk for u in self.units]

    def subtree_ids(self, unit) -> list[int]:
        """The unit and the units under it that the reader may see (from memory, no query)."""
        return [u.pk for u in self.units if u.path.startswith(unit.path)]

    def top_unit(self):
        """The highest unit of the scope (a unit manager's own unit), None when it is empty or all."""
        if self.all_units or not self.units:
            return None
        return min(self.units, key=lambda u: (u.depth, u.path))


def reader_scope(user) -> Scope:
    from qms.models import Unit
    from qms.roles import unit_scope

    scope = unit_scope(user)
    queryset = Unit.objects.all() if scope is None else scope
    units = list(queryset.only("pk", "code", "name", "path", "depth", "is_active").order_by("path"))
    return Scope(units=units, all_units=scope is None, by_id={u.pk: u for u in units},
                 by_code={u.code: u for u in units})


def unit_choices(scope: Scope, *, empty_label) -> list[tuple[str, str]]:
    """The units in scope, indented by depth (active ones; an inactive one still shows its figures
    in the table)."""
    top = min((u.depth for u in scope.units), default=1)
    choices = [("", empty_label)]
    for unit in scope.units:
        if unit.is_active:
            choices.append((unit.code, "\u2003" * (unit.depth - top) + f"{unit.name} ({unit.code})"))
    return choices


def type_choices(empty_label) -> list[tuple[str, str]]:
    return [("", empty_label)] + [(TYPE_CODES[int(value)], label) for value, label in RequestType.choices]


class Links:
    """Links to the requests behind figures that share a report date, channel and type: the URL
    is reversed and the shared part of the query encoded once (the unit table has a link per cell)."""

    def __init__(self, *, as_of: date, channel: int | None = None, type_code: str = "", category: int | None = None):
        self.base = reverse("kpi:requests")
        self.as_of = "as_of=" + as_of.isoformat()
        shared = {}
        if channel:
            shared["channel"] = str(channel)
        if type_code:
            shared["type"] = type_code
        if category:
            shared["category"] = str(category)
        self.shared = ("&" + urlencode(shared)) if shared else ""

    def url(self, *, date_from: date, date_to: date, figure: str, unit: str = "", unit_only: bool = False) -> str:
        query = f"?from={date_from.isoformat()}&to={date_to.isoformat()}&figure={figure}&{self.as_of}"
        if unit:
            query += "&" + urlencode({"unit": unit}) + ("&unit_only=1" if unit_only else "")
        return self.base + query + self.shared


def drilldown_url(*, date_from: date, date_to: date, figure: str, as_of: date, unit: str = "",
                  unit_only: bool = False, channel: int | None = None, type_code: str = "",
                  category: int | None = None) -> str:
    """The list of the requests behind a figure (kpi:requests) with the figure's filters."""
    return Links(as_of=as_of, channel=channel, type_code=type_code, category=category).url(
        date_from=date_from, date_to=date_to, figure=figure, unit=unit, unit_only=unit_only)


def period_label(period: str, date_from: date) -> str:
    return str(date_from.year) if period == "year" else date_format(date_from, "F Y")


def target_for(targets: dict, kpi: str, unit_id: int | None):
    """The unit's own target, else the department's (as the engine rates)."""
    return targets.get((kpi, unit_id)) or targets.get((kpi, None))


def load_targets() -> dict:
    return {(t.kpi, t.unit_id): t for t in KpiTarget.objects.all()}


# --- the filters ----------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=[
        ("month", pgettext_lazy("KPI period", "Month")), ("year", pgettext_lazy("KPI period", "Year"))])
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    month = forms.TypedChoiceField(label=pgettext_lazy("KPI period", "Month"), coerce=int,
                                   choices=[(number, name) for number, name in MONTHS.items()],
                                   help_text=gettext_lazy("Ignored for a year."))
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False,
                             help_text=gettext_lazy("With the units under it."))
    channel = forms.TypedChoiceField(label=gettext_lazy("Channel"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    as_of = forms.DateField(label=gettext_lazy("Report date"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            help_text=gettext_lazy("Overdue is counted at this date."))

    def __init__(self, *args, scope: Scope, channels: dict, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["year"].choices = [(y, str(y)) for y in range(today.year, today.year - YEARS_BACK - 1, -1)]
        self.fields["unit"].choices = unit_choices(
            scope, empty_label=_("All units") if scope.all_units else _("All my units"))
        self.fields["channel"].choices = [("", _("All channels"))] + list(channels.items())
        self.fields["type"].choices = type_choices(_("All types"))

    @classmethod
    def defaults(cls, today: date) -> dict:
        return {"period": "month", "year": str(today.year), "month": str(today.month), "as_of": today.isoformat()}


@dataclass
class Filters:
    """The dashboard's cleaned filters, and the engine's arguments they give."""

    period: str
    anchor: date
    as_of: date
    unit: object = None  # the chosen Unit (its subtree is shown), None: all in scope
    channel: int | None = None
    type_code: str = ""
    unit_ids: list[int] | None = None

    @classmethod
    def from_form(cls, form: DashboardFilterForm) -> Filters:
        data = form.cleaned_data
        unit = form.scope.by_code.get(data["unit"]) if data.get("unit") else None
        return cls(period=data["period"], anchor=date(data["year"], data["month"] if data["period"] == "month" else 1,
                                                      1),
                   as_of=data["as_of"], unit=unit, channel=data.get("channel"), type_code=data.get("type") or "",
                   unit_ids=form.scope.subtree_ids(unit) if unit is not None else None)

    @property
    def types(self) -> list[int] | None:
        return [TYPE_BY_CODE[self.type_code]] if self.type_code else None

    def hidden(self) -> dict:
        """The filters as the DÖF form's hidden fields."""
        return {"period": self.period, "year": self.anchor.year, "month": self.anchor.month,
                "as_of": self.as_of.isoformat(), "unit": self.unit.code if self.unit else "",
                "channel": self.channel or "", "type": self.type_code}

    def query(self) -> str:
        return urlencode({k: v for k, v in self.hidden().items() if v != ""})


# --- the page -------------------------------------------------------------------------------------


def dashboard_url(filters: Filters | None = None) -> str:
    url = reverse("kpi:dashboard")
    return f"{url}?{filters.query()}" if filters else url


@dataclass
class Cell:
    """One KPI figure of a row: written, rated, linked to its requests, maybe raisable."""

    kpi: str
    label: str
    value: object
    text: str
    rating: str | None
    rating_label: str
    href: str
    target: str = ""
    raisable: bool = False

    @property
    def symbol(self) -> str:
        return charts.RATING_SYMBOLS.get(self.rating, "")

    @property
    def value_text(self) -> str:
        return charts.format_kpi(self.kpi, self.value)

    @property
    def note(self) -> str:
        """“(small sample)” for a figure over too few requests."""
        return str(charts.SMALL_SAMPLE_NOTE) if self.rating == Rating.SMALL_SAMPLE and self.value is not None else ""


def cells_of(row, *, links: Links, labels: dict, date_from: date, date_to: date, targets: dict,
             unit_id: int | None, unit_code: str, unit_only: bool, may_raise: bool) -> list[Cell]:
    cells = []
    for kpi in KPI_ORDER:
        value = row.values.get(kpi.value)
        rating = row.ratings.get(kpi.value)
        target = target_for(targets, kpi.value, unit_id) if kpi in RATED else None
        cells.append(Cell(
            kpi=kpi.value, label=labels[kpi], value=value, text=charts.shown_value(kpi, value, rating),
            rating=rating, rating_label=charts.rating_label(rating),
            href=links.url(date_from=date_from, date_to=date_to, figure=BEHIND_KPI[kpi], unit=unit_code,
                           unit_only=unit_only),
            target=charts.target_text(kpi, target) if target else "", raisable=may_raise and rating in RAISABLE,
        ))
    return cells


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "kpi/dashboard/index.html"
    page_title = gettext_lazy("Request KPIs")
    header_icon = "crosshairs"

    def dispatch(self, request, *args, **kwargs):
        if denied := refusal(request):
            return denied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")}, {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        scope = reader_scope(request.user)
        channels = dict(Channel.objects.values_list("pk", "name"))
        form = DashboardFilterForm({**DashboardFilterForm.defaults(today), **request.GET.dict()}, scope=scope,
                                   channels=channels, today=today)
        context = self.get_context_data(form=form, scope=scope)
        if not form.is_valid():
            return self.render_to_response(context, status=400)
        context.update(self.figures(Filters.from_form(form), scope, channels))
        return self.render_to_response(context)

    def figures(self, filters: Filters, scope: Scope, channels: dict) -> dict:
        user = self.request.user
        board = dashboard(user=user, period=filters.period, anchor=filters.anchor, as_of=filters.as_of,
                          units=filters.unit_ids, channels=[filters.channel] if filters.channel else None,
                          types=filters.types)
        targets = load_targets()
        may_raise = user.has_perm(DOF_PERMISSION)
        effective = board.series.filters["units"]
        total_unit = effective[0] if effective and len(effective) == 1 else None
        span = {"date_from": board.date_from, "date_to": board.date_to}
        unit_code = filters.unit.code if filters.unit else ""
        links = Links(as_of=filters.as_of, channel=filters.channel, type_code=filters.type_code)
        labels = {kpi: str(kpi.label) for kpi in KPI_ORDER}
        common = {"links": links, "labels": labels, "targets": targets, "may_raise": may_raise, **span}
        tiles = cells_of(board.total, unit_id=total_unit, unit_code=unit_code, unit_only=False, **common)

        unit_rows = []
        for row in board.by_unit.rows:
            unit = scope.by_id.get(row.unit_id)
            if unit is None:  # the engine keeps to the scope; a unit deleted since has no name to show
                continue
            unit_rows.append({"unit": unit, "cells": cells_of(row, unit_id=row.unit_id, unit_code=unit.code,
                                                             unit_only=True, **common)})
        unit_rows.sort(key=lambda r: r["unit"].path)

        return {
            "kpi_filters": filters, "board": board, "tiles": tiles, "unit_rows": unit_rows,
            "kpi_headers": [(kpi.value, kpi.label, kpi in RATED) for kpi in KPI_ORDER],
            "period_label": period_label(filters.period, board.date_from),
            "unit_label": (f"{filters.unit.name} ({filters.unit.code})" if filters.unit
                           else (_("All units") if scope.all_units else _("All my units"))),
            "channel_label": channels.get(filters.channel, "") if filters.channel else _("All channels"),
            "type_label": (RequestType(TYPE_BY_CODE[filters.type_code]).label if filters.type_code
                           else _("All types")),
            "may_raise": may_raise, "hidden": filters.hidden(), "dof_short": pgettext("short button", "DÖF"),
            "min_sample": board.series.min_sample,
            "charts": self.charts(board, filters, unit_rows, channels, targets, total_unit),
        }

    def charts(self, board, filters: Filters, unit_rows: list, channels: dict, targets: dict, total_unit) -> dict:
        span = {"date_from": board.date_from, "date_to": board.date_to, "as_of": filters.as_of}
        common = {"unit": filters.unit.code if filters.unit else "", "channel": filters.channel,
                  "type_code": filters.type_code}

        # the time series: every day of the month, or every month of the year
        group = "day" if filters.period == "month" else "month"
        by_key = {row.keys[group]: row for row in board.series.rows}
        points = []
        if group == "day":
            day = board.date_from
            while day <= board.date_to:
                keys = [day.isoformat()]
                points.append((keys[0], str(day.day), date_format(day, "j F Y"), day, day))
                day = date.fromordinal(day.toordinal() + 1)
        else:
            for month in range(1, 13):
                key = f"{board.date_from.year}-{month:02d}"
                first, last = time_range("month", key)
                points.append((key, date_format(first, "M"), date_format(first, "F Y"), first, last))
        series = []
        for key, axis_label, label, first, last in points:
            row = by_key.get(key)
            series.append(charts.SeriesPoint(
                axis_label=axis_label, label=label, created=row.values[Kpi.CREATED] if row else 0,
                rate=row.values[Kpi.ON_TIME_RATE] if row else None,
                rating=row.ratings.get(Kpi.ON_TIME_RATE) if row else None,
                href=drilldown_url(date_from=first, date_to=last, figure="created", as_of=filters.as_of, **common)))
        on_time_target = target_for(targets, Kpi.ON_TIME_RATE, total_unit)
        period = period_label(filters.period, board.date_from)
        result = {"series": charts.series_chart(
            series, chart_id="kpi-series",
            title=_("Requests created and the on-time rate, %(period)s") % {"period": period},
            description=_("Bars: requests created each %(step)s; line: the share answered on time of those due or "
                          "answered. The table under the chart gives every figure.")
            % {"step": _("day") if group == "day" else _("month")},
            target_percent=on_time_target.green if on_time_target else None)}

        # by unit: on-time rate (worst first) and the overdue backlog (largest first)
        rate_bars, overdue_bars = [], []
        for row in unit_rows:
            unit = row["unit"]
            cells = {cell.kpi: cell for cell in row["cells"]}
            rate, overdue = cells[Kpi.ON_TIME_RATE], cells[Kpi.OVERDUE_OPEN]
            rate_bars.append(charts.Bar(label=unit.name, note=unit.code, text=rate.text, rating=rate.rating,
                                        value=None if rate.value is None else rate.value * 100, href=rate.href))
            overdue_bars.append(charts.Bar(label=unit.name, note=unit.code, text=overdue.text, rating=overdue.rating,
                                           value=overdue.value, href=overdue.href))
        rate_bars.sort(key=lambda b: (b.value is None, b.value or 0, b.label))
        overdue_bars.sort(key=lambda b: (-(b.value or 0), b.label))
        result["unit_rate"] = charts.bar_chart(
            rate_bars, chart_id="kpi-unit-rate", title=_("On-time rate by unit"),
            description=_("The share of requests answered on time, by unit, lowest first, with each unit's rating "
                          "against its target."),
            label_header=_("Unit"), value_header=str(Kpi.ON_TIME_RATE.label), rated=True, maximum=100)
        result["unit_overdue"] = charts.bar_chart(
            overdue_bars, chart_id="kpi-unit-overdue", title=_("Overdue backlog by unit"),
            description=_("Requests past their due date and still unanswered at the report date, by unit, "
                          "largest first."),
            label_header=_("Unit"), value_header=str(Kpi.OVERDUE_OPEN.label), rated=True)

        # by channel and by type: volumes
        channel_bars = [
            charts.Bar(label=channels.get(row.channel_id, "?"), value=row.values[Kpi.CREATED],
                       text=charts.format_kpi(Kpi.CREATED, row.values[Kpi.CREATED]),
                       href=drilldown_url(figure="created", **span, **{**common, "channel": row.channel_id}))
            for row in board.by_channel.rows]
        channel_bars.sort(key=lambda b: (-(b.value or 0), b.label))
        result["channel"] = charts.bar_chart(
            channel_bars, chart_id="kpi-channel", title=_("Requests by channel"),
            description=_("Requests created in the period, by the channel they came in through, largest first."),
            label_header=_("Channel"), value_header=_("Requests created"))
        type_bars = [
            charts.Bar(label=str(RequestType(TYPE_BY_CODE[row.keys["type"]]).label), value=row.values[Kpi.CREATED],
                       text=charts.format_kpi(Kpi.CREATED, row.values[Kpi.CREATED]),
                       href=drilldown_url(figure="created", **span, **{**common, "type_code": row.keys["type"]}))
            for row in sorted(board.by_type.rows, key=lambda r: TYPE_BY_CODE.get(r.keys["type"], 99))]
        result["type"] = charts.bar_chart(
            type_bars, chart_id="kpi-type", title=_("Requests by type"),
            description=_("Requests created in the period, by type."),
            label_header=_("Type"), value_header=_("Requests created"))
        return result


urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Request KPIs"), reverse_lazy("kpi:dashboard"), name="kpi-dashboard",
                           icon_name="crosshairs", order=100, permissions=(VIEW_PERMISSION,)),
    ]
