"""Admin hooks of the operations app: the retention screen (KVKK) under Settings."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from qms.menu import PermissionMenuItem
from qms.operations.views import MANAGE_PERMISSION


@hooks.register("register_admin_urls")
def retention_admin_urls():
    return [path("retention/", include("qms.operations.views", namespace="operations"))]


@hooks.register("register_settings_menu_item")
def retention_menu_item():
    return PermissionMenuItem(_("Retention of personal data"), reverse_lazy("operations:retention"),
                              name="retention", icon_name="lock", order=900, permissions=(MANAGE_PERMISSION,))
