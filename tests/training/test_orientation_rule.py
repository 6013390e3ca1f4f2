"""Orientation: every new hire completes the orientation course within 30 days of the hire date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from qms.roles import Role
from training.queries import manager_of, orientation_pending

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def hired(make_user, days_ago, unit="ALO153", role=Role.AGENT, **fields):
    user = make_user(role, unit=unit, **fields)
    user.staff_profile.hire_date = TODAY - timedelta(days=days_ago)
    user.staff_profile.save()
    return user


def test_new_hires_without_orientation_are_listed_overdue_after_30_days(make_user, make_course, held_session):
    orientation = make_course(is_orientation=True, is_mandatory=True)
    late = hired(make_user, 45)
    on_time = hired(make_user, 10)
    done = hired(make_user, 40)
    day_31 = hired(make_user, 31)
    day_30 = hired(make_user, 30)
    make_user(Role.AGENT, unit="ALO153")  # no hire date recorded: not listed
    held_session(present=[done], course=orientation,
                 start=timezone.make_aware(datetime.combine(TODAY - timedelta(days=20), datetime.min.time())))
    pending = {p.profile.user_id: p for p in orientation_pending(today=TODAY)}
    assert set(pending) == {late.pk, on_time.pk, day_31.pk, day_30.pk}
    assert pending[late.pk].days_late == 15 and pending[late.pk].due_on == TODAY - timedelta(days=15)
    assert pending[day_31.pk].days_late == 1
    assert pending[day_30.pk].days_late == 0  # the 30th day is still on time
    assert pending[on_time.pk].days_late == -20
    overdue = {p.profile.user_id for p in orientation_pending(today=TODAY, overdue_only=True)}
    assert overdue == {late.pk, day_31.pk}


def test_absence_does_not_complete_orientation_and_leavers_are_not_listed(make_user, make_course, held_session):
    orientation = make_course(is_orientation=True)
    absent = hired(make_user, 50)
    gone = hired(make_user, 50)
    gone.staff_profile.is_active = False
    gone.staff_profile.save()
    held_session(absent=[absent], course=orientation, start=timezone.now() - timedelta(days=40))
    assert [p.profile.user_id for p in orientation_pending(today=TODAY)] == [absent.pk]


def test_people_hired_before_the_orientation_rule_are_not_listed(make_user, make_course, settings):
    make_course(is_orientation=True)
    settings.QMS_TRAINING_ORIENTATION_SINCE = TODAY - timedelta(days=100)
    recent = hired(make_user, 60)
    hired(make_user, 400)
    assert [p.profile.user_id for p in orientation_pending(today=TODAY)] == [recent.pk]


def test_no_orientation_course_means_nothing_is_listed(make_user):
    hired(make_user, 90)
    assert orientation_pending(today=TODAY) == []


def test_the_list_follows_the_readers_scope(make_user, make_course):
    make_course(is_orientation=True)
    alo = hired(make_user, 45)
    desk = hired(make_user, 45, unit="KSB", role=Role.STAFF)
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    assert [p.profile.user_id for p in orientation_pending(manager, today=TODAY)] == [alo.pk]
    everyone = {p.profile.user_id for p in orientation_pending(make_user(Role.TRAINING_COORDINATOR), today=TODAY)}
    assert {alo.pk, desk.pk} <= everyone


def test_manager_of_is_the_nearest_manager_above(make_user):
    chief = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    agent = make_user(Role.AGENT, unit="ALO153")
    assert manager_of(agent) == chief
    lead = make_user(Role.UNIT_MANAGER, unit="ALO153")
    assert manager_of(agent) == lead
    assert manager_of(lead) == chief  # never themself
    assert manager_of(make_user(Role.STAFF, unit="KSB")) is None
    assert manager_of(make_user(Role.STAFF, unit=None)) is None
