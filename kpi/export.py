"""The request KPIs as rows for machines: `GET /api/v1/kpis/requests` (kpi.api_kpis) and
`manage.py kpi_export requests` (kpi/management/commands/kpi_export.py) both go through here, so
the API and the command give the same rows for the same parameters.

`requests_report()` reads the parameters as people type them (ISO dates, "unit,month", a unit
code, channel and category names, type codes) and asks the one engine (`kpi.engine.KpiEngine`);
`export_rows()` turns its report into the rows: the group keys (`unit_code`, `channel`, `type`,
`category`, `day` YYYY-MM-DD, `week` YYYY-Www, `month` YYYY-MM, `quarter` YYYY-Qn, `year` YYYY)
followed by every KPI in `kpi.models.Kpi` order, rates as fractions 0..1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kpi.engine import GROUPS, KPI_NAMES, TIME_GROUPS, TYPE_BY_CODE, KpiEngine, KpiReport

DATASETS = ("requests",)  # issue 8 adds "calls"
# The name a group takes as a column (`unit` is keyed by the unit's code).
GROUP_COLUMNS = {"unit": "unit_code"}


def export_rows(report: KpiReport) -> tuple[list[str], list[dict]]:
    """The report as (columns, rows): the group key columns then every KPI; each row a dict keyed
    by those columns (a row of the API and of the JSON and CSV exports)."""
    columns = [GROUP_COLUMNS.get(name, name) for name in report.group_by] + list(KPI_NAMES)
    rows = []
    for row in report.rows:
        values = row.as_dict()
        rows.append({name: values.get(name) for name in columns})
    return columns, rows


def rows_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def rows_csv(columns: list[str], rows: list[dict]) -> bytes:
    """The house CSV (qms.downloads.csv_bytes: UTF-8 with BOM, semicolons); an empty cell is no value."""
    from qms.downloads import csv_bytes

    return csv_bytes(columns, ([_csv_cell(row[name]) for name in columns] for row in rows))


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value


# --- the parameters ------------------------------------------------------------------------------


def parse_date(value: str | None, name: str, *, required: bool = True) -> dt.date | None:
    if value is None or not str(value).strip():
        if required:
            raise ValidationError(_("“%(name)s” is required (a date as YYYY-MM-DD).") % {"name": name})
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("“%(name)s” is not a date as YYYY-MM-DD: “%(value)s”.")
                              % {"name": name, "value": value}) from None


def parse_group_by(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """"unit,month" (or a list of names) -> ("unit", "month"); unknown names are refused."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else [p for item in value for p in str(item).split(",")]
    names = tuple(part.strip() for part in parts if part.strip())
    unknown = [name for name in names if name not in GROUPS]
    if unknown:
        raise ValidationError(_("Unknown grouping: %(names)s (use %(allowed)s).")
                              % {"names": ", ".join(unknown), "allowed": ", ".join(GROUPS)})
    if len(set(names)) != len(names):
        raise ValidationError(_("Each grouping may be named once."))
    if len([name for name in names if name in TIME_GROUPS]) > 1:
        raise ValidationError(_("Group by one period at most (day, week, month, quarter or year)."))
    return names


def _names(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _lookup(model, names: list[str], what: str) -> list[int] | None:
    if not names:
        return None
    found = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    unknown = [name for name in names if name not in found]
    if unknown:
        raise ValidationError(_("Unknown %(what)s: %(names)s.") % {"what": what, "names": ", ".join(unknown)})
    return [found[name] for name in names]


def requests_report(*, user=None, date_from: str | None, date_to: str | None, group_by=None,
                    as_of: str | None = None, unit: str | None = None, channels=None, types=None,
                    categories=None) -> KpiReport:
    """The engine's report for parameters as typed (ValidationError saying what is wrong).

    `user` None: every unit (the command); else the reader's unit scope, and a unit outside it
    is refused as if it did not exist. `unit` counts the unit and every unit under it."""
    from kpi.models import Category, Channel

    start = parse_date(date_from, "from")
    end = parse_date(date_to, "to")
    report_date = parse_date(as_of, "as_of", required=False)
    groups = parse_group_by(group_by)
    if start > end:
        raise ValidationError(_("The period starts after it ends (from %(start)s, to %(end)s).")
                              % {"start": start.isoformat(), "end": end.isoformat()})
    engine = KpiEngine(user=user, as_of=report_date)
    units = None
    code = (unit or "").strip()
    if code:
        units = engine.unit_ids_under(code)
        scope = engine.scope()
        if scope is not None and not set(units) & set(scope):
            raise ValidationError(_("There is no unit with the code “%(code)s”.") % {"code": code})
    type_values = None
    type_codes = _names(types)
    if type_codes:
        unknown = [code for code in type_codes if code not in TYPE_BY_CODE]
        if unknown:
            raise ValidationError(_("Unknown request type: %(names)s (use %(allowed)s).")
                                  % {"names": ", ".join(unknown), "allowed": ", ".join(TYPE_BY_CODE)})
        type_values = [TYPE_BY_CODE[code] for code in type_codes]
    return engine.compute(
        date_from=start, date_to=end, group_by=groups, units=units,
        channels=_lookup(Channel, _names(channels), _("channel")),
        types=type_values,
        categories=_lookup(Category, _names(categories), _("category")),
    )
