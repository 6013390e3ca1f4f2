"""The DÖF list's CSV / XLSX export and the DÖF form PDF: the same visibility as the screens, the
list's filters, and what they hold."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from audits import services
from audits.models import CorrectiveAction, NCState, Nonconformity, Source

pytestmark = pytest.mark.django_db

EXPORT = "/admin/audits/nonconformities/export/"


def test_the_export_url_is_the_named_one():
    assert reverse("audits:nonconformities_export") == EXPORT


def login(client, user):
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with the byte-order mark
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return "".join(text.split())  # table cells wrap anywhere: compare without white space


@pytest.fixture
def register(cast, org, nonconformity, today):
    """A DÖF of ÇMŞ with one overdue action, one of KSB raised by the MR, one closed DÖF of ÇMŞ."""
    late = nonconformity(NCState.ACTIONS_PLANNED)
    Nonconformity.objects.filter(pk=late.pk).update(raised_at=timezone.now() - dt.timedelta(days=20))
    CorrectiveAction.objects.filter(nonconformity=late).update(due_date=today - dt.timedelta(days=2))
    ksb = services.raise_nonconformity(source=Source.CITIZEN_COMPLAINT, title="=HYPERLINK(\"x\") sıra",
                                       description="Sıra numaratörü yok.", unit=org["KSB"], raised_by=cast["mr"])
    closed = nonconformity(NCState.CLOSED)
    return {"late": late, "ksb": ksb, "closed": closed}


def test_the_csv_has_the_columns_and_a_row_per_dof_for_the_management_representative(client, cast, register):
    rows = csv_rows(login(client, cast["mr"]).get(EXPORT + "?format=csv"))
    header, body = rows[0], rows[1:]
    assert header == ["Numara", "Başlık", "Kaynak", "Sorumlu birim", "Önem derecesi", "Durum", "Açılış zamanı",
                      "Açan", "Kök neden", "Faaliyetler", "Açık faaliyetler", "Termini geçmiş faaliyetler",
                      "Etkinlik doğrulaması en erken", "Kapanış zamanı", "Döngü"]
    by_code = {row[0]: row for row in body}
    assert set(by_code) == {nc.code for nc in register.values()}
    late = by_code[register["late"].code]
    assert late[3] == "Çağrı Merkezi Şefliği"
    assert late[8] == "Geri arama talimatı yok"
    assert late[9:12] == ["1", "1", "1"]
    assert late[14] == "1"
    closed = by_code[register["closed"].code]
    assert closed[11] == "0" and closed[13]
    # A title that starts like a formula stays text.
    assert by_code[register["ksb"].code][1].startswith("'=")


def test_a_unit_managers_export_holds_only_their_units_dofs(client, cast, register):
    codes = {row[0] for row in csv_rows(login(client, cast["manager"]).get(EXPORT + "?format=csv"))[1:]}
    assert codes == {register["late"].code, register["closed"].code}
    codes = {row[0] for row in xlsx_rows(login(client, cast["desk_manager"]).get(EXPORT + "?format=xlsx"))[1:]}
    assert codes == {register["ksb"].code}


def test_staff_export_only_the_dofs_they_raised(client, cast, register):
    codes = {row[0] for row in csv_rows(login(client, cast["clerk"]).get(EXPORT + "?format=csv"))[1:]}
    assert codes == {register["late"].code, register["closed"].code}
    assert csv_rows(login(client, cast["top"]).get(EXPORT + "?format=csv"))[1:]  # top management: all


def test_the_export_follows_the_lists_filters(client, cast, register):
    login(client, cast["mr"])
    codes = {row[0] for row in csv_rows(client.get(EXPORT + "?format=csv&overdue=on"))[1:]}
    assert codes == {register["late"].code}
    codes = {row[0] for row in xlsx_rows(client.get(EXPORT + f"?format=xlsx&source={Source.CITIZEN_COMPLAINT}"))[1:]}
    assert codes == {register["ksb"].code}


def test_the_xlsx_has_real_dates_and_numbers(client, cast, register):
    rows = xlsx_rows(login(client, cast["mr"]).get(EXPORT + "?format=xlsx"))
    late = next(row for row in rows if row[0] == register["late"].code)
    assert isinstance(late[6], dt.datetime)
    assert late[9:12] == (1, 1, 1)
    assert late[12] is not None
    ksb = next(row for row in rows if row[0] == register["ksb"].code)
    assert ksb[1] == "=HYPERLINK(\"x\") sıra"  # kept as text, not run as a formula


def test_an_unknown_export_format_is_refused(client, cast, register):
    assert login(client, cast["mr"]).get(EXPORT + "?format=pdf").status_code == 400


def test_the_links_on_the_list_keep_the_filters(client, cast, register):
    html = login(client, cast["mr"]).get(reverse("audits:nonconformities") + "?overdue=on").content.decode()
    assert f"{EXPORT}?overdue=on&amp;format=csv" in html


# --- the DÖF form PDF ------------------------------------------------------------------------------


def test_the_pdf_has_the_number_the_whys_and_the_actions(client, cast, nonconformity):
    nc = nonconformity(NCState.CLOSED)
    text = pdf_text(login(client, cast["mr"]).get(reverse("audits:nonconformity_pdf", args=[nc.pk])))
    for expected in (nc.code, "Düzeltici ve Önleyici Faaliyet Formu", "Geri arama listesi tutulmuyor", "Talimat yok",
                     "Geri arama talimatı yok", "Geri arama talimatı yazılacak", "TL-ÇMŞ-004 yayımlandı",
                     "Burak Öztürk", "Son iki ayda geri dönüşler yapılmış.", "İmza"):
        assert "".join(expected.split()) in text, expected


def test_the_pdf_of_a_reopened_dof_names_each_cycle(client, cast, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_DONE)
    services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=False,
                                        note="Hâlâ geri dönüş yok.")
    services.action_add(nonconformity=nc, user=cast["manager"], description="Eğitim verilecek",
                        owner=cast["agent"], due_date=today + dt.timedelta(days=5))
    text = pdf_text(login(client, cast["manager"]).get(reverse("audits:nonconformity_pdf", args=[nc.pk])))
    assert "1.döngü" in text and "2.döngü" in text and "Eğitimverilecek" in text
    assert "Hâlâgeridönüşyok." in text


def test_the_pdf_follows_the_visibility_of_the_page(client, cast, org, nonconformity):
    nc = nonconformity(NCState.OPEN)
    assert login(client, cast["desk_manager"]).get(reverse("audits:nonconformity_pdf", args=[nc.pk])).status_code \
        == 404
    assert login(client, cast["clerk"]).get(reverse("audits:nonconformity_pdf", args=[nc.pk])).status_code == 200
