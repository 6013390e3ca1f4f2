"""The yearly evaluation of training requests: one screen and one PDF with the counts by state, by
course or topic and by unit, who decided, and every request with its decision."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from qms.roles import Role
from training import services
from training.models import TrainingPlan, TrainingRequest
from training.queries import request_evaluation

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
SCREEN = reverse("training:request_evaluation", args=[YEAR])
PDF = reverse("training:request_evaluation_pdf", args=[YEAR])


def in_year(request, month: int) -> None:
    TrainingRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.make_aware(datetime(YEAR, month, 3, 9)))


@pytest.fixture
def year_of_requests(make_user, make_course, coordinator, held_session):
    """Five requests of YEAR: KVKK twice (one accepted and held, one declined), "excel" as a free topic
    twice in different case (one still waiting), one Excel request accepted; one request of this year."""
    ali = make_user(Role.AGENT, unit="ALO153", first_name="Ali", last_name="Çelik")
    sule = make_user(Role.STAFF, unit="KSB", first_name="Şule", last_name="Öğüt")
    kvkk = make_course(code="EĞT-KVKK", title="Kişisel Verilerin Korunması")
    excel = make_course(code="EĞT-EXCEL", title="Ofis Programları: Excel")
    plan = TrainingPlan.objects.create(year=YEAR)
    made = [
        services.request_submit(user=ali, course=kvkk, reason="Veri ihlali riski", participants=10),
        services.request_submit(user=sule, course=kvkk, reason="Masada kimlik görülüyor", participants=3),
        services.request_submit(user=sule, topic="Excel ile raporlama", reason="Raporlar elle", participants=2),
        services.request_submit(user=ali, topic="EXCEL ILE  raporlama", reason="Grafikler", participants=1),
    ]
    for month, request in enumerate(made, start=1):
        in_year(request, month)
    services.request_accept(request=made[0], user=coordinator, plan=plan, month=3, note="Mart'ta iki oturum")
    services.request_decline(request=made[1], user=coordinator, reason="Mart oturumuna katılabilirsiniz")
    services.request_accept(request=made[2], user=coordinator, plan=plan, month=9, course=excel)
    item = TrainingRequest.objects.get(pk=made[0].pk).plan_item
    held_session(present=[ali], course=kvkk, plan_item=item, start=timezone.make_aware(datetime(YEAR, 3, 10, 10)))
    services.request_submit(user=ali, topic="Bu yılın talebi", reason="Başka yıl")  # not in YEAR
    return made


def test_the_query_counts_by_state_subject_unit_and_decider(year_of_requests, coordinator):
    evaluation = request_evaluation(coordinator, YEAR)
    assert evaluation.total == 4 and evaluation.participants == 16 and evaluation.delivered == 1
    assert {r["state"]: r["count"] for r in evaluation.by_state} == {"submitted": 1, "accepted": 2, "declined": 1}
    subjects = {str(r["label"]): (r["total"], r["accepted"], r["declined"], r["submitted"])
                for r in evaluation.by_subject}
    # The accepted free topic is counted under the course that answers it; the waiting one, written
    # in another case and spacing, stays a free topic.
    assert subjects == {"EĞT-KVKK Kişisel Verilerin Korunması": (2, 1, 1, 0),
                        "EĞT-EXCEL Ofis Programları: Excel": (1, 1, 0, 0), "EXCEL ILE  raporlama": (1, 0, 0, 1)}
    assert {r["label"]: r["total"] for r in evaluation.by_unit} == {"Çağrı Merkezi Birimi": 2,
                                                                     "Karşılama ve Sonuç Birimi": 2}
    assert evaluation.by_decider == [{"name": "Emre Şahin", "accepted": 2, "declined": 1}]


def test_the_screen_shows_every_request_with_its_decision(client, year_of_requests, coordinator):
    client.force_login(coordinator)
    response = client.get(SCREEN)
    html = response.content.decode()
    figures = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))
    assert figures == {"total": "4", "participants": "16", "submitted": "1", "accepted": "2", "declined": "1",
                       "delivered": "1 / 2"}
    for text in ("Veri ihlali riski", "Mart oturumuna katılabilirsiniz", "Mart&#x27;ta iki oturum",
                 "Talep edilen konu: Excel ile raporlama", "Ali Çelik", "Şule Öğüt", "Emre Şahin",
                 "Karşılama ve Sonuç Birimi", "Mart " + str(YEAR), "Eylül " + str(YEAR)):
        assert text in html, text
    assert "Bu yılın talebi" not in html
    assert len(response.context["rows"]) == 4


def test_the_pdf_prints_the_same_in_turkish(client, year_of_requests, coordinator):
    client.force_login(coordinator)
    response = client.get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    for expected in (f"{YEAR} Eğitim Talepleri Değerlendirmesi", "Eğitim veya konuya göre", "Birime göre",
                     "Karar verenlere göre", "Tüm talepler", "Kişisel Verilerin Korunması", "Ofis Programları: Excel",
                     "EXCEL ILE  raporlama".replace("  ", " "), "Ali Çelik", "Şule Öğüt", "Emre Şahin",
                     "katılabilirsiniz", "Çağrı Merkezi Birimi", "Karşılama ve Sonuç Birimi",
                     "Plana alındı", "Reddedildi", "Gönderildi", "serbest konu", "yapıldı", "yapılmadı"):
        assert expected in text, expected
    assert "Bu yılın talebi" not in text


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER])
def test_only_readers_of_every_request_open_the_evaluation(client, make_user, role):
    client.force_login(make_user(role, unit="ÇMŞ"))
    for url in (reverse("training:request_evaluation_current"), SCREEN, PDF):
        response = client.get(url)
        assert response.status_code == 403
        assert "Eğitim talepleri değerlendirmesini görme yetkiniz yok." in response.content.decode()


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR, Role.MANAGEMENT_REPRESENTATIVE])
def test_overseers_open_the_evaluation(client, make_user, year_of_requests, role):
    client.force_login(make_user(role, unit="HİŞM"))
    assert client.get(SCREEN).context["evaluation"].total == 4
    assert client.get(PDF).status_code == 200


def test_the_screen_runs_the_same_queries_for_10_and_100_requests(client, coordinator, make_user):
    people = [make_user(Role.AGENT, unit="ALO153"), make_user(Role.STAFF, unit="KSB")]
    client.force_login(coordinator)

    def make(count):
        made = TrainingRequest.objects.bulk_create([
            TrainingRequest(requested_by=people[i % 2], unit=people[i % 2].staff_profile.unit, topic=f"Konu {i % 7}",
                            reason="Gerekli") for i in range(count)])
        TrainingRequest.objects.filter(pk__in=[r.pk for r in made]).update(
            created_at=timezone.make_aware(datetime(YEAR, 5, 5)))

    make(10)
    client.get(SCREEN)
    with CaptureQueriesContext(connection) as few:
        client.get(SCREEN)
    make(90)
    with CaptureQueriesContext(connection) as many:
        response = client.get(SCREEN)
    assert response.context["evaluation"].total == 100
    assert len(many) == len(few)
