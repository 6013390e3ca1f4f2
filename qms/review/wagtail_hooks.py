"""Admin hooks of the management review: the URLs, the submenu and every area's menu items."""

from django.urls import include, path
from wagtail import hooks

from qms.review.areas import view_modules
from qms.review.menu import MENU_HOOK, review_submenu


@hooks.register("register_admin_urls")
def review_admin_urls():
    return [path("review/", include("qms.review.urls", namespace="review"))]


hooks.register("register_admin_menu_item", review_submenu)


def _register_areas():
    for module in view_modules():
        for item in getattr(module, "menu_items", list)():
            hooks.register(MENU_HOOK, lambda item=item: item)
        for viewset in getattr(module, "viewsets", list)():
            hooks.register("register_admin_viewset", viewset)
        for hook_name, function in getattr(module, "hooks", list)():
            hooks.register(hook_name, function)


_register_areas()
