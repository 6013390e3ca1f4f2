"""Checklists: reusable question templates, and the answers an auditor records during an audit."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from qms.files import private_storage, random_upload_path


class ChecklistTemplate(ClusterableModel):
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("Inactive checklists are kept but not offered for new audits."))

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        InlinePanel("questions", heading=_("Questions"), label=_("Question"), min_num=1),
    ]

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args, **kwargs):
        if self.audits.exists():
            raise ValidationError(_("A checklist used by an audit is kept; make it inactive instead."))
        return super().delete(*args, **kwargs)


class ChecklistQuestion(Orderable):
    template = ParentalKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    clause = models.ForeignKey("qms.Clause", verbose_name=_("clause"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    guidance = models.TextField(_("guidance for the auditor"), blank=True,
                                help_text=_("What to look at, which records to ask for."))

    panels = [FieldPanel("text"), FieldPanel("clause"), FieldPanel("guidance")]

    class Meta(Orderable.Meta):
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")

    def __str__(self) -> str:
        return self.text[:80]


class AnswerResult(models.TextChoices):
    CONFORMING = "conforming", _("Conforming")
    NONCONFORMING = "nonconforming", _("Nonconforming")
    OBSERVATION = "observation", _("Observation")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ChecklistAnswer(models.Model):
    """A question as asked in one audit (copied from its template when the audit starts, so a later
    change to the template never rewrites an audit's record) and the auditor's answer."""

    audit = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="answers")
    order = models.PositiveIntegerField(default=0)
    question = models.TextField(_("question"))
    guidance = models.TextField(_("guidance for the auditor"), blank=True)
    clause = models.ForeignKey("qms.Clause", verbose_name=_("clause"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    template_question = models.ForeignKey(ChecklistQuestion, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    result = models.CharField(_("result"), max_length=20, choices=AnswerResult.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What was seen: records, samples, interviews."))
    unit = models.ForeignKey("qms.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["audit", "order", "pk"]

    def __str__(self) -> str:
        return self.question[:80]

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Checklist answers are part of the audit record and are kept."))


def evidence_upload_path(instance, filename: str) -> str:
    return random_upload_path("audits", filename)


class EvidenceFile(models.Model):
    """A photo or file attached to a checklist answer, a corrective action or a nonconformity;
    stored privately, served only to those who may see what it is attached to."""

    answer = models.ForeignKey(ChecklistAnswer, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="files")
    nonconformity = models.ForeignKey("audits.Nonconformity", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="files")
    action = models.ForeignKey("audits.CorrectiveAction", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="files")
    file = models.FileField(_("file"), storage=private_storage, upload_to=evidence_upload_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(answer__isnull=False, nonconformity__isnull=True, action__isnull=True)
                    | models.Q(answer__isnull=True, nonconformity__isnull=False, action__isnull=True)
                    | models.Q(answer__isnull=True, nonconformity__isnull=True, action__isnull=False)
                ),
                name="audits_evidence_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Evidence is kept; it cannot be deleted."))
