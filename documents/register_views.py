"""The master document list (Doküman Ana Listesi), its exports and the register import (admin views).

* `documents:master_list` (GET /admin/documents/master-list/): the register of the documents in the
  person's unit scope (`documents.queries.documents_overseen_by`), filterable by type, owning unit,
  state, overdue review and code / title. The same URL with `format=xlsx`, `csv` or `pdf` (and the
  same filters) downloads what the list shows: XLSX and CSV in the import's columns
  (`documents.resources`), so an exported register can be edited and imported elsewhere; the PDF
  landscape, on the house letterhead (`qms.pdf`). Needs "documents.view_document", else 403.
* `documents:register_import` (upload) and `documents:register_import_preview` (the preview of
  every row and the confirmation): see `documents.importing`. Needs "documents.import_document".

Refusals are returned (`permission_denied`), not raised: Wagtail's admin turns a raised
PermissionDenied into a redirect to the dashboard, and a download URL should refuse plainly.
"""

from __future__ import annotations

import io
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from documents import importing
from documents.models import Confidentiality, Document, DocumentRevision, DocumentType, today
from documents.queries import annotate_register, documents_overseen_by, fold
from documents.resources import DocumentRegisterResource
from qms.downloads import XLSX_CONTENT_TYPE, attachment_response
from qms.tables import extension_of

VIEW_PERMISSION = "documents.view_document"
IMPORT_PERMISSION = "documents.import_document"
MASTER_LIST_PAGE_SIZE = 100
EXPORT_FORMATS = ("xlsx", "csv", "pdf")


AUDIENCE_LABELS = {
    Confidentiality.PUBLIC: pgettext_lazy("document audience", "Everyone"),
    Confidentiality.RESTRICTED: pgettext_lazy("document audience", "Restricted"),
}


def _refusal(request, permission: str):
    if request.user.has_perm(permission):
        return None
    return permission_denied(request, PermissionDenied(permission))


# --- the register, in a fixed number of queries -------------------------------------------------


def register_queryset(*, on: date | None = None):
    """Every document with what the register shows, annotated in the same query: the register
    state's fields (`documents.queries.annotate_register`) and the register revision (in force,
    else the latest approved: `register_revision`, its effective date, title and change summary)."""
    on = on or today()
    revisions = DocumentRevision.objects.filter(document=OuterRef("pk")).order_by("-number")
    current = revisions.filter(effective_date__lte=on)

    def register(field: str):
        return Coalesce(Subquery(current.values(field)[:1]), Subquery(revisions.values(field)[:1]))

    return (
        annotate_register(Document.objects.select_related("doc_type", "unit"), on=on)
        .annotate(
            register_revision=register("number"),
            register_effective_date=register("effective_date"),
            register_change_summary=register("change_summary"),
            register_title=Coalesce(register("title"), F("title")),
        )
        .order_by("code")
    )


def state_label(document: Document) -> str:
    """The register state of a document from `register_queryset` (no query)."""
    from documents.views import register_state_label

    return register_state_label(document)


def revision_label(document: Document) -> str:
    from documents.viewsets import RevisionColumn

    return str(RevisionColumn("revision").get_value(document))


class MasterListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Code or title"), required=False, max_length=200)
    doc_type = forms.ModelChoiceField(
        label=gettext_lazy("Type"), required=False, queryset=DocumentType.objects.none(),
        empty_label=gettext_lazy("All types"),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Owning unit"), required=False, queryset=None,
        empty_label=gettext_lazy("All units"),
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[
            ("", gettext_lazy("All states")),
            ("in_force", gettext_lazy("In force")),
            ("draft", gettext_lazy("Draft or in review (not yet in force)")),
            ("withdrawn", gettext_lazy("Withdrawn")),
        ],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Review overdue"), required=False)

    def __init__(self, *args, user, **kwargs):
        from qms.models import Unit
        from qms.roles import unit_scope

        super().__init__(*args, **kwargs)
        scope = unit_scope(user)
        self.fields["doc_type"].queryset = DocumentType.objects.all()
        self.fields["unit"].queryset = (Unit.objects.all() if scope is None else scope).order_by("path")

    def filter(self, queryset, *, on: date):
        data = self.cleaned_data
        if data.get("doc_type"):
            queryset = queryset.filter(doc_type=data["doc_type"])
        if data.get("unit"):
            queryset = queryset.filter(unit=data["unit"])
        state = data.get("state")
        if state == "in_force":
            queryset = queryset.filter(withdrawn_at__isnull=True, _current_number__isnull=False)
        elif state == "draft":
            queryset = queryset.filter(withdrawn_at__isnull=True, _current_number__isnull=True)
        elif state == "withdrawn":
            queryset = queryset.filter(withdrawn_at__isnull=False)
        if data.get("overdue"):
            queryset = queryset.filter(
                withdrawn_at__isnull=True, _current_number__isnull=False, next_review_date__lt=on
            )
        words = fold(data.get("q") or "").split()
        if words:
            # Codes and titles compared with Turkish letters folded (the database cannot do it).
            matching = [
                pk for pk, code, title in queryset.values_list("pk", "code", "title")
                if all(word in fold(f"{code} {title}") for word in words)
            ]
            queryset = queryset.filter(pk__in=matching)
        return queryset

    def summary(self) -> str:
        """The filters in words, for the PDF (empty when none)."""
        data = self.cleaned_data
        parts = []
        for name in ("doc_type", "unit", "state"):
            value = data.get(name)
            if value:
                shown = dict(self.fields[name].choices).get(value, value) if name == "state" else value
                parts.append(f"{self.fields[name].label}: {shown}")
        if data.get("overdue"):
            parts.append(str(self.fields["overdue"].label))
        if data.get("q"):
            parts.append(f"{self.fields['q'].label}: “{data['q']}”")
        return "; ".join(parts)


def _xlsx(dataset, *, title: str) -> bytes:
    """The export dataset as an XLSX sheet: text cells are never formulas, dates are real dates."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet1"
    sheet.append(list(dataset.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, row in enumerate(dataset, start=2):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            if isinstance(value, str):
                if value:
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell.data_type = "s"  # a title starting with "=" stays text
            else:
                cell.value = value
                if isinstance(value, date):
                    cell.number_format = "DD.MM.YYYY"
    widths = [14, 48, 18, 12, 10, 14, 14, 12, 10, 40, 22]
    for index, width in enumerate(widths[: len(dataset.headers)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class MasterListView(WagtailAdminTemplateMixin, TemplateView):
    """The master document list; with ?format=xlsx|csv|pdf, the same list as a download."""

    template_name = "documents/master_list.html"
    page_title = gettext_lazy("Master document list")
    header_icon = "list-ul"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if refusal := _refusal(request, VIEW_PERMISSION):
            return refusal
        self.on = today()
        filters = request.GET.copy()
        for name in ("format", "p"):
            filters.pop(name, None)
        self.filters = filters
        self.form = MasterListFilterForm(filters or None, user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def documents(self):
        if self.form.is_bound and not self.form.is_valid():
            return None
        queryset = documents_overseen_by(self.request.user, register_queryset(on=self.on))
        return self.form.filter(queryset, on=self.on) if self.form.is_bound else queryset

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format")
        if export_format is None:
            return super().get(request, *args, **kwargs)
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        documents = self.documents()
        if documents is None:
            return HttpResponseBadRequest(_("The filters are not valid."))
        return getattr(self, f"export_{export_format}")(documents)

    def filename(self, extension: str) -> str:
        return f"{_('Master document list')} {timezone.localdate():%Y-%m-%d}.{extension}"

    def export_xlsx(self, documents):
        dataset = DocumentRegisterResource().export(queryset=documents, force_native_type=True)
        content = _xlsx(dataset, title=_("Master document list"))
        return attachment_response(content, self.filename("xlsx"), XLSX_CONTENT_TYPE)

    def export_csv(self, documents):
        dataset = DocumentRegisterResource().export(queryset=documents, escape_formulas=True)
        # UTF-8 with a byte-order mark, so that Excel shows ç, ğ, ı, İ, ö, ş, ü; semicolons, which
        # Excel with Turkish regional settings splits into columns (the import reads both).
        content = "\ufeff" + dataset.export("csv", delimiter=";")
        return attachment_response(content.encode("utf-8"), self.filename("csv"), "text/csv; charset=utf-8")

    def export_pdf(self, documents):
        from reportlab.platypus import Paragraph

        from qms.pdf import build_pdf, data_table, pdf_response, styles

        st = styles()
        headers = [
            _("Code"), _("Title"), _("Type"), _("Owning unit"), _("Revision"), _("Effective date"),
            _("Next review"), _("Retention (years)"), _("Audience"), _("State"),
        ]
        rows = [
            [
                document.code,
                document.register_title,
                str(document.doc_type),
                document.unit.name,
                revision_label(document),
                document.register_effective_date,
                document.next_review_date,
                document.effective_retention_years,
                str(AUDIENCE_LABELS.get(document.confidentiality, document.confidentiality)),
                state_label(document),
            ]
            for document in documents
        ]
        flowables = []
        if summary := self.form.summary() if self.form.is_bound else "":
            flowables.append(Paragraph(escape(_("Filters: %(filters)s") % {"filters": summary}), st.small))
        flowables += [
            Paragraph(escape(_("Total: %(count)s") % {"count": len(rows)}), st.small),
            data_table(
                headers, rows, col_widths=["11%", "22%", "9%", "13%", "6%", "8%", "8%", "6%", "7%", "10%"]
            ),
        ]
        title = _("Master document list")
        pdf = build_pdf(
            title=title, code=settings.QMS_DOCUMENT_MASTER_LIST_CODE, flowables=flowables,
            user=self.request.user, landscape=True,
        )
        return pdf_response(pdf, self.filename("pdf"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = self.documents()
        page = None
        rows = []
        if documents is not None:
            page = Paginator(documents, MASTER_LIST_PAGE_SIZE).get_page(self.request.GET.get("p"))
            rows = [
                {
                    "document": document,
                    "revision": revision_label(document),
                    "audience": AUDIENCE_LABELS.get(document.confidentiality, document.confidentiality),
                    "state": state_label(document),
                    "overdue": bool(
                        document._current_number is not None and not document.is_withdrawn
                        and document.next_review_date and document.next_review_date < self.on
                    ),
                }
                for document in page
            ]
        query = self.filters.urlencode()
        context.update(
            form=self.form,
            page=page,
            rows=rows,
            query_string=query,
            export_links=[
                (label, "?" + "&".join(part for part in (query, f"format={fmt}") if part))
                for fmt, label in (("xlsx", _("Excel (XLSX)")), ("csv", _("CSV")), ("pdf", _("PDF")))
            ],
            can_import=self.request.user.has_perm(IMPORT_PERMISSION),
        )
        return context


# --- import ----------------------------------------------------------------------------------


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register file"),
        help_text=gettext_lazy("XLSX, or CSV (UTF-8 or Windows Turkish; separated by commas or semicolons)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


COLUMN_HELP = {
    "code": gettext_lazy("The document's code, kept as it is; empty: given from the type's pattern."),
    "title": gettext_lazy("The title."),
    "doc_type": gettext_lazy("The type's name (e.g. Prosedür), key or code prefix (e.g. PR)."),
    "unit": gettext_lazy("The owning unit's code (e.g. KSB)."),
    "revision": gettext_lazy("The revision number in force (00, 01, 02 ...)."),
    "effective_date": gettext_lazy("The date the revision came into force (today or earlier)."),
    "next_review_date": gettext_lazy("Empty: the effective date plus the type's review interval."),
    "retention_years": gettext_lazy("Empty: the type's default."),
    "confidentiality": gettext_lazy(
        "Herkes (all staff) or Kısıtlı (the owning unit only; add roles or units in the register afterwards). "
        "Empty: Herkes."
    ),
    "change_summary": gettext_lazy("Empty: “Taken over from the previous register”."),
}


class _ImportMixin:
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if refusal := _refusal(request, IMPORT_PERMISSION):
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("documents:master_list"), "label": _("Master document list")},
            {"url": "", "label": self.get_page_title()},
        ]


class RegisterImportView(_ImportMixin, WagtailAdminTemplateMixin, FormView):
    """Upload a register file; an unreadable one is refused here, a readable one is kept and previewed."""

    template_name = "documents/register_import.html"
    page_title = gettext_lazy("Import a document register")
    form_class = RegisterUploadForm

    def get_context_data(self, **kwargs):
        from documents.resources import COLUMNS, REQUIRED

        context = super().get_context_data(**kwargs)
        context["columns"] = [(header, name in REQUIRED, COLUMN_HELP[name]) for name, header in COLUMNS]
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        name = upload.name.rsplit("/", 1)[-1][:200]
        if upload.size > importing.MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than %(size)s MB; split the register into smaller files.")
                           % {"size": importing.MAX_UPLOAD_BYTES // (1024 * 1024)})
            return self.form_invalid(form)
        data = upload.read()
        try:
            importing.read_register(data, name)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        extension = extension_of(name)
        token = importing.store_upload(data, extension)
        uploads = self.request.session.get(importing.SESSION_KEY, {})
        for old in list(uploads)[:-4]:  # keep the last few (several tabs), drop the rest
            importing.discard_upload(old, uploads.pop(old).get("extension", ""))
        uploads[token] = {"name": name, "extension": extension}
        self.request.session[importing.SESSION_KEY] = uploads
        return HttpResponseRedirect(reverse("documents:register_import_preview", args=[token]))


class RegisterImportPreviewView(_ImportMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every row's outcome; "Import" (POST) imports them all, only if every row is valid."""

    template_name = "documents/register_import_preview.html"
    page_title = gettext_lazy("Check the register before importing")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.token = kwargs["token"]

    def upload(self):
        """The kept file's name and extension; only a token of this person's session counts."""
        entry = self.request.session.get(importing.SESSION_KEY, {}).get(self.token)
        if not isinstance(entry, dict):
            raise Http404
        return entry["name"], entry["extension"]

    def forget(self, extension: str) -> None:
        importing.discard_upload(self.token, extension)
        uploads = self.request.session.get(importing.SESSION_KEY, {})
        uploads.pop(self.token, None)
        self.request.session[importing.SESSION_KEY] = uploads

    def check_file(self):
        """(name, extension, preview), or a response when the file is gone or no longer readable."""
        name, extension = self.upload()
        data = importing.load_upload(self.token, extension)
        if data is None:
            self.forget(extension)
            messages.error(self.request, _("The uploaded file is no longer kept; upload it again."))
            return HttpResponseRedirect(reverse("documents:register_import"))
        try:
            parsed = importing.read_register(data, name)
        except ValidationError as error:
            self.forget(extension)
            messages.error(self.request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("documents:register_import"))
        return name, extension, importing.preview_register(parsed, user=self.request.user)

    def get(self, request, *args, **kwargs):
        checked = self.check_file()
        if isinstance(checked, HttpResponse):
            return checked
        name, _extension, preview = checked
        return self.render_to_response(self.get_context_data(name=name, preview=preview))

    def post(self, request, *args, **kwargs):
        name, extension = self.upload()
        if request.POST.get("action") == "cancel":
            self.forget(extension)
            messages.info(request, _("The import was cancelled; nothing was imported."))
            return HttpResponseRedirect(reverse("documents:register_import"))
        checked = self.check_file()
        if isinstance(checked, HttpResponse):
            return checked
        name, extension, preview = checked
        problems = []
        if not preview.ok:
            problems = [_("Nothing was imported: correct the rows with errors and upload the file again.")]
        else:
            try:
                documents = importing.register_import(rows=preview.rows, user=request.user, source=name)
            except ValidationError as error:
                problems = [_("Nothing was imported:")] + error.messages
            except IntegrityError:  # a code taken by someone else between the check and the insert
                problems = [_("Nothing was imported: a code in the file was taken meanwhile; check the file again.")]
            except PermissionDenied as error:
                return permission_denied(request, error)
        if problems:
            context = self.get_context_data(name=name, preview=preview, problems=problems)
            return self.render_to_response(context, status=400)
        self.forget(extension)
        messages.success(
            request,
            ngettext(
                "%(count)s document was imported from %(name)s; it is in force.",
                "%(count)s documents were imported from %(name)s; they are in force.",
                len(documents),
            ) % {"count": len(documents), "name": name},
        )
        return HttpResponseRedirect(reverse("documents:master_list"))
