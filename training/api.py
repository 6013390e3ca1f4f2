"""/api/v1/training: the course catalogue, sessions with their attendance, and a person's training
record; recording a session's attendance.

Mounted on the one NinjaAPI (`qms.api.api`) by `TrainingConfig.ready()`, which imports this module
(once per process, so the router is added once). Authentication is the API's (bearer token or the
admin session); every endpoint needs the "admin.access" capability every role has
(`wagtailadmin.access_admin`), else 403; no credentials, 401. Messages are in the caller's language.

Reading
    GET  /courses                       the catalogue (filters: active, mandatory), paginated
    GET  /sessions                      sessions you may see (filters: year, course (code), state),
                                        paginated. `training.view_session` sees every session;
                                        anyone else the sessions they are on (`sessions_visible_to`)
    GET  /sessions/{id}                 one session; outside your sessions: 404
    GET  /sessions/{id}/attendance      its list: who, invited or walk-in, status, self check-in,
                                        test scores, certificate. Needs `training.view_session` or
                                        `training.record_attendance` (403)
    GET  /people/{username}/record      a person's training record: sessions, hours, certificates
                                        and their state on every course required of them. Yourself,
                                        or with `training.view_training_records` a person in your
                                        unit scope (403 without the permission, 404 outside the scope)
    GET  /me/record                     your own record

Recording
    POST /sessions/{id}/attendance      [{"username": "ayse.k"} or {"registry_no": "30012"},
                                          "status": "present"|"absent"|"excused"|"pending",
                                          "walk_in": false, "pre_test_score": 55, "post_test_score": 80}, …]
                                        `training.record_attendance`. Each row names one person; a
                                        person not on the list is refused unless the row says
                                        "walk_in": true (the coordinator's deliberate step). Any bad
                                        row: 400 {"detail": [...], "rows": [{"row": 2, "errors": [...]}]}
                                        and nothing is saved. A session that is finalised, cancelled or
                                        full: 409. Saved: 200 with the counts per status and the list.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from qms.api import ChoiceOut, PersonOut, UnitRef, api, choice_out, person_out, require_perm
from qms.models import StaffProfile
from qms.roles import unit_scope
from training import queries, services
from training.attendance_import import Entry, resolve_entries
from training.models import Attendance, AttendanceStatus, Course, Session, SessionState

ACCESS_PERMISSION = "wagtailadmin.access_admin"
LIST_PERMISSIONS = ("training.view_session", services.RECORD_PERMISSION)

router = Router(tags=["training"])








def _hours(value) -> float:
    return float(value)


# --- schemas ----------------------------------------------------------------------------------






class CourseRef(Schema):
    code: str
    title: str


class CourseOut(Schema):
    code: str
    title: str
    description: str
    duration_hours: float
    trainer_kind: ChoiceOut
    trainer: str
    is_mandatory: bool
    is_orientation: bool
    validity_months: int | None
    min_sessions_per_year: int
    target_roles: list[str]
    target_units: list[UnitRef]
    is_active: bool

    @staticmethod
    def resolve_duration_hours(obj):
        return _hours(obj.duration_hours)

    @staticmethod
    def resolve_trainer_kind(obj):
        return choice_out(obj, "trainer_kind")

    @staticmethod
    def resolve_trainer(obj):
        return obj.trainer_label

    @staticmethod
    def resolve_target_roles(obj):
        return [group.name for group in obj.target_roles.all()]

    @staticmethod
    def resolve_target_units(obj):
        return [{"code": unit.code, "name": unit.name} for unit in obj.target_units.all()]


class PlanLineOut(Schema):
    year: int
    month: int


class SessionOut(Schema):
    id: int
    code: str
    course: CourseRef
    starts_at: datetime
    ends_at: datetime
    place: str
    trainer: str
    hours: float
    capacity: int
    state: ChoiceOut
    on_list: int
    present: int
    plan_line: PlanLineOut | None

    @staticmethod
    def resolve_course(obj):
        return {"code": obj.course.code, "title": obj.course.title}

    @staticmethod
    def resolve_trainer(obj):
        return obj.trainer_label

    @staticmethod
    def resolve_hours(obj):
        return _hours(obj.hours)

    @staticmethod
    def resolve_state(obj):
        return choice_out(obj, "state")

    @staticmethod
    def resolve_plan_line(obj):
        if not obj.plan_item_id:
            return None
        return {"year": obj.plan_item.plan.year, "month": obj.plan_item.month}


class SessionDetailOut(SessionOut):
    notes: str
    finalised_at: datetime | None
    finalised_by: PersonOut | None
    counts: dict[str, int]

    @staticmethod
    def resolve_finalised_by(obj):
        return person_out(obj.finalised_by)


class AttendanceOut(Schema):
    username: str
    full_name: str
    registry_no: str
    unit: UnitRef | None
    invited: bool
    status: ChoiceOut
    self_checked_in_at: datetime | None
    confirmed: bool
    pre_test_score: int | None
    post_test_score: int | None
    certificate: str | None

    @staticmethod
    def resolve_username(obj):
        return obj.person.get_username()

    @staticmethod
    def resolve_full_name(obj):
        return obj.person.get_full_name() or obj.person.get_username()

    @staticmethod
    def resolve_registry_no(obj):
        profile = getattr(obj.person, "staff_profile", None)
        return profile.registry_no if profile else ""

    @staticmethod
    def resolve_unit(obj):
        profile = getattr(obj.person, "staff_profile", None)
        return {"code": profile.unit.code, "name": profile.unit.name} if profile else None

    @staticmethod
    def resolve_status(obj):
        return choice_out(obj, "status")

    @staticmethod
    def resolve_certificate(obj):
        certificate = getattr(obj, "certificate", None)
        return certificate.number if certificate is not None and certificate.is_valid else None


class AttendanceIn(Schema):
    username: str | None = None
    registry_no: str | None = None
    status: str
    walk_in: bool = False
    pre_test_score: int | None = None
    post_test_score: int | None = None


class RowErrorOut(Schema):
    row: int
    errors: list[str]


class RecordedOut(Schema):
    counts: dict[str, int]
    attendance: list[AttendanceOut]


class ErrorOut(Schema):
    detail: list[str]
    rows: list[RowErrorOut] | None = None


class RequiredCourseOut(Schema):
    course: CourseRef
    state: ChoiceOut
    completed_on: date | None
    expires_on: date | None
    compliant: bool


class RecordSessionOut(Schema):
    id: int
    code: str
    course: CourseRef
    starts_at: datetime
    hours: float
    session_state: ChoiceOut
    attendance: ChoiceOut
    certificate: str | None
    evaluated: bool


class RecordPersonOut(Schema):
    username: str
    full_name: str
    registry_no: str
    title: str
    unit: UnitRef | None
    hire_date: date | None


class RecordOut(Schema):
    person: RecordPersonOut
    hours: float
    compliant: bool
    required: list[RequiredCourseOut]
    sessions: list[RecordSessionOut]


# --- helpers ------------------------------------------------------------------------------------


def _require_access(request) -> None:
    require_perm(request, ACCESS_PERMISSION)


def _listing(queryset):
    """Sessions with what the lists print, in one query: course, trainer, plan line and the counts
    (subqueries, so the visibility join never multiplies or narrows them)."""
    on_list = (Attendance.objects.filter(session=OuterRef("pk")).order_by().values("session")
               .annotate(n=Count("pk")).values("n"))
    present = (Attendance.objects.filter(session=OuterRef("pk"), status=AttendanceStatus.PRESENT).order_by()
               .values("session").annotate(n=Count("pk")).values("n"))
    return (queryset.select_related("course", "trainer", "plan_item__plan", "finalised_by")
            .annotate(on_list=Coalesce(Subquery(on_list, output_field=IntegerField()), 0),
                      present=Coalesce(Subquery(present, output_field=IntegerField()), 0)))


def _visible_session(user, session_id: int) -> Session:
    return get_object_or_404(_listing(queries.sessions_visible_to(user)), pk=session_id)


def _attendance_rows(session: Session) -> list[Attendance]:
    return list(Attendance.objects.filter(session=session)
                .select_related("person__staff_profile__unit", "certificate")
                .order_by("person__first_name", "person__last_name", "pk"))


def _record(person) -> dict:
    data = queries.training_record(person)
    profile = getattr(person, "staff_profile", None)
    statuses = data["statuses"]
    return {
        "person": {
            "username": person.get_username(),
            "full_name": person.get_full_name() or person.get_username(),
            "registry_no": profile.registry_no if profile else "",
            "title": profile.title if profile else "",
            "unit": {"code": profile.unit.code, "name": profile.unit.name} if profile else None,
            "hire_date": profile.hire_date if profile else None,
        },
        "hours": _hours(data["hours"]),
        "compliant": all(s.compliant for s in statuses),
        "required": [
            {"course": {"code": s.course.code, "title": s.course.title},
             "state": {"key": s.state, "label": str(s.label)},
             "completed_on": s.completed_on, "expires_on": s.expires_on, "compliant": s.compliant}
            for s in statuses
        ],
        "sessions": [
            {"id": a.session_id, "code": a.session.code,
             "course": {"code": a.session.course.code, "title": a.session.course.title},
             "starts_at": a.session.starts_at, "hours": _hours(a.session.hours),
             "session_state": choice_out(a.session, "state"), "attendance": choice_out(a, "status"),
             "certificate": _certificate_number(a), "evaluated": a.session_id in data["evaluated_session_ids"]}
            for a in data["attendances"]
        ],
    }


def _certificate_number(attendance) -> str | None:
    try:
        certificate = attendance.certificate
    except Attendance.certificate.RelatedObjectDoesNotExist:
        return None
    return certificate.number if certificate.is_valid else None


def _person_with_profile(queryset):
    return queryset.select_related("staff_profile__unit")


# --- courses ------------------------------------------------------------------------------------


@router.get("/courses", response=list[CourseOut], summary="Eğitim kataloğu / the course catalogue")
@paginate(LimitOffsetPagination)
def list_courses(request, active: bool | None = None, mandatory: bool | None = None):
    """Every course with its targets, duration, trainer, validity and yearly minimum, by code."""
    _require_access(request)
    courses = (Course.objects.select_related("default_trainer").prefetch_related("target_roles", "target_units")
               .order_by("code"))
    if active is not None:
        courses = courses.filter(is_active=active)
    if mandatory is not None:
        courses = courses.filter(Q(is_mandatory=True) | Q(is_orientation=True)) if mandatory else courses.filter(
            is_mandatory=False, is_orientation=False)
    return courses


# --- sessions -----------------------------------------------------------------------------------


@router.get("/sessions", response=list[SessionOut], summary="Eğitim oturumları / training sessions")
@paginate(LimitOffsetPagination)
def list_sessions(request, year: int | None = None, course: str | None = None, state: str | None = None):
    """The sessions you may see, by start time. `year` is the session's number year, `course` a
    course code, `state` one of planned, finalised, cancelled."""
    _require_access(request)
    sessions = _listing(queries.sessions_visible_to(request.user)).order_by("starts_at", "pk")
    if year:
        sessions = sessions.filter(year=year)
    if course:
        sessions = sessions.filter(course__code=course)
    if state:
        sessions = sessions.filter(state=state)
    return sessions


@router.get("/sessions/{session_id}", response=SessionDetailOut, summary="Bir oturum / one session")
def get_session(request, session_id: int):
    _require_access(request)
    session = _visible_session(request.user, session_id)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for status, n in (Attendance.objects.filter(session=session).order_by().values_list("status")
                      .annotate(n=Count("pk"))):
        counts[status] = n
    session.counts = counts
    return session


def _require_list_reader(request) -> None:
    if not any(request.user.has_perm(perm) for perm in LIST_PERMISSIONS):
        raise HttpError(403, _("Only the training coordinator and those who oversee training see a session's list."))


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut],
            summary="Oturumun katılım listesi / a session's attendance")
def get_attendance(request, session_id: int):
    """Everyone on the session's list, by name."""
    _require_access(request)
    _require_list_reader(request)
    session = _visible_session(request.user, session_id)
    return _attendance_rows(session)


def _entries(rows: list[AttendanceIn]) -> list[Entry]:
    """The posted rows (numbered from 1) for `resolve_entries`: a score left out keeps the recorded one."""
    entries = []
    for index, row in enumerate(rows, start=1):
        columns = {"registry_no": "registry_no", "username": "username", "status": "status", "walk_in": "walk_in"}
        if row.pre_test_score is not None:
            columns["pre_test"] = "pre_test_score"
        if row.post_test_score is not None:
            columns["post_test"] = "post_test_score"
        entries.append(Entry(row=index, columns=columns, registry_no=(row.registry_no or "").strip(),
                             username=(row.username or "").strip(), status=row.status, status_text=row.status,
                             pre=row.pre_test_score, post=row.post_test_score, walk_in=row.walk_in))
    return entries


@router.post("/sessions/{session_id}/attendance", response={200: RecordedOut, 400: ErrorOut, 409: ErrorOut},
             summary="Katılımı kaydet / record attendance")
def record_attendance(request, session_id: int, payload: list[AttendanceIn]):
    """Record the attendance of the people named, in one transaction: all rows or none."""
    _require_access(request)
    require_perm(request, services.RECORD_PERMISSION)
    session = _visible_session(request.user, session_id)
    if not payload:
        return 400, {"detail": [_("Send at least one row.")]}
    if session.state != SessionState.PLANNED:
        return 409, {"detail": [_("Attendance of a finalised or cancelled session is locked; the training "
                                  "coordinator corrects it on the session's page, with a reason.")]}
    marks, walk_ins, scores, problems = resolve_entries(
        session, _entries(payload), status_choices=_("present, absent, excused or pending"))
    if problems:
        by_row: dict[int, list[str]] = {}
        for problem in problems:
            by_row.setdefault(problem.row, []).append(problem.message)
        return 400, {"detail": [_("%(count)s of %(total)s rows have errors; nothing was saved.")
                                % {"count": len(by_row), "total": len(payload)}],
                     "rows": [{"row": row, "errors": errors} for row, errors in by_row.items()]}
    try:
        with transaction.atomic():
            counts = services.attendance_record(session=session, user=request.user, marks=marks,
                                                walk_ins=walk_ins, scores=scores)
    except PermissionDenied as error:
        raise HttpError(403, str(error) or _("You may not take this step.")) from None
    except ValidationError as error:
        return 409, {"detail": error.messages}
    return 200, {"counts": counts, "attendance": _attendance_rows(session)}


# --- training records -----------------------------------------------------------------------------


@router.get("/me/record", response=RecordOut, summary="Eğitim kaydım / my training record")
def my_record(request):
    _require_access(request)
    person = _person_with_profile(get_user_model()._default_manager).get(pk=request.user.pk)
    return _record(person)


@router.get("/people/{username}/record", response=RecordOut,
            summary="Bir kişinin eğitim kaydı / a person's training record")
def person_record(request, username: str):
    """A person's record: yourself, or someone in your unit scope with `training.view_training_records`."""
    _require_access(request)
    User = get_user_model()
    if username == request.user.get_username():
        return _record(_person_with_profile(User._default_manager).get(pk=request.user.pk))
    if not queries.may_see_records(request.user):
        raise HttpError(403, _("Only those who follow training records see another person's record."))
    person = get_object_or_404(_person_with_profile(User._default_manager), username=username)
    if unit_scope(request.user) is not None and not StaffProfile.objects.visible_to(request.user).filter(
            user=person).exists():
        raise Http404  # outside the scope looks like an unknown person
    return _record(person)


api.add_router("/training", router)
