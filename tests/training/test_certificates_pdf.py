"""The certificate PDF: what it prints (read back with pypdf, Turkish letters included) and who may
download it: the holder, the records readers within their unit scope; nobody else; never a revoked
certificate."""

from __future__ import annotations

import html
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from qms.models import OrganisationSettings
from qms.roles import Role
from training import services
from training.certificate_pdf import certificate_pdf, hours_label
from training.models import Attendance, Certificate

pytestmark = pytest.mark.django_db

NAME = ("Çiğdem Işıl", "Öztürk-Şahinoğlu Ülkü Ğ")
COURSE = "İletişimde Güven, Ölçme ve Değerlendirme: Çağrı Şikâyetleri ve Gönüllülük"
TRAINER = "Güneş Öğretim ve İnsan Kaynakları Danışmanlık A.Ş."


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def holder(make_user):
    return make_user(Role.AGENT, unit="ALO153", first_name=NAME[0], last_name=NAME[1])


@pytest.fixture
def certificate(holder, held_session, make_course) -> Certificate:
    held_session(present=[holder], course=make_course(title=COURSE), hours=Decimal("3.5"), external_trainer=TRAINER,
                 start=timezone.make_aware(datetime(2026, 10, 14, 9, 30)))
    return Certificate.objects.get()


def test_the_pdf_prints_name_course_date_hours_trainer_number_and_the_verify_address(certificate):
    with translation.override("tr"):
        content = certificate_pdf(certificate)
        hours = hours_label(Decimal("3.5"))
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    text = pdf_text(content)
    assert " ".join(NAME) in text
    assert COURSE in text
    assert "14.10.2026" in text
    assert hours in text and "3,5" in hours
    assert TRAINER in text
    assert certificate.number in text
    verify_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/verify/{certificate.number}/"
    assert verify_url in text
    for letter in "İıŞşĞğÜüÖöÇç":
        assert letter in text, letter
    org = OrganisationSettings.load()
    assert org.organisation_name in text and org.department_name in text
    assert reader.metadata.title.endswith(certificate.number)


def test_hours_read_naturally():
    with translation.override("en"):
        assert hours_label(Decimal("1.0")) == "1 hour"
        assert hours_label(Decimal("2.0")) == "2 hours"
        assert hours_label(Decimal("10.0")) == "10 hours"
        assert hours_label(Decimal("1.5")) == "1,5 hours"


def download(client, user, certificate):
    client.force_login(user)
    return client.get(reverse("training:certificate_pdf", args=[certificate.pk]))


def test_the_holder_downloads_their_certificate(client, holder, certificate):
    response = download(client, holder, certificate)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert certificate.number in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert " ".join(NAME) in pdf_text(response.content)


@pytest.mark.parametrize("role, unit", [(Role.TRAINING_COORDINATOR, "KSB"), (Role.MANAGEMENT_REPRESENTATIVE, "HİŞM"),
                                        (Role.TOP_MANAGEMENT, "HİŞM"), (Role.INTERNAL_AUDITOR, "ÇÖZM"),
                                        (Role.UNIT_MANAGER, "ÇMŞ"), (Role.UNIT_MANAGER, "ALO153")])
def test_records_readers_within_scope_download_it(client, make_user, certificate, role, unit):
    assert download(client, make_user(role, unit=unit), certificate).status_code == 200


@pytest.mark.parametrize("role, unit", [(Role.UNIT_MANAGER, "ÇÖZM"), (Role.UNIT_MANAGER, "ÇMPK"),
                                        (Role.AGENT, "ALO153"), (Role.STAFF, "ALO153"), (Role.QA_EVALUATOR, "ÇMPK")])
def test_anyone_else_gets_404(client, make_user, certificate, role, unit):
    assert download(client, make_user(role, unit=unit), certificate).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, certificate):
    response = client.get(reverse("training:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_revoked_certificate_is_not_downloaded(client, holder, certificate, coordinator):
    row = Attendance.objects.get(pk=certificate.attendance_id)
    services.attendance_correct(attendance=row, user=coordinator, status="absent", reason="Yanlış kayıt.")
    for user, back in ((holder, "training:my_trainings"), (coordinator, "training:certificates")):
        response = download(client, user, certificate)
        assert response.status_code == 302 and response["Location"] == reverse(back)
        assert any(certificate.number in str(m) for m in get_messages(response.wsgi_request))
        assert response.get("Content-Type", "").startswith("text/html")
    content = html.unescape(client.get(reverse("training:my_trainings")).content.decode())
    assert certificate.number in content  # the message, shown once on the page it returns to
