"""Training requests (Eğitim Talep Formu)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .courses import Course, PlanItem


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("request state", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("request state", "Accepted into the plan")
    DECLINED = "declined", pgettext_lazy("request state", "Declined")


class TrainingRequest(models.Model):
    """A staff member's request for a training, with the coordinator's decision."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="training_requests")
    unit = models.ForeignKey("qms.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+",
                             null=True, blank=True)
    course = models.ForeignKey(Course, verbose_name=_("course"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="requests",
                               help_text=_("Choose a course from the catalogue, or describe the topic below."))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    participants = models.PositiveSmallIntegerField(_("number of participants"), default=1)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.SUBMITTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    plan_item = models.ForeignKey(PlanItem, verbose_name=_("planned training"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="requests")

    class Meta:
        verbose_name = _("training request")
        verbose_name_plural = _("training requests")
        ordering = ["-created_at"]
        permissions = [("decide_trainingrequest", _("Can accept or decline training requests"))]
        indexes = [models.Index(fields=["state", "created_at"], name="training_request_state_idx")]

    def __str__(self) -> str:
        return self.subject

    def save(self, *args, **kwargs):
        stored = TrainingRequest.objects.filter(pk=self.pk).values_list("state", flat=True).first() if self.pk else None
        if stored is None and self.state != RequestState.SUBMITTED:
            raise ValidationError(_("A new training request starts submitted."))
        if stored is not None and stored != RequestState.SUBMITTED and stored != self.state:
            raise ValidationError(_("This request has already been decided."))
        super().save(*args, **kwargs)

    @property
    def subject(self) -> str:
        return self.course.title if self.course_id else self.topic

    def clean(self) -> None:
        if not self.course_id and not self.topic.strip():
            raise ValidationError(_("Choose a course or describe the training you need."))
        if not self.reason.strip():
            raise ValidationError({"reason": _("Say why the training is needed.")})
