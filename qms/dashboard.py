"""The portal's panels on the Wagtail admin dashboard (registered in `qms.wagtail_hooks`).

"Your role" says what the signed-in person is in the portal and what they may do; "Your due and
overdue items" lists their reminders from `qms.reminders`, the same items `send_reminders`
e-mails. Both run a fixed number of queries: the role panel two (groups, staff profile with its
unit), the reminders panel whatever each registered rule runs, never one per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from qms.reminders import reminders_for
from qms.roles import CAPABILITIES, ROLES, Role, roles_of


class RolePanel(Component):
    name = "qms_role"
    template_name = "qms/panels/role.html"
    order = 50  # Wagtail's own panels start at 100: ours come first

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        from qms.models import StaffProfile

        request = parent_context["request"]
        user = request.user
        roles = roles_of(user)
        capability_keys: list[str] = []
        for role in roles:
            for key in ROLES[role].capabilities:
                if key not in capability_keys:
                    capability_keys.append(key)
        # Table order, so two people with the same rights see the same list.
        capabilities = [CAPABILITIES[key].label for key in CAPABILITIES if key in capability_keys]
        profile = StaffProfile.objects.select_related("unit").filter(user=user).first()
        return {
            "roles": [{"name": ROLES[role].group_name, "description": ROLES[role].description} for role in roles],
            "capabilities": capabilities,
            "profile": profile,
            "is_superuser": user.is_superuser,
            "staff_manager_role": ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name,
        }


class RemindersPanel(Component):
    name = "qms_reminders"
    template_name = "qms/panels/reminders.html"
    order = 60

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        items = reminders_for(parent_context["request"].user)
        return {
            "items": items,
            "overdue_count": sum(1 for item in items if item.overdue),
            "heading": _("Your due and overdue items"),
        }


class ModulePanel(Component):
    """A module's dashboard panel, shown only to those it concerns (`is_shown_to`)."""

    @staticmethod
    def is_shown_to(user) -> bool:
        raise NotImplementedError  # each panel says whom it concerns


def panels_shown_to(panel_classes, user) -> list[Component]:
    """The panels of `panel_classes` that concern `user`, for a `construct_homepage_panels` hook."""
    return [panel() for panel in panel_classes if panel.is_shown_to(user)]


def portal_panels(request) -> list[Component]:
    """The panels the `construct_homepage_panels` hook puts on the dashboard."""
    return [RolePanel(), RemindersPanel()]
