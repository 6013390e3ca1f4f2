"""Retention of personal data (KVKK): what is kept how long, and the run that deletes or anonymises
what has passed its period, except what a legal hold protects.

`RECORD_TYPES` is the registry: per kind of personal record, its period (a key of
`settings.QMS_RETENTION_DAYS`, env `RETENTION_<KEY>_DAYS`, 0 = keep forever), what happens to it
(deleted or anonymised), the records past their period as of a day, and how they are applied.

`retention_plan(today)` says what a run would do; `apply_retention(dry_run=..., ...)` does it (or,
for a dry run, only records the counts) with the same querysets, so a dry run's counts are the
counts the real run then applies. The real run is one transaction and writes one `RetentionRun`
and one audit-log entry with counts only, never the content it removed.

Legal holds (`LegalHold`, active while not released) protect a record and what belongs to it:

- a hold on a call (type `call_records` or `call_recordings`, id = the call) keeps the call row,
  its recording link, its evaluations and the audit-log entries about all of them;
- a hold on an evaluation keeps the evaluation (scores, dispute, coaching), its call with the
  recording link, and the audit-log entries about both;
- a hold on an attendance keeps its check-in time and the participant's check-in log entry;
- a hold on an audit-log entry keeps that entry.

A held record past its period is never touched: the plan and the run list it as refused, with the
hold's reason and reference, until the hold is released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from qms import audit
from qms.operations.models import LegalHold, RetentionRun

RETENTION_ACTION = audit.RETENTION

DELETE = "delete"
ANONYMISE = "anonymise"
ACTION_LABELS = {DELETE: _("delete"), ANONYMISE: _("anonymise")}
# The key of RetentionRun.counts that holds what was applied, per action.
APPLIED_KEY = {DELETE: "deleted", ANONYMISE: "anonymised"}

# Audit-log entries about these models name or describe a person (staff, agents, their calls and
# evaluations, training participation); entries about other quality records (documents, DÖFs,
# audits) are accountability for those records and keep their author.
PERSONAL_LOG_MODELS = (
    settings.AUTH_USER_MODEL.lower(),
    "qms.staffprofile",
    "callqa.agent",
    "callqa.call",
    "callqa.evaluation",
    "callqa.dispute",
    "callqa.coachingtask",
    "training.attendance",
    "training.attendancecorrection",
    "training.evaluation",
    "training.effectivenessreview",
    "training.certificate",
)
# Entries of these actions record a person's own act whatever the object (a self check-in is logged
# on the session, with the participant as the entry's user).
PERSONAL_LOG_ACTIONS = ("training.check_in",)
CHECK_IN_ACTION = "training.check_in"


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _start_of(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the portal's time zone: a timestamp before it is of an earlier day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _int_ids(values) -> set[int]:
    return {int(value) for value in values if str(value).isdigit()}


# ---- legal holds ----------------------------------------------------------------------------------


@dataclass
class HoldIndex:
    """The active holds, spread over every record they protect (record pk → the protecting hold)."""

    calls: dict[int, LegalHold] = field(default_factory=dict)
    evaluations: dict[int, LegalHold] = field(default_factory=dict)
    attendances: dict[int, LegalHold] = field(default_factory=dict)
    log_entries: dict[int, LegalHold] = field(default_factory=dict)
    # (session id, participant id) of held attendances: their check-in log entries are held too.
    check_ins: dict[tuple[int, int], LegalHold] = field(default_factory=dict)

    @classmethod
    def load(cls) -> HoldIndex:
        """The active holds with what they cover: four queries whatever the number of holds."""
        from kpi.callqa.models import Evaluation
        from training.models import Attendance

        index = cls()
        by_type: dict[str, dict[int, LegalHold]] = {}
        for hold in LegalHold.objects.filter(released_at__isnull=True).order_by("placed_at", "pk"):
            if hold.object_id.isdigit():
                by_type.setdefault(hold.record_type, {}).setdefault(int(hold.object_id), hold)
        for key in ("call_records", "call_recordings"):
            for pk, hold in by_type.get(key, {}).items():
                index.calls.setdefault(pk, hold)
        index.evaluations.update(by_type.get("call_evaluations", {}))
        index.attendances.update(by_type.get("attendance_signatures", {}))
        index.log_entries.update(by_type.get("audit_log", {}))
        # An evaluation's hold keeps its call; a call's hold keeps its evaluations.
        if index.evaluations:
            for pk, call_id in Evaluation.objects.filter(pk__in=list(index.evaluations)).values_list("pk", "call_id"):
                index.calls.setdefault(call_id, index.evaluations[pk])
        if index.calls:
            for pk, call_id in Evaluation.objects.filter(call_id__in=list(index.calls)).values_list("pk", "call_id"):
                index.evaluations.setdefault(pk, index.calls[call_id])
        if index.attendances:
            for pk, session_id, person_id in Attendance.objects.filter(pk__in=list(index.attendances)).values_list(
                    "pk", "session_id", "person_id"):
                index.check_ins[(session_id, person_id)] = index.attendances[pk]
        return index

    def log_entry_filter(self) -> Q:
        """The audit-log entries the holds protect: held entries and those about held records."""
        from kpi.callqa.models import Call, Evaluation
        from training.models import Attendance, Session

        content_types = ContentType.objects.get_for_models(Call, Evaluation, Attendance, Session)
        parts = [Q(pk__in=list(self.log_entries))]
        for model, ids in ((Call, self.calls), (Evaluation, self.evaluations), (Attendance, self.attendances)):
            if ids:
                parts.append(Q(content_type=content_types[model], object_id__in=[str(pk) for pk in ids]))
        for session_id, person_id in self.check_ins:
            parts.append(Q(content_type=content_types[Session], object_id=str(session_id), action=CHECK_IN_ACTION,
                           user_id=person_id))
        return reduce(or_, parts)

    def log_entry_hold(self, entry: ModelLogEntry) -> LegalHold | None:
        """Which hold protects this (held) entry."""
        if entry.pk in self.log_entries:
            return self.log_entries[entry.pk]
        model = entry.content_type.model_class() if entry.content_type_id else None
        label = model._meta.label_lower if model is not None else ""
        pk = int(entry.object_id) if str(entry.object_id).isdigit() else None
        if label == "callqa.call":
            return self.calls.get(pk)
        if label == "callqa.evaluation":
            return self.evaluations.get(pk)
        if label == "training.attendance":
            return self.attendances.get(pk)
        return self.check_ins.get((pk, entry.user_id))


# ---- the record types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldRecord:
    """A record past its period that a legal hold keeps (refused: under legal hold)."""

    object_id: str
    description: str
    hold: LegalHold


@dataclass
class RunContext:
    """What every record type's queryset is computed from: the day, the cut-off per type, the holds."""

    today: dt.date
    cutoffs: dict[str, dt.date | None]
    holds: HoldIndex


@dataclass(frozen=True)
class RecordType:
    """One kind of personal record under retention."""

    key: str
    label: object
    action: str
    counted_from: object  # which date the period runs from, as shown on the screen
    model_label: str  # what a hold's record id names
    expired: Callable[[RunContext, dt.date], QuerySet]  # every record past its period (held ones too)
    held: Callable[[RunContext], Q]  # which records the holds protect
    hold_of: Callable[[RunContext, models.Model], LegalHold | None]
    describe: Callable[[models.Model], str]
    apply: Callable[[RunContext, QuerySet], int]

    @property
    def action_label(self):
        return ACTION_LABELS[self.action]

    @property
    def env_name(self) -> str:
        return f"RETENTION_{self.key.upper()}_DAYS"

    @property
    def days(self) -> int:
        return int(settings.QMS_RETENTION_DAYS.get(self.key, 0))

    def cutoff(self, today: dt.date) -> dt.date | None:
        """Records dated before this day are past their period (None: kept forever)."""
        return today - dt.timedelta(days=self.days) if self.days > 0 else None

    def resolve(self, object_id: str) -> str | None:
        """The primary key a hold names for `object_id` (a call may also be given by its telephony call id),
        or None when there is no such record."""
        model = _model(self.model_label)
        value = str(object_id).strip()
        if value.isdigit() and model.objects.filter(pk=int(value)).exists():
            return value
        if self.model_label == "callqa.Call":
            found = model.objects.filter(call_id=value).values_list("pk", flat=True).first()
            return str(found) if found is not None else None
        return None


# call recordings: the link to the audio, cleared.

def _recordings_expired(context: RunContext, cutoff: dt.date) -> QuerySet:
    from kpi.callqa.models import Call

    return Call.objects.filter(offered_on__lt=cutoff).exclude(recording_url="")


def _recordings_apply(context: RunContext, due: QuerySet) -> int:
    return due.update(recording_url="")


# call QA evaluations: deleted with their scores, dispute, coaching task and object grants (CASCADE).

def _evaluations_expired(context: RunContext, cutoff: dt.date) -> QuerySet:
    from kpi.callqa.models import Evaluation

    start = _start_of(cutoff)
    # A submitted evaluation counts from its submission; one never submitted from its assignment.
    return Evaluation.objects.filter(Q(submitted_at__lt=start) | Q(submitted_at__isnull=True, assigned_at__lt=start))


def _evaluations_due(context: RunContext) -> QuerySet:
    """The evaluations this run deletes (past their period and not held): none when kept forever."""
    from kpi.callqa.models import Evaluation

    cutoff = context.cutoffs.get("call_evaluations")
    if cutoff is None:
        return Evaluation.objects.none()
    return _evaluations_expired(context, cutoff).exclude(pk__in=list(context.holds.evaluations))


def _evaluations_apply(context: RunContext, due: QuerySet) -> int:
    from kpi.callqa.models import Evaluation

    return due.delete()[1].get(Evaluation._meta.label, 0)


# call records: deleted, except calls that keep evidence (an evaluation that stays, a calibration session).

def _calls_expired(context: RunContext, cutoff: dt.date) -> QuerySet:
    from kpi.callqa.models import CalibrationSession, Call, Evaluation

    # Evaluations are evidence: an evaluated call goes with its evaluations' period. Counting the
    # evaluations this same run deletes as gone keeps the dry run's count equal to the real run's
    # (which deletes evaluations first) and leaves nothing for a second run.
    staying = Evaluation.objects.exclude(pk__in=_evaluations_due(context).values("pk")).values("call_id")
    return (Call.objects.filter(offered_on__lt=cutoff).exclude(pk__in=staying)
            .exclude(pk__in=CalibrationSession.objects.values("call_id")))


def _calls_apply(context: RunContext, due: QuerySet) -> int:
    from kpi.callqa import rollups
    from kpi.callqa.models import Call

    deleted = due.delete()[1].get(Call._meta.label, 0)
    if deleted:
        # The rollups of the purged days are now their only record: a rebuild must keep them.
        rollups.record_purge(context.cutoffs["call_records"])
    return deleted


def _describe_call(call) -> str:
    return f"{call.call_id} ({call.offered_on:%d.%m.%Y})"


def _describe_evaluation(evaluation) -> str:
    return f"#{evaluation.pk} ({evaluation.month:%m.%Y})"


# attendance signatures: the participant's own check-in (its time and log entry) anonymised; the
# attendance (present / absent) stays for competence records and certificates.

def _signatures_expired(context: RunContext, cutoff: dt.date) -> QuerySet:
    from training.models import Attendance

    return Attendance.objects.filter(self_checked_in_at__isnull=False, session__ends_at__lt=_start_of(cutoff))


def _signatures_apply(context: RunContext, due: QuerySet) -> int:
    from training.models import Session

    # The check-in log entry names the participant and the minute they signed in: part of the
    # signature. It is found through the attendance, so it is emptied before the attendance is.
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Session), action=CHECK_IN_ACTION,
        user__isnull=False,
    ).filter(Exists(due.filter(session_id=Cast(OuterRef("object_id"), models.BigIntegerField()),
                               person_id=OuterRef("user_id")))).update(user=None, data={}, label=F("object_id"))
    # A bulk update on purpose: Attendance.save() locks finalised sessions against edits by people,
    # and this is the retention rule, not an edit of who attended.
    return due.update(self_checked_in_at=None)


def _describe_attendance(attendance) -> str:
    return f"#{attendance.pk} ({attendance.session.code})"


# audit-log entries about personal records: anonymised (no user, no data, the label replaced by the
# object's id), so the trail of quality records keeps its shape.

def _log_expired(context: RunContext, cutoff: dt.date) -> QuerySet:
    content_types = ContentType.objects.get_for_models(*[_model(label) for label in PERSONAL_LOG_MODELS])
    anonymised = Q(user__isnull=True, data={}, label=F("object_id"))
    return (ModelLogEntry.objects.filter(timestamp__lt=_start_of(cutoff))
            .filter(Q(content_type__in=list(content_types.values())) | Q(action__in=PERSONAL_LOG_ACTIONS))
            .exclude(anonymised))


def _log_apply(context: RunContext, due: QuerySet) -> int:
    return due.update(user=None, data={}, label=F("object_id"))


def _describe_log_entry(entry) -> str:
    return f"#{entry.pk} {entry.action} ({timezone.localtime(entry.timestamp):%d.%m.%Y})"


RECORD_TYPES: dict[str, RecordType] = {
    # The order is the order of a run: evaluations go before calls (an evaluated call is deleted once
    # its evaluations are), the audit log before the attendance signatures (whose check-in entries
    # the signatures empty).
    "call_recordings": RecordType(
        "call_recordings", _("Call recording links"), ANONYMISE, _("day of the call"), "callqa.Call",
        _recordings_expired, lambda c: Q(pk__in=list(c.holds.calls)), lambda c, r: c.holds.calls.get(r.pk),
        _describe_call, _recordings_apply,
    ),
    "call_evaluations": RecordType(
        "call_evaluations", _("Call QA evaluations"), DELETE, _("submission (else assignment)"), "callqa.Evaluation",
        _evaluations_expired, lambda c: Q(pk__in=list(c.holds.evaluations)),
        lambda c, r: c.holds.evaluations.get(r.pk), _describe_evaluation, _evaluations_apply,
    ),
    "call_records": RecordType(
        "call_records", _("Call records"), DELETE, _("day of the call"), "callqa.Call",
        _calls_expired, lambda c: Q(pk__in=list(c.holds.calls)), lambda c, r: c.holds.calls.get(r.pk),
        _describe_call, _calls_apply,
    ),
    "audit_log": RecordType(
        "audit_log", _("Audit-log entries about personal records"), ANONYMISE, _("time of the entry"),
        "wagtailcore.ModelLogEntry", _log_expired, lambda c: c.holds.log_entry_filter(),
        lambda c, r: c.holds.log_entry_hold(r), _describe_log_entry, _log_apply,
    ),
    "attendance_signatures": RecordType(
        "attendance_signatures", _("Attendance signatures (self check-in)"), ANONYMISE, _("end of the session"),
        "training.Attendance", _signatures_expired, lambda c: Q(pk__in=list(c.holds.attendances)),
        lambda c, r: c.holds.attendances.get(r.pk), _describe_attendance, _signatures_apply,
    ),
}

# What each type's held listing reads along (so listing N held records costs one query).
_LISTING_RELATED = {"audit_log": ("content_type",), "attendance_signatures": ("session",)}


# ---- the plan and the run -------------------------------------------------------------------------


@dataclass
class PlanLine:
    """One record type in a plan or a run: its period and what is due."""

    record_type: RecordType
    days: int
    cutoff: dt.date | None
    expired: int = 0  # past the period, held ones included
    held: list[HeldRecord] = field(default_factory=list)
    applied: int = 0  # deleted or anonymised (a dry run: would be)

    @property
    def due(self) -> int:
        return self.expired - len(self.held)

    def counts(self) -> dict:
        """This line as stored in RetentionRun.counts (counts only, never content)."""
        return {"days": self.days, "cutoff": self.cutoff.isoformat() if self.cutoff else None,
                "expired": self.expired, "held": len(self.held), APPLIED_KEY[self.record_type.action]: self.applied}


def _context(today: dt.date) -> RunContext:
    return RunContext(today=today, cutoffs={key: rt.cutoff(today) for key, rt in RECORD_TYPES.items()},
                      holds=HoldIndex.load())


def _line(context: RunContext, record_type: RecordType) -> tuple[PlanLine, QuerySet | None]:
    """The line of one type and the queryset of what it applies to (None when kept forever)."""
    cutoff = context.cutoffs[record_type.key]
    line = PlanLine(record_type, record_type.days, cutoff)
    if cutoff is None:
        return line, None
    expired = record_type.expired(context, cutoff)
    held_filter = record_type.held(context)
    held_rows = expired.filter(held_filter).select_related(*_LISTING_RELATED.get(record_type.key, ()))
    line.held = [HeldRecord(str(row.pk), record_type.describe(row), record_type.hold_of(context, row))
                 for row in held_rows.order_by("pk")]
    line.expired = expired.count()
    line.applied = line.due
    return line, expired.exclude(held_filter)


def retention_plan(today: dt.date | None = None) -> list[PlanLine]:
    """What a run on `today` (default: today) would do, per record type: a fixed number of queries
    whatever the number of records."""
    context = _context(today or timezone.localdate())
    return [_line(context, record_type)[0] for record_type in RECORD_TYPES.values()]


def apply_retention(*, dry_run: bool, user=None, today: dt.date | None = None) -> tuple[RetentionRun, list[PlanLine]]:
    """Delete or anonymise every record past its period that no legal hold protects, and record the run.

    A dry run computes the same querysets and stores their counts (RetentionRun with dry_run=True)
    but changes nothing else. The real run is one transaction (a failure changes nothing) and
    writes one audit-log entry (`qms.retention`) with the counts, never the removed content.
    Returns the run and its lines (with the held records, for the command's listing).
    """
    today = today or timezone.localdate()
    started = timezone.now()
    with transaction.atomic():
        context = _context(today)
        lines = []
        for record_type in RECORD_TYPES.values():
            line, due = _line(context, record_type)
            if due is not None and not dry_run and line.due:
                line.applied = record_type.apply(context, due)
            lines.append(line)
        run = RetentionRun.objects.create(
            started_at=started, finished_at=timezone.now(), dry_run=dry_run, cutoff_date=today, user=user,
            counts={line.record_type.key: line.counts() for line in lines},
        )
        if not dry_run:
            audit.record(run, RETENTION_ACTION, user=user, counts=run.counts)
    return run, lines


# ---- holds ----------------------------------------------------------------------------------------


def hold_place(*, record_type: str, object_id: str, reason: str, reference: str = "", user=None) -> LegalHold:
    """Put a record under legal hold. Refused (ValueError, with the reason) for an unknown type, a
    record that does not exist, an empty reason, or a record already held."""
    if record_type not in RECORD_TYPES:
        raise ValueError(_("Unknown record type."))
    if not reason.strip():
        raise ValueError(_("Give the reason for the hold."))
    pk = RECORD_TYPES[record_type].resolve(object_id)
    if pk is None:
        raise ValueError(_("There is no such record."))
    with transaction.atomic():
        if LegalHold.objects.filter(record_type=record_type, object_id=pk, released_at__isnull=True).exists():
            raise ValueError(_("This record is already under legal hold."))
        hold = LegalHold.objects.create(record_type=record_type, object_id=pk, reason=reason.strip(),
                                        reference=reference.strip(), placed_by=user)
        audit.record(hold, "wagtail.create", user=user)
    return hold


def hold_release(*, hold: LegalHold, user=None) -> LegalHold:
    """Release a hold (kept, with who released it and when); the next run applies retention to the record."""
    if hold.released_at is not None:
        raise ValueError(_("This hold was already released."))
    hold.released_at, hold.released_by = timezone.now(), user
    hold.save(update_fields=["released_at", "released_by"])
    audit.record(hold, "wagtail.edit", user=user, released=True)
    return hold
