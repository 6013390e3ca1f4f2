from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # Mounts /api/v1/training on qms.api.api (once: a module runs once per process).
        from training import api  # noqa: F401
