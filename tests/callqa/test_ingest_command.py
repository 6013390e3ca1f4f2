"""`manage.py import_calls`: counts, every refused row as "line N, column C: reason" (Turkish by
default), exit status 1 when the file or any row was refused, --dry-run, --skip-errors,
--create-agents, a progress line on stderr; `manage.py rebuild_call_rollups` rebuilds the cubes and
says the thresholds it used."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from kpi.callqa import rollups
from kpi.callqa.models import Agent, Call, CallImportRun, CallRollupDay, CallRollupState
from tests.callqa.ingest_data import call_row, csv_file, cubes

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(db):
    return {code: Agent.objects.create(code=code) for code in ("A001", "A002")}


def write(tmp_path, rows, name="santral.csv", **options):
    path = tmp_path / name
    path.write_bytes(csv_file(rows, **options).getvalue())
    return path


def run(command, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_a_good_file_is_imported_and_counted(agents, tmp_path):
    path = write(tmp_path, [call_row(), call_row(line="WhatsApp"), call_row(agent="")])
    out, err, error = run("import_calls", path)
    assert error is None
    assert "3 satır" in out and "3 yeni, 0 güncellenen, 0 değişmeyen, 0 reddedilen" in out
    assert "Yeni hatlar: ALO 153, WhatsApp" in out and "Aktarıldı." in out
    assert "3 satır" in err  # the progress line
    assert Call.objects.count() == 3
    assert CallImportRun.objects.get().source == CallImportRun.Source.COMMAND


def test_refused_rows_are_listed_and_the_exit_status_is_1(agents, tmp_path):
    path = write(tmp_path, [call_row(), call_row(wait_seconds="-4"), call_row(agent="Q1")])
    out, _err, error = run("import_calls", path, "--no-progress")
    assert isinstance(error, CommandError) and error.returncode == 1
    assert "satır 3, sütun wait_seconds: Bir süre negatif olamaz (-4)." in out
    assert "satır 4, sütun agent:" in out and "Q1" in out
    assert "2 satır reddedildi; hiçbir şey aktarılmadı." in str(error)
    assert Call.objects.count() == 0


def test_skip_errors_imports_the_rest_but_still_exits_1(agents, tmp_path):
    path = write(tmp_path, [call_row(), call_row(direction="?")])
    out, _err, error = run("import_calls", path, "--skip-errors", "--no-progress")
    assert error is not None and "diğer satırlar aktarıldı" in str(error)
    assert Call.objects.count() == 1 and "Aktarıldı." in out


def test_create_agents(agents, tmp_path):
    path = write(tmp_path, [call_row(agent="N100"), call_row(agent="N101")])
    assert run("import_calls", path, "--no-progress")[2] is not None
    out, _err, error = run("import_calls", path, "--create-agents", "--no-progress")
    assert error is None and "Yeni temsilciler: N100, N101" in out
    assert set(Agent.objects.filter(code__startswith="N").values_list("code", flat=True)) == {"N100", "N101"}


def test_dry_run_writes_nothing_and_exits_0(agents, tmp_path):
    path = write(tmp_path, [call_row(), call_row()])
    out, _err, error = run("import_calls", path, "--dry-run", "--no-progress")
    assert error is None and "2 yeni" in out and "Deneme çalıştırması: hiçbir şey yazılmadı." in out
    assert Call.objects.count() == 0 and CallImportRun.objects.count() == 0


def test_a_refused_or_missing_file(agents, tmp_path):
    bad = tmp_path / "santral.csv"
    bad.write_bytes(b"foo;bar\n1;2\n")
    _out, _err, error = run("import_calls", bad, "--no-progress")
    assert error is not None and "çağrı listesi değil" in str(error)
    _out, _err, error = run("import_calls", tmp_path / "yok.csv")
    assert error is not None and "yok.csv" in str(error)


def test_rebuild_call_rollups_says_the_thresholds(agents, tmp_path):
    run("import_calls", write(tmp_path, [call_row(wait_seconds="25"), call_row(wait_seconds="3")]), "--no-progress")
    kept = cubes()
    CallRollupDay.objects.all().delete()
    out, _err, error = run("rebuild_call_rollups")
    assert error is None and cubes() == kept
    assert "hizmet düzeyi 20 sn, kısa terk 5 sn altı" in out and "yeniden oluşturuldu" in out
    with override_settings(QMS_CALL_SL_SECONDS=30):
        assert rollups.stale()
        out, _err, _error = run("rebuild_call_rollups")
        assert "hizmet düzeyi 30 sn" in out and "daha önce hizmet düzeyi 20 sn" in out
        assert CallRollupState.objects.get().sl_seconds == 30 and not rollups.stale()
        assert sum(CallRollupDay.objects.values_list("answered_in_sl", flat=True)) == 2
