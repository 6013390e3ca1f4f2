"""The unit scorecard (birim karnesi): a unit's month (with the units under it) against its targets,
beside the month before and the department's total, as a page, a PDF and an XLSX, with the figures
a person works out by hand (tests/kpi/reports_data.py). `kpi.view_kpi` is needed (403), and the
unit must be in the reader's unit scope (404). The page's query count does not grow with the data."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kpi.models import KpiTarget
from qms.roles import Role
from tests.kpi.reports_data import filler_rows, scorecard_rows

pytestmark = pytest.mark.django_db

# The FEN card for March 2026 (FEN with FEN-YOL), by hand: see tests/kpi/reports_data.py.
MARCH = {
    "created": 5, "answered": 3, "due_or_answered": 4, "on_time": 2, "on_time_rate": 0.5,
    "mean_answer_hours": 104.33, "median_answer_hours": 60.0, "overdue_open": 1, "scheduled_overdue": 0,
    "returned_rate": 0.3333, "satisfaction_avg": 3.67, "satisfied_rate": 0.6667, "field_check_fail_rate": 0.0,
}
FEBRUARY = {"created": 2, "answered": 2, "due_or_answered": 2, "on_time": 2, "on_time_rate": 1.0,
            "mean_answer_hours": 24.0, "overdue_open": 0, "satisfaction_avg": None}
DEPARTMENT = {"created": 7, "answered": 4, "due_or_answered": 6, "on_time": 3, "on_time_rate": 0.5,
              "overdue_open": 2, "field_check_fail_rate": 0.5}


@pytest.fixture
def requests_made(make_requests):
    make_requests(scorecard_rows())


def card_url(unit, month="2026-03", name="kpi:scorecard"):
    return reverse(name, args=[unit.pk, month])


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def test_the_card_holds_the_hand_computed_figures(role_client, kpi_units, requests_made):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(card_url(kpi_units["FEN"]))
    assert response.status_code == 200
    card = response.context["card"]
    lines = {line.kpi: line for line in card.lines}
    assert {kpi: lines[kpi].value for kpi in MARCH} == MARCH
    assert {kpi: lines[kpi].previous for kpi in FEBRUARY} == FEBRUARY
    assert {kpi: lines[kpi].department for kpi in DEPARTMENT} == DEPARTMENT
    assert [line.kpi for line in card.lines][:3] == ["created", "answered", "due_or_answered"]
    html = response.content.decode()
    assert "Birim karnesi" in html and "Mart 2026" in html and "Şubat 2026" in html
    assert "%50,0" in html and "104,3" in html and "60,0" in html
    assert "▲ +3" in html  # created: 2 -> 5, a count: no better or worse
    assert "▼ −50,0 puan (daha kötü)" in html  # on-time rate: 100 % -> 50 %
    assert "▲ +80,3 (daha kötü)" in html  # mean answer time: 24 h -> 104.33 h
    # Too few requests to rate (the minimum sample is 20): shown, and said so.
    assert lines["on_time_rate"].rating == "small" and lines["on_time_rate"].sample == 4
    assert "(yalnızca 4 adet)" in html and "Örneklem yetersiz" in html
    # Each figure opens the requests behind it.
    assert lines["overdue_open"].url.startswith(reverse("kpi:requests"))
    assert "figure=overdue_open" in lines["overdue_open"].url and "unit=FEN" in lines["overdue_open"].url


@override_settings(QMS_KPI_MIN_SAMPLE=1)
def test_ratings_use_the_unit_target_before_the_department_default(role_client, kpi_units, requests_made):
    KpiTarget.objects.create(kpi="on_time_rate", green=90, red=80)
    KpiTarget.objects.create(kpi="on_time_rate", unit=kpi_units["FEN"], green=50, red=40)
    KpiTarget.objects.create(kpi="mean_answer_hours", green=48, red=72)
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    card = client.get(card_url(kpi_units["FEN"])).context["card"]
    lines = {line.kpi: line for line in card.lines}
    assert lines["on_time_rate"].rating == "green"  # 50 % against FEN's own 50 %
    assert lines["on_time_rate"].department_rating == "red"  # 50 % against the default 90 %
    assert lines["on_time_rate"].target_text == "≥ %50 yeşil, %40 altı kırmızı"
    assert lines["mean_answer_hours"].rating == "red"  # 104.33 h, red above 72 h
    assert lines["mean_answer_hours"].target_text == "≤ 48 yeşil, 72 üstü kırmızı"
    assert lines["created"].rating is None and lines["created"].rating_label == ""
    assert card.rated() == {"green": 1, "amber": 0, "red": 1}


def test_the_chooser_sends_on_to_the_card(role_client, kpi_units, requests_made):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    page = client.get(reverse("kpi:scorecards"))
    assert page.status_code == 200
    assert [unit.code for unit in page.context["form"].fields["unit"].queryset] == ["FEN", "FEN-YOL"]
    response = client.get(reverse("kpi:scorecards"), {"unit": kpi_units["FEN-YOL"].pk, "month": "2026-03"})
    assert response.status_code == 302 and response["Location"] == card_url(kpi_units["FEN-YOL"])
    refused = client.get(reverse("kpi:scorecards"), {"unit": kpi_units["PARK"].pk, "month": "2026-03"})
    assert refused.status_code == 400  # not a unit they may choose
    assert client.get(reverse("kpi:scorecards"), {"unit": kpi_units["FEN"].pk, "month": "03.2026"}).status_code \
        == 400


def test_a_unit_manager_sees_own_units_and_gets_404_for_another(role_client, kpi_units, requests_made):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    assert client.get(card_url(kpi_units["FEN"])).status_code == 200
    road = client.get(card_url(kpi_units["FEN-YOL"]))
    assert road.status_code == 200 and road.context["card"].lines[0].value == 1
    for name in ("kpi:scorecard", "kpi:scorecard_pdf", "kpi:scorecard_xlsx"):
        assert client.get(card_url(kpi_units["PARK"], name=name)).status_code == 404
    assert client.get(reverse("kpi:scorecard", args=[999999, "2026-03"])).status_code == 404
    assert client.get(card_url(kpi_units["FEN"], month="2026-13")).status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR])
def test_403_without_the_kpi_permission(role_client, kpi_units, requests_made, role):
    client = role_client(role, unit="FEN")
    assert client.get(reverse("kpi:scorecards")).status_code == 403
    for name in ("kpi:scorecard", "kpi:scorecard_pdf", "kpi:scorecard_xlsx"):
        assert client.get(card_url(kpi_units["FEN"], name=name)).status_code == 403


def test_the_pdf_prints_the_card_in_turkish(role_client, kpi_units, requests_made):
    client = role_client(Role.UNIT_MANAGER, unit="FEN", first_name="Gülşen", last_name="Aydın")
    response = client.get(card_url(kpi_units["FEN"], name="kpi:scorecard_pdf"))
    assert response.status_code == 200
    assert "Birim karnesi FEN 2026-03.pdf" in response["Content-Disposition"].replace("%20", " ") or \
        "Birim_karnesi_FEN_2026-03.pdf" in response["Content-Disposition"]
    reader = PdfReader(BytesIO(response.content))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(response)
    for expected in ("Birim karnesi: Fen İşleri Dairesi Başkanlığı, Mart 2026", "Şubat 2026", "Daire (tüm birimler)",
                     "%50,0", "%100,0", "104,3", "60,0", "3,67", "%66,7", "puan (daha kötü)",
                     "(yalnızca 4 adet)", "Örneklem yetersiz", "Gülşen Aydın"):
        assert expected in text, expected


def test_the_xlsx_holds_the_same_figures(role_client, kpi_units, requests_made):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(card_url(kpi_units["FEN"], name="kpi:scorecard_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Gösterge", "Mart 2026", "Hedef", "Değerlendirme", "Şubat 2026", "Değişim",
                       "Daire (tüm birimler)")
    by_label = {row[0]: row for row in rows[1:]}
    created = rows[1]
    assert (created[1], created[4], created[5], created[6]) == (5, 2, "▲ +3", 7)
    on_time = [row for label, row in by_label.items() if label.endswith("(%)")][0]
    assert (on_time[1], on_time[4], on_time[6]) == (50.0, 100.0, 50.0)


def test_the_page_takes_the_same_queries_whatever_the_number_of_requests(role_client, kpi_units, make_requests,
                                                                         django_assert_num_queries):
    make_requests(scorecard_rows())
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    url = card_url(kpi_units["FEN"])
    client.get(url)  # the session and the user are loaded the same way every time after this
    make_requests(filler_rows(10))
    with django_assert_num_queries(QUERIES):
        assert client.get(url).context["card"].lines[0].value == 15
    make_requests(filler_rows(90) + filler_rows(10, unit_code="FEN-YOL", day="2026-03-21"))
    with django_assert_num_queries(QUERIES):
        assert client.get(url).context["card"].lines[0].value == 115


QUERIES = 25
