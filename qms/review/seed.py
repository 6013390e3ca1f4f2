# ruff: noqa: E501  (demo texts in Turkish, kept one per line)
"""Demo data of the management review: the risk and stakeholder registers, last year's approved
review (its actions partly done, one overdue) and this year's review in preparation.

Everything goes through the services (`qms.review.services`), so the packs hold what the modules
report; the moments are then moved back with `qms.seed.BackdatingClock`. Idempotent: a second run
finds last year's review and adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from qms.mail import no_mail_on_commit
from qms.review import services
from qms.review.models import (
    Action,
    ActionStatus,
    AgendaItemKind,
    Influence,
    RegisterStatus,
    Review,
    Risk,
    RiskKind,
    Stakeholder,
    StakeholderKind,
)
from qms.seed import BackdatingClock

STAMPS = (
    (Review, ("created_at", "submitted_at", "approved_at", "pack_compiled_at")),
    (Action, ("created_at",)),
)

MR = "yonetim.temsilcisi"
CHAIR = "sube.muduru"
INVITED = ("ic.tetkikci", "egitim.koordinatoru", "kalite.sorumlusu", "birim.yoneticisi")

# kind, description, process, likelihood, impact, treatment, owner
RISKS = [
    (RiskKind.RISK, "Kampanya ve afet dönemlerinde ALO 153 çağrı yükünün kapasiteyi aşması; terk edilen çağrıların artması",
     "Çağrı karşılama", 4, 4, "Yoğun saatler için esnek vardiya planı; anons ile geri arama seçeneği.", "birim.yoneticisi"),
    (RiskKind.RISK, "Cevap birimlerinin 3071 sayılı Kanun'daki 30 günlük süreyi aşması",
     "Başvuru sonuçlandırma", 3, 5, "Süresi yaklaşan başvurular için birimlere haftalık hatırlatma; aylık birim karnesi.", MR),
    (RiskKind.RISK, "Çağrı ses kayıtlarına yetkisiz erişim (KVKK ihlali)",
     "Çağrı kalite değerlendirme", 2, 5, "Kayıtlara yalnız nesne yetkisiyle erişim; erişim kaydı; yıllık KVKK eğitimi.", "kalite.sorumlusu"),
    (RiskKind.RISK, "HİM programının kesintiye uğraması nedeniyle başvuruların kayda alınamaması",
     "Başvuru kayıt", 2, 4, "Kesinti formu ile elle kayıt; kesinti sonrası toplu aktarım talimatı.", "birim.yoneticisi"),
    (RiskKind.RISK, "Deneyimli temsilcilerin ayrılması ile bilgi ve yetkinlik kaybı",
     "İnsan kaynakları", 3, 3, "Oryantasyon eğitimi; mentorluk; yetkinlik matrisi takibi.", "egitim.koordinatoru"),
    (RiskKind.RISK, "Başvuruların yanlış birime yönlendirilmesi ve cevap süresinin uzaması",
     "Başvuru yönlendirme", 3, 3, "Yönlendirme rehberinin güncellenmesi; aylık örneklem kontrolü.", MR),
    (RiskKind.OPPORTUNITY, "WhatsApp ve mobil uygulama kanallarının başvuru kaydına bağlanması",
     "Başvuru kayıt", 3, 4, "Kanal entegrasyonu için Bilgi İşlem ile ortak proje.", MR),
    (RiskKind.OPPORTUNITY, "Başvuru sonrası SMS memnuniyet anketinin tüm kanallara yaygınlaştırılması",
     "Vatandaş memnuniyeti", 4, 3, "Anket sorularının sadeleştirilmesi; sonuçların aylık raporlanması.", MR),
]

# name, kind, needs and expectations, influence, how monitored
STAKEHOLDERS = [
    ("Vatandaşlar (hemşehriler)", StakeholderKind.EXTERNAL,
     "Başvurusunun hızlı, doğru ve nazik biçimde sonuçlandırılması; süreç hakkında bilgilendirilme.", Influence.HIGH,
     "Memnuniyet anketleri, şikâyet ve teşekkür başvuruları, çağrı kalite değerlendirmeleri."),
    ("Cevap birimleri (daire başkanlıkları)", StakeholderKind.INTERNAL,
     "Başvuruların doğru ve eksiksiz yönlendirilmesi; süre takibinde destek.", Influence.HIGH,
     "Birim karneleri, süre aşımı raporları, koordinasyon toplantıları."),
    ("İlçe belediyeleri", StakeholderKind.EXTERNAL,
     "Kendi görev alanındaki başvuruların zamanında iletilmesi.", Influence.MEDIUM,
     "Yönlendirilen başvuru sayıları ve cevap süreleri."),
    ("CİMER (Cumhurbaşkanlığı İletişim Merkezi)", StakeholderKind.EXTERNAL,
     "Başvuruların mevzuattaki sürelerde cevaplanması.", Influence.HIGH,
     "CİMER başvurularının 30 günlük süreye uyumu."),
    ("İştirakler (ESHOT, İZSU)", StakeholderKind.EXTERNAL,
     "Ortak hizmet konularında hızlı bilgi akışı.", Influence.MEDIUM,
     "Anlık Çözüm Uygulaması kayıtları, iştirak cevap süreleri."),
    ("Müdürlük çalışanları", StakeholderKind.INTERNAL,
     "Açık iş tanımları, eğitim, adil değerlendirme, uygun çalışma ortamı.", Influence.MEDIUM,
     "Çalışan memnuniyet anketi, eğitim değerlendirme formları, itirazlar."),
    ("Üst yönetim (Başkanlık)", StakeholderKind.INTERNAL,
     "Vatandaş memnuniyetinin artması; raporların zamanında sunulması.", Influence.HIGH,
     "Yönetimin gözden geçirmesi, aylık raporlar."),
]

LAST_YEAR_NARRATIVE = {
    AgendaItemKind.PREVIOUS_ACTIONS: "İlk yönetimin gözden geçirmesi toplantısı olduğundan önceki dönemden açık eylem yoktur.",
    AgendaItemKind.CONTEXT: "Yeni hizmet binasına taşınma tamamlandı; 3071 sayılı Kanun uygulamasına ilişkin genelge birimlere duyuruldu.",
    AgendaItemKind.SATISFACTION: "Memnuniyet ortalaması hedefin üzerinde; şikâyetlerin çoğu cevap süresine ilişkin.",
    AgendaItemKind.REQUEST_KPIS: "Zamanında cevaplama oranı hedefin altında kalan birimler için birim karnesi uygulaması başlatıldı.",
    AgendaItemKind.CONTACT_CENTRE: "Hizmet düzeyi kış aylarında hedefin altına düştü; vardiya planı yeniden düzenlenecek.",
    AgendaItemKind.NONCONFORMITIES: "Açık DÖF'lerin kök neden analizleri tamamlandı; etkinlik doğrulamaları takipte.",
    AgendaItemKind.AUDITS: "İç tetkik programı tamamlandı; belgelendirme tetkikinde büyük uygunsuzluk yok.",
    AgendaItemKind.TRAINING: "Eğitim planının büyük bölümü gerçekleşti; iletişim becerileri eğitimi ertelendi.",
    AgendaItemKind.RESOURCES: "Çağrı merkezinde yoğun saatler için iki temsilci ihtiyacı belirlendi.",
    AgendaItemKind.RISKS: "Risk kaydı gözden geçirildi; çağrı yükü riski yüksek olarak izlenmeye devam edecek.",
    AgendaItemKind.STAKEHOLDERS: "Paydaş analizi güncellendi; CİMER süreleri yakın takipte.",
    AgendaItemKind.DATA_ANALYSIS: "Yıllık veri analizi raporu incelendi; en çok başvuru ulaşım ve temizlik konularında.",
    AgendaItemKind.IMPROVEMENT: "SMS memnuniyet anketinin yaygınlaştırılması iyileştirme fırsatı olarak kabul edildi.",
}

THIS_YEAR_NARRATIVE = {
    AgendaItemKind.PREVIOUS_ACTIONS: "Geçen yılki toplantının eylemlerinden biri süresi geçmiş olarak açıktır.",
    AgendaItemKind.REQUEST_KPIS: "Birim karneleri sonrasında zamanında cevaplama oranı arttı.",
    AgendaItemKind.CONTACT_CENTRE: "Esnek vardiya ile hizmet düzeyi iyileşti; kalite puanları hedefin üzerinde.",
}


def _user(username):
    return get_user_model().objects.get(username=username)


def _seed_registers() -> tuple[int, int]:
    if Risk.objects.exists() or Stakeholder.objects.exists():
        return 0, 0
    today = timezone.localdate()
    for number, (kind, description, process, likelihood, impact, treatment, owner) in enumerate(RISKS):
        Risk.objects.create(
            kind=kind, description=description, process=process, likelihood=likelihood, impact=impact,
            treatment=treatment, owner=_user(owner), review_date=today + dt.timedelta(days=30 + 20 * number),
        )
    mr = _user(MR)
    for name, kind, needs, influence, monitoring in STAKEHOLDERS:
        Stakeholder.objects.create(name=name, kind=kind, needs=needs, influence=influence, monitoring=monitoring,
                                   owner=mr)
    return len(RISKS), len(STAKEHOLDERS)


def _last_year(clock: BackdatingClock, today: dt.date) -> Review:
    """Held about a year ago over the twelve months before it; approved by the chair a week later."""
    mr, chair = _user(MR), _user(CHAIR)
    planned = today - dt.timedelta(days=350)
    period_end = planned.replace(day=1) - dt.timedelta(days=1)
    period_start = period_end.replace(year=period_end.year - 1) + dt.timedelta(days=1)
    with clock.at(planned - dt.timedelta(days=21)):
        review = services.create_review(
            title="Yönetimin Gözden Geçirmesi Toplantısı", planned_date=planned, period_start=period_start,
            period_end=period_end, chair=chair, created_by=mr, location="Müdürlük toplantı salonu",
            invited=[_user(name) for name in INVITED],
        )
    for item in review.items.all():
        item.narrative = LAST_YEAR_NARRATIVE[item.kind]
        item.save(update_fields=["narrative"])
    review.attendees.exclude(user__username="birim.yoneticisi").update(present=True)
    review.held_on = planned
    review.save(update_fields=["held_on"])
    items = {item.kind: item for item in review.items.all()}
    decision = review.decisions.create(
        item=items[AgendaItemKind.CONTACT_CENTRE],
        text="Çağrı merkezinde yoğun saatler için esnek vardiya uygulamasına geçilmesine karar verildi.",
    )
    actions = [
        review.actions.create(item=items[AgendaItemKind.CONTACT_CENTRE], decision=decision,
                              text="Esnek vardiya planını hazırlayıp uygulamaya almak.",
                              owner=_user("birim.yoneticisi"), due=planned + dt.timedelta(days=60)),
        review.actions.create(item=items[AgendaItemKind.TRAINING],
                              text="Ertelenen iletişim becerileri eğitimini ilk çeyrekte gerçekleştirmek.",
                              owner=_user("egitim.koordinatoru"), due=planned + dt.timedelta(days=100)),
        review.actions.create(item=items[AgendaItemKind.IMPROVEMENT],
                              text="SMS memnuniyet anketini tüm başvuru kanallarına yaygınlaştırmak.",
                              owner=mr, due=today - dt.timedelta(days=20)),
    ]
    with clock.at(planned + dt.timedelta(days=2)):
        services.submit(review, user=mr)
    with clock.at(planned + dt.timedelta(days=7)):
        services.approve(review, user=chair)
    with clock.at(planned + dt.timedelta(days=55)):
        services.set_action_status(actions[0], user=_user("birim.yoneticisi"), status=ActionStatus.DONE,
                                   note="Esnek vardiya planı yürürlüğe girdi.", on=planned + dt.timedelta(days=55))
    with clock.at(planned + dt.timedelta(days=95)):
        services.set_action_status(actions[1], user=_user("egitim.koordinatoru"), status=ActionStatus.DONE,
                                   note="Eğitim 3 oturumda tamamlandı.", on=planned + dt.timedelta(days=95))
    return review


def _registers_change_since(last: Review) -> None:
    """What moved since last year's review, so this year's pack has changes to show."""
    load = Risk.objects.filter(process="Çağrı karşılama").first()
    if load:
        load.likelihood = 2  # the flexible shifts worked
        load.effectiveness = "Esnek vardiya sonrası terk oranı düştü."
        load.save()
    outage = Risk.objects.filter(process="Başvuru kayıt", kind=RiskKind.RISK).first()
    if outage:
        outage.status = RegisterStatus.CLOSED
        outage.effectiveness = "Yedekli sunucuya geçildi; dönemde kesinti olmadı."
        outage.save()
    Risk.objects.create(
        kind=RiskKind.RISK, description="Yapay zekâ destekli yanıt önerilerinin yanlış bilgi vermesi",
        process="Başvuru sonuçlandırma", likelihood=2, impact=4,
        treatment="Önerilerin temsilci onayı olmadan gönderilmemesi; aylık örneklem kontrolü.",
        owner=_user(MR), review_date=timezone.localdate() + dt.timedelta(days=90),
    )
    districts = Stakeholder.objects.filter(name__startswith="İlçe").first()
    if districts:
        districts.influence = Influence.HIGH
        districts.save()


def _this_year(last: Review, today: dt.date) -> Review:
    mr, chair = _user(MR), _user(CHAIR)
    period_start = last.period_end + dt.timedelta(days=1)
    period_end = today.replace(day=1) - dt.timedelta(days=1)
    review = services.create_review(
        title="Yönetimin Gözden Geçirmesi Toplantısı", planned_date=today + dt.timedelta(days=14),
        period_start=period_start, period_end=period_end, chair=chair, created_by=mr,
        location="Müdürlük toplantı salonu", invited=[_user(name) for name in INVITED],
    )
    for item in review.items.filter(kind__in=THIS_YEAR_NARRATIVE):
        item.narrative = THIS_YEAR_NARRATIVE[item.kind]
        item.save(update_fields=["narrative"])
    return review


def run(*, stdout=None, today: dt.date | None = None) -> None:
    """Load the registers and the two reviews (idempotent; `manage.py seed_demo` calls it)."""
    today = today or timezone.localdate()
    with transaction.atomic(), no_mail_on_commit():
        risks, stakeholders = _seed_registers()
        new_reviews = 0
        if not Review.objects.exists():
            last = _last_year(BackdatingClock(STAMPS), today)
            _registers_change_since(last)
            _this_year(last, today)
            new_reviews = 2
    if stdout is not None:
        stdout.write(
            f"  {Review.objects.count()} yönetimin gözden geçirmesi ({new_reviews} yeni), "
            f"{Risk.objects.count()} risk/fırsat ({risks} yeni), {Stakeholder.objects.count()} paydaş "
            f"({stakeholders} yeni)"
        )
