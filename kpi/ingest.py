"""THE way tables of records enter the portal: a file (admin upload, a `manage.py import_*` command)
or an API batch, through one pipeline (`TableIngest`), so that both accept and refuse the same rows
with the same words. Citizen requests (`RequestIngest`, here) and call records
(`kpi.callqa.ingest.CallIngest`) are its two tables.

Rows are read as a stream and handled in batches of `BATCH` rows: the batch's existing rows are
looked up by their key (`request_no`, `call_id`) in one query; a row whose fingerprint (its cells as
written) is the stored `row_hash` is unchanged and left alone without being validated again; the
others are validated and their derived figures computed (due date, on time, answer time ...); new
rows are inserted and changed rows updated; the rollups are kept current through a delta (the old
facts of an updated row taken away, the new ones added) written at the end. All of it runs in one
transaction: a refused row means nothing is written unless the caller asked to skip refused rows,
and a dry run (the preview) rolls everything back after counting.

SQLite is written with `executemany` on lists, PostgreSQL with COPY; both inside Django's
transaction. docs/kpi.md describes the rules; docs/performance.md the speed.

A table's import is a subclass of `TableIngest` that sets the class attributes (table, columns,
header aliases, written columns, lock id, run model, delta class, messages) and the hooks
`_prepare()` (lookups), `_validate(cells, digest)` (one row -> the tuple to write) and
`_fact(record)` (its rollup facts); see `TableIngest`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi import deadlines, rollups
from kpi.models import (
    ANSWER_HOUR_EDGES,
    Category,
    Channel,
    Deadline,
    FieldCheck,
    ImportRun,
    RequestType,
    Status,
)
from qms import audit
from qms.text import fold

ISTANBUL = ZoneInfo("Europe/Istanbul")
UTC = dt.UTC
BATCH = 5000
EDGE_SECONDS = tuple(hours * 3600 for hours in ANSWER_HOUR_EDGES)
MAX_ERRORS_KEPT = 100_000

COLUMNS = (
    "request_no", "type", "channel", "category", "unit_code", "created_at", "deadline", "status",
    "first_answer_at", "closed_at", "due_at", "scheduled_until", "return_count", "satisfaction",
    "field_check", "extended",
)
REQUIRED = ("request_no", "type", "channel", "category", "unit_code", "created_at", "deadline", "status")
_C = {name: index for index, name in enumerate(COLUMNS)}
_REQUIRED_INDEXES = tuple(_C[name] for name in REQUIRED[1:])

# Turkish headers the case system's exports use, folded (see qms.text.fold) with spaces as "_".
HEADER_ALIASES = {
    "basvuru_no": "request_no", "basvuru_numarasi": "request_no", "talep_no": "request_no",
    "tur": "type", "basvuru_turu": "type", "talep_turu": "type",
    "kanal": "channel", "basvuru_kanali": "channel",
    "kategori": "category", "konu": "category",
    "birim": "unit_code", "birim_kodu": "unit_code", "sorumlu_birim": "unit_code",
    "olusturma_tarihi": "created_at", "kayit_tarihi": "created_at", "basvuru_tarihi": "created_at",
    "sure": "deadline", "cevap_suresi": "deadline", "sure_sinifi": "deadline",
    "durum": "status",
    "ilk_cevap_tarihi": "first_answer_at", "cevap_tarihi": "first_answer_at",
    "kapanis_tarihi": "closed_at", "kapatma_tarihi": "closed_at",
    "son_cevap_zamani": "due_at", "son_tarih": "due_at",
    "programa_alinma_tarihi": "scheduled_until", "termin_tarihi": "scheduled_until",
    "iade_sayisi": "return_count", "red_sayisi": "return_count",
    "memnuniyet": "satisfaction", "anket_puani": "satisfaction",
    "yerinde_tespit": "field_check",
    "sure_uzatildi": "extended", "uzatildi": "extended",
}

TYPE_VALUES = {
    "request": RequestType.REQUEST, "talep": RequestType.REQUEST, "istek": RequestType.REQUEST,
    "complaint": RequestType.COMPLAINT, "sikayet": RequestType.COMPLAINT,
    "suggestion": RequestType.SUGGESTION, "oneri": RequestType.SUGGESTION,
    "information": RequestType.INFORMATION, "bilgi_edinme": RequestType.INFORMATION, "bilgi": RequestType.INFORMATION,
    "thanks": RequestType.THANKS, "tesekkur": RequestType.THANKS,
}
STATUS_VALUES = {
    "open": Status.OPEN, "acik": Status.OPEN, "beklemede": Status.OPEN,
    "answered": Status.ANSWERED, "cevaplandi": Status.ANSWERED, "cevaplanmis": Status.ANSWERED,
    "returned": Status.RETURNED, "iade": Status.RETURNED, "reddedildi": Status.RETURNED,
    "scheduled": Status.SCHEDULED, "programa_alindi": Status.SCHEDULED,
    "closed": Status.CLOSED, "kapandi": Status.CLOSED, "kapatildi": Status.CLOSED,
    "not_processed": Status.NOT_PROCESSED, "isleme_alinmadi": Status.NOT_PROCESSED,
}
FIELD_CHECK_VALUES = {
    "ok": FieldCheck.OK, "olumlu": FieldCheck.OK, "uygun": FieldCheck.OK, "cozuldu": FieldCheck.OK,
    "not_ok": FieldCheck.NOT_OK, "olumsuz": FieldCheck.NOT_OK, "uygun_degil": FieldCheck.NOT_OK,
    "cozulmedi": FieldCheck.NOT_OK,
}
BOOL_VALUES = {"": False, "0": False, "false": False, "no": False, "hayir": False, "h": False,
               "1": True, "true": True, "yes": True, "evet": True, "e": True}
DEADLINES = {str(int(d)): int(d) for d in Deadline}

COLUMN_LABELS = {
    "request_no": gettext_lazy("request number"), "type": gettext_lazy("type"), "channel": gettext_lazy("channel"),
    "category": gettext_lazy("category"), "unit_code": gettext_lazy("unit code"),
    "created_at": gettext_lazy("created at"), "deadline": gettext_lazy("deadline"),
    "status": gettext_lazy("status"), "first_answer_at": gettext_lazy("first answer at"),
    "closed_at": gettext_lazy("closed at"), "due_at": gettext_lazy("due time"),
    "scheduled_until": gettext_lazy("scheduled until"), "return_count": gettext_lazy("returns"),
    "satisfaction": gettext_lazy("satisfaction"), "field_check": gettext_lazy("field check"),
    "extended": gettext_lazy("extended"),
}


def _key(text) -> str:
    return fold(str(text).strip()).replace(" ", "_").replace("-", "_")


@dataclass(frozen=True)
class RowError:
    line: int  # the spreadsheet's row number (the header is row 1), or the API batch's index (from 0)
    column: str  # a name of COLUMNS, or "" for the whole row
    message: str
    request_no: str = ""

    @property
    def key(self) -> str:
        """The row's key, whatever the table calls it (templates shared by the imports use it)."""
        return self.request_no

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message, "request_no": self.request_no}


@dataclass
class IngestResult:
    """What an import did (the counts of every `TableIngest`); each table adds what it created on first sight."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)  # of the ingest's ROW_ERROR
    committed: bool = False
    dry_run: bool = False
    statuses: list[str] = field(default_factory=list)  # per row, for the API: created/updated/unchanged/error
    run: object | None = None  # the ingest's RUN_MODEL row, when the import was recorded

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": self.error_count, "committed": self.committed, "dry_run": self.dry_run,
        }


@dataclass
class ImportResult(IngestResult):
    new_channels: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "new_channels": self.new_channels, "new_categories": self.new_categories,
                "new_units": self.new_units}


class _Refused(Exception):
    def __init__(self, column: str, message: str):
        self.column = column
        self.message = message


class _Rollback(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


FIXED_OFFSET_SINCE = dt.datetime(2016, 9, 7)  # Turkey has kept +03:00 all year since then
THREE_HOURS = dt.timedelta(hours=3)


def _parse_datetime(value, column: str) -> dt.datetime | None:
    """ISO 8601 or dd.mm.yyyy HH:MM[:SS], as a naive Europe/Istanbul wall time (a time without an
    offset is Istanbul's; one with an offset is converted)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    else:
        text = value if value.__class__ is str else str(value).strip()
        if not text:
            return None
        try:
            if len(text) >= 10 and text[2] == "." and text[5] == ".":
                hour = minute = second = 0
                if len(text) > 10:
                    clock = text[11:].split(":")
                    hour, minute = int(clock[0]), int(clock[1])
                    second = int(clock[2]) if len(clock) > 2 else 0
                    if text[10] != " " or len(clock) > 3:
                        raise ValueError
                return dt.datetime(int(text[6:10]), int(text[3:5]), int(text[0:2]), hour, minute, second)
            parsed = dt.datetime.fromisoformat(text)
        except (ValueError, IndexError):
            raise _Refused(column, _("“%(value)s” is not a date and time (use 2026-03-01 09:15 or 01.03.2026 09:15).")
                           % {"value": text[:40]}) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(ISTANBUL).replace(tzinfo=None)
    return parsed


def _utc(local: dt.datetime | None) -> dt.datetime | None:
    """A naive Istanbul wall time as a naive UTC time."""
    if local is None:
        return None
    if local >= FIXED_OFFSET_SINCE:
        return local - THREE_HOURS
    return local.replace(tzinfo=ISTANBUL).astimezone(UTC).replace(tzinfo=None)


def _parse_date(value, column: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        if len(text) >= 10 and text[2] == "." and text[5] == ".":
            return dt.date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise _Refused(column, _("“%(value)s” is not a date (use 2026-03-01 or 01.03.2026).")
                       % {"value": text[:40]}) from None


def _choice(value, table: dict, column: str, allowed: str):
    text = _text(value)
    found = table.get(text)
    if found is None:
        found = table.get(_key(text))
    if found is None:
        raise _Refused(column, _("“%(value)s” is not one of: %(allowed)s.") % {"value": text[:40], "allowed": allowed})
    return found


def _small_int(value, column: str, low: int, high: int, *, optional: bool) -> int | None:
    text = _text(value)
    if not text:
        return None if optional else 0
    try:
        number = int(text)
    except ValueError:
        try:
            decimal = float(text.replace(",", "."))
            number = int(decimal) if decimal.is_integer() else None
        except ValueError:
            number = None
    if number is None or not low <= number <= high:
        raise _Refused(column, _("“%(value)s” is not a whole number from %(low)s to %(high)s.")
                       % {"value": text[:40], "low": low, "high": high})
    return number


# The helpers a TableIngest subclass's `_validate` uses (kpi.callqa.ingest is one), under public names.
Refused = _Refused
cell_text = _text
header_key = _key
parse_datetime = _parse_datetime
parse_date = _parse_date
utc_naive = _utc
choice = _choice


class TableIngest:
    """One import of one table: feed it rows (`run_file` / `run_records`), get a result.

    A subclass describes its table with class attributes:

    * `TABLE`: the database table; `WRITE_COLUMNS[0]` and `COLUMNS[0]` are its unique key column.
    * `COLUMNS` (the file's and API's column names, in the order `_validate` gets the cells),
      `REQUIRED` (the columns a file's header must have), `HEADER_ALIASES` (folded alternative
      headings, see `header_key`), `NOT_A_LIST` (the message of a wrong header, with %(line)s,
      %(problems)s and %(columns)s), `NOT_AN_OBJECT` (an API record that is not an object).
    * `KEY_MAX_LENGTH`, `KEY_EMPTY`, `KEY_TOO_LONG`, `KEY_TWICE` (with %(no)s): the key's checks,
      made before anything else (a row without a usable key is refused as such).
    * `WRITE_COLUMNS`: the table's columns in the order of the tuples `_validate` returns, followed
      by "imported_at" (added by the writers); the tuple ends with `row_hash` (the digest it was given).
      `DATE_COLUMNS`: which of them hold dates (SQLite takes them as ISO text).
    * `LOCK_ID` (a PostgreSQL advisory lock: one import of the table at a time), `RUN_MODEL` (the
      import record: source, filename, started_at, user and the counts rows/created/updated/
      unchanged/errors/finished_at; its `Source` choices), `RESULT_CLASS` (an `IngestResult`),
      `ROW_ERROR` (a dataclass built as (line, column, message, key)).
    * `DELTA` (the rollup delta class: `add(fact, sign)`, `flush()`, `len()`), `FLUSH_KEYS` (flush
      it when it holds that many keys), `OLD_FACT_COLUMNS` (the SQL select list of a stored row's
      facts, in `_fact`'s layout).

    and hooks: `_prepare()` (load the lookups `_validate` needs, inside the transaction),
    `_validate(cells, digest)` (trimmed cells whose key was checked -> the tuple to write, or
    `Refused(column, message)`), `_fact(record)` (the rollup facts of a validated tuple) and
    `_old_facts_of(rows)` (adapts the stored facts, e.g. dates SQLite returns as text).

    The import is recorded (`RUN_MODEL` row + `audit.record(IMPORT)`, counts only) when it changed
    something or refused rows.
    """

    TABLE: str = ""
    COLUMNS: tuple[str, ...] = ()
    REQUIRED: tuple[str, ...] = ()
    HEADER_ALIASES: dict[str, str] = {}
    WRITE_COLUMNS: tuple[str, ...] = ()
    DATE_COLUMNS: tuple[str, ...] = ()
    KEY_MAX_LENGTH = 40
    KEY_EMPTY = KEY_TOO_LONG = KEY_TWICE = NOT_A_LIST = NOT_AN_OBJECT = ""
    LOCK_ID = 0
    RUN_MODEL = None
    RESULT_CLASS = IngestResult
    ROW_ERROR = RowError
    DELTA = None
    FLUSH_KEYS = 50_000
    OLD_FACT_COLUMNS = ""

    def __init__(self, *, user=None, source: str | None = None, filename: str = "", dry_run: bool = False,
                 skip_errors: bool = False, progress: Callable[[int], None] | None = None,
                 per_row_status: bool = False):
        self.user = user
        self.source = source or self.RUN_MODEL.Source.FILE
        self.filename = filename
        self.dry_run = dry_run
        self.skip_errors = skip_errors
        self.progress = progress
        self.per_row_status = per_row_status
        self.result = self.RESULT_CLASS(dry_run=dry_run)
        self.vendor = connection.vendor
        self.now = timezone.now()
        self._columns = {name: index for index, name in enumerate(self.COLUMNS)}
        self._date_indexes = tuple(self.WRITE_COLUMNS.index(name) for name in self.DATE_COLUMNS)
        # Naive UTC times as each database takes them: SQLite stores Django's text form, PostgreSQL
        # (through COPY) an aware time.
        if self.vendor == "postgresql":
            self.store_datetime = lambda value: None if value is None else value.replace(tzinfo=UTC)
        else:
            self.store_datetime = lambda value: None if value is None else str(value)

    # ---- entry points -------------------------------------------------------------------------

    def run_file(self, fileobj, filename: str, *, max_bytes: int | None = None) -> IngestResult:
        """Import an open binary file (CSV or XLSX). File-level problems (not a table, no header,
        wrong headers) raise ValidationError before anything is written."""
        from qms.tables import stream_table_rows

        formula_cells: list[tuple[int, int, str]] = []
        rows = stream_table_rows(fileobj, filename, max_bytes=max_bytes or settings.QMS_KPI_IMPORT_MAX_BYTES,
                                 on_formula=lambda row, col, text: formula_cells.append((row, col, text)))
        try:
            header_line, index_map = self._read_header(rows)
        except ValidationError:
            rows.close()  # while the file is still open: the reader lets go of it
            raise
        names = [name for name, _index in index_map]
        positions = [index for _name, index in index_map]

        where = dict(index_map)
        order = [where.get(name) for name in self.COLUMNS]  # the file's position of each column, or None
        last = max(positions)

        def records() -> Iterator[tuple[int, list]]:
            for number, values in rows:
                if formula_cells:
                    own = [cell for cell in formula_cells if cell[0] == number]
                    formula_cells.clear()
                    if own:
                        self.result.rows += 1
                        for row, col, text in own:
                            column = names[positions.index(col)] if col in positions else ""
                            self._error(row, column, _("The cell holds a formula (%(formula)s); save the sheet "
                                                       "with values only.") % {"formula": text[:40]}, "")
                        continue
                if not values or (not values[0] and not any(v not in (None, "") and str(v).strip()
                                                                for v in values)):
                    continue  # blank lines are not rows
                if len(values) > last:
                    yield number, [None if p is None else values[p] for p in order]
                else:
                    yield number, [None if p is None or p >= len(values) else values[p] for p in order]

        return self._run(records())

    def run_records(self, records: list[dict]) -> IngestResult:
        """Import API records: dicts keyed by COLUMNS. Unknown keys are refused row by row."""
        columns, key = self.COLUMNS, self.COLUMNS[0]

        def rows() -> Iterator[tuple[int, list]]:
            for index, record in enumerate(records):
                if not isinstance(record, dict):
                    self._error(index, "", self.NOT_AN_OBJECT, "")
                    continue
                unknown = sorted(set(record) - set(columns))
                if unknown:
                    self._error(index, unknown[0], _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown)},
                                _text(record.get(key)))
                    continue
                yield index, [record.get(name) for name in columns]

        self.per_row_status = True
        self.result.statuses = [""] * len(records)
        return self._run(rows())

    # ---- header ---------------------------------------------------------------------------------

    def _read_header(self, rows: Iterator[tuple[int, list]]) -> tuple[int, list[tuple[str, int]]]:
        known, aliases = self._columns, self.HEADER_ALIASES
        for number, values in rows:
            if not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            seen: dict[str, int] = {}
            unknown = []
            for position, raw in enumerate(values):
                text = _text(raw)
                if not text:
                    continue
                key = _key(text)
                name = key if key in known else aliases.get(key)
                if name is None:
                    unknown.append(text)
                elif name in seen:
                    raise ValidationError(_("Row %(line)s: the column “%(column)s” appears twice.")
                                          % {"line": number, "column": name})
                else:
                    seen[name] = position
            missing = [name for name in self.REQUIRED if name not in seen]
            problems = []
            if unknown:
                problems.append(_("unknown column(s): %(columns)s") % {"columns": ", ".join(unknown)})
            if missing:
                problems.append(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
            if problems:
                raise ValidationError(self.NOT_A_LIST % {"line": number, "problems": "; ".join(problems),
                                                         "columns": ", ".join(self.COLUMNS)})
            return number, list(seen.items())
        raise ValidationError(_("The file is empty."))

    # ---- the pipeline ----------------------------------------------------------------------------

    def _error(self, line: int, column: str, message: str, key: str) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < MAX_ERRORS_KEPT:
            self.result.errors.append(self.ROW_ERROR(line, column, str(message), key))
        if self.per_row_status and 0 <= line < len(self.result.statuses):
            self.result.statuses[line] = "error"

    def _prepare(self) -> None:
        """Load what `_validate` looks up (inside the import's transaction)."""

    def _run(self, records: Iterable[tuple[int, list]]) -> IngestResult:
        result = self.result
        table = self.TABLE
        run = self.RUN_MODEL(source=self.source, filename=self.filename[:255], started_at=self.now, user=self.user)
        try:
            with transaction.atomic():
                if self.vendor == "postgresql":
                    with connection.cursor() as cursor:  # one import at a time: new rows are checked, then written
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.LOCK_ID])
                        # Dropped at commit; it may already exist when this import runs inside a
                        # longer transaction (a test, another import), hence IF NOT EXISTS.
                        cursor.execute(
                            f"CREATE TEMP TABLE IF NOT EXISTS {table}_incoming ON COMMIT DROP AS SELECT "
                            f"{', '.join(self.WRITE_COLUMNS)} FROM {table} WITH NO DATA"
                        )
                        cursor.execute(f"TRUNCATE {table}_incoming")
                self._prepare()
                self.seen: set[str] = set()
                self.delta = self.DELTA()
                batch: list[tuple] = []
                seen = self.seen
                longest = self.KEY_MAX_LENGTH
                for line, cells in records:
                    result.rows += 1
                    cells = [v.strip() if v.__class__ is str else ("" if v is None else v) for v in cells]
                    key = cells[0] if cells[0].__class__ is str else _text(cells[0])
                    cells[0] = key
                    if not key or len(key) > longest or key in seen:
                        self._refuse_key(line, key)
                        continue
                    seen.add(key)
                    # The row's fingerprint: its cells as written. A row whose fingerprint is the
                    # stored one is unchanged and is neither validated again nor rewritten.
                    text = "\x1f".join([v if v.__class__ is str else str(v) for v in cells])
                    digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)
                    batch.append((line, cells, digest))
                    if len(batch) >= BATCH:
                        self._write(batch)
                        batch = []
                        if self.progress:
                            self.progress(result.rows)
                if batch:
                    self._write(batch)
                if self.progress:
                    self.progress(result.rows)
                if self.dry_run or (result.error_count and not self.skip_errors):
                    raise _Rollback
                self.delta.flush()
                result.committed = True
                if result.created or result.updated or result.error_count:
                    # Recorded (import list + audit log, counts only) when it changed something or
                    # refused rows: routine pushes of unchanged rows leave no trace.
                    run.rows, run.created, run.updated = result.rows, result.created, result.updated
                    run.unchanged, run.errors = result.unchanged, result.error_count
                    run.finished_at = timezone.now()
                    run.save()
                    result.run = run
                    audit.record(run, audit.IMPORT, user=self.user, rows=result.rows, created=result.created,
                                 updated=result.updated, unchanged=result.unchanged, errors=result.error_count,
                                 source=self.filename or str(self.source))
        except _Rollback:
            pass
        return result

    def _refuse_key(self, line: int, key: str) -> None:
        longest = self.KEY_MAX_LENGTH
        if not key:
            message = self.KEY_EMPTY
        elif len(key) > longest:
            message = self.KEY_TOO_LONG
        else:
            message = self.KEY_TWICE % {"no": key}
        self._error(line, self.COLUMNS[0], message, key[:longest])

    def _validate(self, cells: list, digest: int) -> tuple:
        """The row to write (WRITE_COLUMNS order, without imported_at, ending with `digest` as row_hash)
        from trimmed cells whose key has been checked; `Refused` names the column and the reason."""
        raise NotImplementedError

    def _fact(self, record: tuple) -> tuple:
        """The rollup facts (`DELTA.add`'s layout) of a row as `_validate` returned it."""
        raise NotImplementedError

    def _old_facts_of(self, rows: list[tuple]) -> Iterable[tuple]:
        """The facts of stored rows as the database returned them (OLD_FACT_COLUMNS), in `_fact`'s layout."""
        return rows

    def _write(self, batch: list[tuple[int, list, int]]) -> None:
        result = self.result
        longest = self.KEY_MAX_LENGTH
        existing = self._existing([cells[0] for _line, cells, _digest in batch])
        new, changed = [], []
        for line, cells, digest in batch:
            found = existing.get(cells[0])
            if found == digest:
                result.unchanged += 1
                if self.per_row_status:
                    result.statuses[line] = "unchanged"
                continue
            try:
                record = self._validate(cells, digest)
            except _Refused as refused:
                self._error(line, refused.column, refused.message, cells[0][:longest])
                continue
            if found is None:
                new.append(record)
                status = "created"
            else:
                changed.append(record)
                status = "updated"
            if self.per_row_status:
                result.statuses[line] = status
        result.created += len(new)
        result.updated += len(changed)
        if self.dry_run:
            return
        delta = self.delta
        if changed:
            for fact in self._old_facts([record[0] for record in changed]):
                delta.add(fact, -1)
        fact_of = self._fact
        for records in (new, changed):
            for record in records:
                delta.add(fact_of(record), 1)
        if new or changed:
            if self.vendor == "postgresql":
                self._write_postgresql(new, changed)
            else:
                self._write_sqlite(new, changed)
        if len(delta) >= self.FLUSH_KEYS:
            delta.flush()

    def _old_facts(self, keys: list[str]) -> Iterable[tuple]:
        """The rollup facts of rows about to be updated, as they are now (`_fact`'s layout)."""
        table, key = self.TABLE, self.WRITE_COLUMNS[0]
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {self.OLD_FACT_COLUMNS} FROM {table} WHERE {key} = ANY(%s)", [keys])
                return self._old_facts_of(cursor.fetchall())
        return self._old_facts_of(connection.connection.execute(
            f"SELECT {self.OLD_FACT_COLUMNS} FROM {table} WHERE {key} IN ({','.join('?' * len(keys))})",
            keys).fetchall())

    def _existing(self, keys: list[str]) -> dict[str, int]:
        """key -> row_hash of the batch's rows already in the table."""
        table, key = self.TABLE, self.WRITE_COLUMNS[0]
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {key}, row_hash FROM {table} WHERE {key} = ANY(%s)", [keys])
                return dict(cursor.fetchall())
        # the driver's own connection: no debug wrapper around 5,000 parameters
        return dict(connection.connection.execute(
            f"SELECT {key}, row_hash FROM {table} WHERE {key} IN ({','.join('?' * len(keys))})",
            keys).fetchall())

    def _write_sqlite(self, new: list[tuple], changed: list[tuple]) -> None:
        now = str(self.now.astimezone(UTC).replace(tzinfo=None))
        dates = self._date_indexes

        def adapt(record: tuple) -> list:
            out = list(record)
            for index in dates:
                if out[index] is not None:
                    out[index] = out[index].isoformat()
            out.append(now)
            return out

        raw = connection.connection
        table, columns = self.TABLE, self.WRITE_COLUMNS
        if new:
            raw.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [adapt(r) for r in new])
        if changed:
            assignments = ", ".join(f"{c} = ?" for c in columns[1:])
            raw.executemany(f"UPDATE {table} SET {assignments} WHERE {columns[0]} = ?",
                            [adapt(r)[1:] + [r[0]] for r in changed])

    def _write_postgresql(self, new: list[tuple], changed: list[tuple]) -> None:
        table, key = self.TABLE, self.WRITE_COLUMNS[0]
        columns = ", ".join(self.WRITE_COLUMNS)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            if new:
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for record in new:
                        copy.write_row(record + (self.now,))
            if changed:
                with raw.copy(f"COPY {table}_incoming ({columns}) FROM STDIN") as copy:
                    for record in changed:
                        copy.write_row(record + (self.now,))
                assignments = ", ".join(f"{c} = i.{c}" for c in self.WRITE_COLUMNS[1:])
                raw.execute(f"UPDATE {table} r SET {assignments} FROM {table}_incoming i "
                            f"WHERE r.{key} = i.{key}")
                raw.execute(f"TRUNCATE {table}_incoming")


class RequestIngest(TableIngest):
    """One import of citizen requests (`kpi_request`, upsert by `request_no`)."""

    TABLE = "kpi_request"
    COLUMNS = COLUMNS
    REQUIRED = REQUIRED
    HEADER_ALIASES = HEADER_ALIASES
    # The table's columns in the order the writers use (derived fields included).
    WRITE_COLUMNS = (
        "request_no", "type", "channel_id", "category_id", "unit_id", "created_at", "deadline", "extended",
        "status", "first_answer_at", "closed_at", "due_at", "scheduled_until", "return_count", "satisfaction",
        "field_check", "created_on", "due_on", "on_time", "answer_seconds", "answer_bucket", "row_hash",
        "imported_at",
    )
    DATE_COLUMNS = ("scheduled_until", "created_on", "due_on")
    KEY_MAX_LENGTH = 40
    KEY_EMPTY = gettext_lazy("The request number is empty.")
    KEY_TOO_LONG = gettext_lazy("The request number is longer than 40 characters.")
    KEY_TWICE = gettext_lazy("The request number %(no)s appears more than once.")
    NOT_A_LIST = gettext_lazy(
        "Row %(line)s (the header) is not a request list: %(problems)s. The columns are: %(columns)s.")
    NOT_AN_OBJECT = gettext_lazy("Each request must be an object.")
    LOCK_ID = 74701
    RUN_MODEL = ImportRun
    RESULT_CLASS = ImportResult
    ROW_ERROR = RowError
    DELTA = rollups.RollupDelta
    FLUSH_KEYS = rollups.FLUSH_KEYS
    OLD_FACT_COLUMNS = ("created_on, unit_id, channel_id, type, category_id, status, answer_bucket, on_time, "
                        "answer_seconds, return_count, satisfaction, field_check, due_on, scheduled_until, "
                        "closed_at IS NOT NULL")

    def __init__(self, *, create_units: bool = False, **options):
        super().__init__(**options)
        self.create_units = create_units

    def _prepare(self) -> None:
        from qms.models import Unit

        self.units = dict(Unit.objects.values_list("code", "id"))
        self.channels = dict(Channel.objects.values_list("name", "id"))
        self.categories = dict(Category.objects.values_list("name", "id"))

    def _fact(self, r: tuple) -> tuple:
        return (r[16], r[4], r[2], r[1], r[3], r[8], r[20], r[18], r[19], r[13], r[14], r[15], r[17], r[12],
                r[10] is not None)

    def _validate(self, cells: list, digest: int) -> tuple:
        """The row to write (WRITE_COLUMNS order, without imported_at), from trimmed cells whose
        request number has been checked; _Refused names the column and the reason."""
        request_no = cells[0]
        for index in _REQUIRED_INDEXES:
            if cells[index] == "":
                name = COLUMNS[index]
                raise _Refused(name, _("The %(column)s is empty.") % {"column": COLUMN_LABELS[name]})
        kind = TYPE_VALUES.get(cells[1]) or _choice(cells[1], TYPE_VALUES, "type",
                                                    "request, complaint, suggestion, information, thanks")
        channel_name = _text(cells[2])[:100]
        category_name = _text(cells[3])[:150]
        unit_code = _text(cells[4])
        unit_id = self.units.get(unit_code)
        if unit_id is None:
            unit_id = self._unknown_unit(unit_code)
        created_at = _parse_datetime(cells[5], "created_at")
        deadline = DEADLINES.get(_text(cells[6]))
        if deadline is None:
            raise _Refused("deadline", _("“%(value)s” is not a deadline class (3, 7, 30, 4982 or 3071).")
                           % {"value": _text(cells[6])[:40]})
        status = STATUS_VALUES.get(cells[7]) or _choice(cells[7], STATUS_VALUES, "status",
                                                        "open, answered, returned, scheduled, closed, not_processed")
        first_answer_at = _parse_datetime(cells[8], "first_answer_at")
        closed_at = _parse_datetime(cells[9], "closed_at")
        due_at = _parse_datetime(cells[10], "due_at")
        scheduled_until = _parse_date(cells[11], "scheduled_until") if cells[11] != "" else None
        return_count = 0 if cells[12] in ("", "0") else _small_int(cells[12], "return_count", 0, 32767,
                                                                     optional=False)
        satisfaction = None if cells[13] == "" else _small_int(cells[13], "satisfaction", 1, 5, optional=True)
        field_check = None if cells[14] == "" else _choice(cells[14], FIELD_CHECK_VALUES, "field_check", "ok, not_ok")
        extended = False if cells[15] == "" else _choice(cells[15], BOOL_VALUES, "extended",
                                                           "1/0, evet/hayır, true/false")
        utc_created = _utc(created_at)
        utc_answer = _utc(first_answer_at)
        utc_closed = _utc(closed_at)
        if first_answer_at is not None and utc_answer < utc_created:
            raise _Refused("first_answer_at", _("The first answer is dated before the request was created."))
        if closed_at is not None and utc_closed < utc_created:
            raise _Refused("closed_at", _("The closure is dated before the request was created."))
        if status == Status.SCHEDULED and scheduled_until is None:
            raise _Refused("scheduled_until", _("A scheduled request needs its target date (scheduled_until)."))
        if extended and deadline != Deadline.LAW_4982:
            raise _Refused("extended", _("Only an information request under law 4982 can be extended."))
        channel_id = self.channels.get(channel_name)
        if channel_id is None:
            channel_id = self.channels[channel_name] = Channel.objects.create(name=channel_name).pk
            self.result.new_channels.append(channel_name)
        category_id = self.categories.get(category_name)
        if category_id is None:
            category_id = self.categories[category_name] = Category.objects.create(name=category_name).pk
            self.result.new_categories.append(category_name)

        created_on = created_at.date()
        utc_due = _utc(due_at)
        on_time = answer_seconds = None
        if status == Status.NOT_PROCESSED:
            due_on = None
        else:
            due_on = due_at.date() if due_at is not None else deadlines.due_date(created_on, deadline, extended)
            if first_answer_at is not None:
                on_time = utc_answer <= utc_due if due_at is not None else first_answer_at.date() <= due_on
        answer_bucket = None
        if first_answer_at is not None:
            answer_seconds = int((utc_answer - utc_created).total_seconds())
            if status != Status.NOT_PROCESSED:
                answer_bucket = bisect_right(EDGE_SECONDS, answer_seconds) - 1
        store = self.store_datetime
        return (request_no, int(kind), channel_id, category_id, unit_id, store(utc_created), deadline, extended,
                  int(status), store(utc_answer), store(utc_closed), store(utc_due), scheduled_until, return_count,
                  satisfaction, None if field_check is None else int(field_check), created_on, due_on, on_time,
                  answer_seconds, answer_bucket, digest)

    def _unknown_unit(self, code: str) -> int:
        from qms.models import Unit

        if not self.create_units:
            raise _Refused("unit_code", _("There is no unit with the code “%(code)s” (add it, import a units file, "
                                          "or let the import create units).") % {"code": code[:40]})
        if len(code) > 20:
            raise _Refused("unit_code", _("A unit code is at most 20 characters."))
        unit = Unit.objects.create(code=code, name=code, answers_requests=True)
        self.units[code] = unit.pk
        self.result.new_units.append(code)
        return unit.pk


def import_file(fileobj, filename: str, **options) -> ImportResult:
    """Import a CSV/XLSX file of requests (see `RequestIngest` for the options)."""
    max_bytes = options.pop("max_bytes", None)
    return RequestIngest(filename=filename, **options).run_file(fileobj, filename, max_bytes=max_bytes)


def import_records(records: list[dict], **options) -> ImportResult:
    """Import API records (dicts keyed by COLUMNS)."""
    return RequestIngest(source=ImportRun.Source.API, **options).run_records(records)
