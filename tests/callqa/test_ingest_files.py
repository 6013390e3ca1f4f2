"""A call export is read as people save it (UTF-8 with or without BOM, Windows-1254, commas or
semicolons, XLSX, Turkish headings and values), and every bad row is refused with its line, column
and reason, nothing half-imported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kpi.callqa.ingest import HEADER_ALIASES, CallIngest, import_file
from kpi.callqa.models import Agent, Call, CallImportRun, Direction, Line, Outcome, Queue
from tests.callqa.ingest_data import HEADER, call_row, csv_file, refused, table, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(db):
    return {code: Agent.objects.create(code=code) for code in ("A001", "A002", "B001")}


def assert_nothing_written():
    assert Call.objects.count() == 0
    assert CallImportRun.objects.count() == 0
    assert not Line.objects.exists() and not Queue.objects.exists()


# --- what is accepted --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";"])
def test_comma_and_semicolon_separated_files(agents, sep):
    rows = [call_row(queue="Su, Kanal") if sep == ";" else call_row(), call_row(agent="A002")]
    result = import_file(csv_file(rows, sep=sep), "santral.csv")
    assert result.committed and (result.created, result.error_count) == (2, 0), [e.as_dict() for e in result.errors]
    assert Call.objects.count() == 2


def test_utf8_with_bom_and_the_derived_fields(agents):
    row = call_row(line="Beyaz Masa Hattı", queue="Şikâyet İşlemleri", offered_at="2026-03-02 23:40:05")
    result = import_file(csv_file([row], bom=True), "santral.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    call = Call.objects.select_related("line", "queue", "agent").get()
    assert call.call_id == row["call_id"]  # the BOM is not part of the first heading
    assert (call.line.name, call.queue.name, call.agent.code) == ("Beyaz Masa Hattı", "Şikâyet İşlemleri", "A001")
    assert call.offered_at == dt.datetime(2026, 3, 2, 20, 40, 5, tzinfo=dt.UTC)
    assert (call.offered_on, call.offered_hour) == (dt.date(2026, 3, 2), 23)
    assert (call.direction, call.outcome) == (Direction.INBOUND, Outcome.ANSWERED)
    assert (call.wait_seconds, call.talk_seconds, call.hold_seconds, call.wrap_seconds) == (12, 140, 10, 25)
    assert call.recording_url == row["recording_url"] and call.row_hash != 0
    assert abs((timezone.now() - call.imported_at).total_seconds()) < 60
    assert result.new_lines == ["Beyaz Masa Hattı"] and result.new_queues == ["Şikâyet İşlemleri"]


def test_windows_1254_file(agents):
    row = call_row(queue="Çevre ve Şehircilik", line="Güzelbahçe Santral")
    result = import_file(csv_file([row], encoding="cp1254"), "santral.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    assert Call.objects.get().queue.name == "Çevre ve Şehircilik"


def test_an_offset_is_converted_and_the_local_day_and_hour_derived(agents):
    rows = [call_row(offered_at="2026-03-01T22:30:00+00:00"), call_row(offered_at="02.03.2026 00:10")]
    result = import_file(csv_file(rows), "santral.csv")
    assert result.created == 2, [e.as_dict() for e in result.errors]
    first, second = (Call.objects.get(call_id=r["call_id"]) for r in rows)
    assert (first.offered_on, first.offered_hour) == (dt.date(2026, 3, 2), 1)
    assert (second.offered_on, second.offered_hour) == (dt.date(2026, 3, 2), 0)
    assert second.offered_at == dt.datetime(2026, 3, 1, 21, 10, tzinfo=dt.UTC)


def test_xlsx_with_numbers_and_dates_as_cells(agents):
    lines = [HEADER, ["X-1", "ALO 153", "Genel", "A001", "in", dt.datetime(2026, 3, 2, 9, 0), 8, "answered",
                      95, 0, 20.0, ""],
             [1002, "WhatsApp", "WhatsApp Destek", "", "gelen", dt.datetime(2026, 3, 2, 9, 5), 3, "terk", None, None,
              None, None]]
    result = import_file(xlsx_file(lines), "santral.xlsx")
    assert result.created == 2, [e.as_dict() for e in result.errors]
    answered = Call.objects.get(call_id="X-1")
    assert (answered.wait_seconds, answered.talk_seconds, answered.wrap_seconds) == (8, 95, 20)
    abandoned = Call.objects.get(call_id="1002")
    assert abandoned.agent_id is None and abandoned.outcome == Outcome.ABANDONED
    assert (abandoned.talk_seconds, abandoned.hold_seconds, abandoned.wrap_seconds) == (0, 0, 0)


def test_turkish_headings_and_values(agents):
    header = ["Çağrı No", "Hat", "Kuyruk", "Temsilci Kodu", "Yön", "Başlangıç", "Bekleme Süresi", "Sonuç",
              "Konuşma Süresi", "Bekletme Süresi", "Son İşlem Süresi", "Kayıt Linki"]
    rows = [call_row(direction="Gelen", outcome="Cevaplandı"), call_row(direction="GİDEN", outcome="cevaplanan"),
            call_row(direction="inbound", outcome="Kayıp", talk_seconds="0", hold_seconds="", wrap_seconds=""),
            call_row(direction="outbound", outcome="abandon", talk_seconds="", hold_seconds="", wrap_seconds="",
                     wait_seconds="")]
    result = import_file(csv_file(rows, header=header), "santral.csv")
    assert result.created == 4, [e.as_dict() for e in result.errors]
    got = {c.call_id: (c.direction, c.outcome) for c in Call.objects.all()}
    assert [got[r["call_id"]] for r in rows] == [
        (Direction.INBOUND, Outcome.ANSWERED), (Direction.OUTBOUND, Outcome.ANSWERED),
        (Direction.INBOUND, Outcome.ABANDONED), (Direction.OUTBOUND, Outcome.ABANDONED)]


def test_every_alias_names_a_column():
    assert set(HEADER_ALIASES.values()) <= set(HEADER)
    for required in ("cagri_no", "hat", "kuyruk", "temsilci", "temsilci_kodu", "yon", "baslangic", "teklif_zamani",
                     "bekleme_suresi", "sonuc", "konusma_suresi", "bekletme_suresi", "son_islem_suresi", "kayit_linki"):
        assert required in HEADER_ALIASES


def test_optional_columns_may_be_left_out(agents):
    header = ["call_id", "line", "queue", "direction", "offered_at", "wait_seconds", "outcome"]
    lines = [header, ["K-1", "ALO 153", "Genel", "in", "2026-03-02 10:00", "4", "abandoned"]]
    data = ("\n".join(";".join(line) for line in lines) + "\n").encode()
    result = import_file(io.BytesIO(data), "santral.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]
    call = Call.objects.get()
    assert call.agent_id is None and call.recording_url == "" and call.talk_seconds == 0


def test_an_answered_call_with_no_talk_time_is_accepted(agents):
    result = import_file(csv_file([call_row(talk_seconds="0", hold_seconds="0", wrap_seconds="0")]), "santral.csv")
    assert result.created == 1 and result.error_count == 0


def test_a_recording_path_on_the_portal_is_accepted(agents):
    result = import_file(csv_file([call_row(recording_url="/static/callqa/ornek-kayit.wav")]), "santral.csv")
    assert result.created == 1, [e.as_dict() for e in result.errors]


# --- file-level refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "words"), [
    (["call_id", "line", "queue", "direction", "offered_at", "wait_seconds"], "outcome"),
    (HEADER + ["caller_phone"], "caller_phone"),
])
def test_a_wrong_header_refuses_the_file(agents, header, words):
    data = (";".join(header) + "\n").encode()
    with pytest.raises(ValidationError) as error:
        import_file(io.BytesIO(data), "santral.csv")
    message = " ".join(error.value.messages)
    assert words in message and "çağrı listesi değil" in message
    assert_nothing_written()


def test_a_column_twice_refuses_the_file(agents):
    data = (";".join(HEADER + ["Çağrı No"]) + "\n").encode()
    with pytest.raises(ValidationError, match="call_id"):
        import_file(io.BytesIO(data), "santral.csv")


def test_an_empty_file_and_a_non_table_are_refused(agents):
    with pytest.raises(ValidationError):
        import_file(io.BytesIO(b""), "santral.csv")
    with pytest.raises(ValidationError):
        import_file(io.BytesIO(b"x"), "santral.pdf")
    assert_nothing_written()


def test_a_formula_cell_is_refused(agents):
    lines = table([call_row()])
    lines[1][6] = "=5+7"
    result = import_file(xlsx_file(lines), "santral.xlsx")
    assert "formül" in refused(result, 2, "wait_seconds")
    assert not result.committed
    assert_nothing_written()


# --- row refusals ----------------------------------------------------------------------------------------


REFUSALS = [
    ({"call_id": ""}, "call_id", "Çağrı numarası boş"),
    ({"call_id": "X" * 65}, "call_id", "64"),
    ({"line": ""}, "line", "Boş olamaz: hat"),
    ({"queue": ""}, "queue", "Boş olamaz: kuyruk"),
    ({"direction": ""}, "direction", "Boş olamaz: yön"),
    ({"direction": "yukarı"}, "direction", "yukarı"),
    ({"offered_at": ""}, "offered_at", "Boş olamaz: geliş zamanı"),
    ({"offered_at": "2026-13-45"}, "offered_at", "tarih"),
    ({"wait_seconds": ""}, "wait_seconds", "Boş olamaz: bekleme"),
    ({"wait_seconds": "-3"}, "wait_seconds", "negatif"),
    ({"wait_seconds": "12.5"}, "wait_seconds", "tam sayı"),
    ({"wait_seconds": "on iki"}, "wait_seconds", "tam sayı"),
    ({"talk_seconds": "-1"}, "talk_seconds", "negatif"),
    ({"hold_seconds": "3,7"}, "hold_seconds", "tam sayı"),
    ({"wrap_seconds": "86401"}, "wrap_seconds", "24 saat"),
    ({"outcome": ""}, "outcome", "Boş olamaz: sonuç"),
    ({"outcome": "meşgul"}, "outcome", "meşgul"),
    ({"outcome": "abandoned", "talk_seconds": "30", "hold_seconds": "0", "wrap_seconds": "0"}, "talk_seconds",
     "Terk edilen"),
    ({"outcome": "terk", "talk_seconds": "0", "hold_seconds": "5", "wrap_seconds": "0"}, "hold_seconds",
     "Terk edilen"),
    ({"outcome": "terk", "talk_seconds": "", "hold_seconds": "", "wrap_seconds": "9"}, "wrap_seconds",
     "Terk edilen"),
    ({"recording_url": "ftp://kayit.example/1.wav"}, "recording_url", "http(s)"),
    ({"recording_url": "javascript:alert(1)"}, "recording_url", "http(s)"),
    ({"recording_url": "//evil.example/x.wav"}, "recording_url", "http(s)"),
    ({"recording_url": "https://kayit.example/" + "a" * 490}, "recording_url", "500"),
    ({"agent": "Z999"}, "agent", "--create-agents"),
    ({"line": "L" * 101}, "line", "100"),
]


@pytest.mark.parametrize(("fields", "column", "words"), REFUSALS)
def test_a_bad_row_is_refused_with_line_column_and_reason(agents, fields, column, words):
    rows = [call_row(), call_row(**fields), call_row()]
    result = import_file(csv_file(rows), "santral.csv")
    assert result.error_count == 1 and not result.committed
    assert words in refused(result, 3, column)
    assert (result.created, result.rows) == (2, 3)  # counted, but nothing is written
    assert_nothing_written()


def test_a_call_id_twice_in_the_file(agents):
    first = call_row()
    result = import_file(csv_file([first, call_row(), {**call_row(), "call_id": first["call_id"]}]), "santral.csv")
    assert first["call_id"] in refused(result, 4, "call_id") and "birden fazla" in refused(result, 4, "call_id")
    error = result.errors[0]
    assert error.call_id == first["call_id"] and error.key == first["call_id"]
    assert_nothing_written()


def test_every_refused_row_is_listed_and_skip_errors_imports_the_rest(agents):
    rows = [call_row(wait_seconds="-1"), call_row(), call_row(agent="NOPE"), call_row(direction="sideways")]
    result = import_file(csv_file(rows), "santral.csv", skip_errors=True)
    assert result.committed and (result.created, result.error_count) == (1, 3)
    assert [(e.line, e.column) for e in result.errors] == [(2, "wait_seconds"), (4, "agent"), (5, "direction")]
    assert Call.objects.count() == 1
    run = CallImportRun.objects.get()
    assert (run.rows, run.created, run.errors) == (4, 1, 3)


def test_the_base_class_api():
    """CallIngest describes its table to the shared pipeline; nothing of the pipeline is its own."""
    from kpi.ingest import RequestIngest, TableIngest

    assert issubclass(CallIngest, TableIngest) and issubclass(RequestIngest, TableIngest)
    for name in ("_run", "_write", "_read_header", "_existing", "_write_sqlite", "_write_postgresql", "run_file",
                 "run_records"):
        assert name not in CallIngest.__dict__ and name not in RequestIngest.__dict__
    assert CallIngest.WRITE_COLUMNS[0] == "call_id" and CallIngest.WRITE_COLUMNS[-2:] == ("row_hash", "imported_at")
