"""Admin hooks of call QA: the URLs, the submenu and every area's menu items and viewsets."""

from django.urls import include, path
from wagtail import hooks

from kpi.callqa.areas import view_modules
from kpi.callqa.menu import MENU_HOOK, callqa_submenu
from qms.menu import register_area_hooks


@hooks.register("register_admin_urls")
def callqa_admin_urls():
    return [path("callqa/", include("kpi.callqa.urls", namespace="callqa"))]


hooks.register("register_admin_menu_item", callqa_submenu)
register_area_hooks(view_modules(), MENU_HOOK)
