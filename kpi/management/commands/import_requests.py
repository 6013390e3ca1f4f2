"""`manage.py import_requests FILE [--dry-run] [--skip-errors] [--create-units]`

Imports a CSV or XLSX export of the case system through the request pipeline (`kpi.ingest`): the
one command-line import (`kpi.import_command`, which tells what it prints and its exit status).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kpi.import_command import MAX_LISTED, ImportCommand  # noqa: F401 (MAX_LISTED: the tests read it)
from kpi.ingest import import_file
from kpi.models import ImportRun


class Command(ImportCommand):
    help = (
        "Import citizen requests from a CSV or XLSX export of the case system (upsert by request number). "
        "Başvuruları HİM dışa aktarım dosyasından (CSV/XLSX) içe aktarır."
    )
    import_file = staticmethod(import_file)
    run_model = ImportRun
    option = "create_units"
    option_help = "Create units whose code is unknown instead of refusing the row."

    def new_names(self):
        return [(_("New channels"), "new_channels"), (_("New categories"), "new_categories"),
                (_("New units"), "new_units")]
