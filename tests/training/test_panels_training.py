"""The dashboard's training panels: each shown to those it concerns, holding what they may see
(a unit manager: their units), and rendered with a fixed number of queries whatever the number of
people, sessions and evaluations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import TrainingPlan
from training.panels import CompliancePanel, MyTrainingPanel, OrientationPanel, PlanPanel

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
PANEL_IDS = {
    "mine": 'id="training-mine-section"',
    "plan": 'id="training-plan-section"',
    "orientation": 'id="training-orientation-section"',
    "compliance": 'id="training-compliance-section"',
}


def shown(client) -> set[str]:
    html = client.get(ADMIN).content.decode()
    return {name for name, marker in PANEL_IDS.items() if marker in html}


def section(html: str, name: str) -> str:
    start = html.index(PANEL_IDS[name])
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.MANAGEMENT_REPRESENTATIVE, {"mine", "plan", "orientation", "compliance"}),
        (Role.TRAINING_COORDINATOR, {"mine", "plan", "orientation", "compliance"}),
        (Role.UNIT_MANAGER, {"mine", "orientation", "compliance"}),
        (Role.TOP_MANAGEMENT, {"mine", "compliance"}),
        (Role.INTERNAL_AUDITOR, {"mine", "compliance"}),
        (Role.QA_EVALUATOR, {"mine"}),
        (Role.AGENT, {"mine"}),
        (Role.STAFF, {"mine"}),
    ],
)
def test_each_panel_is_shown_to_those_it_concerns(role_client, role, expected):
    assert shown(role_client(role, unit="ÇMŞ")) == expected


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def test_the_plan_panel_shows_realisation_and_this_months_sessions(role_client, make_course, make_session,
                                                                    held_session, coordinator, make_user):
    today = timezone.localdate()
    course = make_course(title="Kalite Yönetim Sistemi Eğitimi")
    plan = TrainingPlan.objects.create(year=today.year)
    line = plan.items.create(course=course, month=today.month, sessions=2)
    held_session(present=[make_user(Role.AGENT, unit="ALO153")], course=course, plan_item=line,
                 start=timezone.now() - timedelta(hours=2))
    upcoming = make_session(course=course, start=timezone.now() + timedelta(minutes=5))
    client = role_client(Role.TRAINING_COORDINATOR, unit="KSB")
    html = section(client.get(ADMIN).content.decode(), "plan")
    assert "%50" in html  # 1 of the 2 planned sessions of this month
    assert upcoming.code in html and reverse("training:session_detail", args=[upcoming.pk]) in html
    assert "Plan henüz onaylanmadı." in html


def test_the_plan_panel_without_a_plan(role_client):
    html = section(role_client(Role.TRAINING_COORDINATOR, unit="KSB").get(ADMIN).content.decode(), "plan")
    assert "henüz eğitim planı yok" in html


def _hire(make_user, days, unit="ALO153", role=Role.AGENT, **fields):
    user = make_user(role, unit=unit, **fields)
    user.staff_profile.hire_date = timezone.localdate() - timedelta(days=days)
    user.staff_profile.save()
    return user


def test_the_orientation_panel_counts_the_overdue_in_the_readers_scope(client, make_user, make_course):
    make_course(is_orientation=True, title="Oryantasyon Eğitimi")
    _hire(make_user, 50, first_name="Deniz", last_name="Aktaş")
    _hire(make_user, 10, first_name="Cem", last_name="Özkan")
    _hire(make_user, 45, unit="KSB", role=Role.STAFF, first_name="Nazlı", last_name="Gök")
    client.force_login(make_user(Role.UNIT_MANAGER, unit="ÇMŞ"))
    html = section(client.get(ADMIN).content.decode(), "orientation")
    assert "Deniz Aktaş" in html and "20 gün" in html
    assert "Nazlı Gök" not in html  # KSB is not under ÇMŞ
    assert "Cem Özkan" not in html  # still within the 30 days: counted, not listed
    assert "1 kişinin süresi ise devam ediyor" in html


def test_the_compliance_panel_of_a_unit_manager_holds_their_units(client, make_user, make_course, held_session):
    kvkk = make_course(is_mandatory=True, validity_months=12)
    done = make_user(Role.AGENT, unit="ALO153")
    make_user(Role.AGENT, unit="ALO153")
    make_user(Role.STAFF, unit="KSB")
    held_session(present=[done], course=kvkk, start=days_ago(3))
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    held_session(present=[manager], course=kvkk, start=days_ago(3))
    client.force_login(manager)
    html = section(client.get(ADMIN).content.decode(), "compliance")
    assert "Çağrı Merkezi Birimi" in html and "Karşılama ve Sonuç Birimi" not in html
    assert "%67" in html  # 2 of 3 (the manager and `done`)


def test_my_training_panel_lists_forms_to_fill_expiring_courses_and_reviews_owed(
        client, make_user, make_course, held_session):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ", first_name="Gülşen", last_name="Aydın")
    agent = make_user(Role.AGENT, unit="ALO153", first_name="Zehra", last_name="Önal")
    kvkk = make_course(title="KVKK Farkındalık", is_mandatory=True, validity_months=12)
    held_session(present=[manager], course=kvkk, start=days_ago(350))  # expires within 30 days
    session = held_session(present=[agent, manager], course=make_course(title="Öfke Yönetimi"), start=days_ago(2))
    review = agent.training_attendances.get(session=session).effectiveness_review
    review.due_date = timezone.localdate() + timedelta(days=3)
    review.save()
    client.force_login(manager)
    html = section(client.get(ADMIN).content.decode(), "mine")
    assert "Öfke Yönetimi" in html and reverse("training:evaluation_form", args=[session.pk]) in html
    assert "KVKK Farkındalık" in html and "Süresi yakında doluyor" in html
    assert "Zehra Önal" in html and reverse("training:effectiveness_form", args=[review.pk]) in html
    client.force_login(agent)
    html = section(client.get(ADMIN).content.decode(), "mine")
    assert "Öfke Yönetimi" in html and "Zehra Önal" not in html


def test_my_training_panel_with_nothing_pending(role_client):
    html = section(role_client(Role.AGENT, unit="ALO153").get(ADMIN).content.decode(), "mine")
    assert "Bekleyen işiniz yok" in html
    assert reverse("training:my_trainings") in html


def test_an_evaluation_submitted_leaves_the_panel(client, make_user, make_course, held_session):
    agent = make_user(Role.AGENT, unit="ALO153")
    session = held_session(present=[agent], course=make_course(title="Diksiyon"), start=days_ago(1))
    services.evaluation_submit(session=session, user=agent, content=5, trainer=5, materials=4, usefulness=5)
    client.force_login(agent)
    assert "Diksiyon" not in section(client.get(ADMIN).content.decode(), "mine")


def _render(panel, user) -> tuple[str, int]:
    request = RequestFactory().get(ADMIN)
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        html = panel.render_html({"request": request})
    return html, len(queries)


def _populate(n, make_user, make_course, held_session, make_session, coordinator, manager, start):
    """n agents under the manager: new hires past orientation, a finalised session they all attended
    (evaluations pending, reviews owed by the manager) and a session planned this month."""
    today = timezone.localdate()
    people = [_hire(make_user, 40 + i % 20, username=f"p{start + i}") for i in range(n)]
    course = make_course(is_mandatory=True, validity_months=12)
    held_session(present=[*people, manager], course=course, start=days_ago(350), capacity=n + 5)
    for review in manager.training_reviews_to_do.all():
        review.due_date = today
        review.save()
    upcoming = make_session(course=course, start=timezone.now() + timedelta(minutes=10), capacity=n + 5)
    services.session_invite(session=upcoming, people=people, user=coordinator)
    return people


@pytest.mark.parametrize("panel_class", [PlanPanel, OrientationPanel, CompliancePanel, MyTrainingPanel])
def test_each_panel_runs_a_fixed_number_of_queries(panel_class, make_user, make_course, held_session, make_session,
                                                   coordinator):
    make_course(is_orientation=True, code="ORY")
    TrainingPlan.objects.create(year=timezone.localdate().year)
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    reader = manager if panel_class is not PlanPanel else coordinator
    _populate(10, make_user, make_course, held_session, make_session, coordinator, manager, 0)
    _render(panel_class(), reader)
    html_ten, ten = _render(panel_class(), reader)
    _populate(90, make_user, make_course, held_session, make_session, coordinator, manager, 100)
    html_hundred, hundred = _render(panel_class(), reader)
    assert hundred == ten, panel_class.__name__
    assert html_hundred
