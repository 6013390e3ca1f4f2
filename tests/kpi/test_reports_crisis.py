"""The crisis report (Kriz raporu): units whose overdue backlog (requests of the last twelve months,
unanswered past due at the report date) reaches QMS_KPI_CRISIS_OVERDUE, or whose on-time rate for
the requests of the last seven days is under QMS_KPI_CRISIS_ON_TIME_RATE (only with the minimum
sample), worked out by hand; scoped, 403 without `kpi.view_kpi`, and as a PDF."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qms.roles import Role
from tests.kpi.conftest import request_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("thresholds", "crisis_requests")]

DATE = {"date": "2026-03-20"}  # the report date: twelve months from 21.03.2025, the week from 14.03.2026


@pytest.fixture
def thresholds(settings):
    settings.QMS_KPI_CRISIS_OVERDUE = 2
    settings.QMS_KPI_CRISIS_ON_TIME_RATE = 0.8
    settings.QMS_KPI_MIN_SAMPLE = 3


@pytest.fixture
def crisis_requests(make_requests):
    """By hand, at 20.03.2026 (3-day deadlines):
    PARK: 2 requests of 02.03 unanswered, due 05.03: backlog 2, at the limit of 2 -> listed.
    FEN: 3 requests of 16.03 (due 19.03): one answered 17.03 (on time), two on 20.03 (late):
         on-time rate 1/3, under 80 %, over 3 due or answered -> listed.
    FEN-YOL: 2 requests of 16.03 answered late: 0 %, but only 2 due or answered (minimum 3) -> not
         listed for the rate; 1 unanswered of 02.03 -> backlog 1, under the limit -> not listed.
    A request of March 2025 unanswered at PARK is older than twelve months: not in the backlog."""
    rows = [
        request_row(unit_code="PARK", created_at="2026-03-02 09:00", deadline="3", status="open", first_answer_at=None),
        request_row(unit_code="PARK", created_at="2026-03-02 10:00", deadline="3", status="open", first_answer_at=None),
        request_row(unit_code="PARK", created_at="2025-03-10 10:00", deadline="3", status="open", first_answer_at=None),
        request_row(unit_code="FEN", created_at="2026-03-16 09:00", deadline="3", first_answer_at="2026-03-17 09:00"),
        request_row(unit_code="FEN", created_at="2026-03-16 09:00", deadline="3", first_answer_at="2026-03-20 09:00"),
        request_row(unit_code="FEN", created_at="2026-03-16 09:00", deadline="3", first_answer_at="2026-03-20 10:00"),
        request_row(unit_code="FEN-YOL", created_at="2026-03-16 09:00", deadline="3",
                    first_answer_at="2026-03-20 09:00"),
        request_row(unit_code="FEN-YOL", created_at="2026-03-16 09:00", deadline="3",
                    first_answer_at="2026-03-20 09:00"),
        request_row(unit_code="FEN-YOL", created_at="2026-03-02 09:00", deadline="3", status="open",
                    first_answer_at=None),
    ]
    make_requests(rows)


def test_the_units_over_a_threshold_with_their_figures(role_client):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(reverse("kpi:crisis"), DATE)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.backlog_from.isoformat(), report.week_from.isoformat()) == ("2025-03-21", "2026-03-14")
    units = {u.code: u for u in report.units}
    assert list(units) == ["PARK", "FEN"]  # the backlog first
    park, fen = units["PARK"], units["FEN"]
    assert (park.overdue_open, park.backlog_crossed, park.rate_crossed) == (2, True, False)
    assert (fen.overdue_open, fen.on_time_rate, fen.due_or_answered, fen.created) == (0, 0.3333, 3, 3)
    assert (fen.backlog_crossed, fen.rate_crossed) == (False, True)
    html = response.content.decode()
    assert "%33,3" in html and "süresi geçmiş birikim" in html and "zamanında cevap oranı" in html
    # The figures open the requests behind them.
    assert park.backlog_url.startswith(reverse("kpi:requests"))
    assert "figure=overdue_open" in park.backlog_url and "unit=PARK" in park.backlog_url
    assert "from=2025-03-21" in park.backlog_url and "as_of=2026-03-20" in park.backlog_url
    assert "figure=due_or_answered" in fen.rate_url and "from=2026-03-14" in fen.rate_url
    assert park.backlog_url.replace("&", "&amp;") in html


def test_the_report_date_moves_the_window(role_client):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    # On 04.03 PARK's requests are not yet due, and nothing of the week is due or answered.
    assert client.get(reverse("kpi:crisis"), {"date": "2026-03-04"}).context["report"].units == []


def test_a_unit_manager_sees_their_units_only(role_client):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    report = client.get(reverse("kpi:crisis"), DATE).context["report"]
    assert [u.code for u in report.units] == ["FEN"]


def test_a_future_date_is_refused(role_client):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(reverse("kpi:crisis"), {"date": "2999-01-01"})
    assert response.status_code == 400
    assert "ileri bir tarih olamaz" in response.content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_403_without_the_kpi_permission(role_client, role):
    client = role_client(role, unit="FEN")
    assert client.get(reverse("kpi:crisis"), DATE).status_code == 403
    assert client.get(reverse("kpi:crisis_pdf"), DATE).status_code == 403


def test_the_pdf(role_client):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(reverse("kpi:crisis_pdf"), DATE)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())
    for expected in ("Kriz raporu 20.03.2026", "PARK — Park ve Bahçeler Dairesi Başkanlığı",
                     "FEN — Fen İşleri Dairesi Başkanlığı", "%33,3", "süresi geçmiş birikim", "%80,0",
                     "21.03.2025", "14.03.2026"):
        assert expected in text, expected
    assert "FEN-YOL" not in text


def test_the_page_takes_the_same_queries_whatever_the_number_of_requests(role_client, make_requests,
                                                                         django_assert_num_queries):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    client.get(reverse("kpi:crisis"), DATE)
    make_requests([request_row(unit_code="PARK", created_at="2026-03-18 09:00", status="open", first_answer_at=None,
                               deadline="3") for _ in range(10)])
    with django_assert_num_queries(CRISIS_QUERIES):
        assert client.get(reverse("kpi:crisis"), DATE).context["report"].units[0].overdue_open == 2
    make_requests([request_row(unit_code=code, created_at="2026-03-01 09:00", status="open", first_answer_at=None,
                               deadline="3") for code in ("FEN", "FEN-YOL", "PARK") * 30])
    with django_assert_num_queries(CRISIS_QUERIES):
        assert {u.code: u.overdue_open for u in client.get(reverse("kpi:crisis"), DATE).context["report"].units} \
            == {"PARK": 32, "FEN-YOL": 31, "FEN": 30}


CRISIS_QUERIES = 16
