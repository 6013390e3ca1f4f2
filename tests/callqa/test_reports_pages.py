"""The report screens: the monthly agent report (page, PDF, every agent's PDFs in a zip), the team
summary (page, XLSX), trends, weakest criteria and evaluator productivity. Who may open what: an
agent their own report only, a team lead their team, the QA lead and the management representative
everything; every other combination, guessed ids included, is 404. Pages run a fixed number of
queries."""

from __future__ import annotations

import io
import zipfile
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kpi.callqa.views.reports import menu_items
from tests.callqa.reports_data import evaluate, many_agents, october

pytestmark = pytest.mark.django_db

USERS = ("a1", "a2", "b1", "lead_a", "lead_b", "ev1", "ev2", "qa_lead", "mr", "top", "staff")


@pytest.fixture
def data(centre):
    return october(centre)


def as_user(client, centre, name):
    client.force_login(getattr(centre.users, name))
    return client


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def agent_url(agent, month="2026-10", name="callqa:report_agent"):
    return reverse(name, args=[agent.pk, month])


# ---- who may open what ---------------------------------------------------------------------------


def _matrix(centre):
    a, t = centre.agents, centre.teams
    everyone_reports = {"a1", "a2", "b1", "lead_a", "lead_b", "qa_lead", "mr"}
    team_pages = {"lead_a", "lead_b", "qa_lead", "mr"}
    return [
        (reverse("callqa:reports"), everyone_reports),
        (agent_url(a.a1), {"a1", "lead_a", "qa_lead", "mr"}),
        (agent_url(a.a1, name="callqa:report_agent_pdf"), {"a1", "lead_a", "qa_lead", "mr"}),
        (agent_url(a.a2), {"a2", "lead_a", "qa_lead", "mr"}),
        (agent_url(a.b1, name="callqa:report_agent_pdf"), {"b1", "lead_b", "qa_lead", "mr"}),
        (agent_url(a.orphan), {"qa_lead", "mr"}),
        (reverse("callqa:report_agents_zip", args=["2026-10"]), {"qa_lead", "mr"}),
        (reverse("callqa:report_team"), team_pages),
        (reverse("callqa:report_team") + f"?team={t.a.pk}&month=2026-10", {"lead_a", "qa_lead", "mr"}),
        (reverse("callqa:report_team_xlsx") + f"?team={t.b.pk}&month=2026-10", {"lead_b", "qa_lead", "mr"}),
        (reverse("callqa:report_trends") + f"?team={t.a.pk}", {"lead_a", "qa_lead", "mr"}),
        (reverse("callqa:report_trends"), team_pages),
        (reverse("callqa:report_weakest") + f"?team={t.b.pk}", {"lead_b", "qa_lead", "mr"}),
        (reverse("callqa:report_productivity"), {"qa_lead", "mr"}),
        (reverse("callqa:report_productivity_xlsx"), {"qa_lead", "mr"}),
    ]


def test_every_report_url_as_every_role(client, centre, data):
    for url, allowed in _matrix(centre):
        for name in USERS:
            status = as_user(client, centre, name).get(url).status_code
            assert status == (200 if name in allowed else 404), (url, name, status)


def test_guessed_ids_and_months_are_404(client, centre, data):
    client = as_user(client, centre, "qa_lead")
    a1 = centre.agents.a1
    assert client.get(reverse("callqa:report_agent", args=[99999, "2026-10"])).status_code == 404
    assert client.get(reverse("callqa:report_agent", args=[a1.pk, "2026-13"])).status_code == 404
    assert client.get(reverse("callqa:report_agent", args=[a1.pk, "ekim"])).status_code == 404
    for query in ("?team=99999", "?team=abc"):
        assert client.get(reverse("callqa:report_team") + query).status_code == 404
        assert client.get(reverse("callqa:report_weakest") + query).status_code == 404
    assert client.get(reverse("callqa:report_agents_zip", args=["2026-1x"])).status_code == 404


def test_signed_out_visitors_go_to_the_login(client, centre, data):
    response = client.get(agent_url(centre.agents.a1))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_menu_items_show_to_report_readers_only(rf, centre):
    reports_item, coaching_item = menu_items()
    for name in USERS:
        request = rf.get("/admin/")
        request.user = getattr(centre.users, name)
        expected = name not in {"ev1", "ev2", "top", "staff"}
        assert reports_item.is_shown(request) is expected, name
        assert coaching_item.is_shown(request) is expected, name
    assert 300 <= reports_item.order < 400 and 300 <= coaching_item.order < 400


# ---- the monthly agent report --------------------------------------------------------------------


def test_the_agent_report_page_shows_the_figures(client, centre, data):
    response = as_user(client, centre, "a1").get(agent_url(centre.agents.a1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "76,49" in html and "62,50" in html and "85,71" in html  # mean, lowest, highest (Turkish)
    assert "55,6" in html and "90,0" in html  # the section averages
    assert "Karşılama güzeldi" in html and "Bilgi doğruluğunu artırın" in html
    assert "Ekim 2026" in html and "Eylül 2026" in html
    assert "-23,51" in html or "−23,51" in html
    assert data.c1.call.call_id in html  # the calibration's call is E1's: listed once, as E1
    assert html.count(data.c1.call.call_id) == 2  # the table row and the feedback heading


def test_the_agent_report_pdf_has_turkish_letters_and_the_figures(client, centre, data):
    response = as_user(client, centre, "lead_a").get(agent_url(centre.agents.a1, name="callqa:report_agent_pdf"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response)
    assert "A001" in text and "Ekim 2026" in text
    assert "76,49" in text and "62,50" in text and "85,71" in text and "100,00" in text
    assert "ışık, ğ, ş, İ, ö, ü, ç" in text
    assert "Kimlik doğrulaması atlandı." in text
    assert "Kurumsal karşılama yapıldı" in text and "%66,7" in text


def test_the_rescored_evaluation_shows_its_original(client, centre, data):
    html = as_user(client, centre, "b1").get(agent_url(centre.agents.b1)).content.decode()
    assert "93,75" in html and "84,38" in html and "90,63" in html


def test_the_index_sends_the_chooser_on_to_the_report(client, centre, data):
    client = as_user(client, centre, "lead_a")
    response = client.get(reverse("callqa:reports"), {"agent": centre.agents.a2.pk, "month": "2026-10"})
    assert response.status_code == 302 and response["Location"] == agent_url(centre.agents.a2)
    # a team lead cannot choose another team's agent
    response = client.get(reverse("callqa:reports"), {"agent": centre.agents.b1.pk, "month": "2026-10"})
    assert response.status_code == 400


def test_an_agent_gets_a_link_to_their_own_report(client, centre, data):
    html = as_user(client, centre, "a1").get(reverse("callqa:reports")).content.decode()
    assert agent_url(centre.agents.a1) in html
    assert reverse("callqa:report_team") not in html and reverse("callqa:report_productivity") not in html


def test_all_agents_pdfs_in_one_zip(client, centre, data):
    response = as_user(client, centre, "qa_lead").get(reverse("callqa:report_agents_zip", args=["2026-10"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert len(names) == 3 and all(name.endswith(".pdf") for name in names)
    assert [n for n in names if "A001" in n] and [n for n in names if "B001" in n]
    text = " ".join(PdfReader(io.BytesIO(archive.read(next(n for n in names if "A001" in n)))).pages[0]
                    .extract_text().split())
    assert "76,49" in text
    only_b = as_user(client, centre, "mr").get(reverse("callqa:report_agents_zip", args=["2026-10"]),
                                               {"team": centre.teams.b.pk})
    assert len(zipfile.ZipFile(io.BytesIO(only_b.content)).namelist()) == 1


# ---- team summary, trends, weakest criteria, productivity ----------------------------------------


def test_the_team_summary_of_a_team_lead(client, centre, data):
    response = as_user(client, centre, "lead_a").get(reverse("callqa:report_team"), {"month": "2026-10"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["agent"].code for row in rows] == ["A001", "A002"]
    html = response.content.decode()
    assert "57,37" in html and "76,49" in html and "B001" not in html


def test_the_team_summary_xlsx(client, centre, data):
    response = as_user(client, centre, "qa_lead").get(reverse("callqa:report_team_xlsx"),
                                                      {"team": centre.teams.a.pk, "month": "2026-10"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "A001" and values[1][3] == 3 and values[1][4] == pytest.approx(76.49)
    assert values[2][0] == "A002" and values[2][4] == pytest.approx(0.0) and values[2][7] == 1
    assert values[3][3] == 4 and values[3][4] == pytest.approx(57.37) and values[3][8] == 2
    assert len(values) == 4


def test_the_trends_page_has_a_chart_and_a_table(client, centre, data):
    response = as_user(client, centre, "qa_lead").get(reverse("callqa:report_trends"),
                                                      {"start": "2026-09", "end": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="kpi-chart__svg"' in html and 'role="img"' in html
    assert "Takım A" in html and "Takım B" in html and "57,37" in html and "68,45" in html
    assert response.context["rows"][-1]["is_total"]
    lead = as_user(client, centre, "lead_a").get(reverse("callqa:report_trends"),
                                                 {"start": "2026-09", "end": "2026-10"}).content.decode()
    assert "Takım A" in lead and "Takım B" not in lead and "90,63" not in lead


def test_the_trends_form_refuses_a_reversed_range(client, centre, data):
    response = as_user(client, centre, "qa_lead").get(reverse("callqa:report_trends"),
                                                      {"start": "2026-10", "end": "2026-01"})
    assert response.status_code == 400


def test_the_weakest_criteria_page(client, centre, data):
    response = as_user(client, centre, "lead_b").get(reverse("callqa:report_weakest"),
                                                     {"team": centre.teams.b.pk, "start": "2026-10",
                                                      "end": "2026-10"})
    assert response.status_code == 200
    assert [row["item"].text for row in response.context["rows"]][:2] == [
        "Kurumsal karşılama yapıldı", "Nezaket ve empati"]
    assert "%50,0" in response.content.decode()


def test_the_productivity_page_and_xlsx(client, centre, data):
    client = as_user(client, centre, "mr")
    response = client.get(reverse("callqa:report_productivity"), {"month": "2026-10"})
    assert response.status_code == 200
    assert response.context["totals"]["assigned"] == 8 and response.context["totals"]["late"] == 1
    assert "76,49" in response.content.decode() and "57,29" in response.content.decode()
    sheet = load_workbook(BytesIO(client.get(reverse("callqa:report_productivity_xlsx"),
                                             {"month": "2026-10"}).content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted(row[1] for row in rows) == [4, 4]


# ---- queries -------------------------------------------------------------------------------------


def _pin(client, url, setup_more, django_assert_num_queries, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url, params).status_code == 200
    setup_more()
    with django_assert_num_queries(len(ten.captured_queries)):
        assert client.get(url, params).status_code == 200


def test_the_team_page_runs_a_fixed_number_of_queries(client, centre, django_assert_num_queries):
    card, ev1 = centre.scorecard, centre.users.ev1
    for agent in many_agents(centre.teams.a, 8, prefix="T"):
        evaluate(card, agent, ev1, (1, 1, 2, 2, 1))

    def more():
        for agent in many_agents(centre.teams.a, 90, prefix="U"):
            evaluate(card, agent, ev1, (1, 1, 2, 2, 1))

    client = as_user(client, centre, "lead_a")
    _pin(client, reverse("callqa:report_team"), more, django_assert_num_queries, month="2026-10")


def test_the_agent_report_page_runs_a_fixed_number_of_queries(client, centre, django_assert_num_queries):
    card, ev1, a1 = centre.scorecard, centre.users.ev1, centre.agents.a1
    for _n in range(10):
        evaluate(card, a1, ev1, (1, 1, 2, 2, 1), feedback="İyi")

    def more():
        for _n in range(90):
            evaluate(card, a1, ev1, (1, 1, 2, 2, 1), feedback="İyi")

    _pin(as_user(client, centre, "a1"), agent_url(a1), more, django_assert_num_queries)


def test_the_productivity_page_runs_a_fixed_number_of_queries(client, centre, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    card, a1 = centre.scorecard, centre.agents.a1
    evaluators = [get_user_model().objects.create(username=f"degerlendirici{i}") for i in range(10)]
    for evaluator in evaluators:
        evaluate(card, a1, evaluator, (1, 1, 4, 2, 1))

    def more():
        for i in range(90):
            evaluate(card, a1, evaluators[i % 10], status="assigned")

    _pin(as_user(client, centre, "qa_lead"), reverse("callqa:report_productivity"), more,
         django_assert_num_queries, month="2026-10")


@pytest.mark.parametrize("url_name", ["callqa:report_trends", "callqa:report_weakest"])
def test_the_trend_and_criteria_pages_run_a_fixed_number_of_queries(client, centre, url_name,
                                                                     django_assert_num_queries):
    card, ev1 = centre.scorecard, centre.users.ev1
    for agent in many_agents(centre.teams.a, 10, prefix="T"):
        evaluate(card, agent, ev1, (1, 1, 2, 2, 1))

    def more():
        for agent in many_agents(centre.teams.a, 90, prefix="U"):
            evaluate(card, agent, ev1, (1, 0, 2, None, 1))

    _pin(as_user(client, centre, "lead_a"), reverse(url_name), more, django_assert_num_queries,
         start="2026-05", end="2026-10")
