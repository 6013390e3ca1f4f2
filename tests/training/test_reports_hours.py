"""The training-hours report: hours per person, per unit and in total for a year, counting only
finalised sessions a person was present at; the reader's unit scope and the unit filter; XLSX,
CSV and PDF that agree with the page; refusals; a query count that does not grow with people."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from qms.roles import Role

pytestmark = pytest.mark.django_db

URL = reverse("training:hours")
EXPORT = reverse("training:hours_export")
PDF = reverse("training:hours_pdf")
YEAR = timezone.localdate().year - 1  # a whole past year: every session of it can be finalised


def at(month: int, day: int = 10):
    return timezone.make_aware(datetime(YEAR, month, day, 10))


@pytest.fixture
def year_of_training(make_user, make_course, held_session):
    """Agent A: 3 + 2 hours; agent B: 3 hours (absent from the 2-hour one); a clerk in KSB: 6 hours;
    a session of another year and a planned session count nothing."""
    people = {
        "a": make_user(Role.AGENT, unit="ALO153", first_name="Ayşe", last_name="Kaya"),
        "b": make_user(Role.AGENT, unit="ALO153", first_name="Barış", last_name="Şimşek"),
        "clerk": make_user(Role.STAFF, unit="KSB", first_name="Çağrı", last_name="Işık"),
    }
    three = make_course(title="Kalite Yönetim Sistemi", duration_hours=Decimal("3"))
    two = make_course(title="KVKK", duration_hours=Decimal("2"))
    six = make_course(title="Yangın ve İlk Yardım", duration_hours=Decimal("6"))
    held_session(present=[people["a"], people["b"]], course=three, start=at(3))
    held_session(present=[people["a"]], absent=[people["b"]], course=two, start=at(6))
    held_session(present=[people["clerk"]], course=six, start=at(9))
    held_session(present=[people["a"]], course=six, start=timezone.make_aware(datetime(YEAR - 1, 12, 30, 10)))
    return people


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF, Role.QA_EVALUATOR])
@pytest.mark.parametrize("url", [URL, EXPORT + "?format=csv", PDF])
def test_refused_without_training_records(role_client, role, url):
    assert role_client(role, unit="ALO153").get(url).status_code == 403


def test_hours_per_person_unit_and_total(role_client, year_of_training):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(URL, {"year": YEAR})
    report = response.context["report"]
    hours = {p["profile"].user_id: (p["hours"], p["sessions"]) for p in report.people}
    people = year_of_training
    assert hours[people["a"].pk] == (Decimal("5.0"), 2)
    assert hours[people["b"].pk] == (Decimal("3.0"), 1)
    assert hours[people["clerk"].pk] == (Decimal("6.0"), 1)
    units = {u["unit"].code: (u["people"], u["hours"], u["per_person"]) for u in report.units}
    assert units["ALO153"] == (2, Decimal("8.0"), Decimal("4.0"))
    assert report.total == Decimal("14.0")
    html = response.content.decode()
    assert "Toplam eğitim saati" in html and "14,0" in html


def test_the_year_is_chosen(role_client, year_of_training):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(URL, {"year": YEAR - 1})
    assert response.context["report"].total == Decimal("6.0")


def test_a_unit_manager_sees_their_units_and_the_filter_narrows(client, make_user, org, year_of_training):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    client.force_login(manager)
    report = client.get(URL, {"year": YEAR}).context["report"]
    assert {p["profile"].unit.code for p in report.people} <= {"ÇMŞ", "ALO153", "ÇMPK"}
    assert report.total == Decimal("8.0")
    report = client.get(URL, {"year": YEAR, "unit": org["KSB"].pk}).context["report"]
    assert report.total == Decimal("8.0")  # KSB is outside the scope: refused, the scope stays


def test_the_unit_filter_for_someone_who_sees_all(role_client, org, year_of_training):
    client = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM")
    report = client.get(URL, {"year": YEAR, "unit": org["ÇÖZM"].pk}).context["report"]
    assert report.total == Decimal("6.0")  # KSB is under ÇÖZM


def test_exports_agree_with_the_page(role_client, year_of_training):
    client = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM")
    book = load_workbook(io.BytesIO(client.get(EXPORT, {"year": YEAR, "format": "xlsx"}).content))
    assert book.sheetnames == ["Kişi başına saat", "Birim başına saat"]
    people = {row[1]: row for row in list(book["Kişi başına saat"].values)[1:]}
    assert people["Ayşe Kaya"][4:] == (2, 5.0)
    assert people["Toplam"][5] == 14.0
    response = client.get(EXPORT, {"year": YEAR, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert any(row[1] == "Barış Şimşek" and row[5] == "3,0" for row in rows)
    assert f"{YEAR}" in response["Content-Disposition"]


def test_the_pdf(role_client, year_of_training):
    response = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM").get(PDF, {"year": YEAR})
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"{YEAR} eğitim saatleri" in text
    for expected in ("Ayşe Kaya", "Barış Şimşek", "Çağrı Işık", "Çağrı Merkezi Birimi", "14,0"):
        assert expected in text, expected


def test_the_query_count_does_not_grow_with_people(role_client, make_user, make_course, held_session):
    client = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM")
    course = make_course(duration_hours=Decimal("2"))
    held_session(present=[make_user(Role.AGENT, unit="ALO153") for _i in range(10)], course=course, start=at(4))
    client.get(URL, {"year": YEAR})
    with CaptureQueriesContext(connection) as ten:
        client.get(URL, {"year": YEAR})
    held_session(present=[make_user(Role.STAFF, unit="KSB") for _i in range(90)], course=course, start=at(5),
                 capacity=200)
    with CaptureQueriesContext(connection) as hundred:
        response = client.get(URL, {"year": YEAR})
    assert len(response.context["report"].people) >= 100
    assert len(hundred) == len(ten)
