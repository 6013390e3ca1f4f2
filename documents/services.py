"""Changes to controlled documents; every path (admin, API, import, command) goes through these."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.models import WorkflowState

from documents.files import sha256_of, validate_upload
from documents.models import (
    Document,
    DocumentAcknowledgement,
    DocumentCodeSequence,
    DocumentFile,
    DocumentReview,
    DocumentRevision,
    DocumentType,
    ReviewOutcome,
    today,
)
from qms.audit import record, record_transition


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (31.01 + 1 month = 28/29.02)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def document_code_allocate(*, doc_type: DocumentType, unit) -> str:
    """The next code for this type and unit, e.g. PR-HİM-004; never given twice.

    The counter row is locked (SELECT ... FOR UPDATE) for the rest of the caller's transaction, so
    two people creating documents at the same moment get different numbers; a code already taken
    (say, by an imported register) is skipped.
    """
    key = f"{doc_type.prefix}|{unit.code}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                DocumentCodeSequence.objects.get_or_create(key=key)
        except IntegrityError:  # created by a concurrent transaction a moment ago: fine
            pass
        sequence = DocumentCodeSequence.objects.select_for_update().get(key=key)
        while True:
            sequence.last += 1
            code = doc_type.format_code(unit_code=unit.code, seq=sequence.last)
            if not Document.objects.filter(code=code).exists():
                break
        sequence.save(update_fields=["last"])
    return code


@transaction.atomic
def document_create_draft(*, user, doc_type: DocumentType, unit, title: str, change_summary: str = "",
                          body=None, file: DocumentFile | None = None, **fields) -> Document:
    """A new document in draft (revision 00 to be), with its code; what the editor's Create does."""
    document = Document(
        title=title, doc_type=doc_type, unit=unit, change_summary=change_summary, body=body or [], file=file,
        live=False, has_unpublished_changes=True, created_by=user, **fields,
    )
    document.save()
    document.save_revision(user=user, log_action=True, clean=False)
    return document


@transaction.atomic
def document_draft_revision(*, document: Document, user, **changes) -> Document:
    """Save the next revision's draft (the revision in force is untouched until approval)."""
    draft = document.get_latest_revision_as_object()
    groups = {name: changes.pop(name) for name in list(changes) if name.startswith(("acknowledge_", "audience_"))}
    for name, value in changes.items():
        setattr(draft, name, value)
    for name, value in groups.items():
        setattr(draft, name, value)
    if not draft.live:
        draft.save()
    draft.save_revision(user=user, log_action=True, clean=False)
    return draft


def submission_refusal(draft: Document, *, file_uploaded: bool = False) -> None:
    """Refuse, before review starts, what the final approval would refuse anyway (so a reviewer
    never approves something that cannot take effect)."""
    if draft.is_withdrawn:
        raise ValidationError(_("This document has been withdrawn; it cannot get a new revision."))
    if not draft.body and not draft.file_id and not file_uploaded:
        raise ValidationError(_("A revision needs content: write it in the portal or upload a file."))


def document_submit(*, document: Document, user):
    """Send the latest draft into the approval workflow (the editor's "Submit for review")."""
    document = Document.objects.get(pk=document.pk)  # the caller's instance may be stale
    if document.workflow_in_progress:
        raise ValidationError(_("This document is already in review."))
    draft = document.get_latest_revision_as_object()
    submission_refusal(draft)
    if not (draft.change_summary or "").strip():
        raise ValidationError({"change_summary": _("Write the change summary before submitting for review.")})
    workflow = document.get_workflow()
    if workflow is None:
        raise ValidationError(_("No approval workflow is set up for documents; ask the administrator."))
    return workflow.start(document, user)


def document_file_store(*, upload, user) -> DocumentFile:
    """Check and keep an uploaded file (ValidationError says which rule it broke)."""
    kind = validate_upload(upload)
    stored = DocumentFile(
        original_name=upload.name.rsplit("/", 1)[-1][:255],
        extension=kind.extension,
        content_type=kind.content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    stored.file.save(upload.name, upload, save=False)
    stored.save()
    return stored


def body_text(body) -> str:
    """Plain text of a StreamField value, for search."""
    parts = []
    for block in body or []:
        value = block.value
        source = getattr(value, "source", None)
        parts.append(strip_tags(source if source is not None else str(value)))
    return " ".join(parts)


def _search_text(*, code: str, title: str, body) -> str:
    from documents.queries import fold

    return fold(" ".join([code, title, body_text(body)]))


def _acknowledgement_audience(document: Document) -> set[int]:
    """Active people the approved revision must be read by, among those its audience lets read
    it (the audience rule only, not "in force today": a revision effective next month is asked
    for now). A few set queries, whatever the number of people."""
    from documents.queries import audience_users
    from qms.models import StaffProfile, Unit

    User = get_user_model()
    group_ids = list(document.acknowledge_groups.values_list("pk", flat=True))
    unit_paths = list(document.acknowledge_units.values_list("path", flat=True))
    user_ids = set(document.acknowledge_users.values_list("pk", flat=True))
    if group_ids:
        user_ids |= set(User.objects.filter(groups__in=group_ids).values_list("pk", flat=True))
    if unit_paths:
        units = Unit.objects.none()
        for path in unit_paths:
            units = units | Unit.objects.filter(path__startswith=path)
        user_ids |= set(
            StaffProfile.objects.filter(unit__in=units, is_active=True).values_list("user_id", flat=True)
        )
    if not user_ids:
        return set()
    return set(audience_users(document).filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))


@transaction.atomic
def revision_approve(*, document: Document, revision, user, workflow_state: WorkflowState | None,
                     log_action=True, previous_revision=None) -> DocumentRevision:
    """Publish `revision` as the next approved revision: the end of an approved workflow only.

    Refuses a publish without an approved workflow (a skipped step), one approved by an author of
    the revision, and one without a change summary. Freezes the content into a `DocumentRevision`,
    sets the next review date and asks the acknowledgement audience to read it.
    """
    from documents.queries import content_changed_since_approval, revision_authors

    if (
        workflow_state is None
        or workflow_state.status != WorkflowState.STATUS_APPROVED
        or workflow_state.object_id != str(document.pk)
        or workflow_state.base_content_type_id != document.get_base_content_type().pk
    ):
        raise PermissionDenied(
            _("A document revision takes effect only through its approval workflow; it cannot be published directly.")
        )
    if document.is_withdrawn:
        raise PermissionDenied(_("This document has been withdrawn; it cannot get a new revision."))
    content = revision.as_object()
    if not (content.change_summary or "").strip():
        raise ValidationError({"change_summary": _("A revision cannot be approved without a change summary.")})
    authors = revision_authors(document, workflow_state=workflow_state)
    if user is not None and user.pk in authors:
        raise PermissionDenied(_("You wrote this revision, so you cannot approve it; another approver must do it."))
    approvals = list(workflow_state.task_states.filter(status="approved").values_list("finished_by_id", flat=True))
    if len(approvals) != len(set(approvals)):
        raise PermissionDenied(_("You approved an earlier step of this review; another person must approve this one."))
    if content_changed_since_approval(document, workflow_state):
        raise PermissionDenied(
            _("The content changed after an earlier step approved it; the author must restart the review.")
        )
    if not content.body and not content.file_id:
        raise ValidationError(_("A revision needs content: write it in the portal or upload a file."))

    document._publish_unchecked(revision, user=user, log_action=log_action, previous_revision=previous_revision)
    document.refresh_from_db()

    now = timezone.now()
    approved_on = timezone.localdate(now)
    effective = max(content.effective_from or approved_on, approved_on)
    next_review = add_months(effective, document.effective_review_interval)
    last_number = document.approved_revisions.aggregate(n=Max("number"))["n"]
    number = 0 if last_number is None else last_number + 1

    task_states = list(
        workflow_state.task_states.filter(status="approved").select_related("finished_by").order_by("finished_at", "pk")
    )
    reviewer = next((s.finished_by for s in task_states[:-1] if s.finished_by_id), None)
    author_id = workflow_state.requested_by_id or revision.user_id
    approved = DocumentRevision.objects.create(
        document=document,
        number=number,
        wagtail_revision=revision,
        title=content.title,
        body=content.body.raw_data if content.body else [],
        file_id=content.file_id,
        search_text=_search_text(code=document.code, title=content.title, body=content.body),
        change_summary=content.change_summary.strip(),
        author_id=author_id,
        reviewer=reviewer,
        approver=user,
        approved_at=now,
        effective_date=effective,
        next_review_date=next_review,
    )
    # The next revision starts with an empty change summary and date: a summary is written for
    # each revision, never carried over from the last one.
    Document.objects.filter(pk=document.pk).update(next_review_date=next_review, change_summary="",
                                                   effective_from=None)
    audience = _acknowledgement_audience(document)
    DocumentAcknowledgement.objects.bulk_create(
        [DocumentAcknowledgement(revision=approved, user_id=pk, requested_at=now) for pk in sorted(audience)]
    )
    record_transition(
        document, user=user, from_state="in_review", to_state="approved",
        from_label=_("In review"), to_label=_("Approved as revision %(number)s") % {"number": approved.label},
        note=approved.change_summary,
    )
    return approved


@transaction.atomic
def document_withdraw(*, document: Document, user, reason: str) -> Document:
    """Take a document out of force (it stays in the register, its revisions kept)."""
    if not user.has_perm("documents.withdraw_document"):
        raise PermissionDenied(_("You may not withdraw documents."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.is_withdrawn:
        raise ValidationError(_("This document has already been withdrawn."))
    if not document.approved_revisions.exists():
        raise ValidationError(_("Only an approved document can be withdrawn."))
    if document.current_workflow_state is not None:
        document.current_workflow_state.cancel(user=user)
    document.withdrawn_at = timezone.now()
    document.withdrawn_by = user
    document.withdrawal_reason = reason.strip()
    document.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record_transition(document, user=user, from_state="effective", to_state="withdrawn",
                      from_label=_("Effective"), to_label=_("Withdrawn"), note=document.withdrawal_reason)
    return document


@transaction.atomic
def document_review_record(*, document: Document, user, outcome: str, note: str = "") -> DocumentReview:
    """Record a periodic review. "No change" moves the next review date on by the review interval;
    "revision needed" keeps the date (the document stays due until a new revision is approved)."""
    from documents.queries import current_revision_of

    if not user.has_perm("documents.review_document"):
        raise PermissionDenied(_("You may not record document reviews."))
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the review.")})
    if outcome == ReviewOutcome.REVISION_NEEDED and not (note or "").strip():
        raise ValidationError({"note": _("Say what has to change.")})
    current = current_revision_of(document)
    if current is None:
        raise ValidationError(_("Only a document in force can be reviewed."))
    reviewed_on = today()
    next_review = (
        add_months(reviewed_on, document.effective_review_interval)
        if outcome == ReviewOutcome.NO_CHANGE
        else document.next_review_date or reviewed_on
    )
    review = DocumentReview.objects.create(
        document=document, revision=current, outcome=outcome, note=(note or "").strip(),
        reviewed_by=user, next_review_date=next_review,
    )
    Document.objects.filter(pk=document.pk).update(next_review_date=next_review)
    document.next_review_date = next_review
    record(document, "documents.review", user=user, outcome=outcome, revision=current.label,
           next_review=next_review.isoformat(), note=review.note)
    return review


def acknowledgement_confirm(*, revision: DocumentRevision, user) -> DocumentAcknowledgement:
    """The person confirms they have read the revision (only their own, only once)."""
    updated = DocumentAcknowledgement.objects.filter(
        revision=revision, user=user, acknowledged_at__isnull=True
    ).update(acknowledged_at=timezone.now())
    ack = DocumentAcknowledgement.objects.filter(revision=revision, user=user).first()
    if ack is None:
        raise PermissionDenied(_("You were not asked to confirm reading this revision."))
    if updated:
        record(revision.document, "documents.acknowledge", user=user, revision=revision.label)
    return ack

