"""Controlled documents: the register, approved revisions, acknowledgements and periodic reviews.

Design (docs/decisions.md §14): a `Document` is a Wagtail snippet with the draft / revision /
locking / workflow mixins. Its row is the register entry and holds the latest *approved* content;
the next revision is drafted in Wagtail revisions while the current one stays in force, and goes
through a Wagtail workflow (configurable steps, `DocumentApprovalTask`). Approval is the only way to
publish (`Document.publish` refuses anything else) and freezes the content into an immutable
`DocumentRevision` (00, 01, 02 ...), which is what staff read, the API serves and the controlled copy
prints. Nothing is deleted: a document is withdrawn with a reason, a revision is superseded by the
next one once that is effective.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.models.workflows import AbstractGroupApprovalTask, WorkflowState
from wagtail.search import index

from documents.files import private_storage, upload_path


class DocumentKind(models.TextChoices):
    QUALITY_MANUAL = "quality_manual", _("Quality manual")
    PROCEDURE = "procedure", _("Procedure")
    WORK_INSTRUCTION = "work_instruction", _("Work instruction")
    FORM = "form", _("Form")
    PLAN = "plan", _("Plan")
    LIST = "list", _("List")
    SERVICE_STANDARD = "service_standard", _("Service standard")
    POLICY = "policy", _("Policy")
    EXTERNAL = "external", _("External document")


class DocumentType(models.Model):
    """Per-type rules: the code prefix and pattern, and the default review interval."""

    kind = models.CharField(_("type"), max_length=30, choices=DocumentKind.choices, unique=True)
    prefix = models.CharField(
        _("code prefix"), max_length=10, help_text=_("First part of the document code, e.g. PR for procedures.")
    )
    code_pattern = models.CharField(
        _("code pattern"),
        max_length=60,
        default="{prefix}-{unit}-{seq:03d}",
        help_text=_(
            "How codes are made: {prefix} is the type prefix, {unit} the owning unit's code, "
            "{seq} the next number for that prefix and unit (e.g. {seq:03d} gives 001)."
        ),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=12, validators=[MinValueValidator(1)]
    )
    retention_years = models.PositiveSmallIntegerField(
        _("default retention (years)"), default=5, validators=[MinValueValidator(1)]
    )
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["sort_order", "kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def clean(self) -> None:
        super().clean()
        try:
            self.code_pattern.format(prefix="PR", unit="HİM", seq=1)
        except (KeyError, IndexError, ValueError):
            raise ValidationError(
                {"code_pattern": _(
                    "The pattern may only use {prefix}, {unit} and {seq}, e.g. {prefix}-{unit}-{seq:03d}."
                )}
            ) from None
        if "{seq" not in self.code_pattern:
            raise ValidationError({"code_pattern": _("The pattern must contain {seq}, or codes would repeat.")})

    def format_code(self, *, unit_code: str, seq: int) -> str:
        return self.code_pattern.format(prefix=self.prefix, unit=unit_code, seq=seq)


class DocumentCodeSequence(models.Model):
    """The last number given for one prefix + unit; only ever increases, so codes are never reused."""

    key = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document code sequence")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class DocumentFile(models.Model):
    """An uploaded file (PDF, DOCX, XLSX, ODT), checked on the way in, stored outside the public
    media folder and served only through `documents.views.file_download` after a visibility check."""

    file = models.FileField(_("file"), storage=private_storage, upload_to=upload_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_pdf(self) -> bool:
        return self.extension == "pdf"

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("Files of controlled documents are kept; they cannot be deleted."))


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("All staff")
    RESTRICTED = "restricted", _("Restricted to roles or units")


def body_blocks():
    return [
        ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
        ("paragraph", blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "ol", "ul", "link"])),
        ("note", blocks.TextBlock(label=_("Note"), help_text=_("A highlighted remark, e.g. a warning."))),
    ]


class Document(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """A controlled document in the register (Doküman Ana Listesi)."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        blank=True,
        help_text=_("Given automatically from the type's pattern when the document is created."),
    )
    title = models.CharField(pgettext_lazy("document", "title"), max_length=255)  # not a person's job title
    doc_type = models.ForeignKey(DocumentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "qms.Unit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="documents"
    )
    confidentiality = models.CharField(
        _("audience"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    audience_groups = ParentalManyToManyField(
        Group,
        verbose_name=_("restricted to roles"),
        blank=True,
        related_name="+",
        help_text=_("When restricted: people with any of these roles may read it."),
    )
    audience_units = ParentalManyToManyField(
        "qms.Unit",
        verbose_name=_("restricted to units"),
        blank=True,
        related_name="+",
        help_text=_("When restricted: people in these units (and the units under them) may read it."),
    )
    clauses = ParentalManyToManyField(
        "qms.Clause",
        verbose_name=_("clauses"),
        blank=True,
        related_name="documents",
        help_text=_("The clauses of the standards this document meets (shown in the clause coverage report)."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("How long superseded revisions are kept. Empty: the type's default."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: the type's default (usually 12 months)."),
    )
    # The content of the revision being drafted (the row holds the last approved one).
    body = StreamField(body_blocks(), verbose_name=_("content"), blank=True)
    file = models.ForeignKey(
        DocumentFile, verbose_name=_("file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_summary = models.TextField(
        _("change summary"), help_text=_("What changed in this revision and why (required for approval).")
    )
    effective_from = models.DateField(
        _("effective from"), null=True, blank=True,
        help_text=_("Leave empty to make the revision effective on the day it is approved."),
    )
    acknowledge_groups = ParentalManyToManyField(
        Group, verbose_name=_("must be read by roles"), blank=True, related_name="+"
    )
    acknowledge_units = ParentalManyToManyField(
        "qms.Unit", verbose_name=_("must be read by units"), blank=True, related_name="+"
    )
    acknowledge_users = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("must be read by people"), blank=True, related_name="+"
    )
    # Register facts kept by services, never edited in the form.
    next_review_date = models.DateField(_("next review"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("code"),
        index.FilterField("unit"),
    ]

    class Meta:
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        ordering = ["code"]
        permissions = [
            ("withdraw_document", "Can withdraw a controlled document"),
            ("review_document", "Can record a periodic review"),
            ("import_document", "Can import the document register"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}" if self.code else self.title

    def save(self, *args, **kwargs):
        if not self.code:
            from documents.services import document_code_allocate

            self.code = document_code_allocate(doc_type=self.doc_type, unit=self.unit)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("Controlled documents are never deleted; withdraw the document instead."))

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def effective_review_interval(self) -> int:
        return self.review_interval_months or self.doc_type.review_interval_months

    @property
    def effective_retention_years(self) -> int:
        return self.retention_years or self.doc_type.retention_years

    def publish(self, revision, user=None, changed=True, log_action=True, previous_revision=None,
                skip_permission_checks=False, *, approved_workflow_state: WorkflowState | None = None):
        """Make `revision` the approved content; allowed only as the end of an approved workflow.

        `documents.workflows.finish_workflow` (WAGTAIL_FINISH_WORKFLOW_ACTION) is the one caller
        that passes the approved workflow state; a direct publish (the editor's Publish action, a
        revert, a script) is refused, so no step of the approval can be skipped.
        """
        from documents.services import revision_approve

        return revision_approve(
            document=self, revision=revision, user=user, workflow_state=approved_workflow_state,
            log_action=log_action, previous_revision=previous_revision,
        )

    def _publish_unchecked(self, revision, *, user, log_action=True, previous_revision=None):
        return super().publish(
            revision, user=user, log_action=log_action, previous_revision=previous_revision,
            skip_permission_checks=True,
        )

    def unpublish(self, *args, **kwargs):
        raise PermissionDenied(_("An approved document is withdrawn (with a reason), not unpublished."))


class DocumentRevision(models.Model):
    """One approved revision (00, 01, ...): frozen content and its approval record. Never changed."""

    document = models.ForeignKey(
        Document, verbose_name=_("controlled document"), on_delete=models.PROTECT, related_name="approved_revisions"
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    wagtail_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(pgettext_lazy("document", "title"), max_length=255)
    body = StreamField(body_blocks(), verbose_name=_("content"), blank=True)
    file = models.ForeignKey(
        DocumentFile, verbose_name=_("file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_text = models.TextField(editable=False, blank=True)  # folded code + title + text (queries.fold)
    change_summary = models.TextField(_("change summary"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"))
    effective_date = models.DateField(_("effective date"))
    next_review_date = models.DateField(_("next review"))
    imported = models.BooleanField(
        _("imported"), default=False, help_text=_("Approved outside the portal and taken over from the old register.")
    )

    class Meta:
        verbose_name = _("document revision")
        verbose_name_plural = _("document revisions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_revision_unique_number"),
        ]
        indexes = [models.Index(fields=["document", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.document.code} Rev. {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(_("An approved revision is frozen; make a new revision instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("Approved revisions are kept; they cannot be deleted."))

    @property
    def label(self) -> str:
        return f"{self.number:02d}"


class DocumentAcknowledgement(models.Model):
    """One person who must confirm they have read one revision."""

    revision = models.ForeignKey(
        DocumentRevision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="document_acknowledgements",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("read and confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("read confirmation")
        verbose_name_plural = _("read confirmations")
        constraints = [
            models.UniqueConstraint(fields=["revision", "user"], name="documents_ack_unique_person"),
        ]
        indexes = [models.Index(fields=["user", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.revision} · {self.user}"


class ReviewOutcome(models.TextChoices):
    NO_CHANGE = "no_change", _("Reviewed, no change")
    REVISION_NEEDED = "revision_needed", _("Revision needed")


class DocumentReview(models.Model):
    """A periodic review of a document: "no change" moves the next review date on."""

    document = models.ForeignKey(
        Document, verbose_name=_("controlled document"), on_delete=models.PROTECT, related_name="reviews"
    )
    revision = models.ForeignKey(
        DocumentRevision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="reviews"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    next_review_date = models.DateField(_("next review"))

    class Meta:
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.document.code} {self.reviewed_at:%d.%m.%Y}"


class DocumentApprovalTask(AbstractGroupApprovalTask):
    """A Wagtail group-approval step for controlled documents with the ISO rule added: nobody
    approves a revision they wrote, and a unit manager acts only on documents of their own units."""

    def _may_act(self, obj, user) -> bool:
        return self.refusal(obj, user) is None

    def refusal(self, obj, user, *, approving: bool = False) -> str | None:
        """Why `user` may not act on `obj` at this step (None: they may).

        Beyond the group: not an author of the revision, not someone who already approved an
        earlier step of this review (two steps, two people), a unit manager only for their own
        units; and an approval only of content that has not changed since an earlier step
        approved it (else the review starts again).
        """
        from documents.queries import approvers_so_far, content_changed_since_approval, revision_authors
        from qms.roles import unit_scope

        if not (user.is_superuser or self._user_in_groups(user)):
            return _("You are not an approver for this step of this document.")
        if not isinstance(obj, Document):
            return None
        if user.pk in revision_authors(obj):
            return _("You wrote this revision, so you cannot approve it; another approver must do it.")
        state = obj.current_workflow_state
        if state is not None and user.pk in approvers_so_far(state):
            return _("You approved an earlier step of this review; another person must approve this one.")
        scope = unit_scope(user)
        if scope is not None and not scope.filter(pk=obj.unit_id).exists():
            return _("You are not an approver for this step of this document.")
        if approving and state is not None and content_changed_since_approval(obj, state):
            return _(
                "The content changed after an earlier step approved it; the author must restart the review."
            )
        return None

    def user_can_access_editor(self, obj, user):
        return self._may_act(obj, user)

    def locked_for_user(self, obj, user):
        return not (user.is_superuser or self._user_in_groups(user))

    def get_actions(self, obj, user):
        if not self._may_act(obj, user):
            return []
        actions = super().get_actions(obj, user)
        if self.refusal(obj, user, approving=True) is not None:
            actions = [action for action in actions if action[0] != "approve"]  # only "request changes"
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        obj = task_state.workflow_state.content_object
        reason = self.refusal(obj, user, approving=action_name == "approve")
        if reason is not None:
            raise PermissionDenied(reason)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        # Not the revisions the person submitted: they cannot approve them ("awaiting your review").
        states = super().get_task_states_user_can_moderate(user, **kwargs).exclude(
            workflow_state__requested_by=user
        )
        from qms.roles import unit_scope

        scope = unit_scope(user)
        if scope is not None:
            ids = [str(pk) for pk in Document.objects.filter(unit__in=scope).values_list("pk", flat=True)]
            states = states.filter(workflow_state__object_id__in=ids)
        return states

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve; the author of a revision cannot approve it")

    class Meta:
        verbose_name = _("document approval step")
        verbose_name_plural = _("document approval steps")


def today() -> date:
    return timezone.localdate()
