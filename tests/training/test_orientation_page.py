"""The orientation follow-up page: new hires who have not completed the orientation course, those
past the 30-day deadline first (most days late first, with the days), then those still within
their days (by deadline); their manager and the planned session they are invited to; the reader's
unit scope; refused to those who do not follow training records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.roles import Role
from training import services

pytestmark = pytest.mark.django_db

URL = reverse("training:orientation")


def hire(make_user, days_ago: int, unit: str = "ALO153", role=Role.AGENT, **fields):
    user = make_user(role, unit=unit, **fields)
    user.staff_profile.hire_date = timezone.localdate() - timedelta(days=days_ago)
    user.staff_profile.save()
    return user


@pytest.fixture
def orientation(make_course):
    return make_course(code="ORY-01", title="Oryantasyon Eğitimi", is_orientation=True, is_mandatory=True)


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF, Role.QA_EVALUATOR])
def test_refused_without_training_records(role_client, role):
    assert role_client(role, unit="ALO153").get(URL).status_code == 403


def test_overdue_first_with_days_late_then_due_with_the_deadline(role_client, make_user, orientation,
                                                                 held_session):
    late = hire(make_user, 50, first_name="Deniz", last_name="Aktaş")
    later = hire(make_user, 70, first_name="Okan", last_name="Geç")
    soon = hire(make_user, 12, first_name="Cem", last_name="Özkan")
    done = hire(make_user, 40, first_name="Berk", last_name="Sarı")
    held_session(present=[done], absent=[late], course=orientation, start=timezone.now() - timedelta(days=30))
    response = role_client(Role.TRAINING_COORDINATOR, unit="KSB").get(URL)
    assert response.status_code == 200
    overdue = [row["profile"].user_id for row in response.context["overdue"]]
    due = [row["profile"].user_id for row in response.context["due"]]
    assert overdue == [later.pk, late.pk]  # 40 days late before 20
    assert due == [soon.pk]
    html = response.content.decode()
    assert "Berk Sarı" not in html  # completed
    assert "40 gün gecikti" in html and "20 gün gecikti" in html
    assert "18 gün kaldı" in html
    deadline = (timezone.localdate() - timedelta(days=12) + timedelta(days=30)).strftime("%d.%m.%Y")
    assert deadline in html


def test_the_manager_and_the_planned_session_are_named(role_client, make_user, orientation, make_session,
                                                       coordinator):
    make_user(Role.UNIT_MANAGER, unit="ÇMŞ", first_name="Gülşen", last_name="Aydın")
    newcomer = hire(make_user, 5, first_name="İrem", last_name="Yalçın")
    uninvited = hire(make_user, 6, unit="KSB", role=Role.STAFF, first_name="Nazlı", last_name="Gök")
    session = make_session(course=orientation, start=timezone.now() + timedelta(days=6))
    services.session_invite(session=session, people=[newcomer], user=coordinator)
    response = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM").get(URL)
    rows = {row["profile"].user_id: row for row in response.context["due"]}
    assert rows[newcomer.pk]["manager"].get_full_name() == "Gülşen Aydın"
    assert rows[newcomer.pk]["session"] == session
    assert rows[uninvited.pk]["session"] is None
    html = response.content.decode()
    assert session.code in html and "henüz davet edilmedi" in html


def test_a_unit_manager_sees_the_new_hires_of_their_units_only(client, make_user, orientation):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    hire(make_user, 45, first_name="Ayşe", last_name="Bizden")
    hire(make_user, 45, unit="KSB", role=Role.STAFF, first_name="Mehmet", last_name="Başka")
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert "Ayşe Bizden" in html and "Mehmet Başka" not in html


def test_without_an_orientation_course_the_page_says_what_to_do(role_client, make_user):
    hire(make_user, 45)
    html = role_client(Role.TRAINING_COORDINATOR, unit="KSB").get(URL).content.decode()
    assert "oryantasyon eğitimi olarak işaretlenmiş bir eğitim yok" in html


def test_the_query_count_does_not_grow_with_new_hires(role_client, make_user, orientation):
    client = role_client(Role.TRAINING_COORDINATOR, unit="KSB")
    make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    for i in range(5):
        hire(make_user, 40 + i, username=f"yeni{i}")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(5, 50):
        hire(make_user, 10 + i, username=f"yeni{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["overdue"]) + len(response.context["due"]) == 50
    assert len(many) == len(few)
