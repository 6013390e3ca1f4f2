"""The register screens: who may do what (the management representative keeps the registers,
top management and internal auditors read them, anyone else is refused on every URL), no deletes,
changes in the audit log, the list's columns, filters, export and a fixed number of queries."""

# ruff: noqa: F811 (the register fixtures are imported from registers_data and named as arguments)

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms.review.models import Influence, RegisterStatus, Risk, RiskKind, Stakeholder, StakeholderKind
from qms.roles import Role

from .registers_data import auditor, english, make_risk, make_stakeholder  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

READERS = [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR]
OUTSIDERS = [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.QA_EVALUATOR]
REGISTERS = ["review_risks", "review_stakeholders"]


@pytest.fixture
def rows(make_risk, make_stakeholder):
    return {"review_risks": make_risk(), "review_stakeholders": make_stakeholder()}


def _urls(name, pk):
    return {
        "index": reverse(f"{name}:index"),
        "inspect": reverse(f"{name}:inspect", args=[pk]),
        "history": reverse(f"{name}:history", args=[pk]),
        "csv": reverse(f"{name}:index") + "?export=csv",
        "xlsx": reverse(f"{name}:index") + "?export=xlsx",
        "add": reverse(f"{name}:add"),
        "edit": reverse(f"{name}:edit", args=[pk]),
        "delete": reverse(f"{name}:delete", args=[pk]),
        "usage": reverse(f"{name}:usage", args=[pk]),
    }


@pytest.mark.parametrize("name", REGISTERS)
def test_the_management_representative_keeps_the_registers_but_deletes_nothing(client, mr, rows, name):
    client.force_login(mr)
    urls = _urls(name, rows[name].pk)
    for key in ("index", "inspect", "history", "csv", "xlsx", "add", "edit"):
        assert client.get(urls[key]).status_code == 200, key
    assert client.get(urls["delete"]).status_code == 403
    assert client.post(urls["delete"]).status_code == 403
    assert type(rows[name]).objects.filter(pk=rows[name].pk).exists()


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("name", REGISTERS)
def test_top_management_and_auditors_read_only(role_client, rows, role, name):
    client = role_client(role, unit="HİŞM")
    urls = _urls(name, rows[name].pk)
    for key in ("index", "inspect", "history", "csv", "xlsx"):
        assert client.get(urls[key]).status_code == 200, key
    for key in ("add", "edit", "delete", "usage"):
        assert client.get(urls[key]).status_code == 403, key
    assert client.post(urls["add"], {"description": "x"}).status_code == 403
    assert client.post(urls["edit"], {"description": "x"}).status_code == 403
    page = client.get(urls["index"]).content.decode()
    assert urls["edit"] not in page and urls["add"] not in page
    assert urls["inspect"] in page


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("name", REGISTERS)
def test_everyone_else_is_refused_on_every_url(role_client, rows, role, name):
    client = role_client(role, unit="KSB")
    for key, url in _urls(name, rows[name].pk).items():
        assert client.get(url).status_code == 403, key


def test_the_menu_shows_the_registers_to_readers_only(role_client):
    index = reverse("review_risks:index")
    assert index in role_client(Role.INTERNAL_AUDITOR, unit="HİŞM").get("/admin/").content.decode()
    assert index not in role_client(Role.STAFF, unit="KSB").get("/admin/").content.decode()


def _risk_form(mr, **fields):
    data = {"kind": RiskKind.RISK, "description": "ALO 153 hattında uzun bekleme süreleri",
            "process": "Çağrı karşılama",
            "likelihood": "4", "impact": "3", "treatment": "Ek vardiya", "effectiveness": "", "owner": str(mr.pk),
            "review_date": "2027-03-31", "status": RegisterStatus.ACTIVE}
    data.update(fields)
    return data


def test_adding_and_editing_a_risk_scores_it_numbers_it_and_logs_it(client, mr):
    client.force_login(mr)
    response = client.post(reverse("review_risks:add"), _risk_form(mr))
    assert response.status_code == 302, response.content.decode()[:2000]
    risk = Risk.objects.get()
    assert (risk.code, risk.score, risk.level) == ("R-001", 12, "high")
    response = client.post(reverse("review_risks:edit", args=[risk.pk]),
                           _risk_form(mr, likelihood="5", impact="5", kind=RiskKind.OPPORTUNITY,
                                      status=RegisterStatus.CLOSED))
    assert response.status_code == 302
    risk.refresh_from_db()
    # The kind is fixed with the number (a disabled field keeps its stored value).
    assert (risk.code, risk.kind, risk.score, risk.status) == ("R-001", RiskKind.RISK, 25, RegisterStatus.CLOSED)
    actions = list(ModelLogEntry.objects.filter(object_id=str(risk.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == ["wagtail.create", "wagtail.edit"]
    history = client.get(reverse("review_risks:history", args=[risk.pk])).content.decode()
    assert mr.get_full_name() in history


def test_a_likelihood_outside_the_scale_is_refused(client, mr):
    client.force_login(mr)
    response = client.post(reverse("review_risks:add"), _risk_form(mr, likelihood="6"))
    assert response.status_code == 200
    assert not Risk.objects.exists()
    assert response.context["form"].errors["likelihood"]


def test_adding_a_stakeholder_numbers_it(client, mr):
    client.force_login(mr)
    response = client.post(reverse("review_stakeholders:add"), {
        "name": "CİMER", "kind": StakeholderKind.EXTERNAL, "needs": "Yasal sürede yanıt", "influence": Influence.HIGH,
        "monitoring": "CİMER raporları", "owner": "", "status": RegisterStatus.ACTIVE})
    assert response.status_code == 302
    assert Stakeholder.objects.get().code == "P-001"


def test_the_list_shows_the_level_in_words_and_flags_overdue_reviews(client, mr, make_risk):
    make_risk(4, 4, review_date=dt.date(2020, 1, 15))
    make_risk(1, 2, review_date=dt.date(2020, 1, 16), status=RegisterStatus.CLOSED)
    client.force_login(mr)
    page = client.get(reverse("review_risks:index")).content.decode()
    assert "16 – High" in page
    assert "15.01.2020 (overdue)" in page
    assert "16.01.2020 (overdue)" not in page and "16.01.2020" in page  # closed: no longer reviewed


@pytest.mark.parametrize(("query", "expected"), [
    ({"kind": "opportunity"}, ["F-001"]),
    ({"level": "very_high"}, ["R-002"]),
    ({"level": "low"}, ["R-001"]),
    ({"status": "closed"}, ["R-003"]),
    ({"process": "Başvuru yönlendirme"}, ["R-002"]),
    ({"q": "anket"}, ["F-001"]),
])
def test_the_list_filters(client, mr, make_risk, make_user, query, expected):
    make_risk(1, 2)
    make_risk(5, 5, process="Başvuru yönlendirme")
    make_risk(3, 3, status=RegisterStatus.CLOSED)
    make_risk(2, 4, kind=RiskKind.OPPORTUNITY, description="Anket yanıt oranını artırma")
    client.force_login(mr)
    response = client.get(reverse("review_risks:index"), query)
    assert sorted(r.code for r in response.context["object_list"]) == expected


def test_the_owner_filter(client, mr, make_risk, make_user):
    other = make_user(Role.UNIT_MANAGER, unit="ALO153")
    make_risk()
    theirs = make_risk(owner=other)
    client.force_login(mr)
    response = client.get(reverse("review_risks:index"), {"owner": other.pk})
    assert [r.code for r in response.context["object_list"]] == [theirs.code]


def test_the_export_holds_the_filtered_rows_in_the_house_format(client, mr, make_risk):
    make_risk(5, 4, description="=HYPERLINK(\"x\")")
    make_risk(1, 1)
    client.force_login(mr)
    response = client.get(reverse("review_risks:index"), {"export": "csv", "level": "very_high"})
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:8] == ["Number", "Kind", "Description", "Process", "Likelihood", "Impact", "Score", "Level"]
    assert len(lines) == 2
    assert lines[1][:3] == ["R-001", "Risk", "'=HYPERLINK(\"x\")"]  # never run as a formula
    assert lines[1][4:8] == ["5", "4", "20", "Very high"]
    response = client.get(reverse("review_risks:index"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["R-001", "R-002"]


def test_the_heat_map_counts_active_items_by_likelihood_and_impact(client, mr, make_risk):
    make_risk(5, 4)
    make_risk(5, 4, kind=RiskKind.OPPORTUNITY)
    make_risk(1, 1)
    make_risk(5, 4, status=RegisterStatus.CLOSED)
    client.force_login(mr)
    response = client.get(reverse("review_risks:index"))
    grid = {(row["likelihood"], cell["impact"]): cell["count"]
            for row in response.context["heat_map"] for cell in row["cells"]}
    assert len(grid) == 25
    assert grid[(5, 4)] == 2
    assert grid[(1, 1)] == 1
    assert sum(grid.values()) == 3
    assert [row["likelihood"] for row in response.context["heat_map"]] == [5, 4, 3, 2, 1]
    page = response.content.decode()
    assert '<th scope="row">Likelihood 5</th>' in page
    assert '<th scope="col">Impact 4</th>' in page
    assert "Very high (20)" in page


def _count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_risk_list_runs_the_same_queries_for_10_and_100_rows(client, mr, make_risk, make_user):
    owners = [make_user(Role.UNIT_MANAGER, unit="ALO153") for _ in range(3)]
    for i in range(10):
        make_risk(i % 5 + 1, i % 3 + 1, owner=owners[i % 3], process=f"Süreç {i % 4}")
    client.force_login(mr)
    url = reverse("review_risks:index")
    few = _count_queries(client, url)
    for i in range(90):
        make_risk(i % 5 + 1, i % 4 + 1, owner=owners[i % 3], process=f"Süreç {i % 4}",
                  kind=RiskKind.OPPORTUNITY if i % 2 else RiskKind.RISK)
    many = _count_queries(client, url)
    assert many == few
    assert _count_queries(client, url + "?export=xlsx") == _count_queries(client, url + "?export=csv")


def test_the_stakeholder_list_runs_the_same_queries_for_10_and_100_rows(client, mr, make_stakeholder, make_user):
    owners = [make_user(Role.UNIT_MANAGER, unit="ALO153") for _ in range(3)]
    for i in range(10):
        make_stakeholder(owner=owners[i % 3])
    client.force_login(mr)
    url = reverse("review_stakeholders:index")
    few = _count_queries(client, url)
    for i in range(90):
        make_stakeholder(owner=owners[i % 3] if i % 2 else None, kind=StakeholderKind.INTERNAL)
    assert _count_queries(client, url) == few


def test_the_inspect_view_reads_the_scale_and_the_level_in_words(role_client, make_risk):
    risk = make_risk(5, 4, review_date=dt.date(2020, 2, 1))
    page = role_client(Role.TOP_MANAGEMENT, unit="HİŞM").get(reverse("review_risks:inspect", args=[risk.pk]))
    text = page.content.decode()
    assert "5 – Almost certain" in text and "4 – Major" in text
    assert "20 – Very high" in text
    assert "01.02.2020 (overdue)" in text
    assert reverse("review_risks:history", args=[risk.pk]) in text
