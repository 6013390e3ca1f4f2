"""THE command-line file import: `manage.py import_requests` and `manage.py import_calls` are two
configurations of `ImportCommand`. It imports a CSV or XLSX export through the import's pipeline
(`kpi.ingest.TableIngest`), for files larger than the admin takes (up to
QMS_KPI_IMPORT_COMMAND_MAX_BYTES). A progress line on stderr shows the rows read, the share of the
file read (CSV) and the speed. Then the counts and every refused row as "line N, column C: reason"
(the first MAX_LISTED; the rest are counted).

Exit status 1 when the file is refused or any row was refused: without --skip-errors nothing was
imported; with it the valid rows were. A dry run counts and checks, and writes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qms.tables import extension_of

MAX_LISTED = 200
BAR_WIDTH = 30


def error_line(error) -> str:
    """A refused row in the words the file's author reads: "line N, column C: reason"."""
    if error.column:
        return _("line %(line)s, column %(column)s: %(message)s") % {
            "line": error.line, "column": error.column, "message": error.message}
    return _("line %(line)s: %(message)s") % {"line": error.line, "message": error.message}


def _plain(text: str) -> str:
    return text  # not the error colour Django gives stderr: progress is not an error


def _thousands(number: float) -> str:
    return f"{int(number):,}".replace(",", ".")


class Progress:
    """The progress line: redrawn in place on a terminal, a line every few seconds otherwise (logs)."""

    def __init__(self, stream, fileobj, size: int | None):
        self.stream = stream
        self.fileobj = fileobj
        self.size = size
        self.started = time.monotonic()
        self.last = 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.drawn = False

    def fraction(self) -> float | None:
        if not self.size:
            return None
        try:
            position = self.fileobj.tell()
        except (OSError, ValueError):
            return None
        return min(position / self.size, 1.0)

    def __call__(self, rows: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        parts = [_("%(rows)s rows") % {"rows": _thousands(rows)},
                 _("%(rate)s rows/s") % {"rate": _thousands(rows / elapsed)}]
        fraction = 1.0 if final and self.size else self.fraction()
        if fraction is not None:
            done = int(fraction * BAR_WIDTH)
            parts.insert(0, f"[{'#' * done}{'.' * (BAR_WIDTH - done)}] {fraction * 100:3.0f}%")
        line = "  ".join(parts)
        if self.tty:
            self.stream.write(f"\r{line}\x1b[K", ending="", style_func=_plain)
            self.stream.flush()
            self.drawn = True
        else:
            self.stream.write(line, style_func=_plain)

    def close(self) -> None:
        if self.drawn:
            self.stream.write("", style_func=_plain)


class ImportCommand(BaseCommand):
    """Set `import_file` (staticmethod), `run_model`, `option` (the pipeline's extra option, also the
    flag: create_units -> --create-units) with `option_help`, and `new_names()`."""

    import_file: Callable
    run_model: type
    option: str
    option_help: str

    def new_names(self) -> list[tuple[str, str]]:
        """(label, result attribute) of the names the import created (new channels, lines ...)."""
        return []

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check every row and count what would change; write nothing.")
        parser.add_argument("--skip-errors", action="store_true",
                            help="Import the valid rows even when some rows are refused.")
        parser.add_argument(f"--{self.option.replace('_', '-')}", action="store_true", help=self.option_help)
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress line.")

    def handle(self, *args, file, dry_run, skip_errors, no_progress, **options):
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
                # openpyxl reads an XLSX file's parts in any order: only a CSV's position says how far it got.
                progress = Progress(self.stderr, fileobj, size if extension_of(path.name) == "csv" else None)
            try:
                result = self.import_file(fileobj, path.name, source=self.run_model.Source.COMMAND,
                                          dry_run=dry_run, skip_errors=skip_errors, progress=progress,
                                          max_bytes=settings.QMS_KPI_IMPORT_COMMAND_MAX_BYTES,
                                          **{self.option: options[self.option]})
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
        for label, attribute in self.new_names():
            names = getattr(result, attribute)
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
