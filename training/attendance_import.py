"""Importing a session's attendance from a CSV or XLSX file (a sign-in sheet typed up, a list
exported from another system).

The file names each person by registry number (sicil no) or user name and gives their status:

    sicil_no;durum              registry_no,status          kullanici_adi;durum
    10234;katıldı               10234,present               ahmet.yilmaz;mazeretli

Columns are recognised by their header in English or Turkish (see `COLUMNS`); CSV files may be
UTF-8 (with or without a byte-order mark, as Excel writes them) or Windows-1254 (Turkish
Windows), separated by commas or semicolons. Every bad row is reported as "row N, column C:
reason" (N as the spreadsheet numbers it, the header being row 1); a file with any bad row
imports nothing. A good file goes through `training.services.attendance_record`, the same
rules as the attendance screen: only people on the session's list are recorded (a person who
came uninvited is added as a walk-in on the attendance screen first).

`resolve_entries` is the one reading of "rows naming people and their attendance" into the
arguments of `attendance_record`: this file's rows and the API's JSON rows
(`training.api.record_attendance`) both go through it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from qms.tables import table_rows
from qms.text import fold as turkish_fold
from training import services
from training.models import AttendanceStatus, Session

MAX_MB = 5
MAX_ROWS = 5000
ACCEPT = ".csv,.xlsx"

# Column key -> header spellings, compared after `fold()` (lower case, Turkish letters to ASCII,
# spaces and dashes to underscores).
COLUMNS = {
    "registry_no": ("registry_no", "registry_number", "sicil_no", "sicil", "sicil_numarasi", "personel_no"),
    "username": ("username", "user_name", "kullanici_adi", "kullanici"),
    "status": ("status", "attendance", "durum", "katilim", "katilim_durumu", "yoklama"),
    "pre_test": ("pre_test", "pre_test_score", "on_test", "on_test_puani"),
    "post_test": ("post_test", "post_test_score", "son_test", "son_test_puani"),
}

# Status words, folded the same way.
STATUSES = {
    "present": AttendanceStatus.PRESENT, "katildi": AttendanceStatus.PRESENT, "var": AttendanceStatus.PRESENT,
    "geldi": AttendanceStatus.PRESENT,
    "absent": AttendanceStatus.ABSENT, "katilmadi": AttendanceStatus.ABSENT, "yok": AttendanceStatus.ABSENT,
    "gelmedi": AttendanceStatus.ABSENT,
    "excused": AttendanceStatus.EXCUSED, "mazeretli": AttendanceStatus.EXCUSED, "izinli": AttendanceStatus.EXCUSED,
}

def fold(text) -> str:
    """A header or status word in a comparable form: "Sicil No" -> "sicil_no", "Katıldı" -> "katildi"."""
    text = turkish_fold(str(text or "").strip())
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(ValidationError):
    """The file cannot be read at all (type, encoding, header): one message, nothing imported."""


def _cell_text(value) -> str:
    """A cell as text: a registry number typed into Excel comes back as 10234.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(upload) -> list[list[str]]:
    """The file's rows as text, read by `qms.tables` (the one reader of uploaded CSV and XLSX files)."""
    name = getattr(upload, "name", "") or ""
    if upload.size > MAX_MB * 1024 * 1024:
        raise ImportRefused(_("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": MAX_MB})
    upload.seek(0)
    data = upload.read()
    return [[_cell_text(value) for value in values]
            for _number, values in table_rows(data, name, max_bytes=MAX_MB * 1024 * 1024)]


def _header_map(header: list[str]) -> dict[str, int]:
    spellings = {spelling: key for key, names in COLUMNS.items() for spelling in names}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = spellings.get(fold(title))
        if key and key not in found:
            found[key] = index
    if "status" not in found or not ({"registry_no", "username"} & found.keys()):
        raise ImportRefused(_(
            "The first row must name the columns: registry_no (sicil_no) or username (kullanici_adi), "
            "and status (durum)."))
    return found


@dataclass
class Entry:
    """One row naming a person and their attendance, for `resolve_entries`.

    `columns` maps the keys the row offers (registry_no, username, status, pre_test, post_test,
    walk_in) to the name its problems cite: the file's header, the API's field. A score whose key
    is absent keeps the recorded score; present, its value is recorded (None clears it). A row
    that has no "walk_in" key cannot add a walk-in.
    """

    row: int
    columns: dict[str, str]
    registry_no: str = ""
    username: str = ""
    status: str | None = None  # an `AttendanceStatus` value; anything else is refused
    status_text: str = ""  # the status as written, quoted when it is refused
    pre: int | str | None = None  # a score, or the text written when it is not a number
    post: int | str | None = None
    walk_in: bool = False


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None  # the name to cite, from `Entry.columns`
    message: str


def resolve_entries(session: Session, entries: Iterable[Entry], *, status_choices: str
                    ) -> tuple[dict[int, str], list[int], dict[int, tuple], list[Problem]]:
    """(marks, walk-ins, scores, problems) for `services.attendance_record`: people looked up
    (active users by username, exact or case-folded; active staff by registry number) in one
    query whatever the number of rows, the status and the scores (0..100) checked, a person named
    twice or not on the list (unless the row asks for a walk-in) refused. Problems come in row
    order; a row with any problem adds nothing. `status_choices` tells what status to write."""
    entries = list(entries)
    numbers = {e.registry_no for e in entries if e.registry_no}
    names = {e.username for e in entries if e.username}
    by_number, by_name, by_folded = {}, {}, {}
    if numbers or names:
        people = (get_user_model()._default_manager.filter(is_active=True)
                  .filter(Q(staff_profile__registry_no__in=numbers)
                          | Q(username__in=names | {n.casefold() for n in names}))
                  .select_related("staff_profile"))
        for person in people:
            profile = getattr(person, "staff_profile", None)
            if profile is not None and profile.registry_no in numbers:
                by_number[profile.registry_no] = person
            by_name[person.get_username()] = person
            by_folded.setdefault(person.get_username().casefold(), person)
    # person id -> (pre-test, post-test) as recorded: a row without one score keeps it.
    on_list = {pid: (pre, post) for pid, pre, post
               in session.attendances.values_list("person_id", "pre_test_score", "post_test_score")}
    valid = set(AttendanceStatus.values)
    marks, walk_ins, scores, problems, seen = {}, [], {}, [], {}
    for entry in entries:
        found: list[tuple[str, str]] = []  # (key, message)
        person = None
        if not entry.registry_no and not entry.username:
            key = "registry_no" if "registry_no" in entry.columns else "username"
            if "registry_no" in entry.columns and "username" in entry.columns:
                message = _("Name the person with “%(first)s” or “%(second)s”.") % {
                    "first": entry.columns["registry_no"], "second": entry.columns["username"]}
            else:
                message = _("Name the person with “%(column)s”.") % {"column": entry.columns.get(key, key)}
            found.append((key, message))
        else:
            numbered = by_number.get(entry.registry_no) if entry.registry_no else None
            named = (by_name.get(entry.username) or by_folded.get(entry.username.casefold())
                     if entry.username else None)
            if entry.registry_no and numbered is None:
                found.append(("registry_no", _("No active member of staff has the registry number “%(value)s”.")
                              % {"value": entry.registry_no}))
            if entry.username and named is None:
                found.append(("username", _("No active user has the username “%(value)s”.")
                              % {"value": entry.username}))
            if numbered and named and numbered.pk != named.pk:
                found.append(("registry_no", _("The username and the registry number name two different people.")))
            person = None if found else numbered or named
        if entry.status not in valid:
            found.append(("status", _("“%(value)s” is not an attendance status; use %(choices)s.")
                          % {"value": entry.status_text or entry.status or "", "choices": status_choices}))
        for key, value in (("pre_test", entry.pre), ("post_test", entry.post)):
            if value is not None and not (isinstance(value, int) and 0 <= value <= 100):
                found.append((key, _("“%(value)s” is not a score from 0 to 100.") % {"value": value}))
        if person is not None:
            key = "registry_no" if entry.registry_no else "username"
            name = person.get_full_name() or person.get_username()
            if person.pk in seen:
                found.append((key, _("%(name)s is already on row %(row)s.") % {"name": name, "row": seen[person.pk]}))
            elif person.pk not in on_list and not entry.walk_in:
                if "walk_in" in entry.columns:
                    message = _("%(name)s is not on this session's list; send “walk_in”: true to add them as a "
                                "walk-in.")
                else:
                    message = _("%(name)s is not on this session's list; add them as a walk-in on the attendance "
                                "screen first.")
                found.append((key, message % {"name": name}))
            seen.setdefault(person.pk, entry.row)
        if found:
            problems += [Problem(entry.row, entry.columns.get(key), message) for key, message in found]
            continue
        marks[person.pk] = entry.status
        if person.pk not in on_list:
            walk_ins.append(person.pk)
        if "pre_test" in entry.columns or "post_test" in entry.columns:
            old_pre, old_post = on_list.get(person.pk, (None, None))
            scores[person.pk] = (entry.pre if "pre_test" in entry.columns else old_pre,
                                 entry.post if "post_test" in entry.columns else old_post)
    return marks, walk_ins, scores, problems


def _score(text: str) -> int | str | None:
    """A score cell: None when blank, the number, or the text when it is not one."""
    if not text:
        return None
    try:
        return int(float(text.replace(",", ".")))
    except (ValueError, OverflowError):
        return text


def parse(session: Session, rows: list[list[str]]) -> tuple[dict[int, str], dict[int, tuple], list[str]]:
    """Marks (person id -> status), scores and the errors of every bad row. Two queries."""
    if not rows:
        raise ImportRefused(_("The file has no rows."))
    header, body = rows[0], rows[1:]
    columns = _header_map(header)
    if len(body) > MAX_ROWS:
        raise ImportRefused(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    cited = {key: header[index].strip() for key, index in columns.items()}

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    entries = [Entry(row=number, columns=cited, registry_no=cell(row, "registry_no"), username=cell(row, "username"),
                     status=STATUSES.get(fold(cell(row, "status"))), status_text=cell(row, "status"),
                     pre=_score(cell(row, "pre_test")), post=_score(cell(row, "post_test")))
               for number, row in enumerate(body, start=2) if any(text.strip() for text in row)]
    marks, _walk_ins, scores, problems = resolve_entries(
        session, entries, status_choices=_("katıldı (present), katılmadı (absent) or mazeretli (excused)"))
    errors = []
    for problem in problems:
        where = _("row %(row)s") % {"row": problem.row}
        if problem.column:
            where = _("%(where)s, column %(column)s") % {"where": where, "column": problem.column}
        errors.append(_("%(where)s: %(problem)s") % {"where": where, "problem": problem.message})
    if not marks and not errors:
        errors.append(_("The file has no attendance rows."))
    return marks, scores, errors


def import_attendance(*, session: Session, upload, user) -> ImportResult:
    """Read the file and record its attendance, or report every bad row and record nothing."""
    try:
        rows = read_rows(upload)
        marks, scores, errors = parse(session, rows)
    except ValidationError as error:
        return ImportResult(errors=list(error.messages))
    if errors:
        return ImportResult(errors=errors)
    try:
        counts = services.attendance_record(session=session, user=user, marks=marks, scores=scores or None)
    except ValidationError as error:
        return ImportResult(errors=list(error.messages))
    return ImportResult(rows=len(marks), counts=counts)
