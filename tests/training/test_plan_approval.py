"""Approving the annual plan: only the management representative, after a confirmation page; an
empty plan and a second approval are refused with the reason, and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from qms.roles import Role
from training.models import PlanItem, PlanState, TrainingPlan

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def mr(make_user):
    return make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", first_name="Ayşe", last_name="Yıldırım")


@pytest.fixture
def plan(make_course):
    plan = TrainingPlan.objects.create(year=YEAR)
    PlanItem.objects.create(plan=plan, course=make_course(title="KVKK"), month=3, sessions=2)
    PlanItem.objects.create(plan=plan, course=make_course(title="Kalite"), month=5, sessions=1)
    return plan


def tr(text: str) -> str:
    with translation.override("tr"):
        return translation.gettext(text)


APPROVE = reverse("training:plan_approve", args=[YEAR])


def test_the_management_representative_confirms_then_approves(client, plan, mr):
    client.force_login(mr)
    page = client.get(APPROVE)
    assert page.status_code == 200
    assert f"{YEAR} planında 2 satır var (2 eğitim, 3 oturum)." in page.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT  # looking at the confirmation changes nothing
    response = client.post(APPROVE)
    assert response.status_code == 302 and response["Location"] == reverse("training:plan_year", args=[YEAR])
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.approved_by == mr and plan.approved_at is not None
    assert ModelLogEntry.objects.filter(action="qms.transition", object_id=str(plan.pk), user=mr).exists()
    html = client.get(reverse("training:plan_year", args=[YEAR])).content.decode()
    when = timezone.localtime(plan.approved_at).strftime("%d.%m.%Y %H:%M")
    assert f"{when} tarihinde Ayşe Yıldırım tarafından onaylandı." in html
    assert APPROVE not in html  # no second approve button


@pytest.mark.parametrize("role", [Role.TRAINING_COORDINATOR, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR,
                                  Role.UNIT_MANAGER, Role.STAFF])
def test_nobody_else_approves(client, plan, make_user, role):
    client.force_login(make_user(role, unit="KSB"))
    for response in (client.get(APPROVE), client.post(APPROVE)):
        assert response.status_code == 403
        assert "Eğitim planını yalnızca yönetim temsilcisi onaylar." in response.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.approved_by is None


def test_the_coordinator_sees_no_approve_button(client, plan, coordinator):
    client.force_login(coordinator)
    assert APPROVE not in client.get(reverse("training:plan_year", args=[YEAR])).content.decode()


def test_approving_twice_is_refused(client, plan, mr):
    client.force_login(mr)
    client.post(APPROVE)
    plan.refresh_from_db()
    first = plan.approved_at
    response = client.post(APPROVE)
    assert response.status_code == 200
    assert tr("This plan is already approved.") in response.content.decode()
    plan.refresh_from_db()
    assert plan.approved_at == first
    assert ModelLogEntry.objects.filter(action="qms.transition", object_id=str(plan.pk)).count() == 1


def test_an_empty_plan_is_not_approved(client, mr):
    empty = TrainingPlan.objects.create(year=YEAR + 1)
    client.force_login(mr)
    response = client.post(reverse("training:plan_approve", args=[YEAR + 1]))
    assert response.status_code == 200
    assert tr("An empty plan cannot be approved; add the planned courses first.") in response.content.decode()
    empty.refresh_from_db()
    assert empty.state == PlanState.DRAFT and empty.approved_at is None


def test_a_year_without_a_plan_has_nothing_to_approve(client, mr):
    client.force_login(mr)
    assert client.get(reverse("training:plan_approve", args=[YEAR + 3])).status_code == 404
