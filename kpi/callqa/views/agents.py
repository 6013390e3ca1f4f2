"""Agents and teams in the admin (Çağrı merkezi → Temsilciler, Takımlar): Wagtail ModelViewSets.

* Agents (`/admin/callqa/agents/`): the telephony system's agent code, a name, the staff profile
  it belongs to (whose user then receives the agent's evaluations), the team, the shift and
  whether the agent is active. Changing needs `callqa.change_agent` (the QA lead, the management
  representative); adding `callqa.add_agent` (an import with --create-agents adds agents too).
  A team lead (`callqa.lead_team`) sees their own team's agents, read only; any other agent is a
  404 to them (`kpi.callqa.access.agents_visible_to`).
* Teams (`/admin/callqa/teams/`): the name and the team lead; `callqa.add_team` /
  `callqa.change_team` (the QA lead, the management representative).

Neither agents nor teams are deleted here (an agent keeps its calls and evaluations; a team is
renamed or left empty): the permission policies refuse "delete" to everyone. Changing an agent's
team or staff profile, or a team's lead, re-derives the evaluation grants (`kpi.callqa.grants`).
Wagtail's views write every change to the audit log.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from kpi.callqa import access
from kpi.callqa.menu import MENU_HOOK
from kpi.callqa.models import Agent, Team
from qms.models import StaffProfile

LEAD_TEAM = "callqa.lead_team"
SEES_ALL = ("callqa.view_agent", "callqa.change_agent")


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_agents(user) -> bool:
    return _active(user) and any(user.has_perm(perm) for perm in SEES_ALL)


class AgentPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, plus "view" (read only) of their own team for team leads; no deletes."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        if action == "view" and _active(user) and user.has_perm(LEAD_TEAM):
            return True
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view" and not sees_all_agents(user):
            return visible_agents(user).filter(pk=instance.pk).exists()
        return True

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Agent.objects.none()
        if set(actions) <= {"view"} and not sees_all_agents(user):
            return visible_agents(user)
        return Agent.objects.all()


class TeamPermissionPolicy(ModelPermissionPolicy):
    """Model permissions; no deletes (agents would lose their team without their grants re-derived)."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Agent, AgentPermissionPolicy(Agent), exact_class=True)
register_permission_policy(Team, TeamPermissionPolicy(Team), exact_class=True)


def visible_agents(user):
    """The agents this person may list: all for the QA roles, else those of `agents_visible_to`
    that are in a team they lead (a team lead's own team)."""
    if sees_all_agents(user):
        return Agent.objects.all()
    return access.agents_visible_to(user).filter(team__lead=user)


# --- agents -------------------------------------------------------------------------------------------


class AgentForm(WagtailAdminModelForm):
    class Meta:
        model = Agent
        fields = ["code", "name", "staff", "team", "shift", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = self.fields["staff"]
        taken = Agent.objects.exclude(pk=self.instance.pk).filter(staff__isnull=False).values("staff_id")
        staff.queryset = (StaffProfile.objects.select_related("user", "unit")
                          .filter(Q(is_active=True) | Q(pk=self.instance.staff_id))
                          .exclude(pk__in=taken).order_by("user__first_name", "user__last_name"))
        staff.label_from_instance = lambda profile: (
            f"{profile.user.get_full_name() or profile.user.get_username()} ({profile.user.get_username()}, "
            f"{profile.unit.code})")
        staff.empty_label = _("No staff profile yet")
        staff.help_text = _("The person this agent code belongs to: they receive the agent's evaluations.")
        self.fields["code"].help_text = _("The agent code of the telephony system, as the call exports show it.")
        self.fields["name"].help_text = _("Shown when the agent has no staff profile.")


class StaffColumn(Column):
    def get_value(self, instance):
        if not instance.staff_id:
            return "—"
        user = instance.staff.user
        return f"{user.get_full_name() or user.get_username()} ({user.get_username()})"


class NameColumn(Column):
    def get_value(self, instance):
        return instance.display_name


class AgentIndexView(IndexView):
    def get_base_queryset(self):
        return visible_agents(self.request.user).select_related("staff__user", "team")


class AgentInspectView(InspectView):
    def get_object(self, queryset=None):
        found = visible_agents(self.request.user).select_related("staff__user", "team").filter(pk=self.pk).first()
        if found is None:
            raise Http404
        return found


class AgentViewSet(ModelViewSet):
    model = Agent
    icon = "user"
    menu_label = gettext_lazy("Agents")
    menu_name = "callqa-agents"
    menu_order = 700
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "callqa/agents"
    name = "callqa_agents"
    index_view_class = AgentIndexView
    inspect_view_class = AgentInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_fields = ["code", "name"]
    list_filter = ["team", "is_active"]
    list_display = [
        "code",
        NameColumn("name", label=gettext_lazy("Name")),
        StaffColumn("staff", label=gettext_lazy("Staff profile")),
        Column("team", label=gettext_lazy("Team")),
        Column("shift", label=gettext_lazy("Shift")),
        BooleanColumn("is_active", label=gettext_lazy("Active")),
    ]
    inspect_view_fields = ["code", "name", "staff", "team", "shift", "is_active"]
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldPanel("staff"),
        FieldRowPanel([FieldPanel("team"), FieldPanel("shift")]),
        FieldPanel("is_active"),
    ], base_form_class=AgentForm)


# --- teams --------------------------------------------------------------------------------------------


class TeamForm(WagtailAdminModelForm):
    class Meta:
        model = Team
        fields = ["name", "lead"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        leads = Q(groups__permissions__codename="lead_team", groups__permissions__content_type__app_label="callqa")
        lead.queryset = (get_user_model().objects.filter(is_active=True)
                         .filter(leads | Q(pk=self.instance.lead_id)).distinct()
                         .order_by("first_name", "last_name"))
        lead.label_from_instance = lambda user: f"{user.get_full_name() or user.get_username()} ({user.get_username()})"
        lead.help_text = _("A person with the team lead role: they see the team's evaluations, reports and coaching.")


class LeadColumn(Column):
    def get_value(self, instance):
        user = instance.lead
        if user is None:
            return "—"
        return user.get_full_name() or user.get_username()


class TeamIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("lead").annotate(agent_count=Count("agents"))


class TeamViewSet(ModelViewSet):
    model = Team
    icon = "group"
    menu_label = gettext_lazy("Teams")
    menu_name = "callqa-teams"
    menu_order = 710
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "callqa/teams"
    name = "callqa_teams"
    index_view_class = TeamIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["name"]
    list_display = [
        "name",
        LeadColumn("lead", label=gettext_lazy("Team lead")),
        Column("agent_count", label=gettext_lazy("Agents")),
    ]
    edit_handler = ObjectList([FieldPanel("name"), FieldPanel("lead")], base_form_class=TeamForm)


urlpatterns = []


def viewsets():
    return [AgentViewSet, TeamViewSet]
