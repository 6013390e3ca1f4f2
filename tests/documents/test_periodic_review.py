"""Periodic review: due and overdue documents listed and reminded; "no change" without a new revision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from documents.models import Document, ReviewOutcome, today
from documents.services import add_months, document_review_record
from qms.reminders import registry
from qms.roles import Role

pytestmark = pytest.mark.django_db


def _make_due(document, days_from_today):
    Document.objects.filter(pk=document.pk).update(next_review_date=today() + timedelta(days=days_from_today))
    document.refresh_from_db()
    return document


def test_due_and_overdue_documents_are_listed_for_overseers_only(approved_document, role_client):
    overdue = _make_due(approved_document(title="Gecikmiş"), -3)
    due = _make_due(approved_document(title="Yaklaşan"), 10)
    later = approved_document(title="Uzak")
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    html = client.get(reverse("documents:due_reviews")).content.decode()
    assert overdue.code in html and due.code in html and later.code not in html
    assert role_client(Role.STAFF, unit="KSB").get(reverse("documents:due_reviews")).status_code == 403


def test_no_change_review_moves_the_date_without_a_new_revision(approved_document, people):
    document = _make_due(approved_document(), -5)
    review = document_review_record(document=document, user=people["approver"], outcome=ReviewOutcome.NO_CHANGE)
    document.refresh_from_db()
    assert document.approved_revisions.count() == 1
    assert review.revision.number == 0
    assert document.next_review_date == add_months(today(), 12) == review.next_review_date


def test_revision_needed_keeps_the_document_due_and_needs_a_note(approved_document, people):
    document = _make_due(approved_document(), -5)
    with pytest.raises(ValidationError):
        document_review_record(document=document, user=people["approver"], outcome=ReviewOutcome.REVISION_NEEDED)
    document_review_record(document=document, user=people["approver"], outcome=ReviewOutcome.REVISION_NEEDED,
                           note="Mevzuat değişti")
    document.refresh_from_db()
    assert document.next_review_date == today() - timedelta(days=5)


def test_review_refused_without_permission_or_outside_scope(approved_document, make_user, role_client):
    document = approved_document()
    with pytest.raises(PermissionDenied):
        document_review_record(document=document, user=make_user(Role.STAFF), outcome=ReviewOutcome.NO_CHANGE)
    other_manager = role_client(Role.UNIT_MANAGER, unit="ÇMŞ")
    assert other_manager.get(reverse("documents:review", args=[document.pk])).status_code in (403, 404)
    own_manager = role_client(Role.UNIT_MANAGER, unit="ÇÖZM")
    response = own_manager.post(reverse("documents:review", args=[document.pk]), {"outcome": "no_change"})
    assert response.status_code == 302
    assert document.reviews.count() == 1


def test_review_reminders_reach_the_representative_and_the_owning_units_manager(approved_document, make_user):
    document = _make_due(approved_document(), -1)
    representative = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    own_manager = make_user(Role.UNIT_MANAGER, unit="ÇÖZM")
    other_manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    rule = next(r for r in registry.rules() if r.key == "documents.review_due")
    items = list(rule.function(today=today(), users=None))
    recipients = {i.user_id for i in items if document.code in str(i.title)}
    assert {representative.pk, own_manager.pk} <= recipients
    assert other_manager.pk not in recipients
    assert all(i.overdue for i in items)
