"""Demo contact centre: teams and their leads, the QA lead and five evaluators, an agent profile for
every call-centre agent, the last 91 days of `QMS_CALL_DEMO_CALLS` calls (kpi.callqa.demo_data)
imported through THE call import (kpi.callqa.ingest), and the QA work of those months done through
the QA services: the standard scorecard (version 1 used for the oldest month, version 2 with one
more criterion since), monthly samples (`QMS_CALLQA_DEMO_PER_AGENT` calls an agent), evaluations
submitted with realistic marks, agents' acknowledgements, open and decided disputes, the coaching
tasks weak scores open, a closed calibration session and an open one. This month's sample is
partly scored, so the evaluators have a queue — among it a call of the demo agent
`cagri.temsilcisi` for `kalite.degerlendirici`.

Idempotent: calls are numbered by their place in the window and the import upserts by id (a second
run the same day finds every row unchanged); people, teams and agents are created when missing; a
month already sampled is left as it is; the calibration sessions are made once.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from kpi.callqa import calibration, coaching, sampling, scoring, services
from kpi.callqa.demo_data import assign_shifts, generate_calls, quarter_until, write_csv
from kpi.callqa.ingest import import_file
from kpi.callqa.models import (
    Agent,
    CalibrationSession,
    Call,
    CallImportRun,
    CoachingTask,
    Criterion,
    CriticalScope,
    Dispute,
    Evaluation,
    EvaluationStatus,
    Outcome,
    SamplingRun,
    Scorecard,
    ScorecardSection,
    ScoringType,
    Team,
)
from qms.mail import no_mail_on_commit
from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role

DEMO_FILENAME = "demo-cagrilar.csv"
SCORECARD_KEY = "standart"
DEMO_AGENT = "cagri.temsilcisi"
DEMO_EVALUATOR = "kalite.degerlendirici"
QA_LEAD = "kalite.sorumlusu"  # qms.seed.DEMO_USERS
FIRST_TEAM_LEAD = "takim.lideri"  # qms.seed.DEMO_USERS: leads the demo agent's team

# username, first name, last name, role, unit code, title
PEOPLE = [
    ("degerlendirici.2", "Gökçe", "Ateş", Role.QA_EVALUATOR, "ÇMPK", "Kalite Değerlendirme Uzmanı"),
    ("degerlendirici.3", "Tamer", "Kurtoğlu", Role.QA_EVALUATOR, "ÇMPK", "Kalite Değerlendirme Uzmanı"),
    ("degerlendirici.4", "Nilüfer", "Şen", Role.QA_EVALUATOR, "ÇMPK", "Kalite Değerlendirme Uzmanı"),
    ("degerlendirici.5", "Ercan", "Yıldırım", Role.QA_EVALUATOR, "ÇMPK", "Kalite Değerlendirme Uzmanı"),
    ("takim.lideri.2", "Bülent", "Çınar", Role.TEAM_LEAD, "ALO153", "Takım Lideri"),
    ("takim.lideri.3", "Arzu", "Ekinci", Role.TEAM_LEAD, "ALO153", "Takım Lideri"),
    ("takim.lideri.4", "Cihan", "Özbek", Role.TEAM_LEAD, "ALO153", "Takım Lideri"),
]
# team name, lead's username, the shift its agents work
TEAMS = [
    ("Sabah Takımı 1", FIRST_TEAM_LEAD, "sabah"),
    ("Sabah Takımı 2", "takim.lideri.2", "sabah"),
    ("Akşam Takımı", "takim.lideri.3", "akşam"),
    ("Gece Takımı", "takim.lideri.4", "gece"),
]

# Version 1 of the standard scorecard: (section, [(criterion, guidance, weight, scoring, N, N/A, critical)])
SCORECARD = [
    ("Açılış", [
        ("Kurumsal karşılama yapıldı", "“Alo 153, ben …, nasıl yardımcı olabilirim?” kalıbı eksiksiz kullanılır.",
         1, ScoringType.YES_NO, 1, False, ""),
        ("KVKK kimlik doğrulaması ve aydınlatma yapıldı", "Kişisel veri alınmadan önce aydınlatma metni okunur.",
         2, ScoringType.YES_NO, 1, False, CriticalScope.SECTION),
    ]),
    ("Dinleme ve çözüm", [
        ("Talep doğru anlaşıldı ve teyit edildi", "Vatandaşın talebi kendi cümleleriyle özetlenip teyit alınır.",
         2, ScoringType.SCALE, 4, False, ""),
        ("Doğru ve eksiksiz bilgi verildi", "Bilgi bankasındaki güncel bilgi kullanılır; tahmin yürütülmez.",
         3, ScoringType.SCALE, 4, False, ""),
        ("Başvuru doğru birime ve kategoriye kaydedildi", "HİM kaydı doğru kategori ve birimle açılır.",
         2, ScoringType.YES_NO, 1, True, ""),
    ]),
    ("İletişim", [
        ("Nezaket, empati ve ses tonu", "", 1, ScoringType.SCALE, 2, False, ""),
        ("Bekletme kurallarına uyuldu", "Bekletmeden önce izin istenir, 60 saniyede bir bilgi verilir.",
         1, ScoringType.YES_NO, 1, True, ""),
        ("Hakaret, azarlama veya uygunsuz ifade yok", "", 1, ScoringType.YES_NO, 1, False, CriticalScope.EVALUATION),
    ]),
    ("Kapanış", [
        ("Başvuru numarası ve yanıt süresi bildirildi", "3, 7 veya 30 günlük süre vatandaşa söylenir.",
         1, ScoringType.YES_NO, 1, True, ""),
    ]),
]
V2_CRITERION = ("Kapanış", "Ek bir ihtiyaç olup olmadığı soruldu", "", 1, ScoringType.YES_NO, 1, False, "")

FEEDBACK = [
    "Karşılama ve kapanış kalıplarını eksiksiz kullandınız; vatandaş yönlendirmelerinizi rahatça takip etti.",
    "Bilgi doğru verildi ancak talep özetlenip teyit alınmadan kayıt açıldı.",
    "Ses tonunuz sakin ve güven vericiydi; bekletme öncesi izin istemeyi unutmayın.",
    "Kayıt doğru birime açıldı; yanıt süresinin bildirilmesi atlandı.",
    "Yoğun bir çağrıda sabırlı ve çözüm odaklıydınız.",
]
SUGGESTIONS = [
    "Bilgi bankasındaki su kesintisi duyurularını vardiya başında gözden geçirin.",
    "Kapanışta başvuru numarasını ve 3/7/30 günlük süreyi mutlaka söyleyin.",
    "Aktif dinleme eğitimindeki özetleme tekniğini uygulayın.",
    "Bekletme süresi uzadığında 60 saniyede bir vatandaşı bilgilendirin.",
]
DISPUTE_REASONS = [
    "Kimlik doğrulamasını çağrının başında yaptım; kayıtta 0:40'ta duyuluyor.",
    "Vatandaş ek ihtiyaç sorusundan önce telefonu kapattı.",
    "Kategori seçimi bilgi bankasındaki güncel yönergeye uygundu.",
]


def _people() -> dict[str, object]:
    """The QA people, created when missing (one password hash for all). Returns users by username."""
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
    missing = [p for p in PEOPLE if p[0] not in existing]
    if missing:
        hashed = make_password(settings.QMS_DEMO_PASSWORD)
        units = {u.code: u for u in Unit.objects.filter(code__in={p[4] for p in missing})}
        groups = {g.name: g for g in Group.objects.all()}
        for username, first, last, role, unit, title in missing:
            user = User.objects.create(username=username, first_name=first, last_name=last, password=hashed,
                                       email=f"{username}@example.org")
            user.groups.add(groups[ROLES[role].group_name])
            StaffProfile.objects.create(user=user, unit=units[unit], title=title, hire_date=dt.date(2020, 2, 3))
            existing[username] = user
    for username in (QA_LEAD, FIRST_TEAM_LEAD, DEMO_EVALUATOR, DEMO_AGENT):
        found = User.objects.filter(username=username).first()
        if found is not None:
            existing[username] = found
    return existing


def _agents(people) -> list[Agent]:
    """An agent profile for every active agent at ALO 153 (code T + registry number, else T0 + order),
    on the shifts of demo_data, in the teams of their shift."""
    profiles = list(StaffProfile.objects.filter(
        user__groups__name=ROLES[Role.AGENT].group_name, unit__code="ALO153", is_active=True, user__is_active=True,
    ).select_related("user").order_by("registry_no", "user__username").distinct())
    codes = []
    without = 0
    for profile in profiles:
        if profile.registry_no:
            codes.append(f"T{profile.registry_no}")
        else:
            without += 1
            codes.append(f"T0{without:04d}")
    shifts = dict(assign_shifts(codes))
    if DEMO_AGENT in {p.user.username for p in profiles}:  # the demo agent works mornings, in team 1
        index = [p.user.username for p in profiles].index(DEMO_AGENT)
        shifts[codes[index]] = "sabah"
    teams = {}
    for name, lead, shift in TEAMS:
        team, _ = Team.objects.get_or_create(name=name, defaults={"lead": people.get(lead)})
        teams.setdefault(shift, []).append(team)
    existing = {a.staff_id: a for a in Agent.objects.filter(staff__in=profiles)}
    agents = []
    morning = 0
    for profile, code in zip(profiles, codes, strict=True):
        agent = existing.get(profile.pk)
        if agent is None:
            shift = shifts[code]
            options = teams[shift]
            if shift == "sabah":
                team = options[0] if profile.user.username == DEMO_AGENT else options[morning % len(options)]
                morning += 1
            else:
                team = options[0]
            agent = Agent.objects.create(code=code, staff=profile, team=team, shift=shift)
        agents.append(agent)
    return agents


def _first_version(by) -> Scorecard:
    """Version 1 of the standard scorecard (created and activated when missing)."""
    first = Scorecard.objects.filter(key=SCORECARD_KEY, version=1).first()
    if first is None:
        first = Scorecard.objects.create(
            key=SCORECARD_KEY, name="Standart Çağrı Değerlendirme Formu", pass_score=Decimal("70"), created_by=by,
            description="ALO 153 gelen çağrıları için ISO 18295-1 ve ISO 10002 gereklerine göre hazırlanmıştır.")
        for order, (title, criteria) in enumerate(SCORECARD, start=1):
            section = ScorecardSection.objects.create(scorecard=first, order=order, title=title)
            for position, (text, guidance, weight, kind, top, na, critical) in enumerate(criteria, start=1):
                Criterion.objects.create(section=section, order=position, text=text, guidance=guidance, weight=weight,
                                         scoring=kind, scale_max=top, allow_na=na, critical=critical)
        scoring.activate(first)
    return first


def _second_version(first: Scorecard, by) -> Scorecard:
    second = Scorecard.objects.filter(key=SCORECARD_KEY, version=2).first()
    if second is None:
        second = scoring.new_version(first, user=by)
        title, text, guidance, weight, kind, top, na, critical = V2_CRITERION
        section = second.sections.get(title=title)
        Criterion.objects.create(section=section, order=section.criteria.count() + 1, text=text, guidance=guidance,
                                 weight=weight, scoring=kind, scale_max=top, allow_na=na, critical=critical)
        scoring.activate(second)
    return second


def _marks(rng: random.Random, criteria, quality: float) -> dict:
    marks = {}
    for criterion in criteria:
        if criterion.allow_na and rng.random() < 0.08:
            marks[criterion.pk] = scoring.Mark(None, True)
        elif criterion.critical:
            fail = rng.random() < (0.01 if criterion.critical == CriticalScope.EVALUATION else 0.04) * (2 - quality)
            marks[criterion.pk] = scoring.Mark(0 if fail else 1)
        elif criterion.scoring == ScoringType.YES_NO:
            marks[criterion.pk] = scoring.Mark(1 if rng.random() < quality else 0)
        else:
            value = round(criterion.scale_max * min(1.0, max(0.0, rng.gauss(quality, 0.18))))
            marks[criterion.pk] = scoring.Mark(value)
    return marks


def _score_all(evaluations, rng, qualities, *, share=1.0) -> int:
    """Submit (a share of) the evaluations with generated marks, by their evaluators."""
    done = 0
    criteria_of = {}
    for evaluation in evaluations:
        if rng.random() > share:
            continue
        criteria = criteria_of.get(evaluation.scorecard_id)
        if criteria is None:
            criteria = criteria_of[evaluation.scorecard_id] = scoring.criteria_of(evaluation.scorecard)
        marks = _marks(rng, criteria, qualities.get(evaluation.agent_id, 0.85))
        weak = [c for c in criteria if not marks[c.pk].na and marks[c.pk].value is not None
                and marks[c.pk].value < c.max_score]
        comments = {weak[0].pk: "Kayıtta bu adım eksik kaldı."} if weak and rng.random() < 0.5 else {}
        services.submit(evaluation, marks, comments, rng.choice(FEEDBACK), rng.choice(SUGGESTIONS),
                        by=evaluation.evaluator)
        done += 1
    return done


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _backdate(month: dt.date, rng: random.Random) -> None:
    """Submitted evaluations of a past month get a submission time in the first days after it, as if
    scored then (the services stamp "now"); their answers follow two days later."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    for evaluation in Evaluation.objects.filter(month=month, session__isnull=True, status=EvaluationStatus.SUBMITTED):
        moment = timezone.make_aware(dt.datetime.combine(following + dt.timedelta(days=rng.randrange(5)),
                                                         dt.time(9 + rng.randrange(8), rng.randrange(60))))
        responded = moment + dt.timedelta(days=2) if evaluation.responded_at else None
        Evaluation.objects.filter(pk=evaluation.pk).update(submitted_at=moment, responded_at=responded)


def seed_calls(count: int, agents: list[Agent], *, today: dt.date):
    first, last = quarter_until(today)
    handle, path = tempfile.mkstemp(prefix="qms-demo-calls-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            write_csv(out, generate_calls(count, start=first, end=last, agents=[(a.code, a.shift) for a in agents]))
        with open(path, "rb") as data:
            result = import_file(data, DEMO_FILENAME, source=CallImportRun.Source.COMMAND,
                                 max_bytes=settings.QMS_KPI_IMPORT_COMMAND_MAX_BYTES)
    finally:
        os.unlink(path)
    if not result.committed:
        problems = "; ".join(f"{e.line}/{e.column}: {e.message}" for e in result.errors[:5])
        raise RuntimeError(f"The demo calls did not import: {problems}")
    return result


def seed_qa(people, agents: list[Agent], *, today: dt.date) -> dict[str, int]:
    """The months' samples and evaluations, answers, disputes, calibration (see the module's text)."""
    figures = {"evaluations": 0, "disputes": 0, "sessions": 0}
    qa_lead = people.get(QA_LEAD)
    if qa_lead is None or not agents:
        return figures
    rng = random.Random(18295)  # noqa: S311 - a repeatable demo, not a secret
    qualities = {a.pk: (rng.uniform(0.45, 0.62) if i % 17 == 5 else rng.uniform(0.72, 0.97))
                 for i, a in enumerate(agents)}
    evaluators = sampling.default_evaluators()
    first = _first_version(qa_lead)
    per_agent = settings.QMS_CALLQA_DEMO_PER_AGENT
    window_first, window_last = quarter_until(today)
    months = _months(window_first, window_last)
    for index, month in enumerate(months):
        current = month == today.replace(day=1)
        card = first if index == 0 else _second_version(first, qa_lead)
        if SamplingRun.objects.filter(month=month).exists():
            continue
        run = sampling.draw(month, per_agent=per_agent, seed=20260000 + month.year * 100 + month.month,
                            scorecard=card, evaluators=evaluators, by=qa_lead, today=today)
        drawn = list(run.evaluations.select_related("scorecard", "agent").order_by("pk"))
        figures["evaluations"] += _score_all(drawn, rng, qualities, share=0.5 if current else 1.0)
        if not current:
            recent = index == len(months) - 2  # the latest whole month: scored lately, answers still open
            _answer(drawn, rng, today=today, recent=recent)
            if not recent:
                _backdate(month, rng)
    _demo_agent_queue(people, today=today)
    figures["disputes"] = Dispute.objects.count()
    figures["sessions"] = _calibration(people, evaluators, rng, today=today)
    _coaching(people, rng)
    return figures


def _answer(evaluations, rng, *, today, recent: bool) -> None:
    """Agents acknowledge most evaluations; in the latest whole month some dispute (two decided, the rest
    open) and some have not answered yet."""
    disputes = 0
    for evaluation in evaluations:
        evaluation.refresh_from_db()
        if evaluation.status != EvaluationStatus.SUBMITTED or evaluation.agent.staff_id is None:
            continue
        user = evaluation.agent.staff.user
        if recent and disputes < 4 and evaluation.score is not None and evaluation.score < 80:
            services.dispute(evaluation, DISPUTE_REASONS[disputes % len(DISPUTE_REASONS)], by=user, today=today)
            disputes += 1
        elif not recent or rng.random() < 0.7:
            services.acknowledge(evaluation, by=user, today=today)
    lead = get_user_model().objects.get(username=QA_LEAD)
    for position, dispute in enumerate(Dispute.objects.filter(status=Dispute.Status.OPEN).order_by("pk")[:2]):
        if position == 0:
            services.decide_dispute(dispute, upheld=True, by=lead,
                                    note="Kayıt dinlendi; aydınlatma metni okunmadan kişisel veri alınmış.")
        else:
            evaluation = dispute.evaluation
            marks = {s.criterion_id: scoring.Mark(s.value, s.na) for s in evaluation.scores.all()}
            for criterion in scoring.criteria_of(evaluation.scorecard):
                mark = marks[criterion.pk]
                if not mark.na and mark.value is not None and mark.value < criterion.max_score:
                    marks[criterion.pk] = scoring.Mark(criterion.max_score)
                    break
            services.decide_dispute(dispute, upheld=False, marks=marks, by=lead,
                                    note="İtiraz yerinde: ilgili adım kayıtta yer alıyor, puan düzeltildi.")


def _demo_agent_queue(people, *, today: dt.date) -> None:
    """A call of the demo agent waiting in the demo evaluator's queue (the e2e journey scores it)."""
    evaluator, user = people.get(DEMO_EVALUATOR), people.get(DEMO_AGENT)
    if evaluator is None or user is None:
        return
    agent = Agent.objects.filter(staff__user=user).first()
    if agent is None or Evaluation.objects.filter(agent=agent, evaluator=evaluator,
                                                  status=EvaluationStatus.ASSIGNED).exists():
        return
    call = (Call.objects.filter(agent=agent, outcome=Outcome.ANSWERED, offered_on__gte=today.replace(day=1))
            .exclude(evaluations__isnull=False).order_by("-offered_at").first()
            or Call.objects.filter(agent=agent, outcome=Outcome.ANSWERED).exclude(evaluations__isnull=False)
            .order_by("-offered_at").first())
    card = Scorecard.objects.filter(key=SCORECARD_KEY, status=Scorecard.Status.ACTIVE).first()
    if call is not None and card is not None:
        services.assign(call, evaluator, card, by=get_user_model().objects.get(username=QA_LEAD))


def _calibration(people, evaluators, rng, *, today: dt.date) -> int:
    """A closed session last month (every evaluator scored; one strays) and an open one this month."""
    if CalibrationSession.objects.exists():
        return CalibrationSession.objects.count()
    lead = people[QA_LEAD]
    card = Scorecard.objects.get(key=SCORECARD_KEY, status=Scorecard.Status.ACTIVE)
    others = [e for e in evaluators if e.pk != lead.pk]
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    made = 0
    for title, month, closed in (("Aylık kalibrasyon — geçen ay", last_month, True),
                                 ("Aylık kalibrasyon — bu ay", today.replace(day=1), False)):
        call = (Call.objects.filter(offered_on__gte=month, offered_on__lt=month + dt.timedelta(days=27),
                                    outcome=Outcome.ANSWERED, agent__isnull=False, talk_seconds__gte=240)
                .exclude(agent__staff__user__in=[lead, *others]).order_by("offered_at").first())
        if call is None:
            continue
        session = calibration.create_session(call=call, scorecard=card, lead=lead, evaluators=others, title=title,
                                             held_on=min(today, month + dt.timedelta(days=20)), by=lead)
        criteria = scoring.criteria_of(card)
        reference = _marks(random.Random(7), criteria, 0.85)  # noqa: S311 - a repeatable demo
        for position, evaluation in enumerate(session.evaluations.order_by("pk")):
            if not closed and position >= 3:
                break
            marks = dict(reference)
            for criterion in criteria:  # each evaluator differs a little; the fourth a lot
                if rng.random() < (0.6 if position == 4 else 0.15) and criterion.scoring == ScoringType.SCALE:
                    marks[criterion.pk] = scoring.Mark(max(0, criterion.scale_max - 2))
            services.submit(evaluation, marks, {}, "Kalibrasyon değerlendirmesi.", "", by=evaluation.evaluator)
        if closed:
            calibration.close_session(session, by=lead)
        made += 1
    return made


def _coaching(people, rng) -> None:
    """Team leads have done the older coaching tasks, with a note."""
    for task in CoachingTask.objects.filter(status=CoachingTask.Status.OPEN).select_related("agent__team")[::2]:
        owner = task.owner or people.get(QA_LEAD)
        if owner is not None and task.evaluation.month < timezone.localdate().replace(day=1):
            coaching.complete(task, "Kayıt birlikte dinlendi; eksik adımlar üzerinde çalışıldı.", owner)


def run(*, stdout=None, today: dt.date | None = None) -> None:
    """Load the demo contact centre (idempotent; `manage.py seed_demo` calls it)."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    with no_mail_on_commit():
        people = _people()
        agents = _agents(people)
        result = seed_calls(settings.QMS_CALL_DEMO_CALLS, agents, today=today)
        with transaction.atomic():
            figures = seed_qa(people, agents, today=today)
    if stdout is not None:
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        stdout.write(
            f"  {_n(result.rows)} çağrı (son 91 gün; {_n(result.created)} yeni), {len(agents)} temsilci, "
            f"{Team.objects.count()} takım, {_n(Evaluation.objects.filter(session__isnull=True).count())} "
            f"değerlendirme, {figures['disputes']} itiraz, {figures['sessions']} kalibrasyon oturumu — {seconds} sn"
        )


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")
