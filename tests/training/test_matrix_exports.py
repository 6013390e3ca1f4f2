"""The competence matrix as an auditor takes it away: XLSX (people, compliance by unit and by
course), CSV (people) and a landscape PDF, each with exactly the people the reader's scope and the
filter give, Turkish letters intact, states in words; refused like the page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from qms.roles import Role

pytestmark = pytest.mark.django_db

EXPORT = reverse("training:matrix_export")
PDF = reverse("training:matrix_pdf")


@pytest.fixture
def records(make_user, make_course, held_session):
    kvkk = make_course(code="KVKK-01", title="KVKK Farkındalık Eğitimi", is_mandatory=True, validity_months=12)
    people = {
        "done": make_user(Role.AGENT, unit="ALO153", first_name="Şule", last_name="Çağlayan", username="sule"),
        "expired": make_user(Role.AGENT, unit="ALO153", first_name="İsmail", last_name="Güneş", username="ismail"),
        "other": make_user(Role.STAFF, unit="KSB", first_name="Ömer", last_name="Işık", username="omer"),
    }
    people["done"].staff_profile.registry_no = "30012"
    people["done"].staff_profile.save()
    held_session(present=[people["done"]], course=kvkk, start=timezone.now() - timedelta(days=20))
    held_session(present=[people["expired"]], course=kvkk, start=timezone.now() - timedelta(days=400))
    return people


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF, Role.QA_EVALUATOR])
@pytest.mark.parametrize("url", [EXPORT + "?format=xlsx", EXPORT + "?format=csv", PDF])
def test_exports_are_refused_like_the_page(role_client, role, url):
    assert role_client(role, unit="ALO153").get(url).status_code == 403


def test_an_unknown_format_is_a_bad_request(role_client):
    assert role_client(Role.INTERNAL_AUDITOR, unit="KSB").get(EXPORT, {"format": "ods"}).status_code == 400


def test_the_workbook_has_people_units_and_courses(role_client, records):
    response = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM").get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''Yetkinlik%20matrisi" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Yetkinlik matrisi", "Birimlere göre uyum", "Eğitimlere göre uyum"]
    people = list(book["Yetkinlik matrisi"].values)
    header = people[0]
    assert header[:6] == ("Sicil numarası", "Adı soyadı", "Birim", "Unvan", "Roller", "Uygun")
    assert "KVKK-01 durumu" in header
    rows = {row[1]: row for row in people[1:]}
    state = header.index("KVKK-01 durumu")
    assert rows["Şule Çağlayan"][0] == "30012"
    assert rows["Şule Çağlayan"][5] == "Evet"
    assert rows["Şule Çağlayan"][state] == "Tamamlandı"
    assert rows["İsmail Güneş"][state] == "Süresi doldu"
    assert rows["İsmail Güneş"][state + 2] is not None  # the date it expired, a real date
    units = {row[0]: row for row in list(book["Birimlere göre uyum"].values)[1:]}
    assert units["ALO153"][2:] == (2, 1, 50)
    courses = {row[0]: row for row in list(book["Eğitimlere göre uyum"].values)[1:]}
    assert courses["KVKK-01"][3] >= 3


def test_the_csv_has_the_people_with_turkish_letters(role_client, records):
    response = role_client(Role.TRAINING_COORDINATOR, unit="ÇÖZM").get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    names = {row[1] for row in rows[1:]}
    assert {"Şule Çağlayan", "İsmail Güneş", "Ömer Işık"} <= names


def test_exports_follow_the_unit_managers_scope_and_the_filter(client, make_user, org, records):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    client.force_login(manager)
    rows = list(csv.reader(io.StringIO(client.get(EXPORT, {"format": "csv"}).content.decode().lstrip("\ufeff")),
                           delimiter=";"))
    names = {row[1] for row in rows[1:]}
    assert "Ömer Işık" not in names and "Şule Çağlayan" in names
    # A unit outside the scope in the query string gives the scope, never that unit.
    rows = list(csv.reader(io.StringIO(client.get(EXPORT, {"format": "csv", "unit": org["KSB"].pk})
                                       .content.decode().lstrip("\ufeff")), delimiter=";"))
    assert "Ömer Işık" not in {row[1] for row in rows[1:]}


def test_the_pdf_is_landscape_with_states_in_words(role_client, records):
    response = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM").get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    text = pdf_text(response)
    assert "Yetkinlik matrisi ve zorunlu eğitim uyumu" in text
    for expected in ("Şule Çağlayan", "İsmail Güneş", "Ömer Işık", "Süresi doldu", "Tamamlandı", "Alınmadı",
                     "Birimlere göre zorunlu eğitim uyumu", "Eğitimlere göre zorunlu eğitim uyumu",
                     "Rollere göre zorunlu eğitimler", "KVKK-01"):
        assert expected in text, expected


def test_the_pdf_of_a_unit_managers_units(client, make_user, records):
    client.force_login(make_user(Role.UNIT_MANAGER, unit="ÇMŞ"))
    text = pdf_text(client.get(PDF))
    assert "Şule Çağlayan" in text and "Ömer Işık" not in text
