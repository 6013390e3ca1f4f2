from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallQaConfig(AppConfig):
    name = "kpi.callqa"
    label = "callqa"
    verbose_name = _("Contact centre and call QA")

    def ready(self) -> None:
        from kpi.callqa import grants

        grants.connect()
        # Mounts the /api/v1/ routers of call QA on qms.api.api (each area's module adds its router).
        from kpi.callqa import api  # noqa: F401
