"""Planning a session: the form (hours and trainer from the course, a plan line of the same course
and year), editing while planned only, cancelling with a reason, inviting by role, unit (with the
units under it) and people with a preview, the capacity refusal, and removing an invitee."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from qms.roles import ROLES, Role
from training import services
from training.models import Attendance, PlanItem, Session, SessionState, TrainingPlan

pytestmark = pytest.mark.django_db


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _form(course, **fields):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=7)
    data = {"course": course.pk, "plan_item": "", "starts_at": _local(start),
            "ends_at": _local(start + timedelta(hours=3)), "place": "Eğitim Salonu", "trainer": "",
            "external_trainer": "", "hours": "", "capacity": "25", "notes": ""}
    data.update(fields)
    return data


def test_the_coordinator_plans_a_session_with_the_courses_hours_and_trainer(client, coordinator, make_course):
    course = make_course(title="KVKK farkındalık", duration_hours=Decimal("3.5"), external_trainer="KVKK Akademi")
    client.force_login(coordinator)
    assert client.get(reverse("training:session_add")).status_code == 200
    response = client.post(reverse("training:session_add"), _form(course))
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:session_invite", args=[session.pk])
    assert session.hours == Decimal("3.5") and session.external_trainer == "KVKK Akademi"
    assert session.state == SessionState.PLANNED and session.created_by == coordinator
    assert session.number == 1 and session.code.startswith(f"EĞT-{session.year}-")
    assert ModelLogEntry.objects.filter(object_id=str(session.pk), action="wagtail.create").exists()


def test_an_internal_trainer_and_explicit_hours_are_kept(client, coordinator, make_course, cast):
    course = make_course(duration_hours=Decimal("2.0"))
    client.force_login(coordinator)
    client.post(reverse("training:session_add"), _form(course, trainer=cast["staff"].pk, hours="1.5"))
    session = Session.objects.get()
    assert session.trainer == cast["staff"] and session.hours == Decimal("1.5")


def test_the_form_refuses_an_end_before_the_start_and_saves_nothing(client, coordinator, make_course):
    course = make_course()
    client.force_login(coordinator)
    start = timezone.now() + timedelta(days=3)
    response = client.post(reverse("training:session_add"),
                           _form(course, starts_at=_local(start), ends_at=_local(start - timedelta(hours=1))))
    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    assert not Session.objects.exists()


def test_a_course_without_a_trainer_needs_one_named(client, coordinator, make_course):
    course = make_course(external_trainer="")
    client.force_login(coordinator)
    response = client.post(reverse("training:session_add"), _form(course))
    assert "trainer" in response.context["form"].errors
    assert not Session.objects.exists()


def test_the_plan_line_must_be_of_the_same_course_and_the_same_year(client, coordinator, make_course):
    course, other = make_course(), make_course()
    year = timezone.localdate().year
    plan = TrainingPlan.objects.create(year=year)
    other_line = PlanItem.objects.create(plan=plan, course=other, month=6)
    next_plan = TrainingPlan.objects.create(year=year + 1)
    next_year_line = PlanItem.objects.create(plan=next_plan, course=course, month=1)
    good_line = PlanItem.objects.create(plan=plan, course=course, month=6)
    client.force_login(coordinator)
    start = timezone.make_aware(timezone.datetime(year, 12, 1, 10, 0))
    dates = {"starts_at": _local(start), "ends_at": _local(start + timedelta(hours=2))}
    response = client.post(reverse("training:session_add"), _form(course, plan_item=other_line.pk, **dates))
    assert "plan_item" in response.context["form"].errors
    response = client.post(reverse("training:session_add"), _form(course, plan_item=next_year_line.pk, **dates))
    assert f"{year + 1}" in " ".join(response.context["form"].errors["plan_item"])
    assert not Session.objects.exists()
    client.post(reverse("training:session_add"), _form(course, plan_item=good_line.pk, **dates))
    assert Session.objects.get().plan_item == good_line


def test_the_add_form_can_start_from_a_plan_line(client, coordinator, make_course):
    course = make_course(duration_hours=Decimal("4.0"))
    line = PlanItem.objects.create(plan=TrainingPlan.objects.create(year=timezone.localdate().year), course=course,
                                   month=3)
    client.force_login(coordinator)
    form = client.get(reverse("training:session_add"), {"plan_item": line.pk}).context["form"]
    assert form.initial["plan_item"] == line and form.initial["course"] == course
    assert form.initial["hours"] == Decimal("4.0")


def test_a_planned_session_is_edited_and_logged(client, coordinator, listed_session):
    session = listed_session()
    client.force_login(coordinator)
    data = _form(session.course, place="Toplantı Salonu 2", capacity="40", external_trainer="Dış Eğitim A.Ş.",
                 starts_at=_local(session.starts_at), ends_at=_local(session.ends_at))
    response = client.post(reverse("training:session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.place == "Toplantı Salonu 2" and session.capacity == 40
    assert ModelLogEntry.objects.filter(object_id=str(session.pk), action="wagtail.edit").exists()


def test_the_capacity_cannot_go_below_the_people_on_the_list(client, coordinator, listed_session):
    session = listed_session()
    client.force_login(coordinator)
    data = _form(session.course, capacity="2", external_trainer="X", starts_at=_local(session.starts_at),
                 ends_at=_local(session.ends_at))
    response = client.post(reverse("training:session_edit", args=[session.pk]), data)
    assert "capacity" in response.context["form"].errors
    session.refresh_from_db()
    assert session.capacity == 30


def test_a_finalised_or_cancelled_session_is_read_only(client, coordinator, listed_session, trainees):
    held = listed_session()
    services.attendance_record(session=held, user=coordinator, marks={p.pk: "present" for p in trainees})
    services.session_finalise(session=held, user=coordinator)
    cancelled = listed_session()
    services.session_cancel(session=cancelled, user=coordinator, reason="Eğitmen hasta")
    client.force_login(coordinator)
    for session in (held, cancelled):
        place = session.place
        for url in (reverse("training:session_edit", args=[session.pk]),
                    reverse("training:session_cancel", args=[session.pk]),
                    reverse("training:session_invite", args=[session.pk])):
            assert client.get(url).status_code == 302
            data = _form(session.course, place="Başka yer", reason="x", groups=[1], action="invite")
            response = client.post(url, data)
            assert response.status_code == 302
            assert response["Location"] == reverse("training:session_detail", args=[session.pk])
        session.refresh_from_db()
        assert session.place == place
    with pytest.raises(Exception, match="cannot be changed|değiştirilemez"):
        services.session_save(session=Session.objects.get(pk=held.pk), user=coordinator)


def test_cancelling_needs_a_reason_and_keeps_it(client, coordinator, listed_session):
    session = listed_session()
    client.force_login(coordinator)
    response = client.post(reverse("training:session_cancel", args=[session.pk]), {"reason": "  "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED
    response = client.post(reverse("training:session_cancel", args=[session.pk]), {"reason": "Salon tadilatta"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED and "Salon tadilatta" in session.notes
    html = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "Salon tadilatta" in html


@pytest.fixture
def crowd(make_user):
    """Agents in ALO 153 (under ÇMŞ), a QA evaluator in ÇMPK (under ÇMŞ), a clerk in KSB."""
    return {
        "alo": [make_user(Role.AGENT, unit="ALO153") for _ in range(4)],
        "qa": make_user(Role.QA_EVALUATOR, unit="ÇMPK"),
        "cms_agent": make_user(Role.AGENT, unit="ÇMŞ"),
        "clerk": make_user(Role.STAFF, unit="KSB"),
    }


def _group(role):
    return Group.objects.get(name=ROLES[role].group_name).pk


def test_preview_counts_without_inviting(client, coordinator, make_session, crowd, org):
    session = make_session()
    client.force_login(coordinator)
    response = client.post(reverse("training:session_invite", args=[session.pk]),
                           {"groups": [_group(Role.AGENT)], "units": [org["ÇMŞ"].pk], "with_subunits": "on",
                            "action": "preview"})
    assert response.status_code == 200
    assert {p.pk for p in response.context["new"]} == {p.pk for p in crowd["alo"]} | {crowd["cms_agent"].pk}
    assert response.context["matching"] == 5 and response.context["already"] == 0
    assert not Attendance.objects.exists()


def test_invite_by_role_within_units_with_or_without_the_units_under_them(client, coordinator, make_session,
                                                                           crowd, org):
    session = make_session()
    client.force_login(coordinator)
    url = reverse("training:session_invite", args=[session.pk])
    client.post(url, {"groups": [_group(Role.AGENT)], "units": [org["ÇMŞ"].pk], "action": "invite"})
    assert set(session.attendances.values_list("person_id", flat=True)) == {crowd["cms_agent"].pk}
    client.post(url, {"units": [org["ÇMŞ"].pk], "with_subunits": "on", "action": "invite"})
    expected = {p.pk for p in crowd["alo"]} | {crowd["cms_agent"].pk, crowd["qa"].pk}
    assert set(session.attendances.values_list("person_id", flat=True)) == expected
    response = client.post(url, {"people": [crowd["clerk"].pk, crowd["qa"].pk], "action": "preview"})
    assert response.context["already"] == 1 and [p.pk for p in response.context["new"]] == [crowd["clerk"].pk]
    response = client.post(url, {"people": [crowd["clerk"].pk], "action": "invite"})
    assert response.status_code == 302
    assert session.attendances.filter(person=crowd["clerk"], invited=True).exists()


def test_inviting_nobody_is_refused(client, coordinator, make_session):
    session = make_session()
    client.force_login(coordinator)
    response = client.post(reverse("training:session_invite", args=[session.pk]), {"action": "invite"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_inactive_people_are_not_invited(client, coordinator, make_session, crowd):
    session = make_session()
    crowd["alo"][0].is_active = False
    crowd["alo"][0].save()
    client.force_login(coordinator)
    client.post(reverse("training:session_invite", args=[session.pk]),
                {"groups": [_group(Role.AGENT)], "action": "invite"})
    assert not session.attendances.filter(person=crowd["alo"][0]).exists()
    assert session.attendances.count() == 4


def test_more_people_than_free_places_invites_nobody_and_says_how_many_are_free(client, coordinator, make_session,
                                                                                 crowd):
    session = make_session(capacity=3)
    client.force_login(coordinator)
    response = client.post(reverse("training:session_invite", args=[session.pk]),
                           {"groups": [_group(Role.AGENT)], "action": "invite"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "5 kişi davet edilemez" in errors and "3 boş yer" in errors
    assert not Attendance.objects.exists()


def test_an_invitee_is_removed_while_planned_but_not_after(client, coordinator, listed_session, trainees):
    session = listed_session()
    client.force_login(coordinator)
    response = client.post(reverse("training:session_uninvite", args=[session.pk, trainees[0].pk]))
    assert response.status_code == 302
    assert not session.attendances.filter(person=trainees[0]).exists()
    services.attendance_record(session=session, user=coordinator, marks={p.pk: "present" for p in trainees[1:]})
    services.session_finalise(session=session, user=coordinator)
    client.post(reverse("training:session_uninvite", args=[session.pk, trainees[1].pk]))
    assert session.attendances.filter(person=trainees[1]).exists()


def test_only_the_coordinator_removes_an_invitee(client, cast, listed_session, trainees):
    session = listed_session()
    client.force_login(cast["auditor"])
    response = client.post(reverse("training:session_uninvite", args=[session.pk, trainees[0].pk]))
    assert response.status_code == 403
    assert session.attendances.filter(person=trainees[0]).exists()
