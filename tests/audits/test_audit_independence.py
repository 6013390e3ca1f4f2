"""Auditor independence and the auditor role, whatever path changes an audit.

The rule: an auditor (lead or team) is refused when their own unit is an audited unit or a unit
under one (`own.path.startswith(unit.path)`): nobody audits the unit they work in, nor a unit that
contains it. An auditor in a sibling unit, in a unit above the audited one (e.g. the branch
auditing one of its chiefdoms), or elsewhere in the tree is independent. It is checked at planning
(`audit_plan`), on every later change of the units or the team (`m2m_changed`, also through the
reverse relations) and of the lead auditor (`Audit.clean`), and on the admin's audit form.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from audits.models import Audit, AuditSequence
from qms.roles import Role

pytestmark = pytest.mark.django_db

NOT_OWN_UNIT = "tetkikçi kendi birimini tetkik edemez."


def works_in(name: str, unit: str) -> str:
    return f"{name} {unit} biriminde çalışıyor: {NOT_OWN_UNIT}"


def not_auditor(name: str) -> str:
    return f"{name} İç Tetkikçi rolünde değil."


@pytest.fixture
def plan(planned_audit):
    """plan(**overrides) -> audit_plan(...) with the conftest defaults (ÇMŞ, led by the ÇÖZM auditor)."""
    return planned_audit


@contextmanager
def refused():
    """A refused many-to-many change. Django's `add()` runs in `atomic(savepoint=False)`: a
    refusal there spoils the caller's transaction unless the caller gives it a savepoint, as a
    caller that goes on after the refusal must."""
    with pytest.raises(ValidationError) as excinfo, transaction.atomic():
        yield excinfo


def nothing_planned() -> bool:
    return not Audit.objects.exists() and not AuditSequence.objects.filter(last__gt=0).exists()


# --- at planning ----------------------------------------------------------------------------------

OKAN = "Okan Işık"  # auditor2, in ÇMPK (under ÇMŞ, under HİŞM)
CASES = {
    "own-unit": ("ÇMPK", "Çağrı Merkezi Performans ve Kalite Birimi"),
    "unit-above": ("ÇMŞ", "Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği)"),
    "two-above": ("HİŞM", "Çağrı Merkezi Performans ve Kalite Birimi (Halkla İlişkiler Şube Müdürlüğü)"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("as_", ["lead", "team"])
def test_an_auditor_may_not_audit_their_own_unit_or_one_above_it(plan, cast, org, make_user, case, as_):
    unit, described = CASES[case]
    if as_ == "lead":
        people = {"lead_auditor": cast["auditor2"]}
    else:  # led by an auditor of FEN, independent of the whole branch
        people = {"lead_auditor": make_user(Role.INTERNAL_AUDITOR, unit="FEN"), "team": [cast["auditor2"]]}
    with pytest.raises(ValidationError) as excinfo:
        plan(units=[org[unit]], **people)
    assert excinfo.value.messages == [works_in(OKAN, described)]
    assert nothing_planned()


def test_every_conflict_is_named(plan, cast, org, make_user):
    third = make_user(Role.INTERNAL_AUDITOR, unit="ALO153", first_name="Ece", last_name="Tan")
    with pytest.raises(ValidationError) as excinfo:
        plan(units=[org["ÇMŞ"]], lead_auditor=cast["auditor"], team=[cast["auditor2"], third])
    assert excinfo.value.messages == [
        works_in(OKAN, "Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği)"),
        works_in("Ece Tan", "Çağrı Merkezi Birimi (Çağrı Merkezi Şefliği)"),
    ]
    assert nothing_planned()


@pytest.mark.parametrize(("auditor_unit", "audited"), [
    ("ÇMPK", "ALO153"),   # sibling unit
    ("ÇÖZM", "ÇMŞ"),      # sibling chiefdom
    ("HİŞM", "ÇMŞ"),      # the unit above the audited one
    ("HİŞM", "ALO153"),   # two levels above
    ("ÇMPK", "FEN"),      # another branch of the tree
    ("FEN", "HİŞM"),
])
def test_an_auditor_in_a_sibling_or_parent_unit_may_audit(plan, cast, org, make_user, auditor_unit, audited):
    auditor = make_user(Role.INTERNAL_AUDITOR, unit=auditor_unit)
    member = make_user(Role.INTERNAL_AUDITOR, unit=auditor_unit)
    audit = plan(units=[org[audited]], lead_auditor=auditor, team=[member])
    assert list(audit.units.all()) == [org[audited]]
    assert audit.auditor_ids == {auditor.pk, member.pk}


# --- later changes of units, team and lead ------------------------------------------------------


def test_a_unit_added_later_is_checked(plan, cast, org):
    audit = plan()  # ÇMŞ, led by the auditor of ÇÖZM
    for unit, described in (("ÇÖZM", "Çözüm Merkezi Şefliği"),
                            ("HİŞM", "Çözüm Merkezi Şefliği (Halkla İlişkiler Şube Müdürlüğü)")):
        with refused() as excinfo:
            audit.units.add(org[unit])
        assert excinfo.value.messages == [works_in("Zeynep Demir", described)]
    with refused():
        audit.units.set([org["ÇMŞ"], org["ÇÖZM"]])
    with refused():
        org["ÇÖZM"].audits.add(audit)  # the reverse relation
    assert list(audit.units.all()) == [org["ÇMŞ"]]
    # A unit under the auditor's own is not "their unit": KSB may be audited from ÇÖZM.
    audit.units.add(org["FEN"], org["KSB"])
    assert set(audit.units.all()) == {org["ÇMŞ"], org["FEN"], org["KSB"]}


def test_a_unit_added_later_is_checked_against_the_team_too(plan, cast, org, make_user):
    member = make_user(Role.INTERNAL_AUDITOR, unit="FEN", first_name="Ece", last_name="Tan")
    audit = plan(team=[member])
    with refused() as excinfo:
        audit.units.add(org["FEN"])
    assert excinfo.value.messages == [works_in("Ece Tan", "Fen İşleri Dairesi Başkanlığı")]
    with refused():
        org["FEN"].audits.add(audit)
    assert list(audit.units.all()) == [org["ÇMŞ"]]


def test_a_team_member_added_later_is_checked(plan, cast, org, make_user):
    audit = plan()
    with refused() as excinfo:
        audit.team.add(cast["auditor2"])
    assert excinfo.value.messages == [
        works_in(OKAN, "Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği)")
    ]
    with refused():
        cast["auditor2"].audit_teams.add(audit)  # the reverse relation
    with refused():
        audit.team.set([cast["auditor2"]])
    with refused() as excinfo:
        cast["clerk"].audit_teams.add(audit)
    assert excinfo.value.messages == [not_auditor("İbrahim Arslan")]
    assert not audit.team.exists()
    independent = make_user(Role.INTERNAL_AUDITOR, unit="FEN")
    independent.audit_teams.add(audit)
    assert list(audit.team.all()) == [independent]


def test_the_lead_auditor_is_not_added_to_the_team(plan, cast, org):
    with pytest.raises(ValidationError) as excinfo:
        plan(team=[cast["auditor"]])
    assert excinfo.value.message_dict == {"team": ["Zeynep Demir baş tetkikçi; ekibe ayrıca eklemeyin."]}
    assert nothing_planned()
    audit = plan()
    for add in (lambda: audit.team.add(cast["auditor"]), lambda: cast["auditor"].audit_teams.add(audit)):
        with refused() as excinfo:
            add()
        assert excinfo.value.messages == ["Zeynep Demir baş tetkikçi; ekibe ayrıca eklemeyin."]
    assert not audit.team.exists()


def test_a_new_lead_auditor_is_checked(plan, cast, org, make_user):
    audit = plan()
    audit.lead_auditor = cast["auditor2"]
    with pytest.raises(ValidationError) as excinfo:
        audit.save()
    assert excinfo.value.message_dict == {
        "lead_auditor": [works_in(OKAN, "Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği)")]
    }
    audit.lead_auditor = cast["manager"]
    with pytest.raises(ValidationError) as excinfo:
        audit.save()
    assert excinfo.value.message_dict == {"lead_auditor": [not_auditor("Gülşen Aydın")]}
    assert Audit.objects.get(pk=audit.pk).lead_auditor == cast["auditor"]
    independent = make_user(Role.INTERNAL_AUDITOR, unit="FEN")
    audit.lead_auditor = independent
    audit.save()
    assert Audit.objects.get(pk=audit.pk).lead_auditor == independent


# --- the auditor role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "manager", "mr", "top", "desk_manager"])
@pytest.mark.parametrize("as_", ["lead", "team"])
def test_only_internal_auditors_audit(plan, cast, org, who, as_):
    people = {"lead_auditor": cast[who]} if as_ == "lead" else {"team": [cast[who]]}
    name = cast[who].get_full_name()
    with pytest.raises(ValidationError) as excinfo:
        plan(units=[org["FEN"]], **people)
    assert excinfo.value.messages == [not_auditor(name)]
    assert nothing_planned()


def test_an_inactive_auditor_is_refused(plan, cast, org):
    cast["auditor2"].is_active = False
    cast["auditor2"].save()
    with pytest.raises(ValidationError) as excinfo:
        plan(units=[org["FEN"]], team=[cast["auditor2"]])
    assert excinfo.value.messages == [not_auditor(OKAN)]


@pytest.mark.parametrize("as_", ["lead", "team", "team-later"])
def test_an_auditor_without_a_staff_profile_is_refused(plan, cast, org, make_user, as_):
    loose = make_user(Role.INTERNAL_AUDITOR, unit=None, first_name="Selin", last_name="Ak")
    expected = "Selin Ak için personel kaydı yok; birimi (ve bağımsızlığı) kontrol edilemiyor."
    with refused() as excinfo:
        if as_ == "lead":
            plan(lead_auditor=loose)
        elif as_ == "team":
            plan(team=[loose])
        else:
            plan().team.add(loose)
    assert excinfo.value.messages == [expected]
    assert not Audit.objects.filter(team=loose).exists() and not Audit.objects.filter(lead_auditor=loose).exists()


# --- dates, units, who plans ----------------------------------------------------------------------------


def test_the_dates_lie_in_the_programme_year_and_in_order(plan, today):
    year = today.year
    with pytest.raises(ValidationError) as excinfo:
        plan(planned_start=dt.date(year - 1, 12, 31), planned_end=dt.date(year + 1, 1, 1))
    assert excinfo.value.message_dict == {
        "planned_start": [f"31.12.{year - 1}, {year} program yılının dışında."],
        "planned_end": [f"01.01.{year + 1}, {year} program yılının dışında."],
    }
    with pytest.raises(ValidationError) as excinfo:
        plan(planned_start=dt.date(year, 6, 10), planned_end=dt.date(year, 6, 9))
    assert excinfo.value.message_dict == {"planned_end": ["Tetkik başlamadan bitemez."]}
    assert nothing_planned()
    audit = plan(planned_start=dt.date(year, 6, 9), planned_end=dt.date(year, 6, 10))
    audit.planned_end = dt.date(year, 6, 1)
    with pytest.raises(ValidationError):
        audit.save()
    assert Audit.objects.get(pk=audit.pk).planned_end == dt.date(year, 6, 10)


def test_an_audit_needs_a_unit(plan):
    with pytest.raises(ValidationError) as excinfo:
        plan(units=[])
    assert excinfo.value.message_dict == {"units": ["Tetkik edilecek en az bir birim seçin."]}
    assert nothing_planned()


@pytest.mark.parametrize("who", ["auditor", "top", "manager"])
def test_only_the_management_representative_plans(plan, cast, who):
    with pytest.raises(PermissionDenied) as excinfo:
        plan(user=cast[who])
    assert str(excinfo.value) == "Tetkikleri yalnızca yönetim temsilcisi planlar."
    assert nothing_planned()


# --- the admin's audit form ---------------------------------------------------------------------------


@pytest.fixture
def mr_client(client, cast):
    client.force_login(cast["mr"])
    return client


def form_data(programme, org, checklist, *, lead, team=(), units=("ÇMŞ",), start=None, end=None):
    year = programme.year
    return {
        "programme": programme.pk,
        "title": "Çağrı Merkezi tetkiki",
        "units": [org[code].pk for code in units],
        "processes": "Çağrı karşılama",
        "checklists": [checklist.pk],
        "planned_start": (start or dt.date(year, 3, 10)).strftime("%d.%m.%Y"),
        "planned_end": (end or dt.date(year, 3, 11)).strftime("%d.%m.%Y"),
        "lead_auditor": lead.pk,
        "team": [member.pk for member in team],
    }


def post_form(client, data):
    return client.post(reverse("wagtailsnippets_audits_audit:add"), data)


def test_the_audit_form_shows_an_independence_conflict_and_saves_nothing(mr_client, programme, org, checklist, cast):
    response = post_form(mr_client, form_data(programme, org, checklist, lead=cast["auditor2"]))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["lead_auditor"] == [
        works_in(OKAN, "Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği)")
    ]
    assert "Okan Işık Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği) biriminde" in \
        response.content.decode()
    assert nothing_planned()


def test_the_audit_form_checks_the_team(mr_client, programme, org, checklist, cast, make_user):
    loose = make_user(Role.INTERNAL_AUDITOR, unit=None, first_name="Selin", last_name="Ak")
    response = post_form(mr_client, form_data(programme, org, checklist, lead=cast["auditor"],
                                              team=[cast["auditor2"], cast["auditor"], loose]))
    assert response.status_code == 200
    assert response.context["form"].errors["team"] == [
        "Zeynep Demir baş tetkikçi; ekibe ayrıca eklemeyin.",
        works_in(OKAN, "Çağrı Merkezi Performans ve Kalite Birimi (Çağrı Merkezi Şefliği)"),
        "Selin Ak için personel kaydı yok; birimi (ve bağımsızlığı) kontrol edilemiyor.",
    ]
    assert nothing_planned()


def test_the_audit_form_offers_only_internal_auditors(mr_client, programme, org, checklist, cast):
    response = post_form(mr_client, form_data(programme, org, checklist, lead=cast["manager"], team=[cast["clerk"]],
                                              units=("FEN",)))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"lead_auditor", "team"}
    assert nothing_planned()


def test_the_audit_form_checks_the_dates(mr_client, programme, org, checklist, cast):
    year = programme.year
    response = post_form(mr_client, form_data(programme, org, checklist, lead=cast["auditor"],
                                              start=dt.date(year + 1, 1, 5), end=dt.date(year + 1, 1, 4)))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["planned_start"] == [f"05.01.{year + 1}, {year} program yılının dışında."]
    assert f"04.01.{year + 1}, {year} program yılının dışında." in errors["planned_end"]
    assert "Tetkik başlamadan bitemez." in errors["planned_end"]
    assert nothing_planned()


def test_the_audit_form_saves_an_independent_plan(mr_client, programme, org, checklist, cast, make_user):
    member = make_user(Role.INTERNAL_AUDITOR, unit="FEN")
    response = post_form(mr_client, form_data(programme, org, checklist, lead=cast["auditor"], team=[member],
                                              units=("ÇMŞ", "ALO153")))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    audit = Audit.objects.get()
    assert set(audit.units.values_list("code", flat=True)) == {"ÇMŞ", "ALO153"}
    assert list(audit.team.all()) == [member] and audit.lead_auditor == cast["auditor"]
