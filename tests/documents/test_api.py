"""/api/v1/documents: the library, one document, and the read confirmation, under the one visibility rule.

Staff see the revision in force of public documents, their own unit's and restricted ones addressed to
them; a document outside that (restricted elsewhere, withdrawn, never approved) is 404 like an unknown
code. Overseers also get the approved revisions with their states. No credentials: 401.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from documents.models import (
    Document,
    DocumentAcknowledgement,
    DocumentFile,
    DocumentKind,
    DocumentRevision,
    DocumentType,
    today,
)
from documents.queries import fold
from documents.services import document_create_draft, document_withdraw
from qms.api import api
from qms.roles import Role
from tests.documents.conftest import approve_through_workflow, body, document_submit

pytestmark = pytest.mark.django_db

API = "/api/v1/documents"


def bearer(user) -> dict:
    _instance, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def register(approved_document, restricted, people, org, doc_type):
    """A public procedure, a restricted instruction, a withdrawn procedure and a draft never approved."""
    withdrawn = approved_document(title="Eski Karşılama Prosedürü")
    document_withdraw(document=withdrawn, user=people["approver"], reason="Birleştirildi")
    draft = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Taslak",
                                  change_summary="İlk", body=body())
    return {"public": approved_document(), "restricted": restricted(), "withdrawn": withdrawn, "draft": draft}


@pytest.fixture
def to_read(org, people, doc_type, make_user):
    """A procedure the agents of ALO153 must read (they exist before it is approved, so they are asked)."""
    agent = make_user(Role.AGENT, unit="ALO153", username="temsilci")
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"],
                                     title="Karşılama Talimatı", change_summary="İlk yayın", body=body())
    document.acknowledge_units.set([org["ALO153"]])
    document.save()
    document.save_revision(user=people["author"], clean=False)
    document_submit(document=document, user=people["author"])
    approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    document.refresh_from_db()
    return document, agent


# --- mounting and authentication --------------------------------------------------------------


def test_the_router_is_mounted_once_even_if_ready_runs_again():
    apps.get_app_config("documents").ready()
    assert [prefix for prefix, _router in api._routers].count("/documents") == 1
    paths = set(api.get_openapi_schema()["paths"])
    assert {API, f"{API}/{{code}}", f"{API}/{{code}}/acknowledge"} <= paths


def test_no_credentials_is_401(client, register):
    code = quote(register["public"].code)
    for response in (
        client.get(API),
        client.get(f"{API}/{code}"),
        client.post(f"{API}/{code}/acknowledge"),
    ):
        assert response.status_code == 401
        assert response.json() == {"detail": "Unauthorized"}


def test_an_account_without_any_role_gets_403(role_client, register):
    client = role_client(unit="KSB")  # a staff profile, no role: cannot open the portal either
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/{quote(register['public'].code)}").status_code == 403


def test_a_bearer_token_reads_the_list(client, register, make_user):
    response = client.get(API, **bearer(make_user(Role.STAFF, unit="KSB")))
    assert codes(response) == [register["public"].code]


# --- who sees what ----------------------------------------------------------------------------


def test_staff_see_public_documents_but_not_restricted_ones_of_another_unit(role_client, register):
    assert codes(role_client(Role.STAFF, unit="KSB").get(API)) == [register["public"].code]


def test_staff_inside_the_restricted_audience_see_it(role_client, register):
    seen = codes(role_client(Role.AGENT, unit="ALO153").get(API))  # ALO153 is under ÇMŞ
    assert sorted(seen) == sorted([register["public"].code, register["restricted"].code])


def test_a_role_in_the_restricted_audience_sees_it_from_any_unit(role_client, register):
    seen = codes(role_client(Role.QA_EVALUATOR, unit="FEN").get(API))
    assert register["restricted"].code in seen


def test_the_management_representative_sees_everything_in_force_and_only_that(role_client, register):
    seen = codes(role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(API))
    assert seen == sorted([register["public"].code, register["restricted"].code])  # ordered by code


@pytest.mark.parametrize("which", ["restricted", "withdrawn", "draft"])
def test_detail_outside_the_audience_is_404_like_an_unknown_code(role_client, register, which):
    client = role_client(Role.STAFF, unit="KSB")
    hidden = client.get(f"{API}/{quote(register[which].code)}")
    unknown = client.get(f"{API}/PR-YOK-999")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert client.post(f"{API}/{quote(register[which].code)}/acknowledge").status_code == 404


def test_an_overseer_opens_a_withdrawn_document_with_its_history(role_client, register):
    client = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM")
    withdrawn = register["withdrawn"]
    data = client.get(f"{API}/{quote(withdrawn.code)}").json()
    assert data["code"] == withdrawn.code
    assert data["current_revision"] is None
    assert data["withdrawn_at"] is not None
    assert data["urls"]["controlled_copy"] is None
    assert [(r["label"], r["state"]["key"]) for r in data["revisions"]] == [("00", "withdrawn")]
    # Nothing in force, so nothing to confirm.
    response = client.post(f"{API}/{quote(withdrawn.code)}/acknowledge")
    assert response.status_code == 409
    assert response.json()["detail"]


def test_an_overseer_opens_a_draft_never_approved(role_client, register):
    data = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM").get(f"{API}/{quote(register['draft'].code)}").json()
    assert data["title"] == "Taslak"
    assert data["current_revision"] is None
    assert data["revisions"] == []


# --- what a document looks like ---------------------------------------------------------------


def test_a_list_item_has_the_revision_in_force_the_links_and_the_acknowledgement(role_client, register):
    document = register["public"]
    revision = document.approved_revisions.get()
    [item] = role_client(Role.STAFF, unit="KSB").get(API).json()["items"]
    assert item == {
        "code": document.code,
        "title": "Şikâyet Yönetimi Prosedürü",
        "type": {"key": "procedure", "label": str(DocumentKind.PROCEDURE.label)},
        "unit": {"code": "KSB", "name": "Karşılama ve Sonuç Birimi"},
        "confidentiality": "public",
        "current_revision": {
            "number": 0,
            "label": "00",
            "effective_date": revision.effective_date.isoformat(),
            "next_review_date": revision.next_review_date.isoformat(),
            "approved_at": item["current_revision"]["approved_at"],
            "change_summary": "İlk yayın",
            "has_file": False,
        },
        "acknowledgement": {"required": False, "acknowledged_at": None},
        "urls": {
            "read": reverse("documents:read", args=[document.pk]),
            "controlled_copy": reverse("documents:controlled_copy", args=[revision.pk]),
            "file": None,
        },
    }
    served = datetime.fromisoformat(item["current_revision"]["approved_at"])  # JSON keeps milliseconds
    assert abs(served - revision.approved_at) < timedelta(milliseconds=1)


def test_the_detail_has_the_plain_text_and_no_history_for_staff(role_client, register):
    data = role_client(Role.STAFF, unit="KSB").get(f"{API}/{quote(register['public'].code)}").json()
    text = data["current_revision"]["text"]
    assert "Amaç" in text and "Başvurular 3 iş günü içinde yanıtlanır." in text
    assert "<p>" not in text
    assert data["revisions"] is None
    assert data["withdrawn_at"] is None


def test_the_detail_gives_an_overseer_the_approved_revisions_with_their_states(
    role_client, approved_document, people
):
    from tests.documents.conftest import document_draft_revision

    document = approved_document()
    document_draft_revision(document=document, user=people["author"], body=body("Yeni süre"),
                            change_summary="Süre kısaldı", effective_from=today() + timedelta(days=10))
    document_submit(document=document, user=people["author"])
    approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    data = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(f"{API}/{quote(document.code)}").json()
    assert data["current_revision"]["label"] == "00"  # 01 is approved, not yet in force
    assert [(r["label"], r["state"]["key"]) for r in data["revisions"]] == [("01", "approved"), ("00", "effective")]
    newest = data["revisions"][0]
    assert newest["approver"] == "Gülşen Öztürk"
    assert newest["author"] == "Ayşe Yazıcı"
    assert newest["urls"]["read"] == reverse("documents:read_revision", args=[document.pk, 1])
    assert all(r["state"]["label"] for r in data["revisions"])


def test_a_turkish_code_works_url_encoded_and_as_is(role_client, approved_document):
    document = approved_document(title="Karşılama Prosedürü", unit="HİŞM")
    assert document.code == "PR-HİŞM-001"
    client = role_client(Role.STAFF, unit="KSB")
    encoded = quote(document.code)
    assert encoded == "PR-H%C4%B0%C5%9EM-001"
    for url in (f"{API}/{encoded}", f"{API}/{document.code}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.json()["code"] == "PR-HİŞM-001"
    assert client.get(f"{API}/{quote('PR-HISM-001')}").status_code == 404  # no folding in the code


# --- filters and paging -----------------------------------------------------------------------


def test_filters_by_type_unit_and_search(role_client, approved_document):
    procedure = approved_document(title="Şikâyet Yönetimi Prosedürü", body=body("ÇAĞRI kayıtları incelenir"))
    form = approved_document(title="Başvuru Formu", kind=DocumentKind.FORM)
    other = approved_document(title="Eğitim Prosedürü", unit="HİŞM")
    client = role_client(Role.STAFF, unit="KSB")
    assert codes(client.get(API, {"type": "form"})) == [form.code]
    assert codes(client.get(API, {"unit": "HİŞM"})) == [other.code]
    assert codes(client.get(API, {"unit": "FEN"})) == []
    for query in ("SIKAYET", "çağrı", "cagri kayıt", procedure.code.lower()):
        assert codes(client.get(API, {"q": query})) == [procedure.code], query
    assert client.get(API, {"type": "no_such_type"}).status_code == 422


def test_the_list_is_paginated(role_client, approved_document):
    made = sorted(approved_document(title=f"Doküman {n}").code for n in range(3))
    client = role_client(Role.STAFF, unit="KSB")
    data = client.get(API, {"limit": 2, "offset": 1}).json()
    assert data["count"] == 3
    assert [item["code"] for item in data["items"]] == made[1:3]


# --- read confirmation ------------------------------------------------------------------------


def test_confirming_by_token_flips_the_acknowledgement_and_is_idempotent(client, to_read):
    document, agent = to_read
    auth = bearer(agent)
    item = client.get(API, {"to_read": "true"}, **auth).json()["items"]
    assert [i["code"] for i in item] == [document.code]
    assert item[0]["acknowledgement"] == {"required": True, "acknowledged_at": None}
    assert codes(client.get(API, {"to_read": "false"}, **auth)) == []

    response = client.post(f"{API}/{quote(document.code)}/acknowledge", **auth)  # no CSRF with a token
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["code"] == document.code
    assert data["revision"] == {"number": 0, "label": "00"}
    confirmed_at = data["acknowledgement"]["acknowledged_at"]
    assert data["acknowledgement"]["required"] is True and confirmed_at

    assert codes(client.get(API, {"to_read": "true"}, **auth)) == []
    assert codes(client.get(API, {"to_read": "false"}, **auth)) == [document.code]
    detail = client.get(f"{API}/{quote(document.code)}", **auth).json()
    assert detail["acknowledgement"] == {"required": True, "acknowledged_at": confirmed_at}

    again = client.post(f"{API}/{quote(document.code)}/acknowledge", **auth)
    assert again.status_code == 200
    assert again.json()["acknowledgement"]["acknowledged_at"] == confirmed_at  # the first time stays
    row = DocumentAcknowledgement.objects.get(user=agent)
    assert row.acknowledged_at is not None


def test_confirming_a_document_one_was_not_asked_to_read_is_403(role_client, to_read):
    document, _agent = to_read
    client = role_client(Role.STAFF, unit="KSB")  # may read it (public), was not asked
    response = client.post(f"{API}/{quote(document.code)}/acknowledge")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not DocumentAcknowledgement.objects.filter(user=client.user).exists()


def test_confirming_with_the_session_needs_the_csrf_token(to_read):
    document, agent = to_read
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    url = f"{API}/{quote(document.code)}/acknowledge"
    refused = browser.post(url)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert DocumentAcknowledgement.objects.get(user=agent).acknowledged_at is None

    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    response = browser.post(url, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200, response.content
    assert DocumentAcknowledgement.objects.get(user=agent).acknowledged_at is not None


# --- query count ------------------------------------------------------------------------------


def add_documents(n: int, *, org, reader, start: int = 0) -> None:
    """Documents in force written straight to the tables (the workflow is tested elsewhere), some
    with a file, some with a read request for `reader` (confirmed or not)."""
    kind = DocumentType.objects.get(kind=DocumentKind.PROCEDURE)
    stored = DocumentFile.objects.create(file="documents/test.pdf", original_name="test.pdf", extension="pdf",
                                         content_type="application/pdf", size=1, sha256="0" * 64)
    now = timezone.now()
    for i in range(start, start + n):
        document = Document.objects.create(title=f"Hızlı Doküman {i}", doc_type=kind, unit=org["KSB"],
                                           change_summary="İlk", live=True)
        revision = DocumentRevision.objects.create(
            document=document, number=0, title=document.title, body=body(), file=stored if i % 2 else None,
            search_text=fold(f"{document.code} {document.title}"), change_summary="İlk", approved_at=now,
            effective_date=today(), next_review_date=today() + timedelta(days=365),
        )
        if i % 3 == 0:
            DocumentAcknowledgement.objects.create(revision=revision, user=reader,
                                                   acknowledged_at=now if i % 2 else None)


def count_queries(client, expected: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(API, {"limit": 100})
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == expected
    assert any(item["urls"]["file"] for item in items) and any(item["acknowledgement"]["required"] for item in items)
    return len(captured)


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGEMENT_REPRESENTATIVE])
def test_the_list_runs_a_fixed_number_of_queries(role_client, org, role):
    client = role_client(role, unit="KSB")
    add_documents(3, org=org, reader=client.user)
    few = count_queries(client, 3)
    add_documents(17, org=org, reader=client.user, start=3)
    many = count_queries(client, 20)
    assert few == many
