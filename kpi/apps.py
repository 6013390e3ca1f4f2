from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("Performance indicators")

    def ready(self) -> None:
        # Mounts the /api/v1/ routers of kpi on qms.api.api (once: a module runs once per process).
        from kpi import api, api_kpis  # noqa: F401
