"""The certificate list: for records readers only, within their unit scope, searchable by number
and name (Turkish letters and case folded), filterable by state; a fixed number of queries."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import Attendance, Certificate, Session, SessionState

pytestmark = pytest.mark.django_db

URL = reverse("training:certificates")


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def people(make_user, held_session, make_course):
    agent = make_user(Role.AGENT, unit="ALO153", first_name="Çağla", last_name="Işıkoğlu")
    clerk = make_user(Role.STAFF, unit="KSB", first_name="İbrahim", last_name="Arslan")
    held_session(present=[agent, clerk], course=make_course(title="Etkili İletişim"))
    return {"agent": agent, "clerk": clerk, "agent_cert": Certificate.objects.get(attendance__person=agent),
            "clerk_cert": Certificate.objects.get(attendance__person=clerk)}


def test_the_coordinator_sees_every_certificate(client, coordinator, people):
    client.force_login(coordinator)
    content = text(client.get(URL))
    assert people["agent_cert"].number in content and people["clerk_cert"].number in content
    assert "Çağla Işıkoğlu" in content and "Çağrı Merkezi Birimi" in content
    assert reverse("training:certificate_pdf", args=[people["agent_cert"].pk]) in content
    assert reverse("training_public:certificate", args=[people["agent_cert"].number]) in content


@pytest.mark.parametrize("query", ["çağla", "ÇAĞLA", "ışıkoğlu", "IŞIKOĞLU", "Çağla Işıkoğlu"])
def test_search_by_name_folds_turkish_case(client, coordinator, people, query):
    client.force_login(coordinator)
    content = text(client.get(URL, {"q": query}))
    assert people["agent_cert"].number in content and people["clerk_cert"].number not in content


def test_search_by_number_ignores_case_and_spaces(client, coordinator, people):
    client.force_login(coordinator)
    number = people["clerk_cert"].number
    content = text(client.get(URL, {"q": f"  {number.lower()} "}))
    assert number in content and people["agent_cert"].number not in content
    content = text(client.get(URL, {"q": number[-4:].lower()}))
    assert number in content


def test_the_state_filter(client, coordinator, people):
    row = Attendance.objects.get(pk=people["clerk_cert"].attendance_id)
    services.attendance_correct(attendance=row, user=coordinator, status="excused", reason="Görevlendirme.")
    client.force_login(coordinator)
    revoked = text(client.get(URL, {"state": "revoked"}))
    assert people["clerk_cert"].number in revoked and people["agent_cert"].number not in revoked
    # A revoked certificate has no download link.
    assert reverse("training:certificate_pdf", args=[people["clerk_cert"].pk]) not in revoked
    valid = text(client.get(URL, {"state": "valid"}))
    assert people["agent_cert"].number in valid and people["clerk_cert"].number not in valid


def test_a_unit_manager_sees_only_their_units(client, make_user, people):
    client.force_login(make_user(Role.UNIT_MANAGER, unit="ÇMŞ"))
    content = text(client.get(URL))
    assert people["agent_cert"].number in content and people["clerk_cert"].number not in content
    # Guessing the other certificate's download address does not help.
    assert client.get(reverse("training:certificate_pdf", args=[people["clerk_cert"].pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR])
def test_staff_are_refused(client, make_user, people, role):
    client.force_login(make_user(role, unit="ALO153"))
    response = client.get(URL)
    assert response.status_code == 403
    assert people["agent_cert"].number not in text(response)


def bulk_certificates(course, people, count: int, start: int) -> None:
    session = Session.objects.create(course=course, starts_at=timezone.now(), ends_at=timezone.now(), place="Salon",
                                     external_trainer="Dış", capacity=2000)
    Session.objects.filter(pk=session.pk).update(state=SessionState.FINALISED)
    rows = Attendance.objects.bulk_create([Attendance(session=session, person=p, status="present", confirmed=True)
                                           for p in people[:count]])
    Certificate.objects.bulk_create([
        Certificate(attendance=a, number=f"EGT-2026-B{start + i:03d}-ZZZZ", holder_name=f"Kişi {i}",
                    course_title=course.title, completed_on=date(2026, 3, 1), hours=Decimal("2"))
        for i, a in enumerate(rows)])


def test_the_list_reads_a_fixed_number_of_queries(client, coordinator, make_user, make_course):
    course = make_course(title="Toplu")
    people = [make_user(Role.AGENT, unit="ALO153") for _ in range(100)]
    client.force_login(coordinator)
    client.get(URL)
    counts = []
    for count, start in ((10, 0), (90, 100)):
        bulk_certificates(course, people, count, start)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
