"""The public verification page /verify/<number>/: no sign-in; shows only the name, the course,
the date and whether the certificate is valid or revoked (never why); an unknown number is a 404
with a message; the number is found whatever its case and spacing; /verify/ has the form."""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from qms.models import StaffProfile
from qms.roles import Role
from training import services
from training.models import Attendance, Certificate

pytestmark = pytest.mark.django_db

TRAINER = "Güneş Eğitim Danışmanlık"


def turkish(msgid: str) -> str:
    with translation.override("tr"):
        return translation.gettext(msgid)


def text(response) -> str:
    return html.unescape(response.content.decode())


def verify_url(number: str) -> str:
    return reverse("training_public:certificate", args=[number])


@pytest.fixture
def certificate(make_user, held_session, make_course):
    holder = make_user(Role.AGENT, unit="ALO153", first_name="Çağla", last_name="Işıkoğlu")
    StaffProfile.objects.filter(user=holder).update(registry_no="SC-48213")
    held_session(present=[holder], course=make_course(title="Öfke Yönetimi ve Zor Müşteri"), hours=Decimal("3.5"),
                 external_trainer=TRAINER, place="Konak Eğitim Salonu",
                 start=timezone.make_aware(datetime(2026, 10, 14, 9, 30)))
    return Certificate.objects.get()


def test_a_valid_certificate_shows_name_course_date_and_valid(client, certificate):
    response = client.get(verify_url(certificate.number))
    assert response.status_code == 200
    content = text(response)
    assert "Çağla Işıkoğlu" in content and "Öfke Yönetimi ve Zor Müşteri" in content and "14.10.2026" in content
    assert turkish("Valid certificate") in content
    assert "<h1>" in content and 'for="verify-number"' in content
    assert "wagtail" not in content.lower()  # the public page, not the admin


def test_the_page_discloses_nothing_else(client, certificate):
    content = text(client.get(verify_url(certificate.number)))
    row = Attendance.objects.select_related("person__staff_profile__unit", "session").get(pk=certificate.attendance_id)
    for private in (TRAINER, "3,5", "3.5", row.person.staff_profile.unit.name, "ALO153", "SC-48213",
                    "Konak Eğitim Salonu", row.session.code, row.person.email, row.person.username):
        assert private not in content, private
    assert turkish("Hours") not in content and turkish("Trainer") not in content


def test_a_revoked_certificate_says_so_without_the_reason(client, certificate, coordinator):
    services.attendance_correct(attendance=Attendance.objects.get(pk=certificate.attendance_id), user=coordinator,
                                status="absent", reason="Eğitimden erken ayrıldığı tespit edildi.")
    response = client.get(verify_url(certificate.number))
    assert response.status_code == 200
    content = text(response)
    assert turkish("Revoked certificate") in content
    assert turkish("This certificate was revoked and is not valid.") in content
    assert turkish("Valid certificate") not in content
    assert "erken ayrıldığı" not in content


def test_an_unknown_number_is_a_404_with_a_message(client, certificate):
    response = client.get(verify_url("EGT-2026-AAAA-BBBB"))
    assert response.status_code == 404
    content = text(response)
    assert turkish("Certificate not found") in content and "EGT-2026-AAAA-BBBB" in content
    assert "Çağla" not in content


def test_case_and_spaces_do_not_matter(client, certificate):
    for typed in (certificate.number.lower(), f"  {certificate.number} ", certificate.number.replace("-", " - ")):
        response = client.get(verify_url(typed))
        assert response.status_code == 200, typed
        assert "Çağla Işıkoğlu" in text(response)


def test_the_form_sends_the_typed_number_to_its_page(client, certificate):
    response = client.get(reverse("training_public:verify"))
    assert response.status_code == 200
    content = text(response)
    assert '<form method="get"' in content and 'name="number"' in content and 'for="verify-number"' in content
    response = client.get(reverse("training_public:verify"), {"number": f" {certificate.number.lower()} "})
    assert response.status_code == 302 and response["Location"] == verify_url(certificate.number)
    response = client.get(reverse("training_public:verify"), {"number": "   "})
    assert response.status_code == 400
    assert turkish("Type the verification number first.") in text(response)


def test_no_sign_in_and_kept_out_of_search_engines(client, certificate):
    response = client.get(verify_url(certificate.number))
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    assert "noindex" in response["X-Robots-Tag"]
    assert client.post(verify_url(certificate.number)).status_code == 405
