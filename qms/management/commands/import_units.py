"""`manage.py import_units FILE [--dry-run]`: create or update units from a CSV/XLSX file
(see qms.units_import). Exit status 1 when the file or any row is refused (nothing is changed then)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qms.units_import import MAX_BYTES, import_units


class Command(BaseCommand):
    help = (
        "Create or update units from a CSV or XLSX file with the columns code, name, parent_code "
        "(kod, ad, üst birim kodu). Birimleri bir CSV/XLSX dosyasından ekler veya günceller."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; change nothing.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file “%(name)s”.") % {"name": file})
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("The file is larger than %(size)s MB; split it into smaller files.")
                               % {"size": MAX_BYTES // (1024 * 1024)})
        try:
            result = import_units(path.read_bytes(), path.name, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(_("%(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                            "%(errors)s refused.") % {"rows": result.rows, "created": result.created,
                                                      "updated": result.updated, "unchanged": result.unchanged,
                                                      "errors": len(result.errors)})
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(_("Nothing was changed: correct the refused rows and run the import again."))
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        else:
            self.stdout.write(self.style.SUCCESS(_("The units were imported.")))
