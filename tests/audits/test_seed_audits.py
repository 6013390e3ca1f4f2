"""The demo audits and DÖFs: a checklist library, last year's and this year's programme with audits
in every state, findings of every kind, DÖFs in every state (overdue and reopened ones too) from
varied sources, all made through the services and dated back; fast, and idempotent."""

from __future__ import annotations

import time
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from audits import rules
from audits import seed as audits_seed
from audits.models import (
    ActionState,
    Audit,
    AuditReport,
    AuditState,
    ChecklistAnswer,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    FindingKind,
    NCState,
    Nonconformity,
    Source,
)
from audits.queries import clause_coverage, programme_completion
from qms import seed as qms_seed
from qms.models import Standard
from qms.reminders import registry

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The core's demo data, then the audits' (timed), once for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        qms_seed.run(stdout=StringIO())
        out = StringIO()
        pending = len(connection.run_on_commit)
        started = time.process_time()  # CPU time: a loaded CI machine must not fail the test
        audits_seed.run(stdout=out)
        elapsed = time.process_time() - started
        yield SimpleNamespace(output=out.getvalue(), seconds=elapsed,
                              mails_queued=len(connection.run_on_commit) - pending)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _in_a_savepoint(seeded, db):
    """Every test sees the seeded data and undoes its own changes."""


def user(username):
    return get_user_model().objects.get(username=username)


def this_year():
    return timezone.localdate().year


def test_the_seed_is_fast(seeded):
    assert seeded.seconds < 20
    assert "tetkik" in seeded.output and "DÖF" in seeded.output


def test_a_checklist_library_linked_to_clauses(seeded):
    templates = ChecklistTemplate.objects.prefetch_related("questions__clause__standard")
    assert templates.count() >= 4
    standards = set()
    for template in templates:
        questions = list(template.questions.all())
        assert 6 <= len(questions) <= 10, template.title
        assert all(q.clause_id for q in questions)
        standards |= {q.clause.standard.code for q in questions}
    assert standards == {"ISO 10002", "ISO 18295-1", "ISO 9001"}


def test_this_years_programme_has_audits_in_every_state(seeded):
    audits = Audit.objects.filter(programme__year=this_year())
    assert 8 <= audits.count() <= 12
    assert set(audits.values_list("state", flat=True)) == set(AuditState.values)
    today = timezone.localdate()
    for audit in audits.filter(state=AuditState.PLANNED):
        assert audit.planned_start >= today or audit.planned_start.year == today.year
    for audit in audits.filter(state__in=[AuditState.REPORTED, AuditState.CLOSED]):
        assert audit.actual_start <= audit.actual_end <= today
        assert audit.reports.exists() and audit.summary
    assert audits.filter(state=AuditState.CANCELLED).exclude(cancel_reason="").exists()
    in_progress = audits.get(state=AuditState.IN_PROGRESS)
    answered = in_progress.answers.exclude(result="").count()
    assert 0 < answered < in_progress.answers.count()


def test_last_years_programme_has_closed_audits(seeded):
    audits = Audit.objects.filter(programme__year=this_year() - 1)
    assert audits.count() >= 2
    assert set(audits.values_list("state", flat=True)) == {AuditState.CLOSED}


def test_findings_of_every_kind_and_a_second_report_version(seeded):
    assert set(Finding.objects.values_list("kind", flat=True)) == set(FindingKind.values)
    reported = Audit.objects.filter(programme__year=this_year(), state=AuditState.REPORTED)
    kinds = set(Finding.objects.filter(audit__in=reported).values_list("kind", flat=True))
    assert kinds == set(FindingKind.values)
    second = AuditReport.objects.filter(version=2).select_related("audit").get()
    assert second.change_note
    assert second.snapshot["actual_end"] == second.audit.reports.get(version=1).snapshot["actual_end"]
    assert second.snapshot["actual_end"] == second.audit.actual_end.isoformat()


def test_every_nonconformity_finding_has_its_dof(seeded):
    for finding in Finding.objects.filter(kind__in=FindingKind.nonconformities()):
        assert Nonconformity.objects.filter(finding=finding).exists()


def test_dofs_in_every_state_including_reopened_and_overdue(seeded):
    states = set(Nonconformity.objects.values_list("state", flat=True))
    assert states == set(NCState.values)
    assert Nonconformity.objects.filter(state=NCState.OPEN, triaged_at__isnull=True).exists()
    assert Nonconformity.objects.filter(state=NCState.OPEN, triaged_at__isnull=False).exists()
    reopened = Nonconformity.objects.get(cycle=2)
    assert reopened.checks.filter(effective=False).exists()
    assert reopened.actions.filter(cycle=1, state=ActionState.DONE).exists()
    today = timezone.localdate()
    overdue = CorrectiveAction.objects.filter(state=ActionState.PLANNED, due_date__lt=today)
    assert overdue.filter(nonconformity__state=NCState.ACTIONS_PLANNED).exists()
    due = Nonconformity.objects.get(state=NCState.ACTIONS_DONE)
    assert due.effectiveness_due <= today
    closed = Nonconformity.objects.get(state=NCState.CLOSED)
    assert closed.finding.audit.state == AuditState.CLOSED


def test_sources_are_varied(seeded):
    sources = set(Nonconformity.objects.values_list("source", flat=True))
    assert {Source.INTERNAL_AUDIT, Source.CITIZEN_COMPLAINT, Source.CALL_QA, Source.KPI_BREACH,
            Source.FIELD_CHECK, Source.STAFF_SUGGESTION} <= sources


def test_dofs_are_numbered_in_the_order_they_were_raised(seeded):
    this = Nonconformity.objects.filter(code__startswith=f"DÖF-{this_year()}-").order_by("code")
    raised = [nc.raised_at for nc in this]
    assert raised == sorted(raised)


def test_the_history_is_dated_back(seeded):
    today = timezone.localdate()
    closed = Audit.objects.filter(programme__year=this_year(), state=AuditState.CLOSED).first()
    assert closed.actual_start < today
    assert all(timezone.localdate(a.answered_at) == closed.actual_start
               for a in ChecklistAnswer.objects.filter(audit=closed))
    nc = Nonconformity.objects.get(state=NCState.VERIFIED)
    assert (today - timezone.localdate(nc.raised_at)).days > 90
    assert nc.checks.get().checked_at.date() >= nc.effectiveness_due


def test_no_auditor_audits_their_own_unit(seeded):
    for audit in Audit.objects.prefetch_related("units", "team"):
        auditors = [audit.lead_auditor, *audit.team.all()]
        assert rules.independence_conflicts(audit.units.all(), auditors) == [], audit.code
    auditors = {a.lead_auditor.username for a in Audit.objects.select_related("lead_auditor")}
    assert auditors == {"ic.tetkikci", "ic.tetkikci2"}
    assert Audit.objects.filter(units__code="KYRŞ").exists()  # the second auditor makes that possible


def test_the_seed_sends_no_mail(seeded):
    """The services queue their e-mails for after the commit; the seed drops them (demo people)."""
    assert seeded.mails_queued == 0
    assert mail.outbox == []


def test_every_reminder_rule_has_something_to_say(seeded):
    today = timezone.localdate()
    collected = registry.collect(today=today)
    rules_seen = {item.rule for items in collected.values() for item in items}
    assert {
        "audits.action_due", "audits.root_cause_waiting", "audits.triage", "audits.effectiveness_due",
        "audits.closure_waiting", "audits.audit_starting", "audits.report_overdue",
    } <= rules_seen
    assert not [f for f in collected.failures if f.key.startswith("audits")]
    mine = {item.rule for item in collected[user("birim.yoneticisi").pk]}
    assert "audits.root_cause_waiting" in mine


def test_programme_completion_and_coverage_have_figures(seeded):
    completion = programme_completion(this_year())
    assert 0 < completion.done < completion.total
    report = clause_coverage(Standard.objects.get(code="ISO 10002"), timezone.localdate())
    assert 0 < report.not_audited < report.requirement_clauses
    assert any(row.findings[FindingKind.MINOR] for row in report.rows)


def test_seeding_again_creates_nothing(seeded):
    def counts():
        return (ChecklistTemplate.objects.count(), Audit.objects.count(), Nonconformity.objects.count(),
                Finding.objects.count(), CorrectiveAction.objects.count(), AuditReport.objects.count(),
                ChecklistAnswer.objects.count())

    before = counts()
    out = StringIO()
    audits_seed.run(stdout=out)
    assert counts() == before
    assert "(0 yeni)" in out.getvalue() and out.getvalue().count("(0 yeni)") == 3
