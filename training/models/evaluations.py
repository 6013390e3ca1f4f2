"""Evaluations: the participant's form (Eğitim Değerlendirme Formu) and the manager's later
effectiveness evaluation. Both are quality records: once submitted they never change."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .sessions import Attendance, Session

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
RATING_FIELDS = ("content_rating", "trainer_rating", "materials_rating", "usefulness_rating")


class Evaluation(models.Model):
    """One participant's evaluation of one session (1 = very poor … 5 = very good)."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="evaluations")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"),
                                    on_delete=models.PROTECT, related_name="training_evaluations")
    content_rating = models.PositiveSmallIntegerField(_("content"), validators=RATING_VALIDATORS)
    trainer_rating = models.PositiveSmallIntegerField(pgettext_lazy("rating", "trainer"), validators=RATING_VALIDATORS)
    materials_rating = models.PositiveSmallIntegerField(_("materials"), validators=RATING_VALIDATORS)
    usefulness_rating = models.PositiveSmallIntegerField(_("usefulness"), validators=RATING_VALIDATORS)
    comments = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training evaluation")
        verbose_name_plural = _("training evaluations")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="training_evaluation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session.code}: {self.participant}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A submitted evaluation cannot be changed."))
        for field in RATING_FIELDS:
            value = getattr(self, field)
            if value is None or not 1 <= int(value) <= 5:
                raise ValidationError({field: _("Give a rating from 1 to 5.")})
        attended = Attendance.objects.filter(
            session_id=self.session_id, person_id=self.participant_id, status="present",
            session__state="finalised",
        ).exists()
        if not attended:
            raise ValidationError(_("Only a participant recorded as present at a held session can evaluate it."))
        if Evaluation.objects.filter(session_id=self.session_id, participant_id=self.participant_id).exists():
            raise ValidationError(_("You have already evaluated this session."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A submitted evaluation is a quality record and cannot be deleted."))

    @property
    def average(self) -> float:
        return sum(getattr(self, f) for f in RATING_FIELDS) / len(RATING_FIELDS)


class Applied(models.TextChoices):
    YES = "yes", pgettext_lazy("applied on the job", "Yes")
    PARTLY = "partly", pgettext_lazy("applied on the job", "Partly")
    NO = "no", pgettext_lazy("applied on the job", "No")


class EffectivenessReview(models.Model):
    """The manager's evaluation, some months after the session, of whether the training worked."""

    attendance = models.OneToOneField(Attendance, verbose_name=_("attendance"), on_delete=models.PROTECT,
                                      related_name="effectiveness_review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="training_reviews_to_do")
    due_date = models.DateField(_("due date"))
    rating = models.PositiveSmallIntegerField(_("effectiveness"), null=True, blank=True, validators=RATING_VALIDATORS)
    applied = models.CharField(_("applied on the job"), max_length=10, choices=Applied.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("effectiveness evaluation")
        verbose_name_plural = _("effectiveness evaluations")
        ordering = ["due_date"]
        indexes = [models.Index(fields=["reviewer", "submitted_at", "due_date"], name="training_review_due_idx")]

    def __str__(self) -> str:
        return str(self.attendance)

    def save(self, *args, **kwargs):
        if self.pk and EffectivenessReview.objects.filter(pk=self.pk, submitted_at__isnull=False).exists():
            raise ValidationError(_("A submitted effectiveness evaluation cannot be changed."))
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.submitted_at is not None
