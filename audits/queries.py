"""Read queries of the audits app: who sees which audit and DÖF, and the follow-up figures.

Every list, detail page, PDF, export and API endpoint filters with `audits_visible_to` and
`nonconformities_visible_to`, so they follow one rule:

* Audits: the roles that oversee audits (management representative, top management) see all; an
  internal auditor sees the audits they lead or are on the team of; a unit manager sees the audits
  of units in their scope (`qms.roles.unit_scope`).
* DÖFs: the roles that oversee them (management representative, top management, internal
  auditors) see all; anyone else sees the DÖFs they hold an object grant on (django-guardian,
  `audits.grants`): their unit's as a unit manager, the ones they raised, the ones they own an
  action of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from audits.models import Audit, Finding, Nonconformity
from qms.roles import unit_scope


def audits_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Audit.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.has_perm("audits.view_audit"):
        return queryset
    condition = Q(pk__in=[])
    if user.has_perm("audits.perform_audit"):
        condition |= Q(lead_auditor=user) | Q(pk__in=Audit.team.through.objects.filter(user=user).values("audit_id"))
    if user.has_perm("audits.follow_audit"):
        scope = unit_scope(user)
        if scope is None:
            return queryset
        condition |= Q(pk__in=Audit.units.through.objects.filter(unit__in=scope).values("audit_id"))
    return queryset.filter(condition)


def findings_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Finding.objects.all() if queryset is None else queryset
    return queryset.filter(audit__in=audits_visible_to(user).values("pk"))


def nonconformities_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Nonconformity.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.has_perm("audits.view_nonconformity"):
        return queryset
    return get_objects_for_user(user, "audits.view_nonconformity", klass=queryset, accept_global_perms=False)


def programme_years() -> list[int]:
    from audits.models import AuditProgramme

    return list(AuditProgramme.objects.order_by("-year").values_list("year", flat=True))


def overdue_actions(today: date, queryset: QuerySet | None = None) -> QuerySet:
    from audits.models import ActionState, CorrectiveAction

    queryset = CorrectiveAction.objects.all() if queryset is None else queryset
    return queryset.filter(state=ActionState.PLANNED, due_date__lt=today, nonconformity__state__in=_open_states())


def _open_states():
    from audits.models import OPEN_STATES

    return OPEN_STATES


# --- follow-up figures: the dashboard panels, the clause-coverage report, the management review ---------------
#
# Each function below runs a fixed number of queries whatever the number of DÖFs, actions, audits or
# clauses (tests pin it), so the dashboard and a later management-review report can call them freely.

AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 30), (31, 60), (61, 90), (91, None))
"""The age buckets (days since a DÖF was raised) of the open-DÖF table: 0–30, 31–60, 61–90, over 90."""


def start_of_day(day: date) -> datetime:
    """The first instant of `day` in the local time zone (for comparing with datetimes)."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def in_unit_scope(user, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
    """Limit `queryset` to records of the units in the user's scope (`qms.roles.unit_scope`): all
    for the roles that see every unit, a unit manager's own unit and the units below it, else the
    person's own unit. The dashboard panels use it on top of the visibility rule so that a unit
    manager's panel holds their units only (not the DÖFs of other units they raised themselves)."""
    scope = unit_scope(user)
    return queryset if scope is None else queryset.filter(**{f"{unit_field}__in": scope})


@dataclass(frozen=True)
class UnitAgeRow:
    """One unit's open DÖFs: `counts[i]` is the number in `AGE_BUCKETS[i]`."""

    unit_id: int | None
    unit_code: str
    unit_name: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class UnitAgeTable:
    rows: list[UnitAgeRow]
    totals: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.totals)


def open_nonconformities_by_unit_and_age(user, today: date) -> UnitAgeTable:
    """The open DÖFs (open to verified, not yet closed) the user may see, in their unit scope, counted
    by responsible unit and by age in days since they were raised (`AGE_BUCKETS`). One query."""
    from django.db.models import Count

    from audits.models import Nonconformity

    queryset = in_unit_scope(user, nonconformities_visible_to(user, Nonconformity.objects.open()))
    conditions = []
    for low, high in AGE_BUCKETS:
        condition = Q()
        if high is not None:
            condition &= Q(raised_at__gte=start_of_day(today - timedelta(days=high)))
        if low:
            condition &= Q(raised_at__lt=start_of_day(today - timedelta(days=low - 1)))
        conditions.append(condition)
    annotations = {f"b{i}": Count("pk", filter=condition) for i, condition in enumerate(conditions)}
    rows = [
        UnitAgeRow(row["unit_id"], row["unit__code"], row["unit__name"],
                   tuple(row[f"b{i}"] for i in range(len(AGE_BUCKETS))))
        for row in queryset.order_by().values("unit_id", "unit__code", "unit__name", "unit__path")
        .annotate(**annotations).order_by("unit__path")
    ]
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(AGE_BUCKETS)))
    return UnitAgeTable(rows=rows, totals=totals)


def overdue_actions_visible_to(user, today: date) -> QuerySet:
    """Planned corrective actions past their due date, of open DÖFs the user may see in their unit
    scope, oldest due first, with the DÖF and the owner (one query)."""
    from audits.models import CorrectiveAction

    visible = in_unit_scope(user, nonconformities_visible_to(user))
    return (
        overdue_actions(today, CorrectiveAction.objects.filter(nonconformity__in=visible.values("pk")))
        .select_related("nonconformity", "owner")
        .order_by("due_date", "nonconformity__code", "pk")
    )


def effectiveness_checks_waiting(user) -> QuerySet:
    """DÖFs whose actions are all done, waiting for an effectiveness check (the ones the user may
    see), earliest check date first; `effectiveness_due` says from when the check may be made."""
    from audits.models import NCState, Nonconformity

    return (
        nonconformities_visible_to(user, Nonconformity.objects.filter(state=NCState.ACTIONS_DONE))
        .select_related("unit")
        .order_by(models.F("effectiveness_due").asc(nulls_last=True), "code")
    )


@dataclass(frozen=True)
class ProgrammeCompletion:
    """A programme year's progress: `done` (reported or closed) of `total` (every audit not cancelled)."""

    year: int
    total: int
    done: int
    by_state: dict[str, int]

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None


def programme_completion(year: int) -> ProgrammeCompletion:
    """Completion of the year's audit programme: reported + closed audits over the audits not
    cancelled, with the number of audits in each state. One query (no programme: all zero)."""
    from django.db.models import Count

    from audits.models import Audit, AuditState

    counts = {
        row["state"]: row["n"]
        for row in Audit.objects.filter(programme__year=year).order_by().values("state").annotate(n=Count("pk"))
    }
    by_state = {state: counts.get(state, 0) for state in AuditState.values}
    done = by_state[AuditState.REPORTED] + by_state[AuditState.CLOSED]
    total = sum(n for state, n in by_state.items() if state != AuditState.CANCELLED)
    return ProgrammeCompletion(year=year, total=total, done=done, by_state=by_state)


def next_planned_audits(user, today: date, limit: int = 5) -> list:
    """The user's next planned audits (the ones they may see), soonest first, with the lead
    auditor and the audited units (two queries)."""
    from audits.models import AuditState

    return list(
        audits_visible_to(user)
        .filter(state=AuditState.PLANNED, planned_end__gte=today)
        .select_related("programme", "lead_auditor")
        .prefetch_related("units")
        .order_by("planned_start", "number")[:limit]
    )


# --- clause coverage ---------------------------------------------------------------------------------------

HELD_AUDIT_STATES = ("in_progress", "reported", "closed")
COVERAGE_WINDOW_DAYS = 365
# Clauses 1-3 of an ISO standard (scope, normative references, terms) and its annexes state no
# requirement: nothing is audited against them, so they are not flagged as unaudited.
INFORMATIVE_CLAUSES = ("1", "2", "3")


def is_informative(clause) -> bool:
    """Whether a clause states no requirement (clauses 1-3 and lettered annexes, with their sub-clauses)."""
    top = clause.number.split(".")[0]
    return top in INFORMATIVE_CLAUSES or not top.isdigit()


@dataclass
class ClauseCoverage:
    """One clause's row of the coverage report. Numbers include the clause's sub-clauses (a
    chapter shows what its sections have); documents and audits are counted once each."""

    clause: object
    documents: int = 0
    audits: int = 0
    last_audit: object | None = None  # the latest held audit (an `Audit`)
    last_audit_date: date | None = None
    next_audit_date: date | None = None
    findings: dict[str, int] = field(default_factory=dict)
    open_nonconformities: int = 0
    audited_recently: bool = False
    _document_ids: set[int] = field(default_factory=set, repr=False)
    _audit_ids: set[int] = field(default_factory=set, repr=False)

    @property
    def depth(self) -> int:
        return self.clause.depth

    @property
    def informative(self) -> bool:
        return is_informative(self.clause)

    @property
    def not_audited_recently(self) -> bool:
        """No held audit touched it in the last 12 months (never said of an informative clause)."""
        return not self.audited_recently and not self.informative

    @property
    def finding_counts(self) -> list[int]:
        """The findings by kind, in `FindingKind` order (for tables and exports)."""
        from audits.models import FindingKind

        return [self.findings.get(kind, 0) for kind in FindingKind.values]


@dataclass(frozen=True)
class CoverageReport:
    standard: object
    rows: list[ClauseCoverage]
    since: date  # "recently" means on or after this date

    @property
    def not_audited(self) -> int:
        """How many requirement clauses went without an audit for 12 months."""
        return sum(1 for row in self.rows if row.not_audited_recently)

    @property
    def requirement_clauses(self) -> int:
        """How many clauses state requirements (all but the informative ones)."""
        return sum(1 for row in self.rows if not row.informative)


def audit_date(audit) -> date:
    """The day an audit took place: reported on, else started on, else its planned start."""
    return audit.actual_end or audit.actual_start or audit.planned_start


def clause_coverage(standard, today: date) -> CoverageReport:
    """Per clause of `standard`: the controlled documents in force that point at it
    (`documents.queries.current_revisions`), the audits (not cancelled) that had it in scope or asked
    a checklist question on it, the latest held audit (in progress, reported or closed) and the next
    planned one, the findings on it by kind, the open DÖFs; and whether a held audit touched it in
    the last 365 days. A clause's numbers include its sub-clauses', and a chapter in an audit's scope
    puts its sections in that audit's scope. Seven queries, whatever the
    number of clauses, documents, audits, findings and DÖFs."""
    from django.db.models import Count

    from audits.models import Audit, AuditState, ChecklistAnswer, Finding, FindingKind, Nonconformity
    from documents.models import Document
    from documents.queries import current_revisions
    from qms.models import Clause

    since = today - timedelta(days=COVERAGE_WINDOW_DAYS)
    clauses = list(Clause.objects.filter(standard=standard).order_by("sort_key"))
    rows = {clause.pk: ClauseCoverage(clause=clause, findings={kind: 0 for kind in FindingKind.values})
            for clause in clauses}
    parents = {clause.pk: clause.parent_id for clause in clauses}

    children: dict[int, list[int]] = {}
    for clause in clauses:
        children.setdefault(clause.parent_id, []).append(clause.pk)

    def lineage(clause_id):
        """The clause and every clause above it (a sub-clause counts for its chapter too)."""
        seen = set()
        while clause_id is not None and clause_id in rows and clause_id not in seen:
            seen.add(clause_id)
            yield rows[clause_id]
            clause_id = parents.get(clause_id)

    def below(clause_id):
        """Every clause under it (a chapter in an audit's scope puts its sections in scope)."""
        stack = list(children.get(clause_id, ()))
        while stack:
            pk = stack.pop()
            yield rows[pk]
            stack.extend(children.get(pk, ()))

    in_force = current_revisions(on=today).values("document_id")
    for clause_id, document_id in Document.clauses.through.objects.filter(
        clause__standard=standard, document_id__in=in_force
    ).values_list("clause_id", "document_id"):
        for row in lineage(clause_id):
            row._document_ids.add(document_id)

    in_scope = Audit.clauses.through.objects.filter(clause__standard=standard).exclude(
        audit__state=AuditState.CANCELLED
    ).values_list("clause_id", "audit_id")
    asked = ChecklistAnswer.objects.filter(clause__standard=standard).exclude(
        audit__state=AuditState.CANCELLED
    ).order_by().values_list("clause_id", "audit_id").distinct()
    in_scope, asked = set(in_scope), set(asked)
    audit_ids = {audit_id for _clause, audit_id in in_scope | asked}
    audits = {audit.pk: audit for audit in Audit.objects.filter(pk__in=audit_ids).select_related("programme")}
    for clause_id, audit_id in in_scope | asked:
        for row in lineage(clause_id):
            row._audit_ids.add(audit_id)
    for clause_id, audit_id in in_scope:
        for row in below(clause_id):
            row._audit_ids.add(audit_id)

    for clause_id, kind, n in (
        Finding.objects.filter(clause__standard=standard).order_by().values_list("clause_id", "kind")
        .annotate(n=Count("pk"))
    ):
        for row in lineage(clause_id):
            row.findings[kind] = row.findings.get(kind, 0) + n

    for clause_id, n in (
        Nonconformity.objects.open().filter(clause__standard=standard).order_by().values_list("clause_id")
        .annotate(n=Count("pk"))
    ):
        for row in lineage(clause_id):
            row.open_nonconformities += n

    for row in rows.values():
        row.documents = len(row._document_ids)
        row.audits = len(row._audit_ids)
        held = [audits[pk] for pk in row._audit_ids if audits[pk].state in HELD_AUDIT_STATES]
        if held:
            latest = max(held, key=lambda audit: (audit_date(audit), audit.pk))
            row.last_audit = latest
            row.last_audit_date = audit_date(latest)
            row.audited_recently = row.last_audit_date >= since
        planned = [audits[pk].planned_start for pk in row._audit_ids
                   if audits[pk].state == AuditState.PLANNED and audits[pk].planned_start >= today]
        row.next_audit_date = min(planned) if planned else None
    return CoverageReport(standard=standard, rows=[rows[clause.pk] for clause in clauses], since=since)
