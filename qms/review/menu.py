"""The "Management review" (Yönetimin Gözden Geçirmesi) admin menu: reviews, my review actions,
the risk and the stakeholder registers. Every view area adds its items (`menu_items()`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, SubmenuMenuItem

from qms.menu import PermissionMenuItem  # noqa: F401 (the item class, re-exported)

MENU_HOOK = "register_review_menu_item"
MENU_ORDER = 340  # after Contact centre (335)


def review_submenu() -> SubmenuMenuItem:
    return SubmenuMenuItem(_("Management review"), Menu(register_hook_name=MENU_HOOK), name="review",
                           icon_name="clipboard-list", order=MENU_ORDER)
