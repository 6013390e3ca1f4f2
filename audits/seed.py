"""Demo audits and DÖFs: a checklist library, last year's and this year's audit programme with
audits in every state, findings of every kind and DÖFs at every step of their life.

Everything is made through `audits.services`, as the people who would do it (the management
representative plans, the auditors answer and sign off, the unit managers analyse and plan, the
action owners complete, another auditor verifies), so the audit log, the grants and the rules are
those of real use. The history is then dated back: each step runs inside `BackdatingClock.at(...)`, which
moves what the step stamped with "now" (creation, answer, sign-off, triage, analysis, completion,
check and closure times, the audit log) to the moment it stands for, and the audit's start and
report dates likewise. Dates are relative to today (clamped to the programme year), so the panels,
reminders and the clause-coverage report always have something current to show: an overdue action,
an effectiveness check due, a report overdue, an audit starting within the fortnight.

Idempotent: a checklist is identified by its title, an audit by its programme year and title, a
DÖF raised outside an audit by its title; what exists is left as it is, so a second run creates
nothing. The e-mails the services would send once the transaction commits (to people at
example.org) are dropped.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audits import services
from audits.models import (
    AnswerResult,
    Audit,
    AuditProgramme,
    AuditReport,
    ChecklistAnswer,
    ChecklistQuestion,
    ChecklistTemplate,
    CorrectiveAction,
    EffectivenessCheck,
    Finding,
    FindingKind,
    Nonconformity,
    Severity,
    Source,
)
from qms.mail import no_mail_on_commit
from qms.models import Clause, Unit
from qms.seed import BackdatingClock

MR = "yonetim.temsilcisi"
AUDITOR = "ic.tetkikci"  # KYRŞ
AUDITOR2 = "ic.tetkikci2"  # EKB

# --- the checklist library ---------------------------------------------------------------------------

# title, description, [(question, (standard, clause), guidance)]
CHECKLISTS = [
    (
        "Şikâyet Yönetimi (ISO 10002)",
        "Başvuruların alınmasından kapatılmasına kadar şikâyetlerin ele alınması.",
        [
            ("Şikâyet kanalları (ALO 153, web, WhatsApp, şahsen, sosyal medya) hemşehrilere duyuruluyor mu?",
             ("ISO 10002", "7.1"), "Web sitesi, afiş ve broşürlere bakın; kanalların güncel olduğunu doğrulayın."),
            ("Her şikâyet tek bir başvuru numarasıyla HİM programına kaydediliyor mu?",
             ("ISO 10002", "7.2"), "Son aydan 10 başvuru seçin; kanal, konu ve birim alanlarını kontrol edin."),
            ("Başvuru sahibi, başvurusunun hangi aşamada olduğunu öğrenebiliyor mu?",
             ("ISO 10002", "7.3"), ""),
            ("Şikâyetin alındığı başvuru sahibine SMS veya e-postayla bildiriliyor mu?",
             ("ISO 10002", "7.4"), "Bildirim kayıtlarından örnek isteyin."),
            ("Başvurular ilk değerlendirmede önceliklendirilip doğru birime yönlendiriliyor mu?",
             ("ISO 10002", "7.5"),
             "Onay biriminin yazım ve birim kontrolünü örnekleyin; yanlış birime gidenleri sayın."),
            ("Birimlerden gelen cevaplar vatandaşa iletilmeden önce kontrol ediliyor, uygun olmayanlar iade "
             "ediliyor mu?", ("ISO 10002", "7.7"), "İade edilen (reddedilen) cevaplardan örnek isteyin."),
            ("3, 7 ve 30 günlük yanıt sürelerine ve yasal sürelere uyum izleniyor mu?",
             ("ISO 10002", "4.15"), "Süresi aşan başvurular için ara bilgi verilip verilmediğine bakın."),
            ("Kapatılan başvurular için memnuniyet anketi yapılıyor ve sonuçları değerlendiriliyor mu?",
             ("ISO 10002", "8.3"), ""),
            ("Şikâyet verileri aylık olarak analiz edilip yönetime raporlanıyor mu?",
             ("ISO 10002", "8.2"), "Son üç ayın raporlarını ve alınan kararları isteyin."),
            ("Gizli başvurularda başvuru sahibinin kimliği birimlere gizlenerek iletiliyor mu (KVKK)?",
             ("ISO 10002", "4.10"), ""),
        ],
    ),
    (
        "Çağrı Merkezi (ISO 18295-1)",
        "ALO 153 çağrı merkezinin müşteri ilişkisi, personel ve operasyon şartları.",
        [
            ("Çağrı karşılama metni ve bilgilendirmeler standart olarak uygulanıyor mu?",
             ("ISO 18295-1", "4.2"), "Kayıtlı çağrılardan 5 örnek dinleyin."),
            ("Müşteri deneyimi (memnuniyet, ilk temasta çözüm oranı) ölçülüyor ve izleniyor mu?",
             ("ISO 18295-1", "4.3"), ""),
            ("Çağrı merkezine gelen şikâyetler kayıt altına alınıp çözüm sürecine aktarılıyor mu?",
             ("ISO 18295-1", "4.4"), ""),
            ("Arayanın kişisel verileri ve ses kayıtları yetkisiz erişime karşı korunuyor mu?",
             ("ISO 18295-1", "4.5"), "Kayıt sistemine erişim yetkilerinin listesini isteyin."),
            ("Temsilcilere işe başlamadan önce oryantasyon ve hizmet eğitimi veriliyor mu?",
             ("ISO 18295-1", "6"), "Son işe başlayan iki temsilcinin eğitim kayıtlarına bakın."),
            ("Hizmet düzeyi (çağrıların %80'i 20 saniyede) ve kaçan çağrı oranı izleniyor mu?",
             ("ISO 18295-1", "7"), ""),
            ("Kayıtlı çağrılar kalite kriterlerine göre puanlanıyor ve temsilcilere geri bildirim veriliyor mu?",
             ("ISO 18295-1", "7"), "Aylık temsilci raporlarından örnek isteyin."),
            ("Santral, ses kayıt ve yedekleme altyapısının kesintiye karşı önlemleri var mı?",
             ("ISO 18295-1", "8"), ""),
        ],
    ),
    (
        "Doküman ve Kayıt Kontrolü (ISO 9001 7.5)",
        "Dokümante edilmiş bilginin oluşturulması, onayı, dağıtımı ve kayıtların korunması.",
        [
            ("Doküman ana listesi güncel mi?", ("ISO 9001", "7.5.1"), ""),
            ("Dokümanlar yayımlanmadan önce gözden geçirilip onaylanıyor mu?", ("ISO 9001", "7.5.2"), ""),
            ("Birimde kullanılan prosedür ve talimatlar portaldaki yürürlükteki revizyonla aynı mı?",
             ("ISO 9001", "7.5.3"), "Masalardaki çıktıları portaldaki revizyon numarasıyla karşılaştırın."),
            ("Personel kendisine gönderilen dokümanları okuduğunu onaylamış mı?", ("ISO 9001", "7.5.3.1"), ""),
            ("Geçersiz dokümanların kullanımı önleniyor mu?", ("ISO 9001", "7.5.3.2"), ""),
            ("Dış kaynaklı dokümanlar (kanunlar, standartlar) güncel tutuluyor mu?", ("ISO 9001", "7.5.3.2"), ""),
            ("Kayıtların saklama süreleri belirlenmiş ve uygulanıyor mu?", ("ISO 9001", "7.5.3.2"), ""),
        ],
    ),
    (
        "Eğitim ve Yetkinlik (ISO 9001 7.2)",
        "Yetkinliklerin belirlenmesi, eğitim planı, eğitim kayıtları ve farkındalık.",
        [
            ("Her görev için gerekli yetkinlikler tanımlanmış mı?", ("ISO 9001", "7.2"), ""),
            ("Yeni başlayan personele oryantasyon eğitimi verilmiş ve kayıt altına alınmış mı?",
             ("ISO 9001", "7.2"), ""),
            ("Yıllık eğitim planı hazırlanmış ve uygulanıyor mu?", ("ISO 9001", "7.2"), ""),
            ("Eğitim katılım tutanakları ve değerlendirme formları dosyalanıyor mu?", ("ISO 9001", "7.2"), ""),
            ("Kalite yönetimi eğitimi yılda en az 3 kez tekrarlanıyor mu?", ("ISO 9001", "7.3"), ""),
            ("Eğitimlerin etkinliği değerlendiriliyor mu?", ("ISO 9001", "7.2"), ""),
            ("Personel kalite politikasından ve kendi katkısından haberdar mı?", ("ISO 9001", "7.3"), ""),
        ],
    ),
]

COMPLAINTS, CALL_CENTRE, DOCUMENT_CONTROL, TRAINING = (title for title, _d, _q in CHECKLISTS)

CONFORMING_EVIDENCE = [
    "Son üç ayın kayıtlarından 10 örnek incelendi; uygun.",
    "Birim sorumlusu ile görüşüldü, uygulama yerinde gösterildi.",
    "HİM programı ekranlarında kontrol edildi; uygun.",
    "İlgili talimat yürürlükte ve uygulandığı görüldü.",
    "Örneklenen 15 başvurunun tamamında uygulandığı görüldü.",
    "Kayıtlar eksiksiz; sorumlu personel süreci doğru anlattı.",
]


# --- dating the history back -----------------------------------------------------------------------------


# What the services stamp with "now", moved back by the demo's clock (qms.seed.BackdatingClock).
STAMPS = (
    (AuditProgramme, ("created_at",)),
    (Audit, ("created_at",)),
    (ChecklistAnswer, ("answered_at",)),
    (Finding, ("created_at",)),
    (AuditReport, ("signed_off_at",)),
    (Nonconformity, ("raised_at", "triaged_at", "cause_analysed_at", "closed_at", "updated_at")),
    (CorrectiveAction, ("created_at", "completed_at")),
    (EffectivenessCheck, ("checked_at",)),
)


@dataclass(frozen=True)
class Answer:
    """A special checklist answer: the question's position (1-based), the result and the evidence."""

    number: int
    result: str
    evidence: str
    kind: str | None = None  # for a nonconforming answer: major or minor
    unit: str | None = None  # for a finding in an audit of several units


class _Seeder:
    def __init__(self, stdout) -> None:
        self.stdout = stdout
        self.today = timezone.localdate()
        self.clock = BackdatingClock(STAMPS)
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.clauses = {(c.standard.code, c.number): c for c in Clause.objects.all()}
        self.checklists: dict[str, ChecklistTemplate] = {}
        self.new_audits = 0
        self.new_nonconformities = 0

    # --- helpers -----------------------------------------------------------------------------------------

    def user(self, username: str):
        return self.users[username]

    def clause(self, standard: str, number: str) -> Clause:
        return self.clauses[(standard, number)]

    def day(self, offset: int, year: int | None = None) -> date:
        """Today + `offset` days, kept inside `year` (this year by default)."""
        year = year or self.today.year
        return min(max(self.today + timedelta(days=offset), date(year, 1, 1)), date(year, 12, 31))

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    # --- checklists --------------------------------------------------------------------------------------

    def seed_checklists(self) -> int:
        created = 0
        for title, description, questions in CHECKLISTS:
            template = ChecklistTemplate.objects.filter(title=title).first()
            if template is None:
                template = ChecklistTemplate.objects.create(title=title, description=description)
                for order, (text, (standard, number), guidance) in enumerate(questions):
                    ChecklistQuestion.objects.create(template=template, sort_order=order, text=text,
                                                     clause=self.clause(standard, number), guidance=guidance)
                created += 1
            self.checklists[title] = template
        return created

    # --- an audit's life ---------------------------------------------------------------------------------

    def programme(self, year: int, objectives: str) -> AuditProgramme:
        programme = AuditProgramme.objects.filter(year=year).first()
        if programme is None:
            with self.clock.at(date(year - 1, 12, 15) if year <= self.today.year else self.today):
                programme = AuditProgramme.objects.create(year=year, objectives=objectives,
                                                          created_by=self.user(MR))
        return programme

    def plan(self, programme, title: str, units: list[str], lead: str, start: date, *, days: int = 1,
             team: tuple[str, ...] = (), checklists: tuple[str, ...] = (), clauses: tuple = (),
             processes: str = "", planned_on: date | None = None) -> Audit | None:
        """Plan an audit unless the programme has one with this title (then None)."""
        if Audit.objects.filter(programme=programme, title=title).exists():
            return None
        end = min(start + timedelta(days=days - 1), date(programme.year, 12, 31))
        planned_on = planned_on or min(date(programme.year, 1, 10), self.today)
        with self.clock.at(min(planned_on, start), 9, 30):
            audit = services.audit_plan(
                programme=programme, title=title, units=[self.units[code] for code in units],
                lead_auditor=self.user(lead), planned_start=start, planned_end=end, user=self.user(MR),
                team=[self.user(name) for name in team], processes=processes,
                clauses=[self.clause(*ref) for ref in clauses],
                checklists=[self.checklists[name] for name in checklists],
            )
        self.new_audits += 1
        return audit

    def start(self, audit: Audit, lead: str, on: date) -> Audit:
        with self.clock.at(on, 9):
            audit = services.audit_start(audit=audit, user=self.user(lead))
        Audit.objects.filter(pk=audit.pk).update(actual_start=on)
        return Audit.objects.get(pk=audit.pk)

    def answer(self, audit: Audit, auditor: str, on: date, special: list[Answer], *, upto: int | None = None) -> dict:
        """Answer the audit's questions (all, or the first `upto`): conforming unless `special`
        says otherwise. Returns the findings made, by question number."""
        by_number = {item.number: item for item in special}
        findings = {}
        answers = list(audit.answers.order_by("order"))
        for index, answer in enumerate(answers[:upto] if upto else answers, start=1):
            item = by_number.get(index)
            with self.clock.at(on, 10 + index // 4, (index * 7) % 60):
                if item is None:
                    services.answer_record(answer=answer, user=self.user(auditor), result=AnswerResult.CONFORMING,
                                           evidence=CONFORMING_EVIDENCE[(audit.number + index) % len(
                                               CONFORMING_EVIDENCE)])
                else:
                    finding = services.answer_record(
                        answer=answer, user=self.user(auditor), result=item.result, evidence=item.evidence,
                        finding_kind=item.kind, unit=self.units[item.unit] if item.unit else None,
                    )
                    if finding is not None:
                        findings[index] = finding
        return findings

    def finding(self, audit: Audit, auditor: str, on: date, kind: str, unit: str, statement: str,
                clause: tuple | None = None, evidence: str = "") -> Finding:
        with self.clock.at(on, 15):
            return services.finding_record(audit=audit, user=self.user(auditor), kind=kind, unit=self.units[unit],
                                           statement=statement, evidence=evidence,
                                           clause=self.clause(*clause) if clause else None)

    def sign_off(self, audit: Audit, lead: str, on: date, summary: str, change_note: str = "") -> AuditReport:
        # audits.services has no step for the summary yet; the sign-off screen writes the field too.
        Audit.objects.filter(pk=audit.pk).update(summary=summary)
        with self.clock.at(on, 16):
            report = services.audit_sign_off(audit=audit, user=self.user(lead), change_note=change_note)
        if report.version == 1:
            Audit.objects.filter(pk=audit.pk).update(actual_end=on)
            AuditReport.objects.filter(pk=report.pk).update(snapshot={**report.snapshot, "actual_end": on.isoformat()})
        return report

    def close_audit(self, audit: Audit, on: date) -> None:
        with self.clock.at(on, 11):
            services.audit_close(audit=audit, user=self.user(MR))

    # --- a DÖF's life ------------------------------------------------------------------------------------

    def raise_nc(self, on: date, *, source: str, title: str, description: str, unit: str, raised_by: str,
                 severity: str = Severity.MINOR, clause: tuple | None = None) -> Nonconformity | None:
        if Nonconformity.objects.filter(title=title, finding__isnull=True).exists():
            return None
        with self.clock.at(on, 11, 20):
            nc = services.raise_nonconformity(
                source=source, title=title, description=description, unit=self.units[unit],
                raised_by=self.user(raised_by), severity=severity, clause=self.clause(*clause) if clause else None,
            )
        self.new_nonconformities += 1
        return nc

    def triage(self, nc, on: date, *, accept: bool = True, reason: str = "") -> Nonconformity:
        with self.clock.at(on, 9, 40):
            return services.nonconformity_triage(nonconformity=nc, user=self.user(MR), accept=accept, reason=reason)

    def analyse(self, nc, on: date, manager: str, whys: list[str], root_cause: str, category: str,
                correction: str = "") -> Nonconformity:
        with self.clock.at(on, 14):
            return services.nonconformity_analyse(
                nonconformity=nc, user=self.user(manager), whys=whys, root_cause=root_cause,
                cause_category=category, immediate_correction=correction or None,
                correction_date=on if correction else None,
            )

    def add_action(self, nc, on: date, manager: str, description: str, owner: str, due: date) -> CorrectiveAction:
        with self.clock.at(on, 14, 30):
            return services.action_add(nonconformity=nc, user=self.user(manager), description=description,
                                       owner=self.user(owner), due_date=due)

    def plan_actions(self, nc, on: date, manager: str, effectiveness_due: date) -> Nonconformity:
        with self.clock.at(on, 15):
            return services.nonconformity_plan(nonconformity=nc, user=self.user(manager),
                                               effectiveness_due=effectiveness_due)

    def complete(self, action, on: date, user: str, evidence: str) -> None:
        with self.clock.at(on, 13):
            services.action_complete(action=action, user=self.user(user), evidence=evidence)

    def check(self, nc, on: date, verifier: str, effective: bool, note: str) -> None:
        with self.clock.at(on, 10, 30):
            services.effectiveness_check_record(nonconformity=nc, user=self.user(verifier), effective=effective,
                                                note=note)

    def close_nc(self, nc, on: date, note: str = "") -> None:
        with self.clock.at(on, 16, 30):
            services.nonconformity_close(nonconformity=nc, user=self.user(MR), note=note)

    def count_nonconformity(self, finding: Finding) -> Nonconformity:
        self.new_nonconformities += 1
        return Nonconformity.objects.get(finding=finding)

    # --- the lives, run in date order ----------------------------------------------------------------
    #
    # Each life below is a generator that yields the day of its next step before taking it; `run_lives`
    # resumes whichever life has the earliest step, so that every step of the demo happens in date
    # order across lives (DÖF numbers follow the days they were raised, the audit log reads in order).

    @staticmethod
    def run_lives(lives) -> None:
        heap = []
        for index, life in enumerate(lives):
            try:
                heapq.heappush(heap, (next(life), index, life))
            except StopIteration:
                continue
        while heap:
            _day, index, life = heapq.heappop(heap)
            try:
                heapq.heappush(heap, (life.send(None), index, life))
            except StopIteration:
                continue

    def lives(self) -> list:
        last_year = self.today.year - 1
        previous = self.programme(last_year, "ISO 10002 ve ISO 18295-1 kapsamındaki tüm süreçlerin yıl içinde "
                                             "en az bir kez tetkik edilmesi.")
        current = self.programme(
            self.today.year,
            "ISO 10002:2018, ISO 18295-1:2017 ve ISO 9001:2015 şartlarına ve birim prosedürlerine göre; her "
            "birim yılda en az bir kez, şikâyet ve çağrı merkezi süreçleri en az iki kez tetkik edilir.",
        )
        # Each year's audits are planned at the start of the year, in the order of their dates.
        plans = [
            (previous, "Çağrı Merkezi hizmet tetkiki", ["ALO153"], AUDITOR, date(last_year, 3, 11), 1, (),
             CALL_CENTRE, (("ISO 18295-1", "4"), ("ISO 18295-1", "7")), "", self.last_year_call_centre),
            (previous, "Şikâyet yönetimi süreci tetkiki", ["KSB", "CİMER"], AUDITOR2, date(last_year, 6, 17), 1, (),
             COMPLAINTS, (("ISO 10002", "7"),), "", self.last_year_complaints),
            (previous, "Doküman ve kayıt kontrolü tetkiki", ["KYRŞ"], AUDITOR2, date(last_year, 12, 2), 1, (),
             DOCUMENT_CONTROL, (("ISO 9001", "7.5"),), "", self.last_year_documents),
            (current, "Karşılama ve Sonuç Birimi şikâyet yönetimi tetkiki", ["KSB"], AUDITOR, self.day(-200), 1, (),
             COMPLAINTS, (("ISO 10002", "7"),), "Başvuru kabulü\nCevapların kontrolü ve iletilmesi",
             self.closed_audit),
            (current, "Eğitim ve yetkinlik tetkiki", ["EKB"], AUDITOR, self.day(-150), 1, (), TRAINING,
             (("ISO 9001", "7.2"), ("ISO 9001", "7.3"), ("ISO 18295-1", "6")), "", self.training_audit),
            (current, "İdari ve mali işler tetkiki", ["İMİ"], AUDITOR, self.day(-90), 1, (), DOCUMENT_CONTROL,
             (("ISO 9001", "7.5"),), "", self.cancelled_audit),
            (current, "Çağrı Merkezi hizmet ve kalite tetkiki", ["ALO153", "ÇMPK"], AUDITOR2, self.day(-60), 2,
             (AUDITOR,), CALL_CENTRE, (("ISO 18295-1", "4"), ("ISO 18295-1", "6"), ("ISO 18295-1", "7")),
             "Çağrı karşılama\nÇağrı kalite değerlendirmesi\nTemsilci eğitimi", self.call_centre_audit),
            (current, "Kalite yönetimi doküman ve kayıt kontrolü tetkiki", ["KYRŞ"], AUDITOR2, self.day(-30), 1, (),
             DOCUMENT_CONTROL, (("ISO 9001", "7.5"), ("ISO 10002", "8.5")), "", self.document_audit),
            (current, "Sosyal medya başvuruları tetkiki", ["SMB", "ONB"], AUDITOR, self.day(-10), 3, (), COMPLAINTS,
             (("ISO 10002", "7.2"), ("ISO 10002", "7.7")), "", self.social_media_audit),
            (current, "CİMER ve bilgi edinme tetkiki", ["CİMER"], AUDITOR2, self.day(7), 2, (AUDITOR,), COMPLAINTS,
             (("ISO 10002", "7.6"), ("ISO 10002", "7.8")), "", None),
            (current, "Santral ve telsiz birimleri tetkiki", ["SNT", "M1T"], AUDITOR, self.day(20), 2, (), CALL_CENTRE,
             (("ISO 18295-1", "8"),), "", None),
            (current, "Yerinde tespit ve Mobil HİM tetkiki", ["YTMH"], AUDITOR, self.day(30), 2, (), COMPLAINTS,
             (("ISO 10002", "7.9"), ("ISO 10002", "8.3")), "", None),
        ]
        lives = []
        for programme, title, units, lead, start, days, team, checklist, clauses, processes, life in sorted(
            plans, key=lambda plan: (plan[0].year, plan[4])
        ):
            audit = self.plan(programme, title, units, lead, start, days=days, team=team, checklists=(checklist,),
                              clauses=clauses, processes=processes,
                              planned_on=date(programme.year, 1, 12 if programme.year < self.today.year else 10))
            if audit is not None and life is not None:
                lives.append(life(audit))
        lives += [
            self.suggestion_untriaged(), self.complaint_waiting_for_cause(), self.kpi_breach_verified(),
            self.call_qa_rejected(), self.field_check_reopened(),
        ]
        return lives

    # --- audits --------------------------------------------------------------------------------------

    def _simple_closed_audit(self, audit: Audit, special: list[Answer], summary: str, improvement: str = ""):
        lead = audit.lead_auditor.username
        day = audit.planned_start
        yield day
        audit = self.start(audit, lead, day)
        self.answer(audit, lead, day, special)
        if improvement:
            self.finding(audit, lead, day, FindingKind.IMPROVEMENT, audit.units.first().code, improvement)
        yield day + timedelta(days=3)
        self.sign_off(audit, lead, day + timedelta(days=3), summary)
        yield day + timedelta(days=10)
        self.close_audit(audit, day + timedelta(days=10))

    def last_year_call_centre(self, audit: Audit):
        yield from self._simple_closed_audit(
            audit,
            [Answer(6, AnswerResult.OBSERVATION, "Hafta sonu vardiyasında hizmet düzeyi raporu iki hafta geç "
                                                 "hazırlanmış.")],
            "ALO 153 hizmet düzeyi ve çağrı kalitesi izleniyor; hafta sonu raporlamasına dikkat edilmeli.",
        )

    def last_year_complaints(self, audit: Audit):
        yield from self._simple_closed_audit(
            audit,
            [Answer(8, AnswerResult.OBSERVATION, "Telefonla yapılan anketlerin sonuçları aylık rapora eklenmemiş.",
                    unit="KSB")],
            "Başvuruların alınması, yönlendirilmesi ve cevaplanması etkin; anket sonuçlarının raporlanması "
            "iyileştirilebilir.",
        )

    def last_year_documents(self, audit: Audit):
        yield from self._simple_closed_audit(
            audit, [],
            "Doküman ana listesi güncel, onay akışı portal üzerinden izleniyor. Uygunsuzluk tespit edilmedi.",
            improvement="Saklama süresi dolan kayıtların imhası için tutanak şablonu hazırlanabilir.",
        )

    def closed_audit(self, audit: Audit):
        """Closed: a minor nonconformity whose DÖF went all the way to closure, and an observation."""
        day = audit.planned_start
        yield day
        audit = self.start(audit, AUDITOR, day)
        findings = self.answer(audit, AUDITOR, day, [
            Answer(4, AnswerResult.NONCONFORMING, "Son ay şahsen yapılan 12 başvurunun 5'inde alındı bildirimi "
                                                  "gönderilmemiş.", FindingKind.MINOR),
            Answer(9, AnswerResult.OBSERVATION, "Aylık şikâyet analizi hazırlanıyor ancak birim bazında kırılım yok."),
        ])
        nc = self.count_nonconformity(findings[4])
        yield day + timedelta(days=2)
        self.sign_off(audit, AUDITOR, day + timedelta(days=2),
                      "Başvuru kabul ve cevap kontrol süreçleri genel olarak etkin. Alındı bildirimlerinde bir "
                      "uygunsuzluk, şikâyet analizinde bir gözlem tespit edildi.")
        yield day + timedelta(days=9)
        nc = self.analyse(nc, day + timedelta(days=9), "cozum.sefi",
                          ["Bildirim gönderilmemiş", "Şahsen başvurularda bildirim elle gönderiliyor",
                           "Kayıt ekranında bildirim otomatik tetiklenmiyor"],
                          "Şahsen başvuru kayıt ekranında alındı bildiriminin otomatik gönderimi kapalı.", "equipment",
                          "Eksik bildirimler başvuru sahiplerine gönderildi.")
        action = self.add_action(nc, day + timedelta(days=9), "cozum.sefi",
                                 "HİM programında şahsen başvurular için otomatik SMS bildirimi açılacak.",
                                 "personel", day + timedelta(days=30))
        self.plan_actions(nc, day + timedelta(days=9), "cozum.sefi", day + timedelta(days=60))
        yield day + timedelta(days=25)
        self.complete(action, day + timedelta(days=25), "personel",
                      "Bilgi İşlem ile otomatik SMS ayarı açıldı; test başvurusunda SMS geldi.")
        yield day + timedelta(days=62)
        self.check(nc, day + timedelta(days=62), AUDITOR2, True,
                   "Son iki ayın 40 şahsen başvurusunun tamamında alındı bildirimi gönderilmiş.")
        yield day + timedelta(days=64)
        self.close_nc(nc, day + timedelta(days=64), "Etkin bulundu; kapatıldı.")
        yield day + timedelta(days=65)
        self.close_audit(audit, day + timedelta(days=65))

    def training_audit(self, audit: Audit):
        """Closed: no nonconformity, an opportunity for improvement."""
        day = audit.planned_start
        yield day
        audit = self.start(audit, AUDITOR, day)
        self.answer(audit, AUDITOR, day, [])
        self.finding(audit, AUDITOR, day, FindingKind.IMPROVEMENT, "EKB",
                     "Eğitim değerlendirme formlarının sonuçları portalda toplanırsa analiz kolaylaşır.",
                     ("ISO 9001", "7.2"))
        yield day + timedelta(days=1)
        self.sign_off(audit, AUDITOR, day + timedelta(days=1),
                      "Eğitim planı, katılım tutanakları ve değerlendirmeler düzenli. Bir iyileştirme fırsatı "
                      "belirlendi.")
        yield day + timedelta(days=5)
        self.close_audit(audit, day + timedelta(days=5))

    def cancelled_audit(self, audit: Audit):
        day = audit.planned_start - timedelta(days=10)
        yield day
        with self.clock.at(day, 12):
            services.audit_cancel(audit=audit, user=self.user(MR),
                                  reason="Birimin yeni hizmet binasına taşınması nedeniyle gelecek yıla ertelendi.")

    def call_centre_audit(self, audit: Audit):
        """Reported, version 2: findings of every kind; its DÖFs are still being worked on (one with
        its cause analysed, one with an overdue action)."""
        day = audit.planned_start
        yield day
        audit = self.start(audit, AUDITOR2, day)
        findings = self.answer(audit, AUDITOR2, day, [
            Answer(2, AnswerResult.NONCONFORMING, "İlk temasta çözüm oranı ve memnuniyet son 4 aydır ölçülmemiş; "
                                                  "anket sistemi devre dışı.", FindingKind.MAJOR, "ÇMPK"),
            Answer(4, AnswerResult.NONCONFORMING, "Ses kayıt sistemine erişimi olan 3 kişinin görevi değişmiş, "
                                                  "yetkileri kaldırılmamış.", FindingKind.MINOR, "ALO153"),
            Answer(7, AnswerResult.OBSERVATION, "Temsilcilere geri bildirimler yapılıyor fakat imzalı kayıt "
                                                "tutulmuyor.", unit="ÇMPK"),
        ])
        major = self.count_nonconformity(findings[2])
        minor = self.count_nonconformity(findings[4])
        yield day + timedelta(days=1)
        self.finding(audit, AUDITOR2, day + timedelta(days=1), FindingKind.IMPROVEMENT, "ALO153",
                     "Sık sorulan sorular için temsilci bilgi bankası oluşturulması çağrı sürelerini kısaltabilir.",
                     ("ISO 18295-1", "7"))
        yield day + timedelta(days=3)
        self.sign_off(audit, AUDITOR2, day + timedelta(days=3),
                      "Çağrı karşılama ve kalite değerlendirme süreçleri işliyor. Müşteri deneyiminin ölçülmesinde "
                      "büyük, kayıt erişim yetkilerinde küçük uygunsuzluk bulundu.")
        yield day + timedelta(days=6)
        self.finding(audit, AUDITOR2, day + timedelta(days=6), FindingKind.IMPROVEMENT, "ÇMPK",
                     "Kalite puanlama formuna empati ve çözüm odaklılık kriterleri eklenebilir.",
                     ("ISO 18295-1", "7"))
        self.sign_off(audit, AUDITOR2, day + timedelta(days=6),
                      "Çağrı karşılama ve kalite değerlendirme süreçleri işliyor. Müşteri deneyiminin ölçülmesinde "
                      "büyük, kayıt erişim yetkilerinde küçük uygunsuzluk bulundu; iki iyileştirme fırsatı "
                      "belirlendi.",
                      change_note="Kapanış toplantısında kalite puanlama formu için bir iyileştirme fırsatı eklendi.")
        yield day + timedelta(days=8)
        minor = self.analyse(minor, day + timedelta(days=8), "birim.yoneticisi",
                             ["Yetkiler kaldırılmamış", "Görev değişikliği Bilgi İşleme bildirilmemiş"],
                             "Görev değişikliğinde erişim yetkisi kapatma adımı tanımlı değil.", "method",
                             "Üç kişinin kayıt sistemi erişimi kapatıldı.")
        self.add_action(minor, day + timedelta(days=8), "birim.yoneticisi",
                        "Görev değişikliği ve ayrılışta erişim yetkilerinin kapatılması talimata eklenecek.",
                        "cagri.temsilcisi", self.ago(12))
        self.add_action(minor, day + timedelta(days=8), "birim.yoneticisi",
                        "Kayıt sistemi erişim yetkileri üç ayda bir gözden geçirilecek.", "ahmet.yilmaz",
                        self.today + timedelta(days=5))
        yield day + timedelta(days=9)
        self.plan_actions(minor, day + timedelta(days=9), "birim.yoneticisi", self.today + timedelta(days=30))
        yield day + timedelta(days=12)
        self.analyse(major, day + timedelta(days=12), "cmpk.sorumlusu",
                     ["Anket yapılmamış", "Anket yazılımının lisansı sona ermiş", "Lisans yenileme takibi yapılmamış",
                      "Sözleşme takibi tek kişiye bağlı"],
                     "Yazılım lisanslarının ve sözleşmelerinin bitiş tarihleri izlenmiyor.", "method",
                     "Anketler geçici olarak telefonla yapılmaya başlandı.")

    def document_audit(self, audit: Audit):
        """Reported: the quality chiefdom (audited by the auditor from EKB); its DÖF's actions are
        done and the effectiveness check is due."""
        day = audit.planned_start
        yield day
        audit = self.start(audit, AUDITOR2, day)
        findings = self.answer(audit, AUDITOR2, day, [
            Answer(6, AnswerResult.NONCONFORMING, "4982 sayılı Kanunun yönetmelik değişikliği dış kaynaklı doküman "
                                                  "listesine işlenmemiş.", FindingKind.MINOR),
        ])
        nc = self.count_nonconformity(findings[6])
        yield day + timedelta(days=2)
        self.sign_off(audit, AUDITOR2, day + timedelta(days=2),
                      "Doküman kontrolü portal üzerinden etkin yürütülüyor. Dış kaynaklı dokümanların güncelliğinde "
                      "bir küçük uygunsuzluk bulundu.")
        yield day + timedelta(days=4)
        nc = self.analyse(nc, day + timedelta(days=4), "kalite.sefi",
                          ["Değişiklik listeye işlenmemiş", "Resmî Gazete takibi düzenli yapılmıyor"],
                          "Dış kaynaklı doküman değişikliklerinin takibi için sorumlu ve sıklık belirlenmemiş.",
                          "method", "Yönetmelik değişikliği listeye işlendi.")
        action = self.add_action(nc, day + timedelta(days=4), "kalite.sefi",
                                 "Resmî Gazete haftalık taranacak; sorumlu görevlendirme yazısı yayımlanacak.",
                                 "kalite.sefi", day + timedelta(days=14))
        self.plan_actions(nc, day + timedelta(days=4), "kalite.sefi", self.ago(2))
        yield day + timedelta(days=12)
        self.complete(action, day + timedelta(days=12), "kalite.sefi",
                      "Görevlendirme yazısı yayımlandı; haftalık tarama kayıtları tutuluyor.")

    def social_media_audit(self, audit: Audit):
        """In progress past its planned end: half the questions answered, the report not signed off."""
        day = audit.planned_start
        yield day
        audit = self.start(audit, AUDITOR, day)
        self.answer(audit, AUDITOR, day, [
            Answer(3, AnswerResult.OBSERVATION, "X üzerinden gelen başvurularda vatandaşa başvuru numarası "
                                                "iletilmiyor.", unit="SMB"),
        ], upto=5)

    # --- DÖFs raised outside audits ------------------------------------------------------------------

    def suggestion_untriaged(self):
        """Open, waiting for the management representative's triage."""
        yield self.ago(2)
        self.raise_nc(self.ago(2), source=Source.STAFF_SUGGESTION, unit="KSB", raised_by="personel",
                      title="Karşılama bankosundaki sıra numaratörü sık arızalanıyor",
                      description="Son iki haftada numaratör dört kez durdu; vatandaşlar sırayı elle takip etmek "
                                  "zorunda kaldı ve bekleme şikâyetleri arttı.")

    def complaint_waiting_for_cause(self):
        """Open and triaged three weeks ago: the unit has not recorded its root cause."""
        yield self.ago(21)
        nc = self.raise_nc(self.ago(21), source=Source.CITIZEN_COMPLAINT, unit="ALO153", raised_by="personel",
                           clause=("ISO 10002", "7.8"), title="Geri arama sözü verilen vatandaş aranmadı",
                           description="ALO 153'te geri dönüş sözü verilen vatandaş aranmamış; vatandaş üç gün sonra "
                                       "tekrar aramak zorunda kalmış ve şikâyetçi olmuştur.")
        if nc is None:
            return
        yield self.ago(19)
        self.triage(nc, self.ago(19))

    def kpi_breach_verified(self):
        """Verified effective, waiting for closure."""
        yield self.ago(100)
        nc = self.raise_nc(self.ago(100), source=Source.KPI_BREACH, unit="CİMER", raised_by=MR,
                           severity=Severity.MAJOR, clause=("ISO 10002", "4.15"),
                           title="Bilgi edinme başvurularında 15 iş günü süresi aşıldı",
                           description="Bir ay içinde 4982 sayılı Kanun kapsamındaki başvuruların %12'si yasal süre "
                                       "içinde cevaplanmadı (hedef: %0).")
        if nc is None:
            return
        yield self.ago(99)
        self.triage(nc, self.ago(99))
        yield self.ago(95)
        nc = self.analyse(nc, self.ago(95), "cimer.sorumlusu",
                          ["Süre aşıldı", "Birimlerden cevap geç geldi", "Ara hatırlatma yapılmıyor"],
                          "Birimlere süre dolmadan önce hatırlatma yapılmıyor.", "method")
        action = self.add_action(nc, self.ago(95), "cimer.sorumlusu",
                                 "Süresi dolmasına 5 iş günü kalan başvurular için birimlere otomatik hatırlatma "
                                 "gönderilecek.", "murat.polat", self.ago(70))
        self.plan_actions(nc, self.ago(95), "cimer.sorumlusu", self.ago(40))
        yield self.ago(72)
        self.complete(action, self.ago(72), "murat.polat", "Hatırlatma raporu her sabah birimlere gönderiliyor.")
        yield self.ago(38)
        self.check(nc, self.ago(38), AUDITOR, True, "Son iki ayda süresi aşan bilgi edinme başvurusu olmadı.")

    def call_qa_rejected(self):
        """Rejected at triage."""
        yield self.ago(45)
        nc = self.raise_nc(self.ago(45), source=Source.CALL_QA, unit="ALO153", raised_by="kalite.degerlendirici",
                           title="Temsilcinin çağrıda kişisel bilgi paylaştığı değerlendirmesi",
                           description="Değerlendirilen bir kayıtta temsilcinin başka bir başvurunun adresini okuduğu "
                                       "değerlendirildi.")
        if nc is None:
            return
        yield self.ago(43)
        self.triage(nc, self.ago(43), accept=False,
                    reason="Kayıt yeniden dinlendi: okunan adres arayanın kendi adresi; uygunsuzluk değil.")

    def field_check_reopened(self):
        """Found ineffective and reopened: its second cycle's action is planned."""
        yield self.ago(75)
        nc = self.raise_nc(self.ago(75), source=Source.FIELD_CHECK, unit="KSB", raised_by="cozum.sefi",
                           clause=("ISO 10002", "7.9"),
                           title="Kapatılan başvurularda sorunun yerinde çözülmediği görüldü",
                           description="Yerinde tespit ekibi kapatılmış 20 başvurudan 6'sında sorunun sürdüğünü "
                                       "tespit etti (çukur, sokak lambası, konteyner).")
        if nc is None:
            return
        yield self.ago(74)
        self.triage(nc, self.ago(74))
        yield self.ago(70)
        nc = self.analyse(nc, self.ago(70), "cozum.sefi",
                          ["Başvurular çözülmeden kapatılmış", "Birim cevabı yeterli sayılmış",
                           "Cevapta fotoğraf istenmiyor"],
                          "Birim cevaplarının doğrulanması için kanıt (fotoğraf) istenmiyor.", "method")
        action = self.add_action(nc, self.ago(70), "cozum.sefi",
                                 "Altyapı başvurularında birimden fotoğraflı cevap istenecek.", "personel",
                                 self.ago(50))
        self.plan_actions(nc, self.ago(70), "cozum.sefi", self.ago(30))
        yield self.ago(52)
        self.complete(action, self.ago(52), "personel", "Cevap kontrol listesine fotoğraf şartı eklendi.")
        yield self.ago(25)
        self.check(nc, self.ago(25), AUDITOR2, False,
                   "Yeni yerinde tespitte 15 başvurudan 4'ünde sorun sürüyor; fotoğraflar eski tarihli.")
        yield self.ago(20)
        nc = self.analyse(nc, self.ago(20), "cozum.sefi",
                          ["Başvurular çözülmeden kapatılmış", "Fotoğrafın tarihi kontrol edilmiyor",
                           "Birimlerle ortak doğrulama kuralı yok"],
                          "Cevapların doğrulanması birimin beyanına dayanıyor; bağımsız örnekleme yapılmıyor.",
                          "measurement")
        self.add_action(nc, self.ago(20), "cozum.sefi",
                        "Kapatılan altyapı başvurularının %10'u her hafta yerinde tespitle örneklenecek.",
                        "personel", self.today + timedelta(days=20))
        yield self.ago(19)
        self.plan_actions(nc, self.ago(19), "cozum.sefi", self.today + timedelta(days=60))


def run(*, stdout=None) -> None:
    """Load the demo audits and DÖFs (idempotent; `manage.py seed_demo` calls it)."""
    with transaction.atomic(), no_mail_on_commit():
        seeder = _Seeder(stdout)
        new_checklists = seeder.seed_checklists()
        seeder.run_lives(seeder.lives())
    if stdout is not None:
        stdout.write(
            f"  {ChecklistTemplate.objects.count()} kontrol listesi ({new_checklists} yeni), "
            f"{Audit.objects.count()} tetkik ({seeder.new_audits} yeni), "
            f"{Nonconformity.objects.count()} DÖF ({seeder.new_nonconformities} yeni)"
        )
