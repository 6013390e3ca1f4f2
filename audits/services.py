"""Everything that changes audits and DÖFs: one transaction each, checked, logged.

Views, the API, the seed and other modules call these functions, never the models' fields
directly. A refusal is a `PermissionDenied` (the person may not take this step) or a
`ValidationError` (the record is not ready for it), each with a message that says why; nothing is
saved half-way.

Other modules raise a DÖF with one call::

    from audits.services import raise_nonconformity
    from audits.models import Source

    raise_nonconformity(source=Source.KPI_BREACH, origin=breach, title=..., description=...,
                        unit=breach.unit, raised_by=user)

`origin` is any model instance (the KPI breach, the call evaluation, the review action); the DÖF
keeps a link to it and lists it as its source record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.admin_url_finder import AdminURLFinder

from audits import grants, rules
from audits.models import (
    WHY_FIELDS,
    ActionState,
    AnswerResult,
    Audit,
    AuditReport,
    AuditState,
    ChecklistAnswer,
    ChecklistTemplate,
    CorrectiveAction,
    EffectivenessCheck,
    EvidenceFile,
    Finding,
    FindingKind,
    NCState,
    Nonconformity,
    NonconformitySequence,
    Severity,
    Source,
)
from qms.audit import TRANSITION, record, record_transition
from qms.files import kinds, sha256_of, validate_upload

EVIDENCE_KINDS = kinds("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "odt")
EVIDENCE_MAX_MB = 20

ANSWERED = "audits.answer"
SIGNED_OFF = "audits.sign_off"
CHECKED = "audits.check"


def _refuse(message: str) -> None:
    raise PermissionDenied(message)


def _move(instance, to_state: str, *, user, note: str = "", label_enum=None) -> None:
    """Set a state, save (the model's guards run), and log the transition."""
    from_state = instance.state
    if from_state == to_state and isinstance(instance, Nonconformity):
        # Not a transition: the model would save it as a plain edit (bypassing the guards) and
        # the trail would show a state change that did not happen (closing twice, planning twice).
        instance.check_transition(from_state, to_state)
    instance.state = to_state
    instance.save()
    enum = label_enum or type(instance)._meta.get_field("state").choices
    labels = dict(enum)
    record_transition(instance, user=user, from_state=from_state, to_state=to_state,
                      from_label=labels.get(from_state, from_state), to_label=labels.get(to_state, to_state), note=note)


# --- the audit programme and audits -----------------------------------------------------------


@transaction.atomic
def audit_plan(*, programme, title: str, units: Sequence, lead_auditor, planned_start: date, planned_end: date,
               user, team: Sequence = (), processes: str = "", clauses: Sequence = (),
               checklists: Sequence = ()) -> Audit:
    """Add an audit to a programme (the management representative)."""
    if not rules.may_plan(user):
        _refuse(_("Only the management representative plans audits."))
    if not units:
        raise ValidationError({"units": _("Choose at least one unit to audit.")})
    rules.check_auditors([lead_auditor, *team])
    if any(member.pk == lead_auditor.pk for member in team):
        raise ValidationError({"team": rules.lead_in_team_message(lead_auditor)})
    rules.check_independence(units, [lead_auditor, *team])
    audit = Audit(programme=programme, title=title, lead_auditor=lead_auditor, planned_start=planned_start,
                  planned_end=planned_end, processes=processes, created_by=user)
    audit.save()
    audit.units.set(units)
    audit.team.set(team)
    audit.clauses.set(clauses)
    audit.checklists.set(checklists)
    record(audit, "wagtail.create", user=user)
    return audit


def _copy_questions(audit: Audit, templates: Iterable[ChecklistTemplate]) -> int:
    units = list(audit.units.all())
    default_unit = units[0] if len(units) == 1 else None
    start = (audit.answers.aggregate(m=models.Max("order"))["m"] or 0) + 1
    rows = []
    for template in templates:
        for question in template.questions.select_related("clause").order_by("sort_order", "pk"):
            rows.append(ChecklistAnswer(audit=audit, order=start + len(rows), question=question.text,
                                        guidance=question.guidance, clause=question.clause,
                                        template_question=question, unit=default_unit))
    ChecklistAnswer.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def audit_start(*, audit: Audit, user) -> Audit:
    """The audit begins: its checklists' questions are copied into it for answering."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not rules.may_perform(user, audit):
        _refuse(_("Only the audit's own auditors start it."))
    if audit.state != AuditState.PLANNED:
        # The label as it is: str.lower() turns Turkish "İ" into "i̇" (an i with a combining dot).
        raise ValidationError(_("Only a planned audit can start; this one is %(state)s.")
                              % {"state": audit.get_state_display()})
    audit.actual_start = timezone.localdate()
    _move(audit, AuditState.IN_PROGRESS, user=user)
    _copy_questions(audit, audit.checklists.all())
    return audit


@transaction.atomic
def audit_add_checklist(*, audit: Audit, template: ChecklistTemplate, user) -> int:
    """Add another checklist's questions to an audit in progress; returns how many were added."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)  # the caller's copy may predate a state change
    if not rules.may_perform(user, audit):
        _refuse(_("Only the audit's own auditors change its checklist."))
    if audit.state != AuditState.IN_PROGRESS:
        raise ValidationError(_("Questions are added while the audit is in progress."))
    audit.checklists.add(template)
    return _copy_questions(audit, [template])


def _finding_kind_for(result: str, requested: str | None) -> str | None:
    if result == AnswerResult.NONCONFORMING:
        if requested not in (None, "", *FindingKind.nonconformities()):
            raise ValidationError(_("A nonconforming answer is a major or a minor nonconformity."))
        return requested or FindingKind.MINOR
    if result == AnswerResult.OBSERVATION:
        return FindingKind.OBSERVATION
    return None


@transaction.atomic
def answer_record(*, answer: ChecklistAnswer, user, result: str, evidence: str = "", unit=None, clause=None,
                  finding_kind: str | None = None, files: Sequence = ()) -> Finding | None:
    """Record one checklist answer. A nonconforming answer records a nonconformity finding (which
    opens a DÖF), an observation an observation finding; the finding is returned."""
    audit = Audit.objects.get(pk=answer.audit_id)  # fresh: the caller's copy may predate a state change
    if not rules.may_perform(user, audit):
        _refuse(_("Only the audit's own auditors answer its checklist."))
    if audit.state != AuditState.IN_PROGRESS:
        raise ValidationError(_("Checklist answers are recorded while the audit is in progress."))
    if result and result not in AnswerResult.values:
        raise ValidationError({"result": _("Choose conforming, nonconforming, observation or not applicable.")})
    finding = Finding.objects.filter(answer=answer).first()
    kind = _finding_kind_for(result, finding_kind)
    if finding is not None and result != answer.result:
        raise ValidationError(
            _("Question %(n)s already produced finding %(code)s; change the finding instead of the answer.")
            % {"n": answer.order, "code": finding.code}
        )
    if unit is not None:
        if not audit.units.filter(pk=unit.pk).exists():
            raise ValidationError({"unit": _("The unit must be one of the audited units.")})
        answer.unit = unit
    if kind is not None and answer.unit_id is None:
        raise ValidationError({"unit": _("Question %(n)s: choose the audited unit the finding is about.")
                               % {"n": answer.order}})
    if kind in FindingKind.nonconformities() and (clause or answer.clause) is None:
        raise ValidationError({"clause": _("Question %(n)s: a nonconformity must name a clause.")
                               % {"n": answer.order}})
    if kind is not None and not (evidence or "").strip():
        raise ValidationError({"evidence": _("Question %(n)s: write down the evidence for the finding.")
                               % {"n": answer.order}})
    if clause is not None:
        answer.clause = clause
    answer.result = result
    answer.evidence = evidence
    answer.answered_by = user
    answer.answered_at = timezone.now()
    answer.save()
    for upload in files:
        evidence_attach(owner=answer, user=user, upload=upload)
    if kind is not None and finding is None:
        finding = Finding(audit=audit, answer=answer, kind=kind, unit=answer.unit, clause=answer.clause,
                          statement=f"{answer.question}\n{evidence}".strip(), evidence=evidence, created_by=user)
        finding.save()
        record(finding, "wagtail.create", user=user)
    elif finding is not None and kind in FindingKind.nonconformities() and finding.kind != kind:
        finding.kind = kind
        finding.save()
    record(answer, ANSWERED, user=user, result=result)
    return finding


@transaction.atomic
def finding_record(*, audit: Audit, user, kind: str, unit, statement: str, clause=None, evidence: str = "") -> Finding:
    """A finding not tied to a checklist question (e.g. an opportunity for improvement)."""
    if not rules.may_perform(user, audit):
        _refuse(_("Only the audit's own auditors record its findings."))
    finding = Finding(audit=audit, kind=kind, unit=unit, clause=clause, statement=statement, evidence=evidence,
                      created_by=user)
    finding.save()
    record(finding, "wagtail.create", user=user)
    return finding


@transaction.atomic
def finding_update(*, finding: Finding, user, **fields) -> Finding:
    if not rules.may_perform(user, finding.audit):
        _refuse(_("Only the audit's own auditors change its findings."))
    for name, value in fields.items():
        if name not in ("kind", "unit", "clause", "statement", "evidence"):
            raise ValueError(name)
        setattr(finding, name, value)
    finding.save()
    record(finding, "wagtail.edit", user=user)
    return finding


def finding_sync_nonconformity(*, finding: Finding) -> Nonconformity | None:
    """Called by `Finding.save()`: a nonconformity finding has its DÖF, with the finding's severity."""
    if not finding.is_nonconformity:
        return None
    severity = Severity.MAJOR if finding.kind == FindingKind.MAJOR else Severity.MINOR
    existing = Nonconformity.objects.filter(finding=finding).first()
    if existing is not None:
        if existing.severity != severity:
            existing.severity = severity
            existing.save(update_fields=["severity", "updated_at"])
        return existing
    audit = finding.audit
    return raise_nonconformity(
        source=Source.INTERNAL_AUDIT,
        origin=finding,
        origin_label=f"{finding.code} — {audit.title}",
        title=_("%(audit)s finding %(n)s: %(clause)s")
        % {"audit": audit.code, "n": finding.number, "clause": finding.clause.reference},
        description=finding.statement,
        unit=finding.unit,
        clause=finding.clause,
        severity=severity,
        raised_by=finding.created_by or audit.lead_auditor,
        finding=finding,
        triaged_by=finding.created_by or audit.lead_auditor,
    )


def _text(value) -> str:
    return str(value) if value is not None else ""


def audit_snapshot(audit: Audit) -> dict:
    """Everything the report prints, as plain data (frozen into `AuditReport.snapshot`)."""
    findings = (
        audit.findings.select_related("unit", "clause__standard", "nonconformity").order_by("number")
    )
    answers = audit.answers.exclude(result="").values_list("result", flat=True)
    counts = {value: 0 for value in AnswerResult.values}
    for value in answers:
        counts[value] += 1
    return {
        "code": audit.code,
        "title": audit.title,
        "year": audit.programme.year,
        "units": [unit.name for unit in audit.units.order_by("path")],
        "processes": [line.strip() for line in audit.processes.splitlines() if line.strip()],
        "clauses": [f"{c.reference} {c.title_tr}" for c in audit.clauses.order_by("standard__code", "sort_key")],
        "planned_start": audit.planned_start.isoformat(),
        "planned_end": audit.planned_end.isoformat(),
        "actual_start": audit.actual_start.isoformat() if audit.actual_start else "",
        "actual_end": (audit.actual_end or timezone.localdate()).isoformat(),
        "lead_auditor": audit.lead_auditor.get_full_name() or audit.lead_auditor.get_username(),
        "team": [u.get_full_name() or u.get_username() for u in audit.team.order_by("first_name", "last_name")],
        "summary": audit.summary,
        "answer_counts": counts,
        "questions": audit.answers.count(),
        "findings": [
            {
                "code": f.code,
                "kind": f.kind,
                "kind_label": _text(f.get_kind_display()),
                "unit": f.unit.name,
                "clause": f.clause.reference if f.clause else "",
                "statement": f.statement,
                "evidence": f.evidence,
                "nonconformity": getattr(getattr(f, "nonconformity", None), "code", ""),
            }
            for f in findings
        ],
    }


def _snapshot_content(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if k != "actual_end"}


@transaction.atomic
def audit_sign_off(*, audit: Audit, user, change_note: str = "") -> AuditReport:
    """The lead auditor signs the report off: its content is frozen as the next version and it is
    sent to the audited units' managers. A change after that is signed off as a new version."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not rules.may_sign_off(user, audit):
        _refuse(_("Only the audit's lead auditor signs its report off."))
    if audit.state not in (AuditState.IN_PROGRESS, AuditState.REPORTED):
        raise ValidationError(_("Only an audit in progress or reported has a report to sign off."))
    problems = []
    unanswered = audit.answers.filter(result="").count()
    if unanswered:
        problems.append(_("%(n)s checklist question(s) are not answered.") % {"n": unanswered})
    if not audit.summary.strip():
        problems.append(_("Write the report's summary and conclusion."))
    if problems:
        raise ValidationError(problems)
    last = audit.reports.order_by("-version").first()
    if audit.state == AuditState.IN_PROGRESS:
        audit.actual_end = timezone.localdate()
        _move(audit, AuditState.REPORTED, user=user)
    snapshot = audit_snapshot(audit)
    if last is not None:
        if _snapshot_content(last.snapshot) == _snapshot_content(snapshot):
            raise ValidationError(_("Nothing changed since version %(v)s was signed off.") % {"v": last.version})
        if not change_note.strip():
            raise ValidationError({"change_note": _("Say what changed since version %(v)s.") % {"v": last.version}})
        snapshot["actual_end"] = last.snapshot["actual_end"]
    report = AuditReport.objects.create(audit=audit, version=(last.version + 1) if last else 1, snapshot=snapshot,
                                        change_note=change_note, signed_off_by=user)
    record(audit, SIGNED_OFF, user=user, version=report.version)
    from audits import notifications

    transaction.on_commit(lambda: notifications.report_signed_off(report.pk), robust=True)
    return report


@transaction.atomic
def audit_update_summary(*, audit: Audit, user, summary: str) -> Audit:
    """The lead auditor writes the report's summary and conclusion (signed off with the report)."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not rules.may_sign_off(user, audit):
        _refuse(_("Only the audit's lead auditor signs its report off."))
    if audit.state not in (AuditState.IN_PROGRESS, AuditState.REPORTED):
        raise ValidationError(_("Only an audit in progress or reported has a report to sign off."))
    if summary != audit.summary:
        audit.summary = summary
        audit.save(update_fields=["summary"])
        record(audit, "wagtail.edit", user=user, summary=True)
    return audit


def report_is_outdated(audit: Audit) -> bool:
    """The audit changed (findings, summary) since its last signed-off version."""
    last = audit.reports.order_by("-version").first()
    return last is not None and _snapshot_content(last.snapshot) != _snapshot_content(audit_snapshot(audit))


@transaction.atomic
def audit_close(*, audit: Audit, user) -> Audit:
    """Close a reported audit once every DÖF it opened is closed (or was rejected)."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not rules.may_plan(user):
        _refuse(_("Only the management representative closes audits."))
    if audit.state != AuditState.REPORTED:
        raise ValidationError(_("Only a reported audit can be closed."))
    if report_is_outdated(audit):
        raise ValidationError(_("The audit changed after its report was signed off; sign off the new version first."))
    still_open = list(
        Nonconformity.objects.filter(finding__audit=audit, state__in=[s for s in NCState.values
                                                                       if s not in (NCState.CLOSED, NCState.REJECTED)])
        .values_list("code", flat=True)
    )
    if still_open:
        raise ValidationError(_("These DÖFs are still open: %(codes)s.") % {"codes": ", ".join(still_open)})
    _move(audit, AuditState.CLOSED, user=user)
    return audit


@transaction.atomic
def audit_cancel(*, audit: Audit, user, reason: str) -> Audit:
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not rules.may_plan(user):
        _refuse(_("Only the management representative cancels audits."))
    if audit.state != AuditState.PLANNED:
        raise ValidationError(_("Only a planned audit can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling the audit.")})
    audit.cancel_reason = reason
    _move(audit, AuditState.CANCELLED, user=user, note=reason)
    return audit


# --- evidence files ---------------------------------------------------------------------------


def evidence_attach(*, owner, user, upload) -> EvidenceFile:
    """Attach a checked file to a checklist answer, a DÖF or a corrective action."""
    kind = validate_upload(upload, accepted=EVIDENCE_KINDS, max_mb=EVIDENCE_MAX_MB)
    field = {ChecklistAnswer: "answer", Nonconformity: "nonconformity", CorrectiveAction: "action"}[type(owner)]
    stored = EvidenceFile(
        original_name=upload.name[:255], content_type=kind.content_type, size=upload.size,
        sha256=sha256_of(upload), uploaded_by=user, **{field: owner},
    )
    stored.file.save(upload.name, upload, save=False)
    stored.save()
    return stored


# --- nonconformities (DÖF) --------------------------------------------------------------------


def _next_code(year: int) -> str:
    sequence, _created = NonconformitySequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"DÖF-{year}-{sequence.last:03d}"


@transaction.atomic
def raise_nonconformity(*, source: str, title: str, description: str, unit, raised_by, origin=None,
                        origin_label: str = "", origin_url: str = "", severity: str = Severity.MINOR,
                        clause=None, finding: Finding | None = None, triaged_by=None,
                        immediate_correction: str = "",
                        correction_date: date | None = None) -> Nonconformity:
    """Open a DÖF (numbered DÖF-YYYY-NNN). The one entry point for every module.

    `source` is a `audits.models.Source`; `origin` the record that gave rise to it (linked from
    the DÖF). A system outside the portal (through the API) gives `origin_label` and `origin_url`
    (an http(s) address or a site path) of its own record instead. A DÖF raised by a person is
    triaged by the management representative; one raised with `triaged_by` (an auditor's
    finding) is accepted at once. The responsible unit's managers
    are given the DÖF (object grants) and told by e-mail.
    """
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source “%(source)s”.") % {"source": source}})
    if not (title or "").strip() or not (description or "").strip():
        raise ValidationError(_("A DÖF needs a title and a description."))
    now = timezone.now()
    nc = Nonconformity(
        code=_next_code(timezone.localtime(now).year), source=source, title=title[:200], description=description,
        unit=unit, clause=clause, severity=severity, raised_by=raised_by, raised_at=now, finding=finding,
        immediate_correction=immediate_correction, correction_date=correction_date,
    )
    if origin is None:
        if origin_url and not (origin_url.startswith("/") and not origin_url.startswith("//")):
            try:
                URLValidator(schemes=["http", "https"])(origin_url)
            except ValidationError:
                raise ValidationError({"origin_url": _("The link to the originating record must be an http(s) "
                                                       "address or a path of this site.")}) from None
        nc.origin_label, nc.origin_url = origin_label[:255], origin_url[:500]
    else:
        nc.origin_type = ContentType.objects.get_for_model(origin)
        nc.origin_id = str(origin.pk)
        nc.origin_label = (origin_label or str(origin))[:255]
        nc.origin_url = origin_url or (AdminURLFinder().get_edit_url(origin) or "")
    if triaged_by is not None:
        nc.triaged_by, nc.triaged_at = triaged_by, now
    nc.full_clean(exclude=["code", "origin_type", "origin_id"])
    nc.save()
    record(nc, "wagtail.create", user=raised_by, source=source)
    grants.sync_grants(nc)
    from audits import notifications

    transaction.on_commit(lambda: notifications.nonconformity_raised(nc.pk), robust=True)
    return nc


def _locked(nc: Nonconformity) -> Nonconformity:
    return Nonconformity.objects.select_for_update().select_related("unit").get(pk=nc.pk)


@transaction.atomic
def nonconformity_triage(*, nonconformity: Nonconformity, user, accept: bool = True, unit=None,
                         severity: str | None = None, clause=None, reason: str = "") -> Nonconformity:
    """The management representative accepts a raised DÖF (choosing the responsible unit and
    severity) or rejects it with a reason."""
    nc = _locked(nonconformity)
    if not rules.may_triage(user):
        _refuse(_("Only the management representative triages DÖFs."))
    if nc.state != NCState.OPEN:
        raise ValidationError(_("Only an open DÖF is triaged."))
    first_triage = nc.triaged_at is None
    if not accept:
        nc.rejection_reason = reason
        nc.triaged_by, nc.triaged_at = user, timezone.now()
        _move(nc, NCState.REJECTED, user=user, note=reason)
        return nc
    unit_changed = unit is not None and unit.pk != nc.unit_id
    if unit is not None:
        nc.unit = unit
    if severity:
        nc.severity = severity
    if clause is not None:
        nc.clause = clause
    nc.triaged_by, nc.triaged_at = user, timezone.now()
    nc.save()
    record(nc, "wagtail.edit", user=user, triaged=True)
    if unit_changed:
        grants.sync_grants(nc)
    if unit_changed or first_triage:
        # A DÖF raised by a person was announced only to the triagers: its unit's managers hear
        # of it when it is accepted (and again whenever it is given to another unit).
        from audits import notifications

        transaction.on_commit(lambda: notifications.nonconformity_assigned(nc.pk), robust=True)
    return nc


def _require_answer(user, nc: Nonconformity) -> None:
    if not rules.may_answer(user, nc):
        _refuse(_("Only the managers of %(unit)s or the management representative answer this DÖF.")
                % {"unit": nc.unit.name})


@transaction.atomic
def nonconformity_analyse(*, nonconformity: Nonconformity, user, whys: Sequence[str], root_cause: str,
                          cause_category: str = "", immediate_correction: str | None = None,
                          correction_date: date | None = None) -> Nonconformity:
    """Record the correction and the 5-whys root-cause analysis; an open DÖF moves to "cause analysed"."""
    nc = _locked(nonconformity)
    _require_answer(user, nc)
    if nc.state not in (NCState.OPEN, NCState.CAUSE_ANALYSED):
        raise ValidationError(_("The root cause is recorded before the actions are planned; this DÖF is “%(state)s”.")
                              % {"state": nc.get_state_display()})
    if len(whys) > len(WHY_FIELDS):
        raise ValidationError(_("At most five “why?” answers."))
    for name, value in zip(WHY_FIELDS, [*whys, *[""] * len(WHY_FIELDS)], strict=False):
        setattr(nc, name, (value or "").strip())
    nc.root_cause = root_cause.strip()
    nc.cause_category = cause_category
    if immediate_correction is not None:
        nc.immediate_correction = immediate_correction
        nc.correction_date = correction_date
    nc.cause_analysed_by, nc.cause_analysed_at = user, timezone.now()
    if nc.state == NCState.OPEN:
        _move(nc, NCState.CAUSE_ANALYSED, user=user)
    else:
        problems = nc.root_cause_problems()
        if problems:
            raise ValidationError([str(p) for p in problems])
        nc.save()
        record(nc, "wagtail.edit", user=user)
    return nc


@transaction.atomic
def action_add(*, nonconformity: Nonconformity, user, description: str, owner, due_date: date) -> CorrectiveAction:
    nc = _locked(nonconformity)
    _require_answer(user, nc)
    action = CorrectiveAction(nonconformity=nc, description=description, owner=owner, due_date=due_date,
                              created_by=user)
    if not description.strip():
        raise ValidationError({"description": _("Describe the action.")})
    action.save()
    record(action, "wagtail.create", user=user)
    grants.sync_grants(nc)
    from audits import notifications

    transaction.on_commit(lambda: notifications.action_assigned(action.pk), robust=True)
    return action


@transaction.atomic
def nonconformity_plan(*, nonconformity: Nonconformity, user, effectiveness_due: date) -> Nonconformity:
    """Confirm the action plan and the day from which its effectiveness is checked."""
    nc = _locked(nonconformity)
    _require_answer(user, nc)
    nc.effectiveness_due = effectiveness_due
    _move(nc, NCState.ACTIONS_PLANNED, user=user)
    return nc


@transaction.atomic
def action_complete(*, action: CorrectiveAction, user, evidence: str, files: Sequence = ()) -> CorrectiveAction:
    """The owner (or the unit's manager) records an action as done, with its evidence. When the
    last action of the plan is done, the DÖF moves to "actions done"."""
    nc = _locked(action.nonconformity)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if not rules.may_complete(user, action):
        _refuse(_("Only the action's owner or the unit's managers record it as done."))
    if action.state != ActionState.PLANNED:
        raise ValidationError(_("A done or cancelled action is final."))
    if nc.state != NCState.ACTIONS_PLANNED:
        raise ValidationError(_("Actions are done after the plan is confirmed; this DÖF is “%(state)s”.")
                              % {"state": nc.get_state_display()})
    action.state = ActionState.DONE
    action.evidence = evidence
    action.completed_by, action.completed_at = user, timezone.now()
    action.save()
    for upload in files:
        evidence_attach(owner=action, user=user, upload=upload)
    record_transition(action, user=user, from_state=ActionState.PLANNED, to_state=ActionState.DONE,
                      from_label=ActionState.PLANNED.label, to_label=ActionState.DONE.label)
    if not nc.current_actions().filter(state=ActionState.PLANNED).exists():
        _move(nc, NCState.ACTIONS_DONE, user=user)
    return action


@transaction.atomic
def action_cancel(*, action: CorrectiveAction, user, reason: str) -> CorrectiveAction:
    nc = _locked(action.nonconformity)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    _require_answer(user, nc)
    if action.state != ActionState.PLANNED:
        raise ValidationError(_("A done or cancelled action is final."))
    action.state = ActionState.CANCELLED
    action.cancel_reason = reason
    action.save()
    record_transition(action, user=user, from_state=ActionState.PLANNED, to_state=ActionState.CANCELLED,
                      from_label=ActionState.PLANNED.label, to_label=ActionState.CANCELLED.label, note=reason)
    if (nc.state == NCState.ACTIONS_PLANNED
            and not nc.current_actions().filter(state=ActionState.PLANNED).exists()
            and nc.current_actions().filter(state=ActionState.DONE).exists()):
        _move(nc, NCState.ACTIONS_DONE, user=user)
    return action


@transaction.atomic
def effectiveness_check_record(*, nonconformity: Nonconformity, user, effective: bool, note: str) -> EffectivenessCheck:
    """An auditor or the management representative judges the actions. Effective: the DÖF is
    verified (and may be closed). Ineffective: it is reopened for a new cause analysis and plan."""
    nc = _locked(nonconformity)
    if not rules.may_verify(user):
        _refuse(_("Only an internal auditor or the management representative verifies effectiveness."))
    check = EffectivenessCheck(nonconformity=nc, effective=effective, note=note, checked_by=user)
    check.save()
    record(nc, CHECKED, user=user, effective=effective, note=note)
    if effective:
        _move(nc, NCState.VERIFIED, user=user, note=note)
    else:
        _move(nc, NCState.CAUSE_ANALYSED, user=user, note=note)
        nc.cycle += 1
        nc.effectiveness_due = None
        nc.closed_by, nc.closed_at = None, None
        nc.save(update_fields=["cycle", "effectiveness_due", "closed_by", "closed_at", "updated_at"])
    return check


@transaction.atomic
def nonconformity_close(*, nonconformity: Nonconformity, user, note: str = "") -> Nonconformity:
    nc = _locked(nonconformity)
    if not rules.may_close(user):
        _refuse(_("Only the management representative closes DÖFs."))
    nc.closed_by, nc.closed_at = user, timezone.now()
    _move(nc, NCState.CLOSED, user=user, note=note)
    return nc


@transaction.atomic  # _locked() selects for update: outside a transaction that is an error
def nonconformity_update_effectiveness_due(*, nonconformity: Nonconformity, user, effectiveness_due: date):
    """Move the effectiveness-check date (the management representative or an auditor)."""
    nc = _locked(nonconformity)
    if not (rules.may_verify(user) or rules.may_answer(user, nc)):
        _refuse(_("You may not change this DÖF."))
    if nc.state not in (NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE):
        raise ValidationError(_("The check date is set with the action plan."))
    latest_due = nc.current_actions().exclude(state=ActionState.CANCELLED).aggregate(m=models.Max("due_date"))["m"]
    if latest_due and effectiveness_due < latest_due:
        raise ValidationError(_("The effectiveness check cannot come before the last action is due."))
    nc.effectiveness_due = effectiveness_due
    nc.save(update_fields=["effectiveness_due", "updated_at"])
    record(nc, "wagtail.edit", user=user, effectiveness_due=effectiveness_due.isoformat())
    return nc


__all__ = [
    "TRANSITION", "action_add", "action_cancel", "action_complete", "answer_record", "audit_add_checklist",
    "audit_cancel", "audit_close", "audit_plan", "audit_sign_off", "audit_snapshot", "audit_start",
    "audit_update_summary",
    "effectiveness_check_record", "evidence_attach", "finding_record", "finding_sync_nonconformity",
    "finding_update", "nonconformity_analyse", "nonconformity_close", "nonconformity_plan",
    "nonconformity_triage", "nonconformity_update_effectiveness_due", "raise_nonconformity",
    "report_is_outdated",
]
