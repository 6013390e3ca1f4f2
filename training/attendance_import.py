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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qms.tables import table_rows
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

_TURKISH_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")


def fold(text) -> str:
    """A header or status word in a comparable form: "Sicil No" -> "sicil_no", "Katıldı" -> "katildi"."""
    text = str(text or "").strip().translate(_TURKISH_ASCII).lower()
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


def _score(text: str, where: str, errors: list[str]) -> int | None:
    if not text:
        return None
    try:
        value = int(float(text.replace(",", ".")))
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        errors.append(_("%(where)s: “%(value)s” is not a score from 0 to 100.") % {"where": where, "value": text})
        return None
    return value


def parse(session: Session, rows: list[list[str]]) -> tuple[dict[int, str], dict[int, tuple], list[str]]:
    """Marks (person id -> status), scores and the errors of every bad row. Three queries."""
    if not rows:
        raise ImportRefused(_("The file has no rows."))
    header, body = rows[0], rows[1:]
    columns = _header_map(header)
    if len(body) > MAX_ROWS:
        raise ImportRefused(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})

    def title(key: str) -> str:
        return header[columns[key]].strip()

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    wanted_numbers = {cell(r, "registry_no") for r in body} - {""}
    wanted_names = {cell(r, "username") for r in body} - {""}
    people = get_user_model()._default_manager.filter(is_active=True).select_related("staff_profile")
    by_number, by_name = {}, {}
    if wanted_numbers:
        for person in people.filter(staff_profile__registry_no__in=wanted_numbers):
            by_number[person.staff_profile.registry_no] = person
    if wanted_names:
        for person in people.filter(username__in=wanted_names | {n.casefold() for n in wanted_names}):
            by_name[person.username.casefold()] = person
    # person id -> (pre-test, post-test) as recorded: a file with one score column keeps the other.
    on_list = {pid: (pre, post) for pid, pre, post
               in session.attendances.values_list("person_id", "pre_test_score", "post_test_score")}

    marks: dict[int, str] = {}
    scores: dict[int, tuple] = {}
    errors: list[str] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = _("row %(row)s") % {"row": number}

        def at(key: str, where=where) -> str:
            return _("%(where)s, column %(column)s") % {"where": where, "column": title(key)}

        registry_no, username = cell(row, "registry_no"), cell(row, "username")
        person, key = None, "registry_no" if registry_no else "username"
        if registry_no:
            person = by_number.get(registry_no)
            if person is None:
                errors.append(_("%(where)s: no active member of staff has the registry number “%(value)s”.")
                              % {"where": at("registry_no"), "value": registry_no})
        elif username:
            person = by_name.get(username.casefold())
            if person is None:
                errors.append(_("%(where)s: no active user is called “%(value)s”.")
                              % {"where": at("username"), "value": username})
        else:
            key = "registry_no" if "registry_no" in columns else "username"
            errors.append(_("%(where)s: the person is not named.") % {"where": at(key)})
        raw_status = cell(row, "status")
        status = STATUSES.get(fold(raw_status))
        if status is None:
            errors.append(_("%(where)s: “%(value)s” is not an attendance status; use katıldı (present), "
                            "katılmadı (absent) or mazeretli (excused).")
                          % {"where": at("status"), "value": raw_status})
        pre = _score(cell(row, "pre_test"), at("pre_test"), errors) if "pre_test" in columns else None
        post = _score(cell(row, "post_test"), at("post_test"), errors) if "post_test" in columns else None
        if person is None:
            continue
        name = person.get_full_name() or person.get_username()
        if person.pk not in on_list:
            errors.append(_("%(where)s: %(name)s is not on this session's list; add them as a walk-in on the "
                            "attendance screen first.") % {"where": at(key), "name": name})
            continue
        if person.pk in seen:
            errors.append(_("%(where)s: %(name)s is already on row %(first)s.")
                          % {"where": at(key), "name": name, "first": seen[person.pk]})
            continue
        seen[person.pk] = number
        if status is not None:
            marks[person.pk] = status
        if "pre_test" in columns or "post_test" in columns:
            old_pre, old_post = on_list[person.pk]
            scores[person.pk] = (pre if "pre_test" in columns else old_pre,
                                 post if "post_test" in columns else old_post)
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
