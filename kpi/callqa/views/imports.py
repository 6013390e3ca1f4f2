"""Importing call records in the admin: upload, preview, confirm (Çağrı merkezi → Çağrı aktarımı).

The same steps as the request import (`kpi.views.imports`), for the telephony system's export:

* `callqa:import_calls` (GET/POST /admin/callqa/imports/): the upload form (CSV or XLSX up to
  QMS_KPI_IMPORT_MAX_BYTES, "skip refused rows", "create unknown agents") and the past call
  imports of every source (file, command, API).
* `callqa:import_call_preview` (GET/POST /admin/callqa/imports/<token>/): the file run as a dry
  run (`kpi.callqa.ingest.import_file(dry_run=True)`): new, updated, unchanged and refused rows,
  the first MAX_SHOWN refused rows; "Import" runs it for real, "Cancel" drops the file.
* `callqa:import_call_errors` (GET /admin/callqa/imports/<token>/errors.csv): every refused row.

The screens are kpi.views.upload_import's, configured here; the file waits in private storage
under `callqa-imports/` between the steps. Everything needs `callqa.import_call` (the
"callqa.import" capability); anyone else gets 403.
"""

from __future__ import annotations

from django import forms
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy, pgettext_lazy

from kpi.callqa.ingest import COLUMN_LABELS, COLUMNS, REQUIRED, import_file
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import CallImportRun
from kpi.views.upload_import import (  # noqa: F401 (MAX_SHOWN, RUNS_PER_PAGE: the tests read them)
    MAX_SHOWN,
    RUNS_PER_PAGE,
    UploadForm,
    UploadImport,
    UploadIndexView,
    UploadPreviewView,
)

IMPORT_PERMISSION = "callqa.import_call"
SESSION_KEY = "callqa_call_imports"

SPEC = UploadImport(
    namespace="callqa", url_names=("import_calls", "import_call_preview", "import_call_errors"),
    permission=IMPORT_PERMISSION,
    refusal=gettext_lazy("Importing call records is for those who hold the “import call records” permission."),
    session_key=SESSION_KEY, folder="callqa-imports", import_file=import_file, run_model=CallImportRun,
    key_label=gettext_lazy("Call id"), columns=COLUMNS, required=REQUIRED, column_labels=COLUMN_LABELS,
    option="create_agents", index_title=gettext_lazy("Import call records"),
)


class CallFileForm(UploadForm):
    command = "import_calls"

    create_agents = forms.BooleanField(
        label=gettext_lazy("Create unknown agents"), required=False,
        help_text=gettext_lazy("An agent code the portal does not know becomes a new agent profile (without a "
                               "staff account, to be linked later) instead of a refused row."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext_lazy(
            "The telephony system's call export as XLSX or CSV (UTF-8 or Windows Turkish, separated by commas or "
            "semicolons).")


class ImportCallsView(UploadIndexView):
    """The upload form and the past call imports."""

    spec = SPEC
    form_class = CallFileForm
    template_name = "callqa/imports/index.html"
    page_title = SPEC.index_title


class ImportCallPreviewView(UploadPreviewView):
    spec = SPEC
    template_name = "callqa/imports/preview.html"
    page_title = gettext_lazy("Check the call file before importing")


urlpatterns = [
    path("imports/", ImportCallsView.as_view(), name="import_calls"),
    path("imports/<str:token>/", ImportCallPreviewView.as_view(), name="import_call_preview"),
    path("imports/<str:token>/errors.csv", SPEC.errors_view, name="import_call_errors"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Call import"), reverse_lazy("callqa:import_calls"),
                           name="callqa-import-calls", icon_name="upload", order=600,
                           permissions=(IMPORT_PERMISSION,)),
    ]
