"""Certificates: one per completion, numbered unguessably, with what they say copied in."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qms.roles import Role
from training.models import Certificate

pytestmark = pytest.mark.django_db


def test_present_participants_get_a_certificate_and_others_none(held_session, make_user, make_course):
    course = make_course(title="Öfke Yönetimi ve Zor Müşteri", duration_hours=Decimal("3.5"))
    present = make_user(Role.AGENT, unit="ALO153", first_name="Çağla", last_name="Işıkoğlu")
    absent = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[present], absent=[absent], course=course, hours=Decimal("3.5"),
                 external_trainer="Güneş Eğitim Danışmanlık",
                 start=timezone.make_aware(datetime(2026, 10, 14, 9, 30)))
    [certificate] = Certificate.objects.all()
    assert certificate.attendance.person == present
    assert (certificate.holder_name, certificate.course_title, str(certificate.completed_on), certificate.hours,
            certificate.trainer_name) == ("Çağla Işıkoğlu", "Öfke Yönetimi ve Zor Müşteri", "2026-10-14",
                                          Decimal("3.5"), "Güneş Eğitim Danışmanlık")
    assert re.fullmatch(r"EGT-2026-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", certificate.number)


def test_numbers_are_unique_and_renames_do_not_rewrite_certificates(held_session, make_user, make_course):
    course = make_course(title="KVKK")
    people = [make_user(Role.AGENT, unit="ALO153") for _ in range(20)]
    held_session(present=people, course=course)
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == 20
    course.title = "KVKK Farkındalık"
    course.save()
    people[0].first_name = "Yeni"
    people[0].save()
    assert set(Certificate.objects.values_list("course_title", flat=True)) == {"KVKK"}
    with pytest.raises(Exception):
        Certificate.objects.first().delete()
