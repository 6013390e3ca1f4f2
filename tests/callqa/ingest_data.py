"""Call-import test data: valid rows, CSV/XLSX files of them, and the three rollup cubes as data."""

from __future__ import annotations

import io
import itertools

from kpi.callqa.ingest import COLUMNS
from kpi.callqa.models import CALL_COUNTERS, CallRollupDay, CallRollupHour, CallRollupInterval, CallRollupMonth

HEADER = list(COLUMNS)
_numbers = itertools.count(1)


def call_row(**fields) -> dict:
    """A valid API/import record (an answered inbound call of agent A001); any field can be overridden
    ("" or None leaves it empty)."""
    row = {
        "call_id": f"CALL-{next(_numbers):07d}",
        "line": "ALO 153",
        "queue": "Genel Bilgi",
        "agent": "A001",
        "direction": "in",
        "offered_at": "2026-03-02 09:15",
        "wait_seconds": "12",
        "outcome": "answered",
        "talk_seconds": "140",
        "hold_seconds": "10",
        "wrap_seconds": "25",
        "recording_url": "https://kayit.belediye.example/kayit/1.mp3",
    }
    row.update(fields)
    return row


def table(rows: list[dict], *, header: list[str] | None = None) -> list[list]:
    return [header or HEADER] + [["" if row.get(name) is None else row.get(name) for name in HEADER] for row in rows]


def csv_file(rows: list[dict], *, sep: str = ";", encoding: str = "utf-8", bom: bool = False,
             header: list[str] | None = None) -> io.BytesIO:
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


def cubes() -> dict[str, list[tuple]]:
    """The four call rollup cubes as sorted tuples (keys and counters), every row (an empty one too)."""
    out = {}
    for model, keys in ((CallRollupHour, ("day", "hour", "line_id", "queue_id", "agent_key")),
                        (CallRollupInterval, ("day", "hour", "line_id", "queue_id")),
                        (CallRollupDay, ("day", "line_id", "queue_id", "agent_key")),
                        (CallRollupMonth, ("month", "line_id", "queue_id", "agent_key"))):
        out[model.__name__] = sorted(model.objects.values_list(*keys, *CALL_COUNTERS))
    return out
