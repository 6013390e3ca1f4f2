"""The request KPIs' panel on the admin dashboard (put there by `kpi.wagtail_hooks`).

"Request KPIs this month": the on-time rate, the overdue backlog and the satisfaction score of
the requests created this month, each with its rating and target, and a link to the dashboard.
Shown to whoever may see the KPIs (`kpi.view_kpi`), with the figures of their unit scope. One
`KpiEngine.compute` over the rollups: a fixed number of queries whatever the number of requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from kpi import charts
from kpi.engine import BEHIND_KPI, KpiEngine, period_bounds
from kpi.models import Kpi
from kpi.views.dashboard import VIEW_PERMISSION, drilldown_url, period_label
from qms.dashboard import ModulePanel, panels_shown_to

SHOWN = (Kpi.ON_TIME_RATE, Kpi.OVERDUE_OPEN, Kpi.SATISFACTION_AVG)


class RequestKpiPanel(ModulePanel):
    name = "kpi_summary"
    template_name = "kpi/dashboard/panel.html"
    order = 85

    @staticmethod
    def is_shown_to(user) -> bool:
        return bool(user and user.is_authenticated and user.has_perm(VIEW_PERMISSION))

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        today = timezone.localdate()
        engine = KpiEngine(user=user, as_of=today)
        date_from, date_to = period_bounds("month", today)
        report = engine.compute(date_from=date_from, date_to=date_to)
        total = report.total
        units = report.filters["units"]
        target_unit = units[0] if units and len(units) == 1 else None
        targets = engine.targets()
        figures = []
        for kpi in SHOWN:
            value, rating = total.values[kpi.value], total.ratings.get(kpi.value)
            target = targets.get((kpi.value, target_unit)) or targets.get((kpi.value, None))
            figures.append({
                "kpi": kpi.value, "label": kpi.label, "text": charts.shown_value(kpi, value, rating), "rating": rating,
                "rating_label": charts.rating_label(rating), "target": charts.target_text(kpi, target),
                "href": drilldown_url(date_from=date_from, date_to=date_to, as_of=today, figure=BEHIND_KPI[kpi]),
            })
        return {
            "figures": figures, "period": period_label("month", date_from), "created": total.values[Kpi.CREATED],
            "created_text": charts.format_kpi(Kpi.CREATED, total.values[Kpi.CREATED]),
            "dashboard_url": reverse("kpi:dashboard"), "scoped": units is not None,
        }


PANELS: tuple[type[ModulePanel], ...] = (RequestKpiPanel,)


def panels_for(user) -> list[Component]:
    """The KPI panels this person's dashboard shows."""
    return panels_shown_to(PANELS, user)
