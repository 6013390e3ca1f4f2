"""The dashboard's audit and DÖF panels: each shown to the roles it concerns only, holding only the
DÖFs and audits they may see (a unit manager's, their units'), with a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import queries, services
from audits.models import Nonconformity, Source
from audits.panels import PANEL_LIMIT
from qms.roles import Role

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
PANEL_IDS = {
    "open": 'id="audits-open-nonconformities-section"',
    "overdue": 'id="audits-overdue-actions-section"',
    "effectiveness": 'id="audits-effectiveness-checks-section"',
    "programme": 'id="audits-programme-section"',
}


def shown(client) -> set[str]:
    html = client.get(ADMIN).content.decode()
    return {name for name, marker in PANEL_IDS.items() if marker in html}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.MANAGEMENT_REPRESENTATIVE, {"open", "overdue", "effectiveness", "programme"}),
        (Role.INTERNAL_AUDITOR, {"open", "overdue", "effectiveness", "programme"}),
        (Role.TOP_MANAGEMENT, {"open", "overdue", "programme"}),
        (Role.UNIT_MANAGER, {"open", "overdue", "programme"}),
        (Role.STAFF, set()),
        (Role.AGENT, set()),
        (Role.QA_EVALUATOR, set()),
        (Role.TRAINING_COORDINATOR, set()),
    ],
)
def test_each_panel_is_shown_to_the_roles_it_concerns_only(role_client, role, expected):
    assert shown(role_client(role, unit="ÇMŞ")) == expected


def _raise(cast, org, unit, *, days_ago=0, raised_by="clerk", title="Uygunsuzluk"):
    nc = services.raise_nonconformity(source=Source.CITIZEN_COMPLAINT, title=title, description="Açıklama",
                                      unit=org[unit], raised_by=cast[raised_by], triaged_by=cast["mr"])
    if days_ago:
        Nonconformity.objects.filter(pk=nc.pk).update(raised_at=timezone.now() - dt.timedelta(days=days_ago))
    return nc


def test_open_dofs_are_counted_by_unit_and_age(cast, org, today):
    for days in (0, 30, 31, 60, 61, 90, 91, 400):
        _raise(cast, org, "ALO153", days_ago=days)
    _raise(cast, org, "KSB", days_ago=5)
    table = queries.open_nonconformities_by_unit_and_age(cast["mr"], today)
    rows = {row.unit_code: row for row in table.rows}
    assert rows["ALO153"].counts == (2, 2, 2, 2)
    assert rows["KSB"].counts == (1, 0, 0, 0)
    assert table.totals == (3, 2, 2, 2) and table.total == 9


def test_closed_and_rejected_dofs_are_not_open(nonconformity, cast, today):
    from audits.models import NCState

    nonconformity(NCState.CLOSED)
    nonconformity(NCState.REJECTED, triaged=False)
    assert queries.open_nonconformities_by_unit_and_age(cast["mr"], today).total == 0


def test_a_unit_managers_panel_holds_their_units_only(cast, org, client, today):
    own = _raise(cast, org, "ALO153", title="Çağrı merkezinde geri dönüş yok")
    # The manager raised one for another unit: they may open it, but it is not their unit's.
    other = _raise(cast, org, "KSB", raised_by="manager", title="Bankoda bekleme uzun")
    table = queries.open_nonconformities_by_unit_and_age(cast["manager"], today)
    assert [row.unit_code for row in table.rows] == ["ALO153"]
    client.force_login(cast["manager"])
    html = client.get(ADMIN).content.decode()
    list_url = reverse("audits:nonconformities")
    assert f'{list_url}?unit={org["ALO153"].pk}&amp;state=open_states' in html
    assert f'?unit={org["KSB"].pk}&amp;' not in html
    assert Nonconformity.objects.filter(pk__in=[own.pk, other.pk]).count() == 2


def test_the_management_representative_sees_every_unit(cast, org, client):
    _raise(cast, org, "ALO153")
    _raise(cast, org, "KSB")
    client.force_login(cast["mr"])
    html = client.get(ADMIN).content.decode()
    assert f'?unit={org["ALO153"].pk}&amp;' in html and f'?unit={org["KSB"].pk}&amp;' in html


def _overdue_action(cast, org, today, unit="ALO153", owner="agent", manager="manager", days_late=3):
    nc = _raise(cast, org, unit, days_ago=30)
    nc = services.nonconformity_analyse(nonconformity=nc, user=cast[manager], whys=["Neden"], root_cause="Kök")
    action = services.action_add(nonconformity=nc, user=cast[manager], description="Talimat yazılacak",
                                 owner=cast[owner], due_date=today - dt.timedelta(days=days_late))
    services.nonconformity_plan(nonconformity=nc, user=cast[manager], effectiveness_due=today)
    return action


def test_overdue_actions_show_code_action_owner_due_date_and_days_late(cast, org, client, today):
    action = _overdue_action(cast, org, today, days_late=4)
    client.force_login(cast["mr"])
    html = client.get(ADMIN).content.decode()
    section = html[html.index(PANEL_IDS["overdue"]):]
    assert action.nonconformity.code in section
    assert "Talimat yazılacak" in section and "Burak Öztürk" in section
    assert (today - dt.timedelta(days=4)).strftime("%d.%m.%Y") in section
    assert "4 gün" in section
    assert "?overdue=1" not in section  # one action: no "more" link


def test_a_unit_manager_sees_the_overdue_actions_of_their_units_only(cast, org, today):
    mine = _overdue_action(cast, org, today)
    theirs = _overdue_action(cast, org, today, unit="KSB", owner="clerk", manager="desk_manager")
    seen = list(queries.overdue_actions_visible_to(cast["manager"], today))
    assert seen == [mine]
    assert set(queries.overdue_actions_visible_to(cast["mr"], today)) == {mine, theirs}
    assert list(queries.overdue_actions_visible_to(cast["desk_manager"], today)) == [theirs]


def test_the_overdue_panel_shows_ten_and_links_to_the_rest(cast, org, client, today):
    for _ in range(PANEL_LIMIT + 1):
        _overdue_action(cast, org, today)
    client.force_login(cast["mr"])
    html = client.get(ADMIN).content.decode()
    section = html[html.index(PANEL_IDS["overdue"]):html.index(PANEL_IDS["programme"])]
    assert section.count("Talimat yazılacak") == PANEL_LIMIT
    assert f'{reverse("audits:nonconformities")}?overdue=1' in section


def test_effectiveness_checks_waiting_are_listed_for_verifiers(nonconformity, cast, client):
    from audits.models import NCState

    nc = nonconformity(NCState.ACTIONS_DONE)
    client.force_login(cast["auditor2"])
    html = client.get(ADMIN).content.decode()
    section = html[html.index(PANEL_IDS["effectiveness"]):]
    assert nc.code in section and "Şimdi doğrulanabilir" in section
    assert reverse("audits:nonconformity", args=[nc.pk]) in section


def test_programme_completion_counts_reported_and_closed_of_audits_not_cancelled(
    planned_audit, cast, org, today
):
    audits = [planned_audit(title=f"Tetkik {i}", units=[org["ALO153"]]) for i in range(4)]
    services.audit_cancel(audit=audits[0], user=cast["mr"], reason="Ertelendi")
    done = services.audit_start(audit=audits[1], user=cast["auditor"])
    for answer in done.answers.all():
        services.answer_record(answer=answer, user=cast["auditor"], result="conforming")
    done.summary = "Uygun."
    done.save(update_fields=["summary"])
    services.audit_sign_off(audit=done, user=cast["auditor"])
    completion = queries.programme_completion(today.year)
    assert (completion.done, completion.total, completion.percent) == (1, 3, 33)
    assert completion.by_state["cancelled"] == 1
    empty = queries.programme_completion(today.year + 5)
    assert empty.total == 0 and empty.percent is None


def test_the_programme_panel_shows_progress_and_the_next_audits(planned_audit, cast, org, client, today):
    audit = planned_audit(units=[org["ALO153"]])
    client.force_login(cast["mr"])
    html = client.get(ADMIN).content.decode()
    section = html[html.index(PANEL_IDS["programme"]):]
    assert '<progress' in section and 'max="100" value="0"' in section
    assert "aria-labelledby=" in section
    assert audit.code in section and reverse("audits:audit", args=[audit.pk]) in section
    assert reverse("audits:programme") in section


def test_a_unit_manager_sees_the_next_audits_of_their_units_only(planned_audit, cast, org, today):
    mine = planned_audit(title="Çağrı merkezi", units=[org["ALO153"]])
    planned_audit(title="Banko", units=[org["KSB"]], lead_auditor=cast["auditor2"])
    assert queries.next_planned_audits(cast["manager"], today) == [mine]
    assert len(queries.next_planned_audits(cast["mr"], today)) == 2


def test_the_panels_run_the_same_number_of_queries_for_5_and_50_dofs(cast, org, client, today, planned_audit):
    client.force_login(cast["mr"])

    def make(n):
        for i in range(n):
            _overdue_action(cast, org, today, unit="ALO153" if i % 2 else "ÇMPK")
            planned_audit(title=f"Tetkik {i}", units=[org["ALO153"]])

    def measure():
        from django.test import RequestFactory

        from audits.panels import panels_for

        request = RequestFactory().get(ADMIN)
        request.user = cast["mr"]
        with CaptureQueriesContext(connection) as ctx:
            html = "".join(panel.render_html({"request": request}) for panel in panels_for(cast["mr"]))
        return len(ctx.captured_queries), html

    make(5)
    measure()  # first use: permissions and content types are cached on the user and in the process
    few, html_few = measure()
    make(45)
    many, html_many = measure()
    assert few == many
    assert html_few.count("<tr") < html_many.count("<tr")
