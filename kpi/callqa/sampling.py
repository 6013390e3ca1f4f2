"""The monthly QA sample: N answered calls per agent, spread over the month's weeks and the hours
of the day, reproducible from a seed, given to the evaluators with a level workload.

    preview(month, per_agent, seed, ...) -> Plan        what a draw would do; writes nothing
    draw(month, *, per_agent, seed, scorecard, ...) -> SamplingRun   does it (one transaction)

**Who and what.** Every active agent with answered inbound calls in the month (calls without an
agent count in no one's sample). A call that already has a regular evaluation (not calibration)
is never drawn again. An agent with fewer eligible calls than N gets all of them and the plan
says so (`AgentSample.short`).

**Spread.** An agent's calls fall into strata: (ISO week of the day, shift of the hour) with the
shifts 08-12, 12-16, 16-20 and 20-08 (local time, `Call.offered_hour`). Each pick takes the week
picked least so far (of the weeks that still have calls), in it the shift picked least so far, and
in that stratum a random call. So N >= the month's weeks covers every week that has calls, and the
shifts are covered as evenly as the calls allow. Ties are broken by a random generator seeded with
(seed, month, agent code): the same seed and the same data give the same sample, whatever the
order rows come from the database in (calls are ordered by time and call id first).

**Workload.** The evaluators are the ones given, else every active user holding
`callqa.evaluate_call` through a role or a direct permission (superusers are not drawn in unless
they hold it so). Each drawn call goes to the eligible evaluator with the smallest load, ties
broken by an order shuffled from the seed. The load counts the calls given in this draw and, when
`level_open` (the default), the evaluator's open regular evaluations (assigned or draft): the queues
end up level, at most 1 apart, unless someone's open backlog alone is larger than the others' new
work. Without `level_open` the new counts differ by at most 1. Nobody ever gets a call of their own
(an evaluator who is also an agent): those calls are given out first, so the rest can level it.

**Refused** (ValidationError, nothing written): a month after the current one; N outside 1..50; a
scorecard that is not active (the version new samples use) or has no criteria; a month already
sampled with a version of the same scorecard key, unless `replace_unstarted`; an evaluator who is
inactive or may not evaluate; no evaluator; a call nobody but its own agent could evaluate; nothing
to draw (no eligible call). The current month may be sampled (calls so far; the plan notes it).

**Replacing.** With `replace_unstarted=True` the month's earlier runs of the same key give back
their evaluations nobody has started (status "assigned"): they are deleted and their calls may be
drawn again. Started ones (draft, submitted) stay, and count towards the agent's N: an agent with 2
kept evaluations gets N - 2 new ones. The earlier run stays in the list with what it kept.

The evaluations are made by `kpi.callqa.services.assign` (which freezes the scorecard version and
writes the audit log); the run is logged as "callqa.sample".
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kpi.callqa.models import (
    Agent,
    Call,
    Criterion,
    Direction,
    Evaluation,
    EvaluationStatus,
    Outcome,
    SamplingRun,
    Scorecard,
)

SAMPLED = "callqa.sample"
EVALUATE_PERMISSION = "callqa.evaluate_call"
MAX_PER_AGENT = 50
MAX_SEED = 2**63 - 1
# Shifts of the day by the local hour a call was offered: (first hour, hour after the last).
SHIFTS = ((8, 12), (12, 16), (16, 20), (20, 8))
OPEN_STATUSES = (EvaluationStatus.ASSIGNED, EvaluationStatus.DRAFT)


def register_log_actions(actions) -> None:
    """The `register_log_actions` hook (views/sampling.py hooks it)."""
    actions.register_action(SAMPLED, gettext_lazy("Monthly call sample"), gettext_lazy("Call sample drawn"))


def shift_of(hour: int) -> int:
    """The index in SHIFTS of a local hour 0..23."""
    for index, (start, end) in enumerate(SHIFTS):
        if (start <= hour < end) if start < end else (hour >= start or hour < end):
            return index
    raise ValueError(hour)


def shift_label(index: int) -> str:
    start, end = SHIFTS[index]
    return f"{start:02d}–{end:02d}"


def month_start(month: dt.date) -> dt.date:
    return month.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def weeks_of(month: dt.date) -> list[tuple[int, int]]:
    """The ISO weeks (year, week) that have at least one day in the month."""
    day, end, weeks = month_start(month), next_month(month), []
    while day < end:
        week = tuple(day.isocalendar())[:2]
        if week not in weeks:
            weeks.append(week)
        day += dt.timedelta(days=1)
    return weeks


# --- what a plan holds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A call that may be drawn (what the draw needs of it)."""

    pk: int
    call_id: str
    agent_id: int
    offered_at: dt.datetime
    offered_on: dt.date
    hour: int

    @property
    def week(self) -> tuple[int, int]:
        return tuple(self.offered_on.isocalendar())[:2]

    @property
    def shift(self) -> int:
        return shift_of(self.hour)


@dataclass
class AgentSample:
    agent: Agent
    available: int  # eligible calls in the month
    wanted: int  # N less the evaluations kept from a replaced run
    kept: int = 0
    calls: list[Candidate] = field(default_factory=list)
    weeks_with_calls: int = 0

    @property
    def short(self) -> bool:
        return len(self.calls) < self.wanted

    @property
    def weeks(self) -> list[tuple[int, int]]:
        return sorted({call.week for call in self.calls})

    @property
    def shifts(self) -> list[int]:
        return sorted({call.shift for call in self.calls})

    @property
    def week_labels(self) -> list[str]:
        return [_("week %(week)s") % {"week": week} for _year, week in self.weeks]

    @property
    def shift_labels(self) -> list[str]:
        return [shift_label(index) for index in self.shifts]


@dataclass(frozen=True)
class Assignment:
    call: Candidate
    agent: Agent
    evaluator: object  # a user


@dataclass
class EvaluatorLoad:
    user: object
    open: int  # open regular evaluations before the draw (after the replaced ones are withdrawn)
    new: int = 0

    @property
    def total(self) -> int:
        return self.open + self.new


@dataclass
class Plan:
    month: dt.date
    per_agent: int
    seed: int
    scorecard: Scorecard
    level_open: bool
    agents: list[AgentSample]
    evaluators: list[EvaluatorLoad]
    assignments: list[Assignment]
    replaced_runs: list[SamplingRun]
    withdrawn: list[int]  # pks of the unstarted evaluations a replacement deletes
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.assignments)

    @property
    def short_agents(self) -> list[AgentSample]:
        return [sample for sample in self.agents if sample.short]

    def calls_of(self, agent: Agent) -> list[Assignment]:
        return [a for a in self.assignments if a.agent.pk == agent.pk]


# --- checks ------------------------------------------------------------------------------------------------


def default_evaluators():
    """Every active user holding `callqa.evaluate_call` through a group or directly."""
    User = get_user_model()
    return (User.objects.with_perm(EVALUATE_PERMISSION, include_superusers=False,
                                   backend="django.contrib.auth.backends.ModelBackend")
            .filter(is_active=True).order_by("username"))


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _check(month: dt.date, per_agent: int, seed: int, scorecard: Scorecard, evaluators, *, today: dt.date) -> list:
    errors = []
    if month > month_start(today):
        errors.append(_("%(month)s has not started yet: only a month that has begun can be sampled.")
                      % {"month": f"{month:%m.%Y}"})
    if not isinstance(per_agent, int) or not 1 <= per_agent <= MAX_PER_AGENT:
        errors.append(_("Calls per agent must be from 1 to %(max)s.") % {"max": MAX_PER_AGENT})
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        errors.append(_("The seed must be a whole number from 0 to %(max)s.") % {"max": MAX_SEED})
    if scorecard.status != Scorecard.Status.ACTIVE:
        errors.append(_("“%(name)s” is not the active version of its scorecard: samples use the active version.")
                      % {"name": scorecard})
    elif not Criterion.objects.filter(section__scorecard=scorecard).exists():
        errors.append(_("A scorecard without criteria cannot be used."))
    if not evaluators:
        errors.append(_("There is no evaluator to give the calls to: give someone the QA evaluator role first."))
    for user in evaluators:
        if not user.is_active or not user.has_perm(EVALUATE_PERMISSION):
            errors.append(_("%(name)s may not evaluate calls (inactive, or without the evaluator role).")
                          % {"name": _name(user)})
    return errors


def _earlier_runs(month: dt.date, scorecard: Scorecard) -> list[SamplingRun]:
    return list(SamplingRun.objects.filter(month=month, scorecard__key=scorecard.key).order_by("created_at", "pk"))


# --- the draw ------------------------------------------------------------------------------------------------


def _candidates(month: dt.date, withdrawn: list[int]) -> dict[int, list[Candidate]]:
    """The month's eligible calls per agent id, ordered by time and call id."""
    taken = Evaluation.objects.filter(call=OuterRef("pk"), session__isnull=True)
    if withdrawn:
        taken = taken.exclude(pk__in=withdrawn)
    rows = (Call.objects.filter(offered_on__gte=month, offered_on__lt=next_month(month), direction=Direction.INBOUND,
                                outcome=Outcome.ANSWERED, agent__isnull=False, agent__is_active=True)
            .filter(~Exists(taken))
            .order_by("offered_at", "call_id")
            .values_list("pk", "call_id", "agent_id", "offered_at", "offered_on", "offered_hour"))
    found: dict[int, list[Candidate]] = defaultdict(list)
    for pk, call_id, agent_id, offered_at, offered_on, hour in rows.iterator(chunk_size=5000):
        found[agent_id].append(Candidate(pk, call_id, agent_id, offered_at, offered_on, hour))
    return found


def choose(candidates: list[Candidate], wanted: int, rng: random.Random) -> list[Candidate]:
    """`wanted` calls of one agent spread over weeks, then shifts (see the module's text)."""
    if wanted <= 0:
        return []
    candidates = sorted(candidates, key=lambda call: (call.offered_at, call.call_id))
    if len(candidates) <= wanted:
        return candidates
    strata: dict[tuple, list[Candidate]] = defaultdict(list)
    for call in candidates:
        strata[(call.week, call.shift)].append(call)
    week_used: Counter = Counter()
    shift_used: Counter = Counter()
    chosen: list[Candidate] = []
    while len(chosen) < wanted and strata:
        weeks = sorted({week for week, _shift in strata})
        fewest = min(week_used[week] for week in weeks)
        week = rng.choice([w for w in weeks if week_used[w] == fewest])
        shifts = sorted(shift for w, shift in strata if w == week)
        fewest = min(shift_used[shift] for shift in shifts)
        shift = rng.choice([s for s in shifts if shift_used[s] == fewest])
        pool = strata[(week, shift)]
        chosen.append(pool.pop(rng.randrange(len(pool))))
        if not pool:
            del strata[(week, shift)]
        week_used[week] += 1
        shift_used[shift] += 1
    return sorted(chosen, key=lambda call: (call.offered_at, call.call_id))


def _distribute(picks: list[tuple[Candidate, Agent]], loads: list[EvaluatorLoad], seed: int,
                month: dt.date) -> tuple[list[Assignment], list[str]]:
    rng = random.Random(f"callqa-assign:{seed}:{month:%Y-%m}")  # noqa: S311 (reproducible on purpose)
    order = sorted(loads, key=lambda load: (load.user.get_username(), load.user.pk))
    rng.shuffle(order)
    evaluator_ids = {load.user.pk for load in order}
    # Calls of an agent who is also an evaluator have fewer takers: give them out first.
    picks = sorted(picks, key=lambda pick: pick[1].user_id not in evaluator_ids)
    assignments, problems = [], []
    for call, agent in picks:
        eligible = [load for load in order if load.user.pk != agent.user_id]
        if not eligible:
            problems.append(_("Nobody but %(agent)s could evaluate their call %(call)s: add another evaluator.")
                            % {"agent": agent.display_name, "call": call.call_id})
            continue
        best = min(eligible, key=lambda load: load.total)  # min() keeps the first of equals: the seeded order
        best.new += 1
        assignments.append(Assignment(call=call, agent=agent, evaluator=best.user))
    assignments.sort(key=lambda a: (a.agent.code, a.call.offered_at, a.call.call_id))
    return assignments, problems


def _plan(month: dt.date, *, per_agent: int, seed: int, scorecard: Scorecard, evaluators=None,
          replace_unstarted: bool = False, level_open: bool = True, today: dt.date | None = None) -> Plan:
    today = today or timezone.localdate()
    month = month_start(month)
    evaluators = list(default_evaluators() if evaluators is None else evaluators)
    errors = _check(month, per_agent, seed, scorecard, evaluators, today=today)
    if errors:
        raise ValidationError(errors)
    earlier = _earlier_runs(month, scorecard)
    if earlier and not replace_unstarted:
        raise ValidationError(
            _("%(month)s was already sampled with “%(name)s” (seed %(seed)s). Tick “replace the unstarted "
              "evaluations” to draw again: evaluations nobody has started are withdrawn, started ones stay.")
            % {"month": f"{month:%m.%Y}", "name": scorecard.name, "seed": earlier[-1].seed})
    withdrawn, kept = [], Counter()
    if earlier:
        for pk, agent_id, status in (Evaluation.objects.filter(sampling__in=earlier, session__isnull=True)
                                     .values_list("pk", "agent_id", "status")):
            if status == EvaluationStatus.ASSIGNED:
                withdrawn.append(pk)
            else:
                kept[agent_id] += 1
    found = _candidates(month, withdrawn)
    agents = {a.pk: a for a in Agent.objects.filter(pk__in=found).select_related("staff__user")}
    samples, picks = [], []
    for agent in sorted(agents.values(), key=lambda a: a.code):
        candidates = found[agent.pk]
        wanted = max(per_agent - kept[agent.pk], 0)
        rng = random.Random(f"callqa-sample:{seed}:{month:%Y-%m}:{agent.code}")  # noqa: S311 (reproducible)
        sample = AgentSample(agent=agent, available=len(candidates), wanted=wanted, kept=kept[agent.pk],
                             calls=choose(candidates, wanted, rng),
                             weeks_with_calls=len({call.week for call in candidates}))
        samples.append(sample)
        picks += [(call, agent) for call in sample.calls]
    open_counts = dict(
        Evaluation.objects.filter(evaluator__in=[u.pk for u in evaluators], session__isnull=True,
                                  status__in=OPEN_STATUSES).exclude(pk__in=withdrawn)
        .values_list("evaluator").annotate(n=Count("pk")).values_list("evaluator", "n")) if level_open else {}
    loads = [EvaluatorLoad(user=user, open=open_counts.get(user.pk, 0)) for user in evaluators]
    assignments, problems = _distribute(picks, loads, seed, month)
    if problems:
        raise ValidationError(problems)
    if not assignments:
        raise ValidationError(_("There is no call to draw in %(month)s: no answered inbound call of an active agent "
                                "that is not evaluated yet.") % {"month": f"{month:%m.%Y}"})
    notes = []
    if month == month_start(today):
        notes.append(_("%(month)s is not over: only the calls up to today can be drawn.") % {"month": f"{month:%m.%Y}"})
    short = [s for s in samples if s.short]
    if short:
        notes.append(ngettext("%(count)s agent has fewer eligible calls than asked for and gets all of them.",
                              "%(count)s agents have fewer eligible calls than asked for and get all of them.",
                              len(short)) % {"count": len(short)})
    if withdrawn:
        notes.append(ngettext("%(count)s unstarted evaluation of the earlier sample will be withdrawn.",
                              "%(count)s unstarted evaluations of the earlier sample will be withdrawn.",
                              len(withdrawn)) % {"count": len(withdrawn)})
    return Plan(month=month, per_agent=per_agent, seed=seed, scorecard=scorecard, level_open=level_open,
                agents=samples, evaluators=sorted(loads, key=lambda load: _name(load.user)), assignments=assignments,
                replaced_runs=earlier, withdrawn=withdrawn, notes=notes)


def preview(month: dt.date, per_agent: int, seed: int, *, scorecard: Scorecard | None = None, evaluators=None,
            replace_unstarted: bool = False, level_open: bool = True, today: dt.date | None = None) -> Plan:
    """What `draw` would do with the same arguments and the same data, without writing anything.
    `scorecard` defaults to the active version of the first key (there is usually one form)."""
    if scorecard is None:
        scorecard = Scorecard.objects.filter(status=Scorecard.Status.ACTIVE).order_by("key").first()
        if scorecard is None:
            raise ValidationError(_("There is no active scorecard to sample with."))
    return _plan(month, per_agent=per_agent, seed=seed, scorecard=scorecard, evaluators=evaluators,
                 replace_unstarted=replace_unstarted, level_open=level_open, today=today)


def draw(month: dt.date, *, per_agent: int | None = None, seed: int, scorecard: Scorecard, evaluators=None,
         by=None, replace_unstarted: bool = False, level_open: bool = True,
         today: dt.date | None = None) -> SamplingRun:
    """Draw the month's sample and assign it (see the module's text). Returns the run, with the
    plan it carried out as `run.plan`."""
    from django.conf import settings

    from kpi.callqa import services
    from qms.audit import record

    per_agent = settings.QMS_CALLQA_SAMPLE_PER_AGENT if per_agent is None else per_agent
    with transaction.atomic():
        # One draw at a time per scorecard: the second waits, then sees the first's run and is refused.
        Scorecard.objects.select_for_update().filter(key=scorecard.key).order_by("pk").first()
        plan = _plan(month, per_agent=per_agent, seed=seed, scorecard=scorecard, evaluators=evaluators,
                     replace_unstarted=replace_unstarted, level_open=level_open, today=today)
        if plan.withdrawn:
            for evaluation in Evaluation.objects.filter(pk__in=plan.withdrawn, status=EvaluationStatus.ASSIGNED):
                record(evaluation, "wagtail.delete", user=by, evaluation=evaluation.pk, reason="sample replaced")
                evaluation.delete()
        run = SamplingRun.objects.create(month=plan.month, seed=seed, per_agent=per_agent, scorecard=scorecard,
                                         created_by=by)
        calls = Call.objects.in_bulk([a.call.pk for a in plan.assignments])
        for assignment in plan.assignments:
            services.assign(calls[assignment.call.pk], assignment.evaluator, scorecard, sampling=run, by=by)
        record(run, SAMPLED, user=by, run=run.pk, month=f"{plan.month:%Y-%m}", seed=seed, per_agent=per_agent,
               scorecard=scorecard.pk, evaluations=plan.total, agents=len(plan.agents),
               short_agents=len(plan.short_agents), withdrawn=len(plan.withdrawn),
               replaced=[r.pk for r in plan.replaced_runs])
    run.plan = plan
    return run


def runs_with_counts():
    """Every run, newest first, with its evaluations counted (a fixed number of queries)."""
    return (SamplingRun.objects.select_related("scorecard", "created_by")
            .annotate(evaluation_count=Count("evaluations", distinct=True),
                      agent_count=Count("evaluations__agent", distinct=True),
                      submitted_count=Count("evaluations", filter=Q(evaluations__status=EvaluationStatus.SUBMITTED),
                                            distinct=True))
            .order_by("-month", "-created_at", "-pk"))
