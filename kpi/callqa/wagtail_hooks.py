"""Admin hooks of call QA: the URLs, the submenu and every area's menu items and viewsets."""

from django.urls import include, path
from wagtail import hooks

from kpi.callqa.areas import view_modules
from kpi.callqa.menu import MENU_HOOK, callqa_submenu


@hooks.register("register_admin_urls")
def callqa_admin_urls():
    return [path("callqa/", include("kpi.callqa.urls", namespace="callqa"))]


hooks.register("register_admin_menu_item", callqa_submenu)


def _register_areas():
    for module in view_modules():
        for item in getattr(module, "menu_items", list)():
            hooks.register(MENU_HOOK, lambda item=item: item)
        for viewset in getattr(module, "viewsets", list)():
            hooks.register("register_admin_viewset", viewset)
        for hook_name, function in getattr(module, "hooks", list)():
            hooks.register(hook_name, function)


_register_areas()
