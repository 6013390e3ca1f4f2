"""Importing call records in the admin: upload, preview, confirm (Çağrı merkezi → Çağrı aktarımı).

The same steps as the request import (`kpi.views.imports`), for the telephony system's export:

* `callqa:import_calls` (GET/POST /admin/callqa/imports/): the upload form (CSV or XLSX up to
  QMS_KPI_IMPORT_MAX_BYTES, "skip refused rows", "create unknown agents") and the past call
  imports of every source (file, command, API).
* `callqa:import_call_preview` (GET/POST /admin/callqa/imports/<token>/): the file run as a dry
  run (`kpi.callqa.ingest.import_file(dry_run=True)`): new, updated, unchanged and refused rows,
  the first MAX_SHOWN refused rows; "Import" runs it for real, "Cancel" drops the file.
* `callqa:import_call_errors` (GET /admin/callqa/imports/<token>/errors.csv): every refused row.

Between the steps the file is kept in private storage (under `callqa-imports/`) by a random token
that only the uploader's session knows; it is deleted when the import is done or cancelled (and any
left over after a day at the next upload). Everything needs `callqa.import_call` (the
"callqa.import" capability); anyone else gets 403.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.callqa.ingest import COLUMN_LABELS, COLUMNS, REQUIRED, import_file
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import CallImportRun
from qms.downloads import CSV_CONTENT_TYPE, attachment_response, csv_bytes
from qms.files import private_storage
from qms.tables import EXTENSIONS, extension_of

IMPORT_PERMISSION = "callqa.import_call"
SESSION_KEY = "callqa_call_imports"
FOLDER = "callqa-imports"
KEEP = timedelta(days=1)
MAX_SHOWN = 200
RUNS_PER_PAGE = 50
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _refusal(request):
    if request.user.has_perm(IMPORT_PERMISSION):
        return None
    return permission_denied(request, PermissionDenied(
        _("Importing call records is for those who hold the “import call records” permission.")))


# --- the kept upload ------------------------------------------------------------------------------


def _file_name(token: str, extension: str) -> str:
    if not _TOKEN.match(token or "") or extension not in EXTENSIONS:
        raise ValueError("bad upload token")
    return f"{FOLDER}/{token}.{extension}"


def _errors_name(token: str) -> str:
    if not _TOKEN.match(token or ""):
        raise ValueError("bad upload token")
    return f"{FOLDER}/{token}.errors.csv"


def _delete(name: str) -> None:
    try:
        private_storage().delete(name)
    except OSError:
        pass


def _drop_stale() -> None:
    """Remove kept files older than KEEP (a preview nobody confirmed or cancelled)."""
    storage = private_storage()
    try:
        _folders, files = storage.listdir(FOLDER)
    except OSError:
        return
    limit = timezone.now() - KEEP
    for name in files:
        try:
            if storage.get_modified_time(f"{FOLDER}/{name}") < limit:
                storage.delete(f"{FOLDER}/{name}")
        except OSError:
            pass


def store_upload(upload, *, name: str, options: dict, session) -> str:
    """Keep the uploaded file (streamed to disk) under a new token known to this session only."""
    _drop_stale()
    token = secrets.token_hex(16)
    extension = extension_of(name)
    private_storage().save(_file_name(token, extension), upload)
    uploads = session.get(SESSION_KEY, {})
    for old in list(uploads)[:-4]:  # several tabs may preview at once; keep the last few
        _forget(session, old, uploads)
    uploads[token] = {"name": name, "extension": extension, **options}
    session[SESSION_KEY] = uploads
    return token


def _forget(session, token: str, uploads: dict | None = None) -> None:
    uploads = session.get(SESSION_KEY, {}) if uploads is None else uploads
    entry = uploads.pop(token, None)
    if isinstance(entry, dict):
        try:
            _delete(_file_name(token, entry.get("extension", "")))
            _delete(_errors_name(token))
        except ValueError:
            pass
    session[SESSION_KEY] = uploads


# --- forms ----------------------------------------------------------------------------------------


class CallFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("The telephony system's call export as XLSX or CSV (UTF-8 or Windows Turkish, "
                               "separated by commas or semicolons)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    skip_errors = forms.BooleanField(
        label=gettext_lazy("Skip refused rows"), required=False,
        help_text=gettext_lazy("Import the valid rows even if some rows are refused. Otherwise a file with any "
                               "refused row imports nothing."),
    )
    create_agents = forms.BooleanField(
        label=gettext_lazy("Create unknown agents"), required=False,
        help_text=gettext_lazy("An agent code the portal does not know becomes a new agent profile (without a "
                               "staff account, to be linked later) instead of a refused row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        if extension_of(name) not in EXTENSIONS:
            raise ValidationError(_("Upload an XLSX or CSV file (an old XLS file: save it as XLSX first)."))
        limit = settings.QMS_KPI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s MB; the limit here is %(limit)s MB. Import larger files with "
                  "“manage.py import_calls”.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit // (1024 * 1024)})
        if not upload.size:
            raise ValidationError(_("The file is empty."))
        upload.name = name
        return upload


# --- views ----------------------------------------------------------------------------------------


class _ImportMixin:
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if refusal := _refusal(request):
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if self.page_title != ImportCallsView.page_title:
            items.append({"url": reverse("callqa:import_calls"), "label": str(ImportCallsView.page_title)})
        return items + [{"url": "", "label": self.get_page_title()}]


class ImportCallsView(_ImportMixin, WagtailAdminTemplateMixin, TemplateView):
    """The upload form and the past call imports."""

    template_name = "callqa/imports/index.html"
    page_title = gettext_lazy("Import call records")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CallFileForm()))

    def post(self, request, *args, **kwargs):
        form = CallFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        token = store_upload(upload, name=upload.name, session=request.session, options={
            "skip_errors": form.cleaned_data["skip_errors"], "create_agents": form.cleaned_data["create_agents"]})
        return HttpResponseRedirect(reverse("callqa:import_call_preview", args=[token]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = CallImportRun.objects.select_related("user").order_by("-started_at", "-pk")
        page = Paginator(runs, RUNS_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            runs=list(page),
            columns=[(name, COLUMN_LABELS[name], name in REQUIRED) for name in COLUMNS],
            limit_mb=settings.QMS_KPI_IMPORT_MAX_BYTES // (1024 * 1024),
        )
        return context


class ImportCallPreviewView(_ImportMixin, WagtailAdminTemplateMixin, TemplateView):
    """The dry run's counts and refused rows; POST "import" imports, "cancel" drops the file."""

    template_name = "callqa/imports/preview.html"
    page_title = gettext_lazy("Check the call file before importing")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.token = kwargs["token"]

    def entry(self) -> dict:
        """The kept file's name and options; only a token of this person's session counts."""
        entry = self.request.session.get(SESSION_KEY, {}).get(self.token)
        if not isinstance(entry, dict):
            raise Http404
        return entry

    def run(self, entry: dict, *, dry_run: bool, skip_errors: bool):
        """The import's result, or None when the file is gone or refused (the person is told and sent back)."""
        try:
            fileobj = private_storage().open(_file_name(self.token, entry["extension"]), "rb")
        except (OSError, ValueError):
            _forget(self.request.session, self.token)
            messages.error(self.request, _("The uploaded file is no longer kept; upload it again."))
            return None
        try:
            with fileobj:
                return import_file(fileobj, entry["name"], user=self.request.user, source=CallImportRun.Source.FILE,
                                   dry_run=dry_run, skip_errors=skip_errors,
                                   create_agents=entry.get("create_agents", False),
                                   max_bytes=settings.QMS_KPI_IMPORT_MAX_BYTES)
        except ValidationError as error:
            _forget(self.request.session, self.token)
            messages.error(self.request, _("The file “%(name)s” was refused: %(reason)s")
                           % {"name": entry["name"], "reason": " ".join(error.messages)})
            return None

    def keep_errors(self, result) -> None:
        """Every refused row of the preview as a CSV file beside the upload (the download link)."""
        name = _errors_name(self.token)
        _delete(name)
        if result.errors:
            content = csv_bytes([_("Line"), _("Column"), _("Call id"), _("Reason")],
                                ([e.line, e.column, e.call_id, e.message] for e in result.errors))
            private_storage().save(name, ContentFile(content))

    def render_preview(self, entry: dict, result, *, problems=(), status: int = 200):
        context = self.get_context_data(
            name=entry["name"], options=entry, result=result, errors=result.errors[:MAX_SHOWN],
            more_errors=max(result.error_count - MAX_SHOWN, 0), problems=problems,
            may_import=result.rows > result.error_count,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        entry = self.entry()
        result = self.run(entry, dry_run=True, skip_errors=True)
        if result is None:
            return HttpResponseRedirect(reverse("callqa:import_calls"))
        self.keep_errors(result)
        return self.render_preview(entry, result)

    def post(self, request, *args, **kwargs):
        entry = self.entry()
        action = request.POST.get("action")
        if action == "cancel":
            _forget(request.session, self.token)
            messages.info(request, _("The import was cancelled; nothing was imported."))
            return HttpResponseRedirect(reverse("callqa:import_calls"))
        if action not in ("import", "import_skip"):
            return HttpResponseRedirect(reverse("callqa:import_call_preview", args=[self.token]))
        skip_errors = action == "import_skip" or bool(entry.get("skip_errors"))
        result = self.run(entry, dry_run=False, skip_errors=skip_errors)
        if result is None:
            return HttpResponseRedirect(reverse("callqa:import_calls"))
        if not result.committed:
            self.keep_errors(result)
            problem = ngettext(
                "Nothing was imported: %(count)s row is refused. Correct the file and upload it again, or "
                "import the other rows and skip it.",
                "Nothing was imported: %(count)s rows are refused. Correct the file and upload it again, or "
                "import the other rows and skip them.", result.error_count) % {"count": result.error_count}
            return self.render_preview(entry, result, problems=[problem], status=400)
        _forget(request.session, self.token)
        text = _("%(name)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
            "name": entry["name"], "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}
        if result.error_count:
            text += " " + ngettext("%(count)s refused row was skipped.", "%(count)s refused rows were skipped.",
                                   result.error_count) % {"count": result.error_count}
        messages.success(request, text)
        return HttpResponseRedirect(reverse("callqa:import_calls"))


def import_call_errors(request, token: str):
    """The preview's refused rows as CSV (only for the session that uploaded the file)."""
    if refusal := _refusal(request):
        return refusal
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not isinstance(entry, dict):
        raise Http404
    try:
        with private_storage().open(_errors_name(token), "rb") as kept:
            content = kept.read()
    except (OSError, ValueError):
        raise Http404 from None
    stem = entry["name"].rsplit(".", 1)[0]
    return attachment_response(content, f"{stem} - {_('refused rows')}.csv", CSV_CONTENT_TYPE)


urlpatterns = [
    path("imports/", ImportCallsView.as_view(), name="import_calls"),
    path("imports/<str:token>/", ImportCallPreviewView.as_view(), name="import_call_preview"),
    path("imports/<str:token>/errors.csv", import_call_errors, name="import_call_errors"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Call import"), reverse_lazy("callqa:import_calls"),
                           name="callqa-import-calls", icon_name="upload", order=600,
                           permissions=(IMPORT_PERMISSION,)),
    ]
