"""The yearly data-analysis report (Yıllık veri analizi raporu): a year's requests by month, channel,
type, category and unit beside the year before, satisfaction and field checks, and sentences on the
largest changes written only from those figures; worked out by hand, scoped, 403 without
`kpi.view_kpi`, as a page and a PDF."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from kpi.models import Kpi
from kpi.reports import year_analysis
from qms.roles import Role
from tests.kpi.conftest import request_row

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def two_years(make_requests):
    """2024: FEN, 2 complaints by ALO 153 in January, answered on time (24 h).
    2025: FEN, 3 complaints in March (1 by ALO 153 answered on time in 24 h, 2 by WhatsApp: one
          answered late after 18 days, one unanswered past due); PARK, 1 request by WhatsApp in May,
          answered on time (24 h), "Park Bakım", field check not ok; satisfaction 5 and 3 at FEN.
    By hand: 4 requests in 2025 against 2 in 2024 (+100 %); the busiest month March (3); WhatsApp
    0 -> 3 is the largest change among channels; the on-time rate 2/2 = 100 % -> 2/4 = 50 %."""
    make_requests([
        request_row(created_at="2024-01-10 09:00", first_answer_at="2024-01-11 09:00"),
        request_row(created_at="2024-01-11 09:00", first_answer_at="2024-01-12 09:00"),
        request_row(created_at="2025-03-03 09:00", first_answer_at="2025-03-04 09:00", satisfaction="5"),
        request_row(created_at="2025-03-03 09:00", first_answer_at="2025-03-21 09:00", channel="WhatsApp",
                    satisfaction="3"),
        request_row(created_at="2025-03-04 09:00", status="open", first_answer_at=None, channel="WhatsApp"),
        request_row(unit_code="PARK", created_at="2025-05-06 09:00", first_answer_at="2025-05-07 09:00",
                    channel="WhatsApp", category="Park Bakım", type="request", field_check="not_ok",
                    status="closed", closed_at="2025-05-08 09:00"),
    ])


def test_the_figures_by_month_channel_category_and_unit(two_years):
    a = year_analysis(year=2025, as_of=AS_OF)
    assert (a.date_from, a.date_to, a.previous_from, a.previous_to, a.partial) == (
        dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 12, 31), False)
    assert (a.total.values["created"], a.previous_total.values["created"]) == (4, 2)
    assert (a.total.values["on_time_rate"], a.previous_total.values["on_time_rate"]) == (0.5, 1.0)
    assert [(m.key, m.before(Kpi.CREATED), m.value(Kpi.CREATED)) for m in a.months if m.current or m.previous] == [
        ("2025-01", 2, 0), ("2025-03", 0, 3), ("2025-05", 0, 1)]
    assert len(a.months) == 12
    assert [(c.label, c.before(Kpi.CREATED), c.value(Kpi.CREATED)) for c in a.channels] == [
        ("WhatsApp", 0, 3), ("ALO 153", 2, 1)]
    assert [(c.key, c.value(Kpi.CREATED)) for c in a.types] == [("complaint", 3), ("request", 1)]
    assert [(c.label, c.value(Kpi.CREATED)) for c in a.categories] == [("Yol Bakım", 3), ("Park Bakım", 1)]
    assert [(u.key, u.before(Kpi.CREATED), u.value(Kpi.CREATED)) for u in a.units] == [
        ("FEN", 2, 3), ("PARK", 0, 1)]
    assert a.total.values["satisfaction_avg"] == 4.0 and a.total.values["field_check_fail_rate"] == 1.0


def test_the_sentences_state_the_largest_changes(two_years):
    said = year_analysis(year=2025, as_of=AS_OF).sentences
    assert said[0] == "2025 yılında 4 başvuru alındı: 2024 yılına göre (2) %100,0 daha fazla."
    assert "En yoğun ay 3 başvuru ile Mart oldu." in said
    assert ("Kanallar arasında en büyük değişim: WhatsApp; 2024 yılında 0, 2025 yılında 3 başvuru (▲ +3)."
            in said)
    # Yol Bakım 2 -> 3 and Park Bakım 0 -> 1 change as much: the larger category is named.
    assert ("Başlıca kategoriler arasında en büyük değişim: Yol Bakım; 2024 yılında 2, 2025 yılında 3 başvuru "
            "(▲ +1)." in said)
    # Rates rest on fewer than the minimum sample (20): no sentence compares them.
    assert not any("%50,0" in sentence for sentence in said)


def test_with_enough_requests_the_rates_are_compared(two_years, settings):
    settings.QMS_KPI_MIN_SAMPLE = 2
    said = year_analysis(year=2025, as_of=AS_OF).sentences
    assert any(s.endswith(": 2024 yılında %100,0, 2025 yılında %50,0: ▼ −50,0 puan (daha kötü).") for s in said)
    assert any(s.endswith(": 2024 yılında 24,0, 2025 yılında 160,0: ▲ +136,0 (daha kötü).") for s in said)
    # FEN: 1 of 3 on time in 2025 (PARK's answer is PARK's), 2 of 2 in 2024.
    assert ("Süresi dolan ya da cevaplanan en az 2 başvurusu olan birimler arasında en düşük zamanında cevap oranı: "
            "FEN — Fen İşleri Dairesi Başkanlığı, %33,3." in said)
    assert ("Birimler arasında zamanında cevap oranında en büyük değişim: FEN — Fen İşleri Dairesi Başkanlığı; "
            "%100,0 değerinden %33,3 değerine: ▼ −66,7 puan (daha kötü)." in said)


def test_a_year_not_over_is_compared_with_the_same_months(two_years):
    a = year_analysis(year=2025, as_of=dt.date(2025, 3, 15))
    assert (a.date_to, a.previous_to, a.partial) == (dt.date(2025, 3, 31), dt.date(2024, 3, 31), True)
    assert a.total.values["created"] == 3 and len(a.months) == 3
    assert a.sentences[0] == "2025 yılı Mart sonuna kadar sayıldı ve 2024 yılının aynı aylarıyla karşılaştırıldı."
    with pytest.raises(ValidationError):
        year_analysis(year=2026, as_of=dt.date(2025, 3, 15))


def test_a_unit_manager_gets_their_units_only(two_years, role_client):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    response = client.get(reverse("kpi:yearly"), {"year": "2025"})
    assert response.status_code == 200
    a = response.context["analysis"]
    assert a.total.values["created"] == 3 and [u.key for u in a.units] == ["FEN"]
    assert "2025 yılında 3 başvuru alındı" in response.content.decode()


def test_the_page_refuses_an_unknown_year(two_years, role_client):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    page = client.get(reverse("kpi:yearly"))
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["year"].choices][-2:] == [2025, 2024]
    assert client.get(reverse("kpi:yearly"), {"year": "1990"}).status_code == 400


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_403_without_the_kpi_permission(two_years, role_client, role):
    client = role_client(role, unit="FEN")
    assert client.get(reverse("kpi:yearly")).status_code == 403
    assert client.get(reverse("kpi:yearly_pdf"), {"year": "2025"}).status_code == 403


def test_the_pdf(two_years, role_client):
    client = role_client(Role.TOP_MANAGEMENT, unit="HİŞM")
    response = client.get(reverse("kpi:yearly_pdf"), {"year": "2025"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())
    for expected in ("2025 Yıllık veri analizi raporu", "Aylara göre başvurular", "Kanallara göre başvurular",
                     "Türlere göre başvurular", "Kategorilere göre başvurular (2 kategorinin en büyük 2 tanesi)",
                     "Memnuniyet anketi ve yerinde tespit", "2025 yılında birimler: tüm göstergeler",
                     "2025 yılında 4 başvuru alındı: 2024 yılına göre (2) %100,0 daha fazla.",
                     "Kanallar arasında en büyük değişim: WhatsApp", "Park ve Bahçeler Dairesi Başkanlığı",
                     "Fen İşleri Dairesi Başkanlığı", "Şubat", "Ağustos", "%75,0"):
        assert expected in text, expected


def test_the_page_takes_the_same_queries_whatever_the_number_of_requests(two_years, role_client, make_requests,
                                                                         django_assert_num_queries):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    client.get(reverse("kpi:yearly"), {"year": "2025"})
    make_requests([request_row(created_at="2025-07-01 09:00", first_answer_at="2025-07-01 10:00")
                   for _ in range(10)])
    with django_assert_num_queries(YEARLY_QUERIES):
        assert client.get(reverse("kpi:yearly"), {"year": "2025"}).context["analysis"].total.values["created"] == 14
    make_requests([request_row(unit_code=code, created_at=f"2025-{month:02d}-01 09:00", channel=f"Kanal {month}",
                               category=f"Konu {month}", first_answer_at=f"2025-{month:02d}-02 09:00")
                   for code in ("FEN", "FEN-YOL", "PARK") for month in range(1, 13) for _twice in (1, 2)] + [
        request_row(created_at="2024-12-01 09:00", first_answer_at="2024-12-01 10:00") for _ in range(18)])
    with django_assert_num_queries(YEARLY_QUERIES):
        assert client.get(reverse("kpi:yearly"), {"year": "2025"}).context["analysis"].total.values["created"] == 86


YEARLY_QUERIES = 35
