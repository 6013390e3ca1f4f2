"""Who reads what: the library, the document page, the file and old revisions, per role and unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from documents.models import today
from documents.queries import documents_visible_to, library
from documents.services import document_create_draft, document_withdraw
from qms.roles import Role
from tests.documents.conftest import approve_through_workflow, body, document_draft_revision, document_submit

pytestmark = pytest.mark.django_db


def codes(user):
    return sorted(r.document.code for r in library(user))


def test_staff_read_public_documents_but_not_restricted_ones_outside_their_audience(
    approved_document, restricted, make_user
):
    public = approved_document()
    secret = restricted()
    desk_staff = make_user(Role.STAFF, unit="KSB")
    agent = make_user(Role.AGENT, unit="ALO153")  # inside ÇMŞ, the restricted audience unit
    evaluator_elsewhere = make_user(Role.QA_EVALUATOR, unit="FEN")  # audience by role
    assert codes(desk_staff) == [public.code]
    assert codes(agent) == sorted([public.code, secret.code])
    assert codes(evaluator_elsewhere) == sorted([public.code, secret.code])


def test_a_restricted_document_asked_for_by_url_is_404_outside_its_audience(restricted, role_client):
    secret = restricted()
    revision = secret.approved_revisions.get()
    client = role_client(Role.STAFF, unit="KSB")
    for url in (
        reverse("documents:read", args=[secret.pk]),
        reverse("documents:read_revision", args=[secret.pk, 0]),
        reverse("documents:controlled_copy", args=[revision.pk]),
        reverse("documents:file", args=[revision.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("documents:acknowledge", args=[revision.pk])).status_code == 404


def test_drafts_are_invisible_to_staff_and_visible_to_overseers(org, people, doc_type, make_user, role_client):
    draft = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Taslak",
                                  change_summary="İlk", body=body())
    staff = make_user(Role.STAFF, unit="KSB")
    assert not documents_visible_to(staff).filter(pk=draft.pk).exists()
    assert role_client(Role.STAFF, unit="KSB").get(reverse("documents:read", args=[draft.pk])).status_code == 404
    auditor = make_user(Role.INTERNAL_AUDITOR, unit="HİŞM")
    assert documents_visible_to(auditor).filter(pk=draft.pk).exists()
    # A unit manager oversees documents of their subtree only.
    assert documents_visible_to(make_user(Role.UNIT_MANAGER, unit="ÇÖZM")).filter(pk=draft.pk).exists()
    assert not documents_visible_to(make_user(Role.UNIT_MANAGER, unit="ÇMŞ")).filter(pk=draft.pk).exists()


def test_superseded_and_withdrawn_revisions_are_hidden_from_staff_but_readable_to_quality_roles(
    approved_document, people, role_client, make_user
):
    document = approved_document()
    document_draft_revision(document=document, user=people["author"], body=body("İkinci sürüm metni"),
                            change_summary="Süre değişti")
    document_submit(document=document, user=people["author"])
    approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    staff = role_client(Role.STAFF, unit="KSB")
    page = staff.get(reverse("documents:read", args=[document.pk]))
    assert page.status_code == 200
    assert "İkinci sürüm metni" in page.content.decode()
    assert staff.get(reverse("documents:read_revision", args=[document.pk, 0])).status_code == 404
    old = document.approved_revisions.get(number=0)
    assert staff.get(reverse("documents:controlled_copy", args=[old.pk])).status_code == 404

    from django.test import Client

    client = Client()  # role_client's client is `staff` above
    client.force_login(make_user(Role.INTERNAL_AUDITOR, unit="HİŞM"))
    response = client.get(reverse("documents:read_revision", args=[document.pk, 0]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Başvurular 3 iş günü içinde yanıtlanır." in html
    assert "Geçerliliğini yitirdi" in html  # "Superseded"

    document_withdraw(document=document, user=people["approver"], reason="Birleştirildi")
    assert staff.get(reverse("documents:read", args=[document.pk])).status_code == 404
    assert codes(make_user(Role.STAFF, unit="KSB")) == []
    assert client.get(reverse("documents:read", args=[document.pk])).status_code == 200


def test_a_revision_approved_for_a_later_date_is_not_read_before_that_date(approved_document, people, make_user):
    document = approved_document()
    document_draft_revision(document=document, user=people["author"], body=body("Gelecek"),
                            change_summary="Yeni", effective_from=today() + timedelta(days=7))
    document_submit(document=document, user=people["author"])
    approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    staff = make_user(Role.STAFF, unit="KSB")
    assert [r.label for r in library(staff)] == ["00"]
    assert [r.label for r in library(staff, on=today() + timedelta(days=7))] == ["01"]


def test_library_search_finds_code_title_and_text_whatever_the_turkish_case(approved_document, role_client):
    document = approved_document(title="Şikâyet Yönetimi Prosedürü", body=body("ÇAĞRI kayıtları incelenir"))
    approved_document(title="Eğitim Planı")
    client = role_client(Role.STAFF, unit="KSB")
    for query in ("şikâyet", "SIKAYET", "çağrı", "cagri kayıt", document.code.lower()):
        html = client.get(reverse("documents:library"), {"q": query}).content.decode()
        assert document.code in html, query
        assert "Eğitim Planı" not in html, query


def test_library_browses_by_type_and_unit(approved_document, role_client, doc_type, org):
    from documents.models import DocumentKind

    procedure = approved_document(title="Prosedür A")
    form = approved_document(title="Form B", kind=DocumentKind.FORM)
    other = approved_document(title="Prosedür C", unit="HİŞM")
    client = role_client(Role.STAFF, unit="KSB")
    html = client.get(reverse("documents:library"), {"doc_type": doc_type(DocumentKind.FORM).pk}).content.decode()
    assert form.code in html and procedure.code not in html
    html = client.get(reverse("documents:library"), {"unit": org["HİŞM"].pk}).content.decode()
    assert other.code in html and procedure.code not in html


def test_the_document_page_shows_code_revision_dates_and_owner(approved_document, role_client):
    document = approved_document()
    html = role_client(Role.STAFF, unit="KSB").get(reverse("documents:read", args=[document.pk])).content.decode()
    revision = document.approved_revisions.get()
    for text in (document.code, "00", revision.effective_date.strftime("%d.%m.%Y"),
                 document.next_review_date.strftime("%d.%m.%Y"), document.unit.name):
        assert text in html


def test_library_runs_a_fixed_number_of_queries(approved_document, role_client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_client(Role.STAFF, unit="KSB")
    approved_document(title="Bir")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("documents:library"))
    for n in range(6):
        approved_document(title=f"Doküman {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("documents:library"))
    assert response.content.decode().count("documents/") > 6
    assert len(many) == len(few)
