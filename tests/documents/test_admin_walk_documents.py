"""Every documents screen walked as every role: served exactly when the role table says so.

Readers (everyone) get the library and the documents addressed to them; the register, history and
due-review list need "documents.view_document" (authors and overseers, within their unit scope);
editing needs "documents.author"; withdrawing, document types and workflows need "documents.manage".
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from qms.roles import ROLES, Role

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")


def can(role: Role, capability: str) -> bool:
    return capability in ROLES[role].capabilities


def oversees(role: Role) -> bool:
    return can(role, "documents.author") or can(role, "documents.oversee")


def refused(response) -> bool:
    return response.status_code in (403, 404) or (response.status_code == 302 and response.url == HOME)


@pytest.mark.parametrize("role", list(Role))
def test_documents_screens_per_role(role, role_client, approved_document):
    document = approved_document(unit="HİŞM")  # the branch: inside every scope that has it, a manager's above
    revision = document.approved_revisions.get()
    client = role_client(role, unit="HİŞM")
    # Everyone reads the library and a public document in force.
    assert client.get(reverse("documents:library")).status_code == 200
    assert client.get(reverse("documents:read", args=[document.pk])).status_code == 200
    assert client.get(reverse("documents:file", args=[revision.pk])).status_code == 404  # no file: body only

    screens = {
        "register": (reverse("wagtailsnippets_documents_document:list"), oversees(role)),
        # Wagtail's history needs the change permission; overseers read the revision history on the
        # document page instead ("old revision" below).
        "history": (reverse("wagtailsnippets_documents_document:history", args=[document.pk]),
                    can(role, "documents.author")),
        "due": (reverse("documents:due_reviews"), oversees(role)),
        "old revision": (reverse("documents:read_revision", args=[document.pk, 0]), True),
        "add": (reverse("wagtailsnippets_documents_document:add"), can(role, "documents.author")),
        "edit": (reverse("wagtailsnippets_documents_document:edit", args=[document.pk]),
                 can(role, "documents.author")),
        "review": (reverse("documents:review", args=[document.pk]), can(role, "documents.author")),
        "withdraw": (reverse("documents:withdraw", args=[document.pk]), can(role, "documents.manage")),
        "types": (reverse("wagtailsnippets_documents_documenttype:list"), can(role, "documents.manage")),
        "workflows": (reverse("wagtailadmin_workflows:index"), can(role, "documents.manage")),
    }
    for name, (url, allowed) in screens.items():
        response = client.get(url)
        if allowed:
            assert response.status_code == 200, (role, name, response.status_code)
        else:
            assert refused(response), (role, name, response.status_code)


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER])
def test_authors_outside_the_owning_unit_get_404_on_its_register_screens(role, role_client, approved_document):
    document = approved_document(unit="KSB")
    client = role_client(role, unit="ÇMŞ")
    for url in (
        reverse("wagtailsnippets_documents_document:edit", args=[document.pk]),
        reverse("wagtailsnippets_documents_document:history", args=[document.pk]),
        reverse("documents:review", args=[document.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
    listing = client.get(reverse("wagtailsnippets_documents_document:list")).content.decode()
    assert document.code not in listing


def test_staff_cannot_probe_which_drafts_are_in_review(org, people, doc_type, role_client):
    from documents.services import document_create_draft, document_submit
    from tests.documents.conftest import body

    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Taslak",
                                      change_summary="İlk", body=body())
    document_submit(document=document, user=people["author"])
    client = role_client(Role.STAFF, unit="KSB")
    url = reverse("wagtailsnippets_documents_document:confirm_workflow_cancellation", args=[document.pk])
    assert refused(client.get(url))


def test_nobody_deletes_a_document_by_url(role_client, approved_document):
    document = approved_document()
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.post(reverse("wagtailsnippets_documents_document:delete", args=[document.pk]))
    assert refused(response)
    assert type(document).objects.filter(pk=document.pk).exists()


def test_anonymous_visitors_are_sent_to_login(client, approved_document):
    document = approved_document()
    for url in (reverse("documents:library"), reverse("documents:read", args=[document.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_register_listing_runs_a_fixed_number_of_queries(role_client, approved_document):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    approved_document(title="Bir")
    url = reverse("wagtailsnippets_documents_document:list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        approved_document(title=f"Doküman {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("PR-KSB-") >= 9
    few_sql = {q["sql"] for q in few.captured_queries}
    assert len(many) == len(few), [q["sql"][:300] for q in many.captured_queries if q["sql"] not in few_sql]


def test_bulk_delete_is_refused_even_for_a_superuser(org, people, doc_type, client, django_user_model):
    from documents.services import document_create_draft

    # A draft: no approved revision protects it from a queryset delete.
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Taslak")
    client.force_login(django_user_model.objects.create_superuser("kok", "kok@example.org", "x"))
    url = reverse("wagtail_bulk_action", args=["documents", "document", "delete"]) + f"?id={document.pk}"
    client.post(url, {"id": [document.pk]})
    assert type(document).objects.filter(pk=document.pk).exists()
