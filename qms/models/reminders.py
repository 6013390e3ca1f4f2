from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderDigest(models.Model):
    """One e-mail digest sent to one person on one day; makes `send_reminders` safe to re-run."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    item_count = models.PositiveIntegerField(_("number of reminders"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="qms_one_digest_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day:%d.%m.%Y} ({self.item_count})"
