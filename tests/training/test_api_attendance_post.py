"""POST /api/v1/training/sessions/{id}/attendance: the training coordinator records attendance by
username or registry number through `services.attendance_record`. Every bad row is reported with
its number and nothing is saved; someone not on the list needs "walk_in": true; a full session, a
finalised one or a cancelled one is a conflict (409); anyone else is refused (403)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import Attendance, AttendanceStatus

pytestmark = pytest.mark.django_db

API = "/api/v1/training"


def post(client, session, rows):
    return client.post(f"{API}/sessions/{session.pk}/attendance", rows, content_type="application/json")


@pytest.fixture
def listed(make_user, make_session, coordinator):
    """A session running now with three agents on its list (one with registry number 30012)."""
    people = [make_user(Role.AGENT, unit="ALO153", username=f"ajan{i}", first_name=f"Ajan{i}", last_name="Kaya")
              for i in range(3)]
    people[2].staff_profile.registry_no = "30012"
    people[2].staff_profile.save()
    session = make_session(capacity=4)
    services.session_invite(session=session, people=people, user=coordinator)
    return session, people


def statuses(session) -> dict[str, str]:
    return dict(Attendance.objects.filter(session=session).values_list("person__username", "status"))


def test_the_coordinator_records_by_username_and_registry_number(client, coordinator, listed):
    session, _people = listed
    client.force_login(coordinator)
    response = post(client, session, [
        {"username": "ajan0", "status": "present", "pre_test_score": 40, "post_test_score": 85},
        {"username": "ajan1", "status": "excused"},
        {"registry_no": "30012", "status": "absent"},
    ])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"pending": 0, "present": 1, "absent": 1, "excused": 1}
    assert {row["username"]: row["status"]["key"] for row in body["attendance"]} == {
        "ajan0": "present", "ajan1": "excused", "ajan2": "absent"}
    assert statuses(session) == {"ajan0": "present", "ajan1": "excused", "ajan2": "absent"}
    row = Attendance.objects.get(session=session, person__username="ajan0")
    assert (row.pre_test_score, row.post_test_score) == (40, 85) and row.confirmed


def test_every_bad_row_is_reported_and_nothing_is_saved(client, coordinator, listed, make_user):
    session, _people = listed
    make_user(Role.STAFF, unit="KSB", username="davetsiz")
    client.force_login(coordinator)
    response = post(client, session, [
        {"username": "ajan0", "status": "present"},
        {"username": "yok.boyle.biri", "status": "present"},
        {"username": "ajan1", "status": "geldi"},
        {"username": "davetsiz", "status": "present"},
        {"registry_no": "99999", "status": "absent"},
        {"status": "present"},
        {"username": "ajan0", "status": "absent"},
        {"username": "ajan1", "registry_no": "30012", "status": "present"},
        {"username": "ajan2", "status": "present", "post_test_score": 140},
    ])
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == ["9 satırın 8 tanesinde hata var; hiçbir şey kaydedilmedi."]
    errors = {row["row"]: " ".join(row["errors"]) for row in body["rows"]}
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert "yok.boyle.biri" in errors[2]
    assert "geldi" in errors[3]
    assert "walk_in" in errors[4]
    assert "99999" in errors[5]
    assert "username" in errors[6]
    assert "1. satırda" in errors[7]
    assert "iki ayrı kişi" in errors[8]
    assert "0 ile 100" in errors[9] or "100" in errors[9]
    assert set(statuses(session).values()) == {AttendanceStatus.PENDING}


def test_a_walk_in_is_added_only_when_the_row_says_so(client, coordinator, listed, make_user):
    session, _people = listed
    make_user(Role.STAFF, unit="KSB", username="misafir")
    client.force_login(coordinator)
    response = post(client, session, [{"username": "misafir", "status": "present", "walk_in": True}])
    assert response.status_code == 200, response.content
    row = Attendance.objects.get(session=session, person__username="misafir")
    assert not row.invited and row.status == AttendanceStatus.PRESENT


def test_walk_ins_beyond_capacity_are_a_conflict_and_nothing_is_saved(client, coordinator, listed, make_user):
    session, _people = listed  # 3 of 4 places taken
    for name in ("bir", "iki"):
        make_user(Role.STAFF, unit="KSB", username=name)
    client.force_login(coordinator)
    response = post(client, session, [
        {"username": "ajan0", "status": "present"},
        {"username": "bir", "status": "present", "walk_in": True},
        {"username": "iki", "status": "present", "walk_in": True},
    ])
    assert response.status_code == 409
    assert "kontenjan" in response.json()["detail"][0]
    assert statuses(session) == {"ajan0": "pending", "ajan1": "pending", "ajan2": "pending"}


def test_a_finalised_session_is_locked(client, coordinator, listed):
    session, people = listed
    services.attendance_record(session=session, user=coordinator, marks={p.pk: "present" for p in people})
    services.session_finalise(session=session, user=coordinator)
    client.force_login(coordinator)
    response = post(client, session, [{"username": "ajan0", "status": "absent"}])
    assert response.status_code == 409
    assert statuses(session)["ajan0"] == "present"


def test_a_cancelled_session_is_locked(client, coordinator, listed):
    session, _people = listed
    services.session_cancel(session=session, user=coordinator, reason="Eğitmen gelemedi")
    client.force_login(coordinator)
    assert post(client, session, [{"username": "ajan0", "status": "present"}]).status_code == 409


def test_an_empty_list_is_a_bad_request(client, coordinator, listed):
    session, _people = listed
    client.force_login(coordinator)
    assert post(client, session, []).status_code == 400


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR, Role.UNIT_MANAGER, Role.AGENT,
                                  Role.STAFF, Role.QA_EVALUATOR])
def test_only_those_who_record_attendance_may_post(role_client, listed, role):
    session, _people = listed
    client = role_client(role, unit="ALO153")
    response = post(client, session, [{"username": "ajan0", "status": "present"}])
    assert response.status_code == 403
    assert statuses(session)["ajan0"] == "pending"


def test_a_participant_cannot_mark_themself_through_the_api(client, listed):
    session, people = listed
    client.force_login(people[0])
    assert post(client, session, [{"username": "ajan0", "status": "present"}]).status_code == 403


def test_the_management_representative_records_attendance_too(role_client, listed):
    session, _people = listed
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    assert post(client, session, [{"username": "ajan1", "status": "present"}]).status_code == 200


def test_an_unknown_session_is_404(client, coordinator):
    client.force_login(coordinator)
    response = client.post(f"{API}/sessions/999999/attendance", [{"username": "x", "status": "present"}],
                           content_type="application/json")
    assert response.status_code == 404


def test_scores_given_alone_keep_the_other(client, coordinator, listed):
    session, _people = listed
    client.force_login(coordinator)
    post(client, session, [{"username": "ajan0", "status": "present", "pre_test_score": 50}])
    post(client, session, [{"username": "ajan0", "status": "present", "post_test_score": 90}])
    row = Attendance.objects.get(session=session, person__username="ajan0")
    assert (row.pre_test_score, row.post_test_score) == (50, 90)


def test_a_session_of_sixty_is_recorded_in_one_request(client, coordinator, make_user, make_session):
    people = [make_user(Role.AGENT, unit="ALO153", username=f"kisi{i:02d}") for i in range(60)]
    session = make_session(capacity=60, start=timezone.now() - timedelta(minutes=30))
    services.session_invite(session=session, people=people, user=coordinator)
    client.force_login(coordinator)
    rows = [{"username": p.username, "status": "absent" if i % 10 == 0 else "present"} for i, p in enumerate(people)]
    response = post(client, session, rows)
    assert response.status_code == 200
    assert response.json()["counts"]["present"] == 54 and response.json()["counts"]["absent"] == 6
