"""Findings of an audit, and the audit report's frozen versions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models.programme import AuditState


class FindingKind(models.TextChoices):
    MAJOR = "major_nc", _("Major nonconformity")
    MINOR = "minor_nc", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    IMPROVEMENT = "improvement", _("Opportunity for improvement")

    @classmethod
    def nonconformities(cls) -> tuple[str, ...]:
        return (cls.MAJOR, cls.MINOR)


class Finding(models.Model):
    """What the audit found. A nonconformity finding opens a DÖF (`audits.Nonconformity`) in the
    same transaction as it is saved, whatever saved it (the answer screen, the findings form, the API)."""

    audit = models.ForeignKey("audits.Audit", verbose_name=_("audit"), on_delete=models.PROTECT,
                              related_name="findings")
    number = models.PositiveSmallIntegerField(_("number"), editable=False, default=0)
    kind = models.CharField(_("type"), max_length=20, choices=FindingKind.choices)
    unit = models.ForeignKey("qms.Unit", verbose_name=_("audited unit"), on_delete=models.PROTECT,
                             related_name="audit_findings")
    clause = models.ForeignKey("qms.Clause", verbose_name=_("clause"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="findings")
    statement = models.TextField(
        _("finding"), help_text=_("What does not meet (or could better meet) which requirement.")
    )
    evidence = models.TextField(_("evidence"), blank=True)
    answer = models.OneToOneField("audits.ChecklistAnswer", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="finding", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="audits_finding_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        from audits.services import finding_sync_nonconformity

        self.clean()
        if not self.number:
            last = (
                Finding.objects.select_for_update().filter(audit=self.audit).aggregate(m=models.Max("number"))["m"]
                or 0
            )
            self.number = last + 1
        super().save(*args, **kwargs)
        finding_sync_nonconformity(finding=self)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Findings are part of the audit record and are kept."))

    @property
    def code(self) -> str:
        return f"{self.audit.code}/B{self.number:02d}"

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in FindingKind.nonconformities()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.is_nonconformity and not self.clause_id:
            errors.setdefault("clause", []).append(_("A nonconformity must name the clause it does not meet."))
        if not (self.statement or "").strip():
            errors.setdefault("statement", []).append(_("Describe the finding."))
        if self.audit_id:
            # The stored state, not the instance's: a caller's copy of the audit may predate its
            # closing or cancelling.
            from audits.models.programme import Audit

            state = Audit.objects.filter(pk=self.audit_id).values_list("state", flat=True).first()
            if state not in (AuditState.IN_PROGRESS, AuditState.REPORTED):
                errors.setdefault("__all__", []).append(
                    _("Findings are recorded while the audit is in progress or reported; this audit is %(state)s.")
                    % {"state": AuditState(state).label}  # not .lower(): Turkish "İ" would become "i̇"
                )
            if self.unit_id and not self.audit.units.filter(pk=self.unit_id).exists():
                errors.setdefault("unit", []).append(_("The unit must be one of the audited units."))
        if self.pk:
            before = Finding.objects.filter(pk=self.pk).values("kind", "unit_id").first()
            nonconformity = getattr(self, "nonconformity", None)
            if before and nonconformity is not None and not nonconformity.is_rejected:
                if not self.is_nonconformity:
                    errors.setdefault("kind", []).append(
                        _("This finding opened %(code)s; it stays a nonconformity unless the management "
                          "representative rejects that DÖF.") % {"code": nonconformity.code}
                    )
                elif before["unit_id"] != self.unit_id:
                    errors.setdefault("unit", []).append(
                        _("This finding opened %(code)s for its unit; the unit can no longer change.")
                        % {"code": nonconformity.code}
                    )
        if errors:
            raise ValidationError(errors)


class AuditReport(models.Model):
    """One signed-off version of an audit's report, frozen: the snapshot holds everything the PDF
    prints (scope, team, dates, summary, findings), so a later change to the audit never alters
    it; a new sign-off makes the next version and the older ones stay readable."""

    audit = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    change_note = models.TextField(_("what changed"), blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(_("signed off at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit report")
        verbose_name_plural = _("audit reports")
        ordering = ["audit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "version"], name="audits_report_unique_version"),
        ]

    def __str__(self) -> str:
        return _("%(audit)s report, version %(version)s") % {"audit": self.audit.code, "version": self.version}

    def save(self, *args, **kwargs):
        if self.pk is not None and AuditReport.objects.filter(pk=self.pk).exists():
            raise ValidationError(_("A signed-off report is frozen; sign off a new version instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A signed-off report is frozen; sign off a new version instead."))
