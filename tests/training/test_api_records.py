"""GET /api/v1/training/me/record and /people/{username}/record: a person's training record
(sessions, hours, certificates, the state of every course required of them). Anyone reads their
own; another person's needs `training.view_training_records` (403 without) and must be in the
reader's unit scope (404 outside, like an unknown name)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qms.roles import Role

pytestmark = pytest.mark.django_db

API = "/api/v1/training"


@pytest.fixture
def agent_record(make_user, make_course, held_session):
    agent = make_user(Role.AGENT, unit="ALO153", username="temsilci", first_name="Burak", last_name="Öztürk")
    agent.staff_profile.registry_no = "30001"
    agent.staff_profile.save()
    kvkk = make_course(code="KVKK-01", title="KVKK Farkındalık", is_mandatory=True, validity_months=12,
                       duration_hours=Decimal("2"))
    make_course(code="YİY-01", title="Yangın ve İlk Yardım", is_mandatory=True, validity_months=24)
    diction = make_course(code="İLT-01", title="Diksiyon", duration_hours=Decimal("6"))
    held_session(present=[agent], course=kvkk, start=timezone.now() - timedelta(days=400), hours=Decimal("2"))
    held_session(present=[agent], course=diction, start=timezone.now() - timedelta(days=20), hours=Decimal("6"))
    held_session(absent=[agent], course=kvkk, start=timezone.now() - timedelta(days=10), hours=Decimal("2"))
    return agent


def test_my_record(client, agent_record):
    client.force_login(agent_record)
    response = client.get(f"{API}/me/record")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["username"] == "temsilci" and body["person"]["registry_no"] == "30001"
    assert body["person"]["unit"]["code"] == "ALO153"
    assert body["hours"] == 8.0
    assert body["compliant"] is False
    required = {r["course"]["code"]: r for r in body["required"]}
    assert required["KVKK-01"]["state"]["key"] == "expired" and required["KVKK-01"]["expires_on"]
    assert required["YİY-01"]["state"] == {"key": "due", "label": "Alınmadı"}
    assert "İLT-01" not in required  # not mandatory
    sessions = body["sessions"]
    assert [s["attendance"]["key"] for s in sessions] == ["absent", "present", "present"]  # newest first
    assert sessions[0]["certificate"] is None and sessions[1]["certificate"].startswith("EGT-")
    assert sessions[1]["evaluated"] is False


def test_my_record_through_the_people_endpoint(client, agent_record):
    client.force_login(agent_record)
    response = client.get(f"{API}/people/temsilci/record")
    assert response.status_code == 200 and response.json()["hours"] == 8.0


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF, Role.QA_EVALUATOR])
def test_another_persons_record_is_refused_without_training_records(role_client, agent_record, role):
    client = role_client(role, unit="ALO153")  # even a colleague in the same unit
    assert client.get(f"{API}/people/temsilci/record").status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR,
                                  Role.TRAINING_COORDINATOR])
def test_those_who_see_all_units_read_anyones_record(role_client, agent_record, role):
    response = role_client(role, unit="KSB").get(f"{API}/people/temsilci/record")
    assert response.status_code == 200
    assert response.json()["person"]["full_name"] == "Burak Öztürk"


def test_a_unit_manager_reads_records_in_their_units_only(role_client, agent_record, make_user):
    make_user(Role.STAFF, unit="KSB", username="memur")
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    assert client.get(f"{API}/people/temsilci/record").status_code == 200
    outside = client.get(f"{API}/people/memur/record")
    unknown = client.get(f"{API}/people/boyle.biri.yok/record")
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()


def test_a_unit_manager_of_another_chiefdom_gets_404(role_client, agent_record):
    client = role_client(Role.UNIT_MANAGER, unit="ÇÖZM")
    assert client.get(f"{API}/people/temsilci/record").status_code == 404


def test_a_record_without_a_staff_profile(client, make_user):
    user = make_user(Role.AGENT, unit=None, username="profilsiz")
    client.force_login(user)
    body = client.get(f"{API}/me/record").json()
    assert body["person"]["unit"] is None and body["required"] == [] and body["sessions"] == []
