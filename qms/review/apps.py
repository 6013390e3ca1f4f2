from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """The management review (Yönetim Gözden Geçirmesi) with the risk and stakeholder registers.

    A sub-app of the core rather than models in `qms.models`: it reads every module's figures,
    while every module builds on the core, so keeping it apart keeps the imports one-way
    (docs/decisions.md §19)."""

    name = "qms.review"
    label = "review"
    verbose_name = _("Management review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qms.review import areas

        areas.load_sections()
        # Each area's api_<area>.py mounts its router on qms.api.api when imported.
        areas.api_modules()
