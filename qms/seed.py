"""Demo data of the core: organisation (seed 001, MADDE 4), one user per role, portal pages."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from qms.models import HomePage, OrganisationSettings, StaffProfile, StandardPage, Unit, UnitKind
from qms.roles import ROLES, Role

# (code, name, kind, children)
ORGANISATION = (
    "BYHİDB", "Basın, Yayın ve Halkla İlişkiler Dairesi Başkanlığı", UnitKind.DEPARTMENT, [
        ("HİŞM", "Halkla İlişkiler Şube Müdürlüğü", UnitKind.BRANCH, [
            ("ÇÖZM", "Çözüm Merkezi Şefliği", UnitKind.CHIEFDOM, [
                ("KSB", "Karşılama ve Sonuç Birimi", UnitKind.UNIT, []),
                ("YTMH", "Yerinde Tespit ve Mobil HİM Birimi", UnitKind.UNIT, []),
                ("EKB", "Eğitim ve Koordinasyon Birimi", UnitKind.UNIT, []),
            ]),
            ("ÇMŞ", "Çağrı Merkezi Şefliği", UnitKind.CHIEFDOM, [
                ("ALO153", "Çağrı Merkezi Birimi (ALO 153)", UnitKind.UNIT, []),
                ("M1T", "Merkez 1 Telsiz Birimi", UnitKind.UNIT, []),
                ("SNT", "Santral Birimi", UnitKind.UNIT, []),
                ("ÇMPK", "Çağrı Merkezi Performans ve Kalite Birimi", UnitKind.UNIT, []),
            ]),
            ("SMŞ", "Sosyal Medya Şefliği", UnitKind.CHIEFDOM, [
                ("SMB", "Sosyal Medya Birimi", UnitKind.UNIT, []),
                ("ONB", "Onay Birimi", UnitKind.UNIT, []),
            ]),
            ("KYRŞ", "Kalite Yönetim ve Raporlama Şefliği", UnitKind.CHIEFDOM, []),
            ("İMİŞ", "İdari ve Mali İşler Şefliği", UnitKind.CHIEFDOM, [
                ("PPÖ", "Puantaj ve Personel Özlük İşleri Birimi", UnitKind.UNIT, []),
                ("İMİ", "İdari ve Mali İşler Birimi", UnitKind.UNIT, []),
                ("YİTM", "Yazı İşleri ve Taşınır Mal Kayıt Birimi", UnitKind.UNIT, []),
            ]),
            ("CİMER", "CİMER ve Bilgi Edinme Birimi", UnitKind.UNIT, []),
        ]),
    ],
)

# The units that answer citizen requests (DOMAIN.md): departments, companies, districts.
ANSWERING_UNITS = [
    ("FEN", "Fen İşleri Dairesi Başkanlığı", UnitKind.DEPARTMENT),
    ("PARK", "Park ve Bahçeler Dairesi Başkanlığı", UnitKind.DEPARTMENT),
    ("ZABITA", "Zabıta Dairesi Başkanlığı", UnitKind.DEPARTMENT),
    ("ATIK", "Atık Yönetimi Dairesi Başkanlığı", UnitKind.DEPARTMENT),
    ("İTFAİYE", "İtfaiye Dairesi Başkanlığı", UnitKind.DEPARTMENT),
    ("ULAŞIM", "Ulaşım Dairesi Başkanlığı", UnitKind.DEPARTMENT),
    ("ESHOT", "ESHOT Genel Müdürlüğü", UnitKind.COMPANY),
    ("İZSU", "İZSU Genel Müdürlüğü", UnitKind.COMPANY),
    ("BORNOVA", "Bornova Belediyesi", UnitKind.DISTRICT),
    ("KARŞIYAKA", "Karşıyaka Belediyesi", UnitKind.DISTRICT),
]

# username, first name, last name, role, unit code, title
DEMO_USERS = [
    ("yonetim.temsilcisi", "Ayşe", "Yıldırım", Role.MANAGEMENT_REPRESENTATIVE, "KYRŞ", "Yönetim Temsilcisi"),
    ("sube.muduru", "Mehmet", "Kaya", Role.TOP_MANAGEMENT, "HİŞM", "Şube Müdürü"),
    ("ic.tetkikci", "Zeynep", "Demir", Role.INTERNAL_AUDITOR, "KYRŞ", "İç Tetkikçi"),
    ("egitim.koordinatoru", "Emre", "Şahin", Role.TRAINING_COORDINATOR, "EKB", "Eğitim Sorumlusu"),
    ("kalite.degerlendirici", "Elif", "Çelik", Role.QA_EVALUATOR, "ÇMPK", "Kalite Değerlendirme Uzmanı"),
    ("cagri.temsilcisi", "Burak", "Öztürk", Role.AGENT, "ALO153", "Çağrı Merkezi Temsilcisi"),
    ("birim.yoneticisi", "Gülşen", "Aydın", Role.UNIT_MANAGER, "ÇMŞ", "Çağrı Merkezi Şefi"),
    ("personel", "İbrahim", "Arslan", Role.STAFF, "KSB", "Memur"),
    ("kalite.sorumlusu", "Nevin", "Karaca", Role.QA_LEAD, "ÇMPK", "Çağrı Kalite Sorumlusu"),
    ("takim.lideri", "Sevda", "Aras", Role.TEAM_LEAD, "ALO153", "Takım Lideri"),
]

# More people, so that lists and unit scoping have something to show.
MORE_STAFF = [
    ("ahmet.yilmaz", "Ahmet", "Yılmaz", Role.AGENT, "ALO153", "Çağrı Merkezi Temsilcisi"),
    ("fatma.kurt", "Fatma", "Kurt", Role.AGENT, "ALO153", "Çağrı Merkezi Temsilcisi"),
    ("hasan.koc", "Hasan", "Koç", Role.STAFF, "SNT", "Santral Memuru"),
    ("selin.acar", "Selin", "Acar", Role.STAFF, "SMB", "Sosyal Medya Uzmanı"),
    ("murat.polat", "Murat", "Polat", Role.STAFF, "CİMER", "Bilgi Edinme Memuru"),
    # A second internal auditor outside KYRŞ, so that the quality chiefdom can be audited too (an
    # auditor never audits their own unit); audits/seed.py uses both.
    ("ic.tetkikci2", "Okan", "Işık", Role.INTERNAL_AUDITOR, "EKB", "İç Tetkikçi"),
    # Chiefs and unit leads: they write their units' controlled documents and review (workflow step 1)
    # those of the units under them; documents/seed.py uses them.
    ("mudur.yardimcisi", "Kemal", "Erdem", Role.UNIT_MANAGER, "HİŞM", "Şube Müdür Yardımcısı"),
    ("kalite.sefi", "Derya", "Aksoy", Role.UNIT_MANAGER, "KYRŞ", "Kalite Yönetim ve Raporlama Şefi"),
    ("cozum.sefi", "Serkan", "Yurt", Role.UNIT_MANAGER, "ÇÖZM", "Çözüm Merkezi Şefi"),
    ("sosyal.medya.sefi", "Okan", "Bulut", Role.UNIT_MANAGER, "SMŞ", "Sosyal Medya Şefi"),
    ("cmpk.sorumlusu", "Pınar", "Güneş", Role.UNIT_MANAGER, "ÇMPK", "Performans ve Kalite Birimi Sorumlusu"),
    ("cimer.sorumlusu", "Hülya", "Tekin", Role.UNIT_MANAGER, "CİMER", "CİMER ve Bilgi Edinme Birimi Sorumlusu"),
]


# The ALO 153 call centre's agents (seed 001: the 7/24 call centre is the department's largest unit),
# so that a training session of 60 people, the competence matrix and the unit scope have a real
# crowd to show. Names are fixed (first name i with surname 7*i mod 60), so every seed gives the
# same people; registry numbers 30001-30060. Two intakes: half hired in 2021, half in 2023.
_AGENT_FIRST_NAMES = (
    "Ayşegül", "Mustafa", "Zehra", "Emre", "Merve", "Onur", "Büşra", "Serkan", "Tuğba", "Yusuf",
    "Esra", "Kadir", "Gamze", "Volkan", "Ebru", "Hakan", "Sevgi", "Caner", "Özlem", "Barış",
    "Songül", "Tolga", "Dilek", "Furkan", "Nurcan", "Erkan", "Sibel", "Uğur", "Hatice", "Cengiz",
    "Melek", "Orhan", "Gizem", "Sinan", "Yasemin", "Koray", "Pelin", "Ramazan", "Aslı", "Gökhan",
    "Şule", "İsmail", "Kübra", "Tarık", "Filiz", "Alper", "Leyla", "Halil", "Canan", "Recep",
    "Duygu", "Levent", "Nesrin", "Emrah", "Seda", "Oğuz", "Hande", "Çağlar", "Ümran", "Yiğit",
)
_AGENT_LAST_NAMES = (
    "Altın", "Bayram", "Coşkun", "Doğan", "Erdoğan", "Güler", "Hoşgör", "Işıklı", "Kahraman", "Karaca",
    "Keskin", "Korkmaz", "Kılıç", "Mutlu", "Önal", "Özer", "Özdemir", "Sarıkaya", "Sevim", "Şimşek",
    "Taş", "Tunç", "Turan", "Uysal", "Ünal", "Vural", "Yavuz", "Yazıcı", "Yıldız", "Zorlu",
    "Akın", "Arıkan", "Aslan", "Avcı", "Başaran", "Bozkurt", "Çakır", "Çetin", "Demirci", "Duman",
    "Eren", "Gündoğdu", "Gürbüz", "Kaplan", "Karakaya", "Kocabaş", "Kurtuluş", "Oral", "Öztürkmen", "Sezer",
    "Soylu", "Tekin", "Toprak", "Türkmen", "Uçar", "Yalın", "Yaman", "Yener", "Yücel", "Zengin",
)
_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâî", "cgiosuCGIOSUai")
AGENT_INTAKES = (date(2021, 9, 6), date(2023, 3, 6))
AGENT_TITLE = "Çağrı Merkezi Temsilcisi"


def _agent_rows() -> list[tuple[str, str, str, str, date]]:
    """(username, first name, last name, registry number, hire date) of the 60 call-centre agents."""
    rows = []
    for i, first in enumerate(_AGENT_FIRST_NAMES):
        last = _AGENT_LAST_NAMES[(7 * i) % len(_AGENT_LAST_NAMES)]
        username = f"{first}.{last}".translate(_ASCII).lower()
        rows.append((username, first, last, f"{30001 + i}", AGENT_INTAKES[i % 2]))
    return rows


CALL_CENTRE_AGENTS = _agent_rows()

# New hires, hired this many days before the demo was first loaded (the date is kept on later
# runs): the orientation follow-up has people who completed it, one past the 30-day deadline and
# two still within their days (training/seed.py records their orientation sessions).
# username, first name, last name, role, unit code, title, registry number, days since hire
NEW_HIRES = [
    ("deniz.aktas", "Deniz", "Aktaş", Role.AGENT, "ALO153", AGENT_TITLE, "31001", 50),
    ("berk.sari", "Berk", "Sarı", Role.AGENT, "ALO153", AGENT_TITLE, "31002", 40),
    ("nazli.gok", "Nazlı", "Gök", Role.STAFF, "KSB", "Halkla İlişkiler Memuru", "31003", 38),
    ("cem.ozkan", "Cem", "Özkan", Role.AGENT, "ALO153", AGENT_TITLE, "31004", 12),
    ("irem.yalcin", "İrem", "Yalçın", Role.STAFF, "YTMH", "Saha Tespit Memuru", "31005", 5),
]

QUALITY_POLICY = (
    "<p>Halkla İlişkiler Şube Müdürlüğü olarak; hemşehrilerimizin talep, şikâyet ve önerilerini "
    "kolay ulaşılabilir kanallardan alır, <b>hızlı, şeffaf, adil ve güvenilir</b> biçimde ilgili "
    "birimlere iletir ve sonuçlandırırız.</p>"
    "<ul><li>Başvuruları 3, 7 ve 30 günlük yanıt sürelerine ve yasal sürelere uyarak sonuçlandırmayı,</li>"
    "<li>ISO 10002 ve ISO 18295-1 standartlarının gereklerini yerine getirmeyi ve sürekli iyileştirmeyi,</li>"
    "<li>Kişisel verileri 6698 sayılı KVKK'ya uygun olarak korumayı,</li>"
    "<li>Personelimizin yetkinliğini planlı eğitimlerle geliştirmeyi</li></ul>"
    "<p>taahhüt ederiz.</p>"
)


def _seed_units(node, parent=None) -> None:
    code, name, kind, children = node
    unit, _ = Unit.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "parent": parent})
    for child in children:
        _seed_units(child, unit)


def _seed_users(stdout) -> None:
    User = get_user_model()
    password = settings.QMS_DEMO_PASSWORD
    hire = date(2019, 3, 1)
    for username, first, last, role, unit_code, title in DEMO_USERS + MORE_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=ROLES[role].group_name))
        StaffProfile.objects.update_or_create(
            user=user, defaults={"unit": Unit.objects.get(code=unit_code), "title": title, "hire_date": hire}
        )
    _seed_more_people(password)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@example.org", password, first_name="Sistem", last_name="Yöneticisi"
        )
    total = len(DEMO_USERS) + len(MORE_STAFF) + len(CALL_CENTRE_AGENTS) + len(NEW_HIRES)
    stdout.write(f"  {total} demo kullanıcısı (parola: {password})")


def _seed_more_people(password: str) -> None:
    """The call-centre agents and the new hires, in a fixed number of queries (bulk): people who
    exist are left as they are, so a re-run changes nothing and a hire date stays what it was."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    User = get_user_model()
    today = timezone.localdate()
    wanted = [(username, first, last, Role.AGENT, "ALO153", AGENT_TITLE, registry, hired)
              for username, first, last, registry, hired in CALL_CENTRE_AGENTS]
    wanted += [(username, first, last, role, unit, title, registry, today - timedelta(days=days))
               for username, first, last, role, unit, title, registry, days in NEW_HIRES]
    existing = set(User.objects.filter(username__in=[row[0] for row in wanted]).values_list("username", flat=True))
    missing = [row for row in wanted if row[0] not in existing]
    if not missing:
        return
    hashed = make_password(password)  # one hash for all: hashing 65 times would take seconds
    User.objects.bulk_create([User(username=username, first_name=first, last_name=last, password=hashed,
                                   email=f"{username}@example.org")
                              for username, first, last, *_rest in missing])
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in missing])}
    groups = {g.name: g for g in Group.objects.filter(name__in=[spec.group_name for spec in ROLES.values()])}
    units = {u.code: u for u in Unit.objects.filter(code__in={row[4] for row in missing})}
    User.groups.through.objects.bulk_create([
        User.groups.through(user_id=users[username].pk, group_id=groups[ROLES[role].group_name].pk)
        for username, _first, _last, role, *_rest in missing
    ])
    StaffProfile.objects.bulk_create([
        StaffProfile(user=users[username], unit=units[unit], title=title, registry_no=registry, hire_date=hired)
        for username, _first, _last, _role, unit, title, registry, hired in missing
    ])


def _seed_pages() -> None:
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Kalite Yönetim Portalı",
            slug="portal",
            intro="Halkla İlişkiler Şube Müdürlüğü kalite yönetim sistemi: ISO 10002 ve ISO 18295-1.",
            quality_policy=QUALITY_POLICY,
            links=[
                ("link", {"title": "Yönetim paneli", "url": "/admin/", "description": "Görevleriniz ve kayıtlarınız"}),
                ("link", {"title": "API belgeleri", "url": "/api/v1/docs", "description": "Entegrasyonlar için"}),
            ],
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name=settings.WAGTAIL_SITE_NAME)
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
        if old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()  # Wagtail's "Welcome to your new Wagtail site!" page
    if not StandardPage.objects.filter(slug="kalite-hedefleri").exists():
        page = StandardPage(
            title="Kalite Hedefleri",
            slug="kalite-hedefleri",
            body=[
                ("heading", "2026 kalite hedefleri"),
                ("paragraph", "<ul><li>Başvuruların %95'i yanıt süresi içinde sonuçlandırılacak.</li>"
                              "<li>ALO 153 hizmet düzeyi: çağrıların %80'i 20 saniye içinde yanıtlanacak.</li>"
                              "<li>Hemşehri memnuniyeti ortalaması 5 üzerinden en az 4,2 olacak.</li>"
                              "<li>Tüm personele yılda en az 3 kez kalite yönetimi eğitimi verilecek.</li></ul>"),
            ],
        )
        home.add_child(instance=page)
        page.save_revision().publish()


def run(*, stdout) -> None:
    _seed_units(ORGANISATION)
    for code, name, kind in ANSWERING_UNITS:
        Unit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": None, "answers_requests": True}
        )
    stdout.write(f"  {Unit.objects.count()} birim")
    org = OrganisationSettings.load()
    org.organisation_name = org.organisation_name or "İzmir Büyükşehir Belediyesi"
    org.save()
    _seed_users(stdout)
    _seed_pages()


class BackdatingClock:
    """Runs a demo step, then moves everything it stamped with "now" back to the moment it stands
    for, so each module's demo history is made through its real services and still reads as a year
    of work. `stamps` lists (model, (field, ...)) pairs the services set to "now"; the audit log's
    timestamp is always moved."""

    def __init__(self, stamps) -> None:
        from wagtail.models import ModelLogEntry

        self.stamps = (*stamps, (ModelLogEntry, ("timestamp",)))

    def moment(self, day: date, hour: int = 10, minute: int = 0):
        from datetime import datetime, time

        from django.utils import timezone

        when = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        return min(when, timezone.now() - timedelta(minutes=1))

    @contextmanager
    def at(self, day: date, hour: int = 10, minute: int = 0):
        from django.db.models import Case, F, Q, Value, When
        from django.utils import timezone

        when = self.moment(day, hour, minute)
        start = timezone.now()
        yield when
        # Queryset .update() on purpose, and only here: the services stamp "now" and no service may
        # rewrite a date; a demo history has to move them back to when each step "happened".
        for model, fields in self.stamps:
            if len(fields) == 1:
                model.objects.filter(**{f"{fields[0]}__gte": start}).update(**{fields[0]: when})
                continue
            touched = Q()
            for name in fields:
                touched |= Q(**{f"{name}__gte": start})
            model.objects.filter(touched).update(**{
                name: Case(When(**{f"{name}__gte": start}, then=Value(when)), default=F(name),
                           output_field=model._meta.get_field(name))
                for name in fields
            })
