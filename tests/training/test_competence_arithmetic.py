"""Competence: which courses a person needs, and completed / expires soon / expired / due by validity."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from qms.roles import Role
from training.queries import (
    CompetenceState,
    add_months,
    competence_matrix,
    course_applies,
    last_completions,
    status_for,
)

pytestmark = pytest.mark.django_db


def at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 10), 12) == date(2027, 3, 10)


def test_status_by_validity(make_course):
    kvkk = make_course(validity_months=12)
    today = date(2026, 11, 26)
    assert status_for(kvkk, None, today).state == CompetenceState.DUE
    assert status_for(kvkk, date(2026, 6, 1), today).state == CompetenceState.COMPLETED
    # Expires on the anniversary: within 30 days is "expires soon", still compliant.
    soon = status_for(kvkk, date(2025, 12, 20), today)
    assert (soon.state, soon.expires_on, soon.compliant) == (CompetenceState.EXPIRING, date(2026, 12, 20), True)
    # On the anniversary itself it has expired.
    expired = status_for(kvkk, date(2025, 11, 26), today)
    assert (expired.state, expired.compliant) == (CompetenceState.EXPIRED, False)
    assert status_for(kvkk, date(2025, 11, 27), today).state == CompetenceState.EXPIRING
    # No validity: never expires.
    assert status_for(make_course(), date(2010, 1, 1), today).state == CompetenceState.COMPLETED


def test_which_courses_apply(make_course, org):
    from django.contrib.auth.models import Group

    from qms.roles import ROLES

    agents_only = make_course(is_mandatory=True)
    agents_only.target_roles.add(Group.objects.get(name=ROLES[Role.AGENT].group_name))
    call_centre = make_course(is_mandatory=True)
    call_centre.target_units.add(org["ÇMŞ"])
    everyone = make_course(is_mandatory=True)
    orientation = make_course(is_orientation=True)
    alo, desk = org["ALO153"].path, org["KSB"].path
    assert course_applies(agents_only, [Role.AGENT], desk)
    assert not course_applies(agents_only, [Role.STAFF], alo)
    assert course_applies(call_centre, [Role.STAFF], alo)  # ALO153 is under the call-centre chiefdom
    assert not course_applies(call_centre, [Role.AGENT], desk)
    assert course_applies(everyone, [], desk)
    # Orientation: every new hire, whatever the role or unit; nobody whose hire date is unknown.
    assert course_applies(orientation, [], desk, date(2026, 1, 5))
    assert not course_applies(orientation, [Role.AGENT], alo, None)


def test_orientation_since_a_date(make_course, settings):
    from training.queries import needs_orientation

    settings.QMS_TRAINING_ORIENTATION_SINCE = date(2026, 1, 1)
    assert needs_orientation(date(2026, 1, 1)) and not needs_orientation(date(2025, 12, 31))
    settings.QMS_TRAINING_ORIENTATION_SINCE = None
    assert needs_orientation(date(1995, 3, 1)) and not needs_orientation(None)


def test_the_latest_present_completion_counts(make_course, make_user, held_session):
    from qms.models import StaffProfile

    kvkk = make_course(is_mandatory=True, validity_months=12)
    person = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[person], course=kvkk, start=at(date(2025, 3, 1)))
    held_session(present=[person], course=kvkk, start=at(date(2026, 3, 1)))
    held_session(absent=[person], course=kvkk, start=at(date(2026, 9, 1)))
    done = last_completions(StaffProfile.objects.all())
    assert done[(person.pk, kvkk.pk)] == date(2026, 3, 1)


def test_matrix_per_person_unit_and_overall(make_course, make_user, held_session):
    kvkk = make_course(is_mandatory=True, validity_months=12)
    first_aid = make_course(is_mandatory=True, validity_months=24)
    make_course(is_mandatory=False)  # optional courses are not in the matrix
    auditor = make_user(Role.INTERNAL_AUDITOR, unit="KSB")
    a1, a2 = make_user(Role.AGENT, unit="ALO153"), make_user(Role.AGENT, unit="ALO153")
    desk = make_user(Role.STAFF, unit="KSB")
    today = date(2026, 11, 26)
    held_session(present=[a1, a2, desk], course=kvkk, start=at(date(2026, 2, 1)))
    held_session(present=[a1], course=first_aid, start=at(date(2025, 5, 1)))
    held_session(present=[a2], course=first_aid, start=at(date(2024, 5, 1)))  # expired 2026-05-01
    matrix = competence_matrix(auditor, today=today)
    assert [c.pk for c in matrix.courses] == [kvkk.pk, first_aid.pk]
    by_user = {p.profile.user_id: p for p in matrix.people}
    assert by_user[a1.pk].compliant
    assert by_user[a2.pk].statuses[first_aid.pk].state == CompetenceState.EXPIRED
    assert by_user[desk.pk].statuses[first_aid.pk].state == CompetenceState.DUE
    units = {u.unit.code: (u.people, u.compliant, u.percent) for u in matrix.units}
    assert units["ALO153"] == (2, 1, 50)
    # KSB: the desk clerk (first aid due), the auditor and the coordinator-less fixture users.
    assert units["KSB"][1] == 0
    assert matrix.percent == round(100 * 1 / len(matrix.people))


def test_a_unit_manager_sees_their_subtree_only(make_course, make_user):
    make_course(is_mandatory=True)
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    inside = make_user(Role.AGENT, unit="ALO153")
    outside = make_user(Role.STAFF, unit="KSB")
    ids = {p.profile.user_id for p in competence_matrix(manager).people}
    assert inside.pk in ids and manager.pk in ids and outside.pk not in ids
    assert competence_matrix(make_user(Role.AGENT, unit="ALO153")).people[0].profile.unit.code == "ALO153"


def test_the_matrix_query_count_does_not_grow_with_people(make_course, make_user, held_session):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kvkk = make_course(is_mandatory=True, validity_months=12)
    auditor = make_user(Role.INTERNAL_AUDITOR, unit="KSB")
    people = [make_user(Role.AGENT, unit="ALO153") for _ in range(5)]
    held_session(present=people, course=kvkk, start=timezone.now() - timedelta(days=3))
    fresh = type(auditor).objects.get  # a fresh user each time: its roles are read (and cached) once per request
    with CaptureQueriesContext(connection) as few:
        competence_matrix(fresh(pk=auditor.pk))
    more = [make_user(Role.AGENT, unit="ALO153") for _ in range(25)]
    held_session(present=more, course=kvkk, start=timezone.now() - timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        matrix = competence_matrix(fresh(pk=auditor.pk))
    assert len(matrix.people) >= 31
    assert len(many) == len(few)
