"""Reads other code reuses: who may read which document, which revision is current, who wrote a draft.

One rule decides what a person may read, and the library, the document page, the file download,
the controlled copy and the API all apply it:

* **Overseers** (the "documents.view_document" permission: quality roles and document authors)
  see every document of the units in their scope (`qms.roles.unit_scope`), with its drafts,
  superseded revisions and withdrawal.
* **Everyone else** sees the *current* revision of documents that are in force (an approved
  revision whose effective date has come, not withdrawn) and addressed to them: public documents,
  their own unit's documents, and restricted documents whose roles include one of theirs or whose
  units contain theirs (a unit includes the units under it).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from documents.models import Confidentiality, Document, DocumentAcknowledgement, DocumentRevision, today
from qms.roles import unit_scope
from qms.text import fold


def can_oversee_all(user) -> bool:
    return bool(user.is_authenticated and user.has_perm("documents.view_document") and unit_scope(user) is None)


def documents_overseen_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """Documents the user may see in full (drafts, old revisions, withdrawn): overseers in scope."""
    queryset = Document.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.has_perm("documents.view_document")):
        return queryset.none()
    scope = unit_scope(user)
    return queryset if scope is None else queryset.filter(unit__in=scope)


def _audience_q(user) -> Q:
    profile = getattr(user, "staff_profile", None)
    q = Q(confidentiality=Confidentiality.PUBLIC) | Q(audience_groups__in=user.groups.all())
    if profile is not None and profile.is_active:
        unit = profile.unit
        ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        q |= Q(unit_id=unit.pk) | Q(audience_units__in=ancestor_ids)
    return q


def audience_users(document: Document) -> QuerySet:
    """The people the document's audience rule lets read it (whether or not it is in force):
    everyone for a public document; else its unit's staff, the roles and units it names (a unit
    with the units under it), and those who oversee documents of its unit (one query)."""
    from django.contrib.auth import get_user_model

    from qms.roles import ROLES, Role, permissions_for

    User = get_user_model()
    people = User.objects.all()
    if document.confidentiality == Confidentiality.PUBLIC:
        return people
    unit = document.unit
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    q = Q(staff_profile__unit_id=unit.pk, staff_profile__is_active=True) | Q(is_superuser=True)
    q |= Q(groups__in=document.audience_groups.all())
    for path in document.audience_units.values_list("path", flat=True):
        q |= Q(staff_profile__unit__path__startswith=path, staff_profile__is_active=True)
    overseeing = [role for role in ROLES if "documents.view_document" in permissions_for(role)]
    everywhere = [ROLES[role].group_name for role in overseeing if ROLES[role].sees_all_units]
    q |= Q(groups__name__in=everywhere)
    if Role.UNIT_MANAGER in overseeing:  # a manager of the unit or of a unit above it
        q |= Q(groups__name=ROLES[Role.UNIT_MANAGER].group_name, staff_profile__unit_id__in=ancestor_ids,
               staff_profile__is_active=True)
    return people.filter(q).distinct()


def in_force_q(on: date | None = None) -> Q:
    on = on or today()
    effective = DocumentRevision.objects.filter(document=OuterRef("pk"), effective_date__lte=on)
    return Q(Exists(effective), withdrawn_at__isnull=True)


def documents_visible_to(user, queryset: QuerySet | None = None, *, on: date | None = None) -> QuerySet:
    """Documents the user may open: overseen ones, plus those in force addressed to them."""
    queryset = Document.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if can_oversee_all(user) or user.is_superuser:
        return queryset
    addressed = Document.objects.filter(in_force_q(on)).filter(_audience_q(user)).values("pk")
    overseen = documents_overseen_by(user).values("pk")
    return queryset.filter(Q(pk__in=addressed) | Q(pk__in=overseen))


def annotate_register(queryset: QuerySet, *, on: date | None = None) -> QuerySet:
    """Documents with what the register's state needs, in the same query: the revision number in
    force on `on` (`_current_number`), the latest approved one (`_latest_number`) and whether a new
    revision is in review (`_in_review`); `documents.views.register_state_label` reads them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Subquery
    from django.db.models.functions import Cast
    from wagtail.models import WorkflowState

    on = on or today()
    revisions = DocumentRevision.objects.filter(document=OuterRef("pk")).order_by("-number")
    in_review = WorkflowState.objects.active().filter(
        base_content_type=ContentType.objects.get_for_model(Document),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return queryset.annotate(
        _current_number=Subquery(revisions.filter(effective_date__lte=on).values("number")[:1]),
        _latest_number=Subquery(revisions.values("number")[:1]),
        _in_review=Exists(in_review),
    )


def current_revisions(*, on: date | None = None) -> QuerySet:
    """Each document's revision in force on `on` (today): effective, with no later effective one,
    document not withdrawn. One row per document in force."""
    on = on or today()
    later = DocumentRevision.objects.filter(
        document=OuterRef("document"), effective_date__lte=on, number__gt=OuterRef("number")
    )
    return DocumentRevision.objects.filter(effective_date__lte=on, document__withdrawn_at__isnull=True).exclude(
        Exists(later)
    )


def library(user, *, on: date | None = None) -> QuerySet:
    """The current revisions this user may read, with what the list shows (fixed query count)."""
    return (
        current_revisions(on=on)
        .filter(document__in=documents_visible_to(user, on=on))
        .select_related("document", "document__doc_type", "document__unit")
        .order_by("document__code")
    )


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Filter revisions by code, title and text (every word must appear, Turkish letters folded)."""
    for word in fold(text).split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def current_revision_of(document: Document, *, on: date | None = None) -> DocumentRevision | None:
    if document.is_withdrawn:
        return None
    on = on or today()
    return document.approved_revisions.filter(effective_date__lte=on).order_by("-number").first()


class RevisionState:
    PENDING = "approved"
    EFFECTIVE = "effective"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


def revision_states(document: Document, revisions, *, on: date | None = None) -> dict[int, str]:
    """The state of each approved revision: approved (effective later), effective, superseded, withdrawn."""
    on = on or today()
    effective_numbers = [r.number for r in revisions if r.effective_date <= on]
    current = max(effective_numbers) if effective_numbers else None
    states = {}
    for rev in revisions:
        if rev.effective_date > on:
            states[rev.pk] = RevisionState.WITHDRAWN if document.is_withdrawn else RevisionState.PENDING
        elif rev.number == current:
            states[rev.pk] = RevisionState.WITHDRAWN if document.is_withdrawn else RevisionState.EFFECTIVE
        else:
            states[rev.pk] = RevisionState.SUPERSEDED
    return states


def revision_authors(document: Document, workflow_state=None) -> set[int]:
    """Who wrote the revision now in draft or review: whoever submitted it, and everyone whose save
    changed its content since the last approval (from the audit log's `content_changed`; an approver
    whose "Approve" from the editor saves the form unchanged does not become an author). None of
    them may approve it."""
    cache = getattr(document, "_qms_authors", None)
    if cache is not None and workflow_state is None:
        return cache
    from wagtail.models import ModelLogEntry

    entries = ModelLogEntry.objects.filter(
        content_type_id=document.get_base_content_type().pk,
        object_id=str(document.pk),
        action__in=("wagtail.create", "wagtail.edit", "wagtail.revert"),
        content_changed=True,
    )
    if document.last_published_at:
        entries = entries.filter(timestamp__gt=document.last_published_at)
    authors = {pk for pk in entries.values_list("user_id", flat=True) if pk}
    state = workflow_state or document.current_workflow_state
    if state is not None and state.requested_by_id:
        authors.add(state.requested_by_id)
    if workflow_state is None:
        document._qms_authors = authors
    return authors


def approvers_so_far(workflow_state) -> set[int]:
    """Who approved a step of this review already (each step needs another person)."""
    cache = getattr(workflow_state, "_qms_approvers", None)
    if cache is None:
        cache = set(
            workflow_state.task_states.filter(status="approved", finished_by__isnull=False)
            .values_list("finished_by_id", flat=True)
        )
        workflow_state._qms_approvers = cache
    return cache


def content_changed_since_approval(document: Document, workflow_state) -> bool:
    """Whether someone changed the content after a step of this review approved it (the audit
    log's `content_changed`): what the next step would approve is then not what was reviewed."""
    from wagtail.models import ModelLogEntry

    first = (
        workflow_state.task_states.filter(status="approved").order_by("finished_at").values_list(
            "finished_at", flat=True
        ).first()
    )
    if first is None:
        return False
    return ModelLogEntry.objects.filter(
        content_type_id=document.get_base_content_type().pk,
        object_id=str(document.pk),
        action__in=("wagtail.create", "wagtail.edit", "wagtail.revert"),
        content_changed=True,
        timestamp__gt=first,
    ).exists()


def pending_acknowledgements(user, *, on: date | None = None) -> QuerySet:
    """The person's unconfirmed read requests for revisions now in force."""
    return (
        DocumentAcknowledgement.objects.filter(user=user, acknowledged_at__isnull=True)
        .filter(revision__in=current_revisions(on=on))
        # Not documents the person can no longer open (moved to another unit, say).
        .filter(revision__document__in=documents_visible_to(user, on=on))
        .select_related("revision", "revision__document")
        .order_by("requested_at")
    )


def acknowledgement_summary(revision: DocumentRevision) -> dict:
    """Counts for the owner: how many must read, how many have, the rate, and who is pending."""
    rows = list(
        revision.acknowledgements.select_related("user", "user__staff_profile__unit").order_by(
            "user__first_name", "user__last_name"
        )
    )
    done = [a for a in rows if a.acknowledged_at]
    pending = [a for a in rows if not a.acknowledged_at]
    total = len(rows)
    return {
        "total": total,
        "done": len(done),
        "pending": pending,
        "confirmed": done,
        "rate": (len(done) / total) if total else None,
    }


def due_for_review(*, within_days: int = 30, on: date | None = None) -> QuerySet:
    """Documents in force whose next review date is within `within_days` (or already past)."""
    from datetime import timedelta

    on = on or today()
    return (
        Document.objects.filter(in_force_q(on), next_review_date__isnull=False,
                                next_review_date__lte=on + timedelta(days=within_days))
        .select_related("unit", "doc_type")
        .order_by("next_review_date", "code")
    )
