"""The audit report PDF: what a signed-off version prints, that it never changes afterwards, the
next version's change note, the draft preview, and who may download them."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audits import services
from audits.models import Audit, FindingKind
from audits.pdf import audit_report_pdf, audit_report_preview_pdf
from qms.models import Clause
from qms.roles import Role


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Without any whitespace: table cells wrap long words and codes at any width."""
    return re.sub(r"\s+", "", text)


def content_of(pdf: bytes) -> str:
    """The text without the footer's "printed at" line (the only part that depends on when)."""
    return "\n".join(line for line in pdf_text(pdf).splitlines() if not line.startswith("Yazdırılma"))


@pytest.fixture
def member(make_user):
    return make_user(Role.INTERNAL_AUDITOR, unit="FEN", first_name="Derya", last_name="Çelik")


@pytest.fixture
def signed(planned_audit, cast, org, member, today, clause):
    """An audit of ÇMŞ carried out and signed off: a major nonconformity and an observation from the
    checklist, an opportunity for improvement from the findings form. Returns (audit, report)."""
    other_clause = Clause.objects.get(standard__code="ISO 10002", number="8.3")
    audit = planned_audit(title="Çağrı Merkezi süreç tetkiki", team=[member],
                          processes="Çağrı karşılama\nGeri arama", clauses=[clause, other_clause],
                          planned_start=today.replace(day=1),
                          planned_end=today)
    audit = services.audit_start(audit=audit, user=cast["auditor"])
    first, second = audit.answers.order_by("order")
    services.answer_record(answer=first, user=cast["auditor"], result="nonconforming",
                           evidence="Geri arama listesi yok.", finding_kind=FindingKind.MAJOR)
    services.answer_record(answer=second, user=member, result="observation", evidence="Raporlar gecikmeli.")
    services.finding_record(audit=audit, user=cast["auditor"], kind=FindingKind.IMPROVEMENT, unit=org["ÇMŞ"],
                            statement="Bekleme anonsu kısaltılabilir.", evidence="Dinlenen 5 çağrı")
    Audit.objects.filter(pk=audit.pk).update(summary="Çağrı karşılama süreci genel olarak etkin işliyor.")
    report = services.audit_sign_off(audit=Audit.objects.get(pk=audit.pk), user=cast["auditor"])
    audit.refresh_from_db()
    return audit, report


def test_the_report_prints_scope_team_dates_summary_and_counts(signed, org, member):
    audit, report = signed
    text = pdf_text(audit_report_pdf(report))
    words = " ".join(text.split())
    for expected in ("İç Tetkik Raporu", audit.code, "Çağrı Merkezi süreç tetkiki", "Sürüm 1",
                     "Çağrı Merkezi Şefliği", "Çağrı karşılama", "Geri arama", "ISO 18295-1 4.2", "ISO 10002 8.3",
                     "Zeynep Demir", "Derya Çelik", audit.planned_start.strftime("%d.%m.%Y"),
                     audit.planned_end.strftime("%d.%m.%Y"), audit.actual_start.strftime("%d.%m.%Y"),
                     "Çağrı karşılama süreci genel olarak etkin işliyor.", "Kontrol listesi yanıtları"):
        assert expected in words, expected
    assert re.search(r"Sayfa 1 / \d+", text)


def test_the_findings_table_prints_each_findings_number_type_clause_and_dof(signed):
    audit, report = signed
    text = flat(pdf_text(audit_report_pdf(report)))
    findings = list(audit.findings.select_related("clause__standard", "nonconformity").order_by("number"))
    assert len(findings) == 3
    for finding in findings:
        assert flat(finding.code) in text
        assert flat(str(finding.get_kind_display())) in text
        if finding.clause:
            assert flat(finding.clause.reference) in text
    major = findings[0]
    assert flat(major.nonconformity.code) in text
    for kind in ("Büyük uygunsuzluk", "Gözlem", "İyileştirme fırsatı"):
        assert flat(kind) in text
    assert flat("Geri arama listesi yok.") in text and flat("Bekleme anonsu kısaltılabilir.") in text


def test_the_sign_off_block_names_the_lead_auditor_and_the_time_with_empty_lines_for_the_others(signed):
    audit, report = signed
    words = " ".join(pdf_text(audit_report_pdf(report)).split())
    when = timezone.localtime(report.signed_off_at).strftime("%d.%m.%Y %H:%M")
    assert "Onay" in words and "Baş tetkikçi Zeynep Demir " + when in words
    assert "Birim yöneticisi" in words and "Yönetim temsilcisi" in words
    assert "İmza" in words


def test_a_signed_off_version_never_changes_after_the_audit_does(signed, cast, org):
    audit, report = signed
    before = content_of(audit_report_pdf(report))
    services.finding_record(audit=audit, user=cast["auditor"], kind=FindingKind.OBSERVATION, unit=org["ÇMŞ"],
                            statement="Sonradan eklenen gözlem")
    Audit.objects.filter(pk=audit.pk).update(summary="Değiştirilmiş özet")
    cast["auditor"].first_name = "Zerrin"
    cast["auditor"].save()
    report.refresh_from_db()
    after = content_of(audit_report_pdf(report))
    assert after == before
    assert "Sonradan eklenen gözlem" not in after and "Değiştirilmiş özet" not in after and "Zerrin" not in after


def test_version_2_prints_what_changed_and_the_history(signed, cast, org):
    audit, report = signed
    services.finding_record(audit=audit, user=cast["auditor"], kind=FindingKind.OBSERVATION, unit=org["ÇMŞ"],
                            statement="İkinci sürüm gözlemi")
    second = services.audit_sign_off(audit=Audit.objects.get(pk=audit.pk), user=cast["auditor"],
                                     change_note="Bir gözlem eklendi.")
    words = " ".join(pdf_text(audit_report_pdf(second)).split())
    assert "Sürüm 2" in words and "Bu sürümdeki değişiklikler" in words and "Bir gözlem eklendi." in words
    assert "İkinci sürüm gözlemi" in words
    assert flat(f"{audit.code}/B04") in flat(words)
    first_words = " ".join(pdf_text(audit_report_pdf(report)).split())
    assert "İkinci sürüm gözlemi" not in first_words and "Bir gözlem eklendi." not in first_words


def test_the_preview_is_marked_draft_and_shows_the_current_content(audit_in_progress, cast):
    Audit.objects.filter(pk=audit_in_progress.pk).update(summary="Henüz imzalanmadı")
    audit = Audit.objects.get(pk=audit_in_progress.pk)
    text = pdf_text(audit_report_preview_pdf(audit))
    assert text.count("TASLAK / DRAFT") >= 2  # heading and every page's footer
    assert "Henüz imzalanmadı" in text and "Sürüm 1" not in text


def test_report_downloads_follow_the_audit_visibility(client, signed, cast):
    audit, report = signed
    url = reverse("audits:report_pdf", args=[report.pk])
    for who in ("manager", "mr", "auditor", "top"):
        client.force_login(cast[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        assert audit.code in pdf_text(response.content)
    for who in ("auditor2", "clerk", "agent", "desk_manager"):
        client.force_login(cast[who])
        assert client.get(url).status_code == 404, who
        assert client.get(reverse("audits:report_preview", args=[audit.pk])).status_code == 404, who


def test_the_printed_copy_names_who_printed_it(client, signed, cast):
    audit, report = signed
    client.force_login(cast["manager"])
    text = pdf_text(client.get(reverse("audits:report_pdf", args=[report.pk])).content)
    assert "Gülşen Aydın" in text


def test_the_mailed_report_is_the_frozen_pdf(signed, cast, mailoutbox):
    from audits.notifications import report_signed_off

    audit, report = signed
    mailoutbox.clear()
    assert report_signed_off(report.pk) == 1
    _name, content, _mimetype = mailoutbox[0].attachments[0]
    assert content_of(content) == content_of(audit_report_pdf(report))
