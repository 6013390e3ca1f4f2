"""Records of running the portal: legal holds and retention runs (KVKK), the worker's heartbeat and
the runs of its scheduled jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalHold(models.Model):
    """One record that retention must not delete or anonymise (a lawsuit, a KVKK request under
    review, an inspection): `record_type` is a key of `qms.operations.retention.RECORD_TYPES`,
    `object_id` the record's primary key. A hold is released, never deleted, so the trail stays."""

    record_type = models.CharField(_("record type"), max_length=40)
    object_id = models.CharField(_("record id"), max_length=64)
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("Case, court or KVKK application number."))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("placed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("released by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "object_id"], condition=models.Q(released_at__isnull=True),
                                    name="operations_one_active_hold"),
        ]
        indexes = [models.Index(fields=["record_type", "released_at"], name="operations_hold_type")]

    def __str__(self) -> str:
        return f"{self.record_type} #{self.object_id}"

    @property
    def active(self) -> bool:
        return self.released_at is None


class RetentionRun(models.Model):
    """What one retention run did or, for a dry run, would do: counts per record type, never the
    records' content. `counts` = {record_type: {"expired": n, "deleted": n, "anonymised": n, "held": n}}."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    cutoff_date = models.DateField(_("as of"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d.%m.%Y %H:%M}"


class WorkerHeartbeat(models.Model):
    """The background worker's last sign of life (one row per worker process: host:pid)."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker


class JobRun(models.Model):
    """One run of a scheduled job. (job, scheduled_for) is unique: when several app servers each
    run a worker, the first to insert the row runs the job and the others skip it."""

    job = models.CharField(_("job"), max_length=60)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    worker = models.CharField(_("worker"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), null=True)
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-scheduled_for"]
        constraints = [models.UniqueConstraint(fields=["job", "scheduled_for"], name="operations_job_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.scheduled_for:%d.%m.%Y %H:%M}"
