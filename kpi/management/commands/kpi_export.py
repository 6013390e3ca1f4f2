"""`manage.py kpi_export requests --from YYYY-MM-DD --to YYYY-MM-DD --group-by unit,month
[--as-of YYYY-MM-DD] [--unit CODE] [--channel NAME] [--type CODE] [--category NAME]
--format csv|json [--output FILE]`

`manage.py kpi_export calls --from YYYY-MM-DD --to YYYY-MM-DD --group-by line,day
[--line NAME] [--queue NAME] [--agent CODE] [--team NAME] --format csv|json [--output FILE]`

The request KPIs (or the contact-centre KPIs) as rows for other tools: the same engine and the
same rows as `GET /api/v1/kpis/requests` (kpi.export) or `GET /api/v1/kpis/calls`
(kpi.callqa.engine), for every unit and every agent (a command runs as nobody in particular).
JSON: a list of row objects keyed by the group names (`unit_code` for units, `line`, `queue`,
`agent` (its code), `team`, `hour` 0..23, `day` as YYYY-MM-DD, `month` as YYYY-MM, ...) and the KPI
names, rates as fractions 0..1, no value as null. CSV: a header of the same keys (the house CSV:
UTF-8 with BOM, semicolons; an empty cell is no value). Written to standard output, or to FILE.

The call KPIs state the service-level definition they were counted with: in a CSV as its first
line (one cell starting with "#"), with JSON on standard error (the JSON stays a plain list of
rows, the same as the API's "rows").
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kpi.export import DATASETS, export_rows, requests_report, rows_csv, rows_json

CALLS = "calls"
REQUEST_OPTIONS = ("as_of", "unit", "channel", "types", "category")
CALL_OPTIONS = ("line", "queue", "agent", "team")


class Command(BaseCommand):
    help = ("Export the request KPIs grouped by unit, channel, type, category and period, or the contact-centre "
            "KPIs grouped by line, queue, agent, team, hour and period (CSV or JSON).")

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=tuple(dict.fromkeys((*DATASETS, CALLS))),
                            help="What to export (requests: citizen-request KPIs; calls: contact-centre KPIs).")
        parser.add_argument("--from", dest="date_from", required=True, help="First day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day (YYYY-MM-DD).")
        parser.add_argument("--group-by", dest="group_by", default="",
                            help="Comma-separated groups. requests: unit, channel, type, category and one of day, "
                                 "week, month, quarter, year. calls: line, queue, agent, team, hour and one of day, "
                                 "week, month.")
        parser.add_argument("--as-of", dest="as_of", help="requests: the report date (YYYY-MM-DD; default today).")
        parser.add_argument("--unit", help="requests: only this unit (by code) and the units under it.")
        parser.add_argument("--channel", action="append", help="requests: only this channel (by name; repeatable).")
        parser.add_argument("--type", dest="types", action="append",
                            help="requests: only this request type (request, complaint, suggestion, information, "
                                 "thanks; repeatable).")
        parser.add_argument("--category", action="append",
                            help="requests: only this category (by name; repeatable).")
        parser.add_argument("--line", action="append", help="calls: only this line (by name; repeatable).")
        parser.add_argument("--queue", action="append", help="calls: only this queue (by name; repeatable).")
        parser.add_argument("--agent", action="append", help="calls: only this agent (by code; repeatable).")
        parser.add_argument("--team", action="append", help="calls: only this team (by name; repeatable).")
        parser.add_argument("--format", dest="export_format", choices=("csv", "json"), default="json")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        calls = options["dataset"] == CALLS
        others = [name for name in (REQUEST_OPTIONS if calls else CALL_OPTIONS) if options.get(name)]
        if others:
            raise CommandError(_("These options do not apply to “%(dataset)s”: %(options)s.") % {
                "dataset": options["dataset"],
                "options": ", ".join("--" + {"types": "type", "as_of": "as-of"}.get(n, n) for n in others)})
        if calls:
            content, count = self.calls(options)
        else:
            content, count = self.requests(options)
        if options.get("output"):
            path = Path(options["output"])
            try:
                path.write_bytes(content)
            except OSError as error:
                raise CommandError(_("Could not write “%(path)s”: %(error)s") % {"path": path, "error": error}) \
                    from None
            self.stderr.write(_("%(count)s rows written to %(path)s.") % {"count": count, "path": path})
        else:
            self.stdout.write(content.decode("utf-8"), ending="")

    def requests(self, options) -> tuple[bytes, int]:
        try:
            report = requests_report(
                user=None, date_from=options["date_from"], date_to=options["date_to"],
                group_by=options["group_by"], as_of=options.get("as_of"), unit=options.get("unit"),
                channels=options.get("channel"), types=options.get("types"), categories=options.get("category"),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        columns, rows = export_rows(report)
        if options["export_format"] == "json":
            return (rows_json(rows) + "\n").encode("utf-8"), len(rows)
        return rows_csv(columns, rows), len(rows)

    def calls(self, options) -> tuple[bytes, int]:
        from kpi.callqa import engine

        try:
            report = engine.calls_report(
                user=None, date_from=options["date_from"], date_to=options["date_to"], group_by=options["group_by"],
                lines=options.get("line"), queues=options.get("queue"), agents=options.get("agent"),
                teams=options.get("team"),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        columns, rows = engine.export_rows(report)
        if options["export_format"] == "json":
            for line in engine.definition_lines(report.definition):
                self.stderr.write(line)
            return (engine.rows_json(rows) + "\n").encode("utf-8"), len(rows)
        return engine.rows_csv(columns, rows, report.definition), len(rows)
