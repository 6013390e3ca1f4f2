"""Importing an existing register (Doküman Ana Listesi) to migrate a department into the portal.

Three steps, all or nothing:

1. `read_register(data, filename)` reads an XLSX or CSV file (UTF-8, UTF-8 with BOM or
   Windows-1254; comma, semicolon or tab separated) into a dataset with the register's columns
   (`documents.resources.COLUMNS`), remembering each row's line in the spreadsheet.
2. `preview_register(parsed, user=...)` checks every row with `DocumentRegisterResource` (a dry run
   that saves nothing) and gives each row's outcome: new, or the errors as "row N, column C: reason".
3. `register_import(rows=..., user=...)` creates the documents, in one transaction, only if every row
   is valid; it checks again itself, so nothing is imported from a file with an invalid row.

An imported document is in force at once: revision N (the number the old register gave it, marked
`imported`) approved outside the portal. This is the one path besides the approval workflow that
makes a document live, which is why it does not call `Document.publish` (which refuses anything but
an approved workflow) but sets the live state itself.

Between the preview and the confirmation the uploaded file is kept under
QMS_PRIVATE_MEDIA_ROOT/imports with a random name (`store_upload`); the person's session holds the
name, so the confirmation re-reads the same file and trusts nothing else from the browser.
"""

from __future__ import annotations

import re
import secrets
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents.models import Document, DocumentRevision, DocumentType, today
from documents.queries import fold
from documents.resources import COLUMNS, HEADERS, IMPORT_HEADERS, REQUIRED, DocumentRegisterResource, header_key
from qms.audit import record
from qms.tables import EXTENSIONS, table_rows

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
APPROVAL_TIME_ZONE = ZoneInfo("Europe/Istanbul")

_HEADER_NAMES = {header_key(header): name for name, header in COLUMNS}
_HEADER_NAMES[header_key("Saklama süresi")] = "retention_years"


# --- 1. reading the file -----------------------------------------------------------------------


@dataclass
class ParsedRegister:
    dataset: tablib.Dataset  # headers: documents.resources.IMPORT_HEADERS
    line_numbers: list[int]  # the spreadsheet row of each dataset row (the header is row 1 or so)
    ignored_columns: list[str] = field(default_factory=list)


def read_register(data: bytes, filename: str) -> ParsedRegister:
    """The rows of an XLSX or CSV register; ValidationError says what is wrong with the file."""
    rows = table_rows(data, filename, max_bytes=MAX_UPLOAD_BYTES, max_columns=MAX_COLUMNS)
    return _to_dataset(rows)


def _blank(values) -> bool:
    return all(value is None or str(value).strip() == "" for value in values)


def _to_dataset(rows) -> ParsedRegister:
    header_line = None
    positions: dict[str, int] = {}
    ignored: list[str] = []
    dataset = tablib.Dataset(headers=IMPORT_HEADERS)
    line_numbers: list[int] = []
    for number, values in rows:
        if header_line is None:
            if _blank(values):
                continue
            header_line = number
            for index, value in enumerate(values):
                text = str(value or "").strip()
                name = _HEADER_NAMES.get(header_key(text))
                if name is None:
                    if text:
                        ignored.append(text)
                    continue
                if name in positions:
                    raise ValidationError(_("The column “%(column)s” appears twice.") % {"column": HEADERS[name]})
                positions[name] = index
            missing = [HEADERS[name] for name in REQUIRED if name not in positions]
            if missing:
                raise ValidationError(
                    _("The file lacks the columns %(missing)s. Its first row must hold the column names: %(columns)s.")
                    % {"missing": ", ".join(missing), "columns": ", ".join(IMPORT_HEADERS)}
                )
            continue
        if _blank(values):
            continue
        if len(line_numbers) >= MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows; split the register into smaller files.") % {"max": MAX_ROWS}
            )
        dataset.append([
            values[positions[name]] if name in positions and positions[name] < len(values) else ""
            for name, _header in COLUMNS
        ])
        line_numbers.append(number)
    if header_line is None:
        raise ValidationError(_("The file is empty."))
    if not line_numbers:
        raise ValidationError(_("The file has column names but no rows to import."))
    return ParsedRegister(dataset=dataset, line_numbers=line_numbers, ignored_columns=ignored)


# --- 2. checking every row ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """One checked row: what `register_import` creates a document from."""

    line: int
    code: str  # empty: the code is given from the type's pattern
    title: str
    doc_type: DocumentType
    unit: object  # qms.models.Unit
    revision: int
    effective_date: date
    next_review_date: date | None  # empty: effective date + the type's review interval
    retention_years: int | None  # empty: the type's default
    confidentiality: str
    change_summary: str


@dataclass
class RowOutcome:
    line: int
    cells: dict  # the row as read, by resource field name (for the preview table)
    row: RegisterRow | None
    messages: list[str]

    @property
    def ok(self) -> bool:
        return self.row is not None and not self.messages


@dataclass
class RegisterPreview:
    outcomes: list[RowOutcome]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(outcome.ok for outcome in self.outcomes)

    @property
    def rows(self) -> list[RegisterRow]:
        return [outcome.row for outcome in self.outcomes if outcome.row is not None]

    @property
    def new_count(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.ok)

    @property
    def error_count(self) -> int:
        return sum(1 for outcome in self.outcomes if not outcome.ok)


def _row_message(line: int, column: str, reason: str) -> str:
    if column:
        return _("Row %(row)s, column “%(column)s”: %(reason)s") % {"row": line, "column": column, "reason": reason}
    return _("Row %(row)s: %(reason)s") % {"row": line, "reason": reason}


def _display(value) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def preview_register(parsed: ParsedRegister, *, user) -> RegisterPreview:
    """Every row's outcome (nothing is saved)."""
    resource = DocumentRegisterResource(user=user, line_numbers=parsed.line_numbers)
    result = resource.import_data(
        parsed.dataset, dry_run=True, raise_errors=False, use_transactions=True, retain_instance_in_row_result=True
    )
    order = [resource.fields[name].attribute for name, _header in COLUMNS]
    outcomes = []
    file_messages = [str(error.error) for error in result.base_errors]
    for index, (row_result, values) in enumerate(zip(result.rows, parsed.dataset, strict=True)):
        line = parsed.line_numbers[index]
        cells = {name: _display(value) for (name, _header), value in zip(COLUMNS, values, strict=True)}
        messages = []
        if row_result.validation_error is not None:
            error_dict = row_result.validation_error.message_dict
            for attribute in sorted(error_dict, key=lambda a: order.index(a) if a in order else -1):
                for reason in error_dict[attribute]:
                    messages.append(_row_message(line, resource.column_of(attribute), reason))
        for error in row_result.errors:
            messages.append(_row_message(line, "", _("the row could not be read (%(error)s)") % {"error": error.error}))
        messages.extend(_row_message(line, "", message) for message in file_messages)
        row = None
        if not messages and row_result.instance is not None:
            row = _register_row(line, row_result.instance)
        outcomes.append(RowOutcome(line=line, cells=cells, row=row, messages=messages))
    return RegisterPreview(outcomes=outcomes, ignored_columns=parsed.ignored_columns)


def _register_row(line: int, instance: Document) -> RegisterRow:
    return RegisterRow(
        line=line,
        code=instance.code or "",
        title=instance.title,
        doc_type=instance.doc_type,
        unit=instance.unit,
        revision=instance.register_revision,
        effective_date=instance.register_effective_date,
        next_review_date=instance.next_review_date,
        retention_years=instance.retention_years,
        confidentiality=instance.confidentiality,
        change_summary=(getattr(instance, "register_change_summary", "") or "").strip(),
    )


# --- 3. importing ------------------------------------------------------------------------------


def _check_rows(rows: list[RegisterRow], user) -> list[str]:
    """The rules again, on the rows as given (the preview may be stale, or the caller a script)."""
    from qms.roles import unit_scope

    problems = []
    codes = [row.code for row in rows if row.code]
    taken = set(Document.objects.filter(code__in=codes).values_list("code", flat=True))
    seen: dict[str, int] = {}
    scope = unit_scope(user)
    scope_ids = None if scope is None else set(scope.values_list("pk", flat=True))
    code_column, unit_column = HEADERS["code"], HEADERS["unit"]
    for row in rows:
        if row.code in taken:
            problems.append(_row_message(row.line, code_column, _(
                "the register already has a document with the code %(code)s") % {"code": row.code}))
        elif row.code and row.code in seen:
            problems.append(_row_message(row.line, code_column, _(
                "the code %(code)s is on more than one row (rows %(rows)s)")
                % {"code": row.code, "rows": f"{seen[row.code]}, {row.line}"}))
        seen.setdefault(row.code, row.line)
        if scope_ids is not None and row.unit.pk not in scope_ids:
            problems.append(_row_message(row.line, unit_column, _(
                "you may not import documents of the unit %(code)s") % {"code": row.unit.code}))
        if row.effective_date > today():
            problems.append(_row_message(row.line, HEADERS["effective_date"], _(
                "the date is in the future; only documents already in force can be imported")))
        if row.next_review_date and row.next_review_date < row.effective_date:
            problems.append(_row_message(row.line, HEADERS["next_review_date"], _(
                "the next review is before the effective date")))
    return problems


@transaction.atomic
def register_import(*, rows, user, source: str = "") -> list[Document]:
    """Create a document in force for every row, or none at all (ValidationError lists the problems).

    Each document gets its code from the row (or from the type's pattern when the row has none;
    those are given after every coded row is in, so a generated code cannot take one the file
    names), a Wagtail revision that is its live revision, and an imported `DocumentRevision` with
    the row's number, dates and change summary, approved at noon (Istanbul) on its effective date.
    One audit-log entry per document records who imported it from which file.
    """
    if not user.has_perm("documents.import_document"):
        raise PermissionDenied(_("You may not import the document register."))
    rows = list(rows)
    if not rows:
        raise ValidationError(_("There is nothing to import."))
    problems = _check_rows(rows, user)
    if problems:
        raise ValidationError(problems)
    created = {}
    for row in sorted(rows, key=lambda r: (not r.code, r.line)):
        created[row.line] = _create_document(row, user=user, source=source)
    return [created[row.line] for row in rows]


def _create_document(row: RegisterRow, *, user, source: str) -> Document:
    from documents.services import add_months

    summary = row.change_summary
    if not summary:
        with translation.override(settings.LANGUAGE_CODE):
            summary = _("Taken over from the previous register")
    next_review = row.next_review_date or add_months(row.effective_date, row.doc_type.review_interval_months)
    # Noon in Istanbul on the effective date (not later than now, for a document effective today).
    approved_at = min(datetime.combine(row.effective_date, time(12, 0), tzinfo=APPROVAL_TIME_ZONE), timezone.now())
    document = Document(
        code=row.code,
        title=row.title,
        doc_type=row.doc_type,
        unit=row.unit,
        confidentiality=row.confidentiality,
        retention_years=row.retention_years,
        body=[],
        change_summary=summary,
        next_review_date=next_review,
        live=True,
        has_unpublished_changes=False,
        first_published_at=approved_at,
        created_by=user,
    )
    document.save()
    # changed=False: the revision is what is live, not a draft waiting on it.
    revision = document.save_revision(user=user, clean=False, changed=False)
    document.live_revision = revision
    # Nothing saved since counts as a draft of the next revision (queries.revision_authors), so the
    # person importing is not taken for the author of the next one.
    document.last_published_at = revision.created_at
    document.save(update_fields=["live_revision", "last_published_at"])
    DocumentRevision.objects.create(
        document=document,
        number=row.revision,
        wagtail_revision=revision,
        title=row.title,
        body=[],
        search_text=fold(f"{document.code} {row.title}"),
        change_summary=summary,
        approved_at=approved_at,
        effective_date=row.effective_date,
        next_review_date=next_review,
        imported=True,
    )
    record(document, "qms.import", user=user, rows=1, source=source, line=row.line)
    return document


# --- keeping the upload between the preview and the confirmation -------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
SESSION_KEY = "documents_register_imports"
KEEP_SECONDS = 24 * 60 * 60


def _upload_dir() -> Path:
    return Path(settings.QMS_PRIVATE_MEDIA_ROOT) / "imports"


def _upload_path(token: str, extension: str) -> Path:
    if not _TOKEN.match(token or "") or extension not in EXTENSIONS:
        raise ValueError("bad upload token")
    return _upload_dir() / f"{token}.{extension}"


def store_upload(data: bytes, extension: str) -> str:
    """Keep an uploaded file under a random name; returns the name (token). Old ones are removed."""
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    limit = clock.time() - KEEP_SECONDS
    for old in folder.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_hex(16)
    _upload_path(token, extension).write_bytes(data)
    return token


def load_upload(token: str, extension: str) -> bytes | None:
    try:
        return _upload_path(token, extension).read_bytes()
    except (OSError, ValueError):
        return None


def discard_upload(token: str, extension: str) -> None:
    try:
        _upload_path(token, extension).unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
