from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


def _sync_roles_after_migrate(sender, app_config, using, verbosity=0, stdout=None, **kwargs):
    """Apply the role table once every app's permissions exist (after the last app migrates)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # post_migrate is sent once per app that has a models module, in INSTALLED_APPS order.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if app_config.label != last.label:
        return
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    from qms.roles import sync_roles

    sync_roles(verbosity=verbosity, stdout=stdout)


class QmsConfig(AppConfig):
    default = True  # apps.py also defines QmsUsersConfig
    name = "qms"
    verbose_name = _("Quality management system")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="qms.sync_roles")
        from qms import admin_csp, checks  # noqa: F401  (checks registers system checks)

        admin_csp.install()


class QmsUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app with the portal's user admin (qms.users: superuser guard)."""

    user_viewset = "qms.users.UserViewSet"
