"""/api/v1/kpis: the request KPIs as rows, from the same engine and the same rows as
`manage.py kpi_export` (kpi.export).

Mounted on the one NinjaAPI (`qms.api.api`) by `KpiConfig.ready()`. Authentication is the API's
(a bearer token, or the admin session): none, 401. The caller needs `kpi.view_kpi` (the "kpi.view"
capability), else 403; the rows count only the units of the caller's unit scope.

    GET /kpis/requests?from=2026-01-01&to=2026-12-31&group_by=unit,month[&as_of=2026-11-30]
        [&unit=FEN][&channel=ALO 153][&type=complaint][&category=Yol Bakım]

    200 {"from": "2026-01-01", "to": "2026-12-31", "as_of": "2026-11-30", "group_by": ["unit", "month"],
         "min_sample": 20,
         "rows": [{"unit_code": "FEN", "month": "2026-01", "created": 120, ..., "on_time_rate": 0.9125, ...}]}
    400 {"detail": "…"}: a missing or bad date, from after to, an unknown grouping, unit, channel or
        type, figures by category over days or weeks.

`unit` counts the unit and the units under it; `channel`, `type` and `category` may be repeated.
Rates are fractions 0..1; a figure without a value (no answered request, no survey) is null.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from kpi.export import export_rows, requests_report
from qms.api import api, require_perm

VIEW_PERMISSION = "kpi.view_kpi"

router = Router(tags=["kpis"])


class KpiErrorOut(Schema):
    detail: str


@router.get("/requests", response={200: dict, 400: KpiErrorOut},
            summary="Başvuru göstergeleri / request KPIs by group",
            openapi_extra={"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                    "as_of": {"type": "string", "format": "date"},
                    "group_by": {"type": "array", "items": {"type": "string"}},
                    "min_sample": {"type": "integer"},
                    "rows": {"type": "array", "items": {"type": "object"}},
                }}}}}}})
def kpi_requests(
    request,
    date_from: Annotated[str | None, Query(None, alias="from")] = None,
    date_to: Annotated[str | None, Query(None, alias="to")] = None,
    group_by: str | None = None,
    as_of: str | None = None,
    unit: str | None = None,
    channel: Annotated[list[str] | None, Query(None)] = None,
    type: Annotated[list[str] | None, Query(None)] = None,  # noqa: A002 (the parameter's public name)
    category: Annotated[list[str] | None, Query(None)] = None,
):
    """The KPIs of the requests created from `from` to `to` (inclusive), grouped by `group_by`."""
    require_perm(request, VIEW_PERMISSION)
    try:
        report = requests_report(user=request.user, date_from=date_from, date_to=date_to, group_by=group_by,
                                 as_of=as_of, unit=unit, channels=channel, types=type, categories=category)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    _columns, rows = export_rows(report)
    return 200, {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "as_of": report.as_of.isoformat(),
        "group_by": list(report.group_by),
        "min_sample": report.min_sample,
        "rows": rows,
    }


api.add_router("/kpis", router)
