"""/api/v1/documents: the controlled documents a person may read, and their read confirmations.

Mounted on the one NinjaAPI (`qms.api.api`) by `DocumentsConfig.ready()`, which imports this module:
Python runs a module once, so the router is added exactly once however often `ready()` runs.

Visibility is `documents.queries`' one rule, as in the portal's library and document page:

* The list is the library: the revision in force of each document the caller may read
  (`queries.library`); withdrawn documents, drafts and revisions not yet effective are never listed.
* A document outside the caller's audience (restricted elsewhere, withdrawn or never approved, for
  anyone who does not oversee it) is 404, exactly like a code that does not exist.
* Overseers (`queries.documents_overseen_by`) also get the approved revisions with their states.

Every endpoint needs the "admin.access" capability of every role (`wagtailadmin.access_admin`),
like the portal pages the documents are read on: an account without any role gets 403.
Links are site-root-relative paths of the portal's admin pages (`/admin/documents/...`).
"""

# No `from __future__ import annotations`: ninja reads the parameter types (DocumentKind) at import.
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from documents import queries
from documents.models import Document, DocumentAcknowledgement, DocumentKind, DocumentRevision
from documents.services import acknowledgement_confirm, body_text
from qms.api import UnitRef, api, require_perm

ACCESS_PERMISSION = "wagtailadmin.access_admin"

router = Router(tags=["documents"])


# --- schemas ----------------------------------------------------------------------------------


class KindOut(Schema):
    key: str
    label: str


class RevisionOut(Schema):
    number: int
    label: str
    effective_date: date
    next_review_date: date
    approved_at: datetime
    change_summary: str
    has_file: bool

    @staticmethod
    def resolve_has_file(obj):
        return obj.file_id is not None


class RevisionWithTextOut(RevisionOut):
    text: str

    @staticmethod
    def resolve_text(obj):
        return body_text(obj.body)


class AcknowledgementOut(Schema):
    required: bool
    acknowledged_at: datetime | None


class DocumentUrls(Schema):
    read: str
    controlled_copy: str | None
    file: str | None


def _parts(obj) -> tuple[Document, DocumentRevision | None]:
    """The document and its revision in force: list rows are revisions, the detail is a document."""
    if isinstance(obj, DocumentRevision):
        return obj.document, obj
    return obj, obj.api_current


class DocumentOut(Schema):
    code: str
    title: str
    type: KindOut
    unit: UnitRef
    confidentiality: str
    current_revision: RevisionOut | None
    acknowledgement: AcknowledgementOut
    urls: DocumentUrls

    @staticmethod
    def resolve_code(obj):
        return _parts(obj)[0].code

    @staticmethod
    def resolve_title(obj):
        document, revision = _parts(obj)
        return revision.title if revision is not None else document.title

    @staticmethod
    def resolve_type(obj):
        kind = _parts(obj)[0].doc_type
        return {"key": kind.kind, "label": kind.get_kind_display()}

    @staticmethod
    def resolve_unit(obj):
        unit = _parts(obj)[0].unit
        return {"code": unit.code, "name": unit.name}

    @staticmethod
    def resolve_confidentiality(obj):
        return _parts(obj)[0].confidentiality

    @staticmethod
    def resolve_current_revision(obj):
        return _parts(obj)[1]

    @staticmethod
    def resolve_acknowledgement(obj):
        return {"required": bool(obj.api_ack_required), "acknowledged_at": obj.api_ack_at}

    @staticmethod
    def resolve_urls(obj):
        document, revision = _parts(obj)
        return {
            "read": reverse("documents:read", args=[document.pk]),
            "controlled_copy": reverse("documents:controlled_copy", args=[revision.pk]) if revision else None,
            "file": reverse("documents:file", args=[revision.pk]) if revision and revision.file_id else None,
        }


class StateOut(Schema):
    key: str
    label: str


class RevisionUrls(Schema):
    read: str
    file: str | None


class HistoryRevisionOut(RevisionOut):
    title: str
    state: StateOut
    imported: bool
    author: str | None
    reviewer: str | None
    approver: str | None
    urls: RevisionUrls

    @staticmethod
    def resolve_state(obj):
        from documents.views import REVISION_STATE_LABELS

        return {"key": obj.api_state, "label": str(REVISION_STATE_LABELS[obj.api_state])}

    @staticmethod
    def resolve_author(obj):
        return _person(obj.author)

    @staticmethod
    def resolve_reviewer(obj):
        return _person(obj.reviewer)

    @staticmethod
    def resolve_approver(obj):
        return _person(obj.approver)

    @staticmethod
    def resolve_urls(obj):
        return {
            "read": reverse("documents:read_revision", args=[obj.document_id, obj.number]),
            "file": reverse("documents:file", args=[obj.pk]) if obj.file_id else None,
        }


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class DocumentDetailOut(DocumentOut):
    current_revision: RevisionWithTextOut | None
    withdrawn_at: datetime | None
    revisions: list[HistoryRevisionOut] | None  # approved revisions, newest first; overseers only

    @staticmethod
    def resolve_withdrawn_at(obj):
        return obj.withdrawn_at

    @staticmethod
    def resolve_revisions(obj):
        return obj.api_history


class AcknowledgeRevisionOut(Schema):
    number: int
    label: str


class AcknowledgeOut(Schema):
    code: str
    revision: AcknowledgeRevisionOut
    acknowledgement: AcknowledgementOut


# --- endpoints --------------------------------------------------------------------------------


def _visible_document(user, code: str) -> Document:
    """The document with this code if the user may open it; 404 otherwise (as for an unknown code)."""
    return get_object_or_404(
        queries.documents_visible_to(user, Document.objects.select_related("doc_type", "unit")), code=code
    )


@router.get("", response=list[DocumentOut], summary="Yürürlükteki dokümanlar / documents in force you may read")
@paginate(LimitOffsetPagination)
def list_documents(
    request,
    type: DocumentKind | None = None,  # the public parameter name (shadows the builtin here only)
    unit: str | None = None,
    q: str | None = None,
    to_read: bool | None = None,
):
    """The library: each document's revision in force, by code. `type` is a document kind key,
    `unit` the owning unit's code (that unit only), `q` searches code, title and text (every word,
    Turkish letters folded), `to_read=true` keeps those you were asked to read and have not yet
    confirmed (`false`: the others)."""
    user = request.user
    require_perm(request, ACCESS_PERMISSION)
    mine = DocumentAcknowledgement.objects.filter(revision=OuterRef("pk"), user=user)
    revisions = (
        queries.library(user)
        .defer("body", "search_text", "document__body")
        .annotate(
            api_ack_required=Exists(mine),
            api_ack_at=Subquery(mine.values("acknowledged_at")[:1]),
        )
    )
    if type:
        revisions = revisions.filter(document__doc_type__kind=type)
    if unit:
        revisions = revisions.filter(document__unit__code=unit)
    if q:
        revisions = queries.search(revisions, q)
    if to_read is not None:
        pending = Exists(mine.filter(acknowledged_at__isnull=True))
        revisions = revisions.filter(pending if to_read else ~pending)
    return revisions


@router.get("/{code}", response=DocumentDetailOut, summary="Bir doküman / one document")
def get_document(request, code: str):
    """The document and the text of its revision in force, your read confirmation, and, if you
    oversee the document, its approved revisions (newest first) with their states."""
    user = request.user
    require_perm(request, ACCESS_PERMISSION)
    document = _visible_document(user, code)
    current = queries.current_revision_of(document)
    if current is not None:
        current.document = document
    ack = DocumentAcknowledgement.objects.filter(revision=current, user=user).first() if current else None
    document.api_current = current
    document.api_ack_required = ack is not None
    document.api_ack_at = ack.acknowledged_at if ack else None
    document.api_history = None
    if queries.documents_overseen_by(user, Document.objects.filter(pk=document.pk)).exists():
        history = list(
            document.approved_revisions.select_related("author", "reviewer", "approver")
            .defer("body", "search_text")
            .order_by("-number")
        )
        states = queries.revision_states(document, history)
        for revision in history:
            revision.api_state = states[revision.pk]
        document.api_history = history
    return document


@router.post(
    "/{code}/acknowledge", response=AcknowledgeOut,
    summary="Okudum, anladım / confirm reading the revision in force",
)
def acknowledge(request, code: str):
    """Confirm that you have read the revision in force. Answering again changes nothing (the first
    confirmation time stays). 403 if you were not asked to read it; 409 if the document (which only
    an overseer can see then) has no revision in force."""
    user = request.user
    require_perm(request, ACCESS_PERMISSION)
    document = _visible_document(user, code)
    current = queries.current_revision_of(document)
    if current is None:
        raise HttpError(409, _("This document has no revision in force to confirm."))
    try:
        ack = acknowledgement_confirm(revision=current, user=user)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    return {
        "code": document.code,
        "revision": {"number": current.number, "label": current.label},
        "acknowledgement": {"required": True, "acknowledged_at": ack.acknowledged_at},
    }


api.add_router("/documents", router)
