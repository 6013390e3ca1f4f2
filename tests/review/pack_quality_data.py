"""Records for the quality, people and system sections of the input pack, made through each
module's own services (audits, training, documents) and then placed on chosen days of the review
period (2026-01-01..2026-10-31, `tests/review/conftest.PERIOD`) or outside it.

The services stamp records with the present time; moving a record's timestamps afterwards with a
queryset `update()` is how the module's own tests age their records (tests/audits/test_panels.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import services as audit_services
from audits.models import (
    Audit,
    AuditProgramme,
    CorrectiveAction,
    EffectivenessCheck,
    FindingKind,
    NCState,
    Nonconformity,
    Source,
)
from documents.importing import RegisterRow, register_import
from documents.models import Document, DocumentKind, DocumentType
from qms.models import Clause
from qms.review.pack import compile_item
from qms.roles import Role
from training import services as training_services
from training.models import Course, Session

PERIOD_START, PERIOD_END = dt.date(2026, 1, 1), dt.date(2026, 10, 31)
AS_OF = PERIOD_END  # the period ended before these tests were written: state figures are taken on its last day
IN_PERIOD = dt.date(2026, 5, 15)
BEFORE = dt.date(2025, 11, 20)
AFTER = dt.date(2026, 11, 10)

_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A local instant on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_cast(make_user, mr) -> dict:
    """The people who take the steps: the review's management representative, two internal auditors
    (ÇÖZM, ÇMPK), the ÇMŞ chief, an ALO 153 agent, a desk clerk and the training coordinator."""
    return {
        "mr": mr,
        "auditor": make_user(Role.INTERNAL_AUDITOR, unit="ÇÖZM"),
        "auditor2": make_user(Role.INTERNAL_AUDITOR, unit="ÇMPK"),
        "manager": make_user(Role.UNIT_MANAGER, unit="ÇMŞ"),
        "agent": make_user(Role.AGENT, unit="ALO153"),
        "clerk": make_user(Role.STAFF, unit="KSB"),
        "coordinator": make_user(Role.TRAINING_COORDINATOR, unit="KSB"),
    }


def compiled(review, kind: str) -> dict:
    """The compiled item; a builder that failed compiles to an empty section, which no test wants."""
    pack = compile_item(review, kind)
    assert pack["figures"], pack["notes"]
    return pack


def queries_of(review, kind: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        compiled(review, kind)
    return len(captured)


# --- DÖFs ----------------------------------------------------------------------------------------


def clause():
    return Clause.objects.get(standard__code="ISO 18295-1", number="4.2")


def dof(cast, org, *, state=NCState.OPEN, unit="ÇMŞ", source=Source.STAFF_SUGGESTION, effective=True):
    """A DÖF walked through the audits services to `state` (actions owned by the agent, verified
    by the second auditor). `effective=False` with state CAUSE_ANALYSED: done, then found ineffective."""
    nc = audit_services.raise_nonconformity(
        source=source, title=f"Geri dönüş yapılmıyor {next(_numbers)}",
        description="Geri dönüş sözü verilen çağrılarda geri dönüş yapılmıyor.",
        unit=org[unit], raised_by=cast["clerk"], clause=clause(),
    )
    if state == NCState.REJECTED:
        return audit_services.nonconformity_triage(nonconformity=nc, user=cast["mr"], accept=False,
                                                   reason="Mükerrer kayıt")
    nc = audit_services.nonconformity_triage(nonconformity=nc, user=cast["mr"])
    if state == NCState.OPEN:
        return nc
    today = timezone.localdate()
    nc = audit_services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["Talimat yok"],
                                              root_cause="Geri arama talimatı yok", cause_category="method")
    if state == NCState.CAUSE_ANALYSED and effective:
        return nc
    audit_services.action_add(nonconformity=nc, user=cast["manager"], description="Talimat yazılacak",
                              owner=cast["agent"], due_date=today + dt.timedelta(days=10))
    nc = audit_services.nonconformity_plan(nonconformity=nc, user=cast["manager"],
                                           effectiveness_due=today + dt.timedelta(days=10))
    if state == NCState.ACTIONS_PLANNED:
        return nc
    audit_services.action_complete(action=nc.actions.get(), user=cast["agent"], evidence="TL-ÇMŞ-004 yayımlandı")
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=today)
    nc.refresh_from_db()
    audit_services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=effective,
                                              note="Son iki ayın kayıtları incelendi.")
    nc.refresh_from_db()
    if state in (NCState.VERIFIED, NCState.CAUSE_ANALYSED):
        return nc
    return audit_services.nonconformity_close(nonconformity=nc, user=cast["mr"])


def place_dof(nc, *, raised: dt.date, closed: dt.date | None = None, checked: dt.date | None = None,
              action_due: dt.date | None = None) -> Nonconformity:
    """Move a DÖF's dates: raised (and triaged) on `raised`, closed on `closed`, its checks made on
    `checked`, its actions due on `action_due`."""
    fields = {"raised_at": at(raised, 9), "triaged_at": at(raised, 11)}
    if closed is not None:
        fields["closed_at"] = at(closed)
    Nonconformity.objects.filter(pk=nc.pk).update(**fields)
    if checked is not None:
        EffectivenessCheck.objects.filter(nonconformity=nc).update(checked_at=at(checked))
    if action_due is not None:
        CorrectiveAction.objects.filter(nonconformity=nc).update(due_date=action_due)
    nc.refresh_from_db()
    return nc


def dof_scenario(cast, org) -> dict:
    """DÖFs in, before, across and after the period (names say where), each at a different step."""
    made = {
        # raised and closed in the period, found effective in it
        "closed_in": place_dof(dof(cast, org, state=NCState.CLOSED), raised=dt.date(2026, 3, 10),
                               closed=dt.date(2026, 5, 20), checked=dt.date(2026, 5, 15),
                               action_due=dt.date(2026, 4, 30)),
        # raised in the period, its action overdue at the period's end
        "overdue": place_dof(dof(cast, org, state=NCState.ACTIONS_PLANNED, unit="ALO153"),
                             raised=dt.date(2026, 4, 1), action_due=dt.date(2026, 6, 1)),
        # raised before the period, still open
        "old_open": place_dof(dof(cast, org, source=Source.CITIZEN_COMPLAINT), raised=BEFORE),
        # raised after the period
        "later": place_dof(dof(cast, org, source=Source.KPI_BREACH), raised=AFTER),
        # raised in the period and rejected at triage
        "rejected": place_dof(dof(cast, org, state=NCState.REJECTED), raised=dt.date(2026, 2, 1)),
        # raised in the period, closed after it: open at the period's end
        "closed_after": place_dof(dof(cast, org, state=NCState.CLOSED, unit="ÇMPK", source=Source.CALL_QA),
                                  raised=dt.date(2026, 9, 1), closed=dt.date(2026, 11, 5),
                                  checked=dt.date(2026, 11, 4), action_due=dt.date(2026, 9, 30)),
        # raised and closed before the period
        "closed_before": place_dof(dof(cast, org, state=NCState.CLOSED), raised=dt.date(2025, 6, 1),
                                   closed=dt.date(2025, 8, 1), checked=dt.date(2025, 7, 30),
                                   action_due=dt.date(2025, 7, 1)),
        # raised in the period, actions found ineffective in it (reopened)
        "ineffective": place_dof(dof(cast, org, state=NCState.CAUSE_ANALYSED, effective=False,
                                     source=Source.EXTERNAL_AUDIT),
                                 raised=dt.date(2026, 6, 1), checked=dt.date(2026, 7, 1),
                                 action_due=dt.date(2026, 6, 20)),
    }
    return made


def many_dofs(cast, org, n: int) -> None:
    """`n` DÖFs of the period at every step, spread over units and sources (for query counts)."""
    states = [NCState.OPEN, NCState.ACTIONS_PLANNED, NCState.CLOSED, NCState.REJECTED, NCState.VERIFIED]
    units = ["ÇMŞ", "ALO153", "ÇMPK"]
    sources = Source.values
    for i in range(n):
        state = states[i % len(states)]
        nc = dof(cast, org, state=state, unit=units[i % len(units)], source=sources[i % len(sources)])
        day = PERIOD_START + dt.timedelta(days=i % 200)
        place_dof(nc, raised=day, closed=day + dt.timedelta(days=20) if state == NCState.CLOSED else None,
                  checked=day + dt.timedelta(days=15), action_due=day + dt.timedelta(days=10))


# --- audits --------------------------------------------------------------------------------------


def programme(year: int = 2026) -> AuditProgramme:
    return AuditProgramme.objects.get_or_create(year=year)[0]


def audit(cast, org, *, held: dt.date | None, year: int = 2026, findings=(), report: bool = False,
          title: str = "Çağrı Merkezi tetkiki") -> Audit:
    """An audit of ÇMŞ led by the first auditor: planned, or (held given) started with `findings`
    (kinds) recorded and, with `report`, signed off; then dated `held`."""
    planned = held or dt.date(year, 12, 1)
    made = audit_services.audit_plan(
        programme=programme(year), title=title, units=[org["ÇMŞ"]], lead_auditor=cast["auditor"],
        planned_start=planned, planned_end=planned, user=cast["mr"],
    )
    if held is None:
        return made
    made = audit_services.audit_start(audit=made, user=cast["auditor"])
    for kind in findings:
        audit_services.finding_record(
            audit=made, user=cast["auditor"], kind=kind, unit=org["ÇMŞ"], clause=clause(),
            statement=f"Bulgu {next(_numbers)}", evidence="Kayıtlar incelendi.",
        )
    if report:
        audit_services.audit_update_summary(audit=made, user=cast["auditor"], summary="Süreç genel olarak etkin.")
        audit_services.audit_sign_off(audit=made, user=cast["auditor"])
    Audit.objects.filter(pk=made.pk).update(actual_start=held, actual_end=held if report else None)
    made.refresh_from_db()
    return made


def audit_scenario(cast, org) -> dict:
    return {
        "reported": audit(cast, org, held=dt.date(2026, 3, 12), report=True,
                          findings=[FindingKind.MINOR, FindingKind.OBSERVATION, FindingKind.IMPROVEMENT]),
        "in_progress": audit(cast, org, held=dt.date(2026, 9, 20),
                             findings=[FindingKind.MAJOR, FindingKind.IMPROVEMENT]),
        "before": audit(cast, org, held=dt.date(2025, 10, 1), year=2025, findings=[FindingKind.MINOR]),
        "after": audit(cast, org, held=dt.date(2026, 11, 12), findings=[FindingKind.OBSERVATION]),
        "planned": audit(cast, org, held=None),
    }


def many_audits(cast, org, n: int) -> None:
    kinds = FindingKind.values
    for i in range(n):
        audit(cast, org, held=PERIOD_START + dt.timedelta(days=i % 250), report=i % 3 == 0,
              findings=[kinds[i % len(kinds)], FindingKind.IMPROVEMENT])


# --- training ------------------------------------------------------------------------------------


def course(**fields) -> Course:
    n = next(_numbers)
    fields.setdefault("code", f"EĞT-{n:03d}")
    fields.setdefault("title", f"Eğitim {n}")
    fields.setdefault("duration_hours", Decimal("2.0"))
    fields.setdefault("external_trainer", "Dış Eğitim A.Ş.")
    return Course.objects.create(**fields)


def held_session(cast, *, course_: Course, start: dt.datetime, present=(), absent=(), plan_item=None,
                 hours: Decimal = Decimal("2.0")) -> Session:
    """A session held at `start` and finalised, through the training services."""
    session = Session.objects.create(course=course_, plan_item=plan_item, starts_at=start,
                                     ends_at=start + dt.timedelta(hours=2), place="Eğitim Salonu",
                                     external_trainer="Dış Eğitim A.Ş.", hours=hours, capacity=30)
    coordinator = cast["coordinator"]
    training_services.session_invite(session=session, people=[*present, *absent], user=coordinator)
    marks = {p.pk: "present" for p in present} | {p.pk: "absent" for p in absent}
    training_services.attendance_record(session=session, user=coordinator, marks=marks)
    return training_services.session_finalise(session=session, user=coordinator)


def training_scenario(cast) -> dict:
    """The 2026 plan (approved) with three lines, sessions in, before and after the period, one
    unplanned session, a mandatory course, evaluation forms and a manager's effectiveness review."""
    coordinator, mr = cast["coordinator"], cast["mr"]
    quality = course(title="Kalite Yönetim Sistemi", is_mandatory=True, validity_months=12)
    diction = course(title="Diksiyon")
    late = course(title="Kriz İletişimi")
    plan = training_services.plan_create(year=2026, user=coordinator)
    line_quality = training_services.plan_add_item(plan=plan, course=quality, month=3, user=coordinator, sessions=2)
    line_diction = training_services.plan_add_item(plan=plan, course=diction, month=6, user=coordinator)
    training_services.plan_add_item(plan=plan, course=late, month=12, user=coordinator)
    training_services.plan_approve(plan=plan, user=mr)
    agent, clerk, manager = cast["agent"], cast["clerk"], cast["manager"]
    march = held_session(cast, course_=quality, plan_item=line_quality, start=at(dt.date(2026, 3, 18)),
                         present=[agent, clerk], absent=[manager])
    held_session(cast, course_=diction, plan_item=line_diction, start=at(dt.date(2026, 6, 9)), present=[agent],
                 hours=Decimal("3.5"))
    held_session(cast, course_=diction, start=at(dt.date(2026, 8, 4)), present=[clerk])  # outside the plan
    held_session(cast, course_=quality, start=at(dt.date(2025, 10, 2)), present=[manager])  # the year before
    held_session(cast, course_=late, start=at(dt.date(2026, 11, 3)), present=[agent])  # after the period
    training_services.evaluation_submit(session=march, user=agent, content=5, trainer=4, materials=4, usefulness=5)
    review = march.attendances.get(person=agent).effectiveness_review
    training_services.effectiveness_submit(review=review, user=review.reviewer or coordinator, rating=4,
                                           applied="yes")
    return {"plan": plan, "quality": quality, "march": march}


def many_sessions(cast, people, n: int) -> None:
    """`n` plan lines of the 2026 plan, each held once in the period with `people`, half of them
    evaluated (for query counts)."""
    from training.models import TrainingPlan

    coordinator = cast["coordinator"]
    plan = TrainingPlan.objects.filter(year=2026).first() or training_services.plan_create(year=2026,
                                                                                           user=coordinator)
    for i in range(n):
        made = course(is_mandatory=i % 4 == 0)
        month = 1 + i % 10
        line = training_services.plan_add_item(plan=plan, course=made, month=month, user=coordinator)
        session = held_session(cast, course_=made, plan_item=line, start=at(dt.date(2026, month, 1 + i % 27)),
                               present=people)
        if i % 2 == 0:
            training_services.evaluation_submit(session=session, user=people[0], content=4, trainer=4,
                                                materials=3, usefulness=5)


# --- documents -----------------------------------------------------------------------------------


def procedure() -> DocumentType:
    return DocumentType.objects.get(kind=DocumentKind.PROCEDURE)


def import_documents(cast, org, rows: list[tuple[int, dt.date, dt.date | None]]) -> list[Document]:
    """Documents in force from the register import: (revision, effective date, next review) each."""
    register = []
    for line, (revision, effective, next_review) in enumerate(rows, start=2):
        n = next(_numbers)
        register.append(RegisterRow(
            line=line, code=f"PR-KSB-{n:03d}", title=f"Prosedür {n}", doc_type=procedure(), unit=org["KSB"],
            revision=revision, effective_date=effective, next_review_date=next_review, retention_years=None,
            confidentiality="public", change_summary=f"Değişiklik {n}",
        ))
    return register_import(rows=register, user=cast["mr"])


def withdraw(cast, document: Document, on: dt.date) -> Document:
    from documents.services import document_withdraw

    document_withdraw(document=document, user=cast["mr"], reason="Süreç kaldırıldı")
    Document.objects.filter(pk=document.pk).update(withdrawn_at=at(on))
    document.refresh_from_db()
    return document

