"""`manage.py kpi_export requests --from YYYY-MM-DD --to YYYY-MM-DD --group-by unit,month
[--as-of YYYY-MM-DD] [--unit CODE] [--channel NAME] [--type CODE] [--category NAME]
--format csv|json [--output FILE]`

The request KPIs as rows for other tools: the same engine and the same rows as
`GET /api/v1/kpis/requests` (kpi.export), for every unit (a command runs as nobody in particular).
JSON: a list of row objects keyed by the group names (`unit_code` for units, `month` as YYYY-MM,
...) and the KPI names, rates as fractions 0..1, no value as null. CSV: a header of the same keys
(the house CSV: UTF-8 with BOM, semicolons; an empty cell is no value). Written to standard output,
or to FILE.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kpi.export import DATASETS, export_rows, requests_report, rows_csv, rows_json


class Command(BaseCommand):
    help = "Export the request KPIs grouped by unit, channel, type, category and period (CSV or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=DATASETS, help="What to export (requests: citizen-request KPIs).")
        parser.add_argument("--from", dest="date_from", required=True, help="First creation day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", required=True, help="Last creation day (YYYY-MM-DD).")
        parser.add_argument("--group-by", dest="group_by", default="",
                            help="Comma-separated groups: unit, channel, type, category and one of day, week, "
                                 "month, quarter, year.")
        parser.add_argument("--as-of", dest="as_of", help="The report date (YYYY-MM-DD; default today).")
        parser.add_argument("--unit", help="Only this unit (by code) and the units under it.")
        parser.add_argument("--channel", action="append", help="Only this channel (by name; repeatable).")
        parser.add_argument("--type", dest="types", action="append",
                            help="Only this request type (request, complaint, suggestion, information, thanks; "
                                 "repeatable).")
        parser.add_argument("--category", action="append", help="Only this category (by name; repeatable).")
        parser.add_argument("--format", dest="export_format", choices=("csv", "json"), default="json")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
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
            content = (rows_json(rows) + "\n").encode("utf-8")
        else:
            content = rows_csv(columns, rows)
        if options.get("output"):
            path = Path(options["output"])
            try:
                path.write_bytes(content)
            except OSError as error:
                raise CommandError(_("Could not write “%(path)s”: %(error)s") % {"path": path, "error": error}) \
                    from None
            self.stderr.write(_("%(count)s rows written to %(path)s.") % {"count": len(rows), "path": path})
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
