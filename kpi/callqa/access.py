"""THE confidentiality rules of call QA (KVKK), in one place. Every list, detail page, export, PDF
and API call of call QA filters with these functions; a record the caller may not see is a 404,
never a 403, so that a guessed URL or id tells nothing.

* Evaluations: `evaluations_visible_to(user)`: all for `callqa.view_evaluation` (QA lead,
  management representative); otherwise the ones the user holds an object grant on
  (`kpi.callqa.grants`): the evaluator, the agent (submitted, not calibration), the team lead.
* Agents: `agents_visible_to(user)`: all for the QA roles and for those who see the call KPIs
  by agent; a team lead their team; an agent themself.
* Coaching tasks and disputes follow their evaluation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from kpi.callqa.models import Agent, CoachingTask, Dispute, Evaluation


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_evaluations(user) -> bool:
    return _active(user) and user.has_perm("callqa.view_evaluation")


def manages_qa(user) -> bool:
    """The QA lead's powers: scorecards, sampling, disputes, calibration sessions."""
    return _active(user) and user.has_perm("callqa.manage_callqa")


def evaluations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Evaluation.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_perm("callqa.view_evaluation"):
        return queryset
    return get_objects_for_user(user, "callqa.view_evaluation", klass=queryset, accept_global_perms=False)


def evaluation_or_404(user, pk, queryset: QuerySet | None = None) -> Evaluation:
    found = evaluations_visible_to(user, queryset).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def own_agent(user) -> Agent | None:
    """The agent profile of this user (through their staff profile), if any."""
    if not _active(user):
        return None
    return Agent.objects.filter(staff__user=user).first()


def agents_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Agent.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_perm("callqa.view_evaluation") or user.has_perm("callqa.view_callkpi"):
        return queryset
    return queryset.filter(Q(team__lead=user) | Q(staff__user=user))


def coaching_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = CoachingTask.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_perm("callqa.view_evaluation"):
        return queryset
    return queryset.filter(Q(owner=user) | Q(agent__team__lead=user) | Q(agent__staff__user=user))


def disputes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Dispute.objects.all() if queryset is None else queryset
    return queryset.filter(evaluation__in=evaluations_visible_to(user).values("pk"))
