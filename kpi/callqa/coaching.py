"""Coaching after a weak evaluation, and the DÖF when it keeps happening.

`on_submitted(evaluation)` runs when an evaluation is submitted or re-scored: a score under the
scorecard's threshold (`Scorecard.pass_score`) or a failed critical criterion opens a coaching
task for the agent, owned by the agent's team lead (else nobody: the QA lead's list shows it),
due in `QMS_CALLQA_COACHING_DAYS` days. A re-score that lifts the evaluation above the threshold
closes the task it opened while the task is still open. `repeated(agent)` tells whether the agent
has had `QMS_CALLQA_REPEAT_COACHING` coaching tasks within `QMS_CALLQA_REPEAT_WINDOW_DAYS` days:
then the screens offer to raise a DÖF (`raise_dof`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from kpi.callqa.models import CoachingTask, Evaluation, EvaluationStatus


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
