"""`manage.py import_requests`: counts, every refused row as "line N, column C: reason" (Turkish by
default), a non-zero exit status when the file or any row was refused, a progress line on stderr;
`manage.py rebuild_kpi_rollups` rebuilds the rollups from the requests."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpi.management.commands.import_requests import MAX_LISTED
from kpi.management.commands.import_requests import Command as ImportRequests
from kpi.models import ImportRun, Request, RollupDayUnit, RollupMonth
from qms.models import Unit
from tests.kpi.conftest import request_row
from tests.kpi.test_ingest_files import csv_file


def write(tmp_path, rows, name="export.csv", **options):
    path = tmp_path / name
    path.write_bytes(csv_file(rows, **options).getvalue())
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_requests", *[str(a) for a in args], stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_a_good_file_is_imported_and_counted(kpi_units, tmp_path):
    path = write(tmp_path, [request_row(), request_row(), request_row(channel="WhatsApp")])
    out, err, error = run(path)
    assert error is None
    assert "3 satır" in out and "3 yeni, 0 güncellenen, 0 değişmeyen, 0 reddedilen" in out
    assert "Yeni kanallar: ALO 153, WhatsApp" in out and "Aktarıldı." in out
    assert Request.objects.count() == 3
    run_row = ImportRun.objects.get()
    assert (run_row.source, run_row.filename, run_row.created) == (ImportRun.Source.COMMAND, "export.csv", 3)

    out, _err, error = run(path)
    assert error is None and "0 yeni, 0 güncellenen, 3 değişmeyen" in out


def test_refused_rows_are_listed_and_nothing_is_imported(kpi_units, tmp_path):
    rows = [request_row(), request_row(created_at="31.02.2026 10:00"), request_row(unit_code="YOK")]
    out, _err, error = run(write(tmp_path, rows))
    assert error is not None and str(error) == "2 satır reddedildi; hiçbir şey aktarılmadı."
    assert "satır 3, sütun created_at: “31.02.2026 10:00” bir tarih ve saat değil" in out
    assert "satır 4, sütun unit_code: “YOK” kodlu birim yok" in out
    assert Request.objects.count() == 0 and ImportRun.objects.count() == 0


def test_skip_errors_imports_the_rest_and_still_fails(kpi_units, tmp_path):
    rows = [request_row(), request_row(satisfaction="9")]
    out, _err, error = run(write(tmp_path, rows), "--skip-errors")
    assert str(error) == "1 satır reddedildi; diğer satırlar aktarıldı."
    assert "satır 3, sütun satisfaction:" in out
    assert list(Request.objects.values_list("request_no", flat=True)) == [rows[0]["request_no"]]
    assert ImportRun.objects.get().errors == 1


def test_dry_run_writes_nothing(kpi_units, tmp_path):
    out, _err, error = run(write(tmp_path, [request_row(), request_row()]), "--dry-run")
    assert error is None
    assert "2 yeni" in out and "Deneme çalıştırması: hiçbir şey yazılmadı." in out
    assert Request.objects.count() == 0 and ImportRun.objects.count() == 0


def test_create_units(kpi_units, tmp_path):
    path = write(tmp_path, [request_row(unit_code="ZABITA")])
    _out, _err, error = run(path)
    assert error is not None and not Unit.objects.filter(code="ZABITA").exists()
    out, _err, error = run(path, "--create-units")
    assert error is None and "Yeni birimler: ZABITA" in out
    assert Request.objects.get().unit.code == "ZABITA"


def test_the_listing_stops_at_the_cap_and_counts_the_rest(kpi_units, tmp_path):
    rows = [request_row(deadline="5") for _ in range(MAX_LISTED + 7)]
    out, _err, error = run(write(tmp_path, rows))
    assert str(error) == f"{MAX_LISTED + 7} satır reddedildi; hiçbir şey aktarılmadı."
    assert out.count("sütun deadline:") == MAX_LISTED
    assert "… ve listelenmeyen 7 reddedilen satır daha." in out


def test_file_level_refusals(kpi_units, tmp_path):
    header = ["request_no", "tip", "channel"]
    _out, _err, error = run(write(tmp_path, [request_row()], header=header))
    assert str(error).startswith("Dosya reddedildi: Satır 1 (başlık satırı) bir başvuru listesi değil")
    assert "tip" in str(error) and "category" in str(error)

    _out, _err, error = run(tmp_path / "yok.csv")
    assert str(error) == "“%s” diye bir dosya yok." % (tmp_path / "yok.csv")

    pdf = tmp_path / "rapor.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    _out, _err, error = run(pdf)
    assert "XLSX" in str(error)
    assert Request.objects.count() == 0


def test_a_4_gb_file_is_refused(kpi_units, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("wb") as f:
        f.truncate(4 * 1024**3)
    _out, _err, error = run(path)
    assert "Dosya reddedildi" in str(error) and "MB" in str(error)
    assert Request.objects.count() == 0


def test_the_progress_line_goes_to_stderr(kpi_units, tmp_path):
    _out, err, error = run(write(tmp_path, [request_row() for _ in range(3)]))
    assert error is None
    last = err.strip().splitlines()[-1]
    assert "100%" in last and "3 satır" in last and "satır/sn" in last
    _out, err, _error = run(write(tmp_path, [request_row()]), "--no-progress")
    assert err == ""


def test_exit_status_is_1_when_rows_are_refused(kpi_units, tmp_path, capsys):
    path = write(tmp_path, [request_row(status="scheduled", first_answer_at="")])
    with pytest.raises(SystemExit) as caught:  # as from the shell (checks skipped: they are not the point here)
        ImportRequests().run_from_argv(["manage.py", "import_requests", str(path), "--no-progress",
                                         "--skip-checks"])
    assert caught.value.code == 1
    captured = capsys.readouterr()
    assert "satır 2, sütun scheduled_until:" in captured.out
    assert "1 satır reddedildi; hiçbir şey aktarılmadı." in captured.err


def test_rebuild_kpi_rollups(make_requests):
    make_requests([request_row(), request_row(created_at="2026-04-10 10:00", first_answer_at="", status="open",
                                                unit_code="PARK")])
    days = list(RollupDayUnit.objects.order_by("day", "unit_id").values())
    months = list(RollupMonth.objects.order_by("month", "unit_id").values())
    RollupDayUnit.objects.all().delete()
    RollupMonth.objects.all().delete()
    out = StringIO()
    call_command("rebuild_kpi_rollups", stdout=out)
    assert "Gösterge özet tabloları yeniden oluşturuldu" in out.getvalue()
    strip = lambda rows: [{k: v for k, v in row.items() if k != "id"} for row in rows]  # noqa: E731
    assert strip(RollupDayUnit.objects.order_by("day", "unit_id").values()) == strip(days)
    assert strip(RollupMonth.objects.order_by("month", "unit_id").values()) == strip(months)
