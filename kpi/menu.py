"""The "Performance indicators" (Göstergeler) admin menu: one submenu that every KPI screen adds its
item to, shown only to people who may open at least one of them.

Usage (in `kpi/wagtail_hooks.py`):

    from kpi.menu import MENU_HOOK, PermissionMenuItem, kpi_submenu
    hooks.register("register_admin_menu_item", kpi_submenu)    # once, registers the submenu
    hooks.register(MENU_HOOK, lambda: PermissionMenuItem(...))  # each screen its item

Items are ordered by `order`: the dashboard and reports take 100-499, imports 500-599, settings
(targets) 600-699.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, SubmenuMenuItem

from qms.menu import PermissionMenuItem  # noqa: F401 (the KPI screens' item class, re-exported)

MENU_HOOK = "register_kpi_menu_item"
MENU_ORDER = 330  # after Documents (300), Audits (310) and Training (320)


def kpi_submenu() -> SubmenuMenuItem:
    """The submenu (hidden when none of its items is shown to the person)."""
    return SubmenuMenuItem(_("Performance indicators"), Menu(register_hook_name=MENU_HOOK), name="kpi",
                           icon_name="crosshairs", order=MENU_ORDER)
