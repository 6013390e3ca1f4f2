"""Fixtures of the minutes tests (PDF, API, reminders, panel): a pack of known figures and a full
review with Turkish names, attendees, narratives, decisions and actions, approved by its chair.

`known_pack` replaces the input-pack builders with ones whose figures are known (the real builders'
figures are proved against their modules elsewhere); the nonconformities item counts the DÖFs live,
so raising a DÖF after approval changes what a new compile would show, never the approved minutes.
Import the fixtures into a test module by name.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from pypdf import PdfReader

from qms.review import pack, services
from qms.review.models import AGENDA_ORDER, AgendaItemKind, Review
from qms.review.pack import Chart, Figure, Section, Table
from qms.roles import Role

from .conftest import make_ready

TURKISH = "ğüşıöçİĞÜŞÖÇ"


def narrative(kind: str) -> str:
    return f"Anlatı {AGENDA_ORDER.index(kind) + 1}: {kind} maddesi görüşüldü, ağırlıklı değerlendirme yapıldı."


def _builder(kind: str):
    number = AGENDA_ORDER.index(kind) + 1

    def build(review) -> Section:
        figures = [Figure(label=f"Gösterge {number} (şikâyet oranı)", value=f"%{number},5", raw=number + 0.5,
                          target="≤ %10", status="met" if number % 2 else "missed", key="rate")]
        if kind == "nonconformities":
            from audits.models import Nonconformity

            count = Nonconformity.objects.count()
            figures.append(Figure(label="Açık DÖF sayısı", value=f"{count} adet", raw=count, key="open_dofs"))
        return Section(
            figures=figures,
            tables=[Table(title=f"Tablo {number}: birimlere göre dağılım", columns=["Birim", "Başvuru"],
                          rows=[["Fen İşleri Dairesi Başkanlığı", 120 + number], ["Çağrı Merkezi Birimi", 7]],
                          key="by_unit")],
            charts=[Chart(title=f"Grafik {number}", svg="<svg><text>SVG-ÇİZİM</text></svg>", key="trend")],
            notes=[f"Not {number}: veriler HİM programından alınmıştır."],
        )

    return build


@pytest.fixture
def known_pack(monkeypatch):
    """Every agenda item filled by a builder of known figures (for the test's duration only)."""
    monkeypatch.setattr(pack, "_BUILDERS", {kind: _builder(kind) for kind in AGENDA_ORDER})


@pytest.fixture
def people(make_user, mr, chair):
    """The review's people, with Turkish names: the chair, the MR, an auditor, an action owner."""
    chair.first_name, chair.last_name = "Şükrü", "Çağlayan"
    chair.save()
    mr.first_name, mr.last_name = "Ayşe", "Yıldırım"
    mr.save()
    auditor = make_user(Role.INTERNAL_AUDITOR, unit="HİŞM", first_name="İlker", last_name="Öztürk")
    owner = make_user(Role.UNIT_MANAGER, unit="ALO153", first_name="Gülşen", last_name="Ünlü")
    return {"chair": chair, "mr": mr, "auditor": auditor, "owner": owner}


def fill(review: Review, people: dict) -> Review:
    """Attendees, a narrative per item, two decisions and two actions; ready for approval."""
    make_ready(review)
    for item in review.items.all():
        item.narrative = narrative(item.kind)
        item.save()
    review.attendees.update_or_create(user=people["mr"], defaults={"position": "Yönetim Temsilcisi", "invited": True,
                                                                   "present": True})
    review.attendees.create(user=people["auditor"], position="İç Tetkikçi", invited=True, present=False)
    review.attendees.create(name="Çiğdem Işık", position="Misafir (İZSU)", invited=False, present=True)
    Review.objects.filter(pk=review.pk).update(location="Şube toplantı salonu")
    item = review.items.get(kind=AgendaItemKind.CONTACT_CENTRE)
    decision = review.decisions.create(item=item, text="Çağrı karşılama hedefi %90 olarak korunacak.")
    review.decisions.create(text=f"Bir sonraki gözden geçirme Haziran ayında yapılacak ({TURKISH}).")
    review.actions.create(text="Vardiya planını yoğun saatlere göre güncelle.", owner=people["owner"],
                          due=dt.date(2026, 12, 31), item=item, decision=decision)
    review.actions.create(text="Memnuniyet anketinin soru setini gözden geçir.", owner=people["mr"],
                          due=dt.date(2027, 2, 15))
    review.refresh_from_db()
    return review


@pytest.fixture
def minutes_review(known_pack, review, people) -> Review:
    """The fixture review, filled, submitted by the MR and approved by the chair."""
    fill(review, people)
    services.submit(review, user=people["mr"])
    services.approve(review, user=people["chair"])
    review.refresh_from_db()
    return review


def pdf_text(content: bytes) -> str:
    """The PDF's text with runs of white space (line breaks in wrapped cells) made one space."""
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


__all__ = ["TURKISH", "fill", "known_pack", "minutes_review", "narrative", "pdf_text", "people"]
