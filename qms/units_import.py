"""Importing the unit tree from a CSV or XLSX file (the case system's list of responsible units).

The file has a header row and one unit per row:

    code;name;parent_code                      kod;ad;üst birim kodu
    FEN;Fen İşleri Dairesi Başkanlığı;         FEN-YOL;Yol Bakım Şube Müdürlüğü;FEN

`answers_requests` (talepleri cevaplar: 1/0, evet/hayır) is optional: a new unit answers citizen
requests unless the file says otherwise, an existing unit keeps its setting unless the file has
the column. Units are matched by code: a known code is updated (name, parent), a new one created;
units that the file does not name are left alone (units are deactivated by hand, never deleted).

A parent may come later in the file than its children, or already be in the portal. Every bad row
is reported as "row N, column C: reason" (N as the spreadsheet numbers it, the header being row 1)
and a file with any bad row changes nothing. Each created or changed unit gets an entry in the
audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms.audit import IMPORT, record
from qms.models import Unit
from qms.tables import table_rows
from qms.text import fold

MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 20
CODE_MAX = Unit._meta.get_field("code").max_length
NAME_MAX = Unit._meta.get_field("name").max_length

# Column -> header spellings, compared folded (lower case, Turkish letters in ASCII, "_" for spaces).
COLUMNS = {
    "code": ("code", "unit_code", "kod", "birim_kodu", "birim_kod"),
    "name": ("name", "unit_name", "ad", "adi", "birim_adi", "birim"),
    "parent_code": ("parent_code", "parent", "ust_birim_kodu", "ust_birim", "ust_kod", "ust_birim_kod",
                    "bagli_oldugu_birim_kodu"),
    "answers_requests": ("answers_requests", "talepleri_cevaplar", "talep_cevaplar", "basvuru_cevaplar"),
}
REQUIRED = ("code", "name")
BOOLEANS = {"1": True, "true": True, "yes": True, "evet": True, "e": True, "x": True,
            "0": False, "false": False, "no": False, "hayir": False, "h": False}

_HEADERS = {spelling: column for column, spellings in COLUMNS.items() for spelling in spellings}


def header_key(text) -> str:
    return "_".join(fold(str(text or "").strip()).replace("-", " ").replace(".", " ").split())


def _cell(values: list, position: int | None) -> str:
    if position is None or position >= len(values) or values[position] is None:
        return ""
    value = values[position]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass(frozen=True)
class UnitRowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("row %(line)s, column %(column)s: %(message)s") % {
                "line": self.line, "column": self.column, "message": self.message}
        return _("row %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class UnitImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[UnitRowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False


@dataclass
class _Row:
    line: int
    code: str
    name: str
    parent_code: str
    answers_requests: bool | None


class _Rollback(Exception):
    pass


def _read_header(rows) -> dict[str, int]:
    for number, values in rows:
        if all(_cell(values, i) == "" for i in range(len(values))):
            continue
        positions: dict[str, int] = {}
        unknown = []
        for position in range(len(values)):
            text = _cell(values, position)
            if not text:
                continue
            column = _HEADERS.get(header_key(text))
            if column is None:
                unknown.append(text)
            elif column in positions:
                raise ValidationError(_("Row %(line)s: the column “%(column)s” appears twice.")
                                      % {"line": number, "column": column})
            else:
                positions[column] = position
        missing = [name for name in REQUIRED if name not in positions]
        problems = []
        if unknown:
            problems.append(_("unknown column(s): %(columns)s") % {"columns": ", ".join(unknown)})
        if missing:
            problems.append(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
        if problems:
            raise ValidationError(
                _("Row %(line)s (the header) is not a unit list: %(problems)s. The columns are: %(columns)s.")
                % {"line": number, "problems": "; ".join(problems), "columns": ", ".join(COLUMNS)})
        return positions
    raise ValidationError(_("The file is empty."))


def read_units(data: bytes, filename: str) -> tuple[list[_Row], list[UnitRowError]]:
    """The file's rows checked one by one (no database access); file-level problems raise ValidationError."""
    rows = table_rows(data, filename, max_bytes=MAX_BYTES, max_columns=MAX_COLUMNS)
    positions = _read_header(rows)
    parsed: list[_Row] = []
    errors: list[UnitRowError] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        if all(_cell(values, i) == "" for i in range(len(values))):
            continue
        code = _cell(values, positions["code"])
        name = _cell(values, positions["name"])
        parent_code = _cell(values, positions.get("parent_code"))
        flag = _cell(values, positions.get("answers_requests"))

        def refuse(column: str, message: str) -> None:
            errors.append(UnitRowError(number, column, message))  # noqa: B023 (used at once)

        if not code:
            refuse("code", _("The unit code is empty."))
            continue
        if len(code) > CODE_MAX:
            refuse("code", _("A unit code is at most %(max)s characters.") % {"max": CODE_MAX})
            continue
        if code in seen:
            refuse("code", _("The code %(code)s is also on row %(line)s.") % {"code": code, "line": seen[code]})
            continue
        seen[code] = number
        if not name:
            refuse("name", _("The unit name is empty."))
            continue
        if len(name) > NAME_MAX:
            refuse("name", _("A unit name is at most %(max)s characters.") % {"max": NAME_MAX})
            continue
        if parent_code == code:
            refuse("parent_code", _("A unit cannot be its own parent."))
            continue
        answers = None
        if flag:
            answers = BOOLEANS.get(header_key(flag))
            if answers is None:
                refuse("answers_requests", _("“%(value)s” is not one of: 1/0, evet/hayır, true/false.")
                       % {"value": flag[:40]})
                continue
        parsed.append(_Row(number, code, name, parent_code, answers))
    return parsed, errors


def import_units(data: bytes, filename: str, *, user=None, dry_run: bool = False) -> UnitImportResult:
    """Create or update the units of a file, all or nothing (see the module's docstring)."""
    rows, errors = read_units(data, filename)
    result = UnitImportResult(rows=len(rows) + len(errors), errors=errors, dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply(rows, result, user=user, filename=filename)
            if result.errors or dry_run:
                raise _Rollback
            result.committed = True
    except _Rollback:
        pass
    result.errors.sort(key=lambda e: (e.line, e.column))
    return result


def _apply(rows: list[_Row], result: UnitImportResult, *, user, filename: str) -> None:
    """Save the rows parents first: a row waits while its parent is a row of the file not saved yet."""
    in_file = {row.code: row for row in rows}
    wanted = set(in_file) | {row.parent_code for row in rows if row.parent_code}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=wanted)}
    refused_codes: set[str] = set()
    pending = rows
    while pending:
        pending_codes = {row.code for row in pending}
        waiting = [row for row in pending if row.parent_code in pending_codes]
        for row in pending:
            if row.parent_code not in pending_codes:
                _save(row, units, result, user=user, filename=filename, refused_codes=refused_codes)
        if len(waiting) == len(pending):  # nothing could be saved: the rest wait for each other
            for row in waiting:
                result.errors.append(UnitRowError(row.line, "parent_code", _loop_message(row, in_file)))
            break
        pending = waiting


def _loop_message(row: _Row, in_file: dict[str, _Row]) -> str:
    codes = [row.code]
    current = in_file.get(row.parent_code)
    while current is not None and current.code not in codes:
        codes.append(current.code)
        current = in_file.get(current.parent_code)
    if current is not None and current.code == row.code:
        return _("The parent units of %(code)s lead back to it (%(chain)s).") % {
            "code": row.code, "chain": " → ".join(codes + [row.code])}
    return _("The parent unit %(code)s is in a loop of parent units.") % {"code": row.parent_code}


def _save(row: _Row, units: dict[str, Unit], result: UnitImportResult, *, user, filename: str,
          refused_codes: set[str]) -> None:
    parent = None
    if row.parent_code:
        if row.parent_code in refused_codes:
            result.errors.append(UnitRowError(row.line, "parent_code", _(
                "The parent unit %(code)s could not be imported (see its row).") % {"code": row.parent_code}))
            refused_codes.add(row.code)
            return
        parent = units.get(row.parent_code)
        if parent is None:
            result.errors.append(UnitRowError(row.line, "parent_code", _(
                "There is no unit with the code “%(code)s” in the file or in the portal.") % {"code": row.parent_code}))
            refused_codes.add(row.code)
            return
    unit = units.get(row.code)
    if unit is None:
        unit = Unit(code=row.code, name=row.name, parent=parent,
                    answers_requests=True if row.answers_requests is None else row.answers_requests)
        action = "created"
    else:
        same = (unit.name == row.name and unit.parent_id == (parent.pk if parent else None)
                and (row.answers_requests is None or unit.answers_requests == row.answers_requests))
        if same:
            result.unchanged += 1
            return
        unit.name = row.name
        unit.parent = parent
        if row.answers_requests is not None:
            unit.answers_requests = row.answers_requests
        action = "updated"
    try:
        unit.save()
    except ValidationError as error:
        result.errors.append(UnitRowError(row.line, "parent_code", " ".join(error.messages)))
        refused_codes.add(row.code)
        return
    units[row.code] = unit
    setattr(result, action, getattr(result, action) + 1)
    record(unit, IMPORT, user=user, rows=1, source=filename, line=row.line, change=action)
