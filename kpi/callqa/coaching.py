"""Coaching after a weak evaluation, and the DÖF when it keeps happening.

`on_submitted(evaluation)` runs when an evaluation is submitted or re-scored: a score under the
scorecard's threshold (`Scorecard.pass_score`) or a failed critical criterion opens a coaching
task for the agent, owned by the agent's team lead (else nobody: the QA lead's list shows it),
due in `QMS_CALLQA_COACHING_DAYS` days. A re-score that lifts the evaluation above the threshold
closes the task it opened while the task is still open. `repeated(agent)` tells whether the agent
has had `QMS_CALLQA_REPEAT_COACHING` coaching tasks within `QMS_CALLQA_REPEAT_WINDOW_DAYS` days:
then the screens offer to raise a DÖF (`raise_dof`).

`complete(task, notes, by)` closes a task (its owner, the agent's team lead or the QA lead);
`raise_dof(agent, by)` opens the DÖF (audits.services.raise_nonconformity, source "Call QA") when
`dof_due(agent)` (repeated since the last DÖF), or when the QA lead forces it with a reason, and
links it on the tasks.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.callqa.models import Agent, CoachingTask, Evaluation, EvaluationStatus


def needs_coaching(evaluation: Evaluation) -> str | None:
    """The reason an evaluation needs coaching, or None."""
    if evaluation.session_id is not None or evaluation.status != EvaluationStatus.SUBMITTED:
        return None
    if evaluation.critical_failed:
        return CoachingTask.Reason.CRITICAL_FAIL
    if evaluation.score is not None and evaluation.score < evaluation.scorecard.pass_score:
        return CoachingTask.Reason.LOW_SCORE
    return None


def on_submitted(evaluation: Evaluation) -> CoachingTask | None:
    """Open (or, after a re-score, update or close) the evaluation's coaching task."""
    reason = needs_coaching(evaluation)
    task = CoachingTask.objects.filter(evaluation=evaluation).first()
    if reason is None:
        if task is not None and task.status == CoachingTask.Status.OPEN:
            task.status = CoachingTask.Status.DONE
            task.done_at = timezone.now()
            task.save(update_fields=["status", "done_at"])
        return task
    if task is not None:
        if task.reason != reason:
            task.reason = reason
            task.save(update_fields=["reason"])
        return task
    agent = evaluation.agent
    owner_id = agent.team.lead_id if agent.team_id and agent.team else None
    return CoachingTask.objects.create(
        agent=agent, evaluation=evaluation, reason=reason, owner_id=owner_id,
        due_on=timezone.localdate() + dt.timedelta(days=settings.QMS_CALLQA_COACHING_DAYS),
    )


def recent_tasks(agent, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=settings.QMS_CALLQA_REPEAT_WINDOW_DAYS)
    return CoachingTask.objects.filter(agent=agent, created_at__date__gte=since)


def repeated(agent, *, today: dt.date | None = None) -> bool:
    return recent_tasks(agent, today=today).count() >= settings.QMS_CALLQA_REPEAT_COACHING


# ---- completing a task, raising the DÖF (the reports area's screens call these) -------------------


def may_complete(task: CoachingTask, user) -> bool:
    """The task's owner, the agent's team lead and the QA lead (`callqa.manage_callqa`) complete it."""
    from kpi.callqa.access import manages_qa

    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    team = task.agent.team if task.agent.team_id else None
    return user.pk == task.owner_id or (team is not None and team.lead_id == user.pk) or manages_qa(user)


@transaction.atomic
def complete(task: CoachingTask, notes: str, by) -> CoachingTask:
    """Mark an open coaching task done with what was done (`notes`, required)."""
    from qms.audit import record_transition

    task = CoachingTask.objects.select_for_update(of=("self",)).select_related("agent__team").get(pk=task.pk)
    if not may_complete(task, by):
        raise PermissionDenied(_("Only the task's owner, the agent's team lead or the QA lead may complete a "
                                 "coaching task."))
    if task.status != CoachingTask.Status.OPEN:
        raise ValidationError(_("This coaching task is already done."))
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": _("Write down what was done in the coaching.")})
    task.status = CoachingTask.Status.DONE
    task.notes = notes
    task.done_at = timezone.now()
    task.save(update_fields=["status", "notes", "done_at"])
    record_transition(task, user=by, from_state=CoachingTask.Status.OPEN, to_state=CoachingTask.Status.DONE,
                      from_label=CoachingTask.Status.OPEN.label, to_label=CoachingTask.Status.DONE.label, note=notes)
    return task


def uncovered_tasks(agent, *, today: dt.date | None = None):
    """The agent's recent coaching tasks (`recent_tasks`) no DÖF has been raised for yet."""
    return recent_tasks(agent, today=today).filter(nonconformity__isnull=True)


def dof_due(agent, *, today: dt.date | None = None) -> bool:
    """A DÖF is called for: the coaching is repeated (`repeated`), and repeated since the last DÖF
    raised for it (as many recent tasks without a DÖF as the threshold), so that one run of
    coaching raises one DÖF, not one per further task."""
    return repeated(agent, today=today) and (
        uncovered_tasks(agent, today=today).count() >= settings.QMS_CALLQA_REPEAT_COACHING)


def may_raise_dof(agent, user) -> bool:
    """The agent's team lead and the QA lead raise a DÖF for repeated coaching."""
    from kpi.callqa.access import manages_qa

    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    team = agent.team if agent.team_id else None
    return (team is not None and team.lead_id == user.pk) or manages_qa(user)


def dof_unit(agent, by):
    """The agent's unit (their staff profile's), else the raiser's (the QA unit), else the department's."""
    if agent.staff_id and agent.staff.unit_id:
        return agent.staff.unit
    profile = getattr(by, "staff_profile", None)
    if profile is not None and profile.unit_id:
        return profile.unit
    from kpi.views.dof import department_top_unit

    return department_top_unit()


def _day(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _score(value) -> str:
    from django.utils.formats import number_format

    return number_format(value, 2) if value is not None else "—"


def dof_description(agent, tasks, *, reason: str = "") -> str:
    """The DÖF's text: the agent's code, their coaching tasks with the reason and score in words;
    never the call, its recording or the evaluator's comments (they stay in call QA)."""
    lines = [
        _("Call QA: agent %(code)s has had %(count)s coaching tasks within %(days)s days (the threshold for a "
          "DÖF is %(threshold)s).") % {"code": agent.code, "count": len(tasks),
                                       "days": settings.QMS_CALLQA_REPEAT_WINDOW_DAYS,
                                       "threshold": settings.QMS_CALLQA_REPEAT_COACHING},
    ]
    if agent.team_id:
        lines.append(_("Team: %(team)s") % {"team": agent.team.name})
    lines += ["", _("Coaching tasks:")]
    for task in tasks:
        evaluation = task.evaluation
        lines.append("- " + _("%(date)s: %(reason)s; score %(score)s (coaching threshold %(threshold)s); due "
                              "%(due)s; %(status)s") % {
            "date": _day(timezone.localtime(task.created_at).date()), "reason": task.get_reason_display(),
            "score": _score(evaluation.score), "threshold": _score(evaluation.scorecard.pass_score),
            "due": _day(task.due_on), "status": task.get_status_display()})
    if not tasks:
        lines.append("- " + _("none in the window"))
    if reason:
        lines += ["", _("Reason given by whoever raised it: %(reason)s") % {"reason": reason}]
    lines += ["", _("The evaluations themselves are confidential and stay in call QA; this form carries no call "
                    "content.")]
    return "\n".join(lines)


@transaction.atomic
def raise_dof(agent: Agent, by, *, reason: str = "", force: bool = False, today: dt.date | None = None):
    """Raise a DÖF (source "Call QA") for the agent's repeated coaching and link it on the tasks.

    Refused unless `dof_due(agent)`, except that the QA lead may `force` it with a `reason`; only
    the agent's team lead and the QA lead may raise it. The DÖF's unit is the agent's (else the
    raiser's, else the department's); its originating record is the latest coaching task."""
    from audits.models import Source
    from audits.services import raise_nonconformity
    from kpi.callqa.access import manages_qa

    agent = Agent.objects.select_related("team", "staff__unit").get(pk=agent.pk)
    if not may_raise_dof(agent, by):
        raise PermissionDenied(_("Only the agent's team lead or the QA lead may raise a DÖF for repeated "
                                 "coaching."))
    reason = (reason or "").strip()
    due = dof_due(agent, today=today)
    if not due:
        if not force:
            raise ValidationError(_("Agent %(code)s has not had %(count)s coaching tasks within %(days)s days since "
                                    "the last DÖF: no DÖF is called for.") % {
                "code": agent.code, "count": settings.QMS_CALLQA_REPEAT_COACHING,
                "days": settings.QMS_CALLQA_REPEAT_WINDOW_DAYS})
        if not manages_qa(by):
            raise PermissionDenied(_("Only the QA lead may raise a DÖF without repeated coaching."))
        if not reason:
            raise ValidationError({"reason": _("Give the reason for raising a DÖF without repeated coaching.")})
    tasks = list(uncovered_tasks(agent, today=today).select_related("evaluation__scorecard")
                 .order_by("created_at", "pk"))
    latest = tasks[-1] if tasks else None
    unit = dof_unit(agent, by)
    if unit is None:
        raise ValidationError(_("There is no unit to make responsible for the DÖF; add the department's units "
                                "first."))
    nc = raise_nonconformity(
        source=Source.CALL_QA,
        title=_("Repeated coaching in call QA: agent %(code)s") % {"code": agent.code},
        description=dof_description(agent, tasks, reason=reason),
        unit=unit, raised_by=by, origin=latest,
        origin_label=_("Coaching tasks of agent %(code)s") % {"code": agent.code},
        origin_url=(reverse("callqa:coaching_task", args=[latest.pk]) if latest is not None
                    else reverse("callqa:coaching") + f"?agent={agent.pk}"),
    )
    if tasks:
        from qms.audit import record

        CoachingTask.objects.filter(pk__in=[t.pk for t in tasks]).update(nonconformity=nc)
        for task in tasks:
            record(task, "wagtail.edit", user=by, nonconformity=nc.code)
    return nc
