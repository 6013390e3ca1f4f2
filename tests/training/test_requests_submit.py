"""The training request form (Eğitim Talep Formu): anyone asks, for a catalogue course or a free topic,
with a reason; bad input comes back with its reason and nothing is saved; "My requests" lists one's
own requests with their state and decision, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from qms.roles import Role
from training import services
from training.models import RequestState, TrainingPlan, TrainingRequest

pytestmark = pytest.mark.django_db

ADD = reverse("training:request_add")
MINE = reverse("training:request_mine")


def tr(text: str) -> str:
    with translation.override("tr"):
        return translation.gettext(text)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_ask_for_a_training(client, make_user, role):
    person = make_user(role, unit="ALO153")
    client.force_login(person)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, {"course": "", "topic": "Zor müşteriyle iletişim", "reason": "Şikâyet artışı",
                                 "participants": "6"})
    assert response.status_code == 302 and response["Location"] == MINE
    request = TrainingRequest.objects.get()
    assert (request.requested_by, request.unit.code, request.topic, request.participants, request.state) == (
        person, "ALO153", "Zor müşteriyle iletişim", 6, RequestState.SUBMITTED)
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(request.pk)).exists()


def test_a_catalogue_course_can_be_asked_for(client, make_user, make_course):
    course = make_course(title="KVKK Farkındalık")
    client.force_login(make_user(Role.STAFF))
    assert client.get(ADD, {"course": course.pk}).context["form"]["course"].value() == str(course.pk)
    client.post(ADD, {"course": course.pk, "topic": "", "reason": "Yeni göreve başladım", "participants": "1"})
    assert TrainingRequest.objects.get().course == course


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"topic": "Excel", "reason": "  ", "participants": "1"}, "reason", "Say why the training is needed."),
    ({"topic": "", "reason": "Gerekli", "participants": "1"}, "topic",
     "Choose a course or describe the training you need."),
    ({"topic": "Excel", "reason": "Gerekli", "participants": "0"}, "participants", None),
    ({"topic": "Excel", "reason": "Gerekli", "participants": "9999"}, "participants", None),
])
def test_bad_input_is_refused_with_its_reason(client, make_user, data, field, message):
    client.force_login(make_user(Role.STAFF))
    response = client.post(ADD, {"course": "", **data})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [tr(message)]
    assert tr("The request was not sent; correct the fields marked below.") in response.content.decode()
    assert not TrainingRequest.objects.exists()


def test_a_retired_course_cannot_be_asked_for(client, make_user, make_course):
    retired = make_course(is_active=False)
    client.force_login(make_user(Role.STAFF))
    response = client.post(ADD, {"course": retired.pk, "reason": "x", "participants": "1"})
    assert response.status_code == 200 and response.context["form"].errors["course"]
    assert not TrainingRequest.objects.exists()


def test_my_requests_show_only_my_own_with_the_decision(client, make_user, make_course, coordinator):
    me = make_user(Role.AGENT, unit="ALO153")
    colleague = make_user(Role.AGENT, unit="ALO153")
    plan = TrainingPlan.objects.create(year=2031)
    course = make_course(title="Diksiyon")
    accepted = services.request_submit(user=me, topic="Diksiyon", reason="Telefonda anlaşılmıyor")
    services.request_accept(request=accepted, user=coordinator, plan=plan, month=4, course=course, note="Nisan'da")
    declined = services.request_submit(user=me, topic="Yabancı dil", reason="Turist aramaları")
    services.request_decline(request=declined, user=coordinator, reason="Dış kaynaklı kurs planlanmadı")
    services.request_submit(user=colleague, topic="Stres yönetimi", reason="Yoğun vardiya")
    client.force_login(me)
    html = client.get(MINE).content.decode()
    assert "Diksiyon" in html and "Nisan 2031" in html and "Nisan&#x27;da" in html
    assert "Dış kaynaklı kurs planlanmadı" in html
    assert "Stres yönetimi" not in html
    assert html.count("trp-badge--accepted") == 1 and html.count("trp-badge--declined") == 1


def test_my_requests_run_the_same_queries_for_10_and_100(client, make_user):
    me = make_user(Role.STAFF)
    client.force_login(me)

    def make(count):
        TrainingRequest.objects.bulk_create([
            TrainingRequest(requested_by=me, unit=me.staff_profile.unit, topic=f"Konu {i}", reason="Gerekli")
            for i in range(count)])

    make(10)
    client.get(MINE)
    with CaptureQueriesContext(connection) as few:
        client.get(MINE)
    make(90)
    with CaptureQueriesContext(connection) as many:
        response = client.get(MINE)
    assert len(response.context["rows"]) == 50
    assert len(many) == len(few)
