"""/api/v1/kpis/calls: the contact-centre KPIs as rows, from the same engine and the same rows as
`manage.py kpi_export calls` (kpi.callqa.engine.calls_report / export_rows).

Mounted on the one NinjaAPI (`qms.api.api`) when the app is ready (kpi.callqa.api). Authentication
is the API's (a bearer token, or the admin session): none, 401. The caller needs
`callqa.view_callkpi` (the "callqa.kpis" capability) for every figure; a team lead
(`callqa.lead_team`) without it gets the figures of their own team's agents only; anyone else 403.

    GET /kpis/calls?from=2026-10-01&to=2026-10-31&group_by=line,day
        [&line=ALO 153][&queue=Genel][&agent=A001][&team=Takım A]   (each may be repeated)

    200 {"from": "2026-10-01", "to": "2026-10-31", "group_by": ["line", "day"], "cube": "day",
         "definition": {"sl_seconds": 20, "short_abandon_seconds": 5, "exclude_short_abandons": true,
                        "abandons_in_threshold_met": false, "formulas": {...}, "text": "…", "more": "…",
                        "stale": false, "settings_sl_seconds": 20, "settings_short_abandon_seconds": 5,
                        "warning": null},
         "rows": [{"line": "ALO 153", "day": "2026-10-05", "offered": 120, ..., "service_level": 0.8125, ...}]}
    400 {"detail": "…"}: a missing or bad date, from after to, an unknown grouping, line, queue, agent
        or team (a team lead's other teams and agents are unknown to them).

Groupings: line, queue, agent (its code), team (its name), hour (0..23), and one of day
(YYYY-MM-DD), week (YYYY-Www) or month (YYYY-MM). Rates are fractions 0..1; times are seconds;
a figure without a value (nothing answered) is null. Calls without an agent count in line and
queue rows, in no agent's or team's.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from kpi.callqa.engine import calls_report, export_rows, may_view, refusal_message
from qms.api import api

router = Router(tags=["kpis"])


class CallKpiErrorOut(Schema):
    detail: str


@router.get("/calls", response={200: dict, 400: CallKpiErrorOut, 403: CallKpiErrorOut},
            summary="Çağrı merkezi göstergeleri / contact-centre KPIs by group",
            openapi_extra={"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                    "group_by": {"type": "array", "items": {"type": "string"}},
                    "cube": {"type": "string", "enum": ["hour", "day", "month"]},
                    "definition": {"type": "object"},
                    "rows": {"type": "array", "items": {"type": "object"}},
                }}}}}}})
def kpi_calls(
    request,
    date_from: Annotated[str | None, Query(None, alias="from")] = None,
    date_to: Annotated[str | None, Query(None, alias="to")] = None,
    group_by: str | None = None,
    line: Annotated[list[str] | None, Query(None)] = None,
    queue: Annotated[list[str] | None, Query(None)] = None,
    agent: Annotated[list[str] | None, Query(None)] = None,
    team: Annotated[list[str] | None, Query(None)] = None,
):
    """The KPIs of the calls offered from `from` to `to` (inclusive), grouped by `group_by`."""
    if not may_view(request.user):
        raise HttpError(403, refusal_message())
    try:
        report = calls_report(user=request.user, date_from=date_from, date_to=date_to, group_by=group_by,
                              lines=line, queues=queue, agents=agent, teams=team)
    except PermissionDenied:
        raise HttpError(403, refusal_message()) from None
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    _columns, rows = export_rows(report)
    return 200, {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "group_by": list(report.group_by),
        "cube": report.cube,
        "definition": report.definition,
        "rows": rows,
    }


api.add_router("/kpis", router)
