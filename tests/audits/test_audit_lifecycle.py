"""An audit's life: planned → in progress → reported → closed (or planned → cancelled), with the
refusals; its checklist copied at the start; answers that open findings and DÖFs in one
transaction; and the report's frozen versions."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from audits import grants, services
from audits.models import (
    AnswerResult,
    Audit,
    AuditReport,
    AuditState,
    ChecklistAnswer,
    ChecklistQuestion,
    Finding,
    FindingKind,
    NCState,
    Nonconformity,
    NonconformitySequence,
    Severity,
    Source,
)
from qms.audit import TRANSITION
from qms.models import Clause
from qms.roles import Role

pytestmark = pytest.mark.django_db

CLOSED_LABEL = "Kapandı"


def answer_all(audit, user, result=AnswerResult.CONFORMING) -> None:
    for answer in audit.answers.filter(result="").order_by("order"):
        services.answer_record(answer=answer, user=user, result=result)


def audit_transitions(audit) -> list[tuple[str, str]]:
    entries = ModelLogEntry.objects.for_instance(audit).filter(action=TRANSITION).order_by("timestamp", "pk")
    return [(e.data["from"], e.data["to"]) for e in entries]


@pytest.fixture
def reported_audit(audit_in_progress, cast):
    """The audit in progress, answered (conforming), summarised and signed off as version 1."""
    answer_all(audit_in_progress, cast["auditor"])
    services.audit_update_summary(audit=audit_in_progress, user=cast["auditor"], summary="Süreç etkin işliyor.")
    services.audit_sign_off(audit=audit_in_progress, user=cast["auditor"])
    audit_in_progress.refresh_from_db()
    return audit_in_progress


@pytest.fixture
def outsider_auditor(make_user):
    """An internal auditor (in FEN) who is not on the audit."""
    return make_user(Role.INTERNAL_AUDITOR, unit="FEN", first_name="Deniz", last_name="Koç")


# --- the life -------------------------------------------------------------------------------------


def test_an_audit_is_planned_started_reported_and_closed(planned_audit, cast, today):
    audit = planned_audit()
    assert audit.state == AuditState.PLANNED and audit.code == f"İT-{today.year}-01"
    services.audit_start(audit=audit, user=cast["auditor"])
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS and audit.actual_start == today
    answer_all(audit, cast["auditor"])
    services.audit_update_summary(audit=audit, user=cast["auditor"], summary="Etkin.")
    report = services.audit_sign_off(audit=audit, user=cast["auditor"])
    audit.refresh_from_db()
    assert audit.state == AuditState.REPORTED and audit.actual_end == today
    assert report.version == 1 and report.signed_off_by == cast["auditor"]
    services.audit_close(audit=audit, user=cast["mr"])
    audit.refresh_from_db()
    assert audit.state == AuditState.CLOSED
    assert audit_transitions(audit) == [
        (AuditState.PLANNED, AuditState.IN_PROGRESS),
        (AuditState.IN_PROGRESS, AuditState.REPORTED),
        (AuditState.REPORTED, AuditState.CLOSED),
    ]


def test_a_team_member_may_start_the_audit(planned_audit, cast, org):
    audit = planned_audit(team=[cast["auditor2"]], units=[org["FEN"]])
    services.audit_start(audit=audit, user=cast["auditor2"])
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS


def test_a_planned_audit_is_cancelled_with_its_reason(planned_audit, cast):
    audit = planned_audit()
    services.audit_cancel(audit=audit, user=cast["mr"], reason="Birim taşınıyor")
    audit.refresh_from_db()
    assert audit.state == AuditState.CANCELLED and audit.cancel_reason == "Birim taşınıyor"
    entry = ModelLogEntry.objects.for_instance(audit).filter(action=TRANSITION).get()
    assert entry.data["to"] == AuditState.CANCELLED and entry.data["note"] == "Birim taşınıyor"


def test_numbers_run_on_within_a_programme(planned_audit, today):
    first, second = planned_audit(), planned_audit(title="İkinci")
    assert (first.code, second.code) == (f"İT-{today.year}-01", f"İT-{today.year}-02")


# --- refusals of the life ----------------------------------------------------------------------------


def test_an_audit_starts_once(audit_in_progress, cast):
    count = audit_in_progress.answers.count()
    with pytest.raises(ValidationError) as excinfo:
        services.audit_start(audit=audit_in_progress, user=cast["auditor"])
    assert excinfo.value.messages == ["Yalnızca planlanmış bir tetkik başlatılabilir; bu tetkik şu durumda: Sürüyor."]
    assert audit_in_progress.answers.count() == count


@pytest.mark.parametrize("who", ["outsider", "mr", "top", "manager"])
def test_only_the_audits_own_auditors_start_it(planned_audit, cast, outsider_auditor, who):
    audit = planned_audit()
    user = outsider_auditor if who == "outsider" else cast[who]
    with pytest.raises(PermissionDenied) as excinfo:
        services.audit_start(audit=audit, user=user)
    assert str(excinfo.value) == "Tetkiki yalnızca kendi tetkikçileri başlatır."
    audit.refresh_from_db()
    assert audit.state == AuditState.PLANNED and not audit.answers.exists()


def test_only_the_lead_auditor_signs_off(audit_in_progress, cast, outsider_auditor):
    member = outsider_auditor
    audit_in_progress.team.add(member)
    answer_all(audit_in_progress, member)
    services.audit_update_summary(audit=audit_in_progress, user=cast["auditor"], summary="Etkin.")
    for user in (member, cast["mr"]):
        with pytest.raises(PermissionDenied) as excinfo:
            services.audit_sign_off(audit=audit_in_progress, user=user)
        assert str(excinfo.value) == "Tetkik raporunu yalnızca baş tetkikçi onaylar."
    audit_in_progress.refresh_from_db()
    assert audit_in_progress.state == AuditState.IN_PROGRESS and not audit_in_progress.reports.exists()


def test_sign_off_needs_every_question_answered_and_a_summary(audit_in_progress, cast):
    with pytest.raises(ValidationError) as excinfo:
        services.audit_sign_off(audit=audit_in_progress, user=cast["auditor"])
    assert excinfo.value.messages == ["2 kontrol listesi sorusu yanıtlanmadı.", "Raporun özetini ve sonucunu yazın."]
    answer_all(audit_in_progress, cast["auditor"])
    with pytest.raises(ValidationError) as excinfo:
        services.audit_sign_off(audit=audit_in_progress, user=cast["auditor"])
    assert excinfo.value.messages == ["Raporun özetini ve sonucunu yazın."]
    audit_in_progress.refresh_from_db()
    assert audit_in_progress.state == AuditState.IN_PROGRESS and not audit_in_progress.reports.exists()


def test_a_planned_audit_has_no_report_to_sign_off(planned_audit, cast):
    audit = planned_audit()
    with pytest.raises(ValidationError) as excinfo:
        services.audit_sign_off(audit=audit, user=cast["auditor"])
    assert excinfo.value.messages == ["Yalnızca süren ya da raporlanmış bir tetkikin onaylanacak raporu vardır."]
    with pytest.raises(ValidationError):
        services.audit_update_summary(audit=audit, user=cast["auditor"], summary="Erken")


def test_only_the_lead_auditor_writes_the_summary(audit_in_progress, cast):
    for who in ("mr", "auditor2", "manager"):
        with pytest.raises(PermissionDenied):
            services.audit_update_summary(audit=audit_in_progress, user=cast[who], summary="x")
    audit_in_progress.refresh_from_db()
    assert audit_in_progress.summary == ""


def test_an_audit_is_not_closed_while_a_dof_it_opened_is_open(nc_finding, cast):
    audit = nc_finding.audit
    answer_all(audit, cast["auditor"])
    services.audit_update_summary(audit=audit, user=cast["auditor"], summary="Bir uygunsuzluk var.")
    services.audit_sign_off(audit=audit, user=cast["auditor"])
    code = nc_finding.nonconformity.code
    with pytest.raises(ValidationError) as excinfo:
        services.audit_close(audit=audit, user=cast["mr"])
    assert excinfo.value.messages == [f"Şu DÖF'ler hâlâ açık: {code}."]
    audit.refresh_from_db()
    assert audit.state == AuditState.REPORTED
    services.nonconformity_triage(nonconformity=nc_finding.nonconformity, user=cast["mr"], accept=False,
                                  reason="Uygunsuzluk değil, gözlem")
    services.audit_close(audit=audit, user=cast["mr"])
    audit.refresh_from_db()
    assert audit.state == AuditState.CLOSED


@pytest.mark.parametrize("who", ["auditor", "auditor2", "top", "manager"])
def test_only_the_management_representative_closes_an_audit(reported_audit, cast, who):
    with pytest.raises(PermissionDenied) as excinfo:
        services.audit_close(audit=reported_audit, user=cast[who])
    assert str(excinfo.value) == "Tetkikleri yalnızca yönetim temsilcisi kapatır."
    reported_audit.refresh_from_db()
    assert reported_audit.state == AuditState.REPORTED


def test_only_a_reported_audit_is_closed(audit_in_progress, planned_audit, cast):
    for audit in (audit_in_progress, planned_audit(title="Plan")):
        with pytest.raises(ValidationError) as excinfo:
            services.audit_close(audit=audit, user=cast["mr"])
        assert excinfo.value.messages == ["Yalnızca raporlanmış bir tetkik kapatılabilir."]


def test_an_audit_changed_after_sign_off_is_closed_only_after_the_new_version(reported_audit, cast, org):
    services.finding_record(audit=reported_audit, user=cast["auditor"], kind=FindingKind.IMPROVEMENT,
                            unit=org["ÇMŞ"], statement="Bekleme müziği yenilenebilir.")
    assert services.report_is_outdated(reported_audit)
    with pytest.raises(ValidationError) as excinfo:
        services.audit_close(audit=reported_audit, user=cast["mr"])
    assert excinfo.value.messages == ["Tetkik, raporu onaylandıktan sonra değişti; önce yeni sürümü onaylayın."]
    services.audit_sign_off(audit=reported_audit, user=cast["auditor"], change_note="İyileştirme fırsatı eklendi")
    services.audit_close(audit=reported_audit, user=cast["mr"])


def test_an_audit_in_progress_is_not_cancelled(audit_in_progress, cast):
    with pytest.raises(ValidationError) as excinfo:
        services.audit_cancel(audit=audit_in_progress, user=cast["mr"], reason="Vazgeçildi")
    assert excinfo.value.messages == ["Yalnızca planlanmış bir tetkik iptal edilebilir."]
    audit_in_progress.refresh_from_db()
    assert audit_in_progress.state == AuditState.IN_PROGRESS and audit_in_progress.cancel_reason == ""


@pytest.mark.parametrize("reason", ["", "  "])
def test_cancelling_needs_a_reason(planned_audit, cast, reason):
    audit = planned_audit()
    with pytest.raises(ValidationError) as excinfo:
        services.audit_cancel(audit=audit, user=cast["mr"], reason=reason)
    assert excinfo.value.message_dict == {"reason": ["Tetkikin iptal gerekçesini yazın."]}
    audit.refresh_from_db()
    assert audit.state == AuditState.PLANNED


@pytest.mark.parametrize("who", ["auditor", "top"])
def test_only_the_management_representative_cancels(planned_audit, cast, who):
    audit = planned_audit()
    with pytest.raises(PermissionDenied) as excinfo:
        services.audit_cancel(audit=audit, user=cast[who], reason="x")
    assert str(excinfo.value) == "Tetkikleri yalnızca yönetim temsilcisi iptal eder."


def test_a_stale_copy_cannot_revert_the_state(planned_audit, cast):
    audit = planned_audit()
    stale = Audit.objects.get(pk=audit.pk)
    services.audit_start(audit=audit, user=cast["auditor"])
    stale.title = "Eski kopya"
    with pytest.raises(ValidationError) as excinfo:
        stale.save()
    assert excinfo.value.messages == ["Bir tetkik “Sürüyor” durumundan “Planlandı” durumuna geçemez."]
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS and audit.title == "Çağrı Merkezi tetkiki"


@pytest.mark.parametrize(("frm", "to", "expected"), [
    (AuditState.PLANNED, AuditState.CLOSED, "Bir tetkik “Planlandı” durumundan “Kapandı” durumuna geçemez."),
    (AuditState.PLANNED, AuditState.REPORTED, "Bir tetkik “Planlandı” durumundan “Raporlandı” durumuna geçemez."),
    (AuditState.IN_PROGRESS, AuditState.CANCELLED,
     "Bir tetkik “Sürüyor” durumundan “İptal edildi” durumuna geçemez."),
    (AuditState.IN_PROGRESS, AuditState.CLOSED, "Bir tetkik “Sürüyor” durumundan “Kapandı” durumuna geçemez."),
])
def test_a_state_outside_the_life_is_refused_when_set_directly(planned_audit, cast, frm, to, expected):
    audit = planned_audit()
    if frm == AuditState.IN_PROGRESS:
        services.audit_start(audit=audit, user=cast["auditor"])
        audit.refresh_from_db()
    audit.state = to
    with pytest.raises(ValidationError) as excinfo:
        audit.save()
    assert excinfo.value.messages == [expected]
    assert Audit.objects.get(pk=audit.pk).state == frm


def test_a_new_audit_starts_planned_and_is_never_deleted(planned_audit, programme, cast, today):
    audit = Audit(programme=programme, title="x", lead_auditor=cast["auditor"], planned_start=today,
                  planned_end=today, state=AuditState.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        audit.save()
    assert excinfo.value.messages == ["Yeni bir tetkik planlandı durumunda başlar."]
    planned = planned_audit()
    with pytest.raises(ValidationError) as excinfo:
        planned.delete()
    assert excinfo.value.messages == ["Tetkikler hiçbir zaman silinmez; bunun yerine planlanmış tetkiki iptal edin."]
    assert Audit.objects.filter(pk=planned.pk).exists()


# --- the checklist ------------------------------------------------------------------------------


def test_the_checklist_questions_are_copied_when_the_audit_starts(planned_audit, cast, checklist, clause):
    audit = planned_audit()
    assert not audit.answers.exists()
    services.audit_start(audit=audit, user=cast["auditor"])
    answers = list(audit.answers.order_by("order"))
    assert [a.question for a in answers] == ["Çağrılar kayıt altına alınıyor mu?", "Bekleme süreleri izleniyor mu?"]
    assert [a.order for a in answers] == [1, 2]
    assert all(a.clause == clause and a.unit.code == "ÇMŞ" and a.result == "" for a in answers)
    # A later change to the template never rewrites the audit's record.
    first = checklist.questions.order_by("sort_order", "pk").first()
    first.text = "Değiştirilmiş soru"
    first.save()
    ChecklistQuestion.objects.create(template=checklist, text="Yeni soru", clause=clause)
    assert list(audit.answers.order_by("order").values_list("question", flat=True)) == [
        "Çağrılar kayıt altına alınıyor mu?", "Bekleme süreleri izleniyor mu?"
    ]


def test_another_checklist_is_added_while_in_progress(audit_in_progress, planned_audit, cast, clause):
    from audits.models import ChecklistTemplate

    extra = ChecklistTemplate.objects.create(title="Şikâyet yönetimi")
    ChecklistQuestion.objects.create(template=extra, text="Şikâyetler sınıflandırılıyor mu?", clause=clause)
    assert services.audit_add_checklist(audit=audit_in_progress, template=extra, user=cast["auditor"]) == 1
    assert list(audit_in_progress.answers.order_by("order").values_list("order", flat=True)) == [1, 2, 3]
    with pytest.raises(PermissionDenied):
        services.audit_add_checklist(audit=audit_in_progress, template=extra, user=cast["mr"])
    with pytest.raises(ValidationError) as excinfo:
        services.audit_add_checklist(audit=planned_audit(title="Plan"), template=extra, user=cast["auditor"])
    assert excinfo.value.messages == ["Sorular tetkik sürerken eklenir."]


def test_a_checklist_used_by_an_audit_is_not_deleted(planned_audit, checklist):
    planned_audit()
    with pytest.raises(ValidationError) as excinfo:
        checklist.delete()
    assert excinfo.value.messages == [
        "Bir tetkikte kullanılan kontrol listesi saklanır; silmek yerine etkinliğini kaldırın."
    ]


# --- answers, findings and their DÖFs -----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "severity"), [(FindingKind.MINOR, Severity.MINOR),
                                                (FindingKind.MAJOR, Severity.MAJOR)])
def test_a_nonconforming_answer_opens_a_finding_and_a_dof(audit_in_progress, cast, clause, today, kind, severity):
    answer = audit_in_progress.answers.order_by("order").first()
    finding = services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                                     evidence="12 kayıtta geri dönüş yok.", finding_kind=kind)
    assert finding.kind == kind and finding.unit.code == "ÇMŞ" and finding.clause == clause
    assert finding.answer == answer and finding.code == f"İT-{today.year}-01/B01"
    nc = Nonconformity.objects.get(finding=finding)
    assert re.fullmatch(rf"DÖF-{today.year}-\d{{3}}", nc.code)
    assert nc.code == f"DÖF-{today.year}-001"
    assert nc.source == Source.INTERNAL_AUDIT
    assert nc.triaged_at is not None and nc.triaged_by == cast["auditor"]
    assert nc.unit == answer.unit and nc.severity == severity and nc.clause == clause
    assert nc.state == NCState.OPEN and nc.raised_by == cast["auditor"]
    assert nc.origin == finding and nc.origin_label.startswith(finding.code)
    assert nc.title == f"İT-{today.year}-01 bulgu 1: ISO 18295-1 4.2"


def test_the_dof_is_for_the_unit_the_answer_names(planned_audit, cast, org):
    audit = planned_audit(units=[org["ÇMŞ"], org["FEN"]])
    services.audit_start(audit=audit, user=cast["auditor"])
    answer = audit.answers.order_by("order").first()
    assert answer.unit is None  # two units: the auditor says which one
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                               evidence="Kayıt yok")
    assert excinfo.value.message_dict == {"unit": ["1. soru: bulgunun ilgili olduğu tetkik edilen birimi seçin."]}
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                               evidence="Kayıt yok", unit=org["KSB"])
    assert excinfo.value.message_dict == {"unit": ["Birim, tetkik edilen birimlerden biri olmalıdır."]}
    finding = services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                                     evidence="Kayıt yok", unit=org["FEN"])
    assert finding.unit == org["FEN"] and finding.nonconformity.unit == org["FEN"]


def test_the_finding_and_its_dof_are_saved_together_or_not_at_all(audit_in_progress, cast, monkeypatch):
    answer = audit_in_progress.answers.order_by("order").first()

    def broken(nc):
        raise RuntimeError("grant table unavailable")

    monkeypatch.setattr(grants, "sync_grants", broken)
    with pytest.raises(RuntimeError):
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                               evidence="12 kayıtta geri dönüş yok.")
    answer.refresh_from_db()
    assert answer.result == "" and answer.evidence == ""
    assert not Finding.objects.exists() and not Nonconformity.objects.exists()
    assert not NonconformitySequence.objects.filter(last__gt=0).exists()


def test_an_observation_answer_makes_an_observation_finding_and_no_dof(audit_in_progress, cast):
    answer = audit_in_progress.answers.order_by("order").first()
    finding = services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.OBSERVATION,
                                     evidence="Bekleme süreleri elle izleniyor.")
    assert finding.kind == FindingKind.OBSERVATION
    assert not Nonconformity.objects.exists()
    second = audit_in_progress.answers.order_by("order").last()
    assert services.answer_record(answer=second, user=cast["auditor"], result=AnswerResult.CONFORMING) is None
    assert audit_in_progress.findings.count() == 1


def test_a_finding_answer_needs_evidence_and_a_nonconformity_a_clause(audit_in_progress, cast, checklist):
    answer = audit_in_progress.answers.order_by("order").first()
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING, evidence=" ")
    assert excinfo.value.message_dict == {"evidence": ["1. soru: bulgunun kanıtını yazın."]}
    ChecklistAnswer.objects.filter(pk=answer.pk).update(clause=None)
    answer.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                               evidence="Kayıt yok")
    assert excinfo.value.message_dict == {"clause": ["1. soru: uygunsuzluk bir madde belirtmelidir."]}
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                               evidence="Kayıt yok", finding_kind=FindingKind.OBSERVATION)
    assert excinfo.value.messages == ["Uygun olmayan bir yanıt büyük ya da küçük uygunsuzluktur."]
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result="belki")
    assert excinfo.value.message_dict == {"result": ["Uygun, uygun değil, gözlem ya da uygulanamaz seçin."]}
    assert not Finding.objects.exists()


def test_answers_are_recorded_only_in_progress_and_by_the_audits_auditors(reported_audit, audit_in_progress, cast,
                                                                           outsider_auditor):
    answer = reported_audit.answers.order_by("order").first()
    with pytest.raises(ValidationError) as excinfo:
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.CONFORMING)
    assert excinfo.value.messages == ["Kontrol listesi yanıtları tetkik sürerken kaydedilir."]
    for user in (outsider_auditor, cast["mr"]):
        with pytest.raises(PermissionDenied) as excinfo:
            services.answer_record(answer=answer, user=user, result=AnswerResult.CONFORMING)
        assert str(excinfo.value) == "Tetkikin kontrol listesini yalnızca kendi tetkikçileri yanıtlar."


def test_the_answer_that_produced_a_finding_cannot_change(nc_finding, cast):
    answer = nc_finding.answer
    for result in (AnswerResult.CONFORMING, AnswerResult.OBSERVATION, AnswerResult.NOT_APPLICABLE, ""):
        with pytest.raises(ValidationError) as excinfo:
            services.answer_record(answer=answer, user=cast["auditor"], result=result, evidence="Yeniden baktım")
        assert excinfo.value.messages == [
            f"1. soru zaten {nc_finding.code} bulgusunu oluşturdu; yanıt yerine bulguyu değiştirin."
        ]
    answer.refresh_from_db()
    assert answer.result == AnswerResult.NONCONFORMING


def test_the_same_answer_again_may_raise_the_severity(nc_finding, cast):
    services.answer_record(answer=nc_finding.answer, user=cast["auditor"], result=AnswerResult.NONCONFORMING,
                           evidence="Son ayın 12 kaydında geri dönüş yok.", finding_kind=FindingKind.MAJOR)
    nc_finding.refresh_from_db()
    assert nc_finding.kind == FindingKind.MAJOR
    assert Nonconformity.objects.get(finding=nc_finding).severity == Severity.MAJOR
    assert Nonconformity.objects.count() == 1


def test_a_nonconformity_finding_stays_one_while_its_dof_is_not_rejected(nc_finding, cast):
    code = nc_finding.nonconformity.code
    for kind in (FindingKind.OBSERVATION, FindingKind.IMPROVEMENT):
        with pytest.raises(ValidationError) as excinfo:
            services.finding_update(finding=Finding.objects.get(pk=nc_finding.pk), user=cast["auditor"], kind=kind)
        assert excinfo.value.message_dict == {"kind": [
            f"Bu bulgu {code} kaydını açtı; yönetim temsilcisi o DÖF'ü reddetmedikçe uygunsuzluk olarak kalır."
        ]}
    assert Finding.objects.get(pk=nc_finding.pk).kind == FindingKind.MINOR
    services.nonconformity_triage(nonconformity=nc_finding.nonconformity, user=cast["mr"], accept=False,
                                  reason="Gözlem düzeyinde")
    services.finding_update(finding=Finding.objects.get(pk=nc_finding.pk), user=cast["auditor"],
                            kind=FindingKind.OBSERVATION)
    assert Finding.objects.get(pk=nc_finding.pk).kind == FindingKind.OBSERVATION
    assert Nonconformity.objects.get(finding=nc_finding).state == NCState.REJECTED


def test_the_unit_of_a_finding_with_a_dof_cannot_change(planned_audit, cast, org):
    audit = planned_audit(units=[org["ÇMŞ"], org["FEN"]])
    services.audit_start(audit=audit, user=cast["auditor"])
    finding = services.answer_record(answer=audit.answers.order_by("order").first(), user=cast["auditor"],
                                     result=AnswerResult.NONCONFORMING, evidence="Kayıt yok", unit=org["ÇMŞ"])
    with pytest.raises(ValidationError) as excinfo:
        services.finding_update(finding=Finding.objects.get(pk=finding.pk), user=cast["auditor"], unit=org["FEN"])
    assert excinfo.value.message_dict == {
        "unit": [f"Bu bulgu birimi için {finding.nonconformity.code} kaydını açtı; birim artık değiştirilemez."]
    }


def test_a_finding_is_about_an_audited_unit_and_a_nonconformity_names_its_clause(audit_in_progress, cast, org):
    with pytest.raises(ValidationError) as excinfo:
        services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.OBSERVATION,
                                unit=org["FEN"], statement="Başka birim")
    assert excinfo.value.message_dict == {"unit": ["Birim, tetkik edilen birimlerden biri olmalıdır."]}
    with pytest.raises(ValidationError) as excinfo:
        services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.MAJOR,
                                unit=org["ÇMŞ"], statement="Maddesiz uygunsuzluk")
    assert excinfo.value.message_dict == {"clause": ["Uygunsuzluk, karşılanmayan maddeyi belirtmelidir."]}
    with pytest.raises(ValidationError) as excinfo:
        services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.OBSERVATION,
                                unit=org["ÇMŞ"], statement="  ")
    assert excinfo.value.message_dict == {"statement": ["Bulguyu açıklayın."]}
    assert not Finding.objects.exists() and not Nonconformity.objects.exists()


def test_a_finding_without_an_answer_opens_its_dof_too(audit_in_progress, cast, org, clause):
    finding = services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.MAJOR,
                                      unit=org["ÇMŞ"], clause=clause, statement="Kayıtlar saklanmıyor")
    nc = Nonconformity.objects.get(finding=finding)
    assert nc.severity == Severity.MAJOR and nc.source == Source.INTERNAL_AUDIT


def test_upgrading_an_observation_to_a_nonconformity_opens_its_dof(audit_in_progress, cast, org, clause):
    finding = services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.OBSERVATION,
                                      unit=org["ÇMŞ"], statement="Bekleme süreleri elle izleniyor")
    assert not Nonconformity.objects.exists()
    services.finding_update(finding=finding, user=cast["auditor"], kind=FindingKind.MINOR, clause=clause)
    assert Nonconformity.objects.get(finding=finding).severity == Severity.MINOR


@pytest.mark.parametrize("state", ["planned", "closed", "cancelled"])
def test_findings_are_refused_outside_progress_and_report(planned_audit, reported_audit, cast, org, state):
    """Also when the caller's copy of the audit predates its closing or cancelling."""
    labels = {"planned": "Planlandı", "closed": CLOSED_LABEL, "cancelled": "İptal edildi"}
    if state == "closed":
        services.audit_close(audit=reported_audit, user=cast["mr"])
        audit = reported_audit
    else:
        audit = planned_audit(title="Başka tetkik")
        if state == "cancelled":
            services.audit_cancel(audit=audit, user=cast["mr"], reason="Ertelendi")
    count = Finding.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.finding_record(audit=audit, user=cast["auditor"], kind=FindingKind.OBSERVATION, unit=org["ÇMŞ"],
                                statement="Geç kalan bulgu")
    assert excinfo.value.messages == [
        f"Bulgular tetkik sürerken ya da raporlandıktan sonra kaydedilir; bu tetkik şu durumda: {labels[state]}."
    ]
    assert Finding.objects.count() == count


def test_only_the_audits_auditors_record_findings(audit_in_progress, cast, org, outsider_auditor):
    for user in (outsider_auditor, cast["mr"]):
        with pytest.raises(PermissionDenied) as excinfo:
            services.finding_record(audit=audit_in_progress, user=user, kind=FindingKind.OBSERVATION,
                                    unit=org["ÇMŞ"], statement="x")
        assert str(excinfo.value) == "Tetkikin bulgularını yalnızca kendi tetkikçileri kaydeder."


def test_findings_and_answers_are_never_deleted(nc_finding):
    with pytest.raises(ValidationError) as excinfo:
        nc_finding.delete()
    assert excinfo.value.messages == ["Bulgular tetkik kaydının parçasıdır ve saklanır."]
    with pytest.raises(ValidationError) as excinfo:
        nc_finding.answer.delete()
    assert excinfo.value.messages == ["Kontrol listesi yanıtları tetkik kaydının parçasıdır ve saklanır."]
    assert Finding.objects.filter(pk=nc_finding.pk).exists()


def test_findings_are_numbered_within_their_audit(audit_in_progress, cast, org):
    codes = [
        services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.IMPROVEMENT,
                                unit=org["ÇMŞ"], statement=f"Fırsat {n}").code
        for n in range(3)
    ]
    year = audit_in_progress.programme.year
    assert codes == [f"İT-{year}-01/B01", f"İT-{year}-01/B02", f"İT-{year}-01/B03"]


# --- the report's versions ---------------------------------------------------------------------------


def test_version_1_is_frozen(reported_audit):
    report = reported_audit.reports.get()
    assert report.version == 1 and report.snapshot["summary"] == "Süreç etkin işliyor."
    report.change_note = "Sonradan düzeltme"
    with pytest.raises(ValidationError) as excinfo:
        report.save()
    assert excinfo.value.messages == ["Onaylanmış rapor dondurulmuştur; bunun yerine yeni bir sürüm onaylayın."]
    with pytest.raises(ValidationError):
        report.delete()
    assert AuditReport.objects.get(pk=report.pk).change_note == ""


def test_signing_off_again_with_nothing_changed_is_refused(reported_audit, cast):
    with pytest.raises(ValidationError) as excinfo:
        services.audit_sign_off(audit=reported_audit, user=cast["auditor"], change_note="Tekrar")
    assert excinfo.value.messages == ["Sürüm 1 onaylandığından beri hiçbir şey değişmedi."]
    assert reported_audit.reports.count() == 1


def test_a_change_after_sign_off_is_signed_off_as_version_2_with_a_note(reported_audit, cast, org):
    v1 = reported_audit.reports.get()
    services.finding_record(audit=reported_audit, user=cast["auditor"], kind=FindingKind.IMPROVEMENT,
                            unit=org["ÇMŞ"], statement="Bekleme müziği yenilenebilir.")
    with pytest.raises(ValidationError) as excinfo:
        services.audit_sign_off(audit=reported_audit, user=cast["auditor"])
    assert excinfo.value.message_dict == {"change_note": ["Sürüm 1'den bu yana neyin değiştiğini yazın."]}
    v2 = services.audit_sign_off(audit=reported_audit, user=cast["auditor"], change_note="Bir fırsat eklendi")
    assert v2.version == 2 and v2.change_note == "Bir fırsat eklendi"
    assert [f["statement"] for f in v2.snapshot["findings"]] == ["Bekleme müziği yenilenebilir."]
    assert v2.snapshot["actual_end"] == v1.snapshot["actual_end"]
    v1.refresh_from_db()
    assert v1.snapshot["findings"] == []
    assert list(reported_audit.reports.values_list("version", flat=True)) == [2, 1]


def test_the_snapshot_of_version_1_does_not_follow_later_changes(nc_finding, cast):
    audit = nc_finding.audit
    answer_all(audit, cast["auditor"])
    services.audit_update_summary(audit=audit, user=cast["auditor"], summary="İlk özet")
    v1 = services.audit_sign_off(audit=audit, user=cast["auditor"])
    frozen = AuditReport.objects.get(pk=v1.pk).snapshot
    assert frozen["findings"][0]["statement"] == nc_finding.statement
    assert frozen["findings"][0]["nonconformity"] == nc_finding.nonconformity.code
    services.finding_update(finding=Finding.objects.get(pk=nc_finding.pk), user=cast["auditor"],
                            statement="Yeniden yazılmış bulgu")
    services.audit_update_summary(audit=audit, user=cast["auditor"], summary="Yeni özet")
    audit.refresh_from_db()
    audit.title = "Yeni başlık"
    audit.save()
    assert AuditReport.objects.get(pk=v1.pk).snapshot == frozen
    v2 = services.audit_sign_off(audit=audit, user=cast["auditor"], change_note="Bulgu ve özet düzeltildi")
    assert v2.snapshot["findings"][0]["statement"] == "Yeniden yazılmış bulgu"
    assert v2.snapshot["summary"] == "Yeni özet" and v2.snapshot["title"] == "Yeni başlık"


def test_the_snapshot_holds_what_the_report_prints(reported_audit, cast, today):
    snapshot = reported_audit.reports.get().snapshot
    assert snapshot["code"] == reported_audit.code and snapshot["units"] == ["Çağrı Merkezi Şefliği"]
    assert snapshot["lead_auditor"] == "Zeynep Demir" and snapshot["questions"] == 2
    assert snapshot["answer_counts"][AnswerResult.CONFORMING] == 2
    assert snapshot["actual_start"] == today.isoformat() and snapshot["actual_end"] == today.isoformat()
    entry = ModelLogEntry.objects.for_instance(reported_audit).filter(action="audits.sign_off").get()
    assert entry.data == {"version": 1} and entry.user_id == cast["auditor"].pk


def test_clause_is_not_required_for_an_observation(audit_in_progress, cast, org):
    assert Clause.objects.exists()
    finding = services.finding_record(audit=audit_in_progress, user=cast["auditor"], kind=FindingKind.OBSERVATION,
                                      unit=org["ÇMŞ"], statement="Gözlem")
    assert finding.clause is None
