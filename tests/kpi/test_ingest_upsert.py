"""A re-import of a later export updates what changed and never duplicates; unchanged rows are
counted as such and not rewritten; a dry run (the preview) counts and writes nothing."""

from __future__ import annotations

import io

from kpi.ingest import import_file
from kpi.models import Category, Channel, ImportRun, Request, RollupDayUnit, Status
from qms.models import Unit
from tests.kpi.conftest import request_row
from tests.kpi.test_ingest_files import csv_file


def test_a_later_export_updates_statuses_without_duplicates(kpi_units):
    rows = [request_row(status="open", first_answer_at=""), request_row(status="open", first_answer_at=""),
            request_row()]
    first = import_file(csv_file(rows), "export-1.csv")
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)

    rows[0].update(status="answered", first_answer_at="2026-03-03 11:00")
    later = rows + [request_row()]
    second = import_file(csv_file(later), "export-2.csv")
    assert (second.created, second.updated, second.unchanged, second.error_count) == (1, 1, 2, 0)
    assert Request.objects.count() == 4
    answered = Request.objects.get(request_no=rows[0]["request_no"])
    assert answered.status == Status.ANSWERED and answered.on_time is True
    assert list(ImportRun.objects.order_by("started_at").values_list("created", "updated", "unchanged")) == [
        (3, 0, 0), (1, 1, 2)]


def test_unchanged_rows_are_not_rewritten(kpi_units):
    rows = [request_row(), request_row(status="open", first_answer_at="")]
    import_file(csv_file(rows), "export.csv")
    before = dict(Request.objects.values_list("request_no", "imported_at"))

    rows[1].update(status="answered", first_answer_at="2026-03-05 10:00")
    result = import_file(csv_file(rows), "export.csv")
    assert (result.updated, result.unchanged) == (1, 1)
    after = dict(Request.objects.values_list("request_no", "imported_at"))
    assert after[rows[0]["request_no"]] == before[rows[0]["request_no"]]
    assert after[rows[1]["request_no"]] > before[rows[1]["request_no"]]


def test_the_same_file_twice_changes_nothing(kpi_units):
    data = csv_file([request_row() for _ in range(5)]).getvalue()
    import_file(io.BytesIO(data), "export.csv")
    before = list(Request.objects.order_by("pk").values())
    rollups = list(RollupDayUnit.objects.order_by("pk").values())
    result = import_file(io.BytesIO(data), "export.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert list(Request.objects.order_by("pk").values()) == before
    assert list(RollupDayUnit.objects.order_by("pk").values()) == rollups


def test_a_dry_run_counts_and_writes_nothing(kpi_units):
    import_file(csv_file([request_row()]), "seed.csv")
    existing = Request.objects.get()
    rows = [request_row(channel="WhatsApp", category="Park"), request_row(unit_code="ZABITA"),
            {**request_row(), "request_no": existing.request_no, "status": "closed",
             "closed_at": "2026-03-05 10:00"}]
    before = (Request.objects.count(), ImportRun.objects.count(), Channel.objects.count(), Category.objects.count())
    result = import_file(csv_file(rows), "preview.csv", dry_run=True, create_units=True)
    assert result.dry_run and not result.committed
    assert (result.created, result.updated, result.error_count) == (2, 1, 0)
    assert result.new_channels == ["WhatsApp"] and result.new_units == ["ZABITA"]
    assert (Request.objects.count(), ImportRun.objects.count(), Channel.objects.count(),
            Category.objects.count()) == before
    assert Request.objects.get().status == existing.status
    assert not Unit.objects.filter(code="ZABITA").exists()
