"""Audit and DÖF fixtures: the people of an audit and a DÖF at any step of its life."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits import services
from audits.models import AuditProgramme, ChecklistQuestion, ChecklistTemplate, FindingKind, NCState, Source
from qms.models import Clause
from qms.roles import Role


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cast(make_user):
    """The people: management representative, two internal auditors (in ÇÖZM and ÇMPK), the
    ÇMŞ chief (a unit manager), an ALO 153 agent, a desk clerk (KSB) and top management."""
    return {
        "mr": make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", username="yt", first_name="Ayşe",
                        last_name="Yıldırım"),
        "auditor": make_user(Role.INTERNAL_AUDITOR, unit="ÇÖZM", username="tetkikci", first_name="Zeynep",
                             last_name="Demir"),
        "auditor2": make_user(Role.INTERNAL_AUDITOR, unit="ÇMPK", username="tetkikci2", first_name="Okan",
                              last_name="Işık"),
        "manager": make_user(Role.UNIT_MANAGER, unit="ÇMŞ", username="sef", first_name="Gülşen", last_name="Aydın"),
        "desk_manager": make_user(Role.UNIT_MANAGER, unit="ÇÖZM", username="cozumsef", first_name="Serkan",
                                  last_name="Yurt"),
        "agent": make_user(Role.AGENT, unit="ALO153", username="temsilci", first_name="Burak", last_name="Öztürk"),
        "clerk": make_user(Role.STAFF, unit="KSB", username="memur", first_name="İbrahim", last_name="Arslan"),
        "top": make_user(Role.TOP_MANAGEMENT, unit="HİŞM", username="mudur", first_name="Mehmet", last_name="Kaya"),
    }


@pytest.fixture
def clause(db):
    return Clause.objects.get(standard__code="ISO 18295-1", number="4.2")


@pytest.fixture
def programme(db, today):
    return AuditProgramme.objects.create(year=today.year)


@pytest.fixture
def checklist(db, clause):
    template = ChecklistTemplate.objects.create(title="Çağrı merkezi tetkik listesi")
    ChecklistQuestion.objects.create(template=template, text="Çağrılar kayıt altına alınıyor mu?", clause=clause)
    ChecklistQuestion.objects.create(template=template, text="Bekleme süreleri izleniyor mu?", clause=clause)
    return template


@pytest.fixture
def planned_audit(cast, org, programme, checklist, today):
    """planned_audit(**overrides) -> an audit of the ÇMŞ chiefdom led by `auditor` (in ÇÖZM)."""

    def factory(**overrides):
        fields = dict(programme=programme, title="Çağrı Merkezi tetkiki", units=[org["ÇMŞ"]],
                      lead_auditor=cast["auditor"], planned_start=today, planned_end=today, user=cast["mr"],
                      checklists=[checklist])
        fields.update(overrides)
        return services.audit_plan(**fields)

    return factory


@pytest.fixture
def audit_in_progress(planned_audit, cast):
    return services.audit_start(audit=planned_audit(), user=cast["auditor"])


@pytest.fixture
def nonconformity(cast, org, clause, today):
    """nonconformity(state=NCState.X) -> a DÖF of ÇMŞ walked through the real services to that state
    (actions owned by the agent; verified by the second auditor)."""

    def factory(state=NCState.OPEN, *, triaged=True):
        nc = services.raise_nonconformity(
            source=Source.STAFF_SUGGESTION, title="Geri dönüşler yapılmıyor",
            description="Vatandaşa geri dönüş sözü verilen çağrılarda geri dönüş yapılmıyor.",
            unit=org["ÇMŞ"], raised_by=cast["clerk"], clause=clause,
        )
        if triaged:
            nc = services.nonconformity_triage(nonconformity=nc, user=cast["mr"])
        if state in (NCState.OPEN, NCState.REJECTED):
            if state == NCState.REJECTED:
                nc = services.nonconformity_triage(nonconformity=nc, user=cast["mr"], accept=False,
                                                   reason="Mükerrer kayıt")
            return nc
        nc = services.nonconformity_analyse(nonconformity=nc, user=cast["manager"],
                                            whys=["Geri arama listesi tutulmuyor", "Talimat yok"],
                                            root_cause="Geri arama talimatı yok", cause_category="method")
        if state == NCState.CAUSE_ANALYSED:
            return nc
        services.action_add(nonconformity=nc, user=cast["manager"], description="Geri arama talimatı yazılacak",
                            owner=cast["agent"], due_date=today + dt.timedelta(days=10))
        nc = services.nonconformity_plan(nonconformity=nc, user=cast["manager"],
                                         effectiveness_due=today + dt.timedelta(days=10))
        if state == NCState.ACTIONS_PLANNED:
            return nc
        action = nc.actions.get()
        services.action_complete(action=action, user=cast["agent"], evidence="TL-ÇMŞ-004 yayımlandı")
        nc.refresh_from_db()
        nc.effectiveness_due = today
        nc.save(update_fields=["effectiveness_due"])
        if state == NCState.ACTIONS_DONE:
            return nc
        services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=True,
                                            note="Son iki ayda geri dönüşler yapılmış.")
        nc.refresh_from_db()
        if state == NCState.VERIFIED:
            return nc
        return services.nonconformity_close(nonconformity=nc, user=cast["mr"])

    return factory


@pytest.fixture
def nc_finding(audit_in_progress, cast):
    """A nonconforming answer recorded in the audit in progress: returns its finding (with DÖF)."""
    answer = audit_in_progress.answers.order_by("order").first()
    return services.answer_record(answer=answer, user=cast["auditor"], result="nonconforming",
                                  evidence="Son ayın 12 kaydında geri dönüş yok.", finding_kind=FindingKind.MINOR)
