"""Install-wide settings the quality team edits in the admin (Ayarlar → Kurum bilgileri)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="site", name="organisation-details")
class OrganisationSettings(BaseGenericSetting):
    organisation_name = models.CharField(
        _("organisation name"), max_length=200, default="İzmir Büyükşehir Belediyesi"
    )
    department_name = models.CharField(
        _("department name"), max_length=200, default="Halkla İlişkiler Şube Müdürlüğü"
    )
    quality_contact_email = models.EmailField(_("quality team e-mail"), blank=True)

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("department_name"),
        FieldPanel("quality_contact_email"),
    ]

    class Meta:
        verbose_name = _("organisation details")
        verbose_name_plural = _("organisation details")
