"""A request file is read as people save it (UTF-8 with or without BOM, Windows-1254, commas or
semicolons, ISO or dd.mm.yyyy dates, Turkish headings), and every bad input is refused with the row
and column named, nothing half-imported: wrong headers, bad dates, unknown units, a request number
twice, an empty or non-table file, a file over the size limit (refused before reading), formulas,
a scheduled request without its date, a satisfaction of 9, an answer before the request."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from kpi.ingest import COLUMNS, import_file
from kpi.models import Category, Channel, ImportRun, Request, Status
from qms.models import Unit
from tests.kpi.conftest import request_row

HEADER = list(COLUMNS)


def table(rows: list[dict], *, header: list[str] | None = None) -> list[list]:
    header = header or HEADER
    return [header] + [["" if row.get(name) is None else row.get(name) for name in HEADER] for row in rows]


def csv_file(rows: list[dict], *, sep: str = ";", encoding: str = "utf-8", bom: bool = False,
             header: list[str] | None = None) -> io.BytesIO:
    """A CSV export of `rows` (dicts keyed by COLUMNS); `header` replaces the heading line's texts."""
    lines = [sep.join(str(cell) for cell in line) for line in table(rows, header=header)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


def xlsx_file(lines: list[list]) -> io.BytesIO:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def refused(result, line: int, column: str) -> str:
    """The message of the error on (line, column); fails listing the errors when there is none."""
    for error in result.errors:
        if error.line == line and error.column == column:
            return error.message
    raise AssertionError(f"no error on line {line}, column {column}: {[e.as_dict() for e in result.errors]}")


def assert_nothing_written():
    assert Request.objects.count() == 0
    assert ImportRun.objects.count() == 0
    assert not Channel.objects.exists() and not Category.objects.exists()


# --- what is accepted --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";"])
def test_comma_and_semicolon_separated_files_are_read(kpi_units, sep):
    rows = [request_row(category="Yol, kaldırım") if sep == ";" else request_row(), request_row()]
    result = import_file(csv_file(rows, sep=sep), "export.csv")
    assert result.committed and result.created == 2 and result.error_count == 0
    assert Request.objects.count() == 2


def test_utf8_with_bom(kpi_units):
    row = request_row(category="Çöp Toplama Şikâyeti", channel="Beyaz Masa")
    result = import_file(csv_file([row], bom=True), "export.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    request = Request.objects.select_related("category", "channel").get()
    assert request.request_no == row["request_no"]  # the BOM is not part of the first heading
    assert request.category.name == "Çöp Toplama Şikâyeti"


def test_windows_1254(kpi_units):
    row = request_row(category="Çöp Toplama Şikâyeti", channel="Beyaz Masa İletişim", type="şikayet",
                      status="cevaplandı")
    data = csv_file([row], encoding="cp1254")
    assert "Ş".encode("cp1254") in data.getvalue() and b"\xc5" not in data.getvalue()  # really not UTF-8
    result = import_file(data, "export.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    request = Request.objects.select_related("category", "channel").get()
    assert (request.category.name, request.channel.name) == ("Çöp Toplama Şikâyeti", "Beyaz Masa İletişim")
    assert request.status == Status.ANSWERED


def test_iso_with_offset_and_turkish_day_month_year_mean_the_same_time(kpi_units):
    iso = request_row(created_at="2026-03-01T22:30:00+00:00", first_answer_at="2026-03-03T07:00:00Z")
    local = request_row(created_at="02.03.2026 01:30", first_answer_at="03.03.2026 10:00")
    result = import_file(csv_file([iso, local]), "export.csv")
    assert result.created == 2, [e.as_dict() for e in result.errors]
    a, b = (Request.objects.get(request_no=row["request_no"]) for row in (iso, local))
    assert a.created_at == b.created_at and a.first_answer_at == b.first_answer_at
    assert a.created_at.isoformat() == "2026-03-01T22:30:00+00:00"
    assert str(a.created_on) == "2026-03-02"  # the Istanbul date


def test_turkish_headings(kpi_units):
    header = ["Başvuru No", "Tür", "Kanal", "Kategori", "Birim Kodu", "Oluşturma Tarihi", "Süre", "Durum",
              "İlk Cevap Tarihi", "Kapanış Tarihi", "Son Cevap Zamanı", "Programa Alınma Tarihi", "İade Sayısı",
              "Memnuniyet", "Yerinde Tespit", "Süre Uzatıldı"]
    row = request_row(type="Şikayet", status="Cevaplandı", satisfaction="4", field_check="olumlu",
                      return_count="1")
    result = import_file(csv_file([row], header=header), "HİM dışa aktarım.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    request = Request.objects.get()
    assert (request.satisfaction, request.return_count, request.field_check) == (4, 1, 1)


def test_xlsx_with_dates_as_cells(kpi_units):
    import datetime as dt

    row = request_row()
    line = table([row])[1]
    line[HEADER.index("created_at")] = dt.datetime(2026, 3, 2, 9, 0)
    line[HEADER.index("first_answer_at")] = dt.datetime(2026, 3, 4, 10, 0)
    line[HEADER.index("deadline")] = 7
    result = import_file(xlsx_file([HEADER, line]), "export.xlsx")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    assert Request.objects.get().on_time is True


# --- file-level refusals: ValidationError, nothing read further ---------------------------------------------


def test_wrong_headers_name_the_unknown_and_the_missing_columns(kpi_units):
    header = [("durum_kodu" if name == "status" else name) for name in HEADER]
    with pytest.raises(ValidationError) as caught:
        import_file(csv_file([request_row()], header=header), "export.csv")
    message = " ".join(caught.value.messages)
    assert "durum_kodu" in message and "status" in message
    assert message.startswith("Satır 1 (başlık satırı) bir başvuru listesi değil")
    assert_nothing_written()


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n  "])
def test_an_empty_file_is_refused(kpi_units, content):
    with pytest.raises(ValidationError) as caught:
        import_file(io.BytesIO(content), "export.csv")
    assert caught.value.messages == ["Dosya boş."]
    assert_nothing_written()


def test_only_a_heading_imports_nothing(kpi_units):
    result = import_file(csv_file([]), "export.csv")
    assert result.rows == 0 and Request.objects.count() == 0


def test_binary_garbage_named_csv_is_refused(kpi_units):
    garbage = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    with pytest.raises(ValidationError) as caught:
        import_file(io.BytesIO(garbage), "export.csv")
    assert "CSV" in caught.value.messages[0]
    assert_nothing_written()


def test_a_pdf_is_refused_by_its_name(kpi_units):
    with pytest.raises(ValidationError) as caught:
        import_file(io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "rapor.pdf")
    assert "XLSX" in caught.value.messages[0] and "CSV" in caught.value.messages[0]
    assert_nothing_written()


def test_xlsx_that_is_not_a_workbook_is_refused(kpi_units):
    with pytest.raises(ValidationError):
        import_file(io.BytesIO(b"request_no;type\nHIM-1;complaint\n"), "export.xlsx")
    assert_nothing_written()


class ReadSpy(io.RawIOBase):
    """A binary file that counts the bytes read from it."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.bytes_read = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        return self.fileobj.seek(offset, whence)

    def tell(self):
        return self.fileobj.tell()

    def readinto(self, buffer):
        n = self.fileobj.readinto(buffer)
        self.bytes_read += n or 0
        return n


def test_a_4_gb_file_is_refused_before_reading(kpi_units, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("wb") as f:
        f.write(b"request_no;type\n")
        f.truncate(4 * 1024**3)  # sparse: no disk space used
    with path.open("rb") as raw:
        spy = ReadSpy(raw)
        with pytest.raises(ValidationError) as caught:
            import_file(spy, path.name)
    assert spy.bytes_read == 0
    assert "MB" in caught.value.messages[0]
    assert_nothing_written()


# --- row-level refusals: the line and column named, nothing written unless skipping --------------------------


def test_a_bad_date_names_its_row_and_column(kpi_units):
    rows = [request_row(), request_row(first_answer_at="2026-02-30 10:00"), request_row(created_at="dün")]
    result = import_file(csv_file(rows), "export.csv")
    assert not result.committed and result.error_count == 2
    assert "2026-02-30" in refused(result, 3, "first_answer_at")
    assert "dün" in refused(result, 4, "created_at")
    assert result.errors[0].request_no == rows[1]["request_no"]
    assert_nothing_written()


def test_skip_errors_imports_the_valid_rows_only(kpi_units):
    rows = [request_row(), request_row(created_at="32.01.2026 10:00"), request_row()]
    result = import_file(csv_file(rows), "export.csv", skip_errors=True)
    assert result.committed and result.created == 2 and result.error_count == 1
    refused(result, 3, "created_at")
    assert set(Request.objects.values_list("request_no", flat=True)) == {rows[0]["request_no"], rows[2]["request_no"]}
    assert ImportRun.objects.get().errors == 1


def test_an_unknown_unit_is_refused_unless_units_may_be_created(kpi_units):
    rows = [request_row(), request_row(unit_code="ZABITA")]
    result = import_file(csv_file(rows), "export.csv")
    assert "ZABITA" in refused(result, 3, "unit_code")
    assert_nothing_written()
    assert not Unit.objects.filter(code="ZABITA").exists()

    result = import_file(csv_file(rows), "export.csv", create_units=True)
    assert result.committed and result.created == 2 and result.new_units == ["ZABITA"]
    unit = Unit.objects.get(code="ZABITA")
    assert unit.answers_requests and Request.objects.filter(unit=unit).count() == 1


def test_a_request_number_twice_in_one_file(kpi_units):
    first = request_row()
    rows = [first, request_row(), request_row(request_no=first["request_no"], status="open", first_answer_at="")]
    result = import_file(csv_file(rows), "export.csv")
    assert first["request_no"] in refused(result, 4, "request_no")
    assert result.error_count == 1
    assert_nothing_written()


def test_a_formula_cell_names_its_row_and_column(kpi_units):
    lines = table([request_row(), request_row()])
    lines[2][HEADER.index("satisfaction")] = "=2+2"
    result = import_file(xlsx_file(lines), "export.xlsx")
    assert "2+2" in refused(result, 3, "satisfaction")
    assert result.error_count == 1
    assert_nothing_written()


def test_scheduled_without_its_date(kpi_units):
    rows = [request_row(status="scheduled", first_answer_at=""),
            request_row(status="scheduled", first_answer_at="", scheduled_until="30.06.2026")]
    result = import_file(csv_file(rows), "export.csv")
    refused(result, 2, "scheduled_until")
    assert result.error_count == 1
    assert_nothing_written()


def test_satisfaction_9(kpi_units):
    result = import_file(csv_file([request_row(satisfaction="9")]), "export.csv")
    assert "9" in refused(result, 2, "satisfaction")
    assert_nothing_written()


def test_an_answer_or_closure_before_the_request(kpi_units):
    rows = [request_row(created_at="2026-03-02 09:00", first_answer_at="2026-03-02 08:59"),
            request_row(created_at="2026-03-02 09:00", first_answer_at="2026-03-02 10:00",
                        status="closed", closed_at="01.03.2026 12:00")]
    result = import_file(csv_file(rows), "export.csv")
    refused(result, 2, "first_answer_at")
    refused(result, 3, "closed_at")
    assert_nothing_written()


def test_messages_are_turkish_by_default(kpi_units):
    result = import_file(csv_file([request_row(satisfaction="9")]), "export.csv")
    assert result.errors[0].message == "“9”, 1 ile 5 arasında bir tam sayı değil."
