"""The master document list (Doküman Ana Listesi), its XLSX / CSV / PDF exports and the register import.

The round trip: documents made through the real workflow are exported inside a transaction that is
then rolled back, so the database no longer has them (documents are never deleted, so this is the
honest way to get "a database where those documents do not exist"); the exported file is imported
through the portal's own upload, preview and confirmation, and the register exported again must be
the one exported before, cell for cell.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from wagtail.models import ModelLogEntry

from documents.importing import RegisterRow, preview_register, read_register, register_import
from documents.models import Confidentiality, Document, DocumentKind, DocumentRevision, DocumentType, today
from documents.queries import current_revision_of, documents_visible_to
from documents.resources import EXPORT_HEADERS, IMPORT_HEADERS, type_label
from documents.services import add_months, document_create_draft, document_submit, document_withdraw
from qms.roles import Role
from tests.documents.conftest import approve_through_workflow, body, document_draft_revision

pytestmark = pytest.mark.django_db

MASTER_LIST = reverse("documents:master_list")
IMPORT = reverse("documents:register_import")


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.QMS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.QMS_PRIVATE_MEDIA_ROOT


@pytest.fixture
def manager_client(role_client):
    """A management representative: sees every unit, may import."""
    return role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")


@pytest.fixture
def importer(make_user):
    return make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", username="aktaran")


def procedure():
    return DocumentType.objects.get(kind=DocumentKind.PROCEDURE)


def quick_documents(user, org, specs, *, effective=None):
    """Documents in force made by the import service: specs = [(code, title, unit code), ...]."""
    effective = effective or today() - timedelta(days=30)
    rows = [
        RegisterRow(line=n, code=code, title=title, doc_type=procedure(), unit=org[unit], revision=0,
                    effective_date=effective, next_review_date=None, retention_years=None,
                    confidentiality=Confidentiality.PUBLIC, change_summary="")
        for n, (code, title, unit) in enumerate(specs, start=2)
    ]
    return register_import(rows=rows, user=user, source="test")


# --- files ------------------------------------------------------------------------------------


def csv_file(rows, *, headers=IMPORT_HEADERS, delimiter=",", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows, *, headers=IMPORT_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(content: bytes, fmt: str) -> list[list]:
    """The exported file's rows (header first) as Python values."""
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        return [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert content.startswith(b"\xef\xbb\xbf"), "the CSV export starts with a UTF-8 byte-order mark"
    return [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")]


def row(code="PR-KSB-101", title="Şikâyet Yönetimi Prosedürü", kind="PR", unit="KSB", revision="02",
        effective="15.01.2025", next_review="", retention="", access="Herkes", summary=""):
    return [code, title, kind, unit, revision, effective, next_review, retention, access, summary]


def upload(client, content: bytes, name: str):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def upload_and_preview(client, content: bytes, name: str):
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_url = response["Location"]
    return preview_url, client.get(preview_url)


# --- the master list --------------------------------------------------------------------------


def test_master_list_shows_the_register_columns(manager_client, approved_document):
    document = approved_document(retention_years=7, confidentiality=Confidentiality.RESTRICTED)
    revision = current_revision_of(document)
    response = manager_client.get(MASTER_LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (document.code, "Şikâyet Yönetimi Prosedürü", "Karşılama ve Sonuç Birimi", "<td>00</td>",
                 revision.effective_date.strftime("%d.%m.%Y"), document.next_review_date.strftime("%d.%m.%Y"),
                 "<td>7</td>"):
        assert text in html
    row = response.context["rows"][0]
    with translation.override("en"):
        assert str(row["audience"]) == "Restricted"
        assert str(row["state"]) == "Yürürlükte"
    assert '<caption class="w-sr-only">' in html and 'scope="col"' in html
    for fmt in ("xlsx", "csv", "pdf"):
        assert f"format={fmt}" in html


def test_master_list_filters(manager_client, approved_document, importer, org, people, doc_type):
    in_force = approved_document()
    form = approved_document(title="Öneri Formu", kind=DocumentKind.FORM)
    draft = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Taslak Talimat")
    withdrawn = approved_document(title="Eski Prosedür")
    document_withdraw(document=withdrawn, user=importer, reason="Yenisiyle değişti")
    [overdue, other_unit] = quick_documents(importer, org, [("PR-KSB-900", "Gecikmiş İnceleme", "KSB"),
                                                            ("PR-ALO153-001", "Çağrı Karşılama", "ALO153")],
                                            effective=today() - timedelta(days=800))

    def codes(**params):
        response = manager_client.get(MASTER_LIST, params)
        assert response.status_code == 200
        return {row["document"].code for row in response.context["rows"]}

    everything = {d.code for d in (in_force, form, draft, withdrawn, overdue, other_unit)}
    assert codes() == everything
    assert codes(doc_type=DocumentType.objects.get(kind=DocumentKind.FORM).pk) == {form.code}
    assert codes(unit=org["ALO153"].pk) == {other_unit.code}
    assert codes(state="withdrawn") == {withdrawn.code}
    assert codes(state="draft") == {draft.code}
    assert codes(state="in_force") == everything - {draft.code, withdrawn.code}
    assert codes(overdue="on") == {overdue.code, other_unit.code}
    # Code and title, Turkish letters folded either way.
    assert codes(q="sikayet") == {in_force.code}
    assert codes(q="ÖNERİ") == {form.code}
    assert codes(q="cagri KARŞILAMA") == {other_unit.code}
    assert codes(q="alo153") == {other_unit.code}
    # The export takes the same filters.
    content = manager_client.get(MASTER_LIST, {"state": "withdrawn", "format": "csv"}).content
    assert [r[0] for r in sheet_rows(content, "csv")[1:]] == [withdrawn.code]


def test_master_list_query_count_does_not_grow_with_the_register(manager_client, approved_document, importer,
                                                                  org, people, doc_type):
    approved_document()
    draft = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Taslak",
                                  change_summary="İlk", body=body())
    document_submit(document=draft, user=people["author"])  # in review
    quick_documents(importer, org, [("PR-ALO153-001", "Çağrı Karşılama", "ALO153")])
    assert Document.objects.count() == 3

    def count(params=None) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(MASTER_LIST, params or {})
        assert response.status_code == 200
        return len(queries)

    count()  # warm the caches that fill once per process
    small = count()
    small_export = count({"format": "xlsx"})
    quick_documents(importer, org, [(f"PR-KSB-{n:03d}", f"Doküman {n}", "KSB") for n in range(500, 527)])
    assert Document.objects.count() == 30
    large = count()
    assert len(manager_client.get(MASTER_LIST).context["rows"]) == 30
    assert small == large
    assert large <= 20  # 14 when written (session, user, permissions, menus, count, one page of rows, filters)
    assert small_export == count({"format": "xlsx"})


def test_staff_are_refused_the_master_list_its_exports_and_the_import(role_client):
    client = role_client(Role.STAFF, unit="KSB")
    assert client.get(MASTER_LIST).status_code == 403
    for fmt in ("xlsx", "csv", "pdf"):
        assert client.get(MASTER_LIST, {"format": fmt}).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert upload(client, csv_file([row()]), "liste.csv").status_code == 403
    assert client.get(reverse("documents:register_import_preview", args=["0" * 32])).status_code == 403
    assert not Document.objects.exists()


def test_a_unit_manager_sees_only_own_units_and_may_not_import(role_client, importer, org):
    quick_documents(importer, org, [("PR-KSB-001", "Karşılama Prosedürü", "KSB"),
                                    ("PR-ÇÖZM-001", "Çözüm Prosedürü", "ÇÖZM"),
                                    ("PR-ALO153-001", "Çağrı Prosedürü", "ALO153")])
    client = role_client(Role.UNIT_MANAGER, unit="ÇÖZM")
    response = client.get(MASTER_LIST)
    assert response.status_code == 200
    assert {r["document"].code for r in response.context["rows"]} == {"PR-KSB-001", "PR-ÇÖZM-001"}
    assert "PR-ALO153-001" not in response.content.decode()
    # Another unit cannot even be chosen as a filter.
    assert client.get(MASTER_LIST, {"unit": org["ALO153"].pk}).context["rows"] == []
    for fmt in ("xlsx", "csv"):
        codes = [r[0] for r in sheet_rows(client.get(MASTER_LIST, {"format": fmt}).content, fmt)[1:]]
        assert sorted(codes) == ["PR-KSB-001", "PR-ÇÖZM-001"]
    pdf = client.get(MASTER_LIST, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "PR-KSB-001" in text and "PR-ALO153-001" not in text
    # Unit managers oversee documents but do not import registers.
    assert client.get(IMPORT).status_code == 403
    assert upload(client, csv_file([row()]), "liste.csv").status_code == 403


# --- exports ----------------------------------------------------------------------------------


def test_exports_xlsx_csv_and_landscape_pdf(manager_client, approved_document):
    document = approved_document(title="=HYPERLINK(\"http://example.org\") Şikâyet")
    revision = current_revision_of(document)

    xlsx = manager_client.get(MASTER_LIST, {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = xlsx["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert disposition.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == EXPORT_HEADERS
    cells = sheet[2]
    assert cells[0].value == document.code
    assert cells[1].data_type == "s"  # a title starting with "=" is text, never a formula
    assert cells[1].value == document.title
    assert cells[4].value == "00"
    assert cells[5].value.date() == revision.effective_date and cells[5].number_format == "DD.MM.YYYY"
    assert cells[7].value == 10

    csv_response = manager_client.get(MASTER_LIST, {"format": "csv"})
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    rows = sheet_rows(csv_response.content, "csv")
    assert rows[0] == EXPORT_HEADERS
    # A title a spreadsheet would run as a formula is written with a leading apostrophe (the import
    # takes it off again); the type is written by its name in the portal's language.
    assert rows[1][:6] == [document.code, "'" + document.title, type_label(document.doc_type), "KSB", "00",
                           revision.effective_date.strftime("%d.%m.%Y")]
    assert rows[1][8] == "Herkes"

    pdf = manager_client.get(MASTER_LIST, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    assert document.code in page.extract_text()


def test_an_unknown_export_format_or_bad_filter_is_a_bad_request(manager_client):
    assert manager_client.get(MASTER_LIST, {"format": "docx"}).status_code == 400
    assert manager_client.get(MASTER_LIST, {"format": "csv", "state": "lost"}).status_code == 400


# --- the round trip ---------------------------------------------------------------------------


class Rollback(Exception):
    pass


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_register_imports_into_a_database_without_it(fmt, manager_client, approved_document, people):
    with pytest.raises(Rollback), transaction.atomic():
        approved_document()
        approved_document(title="Öneri ve Şikâyet Formu", kind=DocumentKind.FORM, retention_years=3)
        approved_document(title="=Gizli Talimat", kind=DocumentKind.WORK_INSTRUCTION,
                          confidentiality=Confidentiality.RESTRICTED, unit="ÇÖZM")
        revised = approved_document(title="İç Tetkik Prosedürü")
        document_draft_revision(document=revised, user=people["author"], title="İç Tetkik Prosedürü (güncel)",
                                body=body("Yeni"), change_summary="Kapsam genişledi")
        document_submit(document=revised, user=people["author"])
        approve_through_workflow(revised, reviewer=people["reviewer"], approver=people["approver"])
        exported = manager_client.get(MASTER_LIST, {"format": fmt}).content
        raise Rollback
    assert not Document.objects.exists() and not DocumentRevision.objects.exists()
    before = sheet_rows(exported, fmt)
    assert len(before) == 5 and "01" in [r[4] for r in before]

    preview_url, preview = upload_and_preview(manager_client, exported, f"ana-liste.{fmt}")
    assert preview.status_code == 200
    assert [o.ok for o in preview.context["preview"].outcomes] == [True] * 4
    assert preview.context["preview"].ignored_columns == ["Durum"]
    response = manager_client.post(preview_url, {"action": "import"})
    assert response.status_code == 302 and response["Location"] == MASTER_LIST

    after = sheet_rows(manager_client.get(MASTER_LIST, {"format": fmt}).content, fmt)
    assert after == before
    revised = Document.objects.get(title="İç Tetkik Prosedürü (güncel)")
    assert current_revision_of(revised).number == 1
    assert current_revision_of(revised).change_summary == "Kapsam genişledi"
    assert Document.objects.get(title="=Gizli Talimat").confidentiality == Confidentiality.RESTRICTED
    assert Document.objects.get(title="Öneri ve Şikâyet Formu").retention_years == 3


# --- the import -------------------------------------------------------------------------------


def test_an_imported_document_is_in_force_and_live_without_the_workflow(manager_client, people):
    content = xlsx_file([row(code="PR-KSB-101", revision="02", effective="15.01.2025", retention="4",
                             summary="Eski sistemden")])
    preview_url, _preview = upload_and_preview(manager_client, content, "liste.xlsx")
    manager_client.post(preview_url, {"action": "import"})

    document = Document.objects.get(code="PR-KSB-101")
    revision = current_revision_of(document)
    assert document.live and not document.has_unpublished_changes
    assert document.live_revision_id == document.latest_revision_id is not None
    assert document.first_published_at and document.last_published_at
    assert not document.workflow_in_progress
    assert document.retention_years == 4
    assert revision.imported and revision.number == 2 and revision.label == "02"
    assert revision.effective_date == date(2025, 1, 15)
    assert revision.approved_at == datetime(2025, 1, 15, 12, 0, tzinfo=ZoneInfo("Europe/Istanbul"))
    assert revision.next_review_date == document.next_review_date == add_months(date(2025, 1, 15), 12)
    assert revision.change_summary == "Eski sistemden"
    assert revision.wagtail_revision_id == document.live_revision_id
    assert revision.search_text == "pr-ksb-101 sikayet yonetimi proseduru"
    assert revision.approver is None and revision.author is None
    # Staff of the unit read it in the library; it is logged with the file's name.
    reader = people["author"]
    assert documents_visible_to(reader).filter(pk=document.pk).exists()
    entry = ModelLogEntry.objects.get(action="qms.import", object_id=str(document.pk))
    assert entry.user_id == manager_client.user.pk and entry.data["source"] == "liste.xlsx"
    assert entry.data["rows"] == 1
    # The next revision goes through the workflow as usual, numbered after the imported one; the person
    # who imported is not taken for its author.
    document_draft_revision(document=document, user=people["author"], title=document.title, body=body(),
                            change_summary="Portalda ilk revizyon")
    document_submit(document=document, user=people["author"])
    assert approve_through_workflow(document, reviewer=people["reviewer"], approver=manager_client.user).number == 3


def test_defaults_for_empty_optional_cells(importer, org):
    [document] = register_import(rows=[RegisterRow(
        line=2, code="", title="Kodsuz Prosedür", doc_type=procedure(), unit=org["KSB"], revision=0,
        effective_date=date(2024, 3, 31), next_review_date=None, retention_years=None,
        confidentiality=Confidentiality.PUBLIC, change_summary="")], user=importer)
    revision = current_revision_of(document)
    assert document.code == "PR-KSB-001"
    assert revision.next_review_date == date(2025, 3, 31)
    assert document.retention_years is None and document.effective_retention_years == 10
    # Stored in the portal's language (Turkish once the catalogue has it), whoever imports.
    assert revision.change_summary in ("Taken over from the previous register", "Önceki kayıttan aktarıldı")


def test_imported_codes_are_never_given_again(importer, org, people, doc_type):
    content = csv_file([row(code="PR-KSB-001", title="Bir"), row(code="", title="Kodsuz"),
                        row(code="PR-KSB-002", title="İki")])
    preview = preview_register(read_register(content, "liste.csv"), user=importer)
    assert preview.ok
    documents = register_import(rows=preview.rows, user=importer, source="liste.csv")
    # The row without a code gets one after the coded rows are in, so it cannot take theirs.
    assert [d.code for d in documents] == ["PR-KSB-001", "PR-KSB-003", "PR-KSB-002"]
    created = document_create_draft(user=people["author"], doc_type=doc_type(), unit=org["KSB"], title="Yeni")
    assert created.code == "PR-KSB-004"


def test_the_preview_lists_every_row_and_a_bad_row_imports_nothing(manager_client, importer, org):
    quick_documents(importer, org, [("PR-KSB-050", "Var olan", "KSB")])
    before = (Document.objects.count(), DocumentRevision.objects.count())
    content = csv_file([
        row(code="PR-KSB-101"),
        row(code="PR-KSB-102", kind="Yönerge"),  # row 3: unknown type
        row(code="PR-KSB-103", unit="YOK", effective="31.02.2025"),  # row 4: unit and date
        row(code="PR-KSB-050"),  # row 5: already in the register
        row(code="PR-KSB-106", revision="A", retention="on"),  # row 6
        row(code="PR-KSB-107", title=""),  # row 7: no title
        row(code="PR-KSB-108", effective=(today() + timedelta(days=3)).strftime("%d.%m.%Y")),  # row 8: future
        row(code="PR-KSB-109", effective="01.06.2025", next_review="01.01.2025"),  # row 9
        row(code="PR-KSB-110", access="Gizli"),  # row 10
        row(code="PR-KSB-111"), row(code="PR-KSB-111", title="Aynı kod"),  # rows 11, 12
        row(code="PR-KSB-113", kind="procedure", effective="2025-02-01"),
    ])
    preview_url, response = upload_and_preview(manager_client, content, "liste.csv")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [o.line for o in preview.outcomes] == list(range(2, 14))
    assert [o.line for o in preview.outcomes if o.ok] == [2, 13]
    assert preview.new_count == 2 and preview.error_count == 10
    html = response.content.decode()
    assert 'value="import"' not in html  # no confirm button
    for outcome in preview.outcomes:
        assert f"<th scope=\"row\">{outcome.line}</th>" in html

    columns = {o.line: [m for m in o.messages] for o in preview.outcomes}
    for line, column in [(3, "Tür"), (4, "Sahip birim"), (4, "Yürürlük tarihi"), (5, "Kod"), (6, "Revizyon"),
                         (6, "Saklama süresi (yıl)"), (7, "Başlık"), (8, "Yürürlük tarihi"),
                         (9, "Sonraki gözden geçirme"), (10, "Erişim"), (11, "Kod"), (12, "Kod")]:
        assert any(str(line) in m and f"“{column}”" in m for m in columns[line]), (line, column, columns[line])
        assert any(m in html for m in columns[line])

    # Confirming anyway (a forged POST) imports nothing.
    response = manager_client.post(preview_url, {"action": "import"})
    assert response.status_code == 400
    assert (Document.objects.count(), DocumentRevision.objects.count()) == before
    assert not Document.objects.filter(code="PR-KSB-101").exists()


def test_row_messages_in_english(importer, org):
    content = csv_file([row(), row(code="PR-KSB-102", kind="Yönerge", revision="x")])
    with translation.override("en"):
        preview = preview_register(read_register(content, "liste.csv"), user=importer)
        messages = preview.outcomes[1].messages
    assert messages[0].startswith("Row 3, column “Tür”: unknown document type “Yönerge”")
    assert messages[1] == (
        "Row 3, column “Revizyon”: “x” is not a revision number (a whole number such as 00, 01, 02)"
    )
    assert preview.outcomes[0].ok and not preview.ok


def test_a_windows_1254_semicolon_csv(manager_client):
    content = csv_file(
        [row(code="TL-ÇÖZM-001", title="Çağrı Karşılama Talimatı (İşlem Sırası)", kind="TL", unit="ÇÖZM",
             access="Kısıtlı", summary="Gözden geçirildi; değişiklik yok")],
        delimiter=";", encoding="cp1254",
    )
    assert "Ç".encode("cp1254") in content and b"\xef\xbb\xbf" not in content
    preview_url, response = upload_and_preview(manager_client, content, "LISTE.CSV")
    assert response.context["preview"].ok
    manager_client.post(preview_url, {"action": "import"})
    document = Document.objects.get(code="TL-ÇÖZM-001")
    assert document.title == "Çağrı Karşılama Talimatı (İşlem Sırası)"
    assert document.doc_type.kind == DocumentKind.WORK_INSTRUCTION
    assert document.confidentiality == Confidentiality.RESTRICTED
    assert current_revision_of(document).change_summary == "Gözden geçirildi; değişiklik yok"


def test_type_and_unit_spellings_and_headers_are_read_loosely(importer, org):
    headers = ["KOD", "Baslik", "TÜR", "sahip birim", "Revizyon", "Yururluk tarihi"]
    content = csv_file([
        ["PR-KSB-201", "Bir", "procedure", "ksb", "0", "2025-01-02"],
        ["PR-KSB-202", "İki", "pr", "KSB", "1", "2.1.2025"],
        ["PR-KSB-203", "Üç", "Procedure", "HISM", "03", "02/01/2025"],
    ], headers=headers)
    preview = preview_register(read_register(content, "x.csv"), user=importer)
    assert preview.ok, [o.messages for o in preview.outcomes]
    assert [r.unit.code for r in preview.rows] == ["KSB", "KSB", "HİŞM"]
    assert [r.revision for r in preview.rows] == [0, 1, 3]
    assert {r.effective_date for r in preview.rows} == {date(2025, 1, 2)}


def test_unreadable_files_are_refused_at_upload(manager_client):
    for content, name in [(b"%PDF-1.4", "liste.pdf"), (b"not a zip", "liste.xlsx"), (b"", "liste.csv"),
                          (csv_file([], headers=["Kod", "Başlık"]), "liste.csv"),
                          (csv_file([]), "liste.csv")]:
        response = upload(manager_client, content, name)
        assert response.status_code == 200, name
        assert response.context["form"].errors, name
    assert not any((manager_client.session.get("documents_register_imports") or {}).values())


def test_the_confirmation_trusts_only_a_token_of_ones_own_session(manager_client, role_client, private_root):
    preview_url, _response = upload_and_preview(manager_client, csv_file([row()]), "liste.csv")
    assert len(list((private_root / "imports").iterdir())) == 1
    # Another person with the import right cannot use the token.
    other = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")  # logs the shared test client in as them
    assert other.get(preview_url).status_code == 404
    assert other.post(preview_url, {"action": "import"}).status_code == 404
    assert not Document.objects.exists()
    for token in ("..", "%2e%2e%2fetc%2fpasswd", "0" * 32):
        assert other.get(reverse("documents:register_import_preview", args=[token])).status_code == 404


def test_cancel_discards_the_kept_file(manager_client, private_root):
    preview_url, _response = upload_and_preview(manager_client, csv_file([row()]), "liste.csv")
    response = manager_client.post(preview_url, {"action": "cancel"})
    assert response.status_code == 302
    assert list((private_root / "imports").iterdir()) == []
    assert manager_client.get(preview_url).status_code == 404
    assert not Document.objects.exists()


def test_after_import_the_kept_file_is_gone_and_a_second_confirm_imports_nothing(manager_client, private_root):
    preview_url, _response = upload_and_preview(manager_client, xlsx_file([row()]), "liste.xlsx")
    assert manager_client.post(preview_url, {"action": "import"}).status_code == 302
    assert list((private_root / "imports").iterdir()) == []
    assert manager_client.post(preview_url, {"action": "import"}).status_code == 404
    assert Document.objects.count() == 1


def test_the_service_checks_again_and_needs_the_permission(importer, make_user, org):
    good = RegisterRow(line=2, code="PR-KSB-301", title="A", doc_type=procedure(), unit=org["KSB"], revision=0,
                       effective_date=date(2025, 1, 1), next_review_date=None, retention_years=None,
                       confidentiality=Confidentiality.PUBLIC, change_summary="")
    same_code = RegisterRow(**{**good.__dict__, "line": 3, "title": "B"})
    with pytest.raises(ValidationError, match="PR-KSB-301"):
        register_import(rows=[good, same_code], user=importer)
    future = RegisterRow(**{**good.__dict__, "effective_date": today() + timedelta(days=1)})
    with pytest.raises(ValidationError):
        register_import(rows=[future], user=importer)
    with pytest.raises(PermissionDenied):
        register_import(rows=[good], user=make_user(Role.UNIT_MANAGER, unit="KSB"))
    assert not Document.objects.exists()
