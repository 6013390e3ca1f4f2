"""Courses (eğitim konuları) and the annual training plan (Yıllık Eğitim Planı)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TrainerKind(models.TextChoices):
    INTERNAL = "internal", _("Internal trainer")
    EXTERNAL = "external", _("External trainer")


class Course(models.Model):
    """A training the department gives or buys: what it is, whom it is for, how long it stays valid.

    A mandatory course is required of every active person whose role is among `target_roles`
    (all roles when none is chosen) and whose unit is under one of `target_units` (all units when
    none is chosen); `training.queries.competence_matrix` reads exactly this rule.
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    target_roles = models.ManyToManyField(
        "auth.Group", verbose_name=_("target roles"), blank=True, related_name="training_courses",
        help_text=_("Roles this course is for; none chosen means every role."),
    )
    target_units = models.ManyToManyField(
        "qms.Unit", verbose_name=_("target units"), blank=True, related_name="training_courses",
        help_text=_("Units (with the units under them) this course is for; none chosen means every unit."),
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=5, decimal_places=1, default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("400"))],
    )
    trainer_kind = models.CharField(_("trainer"), max_length=10, choices=TrainerKind.choices,
                                    default=TrainerKind.INTERNAL)
    default_trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("internal trainer"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    external_trainer = models.CharField(_("external trainer or company"), max_length=200, blank=True)
    is_mandatory = models.BooleanField(_("mandatory"), default=False)
    is_orientation = models.BooleanField(
        _("orientation course"), default=False,
        help_text=_("Every new hire must complete the orientation course within the set number of days."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: a completion never expires. 12: the training is repeated every year."),
    )
    min_sessions_per_year = models.PositiveSmallIntegerField(
        _("minimum sessions per year"), default=0,
        help_text=_("For example 3 for the quality-management training."),
    )
    documents = models.ManyToManyField("documents.Document", verbose_name=_("controlled documents"), blank=True,
                                       related_name="training_courses")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        permissions = [
            ("view_training_records", _("Can see training records, the competence matrix and reports")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["is_orientation"], condition=models.Q(is_orientation=True),
                                    name="training_one_orientation_course"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        if self.trainer_kind == TrainerKind.EXTERNAL and not self.external_trainer.strip():
            raise ValidationError({"external_trainer": _("Name the external trainer or company.")})

    @property
    def trainer_label(self) -> str:
        if self.trainer_kind == TrainerKind.EXTERNAL:
            return self.external_trainer
        if self.default_trainer_id:
            return self.default_trainer.get_full_name() or self.default_trainer.get_username()
        return ""


class PlanState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan state", "Draft")
    APPROVED = "approved", pgettext_lazy("plan state", "Approved")


class TrainingPlan(models.Model):
    """The annual training plan: courses by month, approved by the management representative."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    state = models.CharField(_("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual training plan")
        verbose_name_plural = _("annual training plans")
        ordering = ["-year"]
        permissions = [("approve_trainingplan", _("Can approve the annual training plan"))]

    def __str__(self) -> str:
        return str(_("Training plan %(year)s") % {"year": self.year})

    def save(self, *args, **kwargs):
        stored = TrainingPlan.objects.filter(pk=self.pk).values_list("state", flat=True).first() if self.pk else None
        if stored == PlanState.APPROVED and self.state != PlanState.APPROVED:
            raise ValidationError(_("An approved training plan stays approved; add lines to it instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.state == PlanState.APPROVED:
            raise ValidationError(_("An approved training plan is a quality record and cannot be deleted."))
        return super().delete(*args, **kwargs)


class PlanItem(models.Model):
    """One course planned in one month of the plan, `sessions` times."""

    plan = models.ForeignKey(TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="plan_items")
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    sessions = models.PositiveSmallIntegerField(_("sessions"), default=1, validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_after_approval = models.BooleanField(_("added after approval"), default=False, editable=False)

    class Meta:
        verbose_name = _("planned training")
        verbose_name_plural = _("planned trainings")
        ordering = ["plan", "month", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "course", "month"], name="training_planitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.year}/{self.month:02d} {self.course}"

    def delete(self, *args, **kwargs):
        if TrainingPlan.objects.filter(pk=self.plan_id, state=PlanState.APPROVED).exists():
            raise ValidationError(_("The plan is approved: its lines stay as approved. Only a draft plan's lines "
                                    "are removed."))
        return super().delete(*args, **kwargs)
