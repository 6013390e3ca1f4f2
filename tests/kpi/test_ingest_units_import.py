"""`manage.py import_units FILE`: the unit tree from a CSV/XLSX file (code, name, parent code; Turkish
headings too), upserted by code, parents anywhere in the file or already in the portal; every bad
row named by row and column, and a file with any bad row changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from qms.models import Unit
from qms.units_import import import_units
from tests.kpi.test_ingest_files import xlsx_file


def write(tmp_path, text: str, *, name="birimler.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_units", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_children_may_come_before_their_parents(org, tmp_path):
    path = write(tmp_path, "code;name;parent_code\n"
                           "PARK-YESIL;Yeşil Alanlar Şube Müdürlüğü;PARK\n"
                           "PARK-BAKIM;Park Bakım Şefliği;PARK-YESIL\n"
                           "PARK;Park ve Bahçeler Dairesi Başkanlığı;\n"
                           "FEN-YOL;Yol Bakım Şube Müdürlüğü;FEN\n")
    out, _err, error = run(path)
    assert error is None, out
    assert "4 satır: 4 yeni, 0 güncellenen, 0 değişmeyen, 0 reddedilen." in out
    park = Unit.objects.get(code="PARK")
    assert park.parent is None and park.answers_requests
    assert set(Unit.objects.subtree(park).values_list("code", flat=True)) == {"PARK", "PARK-YESIL", "PARK-BAKIM"}
    assert Unit.objects.get(code="PARK-BAKIM").depth == 3
    assert Unit.objects.get(code="FEN-YOL").parent == org["FEN"]
    assert ModelLogEntry.objects.filter(action="qms.import").count() == 4


def test_turkish_headings_in_windows_1254(org, tmp_path):
    path = write(tmp_path, "Kod;Ad;Üst Birim Kodu;Talepleri Cevaplar\nZABITA;Zabıta Dairesi Başkanlığı;;evet\n"
                           "ZAB-İŞ;İşyeri Denetim Şefliği;ZABITA;hayır\n", encoding="cp1254")
    _out, _err, error = run(path)
    assert error is None
    unit = Unit.objects.get(code="ZAB-İŞ")
    assert (unit.name, unit.parent.code, unit.answers_requests) == ("İşyeri Denetim Şefliği", "ZABITA", False)


def test_xlsx(org, tmp_path):
    path = tmp_path / "birimler.xlsx"
    path.write_bytes(xlsx_file([["kod", "ad", "üst birim kodu"], ["ULAŞIM", "Ulaşım Dairesi Başkanlığı", None],
                                [101, "Toplu Taşıma Şube Müdürlüğü", "ULAŞIM"]]).getvalue())
    _out, _err, error = run(path)
    assert error is None
    assert Unit.objects.get(code="101").parent.code == "ULAŞIM"


def test_known_codes_are_updated_and_unchanged_ones_left_alone(org, tmp_path):
    fen = org["FEN"]
    path = write(tmp_path, "code;name;parent_code\n"
                           "FEN;Fen İşleri Dairesi Başkanlığı;\n"  # as it is
                           "KSB;Karşılama ve Sonuç Birimi (Beyaz Masa);ÇÖZM\n"  # renamed
                           "ALO153;Çağrı Merkezi Birimi;ÇÖZM\n")  # moved
    out, _err, error = run(path)
    assert error is None
    assert "1 değişmeyen" in out and "2 güncellenen" in out
    assert Unit.objects.get(code="KSB").name == "Karşılama ve Sonuç Birimi (Beyaz Masa)"
    alo = Unit.objects.get(code="ALO153")
    assert alo.parent == org["ÇÖZM"] and alo.path.startswith(org["ÇÖZM"].path)
    fen.refresh_from_db()
    assert fen.answers_requests  # as it was
    assert not Unit.objects.get(code="KSB").answers_requests  # as it was: the file has no such column
    assert Unit.objects.count() == len(org)


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("A;Birim A;YOK\n", 2, "parent_code", "“YOK” kodlu bir birim"),
    ("A;Birim A;\nA;Birim A2;\n", 3, "code", "A kodu 2 numaralı satırda da var."),
    ("A;;\n", 2, "name", "Birim adı boş."),
    (";Birim;\n", 2, "code", "Birim kodu boş."),
    ("A;Birim A;A\n", 2, "parent_code", "kendisinin üst birimi olamaz"),
    ("A;Birim A;B\nB;Birim B;A\n", 2, "parent_code", "A → B → A"),
    ("ÇMŞ;Çağrı Merkezi Şefliği;ALO153\n", 2, "parent_code", "altına taşınamaz"),
    ("X" * 21 + ";Birim;\n", 2, "code", "en fazla 20 karakter"),
    ("A;Birim A;;belki\n", 2, "answers_requests", "“belki”"),
])
def test_a_bad_row_is_named_and_nothing_changes(org, tmp_path, text, line, column, words):
    path = write(tmp_path, "code;name;parent_code;answers_requests\n" + text + "YENİ;Yeni Birim;HİŞM;evet\n")
    before = list(Unit.objects.order_by("pk").values())
    _out, err, error = run(path)
    assert str(error) == "Hiçbir şey değiştirilmedi: reddedilen satırları düzeltip aktarmayı yeniden çalıştırın."
    expected = f"satır {line}, sütun {column}: "
    assert any(entry.startswith(expected) and words in entry for entry in err.splitlines()), err
    assert list(Unit.objects.order_by("pk").values()) == before  # the valid last row was not kept either
    assert not ModelLogEntry.objects.filter(action="qms.import").exists()


def test_a_unit_under_a_looping_parent_is_told_so(org):
    result = import_units(b"code;name;parent_code\nC;Birim C;A\nA;Birim A;B\nB;Birim B;A\n", "b.csv")
    messages = {(e.line, e.column): e.message for e in result.errors}
    assert "A → B → A" in messages[(3, "parent_code")]
    assert messages[(2, "parent_code")] == "Üst birim A, kendi içine dönen bir üst birim zincirinde."
    assert not result.committed and not Unit.objects.filter(code__in=["A", "B", "C"]).exists()


def test_wrong_headers_are_named(org, tmp_path):
    _out, _err, error = run(write(tmp_path, "kod;isim;üst\nA;B;\n"))
    message = str(error)
    assert message.startswith("Satır 1 (başlık satırı) bir birim listesi değil")
    assert "isim" in message and "üst" in message and "name" in message


def test_empty_and_non_table_files(org, tmp_path):
    assert str(run(write(tmp_path, ""))[2]) == "Dosya boş."
    pdf = tmp_path / "birimler.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert "XLSX" in str(run(pdf)[2])


def test_dry_run_changes_nothing(org, tmp_path):
    out, _err, error = run(write(tmp_path, "code;name;parent_code\nA;Birim A;\n"), "--dry-run")
    assert error is None and "1 yeni" in out and "Deneme çalıştırması: hiçbir şey değiştirilmedi." in out
    assert not Unit.objects.filter(code="A").exists()
