"""Certificates of completion, verifiable by number on a public page."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .sessions import Attendance

# No 0/O/1/I: a number read aloud over the phone or typed from paper stays unambiguous.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_certificate_number(year: int) -> str:
    """`EGT-2026-7K4M-Q2XH`: the year plus 40 random bits, so numbers cannot be guessed in a row."""
    body = "".join(secrets.choice(_ALPHABET) for _i in range(8))
    return f"EGT-{year}-{body[:4]}-{body[4:]}"


class Certificate(models.Model):
    """Issued when a present participant's session is finalised; what it says is copied in, so a
    later rename of the course or the person never rewrites an issued certificate."""

    attendance = models.OneToOneField(Attendance, verbose_name=_("attendance"), on_delete=models.PROTECT,
                                      related_name="certificate")
    number = models.CharField(_("verification number"), max_length=32, unique=True)
    holder_name = models.CharField(_("name"), max_length=300)
    course_title = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    trainer_name = models.CharField(_("trainer"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Certificates are revoked, never deleted."))
