"""Demo data of the core: organisation (seed 001, MADDE 4), one user per role, portal pages."""

from __future__ import annotations

from datetime import date

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
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@example.org", password, first_name="Sistem", last_name="Yöneticisi"
        )
    stdout.write(f"  {len(DEMO_USERS) + len(MORE_STAFF)} demo kullanıcısı (parola: {password})")


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
