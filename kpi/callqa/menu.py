"""The "Contact centre" (Çağrı merkezi) admin menu: one submenu every call-QA screen adds its item
to (through `menu_items()` of its view module), shown only to people who may open one of them.

Items are ordered by `order`: the dashboard and reports 100-399, QA work (queue, evaluations,
disputes, calibration) 400-599, imports 600-699, settings (scorecards, agents, teams) 700-799.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, SubmenuMenuItem

from qms.menu import PermissionMenuItem  # noqa: F401 (the item class, re-exported)

MENU_HOOK = "register_callqa_menu_item"
MENU_ORDER = 335  # after Performance indicators (330)


def callqa_submenu() -> SubmenuMenuItem:
    return SubmenuMenuItem(_("Contact centre"), Menu(register_hook_name=MENU_HOOK), name="callqa",
                           icon_name="mail", order=MENU_ORDER)
