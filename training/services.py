"""Everything that changes training records: one transaction each, checked, logged.

Views, the API, imports, the seed and commands call these functions. A refusal is a
`PermissionDenied` (the person may not take this step) or a `ValidationError` (the record is not
ready for it, or the input is wrong), each with a message that says why; nothing is saved half-way.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.audit import record, record_transition
from training.models import (
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Certificate,
    Course,
    EffectivenessReview,
    Evaluation,
    PlanItem,
    PlanState,
    RequestState,
    Session,
    SessionState,
    TrainingPlan,
    TrainingRequest,
    new_certificate_number,
)
from training.queries import add_months, manager_of

CORRECTED = "training.correct"
CHECKED_IN = "training.check_in"
ATTENDANCE_RECORDED = "training.attendance"
EVALUATED = "training.evaluate"

RECORD_PERMISSION = "training.record_attendance"


def may_record_attendance(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(RECORD_PERMISSION))


def _require(user, perm: str, message: str) -> None:
    if not (user and user.is_authenticated and user.has_perm(perm)):
        raise PermissionDenied(message)


def _require_recorder(user) -> None:
    _require(user, RECORD_PERMISSION, _("Only the training coordinator records attendance."))


def _person_label(pk) -> str:
    person = get_user_model()._default_manager.filter(pk=pk).first()
    if person is None:
        return _("An unknown person")
    return person.get_full_name() or person.get_username()


def _locked_session(session: Session) -> Session:
    """The session row, locked for this transaction (two coordinators on one list wait in turn)."""
    return Session.objects.select_for_update().select_related("course").get(pk=session.pk)


# --- Plan and requests -------------------------------------------------------------------------

def plan_approve(*, plan: TrainingPlan, user) -> TrainingPlan:
    """The management representative approves the year's plan (it must hold at least one course)."""
    _require(user, "training.approve_trainingplan", _("Only the management representative approves the training plan."))
    with transaction.atomic():
        plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.state == PlanState.APPROVED:
            raise ValidationError(_("This plan is already approved."))
        if not plan.items.exists():
            raise ValidationError(_("An empty plan cannot be approved; add the planned courses first."))
        plan.state, plan.approved_by, plan.approved_at = PlanState.APPROVED, user, timezone.now()
        plan.save()
        record_transition(plan, user=user, from_state=PlanState.DRAFT, to_state=PlanState.APPROVED,
                          from_label=PlanState.DRAFT.label, to_label=PlanState.APPROVED.label)
    return plan


def plan_add_item(*, plan: TrainingPlan, course: Course, month: int, user, sessions: int = 1,
                  note: str = "") -> PlanItem:
    """Add a course to a month of the plan (or add sessions to the month's existing line).

    An approved plan still takes additions (an accepted request, a new legal duty); they are
    marked as added after approval, so the approved plan stays readable as it was approved.
    """
    _require(user, "training.change_trainingplan", _("Only the training coordinator changes the training plan."))
    if not 1 <= int(month) <= 12:
        raise ValidationError(_("Choose a month from 1 to 12."))
    with transaction.atomic():
        plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
        item, created = PlanItem.objects.get_or_create(
            plan=plan, course=course, month=month,
            defaults={"sessions": sessions, "note": note, "added_after_approval": plan.state == PlanState.APPROVED},
        )
        if not created:
            item.sessions += sessions
            item.save(update_fields=["sessions"])
        record(plan, "wagtail.edit", user=user, course=course.code, month=month, sessions=sessions)
    return item


def request_submit(*, user, reason: str, course: Course | None = None, topic: str = "",
                   participants: int = 1) -> TrainingRequest:
    """Any member of staff asks for a training, saying why."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to request a training."))
    profile = getattr(user, "staff_profile", None)
    req = TrainingRequest(requested_by=user, unit=profile.unit if profile else None, course=course,
                          topic=topic.strip(), reason=reason.strip(), participants=max(1, int(participants or 1)))
    req.full_clean()
    req.save()
    record(req, "wagtail.create", user=user)
    return req


def request_accept(*, request: TrainingRequest, user, plan: TrainingPlan, month: int,
                   course: Course | None = None, note: str = "") -> TrainingRequest:
    """Accept a request into the plan: the requested course (or `course` for a free-text request)
    is planned in `month` of `plan`."""
    _require(user, "training.decide_trainingrequest", _("Only the training coordinator decides training requests."))
    course = course or request.course
    if course is None:
        raise ValidationError(_("Choose the course that answers this request."))
    with transaction.atomic():
        req = TrainingRequest.objects.select_for_update().get(pk=request.pk)
        if req.state != RequestState.SUBMITTED:
            raise ValidationError(_("This request has already been decided."))
        item = plan_add_item(plan=plan, course=course, month=month, user=user, sessions=1,
                             note=_("Request of %(name)s") % {"name": req.requested_by.get_full_name()})
        req.state, req.plan_item, req.course = RequestState.ACCEPTED, item, req.course or course
        req.decided_by, req.decided_at, req.decision_note = user, timezone.now(), note.strip()
        req.save()
        record_transition(req, user=user, from_state=RequestState.SUBMITTED, to_state=RequestState.ACCEPTED,
                          from_label=RequestState.SUBMITTED.label, to_label=RequestState.ACCEPTED.label, note=note)
    return req


def request_decline(*, request: TrainingRequest, user, reason: str) -> TrainingRequest:
    _require(user, "training.decide_trainingrequest", _("Only the training coordinator decides training requests."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for declining; the person who asked will read it."))
    with transaction.atomic():
        req = TrainingRequest.objects.select_for_update().get(pk=request.pk)
        if req.state != RequestState.SUBMITTED:
            raise ValidationError(_("This request has already been decided."))
        req.state, req.decided_by, req.decided_at, req.decision_note = (
            RequestState.DECLINED, user, timezone.now(), reason.strip())
        req.save()
        record_transition(req, user=user, from_state=RequestState.SUBMITTED, to_state=RequestState.DECLINED,
                          from_label=RequestState.SUBMITTED.label, to_label=RequestState.DECLINED.label,
                          note=reason)
    return req


# --- Sessions and invitations ------------------------------------------------------------------

def session_invite(*, session: Session, people: Iterable, user) -> int:
    """Put people on a planned session's list (people already on it are skipped).

    Returns the number added. More people than the free places: nothing is added, and the
    message says how many places are left.
    """
    _require_recorder(user)
    with transaction.atomic():
        session = _locked_session(session)
        if session.is_locked:
            raise ValidationError(_("The list of a finalised or cancelled session cannot change."))
        on_list = set(session.attendances.values_list("person_id", flat=True))
        new_ids = []
        for person in people:
            pid = getattr(person, "pk", person)
            if pid not in on_list and pid not in new_ids:
                new_ids.append(pid)
        free = session.capacity - len(on_list)
        if len(new_ids) > free:
            raise ValidationError(
                _("%(wanted)s people cannot be invited: the session has %(free)s free places of %(capacity)s.")
                % {"wanted": len(new_ids), "free": max(free, 0), "capacity": session.capacity}
            )
        Attendance.objects.bulk_create(
            [Attendance(session=session, person_id=pid, invited=True) for pid in new_ids]
        )
        if new_ids:
            record(session, "wagtail.edit", user=user, invited=len(new_ids))
    return len(new_ids)


def session_uninvite(*, session: Session, person, user) -> None:
    _require_recorder(user)
    with transaction.atomic():
        session = _locked_session(session)
        if session.is_locked:
            raise ValidationError(_("The list of a finalised or cancelled session cannot change."))
        Attendance.objects.filter(session=session, person=person).delete()
        record(session, "wagtail.edit", user=user, removed=getattr(person, "pk", person))


def session_cancel(*, session: Session, user, reason: str) -> Session:
    _require(user, "training.change_session", _("Only the training coordinator cancels sessions."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    with transaction.atomic():
        session = _locked_session(session)
        if session.state != SessionState.PLANNED:
            raise ValidationError(_("Only a planned session can be cancelled."))
        session.state = SessionState.CANCELLED
        session.notes = (session.notes + "\n" if session.notes else "") + reason.strip()
        session.save()
        record_transition(session, user=user, from_state=SessionState.PLANNED, to_state=SessionState.CANCELLED,
                          from_label=SessionState.PLANNED.label, to_label=SessionState.CANCELLED.label, note=reason)
    return session


# --- Attendance --------------------------------------------------------------------------------

def attendance_record(*, session: Session, user, marks: Mapping[int, str], walk_ins: Iterable = (),
                      scores: Mapping[int, tuple[int | None, int | None]] | None = None) -> dict[str, int]:
    """Save a session's attendance in one transaction.

    `marks` maps person id -> status for people on the list; `walk_ins` are people to add first as
    uninvited walk-ins (the coordinator's deliberate step). A mark for someone who is not on the
    list and not a walk-in, an unknown status, or a walk-in beyond capacity refuses the whole save
    with a message naming the problem. Marking a self check-in present confirms it.
    `scores` maps person id -> (pre-test, post-test) scores, each 0..100 or None.
    Returns counts per status of the saved list.
    """
    _require_recorder(user)
    valid = set(AttendanceStatus.values)
    with transaction.atomic():
        session = _locked_session(session)
        if session.is_locked:
            raise ValidationError(
                _("Attendance of a finalised session is locked; the training coordinator corrects it with a reason."))
        rows = {a.person_id: a for a in session.attendances.all()}
        walk_in_ids = [getattr(p, "pk", p) for p in walk_ins]
        new_walk_ins = [pid for pid in dict.fromkeys(walk_in_ids) if pid not in rows]
        if new_walk_ins:
            free = session.capacity - len(rows)
            if len(new_walk_ins) > free:
                raise ValidationError(
                    _("The session is full (capacity %(capacity)s); %(count)s walk-ins cannot be added.")
                    % {"capacity": session.capacity, "count": len(new_walk_ins)})
            known = set(get_user_model()._default_manager.filter(pk__in=new_walk_ins, is_active=True)
                        .values_list("pk", flat=True))
            if len(known) != len(new_walk_ins):
                raise ValidationError(_("A walk-in was not found among active users."))
            for a in Attendance.objects.bulk_create(
                [Attendance(session=session, person_id=pid, invited=False) for pid in new_walk_ins]
            ):
                rows[a.person_id] = a
        now = timezone.now()
        changed = []
        for pid, status in marks.items():
            pid = int(pid)
            if status not in valid:
                raise ValidationError(_("“%(status)s” is not an attendance status.") % {"status": status})
            row = rows.get(pid)
            if row is None:
                raise ValidationError(
                    _("%(name)s is not on this session's list; add them as a walk-in first.")
                    % {"name": _person_label(pid)})
            confirm = status == AttendanceStatus.PRESENT
            if row.status != status or row.confirmed != confirm:
                row.status, row.confirmed, row.recorded_by, row.recorded_at = status, confirm, user, now
                changed.append(row)
        for pid, (pre, post) in (scores or {}).items():
            row = rows.get(int(pid))
            if row is None:
                raise ValidationError(_("%(name)s is not on this session's list.") % {"name": _person_label(pid)})
            for value in (pre, post):
                if value is not None and not 0 <= int(value) <= 100:
                    raise ValidationError(_("A test score is a number from 0 to 100."))
            if (row.pre_test_score, row.post_test_score) != (pre, post):
                row.pre_test_score, row.post_test_score = pre, post
                if row not in changed:
                    changed.append(row)
        Attendance.objects.bulk_update(
            changed, ["status", "confirmed", "recorded_by", "recorded_at", "pre_test_score", "post_test_score"])
        counts = {s: 0 for s in AttendanceStatus.values}
        for row in rows.values():
            counts[row.status] += 1
        record(session, ATTENDANCE_RECORDED, user=user, changed=len(changed), walk_ins=len(new_walk_ins), **counts)
    return counts


def _checkin_step(at: datetime) -> int:
    return int(at.timestamp()) // settings.QMS_TRAINING_CHECKIN_STEP_SECONDS


def checkin_code(session: Session, at: datetime | None = None, *, step: int | None = None) -> str:
    """The session's check-in code for the time step containing `at` (default now).

    An HMAC of the session's secret and the step number, so the code changes every step and
    cannot be derived from an old one: a photo of the QR code shared later is refused.
    """
    step = _checkin_step(at or timezone.now()) if step is None else step
    digest = hmac.new(session.checkin_secret.encode(), f"{session.pk}:{step}".encode(), hashlib.sha256).hexdigest()
    return digest[:12]


def checkin_window(session: Session) -> tuple[datetime, datetime]:
    from datetime import timedelta

    return session.starts_at - timedelta(minutes=settings.QMS_TRAINING_CHECKIN_OPENS_MINUTES), session.ends_at


def self_check_in(*, session: Session, user, code: str, at: datetime | None = None) -> Attendance:
    """A participant checks in from their phone with the code of the QR shown in the room."""
    at = at or timezone.now()
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to check in."))
    opens, closes = checkin_window(session)
    if not opens <= at <= closes:
        raise ValidationError(_("Check-in is open only during the session."))
    step = _checkin_step(at)
    if not any(hmac.compare_digest(str(code), checkin_code(session, step=s)) for s in (step, step - 1)):
        raise ValidationError(_("This check-in code has expired; scan the code shown in the room now."))
    with transaction.atomic():
        session = _locked_session(session)
        if session.is_locked:
            raise ValidationError(_("Attendance of this session is already closed."))
        row = Attendance.objects.filter(session=session, person=user).first()
        if row is None:
            raise ValidationError(_("You are not on this session's list; ask the training coordinator to add you."))
        if row.self_checked_in_at is None:
            row.self_checked_in_at = at
            if row.status == AttendanceStatus.PENDING:
                row.status = AttendanceStatus.PRESENT
            row.save(update_fields=["self_checked_in_at", "status"])
            record(session, CHECKED_IN, user=user)
    return row


def session_finalise(*, session: Session, user) -> Session:
    """Close the session's attendance: the list is locked, present participants get their
    certificate and an effectiveness evaluation by their manager is scheduled.

    Refused while anyone on the list has no status, or a self check-in is not confirmed.
    """
    _require_recorder(user)
    with transaction.atomic():
        session = _locked_session(session)
        if session.state != SessionState.PLANNED:
            raise ValidationError(_("Only a planned session can be finalised."))
        rows = list(session.attendances.select_related("person", "person__staff_profile__unit"))
        if not rows:
            raise ValidationError(_("Nobody is on the list; invite the participants and record attendance first."))
        pending = sum(1 for r in rows if r.status == AttendanceStatus.PENDING)
        if pending:
            raise ValidationError(
                _("%(count)s people have no attendance recorded; mark them present, absent or excused.")
                % {"count": pending})
        unconfirmed = sum(1 for r in rows if r.status == AttendanceStatus.PRESENT and not r.confirmed)
        if unconfirmed:
            raise ValidationError(
                _("%(count)s self check-ins are not confirmed yet; confirm them on the attendance screen.")
                % {"count": unconfirmed})
        if session.starts_at > timezone.now():
            raise ValidationError(_("A session that has not started yet cannot be finalised."))
        session.state, session.finalised_at, session.finalised_by = SessionState.FINALISED, timezone.now(), user
        session.save()
        for row in rows:
            if row.status == AttendanceStatus.PRESENT:
                _complete(row, session)
        record_transition(session, user=user, from_state=SessionState.PLANNED, to_state=SessionState.FINALISED,
                          from_label=SessionState.PLANNED.label, to_label=SessionState.FINALISED.label)
    return session


def _complete(row: Attendance, session: Session) -> None:
    """A present participant: the certificate (issued once, re-validated after a correction) and
    the manager's effectiveness evaluation."""
    completed_on = timezone.localtime(session.starts_at).date()
    certificate = Certificate.objects.filter(attendance=row).first()
    if certificate is None:
        for _attempt in range(5):
            number = new_certificate_number(completed_on.year)
            if not Certificate.objects.filter(number=number).exists():
                break
        Certificate.objects.create(
            attendance=row, number=number,
            holder_name=row.person.get_full_name() or row.person.get_username(),
            course_title=session.course.title, completed_on=completed_on, hours=session.hours,
            trainer_name=session.trainer_label,
        )
    elif certificate.revoked_at is not None:
        certificate.revoked_at, certificate.revoked_reason = None, ""
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
    if not EffectivenessReview.objects.filter(attendance=row).exists():
        EffectivenessReview.objects.create(
            attendance=row, reviewer=manager_of(row.person),
            due_date=add_months(completed_on, settings.QMS_TRAINING_EFFECTIVENESS_MONTHS),
        )


def attendance_correct(*, attendance: Attendance, user, status: str, reason: str) -> AttendanceCorrection:
    """Correct one person's attendance after the session was finalised, with a reason (logged).

    Present → absent/excused revokes the certificate (and drops a pending effectiveness
    evaluation); absent/excused → present issues it.
    """
    _require_recorder(user)
    if status not in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        raise ValidationError(_("Choose present, absent or excused."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the correction; it is kept in the record."))
    with transaction.atomic():
        session = _locked_session(attendance.session)
        if session.state != SessionState.FINALISED:
            raise ValidationError(_("Only the attendance of a finalised session is corrected; "
                                    "before that, record it on the attendance screen."))
        row = Attendance.objects.select_for_update().select_related("person").get(pk=attendance.pk)
        if row.status == status:
            raise ValidationError(_("The attendance already says that."))
        correction = AttendanceCorrection.objects.create(
            attendance=row, from_status=row.status, to_status=status, reason=reason.strip(), corrected_by=user)
        was = row.status
        row.status, row.confirmed, row.recorded_by, row.recorded_at = (
            status, status == AttendanceStatus.PRESENT, user, timezone.now())
        row.save(correction=True)
        if status == AttendanceStatus.PRESENT:
            _complete(row, session)
        elif was == AttendanceStatus.PRESENT:
            Certificate.objects.filter(attendance=row, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_reason=reason.strip())
            EffectivenessReview.objects.filter(attendance=row, submitted_at__isnull=True).delete()
        record(session, CORRECTED, user=user, person=row.person_id, **{"from": was, "to": status},
               reason=reason.strip())
    return correction


# --- Evaluations -------------------------------------------------------------------------------

def evaluation_submit(*, session: Session, user, content: int, trainer: int, materials: int, usefulness: int,
                      comments: str = "") -> Evaluation:
    """The participant's evaluation form; once per session, only by someone recorded present."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to evaluate a training."))
    with transaction.atomic():
        evaluation = Evaluation(session=session, participant=user, content_rating=content, trainer_rating=trainer,
                                materials_rating=materials, usefulness_rating=usefulness,
                                comments=comments.strip())
        evaluation.save()
        record(session, EVALUATED, user=user)
    return evaluation


def may_review_effectiveness(user, review: EffectivenessReview) -> bool:
    """The assigned manager, or the training coordinator standing in for one who left."""
    if not (user and user.is_authenticated):
        return False
    return review.reviewer_id == user.pk or user.has_perm(RECORD_PERMISSION)


def effectiveness_submit(*, review: EffectivenessReview, user, rating: int, applied: str,
                         comments: str = "") -> EffectivenessReview:
    from training.models import Applied

    if not may_review_effectiveness(user, review):
        raise PermissionDenied(_("Only the participant's manager evaluates the effectiveness of this training."))
    if applied not in Applied.values:
        raise ValidationError(_("Say whether the training is applied on the job."))
    if rating is None or not 1 <= int(rating) <= 5:
        raise ValidationError(_("Give a rating from 1 to 5."))
    with transaction.atomic():
        review = EffectivenessReview.objects.select_for_update().get(pk=review.pk)
        if review.is_done:
            raise ValidationError(_("This effectiveness evaluation was already submitted."))
        review.rating, review.applied, review.comments = int(rating), applied, comments.strip()
        review.submitted_by, review.submitted_at = user, timezone.now()
        review.save()
        record(review.attendance.session, EVALUATED, user=user, effectiveness=review.pk)
    return review


# --- Course catalogue and plan years (appended for the plan screens) ----------------------------

def course_save(*, course: Course, user, target_roles: Iterable = (), target_units: Iterable = (),
                documents: Iterable = ()) -> Course:
    """Create (unsaved `course`) or change a course of the catalogue, with its targets and documents.

    Target roles are only the portal's role groups (`qms.roles.ROLES`). One course is the
    orientation course: marking a second is refused, naming the first. Courses are never deleted;
    `course_set_active` retires one.
    """
    from django.db import IntegrityError

    from qms.roles import role_group_names

    creating = course._state.adding
    _require(user, "training.add_course" if creating else "training.change_course",
             _("Only the training coordinator keeps the course catalogue."))
    target_roles, target_units, documents = list(target_roles), list(target_units), list(documents)
    allowed = set(role_group_names())
    if any(group.name not in allowed for group in target_roles):
        raise ValidationError({"target_roles": _("Choose the target roles among the roles of the portal.")})
    if course.is_orientation:
        other = Course.objects.filter(is_orientation=True).exclude(pk=course.pk).first()
        if other is not None:
            raise ValidationError({"is_orientation": _(
                "“%(course)s” is already the orientation course and there is only one; "
                "remove the mark from that course first.") % {"course": other}})
    course.code = course.code.strip()
    course.title = course.title.strip()
    course.full_clean()
    try:
        with transaction.atomic():
            course.save()
            course.target_roles.set(target_roles)
            course.target_units.set(target_units)
            course.documents.set(documents)
            record(course, "wagtail.create" if creating else "wagtail.edit", user=user)
    except IntegrityError as error:  # two people saving at once: the database keeps the rules
        raise ValidationError(_("The course could not be saved: its code is taken or another course became "
                                "the orientation course meanwhile. Check and save again.")) from error
    return course


def course_set_active(*, course: Course, user, active: bool) -> Course:
    """Retire a course from the catalogue (or bring it back). Its history stays; it is no longer
    offered for plans, requests or sessions, and a retired mandatory course is no longer required."""
    _require(user, "training.change_course", _("Only the training coordinator keeps the course catalogue."))
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.is_active == bool(active):
            raise ValidationError(_("The course is already active.") if active
                                  else _("The course is already inactive."))
        course.is_active = bool(active)
        course.save(update_fields=["is_active"])
        record(course, "wagtail.edit", user=user, active=course.is_active)
    return course


def plan_create(*, year: int, user, copy_from: TrainingPlan | None = None) -> TrainingPlan:
    """Open the training plan of `year` as a draft, optionally with the lines of another year's plan
    (the lines of retired courses are left out; copied lines count as planned from the start)."""
    from django.db import IntegrityError

    _require(user, "training.add_trainingplan", _("Only the training coordinator prepares the training plan."))
    year = int(year)
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Choose a year between 2000 and 2100."))
    if TrainingPlan.objects.filter(year=year).exists():
        raise ValidationError(_("There is already a training plan for %(year)s.") % {"year": year})
    try:
        with transaction.atomic():
            plan = TrainingPlan.objects.create(year=year)
            lines = []
            if copy_from is not None:
                lines = [PlanItem(plan=plan, course_id=item.course_id, month=item.month, sessions=item.sessions,
                                  note=item.note)
                         for item in copy_from.items.filter(course__is_active=True).order_by("month", "pk")]
                PlanItem.objects.bulk_create(lines)
            record(plan, "wagtail.create", user=user, copied_from=copy_from.year if copy_from else None,
                   lines=len(lines))
    except IntegrityError as error:
        raise ValidationError(_("There is already a training plan for %(year)s.") % {"year": year}) from error
    return plan


def plan_remove_item(*, item: PlanItem, user) -> None:
    """Remove a line of a draft plan. An approved plan keeps its lines as approved; a line that a
    session delivers or a request was accepted into is part of the record and stays."""
    _require(user, "training.change_trainingplan", _("Only the training coordinator changes the training plan."))
    with transaction.atomic():
        plan = TrainingPlan.objects.select_for_update().get(pk=item.plan_id)
        item = PlanItem.objects.select_related("course").filter(pk=item.pk, plan=plan).first()
        if item is None:
            raise ValidationError(_("This line is no longer in the plan."))
        if plan.state != PlanState.DRAFT:
            raise ValidationError(_("The plan is approved: its lines stay as approved. Only a draft plan's lines "
                                    "are removed."))
        codes = [s.code for s in item.held_sessions.order_by("starts_at")]
        if codes:
            raise ValidationError(_("Sessions deliver this line (%(sessions)s); it cannot be removed.")
                                  % {"sessions": ", ".join(codes)})
        if item.requests.exists():
            raise ValidationError(_("A training request was accepted into this line; it cannot be removed."))
        course_code, month = item.course.code, item.month
        item.delete()
        record(plan, "wagtail.edit", user=user, removed=course_code, month=month)


# --- Session planning (the sessions screens and the API) -----------------------------------------

def session_save(*, session: Session, user) -> Session:
    """Create a session, or change a planned one, with the model's checks (the plan line must be
    of the session's course and of the plan of the year the session is held in). A finalised or
    cancelled session is read-only, and this path never changes a session's state (that is
    `session_finalise` / `session_cancel`).
    """
    creating = session.pk is None
    _require(user, "training.add_session" if creating else "training.change_session",
             _("Only the training coordinator plans sessions."))
    with transaction.atomic():
        if creating:
            session.state, session.created_by = SessionState.PLANNED, user
        else:
            stored = _locked_session(session)
            if stored.is_locked:
                raise ValidationError(_("This session is finalised or cancelled; it cannot be changed."))
            session.state = stored.state
        session.full_clean()
        session.save()
        record(session, "wagtail.create" if creating else "wagtail.edit", user=user)
    return session
