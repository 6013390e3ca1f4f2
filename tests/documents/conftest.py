"""Document fixtures: a document driven through the real approval workflow."""

from __future__ import annotations

import pytest

from documents.models import DocumentKind, DocumentType
from documents.services import document_create_draft, document_draft_revision, document_submit
from qms.roles import Role


def body(text: str = "Başvurular 3 iş günü içinde yanıtlanır.") -> list:
    return [("heading", "Amaç"), ("paragraph", f"<p>{text}</p>")]


def approve_through_workflow(document, *, reviewer, approver):
    """Run both default steps (unit manager reviews, management representative approves)."""
    state = document.current_workflow_task_state
    state.task.specific.on_action(state, reviewer, "approve")
    document.refresh_from_db()
    state = document.current_workflow_task_state
    state.task.specific.on_action(state, approver, "approve")
    document.refresh_from_db()
    return document.approved_revisions.order_by("-number").first()


@pytest.fixture
def doc_type():
    return lambda kind=DocumentKind.PROCEDURE: DocumentType.objects.get(kind=kind)


@pytest.fixture
def people(make_user):
    """An author (unit manager of KSB), a reviewer (manager of the whole branch) and the approver."""
    return {
        "author": make_user(Role.UNIT_MANAGER, unit="KSB", username="yazar", first_name="Ayşe", last_name="Yazıcı"),
        "reviewer": make_user(Role.UNIT_MANAGER, unit="HİŞM", username="inceleyen", first_name="İsmail",
                              last_name="Çelik"),
        "approver": make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", username="onaylayan",
                              first_name="Gülşen", last_name="Öztürk"),
    }


@pytest.fixture
def approved_document(org, people, doc_type):
    """approved_document(title=..., **fields) -> a document with revision 00 in force."""

    def factory(title="Şikâyet Yönetimi Prosedürü", unit="KSB", kind=DocumentKind.PROCEDURE, **fields):
        document = document_create_draft(
            user=people["author"], doc_type=doc_type(kind), unit=org[unit], title=title,
            change_summary=fields.pop("change_summary", "İlk yayın"), body=fields.pop("body", body()), **fields,
        )
        document_submit(document=document, user=people["author"])
        approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
        document.refresh_from_db()
        return document

    return factory


@pytest.fixture
def restricted(approved_document, org):
    """restricted(title=...) -> a call-centre instruction of ÇMPK restricted to the QA evaluators'
    role and the ÇMŞ chiefdom (so its agents read it; the desk staff of KSB do not)."""
    from django.contrib.auth.models import Group

    from documents.models import Confidentiality
    from qms.roles import ROLES

    def factory(title="Çağrı Puanlama Talimatı"):
        document = approved_document(title=title, unit="ÇMPK")
        document.confidentiality = Confidentiality.RESTRICTED
        document.save(update_fields=["confidentiality"])
        document.audience_groups.set([Group.objects.get(name=ROLES[Role.QA_EVALUATOR].group_name)])
        document.audience_units.set([org["ÇMŞ"]])
        document.save()
        return document

    return factory


__all__ = ["approve_through_workflow", "body", "document_draft_revision", "document_submit"]
