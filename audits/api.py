"""/api/v1/audits: audits, their findings, and nonconformities (DÖF) with their steps.

Mounted on the one NinjaAPI (`qms.api.api`) by `AuditsConfig.ready()`, which imports this module
(once per process, so the router is added once). Authentication is the API's (bearer token or the
admin session); every endpoint needs the "admin.access" capability every role has
(`wagtailadmin.access_admin`), else 403; no credentials, 401.

Visibility is `audits.queries`' one rule, as on the screens: audits `audits_visible_to`, findings
`findings_visible_to`, DÖFs `nonconformities_visible_to`. A record outside it is 404, exactly like
an id that does not exist. Messages are in the caller's language (Turkish unless they chose English).

Reading
    GET  /audits                      audits (filters: year, state), paginated (limit, offset)
    GET  /audits/{id}                 one audit: units, team, dates, state, clauses, findings
    GET  /findings                    findings of the audits you see (filters: audit (id), kind)
    GET  /nonconformities             DÖFs (filters: state ("open" = any open step), unit (code,
                                      with the units under it), source, severity, year, overdue)
    GET  /nonconformities/{id}        one DÖF with its 5 whys, actions of every cycle and checks

Raising (other modules and external systems raise DÖFs here)
    POST /nonconformities             {"title", "description", "unit": "ALO153",
                                       "source": "citizen_complaint" (default "staff_suggestion";
                                       not "internal_audit": audit findings open their own),
                                       "clause": "ISO 10002 8.3" (optional)}
                                      -> 201 with the DÖF (its "code" is DÖF-YYYY-NNN); the
                                      management representative triages it.

Steps: each calls the one service of `audits.services` for that step
    POST /nonconformities/{id}/triage {"accept": true, "unit": code, "severity": "major"|"minor",
                                       "clause": "ISO 10002 8.3"} or {"accept": false, "reason": ...}
    POST /nonconformities/{id}/state  {"to": <target state>, ...the step's fields}:
        "cause_analysed"      {"whys": ["…", "…"], "root_cause": "…", "cause_category": "method",
                               "immediate_correction": "…", "correction_date": "2026-03-01"}
                              records (or revises) the root-cause analysis;
        "cause_analysed" with {"effective": false, "note": "…"}: an effectiveness check that finds
                              the actions ineffective reopens the DÖF (a new cycle);
        "actions_planned"     {"effectiveness_due": "2026-05-01"} confirms the action plan;
        "verified_effective"  {"note": "…"} an effectiveness check that finds them effective;
        "closed"              {"note": "…"} closes it (management representative);
        "rejected"            {"reason": "…"} rejects it at triage.
        "actions_done" is not requested: a DÖF gets there when its last action is recorded done.
    POST /nonconformities/{id}/actions {"description", "owner": username, "due_date"} -> 201
    POST /actions/{id}/complete       {"evidence": "…"}
    POST /actions/{id}/cancel         {"reason": "…"}

Refusals: the person may not take the step, 403 {"detail": "message"}; the request's data is
wrong (a field named), 400 {"detail": ["message", …], "fields": {"field": ["message"]}}; the
DÖF is not in a state that allows the step (closing too early, verifying one's own actions),
409 {"detail": ["message", …]}. Nothing is saved when a step is refused.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateField, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from audits import services
from audits.models import (
    OPEN_STATES,
    WHY_FIELDS,
    ActionState,
    Audit,
    CorrectiveAction,
    Finding,
    NCState,
    Nonconformity,
    Source,
)
from audits.queries import audits_visible_to, findings_visible_to, nonconformities_visible_to
from qms.api import ChoiceOut, PersonOut, UnitRef, admin_path, api, choice_out, person_out, require_perm
from qms.models import Clause, Unit

ACCESS_PERMISSION = "wagtailadmin.access_admin"
RAISE_PERMISSION = "audits.add_nonconformity"

router = Router(tags=["audits"])








def _unit(unit):
    return {"code": unit.code, "name": unit.name}


# --- schemas ----------------------------------------------------------------------------------






class FindingOut(Schema):
    id: int
    code: str
    audit: dict
    kind: ChoiceOut
    unit: UnitRef
    clause: str | None
    statement: str
    evidence: str
    nonconformity: str | None
    created_at: datetime

    @staticmethod
    def resolve_audit(obj):
        return {"id": obj.audit_id, "code": obj.audit.code}

    @staticmethod
    def resolve_kind(obj):
        return choice_out(obj, "kind")

    @staticmethod
    def resolve_unit(obj):
        return _unit(obj.unit)

    @staticmethod
    def resolve_clause(obj):
        return obj.clause.reference if obj.clause_id else None

    @staticmethod
    def resolve_nonconformity(obj):
        nc = getattr(obj, "nonconformity", None)
        return nc.code if nc is not None else None


class AuditOut(Schema):
    id: int
    code: str
    title: str
    year: int
    state: ChoiceOut
    planned_start: date
    planned_end: date
    actual_start: date | None
    actual_end: date | None
    lead_auditor: PersonOut
    units: list[UnitRef]
    url: str | None

    @staticmethod
    def resolve_year(obj):
        return obj.programme.year

    @staticmethod
    def resolve_state(obj):
        return choice_out(obj, "state")

    @staticmethod
    def resolve_lead_auditor(obj):
        return person_out(obj.lead_auditor)

    @staticmethod
    def resolve_units(obj):
        return [_unit(unit) for unit in obj.units.all()]

    @staticmethod
    def resolve_url(obj):
        return admin_path("audits:audit", obj.pk)


class AuditDetailOut(AuditOut):
    team: list[PersonOut]
    processes: list[str]
    clauses: list[str]
    summary: str
    findings: list[FindingOut]

    @staticmethod
    def resolve_team(obj):
        return [person_out(user) for user in obj.team.all()]

    @staticmethod
    def resolve_processes(obj):
        return [line.strip() for line in obj.processes.splitlines() if line.strip()]

    @staticmethod
    def resolve_clauses(obj):
        return [clause.reference for clause in obj.clauses.all()]

    @staticmethod
    def resolve_findings(obj):
        return obj.api_findings


class OriginOut(Schema):
    label: str
    url: str | None


class NonconformityOut(Schema):
    id: int
    code: str
    title: str
    source: ChoiceOut
    state: ChoiceOut
    severity: ChoiceOut
    unit: UnitRef
    clause: str | None
    raised_by: PersonOut
    raised_at: datetime
    triaged_at: datetime | None
    cycle: int
    effectiveness_due: date | None
    closed_at: datetime | None
    next_action_due: date | None
    overdue: bool
    finding: str | None
    origin: OriginOut | None
    url: str

    @staticmethod
    def resolve_source(obj):
        return choice_out(obj, "source")

    @staticmethod
    def resolve_state(obj):
        return choice_out(obj, "state")

    @staticmethod
    def resolve_severity(obj):
        return choice_out(obj, "severity")

    @staticmethod
    def resolve_unit(obj):
        return _unit(obj.unit)

    @staticmethod
    def resolve_clause(obj):
        return obj.clause.reference if obj.clause_id else None

    @staticmethod
    def resolve_raised_by(obj):
        return person_out(obj.raised_by)

    @staticmethod
    def resolve_next_action_due(obj):
        return obj.next_due if obj.is_open else None

    @staticmethod
    def resolve_overdue(obj):
        return bool(obj.is_open and obj.next_due and obj.next_due < timezone.localdate())

    @staticmethod
    def resolve_finding(obj):
        return obj.finding.code if obj.finding_id else None

    @staticmethod
    def resolve_origin(obj):
        if not obj.origin_label:
            return None
        return {"label": obj.origin_label, "url": obj.origin_url or None}

    @staticmethod
    def resolve_url(obj):
        return reverse("audits:nonconformity", args=[obj.pk])


class ActionOut(Schema):
    id: int
    cycle: int
    description: str
    owner: PersonOut
    due_date: date
    state: ChoiceOut
    overdue: bool
    evidence: str
    files: list[str]
    completed_by: PersonOut | None
    completed_at: datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_owner(obj):
        return person_out(obj.owner)

    @staticmethod
    def resolve_state(obj):
        return choice_out(obj, "state")

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue

    @staticmethod
    def resolve_files(obj):
        return [f.original_name for f in obj.files.all()]

    @staticmethod
    def resolve_completed_by(obj):
        return person_out(obj.completed_by)


class CheckOut(Schema):
    cycle: int
    effective: bool
    note: str
    checked_by: PersonOut
    checked_at: datetime

    @staticmethod
    def resolve_checked_by(obj):
        return person_out(obj.checked_by)


class NonconformityDetailOut(NonconformityOut):
    description: str
    immediate_correction: str
    correction_date: date | None
    whys: list[str]
    root_cause: str
    cause_category: ChoiceOut | None
    rejection_reason: str
    actions: list[ActionOut]
    checks: list[CheckOut]
    pdf_url: str

    @staticmethod
    def resolve_whys(obj):
        return [getattr(obj, name) for name in WHY_FIELDS if (getattr(obj, name) or "").strip()]

    @staticmethod
    def resolve_cause_category(obj):
        return choice_out(obj, "cause_category")

    @staticmethod
    def resolve_actions(obj):
        return obj.api_actions

    @staticmethod
    def resolve_checks(obj):
        return obj.api_checks

    @staticmethod
    def resolve_pdf_url(obj):
        return reverse("audits:nonconformity_pdf", args=[obj.pk])


class ErrorOut(Schema):
    detail: list[str]
    fields: dict[str, list[str]] | None = None


ERRORS = {400: ErrorOut, 409: ErrorOut}


class RaiseIn(Schema):
    title: str
    description: str
    unit: str
    source: str = Source.STAFF_SUGGESTION.value
    clause: str | None = None
    immediate_correction: str = ""
    origin_label: str = ""  # the caller's own record, e.g. "HİM 2026/123456"
    origin_url: str = ""  # and its address (http(s)), shown as the DÖF's source link


class TriageIn(Schema):
    accept: bool = True
    unit: str | None = None
    severity: str | None = None
    clause: str | None = None
    reason: str = ""


class StateIn(Schema):
    to: str
    whys: list[str] | None = None
    root_cause: str | None = None
    cause_category: str | None = None
    immediate_correction: str | None = None
    correction_date: date | None = None
    effectiveness_due: date | None = None
    effective: bool | None = None
    note: str = ""
    reason: str = ""


class ActionIn(Schema):
    description: str
    owner: str
    due_date: date


class CompleteIn(Schema):
    evidence: str


class CancelIn(Schema):
    reason: str


# --- helpers ------------------------------------------------------------------------------------


class _BadRequest(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


def _refusal(error: ValidationError):
    """(status, body) for a service's ValidationError: 400 when it names fields, 409 otherwise."""
    if hasattr(error, "error_dict"):
        fields = {
            name: [m for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
        messages = [m for values in fields.values() for m in values]
        named = {k: v for k, v in fields.items() if k != NON_FIELD_ERRORS}
        if named:
            return 400, {"detail": messages, "fields": named}
        return 409, {"detail": messages}
    return 409, {"detail": error.messages}


def _run(step):
    """Run a service call in one transaction and turn its refusals into API answers."""
    try:
        with transaction.atomic():
            return step()
    except _BadRequest as error:
        return 400, {"detail": [error.message], "fields": {error.field: [error.message]}}
    except PermissionDenied as error:
        raise HttpError(403, str(error) or _("You may not take this step.")) from None
    except ValidationError as error:
        return _refusal(error)


def _unit_by_code(code: str, field: str = "unit") -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise _BadRequest(field, _("No active unit has the code “%(code)s”.") % {"code": code})
    return unit


def _clause_by_reference(reference: str | None, field: str = "clause") -> Clause | None:
    """"ISO 10002 8.3" (or "ISO 10002:2018 8.3") -> the clause."""
    if not reference or not reference.strip():
        return None
    standard, _sep, number = reference.strip().rpartition(" ")
    standard = standard.split(":")[0].strip()
    clause = Clause.objects.filter(standard__code__iexact=standard, number=number).first() if standard else None
    if clause is None:
        raise _BadRequest(field, _("No clause “%(ref)s”; write it as the standard and the number, "
                                   "e.g. “ISO 10002 8.3”.") % {"ref": reference})
    return clause


def _nonconformity_queryset():
    next_due = (
        CorrectiveAction.objects.filter(nonconformity=OuterRef("pk"), state=ActionState.PLANNED)
        .order_by("due_date").values("due_date")[:1]
    )
    return (
        Nonconformity.objects.select_related("unit", "clause__standard", "raised_by", "finding__audit__programme")
        .annotate(next_due=Subquery(next_due, output_field=DateField()))
        .order_by("-raised_at", "-pk")
    )


def _visible_nonconformity(user, pk: int) -> Nonconformity:
    return get_object_or_404(nonconformities_visible_to(user, _nonconformity_queryset()), pk=pk)


def _detail(user, pk: int) -> Nonconformity:
    nc = _visible_nonconformity(user, pk)
    nc.api_actions = list(
        nc.actions.select_related("owner", "completed_by").prefetch_related("files").order_by("cycle", "due_date", "pk")
    )
    nc.api_checks = list(nc.checks.select_related("checked_by").order_by("checked_at", "pk"))
    return nc


def _visible_action(user, pk: int) -> CorrectiveAction:
    visible = nonconformities_visible_to(user).values("pk")
    return get_object_or_404(
        CorrectiveAction.objects.select_related("nonconformity__unit", "owner", "completed_by")
        .filter(nonconformity__in=visible),
        pk=pk,
    )


# --- audits and findings --------------------------------------------------------------------------


@router.get("/audits", response=list[AuditOut], summary="Tetkikler / audits you may see")
@paginate(LimitOffsetPagination)
def list_audits(request, year: int | None = None, state: str | None = None):
    """The audits you may see (the programme's overseers all; an auditor theirs; a unit manager
    those of their units), by planned start. `year` is the programme's year, `state` an audit state."""
    require_perm(request, ACCESS_PERMISSION)
    audits = audits_visible_to(
        request.user,
        Audit.objects.select_related("programme", "lead_auditor").prefetch_related("units")
        .order_by("programme__year", "planned_start", "number"),
    )
    if year:
        audits = audits.filter(programme__year=year)
    if state:
        audits = audits.filter(state=state)
    return audits


@router.get("/audits/{audit_id}", response=AuditDetailOut, summary="Bir tetkik / one audit")
def get_audit(request, audit_id: int):
    """One audit: scope (units, processes, clauses), team, dates, state, summary and findings."""
    require_perm(request, ACCESS_PERMISSION)
    audit = get_object_or_404(
        audits_visible_to(
            request.user,
            Audit.objects.select_related("programme", "lead_auditor")
            .prefetch_related("units", "team", "clauses__standard"),
        ),
        pk=audit_id,
    )
    audit.api_findings = list(
        audit.findings.select_related("audit__programme", "unit", "clause__standard", "nonconformity")
        .order_by("number")
    )
    return audit


@router.get("/findings", response=list[FindingOut], summary="Bulgular / findings of the audits you may see")
@paginate(LimitOffsetPagination)
def list_findings(request, audit: int | None = None, kind: str | None = None):
    """Findings of the audits you may see. `audit` is an audit id, `kind` one of major_nc,
    minor_nc, observation, improvement."""
    require_perm(request, ACCESS_PERMISSION)
    findings = findings_visible_to(
        request.user,
        Finding.objects.select_related("audit__programme", "unit", "clause__standard", "nonconformity")
        .order_by("audit__programme__year", "audit__number", "number"),
    )
    if audit:
        findings = findings.filter(audit_id=audit)
    if kind:
        findings = findings.filter(kind=kind)
    return findings


# --- nonconformities ------------------------------------------------------------------------------


@router.get("/nonconformities", response=list[NonconformityOut], summary="DÖF'ler / nonconformities you may see")
@paginate(LimitOffsetPagination)
def list_nonconformities(
    request,
    state: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    severity: str | None = None,
    year: int | None = None,
    overdue: bool | None = None,
):
    """The DÖFs you may see, newest first. `state` is a DÖF state or "open" (any open step); `unit`
    a unit code (with the units under it); `overdue=true` keeps open DÖFs with an action past its
    due date (`false`: the others)."""
    require_perm(request, ACCESS_PERMISSION)
    today = timezone.localdate()
    ncs = nonconformities_visible_to(request.user, _nonconformity_queryset())
    if state == "open":
        ncs = ncs.filter(state__in=OPEN_STATES)
    elif state:
        ncs = ncs.filter(state=state)
    if unit:
        scope = Unit.objects.filter(code=unit).first()
        ncs = ncs.filter(unit__path__startswith=scope.path) if scope else ncs.none()
    if source:
        ncs = ncs.filter(source=source)
    if severity:
        ncs = ncs.filter(severity=severity)
    if year:
        ncs = ncs.filter(raised_at__year=year)
    if overdue is not None:
        late = Q(state__in=OPEN_STATES, pk__in=CorrectiveAction.objects.filter(
            state=ActionState.PLANNED, due_date__lt=today).values("nonconformity_id"))
        ncs = ncs.filter(late) if overdue else ncs.exclude(late)
    return ncs


@router.get("/nonconformities/{nc_id}", response=NonconformityDetailOut, summary="Bir DÖF / one nonconformity")
def get_nonconformity(request, nc_id: int):
    """One DÖF: its description, correction, 5 whys and root cause, the actions of every cycle and
    the effectiveness checks."""
    require_perm(request, ACCESS_PERMISSION)
    return _detail(request.user, nc_id)


@router.post("/nonconformities", response={201: NonconformityDetailOut, **ERRORS},
             summary="DÖF aç / raise a nonconformity")
def raise_nonconformity(request, payload: RaiseIn):
    """Raise a DÖF (numbered DÖF-YYYY-NNN) for the management representative to triage."""
    require_perm(request, ACCESS_PERMISSION)
    require_perm(request, RAISE_PERMISSION)
    user = request.user

    def step():
        if payload.source == Source.INTERNAL_AUDIT:
            raise _BadRequest("source", _("Internal-audit DÖFs are opened by the audit's findings."))
        if payload.source not in Source.values:
            raise _BadRequest("source", _("Unknown source “%(source)s”.") % {"source": payload.source})
        nc = services.raise_nonconformity(
            source=payload.source, title=payload.title, description=payload.description,
            unit=_unit_by_code(payload.unit), clause=_clause_by_reference(payload.clause), raised_by=user,
            immediate_correction=payload.immediate_correction, origin_label=payload.origin_label,
            origin_url=payload.origin_url,
        )
        return 201, nc

    result = _run(step)
    if result[0] != 201:
        return result
    return 201, _detail(user, result[1].pk)


@router.post("/nonconformities/{nc_id}/triage", response={200: NonconformityDetailOut, **ERRORS},
             summary="Ön değerlendirme / triage")
def triage(request, nc_id: int, payload: TriageIn):
    """Accept (with the responsible unit, severity, clause) or reject (with the reason) a raised DÖF."""
    require_perm(request, ACCESS_PERMISSION)
    nc = _visible_nonconformity(request.user, nc_id)

    def step():
        return services.nonconformity_triage(
            nonconformity=nc, user=request.user, accept=payload.accept,
            unit=_unit_by_code(payload.unit) if payload.unit else None,
            severity=payload.severity or None, clause=_clause_by_reference(payload.clause), reason=payload.reason,
        )

    result = _run(step)
    if isinstance(result, tuple):
        return result
    return _detail(request.user, nc_id)


def _state_step(request, nc: Nonconformity, payload: StateIn):
    """The service of the step that takes `nc` to `payload.to`."""
    user = request.user
    to = payload.to
    if to == NCState.CAUSE_ANALYSED and payload.effective is False:
        return lambda: services.effectiveness_check_record(nonconformity=nc, user=user, effective=False,
                                                           note=payload.note)
    if to == NCState.CAUSE_ANALYSED:
        return lambda: services.nonconformity_analyse(
            nonconformity=nc, user=user, whys=payload.whys or [], root_cause=payload.root_cause or "",
            cause_category=payload.cause_category or "", immediate_correction=payload.immediate_correction,
            correction_date=payload.correction_date,
        )
    if to == NCState.ACTIONS_PLANNED:
        if payload.effectiveness_due is None:
            message = _("Set the date from which the effectiveness is to be checked.")
            raise _BadRequest("effectiveness_due", message)
        return lambda: services.nonconformity_plan(nonconformity=nc, user=user,
                                                   effectiveness_due=payload.effectiveness_due)
    if to == NCState.VERIFIED:
        return lambda: services.effectiveness_check_record(nonconformity=nc, user=user, effective=True,
                                                           note=payload.note)
    if to == NCState.CLOSED:
        return lambda: services.nonconformity_close(nonconformity=nc, user=user, note=payload.note)
    if to == NCState.REJECTED:
        return lambda: services.nonconformity_triage(nonconformity=nc, user=user, accept=False, reason=payload.reason)
    if to == NCState.ACTIONS_DONE:
        raise ValidationError(_("A DÖF's actions are done when their owners record the last one as done "
                                "(POST /api/v1/audits/actions/{id}/complete)."))
    if to in NCState.values:
        raise ValidationError(_("A DÖF cannot go from “%(from)s” to “%(to)s”.")
                              % {"from": nc.get_state_display(), "to": NCState(to).label})
    raise _BadRequest("to", _("Unknown state “%(state)s”.") % {"state": to})


@router.post("/nonconformities/{nc_id}/state", response={200: NonconformityDetailOut, **ERRORS},
             summary="DÖF adımı / take a DÖF to its next state")
def change_state(request, nc_id: int, payload: StateIn):
    """Take the DÖF to the state `to`, with that step's fields (see the module's description)."""
    require_perm(request, ACCESS_PERMISSION)
    nc = _visible_nonconformity(request.user, nc_id)
    result = _run(lambda: _state_step(request, nc, payload)())
    if isinstance(result, tuple):
        return result
    return _detail(request.user, nc_id)


@router.post("/nonconformities/{nc_id}/actions", response={201: ActionOut, **ERRORS},
             summary="Düzeltici faaliyet ekle / add a corrective action")
def add_action(request, nc_id: int, payload: ActionIn):
    """Add a corrective action (its owner is told by e-mail); the DÖF's unit or the management
    representative, after the root cause is recorded and before the actions are done."""
    require_perm(request, ACCESS_PERMISSION)
    nc = _visible_nonconformity(request.user, nc_id)

    def step():
        owner = get_user_model()._default_manager.filter(username=payload.owner, is_active=True).first()
        if owner is None:
            raise _BadRequest("owner", _("No active user “%(username)s”.") % {"username": payload.owner})
        return services.action_add(nonconformity=nc, user=request.user, description=payload.description,
                                   owner=owner, due_date=payload.due_date)

    result = _run(step)
    if isinstance(result, tuple):
        return result
    return 201, _visible_action(request.user, result.pk)


@router.post("/actions/{action_id}/complete", response={200: ActionOut, **ERRORS},
             summary="Faaliyet tamamlandı / record an action as done")
def complete_action(request, action_id: int, payload: CompleteIn):
    """Its owner or the DÖF's unit records the action as done, with the evidence. The last action
    done takes the DÖF to "actions done"."""
    require_perm(request, ACCESS_PERMISSION)
    action = _visible_action(request.user, action_id)
    result = _run(lambda: services.action_complete(action=action, user=request.user, evidence=payload.evidence))
    if isinstance(result, tuple):
        return result
    return _visible_action(request.user, action_id)


@router.post("/actions/{action_id}/cancel", response={200: ActionOut, **ERRORS},
             summary="Faaliyeti iptal et / cancel an action")
def cancel_action(request, action_id: int, payload: CancelIn):
    require_perm(request, ACCESS_PERMISSION)
    action = _visible_action(request.user, action_id)
    result = _run(lambda: services.action_cancel(action=action, user=request.user, reason=payload.reason))
    if isinstance(result, tuple):
        return result
    return _visible_action(request.user, action_id)


api.add_router("/audits", router)
