"""Demo controlled documents: the register of a certified PR branch, with a believable history.

About thirty documents of all nine types, owned by the units that would own them, each driven through
the real services and the real approval workflow (draft -> submit -> unit manager's review ->
management representative's approval; the author never approves). Then the history is dated back
(`_backdate`): the workflow approves "now", so the timestamps of each step are moved to when it
"happened" (revision 00 two or three years ago, 01 a year later ...), which also makes a few
documents overdue for their periodic review and a few due within the month.

Idempotent: a document is identified by its title and owning unit; a demo document that exists is
left as it is, so a second run creates nothing.
"""

from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from xml.sax.saxutils import escape as xml_escape

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Q
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision, TaskState, WorkflowState

from documents.models import (
    Confidentiality,
    Document,
    DocumentAcknowledgement,
    DocumentFile,
    DocumentKind,
    DocumentReview,
    DocumentRevision,
    DocumentType,
    ReviewOutcome,
    today,
)
from documents.services import (
    acknowledgement_confirm,
    add_months,
    document_create_draft,
    document_draft_revision,
    document_file_store,
    document_review_record,
    document_submit,
    document_withdraw,
)
from qms.models import Unit
from qms.roles import ROLES, Role

APPROVER = "yonetim.temsilcisi"  # the management representative approves every revision (step 2)


@dataclass(frozen=True)
class Rev:
    """One revision of a demo document. Exactly one of `approved`, `submitted`, `drafted` is set:
    approved that many days ago; in review (submitted that many days ago, the unit manager's step
    done, awaiting the management representative); or a draft still being written."""

    summary: str
    approved: int | None = None
    submitted: int | None = None
    drafted: int | None = None
    add: tuple = ()  # blocks this revision adds to the body
    effective_in: int | None = None  # approved, but in force only this many days from today
    read_by_roles: tuple[Role, ...] = ()
    read_by_units: tuple[str, ...] = ()
    confirmed_by: tuple[str, ...] = ()  # usernames who have confirmed reading it
    file: str = ""  # "pdf" or "docx": a file generated for this revision


@dataclass(frozen=True)
class Doc:
    kind: str
    unit: str
    title: str
    author: str
    reviewer: str  # a unit manager whose units include `unit` (workflow step 1)
    body: tuple
    revisions: tuple[Rev, ...]
    audience_roles: tuple[Role, ...] = ()  # set: the document is restricted
    audience_units: tuple[str, ...] = ()
    review: tuple[int, str] | None = None  # periodic review "no change": days ago, note
    withdrawal: tuple[int, str] | None = None  # days ago, reason
    review_interval_months: int | None = None


def h(text: str) -> tuple:
    return ("heading", text)


def p(html: str) -> tuple:
    return ("paragraph", html if html.startswith("<") else f"<p>{html}</p>")


def ul(*items: str) -> tuple:
    return ("paragraph", "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")


def note(text: str) -> tuple:
    return ("note", text)


ALL_STAFF = (Role.STAFF, Role.AGENT, Role.QA_EVALUATOR, Role.UNIT_MANAGER, Role.TRAINING_COORDINATOR)

K = DocumentKind

DOCUMENTS: tuple[Doc, ...] = (
    # --- quality manual and policies --------------------------------------------------------------
    Doc(
        K.QUALITY_MANUAL, "KYRŞ", "Kalite El Kitabı", "kalite.sefi", "mudur.yardimcisi",
        (
            h("1. Amaç ve kapsam"),
            p("Bu el kitabı, Halkla İlişkiler Şube Müdürlüğünün <b>TS ISO 10002</b> (Müşteri memnuniyeti – "
              "Şikâyetlerin ele alınması) ve <b>ISO 18295-1:2017</b> (Müşteri temas merkezleri) standartlarına "
              "göre kurduğu kalite yönetim sistemini tanımlar. Kapsam: hemşehri talep, şikâyet ve önerilerinin "
              "tüm kanallardan alınması, ilgili birimlere yönlendirilmesi, sonuçlandırılması ve ALO 153 çağrı "
              "merkezi hizmetleridir."),
            h("2. Kuruluş ve sorumluluklar"),
            p("Kalite yönetim sisteminin sahibi Yönetim Temsilcisidir. Sistemi oluşturan tüm dokümanları "
              "listelemek, bir nüshasını muhafaza etmek ve revizyonlarını takip etmek Kalite Yönetim ve "
              "Raporlama Şefliğinin görevidir."),
            h("3. Süreçler"),
            ul("Başvuru kabul, yönlendirme ve sonuçlandırma",
               "Çağrı merkezi hizmetleri ve çağrı kalite değerlendirmesi",
               "Hemşehri memnuniyetinin ölçülmesi ve yerinde tespit",
               "Eğitim, iç tetkik, düzeltici ve önleyici faaliyetler, yönetim gözden geçirmesi"),
        ),
        (
            Rev("İlk yayın", approved=1020),
            Rev("TS ISO 10002:2018 sürümüne geçildi; süreç etkileşim tablosu eklendi.", approved=640,
                add=(h("4. Süreç etkileşimi"),
                     p("Başvuru süreci; çağrı merkezi, sosyal medya, CİMER ve yerinde tespit süreçlerinden "
                       "girdi alır, sonuçları memnuniyet ölçümüne ve veri analizine çıktı verir."))),
            Rev("2025 Çalışma Usul ve Esasları Yönergesine göre teşkilat güncellendi; Sosyal Medya Şefliği ve "
                "Onay Birimi kapsama alındı.", approved=230, read_by_roles=(Role.UNIT_MANAGER,),
                confirmed_by=("birim.yoneticisi", "cozum.sefi", "kalite.sefi", "mudur.yardimcisi"),
                add=(note("Teşkilat: Çözüm Merkezi, Çağrı Merkezi, Sosyal Medya, Kalite Yönetim ve Raporlama, "
                          "İdari ve Mali İşler şeflikleri ile CİMER ve Bilgi Edinme Birimi."),)),
        ),
    ),
    Doc(
        K.POLICY, "HİŞM", "Kalite Politikası", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Kalite politikamız"),
            p("Halkla İlişkiler Şube Müdürlüğü olarak; hemşehrilerimizin talep, şikâyet ve önerilerini kolay "
              "ulaşılabilir kanallardan alır, <b>hızlı, şeffaf, adil ve güvenilir</b> biçimde ilgili birimlere "
              "iletir ve sonuçlandırırız."),
            ul("Başvuruları 3, 7 ve 30 günlük yanıt sürelerine ve yasal sürelere uyarak sonuçlandırmayı,",
               "ISO 10002 ve ISO 18295-1 standartlarının gereklerini yerine getirmeyi ve sürekli iyileştirmeyi,",
               "Personelimizin yetkinliğini planlı eğitimlerle geliştirmeyi taahhüt ederiz."),
        ),
        (
            Rev("İlk yayın", approved=1010),
            Rev("Kişisel verilerin 6698 sayılı KVKK'ya uygun korunması taahhüdü eklendi.", approved=410,
                read_by_roles=ALL_STAFF,
                confirmed_by=("cagri.temsilcisi", "personel", "ahmet.yilmaz", "hasan.koc", "selin.acar"),
                add=(ul("Kişisel verileri 6698 sayılı Kişisel Verilerin Korunması Kanunu'na uygun olarak "
                        "korumayı taahhüt ederiz."),)),
        ),
        review=(40, "Politika yönetim gözden geçirmesinde değerlendirildi; değişiklik gerekmiyor."),
    ),
    Doc(
        K.POLICY, "HİŞM", "Kişisel Verilerin Korunması ve Gizlilik Politikası", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Amaç"),
            p("Başvuru, çağrı kaydı ve değerlendirme süreçlerinde işlenen kişisel verilerin 6698 sayılı Kanun'a "
              "uygun olarak işlenmesini ve korunmasını sağlamak."),
            h("İlkeler"),
            ul("Kişisel veri içeren raporlar yöneticinin bilgisi dışında paylaşılmaz.",
               "Gizlilik talep eden başvurular, başvuru sahibinin kimlik bilgileri gizlenerek yönlendirilir.",
               "Çağrı kalite değerlendirmeleri gizlilik esasına göre yürütülür; sonuçlar yalnızca ilgili "
               "personel ve yöneticisiyle paylaşılır."),
        ),
        (
            Rev("İlk yayın", approved=700),
            Rev("Çağrı ses kayıtlarının saklama süresi 2 yıl olarak belirlendi; aydınlatma metni bağlantısı "
                "eklendi.", approved=95, read_by_roles=ALL_STAFF,
                confirmed_by=("ahmet.yilmaz", "hasan.koc", "kalite.degerlendirici", "birim.yoneticisi"),
                add=(h("Saklama süreleri"),
                     p("Çağrı ses kayıtları 2 yıl, başvuru kayıtları HİM programında mevzuatta öngörülen süre "
                       "boyunca saklanır; süresi dolan kayıtlar imha tutanağıyla silinir."),
                     note("Aydınlatma metni, ALO 153 karşılama anonsunda ve web sitesinde yayımlanır."))),
        ),
    ),
    # --- procedures -------------------------------------------------------------------------------
    Doc(
        K.PROCEDURE, "KYRŞ", "Doküman ve Kayıtların Kontrolü Prosedürü", "kalite.sefi", "mudur.yardimcisi",
        (
            h("1. Amaç"),
            p("Kalite yönetim sistemi dokümanlarının hazırlanması, onaylanması, dağıtımı, revizyonu ve "
              "yürürlükten kaldırılması ile kayıtların saklanmasına ilişkin kuralları belirlemek."),
            h("2. Uygulama"),
            ul("Doküman kodu; doküman türü, birim kodu ve sıra numarasından oluşur (örnek: PR-KYRŞ-001).",
               "Her revizyon, değişiklik özeti yazılarak birim yöneticisi incelemesinden ve Yönetim "
               "Temsilcisi onayından geçer; hazırlayan kişi onaylayamaz.",
               "Dokümanlar yılda en az bir kez gözden geçirilir."),
        ),
        (
            Rev("İlk yayın", approved=1000),
            Rev("Dış kaynaklı dokümanların takibi eklendi.", approved=590,
                add=(p("Dış kaynaklı dokümanlar (kanunlar, standartlar) Dış Kaynaklı Dokümanlar Listesi ile "
                       "takip edilir; güncel sürümleri yılda bir kontrol edilir."),)),
            Rev("Dokümanlar kalite portalına taşındı; elektronik onay iş akışı ve okuma onayı eklendi.",
                approved=175, read_by_roles=(Role.UNIT_MANAGER,),
                confirmed_by=("birim.yoneticisi", "cozum.sefi", "sosyal.medya.sefi", "cmpk.sorumlusu"),
                add=(h("3. Kalite portalı"),
                     p("Yürürlükteki revizyon yalnızca portaldan okunur; basılı nüshalar kontrolsüz kopyadır. "
                       "Okuması istenen personel, portalda okuduğunu onaylar."))),
        ),
    ),
    Doc(
        K.PROCEDURE, "KSB", "Başvuru Kabul, Yönlendirme ve Sonuçlandırma Prosedürü", "cozum.sefi",
        "mudur.yardimcisi",
        (
            h("1. Amaç ve kapsam"),
            p("Hemşehrilerden tüm kanallarla gelen talep, şikâyet ve önerilerin kayda alınması, ilgili birime "
              "yönlendirilmesi, yanıtın kontrolü ve başvuru sahibine bildirilmesi."),
            h("2. Akış"),
            ul("Başvuru HİM programına kaydedilir; şahsen ve e-posta başvurularında kabul bildirimi iletilir.",
               "Onay ekibi imla, yazım ve doğru birim kontrolünü yapar; uygun olmayan kayıt personele iade edilir.",
               "Birimden gelen yanıt kontrol edilir; uygun yanıt başvuru sahibine SMS, e-posta, telefon veya "
               "posta ile bildirilir, uygun olmayan yanıt birime reddedilir.",
               "Sonuçlanan başvuru için memnuniyet anketi bağlantısı gönderilir."),
        ),
        (
            Rev("İlk yayın", approved=990),
            Rev("3, 7 ve 30 günlük yanıt süreleri ve 'Programa Alındı' durumu eklendi.", approved=560,
                add=(h("3. Yanıt süreleri"),
                     ul("Birimin sorumluluk alanı dışındaki başvurular: en geç 3 gün",
                        "Hızlı aksiyonla sonuçlanabilen başvurular: en geç 7 gün",
                        "İnceleme ve işlem gerektiren başvurular: en geç 30 gün",
                        "30 günde bitirilemeyen proje nitelikli işler: gerekçeli termin tarihiyle "
                        "'Programa Alındı'"))),
            Rev("WhatsApp hattı ve mobil uygulama kanalları eklendi; ara bilgi paylaşımı tanımlandı.",
                approved=70, read_by_units=("ÇÖZM", "ÇMŞ"),
                confirmed_by=("cagri.temsilcisi", "ahmet.yilmaz", "hasan.koc"),
                add=(note("Birimlerin HİM programına girdiği ara bilgiler başvuru sahibiyle paylaşılır."),)),
        ),
    ),
    Doc(
        K.PROCEDURE, "KYRŞ", "Düzeltici ve Önleyici Faaliyetler Prosedürü", "kalite.sefi", "mudur.yardimcisi",
        (
            h("1. Amaç"),
            p("Uygunsuzlukların ve olası uygunsuzlukların nedenlerini ortadan kaldırmak için düzeltici ve "
              "önleyici faaliyetlerin (DÖF) başlatılması, izlenmesi ve kapatılması."),
            h("2. Uygulama"),
            ul("İş süreciyle ilgili ihtiyaç gören her birim DÖF Formunu doldurur ve Yönetim Temsilcisine iletir.",
               "Kalite Yönetim ve Raporlama Şefliği faaliyetleri termin tarihine kadar takip eder.",
               "Faaliyetin etkinliği doğrulanmadan DÖF kapatılmaz."),
        ),
        (
            Rev("İlk yayın", approved=980),
            Rev("DÖF numaralandırması ve kök neden analizi (5 Neden) eklendi.", approved=385,
                add=(p("Kök neden, <b>5 Neden</b> yöntemiyle belirlenir ve forma yazılır."),)),
        ),
    ),
    Doc(
        K.PROCEDURE, "KYRŞ", "İç Tetkik Prosedürü", "kalite.sefi", "mudur.yardimcisi",
        (
            h("1. Amaç"),
            p("Kalite yönetim sisteminin standartlara ve kendi kurallarına uygunluğunu planlı iç tetkiklerle "
              "doğrulamak."),
            h("2. Uygulama"),
            ul("Yıllık İç Tetkik Planı her yıl Ocak ayında hazırlanır; her süreç yılda en az bir kez tetkik edilir.",
               "Tetkikçi kendi birimini tetkik edemez.",
               "Bulgular tetkik raporuna yazılır; uygunsuzluklar için DÖF açılır ve kapanana kadar izlenir."),
        ),
        (
            Rev("İlk yayın", approved=970),
            Rev("İç tetkikçi yetkinlik şartları eklendi.", approved=347,
                add=(p("İç tetkikçiler ISO 10002 ve ISO 18295-1 iç tetkikçi eğitimini tamamlamış personelden "
                       "seçilir."),)),
        ),
    ),
    Doc(
        K.PROCEDURE, "KYRŞ", "Yönetim Gözden Geçirme Prosedürü", "kalite.sefi", "mudur.yardimcisi",
        (
            h("1. Amaç"),
            p("Kalite yönetim sisteminin sürekli uygunluğunu, yeterliliğini ve etkinliğini üst yönetimle "
              "birlikte değerlendirmek."),
            h("2. Gündem"),
            ul("Risk analizi, paydaş analizi ve veri analizi sonuçları",
               "Başvuru ve çağrı merkezi performansı, hemşehri memnuniyeti anket sonuçları",
               "İç ve dış tetkik sonuçları, DÖF'lerin durumu, önceki toplantı kararları"),
            note("Toplantı yılda en az bir kez, Üst Yönetim Temsilcisinin katılımıyla yapılır."),
        ),
        (
            Rev("İlk yayın", approved=960),
            Rev("Birim karneleri ve kriz raporları gündeme eklendi.", approved=400),
        ),
    ),
    Doc(
        K.PROCEDURE, "EKB", "Eğitim Prosedürü", "egitim.koordinatoru", "cozum.sefi",
        (
            h("1. Amaç"),
            p("Personelin ve birim HİM kullanıcılarının eğitim ihtiyaçlarını belirlemek, yıllık eğitim planını "
              "hazırlamak ve eğitimlerin kaydını tutmak."),
            h("2. Uygulama"),
            ul("İşe yeni başlayan her personele oryantasyon eğitimi verilir.",
               "Eğitim talepleri Eğitim Talep Formu ile toplanır, yılda en az bir kez değerlendirilir.",
               "Eğitimler tutanakla kayda alınır; katılımcılar Eğitim Değerlendirme Formu doldurur."),
        ),
        (
            Rev("İlk yayın", approved=900),
            Rev("Kalite yönetimi eğitiminin yılda en az 3 kez tekrarlanması ve katılım sertifikası şartı eklendi.",
                approved=343),
        ),
    ),
    Doc(
        K.PROCEDURE, "ÇMŞ", "Çağrı Merkezi Yönetim Prosedürü", "birim.yoneticisi", "mudur.yardimcisi",
        (
            h("1. Amaç ve kapsam"),
            p("ALO 153 çağrı merkezinin resmi tatiller dahil 7 gün 24 saat kesintisiz hizmet vermesi, çağrıların "
              "karşılanması, kayda alınması ve raporlanması."),
            h("2. Uygulama"),
            ul("Vardiya planı aylık hazırlanır; her vardiyada bir vardiya amiri bulunur.",
               "Çağrı merkezi günlük, haftalık, aylık ve yıllık raporları hazırlanır ve sunulur.",
               "Can ve mal kaybı riski olan başvurular Anlık Çözüm Uygulaması üzerinden iletilir."),
        ),
        (
            Rev("İlk yayın", approved=950),
            Rev("Hizmet düzeyi ve ilk çağrıda çözüm göstergeleri eklendi.", approved=380,
                add=(h("3. Göstergeler"),
                     ul("Hizmet düzeyi (20 saniyede yanıtlanan çağrı oranı)", "Terk edilen çağrı oranı",
                        "İlk çağrıda çözüm oranı"))),
            Rev("ISO 18295-1 gözetim tetkiki bulgusu üzerine hizmet düzeyi hedefi %80/20 sn olarak güncellendi.",
                submitted=5,
                add=(note("Hedef: çağrıların %80'i 20 saniye içinde yanıtlanır."),)),
        ),
    ),
    Doc(
        K.PROCEDURE, "CİMER", "CİMER ve Bilgi Edinme Başvurularının Yönetimi Prosedürü", "cimer.sorumlusu",
        "mudur.yardimcisi",
        (
            h("1. Amaç"),
            p("CİMER ve 4982 sayılı Kanun kapsamındaki bilgi edinme başvurularının yasal süresi içinde "
              "sonuçlandırılması."),
            h("2. Süreler"),
            ul("Dilekçe (3071): en geç 30 gün içinde cevap verilir.",
               "Bilgi edinme (4982): 15 iş günü; başka birimden görüş gerekirse gerekçesi bildirilerek 30 iş günü.",
               "CİMER başvuruları, niteliğine göre ilgili kanundaki sürelere tabidir."),
        ),
        (
            Rev("İlk yayın", approved=800),
            Rev("Süre uzatımı bildirimi ve iş günü hesabı (hafta sonu ve resmi tatiller) netleştirildi.",
                approved=260),
        ),
    ),
    Doc(
        K.PROCEDURE, "KYRŞ", "Hemşehri Memnuniyetinin Ölçülmesi Prosedürü", "kalite.sefi", "mudur.yardimcisi",
        (
            h("1. Amaç"),
            p("Sonuçlanan başvurularda hemşehri memnuniyetini ölçmek ve sonuçları iyileştirmeye kullanmak."),
            h("2. Uygulama"),
            ul("Sonuçlanan başvurulara anket bağlantısı gönderilir.",
               "Anket ekibi her ay örneklem seçerek telefonla anket yapar.",
               "Sonuçlar aylık raporlanır, yıllık veri analizi raporunda değerlendirilir."),
        ),
        (
            Rev("İlk yayın", approved=420),
            Rev("Anket bağlantısının SMS ile gönderilmesi ve yerinde tespit sonuçlarının ankete eklenmesi.",
                drafted=3),
        ),
    ),
    # --- work instructions ------------------------------------------------------------------------
    Doc(
        K.WORK_INSTRUCTION, "ALO153", "ALO 153 Çağrı Karşılama ve Kayıt Talimatı", "birim.yoneticisi",
        "mudur.yardimcisi",
        (
            h("Karşılama"),
            p("Çağrı, kurumsal karşılama cümlesiyle ve temsilcinin adıyla karşılanır: "
              "<i>“İzmir Büyükşehir Belediyesi, ben ..., size nasıl yardımcı olabilirim?”</i>"),
            h("Kayıt"),
            ul("Hemşehri sicili kontrol edilir; mükerrer sicil ve mükerrer başvuru açılmaz.",
               "Başvuru konusu akıl kutusundan yararlanılarak doğru birime yönlendirilir.",
               "Başvuru numarası hemşehriye iletilir."),
        ),
        (
            Rev("İlk yayın", approved=940),
            Rev("Can ve mal kaybı riskli çağrılarda Merkez 1 Telsiz Birimine aktarım adımı eklendi.", approved=500,
                add=(note("Can ve mal kaybı riski varsa çağrı kaydı açılır ve hemen Merkez 1 Telsiz Birimine "
                          "aktarılır."),)),
            Rev("Karşılama anonsu ve KVKK aydınlatma bilgisi güncellendi.", approved=40,
                read_by_units=("ÇMŞ",), confirmed_by=("ahmet.yilmaz", "hasan.koc"),
                add=(p("Çağrı başında kayıt ve aydınlatma anonsu dinletilir; hemşehri isterse aydınlatma "
                       "metninin web adresi iletilir."),)),
        ),
    ),
    Doc(
        K.WORK_INSTRUCTION, "ÇMPK", "Çağrı Dinleme ve Puanlama Talimatı", "cmpk.sorumlusu", "birim.yoneticisi",
        (
            h("Amaç"),
            p("Çağrı merkezi görüşme kayıtlarının kalite kriterlerine göre objektif ve tutarlı biçimde "
              "puanlanması."),
            h("Kriterler ve ağırlıklar"),
            ul("Karşılama ve kapanış: %15", "Doğru bilgi ve doğru yönlendirme: %35", "İletişim ve üslup: %25",
               "Kayıt doğruluğu (imla, konu, birim): %25"),
            note("Değerlendirmeler gizlidir; sonuçlar yalnızca ilgili temsilci ve yöneticisiyle paylaşılır."),
        ),
        (
            Rev("İlk yayın", approved=700),
            Rev("Kriterlere empati ve dinleme eklendi; ağırlıklar yeniden düzenlendi; itiraz süreci tanımlandı.",
                approved=210, read_by_units=("ÇMŞ",),
                confirmed_by=("cagri.temsilcisi", "ahmet.yilmaz", "kalite.degerlendirici"),
                add=(h("İtiraz"),
                     p("Temsilci, değerlendirmesine 5 iş günü içinde itiraz edebilir; itirazı başka bir "
                       "değerlendirici yeniden dinler."))),
        ),
        audience_roles=(Role.QA_EVALUATOR,), audience_units=("ÇMŞ",),
    ),
    Doc(
        K.WORK_INSTRUCTION, "SNT", "Santral Çağrı Aktarma Talimatı", "birim.yoneticisi", "mudur.yardimcisi",
        (
            h("Uygulama"),
            ul("Hafta içi mesai saatlerinde 0232 293 12 00 numaralı santrale gelen aramalar yanıtlanır.",
               "Talep, şikâyet veya öneri içeren görüşmeler kayda alınmak üzere Çağrı Merkezine aktarılır.",
               "Diğer görüşme talepleri ilgili birime veya kişiye aktarılır; gerekirse dahili numara verilir."),
        ),
        (
            Rev("İlk yayın", approved=880),
            Rev("Dahili numara rehberi akıllı kutuya taşındı.", approved=300),
        ),
    ),
    Doc(
        K.WORK_INSTRUCTION, "SMB", "Sosyal Medya Başvurularının Kayıt ve Yanıtlama Talimatı", "sosyal.medya.sefi",
        "mudur.yardimcisi",
        (
            h("Uygulama"),
            ul("Kurumsal hesaplara gelen yorum ve mesajlar sosyal medya takip programıyla 7/24 izlenir.",
               "Başvuru niteliğindeki talep, şikâyet ve öneriler kayda alınır ve ilgili birime yönlendirilir.",
               "Anlık yanıt gerekenler akıl kutusundan veya birim sorumlusundan bilgi alınarak yanıtlanır."),
        ),
        (
            Rev("İlk yayın", approved=720),
            Rev("WhatsApp hattı ve etiketsiz paylaşımlar için anahtar kelime takibi eklendi.", approved=270),
            Rev("Yanıt şablonları yenilendi; mesai dışı nöbet düzeni eklendi.", approved=3, effective_in=19,
                read_by_units=("SMŞ",),
                add=(note("Mesai dışında nöbetçi personel, can ve mal kaybı riskli paylaşımları Merkez 1 Telsiz "
                          "Birimine bildirir."),)),
        ),
    ),
    Doc(
        K.WORK_INSTRUCTION, "YTMH", "Yerinde Tespit ve Mobil HİM Talimatı", "cozum.sefi", "mudur.yardimcisi",
        (
            h("Yerinde tespit"),
            p("Birimlerce kapatılan başvurulardan seçilenler yerinde kontrol edilir; sorunu çözülmemiş "
              "başvurular fotoğraflı raporla ilgili birime bildirilir."),
            h("Mobil HİM"),
            p("Etkinlik, fuar ve meydanlarda kurulan stantlarda başvurular kayda alınır, yönlendirilir ve takip "
              "edilir."),
        ),
        (
            Rev("İlk yayın", approved=680),
            Rev("Olumsuz tespitlerin birime bildirimi ve takibi eklendi.", approved=341),
        ),
    ),
    Doc(
        K.WORK_INSTRUCTION, "KSB", "Faks ile Gelen Başvuruların Kaydı Talimatı", "cozum.sefi", "mudur.yardimcisi",
        (
            h("Uygulama"),
            ul("Faksla gelen başvuru evrak kaydına alınır.", "Başvuru HİM programına kaydedilir ve yönlendirilir.",
               "Faks aslı dosyalanır."),
        ),
        (Rev("İlk yayın", approved=1000),),
        withdrawal=(150, "Faks kanalı kapatıldı; yazılı başvurular EBYS, e-posta ve CİMER üzerinden alınıyor. "
                         "Başvuru Kabul, Yönlendirme ve Sonuçlandırma Prosedürü kapsamındadır."),
    ),
    # --- forms --------------------------------------------------------------------------------------
    Doc(
        K.FORM, "KYRŞ", "Düzeltici ve Önleyici Faaliyet (DÖF) Formu", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Kullanım"),
            p("Formu, uygunsuzluğu tespit eden birim doldurur ve Yönetim Temsilcisine iletir. Ekteki Word "
              "şablonu kullanılır."),
            ul("Uygunsuzluğun tanımı", "Kök neden", "Düzeltici / önleyici faaliyet, sorumlu ve termin",
               "Etkinlik doğrulaması ve kapanış"),
        ),
        (
            Rev("İlk yayın", approved=975, file="docx"),
            Rev("Kök neden analizi (5 Neden) alanı eklendi.", approved=300, file="docx"),
        ),
    ),
    Doc(
        K.FORM, "EKB", "Eğitim Değerlendirme Formu", "egitim.koordinatoru", "cozum.sefi",
        (
            h("Kullanım"),
            p("Her eğitimin sonunda katılımcılar doldurur; Eğitim ve Koordinasyon Birimi formları dosyalar, "
              "analiz eder ve Şefe ve Müdüre raporlar."),
        ),
        (
            Rev("İlk yayın", approved=890, file="pdf"),
            Rev("Eğitmen değerlendirme soruları eklendi.", approved=250, file="pdf"),
        ),
    ),
    Doc(
        K.FORM, "EKB", "Eğitim Talep Formu", "egitim.koordinatoru", "cozum.sefi",
        (
            h("Kullanım"),
            p("Personel eğitim ihtiyacını bu formla bildirir. Talepler yılda en az bir kez değerlendirilir ve "
              "yıllık eğitim planına yansıtılır."),
            ul("Talep eden, birimi", "İstenen eğitimin konusu ve gerekçesi", "Birim yöneticisinin görüşü"),
        ),
        (
            Rev("İlk yayın", approved=870, file="docx"),
            Rev("Birim yöneticisi görüşü alanı eklendi.", approved=290),
        ),
    ),
    Doc(
        K.FORM, "KSB", "Açık Kapı Başvuru Takip Formu", "cozum.sefi", "mudur.yardimcisi",
        (
            h("Kullanım"),
            p("Valilik Açık Kapı bürosundan iletilen başvuruların yönlendirme ve yanıt tarihlerini izlemek için "
              "kullanılır."),
        ),
        (Rev("İlk yayın", drafted=6),),
    ),
    # --- plans and lists ------------------------------------------------------------------------------
    Doc(
        K.PLAN, "EKB", "2026 Yılı Eğitim Planı", "egitim.koordinatoru", "cozum.sefi",
        (
            h("Planlanan eğitimler"),
            ul("Ocak – Mart: Oryantasyon eğitimi (yeni başlayanlar)",
               "Şubat, Haziran, Ekim: Kalite yönetimi (ISO 10002) eğitimi – tüm personel",
               "Nisan: KVKK ve gizlilik eğitimi",
               "Mayıs: Etkili iletişim ve öfkeli hemşehriyle görüşme – çağrı merkezi",
               "Kasım: HİM programı birim kullanıcıları eğitimi"),
        ),
        (
            Rev("İlk yayın", approved=330),
            Rev("KVKK eğitimi Eylül'e alındı; ISO 18295-1 farkındalık eğitimi eklendi.", approved=85,
                read_by_roles=(Role.UNIT_MANAGER,), confirmed_by=("birim.yoneticisi", "kalite.sefi"),
                add=(ul("Eylül: KVKK ve gizlilik eğitimi (Nisan'dan ertelendi)",
                        "Ekim: ISO 18295-1 farkındalık eğitimi – çağrı merkezi"),)),
        ),
    ),
    Doc(
        K.PLAN, "KYRŞ", "2026 Yılı İç Tetkik Planı", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Tetkik takvimi"),
            ul("Mart: Çözüm Merkezi Şefliği (başvuru süreci)", "Nisan: Çağrı Merkezi Şefliği (ISO 18295-1)",
               "Mayıs: Sosyal Medya Şefliği", "Haziran: CİMER ve Bilgi Edinme Birimi",
               "Eylül: Kalite Yönetim ve Raporlama Şefliği (başka birimden tetkikçi)"),
        ),
        (Rev("İlk yayın", approved=300),),
    ),
    Doc(
        K.LIST, "KYRŞ", "Dış Kaynaklı Dokümanlar Listesi", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Liste"),
            ul("3071 sayılı Dilekçe Hakkının Kullanılmasına Dair Kanun", "4982 sayılı Bilgi Edinme Hakkı Kanunu",
               "5393 sayılı Belediye Kanunu", "5216 sayılı Büyükşehir Belediyesi Kanunu",
               "6698 sayılı Kişisel Verilerin Korunması Kanunu", "TS ISO 10002", "ISO 18295-1:2017"),
        ),
        (
            Rev("İlk yayın", approved=1000),
            Rev("5216 sayılı Kanun eklendi.", approved=560),
            Rev("Standartların güncel sürümleri kontrol edildi; kaynak adresleri eklendi.", approved=160,
                add=(note("Kanunlar: mevzuat.gov.tr; standartlar: TSE ve ISO yayın kataloğu."),)),
        ),
    ),
    # --- service standards ----------------------------------------------------------------------------
    Doc(
        K.SERVICE_STANDARD, "HİŞM", "Halkla İlişkiler Şube Müdürlüğü Hizmet Standartları Tablosu", "kalite.sefi",
        "mudur.yardimcisi",
        (
            h("Hizmet standartları"),
            ul("Şahsen başvuru kaydı: başvuru anında, kabul bildirimi verilir",
               "Talep ve şikâyetlerin yanıtlanması: 3 / 7 / 30 gün",
               "Bilgi edinme başvurusu: 15 iş günü (uzatmayla 30 iş günü)",
               "Dilekçe (3071): 30 gün"),
            note("Başvuru sırasında istenen belge: yoktur. Başvuru numarası ile sonuç takip edilebilir."),
        ),
        (
            Rev("İlk yayın", approved=930),
            Rev("WhatsApp ve mobil uygulama kanalları tabloya eklendi.", approved=470),
            Rev("Yeni yılda geçerli olmak üzere tablo belediye web sitesindeki biçime uyarlandı.", approved=6,
                effective_in=36),
        ),
    ),
    Doc(
        K.SERVICE_STANDARD, "ALO153", "ALO 153 Çağrı Merkezi Hizmet Standardı", "birim.yoneticisi",
        "mudur.yardimcisi",
        (
            h("Standart"),
            ul("Hizmet saatleri: 7 gün 24 saat, resmi tatiller dahil",
               "Hizmet düzeyi: çağrıların %80'i 20 saniye içinde yanıtlanır",
               "Terk edilen çağrı oranı: %5'in altında",
               "Başvuru numarası görüşme sonunda hemşehriye bildirilir"),
        ),
        (
            Rev("İlk yayın", approved=820),
            Rev("Terk edilen çağrı hedefi %5 olarak belirlendi.", approved=180),
        ),
    ),
    # --- external documents -----------------------------------------------------------------------------
    Doc(
        K.EXTERNAL, "CİMER", "3071 sayılı Dilekçe Hakkının Kullanılmasına Dair Kanun", "cimer.sorumlusu",
        "mudur.yardimcisi",
        (
            h("Künye"),
            p("Kabul tarihi 01.11.1984; Resmî Gazete 10.11.1984, sayı 18571."),
            h("Müdürlüğü ilgilendiren hükümler"),
            p("Vatandaşların kendileriyle veya kamu ile ilgili dilek ve şikâyetleri hakkında yetkili makamlara "
              "başvurma hakkı; dilekçelere en geç <b>30 gün</b> içinde cevap verilmesi."),
            note("Güncel metin mevzuat.gov.tr adresinden izlenir."),
        ),
        (
            Rev("İlk yayın", approved=640),
            Rev("Güncel metin kontrol edildi; CİMER prosedürüne atıf eklendi.", approved=235),
        ),
    ),
    Doc(
        K.EXTERNAL, "CİMER", "4982 sayılı Bilgi Edinme Hakkı Kanunu", "cimer.sorumlusu", "mudur.yardimcisi",
        (
            h("Künye"),
            p("Kabul tarihi 09.10.2003; Resmî Gazete 24.10.2003, sayı 25269."),
            h("Müdürlüğü ilgilendiren hükümler"),
            p("Bilgi veya belgeye erişim <b>15 iş günü</b> içinde sağlanır; bilgi başka bir birimden sağlanacaksa "
              "süre, gerekçesi ve uzatma bildirilerek <b>30 iş günü</b> olur."),
        ),
        (
            Rev("İlk yayın", approved=630),
            Rev("Bilgi Edinme Hakkı Kanununun Uygulanmasına İlişkin Esas ve Usuller Hakkında Yönetmelik eklendi.",
                approved=228),
        ),
    ),
    Doc(
        K.EXTERNAL, "KYRŞ", "5393 sayılı Belediye Kanunu", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Künye"),
            p("Kabul tarihi 03.07.2005; Resmî Gazete 13.07.2005, sayı 25874."),
            h("Müdürlüğü ilgilendiren hükümler"),
            ul("Madde 13: Hemşehri hukuku", "Madde 14: Belediyenin görev ve sorumlulukları",
               "Madde 75: Diğer kuruluşlarla ilişkiler"),
        ),
        (Rev("İlk yayın", approved=320),),
    ),
    Doc(
        K.EXTERNAL, "KYRŞ", "6698 sayılı Kişisel Verilerin Korunması Kanunu", "kalite.sefi", "mudur.yardimcisi",
        (
            h("Künye"),
            p("Kabul tarihi 24.03.2016; Resmî Gazete 07.04.2016, sayı 29677."),
            h("Müdürlüğü ilgilendiren hükümler"),
            ul("Madde 4: Genel ilkeler", "Madde 10: Aydınlatma yükümlülüğü", "Madde 12: Veri güvenliği"),
        ),
        (
            Rev("İlk yayın", approved=580),
            Rev("7499 sayılı Kanunla 6, 9 ve 18. maddelerde yapılan değişiklikler işlendi.", approved=100),
        ),
    ),
    Doc(
        K.EXTERNAL, "KYRŞ", "TS ISO 10002:2018 Kalite Yönetimi – Müşteri Memnuniyeti – Şikâyetlerin Ele Alınması",
        "kalite.sefi", "mudur.yardimcisi",
        (
            h("Kapsam"),
            p("Kuruluşlarda şikâyetlerin ele alınma sürecinin planlanması, tasarımı, uygulanması, sürdürülmesi ve "
              "iyileştirilmesi için kılavuz."),
            note("Müdürlüğün belgelendirme kapsamındaki standarttır; lisanslı kopyası Kalite Yönetim ve Raporlama "
                 "Şefliğindedir."),
        ),
        (Rev("İlk yayın", approved=655),),
        review_interval_months=24,
    ),
    Doc(
        K.EXTERNAL, "ÇMPK", "ISO 18295-1:2017 Müşteri Temas Merkezleri – Bölüm 1: Müşteri Temas Merkezleri için "
        "Şartlar", "cmpk.sorumlusu", "birim.yoneticisi",
        (
            h("Kapsam"),
            p("Kurum içi veya dış kaynaklı müşteri temas merkezlerinin hizmet şartları: müşteri iletişimi, "
              "çalışan katılımı, performans göstergeleri ve müşteri memnuniyeti."),
            note("ALO 153 çağrı merkezinin belgelendirme standardıdır."),
        ),
        (Rev("İlk yayın", approved=640),),
        review_interval_months=24,
    ),
)


# --- backdating ------------------------------------------------------------------------------------------


def _moment(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """That many days ago, on the working day on or before it, at hour:minute (Istanbul), never in the future."""
    day = today() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    return min(moment, timezone.now() - timedelta(minutes=5))


class _History:
    """Records when each step really ran (a window of a second or so) and when it should seem to have
    happened; `apply()` then moves every timestamp written inside a window by that window's shift."""

    def __init__(self) -> None:
        self.windows: list[tuple[datetime, datetime, datetime]] = []
        self.file_ids: set[int] = set()

    @contextmanager
    def at(self, when: datetime):
        start = timezone.now()
        yield
        self.windows.append((start, timezone.now(), when))

    def apply(self, document: Document) -> None:
        # Queryset .update() on purpose, and only here: DocumentRevision.save() refuses to change an
        # approved revision, and no service may rewrite dates. A seed that wants a three-year history
        # has to move the "now" of each workflow step back to the date it stands for.
        ct = document.get_base_content_type()
        oid = str(document.pk)
        targets = [
            (Revision.objects.filter(base_content_type=ct, object_id=oid), ("created_at",)),
            (WorkflowState.objects.filter(base_content_type=ct, object_id=oid), ("created_at",)),
            (TaskState.objects.filter(workflow_state__base_content_type=ct, workflow_state__object_id=oid),
             ("started_at", "finished_at")),
            (ModelLogEntry.objects.filter(content_type=ct, object_id=oid), ("timestamp",)),
            (Document.objects.filter(pk=document.pk),
             ("created_at", "first_published_at", "last_published_at", "withdrawn_at")),
            (DocumentRevision.objects.filter(document=document), ("approved_at",)),
            (DocumentAcknowledgement.objects.filter(revision__document=document), ("requested_at", "acknowledged_at")),
            (DocumentReview.objects.filter(document=document), ("reviewed_at",)),
            (DocumentFile.objects.filter(pk__in=self.file_ids), ("uploaded_at",)),
        ]
        for queryset, fields in targets:
            for name in fields:
                written = Q()
                for start, end, _when in self.windows:
                    written |= Q(**{f"{name}__range": (start, end)})
                by_shift: dict[timedelta, list] = {}
                for pk, value in queryset.filter(written).values_list("pk", name):
                    start, _end, when = next(w for w in self.windows if w[0] <= value <= w[1])
                    by_shift.setdefault(when - start, []).append(pk)
                for shift, pks in by_shift.items():
                    queryset.model.objects.filter(pk__in=pks).update(**{name: F(name) + shift})
        self._fix_dates(document)

    @staticmethod
    def _fix_dates(document: Document) -> None:
        """Effective and next-review dates follow the moved approval and review times."""
        interval = document.effective_review_interval
        now = today()
        revisions = list(DocumentRevision.objects.filter(document=document).order_by("number"))
        for revision in revisions:
            effective = revision.effective_date
            if effective <= now:  # not a revision approved to take effect later
                effective = timezone.localdate(revision.approved_at)
            DocumentRevision.objects.filter(pk=revision.pk).update(
                effective_date=effective, next_review_date=add_months(effective, interval)
            )
            revision.effective_date, revision.next_review_date = effective, add_months(effective, interval)
        latest = revisions[-1] if revisions else None
        next_review = latest.next_review_date if latest else None
        for review in DocumentReview.objects.filter(document=document).order_by("reviewed_at"):
            due = add_months(timezone.localdate(review.reviewed_at), interval)
            DocumentReview.objects.filter(pk=review.pk).update(next_review_date=due)
            if review.outcome == ReviewOutcome.NO_CHANGE and latest and review.reviewed_at > latest.approved_at:
                next_review = due
        # created_at travels through the revision JSON (at millisecond precision) and is written back
        # at each approval, so it is set from the first draft rather than shifted.
        first_draft = Revision.objects.filter(
            base_content_type=document.get_base_content_type(), object_id=str(document.pk)
        ).order_by("created_at").values_list("created_at", flat=True).first()
        Document.objects.filter(pk=document.pk).update(next_review_date=next_review, created_at=first_draft)


# --- generated files --------------------------------------------------------------------------------------


def _docx(title: str, code: str, revision: str, fields: list[str]) -> bytes:
    """A small, valid Word document: a header line and one row per field to fill in."""
    lines = [f"{title}", f"Doküman kodu: {code}    Revizyon: {revision}", ""]
    lines += [f"{name}: ______________________________________________" for name in fields]
    paragraphs = "".join(
        f'<w:p><w:r>{"<w:rPr><w:b/></w:rPr>" if i == 0 else ""}<w:t xml:space="preserve">{xml_escape(line)}</w:t>'
        "</w:r></w:p>"
        for i, line in enumerate(lines)
    )
    document_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}<w:sectPr/></w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def _pdf(title: str, code: str, revision: str, questions: list[str]) -> bytes:
    """A one-page evaluation form: each question with boxes 1 to 5 (DejaVu Sans, so Turkish letters print)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from qms.pdf import FONT, FONT_BOLD, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    width, height = A4
    y = height - 25 * mm
    canvas.setFont(FONT_BOLD, 14)
    canvas.drawString(20 * mm, y, title)
    canvas.setFont(FONT, 9)
    canvas.drawRightString(width - 20 * mm, y, f"{code} · Rev. {revision}")
    y -= 12 * mm
    for label in ("Eğitimin adı", "Tarih", "Eğitmen", "Katılımcı (isteğe bağlı)"):
        canvas.drawString(20 * mm, y, f"{label}: " + "." * 70)
        y -= 8 * mm
    y -= 4 * mm
    canvas.drawString(20 * mm, y, "1: Hiç katılmıyorum   2   3   4   5: Tamamen katılıyorum")
    y -= 9 * mm
    for number, question in enumerate(questions, start=1):
        canvas.drawString(20 * mm, y, f"{number}. {question}")
        for box in range(5):
            x = width - 20 * mm - (5 - box) * 8 * mm
            canvas.rect(x, y - 1 * mm, 5 * mm, 5 * mm)
            if number == 1:
                canvas.drawCentredString(x + 2.5 * mm, y + 5 * mm, str(box + 1))
        y -= 10 * mm
    canvas.drawString(20 * mm, y - 4 * mm, "Görüş ve önerileriniz: " + "." * 60)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


FORM_FIELDS = {
    "Düzeltici ve Önleyici Faaliyet (DÖF) Formu": [
        "DÖF no", "Tespit eden birim", "Uygunsuzluğun tanımı", "Düzeltme", "Kök neden (5 Neden)",
        "Düzeltici / önleyici faaliyet", "Sorumlu", "Termin tarihi", "Etkinlik doğrulaması", "Kapanış onayı",
    ],
    "Eğitim Talep Formu": [
        "Ad soyad", "Birim", "İstenen eğitim", "Gerekçe", "Tercih edilen dönem", "Birim yöneticisinin görüşü",
    ],
    "Eğitim Değerlendirme Formu": [
        "Eğitimin amacı açıkça anlatıldı.", "İçerik işimle ilgiliydi.", "Süre yeterliydi.",
        "Eğitmen konuya hâkimdi.", "Eğitmen sorulara açık yanıt verdi.", "Öğrendiklerimi işimde kullanabilirim.",
    ],
}


# --- the run ------------------------------------------------------------------------------------------------


class _Seeder:
    def __init__(self) -> None:
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.groups = {role: Group.objects.get(name=ROLES[role].group_name) for role in Role}
        self.types = {t.kind: t for t in DocumentType.objects.all()}
        self.created: list[int] = []

    def user(self, username: str):
        return self.users[username]

    def _file(self, spec: Doc, document: Document, number: int, kind: str, history: _History):
        label = f"{number:02d}"
        fields = FORM_FIELDS.get(spec.title, ["Açıklama"])
        if kind == "pdf":
            content, name = _pdf(spec.title, document.code, label, fields), f"{document.code}_Rev{label}.pdf"
        else:
            content, name = _docx(spec.title, document.code, label, fields), f"{document.code}_Rev{label}.docx"
        stored = document_file_store(upload=SimpleUploadedFile(name, content), user=self.user(spec.author))
        history.file_ids.add(stored.pk)
        return stored

    def _reading(self, rev: Rev) -> dict:
        return {
            "acknowledge_groups": [self.groups[role] for role in rev.read_by_roles],
            "acknowledge_units": [self.units[code] for code in rev.read_by_units],
        }

    def create(self, spec: Doc) -> Document:
        author = self.user(spec.author)
        reviewer = self.user(spec.reviewer)
        approver = self.user(APPROVER)
        history = _History()
        body = list(spec.body)
        document = None
        for number, rev in enumerate(spec.revisions):
            body += list(rev.add)
            if rev.approved is not None:  # written, submitted, reviewed and approved over ten days
                drafted, submitted, reviewed = rev.approved + 9, rev.approved + 6, rev.approved + 2
            elif rev.submitted is not None:  # submitted, reviewed, now with the management representative
                drafted, submitted, reviewed = rev.submitted + 4, rev.submitted, max(rev.submitted - 3, 1)
            else:
                drafted = rev.drafted
            changes = {
                "title": spec.title, "body": list(body), "change_summary": rev.summary,
                "effective_from": today() + timedelta(days=rev.effective_in) if rev.effective_in else None,
                **self._reading(rev),
            }
            with history.at(_moment(drafted, 9, 30)):
                if document is None:
                    restricted = bool(spec.audience_roles or spec.audience_units)
                    document = document_create_draft(
                        user=author, doc_type=self.types[spec.kind], unit=self.units[spec.unit], title=spec.title,
                        change_summary=rev.summary, body=list(body), effective_from=changes["effective_from"],
                        review_interval_months=spec.review_interval_months,
                        confidentiality=Confidentiality.RESTRICTED if restricted else Confidentiality.PUBLIC,
                        audience_groups=[self.groups[role] for role in spec.audience_roles],
                        audience_units=[self.units[code] for code in spec.audience_units],
                        **self._reading(rev),
                    )
                    if rev.file:
                        changes["file"] = self._file(spec, document, number, rev.file, history)
                        document = document_draft_revision(document=document, user=author, **changes)
                else:
                    # A fresh row: the service drafts from the instance it is given, and a stale one
                    # (still "not live") would be saved over the approved document.
                    document = Document.objects.get(pk=document.pk)
                    if rev.file:
                        changes["file"] = self._file(spec, document, number, rev.file, history)
                    document_draft_revision(document=document, user=author, **changes)
            if rev.drafted is not None:
                continue
            with history.at(_moment(submitted, 10, 15)):
                document_submit(document=document, user=author)
            with history.at(_moment(reviewed, 11)):
                self._act(document, reviewer)
            if rev.approved is None:
                continue  # in review: the management representative has not approved it yet
            with history.at(_moment(rev.approved, 14, 30)):
                self._act(document, approver)
            revision = document.approved_revisions.get(number=number)
            for i, username in enumerate(rev.confirmed_by):
                with history.at(_moment(max(rev.approved - 1 - 2 * i, 0), 16, 10 * i % 60)):
                    acknowledgement_confirm(revision=revision, user=self.user(username))
        document = Document.objects.get(pk=document.pk)
        if spec.review:
            days_ago, text = spec.review
            with history.at(_moment(days_ago, 15)):
                document_review_record(document=document, user=author, outcome=ReviewOutcome.NO_CHANGE, note=text)
        if spec.withdrawal:
            days_ago, reason = spec.withdrawal
            with history.at(_moment(days_ago, 15)):
                document_withdraw(document=document, user=approver, reason=reason)
        history.apply(document)
        self.created.append(document.pk)
        return document

    @staticmethod
    def _act(document: Document, user) -> None:
        """Approve the current workflow step as `user`, as the admin's Approve button does."""
        state = Document.objects.get(pk=document.pk).current_workflow_task_state
        state.task.specific.on_action(state, user, "approve")


@contextmanager
def _quietly():
    """Run the ~150 workflow steps of the demo history without what each step sets off: Wagtail
    e-mails reviewers and submitters at every step (people at example.org; printed to the console in
    development) and re-indexes the document for search and references at every save. That is most of
    the seed's time, so it is switched off here and each document is indexed once when it is done."""
    from django.db.models.signals import post_save
    from modelsearch.signal_handlers import post_save_signal_handler
    from wagtail.admin import signal_handlers as admin_handlers
    from wagtail.signal_handlers import disable_reference_index_auto_update
    from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

    notifiers = [
        (task_submitted, TaskState, "group_approval_task_submitted_email_notification"),
        (workflow_submitted, WorkflowState, "workflow_state_submitted_email_notification"),
        (workflow_rejected, WorkflowState, "workflow_state_rejected_email_notification"),
        (workflow_approved, WorkflowState, "workflow_state_approved_email_notification"),
    ]
    emails_off = [signal.disconnect(sender=sender, dispatch_uid=uid) for signal, sender, uid in notifiers]
    search_off = post_save.disconnect(post_save_signal_handler, sender=Document)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        if search_off:
            post_save.connect(post_save_signal_handler, sender=Document)
        if any(emails_off):
            admin_handlers.register_signal_handlers()  # connects by dispatch_uid: never twice


def _index(document: Document) -> None:
    from modelsearch import index
    from wagtail.models import ReferenceIndex

    index.insert_or_update_object(document)
    ReferenceIndex.create_or_update_for_object(document)


# The clauses each demo document meets (qms.Clause "standard number"), for the clause-coverage report.
CLAUSES = {
    "Kalite El Kitabı": ["ISO 9001 4.3", "ISO 9001 4.4", "ISO 10002 5.1"],
    "Kalite Politikası": ["ISO 9001 5.2", "ISO 10002 5.3"],
    "Kişisel Verilerin Korunması ve Gizlilik Politikası": ["ISO 10002 4.10", "ISO 18295-1 4.5"],
    "Doküman ve Kayıtların Kontrolü Prosedürü": ["ISO 9001 7.5"],
    "Başvuru Kabul, Yönlendirme ve Sonuçlandırma Prosedürü": [
        "ISO 10002 7.2", "ISO 10002 7.3", "ISO 10002 7.4", "ISO 10002 7.5", "ISO 10002 7.7", "ISO 10002 7.9",
    ],
    "Düzeltici ve Önleyici Faaliyetler Prosedürü": ["ISO 9001 10.2", "ISO 10002 8.7"],
    "İç Tetkik Prosedürü": ["ISO 9001 9.2", "ISO 10002 8.5"],
    "Yönetim Gözden Geçirme Prosedürü": ["ISO 9001 9.3", "ISO 10002 8.6"],
    "Eğitim Prosedürü": ["ISO 9001 7.2", "ISO 10002 6.4", "ISO 18295-1 6"],
    "Çağrı Merkezi Yönetim Prosedürü": ["ISO 18295-1 4.1", "ISO 18295-1 5.1", "ISO 18295-1 7"],
    "CİMER ve Bilgi Edinme Başvurularının Yönetimi Prosedürü": ["ISO 10002 7.6", "ISO 10002 7.8"],
    "Hemşehri Memnuniyetinin Ölçülmesi Prosedürü": ["ISO 9001 9.1", "ISO 10002 8.3", "ISO 18295-1 4.3"],
    "ALO 153 Çağrı Karşılama ve Kayıt Talimatı": ["ISO 18295-1 4.2", "ISO 18295-1 7"],
    "Çağrı Dinleme ve Puanlama Talimatı": ["ISO 18295-1 5.2", "ISO 18295-1 9"],
    "Düzeltici ve Önleyici Faaliyet (DÖF) Formu": ["ISO 9001 10.2"],
    "2026 Yılı İç Tetkik Planı": ["ISO 9001 9.2"],
    "Dış Kaynaklı Dokümanlar Listesi": ["ISO 9001 7.5"],
    "ALO 153 Çağrı Merkezi Hizmet Standardı": ["ISO 18295-1 4.2", "ISO 18295-1 8"],
}


def _link_clauses() -> None:
    """Point the demo documents at their clauses (once: documents that have clauses are left as they are)."""
    from qms.models import Clause

    wanted = {(c.standard.code, c.number): c.pk for c in Clause.objects.all()}
    through = Document.clauses.through
    linked = set(through.objects.values_list("document_id", flat=True))
    rows = []
    for document in Document.objects.filter(title__in=CLAUSES).exclude(pk__in=linked):
        for reference in CLAUSES[document.title]:
            standard, number = reference.rsplit(" ", 1)
            rows.append(through(document_id=document.pk, clause_id=wanted[(standard, number)]))
    through.objects.bulk_create(rows)


def run(*, stdout) -> None:
    missing = [spec for spec in DOCUMENTS
               if not Document.objects.filter(title=spec.title, unit__code=spec.unit).exists()]
    created = 0
    if missing:
        seeder = _Seeder()
        with _quietly():
            for spec in missing:
                seeder.create(spec)
                created += 1
        for document in Document.objects.filter(pk__in=seeder.created):
            _index(document)
    _link_clauses()
    total = Document.objects.count()
    stdout.write(f"  {total} kontrollü doküman ({created} yeni)")
