"""The PDF base prints every Turkish letter, in an embedded font, with letterhead and page x / y."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph

from qms.models import OrganisationSettings
from qms.pdf import build_pdf, data_table, pdf_filename_ascii, pdf_response, register_fonts, styles
from qms.roles import Role

PHRASE = "İç Tetkik Şikâyet Ğ ı"
LETTERS = "çğıİöşüâ ÇĞIÖŞÜÂ"
ORG = "Örnek Büyükşehir Belediyesi"
DEPT = "Halkla İlişkiler Şube Müdürlüğü"


@pytest.fixture
def org_settings(db):
    settings = OrganisationSettings.load()
    settings.organisation_name = ORG
    settings.department_name = DEPT
    settings.save()
    return settings


def _fonts(reader: PdfReader) -> dict[str, object]:
    """BaseFont name -> font dictionary, over every page's resources."""
    found = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def _font_file(font) -> object | None:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:
        descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    return descriptor.get_object().get("/FontFile2") if descriptor is not None else None


def test_every_turkish_letter_survives_extraction(org_settings, make_user):
    user = make_user(Role.STAFF, first_name="Şükrü", last_name="Işıkoğlu")
    st = styles()
    pdf = build_pdf(
        title=PHRASE,
        code="PR-HİM-001",
        user=user,
        flowables=[
            Paragraph(PHRASE, st.title),
            Paragraph(LETTERS, st.body),
            Paragraph(f"<b>{LETTERS}</b>", st.body),
        ],
    )
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert PHRASE in text
    assert LETTERS in text
    for letter in LETTERS.replace(" ", ""):
        assert letter in text
    assert "PR-HİM-001" in text
    assert "Şükrü Işıkoğlu" in text


def test_font_is_embedded_dejavu_and_never_helvetica(org_settings):
    st = styles()
    pdf = build_pdf(title=PHRASE, flowables=[Paragraph(f"{LETTERS} <b>{LETTERS}</b> <i>{LETTERS}</i>", st.body)])
    fonts = _fonts(PdfReader(BytesIO(pdf)))
    assert fonts
    for name, font in fonts.items():
        assert "DejaVuSans" in name, name
        assert _font_file(font) is not None, f"{name} is not embedded"
    assert any("DejaVuSans-Bold" in name for name in fonts), "<b> did not pick the bold face"
    assert not any("Helvetica" in name for name in fonts)


def test_register_fonts_is_idempotent():
    register_fonts()
    register_fonts()
    assert styles().body.fontName == "DejaVuSans"


def test_long_table_pages_carry_letterhead_and_page_x_of_y(org_settings, make_user):
    user = make_user(Role.STAFF, first_name="Ayşe", last_name="Güneş")
    rows = [
        [i, f"Çağrı kaydı {i} — uzun bir açıklama metni, şikâyet ve öneri", "ÇMŞ", i % 2 == 0] for i in range(1, 121)
    ]
    printed_at = datetime(2026, 3, 2, 7, 5, tzinfo=UTC)  # 10:05 in Istanbul (UTC+3)
    pdf = build_pdf(
        title="Uzun Tablo Sınaması",
        code="PR-HİM-001",
        user=user,
        printed_at=printed_at,
        flowables=[data_table(["No", "Açıklama", "Birim", "Yanıtlandı"], rows)],
    )
    reader = PdfReader(BytesIO(pdf))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert re.search(rf"\b{number} / {total}\b", text), text[-200:]
        for expected in (ORG, DEPT, "Uzun Tablo Sınaması", "PR-HİM-001", "02.03.2026 10:05", "Ayşe Güneş"):
            assert expected in text, f"{expected!r} missing on page {number}"
        assert "Açıklama" in text  # the header row repeats
    assert "Çağrı kaydı 120" in reader.pages[-1].extract_text()


def test_metadata_and_language(org_settings):
    pdf = build_pdf(title=PHRASE, flowables=[Paragraph("x", styles().body)], landscape=True)
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == PHRASE
    assert reader.metadata.author == ORG
    assert reader.metadata.subject == DEPT
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("tr")
    box = reader.pages[0].mediabox
    assert box.width > box.height


def test_pdf_response_names_the_file_in_ascii_and_utf8():
    response = pdf_response(b"%PDF-1.4", "İç Tetkik Şikâyet Raporu")
    disposition = response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert disposition.startswith("attachment; ")
    assert 'filename="Ic_Tetkik_Sikayet_Raporu.pdf"' in disposition
    assert "filename*=UTF-8''%C4%B0%C3%A7%20Tetkik%20%C5%9Eik%C3%A2yet%20Raporu.pdf" in disposition
    assert pdf_response(b"", "a.pdf", inline=True)["Content-Disposition"].startswith("inline; ")
    assert pdf_filename_ascii("ğüşıöç ĞÜŞİÖÇ.pdf") == "gusioc_GUSIOC.pdf"
