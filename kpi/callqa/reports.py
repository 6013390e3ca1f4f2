"""The figures of the call-QA reports: read-only, over SUBMITTED regular evaluations (calibration
evaluations, `session` set, never count), always as one viewer may see them.

Every function takes the `viewer` and counts only what `kpi.callqa.access.evaluations_visible_to`
gives them, so a report can never show more than the evaluation pages would; the screens
(`kpi.callqa.views.reports`) add who may open which report (`report_agents`, `report_teams`).
Each function runs a fixed number of queries whatever the number of evaluations, agents or
criteria.

* `agent_month(agent, month, viewer=...)`: one agent's month (the monthly agent report and PDF).
* `team_summary(team, month, viewer=...)`: per agent of a team (or of every team the viewer sees).
* `trends(months, team=None, viewer=...)`: the mean score per month, per team and in total.
* `weakest_criteria(team, months, viewer=...)`: criteria ranked by their average mark in % of
  the criterion's maximum (N/A left out), grouped by scorecard key and criterion text so that
  the versions of one scorecard add up.
* `evaluator_productivity(month, viewer=...)`: per evaluator, the month's sample and how it went.

Figures: a mean score is the plain mean of the evaluations' scores (an evaluation whose every
criterion was N/A has no score and is left out of means, but counted); scores are those in force
(after a re-scored dispute, the new one; `evaluator_productivity` uses the evaluator's own, the
original). Agents are grouped by their team today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from kpi.callqa import scoring
from kpi.callqa.access import agents_visible_to, coaching_visible_to, evaluations_visible_to, sees_all_evaluations
from kpi.callqa.models import (
    Agent,
    CallRollupMonth,
    CoachingTask,
    Criterion,
    CriterionScore,
    Dispute,
    Evaluation,
    EvaluationStatus,
    Scorecard,
    ScoringType,
    Team,
)
from kpi.callqa.scoring import Mark

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# ---- months --------------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first`'s to `last`'s, both included (empty when last < first)."""
    months, current, last = [], month_of(first), month_of(last)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def grace_days() -> int:
    """Days after a month's end an evaluation still counts as on time (the monthly reports go out in
    the first week of the next month): settings.QMS_CALLQA_EVALUATION_GRACE_DAYS."""
    return int(settings.QMS_CALLQA_EVALUATION_GRACE_DAYS)


def submission_deadline(month: dt.date) -> dt.datetime:
    """The moment after which an evaluation of `month` is late: the end (Istanbul time) of the
    month's last day plus the grace days."""
    last = month_end(month) + dt.timedelta(days=grace_days() + 1)
    return timezone.make_aware(dt.datetime.combine(last, dt.time.min), timezone.get_default_timezone())


# ---- who may open which report --------------------------------------------------------------------


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def report_agents(viewer) -> QuerySet:
    """The agents whose monthly report `viewer` may open: every agent for the QA lead and the
    management representative (`callqa.view_evaluation`), their team's for a team lead, themself
    for an agent; nobody else's (an evaluator sees single evaluations, not reports)."""
    if not _active(viewer):
        return Agent.objects.none()
    if sees_all_evaluations(viewer):
        return Agent.objects.all()
    return Agent.objects.filter(Q(team__lead=viewer) | Q(staff__user=viewer))


def report_teams(viewer) -> QuerySet:
    """The teams whose summary, trends and weakest criteria `viewer` may see: all for the QA lead
    and the management representative, the teams they lead for a team lead."""
    if not _active(viewer):
        return Team.objects.none()
    if sees_all_evaluations(viewer):
        return Team.objects.all()
    return Team.objects.filter(lead=viewer)


def sees_team_reports(viewer) -> bool:
    """May open the team reports at all (the QA lead, the management representative, a team lead)."""
    return _active(viewer) and (sees_all_evaluations(viewer) or viewer.has_perm("callqa.lead_team"))


def sees_productivity(viewer) -> bool:
    """Evaluator productivity is for the QA lead and the management representative only."""
    return sees_all_evaluations(viewer)


# ---- the evaluations counted ---------------------------------------------------------------------


def regular_submitted() -> QuerySet:
    return Evaluation.objects.filter(session__isnull=True, status=EvaluationStatus.SUBMITTED)


def visible(viewer, queryset: QuerySet) -> QuerySet:
    """`queryset` limited to the evaluations `viewer` may see, as a plain queryset (the object
    grants become a subquery, so the result can be grouped and aggregated freely)."""
    limited = evaluations_visible_to(viewer, queryset)
    if limited is queryset:  # sees every evaluation
        return queryset
    return queryset.filter(pk__in=limited.values("pk"))


def _mean(total, count) -> Decimal | None:
    if not count or total is None:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(fraction_sum: Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return (HUNDRED * fraction_sum / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


@dataclass
class MonthFigures:
    """A month's evaluations of one agent (or group): how many, the scores, the critical fails."""

    month: dt.date
    evaluations: int = 0
    scored: int = 0  # evaluations with a score (not every criterion N/A)
    mean: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    critical_fails: int = 0


_FIGURES = {
    "n": Count("pk"),
    "scored": Count("score"),
    "total": Sum("score"),
    "low": Min("score"),
    "high": Max("score"),
    "critical": Count("pk", filter=Q(critical_failed=True)),
}


def _figures(month: dt.date, row: dict) -> MonthFigures:
    return MonthFigures(month=month, evaluations=row.get("n") or 0, scored=row.get("scored") or 0,
                        mean=_mean(row.get("total"), row.get("scored")), minimum=row.get("low"),
                        maximum=row.get("high"), critical_fails=row.get("critical") or 0)


# ---- one agent's month ---------------------------------------------------------------------------


@dataclass
class EvaluationLine:
    """One submitted evaluation as the monthly report lists it (no call content: the call's id
    and time only)."""

    pk: int
    call_id: str
    offered_at: dt.datetime
    evaluator: str
    scorecard: str
    score: Decimal | None
    original_score: Decimal | None
    critical_failed: bool
    submitted_at: dt.datetime | None
    acknowledgement: str
    acknowledgement_label: str
    feedback: str
    suggestions: str


@dataclass
class Average:
    """A section's or a criterion's average over the month's evaluations, in % (of the section's
    score formula, or of the criterion's maximum mark)."""

    scorecard: str
    section: str
    text: str  # the criterion ("" for a section)
    percent: Decimal | None
    scored: int  # evaluations (section) or marks (criterion) counted
    na: int = 0  # N/A marks (left out of the average)
    zeros: int = 0  # marks of 0 (a "no", a failed critical criterion)
    critical: bool = False


@dataclass
class CallFigures:
    """The agent's calls of the month from the call rollups (inbound, answered)."""

    answered: int
    aht: float | None  # seconds: talk + hold + wrap-up per answered call
    asa: float | None  # seconds: wait per answered call


@dataclass
class AgentMonth:
    agent: Agent
    month: dt.date
    lines: list[EvaluationLine]
    figures: MonthFigures
    previous: MonthFigures
    sections: list[Average]
    criteria: list[Average]
    calls: CallFigures | None
    coaching_open: int
    several_scorecards: bool = False

    @property
    def change(self) -> Decimal | None:
        """The mean score's change from the month before (points), when both have one."""
        if self.figures.mean is None or self.previous.mean is None:
            return None
        return self.figures.mean - self.previous.mean


def _criteria_by_scorecard(scorecard_ids) -> dict[int, list[Criterion]]:
    found: dict[int, list[Criterion]] = {}
    for criterion in (Criterion.objects.filter(section__scorecard_id__in=scorecard_ids).select_related("section")
                      .order_by("section__scorecard_id", "section__order", "section_id", "order", "pk")):
        found.setdefault(criterion.section.scorecard_id, []).append(criterion)
    return found


def agent_month(agent: Agent, month: dt.date, *, viewer) -> AgentMonth:
    """`agent`'s submitted evaluations of `month` as `viewer` may see them: the list, the mean,
    lowest and highest score, the critical fails, each section's and criterion's average, the
    feedback, the month before for comparison and, for those who may see the agent's call
    figures, the month's answered calls, AHT and ASA. Seven queries at most."""
    month = month_of(month)
    evaluations = list(
        visible(viewer, regular_submitted().filter(agent=agent, month=month))
        .select_related("call", "evaluator", "scorecard").order_by("call__offered_at", "pk")
    )
    lines = [EvaluationLine(
        pk=e.pk, call_id=e.call.call_id, offered_at=e.call.offered_at, evaluator=_person(e.evaluator),
        scorecard=str(e.scorecard), score=e.score, original_score=e.original_score, critical_failed=e.critical_failed,
        submitted_at=e.submitted_at, acknowledgement=e.acknowledgement,
        acknowledgement_label=str(e.get_acknowledgement_display()), feedback=e.feedback, suggestions=e.suggestions,
    ) for e in evaluations]
    scores = [e.score for e in evaluations if e.score is not None]
    figures = MonthFigures(
        month=month, evaluations=len(evaluations), scored=len(scores), mean=_mean(sum(scores, Decimal(0)), len(scores)),
        minimum=min(scores, default=None), maximum=max(scores, default=None),
        critical_fails=sum(1 for e in evaluations if e.critical_failed),
    )
    sections, criteria, several = _averages(evaluations)
    before = previous_month(month)
    previous = _figures(before, visible(viewer, regular_submitted().filter(agent=agent, month=before))
                        .aggregate(**_FIGURES))
    calls = None
    if agents_visible_to(viewer).filter(pk=agent.pk).exists():
        calls = call_figures(agent, month)
    coaching_open = coaching_visible_to(viewer, CoachingTask.objects.filter(
        agent=agent, status=CoachingTask.Status.OPEN)).count()
    return AgentMonth(agent=agent, month=month, lines=lines, figures=figures, previous=previous, sections=sections,
                      criteria=criteria, calls=calls, coaching_open=coaching_open, several_scorecards=several)


def _averages(evaluations: list[Evaluation]) -> tuple[list[Average], list[Average], bool]:
    """Per section (the score formula within the section, critical rules included, averaged over
    the evaluations) and per criterion (the mark in % of its maximum, N/A left out), keyed by
    scorecard key and title/text so that versions of one scorecard add up. Two queries."""
    if not evaluations:
        return [], [], False
    by_card = _criteria_by_scorecard({e.scorecard_id for e in evaluations})
    marks: dict[int, dict[int, Mark]] = {}
    for evaluation_id, criterion_id, value, na in CriterionScore.objects.filter(
            evaluation__in=[e.pk for e in evaluations]).values_list("evaluation_id", "criterion_id", "value", "na"):
        marks.setdefault(evaluation_id, {})[criterion_id] = Mark(value, na)
    keys = {e.scorecard.key for e in evaluations}
    several = len(keys) > 1
    section_sums: dict[tuple, list] = {}  # key -> [scorecard name, title, sum, count]
    criterion_sums: dict[tuple, Average] = {}
    criterion_fractions: dict[tuple, Decimal] = {}
    for evaluation in evaluations:
        card = evaluation.scorecard
        criteria = by_card.get(card.pk, [])
        own = marks.get(evaluation.pk, {})
        result = scoring.compute(criteria, own)
        titles = {}
        for criterion in criteria:
            titles[criterion.section_id] = criterion.section.title
            key = (card.key, criterion.text)
            average = criterion_sums.get(key)
            if average is None:
                average = criterion_sums[key] = Average(scorecard=card.name, section=criterion.section.title,
                                                        text=criterion.text, percent=None, scored=0)
                criterion_fractions[key] = Decimal(0)
            average.critical = average.critical or bool(criterion.critical)
            mark = own.get(criterion.pk)
            if mark is None or mark.value is None:
                if mark is not None and mark.na:
                    average.na += 1
                continue
            average.scored += 1
            average.zeros += mark.value == 0
            criterion_fractions[key] += Decimal(mark.value) / Decimal(criterion.max_score)
        for section_id, title in titles.items():
            key = (card.key, title)
            entry = section_sums.setdefault(key, [card.name, title, Decimal(0), 0])
            value = result.section_scores.get(section_id)
            if value is not None:
                entry[2] += value
                entry[3] += 1
    sections = [Average(scorecard=name, section=title, text="", percent=_mean(total, count), scored=count)
                for name, title, total, count in section_sums.values()]
    criteria = []
    for key, average in criterion_sums.items():
        average.percent = _percent(criterion_fractions[key], average.scored)
        criteria.append(average)
    return sections, criteria, several


def call_figures(agent: Agent, month: dt.date) -> CallFigures:
    """The agent's answered calls, AHT and ASA of `month` from the month rollup (one query)."""
    row = CallRollupMonth.objects.filter(month=month_of(month), agent_key=agent.pk).aggregate(
        answered=Sum("answered"), handle=Sum(F("talk") + F("hold") + F("wrap")), wait=Sum("wait_answered"))
    answered = row["answered"] or 0
    return CallFigures(answered=answered, aht=row["handle"] / answered if answered else None,
                       asa=row["wait"] / answered if answered else None)


# ---- a team's month ------------------------------------------------------------------------------


@dataclass
class AgentSummary:
    agent: Agent
    figures: MonthFigures
    coaching_open: int


@dataclass
class TeamSummary:
    team: Team | None  # None: every team the viewer may see
    month: dt.date
    rows: list[AgentSummary]
    figures: MonthFigures  # the team's: its mean is over every evaluation, not a mean of means
    coaching_open: int


def team_summary(team: Team | None, month: dt.date, *, viewer) -> TeamSummary:
    """Per agent of `team` (None: of every team the viewer may see, and agents without a team for
    those who see every agent): the month's evaluations, mean score, critical fails and open
    coaching tasks; and the team's figures. An inactive agent is listed only with evaluations in
    the month. Three queries."""
    month = month_of(month)
    agents = report_agents(viewer)
    if team is not None:
        agents = agents.filter(team=team)
    agents = sorted(agents.select_related("team", "staff__user"),
                    key=lambda a: (a.team_id is None, a.team.name.casefold() if a.team_id else "", a.code))
    ids = [agent.pk for agent in agents]
    rows = (visible(viewer, regular_submitted().filter(month=month, agent_id__in=ids))
            .values("agent_id").annotate(**_FIGURES).order_by()) if ids else []
    by_agent = {row["agent_id"]: row for row in rows}
    coaching = dict(coaching_visible_to(viewer, CoachingTask.objects.filter(
        status=CoachingTask.Status.OPEN, agent_id__in=ids)).values("agent_id").annotate(n=Count("pk"))
        .order_by().values_list("agent_id", "n")) if ids else {}
    summaries = []
    for agent in agents:
        row = by_agent.get(agent.pk, {})
        if not agent.is_active and not row:
            continue
        summaries.append(AgentSummary(agent=agent, figures=_figures(month, row),
                                      coaching_open=coaching.get(agent.pk, 0)))
    total = {
        "n": sum(r.figures.evaluations for r in summaries),
        "scored": sum(r.figures.scored for r in summaries),
        "total": sum((row["total"] for row in by_agent.values() if row["total"] is not None), Decimal(0)),
        "low": min((r.figures.minimum for r in summaries if r.figures.minimum is not None), default=None),
        "high": max((r.figures.maximum for r in summaries if r.figures.maximum is not None), default=None),
        "critical": sum(r.figures.critical_fails for r in summaries),
    }
    return TeamSummary(team=team, month=month, rows=summaries, figures=_figures(month, total),
                       coaching_open=sum(r.coaching_open for r in summaries))


# ---- trends --------------------------------------------------------------------------------------


@dataclass
class TrendCell:
    month: dt.date
    evaluations: int = 0
    scored: int = 0
    total: Decimal = Decimal(0)

    @property
    def mean(self) -> Decimal | None:
        return _mean(self.total, self.scored)


@dataclass
class TrendRow:
    label: str
    team_id: int | None
    cells: list[TrendCell]
    is_total: bool = False

    @property
    def evaluations(self) -> int:
        return sum(cell.evaluations for cell in self.cells)


@dataclass
class Trends:
    months: list[dt.date]
    rows: list[TrendRow]  # one per team with evaluations in the months
    total: TrendRow  # every evaluation counted (the department, for those who see all)


def trends(months, team: Team | None = None, *, viewer, no_team_label: str = "") -> Trends:
    """The mean score per month, per team (agents by their team today) and in total, over the
    evaluations `viewer` may see. One query."""
    months = sorted({month_of(m) for m in months})
    queryset = regular_submitted().filter(month__in=months)
    if team is not None:
        queryset = queryset.filter(agent__team=team)
    grouped = (visible(viewer, queryset).values("agent__team_id", "agent__team__name", "month")
               .annotate(n=Count("pk"), scored=Count("score"), total=Sum("score")).order_by())
    index = {month: i for i, month in enumerate(months)}
    rows: dict[int | None, TrendRow] = {}
    total = TrendRow(label="", team_id=None, cells=[TrendCell(month) for month in months], is_total=True)
    for row in grouped:
        team_id = row["agent__team_id"]
        trend = rows.get(team_id)
        if trend is None:
            trend = rows[team_id] = TrendRow(label=row["agent__team__name"] or no_team_label, team_id=team_id,
                                             cells=[TrendCell(month) for month in months])
        for cell in (trend.cells[index[row["month"]]], total.cells[index[row["month"]]]):
            cell.evaluations += row["n"]
            cell.scored += row["scored"]
            cell.total += row["total"] or Decimal(0)
    ordered = sorted(rows.values(), key=lambda r: (r.team_id is None, r.label.casefold()))
    return Trends(months=months, rows=ordered, total=total)


# ---- weakest criteria ----------------------------------------------------------------------------


@dataclass
class CriterionFigure:
    scorecard_key: str
    scorecard: str  # the name of the key's newest version
    section: str
    text: str
    percent: Decimal | None
    marks: int  # marks counted (not N/A)
    na: int
    zeros: int
    critical: bool
    _fractions: Decimal = field(default=Decimal(0), repr=False)


def weakest_criteria(team: Team | None, months, *, viewer) -> list[CriterionFigure]:
    """The criteria of the evaluations of `months` (of `team`'s agents; None: every team the
    viewer sees), weakest first: the average mark in % of the criterion's maximum (N/A left out),
    then the most zeros. Criteria of one scorecard key with the same text are one row across the
    key's versions. Two queries."""
    months = sorted({month_of(m) for m in months})
    evaluations = regular_submitted().filter(month__in=months)
    if team is not None:
        evaluations = evaluations.filter(agent__team=team)
    grouped = (CriterionScore.objects.filter(evaluation__in=visible(viewer, evaluations).values("pk"))
               .values("criterion__section__scorecard__key", "criterion__text", "criterion__scoring",
                       "criterion__scale_max", "criterion__section__title", "criterion__critical")
               .annotate(value_sum=Sum("value", filter=Q(na=False)),
                         mark_count=Count("pk", filter=Q(na=False, value__isnull=False)),
                         na_count=Count("pk", filter=Q(na=True)),
                         zero_count=Count("pk", filter=Q(na=False, value=0)))
               .order_by())
    found: dict[tuple, CriterionFigure] = {}
    for row in grouped:
        key = (row["criterion__section__scorecard__key"], row["criterion__text"])
        figure = found.get(key)
        if figure is None:
            figure = found[key] = CriterionFigure(
                scorecard_key=key[0], scorecard="", section=row["criterion__section__title"], text=key[1],
                percent=None, marks=0, na=0, zeros=0, critical=False)
        top = 1 if row["criterion__scoring"] == ScoringType.YES_NO else row["criterion__scale_max"]
        figure.marks += row["mark_count"]
        figure.na += row["na_count"]
        figure.zeros += row["zero_count"]
        figure.critical = figure.critical or bool(row["criterion__critical"])
        figure._fractions += Decimal(row["value_sum"] or 0) / Decimal(top)
    if not found:
        return []
    names: dict[str, str] = {}
    for key, name in (Scorecard.objects.filter(key__in={k for k, _text in found}).order_by("key", "-version")
                      .values_list("key", "name")):
        names.setdefault(key, name)
    for figure in found.values():
        figure.percent = _percent(figure._fractions, figure.marks)
        figure.scorecard = names.get(figure.scorecard_key, figure.scorecard_key)
    return sorted(found.values(), key=lambda f: (f.percent is None, f.percent if f.percent is not None else 0,
                                                 -f.zeros, f.text.casefold()))


# ---- evaluator productivity ----------------------------------------------------------------------


@dataclass
class EvaluatorFigures:
    evaluator_id: int
    name: str
    assigned: int  # regular evaluations of the month given to them, whatever their state
    not_started: int
    drafts: int
    submitted: int
    on_time: int  # submitted before `submission_deadline(month)`
    mean_given: Decimal | None  # the mean of the scores they gave (the original, before a re-score)
    disputes: int  # disputes agents raised against their evaluations
    rescored: int  # of which re-scored by the QA lead
    upheld: int
    open_disputes: int

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def open(self) -> int:
        return self.not_started + self.drafts


def evaluator_productivity(month: dt.date, *, viewer) -> list[EvaluatorFigures]:
    """Per evaluator with regular evaluations of `month`: how many were assigned, are not started,
    in draft, submitted, submitted on time (by the month's end plus `grace_days()`), the mean
    score they gave, and the disputes raised against them and how those were decided. One query."""
    month = month_of(month)
    deadline = submission_deadline(month)
    submitted = Q(status=EvaluationStatus.SUBMITTED)
    rows = (visible(viewer, Evaluation.objects.filter(session__isnull=True, month=month))
            .values("evaluator_id", "evaluator__first_name", "evaluator__last_name", "evaluator__username")
            .annotate(
                assigned=Count("pk"),
                not_started=Count("pk", filter=Q(status=EvaluationStatus.ASSIGNED)),
                drafts=Count("pk", filter=Q(status=EvaluationStatus.DRAFT)),
                submitted=Count("pk", filter=submitted),
                on_time=Count("pk", filter=submitted & Q(submitted_at__lt=deadline)),
                given_total=Sum(Coalesce("original_score", "score"), filter=submitted),
                given=Count(Coalesce("original_score", "score"), filter=submitted),
                disputes=Count("dispute"),
                rescored=Count("dispute", filter=Q(dispute__status=Dispute.Status.RESCORED)),
                upheld=Count("dispute", filter=Q(dispute__status=Dispute.Status.UPHELD)),
                open_disputes=Count("dispute", filter=Q(dispute__status=Dispute.Status.OPEN)),
            ).order_by())
    found = []
    for row in rows:
        name = f"{row['evaluator__first_name']} {row['evaluator__last_name']}".strip() or row["evaluator__username"]
        found.append(EvaluatorFigures(
            evaluator_id=row["evaluator_id"], name=name, assigned=row["assigned"], not_started=row["not_started"],
            drafts=row["drafts"], submitted=row["submitted"], on_time=row["on_time"],
            mean_given=_mean(row["given_total"], row["given"]), disputes=row["disputes"], rescored=row["rescored"],
            upheld=row["upheld"], open_disputes=row["open_disputes"]))
    return sorted(found, key=lambda f: f.name.casefold())
