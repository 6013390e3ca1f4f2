"""Training sessions and their attendance (Eğitim Katılım Tutanağı).

Locking is a model-layer rule: once a session is finalised its attendance rows refuse every change
(`Attendance.save()`), except the coordinator's logged correction (`training.services.attendance_correct`),
which passes through `Attendance.save(correction=True)` and writes an `AttendanceCorrection`.
Capacity is checked the same way: a new attendance row beyond the session's capacity is refused
whatever created it (invitation, walk-in, import, the API).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .courses import Course, PlanItem


class SessionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("session state", "Planned")
    FINALISED = "finalised", pgettext_lazy("session state", "Held (attendance locked)")
    CANCELLED = "cancelled", pgettext_lazy("session state", "Cancelled")


SESSION_TRANSITIONS = {
    (SessionState.PLANNED, SessionState.FINALISED),
    (SessionState.PLANNED, SessionState.CANCELLED),
}


def _new_secret() -> str:
    return secrets.token_hex(20)


class SessionSequence(models.Model):
    """The last session number given in a year; numbers are never reused."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Session(models.Model):
    """One delivery of a course: when, where, by whom, for whom."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions")
    plan_item = models.ForeignKey(PlanItem, verbose_name=_("planned training"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="held_sessions",
                                  help_text=_("The line of the annual plan this session delivers."))
    year = models.PositiveSmallIntegerField(editable=False, default=0)
    number = models.PositiveIntegerField(editable=False, default=0)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("internal trainer"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="trained_sessions")
    external_trainer = models.CharField(_("external trainer or company"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=Decimal("1.0"),
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("400"))])
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=30,
                                                validators=[MinValueValidator(1), MaxValueValidator(2000)])
    notes = models.TextField(_("notes"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=SessionState.choices, default=SessionState.PLANNED)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("finalised by"), null=True,
                                     blank=True, editable=False, on_delete=models.PROTECT, related_name="+")
    checkin_secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]
        permissions = [("record_attendance", _("Can record and correct attendance"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="training_session_unique_number"),
        ]
        indexes = [models.Index(fields=["state", "starts_at"], name="training_session_state_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.course.title}"

    def save(self, *args, **kwargs):
        stored = Session.objects.filter(pk=self.pk).values_list("state", flat=True).first() if self.pk else None
        if stored is None and self.state != SessionState.PLANNED:
            raise ValidationError(_("A new session starts planned."))
        if stored is not None and stored != self.state and (stored, self.state) not in SESSION_TRANSITIONS:
            raise ValidationError(
                _("A session cannot go from “%(from)s” to “%(to)s”.")
                % {"from": SessionState(stored).label, "to": SessionState(self.state).label}
            )
        if stored is not None and stored != SessionState.PLANNED and stored == self.state:
            raise ValidationError(_("This session is finalised or cancelled; it cannot be changed."))
        local_year = timezone.localtime(self.starts_at).year
        with transaction.atomic():  # the number and the row together, whoever calls save()
            if not self.number:
                sequence, _created = SessionSequence.objects.select_for_update().get_or_create(year=local_year)
                sequence.last += 1
                sequence.save(update_fields=["last"])
                self.year, self.number = local_year, sequence.last
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Sessions are never deleted; cancel a planned session instead."))

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A session ends after it starts.")
        if not self.trainer_id and not self.external_trainer.strip():
            errors["trainer"] = _("Name the trainer: a member of staff or an external trainer.")
        if self.plan_item_id and self.course_id and self.plan_item.course_id != self.course_id:
            errors["plan_item"] = _("The planned training is for another course.")
        elif self.plan_item_id and self.starts_at:
            plan_year, year = self.plan_item.plan.year, timezone.localtime(self.starts_at).year
            if plan_year != year:
                errors["plan_item"] = _(
                    "The planned training is in the %(plan_year)s plan; the session is held in %(year)s."
                ) % {"plan_year": plan_year, "year": year}
        if self.pk and self.capacity is not None:
            taken = self.attendances.count()
            if taken > self.capacity:
                errors["capacity"] = _("%(count)s people are already on the list; the capacity cannot be lower.") % {
                    "count": taken}
        if errors:
            raise ValidationError(errors)

    @property
    def code(self) -> str:
        return f"EĞT-{self.year or '----'}-{self.number:03d}"

    @property
    def trainer_label(self) -> str:
        if self.trainer_id:
            return self.trainer.get_full_name() or self.trainer.get_username()
        return self.external_trainer

    @property
    def is_locked(self) -> bool:
        return self.state != SessionState.PLANNED


class AttendanceStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("attendance", "Not recorded")
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")
    EXCUSED = "excused", pgettext_lazy("attendance", "Excused")


class Attendance(models.Model):
    """One person on one session's list: invited (or a recorded walk-in) and their attendance."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.PROTECT,
                               related_name="training_attendances")
    invited = models.BooleanField(_("invited"), default=True,
                                  help_text=_("False for a walk-in added by the coordinator."))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PENDING)
    self_checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed by the coordinator"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    pre_test_score = models.PositiveSmallIntegerField(_("pre-test score"), null=True, blank=True,
                                                      validators=[MaxValueValidator(100)])
    post_test_score = models.PositiveSmallIntegerField(_("post-test score"), null=True, blank=True,
                                                       validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "person__first_name", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attendance_unique_person"),
        ]
        indexes = [models.Index(fields=["person", "status"], name="training_attendance_person_idx")]

    def __str__(self) -> str:
        return f"{self.session.code}: {self.person}"

    def save(self, *args, correction: bool = False, **kwargs):
        session_state = Session.objects.filter(pk=self.session_id).values_list("state", flat=True).first()
        if session_state == SessionState.CANCELLED:
            raise ValidationError(_("This session was cancelled; its list cannot change."))
        if session_state == SessionState.FINALISED and not correction:
            raise ValidationError(
                _("Attendance of a finalised session is locked; the training coordinator corrects it with a reason.")
            )
        if self._state.adding:
            capacity = Session.objects.filter(pk=self.session_id).values_list("capacity", flat=True).first()
            if capacity is not None and Attendance.objects.filter(session_id=self.session_id).count() >= capacity:
                raise ValidationError(
                    _("The session is full (capacity %(capacity)s); raise the capacity or choose another session.")
                    % {"capacity": capacity}
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Session.objects.filter(pk=self.session_id).exclude(state=SessionState.PLANNED).exists():
            raise ValidationError(_("Attendance of a finalised session is locked."))
        return super().delete(*args, **kwargs)


class AttendanceCorrection(models.Model):
    """A change to the attendance of a finalised session: who, when, from what to what, and why."""

    attendance = models.ForeignKey(Attendance, verbose_name=_("attendance"), on_delete=models.PROTECT,
                                   related_name="corrections")
    from_status = models.CharField(_("previous attendance"), max_length=10, choices=AttendanceStatus.choices)
    to_status = models.CharField(_("corrected attendance"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.TextField(_("reason"))
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("corrected by"),
                                     on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.attendance}: {self.from_status} → {self.to_status}"
