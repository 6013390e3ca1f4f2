"""Importing citizen requests in the admin: upload, preview, confirm (Göstergeler → Talep aktarımı).

* `kpi:import_requests` (GET/POST /admin/kpi/imports/): the upload form (CSV or XLSX up to
  QMS_KPI_IMPORT_MAX_BYTES, with "skip refused rows" and "create unknown units") and the list of
  past imports of every source (file, command, API): who, when, what and the counts.
* `kpi:import_preview` (GET/POST /admin/kpi/imports/<token>/): the uploaded file is first run
  through the pipeline as a dry run (`kpi.ingest.import_file(dry_run=True)`): counts of new,
  updated, unchanged and refused rows, the first MAX_SHOWN refused rows with line, column,
  request number and reason. "Import" runs it for real; "Cancel" drops the file.
* `kpi:import_errors` (GET /admin/kpi/imports/<token>/errors.csv): every refused row of the
  preview as CSV.

The screens are kpi.views.upload_import's, configured here (the call import is the other
configuration); the file waits in private storage under `kpi-imports/` between the steps.

Everything needs `kpi.import_request` (the "kpi.import" capability); anyone else gets 403.
A committed import is an `ImportRun` row and an audit-log entry (counts only, never rows).
"""

from __future__ import annotations

from django import forms
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy, pgettext_lazy

from kpi.ingest import COLUMN_LABELS, COLUMNS, REQUIRED, import_file
from kpi.menu import PermissionMenuItem
from kpi.models import ImportRun
from kpi.views.upload_import import (  # noqa: F401 (MAX_SHOWN, RUNS_PER_PAGE: the tests read them)
    MAX_SHOWN,
    RUNS_PER_PAGE,
    UploadForm,
    UploadImport,
    UploadIndexView,
    UploadPreviewView,
)

IMPORT_PERMISSION = "kpi.import_request"
SESSION_KEY = "kpi_request_imports"

SPEC = UploadImport(
    namespace="kpi", url_names=("import_requests", "import_preview", "import_errors"),
    permission=IMPORT_PERMISSION,
    refusal=gettext_lazy("Importing citizen requests is for those who hold the “import requests” permission."),
    session_key=SESSION_KEY, folder="kpi-imports", import_file=import_file, run_model=ImportRun,
    key_label=gettext_lazy("Request number"), columns=COLUMNS, required=REQUIRED, column_labels=COLUMN_LABELS,
    option="create_units", index_title=gettext_lazy("Import requests"),
)


class RequestFileForm(UploadForm):
    command = "import_requests"

    create_units = forms.BooleanField(
        label=gettext_lazy("Create unknown units"), required=False,
        help_text=gettext_lazy("A unit code the portal does not know becomes a new unit (named by its code) "
                               "instead of a refused row."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext_lazy(
            "The case system's export as XLSX or CSV (UTF-8 or Windows Turkish, separated by commas or semicolons).")


class ImportRequestsView(UploadIndexView):
    """The upload form and the past imports."""

    spec = SPEC
    form_class = RequestFileForm
    template_name = "kpi/imports/index.html"
    page_title = SPEC.index_title


class ImportPreviewView(UploadPreviewView):
    spec = SPEC
    template_name = "kpi/imports/preview.html"
    page_title = gettext_lazy("Check the file before importing")


urlpatterns = [
    path("imports/", ImportRequestsView.as_view(), name="import_requests"),
    path("imports/<str:token>/", ImportPreviewView.as_view(), name="import_preview"),
    path("imports/<str:token>/errors.csv", SPEC.errors_view, name="import_errors"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Import requests"), reverse_lazy("kpi:import_requests"),
                           name="kpi-import-requests", icon_name="upload", order=500,
                           permissions=(IMPORT_PERMISSION,)),
    ]
