from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Controlled documents")

    def ready(self) -> None:
        # Mounts /api/v1/documents on qms.api.api. A module runs once per process, so a second
        # ready() (some test set-ups run it again) does not add the router twice.
        from documents import api  # noqa: F401
        from documents.notifications import connect

        connect()  # before wagtail.admin (later in INSTALLED_APPS) connects its own notifier
