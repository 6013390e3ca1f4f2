"""/api/v1/callqa: QA scorecards and call evaluations (as visible to the caller).

Mounted on the one NinjaAPI (`qms.api.api`) by `kpi.callqa.api` when the app is ready.
Authentication is the API's (a bearer token, or the admin session): none, 401.

    GET /callqa/scorecards                 every scorecard version (filters: key, status), paginated.
                                           Needs `callqa.view_scorecard` or `callqa.manage_callqa` (403)
    GET /callqa/scorecards/{id}            one version with its sections and criteria
    GET /callqa/evaluations                the evaluations the caller may see (kpi.callqa.access: the QA
                                           lead and the management representative all, a team lead their
                                           team's submitted ones, an evaluator theirs, an agent their own
                                           submitted ones); filters month=YYYY-MM, agent=<code>,
                                           status=assigned|draft|submitted; paginated (limit, offset).
                                           Needs one of the call-QA permissions (403)
    GET /callqa/evaluations/{id}           one evaluation with its criterion scores (the originals after
                                           a re-score) and dispute; one the caller may not see: 404

Scores are numbers 0..100 (two decimals); a criterion's `value` is 0..max or null with `na` true.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from kpi.callqa import access, scoring
from kpi.callqa.models import CriterionScore, Dispute, EvaluationStatus, Scorecard
from kpi.callqa.scoring import Mark
from kpi.callqa.services import response_deadline
from kpi.scorecards import parse_month
from qms.api import ChoiceOut, PersonOut, api, choice_out, person_out

SCORECARD_PERMISSIONS = ("callqa.view_scorecard", "callqa.manage_callqa")
EVALUATION_PERMISSIONS = ("callqa.view_evaluation", "callqa.lead_team", "callqa.evaluate_call",
                          "callqa.receive_evaluation", "callqa.manage_callqa")

scorecards_router = Router(tags=["callqa"])
evaluations_router = Router(tags=["callqa"])


def _require_any(request, perms) -> None:
    if not any(request.user.has_perm(perm) for perm in perms):
        raise HttpError(403, _("You do not have permission for this (%(perm)s).") % {"perm": " / ".join(perms)})


# --- scorecards -------------------------------------------------------------------------------------------


class CriterionOut(Schema):
    id: int
    order: int
    text: str
    guidance: str
    weight: Decimal
    scoring: str
    max_score: int
    allow_na: bool
    critical: str


class SectionOut(Schema):
    id: int
    order: int
    title: str
    criteria: list[CriterionOut]


class ScorecardOut(Schema):
    id: int
    key: str
    version: int
    name: str
    status: ChoiceOut
    pass_score: Decimal
    frozen_at: datetime | None

    @staticmethod
    def resolve_status(obj):
        return choice_out(obj, "status")


class ScorecardDetailOut(ScorecardOut):
    description: str
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj):
        sections: list[dict] = []
        for criterion in scoring.criteria_of(obj):
            if not sections or sections[-1]["id"] != criterion.section_id:
                sections.append({"id": criterion.section_id, "order": criterion.section.order,
                                 "title": criterion.section.title, "criteria": []})
            sections[-1]["criteria"].append({
                "id": criterion.pk, "order": criterion.order, "text": criterion.text, "guidance": criterion.guidance,
                "weight": criterion.weight, "scoring": criterion.scoring, "max_score": criterion.max_score,
                "allow_na": criterion.allow_na, "critical": criterion.critical})
        return sections


@scorecards_router.get("", response=list[ScorecardOut], summary="Değerlendirme formları / QA scorecards")
@paginate(LimitOffsetPagination)
def list_scorecards(request, key: str | None = None, status: str | None = None):
    """Every scorecard version, by key and version (newest first)."""
    _require_any(request, SCORECARD_PERMISSIONS)
    cards = Scorecard.objects.order_by("key", "-version")
    if key:
        cards = cards.filter(key=key)
    if status:
        cards = cards.filter(status=status)
    return cards


@scorecards_router.get("/{scorecard_id}", response=ScorecardDetailOut,
                       summary="Bir değerlendirme formu / one scorecard version")
def get_scorecard(request, scorecard_id: int):
    _require_any(request, SCORECARD_PERMISSIONS)
    return get_object_or_404(Scorecard, pk=scorecard_id)


# --- evaluations -------------------------------------------------------------------------------------------


class AgentRef(Schema):
    code: str
    name: str
    team: str | None


class CallRef(Schema):
    call_id: str
    line: str
    queue: str
    offered_at: datetime
    talk_seconds: int
    hold_seconds: int
    wrap_seconds: int


class ScorecardRef(Schema):
    id: int
    key: str
    version: int
    name: str


class EvaluationOut(Schema):
    id: int
    month: str
    calibration: bool
    call: CallRef
    agent: AgentRef
    evaluator: PersonOut
    scorecard: ScorecardRef
    status: ChoiceOut
    score: Decimal | None
    critical_failed: bool | None
    original_score: Decimal | None
    submitted_at: datetime | None
    acknowledgement: ChoiceOut | None
    dispute: ChoiceOut | None

    @staticmethod
    def resolve_month(obj):
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_calibration(obj):
        return obj.session_id is not None

    @staticmethod
    def resolve_call(obj):
        call = obj.call
        return {"call_id": call.call_id, "line": call.line.name, "queue": call.queue.name,
                "offered_at": call.offered_at, "talk_seconds": call.talk_seconds,
                "hold_seconds": call.hold_seconds, "wrap_seconds": call.wrap_seconds}

    @staticmethod
    def resolve_agent(obj):
        agent = obj.agent
        return {"code": agent.code, "name": agent.display_name, "team": agent.team.name if agent.team_id else None}

    @staticmethod
    def resolve_evaluator(obj):
        return person_out(obj.evaluator)

    @staticmethod
    def resolve_scorecard(obj):
        card = obj.scorecard
        return {"id": card.pk, "key": card.key, "version": card.version, "name": card.name}

    @staticmethod
    def resolve_status(obj):
        return choice_out(obj, "status")

    @staticmethod
    def resolve_critical_failed(obj):
        return obj.critical_failed if obj.status == EvaluationStatus.SUBMITTED else None

    @staticmethod
    def resolve_acknowledgement(obj):
        if obj.status != EvaluationStatus.SUBMITTED or obj.session_id is not None:
            return None
        return choice_out(obj, "acknowledgement")

    @staticmethod
    def resolve_dispute(obj):
        try:
            return choice_out(obj.dispute, "status")
        except Dispute.DoesNotExist:
            return None


class ScoreOut(Schema):
    criterion_id: int
    section: str
    criterion: str
    weight: Decimal
    max_score: int
    value: int | None
    na: bool
    comment: str
    original_value: int | None
    original_na: bool | None


class DisputeOut(Schema):
    status: ChoiceOut
    raised_at: datetime
    reason: str
    decided_at: datetime | None
    decision_note: str


class SectionScoreOut(Schema):
    section_id: int
    title: str
    score: Decimal | None
    zeroed: bool


class EvaluationDetailOut(EvaluationOut):
    feedback: str
    suggestions: str
    response_deadline: date | None
    scores: list[ScoreOut]
    sections: list[SectionScoreOut]
    dispute_detail: DisputeOut | None

    # get_evaluation works these out once and hangs them on the instance.
    @staticmethod
    def resolve_response_deadline(obj):
        return obj._api_deadline

    @staticmethod
    def resolve_scores(obj):
        return obj._api_scores

    @staticmethod
    def resolve_sections(obj):
        return obj._api_sections

    @staticmethod
    def resolve_dispute_detail(obj):
        return obj._api_dispute


def _visible(request):
    return access.evaluations_visible_to(request.user).select_related(
        "call__line", "call__queue", "agent__staff__user", "agent__team", "evaluator", "scorecard", "dispute")


@evaluations_router.get("", response=list[EvaluationOut],
                        summary="Çağrı değerlendirmeleri / call evaluations you may see")
@paginate(LimitOffsetPagination)
def list_evaluations(request, month: str | None = None, agent: str | None = None, status: str | None = None):
    """The evaluations the caller may see, newest month first."""
    _require_any(request, EVALUATION_PERMISSIONS)
    rows = _visible(request).order_by("-month", "-submitted_at", "-pk")
    if month:
        first = parse_month(month)
        if first is None:
            raise HttpError(400, _("Give a month as YYYY-MM."))
        rows = rows.filter(month=first)
    if agent:
        rows = rows.filter(agent__code=agent)
    if status:
        if status not in EvaluationStatus.values:
            raise HttpError(400, _("Unknown status “%(status)s”.") % {"status": status})
        rows = rows.filter(status=status)
    return rows


@evaluations_router.get("/{evaluation_id}", response=EvaluationDetailOut,
                        summary="Bir çağrı değerlendirmesi / one call evaluation")
def get_evaluation(request, evaluation_id: int):
    evaluation = access.evaluation_or_404(request.user, evaluation_id, _visible(request))

    criteria = scoring.criteria_of(evaluation.scorecard)
    stored = {s.criterion_id: s for s in CriterionScore.objects.filter(evaluation=evaluation)}
    scores = []
    for criterion in criteria:
        row = stored.get(criterion.pk)
        scores.append({
            "criterion_id": criterion.pk, "section": criterion.section.title, "criterion": criterion.text,
            "weight": criterion.weight, "max_score": criterion.max_score,
            "value": row.value if row else None, "na": bool(row and row.na), "comment": row.comment if row else "",
            "original_value": row.original_value if row else None, "original_na": row.original_na if row else None})
    sections = []
    if evaluation.status == EvaluationStatus.SUBMITTED:
        result = scoring.compute(criteria, {pk: Mark(s.value, s.na) for pk, s in stored.items()})
        titles = {c.section_id: c.section.title for c in criteria}
        sections = [{"section_id": pk, "title": titles[pk], "score": value, "zeroed": pk in result.failed_sections}
                    for pk, value in result.section_scores.items()]
    try:
        found = evaluation.dispute
    except Dispute.DoesNotExist:
        found = None
    evaluation._api_scores, evaluation._api_sections = scores, sections
    evaluation._api_deadline = response_deadline(evaluation) if evaluation.session_id is None else None
    evaluation._api_dispute = {
        "status": choice_out(found, "status"), "raised_at": found.raised_at, "reason": found.reason,
        "decided_at": found.decided_at, "decision_note": found.decision_note} if found else None
    return evaluation


api.add_router("/callqa/scorecards", scorecards_router)
api.add_router("/callqa/evaluations", evaluations_router)
