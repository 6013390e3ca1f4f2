"""Object-level grants on call evaluations (django-guardian, direct foreign-key table).

Who sees an evaluation beyond the roles that see them all (`callqa.view_evaluation`: the QA lead,
the management representative):
  * its evaluator (always; a calibration evaluation too);
  * the agent it is about, once it is submitted (never a calibration evaluation);
  * the lead of the agent's team, once it is submitted (never a calibration evaluation);
  * the lead of a calibration session, for the session's evaluations.
`sync_evaluation(ev)` makes one evaluation's grants exactly that; it runs when an evaluation is
saved and, for every evaluation of an agent, when the agent's team or staff profile changes or a
team's lead changes (`connect()`), so a new team lead sees the team at once and one who leaves
stops seeing it.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.signals import post_save, pre_save

VIEW = "view_evaluation"


def _view_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="callqa", codename=VIEW)


def wanted_viewers(evaluation) -> set[int]:
    from kpi.callqa.models import EvaluationStatus

    wanted = {evaluation.evaluator_id}
    if evaluation.session_id is not None:
        wanted.add(evaluation.session.lead_id)
    elif evaluation.status == EvaluationStatus.SUBMITTED:
        agent = evaluation.agent
        if agent.staff_id is not None:
            wanted.add(agent.staff.user_id)
        if agent.team_id is not None and agent.team.lead_id is not None:
            wanted.add(agent.team.lead_id)
    wanted.discard(None)
    return wanted


@transaction.atomic
def sync_evaluation(evaluation, permission: Permission | None = None) -> None:
    from kpi.callqa.models import EvaluationUserObjectPermission as Grant

    permission = permission or _view_permission()
    wanted = wanted_viewers(evaluation)
    existing = dict(Grant.objects.filter(content_object=evaluation, permission=permission)
                    .values_list("user_id", "pk"))
    stale = [pk for user_id, pk in existing.items() if user_id not in wanted]
    if stale:
        Grant.objects.filter(pk__in=stale).delete()
    Grant.objects.bulk_create([Grant(content_object=evaluation, user_id=user_id, permission=permission)
                               for user_id in wanted - existing.keys()])


def sync_evaluations(queryset) -> int:
    """Re-derive the grants of many evaluations (an agent's, a team's). Returns how many."""
    permission = _view_permission()
    count = 0
    for evaluation in queryset.select_related("agent__staff", "agent__team", "session"):
        sync_evaluation(evaluation, permission)
        count += 1
    return count


def _evaluation_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    sync_evaluation(instance)


def _agent_before_save(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._callqa_stored = sender.objects.filter(pk=instance.pk).values_list("team_id", "staff_id").first()


def _agent_saved(sender, instance, created, raw=False, **kwargs):
    from kpi.callqa.models import Evaluation

    if raw or created or getattr(instance, "_callqa_stored", None) == (instance.team_id, instance.staff_id):
        return
    sync_evaluations(Evaluation.objects.filter(agent=instance))


def _team_before_save(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._callqa_stored_lead = sender.objects.filter(pk=instance.pk).values_list("lead_id", flat=True).first()


def _team_saved(sender, instance, created, raw=False, **kwargs):
    from kpi.callqa.models import Evaluation

    if raw or created or getattr(instance, "_callqa_stored_lead", None) == instance.lead_id:
        return
    sync_evaluations(Evaluation.objects.filter(agent__team=instance))


def connect() -> None:
    from kpi.callqa.models import Agent, Evaluation, Team

    post_save.connect(_evaluation_saved, sender=Evaluation, dispatch_uid="callqa_grants_evaluation")
    pre_save.connect(_agent_before_save, sender=Agent, dispatch_uid="callqa_grants_agent_before")
    post_save.connect(_agent_saved, sender=Agent, dispatch_uid="callqa_grants_agent")
    pre_save.connect(_team_before_save, sender=Team, dispatch_uid="callqa_grants_team_before")
    post_save.connect(_team_saved, sender=Team, dispatch_uid="callqa_grants_team")
