"""The minutes PDF: what it prints (read back with pypdf, Turkish letters included), that approved
minutes never change whatever happens to the data afterwards, the draft of a review not yet
approved, the note on superseded versions, and who may print it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from audits.models import Source
from audits.services import raise_nonconformity
from qms.review import services
from qms.review.models import AGENDA_ORDER, AgendaItemKind, ReviewState
from qms.review.pdf import DRAFT_MARK, minutes_pdf
from qms.roles import Role

from .minutes_data import *  # noqa: F403 (its fixtures: known_pack, people, minutes_review)
from .minutes_data import TURKISH, fill, narrative, pdf_text

pytestmark = pytest.mark.django_db

# The footer's "printed dd.mm.yyyy HH:MM": the one part of a PDF that differs between two prints.
PRINTED_AT = re.compile(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}")


def url(review) -> str:
    return reverse("review:minutes_pdf", args=[review.pk])


def fetch(client, review) -> str:
    response = client.get(url(review))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def test_the_minutes_carry_the_header_and_the_attendees(client, minutes_review, people):
    client.force_login(people["mr"])
    text = fetch(client, minutes_review)
    assert "Yönetimin Gözden Geçirmesi Tutanağı" in text
    assert "YGG-2026-1" in text
    assert "20.11.2026" in text  # held on
    assert "Şube toplantı salonu" in text
    assert "01.01.2026 – 31.10.2026" in text  # period under review
    with translation.override("tr"):
        assert str(ReviewState.APPROVED.label) in text  # state
    assert "Şükrü Çağlayan (başkan)" in text
    for name in ("Ayşe Yıldırım", "İlker Öztürk", "Çiğdem Işık", "Misafir (İZSU)", "İç Tetkikçi"):
        assert name in text
    assert "Davet edilen: 3, katılan: 3." in text


def test_every_agenda_item_is_printed_in_order_with_its_figures_tables_and_narrative(client, minutes_review, people):
    client.force_login(people["mr"])
    text = fetch(client, minutes_review)
    positions = []
    for number, kind in enumerate(AGENDA_ORDER, 1):
        heading = f"{number}. {AgendaItemKind(kind).label}"
        assert heading in text, heading
        positions.append(text.index(heading))
        assert f"Gösterge {number} (şikâyet oranı) %{number},5 ≤ %10" in text
        assert f"Tablo {number}: birimlere göre dağılım" in text
        assert f"Fen İşleri Dairesi Başkanlığı {120 + number}" in text
        assert narrative(kind) in text
        assert f"Not {number}: veriler HİM programından alınmıştır." in text
    assert positions == sorted(positions)
    assert "Hedef tutturuldu" in text and "Hedef tutturulamadı" in text  # the status in words
    assert "SVG-ÇİZİM" not in text  # charts are not drawn: their data is in the tables


def test_decisions_actions_and_the_sign_off_are_printed(client, minutes_review, people):
    client.force_login(people["mr"])
    text = fetch(client, minutes_review)
    assert "K1 5. Çağrı merkezi" in text or "K1" in text
    assert "Çağrı karşılama hedefi %90 olarak korunacak." in text
    assert f"Bir sonraki gözden geçirme Haziran ayında yapılacak ({TURKISH})." in text
    assert "Vardiya planını yoğun saatlere göre güncelle." in text
    assert "Gülşen Ünlü 31.12.2026" in text
    assert "Memnuniyet anketinin soru setini gözden geçir." in text
    assert "Ayşe Yıldırım 15.02.2027" in text
    sign_off = text[text.index("Onay ve imza"):]
    assert "Hazırlayan (yönetim temsilcisi) Ayşe Yıldırım" in sign_off
    assert "Onaylayan (başkan) Şükrü Çağlayan" in sign_off
    assert "İmza" in sign_off


def test_turkish_letters_are_intact(minutes_review, people):
    text = pdf_text(minutes_pdf(minutes_review, user=people["mr"]))
    for letter in TURKISH:
        assert letter in text, letter


def test_approved_minutes_do_not_change_when_the_data_does(client, minutes_review, people, org):
    client.force_login(people["mr"])
    before = PRINTED_AT.sub("", fetch(client, minutes_review))
    # A new DÖF (the item's live figure would now be different) ...
    raise_nonconformity(source=Source.MANAGEMENT_REVIEW, title="Yeni DÖF", description="Açıklama",
                        unit=org["KSB"], raised_by=people["mr"], origin_label="YGG", origin_url="/admin/")
    # ... an action done, its owner and the chair renamed.
    action = minutes_review.actions.get(owner=people["owner"])
    services.set_action_status(action, user=people["owner"], status="done", note="Plan güncellendi.")
    people["chair"].first_name, people["chair"].last_name = "Başka", "Kişi"
    people["chair"].save()
    people["owner"].first_name = "Değişmiş"
    people["owner"].save()
    after = PRINTED_AT.sub("", fetch(client, minutes_review))
    assert after == before
    assert "Şükrü Çağlayan" in after and "Başka Kişi" not in after and "Değişmiş" not in after
    assert "0 adet" in after  # the figure as stored at submission


def test_a_review_in_preparation_prints_as_a_draft_with_live_figures(client, known_pack, review, people, org):
    fill(review, people)
    client.force_login(people["mr"])
    text = fetch(client, review)
    assert DRAFT_MARK in text
    with translation.override("tr"):
        assert str(ReviewState.PREPARATION.label) in text
    assert "0 adet" in text
    # nobody has submitted it yet: name and date are left blank, to be written in by hand
    assert "Hazırlayan (yönetim temsilcisi) Onaylayan (başkan) Sayfa" in text
    raise_nonconformity(source=Source.MANAGEMENT_REVIEW, title="Yeni DÖF", description="Açıklama",
                        unit=org["KSB"], raised_by=people["mr"], origin_label="YGG", origin_url="/admin/")
    assert "1 adet" in fetch(client, review)  # compiled live


def test_submitted_minutes_print_as_a_draft_with_the_stored_figures(client, known_pack, review, people, org):
    fill(review, people)
    services.submit(review, user=people["mr"])
    client.force_login(people["chair"])  # the chair reads what they approve
    text = fetch(client, review)
    assert DRAFT_MARK in text and "0 adet" in text
    assert "Hazırlayan (yönetim temsilcisi) Ayşe Yıldırım" in text
    assert text.split("Onaylayan (başkan)")[-1].split()[0] == "Sayfa"  # not approved: blank
    raise_nonconformity(source=Source.MANAGEMENT_REVIEW, title="Yeni DÖF", description="Açıklama",
                        unit=org["KSB"], raised_by=people["mr"], origin_label="YGG", origin_url="/admin/")
    assert "0 adet" in fetch(client, review)


def test_approved_minutes_are_not_a_draft(client, minutes_review, people):
    client.force_login(people["chair"])
    text = fetch(client, minutes_review)
    assert DRAFT_MARK not in text
    assert "Sürüm 1" in text


def test_a_superseded_version_says_which_version_replaced_it(client, minutes_review, people):
    correction = services.start_correction(minutes_review, user=people["mr"], reason="Yer bilgisi düzeltildi.")
    services.submit(correction, user=people["mr"])
    services.approve(correction, user=people["chair"])
    minutes_review.refresh_from_db()
    correction.refresh_from_db()
    assert minutes_review.state == ReviewState.SUPERSEDED
    client.force_login(people["mr"])
    old = fetch(client, minutes_review)
    assert "v2 ile değiştirildi" in old
    new = fetch(client, correction)
    assert "Bu sürüm v1 sürümünü düzeltir. Gerekçe: Yer bilgisi düzeltildi." in new
    assert "v2 ile değiştirildi" not in new
    assert "Vardiya planını yoğun saatlere göre güncelle." in new


def test_the_real_builders_fill_a_printable_draft(client, review, mr):
    """Whatever the modules report (none of their data here), every item prints."""
    client.force_login(mr)
    text = fetch(client, review)
    for number, kind in enumerate(AGENDA_ORDER, 1):
        assert f"{number}. {AgendaItemKind(kind).label}" in text


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.QA_EVALUATOR,
                                  Role.TRAINING_COORDINATOR])
def test_those_who_may_not_view_reviews_are_refused(role_client, minutes_review, role):
    client = role_client(role, unit="ALO153")
    assert client.get(url(minutes_review)).status_code == 403


def test_an_action_owner_without_the_review_permission_is_refused(client, minutes_review, people):
    client.force_login(people["owner"])  # a unit manager who owns an action
    assert client.get(url(minutes_review)).status_code == 403


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_readers_may_print_approved_minutes_but_not_a_draft_in_preparation(role_client, minutes_review, make_review,
                                                                             role):
    client = role_client(role, unit="HİŞM")
    assert client.get(url(minutes_review)).status_code == 200
    draft = make_review(planned=dt.date(2027, 11, 20))
    assert client.get(url(draft)).status_code == 403


def test_an_unknown_review_is_404(client, mr):
    client.force_login(mr)
    assert client.get(reverse("review:minutes_pdf", args=[999999])).status_code == 404


def test_the_file_is_named_after_the_review(client, minutes_review, people):
    client.force_login(people["mr"])
    response = client.get(url(minutes_review))
    assert "YGG-2026-1" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
