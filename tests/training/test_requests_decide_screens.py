"""Deciding a training request on its page: the coordinator accepts it into a plan month (choosing the
course for a free topic) or declines it with a reason; the requester gets an e-mail either way.
Declining without a reason, deciding twice and deciding without the right are refused, and nothing
changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from qms.roles import Role
from training import services
from training.models import PlanState, RequestState, TrainingPlan, TrainingRequest

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def tr(text: str) -> str:
    with translation.override("tr"):
        return translation.gettext(text)


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF, unit="KSB", first_name="İbrahim", last_name="Arslan", email="ibrahim@example.org")


@pytest.fixture
def plan(db):
    return TrainingPlan.objects.create(year=YEAR)


@pytest.fixture
def free_topic(staff):
    return services.request_submit(user=staff, topic="Excel ile raporlama", reason="Aylık raporlar elle yapılıyor",
                                   participants=4)


def url(name, request):
    return reverse(f"training:{name}", args=[request.pk])


def test_the_coordinator_accepts_a_free_topic_with_a_catalogue_course(client, coordinator, staff, plan, free_topic,
                                                                      make_course, mailoutbox):
    excel = make_course(code="EĞT-EXCEL", title="Ofis Programları: Excel")
    client.force_login(coordinator)
    page = client.get(url("request_detail", free_topic))
    assert "course" in page.context["accept_form"].fields  # a free topic needs the course chosen
    missing = client.post(url("request_accept", free_topic), {"plan": plan.pk, "month": 12})
    assert missing.status_code == 200 and missing.context["accept_form"].errors["course"]
    free_topic.refresh_from_db()
    assert free_topic.state == RequestState.SUBMITTED and not mailoutbox
    response = client.post(url("request_accept", free_topic), {"plan": plan.pk, "month": 12, "course": excel.pk,
                                                                "note": "İki grup halinde"})
    assert response.status_code == 302
    free_topic.refresh_from_db()
    assert free_topic.state == RequestState.ACCEPTED and free_topic.decided_by == coordinator
    assert (free_topic.plan_item.plan, free_topic.plan_item.month, free_topic.plan_item.course) == (plan, 12, excel)
    assert free_topic.topic == "Excel ile raporlama"  # what was asked stays on the record
    [message] = mailoutbox
    assert message.to == ["ibrahim@example.org"]
    assert message.subject == "Eğitim talebiniz kabul edildi"
    assert "Ofis Programları: Excel, Aralık" in message.body and "İki grup halinde" in message.body
    assert reverse("training:request_mine") in message.body
    followed = client.get(url("request_detail", free_topic)).content.decode()
    assert "İbrahim Arslan e-postayla bilgilendirildi." in followed


def test_a_catalogue_request_is_accepted_without_choosing_the_course_again(client, coordinator, staff, plan,
                                                                          make_course, mailoutbox):
    kvkk = make_course(title="KVKK")
    request = services.request_submit(user=staff, course=kvkk, reason="Yeni başladım")
    client.force_login(coordinator)
    assert "course" not in client.get(url("request_detail", request)).context["accept_form"].fields
    client.post(url("request_accept", request), {"plan": plan.pk, "month": 5})
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED and request.plan_item.course == kvkk


def test_accepting_into_an_approved_plan_marks_the_line(client, coordinator, staff, plan, make_course, make_user):
    kvkk = make_course(title="KVKK")
    services.plan_add_item(plan=plan, course=make_course(title="Kalite"), month=1, user=coordinator)
    services.plan_approve(plan=plan, user=make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM"))
    request = services.request_submit(user=staff, course=kvkk, reason="Yeni başladım")
    client.force_login(coordinator)
    client.post(url("request_accept", request), {"plan": plan.pk, "month": 7})
    request.refresh_from_db()
    assert request.plan_item.added_after_approval
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED


def test_declining_needs_a_reason_which_the_requester_reads(client, coordinator, free_topic, mailoutbox):
    client.force_login(coordinator)
    response = client.post(url("request_decline", free_topic), {"reason": "   "})
    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"]
    free_topic.refresh_from_db()
    assert free_topic.state == RequestState.SUBMITTED and not mailoutbox
    response = client.post(url("request_decline", free_topic), {"reason": "Belediye genelinde kurs açılacak."})
    assert response.status_code == 302
    free_topic.refresh_from_db()
    assert free_topic.state == RequestState.DECLINED and free_topic.decision_note == "Belediye genelinde kurs açılacak."
    [message] = mailoutbox
    assert message.subject == "Eğitim talebiniz reddedildi"
    assert "Belediye genelinde kurs açılacak." in message.body and "Emre Şahin" in message.body


def test_deciding_twice_is_refused(client, coordinator, free_topic, plan, make_course, mailoutbox):
    client.force_login(coordinator)
    client.post(url("request_decline", free_topic), {"reason": "Bütçe yok"})
    course = make_course()
    response = client.post(url("request_accept", free_topic), {"plan": plan.pk, "month": 3, "course": course.pk})
    assert response.status_code == 200
    assert tr("This request has already been decided.") in response.content.decode()
    again = client.post(url("request_decline", free_topic), {"reason": "Yine"})
    assert tr("This request has already been decided.") in again.content.decode()
    free_topic.refresh_from_db()
    assert free_topic.state == RequestState.DECLINED and free_topic.decision_note == "Bütçe yok"
    assert not plan.items.exists() and len(mailoutbox) == 1


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_staff_cannot_decide_even_their_own_request(client, make_user, plan, make_course, role):
    person = make_user(role, unit="KSB")
    own = services.request_submit(user=person, topic="Excel", reason="Gerekli")
    client.force_login(person)
    page = client.get(url("request_detail", own))
    assert page.status_code == 200 and page.context["accept_form"] is None
    assert url("request_accept", own) not in page.content.decode()
    for response in (client.post(url("request_accept", own), {"plan": plan.pk, "month": 3,
                                                               "course": make_course().pk}),
                     client.post(url("request_decline", own), {"reason": "Kendi talebim"})):
        assert response.status_code == 403
        assert tr("Only the training coordinator decides training requests.") in response.content.decode()
    own.refresh_from_db()
    assert own.state == RequestState.SUBMITTED


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_readers_of_requests_cannot_decide_them(client, make_user, free_topic, role):
    client.force_login(make_user(role, unit="ÇÖZM"))  # ÇÖZM is above KSB, the requester's unit
    page = client.get(url("request_detail", free_topic))
    assert page.status_code == 200 and not page.context["deciding"]
    assert client.post(url("request_decline", free_topic), {"reason": "x"}).status_code == 403
    free_topic.refresh_from_db()
    assert free_topic.state == RequestState.SUBMITTED


def test_a_request_outside_ones_view_is_not_found(client, make_user, free_topic):
    other = make_user(Role.STAFF, unit="KSB")  # same unit, but staff see only their own
    client.force_login(other)
    assert client.get(url("request_detail", free_topic)).status_code == 404
    assert client.post(url("request_decline", free_topic), {"reason": "x"}).status_code == 404
    outside_manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    client.force_login(outside_manager)
    assert client.get(url("request_detail", free_topic)).status_code == 404
    assert TrainingRequest.objects.get().state == RequestState.SUBMITTED


def test_without_a_plan_for_this_year_the_coordinator_is_sent_to_open_one(client, coordinator, free_topic):
    client.force_login(coordinator)
    html = client.get(url("request_detail", free_topic)).content.decode()
    assert tr("There is no training plan for this year or later to put the request into.") in html
    assert reverse("training:plan_year", args=[YEAR]) in html


def test_a_requester_without_an_e_mail_address_is_not_said_to_be_told(client, coordinator, make_user, mailoutbox):
    quiet = make_user(Role.STAFF, unit="KSB", email="")
    request = services.request_submit(user=quiet, topic="Arşiv", reason="Eski kayıtlar")
    client.force_login(coordinator)
    response = client.post(url("request_decline", request), {"reason": "Birim içi eğitimle karşılanacak"},
                           follow=True)
    assert not mailoutbox
    assert "e-postayla bilgilendirildi" not in response.content.decode()
    assert TrainingRequest.objects.get(pk=request.pk).state == RequestState.DECLINED
