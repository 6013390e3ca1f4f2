"""The training reminder rules: who is reminded of what, from when, when it counts as overdue, that
nobody else is, and that each rule runs the same number of queries for 10 items as for 100."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qms.reminders import registry
from qms.roles import Role
from training import reminders, services

pytestmark = pytest.mark.django_db

User = get_user_model()


def items(rule, today, users=None):
    return list(rule(today=today, users=users))


def only(user):
    return User.objects.filter(pk=user.pk)


@pytest.fixture
def today():
    return timezone.localdate()


def hire(make_user, days, today, unit="ALO153", role=Role.AGENT, **fields):
    user = make_user(role, unit=unit, **fields)
    user.staff_profile.hire_date = today - timedelta(days=days)
    user.staff_profile.save()
    return user


def test_every_rule_is_registered():
    keys = {rule.key for rule in registry.rules()}
    assert {"training.orientation", "training.evaluation_pending", "training.effectiveness_due",
            "training.required_expiring"} <= keys


# --- orientation ------------------------------------------------------------------------------------


def test_orientation_is_due_to_the_new_hire_then_overdue_to_them_their_manager_and_the_coordinators(
        make_user, make_course, coordinator, today):
    make_course(is_orientation=True)
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    new = hire(make_user, 10, today, first_name="Cem", last_name="Özkan")
    late = hire(make_user, 45, today, first_name="Deniz", last_name="Aktaş")
    found = items(reminders.orientation, today)
    by_person = {}
    for item in found:
        by_person.setdefault(item.user_id, []).append(item)
    [mine] = by_person[new.pk]
    assert not mine.overdue and mine.due == today + timedelta(days=20)
    assert mine.url == reverse("training:my_trainings")
    [overdue] = by_person[late.pk]
    assert overdue.overdue and overdue.due == today - timedelta(days=15)
    [to_manager] = by_person[manager.pk]
    assert to_manager.overdue and to_manager.url == reverse("training:orientation")
    assert "Deniz Aktaş" in str(to_manager.title)
    [summary] = by_person[coordinator.pk]
    with translation.override("tr"):
        assert str(summary.title) == "1 yeni personelin oryantasyon süresi geçti"
    with translation.override("en"):
        assert str(summary.title) == "1 new hire is past the orientation deadline"
    assert set(by_person) == {new.pk, late.pk, manager.pk, coordinator.pk}


def test_orientation_completed_is_not_reminded(make_user, make_course, held_session, today):
    course = make_course(is_orientation=True)
    late = hire(make_user, 45, today)
    held_session(present=[late], course=course, start=timezone.now() - timedelta(days=20))
    assert items(reminders.orientation, today) == []


def test_orientation_reminders_go_to_nobody_else(make_user, make_course, coordinator, today):
    make_course(is_orientation=True)
    hire(make_user, 45, today)
    other_manager = make_user(Role.UNIT_MANAGER, unit="ÇÖZM")
    bystander = make_user(Role.AGENT, unit="ALO153")
    assert items(reminders.orientation, today, only(other_manager)) == []
    assert items(reminders.orientation, today, only(bystander)) == []
    assert len(items(reminders.orientation, today, only(coordinator))) == 1


# --- evaluation forms ---------------------------------------------------------------------------------


def test_an_unfilled_form_is_due_for_14_days_then_overdue_then_no_longer_asked(
        make_user, make_course, held_session, today):
    agent = make_user(Role.AGENT, unit="ALO153")
    absent = make_user(Role.AGENT, unit="ALO153")
    session = held_session(present=[agent], absent=[absent], course=make_course(title="Diksiyon"))
    finalised = timezone.localtime(session.finalised_at).date()
    [item] = items(reminders.evaluation_pending, finalised)
    assert item.user_id == agent.pk and not item.overdue
    assert item.due == finalised + timedelta(days=14)
    assert item.url == reverse("training:evaluation_form", args=[session.pk])
    [item] = items(reminders.evaluation_pending, finalised + timedelta(days=15))
    assert item.overdue
    assert items(reminders.evaluation_pending, finalised + timedelta(days=92)) == []
    services.evaluation_submit(session=session, user=agent, content=4, trainer=4, materials=4, usefulness=4)
    assert items(reminders.evaluation_pending, finalised + timedelta(days=15)) == []


def test_an_evaluation_reminder_goes_to_the_participant_only(make_user, make_course, held_session, today):
    agent = make_user(Role.AGENT, unit="ALO153")
    other = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[agent, other])
    assert {i.user_id for i in items(reminders.evaluation_pending, today, only(agent))} == {agent.pk}


# --- effectiveness evaluations ----------------------------------------------------------------------------


def test_effectiveness_is_reminded_to_the_reviewer_from_14_days_before_grouped_by_session(
        make_user, make_course, held_session, today):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    agents = [make_user(Role.AGENT, unit="ALO153") for _i in range(3)]
    session = held_session(present=agents, course=make_course(title="Öfke Yönetimi"))
    due = session.attendances.first().effectiveness_review.due_date
    assert items(reminders.effectiveness_due, due - timedelta(days=15)) == []
    [item] = items(reminders.effectiveness_due, due - timedelta(days=14))
    assert item.user_id == manager.pk and not item.overdue and item.due == due
    assert item.url == reverse("training:effectiveness_queue")
    with translation.override("en"):
        assert str(item.title) == f"Evaluate the effectiveness of “Öfke Yönetimi” ({session.code}) for 3 participants"
    [item] = items(reminders.effectiveness_due, due + timedelta(days=1))
    assert item.overdue


def test_a_single_review_links_to_its_form_and_a_done_one_is_not_reminded(
        make_user, make_course, held_session, today):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    agent = make_user(Role.AGENT, unit="ALO153", first_name="Zehra", last_name="Önal")
    session = held_session(present=[agent])
    review = session.attendances.get().effectiveness_review
    [item] = items(reminders.effectiveness_due, review.due_date)
    assert item.url == reverse("training:effectiveness_form", args=[review.pk]) and "Zehra Önal" in str(item.title)
    services.effectiveness_submit(review=review, user=manager, rating=4, applied="yes")
    assert items(reminders.effectiveness_due, review.due_date) == []


def test_a_review_without_a_manager_goes_to_the_coordinators(make_user, make_course, held_session, coordinator):
    agent = make_user(Role.AGENT, unit="ALO153")  # nobody manages ALO153 or above in this test
    session = held_session(present=[agent])
    review = session.attendances.get().effectiveness_review
    assert review.reviewer_id is None
    assert {i.user_id for i in items(reminders.effectiveness_due, review.due_date)} == {coordinator.pk}


def test_effectiveness_reminders_go_to_nobody_else(make_user, make_course, held_session, coordinator):
    make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    agent = make_user(Role.AGENT, unit="ALO153")
    session = held_session(present=[agent])
    due = session.attendances.get().effectiveness_review.due_date
    assert items(reminders.effectiveness_due, due, only(agent)) == []
    assert items(reminders.effectiveness_due, due, only(coordinator)) == []  # the reviewer is the manager


# --- required courses expired or expiring ----------------------------------------------------------------


def test_expired_and_expiring_required_courses_to_the_person_and_a_summary_to_the_coordinators(
        make_user, make_course, held_session, coordinator, today):
    kvkk = make_course(title="KVKK Farkındalık", is_mandatory=True, validity_months=12)
    expiring = make_user(Role.AGENT, unit="ALO153")
    expired = make_user(Role.AGENT, unit="ALO153")
    fresh = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[expiring], course=kvkk, start=timezone.now() - timedelta(days=350))
    held_session(present=[expired], course=kvkk, start=timezone.now() - timedelta(days=400))
    held_session(present=[fresh], course=kvkk, start=timezone.now() - timedelta(days=10))
    found = items(reminders.required_expiring, today)
    by_person = {}
    for item in found:
        by_person.setdefault(item.user_id, []).append(item)
    [soon] = by_person[expiring.pk]
    assert not soon.overdue and today < soon.due <= today + timedelta(days=30)
    [gone] = by_person[expired.pk]
    assert gone.overdue and gone.due < today
    assert fresh.pk not in by_person
    [summary] = by_person[coordinator.pk]
    assert summary.url == reverse("training:matrix") and summary.overdue
    with translation.override("tr"):
        assert str(summary.title) == ("1 kişinin zorunlu eğitiminin süresi doldu; "
                                      "1 kişinin zorunlu eğitiminin süresi 30 gün içinde doluyor")


def test_a_course_never_taken_is_not_an_expiry_reminder(make_user, make_course, today):
    make_course(is_mandatory=True, validity_months=12)
    make_user(Role.AGENT, unit="ALO153")
    assert items(reminders.required_expiring, today) == []


def test_expiry_reminders_for_one_person(make_user, make_course, held_session, coordinator, today):
    kvkk = make_course(is_mandatory=True, validity_months=12)
    expired = make_user(Role.AGENT, unit="ALO153")
    other = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[expired, other], course=kvkk, start=timezone.now() - timedelta(days=400))
    assert {i.user_id for i in items(reminders.required_expiring, today, only(expired))} == {expired.pk}
    # The coordinator asked alone still gets the summary of everyone.
    [summary] = items(reminders.required_expiring, today, only(coordinator))
    with translation.override("en"):
        assert str(summary.title) == "2 people have expired required training"


# --- query counts ------------------------------------------------------------------------------------------


def _crowd(n, start, make_user, make_course, held_session, today, kvkk, orientation):
    people = []
    for i in range(n):
        person = make_user(Role.AGENT, unit="ALO153", username=f"k{start + i}")
        person.staff_profile.hire_date = today - timedelta(days=40)
        person.staff_profile.save()
        people.append(person)
    session = held_session(present=people, course=kvkk, start=timezone.now() - timedelta(days=350),
                           capacity=n + 1)
    for review in session.attendances.select_related("effectiveness_review"):
        review.effectiveness_review.due_date = today
        review.effectiveness_review.save()
    return people


@pytest.mark.parametrize("rule", [reminders.orientation, reminders.evaluation_pending, reminders.effectiveness_due,
                                  reminders.required_expiring])
def test_each_rule_runs_a_fixed_number_of_queries(rule, make_user, make_course, held_session, coordinator, today):
    make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    kvkk = make_course(is_mandatory=True, validity_months=12)
    orientation = make_course(is_orientation=True)
    _crowd(10, 0, make_user, make_course, held_session, today, kvkk, orientation)
    with CaptureQueriesContext(connection) as ten:
        found_ten = items(rule, today)
    _crowd(90, 100, make_user, make_course, held_session, today, kvkk, orientation)
    with CaptureQueriesContext(connection) as hundred:
        found_hundred = items(rule, today)
    assert found_ten and len(found_hundred) >= len(found_ten)
    assert len(hundred) == len(ten), rule.__name__
    with CaptureQueriesContext(connection) as one_person:
        items(rule, today, only(coordinator))
    assert len(one_person) <= len(hundred) + 4
