"""The demo request generator (kpi.demo_data): deterministic, realistic, and every row it makes
imports through the one pipeline without an error."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest

from kpi import demo_data
from kpi.deadlines import due_date
from kpi.demo_data import generate_requests, later_export, write_csv
from kpi.ingest import COLUMNS, import_file, import_records
from kpi.models import Request, RollupDayUnit

START, END = dt.date(2025, 3, 1), dt.date(2026, 2, 28)
AS_OF = dt.datetime(2026, 3, 1)
UNITS = ["FEN", "FEN-YOL", "PARK"]


def _rows(count=3000, **options):
    options = {"start": START, "end": END, "as_of": AS_OF, "units": UNITS} | options
    return list(generate_requests(count, **options))


@pytest.fixture(scope="module")
def sample():
    return list(generate_requests(6000, start=START, end=END, as_of=AS_OF,
                                  units=[code for code, _name, _kind in demo_data._answering_units()]))


def test_columns_are_the_imports():
    assert demo_data.COLUMNS == COLUMNS


def test_same_seed_gives_the_same_rows():
    assert _rows(1500) == _rows(1500)


def test_another_seed_gives_other_rows():
    first, second = _rows(500), _rows(500, seed=7)
    assert [r["request_no"] for r in first] == [r["request_no"] for r in second]
    assert first != second


def test_exact_count_numbered_in_creation_order():
    rows = _rows(2500, prefix="X-")
    assert len(rows) == 2500
    assert [r["request_no"] for r in rows] == [f"X-{n:07d}" for n in range(1, 2501)]
    created = [r["created_at"] for r in rows]
    assert created[0] >= "2025-03-01 00:00:00" and created[-1] <= "2026-02-28 23:59:59"
    days = [c[:10] for c in created]
    assert days == sorted(days)


def test_values_are_strings_in_the_export_format(sample):
    for row in sample[:500]:
        assert tuple(row) == COLUMNS
        assert all(isinstance(v, str) for v in row.values())
        dt.datetime.strptime(row["created_at"], "%Y-%m-%d %H:%M:%S")
        for name in ("first_answer_at", "closed_at"):
            if row[name]:
                assert row[name] >= row["created_at"]
                dt.datetime.strptime(row[name], "%Y-%m-%d %H:%M:%S")
        assert row["created_at"] < "2026-03-01 00:00:00"


def test_channel_type_and_deadline_mix(sample):
    channels = Counter(r["channel"] for r in sample)
    assert channels.most_common(1)[0][0] == "ALO 153"
    assert {"WhatsApp", "Web", "E-posta", "Mobil Uygulama", "CİMER", "Şahsen", "Sosyal Medya", "Bilgi Edinme",
            "Mobil HİM"} <= set(channels)
    types = Counter(r["type"] for r in sample)
    assert 0.55 < types["request"] / len(sample) < 0.68
    assert 0.20 < types["complaint"] / len(sample) < 0.30
    assert types["suggestion"] and types["information"] and types["thanks"]
    deadlines = Counter((r["type"], r["deadline"]) for r in sample)
    assert all(r["deadline"] == "4982" for r in sample if r["type"] == "information")
    assert all(r["type"] == "information" for r in sample if r["channel"] == "Bilgi Edinme")
    assert {d for _t, d in deadlines} == {"3", "7", "30", "4982", "3071"}
    assert any(r["extended"] == "1" for r in sample)
    assert all(r["extended"] == "0" for r in sample if r["deadline"] != "4982")


def test_categories_belong_to_their_units(sample):
    fen = {c.name for c in demo_data.UNIT_PROFILES["FEN"].categories}
    assert {r["category"] for r in sample if r["unit_code"] == "FEN"} <= fen
    assert "Yol Bakım/Asfalt" in fen
    units = Counter(r["unit_code"] for r in sample)
    assert set(units) == {code for code, _name, _kind in demo_data._answering_units()}


def test_fewer_requests_at_night_and_at_weekends(sample):
    hours = Counter(int(r["created_at"][11:13]) for r in sample)
    assert sum(hours[h] for h in range(0, 6)) * 10 < sum(hours[h] for h in range(9, 15))
    weekdays = Counter(dt.date.fromisoformat(r["created_at"][:10]).weekday() for r in sample)
    assert weekdays[0] > weekdays[3] > weekdays[6]  # Monday burst, quiet Sunday


def test_statuses_and_their_fields(sample):
    statuses = Counter(r["status"] for r in sample)
    assert set(statuses) == {"open", "answered", "returned", "scheduled", "closed", "not_processed"}
    assert 0.01 < statuses["not_processed"] / len(sample) < 0.035
    for row in sample:
        if row["status"] == "scheduled":
            assert row["scheduled_until"] and row["first_answer_at"] and not row["closed_at"]
        if row["status"] == "open":
            assert not row["first_answer_at"] and not row["closed_at"]
        if row["status"] == "returned":
            assert int(row["return_count"]) > 0
        if row["satisfaction"] or row["field_check"]:
            assert row["status"] == "closed"
    overdue_scheduled = [r for r in sample if r["status"] == "scheduled" and r["scheduled_until"] < "2026-03-01"]
    assert overdue_scheduled
    assert any(int(r["return_count"]) for r in sample if r["status"] == "closed")
    closed = [r for r in sample if r["status"] == "closed"]
    surveyed = sum(1 for r in closed if r["satisfaction"]) / len(closed)
    checked = [r for r in closed if r["field_check"]]
    assert 0.25 < surveyed < 0.35
    assert 0.07 < len(checked) / len(closed) < 0.13
    assert any(r["field_check"] == "not_ok" for r in checked)


def test_recent_requests_are_still_open_and_old_ones_mostly_closed(sample):
    recent = [r for r in sample if r["created_at"] >= "2026-02-15"]
    old = [r for r in sample if r["created_at"] < "2025-12-01"]
    assert sum(r["status"] in ("open", "returned", "answered") for r in recent) / len(recent) > 0.25
    assert sum(r["status"] == "open" for r in old) / len(old) < 0.02


def _on_time_rate(rows, unit):
    answered = [r for r in rows if r["unit_code"] == unit and r["first_answer_at"]]
    on_time = sum(
        dt.date.fromisoformat(r["first_answer_at"][:10])
        <= due_date(dt.date.fromisoformat(r["created_at"][:10]), int(r["deadline"]), r["extended"] == "1")
        for r in answered)
    return on_time / len(answered)


def test_each_unit_has_its_own_on_time_profile(sample):
    assert _on_time_rate(sample, "FEN") < 0.80  # the late unit the dashboard shows in red
    assert _on_time_rate(sample, "ATIK") > 0.90


def test_every_generated_row_imports(make_requests):
    rows = _rows(3000)
    result = make_requests(rows)
    assert (result.rows, result.created, result.error_count) == (3000, 3000, 0)
    assert Request.objects.count() == 3000
    assert sum(RollupDayUnit.objects.values_list("created", flat=True)) == 3000


def test_the_csv_imports_without_errors(kpi_units):
    out = io.StringIO()
    assert write_csv(out, generate_requests(2000, start=START, end=END, as_of=AS_OF, units=UNITS)) == 2000
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(lines[0]) == COLUMNS and len(lines) == 2001
    result = import_file(io.BytesIO(out.getvalue().encode()), "demo.csv")
    assert result.committed and result.error_count == 0 and result.created == 2000


def test_the_later_export_changes_one_row_in_ten_and_never_adds_any(kpi_units):
    rows = _rows(2000)
    assert import_records(rows).created == 2000
    later = list(later_export(rows, as_of=AS_OF))
    changed = sum(a != b for a, b in zip(rows, later, strict=True))
    assert changed == 200
    assert [r["request_no"] for r in later] == [r["request_no"] for r in rows]
    assert later == list(later_export(rows, as_of=AS_OF))  # deterministic too
    result = import_records(later)
    assert result.committed and result.error_count == 0
    assert (result.created, result.updated, result.unchanged) == (0, 200, 1800)
    assert Request.objects.count() == 2000


def test_the_command_line_writes_a_file(tmp_path, kpi_units, capsys):
    path = tmp_path / "requests.csv"
    assert demo_data.main([str(path), "--rows", "400", "--as-of", "2026-03-01", "--units", "FEN,PARK"]) == 0
    assert "400 requests" in capsys.readouterr().err
    changed = tmp_path / "later.csv"
    demo_data.main([str(changed), "--rows", "400", "--as-of", "2026-03-01", "--units", "FEN,PARK", "--changed"])
    with path.open("rb") as data:
        assert import_file(data, "requests.csv").created == 400
    with changed.open("rb") as data:
        result = import_file(data, "later.csv")
    assert (result.created, result.updated, result.error_count) == (0, 40, 0)
