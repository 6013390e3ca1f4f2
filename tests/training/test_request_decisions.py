"""Training requests: anyone asks with a reason; the coordinator accepts into the plan or declines with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qms.roles import Role
from training import services
from training.models import RequestState, TrainingPlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_request_needs_a_subject_and_a_reason(make_user, make_course):
    staff = make_user(Role.STAFF, unit="KSB")
    with pytest.raises(ValidationError, match="Choose a course or describe"):
        services.request_submit(user=staff, reason="Gerekli")
    with pytest.raises(ValidationError):
        services.request_submit(user=staff, topic="Excel ileri düzey", reason="  ")
    request = services.request_submit(user=staff, topic="Excel ileri düzey", reason="Raporlar için", participants=3)
    assert request.unit.code == "KSB" and request.state == RequestState.SUBMITTED
    assert request.subject == "Excel ileri düzey"


def test_accepting_plans_the_course_and_deciding_twice_is_refused(make_user, make_course, coordinator):
    staff = make_user(Role.STAFF, unit="KSB")
    plan = TrainingPlan.objects.create(year=2027)
    course = make_course(title="Excel")
    request = services.request_submit(user=staff, topic="Excel ileri düzey", reason="Raporlar için")
    with pytest.raises(ValidationError, match="Choose the course"):
        services.request_accept(request=request, user=coordinator, plan=plan, month=3)
    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, user=staff, plan=plan, month=3, course=course)
    services.request_accept(request=request, user=coordinator, plan=plan, month=3, course=course, note="Mart'ta")
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED and request.plan_item.month == 3 and request.course == course
    assert request.decided_by == coordinator and request.decision_note == "Mart'ta"
    with pytest.raises(ValidationError, match="already been decided"):
        services.request_decline(request=request, user=coordinator, reason="x")


def test_declining_needs_a_reason(make_user, make_course, coordinator):
    request = services.request_submit(user=make_user(Role.AGENT, unit="ALO153"), course=make_course(), reason="İhtiyaç")
    with pytest.raises(ValidationError, match="reason"):
        services.request_decline(request=request, user=coordinator, reason="")
    for role in (Role.UNIT_MANAGER, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR):
        with pytest.raises(PermissionDenied):
            services.request_decline(request=request, user=make_user(role), reason="Hayır")
    services.request_decline(request=request, user=coordinator, reason="Bu yıl bütçe yok; 2027 planına alınacak.")
    request.refresh_from_db()
    assert request.state == RequestState.DECLINED and request.plan_item is None


def test_a_decision_is_final_whatever_the_path(make_user, make_course, coordinator):
    request = services.request_submit(user=make_user(Role.STAFF, unit="KSB"), course=make_course(), reason="İhtiyaç")
    services.request_decline(request=request, user=coordinator, reason="Bütçe yok")
    request.refresh_from_db()
    request.state = RequestState.ACCEPTED
    with pytest.raises(ValidationError, match="already been decided"):
        request.save()
    from training.models import TrainingRequest

    with pytest.raises(ValidationError, match="starts submitted"):
        TrainingRequest.objects.create(requested_by=request.requested_by, topic="x", reason="y",
                                       state=RequestState.ACCEPTED)
