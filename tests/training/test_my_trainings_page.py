"""My trainings: every signed-in person sees their own sessions, hours, required courses,
certificates and the evaluations still to fill, and nobody else's; a fixed number of queries."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qms.roles import Role
from training import services
from training.models import Attendance, Certificate, Session, SessionState
from training.views import evaluations as views

pytestmark = pytest.mark.django_db

URL = reverse("training:my_trainings")


def turkish(msgid: str) -> str:
    with translation.override("tr"):
        return translation.gettext(msgid)


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, unit="ALO153", first_name="Burak", last_name="Öztürk")


def test_sessions_hours_certificates_and_the_evaluate_button(client, agent, held_session, make_session,
                                                             make_course, coordinator):
    held = held_session(present=[agent], course=make_course(title="Etkili İletişim"), hours=Decimal("2.5"),
                        start=timezone.now() - timedelta(days=3))
    missed = held_session(absent=[agent], present=[coordinator], course=make_course(title="KVKK Farkındalık"),
                          start=timezone.now() - timedelta(days=10))
    upcoming = make_session(course=make_course(title="Zor Müşteri Yönetimi"),
                            start=timezone.now() + timedelta(days=5))
    services.session_invite(session=upcoming, people=[agent], user=coordinator)
    certificate = Certificate.objects.get(attendance__person=agent)

    content = page(client, agent)
    for session in (held, missed, upcoming):
        assert session.code in content
    assert "Zor Müşteri Yönetimi" in content and "Eğitim Salonu" in content
    assert reverse("training:evaluation_form", args=[held.pk]) in content
    assert reverse("training:evaluation_form", args=[missed.pk]) not in content  # absent: nothing to evaluate
    assert reverse("training:certificate_pdf", args=[certificate.pk]) in content
    assert certificate.number in content
    assert Certificate.objects.count() == 2  # the coordinator's, which is not on this page
    other = Certificate.objects.exclude(pk=certificate.pk).get()
    assert other.number not in content
    assert "2,5" in content  # total hours: only the session attended
    assert turkish("Absent") in content or "Katılmadı" in content


def test_an_evaluated_session_has_no_button_and_a_revoked_certificate_no_link(client, agent, held_session,
                                                                             coordinator):
    session = held_session(present=[agent])
    services.evaluation_submit(session=session, user=agent, content=4, trainer=4, materials=4, usefulness=4)
    row = Attendance.objects.get(session=session, person=agent)
    certificate = Certificate.objects.get(attendance=row)
    services.attendance_correct(attendance=row, user=coordinator, status="absent", reason="Yanlış işaretlenmiş.")
    content = page(client, agent)
    assert reverse("training:certificate_pdf", args=[certificate.pk]) not in content
    with translation.override("tr"):
        assert translation.pgettext("certificate", "Revoked") in content
    # The evaluation link leads to the read-only evaluation, not to a form to fill.
    assert 'class="button button-small tev-button"' not in content


def test_required_courses_show_completed_expired_and_due(client, agent, held_session, make_course):
    expired = make_course(title="KVKK Yenileme", is_mandatory=True, validity_months=12)
    done = make_course(title="Kalite Yönetim Sistemi", is_mandatory=True)
    make_course(title="Oryantasyon", is_mandatory=True)
    make_course(title="Seçmeli Konu")  # not mandatory: not listed
    held_session(present=[agent], course=expired, start=timezone.now() - timedelta(days=400))
    held_session(present=[agent], course=done, start=timezone.now() - timedelta(days=20))
    content = page(client, agent)
    with translation.override("tr"):
        labels = {state: str(label) for state, label in views.queries.CompetenceState.LABELS.items()}
    section = content.split('id="my-required"')[1]
    assert "KVKK Yenileme" in section and labels["expired"] in section
    assert "Kalite Yönetim Sistemi" in section and labels["completed"] in section
    assert "Oryantasyon" in section and labels["due"] in section
    assert "Seçmeli Konu" not in section


def test_a_person_sees_only_their_own_record(client, agent, make_user, held_session):
    colleague = make_user(Role.AGENT, unit="ALO153", first_name="Fatma", last_name="Kurt")
    mine = held_session(present=[agent])
    theirs = held_session(present=[colleague])
    content = page(client, agent)
    assert mine.code in content and theirs.code not in content


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.TRAINING_COORDINATOR,
                                  Role.TOP_MANAGEMENT])
def test_every_signed_in_role_has_the_page_and_the_menu_item(client, make_user, role):
    user = make_user(role, unit="ALO153")
    page(client, user)
    request = RequestFactory().get("/admin/")
    request.user = user
    [my_item] = [item for item in views.menu_items() if item.name == "training-my"]
    assert my_item.is_shown(request)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_results_and_certificates_menu_follow_the_records_permission(make_user):
    request = RequestFactory().get("/admin/")
    items = {item.name: item for item in views.menu_items()}
    request.user = make_user(Role.STAFF, unit="KSB")
    assert not items["training-results"].is_shown(request)
    assert not items["training-certificates"].is_shown(request)
    assert not items["training-effectiveness"].is_shown(request)
    request.user = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    assert items["training-results"].is_shown(request) and items["training-effectiveness"].is_shown(request)


def bulk_record(person, course, count: int, *, year: int) -> None:
    """`count` finalised sessions with `person` present and certified (straight rows: this test
    measures reading)."""
    sessions = Session.objects.bulk_create([
        Session(course=course, year=year, number=1000 + i, state=SessionState.FINALISED,
                starts_at=timezone.make_aware(datetime(year, 1 + i % 12, 1 + i % 27, 9)),
                ends_at=timezone.make_aware(datetime(year, 1 + i % 12, 1 + i % 27, 11)),
                finalised_at=timezone.now(), place="Salon", external_trainer="Dış Eğitmen", hours=Decimal("2"))
        for i in range(count)
    ])
    rows = Attendance.objects.bulk_create([
        Attendance(session=s, person=person, status="present", confirmed=True) for s in sessions])
    Certificate.objects.bulk_create([
        Certificate(attendance=a, number=f"EGT-{year}-T{a.pk:03d}-XXXX", holder_name="Burak Öztürk",
                    course_title=course.title, completed_on=a.session.starts_at.date(), hours=Decimal("2"))
        for a in rows])


def test_the_page_reads_a_fixed_number_of_queries(client, agent, make_course):
    course = make_course(title="Toplu Eğitim", is_mandatory=True)
    client.force_login(agent)
    client.get(URL)  # warm the caches (site, permissions)
    counts = []
    for count in (10, 90):
        bulk_record(agent, course, count, year=2020 + count // 10)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_form_is_no_longer_asked_for_long_after_the_session(client, agent, held_session):
    recent = held_session(present=[agent], start=timezone.now() - timedelta(days=3))
    old = held_session(present=[agent], start=timezone.now() - timedelta(days=200))
    Session.objects.filter(pk=old.pk).update(finalised_at=timezone.now() - timedelta(days=199))
    content = page(client, agent)
    assert reverse("training:evaluation_form", args=[recent.pk]) in content
    assert reverse("training:evaluation_form", args=[old.pk]) not in content
    # Not forbidden, only no longer asked for: the form still opens from its address.
    assert 'name="content"' in client.get(reverse("training:evaluation_form", args=[old.pk])).content.decode()
