"""The plan PDF: landscape, in Turkish, with the courses, the months, planned / held per cell, the
totals, the realisation at the date asked, the approval and the courses below their yearly minimum."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from qms.roles import Role
from training import services
from training.models import PlanItem, TrainingPlan

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


@pytest.fixture
def approved_plan(make_course, held_session, make_user, coordinator):
    plan = TrainingPlan.objects.create(year=YEAR)
    quality = make_course(code="EĞT-KYS", title="Kalite Yönetim Sistemi Eğitimi", min_sessions_per_year=3)
    kvkk = make_course(code="EĞT-KVKK", title="Kişisel Verilerin Korunması (KVKK)")
    first = PlanItem.objects.create(plan=plan, course=quality, month=2, sessions=2, note="Tüm şube personeli")
    PlanItem.objects.create(plan=plan, course=kvkk, month=10, sessions=1)
    agent = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[agent], course=quality, plan_item=first,
                 start=timezone.make_aware(datetime(YEAR, 2, 12, 10)))
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", first_name="Ayşe", last_name="Yıldırım")
    services.plan_approve(plan=plan, user=mr)
    services.plan_add_item(plan=plan, course=kvkk, month=12, user=coordinator, note="Talep üzerine")
    return plan


def test_the_plan_pdf_prints_the_grid_and_the_realisation(client, approved_plan, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("training:plan_pdf", args=[YEAR]), {"at": f"{YEAR}-06-30"})
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    text = pdf_text(response)
    for expected in (
        f"{YEAR} Yıllık Eğitim Planı", "Kalite Yönetim Sistemi Eğitimi", "Kişisel Verilerin Korunması (KVKK)",
        "Şub", "Eki", "Ara", "Onaylandı", "Ayşe Yıldırım",
        f"30.06.{YEAR} itibarıyla gerçekleşme: %50 (planlanan 2 oturumun 1 tanesi yapıldı).",
        "2 / 1",  # the February cell: planned / held
        "4 / 1",  # the year's total
        "1 / 0*",  # December: added after approval
        "Tüm şube personeli", "Talep üzerine", "Onaydan", "Evet",
        "Yıllık asgari sayının altında kalan eğitimler", "Yılda en az oturum",
        "Hazırlayan (eğitim koordinatörü)", "Onaylayan (yönetim temsilcisi)",
    ):
        assert expected in text, expected


def test_the_pdf_of_a_year_without_a_plan_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("training:plan_pdf", args=[YEAR + 9])).status_code == 404
