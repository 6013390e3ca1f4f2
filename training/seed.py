"""Demo training records: the course catalogue of seed 001/000, last year's and this year's approved
annual plans and next year's draft, sessions with realistic attendance (some absent or excused),
evaluation forms, test scores, certificates, the managers' effectiveness evaluations, an attendance
correction, training requests in every state, and new hires with and without their orientation.

Everything goes through `training.services` as the people who would do it (the coordinator keeps
the catalogue, plans, records attendance and finalises; the management representative approves the
plan; participants fill their forms; managers evaluate effectiveness), so the audit log and the
rules are those of real use. The history is then dated back: each step runs inside `BackdatingClock.at()`,
which moves what the step stamped with "now" to the moment it stands for. Dates are relative to
today, so the matrix always shows completed, expiring, expired and due courses, the orientation
page one person past the deadline, and the dashboard pending evaluations and reviews.

Who attends what (the groups below) is chosen so the competence matrix tells a story an auditor
recognises: the office staff are compliant, the 2021 intake of ALO 153 agents is compliant with
KVKK expiring soon, the 2023 intake let KVKK and fire/first-aid training expire, and a KVKK
refresher for all agents is planned a few days from now (a 60-person session, like last
month's ALO 153 standards training, which is finalised with its certificates).

Idempotent: a course is found by its code, a plan by its year; the history (sessions, requests)
is made only when none of the demo courses has a session yet. `manage.py seed_demo` twice changes
nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from qms.models import Unit
from qms.roles import ROLES, Role
from qms.seed import CALL_CENTRE_AGENTS, NEW_HIRES, BackdatingClock
from training import services
from training.models import (
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Certificate,
    Course,
    EffectivenessReview,
    Evaluation,
    PlanItem,
    PlanState,
    Session,
    TrainerKind,
    TrainingPlan,
    TrainingRequest,
)

COORDINATOR = "egitim.koordinatoru"
MR = "yonetim.temsilcisi"

HALL = "Eğitim Salonu (Hizmet Binası, 3. kat)"
CALL_CENTRE_ROOM = "ALO 153 Toplantı Salonu"
CONFERENCE = "Konferans Salonu (Kültürpark)"
FIRE_SCHOOL = "İtfaiye Eğitim Merkezi"


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: str
    description: str
    hours: str
    mandatory: bool = False
    orientation: bool = False
    validity: int | None = None
    per_year: int = 0
    roles: tuple[Role, ...] = ()
    units: tuple[str, ...] = ()
    trainer: str = ""  # username of the internal trainer
    external: str = ""  # the external trainer or company
    documents: tuple[str, ...] = ()  # titles of controlled documents (documents/seed.py), when there


COURSES = [
    CourseSpec("ORY-01", "Oryantasyon Eğitimi",
               "Kurumun yapısı, Halkla İlişkiler Şube Müdürlüğünün görevleri, başvuru süreci (HİM programı), "
               "kalite politikası, iş sağlığı ve güvenliği ile çalışma kuralları. Her yeni personel işe "
               "başladığı ilk 30 gün içinde alır.",
               "6", mandatory=True, orientation=True, trainer=COORDINATOR,
               documents=("Eğitim Prosedürü", "Kalite Politikası")),
    CourseSpec("KYS-01", "Kalite Yönetim Sistemi Eğitimi",
               "ISO 10002 ve ISO 18295-1 gereklilikleri, kalite politikası ve hedefleri, dokümanların kullanımı, "
               "DÖF süreci. Tüm personele yılda en az 3 oturumla verilir; tamamlayanlara sertifika düzenlenir.",
               "3", mandatory=True, validity=12, per_year=3, trainer="kalite.sefi",
               documents=("Kalite El Kitabı", "Düzeltici ve Önleyici Faaliyetler Prosedürü")),
    CourseSpec("KVKK-01", "KVKK Farkındalık Eğitimi",
               "6698 sayılı Kişisel Verilerin Korunması Kanunu: aydınlatma yükümlülüğü, gizli başvurular, "
               "kişisel veri içeren raporların paylaşımı. Her yıl yenilenir.",
               "2", mandatory=True, validity=12, external="Hukuk Müşavirliği – Av. Canan Özdemir",
               documents=("Kişisel Verilerin Korunması ve Gizlilik Politikası",
                          "6698 sayılı Kişisel Verilerin Korunması Kanunu")),
    CourseSpec("ALO-01", "ALO 153 Çağrı Karşılama Standartları",
               "Karşılama ve kapanış anonsları, doğru bilgi ve yönlendirme, kayıt doğruluğu (imla, konu, birim), "
               "geri arama sözü ve çağrı kalite kriterleri.",
               "4", mandatory=True, validity=12, roles=(Role.AGENT,), units=("ÇMŞ",), trainer="cmpk.sorumlusu",
               documents=("ALO 153 Çağrı Karşılama ve Kayıt Talimatı", "ALO 153 Çağrı Merkezi Hizmet Standardı")),
    CourseSpec("İLT-01", "Etkili İletişim ve Diksiyon",
               "Ses kullanımı, vurgu ve tonlama, doğru Türkçe, telefonda etkin dinleme.",
               "6", roles=(Role.AGENT,), external="Diksiyon ve Hitabet Akademisi"),
    CourseSpec("ÖFK-01", "Zor Müşteri ile İletişim ve Öfke Yönetimi",
               "Öfkeli arayanla görüşme teknikleri, sakinleştirme ve sınır koyma, stres yönetimi.",
               "4", roles=(Role.AGENT,), external="Psikolog Dr. Levent Aras"),
    CourseSpec("YİY-01", "Yangın ve İlk Yardım Eğitimi",
               "Yangın söndürücü kullanımı, tahliye planı, temel ilk yardım. İki yılda bir yenilenir.",
               "8", mandatory=True, validity=24, external="İtfaiye Dairesi Başkanlığı Eğitim Şube Müdürlüğü"),
    CourseSpec("İTT-01", "İç Tetkikçi Eğitimi (ISO 9001 / ISO 10002)",
               "Tetkik planlama, kontrol listesi hazırlama, bulgu yazma, uygunsuzluk sınıflandırma ve "
               "düzeltici faaliyetlerin doğrulanması (ISO 19011 esaslı).",
               "16", mandatory=True, roles=(Role.INTERNAL_AUDITOR,), external="TSE Akademi",
               documents=("İç Tetkik Prosedürü",)),
    CourseSpec("ÇKD-01", "Çağrı Kayıtlarının Kalite Değerlendirmesi",
               "Çağrı dinleme ve puanlama kriterleri, tarafsız değerlendirme, geri bildirim görüşmesi.",
               "6", mandatory=True, roles=(Role.QA_EVALUATOR,), trainer="cmpk.sorumlusu",
               documents=("Çağrı Dinleme ve Puanlama Talimatı",)),
    CourseSpec("SMY-01", "Sosyal Medyada Başvuru Yanıtlama",
               "Sosyal medyadan gelen başvuruların kaydı, kurumsal dil, kriz anında iletişim.",
               "3", units=("SMŞ",), trainer="sosyal.medya.sefi",
               documents=("Sosyal Medya Başvurularının Kayıt ve Yanıtlama Talimatı",)),
    CourseSpec("İDT-01", "Temel İşaret Dili",
               "İşitme engelli hemşehrilerle karşılama bankosunda temel iletişim.",
               "12", external="Türkiye İşitme Engelliler Derneği"),
]

# The annual plan's lines (course code -> months), the same shape every year.
PLAN_LAYOUT = {
    "ORY-01": (1, 4, 7, 10),
    "KYS-01": (2, 6, 10),
    "KVKK-01": (3, 9),
    "YİY-01": (4,),
    "ALO-01": (5, 11),
    "İLT-01": (9,),
    "ÖFK-01": (6,),
    "İTT-01": (3,),
    "ÇKD-01": (2,),
    "SMY-01": (11,),
}

COMMENTS = [
    "Çok faydalı oldu, örnekler işimize birebir uyuyordu.",
    "Süre biraz kısaydı; uygulama bölümü uzatılabilir.",
    "Eğitmen konuya hâkimdi, sorularımızı sabırla yanıtladı.",
    "Sunum dosyası paylaşılırsa tekrar bakmak isterim.",
    "Salon kalabalıktı, arkadan ekran zor görünüyordu.",
    "Gerçek çağrı örnekleri çok öğreticiydi.",
    "",
    "",
]
REVIEW_COMMENTS = [
    "Çağrı değerlendirme puanlarında belirgin iyileşme var.",
    "Öğrendiklerini günlük işinde uyguluyor.",
    "Kısmen uyguluyor; yoğun saatlerde eski alışkanlıklara dönüyor.",
    "Ekip içi paylaşımda örnek oldu.",
    "",
]


@dataclass
class SessionSpec:
    course: str
    days: int  # relative to today: negative in the past
    people: list  # users invited
    hour: int = 10
    place: str = HALL
    absent: int = 0
    excused: int = 0
    evaluations: float = 0.0  # share of present participants who fill the evaluation form
    scores: bool = False  # pre/post test scores are recorded
    reviews_open: float = 0.0  # share of due effectiveness evaluations left not done
    trainer: str = ""  # overrides the course's trainer (username)
    external: str = ""
    planned: bool = False  # stays planned (future)
    cancel: str = ""  # cancelled with this reason
    note: str = ""
    correction: str = ""  # one absent person corrected to present with this reason
    absent_users: tuple[str, ...] = ()  # usernames marked absent (besides `absent` chosen at random)
    capacity: int = 0
    extra: dict = field(default_factory=dict)


# What the services stamp with "now", moved back by the demo's clock (qms.seed.BackdatingClock).
STAMPS = (
    (TrainingPlan, ("approved_at",)),
    (TrainingRequest, ("created_at", "decided_at")),
    (Session, ("finalised_at",)),
    (Attendance, ("recorded_at",)),
    (AttendanceCorrection, ("corrected_at",)),
    (Certificate, ("issued_at",)),
    (Evaluation, ("submitted_at",)),
    (EffectivenessReview, ("submitted_at",)),
)


def _weekday(day: date) -> date:
    """The day, or the Monday after it when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _Seeder:
    def __init__(self, stdout) -> None:
        self.stdout = stdout
        self.today = timezone.localdate()
        self.clock = BackdatingClock(STAMPS)
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(is_active=True)
                      .select_related("staff_profile__unit").prefetch_related("groups")}
        self.coordinator = self.users[COORDINATOR]
        self.mr = self.users[MR]
        self.courses: dict[str, Course] = {}
        self.plans: dict[int, TrainingPlan] = {}
        self.made_sessions = 0

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    # --- catalogue -------------------------------------------------------------------------------

    def seed_courses(self) -> int:
        from documents.models import Document

        existing = {c.code: c for c in Course.objects.all()}
        groups = {g.name: g for g in Group.objects.all()}
        units = {u.code: u for u in Unit.objects.all()}
        created = 0
        for spec in COURSES:
            course = existing.get(spec.code)
            if course is None:
                # The catalogue may already name another orientation course (a real install): then
                # this one is an ordinary mandatory course.
                orientation = spec.orientation and not Course.objects.filter(is_orientation=True).exists()
                course = Course(
                    code=spec.code, title=spec.title, description=spec.description,
                    duration_hours=Decimal(spec.hours), is_mandatory=spec.mandatory, is_orientation=orientation,
                    validity_months=spec.validity, min_sessions_per_year=spec.per_year,
                    trainer_kind=TrainerKind.EXTERNAL if spec.external else TrainerKind.INTERNAL,
                    external_trainer=spec.external, default_trainer=self.users.get(spec.trainer),
                )
                documents = Document.objects.filter(title__in=spec.documents) if spec.documents else []
                services.course_save(
                    course=course, user=self.coordinator,
                    target_roles=[groups[ROLES[role].group_name] for role in spec.roles],
                    target_units=[units[code] for code in spec.units if code in units],
                    documents=list(documents),
                )
                created += 1
            self.courses[spec.code] = course
        return created

    # --- people ------------------------------------------------------------------------------------

    def people(self):
        """The groups who attend (active staff with a profile, by the demo's story)."""
        new_hires = {row[0] for row in NEW_HIRES}
        agents_2021 = [self.users[u] for u, *_r in CALL_CENTRE_AGENTS if u in self.users and _r[-1].year == 2021]
        agents_2023 = [self.users[u] for u, *_r in CALL_CENTRE_AGENTS if u in self.users and _r[-1].year == 2023]
        agent_group = ROLES[Role.AGENT].group_name
        staff = [u for u in self.users.values() if hasattr(u, "staff_profile") and u.staff_profile.is_active]
        listed = {u.pk for u in agents_2021 + agents_2023}
        older_agents = [u for u in staff if u.pk not in listed and u.username not in new_hires
                        and any(g.name == agent_group for g in u.groups.all())]
        office = [u for u in staff if u.pk not in listed and u.username not in new_hires and u not in older_agents]
        office.sort(key=lambda u: u.username)
        older_agents.sort(key=lambda u: u.username)
        return {
            "office": office,
            "agents_a": older_agents + agents_2021,
            "agents_b": agents_2023,
            "auditors": [self.users[u] for u in ("yonetim.temsilcisi", "kalite.sefi", "ic.tetkikci", "ic.tetkikci2")
                         if u in self.users],
            "qa": [self.users[u] for u in ("kalite.degerlendirici", "cmpk.sorumlusu") if u in self.users],
            "new": {u: self.users[u] for u in new_hires if u in self.users},
        }

    # --- plans -------------------------------------------------------------------------------------

    def seed_plans(self, specs: list[SessionSpec]) -> None:
        """Last year's and this year's plans (approved) and next year's draft. A past month's lines
        are the demo sessions held in it, plus a few that were planned and not held (so the
        realisation is not 100%); this month on, the lines are the usual yearly layout."""
        year, month = self.today.year, self.today.month
        lines: dict[int, set[tuple[str, int]]] = {y: set() for y in (year - 1, year, year + 1)}
        for y in lines:
            for code, months in PLAN_LAYOUT.items():
                lines[y].update((code, m) for m in months if (y, m) >= (year, month))
        for spec in specs:
            when = self.day(spec.days)
            if when.year in lines:
                lines[when.year].add((spec.course, when.month))
        for y, code, m in ((year - 1, "SMY-01", 11), (year - 1, "ÖFK-01", 6), (year, "YİY-01", 4),
                           (year, "SMY-01", 3)):
            if (y, m) < (year, month):
                lines[y].add((code, m))
        for y, wanted in lines.items():
            plan = TrainingPlan.objects.filter(year=y).first()
            if plan is None:
                with self.clock.at(date(y - 1, 11, 20)):
                    plan = services.plan_create(year=y, user=self.coordinator)
                    for code, month in sorted(wanted, key=lambda line: (line[1], line[0])):
                        services.plan_add_item(plan=plan, course=self.courses[code], month=month,
                                               user=self.coordinator)
                if y <= year:
                    with self.clock.at(date(y - 1, 12, 22), 15):
                        services.plan_approve(plan=plan, user=self.mr)
            self.plans[y] = plan

    def plan_item(self, course: str, when: date) -> PlanItem | None:
        plan = self.plans.get(when.year)
        if plan is None:
            return None
        return PlanItem.objects.filter(plan=plan, course=self.courses[course], month=when.month).first()

    # --- sessions ----------------------------------------------------------------------------------

    def specs(self) -> list[SessionSpec]:
        g = self.people()
        new = g["new"]
        specs: list[SessionSpec] = []
        # Orientation of every intake hired before the demo's recent new hires (one session each).
        intakes: dict[date, list] = {}
        for user in g["office"] + g["agents_a"] + g["agents_b"]:
            hired = user.staff_profile.hire_date
            if hired and hired < self.day(-60):
                intakes.setdefault(hired, []).append(user)
        for hired, people in sorted(intakes.items()):
            specs.append(SessionSpec("ORY-01", (_weekday(hired + timedelta(days=7)) - self.today).days, people,
                                     hour=9, external="İnsan Kaynakları ve Eğitim Dairesi Başkanlığı"))
        a, b, office = g["agents_a"], g["agents_b"], g["office"]
        specs += [
            SessionSpec("ÇKD-01", -400, g["qa"], evaluations=1.0),
            SessionSpec("İTT-01", -600, g["auditors"], hour=9, place=CONFERENCE),
            SessionSpec("YİY-01", -760, b, hour=9, place=FIRE_SCHOOL, absent=2, excused=1),
            SessionSpec("YİY-01", -500, office + a, hour=9, place=FIRE_SCHOOL, absent=3, excused=2),
            SessionSpec("KVKK-01", -380, b, absent=2, excused=1, scores=True, evaluations=0.6),
            SessionSpec("KVKK-01", -345, a, place=CALL_CENTRE_ROOM, absent=1, excused=1, scores=True,
                        evaluations=0.7),
            SessionSpec("KYS-01", -300, office, absent=1, excused=1, scores=True, evaluations=0.8),
            SessionSpec("KYS-01", -200, a, place=CALL_CENTRE_ROOM, absent=2, scores=True, evaluations=0.7),
            SessionSpec("İLT-01", -150, a[:20], place=CALL_CENTRE_ROOM, absent=1, evaluations=0.85,
                        reviews_open=0.25),
            SessionSpec("KVKK-01", -100, office, absent=1, excused=1, scores=True, evaluations=0.75,
                        reviews_open=0.3),
            SessionSpec("KYS-01", -90, b, place=CALL_CENTRE_ROOM, absent=1, excused=1, scores=True,
                        evaluations=0.8, reviews_open=0.5),
            SessionSpec("İLT-01", -75, b[:15], place=CALL_CENTRE_ROOM,
                        cancel="Eğitmenin rahatsızlığı nedeniyle ertelendi; yeni tarih eğitmenle belirlenecek."),
            SessionSpec("ALO-01", -60, a + b, hour=14, place=CONFERENCE, absent=5, excused=3, evaluations=0.85,
                        correction="Oturum sonu imza föyünde imzası olduğu görüldü; yoklamada yanlışlıkla "
                                   "yok işaretlenmiş."),
            SessionSpec("ÖFK-01", -45, b[:25], hour=14, place=CALL_CENTRE_ROOM, absent=2, excused=1,
                        evaluations=0.7),
            SessionSpec("ORY-01", -30, [new[u] for u in ("deniz.aktas", "berk.sari", "nazli.gok") if u in new],
                        hour=9, absent=1, absent_users=("deniz.aktas",)),
            SessionSpec("KYS-01", -12, office[:12] + [new[u] for u in ("berk.sari", "nazli.gok") if u in new],
                        absent=1, scores=True, evaluations=0.5),
            # Planned: the KVKK refresher for every agent (the 2023 intake's KVKK has expired) and the
            # orientation of the new hires who have not had it.
            SessionSpec("KVKK-01", 4, a + b + [new[u] for u in ("deniz.aktas", "berk.sari", "cem.ozkan")
                                               if u in new],
                        place=CONFERENCE, planned=True, capacity=80),
            SessionSpec("ORY-01", 8, [new[u] for u in ("deniz.aktas", "cem.ozkan", "irem.yalcin") if u in new],
                        hour=9, planned=True),
        ]
        return specs

    def run_session(self, spec: SessionSpec) -> None:
        course = self.courses[spec.course]
        day = _weekday(self.day(spec.days)) if spec.days < 0 else self.day(spec.days)
        if spec.days < 0 and day >= self.today:  # moved past a weekend into today: keep it in the past
            day = self.day(spec.days)
        starts = timezone.make_aware(datetime.combine(day, time(spec.hour, 30 if spec.hour == 9 else 0)))
        hours = course.duration_hours
        if hours > 8:
            ends = starts + timedelta(days=int(hours // 8) - 1, hours=8)
        else:
            ends = starts + timedelta(hours=float(hours))
        rng = random.Random(f"{spec.course}{spec.days}")  # noqa: S311 - a repeatable demo, not a secret
        # Nobody attends before they were hired.
        people = sorted({u.pk: u for u in spec.people
                         if u.staff_profile.hire_date is None or u.staff_profile.hire_date <= day}.values(),
                        key=lambda u: u.pk)
        trainer = self.users.get(spec.trainer) if spec.trainer else (None if spec.external else course.default_trainer)
        session = Session(
            course=course, plan_item=self.plan_item(spec.course, day), starts_at=starts, ends_at=ends,
            place=spec.place, trainer=trainer,
            external_trainer=spec.external or (course.external_trainer if trainer is None else ""),
            hours=hours, capacity=max(spec.capacity, len(people) + 5, 10), notes=spec.note,
        )
        with self.clock.at(day - timedelta(days=21), 11):
            services.session_save(session=session, user=self.coordinator)
            if people:
                services.session_invite(session=session, people=people, user=self.coordinator)
        self.made_sessions += 1
        if spec.planned:
            return
        if spec.cancel:
            with self.clock.at(day - timedelta(days=2), 16):
                services.session_cancel(session=session, user=self.coordinator, reason=spec.cancel)
            return
        shuffled = people[:]
        rng.shuffle(shuffled)
        shuffled.sort(key=lambda u: u.username not in spec.absent_users)  # stable: the named ones first
        absent = {u.pk for u in shuffled[:spec.absent]}
        excused = {u.pk for u in shuffled[spec.absent:spec.absent + spec.excused]}
        marks = {}
        for user in people:
            if user.pk in absent:
                marks[user.pk] = AttendanceStatus.ABSENT
            elif user.pk in excused:
                marks[user.pk] = AttendanceStatus.EXCUSED
            else:
                marks[user.pk] = AttendanceStatus.PRESENT
        scores = None
        if spec.scores:
            scores = {}
            for pk, status in marks.items():
                if status == AttendanceStatus.PRESENT:
                    pre = rng.randint(40, 75)
                    scores[pk] = (pre, min(100, pre + rng.randint(8, 30)))
        end_day = timezone.localtime(ends).date()
        with self.clock.at(end_day, timezone.localtime(ends).hour, timezone.localtime(ends).minute):
            services.attendance_record(session=session, user=self.coordinator, marks=marks, scores=scores)
            services.session_finalise(session=session, user=self.coordinator)
        if spec.correction and absent:
            row = Attendance.objects.get(session=session, person_id=sorted(absent)[0])
            with self.clock.at(end_day + timedelta(days=2), 9, 15):
                services.attendance_correct(attendance=row, user=self.coordinator, status=AttendanceStatus.PRESENT,
                                            reason=spec.correction)
        present = [u for u in people if Attendance.objects.filter(
            session=session, person=u, status=AttendanceStatus.PRESENT).exists()] if spec.correction else [
            u for u in people if marks[u.pk] == AttendanceStatus.PRESENT]
        self.evaluate(session, present, spec, rng, end_day)
        self.review(session, spec, rng)

    def evaluate(self, session: Session, present: list, spec: SessionSpec, rng: random.Random, end_day: date) -> None:
        if not spec.evaluations:
            return
        count = round(len(present) * spec.evaluations)
        by_day: dict[date, list] = {}
        for user in rng.sample(present, count):
            when = min(end_day + timedelta(days=rng.choice((0, 1, 1, 2, 3, 6))), self.today)
            by_day.setdefault(when, []).append(user)
        for when, users in sorted(by_day.items(), key=lambda item: item[0]):
            with self.clock.at(when, 16, 30):
                for user in users:
                    base = rng.choice((3, 4, 4, 4, 5, 5))
                    services.evaluation_submit(
                        session=session, user=user, content=base,
                        trainer=min(5, max(1, base + rng.choice((0, 0, 1, -1)))),
                        materials=min(5, max(1, base + rng.choice((0, -1, -1, 0)))),
                        usefulness=min(5, max(1, base + rng.choice((0, 0, 1)))),
                        comments=rng.choice(COMMENTS),
                    )

    def review(self, session: Session, spec: SessionSpec, rng: random.Random) -> None:
        """The managers' effectiveness evaluations whose day has come: done, except a share left
        open on recent sessions (so that managers have some to do)."""
        reviews = list(EffectivenessReview.objects.filter(attendance__session=session, due_date__lt=self.today)
                       .select_related("attendance__person").order_by("pk"))
        if not reviews:
            return
        leave = set(rng.sample([r.pk for r in reviews], round(len(reviews) * spec.reviews_open)))
        by_day: dict[date, list] = {}
        for review in reviews:
            if review.pk in leave:
                continue
            when = min(review.due_date + timedelta(days=rng.choice((-3, 0, 2, 5))), self.today - timedelta(days=1))
            by_day.setdefault(when, []).append(review)
        for when, items in sorted(by_day.items(), key=lambda item: item[0]):
            with self.clock.at(when, 15):
                for review in items:
                    reviewer = self.users_by_pk.get(review.reviewer_id) or self.coordinator
                    rating = rng.choice((3, 4, 4, 4, 5, 5))
                    applied = "yes" if rating >= 4 else rng.choice(("partly", "partly", "no"))
                    services.effectiveness_submit(review=review, user=reviewer, rating=rating, applied=applied,
                                                  comments=rng.choice(REVIEW_COMMENTS))

    @property
    def users_by_pk(self):
        if not hasattr(self, "_by_pk"):
            self._by_pk = {u.pk: u for u in self.users.values()}
        return self._by_pk

    # --- requests ----------------------------------------------------------------------------------

    def seed_requests(self) -> None:
        year = self.today.year
        month = self.today.month + 2
        target_plan, target_month = (self.plans[year], month) if month <= 12 else (self.plans[year + 1], month - 12)
        requests = [
            # (requester, course, topic, reason, participants, days ago, decision, decided days ago, note)
            ("birim.yoneticisi", "İLT-01", "", "Yeni başlayan temsilcilerin çağrılarında diksiyon ve vurgu "
             "hataları çağrı kalite puanlarını düşürüyor.", 15, 130, "accept", 120,
             "2023 girişli temsilciler için planlandı."),
            ("personel", "İDT-01", "", "Karşılama bankosuna gelen işitme engelli hemşehrilerle iletişim kuramıyoruz; "
             "her seferinde yakınlarından yardım istiyoruz.", 4, 70, "accept", 62,
             "Karşılama ve Sonuç Birimi için bir oturum planlandı."),
            ("cagri.temsilcisi", None, "Yurt dışı çağrı merkezi fuarına katılım",
             "Sektördeki yeni teknolojileri yerinde görmek istiyoruz.", 2, 90, "decline", 85,
             "Bütçe ve eğitim planı kapsamı dışında; ihtiyaç ALO 153 standartları eğitimiyle karşılanıyor."),
            ("kalite.degerlendirici", None, "Excel ile veri analizi (pivot tablo, grafik)",
             "Aylık temsilci performans raporlarını hazırlarken pivot tablolarda zorlanıyoruz.", 3, 10, "", 0, ""),
            ("selin.acar", None, "Sosyal medyada kriz iletişimi",
             "Afet ve kesinti dönemlerinde gelen yoğun mesajlara kurumsal dille hızlı yanıt vermek için.",
             4, 3, "", 0, ""),
        ]
        for requester, code, topic, reason, participants, ago, decision, decided_ago, note in requests:
            user = self.users.get(requester)
            if user is None:
                continue
            with self.clock.at(self.day(-ago), 10, 20):
                req = services.request_submit(user=user, reason=reason, course=self.courses.get(code) if code else None,
                                              topic=topic, participants=participants)
            if decision == "accept":
                with self.clock.at(self.day(-decided_ago), 14):
                    services.request_accept(request=req, user=self.coordinator, plan=target_plan,
                                            month=target_month, note=note)
            elif decision == "decline":
                with self.clock.at(self.day(-decided_ago), 14):
                    services.request_decline(request=req, user=self.coordinator, reason=note)

    # --- all ----------------------------------------------------------------------------------------

    def seed_history(self) -> bool:
        codes = [spec.code for spec in COURSES]
        if Session.objects.filter(course__code__in=codes).exists():
            return False
        specs = self.specs()
        self.seed_plans(specs)
        for spec in sorted(specs, key=lambda s: s.days):
            self.run_session(spec)
        self.seed_requests()
        return True


def run(*, stdout=None) -> None:
    """Load the demo training records (idempotent; `manage.py seed_demo` calls it)."""
    seeder = _Seeder(stdout)
    if COORDINATOR not in seeder.users or MR not in seeder.users:
        return  # the core's demo people are not there (qms's seed did not run)
    new_courses = seeder.seed_courses()
    made = seeder.seed_history()
    if stdout is not None:
        stdout.write(
            f"  {Course.objects.count()} eğitim ({new_courses} yeni), "
            f"{TrainingPlan.objects.filter(state=PlanState.APPROVED).count()} onaylı eğitim planı, "
            f"{Session.objects.count()} oturum ({seeder.made_sessions if made else 0} yeni), "
            f"{Certificate.objects.count()} sertifika, {Evaluation.objects.count()} değerlendirme formu"
        )

