"""`manage.py import_calls FILE [--dry-run] [--skip-errors] [--create-agents]`

Imports a CSV or XLSX export of the telephony system's call records through the call pipeline
(`kpi.callqa.ingest`): the one command-line import (`kpi.import_command`, which tells what it
prints and its exit status), as `import_requests` does.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kpi.callqa.ingest import import_file
from kpi.callqa.models import CallImportRun
from kpi.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import call records from a CSV or XLSX export of the telephony system (upsert by call id). "
        "Çağrı kayıtlarını santral dışa aktarım dosyasından (CSV/XLSX) içe aktarır."
    )
    import_file = staticmethod(import_file)
    run_model = CallImportRun
    option = "create_agents"
    option_help = "Create an agent profile for an unknown agent code instead of refusing the row."

    def new_names(self):
        return [(_("New lines"), "new_lines"), (_("New queues"), "new_queues"), (_("New agents"), "new_agents")]
