"""Plan lines and plan years: the coordinator adds a course to a month (lines added after approval
are marked), removes a line only while the plan is a draft and nothing points at it, and opens next
year's plan, optionally with this year's lines. Everyone else is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from qms.roles import Role
from training import services
from training.models import PlanItem, PlanState, TrainingPlan, TrainingRequest

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def tr(text: str) -> str:
    with translation.override("tr"):
        return translation.gettext(text)


@pytest.fixture
def plan(db):
    return TrainingPlan.objects.create(year=YEAR)


@pytest.fixture
def course(make_course):
    return make_course(code="EĞT-KVKK", title="KVKK Farkındalık")


def add(client, course, month=3, sessions=2, note=""):
    return client.post(reverse("training:plan_item_add", args=[YEAR]),
                       {"course": course.pk, "month": month, "sessions": sessions, "note": note})


def test_the_coordinator_adds_a_course_to_a_month(client, plan, course, coordinator):
    client.force_login(coordinator)
    response = add(client, course, month=3, sessions=2, note="Çağrı merkezi ekibi")
    assert response.status_code == 302
    item = plan.items.get()
    assert (item.course, item.month, item.sessions, item.note, item.added_after_approval) == (
        course, 3, 2, "Çağrı merkezi ekibi", False)
    add(client, course, month=3, sessions=1)  # the same month again adds sessions to the line
    item.refresh_from_db()
    assert item.sessions == 3 and plan.items.count() == 1
    assert ModelLogEntry.objects.filter(object_id=str(plan.pk), action="wagtail.edit").count() == 2


def test_bad_input_comes_back_on_the_form_and_saves_nothing(client, plan, course, make_course, coordinator):
    client.force_login(coordinator)
    retired = make_course(title="Eski", is_active=False)
    for data in ({"course": course.pk, "month": 13, "sessions": 1}, {"course": course.pk, "month": 2, "sessions": 0},
                 {"course": retired.pk, "month": 2, "sessions": 1}, {"month": 2, "sessions": 1}):
        response = client.post(reverse("training:plan_item_add", args=[YEAR]), data)
        assert response.status_code == 200
        assert response.context["add_form"].errors
        assert "error-message" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_a_line_added_after_approval_is_marked(client, plan, course, make_course, coordinator, make_user):
    PlanItem.objects.create(plan=plan, course=make_course(title="Kalite"), month=2)
    services.plan_approve(plan=plan, user=make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM"))
    client.force_login(coordinator)
    add(client, course, month=11)
    item = plan.items.get(course=course)
    assert item.added_after_approval
    html = client.get(reverse("training:plan_year", args=[YEAR])).content.decode()
    assert tr("Added after approval") in html
    assert html.count('class="trp-cell__mark"') == 1


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR, Role.UNIT_MANAGER, Role.STAFF])
def test_others_cannot_add_or_remove_lines(client, plan, course, make_user, role):
    line = PlanItem.objects.create(plan=plan, course=course, month=4)
    client.force_login(make_user(role, unit="ÇMŞ"))
    response = add(client, course, month=5)
    assert response.status_code == 403
    assert tr("Only the training coordinator changes the training plan.") in response.content.decode()
    assert client.post(reverse("training:plan_item_remove", args=[line.pk])).status_code == 403
    assert list(plan.items.values_list("month", flat=True)) == [4]


def test_a_draft_line_is_removed(client, plan, course, coordinator):
    line = PlanItem.objects.create(plan=plan, course=course, month=4)
    client.force_login(coordinator)
    response = client.post(reverse("training:plan_item_remove", args=[line.pk]))
    assert response.status_code == 302
    assert not plan.items.exists()
    assert ModelLogEntry.objects.filter(object_id=str(plan.pk), action="wagtail.edit").exists()
    assert client.get(reverse("training:plan_item_remove", args=[line.pk])).status_code == 405


def test_an_approved_plans_lines_stay(client, plan, course, coordinator, make_user):
    line = PlanItem.objects.create(plan=plan, course=course, month=4)
    services.plan_approve(plan=plan, user=make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM"))
    client.force_login(coordinator)
    html = client.get(reverse("training:plan_year", args=[YEAR])).content.decode()
    assert reverse("training:plan_item_remove", args=[line.pk]) not in html
    response = client.post(reverse("training:plan_item_remove", args=[line.pk]), follow=True)
    assert tr("The plan is approved: its lines stay as approved. Only a draft plan's lines are removed.") in (
        response.content.decode())
    assert plan.items.filter(pk=line.pk).exists()


def test_a_line_a_session_delivers_stays(client, plan, course, coordinator, make_session):
    line = PlanItem.objects.create(plan=plan, course=course, month=4)
    session = make_session(course=course, plan_item=line, start=timezone.now() + timedelta(days=3))
    client.force_login(coordinator)
    html = client.get(reverse("training:plan_year", args=[YEAR])).content.decode()
    assert reverse("training:plan_item_remove", args=[line.pk]) not in html
    assert tr("a session delivers it") in html
    response = client.post(reverse("training:plan_item_remove", args=[line.pk]), follow=True)
    assert session.code in response.content.decode()
    assert plan.items.filter(pk=line.pk).exists()


def test_a_line_a_request_was_accepted_into_stays(client, plan, course, coordinator, make_user):
    staff = make_user(Role.STAFF)
    request = services.request_submit(user=staff, course=course, reason="Yeni başlayanlar var")
    services.request_accept(request=request, user=coordinator, plan=plan, month=6)
    line = plan.items.get()
    client.force_login(coordinator)
    response = client.post(reverse("training:plan_item_remove", args=[line.pk]), follow=True)
    assert tr("A training request was accepted into this line; it cannot be removed.") in response.content.decode()
    assert TrainingRequest.objects.get().plan_item == line


def test_the_coordinator_opens_next_years_plan_with_this_years_lines(client, plan, course, make_course,
                                                                     coordinator):
    retired = make_course(title="Eski Santral", is_active=False)
    PlanItem.objects.create(plan=plan, course=course, month=3, sessions=2, note="Tüm personel")
    PlanItem.objects.create(plan=plan, course=retired, month=5)
    client.force_login(coordinator)
    response = client.post(reverse("training:plan_create", args=[YEAR + 1]), {"copy": "on"})
    assert response.status_code == 302
    following = TrainingPlan.objects.get(year=YEAR + 1)
    assert following.state == PlanState.DRAFT
    assert list(following.items.values_list("course__code", "month", "sessions", "note",
                                            "added_after_approval")) == [("EĞT-KVKK", 3, 2, "Tüm personel", False)]
    again = client.post(reverse("training:plan_create", args=[YEAR + 1]), follow=True)
    assert tr("There is already a training plan for %(year)s.") % {"year": YEAR + 1} in again.content.decode()
    assert TrainingPlan.objects.filter(year=YEAR + 1).count() == 1


def test_a_plan_opens_empty_without_copying(client, plan, course, coordinator):
    PlanItem.objects.create(plan=plan, course=course, month=3)
    client.force_login(coordinator)
    client.post(reverse("training:plan_create", args=[YEAR + 1]))
    assert not TrainingPlan.objects.get(year=YEAR + 1).items.exists()


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.STAFF, Role.UNIT_MANAGER])
def test_others_cannot_open_a_plan_year(client, make_user, role):
    client.force_login(make_user(role, unit="ÇMŞ"))
    response = client.post(reverse("training:plan_create", args=[YEAR + 2]))
    assert response.status_code == 403
    assert tr("Only the training coordinator prepares the training plan.") in response.content.decode()
    assert not TrainingPlan.objects.exists()
