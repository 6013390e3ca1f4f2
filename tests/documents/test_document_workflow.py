"""The approval workflow: draft -> in review -> approved (in force from its date) -> superseded / withdrawn,
with the refusals: the author approving, a skipped step, a publish without the workflow, no change summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import Document, DocumentRevision, today
from documents.queries import current_revision_of, revision_states
from documents.services import (
    document_create_draft,
    document_draft_revision,
    document_submit,
    document_withdraw,
)
from qms.roles import Role
from tests.documents.conftest import approve_through_workflow, body

pytestmark = pytest.mark.django_db


def test_first_approval_makes_revision_00_in_force(approved_document, people):
    document = approved_document()
    revision = current_revision_of(document)
    assert revision.number == 0 and revision.label == "00"
    assert revision.author == people["author"]
    assert revision.reviewer == people["reviewer"]
    assert revision.approver == people["approver"]
    assert revision.change_summary == "İlk yayın"
    assert revision.effective_date == today()
    assert revision.next_review_date == document.next_review_date
    assert (revision.next_review_date - today()).days in range(365, 367)
    assert document.live and document.code.startswith("PR-KSB-")


def test_a_new_revision_supersedes_the_old_one_only_from_its_effective_date(approved_document, people):
    document = approved_document()
    later = today() + timedelta(days=10)
    document_draft_revision(document=document, user=people["author"], title="Şikâyet Yönetimi Prosedürü",
                            body=body("Yeni süre: 2 iş günü."), change_summary="Yanıt süresi kısaldı",
                            effective_from=later)
    # The draft does not touch what staff read.
    assert current_revision_of(document).number == 0
    document_submit(document=document, user=people["author"])
    approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    revisions = list(document.approved_revisions.order_by("-number"))
    assert [r.number for r in revisions] == [1, 0]
    assert current_revision_of(document).number == 0  # 01 is approved but not yet in force
    assert current_revision_of(document, on=later).number == 1
    states = revision_states(document, revisions, on=later)
    assert states[revisions[0].pk] == "effective" and states[revisions[1].pk] == "superseded"
    # The old revision is kept unchanged.
    assert "3 iş günü" in str(revisions[1].body)


def test_the_author_cannot_approve_their_own_revision(org, people, doc_type, make_user):
    from qms.roles import Role

    # The author is also a management representative: still not allowed to approve what they wrote.
    author = make_user(Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER, unit="KSB")
    document = document_create_draft(user=author, doc_type=doc_type(), unit=org["KSB"], title="Talimat",
                                      change_summary="İlk yayın", body=body())
    document_submit(document=document, user=author)
    state = document.current_workflow_task_state
    assert state.task.specific.get_actions(document, author) == []
    with pytest.raises(PermissionDenied, match="onaylayamazsınız"):
        state.task.specific.on_action(state, author, "approve")
    state.task.specific.on_action(state, people["reviewer"], "approve")
    document.refresh_from_db()
    state = document.current_workflow_task_state
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, author, "approve")
    assert not DocumentRevision.objects.filter(document=document).exists()


def test_an_approver_of_the_second_step_cannot_act_on_the_first(org, people, doc_type):
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Form",
                                      change_summary="İlk yayın", body=body())
    document_submit(document=document, user=people["author"])
    state = document.current_workflow_task_state
    # The management representative is not in the first step's group (unit managers).
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, people["approver"], "approve")
    assert not document.approved_revisions.exists()


def test_a_unit_manager_reviews_only_documents_of_their_units(org, people, doc_type, make_user):
    from qms.roles import Role

    other_manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Form",
                                      change_summary="İlk yayın", body=body())
    document_submit(document=document, user=people["author"])
    state = document.current_workflow_task_state
    assert state.task.specific.get_actions(document, other_manager) == []
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, other_manager, "approve")


def test_publishing_directly_is_refused_even_for_a_superuser(org, people, doc_type, django_user_model):
    admin = django_user_model.objects.create_superuser("kok", "kok@example.org", "x")
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Plan",
                                      change_summary="İlk yayın", body=body())
    with pytest.raises(PermissionDenied, match="onay iş akışıyla"):
        document.latest_revision.publish(user=admin)
    document.refresh_from_db()
    assert not document.live and not document.approved_revisions.exists()


def test_submitting_without_a_change_summary_is_refused(org, people, doc_type):
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Liste",
                                      body=body())
    with pytest.raises(ValidationError, match="değişiklik özetini"):
        document_submit(document=document, user=people["author"])
    assert document.current_workflow_state is None


def test_submitting_without_content_is_refused(org, people, doc_type):
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Boş",
                                      change_summary="İlk yayın")
    with pytest.raises(ValidationError, match="içeriği olmalı"):
        document_submit(document=document, user=people["author"])
    assert document.current_workflow_state is None


def test_withdrawal_needs_a_reason_and_hides_the_document(approved_document, people):
    document = approved_document()
    with pytest.raises(ValidationError):
        document_withdraw(document=document, user=people["approver"], reason="  ")
    with pytest.raises(PermissionDenied):
        document_withdraw(document=document, user=people["author"], reason="Gereksiz")
    document_withdraw(document=document, user=people["approver"], reason="PR-KSB-002 ile birleştirildi")
    document.refresh_from_db()
    assert document.is_withdrawn and document.withdrawal_reason == "PR-KSB-002 ile birleştirildi"
    assert current_revision_of(document) is None
    assert document.approved_revisions.count() == 1  # kept


def test_approved_revisions_and_documents_are_never_deleted_or_changed(approved_document):
    document = approved_document()
    revision = document.approved_revisions.get()
    revision.change_summary = "değişti"
    with pytest.raises(PermissionDenied):
        revision.save()
    with pytest.raises(PermissionDenied):
        revision.delete()
    with pytest.raises(PermissionDenied):
        Document.objects.get(pk=document.pk).delete()


def test_whoever_changes_the_content_during_review_becomes_an_author(org, people, doc_type):
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Plan",
                                      change_summary="İlk yayın", body=body())
    document_submit(document=document, user=people["author"])
    # The management representative rewrites the text while it is with the reviewer...
    document_draft_revision(document=document, user=people["approver"], body=body("Baştan yazıldı"))
    state = document.current_workflow_task_state
    state.task.specific.on_action(state, people["reviewer"], "approve")
    document.refresh_from_db()
    state = document.current_workflow_task_state
    # ... so they may not approve it themselves.
    with pytest.raises(PermissionDenied, match="onaylayamazsınız"):
        state.task.specific.on_action(state, people["approver"], "approve")


def test_drafting_from_a_stale_instance_keeps_the_approved_document_live(org, people, doc_type):
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Plan",
                                      change_summary="İlk yayın", body=body())
    stale = Document.objects.get(pk=document.pk)  # read while still a draft
    document_submit(document=document, user=people["author"])
    approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    document_draft_revision(document=stale, user=people["author"], body=body("Yeni"), change_summary="Güncel")
    document.refresh_from_db()
    assert document.live and current_revision_of(document).number == 0


def test_review_requests_are_mailed_only_to_those_who_may_act(org, people, doc_type, make_user, mailoutbox):
    other_manager = make_user(Role.UNIT_MANAGER, unit="FEN", email="fen@example.org")
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Gizli Plan",
                                      change_summary="İlk yayın", body=body())
    document_submit(document=document, user=people["author"])
    recipients = {address for message in mailoutbox for address in message.to}
    assert people["reviewer"].email in recipients
    assert other_manager.email not in recipients and people["author"].email not in recipients
