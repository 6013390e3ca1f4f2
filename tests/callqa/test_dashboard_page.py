"""The contact-centre KPI dashboard (/admin/callqa/dashboard/) and its home panel: who may open
them, the tiles with the definition, the charts with their tables, the agent and queue tables,
the downloads, and a fixed number of queries whatever the number of calls."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.callqa.dashboard_data import make_many, make_october

pytestmark = pytest.mark.django_db

URL = reverse("callqa:dashboard")
HOME = reverse("wagtailadmin_home")
OCTOBER = "period=month&year=2026&month=10"


@pytest.fixture
def october(centre):
    make_october(centre.agents)
    return centre


def get(client, user, query=OCTOBER):
    client.force_login(user)
    return client.get(f"{URL}?{query}")


@pytest.fixture(autouse=True)
def _in_2026(monkeypatch):
    """The year filter offers this year and the four before: the fixtures are in 2026."""
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 11, 15))


@pytest.mark.parametrize("name", ["a1", "b1", "ev1", "staff"])
def test_agents_evaluators_and_staff_are_refused(client, october, name):
    response = get(client, getattr(october.users, name))
    assert response.status_code == 403
    html = response.content.decode()
    assert "callqa.view_callkpi" in html and "kpi-tiles" not in html


def test_the_page_for_the_management_representative(client, october):
    response = get(client, october.users.mr)
    assert response.status_code == 200
    html = response.content.decode()
    tiles = {tile["kpi"]: tile for tile in response.context["tiles"]}
    assert tiles["offered"]["text"] == "10"
    assert tiles["service_level"]["text"] == "%50,0"
    assert tiles["asa"]["text"] == "15,0 sn" and tiles["aht"]["text"] == "136,7 sn"
    assert tiles["abandon_rate"]["text"] == "%25,0"
    # the definition is stated under the service level
    assert tiles["service_level"]["note"].startswith("Hizmet düzeyi: 20 sn içinde cevaplanan")
    assert tiles["service_level"]["note"] in html
    # four charts, each an accessible SVG with its table
    for chart_id in ("callqa-series", "callqa-hours", "callqa-queues", "callqa-lines"):
        assert f'id="{chart_id}"' in html
    assert html.count('role="img"') == 4
    assert html.count('class="kpi-chart__data"') == 4
    series = html.split('id="callqa-series"')[1].split("</figure>")[0]
    assert series.count('<th scope="row">') == 31  # every day of October
    hours = html.split('id="callqa-hours"')[1].split("</figure>")[0]
    assert hours.count('<th scope="row">') == 24
    # the tables by agent (no call without an agent) and by queue
    assert [row["code"] for row in response.context["agent_rows"]] == ["A001", "A002", "B001"]
    assert {row["name"]: row["cells"][0].text for row in response.context["queue_rows"]} == {"Genel": "7",
                                                                                          "Ruhsat": "3"}
    assert 'scope="col"' in html and "Takım A" in html
    assert "Çağrı merkezi göstergeleri" in html


def test_the_agent_table_sorts_by_a_column(client, october):
    response = get(client, october.users.mr, f"{OCTOBER}&sort=-aht")
    assert [row["code"] for row in response.context["agent_rows"]] == ["A001", "B001", "A002"]  # 185, 150, 90
    headers = {h["key"]: h for h in response.context["agent_headers"]}
    assert headers["aht"]["aria_sort"] == "descending" and "sort=aht" in headers["aht"]["href"]
    assert 'aria-sort="descending"' in response.content.decode()
    response = get(client, october.users.mr, f"{OCTOBER}&sort=service_level")
    assert [row["code"] for row in response.context["agent_rows"]] == ["A001", "B001", "A002"]  # 50, 50, 100


def test_filters_by_line_queue_and_team(client, october):
    client.force_login(october.users.mr)
    form = get(client, october.users.mr).context["form"]
    lines = {label: value for value, label in form.fields["line"].choices}
    teams = {label: value for value, label in form.fields["team"].choices}
    response = client.get(f"{URL}?{OCTOBER}&line={lines['WhatsApp']}")
    assert {t["kpi"]: t["text"] for t in response.context["tiles"]}["offered"] == "1"
    response = client.get(f"{URL}?{OCTOBER}&team={teams['Takım B']}")
    assert [row["code"] for row in response.context["agent_rows"]] == ["B001"]


def test_a_range_of_days(client, october):
    response = get(client, october.users.mr, "period=range&date_from=2026-10-06&date_to=2026-10-06")
    assert {t["kpi"]: t["text"] for t in response.context["tiles"]}["offered"] == "4"
    response = get(client, october.users.mr, "period=range&date_from=2026-10-06")
    assert response.status_code == 400


def test_a_team_lead_sees_only_their_team(client, october):
    response = get(client, october.users.lead_a)
    assert response.status_code == 200
    assert [row["code"] for row in response.context["agent_rows"]] == ["A001", "A002"]
    assert {t["kpi"]: t["text"] for t in response.context["tiles"]}["offered"] == "3"
    html = response.content.decode()
    assert "B001" not in html and "Takım B" not in html
    # the team filter offers their team only; another team is refused
    form = response.context["form"]
    assert [label for _value, label in form.fields["team"].choices][1:] == ["Takım A"]
    response = client.get(f"{URL}?{OCTOBER}&team={october.teams.b.pk}")
    assert response.status_code == 400 and "agent_rows" not in response.context


def test_stale_rollups_are_warned_about(client, october, settings):
    settings.QMS_CALL_SL_SECONDS = 30
    html = get(client, october.users.mr).content.decode()
    assert 'role="alert"' in html and "rebuild_call_rollups" in html


def test_the_agent_table_downloads_as_csv_with_the_definition(client, october):
    response = get(client, october.users.mr, f"{OCTOBER}&format=csv&table=agent")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8").lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][0].startswith("# Hizmet düzeyi")
    assert lines[1][:4] == ["Temsilci kodu", "Temsilci", "Takım", "Sunulan"]
    assert lines[2][0] == "A001" and lines[2][3] == "2"
    assert [line[0] for line in lines[2:]] == ["A001", "A002", "B001"]


def test_every_table_downloads_as_xlsx(client, october):
    response = get(client, october.users.mr, f"{OCTOBER}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Tanım"
    assert book["Tanım"]["A2"].value.startswith("Hizmet düzeyi")
    assert len(book.sheetnames) == 6
    queues = book[book.sheetnames[2]]
    assert [queues.cell(row=r, column=1).value for r in (2, 3)] == ["Genel", "Ruhsat"]


def test_a_team_leads_download_holds_their_team_only(client, october):
    response = get(client, october.users.lead_b, f"{OCTOBER}&format=csv&table=agent")
    text = response.content.decode("utf-8")
    assert "B001" in text and "A001" not in text


def test_unknown_downloads_are_refused(client, october):
    assert get(client, october.users.mr, f"{OCTOBER}&format=pdf").status_code == 400
    assert get(client, october.users.mr, f"{OCTOBER}&format=csv&table=calls").status_code == 400


def test_the_menu_item(client, october):
    client.force_login(october.users.mr)
    assert URL in client.get(HOME).content.decode()
    client.force_login(october.users.a1)
    assert URL not in client.get(HOME).content.decode()


# Session, user, Wagtail's user profile, permissions (2), lines, queues, teams, agents, the rollup state,
# the four cube queries and Wagtail's page furniture (4): the same at 10 and at 100 calls.
DASHBOARD_QUERIES = {"mr": 18, "lead_a": 18}


@pytest.mark.parametrize("name", ["mr", "lead_a"])
def test_the_query_count_does_not_grow_with_the_calls(client, centre, django_assert_num_queries, name):
    client.force_login(getattr(centre.users, name))
    make_many(centre.agents, 10)
    client.get(f"{URL}?{OCTOBER}")  # the session's first request warms caches that are not the page's
    with django_assert_num_queries(DASHBOARD_QUERIES[name]):
        small = client.get(f"{URL}?{OCTOBER}")
    make_many(centre.agents, 90)
    with django_assert_num_queries(DASHBOARD_QUERIES[name]):
        large = client.get(f"{URL}?{OCTOBER}")
    assert len(large.context["queue_rows"]) >= len(small.context["queue_rows"])
    offered = {t["kpi"]: t["text"] for t in large.context["tiles"]}["offered"]
    assert offered == ("100" if name == "mr" else "40")  # team A: a1 and a2, two calls in five


# ---- the home dashboard's panel ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shown"), [("mr", True), ("qa_lead", True), ("top", True), ("lead_a", True),
                                             ("a1", False), ("ev1", False), ("staff", False)])
def test_the_panel_is_shown_to_kpi_viewers(client, centre, name, shown):
    client.force_login(getattr(centre.users, name))
    html = client.get(HOME).content.decode()
    assert ('id="callqa-kpi-summary-section"' in html) == shown
    if shown:
        assert "Bu ay çağrı merkezi" in html and URL in html


def test_the_panel_shows_this_months_figures(client, centre, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 10, 20))
    make_october(centre.agents)
    client.force_login(centre.users.mr)
    panel = client.get(HOME).content.decode().split('id="callqa-kpi-summary-section"')[1]
    assert "%50,0" in panel and "15,0 sn" in panel and "%25,0" in panel
    assert "Hizmet düzeyi: 20 sn" in panel
