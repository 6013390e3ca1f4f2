"""The register in the Wagtail admin: create with an upload, submit, approve step by step, refusals."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reportlab.pdfgen import canvas

from documents.models import Document, DocumentFile, DocumentKind, DocumentType
from qms.roles import Role

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_documents_document:add"
EDIT = "wagtailsnippets_documents_document:edit"
ACTION = "wagtailsnippets_documents_document:workflow_action"


def pdf_bytes(text: str = "Form") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.QMS_PRIVATE_MEDIA_ROOT = tmp_path


def form_data(*, unit, kind=DocumentKind.FORM, title="Başvuru Formu", change_summary="", **extra):
    data = {
        "title": title,
        "doc_type": DocumentType.objects.get(kind=kind).pk,
        "unit": unit.pk,
        "confidentiality": "public",
        "retention_years": "",
        "review_interval_months": "",
        "body-count": "0",
        "change_summary": change_summary,
        "effective_from": "",
    }
    data.update(extra)
    return data


def create(client, org, *, upload=None, **fields):
    data = form_data(unit=org["KSB"], **fields)
    if upload is not None:
        data["upload"] = upload
    return client.post(reverse(ADD), data)


def test_author_creates_a_draft_with_an_uploaded_form(org, people, client):
    client.force_login(people["author"])
    response = create(client, org, upload=SimpleUploadedFile("başvuru.pdf", pdf_bytes(), "application/pdf"))
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.code == "FR-KSB-001" and not document.live
    draft = document.get_latest_revision_as_object()
    assert draft.file.original_name == "başvuru.pdf" and draft.file.extension == "pdf"


def test_a_unit_manager_cannot_file_a_document_under_another_unit(org, people, client):
    client.force_login(people["author"])
    response = client.post(reverse(ADD), form_data(unit=org["ALO153"]))
    assert response.status_code == 200
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.html", b"<html><script>alert(1)</script></html>", "kabul edilen bir dosya türü değil"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "kabul edilen bir dosya türü değil"),
        ("sahte.pdf", b"<html>not a pdf</html>", "uzantısıyla uyuşmuyor"),
        ("sahte.docx", pdf_bytes(), "uzantısıyla uyuşmuyor"),
    ],
)
def test_uploads_of_the_wrong_type_or_content_are_refused_with_the_reason(org, people, client, name, content,
                                                                          message):
    client.force_login(people["author"])
    response = create(client, org, upload=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists() and not DocumentFile.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(org, people, client, settings):
    settings.QMS_DOCUMENT_MAX_UPLOAD_MB = 0.001  # about 1 KB
    client.force_login(people["author"])
    response = create(client, org, upload=SimpleUploadedFile("büyük.docx", docx_bytes() + b"\0" * 4096))
    assert response.status_code == 200
    assert "MB" in response.content.decode()
    assert not DocumentFile.objects.exists()


def test_submit_without_change_summary_is_refused_then_the_steps_run_in_order(org, people, client):
    client.force_login(people["author"])
    create(client, org, upload=SimpleUploadedFile("form.pdf", pdf_bytes(), "application/pdf"))
    document = Document.objects.get()
    edit = reverse(EDIT, args=[document.pk])
    data = form_data(unit=org["KSB"])
    response = client.post(edit, {**data, "action-submit": "1"})
    assert response.status_code == 200  # the form comes back with the error
    document.refresh_from_db()
    assert document.current_workflow_state is None

    response = client.post(edit, {**form_data(unit=org["KSB"], change_summary="İlk yayın"), "action-submit": "1"})
    assert response.status_code == 302
    document.refresh_from_db()
    state = document.current_workflow_task_state
    assert state is not None and state.task.name == "Birim yöneticisi incelemesi"

    # The author cannot approve: the action is not offered and a forged request is refused.
    approve = reverse(ACTION, args=[document.pk, "approve", state.pk])
    response = client.post(approve, {"comment": ""})
    assert response.status_code in (302, 403)
    document.refresh_from_db()
    assert document.current_workflow_task_state.pk == state.pk

    # The management representative cannot skip the unit manager's step.
    client.force_login(people["approver"])
    client.post(approve, {"comment": ""})
    document.refresh_from_db()
    assert document.current_workflow_task_state.pk == state.pk and not document.approved_revisions.exists()

    client.force_login(people["reviewer"])
    client.post(approve, {"comment": "Uygun"})
    document.refresh_from_db()
    second = document.current_workflow_task_state
    assert second.task.name == "Yönetim temsilcisi onayı"

    client.force_login(people["approver"])
    client.post(reverse(ACTION, args=[document.pk, "approve", second.pk]), {"comment": ""})
    document.refresh_from_db()
    revision = document.approved_revisions.get()
    assert (revision.label, revision.author, revision.reviewer, revision.approver) == (
        "00", people["author"], people["reviewer"], people["approver"])
    assert revision.file.original_name == "form.pdf"


def test_the_editor_offers_no_publish_button_and_a_superuser_publish_is_refused(org, people, client,
                                                                                django_user_model):
    client.force_login(people["author"])
    create(client, org, change_summary="İlk", upload=SimpleUploadedFile("f.pdf", pdf_bytes(), "application/pdf"))
    document = Document.objects.get()
    admin = django_user_model.objects.create_superuser("kok", "kok@example.org", "x")
    client.force_login(admin)
    html = client.get(reverse(EDIT, args=[document.pk])).content.decode()
    assert 'name="action-publish"' not in html
    client.post(reverse(EDIT, args=[document.pk]), {**form_data(unit=org["KSB"], change_summary="İlk"),
                                                     "action-publish": "1"})
    document.refresh_from_db()
    assert not document.live and not document.approved_revisions.exists()


def test_files_are_served_only_through_the_checked_view(approved_document, role_client, people, client):
    from documents.services import document_file_store

    stored = document_file_store(upload=SimpleUploadedFile("form.pdf", pdf_bytes(), "application/pdf"),
                                 user=people["author"])
    pdf_doc = approved_document(title="PDF form", kind=DocumentKind.FORM, file=stored, body=[])
    stored_docx = document_file_store(upload=SimpleUploadedFile("form.docx", docx_bytes()), user=people["author"])
    docx_doc = approved_document(title="DOCX form", kind=DocumentKind.FORM, file=stored_docx, body=[])
    staff = role_client(Role.STAFF, unit="KSB")
    response = staff.get(reverse("documents:file", args=[pdf_doc.approved_revisions.get().pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    response = staff.get(reverse("documents:file", args=[docx_doc.approved_revisions.get().pk]))
    assert response["Content-Disposition"].startswith("attachment")
    # The stored name is random and lives outside MEDIA_ROOT: no public URL reaches it.
    assert "form" not in stored.file.name and not stored.file.name.startswith("/")


def test_the_editor_refuses_to_submit_a_revision_without_content(org, people, client):
    client.force_login(people["author"])
    response = client.post(reverse(ADD), {**form_data(unit=org["KSB"], change_summary="İlk"), "action-submit": "1"})
    assert response.status_code == 200
    assert "içeriği olmalı" in response.content.decode()
    assert not Document.objects.exists()


def test_one_person_cannot_approve_both_steps(org, people, client, make_user, doc_type):
    from documents.services import document_create_draft, document_submit
    from tests.documents.conftest import body

    both = make_user(Role.UNIT_MANAGER, Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Plan",
                                      change_summary="İlk", body=body())
    document_submit(document=document, user=people["author"])
    client.force_login(both)
    state = document.current_workflow_task_state
    client.post(reverse(ACTION, args=[document.pk, "approve", state.pk]), {"comment": ""})
    document.refresh_from_db()
    second = document.current_workflow_task_state
    assert second.pk != state.pk
    client.post(reverse(ACTION, args=[document.pk, "approve", second.pk]), {"comment": ""})
    document.refresh_from_db()
    assert document.current_workflow_task_state.pk == second.pk and not document.approved_revisions.exists()


def test_content_changed_after_the_first_step_cannot_be_approved_without_a_new_review(org, people, doc_type,
                                                                                     make_user):
    from django.core.exceptions import PermissionDenied

    from documents.services import document_create_draft, document_draft_revision, document_submit
    from tests.documents.conftest import body

    other_representative = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    document = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Plan",
                                      change_summary="İlk", body=body())
    document_submit(document=document, user=people["author"])
    state = document.current_workflow_task_state
    state.task.specific.on_action(state, people["reviewer"], "approve")
    document_draft_revision(document=document, user=other_representative, body=body("Gözden geçirilmemiş metin"))
    document.refresh_from_db()
    state = document.current_workflow_task_state
    task = state.task.specific
    assert [name for name, *_ in task.get_actions(document, people["approver"])] == ["reject"]
    with pytest.raises(PermissionDenied):
        task.on_action(state, people["approver"], "approve")
    assert not document.approved_revisions.exists()


def test_the_next_revision_starts_without_the_last_change_summary(approved_document, people):
    from documents.services import document_draft_revision, document_submit
    from tests.documents.conftest import body

    document = approved_document()
    document_draft_revision(document=document, user=people["author"], body=body("Yeni metin"))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        document_submit(document=document, user=people["author"])
