"""The programme grid and the audit list: who sees them, what they show, and a fixed number of
queries whatever the number of audits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import services
from audits.models import Audit, AuditProgramme, AuditState


@pytest.fixture
def year(today):
    return today.year


@pytest.fixture
def two_audits(planned_audit, cast, org, year):
    """`cmş`: the ÇMŞ chiefdom led by `auditor` (March); `desk`: the KSB desk led by `auditor2` (June)."""
    cms = planned_audit(title="Çağrı Merkezi tetkiki", planned_start=dt.date(year, 3, 10),
                        planned_end=dt.date(year, 3, 11))
    desk = planned_audit(title="Karşılama masası tetkiki", units=[org["KSB"]], lead_auditor=cast["auditor2"],
                         planned_start=dt.date(year, 6, 2), planned_end=dt.date(year, 6, 2))
    return {"cms": cms, "desk": desk}


def bulk_audits(programme, units, lead, count: int, *, start_number: int = 100) -> list[Audit]:
    """Many audits at once (straight rows: these tests measure reading, not planning)."""
    year = programme.year
    audits = Audit.objects.bulk_create([
        Audit(programme=programme, number=start_number + i, title=f"Toplu tetkik {i}", lead_auditor=lead,
              planned_start=dt.date(year, i % 12 + 1, i % 27 + 1), planned_end=dt.date(year, i % 12 + 1, i % 27 + 1),
              state=[AuditState.PLANNED, AuditState.IN_PROGRESS, AuditState.REPORTED][i % 3])
        for i in range(count)
    ])
    Audit.units.through.objects.bulk_create([
        Audit.units.through(audit_id=audit.pk, unit_id=units[i % len(units)].pk) for i, audit in enumerate(audits)
    ])
    return audits


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# --- the grid -------------------------------------------------------------------------------


def test_programme_redirects_to_the_current_years_grid(client, cast, year):
    response = _get(client, cast["mr"], reverse("audits:programme"))
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:programme_year", args=[year])


@pytest.mark.parametrize("who", ["mr", "top", "auditor", "manager"])
def test_the_grid_is_published_to_every_role_that_follows_audits(client, cast, two_audits, year, who):
    html = _get(client, cast[who], reverse("audits:programme_year", args=[year])).content.decode()
    assert two_audits["cms"].code in html and two_audits["desk"].code in html
    assert "Çağrı Merkezi tetkiki" in html and "Karşılama masası tetkiki" in html


@pytest.mark.parametrize("who", ["clerk", "agent"])
def test_staff_and_agents_may_not_see_the_programme(client, cast, two_audits, year, who):
    for url in (reverse("audits:programme"), reverse("audits:programme_year", args=[year])):
        assert _get(client, cast[who], url).status_code == 403


def test_an_audit_the_person_may_not_open_is_plain_text_on_the_grid(client, cast, two_audits, year):
    html = _get(client, cast["auditor"], reverse("audits:programme_year", args=[year])).content.decode()
    assert reverse("audits:audit", args=[two_audits["cms"].pk]) in html
    assert reverse("audits:audit", args=[two_audits["desk"].pk]) not in html
    html = _get(client, cast["manager"], reverse("audits:programme_year", args=[year])).content.decode()
    assert reverse("audits:audit", args=[two_audits["cms"].pk]) in html
    assert reverse("audits:audit", args=[two_audits["desk"].pk]) not in html


def test_each_audit_sits_in_its_units_row_under_its_start_month_with_its_state(client, cast, two_audits, year):
    response = _get(client, cast["mr"], reverse("audits:programme_year", args=[year]))
    rows = response.context["rows"]
    by_unit = {unit.code: cells for unit, cells in rows}
    assert set(by_unit) == {"ÇMŞ", "KSB"}
    assert [unit.path for unit, _cells in rows] == sorted(unit.path for unit, _cells in rows)
    march, june = by_unit["ÇMŞ"][2], by_unit["KSB"][5]
    assert march[0] == "Mart" and [a.pk for a in march[1]] == [two_audits["cms"].pk]
    assert june[0] == "Haziran" and [a.pk for a in june[1]] == [two_audits["desk"].pk]
    html = response.content.decode()
    for month in ("Ocak", "Şubat", "Ağustos", "Aralık"):
        assert month in html
    assert 'class="audit-state audit-state--planned">Planlandı</span>' in html


def test_an_audit_of_several_units_appears_in_each_units_row(client, cast, planned_audit, org, year):
    audit = planned_audit(units=[org["ALO153"], org["ÇMPK"]], lead_auditor=cast["auditor"])
    rows = _get(client, cast["mr"], reverse("audits:programme_year", args=[year])).context["rows"]
    holding = [unit.code for unit, cells in rows if any(audit in month_audits for _m, month_audits in cells)]
    assert holding == ["ALO153", "ÇMPK"]


def test_completion_counts_reported_and_closed_out_of_the_audits_not_cancelled(client, cast, planned_audit, year):
    planned_audit(title="Bir")
    started = services.audit_start(audit=planned_audit(title="İki"), user=cast["auditor"])
    Audit.objects.filter(pk=started.pk).update(state=AuditState.REPORTED)
    services.audit_cancel(audit=planned_audit(title="Üç"), user=cast["mr"], reason="Birim kapandı")
    response = _get(client, cast["mr"], reverse("audits:programme_year", args=[year]))
    assert response.context["completion"] == 50
    assert "Program gerçekleşmesi: %50" in response.content.decode()
    counts = {item["state"]: item["count"] for item in response.context["counts"]}
    assert counts == {"planned": 1, "in_progress": 0, "reported": 1, "closed": 0, "cancelled": 1}


def test_a_year_without_programme_says_so_and_offers_the_representative_to_create_it(client, cast, year):
    response = _get(client, cast["mr"], reverse("audits:programme_year", args=[year + 5]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{year + 5} için tetkik programı yok." in html
    assert reverse("wagtailsnippets_audits_auditprogramme:add") in html
    html = _get(client, cast["auditor"], reverse("audits:programme_year", args=[year + 5])).content.decode()
    assert f"{year + 5} için tetkik programı yok." in html
    assert reverse("wagtailsnippets_audits_auditprogramme:add") not in html


def test_the_year_navigation_links_the_neighbouring_and_existing_years(client, cast, programme, year):
    AuditProgramme.objects.create(year=year - 3)
    html = _get(client, cast["auditor"], reverse("audits:programme_year", args=[year])).content.decode()
    for other in (year - 1, year + 1, year - 3):
        assert reverse("audits:programme_year", args=[other]) in html
    assert reverse("audits:programme_pdf", args=[year]) in html
    assert reverse("audits:programme_ical", args=[year]) in html


def test_the_grid_runs_a_fixed_number_of_queries(client, cast, org, programme, year):
    units = [org["ALO153"], org["ÇMPK"], org["KSB"], org["ÇMŞ"]]
    url = reverse("audits:programme_year", args=[year])
    for n, user in enumerate((cast["mr"], cast["auditor2"], cast["manager"])):
        client.force_login(user)
        bulk_audits(programme, units, cast["auditor2"], 10, start_number=1 + 200 * n)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        bulk_audits(programme, units, cast["auditor2"], 90, start_number=11 + 200 * n)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert len(response.context["audits"]) >= 100
        assert len(many) == len(few), (user.username, [q["sql"] for q in many.captured_queries])


# --- the audit list -------------------------------------------------------------------------


def _listed(client, user, **params) -> set[int]:
    response = _get(client, user, reverse("audits:audit_list"), **params)
    assert response.status_code == 200
    return {audit.pk for audit in response.context["page"].object_list}


def test_the_representative_and_top_management_list_every_audit(client, cast, two_audits):
    everything = {a.pk for a in two_audits.values()}
    assert _listed(client, cast["mr"]) == everything
    assert _listed(client, cast["top"]) == everything


def test_an_auditor_lists_only_the_audits_they_lead_or_are_on_the_team_of(client, cast, two_audits, planned_audit,
                                                                          org):
    team_audit = planned_audit(title="Ekip tetkiki", units=[org["ALO153"]], lead_auditor=cast["auditor2"],
                               team=[cast["auditor"]])
    assert _listed(client, cast["auditor"]) == {two_audits["cms"].pk, team_audit.pk}
    assert _listed(client, cast["auditor2"]) == {two_audits["desk"].pk, team_audit.pk}


def test_a_unit_manager_lists_only_the_audits_of_their_units(client, cast, two_audits):
    assert _listed(client, cast["manager"]) == {two_audits["cms"].pk}
    assert _listed(client, cast["desk_manager"]) == {two_audits["desk"].pk}


@pytest.mark.parametrize("who", ["clerk", "agent"])
def test_staff_and_agents_may_not_list_audits(client, cast, two_audits, who):
    assert _get(client, cast[who], reverse("audits:audit_list")).status_code == 403


def test_only_the_representative_is_offered_to_add_an_audit(client, cast, two_audits):
    add = reverse("wagtailsnippets_audits_audit:add")
    assert add in _get(client, cast["mr"], reverse("audits:audit_list")).content.decode()
    assert add not in _get(client, cast["auditor"], reverse("audits:audit_list")).content.decode()
    assert add not in _get(client, cast["top"], reverse("audits:audit_list")).content.decode()


def test_the_list_filters_by_year_state_unit_and_search(client, cast, two_audits, org, year):
    mr = cast["mr"]
    cms, desk = two_audits["cms"], two_audits["desk"]
    services.audit_start(audit=cms, user=cast["auditor"])
    assert _listed(client, mr, year=year) == {cms.pk, desk.pk}
    assert _listed(client, mr, state="in_progress") == {cms.pk}
    assert _listed(client, mr, unit=org["KSB"].pk) == {desk.pk}
    assert _listed(client, mr, q="masası") == {desk.pk}
    assert _listed(client, mr, q=cms.code) == {cms.pk}
    assert _listed(client, mr, q="Karşılama ve Sonuç") == {desk.pk}


def test_the_audit_list_runs_a_fixed_number_of_queries(client, cast, org, programme):
    units = [org["ALO153"], org["ÇMPK"], org["KSB"]]
    url = reverse("audits:audit_list")
    for n, user in enumerate((cast["mr"], cast["auditor2"], cast["manager"])):
        client.force_login(user)
        bulk_audits(programme, units, cast["auditor2"], 10, start_number=1 + 200 * n)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        bulk_audits(programme, units, cast["auditor2"], 90, start_number=11 + 200 * n)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert len(response.context["page"].object_list) >= 10
        assert len(many) == len(few), (user.username, [q["sql"] for q in many.captured_queries])
