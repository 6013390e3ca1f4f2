"""/api/v1/training: the catalogue, the sessions each person may see (everything with
`training.view_session`, else their own), one session (outside: 404), a session's list (only with
`training.view_session` or `training.record_attendance`: 403), token auth, and query counts that do
not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import APIToken

from qms.roles import ROLES, Role
from training import services

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
SEES_ALL_SESSIONS = [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR,
                     Role.TRAINING_COORDINATOR]
OWN_SESSIONS_ONLY = [Role.AGENT, Role.STAFF, Role.QA_EVALUATOR, Role.UNIT_MANAGER]


def bearer(user) -> dict:
    _instance, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


@pytest.fixture
def two_sessions(make_user, make_course, make_session, coordinator):
    """A planned session with an agent on it, and a finalised one the agent is not on."""
    course = make_course(code="KVKK-01", title="KVKK Farkındalık", is_mandatory=True, validity_months=12)
    agent = make_user(Role.AGENT, unit="ALO153", username="temsilci", first_name="Burak", last_name="Öztürk")
    other = make_user(Role.STAFF, unit="KSB", username="memur")
    mine = make_session(course=course, start=timezone.now() + timedelta(days=3))
    services.session_invite(session=mine, people=[agent], user=coordinator)
    held = make_session(course=course, start=timezone.now() - timedelta(days=3))
    services.session_invite(session=held, people=[other], user=coordinator)
    services.attendance_record(session=held, user=coordinator, marks={other.pk: "present"})
    services.session_finalise(session=held, user=coordinator)
    return {"mine": mine, "held": held, "agent": agent, "other": other, "course": course}


def test_no_credentials_is_401(client):
    for path in ("/courses", "/sessions", "/me/record"):
        assert client.get(API + path).status_code == 401


def test_a_bearer_token_works(make_user, client, make_course):
    make_course(code="KYS-01")
    user = make_user(Role.AGENT, unit="ALO153")
    response = client.get(API + "/courses", **bearer(user))
    assert [c["code"] for c in items(response)] == ["KYS-01"]


def test_a_user_without_any_role_is_403(client, make_user):
    client.force_login(make_user(unit="ALO153"))
    assert client.get(API + "/courses").status_code == 403
    assert client.get(API + "/sessions").status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_catalogue(role_client, make_course, role):
    course = make_course(code="ALO-01", title="ALO 153 Çağrı Karşılama", is_mandatory=True, validity_months=12,
                         min_sessions_per_year=2, trainer_kind="external")
    course.target_roles.set([Group.objects.get(name=ROLES[Role.AGENT].group_name)])
    [row] = items(role_client(role, unit="ALO153").get(API + "/courses"))
    assert row["title"] == "ALO 153 Çağrı Karşılama"
    assert row["validity_months"] == 12 and row["is_mandatory"] and row["min_sessions_per_year"] == 2
    assert row["target_roles"] == [ROLES[Role.AGENT].group_name]
    assert row["trainer"] == "Dış Eğitim A.Ş." and row["trainer_kind"]["key"] == "external"


def test_catalogue_filters(role_client, make_course):
    make_course(code="A", is_mandatory=True)
    make_course(code="B")
    make_course(code="C", is_active=False)
    client = role_client(Role.AGENT, unit="ALO153")
    assert [c["code"] for c in items(client.get(API + "/courses", {"mandatory": "true"}))] == ["A"]
    assert [c["code"] for c in items(client.get(API + "/courses", {"mandatory": "false"}))] == ["B", "C"]
    assert [c["code"] for c in items(client.get(API + "/courses", {"active": "false"}))] == ["C"]


@pytest.mark.parametrize("role", SEES_ALL_SESSIONS)
def test_those_who_oversee_training_see_every_session(role_client, two_sessions, role):
    rows = items(role_client(role, unit="ÇÖZM").get(API + "/sessions"))
    assert {r["id"] for r in rows} == {two_sessions["mine"].pk, two_sessions["held"].pk}


@pytest.mark.parametrize("role", OWN_SESSIONS_ONLY)
def test_others_see_only_the_sessions_they_are_on(role_client, two_sessions, coordinator, role):
    client = role_client(role, unit="ALO153")
    assert items(client.get(API + "/sessions")) == []
    services.session_invite(session=two_sessions["mine"], people=[client.user], user=coordinator)
    assert [r["id"] for r in items(client.get(API + "/sessions"))] == [two_sessions["mine"].pk]
    assert client.get(f"{API}/sessions/{two_sessions['held'].pk}").status_code == 404


def test_a_session_shows_its_counts_and_the_list_counts_do_not_narrow_to_the_reader(client, two_sessions):
    agent = two_sessions["agent"]
    client.force_login(agent)
    [row] = items(client.get(API + "/sessions"))
    assert row["code"] == two_sessions["mine"].code and row["on_list"] == 1 and row["present"] == 0
    assert row["state"] == {"key": "planned", "label": "Planlandı"}
    detail = client.get(f"{API}/sessions/{two_sessions['mine'].pk}").json()
    assert detail["counts"]["pending"] == 1 and detail["course"]["code"] == "KVKK-01"


def test_session_filters(role_client, two_sessions):
    client = role_client(Role.TRAINING_COORDINATOR, unit="KSB")
    assert [r["id"] for r in items(client.get(API + "/sessions", {"state": "finalised"}))] == [
        two_sessions["held"].pk]
    assert len(items(client.get(API + "/sessions", {"course": "KVKK-01"}))) == 2
    assert items(client.get(API + "/sessions", {"course": "YOK"})) == []
    assert len(items(client.get(API + "/sessions", {"year": two_sessions["held"].year}))) >= 1
    assert items(client.get(API + "/sessions", {"year": 1999})) == []


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF, Role.UNIT_MANAGER, Role.QA_EVALUATOR])
def test_a_sessions_list_is_refused_without_session_rights_even_to_a_participant(role_client, two_sessions,
                                                                                 role):
    client = role_client(role, unit="ALO153")
    assert client.get(f"{API}/sessions/{two_sessions['held'].pk}/attendance").status_code == 403


def test_the_agent_on_the_session_may_not_read_its_list(client, two_sessions):
    client.force_login(two_sessions["agent"])
    assert client.get(f"{API}/sessions/{two_sessions['mine'].pk}/attendance").status_code == 403


@pytest.mark.parametrize("role", SEES_ALL_SESSIONS)
def test_a_sessions_list_for_those_who_oversee_training(role_client, two_sessions, role):
    response = role_client(role, unit="KSB").get(f"{API}/sessions/{two_sessions['held'].pk}/attendance")
    [row] = response.json()
    assert row["username"] == "memur" and row["status"]["key"] == "present"
    assert row["certificate"] and row["certificate"].startswith("EGT-")


def test_an_unknown_session_is_404(role_client):
    client = role_client(Role.TRAINING_COORDINATOR, unit="KSB")
    assert client.get(f"{API}/sessions/999999").status_code == 404
    assert client.get(f"{API}/sessions/999999/attendance").status_code == 404


def test_list_query_counts_do_not_grow_with_rows(role_client, make_user, make_course, make_session, coordinator):
    client = role_client(Role.TRAINING_COORDINATOR, unit="KSB")
    course = make_course()
    people = [make_user(Role.AGENT, unit="ALO153") for _i in range(5)]

    def add_sessions(n):
        for _i in range(n):
            session = make_session(course=course, start=timezone.now() + timedelta(days=5))
            services.session_invite(session=session, people=people, user=coordinator)

    add_sessions(10)
    for course_index in range(10):
        make_course(code=f"K{course_index:02d}")
    with CaptureQueriesContext(connection) as ten_sessions:
        assert len(items(client.get(API + "/sessions", {"limit": 1000}))) == 10
    with CaptureQueriesContext(connection) as ten_courses:
        assert len(items(client.get(API + "/courses", {"limit": 1000}))) == 11
    add_sessions(90)
    for course_index in range(10, 100):
        make_course(code=f"K{course_index:02d}")
    with CaptureQueriesContext(connection) as hundred_sessions:
        assert len(items(client.get(API + "/sessions", {"limit": 1000}))) == 100
    with CaptureQueriesContext(connection) as hundred_courses:
        assert len(items(client.get(API + "/courses", {"limit": 1000}))) == 101
    assert len(hundred_sessions) == len(ten_sessions)
    assert len(hundred_courses) == len(ten_courses)
    session = course.sessions.first()
    with CaptureQueriesContext(connection) as five:
        client.get(f"{API}/sessions/{session.pk}/attendance")
    services.session_invite(session=session, people=[make_user(Role.STAFF, unit="KSB") for _i in range(20)],
                            user=coordinator)
    with CaptureQueriesContext(connection) as twenty_five:
        assert len(client.get(f"{API}/sessions/{session.pk}/attendance").json()) == 25
    assert len(twenty_five) == len(five)
