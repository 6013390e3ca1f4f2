"""THE way call evaluations (and scorecard versions) change: one transaction each, checked, logged.

Views, the API, sampling, calibration, the seed and commands call these functions; nothing else
writes an evaluation, its criterion scores or a dispute. A refusal is a `PermissionDenied` (this
person may not take the step) or a `ValidationError` (the record is not ready for it, or the input
is wrong), each with a message that says what and why; nothing is saved half-way.

    assign(call, evaluator, scorecard, *, sampling=None, session=None, by=None) -> Evaluation
    save_draft(evaluation, marks, comments, feedback, suggestions, *, by) -> Evaluation
    submit(evaluation, marks, comments, feedback, suggestions, *, by) -> Evaluation
    acknowledge(evaluation, *, by) / dispute(evaluation, reason, *, by) -> Dispute
    decide_dispute(dispute, *, upheld, note, marks=None, comments=None, by) -> Dispute
    expire_responses(today) -> int
    save_scorecard(scorecard, *, fields, rows, by) / activate_scorecard / new_scorecard_version

`marks` is {criterion id: scoring.Mark}; `comments` {criterion id: text}. The score is always
computed here (`kpi.callqa.scoring.compute`), never taken from the caller. The audit log gets ids and
states only: no marks, comments, feedback or dispute text (KVKK).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.callqa import coaching, scoring
from kpi.callqa.models import (
    Acknowledgement,
    CalibrationSession,
    Call,
    Criterion,
    CriterionScore,
    CriticalScope,
    Dispute,
    Evaluation,
    EvaluationStatus,
    Outcome,
    SamplingRun,
    Scorecard,
    ScorecardSection,
    ScoringType,
)
from kpi.callqa.scoring import Mark
from qms.audit import record, record_transition

# Audit-log actions of call QA (registered by `register_log_actions`, hooked in views/evaluations.py).
ASSIGNED = "callqa.assign"
DRAFT_SAVED = "callqa.draft"
DISPUTED = "callqa.dispute"
RESCORED = "callqa.rescore"
SCORECARD_ACTIVATED = "callqa.scorecard_activate"
SCORECARD_VERSIONED = "callqa.scorecard_version"

EVALUATE_PERMISSION = "callqa.evaluate_call"
MANAGE_PERMISSION = "callqa.manage_callqa"
TEXT_MAX = 5000  # characters of a comment, the feedback, the suggestions, a dispute's reason or note


def register_log_actions(actions) -> None:
    """The `register_log_actions` hook: the actions above, with their labels."""
    actions.register_action(ASSIGNED, gettext_lazy("Call evaluation assigned"), gettext_lazy("Evaluation assigned"))
    actions.register_action(DRAFT_SAVED, gettext_lazy("Call evaluation draft"), gettext_lazy("Draft saved"))
    actions.register_action(DISPUTED, gettext_lazy("Call evaluation disputed"), gettext_lazy("Evaluation disputed"))
    actions.register_action(RESCORED, gettext_lazy("Call evaluation re-scored"), gettext_lazy("Evaluation re-scored"))
    actions.register_action(SCORECARD_ACTIVATED, gettext_lazy("Scorecard activated"),
                            gettext_lazy("Scorecard version activated"))
    actions.register_action(SCORECARD_VERSIONED, gettext_lazy("Scorecard new version"),
                            gettext_lazy("New scorecard version made"))


# --- small rules -------------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _require_manager(user, message: str) -> None:
    if not (_active(user) and user.has_perm(MANAGE_PERMISSION)):
        raise PermissionDenied(message)


def _text(value, label: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(_("%(field)s is longer than %(max)s characters.") % {"field": label, "max": TEXT_MAX})
    return text


def month_of(call: Call) -> dt.date:
    return call.offered_on.replace(day=1)


def response_deadline(evaluation: Evaluation) -> dt.date | None:
    """The last day the agent may acknowledge or dispute (the submission day + QMS_CALLQA_DISPUTE_DAYS)."""
    if evaluation.submitted_at is None:
        return None
    return timezone.localdate(evaluation.submitted_at) + dt.timedelta(days=settings.QMS_CALLQA_DISPUTE_DAYS)


def agent_user_id(evaluation: Evaluation):
    """The user id of the evaluation's agent (None when the agent has no staff account)."""
    agent = evaluation.agent
    return agent.staff.user_id if agent.staff_id else None


def may_respond(evaluation: Evaluation, user, *, today: dt.date | None = None) -> bool:
    """Whether `user` may acknowledge or dispute now (what the screens use to show the buttons)."""
    try:
        _check_response(evaluation, user, today=today)
    except (PermissionDenied, ValidationError):
        return False
    return True


def _check_response(evaluation: Evaluation, user, *, today: dt.date | None = None) -> None:
    if not _active(user) or agent_user_id(evaluation) != user.pk:
        raise PermissionDenied(_("Only the agent the evaluation is about may acknowledge or dispute it."))
    if evaluation.session_id is not None:
        raise ValidationError(_("A calibration evaluation is not sent to the agent."))
    if evaluation.status != EvaluationStatus.SUBMITTED:
        raise ValidationError(_("The evaluation is not submitted yet."))
    deadline = response_deadline(evaluation)
    if evaluation.acknowledgement == Acknowledgement.ACKNOWLEDGED:
        raise ValidationError(_("You already acknowledged this evaluation."))
    if evaluation.acknowledgement == Acknowledgement.DISPUTED:
        raise ValidationError(_("You already disputed this evaluation."))
    today = today or timezone.localdate()
    if evaluation.acknowledgement == Acknowledgement.EXPIRED or today > deadline:
        raise ValidationError(_("The time to acknowledge or dispute this evaluation ended on %(date)s.")
                              % {"date": f"{deadline:%d.%m.%Y}"})


def _locked(evaluation: Evaluation) -> Evaluation:
    return (Evaluation.objects.select_for_update(of=("self",))
            .select_related("agent__staff", "agent__team", "scorecard", "call").get(pk=evaluation.pk))


def _check_evaluator(evaluation: Evaluation, user) -> None:
    if not _active(user) or evaluation.evaluator_id != user.pk:
        raise PermissionDenied(_("Only the evaluator it is assigned to may score this evaluation."))
    if evaluation.status == EvaluationStatus.SUBMITTED:
        raise ValidationError(_("This evaluation is submitted: it is a quality record and cannot be changed."))
    if evaluation.session_id is not None and evaluation.session.status != CalibrationSession.Status.OPEN:
        raise ValidationError(_("The calibration session is closed: its evaluations cannot be changed."))


def _check_comments(criteria: list[Criterion], comments: Mapping) -> dict[int, str]:
    known = {c.pk: c for c in criteria}
    unknown = sorted(set(comments) - set(known))
    if unknown:
        raise ValidationError(_("Criteria %(ids)s are not on this scorecard.") % {"ids": ", ".join(map(str, unknown))})
    cleaned = {}
    for pk, text in comments.items():
        cleaned[pk] = _text(text, _("The comment on “%(criterion)s”") % {"criterion": known[pk].text})
    return cleaned


def _write_scores(evaluation: Evaluation, criteria: list[Criterion], marks: Mapping[int, Mark],
                  comments: Mapping[int, str]) -> None:
    """The evaluation's criterion scores become exactly `marks` and `comments` (before submission:
    nothing to keep)."""
    CriterionScore.objects.filter(evaluation=evaluation).delete()
    rows = []
    for criterion in criteria:
        mark = marks.get(criterion.pk)
        comment = comments.get(criterion.pk, "")
        if mark is None and not comment:
            continue
        rows.append(CriterionScore(evaluation=evaluation, criterion=criterion,
                                   value=None if mark is None or mark.na else mark.value,
                                   na=bool(mark and mark.na), comment=comment))
    CriterionScore.objects.bulk_create(rows)


# --- assignment ----------------------------------------------------------------------------------------


def assign(call: Call, evaluator, scorecard: Scorecard, *, sampling: SamplingRun | None = None,
           session: CalibrationSession | None = None, by=None) -> Evaluation:
    """Give `call` to `evaluator` to score against `scorecard` (frozen from now on).

    Refused: an evaluator without `callqa.evaluate_call`, a call that was not answered or has no
    agent, a scorecard without criteria, a second regular evaluation of the call by the same
    evaluator (or a second one in the same calibration session). `by` (None for the system, e.g. a
    sampling run) must run call QA."""
    if by is not None:
        _require_manager(by, _("Only the QA lead assigns calls to evaluators."))
    if not _active(evaluator) or not evaluator.has_perm(EVALUATE_PERMISSION):
        raise ValidationError(_("%(name)s may not score calls (no active account with the evaluator role).")
                              % {"name": evaluator.get_full_name() or evaluator.get_username()})
    if call.outcome != Outcome.ANSWERED:
        raise ValidationError(_("Call %(call)s was not answered: there is no conversation to score.")
                              % {"call": call.call_id})
    if call.agent_id is None:
        raise ValidationError(_("Call %(call)s has no agent: there is nobody to evaluate.") % {"call": call.call_id})
    if session is not None and session.call_id != call.pk:
        raise ValidationError(_("The call is not the calibration session's call."))
    with transaction.atomic():
        card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        if not Criterion.objects.filter(section__scorecard=card).exists():
            raise ValidationError(_("A scorecard without criteria cannot be used."))
        if session is None:
            duplicate = Evaluation.objects.filter(call=call, evaluator=evaluator, session__isnull=True).exists()
        else:
            duplicate = Evaluation.objects.filter(session=session, evaluator=evaluator).exists()
        name = evaluator.get_full_name() or evaluator.get_username()
        if duplicate:
            raise ValidationError(_("Call %(call)s is already assigned to %(name)s.") % {"call": call.call_id,
                                                                                          "name": name})
        scoring.freeze(card)
        scorecard.frozen_at = card.frozen_at
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    call=call, agent_id=call.agent_id, scorecard=card, evaluator=evaluator, month=month_of(call),
                    sampling=sampling, session=session)
        except IntegrityError:
            raise ValidationError(_("Call %(call)s is already assigned to %(name)s.") % {
                "call": call.call_id, "name": name}) from None
        record(evaluation, ASSIGNED, user=by, evaluation=evaluation.pk, call=call.pk, evaluator=evaluator.pk,
               scorecard=card.pk, sampling=sampling.pk if sampling else None, session=session.pk if session else None)
    return evaluation


# --- scoring -------------------------------------------------------------------------------------------


def save_draft(evaluation: Evaluation, marks: Mapping[int, Mark], comments: Mapping[int, str] | None = None,
               feedback: str = "", suggestions: str = "", *, by) -> Evaluation:
    """Keep the evaluator's work so far: every given mark must be valid, none is required."""
    with transaction.atomic():
        evaluation = _locked(evaluation)
        _check_evaluator(evaluation, by)
        criteria = scoring.criteria_of(evaluation.scorecard)
        scoring.validate(criteria, dict(marks), complete=False)
        comments = _check_comments(criteria, comments or {})
        feedback = _text(feedback, _("The overall feedback"))
        suggestions = _text(suggestions, _("The development suggestions"))
        _write_scores(evaluation, criteria, marks, comments)
        before = evaluation.status
        evaluation.status = EvaluationStatus.DRAFT
        evaluation.feedback, evaluation.suggestions = feedback, suggestions
        evaluation.save(update_fields=["status", "feedback", "suggestions"])
        record(evaluation, DRAFT_SAVED, user=by, evaluation=evaluation.pk, status_before=before)
    return evaluation


def submit(evaluation: Evaluation, marks: Mapping[int, Mark], comments: Mapping[int, str] | None = None,
           feedback: str = "", suggestions: str = "", *, by) -> Evaluation:
    """Submit the evaluation: every criterion scored (or N/A where allowed); the server computes
    the score and critical fail; the agent (regular evaluations) is told and may answer within
    QMS_CALLQA_DISPUTE_DAYS days; a weak result opens coaching."""
    with transaction.atomic():
        evaluation = _locked(evaluation)
        _check_evaluator(evaluation, by)
        criteria = scoring.criteria_of(evaluation.scorecard)
        marks = dict(marks)
        scoring.validate(criteria, marks, complete=True)
        comments = _check_comments(criteria, comments or {})
        feedback = _text(feedback, _("The overall feedback"))
        suggestions = _text(suggestions, _("The development suggestions"))
        result = scoring.compute(criteria, marks)
        if result.score is None:
            raise ValidationError(_("Every criterion is marked N/A: there is nothing to score. Score at least one "
                                    "criterion."))
        _write_scores(evaluation, criteria, marks, comments)
        before = evaluation.status
        evaluation.status = EvaluationStatus.SUBMITTED
        evaluation.score, evaluation.critical_failed = result.score, result.critical_failed
        evaluation.feedback, evaluation.suggestions = feedback, suggestions
        evaluation.submitted_at = timezone.now()
        evaluation.acknowledgement = Acknowledgement.PENDING
        evaluation.save()  # the post_save signal grants the agent and the team lead (kpi.callqa.grants)
        record_transition(evaluation, user=by, from_state=before, to_state=EvaluationStatus.SUBMITTED,
                          from_label=EvaluationStatus(before).label, to_label=EvaluationStatus.SUBMITTED.label)
        coaching.on_submitted(evaluation)
        if evaluation.session_id is None:
            pk = evaluation.pk
            transaction.on_commit(lambda: notify_agent_submitted(pk))
    return evaluation


# --- the agent's answer -----------------------------------------------------------------------------------


def acknowledge(evaluation: Evaluation, *, by, today: dt.date | None = None) -> Evaluation:
    """The agent confirms they read the evaluation (once, within the window)."""
    with transaction.atomic():
        evaluation = _locked(evaluation)
        _check_response(evaluation, by, today=today)
        evaluation.acknowledgement = Acknowledgement.ACKNOWLEDGED
        evaluation.responded_at = timezone.now()
        evaluation.save(update_fields=["acknowledgement", "responded_at"])
        record_transition(evaluation, user=by, from_state=Acknowledgement.PENDING,
                          to_state=Acknowledgement.ACKNOWLEDGED, from_label=Acknowledgement.PENDING.label,
                          to_label=Acknowledgement.ACKNOWLEDGED.label)
    return evaluation


def dispute(evaluation: Evaluation, reason: str, *, by, today: dt.date | None = None) -> Dispute:
    """The agent objects to the evaluation, saying why (once, within the window); the QA lead decides."""
    with transaction.atomic():
        evaluation = _locked(evaluation)
        _check_response(evaluation, by, today=today)
        reason = _text(reason, _("The reason"))
        if not reason:
            raise ValidationError(_("Say why you dispute the evaluation."))
        now = timezone.now()
        raised = Dispute.objects.create(evaluation=evaluation, raised_by=by, raised_at=now, reason=reason)
        evaluation.acknowledgement = Acknowledgement.DISPUTED
        evaluation.responded_at = now
        evaluation.save(update_fields=["acknowledgement", "responded_at"])
        record(raised, DISPUTED, user=by, evaluation=evaluation.pk, dispute=raised.pk)
    return raised


def decide_dispute(dispute: Dispute, *, upheld: bool, note: str = "", marks: Mapping[int, Mark] | None = None,
                   comments: Mapping[int, str] | None = None, by) -> Dispute:
    """The QA lead upholds the score (with a note saying why) or re-scores with a complete set of
    marks: the first scores stay beside the new ones (CriterionScore.original_value/original_na,
    Evaluation.original_score, each set once) and coaching follows the new result."""
    _require_manager(by, _("Only the QA lead decides disputes."))
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != Dispute.Status.OPEN:
            raise ValidationError(_("This dispute was already decided (%(decision)s).")
                                  % {"decision": dispute.get_status_display()})
        evaluation = _locked(dispute.evaluation)
        note = _text(note, _("The decision note"))
        if upheld:
            if not note:
                raise ValidationError(_("Say why the score stands: the agent reads the note."))
            status = Dispute.Status.UPHELD
        else:
            status = Dispute.Status.RESCORED
            _rescore(evaluation, marks, comments, by=by)
        dispute.status, dispute.decided_by, dispute.decided_at, dispute.decision_note = (
            status, by, timezone.now(), note)
        dispute.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_transition(dispute, user=by, from_state=Dispute.Status.OPEN, to_state=status,
                          from_label=Dispute.Status.OPEN.label, to_label=Dispute.Status(status).label)
        pk = dispute.pk
        transaction.on_commit(lambda: notify_agent_decided(pk))
    return dispute


def _rescore(evaluation: Evaluation, marks, comments, *, by) -> None:
    if marks is None:
        raise ValidationError(_("A re-score needs a score for every criterion."))
    criteria = scoring.criteria_of(evaluation.scorecard)
    marks = dict(marks)
    scoring.validate(criteria, marks, complete=True)
    comments = _check_comments(criteria, comments) if comments is not None else None
    result = scoring.compute(criteria, marks)
    if result.score is None:
        raise ValidationError(_("Every criterion is marked N/A: there is nothing to score. Score at least one "
                                "criterion."))
    stored = {s.criterion_id: s for s in CriterionScore.objects.select_for_update().filter(evaluation=evaluation)}
    changed, created = [], []
    for criterion in criteria:
        mark = marks[criterion.pk]
        row = stored.get(criterion.pk)
        if row is None:
            row = CriterionScore(evaluation=evaluation, criterion=criterion)
            created.append(row)
        else:
            changed.append(row)
        if row.original_na is None:  # the first re-score keeps what the evaluator gave
            row.original_value, row.original_na = row.value, bool(row.na)
        row.value, row.na = (None, True) if mark.na else (mark.value, False)
        if comments is not None:
            row.comment = comments.get(criterion.pk, "")
    CriterionScore.objects.bulk_update(changed, ["value", "na", "comment", "original_value", "original_na"])
    CriterionScore.objects.bulk_create(created)
    before = evaluation.score
    if evaluation.original_score is None:
        evaluation.original_score = evaluation.score
    evaluation.score, evaluation.critical_failed = result.score, result.critical_failed
    evaluation.save(update_fields=["score", "critical_failed", "original_score"])
    record(evaluation, RESCORED, user=by, evaluation=evaluation.pk, changed=before != result.score)
    coaching.on_submitted(evaluation)


def expire_responses(today: dt.date | None = None) -> int:
    """Submitted evaluations the agent left unanswered past the window become "window closed".
    Returns how many. (The window is also checked on every answer: this only keeps lists right.)"""
    today = today or timezone.localdate()
    # past the window: submitted before the start of the day `today - QMS_CALLQA_DISPUTE_DAYS`
    first_open_day = today - dt.timedelta(days=settings.QMS_CALLQA_DISPUTE_DAYS)
    before = timezone.make_aware(dt.datetime.combine(first_open_day, dt.time.min))
    count = 0
    with transaction.atomic():
        stale = (Evaluation.objects.select_for_update().filter(
            session__isnull=True, status=EvaluationStatus.SUBMITTED, acknowledgement=Acknowledgement.PENDING,
            submitted_at__lt=before).order_by("pk"))
        for evaluation in stale:
            evaluation.acknowledgement = Acknowledgement.EXPIRED
            evaluation.save(update_fields=["acknowledgement"])
            record_transition(evaluation, user=None, from_state=Acknowledgement.PENDING,
                              to_state=Acknowledgement.EXPIRED, from_label=Acknowledgement.PENDING.label,
                              to_label=Acknowledgement.EXPIRED.label)
            count += 1
    return count


# --- mail to the agent -------------------------------------------------------------------------------------


def _agent_user(evaluation: Evaluation):
    agent = evaluation.agent
    return agent.staff.user if agent.staff_id else None


def notify_agent_submitted(evaluation_id: int) -> int:
    """Tell the agent a submitted evaluation waits for them (no score in the mail: it is read in the portal)."""
    from qms.mail import absolute_url, send_each

    evaluation = (Evaluation.objects.select_related("agent__staff__user", "call")
                  .filter(pk=evaluation_id).first())
    user = _agent_user(evaluation) if evaluation else None
    if user is None:
        return 0
    url = absolute_url(reverse("callqa:evaluation", args=[evaluation.pk]))
    deadline = response_deadline(evaluation)

    def compose(person):
        subject = _("A call evaluation is waiting for you")
        body = "\n".join([
            _("Dear %(name)s,") % {"name": person.get_full_name() or person.get_username()},
            "",
            _("Your call of %(date)s has been evaluated. Read the evaluation and acknowledge or dispute it by "
              "%(deadline)s:") % {"date": f"{timezone.localtime(evaluation.call.offered_at):%d.%m.%Y %H:%M}",
                                  "deadline": f"{deadline:%d.%m.%Y}"},
            url,
        ])
        return subject, body

    return send_each([user], compose)


def notify_agent_decided(dispute_id: int) -> int:
    from qms.mail import absolute_url, send_each

    found = (Dispute.objects.select_related("evaluation__agent__staff__user").filter(pk=dispute_id).first())
    user = _agent_user(found.evaluation) if found else None
    if user is None:
        return 0
    url = absolute_url(reverse("callqa:evaluation", args=[found.evaluation_id]))

    def compose(person):
        subject = _("Your call evaluation dispute was decided")
        body = "\n".join([
            _("Dear %(name)s,") % {"name": person.get_full_name() or person.get_username()},
            "",
            _("The QA lead decided your dispute: %(decision)s. Read the decision in the portal:")
            % {"decision": found.get_status_display()},
            url,
        ])
        return subject, body

    return send_each([user], compose)


# --- scorecards ------------------------------------------------------------------------------------------


SCORECARD_FIELDS = ("key", "name", "description", "pass_score")
ROW_FIELDS = ("section", "text", "guidance", "weight", "scoring", "scale_max", "allow_na", "critical")


def save_scorecard(scorecard: Scorecard | None, *, fields: Mapping, rows: list[Mapping], by) -> Scorecard:
    """Create a scorecard (`scorecard` None) or rewrite a version that is not frozen: its name,
    description and threshold, and its sections and criteria from `rows` (in order; a row's
    `section` is its section's title, sections follow the order they first appear in).

    A frozen version (one an evaluation uses) is refused with `scoring.ensure_editable`'s message:
    edit a new version instead. Its sections and criteria are never touched."""
    _require_manager(by, _("Only the QA lead edits scorecards."))
    if not rows:
        raise ValidationError(_("A scorecard needs at least one criterion."))
    errors = []
    for index, row in enumerate(rows, start=1):
        if not (row.get("section") or "").strip():
            errors.append(_("Row %(row)s: give the section's title.") % {"row": index})
        if not (row.get("text") or "").strip():
            errors.append(_("Row %(row)s: give the criterion.") % {"row": index})
        weight = row.get("weight")
        if weight is None or Decimal(str(weight)) <= 0:
            errors.append(_("Row %(row)s: the weight must be more than 0.") % {"row": index})
        if row.get("scoring") not in ScoringType.values:
            errors.append(_("Row %(row)s: choose yes/no or a 0..N scale.") % {"row": index})
        elif row["scoring"] == ScoringType.SCALE and not 1 <= int(row.get("scale_max") or 0) <= 100:
            errors.append(_("Row %(row)s: a scale goes from 0 to N, N between 1 and 100.") % {"row": index})
        if (row.get("critical") or "") not in CriticalScope.values:
            errors.append(_("Row %(row)s: unknown critical rule.") % {"row": index})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if scorecard is None:
            key = fields["key"]
            if Scorecard.objects.filter(key=key).exists():
                raise ValidationError(_("A scorecard with the key “%(key)s” exists: edit it or make a new version.")
                                      % {"key": key})
            scorecard = Scorecard(key=key, version=1, created_by=by)
            created = True
        else:
            scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
            scoring.ensure_editable(scorecard)
            created = False
        scorecard.name = fields["name"]
        scorecard.description = fields.get("description", "")
        scorecard.pass_score = fields["pass_score"]
        scorecard.full_clean(exclude=["created_by"])
        scorecard.save()
        ScorecardSection.objects.filter(scorecard=scorecard).delete()  # not frozen: no evaluation uses them
        sections: dict[str, ScorecardSection] = {}
        criteria = []
        for index, row in enumerate(rows, start=1):
            title = row["section"].strip()
            if title not in sections:
                sections[title] = ScorecardSection.objects.create(scorecard=scorecard, order=len(sections) + 1,
                                                                  title=title)
            yes_no = row["scoring"] == ScoringType.YES_NO
            criteria.append(Criterion(
                section=sections[title], order=index, text=row["text"].strip(), guidance=(row.get("guidance") or ""),
                weight=row["weight"], scoring=row["scoring"], scale_max=1 if yes_no else int(row["scale_max"]),
                allow_na=bool(row.get("allow_na")), critical=row.get("critical") or ""))
        Criterion.objects.bulk_create(criteria)
        record(scorecard, "wagtail.create" if created else "wagtail.edit", user=by)
    return scorecard


def activate_scorecard(scorecard: Scorecard, *, by) -> Scorecard:
    """Make this version the one new samples use (the key's other active version retires)."""
    _require_manager(by, _("Only the QA lead activates scorecards."))
    with transaction.atomic():
        scoring.activate(scorecard)
        record(scorecard, SCORECARD_ACTIVATED, user=by, scorecard=scorecard.pk, version=scorecard.version)
    return scorecard


def new_scorecard_version(scorecard: Scorecard, *, by) -> Scorecard:
    """A draft copy of a frozen version, to edit (old evaluations keep the frozen one)."""
    _require_manager(by, _("Only the QA lead makes scorecard versions."))
    if not scorecard.is_frozen:
        raise ValidationError(_("Version %(version)s of “%(name)s” is not in use yet: edit it directly.")
                              % {"version": scorecard.version, "name": scorecard.name})
    with transaction.atomic():
        copy = scoring.new_version(scorecard, user=by)
        record(copy, SCORECARD_VERSIONED, user=by, scorecard=copy.pk, source=scorecard.pk, version=copy.version)
    return copy
