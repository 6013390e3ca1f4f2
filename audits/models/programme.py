"""The audit programme (İç Tetkik Planı): a year's audits, their scope, dates and team."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditProgramme(models.Model):
    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    objectives = models.TextField(
        _("objectives and criteria"), blank=True,
        help_text=_("What the year's audits are for and against which criteria (standards, procedures)."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("Internal audit programme %(year)s") % {"year": self.year}

    def delete(self, *args, **kwargs):
        if self.audits.exists():
            raise ValidationError(_("A programme with audits is kept; cancel its audits instead."))
        return super().delete(*args, **kwargs)


class AuditState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("audit state", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("audit state", "In progress")
    REPORTED = "reported", pgettext_lazy("audit state", "Reported")
    CLOSED = "closed", pgettext_lazy("audit state", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("audit state", "Cancelled")


# The audit's life (services in audits.services take each step; `Audit.save()` refuses any other).
AUDIT_TRANSITIONS = {
    (AuditState.PLANNED, AuditState.IN_PROGRESS),
    (AuditState.PLANNED, AuditState.CANCELLED),
    (AuditState.IN_PROGRESS, AuditState.REPORTED),
    (AuditState.REPORTED, AuditState.CLOSED),
}


class AuditSequence(models.Model):
    """The last audit number given in a programme; numbers are never reused."""

    programme = models.OneToOneField(AuditProgramme, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.last}"


class Audit(models.Model):
    """One internal audit of the programme.

    The independence rule (no auditor audits their own unit) and the auditor-role rule are checked
    whatever path changes the audit: `clean()`/`save()` for the lead auditor and dates, and
    `audits.rules` on the units and team many-to-many changes (`m2m_changed`), so a script or the
    API is refused like the form.
    """

    programme = models.ForeignKey(AuditProgramme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="audits")
    number = models.PositiveSmallIntegerField(_("number"), editable=False, default=0)
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    units = models.ManyToManyField("qms.Unit", verbose_name=_("audited units"), related_name="audits")
    processes = models.TextField(_("processes"), blank=True, help_text=_("The processes in scope, one per line."))
    clauses = models.ManyToManyField("qms.Clause", verbose_name=_("clauses"), blank=True, related_name="audits")
    checklists = models.ManyToManyField("audits.ChecklistTemplate", verbose_name=_("checklists"), blank=True,
                                         related_name="audits")
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("started on"), null=True, blank=True, editable=False)
    actual_end = models.DateField(_("reported on"), null=True, blank=True, editable=False)
    lead_auditor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lead auditor"),
                                     on_delete=models.PROTECT, related_name="audits_led")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("audit team"), blank=True,
                                   related_name="audit_teams")
    state = models.CharField(_("state"), max_length=20, choices=AuditState.choices, default=AuditState.PLANNED,
                             editable=False)
    summary = models.TextField(_("summary and conclusion"), blank=True,
                               help_text=_("The report's summary: what was seen, strengths, overall conclusion."))
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["programme__year", "planned_start", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="audits_audit_unique_number"),
        ]
        permissions = [
            ("perform_audit", _("Perform the audits they are assigned to")),
            ("follow_audit", _("Follow the audits of own units and receive their reports")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        self.clean()
        stored = Audit.objects.filter(pk=self.pk).values_list("state", flat=True).first() if self.pk else None
        if stored is None and self.state != AuditState.PLANNED:
            raise ValidationError(_("A new audit starts planned."))
        if stored is not None and stored != self.state and (stored, self.state) not in AUDIT_TRANSITIONS:
            raise ValidationError(
                _("An audit cannot go from “%(from)s” to “%(to)s”.")
                % {"from": AuditState(stored).label, "to": AuditState(self.state).label}
            )
        if not self.number:
            sequence, _created = AuditSequence.objects.select_for_update().get_or_create(programme=self.programme)
            sequence.last += 1
            sequence.save(update_fields=["last"])
            self.number = sequence.last
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audits are never deleted; cancel a planned audit instead."))

    @property
    def code(self) -> str:
        year = self.programme.year if self.programme_id else "----"
        return f"İT-{year}-{self.number:02d}"

    @property
    def auditor_ids(self) -> set[int]:
        return {self.lead_auditor_id, *(user.pk for user in self.team.all())}

    def clean(self) -> None:
        from audits import rules

        super().clean()
        errors: dict[str, list] = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors.setdefault("planned_end", []).append(_("The audit cannot end before it starts."))
        if self.programme_id:
            year = self.programme.year
            for field in ("planned_start", "planned_end"):
                value = getattr(self, field)
                if value and value.year != year:
                    errors.setdefault(field, []).append(
                        _("%(date)s is outside the programme year %(year)s.")
                        % {"date": value.strftime("%d.%m.%Y"), "year": year}
                    )
        if self.lead_auditor_id:
            try:
                rules.check_auditors([self.lead_auditor])
                if self.pk:
                    rules.check_independence(self.units.all(), [self.lead_auditor])
            except ValidationError as error:
                errors.setdefault("lead_auditor", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)
