"""`manage.py import_calls FILE [--dry-run] [--skip-errors] [--create-agents]`

Imports a CSV or XLSX export of the telephony system's call records through the one pipeline
(`kpi.callqa.ingest`), for files larger than the admin takes (up to
QMS_KPI_IMPORT_COMMAND_MAX_BYTES). A progress line on stderr, then the counts and every refused
row as "line N, column C: reason" (the first MAX_LISTED; the rest are counted) — as
`import_requests` does.

Exit status 1 when the file is refused or any row was refused: without --skip-errors nothing was
imported; with it the valid rows were. A dry run counts and checks, and writes nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpi.callqa.ingest import import_file
from kpi.callqa.models import CallImportRun
from kpi.management.commands.import_requests import MAX_LISTED, Progress, error_line
from qms.tables import extension_of


class Command(BaseCommand):
    help = (
        "Import call records from a CSV or XLSX export of the telephony system (upsert by call id). "
        "Çağrı kayıtlarını santral dışa aktarım dosyasından (CSV/XLSX) içe aktarır."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check every row and count what would change; write nothing.")
        parser.add_argument("--skip-errors", action="store_true",
                            help="Import the valid rows even when some rows are refused.")
        parser.add_argument("--create-agents", action="store_true",
                            help="Create an agent profile for an unknown agent code instead of refusing the row.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress line.")

    def handle(self, *args, file, dry_run, skip_errors, create_agents, no_progress, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file “%(name)s”.") % {"name": file})
        started = time.monotonic()
        try:
            fileobj = path.open("rb")
        except OSError as error:
            raise CommandError(_("The file cannot be opened: %(error)s") % {"error": error.strerror}) from None
        with fileobj:
            size = os.fstat(fileobj.fileno()).st_size
            progress = None
            if not no_progress:
                progress = Progress(self.stderr, fileobj, size if extension_of(path.name) == "csv" else None)
            try:
                result = import_file(fileobj, path.name, source=CallImportRun.Source.COMMAND, dry_run=dry_run,
                                     skip_errors=skip_errors, create_agents=create_agents, progress=progress,
                                     max_bytes=settings.QMS_KPI_IMPORT_COMMAND_MAX_BYTES)
            except ValidationError as error:
                if progress is not None:
                    progress.close()
                raise CommandError(_("The file was refused: %(reason)s") % {"reason": " ".join(error.messages)}) \
                    from None
            if progress is not None:
                progress(result.rows, final=True)
                progress.close()
        self.report(result, seconds=time.monotonic() - started)
        if result.error_count:
            if result.committed:
                message = ngettext("%(count)s row was refused; the other rows were imported.",
                                   "%(count)s rows were refused; the other rows were imported.",
                                   result.error_count)
            else:
                message = ngettext("%(count)s row was refused; nothing was imported.",
                                   "%(count)s rows were refused; nothing was imported.", result.error_count)
            raise CommandError(message % {"count": result.error_count})

    def report(self, result, *, seconds: float) -> None:
        write = self.stdout.write
        write(_("%(rows)s rows in %(seconds).1f s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                "%(errors)s refused.") % {
            "rows": result.rows, "seconds": seconds, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "errors": result.error_count})
        for label, names in ((_("New lines"), result.new_lines), (_("New queues"), result.new_queues),
                             (_("New agents"), result.new_agents)):
            if names:
                write(f"{label}: {', '.join(names)}")
        for error in result.errors[:MAX_LISTED]:
            write(error_line(error))
        more = result.error_count - min(len(result.errors), MAX_LISTED)
        if more > 0:
            write(ngettext("… and %(count)s more refused row (not listed).",
                           "… and %(count)s more refused rows (not listed).", more) % {"count": more})
        if result.dry_run:
            write(_("Dry run: nothing was written."))
        elif result.committed:
            write(self.style.SUCCESS(_("Imported.")))
