from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Internal audits and corrective actions")

    def ready(self) -> None:
        from audits import grants, rules

        rules.connect()
        grants.connect()
        # Mounts /api/v1/audits on qms.api.api (once: a module runs once per process).
        from audits import api  # noqa: F401
