"""Read and acknowledge: who is asked, the dashboard list, confirmation, counts for the owner, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from documents.models import DocumentAcknowledgement, today
from documents.queries import acknowledgement_summary, pending_acknowledgements
from qms.reminders import registry
from qms.roles import ROLES, Role
from tests.documents.conftest import approve_through_workflow, body, document_draft_revision, document_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(make_user):
    return {
        "agent1": make_user(Role.AGENT, unit="ALO153"),
        "agent2": make_user(Role.AGENT, unit="ALO153"),
        "desk": make_user(Role.STAFF, unit="KSB"),
        "named": make_user(Role.STAFF, unit="FEN"),
        "outsider": make_user(Role.STAFF, unit="FEN"),
    }


@pytest.fixture
def to_acknowledge(approved_document, org, audience):
    """A procedure that agents (by role), the desk unit (by unit) and one named person must read."""
    agents = Group.objects.get(name=ROLES[Role.AGENT].group_name)

    def factory(**fields):
        from documents.services import document_create_draft

        document = document_create_draft(
            user=fields.pop("author"), doc_type=fields.pop("doc_type"), unit=org["KSB"],
            title="Karşılama Talimatı", change_summary="İlk yayın", body=body(),
        )
        document.acknowledge_groups.set([agents])
        document.acknowledge_units.set([org["ÇÖZM"]])
        document.acknowledge_users.set([audience["named"]])
        document.save()
        document.save_revision(user=document.created_by, clean=False)
        return document

    return factory


def _approve(document, people):
    document_submit(document=document, user=people["author"])
    return approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])


def test_approval_asks_roles_units_and_people_to_read(to_acknowledge, people, doc_type, audience):
    document = to_acknowledge(author=people["author"], doc_type=doc_type())
    revision = _approve(document, people)
    asked = set(revision.acknowledgements.values_list("user_id", flat=True))
    expected = {audience[k].pk for k in ("agent1", "agent2", "desk", "named")} | {people["author"].pk}
    # The author works in KSB (under ÇÖZM), so they are asked too; the outsider is not.
    assert asked == expected
    assert audience["outsider"].pk not in asked


def test_confirming_updates_the_owners_counts_and_the_dashboard(to_acknowledge, people, doc_type, audience, client):
    document = to_acknowledge(author=people["author"], doc_type=doc_type())
    revision = _approve(document, people)
    agent = audience["agent1"]
    assert [a.revision_id for a in pending_acknowledgements(agent)] == [revision.pk]
    client.force_login(agent)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert document.code in dashboard and 'id="documents-to-read-section"' in dashboard

    response = client.post(reverse("documents:acknowledge", args=[revision.pk]))
    assert response.status_code == 302
    assert not pending_acknowledgements(agent).exists()
    client.post(reverse("documents:acknowledge", args=[revision.pk]))  # twice: still one confirmation
    summary = acknowledgement_summary(revision)
    assert (summary["total"], summary["done"]) == (5, 1)
    assert summary["rate"] == pytest.approx(0.2)
    assert agent.pk not in {a.user_id for a in summary["pending"]}

    client.force_login(people["approver"])
    page = client.get(reverse("documents:read", args=[document.pk])).content.decode()
    assert "1 / 5" in page or "5 kişiden 1" in page or "1 of 5" in page


def test_someone_not_asked_cannot_confirm(to_acknowledge, people, doc_type, audience, client):
    revision = _approve(to_acknowledge(author=people["author"], doc_type=doc_type()), people)
    client.force_login(audience["outsider"])
    assert client.post(reverse("documents:acknowledge", args=[revision.pk])).status_code == 403
    assert not DocumentAcknowledgement.objects.filter(user=audience["outsider"]).exists()


def test_a_new_revision_asks_again_and_drops_the_old_request(to_acknowledge, people, doc_type, audience):
    document = to_acknowledge(author=people["author"], doc_type=doc_type())
    first = _approve(document, people)
    document_draft_revision(document=document, user=people["author"], body=body("Yeni"), change_summary="Güncel")
    second = _approve(document, people)
    pending = [a.revision_id for a in pending_acknowledgements(audience["desk"])]
    assert pending == [second.pk] and first.pk not in pending


def test_reminders_go_out_through_the_registry_and_turn_overdue(to_acknowledge, people, doc_type, audience, settings):
    revision = _approve(to_acknowledge(author=people["author"], doc_type=doc_type()), people)
    rule = next(r for r in registry.rules() if r.key == "documents.acknowledge")
    items = [i for i in rule.function(today=today(), users=None) if i.user_id == audience["agent2"].pk]
    assert len(items) == 1 and not items[0].overdue
    assert revision.document.code in str(items[0].title)
    later = today() + timedelta(days=settings.QMS_DOCUMENT_ACKNOWLEDGE_DAYS + 1)
    items = [i for i in rule.function(today=later, users=None) if i.user_id == audience["agent2"].pk]
    assert items[0].overdue
