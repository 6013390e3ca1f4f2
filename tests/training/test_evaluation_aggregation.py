"""Evaluations: who may evaluate, once only, and how results are aggregated."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import EffectivenessReview, Evaluation
from training.queries import effectiveness_results, evaluation_results
from training.queries import test_score_results as score_gains

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def at(month, day=1):
    return timezone.make_aware(datetime(2026, month, day, 10))


def rate(session, user, *scores, comments=""):
    content, trainer, materials, usefulness = scores
    return services.evaluation_submit(session=session, user=user, content=content, trainer=trainer,
                                      materials=materials, usefulness=usefulness, comments=comments)


def test_only_a_present_participant_of_a_held_session_evaluates_once(held_session, make_session, make_user,
                                                                     coordinator):
    present, absent, stranger = (make_user(Role.AGENT, unit="ALO153") for _ in range(3))
    session = held_session(present=[present], absent=[absent], start=at(3))
    with pytest.raises(ValidationError, match="present"):
        rate(session, absent, 5, 5, 5, 5)
    with pytest.raises(ValidationError, match="present"):
        rate(session, stranger, 5, 5, 5, 5)
    with pytest.raises(ValidationError, match="1 to 5"):
        rate(session, present, 6, 5, 5, 5)
    evaluation = rate(session, present, 4, 5, 3, 4, comments="Örnekler çok iyiydi.")
    assert evaluation.average == 4
    with pytest.raises(ValidationError, match="already evaluated"):
        rate(session, present, 1, 1, 1, 1)
    evaluation.comments = "değişti"
    with pytest.raises(ValidationError, match="cannot be changed"):
        evaluation.save()
    with pytest.raises(ValidationError):
        evaluation.delete()
    assert Evaluation.objects.count() == 1
    planned = make_session()
    services.session_invite(session=planned, people=[present], user=coordinator)
    services.attendance_record(session=planned, user=coordinator, marks={present.pk: "present"})
    with pytest.raises(ValidationError, match="held session"):
        rate(planned, present, 5, 5, 5, 5)


def test_results_weight_by_responses_and_report_response_rates(held_session, make_course, make_user):
    course = make_course(title="Etkili İletişim")
    a = [make_user(Role.AGENT, unit="ALO153") for _ in range(4)]
    b = [make_user(Role.AGENT, unit="ALO153") for _ in range(2)]
    s1 = held_session(present=a, course=course, start=at(3))
    s2 = held_session(present=b, course=course, start=at(4), external_trainer="Başka Eğitmen")
    rate(s1, a[0], 5, 5, 5, 5)
    rate(s1, a[1], 3, 3, 3, 3)
    rate(s1, a[2], 4, 4, 4, 4)
    rate(s2, b[0], 1, 2, 1, 2)
    by_session = {r["key"]: r for r in evaluation_results(2026, group_by="session")}
    assert by_session[s1.pk]["responses"] == 3 and by_session[s1.pk]["participants"] == 4
    assert by_session[s1.pk]["response_rate"] == 75
    assert by_session[s1.pk]["averages"]["content_rating"] == 4.0
    assert by_session[s2.pk]["response_rate"] == 50
    [by_course] = evaluation_results(2026, group_by="course")
    # (5 + 3 + 4 + 1) / 4 responses, not the mean of the two sessions' means (4 and 1).
    assert by_course["averages"]["content_rating"] == 3.25
    assert (by_course["sessions"], by_course["participants"], by_course["responses"]) == (2, 6, 4)
    assert by_course["response_rate"] == 67
    assert by_course["overall"] == round((3.25 + 3.5 + 3.25 + 3.5) / 4, 2)
    by_trainer = {r["label"]: r for r in evaluation_results(2026, group_by="trainer")}
    assert set(by_trainer) == {"Dış Eğitim A.Ş.", "Başka Eğitmen"}
    assert by_trainer["Başka Eğitmen"]["averages"]["trainer_rating"] == 2.0
    # Another year is empty.
    assert evaluation_results(2025) == []


def test_a_session_without_answers_has_no_averages(held_session, make_user):
    held_session(present=[make_user(Role.AGENT, unit="ALO153")], start=at(5))
    [result] = evaluation_results(2026, group_by="course")
    assert result["response_rate"] == 0 and result["overall"] is None


def test_the_manager_evaluates_effectiveness_three_months_later(held_session, make_user, coordinator):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    agent = make_user(Role.AGENT, unit="ALO153")
    session = held_session(present=[agent], start=at(1, 31))
    review = EffectivenessReview.objects.get(attendance__person=agent, attendance__session=session)
    assert review.reviewer == manager and review.due_date == date(2026, 4, 30)
    with pytest.raises(PermissionDenied):
        services.effectiveness_submit(review=review, user=agent, rating=5, applied="yes")
    with pytest.raises(ValidationError, match="applied"):
        services.effectiveness_submit(review=review, user=manager, rating=5, applied="maybe")
    services.effectiveness_submit(review=review, user=manager, rating=4, applied="partly", comments="Uyguluyor.")
    with pytest.raises(ValidationError, match="already"):
        services.effectiveness_submit(review=review, user=manager, rating=2, applied="no")
    # The coordinator may stand in for a manager (e.g. one who left).
    other = make_user(Role.AGENT, unit="ALO153")
    held = held_session(present=[other], start=at(2))
    services.effectiveness_submit(review=EffectivenessReview.objects.get(attendance__session=held), user=coordinator,
                                  rating=3, applied="yes")
    assert effectiveness_results(2026) == {"total": 2, "done": 2, "average": 3.5, "applied_yes": 1,
                                           "applied_partly": 1, "applied_no": 0}


def test_pre_and_post_test_gain(make_session, make_user, coordinator, make_course):
    course = make_course(title="KVKK")
    session = make_session(course=course, start=at(6))
    a, b = make_user(Role.AGENT, unit="ALO153"), make_user(Role.AGENT, unit="ALO153")
    services.session_invite(session=session, people=[a, b], user=coordinator)
    services.attendance_record(session=session, user=coordinator, marks={a.pk: "present", b.pk: "present"},
                               scores={a.pk: (40, 80), b.pk: (60, 90)})
    services.session_finalise(session=session, user=coordinator)
    assert score_gains(2026) == [{"course": f"{course.code} KVKK", "n": 2, "pre": 50.0, "post": 85.0,
                                         "gain": 35.0}]
