"""KPI fixtures: answering units and requests fed through the one import pipeline."""

from __future__ import annotations

import itertools

import pytest

from kpi.ingest import import_records
from qms.models import Unit, UnitKind

_numbers = itertools.count(1)


@pytest.fixture
def kpi_units(org):
    """FEN (from `org`) with a unit under it (FEN-YOL), and PARK beside it. Returns units by code."""
    road = Unit.objects.create(code="FEN-YOL", name="Yol Bakım Şube Müdürlüğü", parent=org["FEN"],
                               answers_requests=True)
    park = Unit.objects.create(code="PARK", name="Park ve Bahçeler Dairesi Başkanlığı", kind=UnitKind.DEPARTMENT,
                               answers_requests=True)
    return {"FEN": org["FEN"], "FEN-YOL": road, "PARK": park}


def request_row(**fields) -> dict:
    """A valid API/import record; any field can be overridden (None or "" leaves it empty)."""
    row = {
        "request_no": f"HIM-{next(_numbers):07d}",
        "type": "complaint",
        "channel": "ALO 153",
        "category": "Yol Bakım",
        "unit_code": "FEN",
        "created_at": "2026-03-02 09:00",
        "deadline": "7",
        "status": "answered",
        "first_answer_at": "2026-03-04 10:00",
    }
    row.update(fields)
    return row


@pytest.fixture
def make_requests(kpi_units):
    """make_requests([row, ...], **options) -> ImportResult; refuses to pass silently on errors."""

    def factory(rows: list[dict], **options):
        result = import_records(rows, **options)
        assert result.committed, [e.as_dict() for e in result.errors]
        return result

    return factory
