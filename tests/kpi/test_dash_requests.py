"""The requests behind a figure: the list agrees with the figure, keeps to the reader's unit scope,
pages in a fixed number of queries and downloads as CSV / XLSX."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kpi.models import Kpi, Request
from qms.roles import Role
from tests.kpi.dash_data import MONTH_QUERY, add_targets, load_march, unit_rows, use_small_sample

URL = reverse("kpi:requests")
DASHBOARD = reverse("kpi:dashboard")
MARCH = "from=2026-03-01&to=2026-03-31&as_of=2026-04-15"


@pytest.fixture
def march(make_requests, settings):
    load_march(make_requests, settings)


@pytest.fixture
def small_sample(settings):
    use_small_sample(settings)


@pytest.fixture
def targets(db):
    add_targets()


def numbers(response) -> set[str]:
    return {r.request_no for r in response.context["rows"]}


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_roles_without_kpi_view_are_refused(role_client, role, march):
    response = role_client(role).get(f"{URL}?{MARCH}")
    assert response.status_code == 403
    assert "HIM-" not in response.content.decode()
    assert role_client(role).get(f"{URL}?{MARCH}&format=csv").status_code == 403


@pytest.mark.parametrize("kpi", [Kpi.OVERDUE_OPEN, Kpi.ON_TIME_RATE, Kpi.ANSWERED, Kpi.CREATED, Kpi.ON_TIME,
                                 Kpi.SATISFIED_RATE])
def test_every_tile_links_to_as_many_requests_as_its_figure(role_client, march, kpi):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    tiles = {c.kpi: c for c in client.get(f"{DASHBOARD}?{MONTH_QUERY}").context["tiles"]}
    response = client.get(tiles[kpi].href)
    assert response.status_code == 200
    counted = response.context["page"].paginator.count
    expected = {Kpi.OVERDUE_OPEN: 4, Kpi.ON_TIME_RATE: 19, Kpi.ANSWERED: 15, Kpi.CREATED: 19, Kpi.ON_TIME: 12,
                Kpi.SATISFIED_RATE: 12}[kpi]
    assert counted == expected
    if kpi in (Kpi.OVERDUE_OPEN, Kpi.CREATED, Kpi.ANSWERED, Kpi.ON_TIME):
        assert counted == tiles[kpi].value


def test_a_unit_row_links_to_that_unit_alone(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    rows = {r["unit"].code: {c.kpi: c for c in r["cells"]}
            for r in client.get(f"{DASHBOARD}?{MONTH_QUERY}").context["unit_rows"]}
    response = client.get(rows["FEN"][Kpi.OVERDUE_OPEN].href)
    assert response.context["page"].paginator.count == rows["FEN"][Kpi.OVERDUE_OPEN].value == 3
    assert {r.unit.code for r in response.context["rows"]} == {"FEN"}
    # Without unit_only, FEN takes in FEN-YOL as well.
    query = parse_qs(urlsplit(rows["FEN"][Kpi.CREATED].href).query)
    assert query["unit_only"] == ["1"]
    response = client.get(f"{URL}?{MARCH}&figure=created&unit=FEN")
    assert {r.unit.code for r in response.context["rows"]} == {"FEN", "FEN-YOL"}
    assert response.context["page"].paginator.count == 14


def test_the_list_shows_the_columns(role_client, march):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MARCH}&figure=overdue_open&unit=PARK")
    html = response.content.decode()
    request = Request.objects.get(unit__code="PARK", status=1)
    assert request.request_no in html
    for text in ("09.03.2026", "16.03.2026", "WhatsApp", "Talep", "Açık",
                 "7 gün (hızlı işlem)", "Park ve Bahçeler"):
        assert text in html, text


def test_a_unit_manager_sees_only_their_subtree(role_client, march):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    response = client.get(f"{URL}?{MARCH}&figure=created")
    assert response.status_code == 200
    assert {r.unit.code for r in response.context["rows"]} == {"FEN", "FEN-YOL"}
    assert response.context["page"].paginator.count == 14
    # Another unit: 404, for the list and the download alike, and its requests never show.
    for suffix in ("", "&format=csv", "&unit_only=1"):
        response = client.get(f"{URL}?{MARCH}&figure=created&unit=PARK{suffix}")
        assert response.status_code == 404
        assert "WhatsApp" not in response.content.decode()
    assert client.get(f"{URL}?{MARCH}&unit=NOPE").status_code == 404
    # Someone in FEN-YOL only (not a manager) sees FEN-YOL's requests only.
    response = client.get(f"{URL}?{MARCH}&figure=created&unit=FEN-YOL")
    assert {r.unit.code for r in response.context["rows"]} == {"FEN-YOL"}


def test_bad_filters_are_refused_with_a_message(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = client.get(f"{URL}?from=2026-03-31&to=2026-03-01&figure=created")
    assert response.status_code == 400
    assert "Dönemin bitişi başlangıcından önce." in response.content.decode()
    assert client.get(f"{URL}?{MARCH}&figure=everything").status_code == 400
    assert client.get(f"{URL}?{MARCH}&format=pdf").status_code == 400


def test_csv_and_xlsx_hold_the_same_list(role_client, march):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    response = client.get(f"{URL}?{MARCH}&figure=overdue_open&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Başvuru numarası;Oluşturulma;Birim kodu")
    assert len(lines) == 1 + 3 and all(";FEN;" in line for line in lines[1:])
    response = client.get(f"{URL}?{MARCH}&figure=overdue_open&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4 and {row[2] for row in rows[1:]} == {"FEN"}
    assert rows[1][1].strftime("%d.%m.%Y %H:%M") == "02.03.2026 09:00"  # Istanbul time, as entered


def test_the_download_is_capped(role_client, march, monkeypatch):
    from kpi.views import requests as view

    monkeypatch.setattr(view, "DOWNLOAD_MAX", {"csv": 7, "xlsx": 5})
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = client.get(f"{URL}?{MARCH}&figure=created")
    assert response.context["too_many"]
    assert "CSV olarak en fazla 7, XLSX olarak en fazla 5 başvuru" in response.content.decode()
    lines = client.get(f"{URL}?{MARCH}&figure=created&format=csv").content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 7
    sheet = load_workbook(io.BytesIO(client.get(f"{URL}?{MARCH}&figure=created&format=xlsx").content)).active
    assert sheet.max_row == 1 + 5


# Session, user, permissions, groups, (profile), the units, channels and categories for the filters,
# the scope again in requests_behind, the count and the page (with unit, channel and category joined),
# and Wagtail's page furniture.
LIST_QUERIES = {Role.MANAGEMENT_REPRESENTATIVE: 15, Role.UNIT_MANAGER: 16}


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER])
def test_the_query_count_does_not_grow_with_the_rows(role_client, make_requests, role, django_assert_num_queries):
    client = role_client(role, unit="FEN")
    make_requests(unit_rows("FEN", on_time=4, late=3, overdue=3))
    url = f"{URL}?{MARCH}&figure=created&unit=FEN"
    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(url)
    assert len(response.context["rows"]) == 10
    rows = []
    for day in range(2, 17):
        rows += unit_rows("FEN-YOL", on_time=2, late=1, overdue=1, channel=f"Kanal {day}", day=day)
        rows += unit_rows("FEN", on_time=1, late=1, type_="request", day=day)
    make_requests(rows)
    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(url)
    assert response.context["page"].paginator.count == 100
    assert len(response.context["rows"]) == 50
    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(url + "&p=2")
    assert len(response.context["rows"]) == 50
