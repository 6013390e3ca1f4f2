"""The clause-coverage report: per clause, the documents in force, the audits, the findings and the
open DÖFs on it; the clauses with no audit in the last 12 months; the CSV export; who may see it;
a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import queries, services
from audits.models import Audit, FindingKind, Source
from documents.services import document_withdraw
from qms.models import Clause, Standard
from qms.roles import Role
from tests.documents.conftest import approved_document, doc_type, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

def url() -> str:
    return reverse("audits:clause_coverage")


def clause(standard, number):
    return Clause.objects.get(standard__code=standard, number=number)


def link(document, clause) -> None:
    """Point a document at a clause (what saving the editor's "clauses" field stores)."""
    from documents.models import Document

    Document.clauses.through.objects.create(document=document, clause=clause)


def row_of(report, number):
    return next(row for row in report.rows if row.clause.number == number)


@pytest.fixture
def covered(approved_document, planned_audit, cast, org, clause, today):  # noqa: F811
    """ISO 18295-1 4.2: a document in force, an audit in progress that asked about it, a minor
    nonconformity finding on it (with its open DÖF) and an observation."""
    document = approved_document(title="Çağrı Karşılama Talimatı")
    link(document, clause)
    audit = services.audit_start(audit=planned_audit(clauses=[clause]), user=cast["auditor"])
    first, second = audit.answers.order_by("order")
    finding = services.answer_record(answer=first, user=cast["auditor"], result="nonconforming",
                                     evidence="12 kayıtta geri dönüş yok.", finding_kind=FindingKind.MINOR)
    services.answer_record(answer=second, user=cast["auditor"], result="observation", evidence="Bekleme izlenmiyor.")
    return {"document": document, "audit": audit, "finding": finding, "clause": clause}


def test_a_clause_shows_its_documents_audits_findings_and_open_dofs(covered, today):
    report = queries.clause_coverage(Standard.objects.get(code="ISO 18295-1"), today)
    row = row_of(report, "4.2")
    assert row.documents == 1
    assert row.audits == 1
    assert row.last_audit == covered["audit"] and row.last_audit_date == today
    assert row.findings[FindingKind.MINOR] == 1 and row.findings[FindingKind.OBSERVATION] == 1
    assert row.findings[FindingKind.MAJOR] == 0 and row.findings[FindingKind.IMPROVEMENT] == 0
    assert row.open_nonconformities == 1
    assert not row.not_audited_recently


def test_a_chapter_adds_up_its_sub_clauses(covered, cast, org, today):
    other = clause("ISO 18295-1", "4.3")
    services.raise_nonconformity(source=Source.CALL_QA, title="Ölçüm yok", description="Açıklama", unit=org["ÇMŞ"],
                                 raised_by=cast["clerk"], clause=other)
    report = queries.clause_coverage(Standard.objects.get(code="ISO 18295-1"), today)
    chapter = row_of(report, "4")
    assert chapter.documents == 1 and chapter.audits == 1  # the same audit and document counted once
    assert chapter.open_nonconformities == 2
    assert chapter.findings[FindingKind.MINOR] == 1
    assert not chapter.not_audited_recently
    assert row_of(report, "4.3").not_audited_recently


def test_a_chapter_in_an_audits_scope_puts_its_sections_in_scope(planned_audit, cast, today):
    chapter = clause("ISO 18295-1", "4")
    audit = services.audit_start(audit=planned_audit(clauses=[chapter], checklists=[]), user=cast["auditor"])
    report = queries.clause_coverage(chapter.standard, today)
    for number in ("4", "4.1", "4.5"):
        row = row_of(report, number)
        assert row.audits == 1 and row.last_audit == audit and not row.not_audited_recently, number
    assert row_of(report, "5").not_audited_recently


def test_an_answer_on_a_section_does_not_cover_its_siblings(covered, today):
    report = queries.clause_coverage(covered["clause"].standard, today)
    assert not row_of(report, "4.2").not_audited_recently
    assert row_of(report, "4.3").not_audited_recently


def test_withdrawn_documents_and_drafts_do_not_count(approved_document, doc_type, clause, people, today):  # noqa: F811
    from documents.services import document_create_draft

    withdrawn = approved_document(title="Eski Talimat")
    link(withdrawn, clause)
    document_withdraw(document=withdrawn, user=people["approver"], reason="Yerine yenisi yayımlandı")
    draft = document_create_draft(user=people["author"], doc_type=doc_type(), unit=withdrawn.unit,
                                  title="Taslak Talimat")
    link(draft, clause)
    report = queries.clause_coverage(clause.standard, today)
    assert row_of(report, "4.2").documents == 0


def test_a_clause_last_audited_over_a_year_ago_is_flagged(planned_audit, cast, clause, today):
    audit = services.audit_start(audit=planned_audit(clauses=[clause]), user=cast["auditor"])
    report = queries.clause_coverage(clause.standard, today)
    assert not row_of(report, "4.2").not_audited_recently
    old = today - dt.timedelta(days=400)
    Audit.objects.filter(pk=audit.pk).update(actual_start=old, actual_end=old)
    report = queries.clause_coverage(clause.standard, today)
    row = row_of(report, "4.2")
    assert row.not_audited_recently and row.last_audit_date == old
    assert row_of(report, "4.4").not_audited_recently and row_of(report, "4.4").last_audit is None


def test_planned_and_cancelled_audits_do_not_count_as_audited(planned_audit, cast, clause, today):
    audit = planned_audit(clauses=[clause])
    row = row_of(queries.clause_coverage(clause.standard, today), "4.2")
    assert row.audits == 1 and row.not_audited_recently and row.next_audit_date == audit.planned_start
    services.audit_cancel(audit=audit, user=cast["mr"], reason="Ertelendi")
    row = row_of(queries.clause_coverage(clause.standard, today), "4.2")
    assert row.audits == 0 and row.next_audit_date is None


def test_informative_clauses_are_never_flagged(today):
    report = queries.clause_coverage(Standard.objects.get(code="ISO 18295-1"), today)
    for number in ("1", "2", "3", "A", "B"):
        row = row_of(report, number)
        assert row.informative and not row.not_audited_recently
    assert report.requirement_clauses == len(report.rows) - 5
    assert report.not_audited == report.requirement_clauses


def test_the_page_shows_the_summary_the_flag_and_the_links(covered, client, cast):
    client.force_login(cast["mr"])
    standard = Standard.objects.get(code="ISO 18295-1")
    response = client.get(url(), {"standard": standard.pk})
    assert response.status_code == 200
    html = response.content.decode()
    report = response.context["report"]
    assert f"{report.requirement_clauses} maddeden {report.not_audited} tanesi" in html
    assert "Son 12 ayda tetkik edilmedi" in html
    assert reverse("audits:audit", args=[covered["audit"].pk]) in html
    clause_pk = covered["clause"].pk
    assert f'{reverse("audits:nonconformities")}?clause={clause_pk}&amp;state=open_states' in html
    assert 'scope="row"' in html and 'scope="colgroup"' in html


def test_the_default_standard_is_iso_10002(client, cast):
    client.force_login(cast["mr"])
    response = client.get(url())
    assert response.context["report"].standard.code == "ISO 10002"


def test_only_unaudited_clauses_on_request(covered, client, cast):
    client.force_login(cast["mr"])
    standard = Standard.objects.get(code="ISO 18295-1")
    rows = client.get(url(), {"standard": standard.pk, "unaudited": "on"}).context["rows"]
    assert rows and all(row.not_audited_recently for row in rows)
    assert "4.2" not in {row.clause.number for row in rows}


def test_an_auditor_sees_links_only_to_the_audits_they_may_open(covered, client, cast):
    client.force_login(cast["auditor2"])  # not on that audit's team
    html = client.get(url(), {"standard": covered["clause"].standard_id}).content.decode()
    assert covered["audit"].code in html
    assert reverse("audits:audit", args=[covered["audit"].pk]) not in html


def test_the_csv_export_has_the_same_table(covered, client, cast):
    client.force_login(cast["auditor"])
    standard = Standard.objects.get(code="ISO 18295-1")
    response = client.get(url(), {"standard": standard.pk, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Standart", "Madde", "Başlık"] and header[-1] == "Son 12 ayda tetkik edilmedi"
    assert len(body) == Clause.objects.filter(standard=standard).count()
    row = dict(zip(header, next(r for r in body if r[1] == "4.2"), strict=True))
    assert row["Yürürlükteki dokümanlar"] == "1"
    assert row["Tetkikler"] == "1"
    assert row["Son tetkik"] == covered["audit"].code
    assert row["Küçük uygunsuzluk"] == "1" and row["Gözlem"] == "1"
    assert row["Açık DÖF'ler"] == "1"
    assert row["Son 12 ayda tetkik edilmedi"] == "hayır"
    assert next(r for r in body if r[1] == "4.4")[-1] == "evet"


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_the_quality_roles_may_see_the_report(role_client, role):
    client = role_client(role)
    assert client.get(url()).status_code == 200
    assert client.get(url(), {"format": "csv"}).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.QA_EVALUATOR, Role.TRAINING_COORDINATOR]
)
def test_the_report_is_refused_to_everyone_else(role_client, role):
    client = role_client(role, unit="ALO153")
    assert client.get(url()).status_code == 403
    assert client.get(url(), {"format": "csv"}).status_code == 403


def test_the_report_runs_the_same_number_of_queries_whatever_the_data(
    approved_document, planned_audit, cast, org, client, today  # noqa: F811
):
    standard = Standard.objects.get(code="ISO 18295-1")
    clauses = list(Clause.objects.filter(standard=standard))
    client.force_login(cast["mr"])

    def make(n, start):
        for i in range(start, start + n):
            picked = [clauses[i % len(clauses)], clauses[(i * 7) % len(clauses)]]
            audit = planned_audit(title=f"Tetkik {i}", clauses=picked, units=[org["ALO153"]])
            if i % 2:
                audit = services.audit_start(audit=audit, user=cast["auditor"])
                services.finding_record(audit=audit, user=cast["auditor"], kind=FindingKind.IMPROVEMENT,
                                        unit=org["ALO153"], statement="İyileştirme", clause=picked[0])
            services.raise_nonconformity(source=Source.KPI_BREACH, title=f"DÖF {i}", description="Açıklama",
                                         unit=org["ALO153"], raised_by=cast["mr"], clause=picked[1])
        for i in range(start, start + max(1, n // 5)):
            link(approved_document(title=f"Talimat {i}"), clauses[i % len(clauses)])

    def measure(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(), {"standard": standard.pk, **params})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    make(5, 0)
    measure()
    few, few_csv = measure(), measure(format="csv")
    make(45, 5)
    assert measure() == few
    assert measure(format="csv") == few_csv
