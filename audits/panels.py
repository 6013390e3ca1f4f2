"""The dashboard's audit and DÖF panels (added by `audits.wagtail_hooks` through
`construct_homepage_panels`).

Each panel is shown only to those it concerns (`is_shown_to`) and holds only what they may see
(`audits.queries`' visibility rule, narrowed to the person's unit scope: a unit manager's panels
hold their units' DÖFs only). Each runs a fixed number of queries whatever the number of records.

* "Open nonconformities": open DÖFs by responsible unit and age; those who oversee DÖFs and
  unit managers.
* "Overdue corrective actions": the same people.
* "Effectiveness checks waiting": those who verify effectiveness.
* "Audit programme": this year's completion and the next planned audits; those who see the programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from audits import queries
from qms.dashboard import ModulePanel, panels_shown_to
from qms.roles import Role, has_role

PANEL_LIMIT = 10
NEXT_AUDITS = 5


def _oversees_nonconformities(user) -> bool:
    return user.has_perm("audits.view_nonconformity") or has_role(user, Role.UNIT_MANAGER)


class OpenNonconformitiesPanel(ModulePanel):
    name = "audits_open_nonconformities"
    template_name = "audits/panels/open_nonconformities.html"
    order = 70

    @staticmethod
    def is_shown_to(user) -> bool:
        return _oversees_nonconformities(user)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        table = queries.open_nonconformities_by_unit_and_age(user, timezone.localdate())
        return {
            "table": table,
            "buckets": [
                _("0–30 days"), _("31–60 days"), _("61–90 days"), _("over 90 days"),
            ],
        }


class OverdueActionsPanel(ModulePanel):
    name = "audits_overdue_actions"
    template_name = "audits/panels/overdue_actions.html"
    order = 71

    @staticmethod
    def is_shown_to(user) -> bool:
        return _oversees_nonconformities(user)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        today = timezone.localdate()
        actions = list(queries.overdue_actions_visible_to(user, today)[: PANEL_LIMIT + 1])
        for action in actions:
            action.days_late = (today - action.due_date).days
        return {"items": actions[:PANEL_LIMIT], "more": len(actions) > PANEL_LIMIT}


class EffectivenessChecksPanel(ModulePanel):
    name = "audits_effectiveness_checks"
    template_name = "audits/panels/effectiveness_checks.html"
    order = 72

    @staticmethod
    def is_shown_to(user) -> bool:
        return user.has_perm("audits.verify_nonconformity")

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        items = list(queries.effectiveness_checks_waiting(user)[: PANEL_LIMIT + 1])
        return {"items": items[:PANEL_LIMIT], "more": len(items) > PANEL_LIMIT, "today": timezone.localdate()}


class ProgrammePanel(ModulePanel):
    name = "audits_programme"
    template_name = "audits/panels/programme.html"
    order = 73

    @staticmethod
    def is_shown_to(user) -> bool:
        return user.has_perm("audits.view_auditprogramme")

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        today = timezone.localdate()
        return {
            "completion": queries.programme_completion(today.year),
            "audits": queries.next_planned_audits(user, today, limit=NEXT_AUDITS),
        }


PANELS: tuple[type[ModulePanel], ...] = (
    OpenNonconformitiesPanel, OverdueActionsPanel, EffectivenessChecksPanel, ProgrammePanel,
)


def panels_for(user) -> list[Component]:
    """The audit panels this person's dashboard shows."""
    return panels_shown_to(PANELS, user)
