"""Importing attendance from CSV or XLSX: English or Turkish headers and statuses, UTF-8 with or
without BOM or Windows-1254, comma or semicolon; every bad row reported as "row N, column C:
reason"; a file with any bad row imports nothing; a good file goes through attendance_record."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms.roles import Role
from training import services
from training.attendance_import import fold, import_attendance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _csv(text: str, *, encoding="utf-8", name="yoklama.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows, name="yoklama.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def _statuses(session) -> dict[int, str]:
    return dict(session.attendances.values_list("person_id", "status"))


def test_a_turkish_semicolon_file_with_a_bom_records_everyone(listed_session, trainees, coordinator):
    session = listed_session()
    upload = _csv("\ufeffSicil No;Durum;Son test\n10234;Katıldı;85\n10235;katılmadı;\n10236;MAZERETLİ;\n")
    result = import_attendance(session=session, upload=upload, user=coordinator)
    assert result.ok and result.rows == 3
    assert result.counts == {"pending": 0, "present": 1, "absent": 1, "excused": 1}
    a, b, c = trainees
    assert _statuses(session) == {a.pk: "present", b.pk: "absent", c.pk: "excused"}
    assert session.attendances.get(person=a).post_test_score == 85
    assert ModelLogEntry.objects.filter(object_id=str(session.pk), action="training.attendance").exists()


def test_an_english_comma_file_by_user_name(listed_session, trainees, coordinator):
    session = listed_session()
    upload = _csv("username,status\nAHMET.YILMAZ,present\ncigdem.isik,absent\n")
    result = import_attendance(session=session, upload=upload, user=coordinator)
    assert result.ok
    assert _statuses(session)[trainees[0].pk] == "present" and _statuses(session)[trainees[2].pk] == "pending"


def test_a_windows_1254_file_reads_its_turkish_letters(listed_session, trainees, coordinator):
    session = listed_session()
    upload = _csv("sicil_no;durum\n10234;katıldı\n10235;katılmadı\n", encoding="cp1254")
    result = import_attendance(session=session, upload=upload, user=coordinator)
    assert result.ok, result.errors
    assert _statuses(session)[trainees[1].pk] == "absent"


def test_an_xlsx_file_with_numeric_registry_numbers(listed_session, trainees, coordinator):
    session = listed_session()
    upload = _xlsx([["sicil_no", "durum", "ön_test"], [10234, "katıldı", 40], [10235.0, "mazeretli", None]])
    result = import_attendance(session=session, upload=upload, user=coordinator)
    assert result.ok, result.errors
    assert _statuses(session)[trainees[0].pk] == "present" and _statuses(session)[trainees[1].pk] == "excused"
    assert session.attendances.get(person=trainees[0]).pre_test_score == 40


def test_every_bad_row_is_reported_and_nothing_is_recorded(listed_session, trainees, coordinator, make_user):
    session = listed_session()
    outsider = make_user(Role.STAFF, unit="KSB", username="dis.kisi", first_name="Dış", last_name="Kişi")
    upload = _csv("sicil_no;kullanici_adi;durum;son_test\n"
                  "10234;;katıldı;90\n"      # row 2: good
                  "99999;;katıldı;\n"        # row 3: unknown registry number
                  ";dis.kisi;katıldı;\n"     # row 4: not on the list
                  "10235;;belki;\n"          # row 5: unknown status
                  "10236;;katıldı;150\n"     # row 6: bad score
                  "10234;;katılmadı;\n"      # row 7: the same person again
                  ";;katıldı;\n")            # row 8: nobody named
    result = import_attendance(session=session, upload=upload, user=coordinator)
    assert not result.ok
    text = "\n".join(result.errors)
    assert "row 3, column sicil_no" in text and "99999" in text
    assert "row 4, column kullanici_adi" in text and "Dış Kişi" in text and "walk-in" in text
    assert "row 5, column durum" in text and "belki" in text
    assert "row 6, column son_test" in text and "150" in text
    assert "row 7, column sicil_no" in text and "row 2" in text
    assert "row 8, column sicil_no" in text
    assert len(result.errors) == 6
    assert set(_statuses(session).values()) == {"pending"}
    assert not session.attendances.filter(person=outsider).exists()


def test_a_file_without_the_needed_columns_is_refused(listed_session, coordinator):
    session = listed_session()
    result = import_attendance(session=session, upload=_csv("ad;soyad\nAhmet;Yılmaz\n"), user=coordinator)
    assert not result.ok and "status" in result.errors[0]


def test_a_file_that_is_not_csv_or_xlsx_is_refused(listed_session, coordinator):
    session = listed_session()
    result = import_attendance(session=session, upload=SimpleUploadedFile("liste.pdf", b"%PDF-1.4"),
                               user=coordinator)
    assert not result.ok
    fake = SimpleUploadedFile("liste.xlsx", b"sicil_no;durum\n10234;katildi\n")
    result = import_attendance(session=session, upload=fake, user=coordinator)
    assert not result.ok and "XLSX" in result.errors[0]
    result = import_attendance(session=session, upload=_csv(""), user=coordinator)
    assert not result.ok


def test_a_finalised_session_imports_nothing(listed_session, trainees, coordinator):
    session = listed_session()
    services.attendance_record(session=session, user=coordinator, marks={p.pk: "present" for p in trainees})
    services.session_finalise(session=session, user=coordinator)
    result = import_attendance(session=session, upload=_csv("sicil_no;durum\n10234;katılmadı\n"), user=coordinator)
    assert not result.ok
    assert _statuses(session)[trainees[0].pk] == "present"


def test_headers_and_statuses_fold_turkish_letters_and_spacing():
    assert fold("Sicil No") == "sicil_no"
    assert fold("  KULLANICI ADI ") == "kullanici_adi"
    assert fold("Katıldı") == fold("KATILDI") == "katildi"
    assert fold("Katılmadı") == "katilmadi"
    assert fold("Ön-Test") == "on_test"


def test_the_import_screen_reports_the_rows_and_saves_nothing(client, coordinator, listed_session, trainees):
    session = listed_session()
    client.force_login(coordinator)
    url = reverse("training:session_import", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": _csv("sicil_no;durum\n10234;katıldı\n77777;katıldı\n")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "77777" in html and "satır 3" in html
    assert set(_statuses(session).values()) == {"pending"}
    response = client.post(url, {"file": _csv("sicil_no;durum\n10234;katıldı\n10235;katıldı\n10236;katıldı\n")})
    assert response.status_code == 302
    assert set(_statuses(session).values()) == {"present"}


def test_only_the_coordinator_imports(client, cast, listed_session, trainees):
    session = listed_session()
    client.force_login(cast["auditor"])
    url = reverse("training:session_import", args=[session.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": _csv("sicil_no;durum\n10234;katıldı\n")}).status_code == 403
    assert set(_statuses(session).values()) == {"pending"}
