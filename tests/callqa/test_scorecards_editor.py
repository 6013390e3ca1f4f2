"""The scorecard screens: versions, the editor (sections and criteria as rows), activation, new
versions; a frozen version is never edited (the form does not open, a direct POST is refused with
scoring.ensure_editable's message); reading needs view_scorecard, changing manage_callqa."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from kpi.callqa import scoring, services
from kpi.callqa.models import Criterion, CriticalScope, Scorecard, ScorecardSection, ScoringType
from tests.callqa.conftest import make_scorecard
from tests.callqa.evaluations_data import assigned, english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["english"]


def _rows(*rows, initial=0) -> dict:
    data = {"rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": str(initial), "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        defaults = {"section": "", "text": "", "guidance": "", "weight": "1", "scoring": "yes_no", "scale_max": "1",
                    "critical": "", "ORDER": ""}
        defaults.update(row)
        for key, value in defaults.items():
            if value is True:
                data[f"rows-{index}-{key}"] = "on"
            elif value is not False:
                data[f"rows-{index}-{key}"] = value
    return data


NEW_CARD = {
    "key": "sikayet", "name": "Şikâyet Çağrıları", "description": "Şikâyet hattı için", "pass_score": "75",
    **_rows(
        {"section": "Karşılama", "text": "Kurumsal karşılama", "guidance": "Belediye adı söylenir"},
        {"section": "Çözüm", "text": "Doğru bilgi", "weight": "3", "scoring": "scale", "scale_max": "4"},
        {"section": "Karşılama", "text": "KVKK doğrulaması", "weight": "2", "critical": "section"},
        {"section": "Çözüm", "text": "Nezaket", "scoring": "scale", "scale_max": "2", "allow_na": True},
        {},  # an empty extra row is left out
    ),
}


def _shape(card) -> list[tuple]:
    return [(c.section.title, c.text, c.weight, c.scoring, c.scale_max, c.allow_na, c.critical)
            for c in scoring.criteria_of(card)]


def test_the_qa_lead_creates_a_scorecard(client, centre):
    client.force_login(centre.users.qa_lead)
    assert client.get(reverse("callqa:scorecard_add")).status_code == 200
    response = client.post(reverse("callqa:scorecard_add"), NEW_CARD)
    card = Scorecard.objects.get(key="sikayet")
    assert response.status_code == 302 and response["Location"] == reverse("callqa:scorecard", args=[card.pk])
    assert (card.version, card.status, card.pass_score, card.created_by) == (
        1, Scorecard.Status.DRAFT, Decimal("75"), centre.users.qa_lead)
    assert _shape(card) == [
        ("Karşılama", "Kurumsal karşılama", Decimal("1"), "yes_no", 1, False, ""),
        ("Karşılama", "KVKK doğrulaması", Decimal("2"), "yes_no", 1, False, "section"),
        ("Çözüm", "Doğru bilgi", Decimal("3"), "scale", 4, False, ""),
        ("Çözüm", "Nezaket", Decimal("1"), "scale", 2, True, ""),
    ]
    assert ModelLogEntry.objects.filter(object_id=str(card.pk), action="wagtail.create").exists()
    html = client.get(reverse("callqa:scorecard", args=[card.pk])).content.decode()
    assert "Belediye adı söylenir" in html and "0 to 4" in html


@pytest.mark.parametrize(("change", "message"), [
    ({"rows-0-weight": "0"}, "Ensure this value is greater than or equal to 0.01"),
    ({"rows-1-scale_max": "0"}, "Ensure this value is greater than or equal to 1"),
    ({"rows-1-scale_max": "101"}, "less than or equal to 100"),
    ({"rows-0-scoring": "stars"}, "Select a valid choice"),
    ({"rows-0-section": ""}, "This field is required"),
    ({"pass_score": "120"}, "less than or equal to 100"),
    ({"key": "ş k"}, "Enter a valid"),
])
def test_bad_scorecards_are_refused(client, centre, change, message):
    client.force_login(centre.users.qa_lead)
    response = client.post(reverse("callqa:scorecard_add"), {**NEW_CARD, **change})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Scorecard.objects.filter(key="sikayet").exists()


def test_no_rows_and_a_taken_key_are_refused(client, centre):
    client.force_login(centre.users.qa_lead)
    empty = {**NEW_CARD, **_rows({}, {})}
    response = client.post(reverse("callqa:scorecard_add"), empty)
    assert response.status_code == 400 and "at least one criterion" in response.content.decode()
    taken = client.post(reverse("callqa:scorecard_add"), {**NEW_CARD, "key": "standard"})
    assert taken.status_code == 400 and "exists" in taken.content.decode()
    assert Scorecard.objects.count() == 1


def test_editing_a_draft_rewrites_it(client, centre):
    card = make_scorecard("yeni", activate=False)
    client.force_login(centre.users.qa_lead)
    url = reverse("callqa:scorecard_edit", args=[card.pk])
    form = client.get(url).content.decode()
    assert 'name="rows-TOTAL_FORMS" value="8"' in form  # five criteria and three empty rows
    data = {"name": "Yeni ad", "description": "", "pass_score": "60",
            **_rows({"section": "Tek bölüm", "text": "Sadece bu", "ORDER": "2"},
                    {"section": "Tek bölüm", "text": "Önce bu", "ORDER": "1", "critical": "evaluation"},
                    {"section": "Silinecek", "text": "Silinen", "DELETE": True}, initial=3)}
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert card.name == "Yeni ad" and card.pass_score == Decimal("60") and card.version == 1
    assert [(title, text, critical) for title, text, *_rest, critical in _shape(card)] == [
        ("Tek bölüm", "Önce bu", "evaluation"), ("Tek bölüm", "Sadece bu", "")]
    assert ScorecardSection.objects.filter(scorecard=card).count() == 1


def test_a_frozen_version_is_never_edited(client, centre):
    card = centre.scorecard
    assigned(centre, centre.agents.a1, centre.users.ev1)  # in use: frozen
    card.refresh_from_db()
    assert card.is_frozen
    before = (_shape(card), list(Criterion.objects.filter(section__scorecard=card).values_list("pk", flat=True)),
              card.name)
    message = f"Version 1 of “{card.name}” is in use and frozen: edit a new version."
    client.force_login(centre.users.qa_lead)
    url = reverse("callqa:scorecard_edit", args=[card.pk])
    page = client.get(url).content.decode()
    assert message in page and "rows-TOTAL_FORMS" not in page
    detail = client.get(reverse("callqa:scorecard", args=[card.pk])).content.decode()
    assert reverse("callqa:scorecard_edit", args=[card.pk]) not in detail
    response = client.post(url, {"name": "Değişti", "pass_score": "10", **_rows({"section": "X", "text": "Y"})})
    assert response.status_code == 400 and message in response.content.decode()
    with pytest.raises(ValidationError, match="is in use and frozen"):
        services.save_scorecard(card, fields={"name": "X", "pass_score": 1}, rows=[
            {"section": "X", "text": "Y", "weight": 1, "scoring": "yes_no"}], by=centre.users.qa_lead)
    card.refresh_from_db()
    assert before == (_shape(card), list(Criterion.objects.filter(section__scorecard=card)
                                         .values_list("pk", flat=True)), card.name)


def test_new_version_and_activation(client, centre):
    card = centre.scorecard
    client.force_login(centre.users.qa_lead)
    # Not in use yet: no new version, edit it directly.
    response = client.post(reverse("callqa:scorecard_new_version", args=[card.pk]))
    assert response.status_code == 302 and Scorecard.objects.count() == 1
    assigned(centre, centre.agents.a1, centre.users.ev1)
    response = client.post(reverse("callqa:scorecard_new_version", args=[card.pk]))
    copy = Scorecard.objects.get(key="standard", version=2)
    assert response["Location"] == reverse("callqa:scorecard_edit", args=[copy.pk])
    assert copy.status == Scorecard.Status.DRAFT and not copy.is_frozen and _shape(copy) == _shape(card)
    # The copy is edited, then activated: the old version retires and keeps its evaluations.
    edit = {"name": copy.name, "pass_score": "70",
            **_rows({"section": "Açılış", "text": "Yeni soru", "critical": CriticalScope.EVALUATION})}
    assert client.post(reverse("callqa:scorecard_edit", args=[copy.pk]), edit).status_code == 302
    assert client.post(reverse("callqa:scorecard_activate", args=[copy.pk])).status_code == 302
    card.refresh_from_db()
    copy.refresh_from_db()
    assert (card.status, copy.status) == (Scorecard.Status.RETIRED, Scorecard.Status.ACTIVE)
    assert card.evaluations.count() == 1 and len(_shape(card)) == 5
    log = set(ModelLogEntry.objects.filter(object_id=str(copy.pk)).values_list("action", flat=True))
    assert {"callqa.scorecard_version", "wagtail.edit", "callqa.scorecard_activate"} <= log

    empty = Scorecard.objects.create(key="bos", name="Boş")
    response = client.post(reverse("callqa:scorecard_activate", args=[empty.pk]), follow=True)
    assert "without criteria cannot be used" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == Scorecard.Status.DRAFT


@pytest.mark.parametrize("who", ["ev1", "lead_a", "mr", "qa_lead"])
def test_readers(client, centre, who):
    client.force_login(getattr(centre.users, who))
    listing = client.get(reverse("callqa:scorecards"))
    assert listing.status_code == 200 and "Standart Çağrı Değerlendirme" in listing.content.decode()
    detail = client.get(reverse("callqa:scorecard", args=[centre.scorecard.pk])).content.decode()
    manages = who in ("mr", "qa_lead")
    assert (reverse("callqa:scorecard_edit", args=[centre.scorecard.pk]) in detail) == manages
    assert (reverse("callqa:scorecard_add") in listing.content.decode()) == manages


@pytest.mark.parametrize("who", ["a1", "staff", "top"])
def test_others_get_404(client, centre, who):
    client.force_login(getattr(centre.users, who))
    card = centre.scorecard
    for url in (reverse("callqa:scorecards"), reverse("callqa:scorecard", args=[card.pk]),
                reverse("callqa:scorecard_add"), reverse("callqa:scorecard_edit", args=[card.pk])):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["ev1", "lead_a"])
def test_readers_may_not_change(client, centre, who):
    user = getattr(centre.users, who)
    client.force_login(user)
    card = make_scorecard("taslak", activate=False)
    before = _shape(card)
    assert client.get(reverse("callqa:scorecard_edit", args=[card.pk])).status_code == 404
    assert client.post(reverse("callqa:scorecard_edit", args=[card.pk]),
                       {"name": "X", "pass_score": "1", **_rows({"section": "A", "text": "B"})}).status_code == 404
    assert client.post(reverse("callqa:scorecard_add"), NEW_CARD).status_code == 404
    assert client.post(reverse("callqa:scorecard_activate", args=[card.pk])).status_code == 404
    assert client.post(reverse("callqa:scorecard_new_version", args=[centre.scorecard.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.activate_scorecard(card, by=user)
    with pytest.raises(PermissionDenied):
        services.save_scorecard(None, fields={"key": "x", "name": "x", "pass_score": 1},
                                rows=[{"section": "A", "text": "B", "weight": 1, "scoring": ScoringType.YES_NO}],
                                by=user)
    card.refresh_from_db()
    assert card.status == Scorecard.Status.DRAFT and _shape(card) == before
    assert Scorecard.objects.count() == 2
