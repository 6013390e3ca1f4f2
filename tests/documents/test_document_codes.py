"""Document codes: made from the type's pattern, never reused, unique under concurrent creation."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from documents.models import Document, DocumentKind, DocumentType
from documents.services import document_code_allocate, document_create_draft

pytestmark = pytest.mark.django_db


def test_codes_follow_the_type_pattern_per_unit(org, make_user, doc_type):
    author = make_user()
    first = document_create_draft(user=author, doc_type=doc_type(), unit=org["KSB"], title="A")
    second = document_create_draft(user=author, doc_type=doc_type(), unit=org["KSB"], title="B")
    form = document_create_draft(user=author, doc_type=doc_type(DocumentKind.FORM), unit=org["KSB"], title="C")
    other_unit = document_create_draft(user=author, doc_type=doc_type(), unit=org["HİŞM"], title="D")
    assert [first.code, second.code, form.code, other_unit.code] == [
        "PR-KSB-001", "PR-KSB-002", "FR-KSB-001", "PR-HİŞM-001"
    ]


def test_a_custom_pattern_is_used_and_checked(org, make_user, doc_type):
    procedure = doc_type()
    procedure.code_pattern = "{unit}.{prefix}.{seq:04d}"
    procedure.full_clean()
    procedure.save()
    document = document_create_draft(user=make_user(), doc_type=procedure, unit=org["KSB"], title="A")
    assert document.code == "KSB.PR.0001"
    procedure.code_pattern = "{prefix}-{unit}"
    with pytest.raises(ValidationError, match="seq"):
        procedure.full_clean()
    procedure.code_pattern = "{prefix}-{owner}-{seq}"
    with pytest.raises(ValidationError):
        procedure.full_clean()


def test_codes_are_never_reused_and_taken_codes_are_skipped(org, make_user, doc_type):
    author = make_user()
    document_create_draft(user=author, doc_type=doc_type(), unit=org["KSB"], title="A")
    # A code that came in with an imported register is skipped, not duplicated.
    Document.objects.create(code="PR-KSB-002", title="Eski kayıt", doc_type=doc_type(), unit=org["KSB"],
                            change_summary="x", live=False)
    third = document_create_draft(user=author, doc_type=doc_type(), unit=org["KSB"], title="C")
    assert third.code == "PR-KSB-003"
    assert document_code_allocate(doc_type=doc_type(), unit=org["KSB"]) == "PR-KSB-004"
    # An allocated number is gone even if the document was never saved.
    assert document_create_draft(user=author, doc_type=doc_type(), unit=org["KSB"], title="E").code == "PR-KSB-005"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # see tests/conftest.py
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is proved on PostgreSQL")
def test_parallel_creation_gives_distinct_codes(org, make_user):
    author = make_user()
    procedure = DocumentType.objects.get(kind=DocumentKind.PROCEDURE)
    unit = org["ALO153"]
    workers, per_worker = 8, 5
    barrier = threading.Barrier(workers)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait()
            for n in range(per_worker):
                document = document_create_draft(user=author, doc_type=procedure, unit=unit, title=f"Paralel {n}")
                with lock:
                    codes.append(document.code)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(codes) == workers * per_worker
    assert len(set(codes)) == len(codes)
    assert sorted(codes) == [f"PR-ALO153-{n:03d}" for n in range(1, workers * per_worker + 1)]
