"""The "changes in internal and external issues" item holds the documented system's changes the
documents app records for the period (revisions in force, withdrawals, overdue periodic reviews
from `documents.queries.due_for_review`); "opportunities for improvement" holds the register's
active opportunities, the period's DÖFs from suggestions and complaints and the audits'
improvement findings; records outside the period are not counted; the query counts do not grow."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from audits.models import FindingKind, NCState, Source
from documents.models import DocumentRevision
from documents.queries import due_for_review
from qms.review.models import AgendaItemKind, RegisterStatus, Risk, RiskKind
from qms.review.pack import figure, table
from tests.review.pack_quality_data import (
    AFTER,
    AS_OF,
    BEFORE,
    IN_PERIOD,
    PERIOD_END,
    PERIOD_START,
    audit,
    compiled,
    dof,
    import_documents,
    make_cast,
    place_dof,
    queries_of,
    withdraw,
)

pytestmark = pytest.mark.django_db

CONTEXT, IMPROVEMENT = AgendaItemKind.CONTEXT, AgendaItemKind.IMPROVEMENT


@pytest.fixture
def cast(make_user, mr):
    return make_cast(make_user, mr)


def raw(pack, key):
    found = figure(pack, key)
    assert found is not None, key
    return found["raw"]


@pytest.fixture
def documents(cast, org):
    """Issued and revised in the period, before and after it; one withdrawn in it and one after it;
    one whose periodic review fell due in the period."""
    made = import_documents(cast, org, [
        (0, dt.date(2026, 2, 3), None),  # issued in the period
        (2, dt.date(2026, 6, 1), None),  # revised in the period
        (1, BEFORE, None),  # revised before the period
        (0, dt.date(2025, 1, 10), dt.date(2026, 1, 10)),  # review due in January: overdue at the end
        (0, dt.date(2025, 1, 10), None),  # withdrawn in the period
        (0, dt.date(2025, 1, 10), None),  # withdrawn after the period
        (0, dt.date(2026, 11, 2), None),  # issued after the period
    ])
    withdraw(cast, made[4], IN_PERIOD)
    withdraw(cast, made[5], AFTER)
    return made


def test_document_changes_are_the_documents_apps_for_the_period(review, documents):
    pack = compiled(review, CONTEXT)

    in_period = DocumentRevision.objects.filter(effective_date__range=(PERIOD_START, PERIOD_END))
    assert raw(pack, "documents_issued") == in_period.filter(number=0).count() == 1
    assert raw(pack, "documents_revised") == in_period.exclude(number=0).count() == 1
    assert raw(pack, "documents_withdrawn") == 1
    overdue = due_for_review(within_days=0, on=AS_OF).filter(next_review_date__lt=AS_OF)
    assert raw(pack, "document_reviews_overdue") == overdue.count() == 1
    changes = table(pack, "document_changes")
    assert [row[0] for row in changes["rows"]] == [documents[0].code, documents[1].code]
    assert changes["rows"][1][2:5] == ["02", "revizyon", "01.06.2026"]
    assert changes["links"][1] == reverse("documents:read_revision", args=[documents[1].pk, 2])
    withdrawn = table(pack, "documents_withdrawn")
    assert [row[0] for row in withdrawn["rows"]] == [documents[4].code]
    assert withdrawn["rows"][0][2:] == ["15.05.2026", "Süreç kaldırıldı"]
    late = table(pack, "document_reviews_overdue")
    assert late["rows"] == [[documents[3].code, documents[3].title, "KSB", "10.01.2026",
                             str((AS_OF - dt.date(2026, 1, 10)).days)]]
    assert late["links"] == [reverse("documents:read", args=[documents[3].pk])]


def test_the_context_pack_is_json_and_says_the_narrative_holds_the_issues(review, documents):
    pack = compiled(review, CONTEXT)

    assert json.loads(json.dumps(pack)) == pack
    assert any("iç ve dış hususlardaki değişiklikleri" in note for note in pack["notes"])


def test_the_context_query_count_does_not_grow(review, cast, org, django_assert_num_queries):
    def load(n):
        made = import_documents(cast, org, [(i % 3, PERIOD_START + dt.timedelta(days=i % 280),
                                             PERIOD_START + dt.timedelta(days=i % 280 + 1)) for i in range(n)])
        for document in made[::5]:
            withdraw(cast, document, IN_PERIOD)

    load(10)
    at_ten = queries_of(review, CONTEXT)
    load(90)

    with django_assert_num_queries(at_ten):
        pack = compiled(review, CONTEXT)
    assert raw(pack, "documents_issued") + raw(pack, "documents_revised") == 100
    assert raw(pack, "documents_withdrawn") == 20


# --- improvement ---------------------------------------------------------------------------------


def risk(owner, *, kind=RiskKind.OPPORTUNITY, status=RegisterStatus.ACTIVE, likelihood=3, impact=4) -> Risk:
    return Risk.objects.create(kind=kind, status=status, description="WhatsApp kanalı ile yanıt süresi kısalır",
                               process="Başvuru yönetimi", likelihood=likelihood, impact=impact, owner=owner,
                               review_date=dt.date(2026, 12, 31))


def test_improvement_holds_the_opportunities_and_the_periods_suggestions_and_complaints(review, cast, org):
    best = risk(cast["mr"], likelihood=5, impact=4)
    other = risk(cast["manager"], likelihood=2, impact=2)
    risk(cast["mr"], kind=RiskKind.RISK)
    risk(cast["mr"], status=RegisterStatus.CLOSED)
    suggestion = place_dof(dof(cast, org), raised=IN_PERIOD)
    complaint = place_dof(dof(cast, org, source=Source.CITIZEN_COMPLAINT, state=NCState.CLOSED), raised=IN_PERIOD,
                          closed=dt.date(2026, 6, 1))
    place_dof(dof(cast, org, source=Source.CITIZEN_COMPLAINT), raised=BEFORE)
    place_dof(dof(cast, org), raised=AFTER)
    place_dof(dof(cast, org, state=NCState.REJECTED), raised=IN_PERIOD)
    place_dof(dof(cast, org, source=Source.KPI_BREACH), raised=IN_PERIOD)
    held = audit(cast, org, held=dt.date(2026, 4, 7), findings=[FindingKind.IMPROVEMENT, FindingKind.OBSERVATION])
    audit(cast, org, held=dt.date(2025, 9, 7), year=2025, findings=[FindingKind.IMPROVEMENT])
    pack = compiled(review, IMPROVEMENT)

    assert raw(pack, "opportunities_active") == 2
    assert [row[0] for row in table(pack, "opportunities")["rows"]] == [best.code, other.code]
    assert table(pack, "opportunities")["rows"][0][2:] == ["Başvuru yönetimi", cast["mr"].get_full_name(), "20"]
    assert raw(pack, "suggestion_dofs") == 1
    assert raw(pack, "complaint_dofs") == 1
    dofs = table(pack, "improvement_dofs")
    assert [row[0] for row in dofs["rows"]] == [suggestion.code, complaint.code]
    assert dofs["links"] == [reverse("audits:nonconformity", args=[nc.pk]) for nc in (suggestion, complaint)]
    assert dofs["rows"][1][2:] == ["Vatandaş şikâyeti", "ÇMŞ", "Kapatıldı"]
    assert raw(pack, "audit_improvements") == 1
    finding = held.findings.get(kind=FindingKind.IMPROVEMENT)
    assert table(pack, "audit_improvements")["rows"] == [[finding.code, "ÇMŞ", finding.statement]]
    assert table(pack, "audit_improvements")["links"] == [reverse("audits:audit", args=[held.pk])]
    assert json.loads(json.dumps(pack)) == pack


def test_the_improvement_query_count_does_not_grow(review, cast, org, django_assert_num_queries):
    def load(n):
        for i in range(n):
            risk(cast["mr"], likelihood=1 + i % 5)
            place_dof(dof(cast, org, source=Source.STAFF_SUGGESTION if i % 2 else Source.CITIZEN_COMPLAINT),
                      raised=PERIOD_START + dt.timedelta(days=i % 280))
            if i % 10 == 0:
                audit(cast, org, held=PERIOD_START + dt.timedelta(days=i % 280), findings=[FindingKind.IMPROVEMENT])

    load(10)
    at_ten = queries_of(review, IMPROVEMENT)
    load(90)

    with django_assert_num_queries(at_ten):
        pack = compiled(review, IMPROVEMENT)
    assert raw(pack, "opportunities_active") == 100
    assert raw(pack, "suggestion_dofs") + raw(pack, "complaint_dofs") == 100
    assert raw(pack, "audit_improvements") == 10
