from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalPermission(models.Model):
    """Holds permissions that belong to no single model (no table is created)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("portal permission")
        permissions = [
            ("view_audit_trail", _("Can view the audit trail (site history)")),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
