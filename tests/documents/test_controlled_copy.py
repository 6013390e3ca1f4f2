"""The controlled copy: portal content laid out with header and footer, uploaded PDFs stamped page by
page, other uploads given a cover sheet, and the download refused outside the reader's audience or
for a revision no longer in force."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from documents.models import Confidentiality, DocumentFile
from documents.pdf import StampError, controlled_copy_pdf, rich_text_flowables
from documents.queries import current_revision_of
from documents.services import document_file_store
from qms.models import Unit
from qms.pdf import build_pdf, register_fonts, styles
from qms.roles import Role
from tests.documents.conftest import approve_through_workflow, body, document_draft_revision, document_submit

pytestmark = pytest.mark.django_db

TITLE = "Şikâyet Yönetimi Prosedürü"
NOTE_EN = "Printed copies are uncontrolled"


@pytest.fixture
def private_media(settings, tmp_path, monkeypatch):
    """Uploaded files go to a temporary folder.

    Django calls a FileField's storage callable once, when the model is loaded, so overriding
    QMS_PRIVATE_MEDIA_ROOT alone would not move them: the field's storage is replaced as well.
    """
    settings.QMS_PRIVATE_MEDIA_ROOT = tmp_path
    monkeypatch.setattr(DocumentFile._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


@pytest.fixture
def him(org):
    """A unit with Turkish letters in its code, under KSB (inside the reviewer's scope)."""
    org["HİM"] = Unit.objects.create(code="HİM", name="Halkla İlişkiler Masası", parent=org["KSB"])
    return org["HİM"]


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def day(value) -> str:
    """dd.mm.yyyy; a moment as its Istanbul date, as the portal prints it."""
    if isinstance(value, datetime):
        value = timezone.localtime(value, ZoneInfo("Europe/Istanbul")).date()
    return value.strftime("%d.%m.%Y")


def original_pdf(*, rotate_second: bool = False, encrypt: dict | None = None) -> bytes:
    """A two-page PDF as an office program would make it: A4 portrait, then A5 landscape."""
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for number, size in enumerate([A4, landscape(A5)], start=1):
        canvas.setPageSize(size)
        canvas.setFont("DejaVuSans", 12)
        canvas.drawString(72, size[1] / 2, f"Özgün içerik sayfa {number}")
        canvas.showPage()
    canvas.save()
    if not (rotate_second or encrypt):
        return buffer.getvalue()
    writer = PdfWriter(clone_from=PdfReader(BytesIO(buffer.getvalue())))
    if rotate_second:
        writer.pages[1].rotate(90)
    if encrypt:
        writer.encrypt(**{"algorithm": "RC4-128", **encrypt})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def minimal_docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def store(name: str, content: bytes, user) -> DocumentFile:
    return document_file_store(upload=SimpleUploadedFile(name, content), user=user)


# --- Portal content ---------------------------------------------------------------------------

RICH = (
    "<p>Başvurular <b>3 iş günü</b> içinde <i>yanıtlanır</i>; ayrıntı için "
    '<a href="https://ornek.bel.tr/sikayet">şikâyet sayfası</a>.</p>'
    "<ol><li>Kayıt açılır</li><li>Birime iletilir<ul><li>İç alt adım</li></ul></li></ol>"
    "<p>a &lt; b &amp; c <script>alert(1)</script><unknown>bilinmeyen etiket</unknown></p>"
)


def test_portal_content_copy_has_the_turkish_header_the_facts_and_the_footer_on_every_page(
    approved_document, him, people, make_user
):
    long_body = [("heading", "Amaç"), ("paragraph", RICH), ("note", "Dikkat: süre\nuzatılamaz.")]
    long_body += [("paragraph", f"<p>Madde {n}: çağrı kaydı işlenir.</p>") for n in range(1, 90)]
    document = approved_document(title=TITLE, unit="HİM", body=long_body)
    revision = current_revision_of(document)
    reader = make_user(Role.STAFF, unit="KSB", first_name="Şükrü", last_name="Işık")
    assert document.code == "PR-HİM-001"

    with translation.override("en"):
        pdf = controlled_copy_pdf(revision, user=reader)
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        for expected in (
            "PR-HİM-001",
            TITLE,
            "Rev. 00",
            f"Effective date: {day(revision.effective_date)}",
            f"Page {number} / {len(texts)}",
            NOTE_EN,
            "Şükrü Işık",
        ):
            assert expected in text, f"{expected!r} missing on page {number}"

    first = flat(texts[0])
    for expected in (
        "Procedure",
        "Halkla İlişkiler Masası (HİM)",
        "Gülşen Öztürk",
        "İlk yayın",
        f"Approved on {day(revision.approved_at)}",
        "Amaç",
        "3 iş günü",
        "yanıtlanır",
        "şikâyet sayfası",
        "1. Kayıt açılır",
        "2. Birime iletilir",
        "• İç alt adım",
        "a < b & c",
        "bilinmeyen etiket",
        "Note: Dikkat: süre uzatılamaz.",
    ):
        assert expected in first, expected
    assert "alert" not in first
    links = [a.get_object()["/A"]["/URI"] for a in PdfReader(BytesIO(pdf)).pages[0].get("/Annots", [])]
    assert links == ["https://ornek.bel.tr/sikayet"]
    assert "Madde 89" in texts[-1]


def test_turkish_copy_uses_the_catalogue(approved_document, people):
    revision = current_revision_of(approved_document())
    with translation.override("tr"):
        pdf = controlled_copy_pdf(revision, user=people["author"])
        note = translation.gettext(NOTE_EN)  # "Basılı kopyalar kontrolsüzdür" once the catalogue has it
    text = page_texts(pdf)[0]
    assert "Sayfa 1 / 1" in text and note in text and "PR-KSB-001" in text


@pytest.mark.parametrize(
    "html",
    [
        "<b>kapanmayan kalın",
        "</i>başıboş kapanış",
        "<b><i>iç içe</b> bozuk</i>",
        '<a href="javascript:alert(1)">zararsız metin</a>',
        '<a href="https://x.tr/?a=1&b=&quot;2&quot;">tırnaklı adres</a>',
        '<p>reportlab <font color="red">işareti</font> &lt;para&gt; &amp;amp;</p>',
        "<ul><li></li><li>  </li></ul><p></p>",
        "<h2>Başlık</h2><div><table><tr><td>hücre</td></tr></table></div><hr/>satır<br>sonu",
        "düz metin \x00\x0b kontrol karakterli",
        "",
    ],
)
def test_odd_rich_text_never_breaks_the_pdf(html, org):
    st = styles()
    flowables = rich_text_flowables(html, st)
    if not re.sub(r"<[^>]*>|\s", "", html):
        assert flowables == []  # nothing to print makes no empty paragraphs
    pdf = build_pdf(title="Sınama", flowables=[*flowables, Paragraph("son", st.body)])
    text = page_texts(pdf)[0]
    for word in re.findall(r"[a-zçğıöşü]{5,}", re.sub(r"<[^>]*>|&\w+;", " ", html)):
        if word not in ("alert", "javascript", "color", "table", "https"):
            assert word in text, word
    annotations = PdfReader(BytesIO(pdf)).pages[0].get("/Annots", [])
    assert all(a.get_object()["/A"]["/URI"].startswith("https://") for a in annotations)


# --- Uploaded files ---------------------------------------------------------------------------


def test_an_uploaded_pdf_is_stamped_on_every_page_and_keeps_its_content(approved_document, people, private_media):
    original = original_pdf(rotate_second=True)
    stored = store("Şikâyet prosedürü.pdf", original, people["author"])
    document = approved_document(file=stored, body=[])
    revision = current_revision_of(document)
    assert revision.file == stored

    with translation.override("en"):
        pdf = controlled_copy_pdf(revision, user=people["author"])
    stamped, source = PdfReader(BytesIO(pdf)), PdfReader(BytesIO(original))
    assert len(stamped.pages) == len(source.pages) == 2
    for number, (page, before) in enumerate(zip(stamped.pages, source.pages, strict=True), start=1):
        text = page.extract_text()
        for expected in (
            document.code,
            "Rev. 00",
            f"Effective date: {day(revision.effective_date)}",
            f"Page {number} / 2",
            NOTE_EN,
            "Ayşe Yazıcı",
            f"Özgün içerik sayfa {number}",
        ):
            assert expected in text, f"{expected!r} missing on page {number}"
        # The page is shown at the size and orientation it had (the rotated one upright, as before).
        shown = sorted((float(page.cropbox.width), float(page.cropbox.height)))
        assert shown == sorted((float(before.cropbox.width), float(before.cropbox.height)))
    second = stamped.pages[1]
    shown_width = second.cropbox.height if second.rotation % 180 else second.cropbox.width
    assert float(shown_width) == pytest.approx(landscape(A5)[1])  # rotated 90°: the A5 now stands upright


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_pdf_that_only_restricts_editing_is_stamped(approved_document, people, private_media, algorithm):
    # Word and Acrobat restrict editing with AES today: pypdf opens those with `cryptography`.
    encrypt = {"user_password": "", "owner_password": "sahip", "algorithm": algorithm}
    stored = store("kısıtlı.pdf", original_pdf(encrypt=encrypt), people["author"])
    revision = current_revision_of(approved_document(file=stored, body=[]))
    with translation.override("en"):
        texts = page_texts(controlled_copy_pdf(revision, user=None))
    assert len(texts) == 2 and all(NOTE_EN in text and "Rev. 00" in text for text in texts)


@pytest.mark.parametrize(
    "content, reason",
    [
        (original_pdf(encrypt={"user_password": "gizli", "owner_password": "sahip"}), "password-protected"),
        (b"%PDF-1.7\nbu bir PDF degil\n%%EOF", "could not be read"),
    ],
    ids=["password", "damaged"],
)
def test_a_pdf_that_cannot_be_opened_sends_the_reader_back_with_the_reason(
    approved_document, people, private_media, role_client, content, reason
):
    stored = store("bozuk.pdf", content, people["author"])
    document = approved_document(file=stored, body=[])
    revision = current_revision_of(document)
    with translation.override("en"), pytest.raises(StampError, match=reason):
        controlled_copy_pdf(revision, user=None)

    client = role_client(Role.STAFF, unit="KSB")
    response = client.get(reverse("documents:controlled_copy", args=[revision.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:read", args=[document.pk])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1 and "bozuk.pdf" in shown[0]


def test_another_upload_gets_a_cover_sheet_naming_the_file_and_its_checksum(approved_document, people, private_media):
    content = minimal_docx()
    stored = store("Başvuru formu.docx", content, people["author"])
    revision = current_revision_of(approved_document(kind="form", file=stored, body=[]))
    with translation.override("en"):
        texts = page_texts(controlled_copy_pdf(revision, user=people["author"]))
    assert len(texts) == 1
    text = flat(texts[0])
    for expected in (
        "Controlled copy cover sheet",
        "Başvuru formu.docx",
        "Word (DOCX)",
        "downloaded separately from the portal",
        revision.document.code,
        "Rev. 00",
        "Page 1 / 1",
        NOTE_EN,
        "Gülşen Öztürk",
    ):
        assert expected in text, expected
    assert hashlib.sha256(content).hexdigest() in "".join(text.split())


# --- The download ---------------------------------------------------------------------------


def test_staff_in_the_audience_download_the_copy(approved_document, role_client):
    document = approved_document(confidentiality=Confidentiality.RESTRICTED)
    revision = current_revision_of(document)
    client = role_client(Role.STAFF, unit="KSB")  # the owning unit is always in the audience
    response = client.get(reverse("documents:controlled_copy", args=[revision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert 'filename="PR-KSB-001_Rev.00.pdf"' in response["Content-Disposition"]
    assert "PR-KSB-001" in page_texts(response.content)[0]


def test_staff_of_another_unit_cannot_get_a_restricted_documents_copy(approved_document, role_client):
    revision = current_revision_of(approved_document(confidentiality=Confidentiality.RESTRICTED))
    client = role_client(Role.STAFF, unit="ALO153")
    assert client.get(reverse("documents:controlled_copy", args=[revision.pk])).status_code == 404


def test_a_superseded_revision_has_no_controlled_copy(approved_document, people, role_client):
    document = approved_document()
    old = current_revision_of(document)
    document_draft_revision(
        document=document,
        user=people["author"],
        title=TITLE,
        body=body("Yeni süre: 2 iş günü."),
        change_summary="Yanıt süresi kısaldı",
    )
    document_submit(document=document, user=people["author"])
    new = approve_through_workflow(document, reviewer=people["reviewer"], approver=people["approver"])
    assert current_revision_of(document) == new

    for client_user in (Role.STAFF, Role.MANAGEMENT_REPRESENTATIVE):  # not even an overseer
        client = role_client(client_user, unit="KSB")
        assert client.get(reverse("documents:controlled_copy", args=[old.pk])).status_code == 404
    response = client.get(reverse("documents:controlled_copy", args=[new.pk]))
    assert response.status_code == 200
    assert "Rev. 01" in page_texts(response.content)[0]
