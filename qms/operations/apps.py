from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the portal for years: retention of personal data (KVKK) with legal holds, the
    background worker's schedule and heartbeat, backups and monitoring.

    A sub-app of the core: retention reaches into every module's personal records, which the core
    itself must not depend on (docs/decisions.md §20)."""

    name = "qms.operations"
    label = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"
