"""Read queries other code reuses: plan realisation, competence, orientation, hours, evaluation
results, a person's training record.

Each runs a fixed number of SQL queries whatever the number of people or sessions (the tests pin
them), and each takes the reader's unit scope (`qms.roles.unit_scope`) where people are listed,
so a unit manager's matrix, report, PDF and API answer show the same people.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role
from training.models import (
    RATING_FIELDS,
    Attendance,
    AttendanceStatus,
    Course,
    EffectivenessReview,
    Evaluation,
    PlanItem,
    Session,
    SessionState,
    TrainingPlan,
)

EXPIRY_WARNING_DAYS = 30


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _local_date(value: datetime) -> date:
    return timezone.localtime(value).date()


def completed_attendances():
    """Attendance that counts as completing the course: present at a finalised session."""
    return Attendance.objects.filter(status=AttendanceStatus.PRESENT, session__state=SessionState.FINALISED)


# --- Plan realisation ----------------------------------------------------------------------------

@dataclass
class PlanLine:
    item: PlanItem
    held: int
    due: bool  # the line's month has come by the date asked about

    @property
    def realised(self) -> int:
        return min(self.held, self.item.sessions)


@dataclass
class Realisation:
    at: date
    lines: list[PlanLine]
    planned: int  # sessions planned in months up to `at`
    held: int  # of those, sessions held (at most the planned number per line)
    planned_year: int
    held_year: int
    unplanned: int  # finalised sessions of the year not on any plan line

    @property
    def percent(self) -> int | None:
        return None if not self.planned else round(100 * self.held / self.planned)


def plan_realisation(plan: TrainingPlan, at: date | None = None) -> Realisation:
    """Held vs planned at a date: a line counts from its month on; a line's extra sessions beyond
    what was planned do not make up for another line that was not held. Three queries."""
    at = at or timezone.localdate()
    held_filter = Q(held_sessions__state=SessionState.FINALISED, held_sessions__starts_at__lt=_end_of(at))
    items = list(plan.items.select_related("course").annotate(held=Count("held_sessions", filter=held_filter))
                 .order_by("month", "course__code"))
    lines = []
    for item in items:
        due = plan.year < at.year or (plan.year == at.year and item.month <= at.month)
        lines.append(PlanLine(item=item, held=item.held, due=due))
    year_start = timezone.make_aware(datetime(plan.year, 1, 1))
    year_end = min(_end_of(at), timezone.make_aware(datetime(plan.year + 1, 1, 1)))
    unplanned = Session.objects.filter(state=SessionState.FINALISED, plan_item__isnull=True,
                                       starts_at__gte=year_start, starts_at__lt=year_end).count()
    due_lines = [line for line in lines if line.due]
    return Realisation(
        at=at, lines=lines,
        planned=sum(line.item.sessions for line in due_lines),
        held=sum(line.realised for line in due_lines),
        planned_year=sum(line.item.sessions for line in lines),
        held_year=sum(line.realised for line in lines),
        unplanned=unplanned,
    )


def repetition_shortfalls(year: int) -> list[dict]:
    """Courses held fewer times in `year` than their yearly minimum (e.g. quality training 3x)."""
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))
    courses = Course.objects.filter(is_active=True, min_sessions_per_year__gt=0).annotate(
        held=Count("sessions", filter=Q(sessions__state=SessionState.FINALISED, sessions__starts_at__gte=start,
                                        sessions__starts_at__lt=end)))
    return [{"course": c, "held": c.held, "minimum": c.min_sessions_per_year}
            for c in courses if c.held < c.min_sessions_per_year]


# --- Competence ----------------------------------------------------------------------------------

class CompetenceState:
    COMPLETED = "completed"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    DUE = "due"

    LABELS = {
        COMPLETED: pgettext_lazy("competence", "Completed"),
        EXPIRING: pgettext_lazy("competence", "Expires soon"),
        EXPIRED: pgettext_lazy("competence", "Expired"),
        DUE: pgettext_lazy("competence", "Due"),
    }
    COMPLIANT = (COMPLETED, EXPIRING)


@dataclass
class CourseStatus:
    course: Course
    state: str
    completed_on: date | None = None
    expires_on: date | None = None

    @property
    def label(self):
        return CompetenceState.LABELS[self.state]

    @property
    def compliant(self) -> bool:
        return self.state in CompetenceState.COMPLIANT


@dataclass
class PersonCompetence:
    profile: StaffProfile
    roles: list[Role]
    statuses: dict[int, CourseStatus]  # course id -> status, for the courses required of this person

    @property
    def compliant(self) -> bool:
        return all(s.compliant for s in self.statuses.values())


@dataclass
class UnitCompliance:
    unit: Unit
    people: int = 0
    compliant: int = 0

    @property
    def percent(self) -> int | None:
        return None if not self.people else round(100 * self.compliant / self.people)


@dataclass
class CompetenceMatrix:
    today: date
    courses: list[Course]
    people: list[PersonCompetence]
    units: list[UnitCompliance] = field(default_factory=list)
    role_courses: dict[Role, list[Course]] = field(default_factory=dict)

    @property
    def percent(self) -> int | None:
        if not self.people:
            return None
        return round(100 * sum(1 for p in self.people if p.compliant) / len(self.people))


def required_courses_qs():
    return (Course.objects.filter(is_active=True).filter(Q(is_mandatory=True) | Q(is_orientation=True))
            .prefetch_related("target_roles", "target_units").order_by("code"))


def _role_of_group():
    return {spec.group_name: role for role, spec in ROLES.items()}


def _targets_role(course: Course, role: Role) -> bool:
    names = [g.name for g in course.target_roles.all()]
    return not names or ROLES[role].group_name in names


def needs_orientation(hire_date: date | None) -> bool:
    """New hires must take the orientation course: people with a hire date on or after
    `QMS_TRAINING_ORIENTATION_SINCE` (any hire date when it is not set)."""
    since = settings.QMS_TRAINING_ORIENTATION_SINCE
    return hire_date is not None and (since is None or hire_date >= since)


def course_applies(course: Course, roles: list[Role], unit_path: str, hire_date: date | None = None) -> bool:
    """The mandatory-course rule (see `Course`): role among the targets (or none set), unit under
    a target unit (or none set). The orientation course is required of every new hire
    (`needs_orientation`), whatever their role and unit."""
    if course.is_orientation:
        return needs_orientation(hire_date)
    target_roles, target_paths = _targets(course)
    if target_roles and not target_roles.intersection(roles):
        return False
    return not target_paths or any(unit_path.startswith(p) for p in target_paths)


def _targets(course: Course) -> tuple[frozenset, tuple[str, ...]]:
    """The course's target roles and unit paths, read once per course object (the matrix asks
    for every person)."""
    cached = getattr(course, "_training_targets", None)
    if cached is None:
        group_roles = _role_of_group()
        cached = (frozenset(group_roles.get(g.name) for g in course.target_roles.all()),
                  tuple(u.path for u in course.target_units.all()))
        course._training_targets = cached
    return cached


def status_for(course: Course, completed_on: date | None, today: date) -> CourseStatus:
    """Completed / expires soon / expired / due, from the last completion and the course's validity."""
    if completed_on is None:
        return CourseStatus(course, CompetenceState.DUE)
    if not course.validity_months:
        return CourseStatus(course, CompetenceState.COMPLETED, completed_on)
    expires_on = add_months(completed_on, course.validity_months)
    if expires_on <= today:
        state = CompetenceState.EXPIRED
    elif expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        state = CompetenceState.EXPIRING
    else:
        state = CompetenceState.COMPLETED
    return CourseStatus(course, state, completed_on, expires_on)


def last_completions(people_qs) -> dict[tuple[int, int], date]:
    """(user id, course id) -> local date of the latest completion, for the people in `people_qs`
    (a StaffProfile queryset). One query."""
    rows = (completed_attendances().filter(person_id__in=people_qs.values("user_id"))
            .values("person_id", "session__course_id").annotate(last=Max("session__starts_at")))
    return {(r["person_id"], r["session__course_id"]): _local_date(r["last"]) for r in rows}


def people_in_scope(user, unit: Unit | None = None):
    """Active staff the reader may see (their unit scope), optionally one unit's subtree."""
    qs = StaffProfile.objects.visible_to(user).filter(is_active=True, user__is_active=True)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def competence_matrix(user, *, unit: Unit | None = None, today: date | None = None) -> CompetenceMatrix:
    """Every person in the reader's scope against the courses required of them, with each unit's
    % compliant. Six queries (`competence_of`), whatever the number of people."""
    today = today or timezone.localdate()
    courses = list(required_courses_qs())
    people = competence_of(people_in_scope(user, unit), today=today, courses=courses)
    units: dict[int, UnitCompliance] = {}
    for person in people:
        summary = units.setdefault(person.profile.unit_id, UnitCompliance(unit=person.profile.unit))
        summary.people += 1
        summary.compliant += person.compliant
    role_courses = {role: [c for c in courses if c.is_orientation or _targets_role(c, role)] for role in ROLES}
    return CompetenceMatrix(today=today, courses=courses, people=people,
                            units=sorted(units.values(), key=lambda u: u.unit.path), role_courses=role_courses)


# --- Orientation ---------------------------------------------------------------------------------

@dataclass
class OrientationDue:
    profile: StaffProfile
    due_on: date
    days_late: int  # > 0 overdue, <= 0 still within the window


def orientation_course() -> Course | None:
    return Course.objects.filter(is_orientation=True, is_active=True).first()


def orientation_pending(user=None, *, today: date | None = None, overdue_only: bool = False) -> list[OrientationDue]:
    """New hires (`needs_orientation`) who have not completed the orientation course, with the
    date it is due; `hire_date` empty means unknown and is not listed. `user` limits to their
    scope (None: everyone, for reminders)."""
    today = today or timezone.localdate()
    course = orientation_course()
    if course is None:
        return []
    days = settings.QMS_TRAINING_ORIENTATION_DAYS
    qs = StaffProfile.objects.filter(is_active=True, user__is_active=True, hire_date__isnull=False)
    if settings.QMS_TRAINING_ORIENTATION_SINCE:
        qs = qs.filter(hire_date__gte=settings.QMS_TRAINING_ORIENTATION_SINCE)
    if user is not None:
        qs = qs.filter(pk__in=StaffProfile.objects.visible_to(user).values("pk"))
    done = completed_attendances().filter(session__course=course).values("person_id")
    qs = qs.exclude(user_id__in=done)
    if overdue_only:
        qs = qs.filter(hire_date__lt=today - timedelta(days=days))
    result = []
    for profile in qs.select_related("user", "unit").order_by("hire_date", "user__first_name"):
        due_on = profile.hire_date + timedelta(days=days)
        result.append(OrientationDue(profile=profile, due_on=due_on, days_late=(today - due_on).days))
    return result


# --- Hours ---------------------------------------------------------------------------------------

def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return timezone.make_aware(datetime(year, 1, 1)), timezone.make_aware(datetime(year + 1, 1, 1))


def training_hours(user, year: int) -> dict:
    """Hours of completed training in `year`, per person and per unit (the person's current unit),
    within the reader's scope. Two queries."""
    start, end = _year_bounds(year)
    people_qs = people_in_scope(user)
    rows = (completed_attendances().filter(session__starts_at__gte=start, session__starts_at__lt=end,
                                           person_id__in=people_qs.values("user_id"))
            .values("person_id").annotate(hours=Sum("session__hours"), sessions=Count("id")))
    by_person = {r["person_id"]: r for r in rows}
    profiles = list(people_qs.select_related("user", "unit").order_by("unit__path", "user__first_name"))
    people, units = [], {}
    for profile in profiles:
        r = by_person.get(profile.user_id, {"hours": Decimal(0), "sessions": 0})
        people.append({"profile": profile, "hours": r["hours"] or Decimal(0), "sessions": r["sessions"]})
        u = units.setdefault(profile.unit_id, {"unit": profile.unit, "people": 0, "hours": Decimal(0)})
        u["people"] += 1
        u["hours"] += r["hours"] or Decimal(0)
    for u in units.values():
        u["per_person"] = (u["hours"] / u["people"]).quantize(Decimal("0.1")) if u["people"] else Decimal(0)
    total = sum((p["hours"] for p in people), Decimal(0))
    return {"year": year, "people": people, "units": sorted(units.values(), key=lambda u: u["unit"].path),
            "total": total}


# --- Evaluation results ----------------------------------------------------------------------------

def _blank_result(key, label) -> dict:
    return {"key": key, "label": label, "sessions": 0, "participants": 0, "responses": 0,
            "sums": dict.fromkeys(RATING_FIELDS, 0)}


def _finish(result: dict) -> dict:
    n = result["responses"]
    result["averages"] = {f: (round(result["sums"][f] / n, 2) if n else None) for f in RATING_FIELDS}
    values = [v for v in result["averages"].values() if v is not None]
    result["overall"] = round(sum(values) / len(values), 2) if values else None
    result["response_rate"] = round(100 * n / result["participants"]) if result["participants"] else None
    return result


def evaluation_results(year: int, *, group_by: str = "session") -> list[dict]:
    """Evaluation averages (1-5) and response rates of the year's finalised sessions, grouped by
    session, course or trainer. Response rate = evaluations / participants recorded present.
    Averages over groups are weighted by responses (sums / count), never averages of averages.
    Three queries."""
    if group_by not in ("session", "course", "trainer"):
        raise ValueError(group_by)
    start, end = _year_bounds(year)
    sessions = list(Session.objects.filter(state=SessionState.FINALISED, starts_at__gte=start, starts_at__lt=end)
                    .select_related("course", "trainer")
                    .annotate(present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)))
                    .order_by("starts_at"))
    sums = {r["session_id"]: r for r in Evaluation.objects.filter(session__in=[s.pk for s in sessions])
            .values("session_id").annotate(n=Count("id"), **{f: Sum(f) for f in RATING_FIELDS})}
    groups: dict = {}
    for s in sessions:
        if group_by == "session":
            key, label = s.pk, f"{s.code} {s.course.title}"
        elif group_by == "course":
            key, label = s.course_id, str(s.course)
        else:
            key = ("u", s.trainer_id) if s.trainer_id else ("x", s.external_trainer.strip().casefold())
            label = s.trainer_label
        g = groups.setdefault(key, _blank_result(key, label))
        g["sessions"] += 1
        g["participants"] += s.present
        r = sums.get(s.pk)
        if r:
            g["responses"] += r["n"]
            for f in RATING_FIELDS:
                g["sums"][f] += r[f] or 0
    return [_finish(g) for g in groups.values()]


def effectiveness_results(year: int) -> dict:
    """The managers' effectiveness evaluations of the year's sessions: due, done, average rating."""
    start, end = _year_bounds(year)
    qs = EffectivenessReview.objects.filter(attendance__session__starts_at__gte=start,
                                            attendance__session__starts_at__lt=end)
    agg = qs.aggregate(total=Count("id"), done=Count("id", filter=Q(submitted_at__isnull=False)),
                       average=Avg("rating"),
                       applied_yes=Count("id", filter=Q(applied="yes")),
                       applied_partly=Count("id", filter=Q(applied="partly")),
                       applied_no=Count("id", filter=Q(applied="no")))
    agg["average"] = round(agg["average"], 2) if agg["average"] is not None else None
    return agg


def test_score_results(year: int) -> list[dict]:
    """Mean pre- and post-test scores per course, for sessions that recorded them."""
    start, end = _year_bounds(year)
    rows = (completed_attendances().filter(session__starts_at__gte=start, session__starts_at__lt=end)
            .filter(pre_test_score__isnull=False, post_test_score__isnull=False)
            .values("session__course__code", "session__course__title")
            .annotate(n=Count("id"), pre=Avg("pre_test_score"), post=Avg("post_test_score"))
            .order_by("session__course__code"))
    return [{"course": f'{r["session__course__code"]} {r["session__course__title"]}', "n": r["n"],
             "pre": round(r["pre"], 1), "post": round(r["post"], 1), "gain": round(r["post"] - r["pre"], 1)}
            for r in rows]


# --- People ----------------------------------------------------------------------------------------

def manager_of(person):
    """The person's nearest unit manager (the rule of `managers_of`), or None."""
    profile = getattr(person, "staff_profile", None)
    if profile is None:
        return None
    from django.contrib.auth import get_user_model

    manager_id = managers_of([profile]).get(person.pk)
    return get_user_model()._default_manager.filter(pk=manager_id).first() if manager_id else None


def training_record(person, *, today: date | None = None) -> dict:
    """A person's training record: every session they were on, with hours and certificate, and
    their status on the courses required of them."""
    today = today or timezone.localdate()
    rows = list(Attendance.objects.filter(person=person)
                .select_related("session__course", "session__trainer", "certificate")
                .order_by("-session__starts_at"))
    evaluated = set(Evaluation.objects.filter(participant=person).values_list("session_id", flat=True))
    profile = getattr(person, "staff_profile", None)
    statuses = []
    if profile is not None:
        group_roles = _role_of_group()
        roles = [group_roles[g.name] for g in person.groups.all() if g.name in group_roles]
        done = {}
        for a in rows:
            if a.status == AttendanceStatus.PRESENT and a.session.state == SessionState.FINALISED:
                day = _local_date(a.session.starts_at)
                done[a.session.course_id] = max(day, done.get(a.session.course_id, day))
        statuses = [status_for(c, done.get(c.pk), today) for c in required_courses_qs()
                    if course_applies(c, roles, profile.unit.path, profile.hire_date)]
    completed = [a for a in rows if a.status == AttendanceStatus.PRESENT and a.session.state == SessionState.FINALISED]
    return {
        "person": person,
        "attendances": rows,
        "evaluated_session_ids": evaluated,
        "hours": sum((a.session.hours for a in completed), Decimal(0)),
        "statuses": statuses,
    }


def sessions_visible_to(user):
    """Sessions whose list the user may see: everyone with `training.view_session` sees all;
    others see the sessions they are on."""
    qs = Session.objects.select_related("course", "trainer")
    if user.has_perm("training.view_session"):
        return qs
    return qs.filter(attendances__person=user)


def may_see_records(user) -> bool:
    return user.has_perm("training.view_training_records")



# --- Training requests (appended for the request screens) ---------------------------------------

def may_list_requests(user) -> bool:
    """The request list: whoever sees every request, and unit managers (their units' requests)."""
    from qms.roles import Role, has_role

    return bool(user and user.is_authenticated) and (
        user.has_perm("training.view_trainingrequest") or has_role(user, Role.UNIT_MANAGER))


def requests_visible_to(user, queryset=None):
    """Training requests the user may read: all with `training.view_trainingrequest`; a unit
    manager the requests of their units (`qms.roles.unit_scope`) and their own; anyone else their
    own. Lists, the request page, the yearly evaluation and its PDF all filter with this."""
    from qms.roles import Role, has_role, unit_scope
    from training.models import TrainingRequest

    queryset = TrainingRequest.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    if user.has_perm("training.view_trainingrequest"):
        return queryset
    condition = Q(requested_by=user)
    if has_role(user, Role.UNIT_MANAGER):
        scope = unit_scope(user)
        if scope is None:
            return queryset
        condition |= Q(unit__in=scope)
    return queryset.filter(condition)


def request_years(user) -> list[int]:
    """The years (local time) in which the requests the user may read were made, newest first."""
    return sorted({d.year for d in requests_visible_to(user).datetimes("created_at", "year")}, reverse=True)


def requests_listing(queryset):
    """Requests with what lists print, in one query: requester, unit, course, decider, the plan
    line they were accepted into and how many finalised sessions delivered that line."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    held = (Session.objects.filter(plan_item=OuterRef("plan_item"), state=SessionState.FINALISED).order_by()
            .values("plan_item").annotate(n=Count("pk")).values("n"))
    return (queryset.select_related("requested_by", "unit", "course", "decided_by", "plan_item__plan")
            .annotate(held_sessions=Coalesce(Subquery(held, output_field=IntegerField()), 0)))


def _request_tally(key, label) -> dict:
    return {"key": key, "label": label, "total": 0, "submitted": 0, "accepted": 0, "declined": 0,
            "participants": 0}


@dataclass
class RequestEvaluation:
    """The yearly evaluation of training requests (Eğitim Talep Formu), as one screen and one PDF."""

    year: int
    requests: list
    by_state: list[dict]
    by_subject: list[dict]
    by_unit: list[dict]
    by_decider: list[dict]
    total: int = 0
    participants: int = 0
    delivered: int = 0  # accepted requests whose plan line has a finalised session

    @property
    def decided(self) -> int:
        return sum(row["count"] for row in self.by_state if row["state"] != "submitted")


def request_evaluation(user, year: int) -> RequestEvaluation:
    """Every request of `year` the user may read, with its decision, counted by state, by course
    or free topic (topics compared without case), by unit and by who decided. One query for the requests."""
    from django.utils.translation import gettext

    from training.models import RequestState

    start, end = _year_bounds(year)
    rows = list(requests_listing(requests_visible_to(user).filter(created_at__gte=start, created_at__lt=end))
                .order_by("created_at", "pk"))
    states = {state: 0 for state in RequestState.values}
    subjects: dict = {}
    units: dict = {}
    deciders: dict = {}
    participants = delivered = 0
    for req in rows:
        states[req.state] += 1
        participants += req.participants
        if req.state == RequestState.ACCEPTED and req.held_sessions:
            delivered += 1
        if req.course_id:
            subject_key, subject_label = ("course", req.course_id), str(req.course)
        else:
            subject_key, subject_label = ("topic", " ".join(req.topic.split()).casefold()), req.topic.strip()
        unit_key = req.unit_id or 0
        unit_label = req.unit.name if req.unit_id else gettext("No unit")
        for table, key, label in ((subjects, subject_key, subject_label), (units, unit_key, unit_label)):
            tally = table.setdefault(key, _request_tally(key, label))
            tally["total"] += 1
            tally[req.state] += 1
            tally["participants"] += req.participants
        if req.decided_by_id:
            who = deciders.setdefault(req.decided_by_id, {
                "name": req.decided_by.get_full_name() or req.decided_by.get_username(),
                "accepted": 0, "declined": 0})
            who[req.state] += 1
    by_state = [{"state": s, "label": RequestState(s).label, "count": states[s]} for s in RequestState.values]

    def ordered(table: dict) -> list[dict]:
        return sorted(table.values(), key=lambda t: (-t["total"], str(t["label"]).casefold()))

    return RequestEvaluation(
        year=year, requests=rows, by_state=by_state, by_subject=ordered(subjects), by_unit=ordered(units),
        by_decider=sorted(deciders.values(), key=lambda d: d["name"]), total=len(rows), participants=participants,
        delivered=delivered,
    )


def invitation_candidates(*, groups=(), units=(), with_subunits: bool = True, people=()):
    """Active staff to invite to a session: those holding one of `groups` (roles) in one of
    `units` (with the units under them when `with_subunits`), plus the `people` chosen by name.

    Roles alone take everyone with the role; units alone everyone in the units; both take the
    people with the role in the units; nothing chosen is nobody. One query when evaluated.
    """
    from django.contrib.auth import get_user_model

    active = get_user_model()._default_manager.filter(is_active=True, staff_profile__is_active=True)
    wanted = Q(pk__in=[getattr(p, "pk", p) for p in people])
    if groups or units:
        selected = active
        if groups:
            selected = selected.filter(groups__in=list(groups))
        if units:
            if with_subunits:
                in_units = Q()
                for unit in units:
                    in_units |= Q(staff_profile__unit__path__startswith=unit.path)
            else:
                in_units = Q(staff_profile__unit__in=list(units))
            selected = selected.filter(in_units)
        wanted |= Q(pk__in=selected.values("pk"))
    return active.filter(wanted)


# --- Competence of any set of people, compliance per course, managers and evaluations in bulk
# (appended for the competence matrix, the API, the reminders and the dashboard panels) ----------

EVALUATION_DUE_DAYS = 14  # a participant fills the evaluation form within 14 days of the finalisation
EVALUATION_OPEN_DAYS = 90  # after that an unfilled form is no longer asked for (panels, reminders)


def competence_of(people_qs, *, today: date | None = None, courses: list[Course] | None = None
                  ) -> list[PersonCompetence]:
    """`competence_matrix`'s per-person rule for any StaffProfile queryset: the reminders need
    everyone (no reader), the dashboard one person. Six queries (three with `courses` given)."""
    today = today or timezone.localdate()
    courses = list(required_courses_qs()) if courses is None else courses
    profiles = list(people_qs.select_related("user", "unit").prefetch_related("user__groups")
                    .order_by("unit__path", "user__first_name", "user__last_name"))
    done = last_completions(people_qs) if profiles else {}
    group_roles = _role_of_group()
    people = []
    for profile in profiles:
        roles = [group_roles[g.name] for g in profile.user.groups.all() if g.name in group_roles]
        statuses = {course.pk: status_for(course, done.get((profile.user_id, course.pk)), today)
                    for course in courses
                    if course_applies(course, roles, profile.unit.path, profile.hire_date)}
        people.append(PersonCompetence(profile=profile, roles=roles, statuses=statuses))
    return people


@dataclass
class CourseCompliance:
    """One required course across the people it is required of: how many hold it (completed or
    expiring soon), how many let it expire, how many never completed it."""

    course: Course
    required: int = 0
    completed: int = 0
    expiring: int = 0
    expired: int = 0
    due: int = 0

    @property
    def compliant(self) -> int:
        return self.completed + self.expiring

    @property
    def percent(self) -> int | None:
        return None if not self.required else round(100 * self.compliant / self.required)


def course_compliance(matrix: CompetenceMatrix) -> list[CourseCompliance]:
    """Per required course, the % of the people it applies to who are compliant (no query)."""
    rows = {course.pk: CourseCompliance(course=course) for course in matrix.courses}
    for person in matrix.people:
        for course_id, status in person.statuses.items():
            row = rows[course_id]
            row.required += 1
            setattr(row, status.state, getattr(row, status.state) + 1)
    return list(rows.values())


def managers_of(profiles) -> dict[int, int]:
    """user id -> user id of their nearest unit manager, for many people in one query: the rule of
    `manager_of` (an active unit manager in the person's unit or the closest unit above it that
    has one, never the person; the lowest id when a unit has several). `profiles` are StaffProfiles
    with their unit loaded; people without a manager are left out."""
    from django.contrib.auth import get_user_model

    profiles = list(profiles)
    if not profiles:
        return {}
    managers = list(get_user_model()._default_manager
                    .filter(is_active=True, groups__name=ROLES[Role.UNIT_MANAGER].group_name,
                            staff_profile__is_active=True)
                    .order_by("pk").values_list("pk", "staff_profile__unit__path").distinct())
    result = {}
    for profile in profiles:
        best = None
        for pk, path in managers:
            if pk != profile.user_id and profile.unit.path.startswith(path) and (best is None or len(path) > best[1]):
                best = (pk, len(path))
        if best is not None:
            result[profile.user_id] = best[0]
    return result


def evaluations_pending(*, today: date | None = None, users=None):
    """Attendance (present, session finalised in the last `EVALUATION_OPEN_DAYS` days) whose
    participant has not filled the evaluation form yet, oldest first; `users` limits to some people.
    One query, with the session, its course and the person."""
    from django.db.models import Exists, OuterRef

    today = today or timezone.localdate()
    since = _end_of(today - timedelta(days=EVALUATION_OPEN_DAYS + 1))
    filled = Evaluation.objects.filter(session=OuterRef("session"), participant=OuterRef("person"))
    qs = (completed_attendances().filter(session__finalised_at__gte=since, person__is_active=True)
          .exclude(Exists(filled)).select_related("session__course", "person")
          .order_by("session__finalised_at", "session_id", "person_id"))
    if users is not None:
        qs = qs.filter(person__in=users)
    return qs


def evaluation_due_on(attendance: Attendance) -> date:
    """The day by which the participant is asked to fill the form: 14 days after finalisation."""
    return _local_date(attendance.session.finalised_at) + timedelta(days=EVALUATION_DUE_DAYS)


def reviews_owed(user):
    """Effectiveness evaluations assigned to `user` and not submitted yet, by due date."""
    return (EffectivenessReview.objects.filter(reviewer=user, submitted_at__isnull=True)
            .select_related("attendance__session__course", "attendance__person")
            .order_by("due_date", "pk"))


# --- The evaluation report: the results page and the yearly analysis PDF (training.evaluation_pdf) ---

LOW_RESPONSE_RATE = 70  # % of the participants present: below it, averages rest on too few forms


def evaluation_years() -> list[int]:
    """Years with a finalised session, and the current year, in order. One query."""
    years = {moment.year for moment in Session.objects.filter(state=SessionState.FINALISED)
             .datetimes("starts_at", "year")}
    years.add(timezone.localdate().year)
    return sorted(years)


def evaluation_comments(year: int) -> list[dict]:
    """The written comments of the year's evaluations, per session in date order, with neither
    names nor dates (the report is anonymous). One query."""
    start, end = _year_bounds(year)
    rows = (Evaluation.objects.filter(session__state=SessionState.FINALISED, session__starts_at__gte=start,
                                      session__starts_at__lt=end)
            .exclude(comments="").select_related("session__course")
            .only("comments", "session", "session__year", "session__number", "session__starts_at",
                  "session__course", "session__course__title")
            .order_by("session__starts_at", "session_id", "comments"))
    blocks: list[dict] = []
    for evaluation in rows:
        if not blocks or blocks[-1]["session_id"] != evaluation.session_id:
            session = evaluation.session
            blocks.append({"session_id": session.pk, "label": f"{session.code} {session.course.title}",
                           "comments": []})
        blocks[-1]["comments"].append(evaluation.comments)
    return blocks


def _flag_low_response(groups: list[dict]) -> None:
    for group in groups:
        rate = group["response_rate"]
        group["low_response"] = rate is not None and rate < LOW_RESPONSE_RATE


def evaluation_report(year: int, *, today: date | None = None) -> dict:
    """Everything the results page and the yearly analysis PDF show for `year`: evaluation results
    by session, course and trainer (`evaluation_results`), the year's totals (weighted by
    responses), the lowest- and highest-rated criteria, sessions whose response rate is below
    LOW_RESPONSE_RATE, the managers' effectiveness evaluations (with pending and overdue),
    pre/post test gains, the anonymous comments and a short reading in words. 13 queries."""
    today = today or timezone.localdate()
    by_session = evaluation_results(year, group_by="session")
    by_course = evaluation_results(year, group_by="course")
    by_trainer = evaluation_results(year, group_by="trainer")
    total = _blank_result("total", "")
    for group in by_session:
        total["sessions"] += group["sessions"]
        total["participants"] += group["participants"]
        total["responses"] += group["responses"]
        for f in RATING_FIELDS:
            total["sums"][f] += group["sums"][f]
    _finish(total)
    for groups in (by_session, by_course, by_trainer, [total]):
        _flag_low_response(groups)
    rated = [(total["averages"][f], RATING_FIELDS.index(f), f) for f in RATING_FIELDS
             if total["averages"][f] is not None]
    start, end = _year_bounds(year)
    effectiveness = effectiveness_results(year)
    effectiveness["pending"] = effectiveness["total"] - effectiveness["done"]
    effectiveness["overdue"] = EffectivenessReview.objects.filter(
        attendance__session__starts_at__gte=start, attendance__session__starts_at__lt=end,
        submitted_at__isnull=True, due_date__lt=today).count()
    report = {
        "year": year,
        "by_session": by_session,
        "by_course": by_course,
        "by_trainer": by_trainer,
        "total": total,
        "lowest": min(rated)[2] if rated else None,
        "highest": max(rated, key=lambda r: (r[0], -r[1]))[2] if rated else None,
        "low_response": [g for g in by_session if g["low_response"]],
        "effectiveness": effectiveness,
        "tests": test_score_results(year),
        "comments": evaluation_comments(year),
    }
    report["reading"] = evaluation_reading(report)
    return report


def evaluation_reading(report: dict) -> list[str]:
    """The automatic reading of an `evaluation_report`: a few sentences in the active language."""
    from django.utils import translation
    from django.utils.formats import number_format
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    def label(f: str) -> str:  # Turkish capitals: "içerik" -> "İçerik" (str.capitalize gives "Içerik")
        text = str(Evaluation._meta.get_field(f).verbose_name)
        if (translation.get_language() or "").startswith("tr") and text[:1] in "iı":
            return {"i": "İ", "ı": "I"}[text[0]] + text[1:]
        return capfirst(text)

    def avg(value) -> str:
        return number_format(value, decimal_pos=2)

    total, year = report["total"], report["year"]
    if not total["sessions"]:
        return [_("No training session was held and closed in %(year)s.") % {"year": year}]
    lines = [_("Sessions held: %(sessions)s; participants present: %(participants)s; evaluation forms returned: "
               "%(responses)s (response rate %(rate)s %%).") % {
        "sessions": total["sessions"], "participants": total["participants"], "responses": total["responses"],
        "rate": total["response_rate"] if total["response_rate"] is not None else "—"}]
    if not total["responses"]:
        lines.append(_("No evaluation form has been returned yet."))
    else:
        lowest, highest = report["lowest"], report["highest"]
        low, high = total["averages"][lowest], total["averages"][highest]
        lines.append(_("Overall average: %(overall)s of 5.") % {"overall": avg(total["overall"])})
        if low == high:
            lines.append(_("Every criterion is rated alike (%(value)s).") % {"value": avg(low)})
        else:
            lines.append(_("The lowest-rated criterion is “%(lowest)s” (%(low)s); the highest is “%(highest)s” "
                           "(%(high)s).") % {"lowest": label(lowest), "low": avg(low), "highest": label(highest),
                                             "high": avg(high)})
    if total["low_response"]:
        lines.append(_("The response rate is below %(limit)s %%: the averages rest on too few forms; remind the "
                       "participants to fill the evaluation form.") % {"limit": LOW_RESPONSE_RATE})
    low_sessions = report["low_response"]
    if low_sessions:
        codes = [g["label"].split(" ", 1)[0] for g in low_sessions]
        shown = ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
        lines.append(_("Sessions with a response rate below %(limit)s %% (%(count)s): %(sessions)s.") % {
            "limit": LOW_RESPONSE_RATE, "count": len(codes), "sessions": shown})
    elif total["participants"]:
        lines.append(_("Every session reached a response rate of at least %(limit)s %%.") % {
            "limit": LOW_RESPONSE_RATE})
    weak = [g["label"] for g in report["by_course"] if g["overall"] is not None and g["overall"] < 3]
    if weak:
        lines.append(_("Courses rated below 3 overall: %(courses)s.") % {"courses": ", ".join(weak)})
    eff = report["effectiveness"]
    if eff["total"]:
        lines.append(_("Effectiveness evaluations by managers: %(done)s of %(total)s submitted, %(overdue)s "
                       "overdue.") % {"done": eff["done"], "total": eff["total"], "overdue": eff["overdue"]})
        if eff["average"] is not None:
            lines.append(_("Average effectiveness %(average)s of 5; applied on the job: yes %(yes)s, partly "
                           "%(partly)s, no %(no)s.") % {"average": avg(eff["average"]), "yes": eff["applied_yes"],
                                                         "partly": eff["applied_partly"], "no": eff["applied_no"]})
    tested = sum(t["n"] for t in report["tests"])
    if tested:
        gain = sum(t["n"] * t["gain"] for t in report["tests"]) / tested
        lines.append(_("Pre/post tests: average gain %(gain)s points (%(count)s participants tested).") % {
            "gain": number_format(round(gain, 1), decimal_pos=1), "count": tested})
    return lines
