from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderDigest(models.Model):
    """One e-mail digest sent to one person on one day; makes `send_reminders` safe to re-run."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("kullanıcı"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("gün"))
    item_count = models.PositiveIntegerField(_("hatırlatma sayısı"))
    sent_at = models.DateTimeField(_("gönderilme"), auto_now_add=True)

    class Meta:
        verbose_name = _("hatırlatma özeti")
        verbose_name_plural = _("hatırlatma özetleri")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="qms_one_digest_per_user_day")]
