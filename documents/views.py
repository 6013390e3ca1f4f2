"""Reading controlled documents in the portal, and the owner's actions on them.

Every view applies `documents.queries`' visibility rule: a document outside the reader's audience
is 404 (its existence is not disclosed), an action the person may not take is 403 (the button is
hidden as well; the service refuses too).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from documents import queries
from documents.forms import LibraryFilterForm, ReviewForm, WithdrawForm
from documents.models import Document, DocumentAcknowledgement, DocumentRevision, today
from documents.services import acknowledgement_confirm, document_review_record, document_withdraw

LIBRARY_PAGE_SIZE = 50


_UNSET = object()


def register_state_label(document: Document) -> str:
    """The register's state of a document: draft, in review, approved (not yet in force), in force
    (with a new revision in draft or review), withdrawn. Listings annotate what it reads
    (`documents.queries.annotate_register`), so it runs no query there."""
    if document.is_withdrawn:
        return _("Withdrawn")
    in_review = getattr(document, "_in_review", None)
    if in_review is None:
        in_review = document.workflow_in_progress
    current = getattr(document, "_current_number", _UNSET)
    latest = getattr(document, "_latest_number", _UNSET)
    if current is _UNSET or latest is _UNSET:
        in_force = queries.current_revision_of(document)
        current = in_force.number if in_force else None
        latest = document.approved_revisions.order_by("-number").values_list("number", flat=True).first()
    if current is None:
        if latest is not None:
            return _("Approved, not yet in force")
        return _("In review") if in_review else _("Draft")
    if in_review:
        return _("In force; new revision in review")
    if document.has_unpublished_changes:
        return _("In force; new revision in draft")
    return _("In force")


REVISION_STATE_LABELS = {
    queries.RevisionState.PENDING: gettext_lazy("Approved, not yet in force"),
    queries.RevisionState.EFFECTIVE: gettext_lazy("In force"),
    queries.RevisionState.SUPERSEDED: gettext_lazy("Superseded"),
    queries.RevisionState.WITHDRAWN: gettext_lazy("Withdrawn"),
}


def _visible_document(user, pk) -> Document:
    return get_object_or_404(
        queries.documents_visible_to(user, Document.objects.select_related("doc_type", "unit", "withdrawn_by")),
        pk=pk,
    )


def _oversees(user, document: Document) -> bool:
    return queries.documents_overseen_by(user).filter(pk=document.pk).exists()


def readable_revision(user, revision_pk) -> DocumentRevision:
    """A revision the person may open: the one in force, or any approved one for an overseer."""
    revision = get_object_or_404(
        DocumentRevision.objects.select_related("document", "document__unit", "document__doc_type", "file"),
        pk=revision_pk,
    )
    document = _visible_document(user, revision.document_id)
    if _oversees(user, document):
        return revision
    current = queries.current_revision_of(document)
    if current is None or current.pk != revision.pk:
        raise Http404
    return revision


class LibraryView(WagtailAdminTemplateMixin, TemplateView):
    """Staff read the documents in force addressed to them: browse by type and unit, search."""

    template_name = "documents/library.html"
    page_title = gettext_lazy("Document library")
    header_icon = "doc-full"
    breadcrumbs_items = []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = LibraryFilterForm(self.request.GET or None)
        revisions = queries.library(self.request.user)
        if form.is_valid():
            data = form.cleaned_data
            if data.get("doc_type"):
                revisions = revisions.filter(document__doc_type=data["doc_type"])
            if data.get("unit"):
                revisions = revisions.filter(document__unit=data["unit"])
            if data.get("q"):
                revisions = queries.search(revisions, data["q"])
        page = Paginator(revisions, LIBRARY_PAGE_SIZE).get_page(self.request.GET.get("p"))
        to_read = set(
            DocumentAcknowledgement.objects.filter(
                user=self.request.user, acknowledged_at__isnull=True, revision__in=[r.pk for r in page]
            ).values_list("revision_id", flat=True)
        )
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            form=form, page=page, to_read=to_read, query_string=query.urlencode(),
            can_see_register=self.request.user.has_perm("documents.view_document"),
        )
        return context


class DocumentReadView(WagtailAdminTemplateMixin, TemplateView):
    """One document: its revision in force (or, for overseers, any approved revision), the
    controlled copy, the read confirmation, and for overseers its history and acknowledgements."""

    template_name = "documents/read.html"
    header_icon = "doc-full"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.document = _visible_document(request.user, kwargs["pk"])
        self.oversees = _oversees(request.user, self.document)
        self.revisions = list(
            self.document.approved_revisions.select_related("author", "reviewer", "approver", "file")
            .order_by("-number")
        )
        number = kwargs.get("number")
        current = queries.current_revision_of(self.document)
        if number is None:
            self.revision = current
            if self.revision is None and self.oversees and self.revisions:
                self.revision = self.revisions[0]
        else:
            self.revision = next((r for r in self.revisions if r.number == number), None)
            if self.revision is None or (not self.oversees and (current is None or self.revision.pk != current.pk)):
                raise Http404
        self.current = current

    def get_page_title(self):
        return str(self.document)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("documents:library"), "label": _("Document library")},
            {"url": "", "label": self.document.code},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        document = self.document
        states = queries.revision_states(document, self.revisions)
        ack = None
        if self.revision is not None:
            ack = DocumentAcknowledgement.objects.filter(revision=self.revision, user=user).first()
        context.update(
            document=document,
            revision=self.revision,
            current=self.current,
            oversees=self.oversees,
            revision_state=REVISION_STATE_LABELS.get(states.get(self.revision.pk)) if self.revision else None,
            ack=ack,
            overdue_review=bool(document.next_review_date and document.next_review_date < today()),
        )
        if self.oversees:
            context.update(
                history=[(r, REVISION_STATE_LABELS[states[r.pk]]) for r in self.revisions],
                ack_summary=queries.acknowledgement_summary(self.revision) if self.revision else None,
                reviews=list(document.reviews.select_related("reviewed_by", "revision")[:20]),
                register_state=register_state_label(document),
                can_edit=user.has_perm("documents.change_document"),
                can_withdraw=user.has_perm("documents.withdraw_document") and not document.is_withdrawn
                and bool(self.revisions),
                can_review=user.has_perm("documents.review_document") and self.current is not None,
            )
        return context


def file_download(request, revision_pk):
    """The uploaded file of a revision the person may read. PDFs open in the browser, any other
    type downloads; nothing is ever served as HTML or SVG (the file list allows neither, and the
    sandbox policy would stop scripts if one slipped through)."""
    revision = readable_revision(request.user, revision_pk)
    if revision.file is None:
        raise Http404
    stored = revision.file
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=not stored.is_pdf,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def controlled_copy(request, revision_pk):
    """The revision in force as a PDF with the controlled-copy header and footer.

    An uploaded PDF that cannot be stamped (password-protected, damaged) sends the reader back
    to the document with the reason, where the original file can still be opened.
    """
    from documents.pdf import StampError, controlled_copy_pdf
    from qms.pdf import pdf_response

    revision = readable_revision(request.user, revision_pk)
    current = queries.current_revision_of(revision.document)
    if current is None or current.pk != revision.pk:
        raise Http404
    try:
        pdf = controlled_copy_pdf(revision, user=request.user)
    except StampError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("documents:read", args=[revision.document_id]))
    return pdf_response(pdf, f"{revision.document.code} Rev.{revision.label}.pdf")


@require_POST
def acknowledge(request, revision_pk):
    revision = readable_revision(request.user, revision_pk)
    try:
        acknowledgement_confirm(revision=revision, user=request.user)
    except PermissionDenied as error:
        return permission_denied(request, error)
    messages.success(
        request,
        _("Thank you: you confirmed reading %(code)s Rev. %(rev)s.") % {
            "code": revision.document.code, "rev": revision.label},
    )
    return HttpResponseRedirect(reverse("documents:read", args=[revision.document_id]))


class _DocumentActionView(WagtailAdminTemplateMixin, FormView):
    permission = ""
    header_icon = "doc-full"
    template_name = "documents/action_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.document = _visible_document(request.user, kwargs["pk"])
        if not (request.user.has_perm(self.permission) and _oversees(request.user, self.document)):
            return permission_denied(request, PermissionDenied(self.permission))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("documents:read", args=[self.document.pk]), "label": self.document.code},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(document=self.document, submit_label=self.submit_label,
                       cancel_url=reverse("documents:read", args=[self.document.pk]))
        return context

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        except PermissionDenied as error:
            return permission_denied(self.request, error)
        return HttpResponseRedirect(reverse("documents:read", args=[self.document.pk]))


class WithdrawView(_DocumentActionView):
    permission = "documents.withdraw_document"
    form_class = WithdrawForm
    submit_label = gettext_lazy("Withdraw the document")

    def get_page_title(self):
        return _("Withdraw %(code)s") % {"code": self.document.code}

    def perform(self, data):
        document_withdraw(document=self.document, user=self.request.user, reason=data["reason"])
        messages.success(
            self.request, _("%(code)s was withdrawn; staff no longer see it.") % {"code": self.document.code}
        )


class ReviewView(_DocumentActionView):
    permission = "documents.review_document"
    form_class = ReviewForm
    submit_label = gettext_lazy("Record the review")

    def get_page_title(self):
        return _("Periodic review of %(code)s") % {"code": self.document.code}

    def perform(self, data):
        review = document_review_record(
            document=self.document, user=self.request.user, outcome=data["outcome"], note=data["note"]
        )
        messages.success(
            self.request,
            _("Review recorded; next review on %(date)s.") % {"date": review.next_review_date.strftime("%d.%m.%Y")},
        )


class DueReviewsView(WagtailAdminTemplateMixin, TemplateView):
    """Documents due (within 30 days) or overdue for their periodic review, in the person's scope."""

    template_name = "documents/due_reviews.html"
    page_title = gettext_lazy("Documents due for review")
    header_icon = "date"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("documents.view_document"):
            return permission_denied(request, PermissionDenied("documents.view_document"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(queries.documents_overseen_by(self.request.user, queries.due_for_review()))
        context.update(rows=rows, today=today(), can_review=self.request.user.has_perm("documents.review_document"))
        return context

