"""Çağrı merkezi → Temsilciler / Takımlar: the QA lead and the management representative list and
change agents (code, name, staff profile, team, shift, active) and teams (name, lead); a team lead
sees their own team's agents read only (any other agent is a 404); nobody deletes an agent or a
team; everyone else is refused; the lists take a fixed number of queries."""

from __future__ import annotations

import pytest

from kpi.callqa.models import Agent, Team
from qms.roles import Role
from tests.qms.test_admin_menus import menu_names

pytestmark = pytest.mark.django_db
AGENTS = "/admin/callqa/agents/"
TEAMS = "/admin/callqa/teams/"


def refused(response) -> bool:
    """Wagtail's generic views answer a missing permission with a redirect to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response.url == "/admin/")


def agent_data(agent: Agent, **changes) -> dict:
    data = {"code": agent.code, "name": agent.name, "staff": agent.staff_id or "", "team": agent.team_id or "",
            "shift": agent.shift, "is_active": "on" if agent.is_active else ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("who", ["qa_lead", "mr"])
def test_the_qa_roles_list_every_agent_and_edit_one(centre, client, who):
    client.force_login(getattr(centre.users, who))
    html = client.get(AGENTS).content.decode()
    for code in ("A001", "A002", "B001", "X999"):
        assert code in html
    assert "Takım A" in html and "Bilinmeyen" in html
    assert {"callqa-agents", "callqa-teams"} <= menu_names(client.get("/admin/").content.decode())

    orphan = centre.agents.orphan
    staff = centre.users.staff.staff_profile
    response = client.post(f"{AGENTS}edit/{orphan.pk}/", agent_data(
        orphan, staff=staff.pk, team=centre.teams.b.pk, shift="gece", name="Yeni Temsilci"))
    assert response.status_code == 302, response.content.decode()[:3000]
    orphan.refresh_from_db()
    assert (orphan.staff_id, orphan.team_id, orphan.shift) == (staff.pk, centre.teams.b.pk, "gece")


def test_a_staff_profile_belongs_to_one_agent(centre, client):
    client.force_login(centre.users.qa_lead)
    taken = centre.users.a1.staff_profile
    response = client.post(f"{AGENTS}edit/{centre.agents.orphan.pk}/",
                           agent_data(centre.agents.orphan, staff=taken.pk))
    assert response.status_code == 200  # the form again, with the error
    centre.agents.orphan.refresh_from_db()
    assert centre.agents.orphan.staff_id is None


def test_a_duplicate_code_is_refused(centre, client):
    client.force_login(centre.users.qa_lead)
    response = client.post(f"{AGENTS}edit/{centre.agents.orphan.pk}/", agent_data(centre.agents.orphan, code="A001"))
    assert response.status_code == 200
    assert Agent.objects.filter(code="A001").count() == 1


def test_changing_the_team_moves_the_agent_out_of_the_old_leads_list(centre, client):
    client.force_login(centre.users.qa_lead)
    a2 = centre.agents.a2
    client.post(f"{AGENTS}edit/{a2.pk}/", agent_data(a2, team=centre.teams.b.pk))
    client.force_login(centre.users.lead_a)
    assert f"{AGENTS}inspect/{a2.pk}/" not in client.get(AGENTS).content.decode()
    assert client.get(f"{AGENTS}inspect/{a2.pk}/").status_code == 404
    client.force_login(centre.users.lead_b)
    assert f"{AGENTS}inspect/{a2.pk}/" in client.get(AGENTS).content.decode()


def test_a_team_lead_sees_their_own_team_read_only(centre, client):
    client.force_login(centre.users.lead_a)
    html = client.get(AGENTS).content.decode()
    assert "A001" in html and "A002" in html and "B001" not in html and "X999" not in html
    a1, b1 = centre.agents.a1, centre.agents.b1
    assert client.get(f"{AGENTS}inspect/{a1.pk}/").status_code == 200
    for agent in (b1, centre.agents.orphan):
        assert client.get(f"{AGENTS}inspect/{agent.pk}/").status_code == 404
    for url in (f"{AGENTS}edit/{a1.pk}/", f"{AGENTS}history/{a1.pk}/", f"{AGENTS}usage/{a1.pk}/",
                f"{AGENTS}delete/{a1.pk}/", f"{AGENTS}new/", TEAMS, f"{TEAMS}edit/{centre.teams.a.pk}/"):
        assert refused(client.get(url)), url
    assert refused(client.post(f"{AGENTS}edit/{a1.pk}/", agent_data(a1, shift="gece")))
    a1.refresh_from_db()
    assert a1.shift == "sabah"
    names = menu_names(client.get("/admin/").content.decode())
    assert "callqa-agents" in names and "callqa-teams" not in names


@pytest.mark.parametrize("who", ["a1", "staff", "ev1", "top"])
def test_others_are_refused(centre, client, who):
    client.force_login(getattr(centre.users, who))
    a1 = centre.agents.a1
    for url in (AGENTS, f"{AGENTS}inspect/{a1.pk}/", f"{AGENTS}edit/{a1.pk}/", TEAMS, f"{TEAMS}new/"):
        response = client.get(url)
        assert refused(response) or response.status_code == 404, url
    names = menu_names(client.get("/admin/").content.decode())
    assert "callqa-agents" not in names and "callqa-teams" not in names


def test_nobody_deletes_an_agent_or_a_team(centre, client, make_user):
    admin = make_user(unit=None, is_superuser=True, username="kok")
    for user in (centre.users.qa_lead, admin):
        client.force_login(user)
        assert refused(client.post(f"{AGENTS}delete/{centre.agents.orphan.pk}/"))
        assert refused(client.post(f"{TEAMS}delete/{centre.teams.b.pk}/"))
    assert Agent.objects.filter(pk=centre.agents.orphan.pk).exists() and Team.objects.filter(pk=centre.teams.b.pk)


def test_adding_an_agent_needs_the_add_permission(centre, client):
    for user in (centre.users.lead_a, centre.users.ev1, centre.users.a1):
        client.force_login(user)
        assert refused(client.get(f"{AGENTS}new/"))
        assert refused(client.post(f"{AGENTS}new/", {"code": "C099", "shift": "sabah", "is_active": "on"}))
    assert not Agent.objects.filter(code="C099").exists()
    client.force_login(centre.users.qa_lead)  # the QA lead adds agents (callqa.add_agent)
    response = client.post(f"{AGENTS}new/", {"code": "C100", "name": "Yeni", "shift": "sabah", "is_active": "on"})
    assert response.status_code == 302 and Agent.objects.filter(code="C100").exists()


def test_teams_are_added_and_their_lead_changed(centre, client, make_user):
    new_lead = make_user(Role.TEAM_LEAD, unit="ALO153", username="lead_c")
    client.force_login(centre.users.qa_lead)
    html = client.get(TEAMS).content.decode()
    assert "Takım A" in html and "Takım B" in html
    form = client.get(f"{TEAMS}new/").content.decode()
    assert "lead_c" in form and f'value="{centre.users.a1.pk}"' not in form  # leads only
    assert client.post(f"{TEAMS}new/", {"name": "Takım C", "lead": new_lead.pk}).status_code == 302
    team = Team.objects.get(name="Takım C")
    assert team.lead == new_lead
    response = client.post(f"{TEAMS}edit/{centre.teams.b.pk}/", {"name": "Takım B", "lead": new_lead.pk})
    assert response.status_code == 302
    centre.teams.b.refresh_from_db()
    assert centre.teams.b.lead == new_lead
    client.force_login(new_lead)
    assert "B001" in client.get(AGENTS).content.decode()


@pytest.mark.parametrize("n", [10, 100])
def test_the_agent_list_takes_a_fixed_number_of_queries(centre, org, client, django_assert_num_queries, n):
    from django.contrib.auth import get_user_model

    from qms.models import StaffProfile

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"temsilci{i}", first_name=f"Ad{i}", last_name="Soyad") for i in range(n))
    profiles = StaffProfile.objects.bulk_create(StaffProfile(user=user, unit=org["ALO153"]) for user in users)
    Agent.objects.bulk_create(Agent(code=f"Z{i:04d}", staff=profile if i % 2 else None,
                                    team=centre.teams.a if i % 3 else None, shift="sabah")
                              for i, profile in enumerate(profiles))
    client.force_login(centre.users.qa_lead)
    client.get(AGENTS)
    with django_assert_num_queries(AGENT_LIST_QUERIES):
        response = client.get(AGENTS)
    assert response.status_code == 200 and "Ad1 Soyad" in response.content.decode()


@pytest.mark.parametrize("n", [10, 100])
def test_the_team_list_takes_a_fixed_number_of_queries(centre, client, make_user, django_assert_num_queries, n):
    Team.objects.bulk_create(Team(name=f"Takım {i:03d}", lead=centre.users.lead_a) for i in range(n))
    client.force_login(centre.users.qa_lead)
    client.get(TEAMS)
    with django_assert_num_queries(TEAM_LIST_QUERIES):
        response = client.get(TEAMS)
    assert response.status_code == 200


AGENT_LIST_QUERIES = 12  # session, user, permissions, menu, filters (teams), the count and the page with staff and team
TEAM_LIST_QUERIES = 11  # session, user, permissions, menu, the count and the page with leads and agent counts
