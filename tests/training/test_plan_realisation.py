"""Plan realisation: held vs planned at a date, line by line."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import PlanItem, PlanState, TrainingPlan
from training.queries import plan_realisation, repetition_shortfalls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def plan(make_course):
    plan = TrainingPlan.objects.create(year=2026)
    kvkk, quality, diction = make_course(title="KVKK"), make_course(title="Kalite"), make_course(title="Diksiyon")
    PlanItem.objects.create(plan=plan, course=kvkk, month=2, sessions=1)
    PlanItem.objects.create(plan=plan, course=quality, month=3, sessions=2)
    PlanItem.objects.create(plan=plan, course=diction, month=9, sessions=1)
    return plan


def _held(held_session, make_user, item, start):
    person = make_user(Role.AGENT, unit="ALO153")
    return held_session(present=[person], course=item.course, plan_item=item, start=start)


def test_realisation_counts_lines_due_by_the_date(plan, held_session, make_user):
    kvkk, quality, diction = plan.items.order_by("month")
    _held(held_session, make_user, kvkk, at(2026, 2, 10))
    _held(held_session, make_user, quality, at(2026, 3, 5))
    # Before March: only February's line is due, and it was held.
    r = plan_realisation(plan, date(2026, 2, 28))
    assert (r.planned, r.held, r.percent) == (1, 1, 100)
    # In June: February (1 of 1) and March (1 of 2) are due.
    r = plan_realisation(plan, date(2026, 6, 30))
    assert (r.planned, r.held, r.percent) == (3, 2, 67)
    assert (r.planned_year, r.held_year) == (4, 2)
    # After the year: every line is due.
    r = plan_realisation(plan, date(2027, 1, 15))
    assert (r.planned, r.held, r.percent) == (4, 2, 50)


def test_sessions_after_the_date_or_not_finalised_do_not_count(plan, held_session, make_session, make_user):
    kvkk = plan.items.get(month=2)
    _held(held_session, make_user, kvkk, at(2026, 2, 20))
    make_session(course=kvkk.course, plan_item=kvkk, start=at(2026, 2, 3))  # planned, never finalised
    assert plan_realisation(plan, date(2026, 2, 19)).held == 0
    assert plan_realisation(plan, date(2026, 2, 20)).held == 1


def test_extra_sessions_of_one_line_do_not_make_up_for_another(plan, held_session, make_user):
    kvkk = plan.items.get(month=2)
    for day in (3, 10, 17):
        _held(held_session, make_user, kvkk, at(2026, 2, day))
    r = plan_realisation(plan, date(2026, 3, 31))
    assert (r.planned, r.held) == (3, 1)  # KVKK 1 of 1 (3 held), quality 0 of 2
    line = next(line for line in r.lines if line.item == kvkk)
    assert (line.held, line.realised) == (3, 1)


def test_unplanned_sessions_are_counted_apart(plan, held_session, make_user, make_course):
    held_session(present=[make_user(Role.AGENT, unit="ALO153")], course=make_course(), start=at(2026, 4, 1))
    r = plan_realisation(plan, date(2026, 12, 31))
    assert r.unplanned == 1 and r.held == 0


def test_a_plan_with_nothing_due_has_no_percentage(plan):
    assert plan_realisation(plan, date(2026, 1, 15)).percent is None


def test_repetition_shortfall(make_course, held_session, make_user):
    quality = make_course(title="Kalite Yönetim Sistemi", min_sessions_per_year=3)
    for month in (2, 6):
        held_session(present=[make_user(Role.AGENT, unit="ALO153")], course=quality, start=at(2026, month, 1))
    held_session(present=[make_user(Role.AGENT, unit="ALO153")], course=quality, start=at(2025, 12, 1))
    assert [(s["course"], s["held"], s["minimum"]) for s in repetition_shortfalls(2026)] == [(quality, 2, 3)]
    held_session(present=[make_user(Role.AGENT, unit="ALO153")], course=quality, start=at(2026, 9, 1))
    assert repetition_shortfalls(2026) == []


def test_only_the_management_representative_approves(plan, make_user):
    for role in (Role.TRAINING_COORDINATOR, Role.TOP_MANAGEMENT, Role.UNIT_MANAGER, Role.STAFF):
        with pytest.raises(PermissionDenied):
            services.plan_approve(plan=plan, user=make_user(role))
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    services.plan_approve(plan=plan, user=mr)
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.approved_by == mr and plan.approved_at
    with pytest.raises(ValidationError, match="already approved"):
        services.plan_approve(plan=plan, user=mr)
    with pytest.raises(ValidationError):
        plan.delete()


def test_an_empty_plan_is_not_approved(make_user):
    plan = TrainingPlan.objects.create(year=2027)
    with pytest.raises(ValidationError, match="empty plan"):
        services.plan_approve(plan=plan, user=make_user(Role.MANAGEMENT_REPRESENTATIVE))


def test_lines_added_after_approval_are_marked(plan, make_user, make_course, coordinator):
    services.plan_approve(plan=plan, user=make_user(Role.MANAGEMENT_REPRESENTATIVE))
    item = services.plan_add_item(plan=plan, course=make_course(), month=11, user=coordinator)
    assert item.added_after_approval
    again = services.plan_add_item(plan=plan, course=item.course, month=11, user=coordinator)
    assert again.pk == item.pk and again.sessions == 2
    with pytest.raises(ValidationError, match="1 to 12"):
        services.plan_add_item(plan=plan, course=item.course, month=13, user=coordinator)
    with pytest.raises(PermissionDenied):
        services.plan_add_item(plan=plan, course=item.course, month=5, user=make_user(Role.STAFF))


def test_an_approved_plan_keeps_its_state_and_its_lines_whatever_the_path(plan, make_user):
    services.plan_approve(plan=plan, user=make_user(Role.MANAGEMENT_REPRESENTATIVE))
    plan.refresh_from_db()
    plan.state = PlanState.DRAFT
    with pytest.raises(ValidationError, match="stays approved"):
        plan.save()
    with pytest.raises(ValidationError, match="approved"):
        plan.items.first().delete()
    assert TrainingPlan.objects.get(pk=plan.pk).state == PlanState.APPROVED and plan.items.count() == 3


def test_a_session_delivers_a_line_of_its_own_years_plan(plan, make_session):
    from training.models import Session

    line = plan.items.get(month=2)
    session = Session(course=line.course, plan_item=line, starts_at=at(2027, 2, 3), ends_at=at(2027, 2, 3, 12),
                      place="Salon", external_trainer="Dış Eğitim A.Ş.")
    with pytest.raises(ValidationError, match="2026 plan; the session is held in 2027"):
        session.full_clean()
