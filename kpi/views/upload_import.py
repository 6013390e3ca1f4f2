"""THE admin screens of a file import: upload, preview, confirm, refused rows as CSV. The request
import (kpi/views/imports.py) and the call import (kpi/callqa/views/imports.py) are two
configurations of these views; both run their pipeline (`kpi.ingest.TableIngest`) as a dry run
for the preview and for real on confirmation.

Between the steps the file is kept in private storage (`qms.files.private_storage`, under the
import's folder) by a random token that only the uploader's session knows; it is deleted when the
import is done or cancelled (and any left over after a day at the next upload). Everything needs
the import's permission; anyone else gets 403 with the reason.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms.downloads import CSV_CONTENT_TYPE, attachment_response, csv_bytes
from qms.files import private_storage
from qms.tables import EXTENSIONS, extension_of

KEEP = timedelta(days=1)
MAX_SHOWN = 200
RUNS_PER_PAGE = 50
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class UploadImport:
    """One import's configuration."""

    namespace: str  # the URL namespace ("kpi", "callqa")
    url_names: tuple[str, str, str]  # index, preview, refused-rows CSV
    permission: str
    refusal: object  # why someone without the permission is refused (lazy text)
    session_key: str
    folder: str  # under private storage
    import_file: Callable  # (fileobj, filename, **options) -> IngestResult
    run_model: type  # the ImportRun model listed on the index page
    key_label: object  # the key column's name in the refused-rows CSV (lazy text)
    columns: tuple  # the pipeline's COLUMNS
    required: tuple
    column_labels: dict
    option: str  # the form's extra option (create_units, create_agents), passed to the pipeline
    index_title: object  # the index page's title, for the preview's breadcrumbs (lazy text)

    def url(self, which: int, *args) -> str:
        return reverse(f"{self.namespace}:{self.url_names[which]}", args=args)

    # --- the kept upload --------------------------------------------------------------------------

    def file_name(self, token: str, extension: str) -> str:
        if not _TOKEN.match(token or "") or extension not in EXTENSIONS:
            raise ValueError("bad upload token")
        return f"{self.folder}/{token}.{extension}"

    def errors_name(self, token: str) -> str:
        if not _TOKEN.match(token or ""):
            raise ValueError("bad upload token")
        return f"{self.folder}/{token}.errors.csv"

    def drop_stale(self) -> None:
        """Remove kept files older than KEEP (a preview nobody confirmed or cancelled)."""
        storage = private_storage()
        try:
            _folders, files = storage.listdir(self.folder)
        except OSError:
            return
        limit = timezone.now() - KEEP
        for name in files:
            try:
                if storage.get_modified_time(f"{self.folder}/{name}") < limit:
                    storage.delete(f"{self.folder}/{name}")
            except OSError:
                pass

    def store_upload(self, upload, *, name: str, options: dict, session) -> str:
        """Keep the uploaded file (streamed to disk) under a new token known to this session only."""
        self.drop_stale()
        token = secrets.token_hex(16)
        extension = extension_of(name)
        private_storage().save(self.file_name(token, extension), upload)
        uploads = session.get(self.session_key, {})
        for old in list(uploads)[:-4]:  # several tabs may preview at once; keep the last few
            self.forget(session, old, uploads)
        uploads[token] = {"name": name, "extension": extension, **options}
        session[self.session_key] = uploads
        return token

    def forget(self, session, token: str, uploads: dict | None = None) -> None:
        uploads = session.get(self.session_key, {}) if uploads is None else uploads
        entry = uploads.pop(token, None)
        if isinstance(entry, dict):
            try:
                _delete(self.file_name(token, entry.get("extension", "")))
                _delete(self.errors_name(token))
            except ValueError:
                pass
        session[self.session_key] = uploads

    def refused(self, request):
        """403 with the reason for someone without the permission; None for the others."""
        if request.user.has_perm(self.permission):
            return None
        return permission_denied(request, PermissionDenied(str(self.refusal)))

    def errors_view(self, request, token: str):
        """The preview's refused rows as CSV (only for the session that uploaded the file)."""
        if refusal := self.refused(request):
            return refusal
        entry = request.session.get(self.session_key, {}).get(token)
        if not isinstance(entry, dict):
            raise Http404
        try:
            with private_storage().open(self.errors_name(token), "rb") as kept:
                content = kept.read()
        except (OSError, ValueError):
            raise Http404 from None
        stem = entry["name"].rsplit(".", 1)[0]
        return attachment_response(content, f"{stem} - {_('refused rows')}.csv", CSV_CONTENT_TYPE)


def _delete(name: str) -> None:
    try:
        private_storage().delete(name)
    except OSError:
        pass


class UploadForm(forms.Form):
    """The upload: a file, "skip refused rows", and the import's own option (added by subclasses)."""

    command = "import"  # the management command named for larger files

    file = forms.FileField(label=gettext_lazy("File"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    skip_errors = forms.BooleanField(
        label=gettext_lazy("Skip refused rows"), required=False,
        help_text=gettext_lazy("Import the valid rows even if some rows are refused. Otherwise a file with any "
                               "refused row imports nothing."),
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
                  "“manage.py %(command)s”.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit // (1024 * 1024),
                   "command": self.command})
        if not upload.size:
            raise ValidationError(_("The file is empty."))
        upload.name = name
        return upload


class _ImportMixin:
    spec: UploadImport
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if refusal := self.spec.refused(request):
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        index_title = self.spec.index_title
        if self.page_title != index_title:
            items.append({"url": self.spec.url(0), "label": str(index_title)})
        return items + [{"url": "", "label": self.get_page_title()}]


class UploadIndexView(_ImportMixin, WagtailAdminTemplateMixin, TemplateView):
    """The upload form and the past imports of every source (file, command, API)."""

    form_class: type[UploadForm]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form_class()))

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        option = self.spec.option
        token = self.spec.store_upload(upload, name=upload.name, session=request.session, options={
            "skip_errors": form.cleaned_data["skip_errors"], option: form.cleaned_data[option]})
        return HttpResponseRedirect(self.spec.url(1, token))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = self.spec.run_model.objects.select_related("user").order_by("-started_at", "-pk")
        page = Paginator(runs, RUNS_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            runs=list(page),
            columns=[(name, self.spec.column_labels[name], name in self.spec.required) for name in self.spec.columns],
            limit_mb=settings.QMS_KPI_IMPORT_MAX_BYTES // (1024 * 1024),
        )
        return context


class UploadPreviewView(_ImportMixin, WagtailAdminTemplateMixin, TemplateView):
    """The dry run's counts and refused rows; POST "import" imports, "cancel" drops the file."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.token = kwargs["token"]

    def entry(self) -> dict:
        """The kept file's name and options; only a token of this person's session counts."""
        entry = self.request.session.get(self.spec.session_key, {}).get(self.token)
        if not isinstance(entry, dict):
            raise Http404
        return entry

    def run(self, entry: dict, *, dry_run: bool, skip_errors: bool):
        """The import's result, or None when the file is gone or refused (the person is told and sent back)."""
        spec = self.spec
        try:
            fileobj = private_storage().open(spec.file_name(self.token, entry["extension"]), "rb")
        except (OSError, ValueError):
            spec.forget(self.request.session, self.token)
            messages.error(self.request, _("The uploaded file is no longer kept; upload it again."))
            return None
        try:
            with fileobj:
                return spec.import_file(fileobj, entry["name"], user=self.request.user,
                                        source=spec.run_model.Source.FILE, dry_run=dry_run, skip_errors=skip_errors,
                                        max_bytes=settings.QMS_KPI_IMPORT_MAX_BYTES,
                                        **{spec.option: entry.get(spec.option, False)})
        except ValidationError as error:
            spec.forget(self.request.session, self.token)
            messages.error(self.request, _("The file “%(name)s” was refused: %(reason)s")
                           % {"name": entry["name"], "reason": " ".join(error.messages)})
            return None

    def keep_errors(self, result) -> None:
        """Every refused row of the preview as a CSV file beside the upload (the download link)."""
        name = self.spec.errors_name(self.token)
        _delete(name)
        if result.errors:
            content = csv_bytes([_("Line"), _("Column"), str(self.spec.key_label), _("Reason")],
                                ([e.line, e.column, e.key, e.message] for e in result.errors))
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
            return HttpResponseRedirect(self.spec.url(0))
        self.keep_errors(result)
        return self.render_preview(entry, result)

    def post(self, request, *args, **kwargs):
        spec = self.spec
        entry = self.entry()
        action = request.POST.get("action")
        if action == "cancel":
            spec.forget(request.session, self.token)
            messages.info(request, _("The import was cancelled; nothing was imported."))
            return HttpResponseRedirect(spec.url(0))
        if action not in ("import", "import_skip"):
            return HttpResponseRedirect(spec.url(1, self.token))
        skip_errors = action == "import_skip" or bool(entry.get("skip_errors"))
        result = self.run(entry, dry_run=False, skip_errors=skip_errors)
        if result is None:
            return HttpResponseRedirect(spec.url(0))
        if not result.committed:
            self.keep_errors(result)
            problem = ngettext(
                "Nothing was imported: %(count)s row is refused. Correct the file and upload it again, or "
                "import the other rows and skip it.",
                "Nothing was imported: %(count)s rows are refused. Correct the file and upload it again, or "
                "import the other rows and skip them.", result.error_count) % {"count": result.error_count}
            return self.render_preview(entry, result, problems=[problem], status=400)
        spec.forget(request.session, self.token)
        text = _("%(name)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
            "name": entry["name"], "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}
        if result.error_count:
            text += " " + ngettext("%(count)s refused row was skipped.", "%(count)s refused rows were skipped.",
                                   result.error_count) % {"count": result.error_count}
        messages.success(request, text)
        return HttpResponseRedirect(spec.url(0))
