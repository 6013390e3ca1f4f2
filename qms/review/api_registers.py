"""/api/v1/risks and /api/v1/stakeholders: the two registers of the management review.

Mounted on the one NinjaAPI (`qms.api.api`) when the review app is ready (`qms.review.areas`).
Authentication is the API's (a bearer token, or the admin session): none, 401. Reading needs
`qms.review.rules.may_see_registers` (the management representative, top management, internal
auditors): anyone else, 403.

    GET /risks                 every risk and opportunity, highest score first; filters
                               kind=risk|opportunity, status=active|closed,
                               level=low|medium|high|very_high; paginated (limit, offset)
    GET /risks/{id}            one risk or opportunity (404 when there is none)
    GET /stakeholders          every stakeholder by number; filters kind=internal|external,
                               status=active|closed, influence=low|medium|high; paginated
    GET /stakeholders/{id}     one stakeholder

An unknown filter value is a 400 naming the values allowed. `score` is likelihood × impact (1-25);
`level` its band (1-4 low, 5-9 medium, 10-16 high, 20-25 very high); `review_overdue` is true for
an active item whose review date has passed.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from qms.api import ChoiceOut, PersonOut, admin_path, api, choice_out, person_out
from qms.review import rules
from qms.review.models import RISK_LEVEL_LABELS, Influence, RegisterStatus, Risk, RiskKind, Stakeholder, StakeholderKind
from qms.review.sections.registers import LEVEL_SCORES, at_level, review_overdue

risks_router = Router(tags=["review"])
stakeholders_router = Router(tags=["review"])


def _require_registers(request) -> None:
    if not rules.may_see_registers(request.user):
        raise HttpError(403, _("Only the management representative, top management and internal auditors see "
                               "the risk and stakeholder registers."))


def _check_choice(name: str, value: str | None, allowed) -> None:
    if value is not None and value not in allowed:
        raise HttpError(400, _("Unknown %(name)s “%(value)s”: use one of %(allowed)s.")
                        % {"name": name, "value": value, "allowed": ", ".join(allowed)})


class RiskOut(Schema):
    id: int
    code: str
    kind: ChoiceOut
    description: str
    process: str
    likelihood: int
    impact: int
    score: int
    level: ChoiceOut
    treatment: str
    effectiveness: str
    owner: PersonOut
    review_date: date
    review_overdue: bool
    status: ChoiceOut
    updated_at: datetime
    admin_url: str | None

    @staticmethod
    def resolve_kind(obj):
        return choice_out(obj, "kind")

    @staticmethod
    def resolve_level(obj):
        return {"key": obj.level, "label": str(RISK_LEVEL_LABELS[obj.level])}

    @staticmethod
    def resolve_owner(obj):
        return person_out(obj.owner)

    @staticmethod
    def resolve_review_overdue(obj):
        return review_overdue(obj)

    @staticmethod
    def resolve_status(obj):
        return choice_out(obj, "status")

    @staticmethod
    def resolve_admin_url(obj):
        return admin_path("review_risks:inspect", obj.pk)


class StakeholderOut(Schema):
    id: int
    code: str
    name: str
    kind: ChoiceOut
    needs: str
    influence: ChoiceOut
    monitoring: str
    owner: PersonOut | None
    status: ChoiceOut
    updated_at: datetime
    admin_url: str | None

    @staticmethod
    def resolve_kind(obj):
        return choice_out(obj, "kind")

    @staticmethod
    def resolve_influence(obj):
        return choice_out(obj, "influence")

    @staticmethod
    def resolve_owner(obj):
        return person_out(obj.owner)

    @staticmethod
    def resolve_status(obj):
        return choice_out(obj, "status")

    @staticmethod
    def resolve_admin_url(obj):
        return admin_path("review_stakeholders:inspect", obj.pk)


@risks_router.get("", response=list[RiskOut], summary="Riskler ve fırsatlar / risks and opportunities")
@paginate(LimitOffsetPagination)
def list_risks(request, kind: str | None = None, status: str | None = None, level: str | None = None):
    _require_registers(request)
    _check_choice("kind", kind, RiskKind.values)
    _check_choice("status", status, RegisterStatus.values)
    _check_choice("level", level, list(LEVEL_SCORES))
    risks = Risk.objects.select_related("owner").order_by("-score", "code")
    if kind:
        risks = risks.filter(kind=kind)
    if status:
        risks = risks.filter(status=status)
    if level:
        risks = at_level(risks, level)
    return risks


@risks_router.get("/{risk_id}", response=RiskOut, summary="Bir risk ya da fırsat / one risk or opportunity")
def get_risk(request, risk_id: int):
    _require_registers(request)
    return get_object_or_404(Risk.objects.select_related("owner"), pk=risk_id)


@stakeholders_router.get("", response=list[StakeholderOut], summary="Paydaşlar / stakeholders")
@paginate(LimitOffsetPagination)
def list_stakeholders(request, kind: str | None = None, status: str | None = None, influence: str | None = None):
    _require_registers(request)
    _check_choice("kind", kind, StakeholderKind.values)
    _check_choice("status", status, RegisterStatus.values)
    _check_choice("influence", influence, Influence.values)
    stakeholders = Stakeholder.objects.select_related("owner").order_by("code")
    if kind:
        stakeholders = stakeholders.filter(kind=kind)
    if status:
        stakeholders = stakeholders.filter(status=status)
    if influence:
        stakeholders = stakeholders.filter(influence=influence)
    return stakeholders


@stakeholders_router.get("/{stakeholder_id}", response=StakeholderOut, summary="Bir paydaş / one stakeholder")
def get_stakeholder(request, stakeholder_id: int):
    _require_registers(request)
    return get_object_or_404(Stakeholder.objects.select_related("owner"), pk=stakeholder_id)


api.add_router("/risks", risks_router)
api.add_router("/stakeholders", stakeholders_router)
