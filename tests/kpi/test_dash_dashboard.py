"""The request KPI dashboard: who may open it, what it shows within the reader's unit scope, and a
fixed number of queries whatever the number of requests."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kpi.engine import KpiEngine
from kpi.models import Kpi
from qms.roles import Role
from tests.kpi.dash_data import AS_OF, MONTH_QUERY, add_targets, load_march, unit_rows, use_small_sample

URL = reverse("kpi:dashboard")


@pytest.fixture
def march(make_requests, settings):
    load_march(make_requests, settings)


@pytest.fixture
def small_sample(settings):
    use_small_sample(settings)


@pytest.fixture
def targets(db):
    add_targets()


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR, Role.TRAINING_COORDINATOR])
def test_roles_without_kpi_view_are_refused(role_client, role, kpi_units):
    response = role_client(role).get(URL)
    assert response.status_code == 403
    html = response.content.decode()
    assert "talep göstergelerini görme" in html and "kpi-tiles" not in html


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR,
                                  Role.UNIT_MANAGER])
def test_kpi_viewers_open_it(role_client, role, kpi_units):
    response = role_client(role, unit="FEN").get(URL)
    assert response.status_code == 200


def test_the_month_shows_tiles_ratings_charts_and_the_unit_table(role_client, march):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MONTH_QUERY}")
    assert response.status_code == 200
    html = response.content.decode()
    context = response.context
    tiles = {cell.kpi: cell for cell in context["tiles"]}
    # 12 on time of 19 due or answered: 63,2 %, red against the department's 90/80.
    assert tiles[Kpi.ON_TIME_RATE].text == "%63,2"
    assert tiles[Kpi.ON_TIME_RATE].rating == "red"
    assert "Hedef dışı" in html and "≥ %90" in html
    assert tiles[Kpi.OVERDUE_OPEN].value == 4
    # Each chart is an accessible SVG with a data table.
    for chart_id in ("kpi-series", "kpi-unit-rate", "kpi-unit-overdue", "kpi-channel", "kpi-type"):
        assert f'id="{chart_id}"' in html
    assert html.count('role="img"') == 5
    assert "Zamanında cevap oranı" in html or "On-time rate" in html
    # The unit table: FEN red (4/9 = %44,4), FEN-YOL green, PARK green by its own target (3/5 = %60,0).
    rows = {row["unit"].code: {c.kpi: c for c in row["cells"]} for row in context["unit_rows"]}
    assert set(rows) == {"FEN", "FEN-YOL", "PARK"}
    assert (rows["FEN"][Kpi.ON_TIME_RATE].text, rows["FEN"][Kpi.ON_TIME_RATE].rating) == ("%44,4", "red")
    assert rows["FEN-YOL"][Kpi.ON_TIME_RATE].rating == "green"
    assert rows["PARK"][Kpi.ON_TIME_RATE].rating == "green"
    assert rows["FEN"][Kpi.MEAN_ANSWER_HOURS].text.count(",") == 1  # hours with one decimal
    # Every figure links to the requests behind it, with the row's unit alone.
    href = rows["FEN"][Kpi.OVERDUE_OPEN].href
    assert "figure=overdue_open" in href and "unit=FEN" in href and "unit_only=1" in href and "as_of=2026-04-15" in href
    assert href.replace("&", "&amp;") in html


def test_the_year_view_has_a_point_per_month(role_client, march):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?period=year&year=2026&month=1&as_of=2026-04-15")
    assert response.status_code == 200
    html = response.content.decode()
    series = html.split('id="kpi-series"')[1].split("</figure>")[0]
    assert series.count('<th scope="row">') == 12
    assert "Mart 2026" in series


def test_a_small_sample_is_shown_uncoloured(role_client, make_requests, small_sample, targets):
    make_requests(unit_rows("FEN", on_time=1, late=1))
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MONTH_QUERY}")
    tile = {cell.kpi: cell for cell in response.context["tiles"]}[Kpi.ON_TIME_RATE]
    assert tile.rating == "small"
    assert tile.text == "%50,0 (az örnek)"
    assert not tile.raisable
    assert "kpi-tile--red" not in response.content.decode()


def test_a_unit_manager_sees_only_their_subtree(role_client, march):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    response = client.get(f"{URL}?{MONTH_QUERY}")
    html = response.content.decode()
    assert {row["unit"].code for row in response.context["unit_rows"]} == {"FEN", "FEN-YOL"}
    assert "Park ve Bahçeler" not in html and "WhatsApp" not in html.split('id="kpi-channel"')[1]
    # The totals are those of FEN and FEN-YOL: 9 on time of 14.
    tiles = {cell.kpi: cell for cell in response.context["tiles"]}
    assert tiles[Kpi.CREATED].value == 14
    # The unit filter offers only the subtree; another unit is refused, never shown.
    assert 'value="PARK"' not in html
    response = client.get(f"{URL}?{MONTH_QUERY}&unit=PARK")
    assert response.status_code == 400
    assert "unit_rows" not in response.context or not response.context.get("unit_rows")


def test_the_unit_filter_takes_the_subtree(role_client, march):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MONTH_QUERY}&unit=FEN")
    assert {row["unit"].code for row in response.context["unit_rows"]} == {"FEN", "FEN-YOL"}
    tiles = {cell.kpi: cell for cell in response.context["tiles"]}
    assert tiles[Kpi.CREATED].value == 14
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MONTH_QUERY}&channel=&type=request")
    tiles = {cell.kpi: cell for cell in response.context["tiles"]}
    assert tiles[Kpi.CREATED].value == 5  # PARK's requests are the only "request" type


def test_figures_agree_with_the_engine(role_client, march):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MONTH_QUERY}")
    report = KpiEngine(as_of=AS_OF).compute(date_from=AS_OF.replace(month=3, day=1), date_to=AS_OF.replace(day=31,
                                                                                                          month=3))
    tiles = {cell.kpi: cell for cell in response.context["tiles"]}
    for kpi, value in report.total.values.items():
        assert tiles[kpi].value == value, kpi


def test_red_and_amber_figures_get_a_dof_form_only_for_those_who_may_raise(role_client, march, make_user, client):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE).get(f"{URL}?{MONTH_QUERY}")
    html = response.content.decode()
    buttons = re.findall(r'<button type="submit" name="cell" value="([a-z_]+):([A-Z-]*)"', html)
    raisable = {(c.kpi, "") for c in response.context["tiles"] if c.raisable}
    raisable |= {(c.kpi, row["unit"].code) for row in response.context["unit_rows"] for c in row["cells"]
                 if c.raisable}
    assert ("on_time_rate", "") in raisable and ("on_time_rate", "FEN") in raisable
    assert len(buttons) == len(raisable) and set(buttons) == raisable
    assert html.count('action="/admin/kpi/dof/"') == 2  # the tiles' form and the table's


def _count(client, url, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


# Session, user, permissions, groups, (the unit manager's profile and unit), the units and channels
# for the filters, the engine's 4 reports x 2 rollup queries with its scope, targets and names, the
# targets, and Wagtail's page furniture: the same at 10 and at 100 requests.
DASHBOARD_QUERIES = {Role.MANAGEMENT_REPRESENTATIVE: 24, Role.UNIT_MANAGER: 26}


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER])
def test_the_query_count_does_not_grow_with_the_requests(role_client, make_requests, small_sample, targets, role,
                                                         django_assert_num_queries):
    client = role_client(role, unit="FEN")
    make_requests(unit_rows("FEN", on_time=5, late=3, overdue=2))
    url = f"{URL}?{MONTH_QUERY}&unit=FEN"
    _count(client, url, django_assert_num_queries, DASHBOARD_QUERIES[role])
    rows = []
    for day in range(2, 17):  # 90 more, over more days, units, channels and types
        rows += unit_rows("FEN-YOL", on_time=2, late=1, overdue=1, channel=f"Kanal {day}", day=day)
        rows += unit_rows("FEN", on_time=1, late=1, type_="request", day=day)
    make_requests(rows)
    response = _count(client, url, django_assert_num_queries, DASHBOARD_QUERIES[role])
    assert {cell.kpi: cell for cell in response.context["tiles"]}[Kpi.CREATED].value == 100
