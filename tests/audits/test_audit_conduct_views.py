"""Performing an audit through its screens: the audit file and its buttons, the checklist (one POST,
all or nothing), findings, sign-off, closing, cancelling and evidence files, for each role."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.models import (
    AnswerResult,
    Audit,
    AuditReport,
    AuditState,
    ChecklistQuestion,
    ChecklistTemplate,
    EvidenceFile,
    Finding,
    FindingKind,
    Nonconformity,
    Severity,
)
from qms.roles import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.QMS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.QMS_PRIVATE_MEDIA_ROOT


@pytest.fixture
def audit(audit_in_progress):
    return audit_in_progress


@pytest.fixture
def answers(audit):
    return list(audit.answers.order_by("order"))


def login(client, user):
    client.force_login(user)
    return client


def payload(*rows) -> dict:
    """payload((answer, result, evidence[, extra dict]), ...) -> POST data of the checklist form."""
    data = {}
    for row in rows:
        answer, result, evidence, *extra = row
        data[f"q{answer.pk}-result"] = result
        data[f"q{answer.pk}-evidence"] = evidence
        for key, value in (extra[0] if extra else {}).items():
            data[f"q{answer.pk}-{key}"] = value
    return data


def checklist_url(audit):
    return reverse("audits:audit_checklist", args=[audit.pk])


# --- who may open what ------------------------------------------------------------------------


def test_an_auditor_of_another_audit_gets_404_everywhere(client, cast, audit, answers):
    login(client, cast["auditor2"])
    for url in (reverse("audits:audit", args=[audit.pk]), checklist_url(audit),
                reverse("audits:finding_add", args=[audit.pk]), reverse("audits:audit_sign_off", args=[audit.pk]),
                reverse("audits:report_preview", args=[audit.pk])):
        assert client.get(url).status_code == 404, url
    response = client.post(checklist_url(audit), payload((answers[0], "conforming", "")))
    assert response.status_code == 404
    assert client.post(reverse("audits:audit_start", args=[audit.pk])).status_code == 404
    answers[0].refresh_from_db()
    assert answers[0].result == ""


@pytest.mark.parametrize("who", ["clerk", "agent"])
def test_staff_and_agents_get_404_for_an_audit_file(client, cast, audit, who):
    assert login(client, cast[who]).get(reverse("audits:audit", args=[audit.pk])).status_code == 404


def test_a_unit_manager_sees_the_audit_file_read_only(client, cast, audit, answers):
    login(client, cast["manager"])
    html = client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    assert audit.code in html and "Kontrol listesini görüntüle" in html
    for hidden in ("Tetkiki başlat", "Kontrol listesini yanıtla", "Bulgu ekle", "Raporu onayla",
                   reverse("audits:audit_start", args=[audit.pk])):
        assert hidden not in html
    checklist = client.get(checklist_url(audit))
    assert checklist.status_code == 200
    assert 'type="radio"' not in checklist.content.decode()
    assert "salt okunur" in checklist.content.decode()
    assert client.post(checklist_url(audit), payload((answers[0], "conforming", "Görüldü"))).status_code == 403
    assert client.post(reverse("audits:audit_start", args=[audit.pk])).status_code == 403
    assert client.get(reverse("audits:finding_add", args=[audit.pk])).status_code == 403
    assert client.get(reverse("audits:audit_sign_off", args=[audit.pk])).status_code == 403
    answers[0].refresh_from_db()
    assert answers[0].result == ""


def test_the_representative_sees_every_audit_but_does_not_perform_it(client, cast, planned_audit):
    planned = planned_audit()
    login(client, cast["mr"])
    html = client.get(reverse("audits:audit", args=[planned.pk])).content.decode()
    assert "Tetkiki iptal et" in html and "Planı düzenle" in html and "Tetkiki başlat" not in html
    assert reverse("wagtailsnippets_audits_audit:edit", args=[planned.pk]) in html
    assert client.post(reverse("audits:audit_start", args=[planned.pk])).status_code == 403
    planned.refresh_from_db()
    assert planned.state == AuditState.PLANNED


def test_the_lead_auditor_starts_a_planned_audit(client, cast, planned_audit):
    planned = planned_audit()
    login(client, cast["auditor"])
    assert "Tetkiki başlat" in client.get(reverse("audits:audit", args=[planned.pk])).content.decode()
    response = client.post(reverse("audits:audit_start", args=[planned.pk]))
    assert response.status_code == 302 and response["Location"] == checklist_url(planned)
    planned.refresh_from_db()
    assert planned.state == AuditState.IN_PROGRESS and planned.answers.count() == 2


def test_starting_twice_is_refused_with_a_message(client, cast, audit):
    login(client, cast["auditor"])
    response = client.post(reverse("audits:audit_start", args=[audit.pk]), follow=True)
    assert "Yalnızca planlanmış bir tetkik başlatılabilir" in response.content.decode()


def test_an_audit_in_progress_offers_its_auditors_answer_finding_and_sign_off(client, cast, audit):
    html = login(client, cast["auditor"]).get(reverse("audits:audit", args=[audit.pk])).content.decode()
    for shown in ("Kontrol listesini yanıtla", "Bulgu ekle", "Raporu onayla", "Rapor ön izlemesi"):
        assert shown in html


# --- the checklist --------------------------------------------------------------------------


def test_the_checklist_shows_every_question_with_four_labelled_answers_and_the_progress(client, cast, audit,
                                                                                         answers):
    html = login(client, cast["auditor"]).get(checklist_url(audit)).content.decode()
    assert "0 / 2 yanıtlandı" in html
    for answer in answers:
        assert answer.question in html
        for value in AnswerResult.values:
            assert f'<label class="audit-option audit-option--{value}" for="q{answer.pk}-result-{value}">' in html
    for label in ("Uygun", "Uygun değil", "Gözlem", "Uygulanamaz"):
        assert label in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.odt"' in html and "multiple" in html
    assert "audits/js/checklist.js" in html and "<script>" not in html


def test_a_nonconforming_answer_records_a_finding_and_a_dof_in_one_post(client, cast, audit, answers):
    login(client, cast["auditor"])
    response = client.post(checklist_url(audit), payload(
        (answers[0], "nonconforming", "12 kaydın 5'inde geri dönüş yok.", {"severity": FindingKind.MAJOR}),
        (answers[1], "conforming", "Bekleme süreleri raporlanıyor."),
    ), follow=True)
    finding = Finding.objects.get(audit=audit)
    nc = Nonconformity.objects.get(finding=finding)
    assert finding.kind == FindingKind.MAJOR and finding.answer_id == answers[0].pk
    assert nc.severity == Severity.MAJOR and nc.unit == audit.units.get()
    for answer, result in zip(answers, ("nonconforming", "conforming"), strict=True):
        answer.refresh_from_db()
        assert answer.result == result and answer.answered_by == cast["auditor"]
    html = response.content.decode()
    assert "2 yanıt kaydedildi." in html and f"{finding.code} → {nc.code}" in html
    assert "2 / 2 yanıtlandı" in html


def test_an_answer_that_produced_a_finding_is_locked_and_names_its_dof(client, cast, nc_finding):
    audit = nc_finding.audit
    html = login(client, cast["auditor"]).get(checklist_url(audit)).content.decode()
    answer = nc_finding.answer
    assert f'name="q{answer.pk}-result"' not in html
    assert nc_finding.code in html and nc_finding.nonconformity.code in html and "Kilitli" in html


def test_a_refused_answer_saves_nothing_not_even_the_other_answers(client, cast, audit, answers):
    login(client, cast["auditor"])
    response = client.post(checklist_url(audit), payload(
        (answers[0], "nonconforming", ""),
        (answers[1], "conforming", "Bekleme süreleri raporlanıyor."),
    ))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hiçbir şey kaydedilmedi" in html
    assert "1. soru: bulgunun kanıtını yazın." in html
    assert "Bekleme süreleri raporlanıyor." in html  # what was entered comes back
    assert f'id="q{answers[1].pk}-result-conforming" name="q{answers[1].pk}-result" value="conforming" checked' in html
    for answer in answers:
        answer.refresh_from_db()
        assert answer.result == "" and answer.evidence == ""
    assert not Finding.objects.filter(audit=audit).exists()
    assert not Nonconformity.objects.exists()


def test_a_refused_post_keeps_no_uploaded_file(client, cast, audit, answers, private_files):
    login(client, cast["auditor"])
    data = payload((answers[0], "nonconforming", ""), (answers[1], "conforming", "Rapor görüldü."))
    data[f"q{answers[1].pk}-files"] = [SimpleUploadedFile("rapor.pdf", PDF, content_type="application/pdf")]
    response = client.post(checklist_url(audit), data)
    assert "Dosyaları yeniden seçin" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert not any(path.is_file() for path in private_files.rglob("*")) if private_files.exists() else True


def test_a_text_without_an_answer_is_refused(client, cast, audit, answers):
    login(client, cast["auditor"])
    response = client.post(checklist_url(audit), payload((answers[0], "", "Yarım not")))
    assert "1. soru: bir yanıt seçin ya da kanıt alanını boş bırakın." in response.content.decode()
    answers[0].refresh_from_db()
    assert answers[0].evidence == ""


def test_a_post_that_changes_nothing_saves_nothing(client, cast, audit, answers):
    login(client, cast["auditor"])
    response = client.post(checklist_url(audit), payload((answers[0], "", ""), (answers[1], "", "")), follow=True)
    assert "Kaydedilecek bir şey yok" in response.content.decode()


def test_evidence_files_are_attached_and_served_to_those_who_see_the_audit(client, cast, audit, answers):
    login(client, cast["auditor"])
    data = payload((answers[0], "conforming", "Kayıtlar görüldü."))
    data[f"q{answers[0].pk}-files"] = [SimpleUploadedFile("foto.png", PNG, content_type="image/png"),
                                       SimpleUploadedFile("rapor.pdf", PDF, content_type="application/pdf")]
    client.post(checklist_url(audit), data)
    files = {item.original_name: item for item in EvidenceFile.objects.filter(answer=answers[0])}
    assert set(files) == {"foto.png", "rapor.pdf"}
    response = client.get(reverse("audits:evidence_file", args=[files["foto.png"].pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG
    assert reverse("audits:evidence_file", args=[files["rapor.pdf"].pk]) in client.get(
        checklist_url(audit)).content.decode()
    manager = login(client, cast["manager"]).get(reverse("audits:evidence_file", args=[files["rapor.pdf"].pk]))
    assert manager.status_code == 200


@pytest.mark.parametrize("who", ["clerk", "auditor2", "desk_manager"])
def test_evidence_files_are_404_to_anyone_who_may_not_see_the_audit(client, cast, audit, answers, who):
    stored = services.evidence_attach(owner=answers[0], user=cast["auditor"],
                                      upload=SimpleUploadedFile("foto.png", PNG, content_type="image/png"))
    assert login(client, cast[who]).get(reverse("audits:evidence_file", args=[stored.pk])).status_code == 404


def test_a_dof_evidence_file_follows_the_dof_visibility(client, cast, nonconformity, make_user):
    nc = nonconformity()
    stored = services.evidence_attach(owner=nc, user=cast["clerk"],
                                      upload=SimpleUploadedFile("kanit.pdf", PDF, content_type="application/pdf"))
    url = reverse("audits:evidence_file", args=[stored.pk])
    assert login(client, cast["manager"]).get(url).status_code == 200
    assert login(client, cast["clerk"]).get(url).status_code == 200  # raised it
    assert login(client, make_user(Role.STAFF, unit="KSB")).get(url).status_code == 404


def test_another_checklist_can_be_added_to_an_audit_in_progress(client, cast, audit, clause):
    extra = ChecklistTemplate.objects.create(title="Ek liste")
    ChecklistQuestion.objects.create(template=extra, text="Ek soru?", clause=clause)
    ChecklistTemplate.objects.create(title="Pasif liste", is_active=False)
    login(client, cast["auditor"])
    html = client.get(checklist_url(audit)).content.decode()
    assert "Ek liste" in html and "Pasif liste" not in html
    response = client.post(checklist_url(audit), {"add_checklist": "1", "template": extra.pk}, follow=True)
    assert "“Ek liste” listesinden 1 soru eklendi." in response.content.decode()
    assert audit.answers.count() == 3
    assert login(client, cast["manager"]).post(checklist_url(audit), {"add_checklist": "1",
                                                                     "template": extra.pk}).status_code == 403


def test_an_audit_of_several_units_asks_the_unit_of_each_finding(client, cast, planned_audit, org):
    audit = services.audit_start(audit=planned_audit(units=[org["ALO153"], org["ÇMPK"]]), user=cast["auditor"])
    answer = audit.answers.order_by("order").first()
    login(client, cast["auditor"])
    assert f'name="q{answer.pk}-unit"' in client.get(checklist_url(audit)).content.decode()
    refused = client.post(checklist_url(audit), payload((answer, "nonconforming", "Eksik kayıt")))
    assert "bulgunun ilgili olduğu tetkik edilen birimi seçin" in refused.content.decode()
    client.post(checklist_url(audit), payload((answer, "nonconforming", "Eksik kayıt", {"unit": org["ÇMPK"].pk})))
    assert Finding.objects.get(audit=audit).unit == org["ÇMPK"]


# --- findings -------------------------------------------------------------------------------


def test_an_auditor_records_a_finding_outside_the_checklist(client, cast, audit, org):
    login(client, cast["auditor"])
    form = client.get(reverse("audits:finding_add", args=[audit.pk])).content.decode()
    assert "<optgroup" in form and "ISO 18295-1 4.2" in form
    response = client.post(reverse("audits:finding_add", args=[audit.pk]), {
        "kind": FindingKind.IMPROVEMENT, "unit": org["ÇMŞ"].pk, "clause": "",
        "statement": "Bekleme mesajları sadeleştirilebilir.", "evidence": "",
    })
    assert response.status_code == 302
    finding = Finding.objects.get(audit=audit)
    assert finding.kind == FindingKind.IMPROVEMENT and not Nonconformity.objects.filter(finding=finding).exists()


def test_a_nonconformity_without_a_clause_is_refused_on_the_form(client, cast, audit, org):
    login(client, cast["auditor"])
    response = client.post(reverse("audits:finding_add", args=[audit.pk]), {
        "kind": FindingKind.MINOR, "unit": org["ÇMŞ"].pk, "clause": "", "statement": "Eksik", "evidence": "",
    })
    assert response.status_code == 200
    assert "Uygunsuzluk, karşılanmayan maddeyi belirtmelidir." in response.content.decode()
    assert not Finding.objects.exists()


def test_a_finding_form_offers_only_the_audited_units(client, cast, audit, org):
    login(client, cast["auditor"])
    response = client.post(reverse("audits:finding_add", args=[audit.pk]), {
        "kind": FindingKind.OBSERVATION, "unit": org["KSB"].pk, "statement": "Başka birim", "evidence": "",
    })
    assert response.status_code == 200 and not Finding.objects.exists()


def test_an_auditor_edits_a_finding(client, cast, nc_finding, clause):
    login(client, cast["auditor"])
    url = reverse("audits:finding_edit", args=[nc_finding.pk])
    assert "Son ayın 12 kaydında" in client.get(url).content.decode()
    client.post(url, {"kind": FindingKind.MAJOR, "unit": nc_finding.unit_id, "clause": clause.pk,
                      "statement": "Güncellenmiş bulgu", "evidence": "Yeni kanıt"})
    nc_finding.refresh_from_db()
    assert nc_finding.statement == "Güncellenmiş bulgu" and nc_finding.kind == FindingKind.MAJOR
    assert nc_finding.nonconformity.severity == Severity.MAJOR


def test_a_finding_that_opened_a_dof_cannot_become_an_observation(client, cast, nc_finding, clause):
    login(client, cast["auditor"])
    response = client.post(reverse("audits:finding_edit", args=[nc_finding.pk]), {
        "kind": FindingKind.OBSERVATION, "unit": nc_finding.unit_id, "clause": clause.pk,
        "statement": nc_finding.statement, "evidence": nc_finding.evidence})
    assert response.status_code == 200
    assert nc_finding.nonconformity.code in response.content.decode()
    nc_finding.refresh_from_db()
    assert nc_finding.kind == FindingKind.MINOR


def test_findings_forms_are_refused_to_the_unit_manager_and_hidden_from_others(client, cast, nc_finding):
    login(client, cast["manager"])
    assert client.get(reverse("audits:finding_edit", args=[nc_finding.pk])).status_code == 403
    assert client.post(reverse("audits:finding_add", args=[nc_finding.audit_id]), {}).status_code == 403
    login(client, cast["auditor2"])
    assert client.get(reverse("audits:finding_edit", args=[nc_finding.pk])).status_code == 404


def test_the_audit_file_lists_findings_with_their_dof_code_and_state(client, cast, nc_finding):
    html = login(client, cast["manager"]).get(reverse("audits:audit", args=[nc_finding.audit_id])).content.decode()
    nc = nc_finding.nonconformity
    assert nc_finding.code in html and nc.code in html and nc.get_state_display() in html
    assert reverse("audits:nonconformity", args=[nc.pk]) in html


# --- sign-off, close, cancel --------------------------------------------------------------------


def _answer_all(audit, user, result="conforming"):
    for answer in audit.answers.filter(result=""):
        services.answer_record(answer=answer, user=user, result=result, evidence="Görüldü")


def test_sign_off_freezes_version_1_and_mails_the_pdf_to_the_unit_manager(
        client, cast, audit, nc_finding, mailoutbox, django_capture_on_commit_callbacks):
    _answer_all(audit, cast["auditor"])
    login(client, cast["auditor"])
    html = client.get(reverse("audits:audit_sign_off", args=[audit.pk])).content.decode()
    assert "1. sürümü onayla" in html and reverse("audits:report_preview", args=[audit.pk]) in html
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audits:audit_sign_off", args=[audit.pk]),
                               {"summary": "Süreç genel olarak uygun.", "sign_off": "1"})
    assert response.status_code == 302
    audit.refresh_from_db()
    report = AuditReport.objects.get(audit=audit)
    assert report.version == 1 and audit.state == AuditState.REPORTED
    assert audit.summary == "Süreç genel olarak uygun." and report.snapshot["summary"] == audit.summary
    mails = [m for m in mailoutbox if audit.code in m.subject]
    assert [m.to for m in mails] == [[cast["manager"].email]]
    name, content, mimetype = mails[0].attachments[0]
    assert name == f"{audit.code}-v1.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")
    file_html = client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    assert reverse("audits:report_pdf", args=[report.pk]) in file_html


def test_sign_off_is_refused_while_questions_are_unanswered_and_nothing_is_kept(client, cast, audit):
    login(client, cast["auditor"])
    response = client.post(reverse("audits:audit_sign_off", args=[audit.pk]),
                           {"summary": "Erken özet", "sign_off": "1"})
    assert response.status_code == 200
    assert "2 kontrol listesi sorusu yanıtlanmadı." in response.content.decode()
    audit.refresh_from_db()
    assert audit.summary == "" and audit.state == AuditState.IN_PROGRESS and not audit.reports.exists()


def test_the_summary_can_be_saved_before_signing_off(client, cast, audit):
    login(client, cast["auditor"])
    client.post(reverse("audits:audit_sign_off", args=[audit.pk]), {"summary": "Taslak özet", "save": "1"})
    audit.refresh_from_db()
    assert audit.summary == "Taslak özet" and not audit.reports.exists()


def test_only_the_lead_auditor_signs_off(client, cast, planned_audit, make_user):
    member = make_user(Role.INTERNAL_AUDITOR, unit="FEN")
    audit = services.audit_start(audit=planned_audit(team=[member]), user=cast["auditor"])
    login(client, member)
    assert client.get(reverse("audits:audit", args=[audit.pk])).status_code == 200
    assert client.get(reverse("audits:audit_sign_off", args=[audit.pk])).status_code == 403
    assert client.post(reverse("audits:audit_sign_off", args=[audit.pk]),
                       {"summary": "Ekip üyesi", "sign_off": "1"}).status_code == 403
    audit.refresh_from_db()
    assert audit.summary == ""


def test_a_change_after_sign_off_is_signed_off_as_version_2_with_a_note(client, cast, audit, org):
    _answer_all(audit, cast["auditor"])
    login(client, cast["auditor"])
    client.post(reverse("audits:audit_sign_off", args=[audit.pk]), {"summary": "İlk özet", "sign_off": "1"})
    services.finding_record(audit=audit, user=cast["auditor"], kind=FindingKind.IMPROVEMENT, unit=org["ÇMŞ"],
                            statement="Sonradan eklenen iyileştirme")
    html = client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    assert "2. sürümü onayla" in html
    refused = client.post(reverse("audits:audit_sign_off", args=[audit.pk]), {"summary": "İlk özet",
                                                                               "sign_off": "1"})
    assert "Sürüm 1'den bu yana neyin değiştiğini yazın." in unescape(refused.content.decode())
    client.post(reverse("audits:audit_sign_off", args=[audit.pk]),
                {"summary": "İlk özet", "change_note": "İyileştirme fırsatı eklendi", "sign_off": "1"})
    assert list(audit.reports.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_close_is_refused_while_a_dof_is_open(client, cast, audit, nc_finding):
    _answer_all(audit, cast["auditor"])
    Audit.objects.filter(pk=audit.pk).update(summary="Özet")
    services.audit_sign_off(audit=Audit.objects.get(pk=audit.pk), user=cast["auditor"])
    login(client, cast["mr"])
    assert "Tetkiki kapat" in client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    response = client.post(reverse("audits:audit_close", args=[audit.pk]), follow=True)
    assert f"Şu DÖF'ler hâlâ açık: {nc_finding.nonconformity.code}." in unescape(response.content.decode())
    audit.refresh_from_db()
    assert audit.state == AuditState.REPORTED


def test_the_representative_closes_a_reported_audit_without_open_dofs(client, cast, audit):
    _answer_all(audit, cast["auditor"])
    Audit.objects.filter(pk=audit.pk).update(summary="Özet")
    services.audit_sign_off(audit=Audit.objects.get(pk=audit.pk), user=cast["auditor"])
    assert login(client, cast["auditor"]).post(reverse("audits:audit_close", args=[audit.pk])).status_code == 403
    login(client, cast["mr"]).post(reverse("audits:audit_close", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.state == AuditState.CLOSED
    html = client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    assert "Tetkiki kapat" not in html and "Kontrol listesini görüntüle" in html


def test_the_representative_cancels_a_planned_audit_with_a_reason(client, cast, planned_audit):
    planned = planned_audit()
    url = reverse("audits:audit_cancel", args=[planned.pk])
    assert login(client, cast["auditor"]).get(url).status_code == 403
    login(client, cast["mr"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    planned.refresh_from_db()
    assert planned.state == AuditState.PLANNED
    client.post(url, {"reason": "Birim yeniden yapılandırılıyor"})
    planned.refresh_from_db()
    assert planned.state == AuditState.CANCELLED and planned.cancel_reason == "Birim yeniden yapılandırılıyor"
    assert "Birim yeniden yapılandırılıyor" in client.get(reverse("audits:audit", args=[planned.pk])).content.decode()


def test_a_started_audit_cannot_be_cancelled(client, cast, audit):
    response = login(client, cast["mr"]).post(reverse("audits:audit_cancel", args=[audit.pk]), {"reason": "Geç"})
    assert "Yalnızca planlanmış bir tetkik iptal edilebilir." in response.content.decode()
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS


def test_the_checklist_screen_runs_a_fixed_number_of_queries(client, cast, audit, answers, clause):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_questions(count):
        template = ChecklistTemplate.objects.create(title=f"Liste {count}")
        for n in range(count):
            ChecklistQuestion.objects.create(template=template, text=f"Soru {n}?", clause=clause if n % 2 else None)
        services.audit_add_checklist(audit=audit, template=template, user=cast["auditor"])

    def answer(rows):
        for row in rows:
            services.answer_record(answer=row, user=cast["auditor"], result="nonconforming", evidence="Eksik",
                                   clause=clause, finding_kind=FindingKind.MINOR)
            services.evidence_attach(owner=row, user=cast["auditor"],
                                     upload=SimpleUploadedFile("foto.png", PNG, content_type="image/png"))

    add_questions(2)
    answer([answers[0]])
    login(client, cast["auditor"])
    client.get(checklist_url(audit))
    with CaptureQueriesContext(connection) as few:
        client.get(checklist_url(audit))
    add_questions(12)
    answer(audit.answers.order_by("order")[4:10])
    with CaptureQueriesContext(connection) as many:
        response = client.get(checklist_url(audit))
    assert "7 / 16 yanıtlandı" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
