"""Admin hooks of the management review: the URLs, the submenu and every area's menu items."""

from django.urls import include, path
from wagtail import hooks

from qms.menu import register_area_hooks
from qms.review.areas import view_modules
from qms.review.menu import MENU_HOOK, review_submenu


@hooks.register("register_admin_urls")
def review_admin_urls():
    return [path("review/", include("qms.review.urls", namespace="review"))]


hooks.register("register_admin_menu_item", review_submenu)
register_area_hooks(view_modules(), MENU_HOOK)
