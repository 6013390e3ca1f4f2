"""GET /api/v1/kpis/requests and `manage.py kpi_export requests`: the engine's rows by group, for the
caller's unit scope (the command: every unit), with the figures a person works out by hand from the
requests in tests/kpi/reports_data.py; 401 without credentials, 403 without `kpi.view_kpi`, 400 with
a clear message for bad parameters; the command's JSON is the API's rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import APIToken

from kpi.engine import KPI_NAMES
from qms.roles import Role
from tests.kpi.reports_data import scorecard_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/requests"
PERIOD = {"from": "2026-02-01", "to": "2026-03-31", "as_of": "2026-06-30"}

# FEN's own requests in March 2026 (r1-r4), worked out by hand: 4 created, r4 not processed; r1
# answered on time after 49 h, r2 late after 240 h (returned once), r3 unanswered past its due date.
FEN_MARCH = {
    "unit_code": "FEN", "month": "2026-03", "created": 4, "answered": 2, "due_or_answered": 3, "on_time": 1,
    "on_time_rate": 0.3333, "mean_answer_hours": 144.5,
    "median_answer_hours": 72.0,  # two answers, in the 48-72 h and 240-336 h buckets: 48 + 1 x 24
    "overdue_open": 1, "scheduled_overdue": 0, "returned_rate": 0.5, "satisfaction_avg": 3.5, "satisfied_rate": 0.5,
    "field_check_fail_rate": None,
}


@pytest.fixture
def requests_made(make_requests):
    make_requests(scorecard_rows())


@pytest.fixture
def representative(role_client, requests_made):
    return role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["rows"]


def test_rows_by_unit_and_month_are_the_hand_computed_figures(representative):
    response = representative.get(URL, {**PERIOD, "group_by": "unit,month"})
    body = response.json()
    assert {k: body[k] for k in ("from", "to", "as_of", "group_by", "min_sample")} == {
        "from": "2026-02-01", "to": "2026-03-31", "as_of": "2026-06-30", "group_by": ["unit", "month"],
        "min_sample": 20}
    rows = rows_of(response)
    assert [(r["unit_code"], r["month"]) for r in rows] == [
        ("FEN", "2026-02"), ("FEN", "2026-03"), ("FEN-YOL", "2026-03"), ("PARK", "2026-03")]
    assert list(rows[1]) == ["unit_code", "month", *KPI_NAMES]
    assert rows[1] == FEN_MARCH
    assert rows[0] | {"unit_code": "", "month": ""} == {
        "unit_code": "", "month": "", "created": 2, "answered": 2, "due_or_answered": 2, "on_time": 2,
        "on_time_rate": 1.0, "mean_answer_hours": 24.0, "median_answer_hours": 30.0, "overdue_open": 0,
        "scheduled_overdue": 0, "returned_rate": 0.0, "satisfaction_avg": None, "satisfied_rate": None,
        "field_check_fail_rate": None}
    park = rows[3]
    assert (park["created"], park["answered"], park["overdue_open"], park["on_time_rate"],
            park["field_check_fail_rate"]) == (2, 1, 1, 0.5, 1.0)


def test_the_report_date_decides_what_is_overdue(representative):
    # r3 falls due on 10.03.2026 and k2 on 17.03.2026: on 12.03 only r3 is overdue.
    rows = rows_of(representative.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "as_of": "2026-03-12",
                                            "group_by": "unit"}))
    assert {r["unit_code"]: r["overdue_open"] for r in rows} == {"FEN": 1, "FEN-YOL": 0, "PARK": 0}


def test_no_grouping_gives_one_row_of_the_whole_period(representative):
    rows = rows_of(representative.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "as_of": "2026-06-30"}))
    assert len(rows) == 1
    assert (rows[0]["created"], rows[0]["answered"], rows[0]["due_or_answered"], rows[0]["on_time"],
            rows[0]["on_time_rate"], rows[0]["overdue_open"]) == (7, 4, 6, 3, 0.5, 2)


def test_filters_unit_channel_type(representative):
    by_unit = rows_of(representative.get(URL, {**PERIOD, "group_by": "unit", "unit": "FEN"}))
    assert [r["unit_code"] for r in by_unit] == ["FEN", "FEN-YOL"]  # the unit and the units under it
    whatsapp = rows_of(representative.get(URL, {**PERIOD, "group_by": "channel", "channel": "WhatsApp"}))
    assert [(r["channel"], r["created"]) for r in whatsapp] == [("WhatsApp", 2)]
    complaints = rows_of(representative.get(URL, {**PERIOD, "group_by": "type,unit", "type": "complaint"}))
    assert [(r["type"], r["unit_code"], r["created"]) for r in complaints] == [
        ("complaint", "FEN", 6), ("complaint", "FEN-YOL", 1)]
    by_category = rows_of(representative.get(URL, {**PERIOD, "group_by": "category,quarter"}))
    assert [(r["category"], r["quarter"], r["created"]) for r in by_category] == [
        ("Park Bakım", "2026-Q1", 2), ("Yol Bakım", "2026-Q1", 7)]


def test_a_unit_manager_gets_the_rows_of_their_units_only(role_client, requests_made):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    rows = rows_of(client.get(URL, {**PERIOD, "group_by": "unit"}))
    assert [r["unit_code"] for r in rows] == ["FEN", "FEN-YOL"]
    total = rows_of(client.get(URL, {**PERIOD}))
    assert total[0]["created"] == 7  # FEN 6 + FEN-YOL 1, never PARK's 2
    # Another unit is refused as if it did not exist.
    response = client.get(URL, {**PERIOD, "unit": "PARK"})
    assert response.status_code == 400
    unknown = client.get(URL, {**PERIOD, "unit": "YOK"}).json()["detail"]
    assert response.json()["detail"] == unknown.replace("YOK", "PARK") == "“PARK” kodlu bir birim yok."


def test_a_bearer_token_works(make_user, requests_made, client):
    user = make_user(Role.TOP_MANAGEMENT, unit="HİŞM")
    _token, plaintext = APIToken.create_token(user=user, name="rapor")
    response = client.get(URL, {**PERIOD, "group_by": "unit"}, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert [r["unit_code"] for r in rows_of(response)] == ["FEN", "FEN-YOL", "PARK"]


def test_401_without_credentials(client, requests_made):
    response = client.get(URL, {**PERIOD, "group_by": "unit"})
    assert response.status_code == 401
    assert "rows" not in response.json()


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.TRAINING_COORDINATOR])
def test_403_without_the_kpi_permission(role_client, requests_made, role):
    response = role_client(role, unit="FEN").get(URL, {**PERIOD, "group_by": "unit"})
    assert response.status_code == 403
    assert "kpi.view_kpi" in response.json()["detail"]


@pytest.mark.parametrize(("params", "words"), [
    ({"group_by": "unit,colour"}, "colour"),
    ({"group_by": "month,year"}, "En fazla bir"),
    ({"group_by": "unit,unit"}, "bir kez"),
    ({"from": "2026-04-01"}, "başlangıcı bitişinden sonra"),
    ({"from": "2026-13-01"}, "2026-13-01"),
    ({"to": "31.03.2026"}, "31.03.2026"),
    ({"from": ""}, "zorunlu"),
    ({"group_by": "category", "from": "2026-02-02"}, ""),  # categories are kept per month: the engine says so
    ({"group_by": "category,week"}, ""),
    ({"unit": "YOK"}, "YOK"),
    ({"type": "praise"}, "praise"),
    ({"channel": "Güvercin"}, "Güvercin"),
    ({"as_of": "dün"}, "dün"),
])
def test_400_says_what_is_wrong(representative, params, words):
    response = representative.get(URL, {**PERIOD, **params})
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert detail and words in detail


# --- the command ----------------------------------------------------------------------------------


def export(*args) -> str:
    out = io.StringIO()
    call_command("kpi_export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_json_is_the_api_rows(representative):
    api_rows = rows_of(representative.get(URL, {**PERIOD, "group_by": "unit,month"}))
    command_rows = json.loads(export("requests", "--from", "2026-02-01", "--to", "2026-03-31", "--group-by",
                                     "unit,month", "--as-of", "2026-06-30", "--format", "json"))
    assert command_rows == api_rows
    assert command_rows[1] == FEN_MARCH


def test_the_command_filters_a_unit_like_the_api(representative):
    api_rows = rows_of(representative.get(URL, {**PERIOD, "group_by": "unit", "unit": "FEN"}))
    command_rows = json.loads(export("requests", "--from", "2026-02-01", "--to", "2026-03-31", "--group-by", "unit",
                                     "--as-of", "2026-06-30", "--unit", "FEN", "--format", "json"))
    assert command_rows == api_rows and [r["unit_code"] for r in command_rows] == ["FEN", "FEN-YOL"]


def test_the_command_writes_csv_with_the_same_keys(requests_made, tmp_path):
    target = tmp_path / "kpi.csv"
    call_command("kpi_export", "requests", "--from", "2026-02-01", "--to", "2026-03-31", "--group-by", "unit,month",
                 "--as-of", "2026-06-30", "--format", "csv", "--output", str(target), stderr=io.StringIO())
    text = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0]) == ["unit_code", "month", *KPI_NAMES]
    march = rows[1]
    assert (march["unit_code"], march["month"], march["created"], march["on_time_rate"], march["mean_answer_hours"],
            march["field_check_fail_rate"]) == ("FEN", "2026-03", "4", "0.3333", "144.5", "")


def test_the_command_refuses_bad_parameters(requests_made):
    with pytest.raises(CommandError, match="colour"):
        export("requests", "--from", "2026-02-01", "--to", "2026-03-31", "--group-by", "unit,colour")
    with pytest.raises(CommandError, match="başlangıcı bitişinden sonra"):
        export("requests", "--from", "2026-04-01", "--to", "2026-03-31")
    with pytest.raises(CommandError):
        export("colours", "--from", "2026-02-01", "--to", "2026-03-31")
