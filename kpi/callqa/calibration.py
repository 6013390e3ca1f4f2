"""Calibration sessions: several evaluators score the same call; the portal compares them with
the session's lead and with each other.

    create_session(call=, scorecard=, lead=, evaluators=, title=, held_on=, tolerance=, by=) -> session
    close_session(session, *, by)
    results(session) -> Results              everything (the screens and the API shape it per viewer)
    shown_to(results, user) -> Shown         what `user` may see of it (see "Who sees what")
    history(evaluator) -> History            the evaluator's sessions, deviations and flags over time
    sessions_visible_to(user) / session_or_404(user, pk)

**Participants.** The lead (a QA lead, who also holds `callqa.evaluate_call`) and the invited
evaluators each get an evaluation of the call with `session` set, made by
`kpi.callqa.services.assign`; they score it on the normal scoring page. Only submitted evaluations
count in the results. A calibration evaluation never goes to the agent.

**Per criterion** (over the submitted participants, the lead included): every mark, the lowest,
the highest and the standard deviation of the marks given (population form: divided by the number
of marks; N/A is not a number and is left out), the lead's mark, and the percentage agreement: the
share of pairs of participants who gave the same mark (N/A counts as a mark here: two N/A agree).

**Per evaluator:** deviation = evaluator's score − lead's score (points, the scores of
`kpi.callqa.scoring`), flagged when |deviation| > the session's tolerance (default
QMS_CALLQA_CALIBRATION_TOLERANCE = 5 points): exactly 5.00 is within tolerance, 5.01 is flagged.

**Krippendorff's alpha** (`kpi.callqa.agreement`; N/A is a missing value). One session is one
call, so for a single criterion there is one unit only and alpha says nothing (with one unit it is
0 or undefined). Therefore:
  * the session's alpha takes the criteria of the call as the units, each mark as a fraction of the
    criterion's maximum (value / max), interval metric (for yes/no marks this equals nominal alpha);
  * a criterion's alpha takes every session of the scorecard key as the units (the history): the
    marks as given, interval metric for scales, nominal for yes/no; a criterion is followed across
    versions by its section title, text, scoring type and maximum;
  * the key's overall alpha takes every (session, criterion) as a unit, fractions, interval.
Alpha is undefined (shown as "—") without two marks of one unit or when every mark is the same,
and a criterion's alpha is not given before two sessions of the key have two marks of it.

**Who sees what.** The QA lead and the management representative (`callqa.manage_callqa` or
`callqa.view_evaluation`) and the session's lead see everything. An invited evaluator sees the
session in the list; its results only once their own scoring is submitted (so nobody anchors on the
others' marks): while the session is open, their own marks and deviation and the aggregates
(spread, agreement, alpha); once it is closed, also the lead's marks and everyone's marks per
criterion, the other evaluators unnamed ("Evaluator 2"). Another evaluator's deviation is never
shown to them. Anyone else: 404.

**Closing** (the lead or the QA lead): needs the lead's scoring submitted (it is the reference).
Evaluations not submitted by then are withdrawn (deleted: a closed session takes no more scoring),
and the results are final.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.callqa import agreement, scoring
from kpi.callqa.access import manages_qa, sees_all_evaluations
from kpi.callqa.models import (
    CalibrationSession,
    Call,
    Criterion,
    CriterionScore,
    Evaluation,
    EvaluationStatus,
    Outcome,
    Scorecard,
    ScoringType,
)

CLOSED = "callqa.calibration_close"
EVALUATE_PERMISSION = "callqa.evaluate_call"
CENT = Decimal("0.01")
MIN_ALPHA_UNITS = 2  # a criterion's alpha needs two sessions: over one unit alpha is 0 or undefined by construction


def register_log_actions(actions) -> None:
    """The `register_log_actions` hook (views/calibration.py hooks it)."""
    actions.register_action(CLOSED, gettext_lazy("Calibration session closed"),
                            gettext_lazy("Calibration session closed"))


def default_tolerance() -> Decimal:
    return Decimal(str(settings.QMS_CALLQA_CALIBRATION_TOLERANCE)).quantize(CENT)


def flagged(deviation: Decimal | None, tolerance: Decimal) -> bool:
    """Over the tolerance: strictly more than it (5.00 of 5 is within, 5.01 is over)."""
    return deviation is not None and abs(deviation) > tolerance


# --- who sees a session ------------------------------------------------------------------------------------


def oversees(user) -> bool:
    """Sees every session and all of its results: the QA lead, the management representative."""
    return manages_qa(user) or sees_all_evaluations(user)


def sessions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = CalibrationSession.objects.all() if queryset is None else queryset
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return queryset.none()
    if oversees(user):
        return queryset
    takes_part = Evaluation.objects.filter(session=OuterRef("pk"), evaluator=user)
    return queryset.filter(Q(lead=user) | Q(Exists(takes_part)))


def session_or_404(user, pk, queryset: QuerySet | None = None) -> CalibrationSession:
    found = sessions_visible_to(user, queryset).filter(pk=pk).select_related("call__agent", "scorecard", "lead").first()
    if found is None:
        raise Http404
    return found


def may_manage(session: CalibrationSession, user) -> bool:
    """Close it: its lead or the QA lead."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and (session.lead_id == user.pk or manages_qa(user)))


def listed_for(user):
    """The sessions `user` may see, newest first, with the counts and the user's own evaluation
    (a fixed number of queries)."""
    mine = Evaluation.objects.filter(session=OuterRef("pk"), evaluator=user.pk)
    return (sessions_visible_to(user).select_related("call__agent", "scorecard", "lead")
            .annotate(invited=Count("evaluations", distinct=True),
                      submitted=Count("evaluations", filter=Q(evaluations__status=EvaluationStatus.SUBMITTED),
                                      distinct=True),
                      my_evaluation=Subquery(mine.values("pk")[:1]),
                      my_status=Subquery(mine.values("status")[:1]))
            .order_by("-held_on", "-pk"))


# --- making and closing ------------------------------------------------------------------------------------


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def create_session(*, call: Call, scorecard: Scorecard, lead, evaluators, title: str = "",
                   held_on: dt.date | None = None, tolerance: Decimal | None = None, by=None) -> CalibrationSession:
    """A new open session on `call`: one evaluation for the lead and one per invited evaluator.

    Refused: `by` not running call QA; a lead who may not evaluate; no evaluator besides the lead; an
    evaluator who is inactive, may not evaluate, or is the call's own agent; a call not answered or
    without an agent; a scorecard that is not active or has no criteria; a tolerance outside 0..100."""
    from kpi.callqa import services

    by = by or lead
    if not manages_qa(by):
        raise PermissionDenied(_("Only the QA lead runs calibration sessions."))
    errors = []
    if not (lead.is_active and lead.has_perm(EVALUATE_PERMISSION)):
        errors.append(_("The lead scores the call too, as the reference: %(name)s may not evaluate calls.")
                      % {"name": _name(lead)})
    invited, seen = [], {lead.pk}
    for user in evaluators:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        invited.append(user)
    if not invited:
        errors.append(_("Invite at least one evaluator besides the lead."))
    agent_user = call.agent.user_id if call.agent_id else None
    for user in [lead, *invited]:
        if user is not lead and not (user.is_active and user.has_perm(EVALUATE_PERMISSION)):
            errors.append(_("%(name)s may not evaluate calls (inactive, or without the evaluator role).")
                          % {"name": _name(user)})
        if agent_user is not None and user.pk == agent_user:
            errors.append(_("%(name)s is the agent of this call and cannot evaluate it.") % {"name": _name(user)})
    if call.outcome != Outcome.ANSWERED or call.agent_id is None:
        errors.append(_("Call %(call)s cannot be calibrated: only an answered call with an agent has a "
                        "conversation to score.") % {"call": call.call_id})
    if scorecard.status != Scorecard.Status.ACTIVE:
        errors.append(_("“%(name)s” is not the active version of its scorecard.") % {"name": scorecard})
    tolerance = default_tolerance() if tolerance is None else Decimal(tolerance).quantize(CENT)
    if not Decimal(0) <= tolerance <= Decimal(100):
        errors.append(_("The tolerance is in score points, from 0 to 100."))
    title = (title or "").strip() or _("Calibration of call %(call)s") % {"call": call.call_id}
    if len(title) > 150:
        errors.append(_("The title is longer than 150 characters."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = CalibrationSession.objects.create(
            title=title, call=call, scorecard=scorecard, lead=lead, held_on=held_on or timezone.localdate(),
            tolerance=tolerance)
        for user in [lead, *invited]:
            services.assign(call, user, scorecard, session=session, by=by)
    return session


def close_session(session: CalibrationSession, *, by) -> CalibrationSession:
    """Close the session: the results become final, unsubmitted evaluations are withdrawn."""
    from qms.audit import record, record_transition

    if not may_manage(session, by):
        raise PermissionDenied(_("Only the session's lead or the QA lead closes a calibration session."))
    with transaction.atomic():
        session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
        if session.status == CalibrationSession.Status.CLOSED:
            raise ValidationError(_("The session is already closed."))
        evaluations = list(Evaluation.objects.filter(session=session))
        lead_done = any(e.evaluator_id == session.lead_id and e.status == EvaluationStatus.SUBMITTED
                        for e in evaluations)
        if not lead_done:
            raise ValidationError(_("The lead's scoring is the reference: submit it before closing the session."))
        withdrawn = [e for e in evaluations if e.status != EvaluationStatus.SUBMITTED]
        for evaluation in withdrawn:
            record(evaluation, "wagtail.delete", user=by, evaluation=evaluation.pk, reason="calibration closed")
            evaluation.delete()
        session.status = CalibrationSession.Status.CLOSED
        session.save(update_fields=["status"])
        record_transition(session, user=by, from_state=CalibrationSession.Status.OPEN,
                          to_state=CalibrationSession.Status.CLOSED, from_label=CalibrationSession.Status.OPEN.label,
                          to_label=CalibrationSession.Status.CLOSED.label)
        record(session, CLOSED, user=by, session=session.pk, withdrawn=len(withdrawn))
    return session


# --- results -----------------------------------------------------------------------------------------------


def _number(mark: scoring.Mark | None) -> int | None:
    return None if mark is None or mark.na or mark.value is None else mark.value


def _category(mark: scoring.Mark | None):
    """A mark as a category for percentage agreement: its value, "na", or None (no mark)."""
    if mark is None:
        return None
    return "na" if mark.na else mark.value


def spread(values: list[int]) -> tuple[int | None, int | None, float | None]:
    """(lowest, highest, standard deviation (divided by n)) of the marks; Nones without marks."""
    if not values:
        return None, None, None
    mean = sum(values) / len(values)
    return min(values), max(values), math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def criterion_signature(criterion: Criterion) -> tuple:
    """What makes two versions' criteria the same question."""
    return (criterion.section.title, criterion.text, criterion.scoring, criterion.max_score)


@dataclass
class Participant:
    evaluation: Evaluation
    user: object
    is_lead: bool
    submitted: bool
    score: Decimal | None
    deviation: Decimal | None = None  # score - the lead's score
    flagged: bool = False
    marks: dict[int, scoring.Mark] = field(default_factory=dict)  # by criterion id

    @property
    def name(self) -> str:
        return _name(self.user)


@dataclass
class CriterionResult:
    criterion: Criterion
    marks: list[scoring.Mark | None]  # aligned with Results.submitted
    lead_mark: scoring.Mark | None
    minimum: int | None
    maximum: int | None
    sd: float | None
    agreement: float | None  # 0..1
    agreeing_pairs: int
    pairs: int
    history_alpha: float | None  # over every session of the key
    history_sessions: int  # sessions with two or more marks of it

    @property
    def metric(self) -> str:
        return agreement.NOMINAL if self.criterion.scoring == ScoringType.YES_NO else agreement.INTERVAL


@dataclass
class Results:
    session: CalibrationSession
    participants: list[Participant]  # the lead first, then by name
    submitted: list[Participant]
    lead: Participant | None
    criteria: list[CriterionResult]
    session_alpha: float | None  # criteria of this call as units, fractions, interval
    key_alpha: float | None  # every (session, criterion) of the key, fractions, interval
    key_sessions: int
    agreement: float | None  # every pair on every criterion of this session

    @property
    def tolerance(self) -> Decimal:
        return self.session.tolerance

    @property
    def waiting(self) -> list[Participant]:
        return [p for p in self.participants if not p.submitted]

    def participant_of(self, user) -> Participant | None:
        return next((p for p in self.participants if p.user.pk == getattr(user, "pk", None)), None)


def _key_units(key: str) -> tuple[dict[tuple, dict[int, list]], int]:
    """Every submitted mark of the key's sessions: {signature: {session id: [value or None, ...]}}
    (N/A as None), and the number of sessions with a submitted evaluation."""
    rows = (CriterionScore.objects
            .filter(evaluation__session__scorecard__key=key, evaluation__status=EvaluationStatus.SUBMITTED)
            .values_list("evaluation__session_id", "criterion__section__title", "criterion__text",
                         "criterion__scoring", "criterion__scale_max", "value", "na"))
    units: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    sessions = set()
    for session_id, section, text, kind, scale_max, value, na in rows:
        top = 1 if kind == ScoringType.YES_NO else scale_max
        units[(section, text, kind, top)][session_id].append(None if na else value)
        sessions.add(session_id)
    return units, len(sessions)


def results(session: CalibrationSession) -> Results:
    """Every figure of the session (see the module's text); four queries (the session's scorecard loaded)."""
    evaluations = list(Evaluation.objects.filter(session=session).select_related("evaluator")
                       .prefetch_related("scores").order_by("pk"))
    criteria = scoring.criteria_of(session.scorecard)
    participants = []
    for evaluation in evaluations:
        submitted = evaluation.status == EvaluationStatus.SUBMITTED
        participants.append(Participant(
            evaluation=evaluation, user=evaluation.evaluator, is_lead=evaluation.evaluator_id == session.lead_id,
            submitted=submitted, score=evaluation.score if submitted else None,
            marks={s.criterion_id: scoring.Mark(s.value, s.na) for s in evaluation.scores.all()} if submitted else {}))
    participants.sort(key=lambda p: (not p.is_lead, p.name.lower(), p.evaluation.pk))
    lead = next((p for p in participants if p.is_lead and p.submitted), None)
    for participant in participants:
        if participant.is_lead or lead is None or participant.score is None or lead.score is None:
            continue
        participant.deviation = (participant.score - lead.score).quantize(CENT)
        participant.flagged = flagged(participant.deviation, session.tolerance)
    submitted = [p for p in participants if p.submitted]
    history, key_sessions = _key_units(session.scorecard.key)
    rows, session_units, all_categories = [], [], []
    for criterion in criteria:
        marks = [p.marks.get(criterion.pk) for p in submitted]
        numbers = [n for n in (_number(m) for m in marks) if n is not None]
        low, high, sd = spread(numbers)
        categories = [_category(m) for m in marks]
        all_categories.append(categories)
        agreeing, pairs = agreement.pair_counts([categories])
        top = criterion.max_score
        session_units.append([None if n is None else n / top for n in (_number(m) for m in marks)])
        by_session = history.get(criterion_signature(criterion), {})
        metric = agreement.NOMINAL if criterion.scoring == ScoringType.YES_NO else agreement.INTERVAL
        compared = sum(1 for values in by_session.values() if sum(v is not None for v in values) >= 2)
        rows.append(CriterionResult(
            criterion=criterion, marks=marks, lead_mark=lead.marks.get(criterion.pk) if lead else None,
            minimum=low, maximum=high, sd=sd, agreement=agreeing / pairs if pairs else None,
            agreeing_pairs=agreeing, pairs=pairs,
            history_alpha=(agreement.krippendorff_alpha(by_session.values(), metric)
                           if compared >= MIN_ALPHA_UNITS else None),
            history_sessions=compared))
    key_units = [[None if v is None else v / signature[3] for v in values]
                 for signature, by_session in history.items() for values in by_session.values()]
    return Results(session=session, participants=participants, submitted=submitted, lead=lead, criteria=rows,
                   session_alpha=agreement.krippendorff_alpha(session_units, agreement.INTERVAL),
                   key_alpha=agreement.krippendorff_alpha(key_units, agreement.INTERVAL), key_sessions=key_sessions,
                   agreement=agreement.percent_agreement(all_categories))


# --- what a viewer may see ---------------------------------------------------------------------------------

FULL = "full"  # the QA lead, the management representative, the session's lead
OWN = "own"  # a participant, session open: own marks and deviation, the aggregates
CLOSED_VIEW = "closed"  # a participant, session closed: every mark (others unnamed), own deviation
PENDING = "pending"  # a participant who has not submitted: nothing yet


@dataclass
class Column:
    """A participant as a column of the marks table, as the viewer may see them."""

    label: str
    participant: Participant
    is_viewer: bool


@dataclass
class Shown:
    results: Results
    level: str
    columns: list[Column]  # whose marks the viewer sees, in table order
    rows: list[tuple[CriterionResult, list[scoring.Mark | None]]]  # marks aligned with columns
    deviations: list[Participant]  # whose deviation the viewer sees
    show_lead: bool  # the lead's marks and score

    @property
    def sees_all(self) -> bool:
        return self.level == FULL


def level_for(session: CalibrationSession, user, participant: Participant | None) -> str:
    if oversees(user) or session.lead_id == getattr(user, "pk", None):
        return FULL
    if participant is None:
        raise Http404
    if not participant.submitted:
        return PENDING
    return CLOSED_VIEW if session.status == CalibrationSession.Status.CLOSED else OWN


def shown_to(result: Results, user) -> Shown:
    """The part of `result` that `user` may see (module text, "Who sees what"); Http404 for anyone
    who may not see the session at all."""
    session = result.session
    me = result.participant_of(user)
    level = level_for(session, user, me)
    index = {id(p): i for i, p in enumerate(result.submitted)}
    if level == FULL:
        columns = [Column(p.name, p, p is me) for p in result.submitted]
        deviations = [p for p in result.participants if not p.is_lead]
    elif level == PENDING:
        columns, deviations = [], []
    elif level == OWN:
        columns = [Column(_("You"), me, True)]
        deviations = [me]
    else:
        columns, number = [], 0
        for p in result.submitted:
            if p is me:
                columns.append(Column(_("You"), p, True))
            elif p.is_lead:
                columns.append(Column(_("Lead: %(name)s") % {"name": p.name}, p, False))
            else:
                number += 1
                columns.append(Column(_("Evaluator %(number)s") % {"number": number}, p, False))
        deviations = [me]
    rows = [(row, [row.marks[index[id(c.participant)]] for c in columns]) for row in result.criteria]
    return Shown(results=result, level=level, columns=columns, rows=rows, deviations=deviations,
                 show_lead=level in (FULL, CLOSED_VIEW))


# --- an evaluator's history --------------------------------------------------------------------------------


@dataclass
class HistoryRow:
    session: CalibrationSession
    evaluation: Evaluation
    score: Decimal | None
    lead_score: Decimal | None
    deviation: Decimal | None
    flagged: bool

    @property
    def submitted(self) -> bool:
        return self.evaluation.status == EvaluationStatus.SUBMITTED


@dataclass
class History:
    evaluator: object
    rows: list[HistoryRow]  # oldest first

    @property
    def compared(self) -> list[HistoryRow]:
        return [row for row in self.rows if row.deviation is not None]

    @property
    def flag_count(self) -> int:
        return sum(row.flagged for row in self.rows)

    @property
    def mean_abs_deviation(self) -> Decimal | None:
        compared = self.compared
        if not compared:
            return None
        return (sum(abs(row.deviation) for row in compared) / len(compared)).quantize(CENT)

    @property
    def mean_deviation(self) -> Decimal | None:
        compared = self.compared
        if not compared:
            return None
        return (sum(row.deviation for row in compared) / len(compared)).quantize(CENT)


def history(evaluator) -> History:
    """The sessions `evaluator` took part in (not as their lead), oldest first: their score, the
    lead's, the deviation and the flag (two queries)."""
    evaluations = list(Evaluation.objects.filter(session__isnull=False, evaluator=evaluator)
                       .exclude(session__lead=evaluator)
                       .select_related("session__scorecard", "session__call")
                       .order_by("session__held_on", "session_id"))
    leads = dict(Evaluation.objects.filter(session__in=[e.session_id for e in evaluations],
                                           status=EvaluationStatus.SUBMITTED)
                 .filter(evaluator_id=F("session__lead_id")).values_list("session_id", "score"))
    rows = []
    for evaluation in evaluations:
        session = evaluation.session
        score = evaluation.score if evaluation.status == EvaluationStatus.SUBMITTED else None
        lead_score = leads.get(session.pk)
        deviation = (score - lead_score).quantize(CENT) if score is not None and lead_score is not None else None
        rows.append(HistoryRow(session=session, evaluation=evaluation, score=score, lead_score=lead_score,
                               deviation=deviation, flagged=flagged(deviation, session.tolerance)))
    return History(evaluator=evaluator, rows=rows)


def evaluators_with_history():
    """The users who took part in a session other than as its lead (for the QA lead's picker)."""
    from django.contrib.auth import get_user_model

    took_part = Evaluation.objects.filter(session__isnull=False, evaluator=OuterRef("pk")).exclude(
        session__lead=OuterRef("pk"))
    return get_user_model().objects.filter(Exists(took_part)).order_by("first_name", "last_name", "username")
