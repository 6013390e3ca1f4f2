"""The DÖF screens: who sees which DÖF, the list's filters and query count, the raise form, and
every step form as the role that owns it, with the refusals of the roles that do not.

A DÖF outside a person's visibility is 404 on every URL (page, PDF, steps); a step the person may
not take is 403 with the reason; a step the DÖF is not ready for shows the form again with the
model layer's message, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import ActionState, CorrectiveAction, EvidenceFile, NCState, Nonconformity, Source
from qms.roles import Role

pytestmark = pytest.mark.django_db

LIST = "audits:nonconformities"


def url(name, *args):
    return reverse(f"audits:{name}", args=args)


def text(response) -> str:
    return unescape(response.content.decode())


def login(client, user):
    client.force_login(user)
    return client


def codes_in_list(client, query="") -> set[str]:
    response = client.get(reverse(LIST) + query)
    assert response.status_code == 200
    return {nc.code for nc in Nonconformity.objects.all() if f">{nc.code}</a>" in response.content.decode()}


def raise_nc(cast, org, *, unit="ÇMŞ", by="clerk", title="Anket sonuçları raporlanmıyor"):
    return services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title=title,
                                        description="Aylık rapor hazırlanmadı.", unit=org[unit], raised_by=cast[by])


@pytest.fixture
def two_units(cast, org, nonconformity):
    """A DÖF of ÇMŞ (raised by the clerk, action owned by the agent) and one of KSB (raised by the MR)."""
    cms = nonconformity(NCState.ACTIONS_PLANNED)
    ksb = raise_nc(cast, org, unit="KSB", by="mr", title="Karşılama bankosunda sıra numaratörü yok")
    return cms, ksb


# --- who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mr", "top", "auditor"])
def test_overseers_see_every_dof(client, cast, two_units, who):
    assert codes_in_list(login(client, cast[who])) == {nc.code for nc in two_units}


def test_a_unit_manager_sees_the_dofs_of_their_unit_and_the_units_under_it(client, cast, org, two_units):
    alo = raise_nc(cast, org, unit="ALO153", by="mr", title="ALO 153 bekleme süresi")
    cms, ksb = two_units
    assert codes_in_list(login(client, cast["manager"])) == {cms.code, alo.code}
    assert codes_in_list(login(client, cast["desk_manager"])) == {ksb.code}


def test_the_owner_of_an_action_sees_that_dof_only(client, cast, two_units):
    cms, _ksb = two_units
    assert codes_in_list(login(client, cast["agent"])) == {cms.code}


def test_staff_see_only_the_dofs_they_raised(client, cast, org, two_units, make_user):
    cms, _ksb = two_units
    assert codes_in_list(login(client, cast["clerk"])) == {cms.code}
    assert codes_in_list(login(client, make_user(Role.STAFF, unit="KSB"))) == set()


def test_guessing_the_url_of_a_dof_one_may_not_see_is_404_everywhere(client, cast, two_units):
    _cms, ksb = two_units
    services.nonconformity_triage(nonconformity=ksb, user=cast["mr"])
    services.nonconformity_analyse(nonconformity=ksb, user=cast["mr"], whys=["a"], root_cause="b")
    action = services.action_add(nonconformity=ksb, user=cast["mr"], description="x", owner=cast["mr"],
                                 due_date=timezone.localdate())
    login(client, cast["agent"])
    for name in ("nonconformity", "nonconformity_pdf"):
        assert client.get(url(name, ksb.pk)).status_code == 404
    for name in ("nonconformity_triage", "nonconformity_analyse", "nonconformity_action_add", "nonconformity_plan",
                 "nonconformity_check", "nonconformity_close"):
        assert client.post(url(name, ksb.pk), {}).status_code == 404
    for name in ("action_complete", "action_cancel"):
        assert client.post(url(name, action.pk), {}).status_code == 404
    assert client.get(url("nonconformity", 999999)).status_code == 404


def test_a_person_without_a_role_cannot_open_the_list_or_the_raise_form(client, make_user):
    login(client, make_user(unit="KSB"))  # no role: not even the admin opens
    for response in (client.get(reverse(LIST)), client.get(url("nonconformity_raise"))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


# --- the list ----------------------------------------------------------------------------------------


def _raise_many(cast, org, n):
    for i in range(n):
        raise_nc(cast, org, unit=("ALO153", "KSB", "ÇMPK")[i % 3], by="mr", title=f"DÖF {i}")


@pytest.mark.parametrize("who", ["mr", "manager"])
def test_the_list_runs_the_same_number_of_queries_for_10_and_100_dofs(client, cast, org, who):
    login(client, cast[who])
    _raise_many(cast, org, 10)
    client.get(reverse(LIST))  # caches filled (content types, the user's profile) before counting
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(LIST)).status_code == 200
    _raise_many(cast, org, 90)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(LIST))
    assert response.content.decode().split("<tbody>")[1].count('<th scope="row"') == 50
    assert len(many) == len(few)


def test_the_list_pages_by_50(client, cast, org):
    _raise_many(cast, org, 55)
    login(client, cast["mr"])
    first = client.get(reverse(LIST)).content.decode()
    second = client.get(reverse(LIST) + "?p=2").content.decode()
    assert first.split("<tbody>")[1].count('<th scope="row"') == 50
    assert second.split("<tbody>")[1].count('<th scope="row"') == 5


def test_the_list_shows_state_age_next_due_overdue_and_reopened(client, cast, org, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    Nonconformity.objects.filter(pk=nc.pk).update(raised_at=timezone.now() - dt.timedelta(days=40), cycle=2)
    CorrectiveAction.objects.filter(nonconformity=nc).update(due_date=today - dt.timedelta(days=3))
    html = text(login(client, cast["mr"]).get(reverse(LIST)))
    assert str(NCState.ACTIONS_PLANNED.label) in html
    assert "40 gündür açık" in html
    assert (today - dt.timedelta(days=3)).strftime("%d.%m.%Y") in html
    assert "Gecikmiş" in html
    assert "Yeniden açıldı (2. döngü)" in html


def test_filters_open_only_to_triage_overdue_and_mine(client, cast, org, nonconformity, today):
    closed = nonconformity(NCState.CLOSED)
    untriaged = raise_nc(cast, org, unit="KSB", by="agent", title="Santral kaydı")
    late = nonconformity(NCState.ACTIONS_PLANNED)
    Nonconformity.objects.filter(pk=late.pk).update(raised_at=timezone.now() - dt.timedelta(days=30))
    CorrectiveAction.objects.filter(nonconformity=late).update(due_date=today - dt.timedelta(days=1))
    login(client, cast["mr"])
    assert closed.code not in codes_in_list(client, "?state=open_states")
    assert codes_in_list(client, "?to_triage=on") == {untriaged.code}
    assert codes_in_list(client, "?overdue=on") == {late.code}
    assert codes_in_list(client, f"?state={NCState.CLOSED}") == {closed.code}
    login(client, cast["agent"])  # raised one, owns an action of the two others
    assert codes_in_list(client, "?mine=on") == {untriaged.code, late.code, closed.code}


def test_search_by_number_or_title_with_turkish_letters(client, cast, org):
    first = raise_nc(cast, org, title="İade işlemleri gecikiyor", by="mr")
    raise_nc(cast, org, title="Anket", by="mr")
    login(client, cast["mr"])
    assert codes_in_list(client, "?q=iade") == {first.code}
    assert codes_in_list(client, "?q=" + first.code[-3:]) >= {first.code}


def test_the_to_triage_filter_is_offered_to_the_management_representative_only(client, cast):
    assert 'name="to_triage"' in login(client, cast["mr"]).get(reverse(LIST)).content.decode()
    assert 'name="to_triage"' not in login(client, cast["manager"]).get(reverse(LIST)).content.decode()


# --- raising -----------------------------------------------------------------------------------------


def test_staff_raise_a_dof_and_see_it_and_the_management_representative_has_it_to_triage(client, cast, org):
    login(client, cast["clerk"])
    form = client.get(url("nonconformity_raise"))
    assert form.status_code == 200
    assert f'value="{org["KSB"].pk}" selected' in form.content.decode()  # their own unit by default
    assert f'value="{Source.INTERNAL_AUDIT}"' not in form.content.decode()
    response = client.post(url("nonconformity_raise"), {
        "title": "Bekleme salonunda sıra sistemi bozuk", "description": "İki gündür çalışmıyor.",
        "unit": org["KSB"].pk, "source": Source.STAFF_SUGGESTION, "immediate_correction": "Elle sıra verildi.",
    }, follow=True)
    nc = Nonconformity.objects.get()
    assert response.redirect_chain[-1][0] == url("nonconformity", nc.pk)
    assert f"{nc.code} açıldı; yönetim temsilcisi ön değerlendirme yapacak" in text(response)
    assert nc.raised_by == cast["clerk"] and nc.triaged_at is None and nc.state == NCState.OPEN
    assert nc.immediate_correction == "Elle sıra verildi." and "Elle sıra verildi." not in nc.description
    assert codes_in_list(client) == {nc.code}
    assert codes_in_list(login(client, cast["mr"]), "?to_triage=on") == {nc.code}


def test_raising_with_evidence_files_attaches_them(client, cast, org):
    login(client, cast["clerk"])
    pdf = SimpleUploadedFile("tutanak.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(url("nonconformity_raise"), {
        "title": "Kayıt", "description": "Açıklama", "unit": org["KSB"].pk, "source": Source.CITIZEN_COMPLAINT,
        "files": [pdf],
    })
    nc = Nonconformity.objects.get()
    assert [f.original_name for f in nc.files.all()] == ["tutanak.pdf"]


def test_a_wrong_evidence_file_refuses_the_whole_form_and_nothing_is_saved(client, cast, org):
    login(client, cast["clerk"])
    fake = SimpleUploadedFile("tutanak.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url("nonconformity_raise"), {
        "title": "Kayıt", "description": "Açıklama", "unit": org["KSB"].pk, "source": Source.STAFF_SUGGESTION,
        "files": [fake],
    })
    assert response.status_code == 200
    assert "tutanak.pdf" in text(response)
    assert not Nonconformity.objects.exists() and not EvidenceFile.objects.exists()


def test_the_raise_form_refuses_the_internal_audit_source(client, cast, org):
    login(client, cast["clerk"])
    response = client.post(url("nonconformity_raise"), {
        "title": "Kayıt", "description": "Açıklama", "unit": org["KSB"].pk, "source": Source.INTERNAL_AUDIT,
    })
    assert response.status_code == 200
    assert not Nonconformity.objects.exists()


# --- the DÖF's page ----------------------------------------------------------------------------------


def test_the_page_shows_the_steps_with_the_current_one_marked(client, cast, nonconformity):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    html = text(login(client, cast["clerk"]).get(url("nonconformity", nc.pk)))
    assert html.count('aria-current="step"') == 1
    current = html.split('aria-current="step"')[1][:400]
    assert str(NCState.CAUSE_ANALYSED.label) in current
    for why in ("Geri arama listesi tutulmuyor", "Talimat yok", "Geri arama talimatı yok"):
        assert why in html


def test_the_page_shows_only_the_forms_of_the_steps_the_person_may_take_now(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    forms = {
        "clerk": [],
        "agent": [url("action_complete", action.pk)],
        "manager": [url("nonconformity_action_add", nc.pk), url("action_complete", action.pk),
                    url("action_cancel", action.pk)],
        "auditor": [],
        "top": [],
    }
    every = [url(n, nc.pk) for n in ("nonconformity_triage", "nonconformity_analyse", "nonconformity_action_add",
                                     "nonconformity_plan", "nonconformity_check", "nonconformity_close")]
    every += [url("action_complete", action.pk), url("action_cancel", action.pk)]
    for who, expected in forms.items():
        html = login(client, cast[who]).get(url("nonconformity", nc.pk)).content.decode()
        shown = [u for u in every if f'action="{u}"' in html]
        assert sorted(shown) == sorted(expected), who


def test_the_page_of_an_audit_dof_names_the_finding(client, cast, nc_finding):
    nc = nc_finding.nonconformity
    html = text(login(client, cast["mr"]).get(url("nonconformity", nc.pk)))
    assert nc_finding.code in html


def test_the_page_shows_the_audit_trail(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    html = text(login(client, cast["mr"]).get(url("nonconformity", nc.pk)))
    trail = html.split('id="trail-heading"')[1]
    assert "Ayşe Yıldırım" in trail  # the triage
    assert "Burak Öztürk" in trail  # the action done
    assert str(NCState.ACTIONS_DONE.label) in trail


def test_the_page_runs_the_same_number_of_queries_for_1_and_10_actions(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    login(client, cast["manager"])

    def add(n):
        for i in range(n):
            services.action_add(nonconformity=nc, user=cast["manager"], description=f"Faaliyet {i}",
                                owner=cast["agent"], due_date=today + dt.timedelta(days=5))

    add(1)
    with CaptureQueriesContext(connection) as one:
        client.get(url("nonconformity", nc.pk))
    add(9)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url("nonconformity", nc.pk))
    assert response.content.decode().count('id="action-') == 10
    assert len(ten) == len(one)


# --- the steps ---------------------------------------------------------------------------------------


def test_the_management_representative_accepts_a_raised_dof_and_gives_it_to_a_unit(client, cast, org, clause):
    nc = raise_nc(cast, org, unit="KSB")
    response = login(client, cast["mr"]).post(url("nonconformity_triage", nc.pk), {
        "decision": "accept", "unit": org["ALO153"].pk, "severity": "major", "clause": clause.pk,
    }, follow=True)
    nc.refresh_from_db()
    assert (nc.unit.code, nc.severity, nc.clause, nc.triaged_by) == ("ALO153", "major", clause, cast["mr"])
    assert "Çağrı Merkezi Birimi" in text(response)


def test_rejecting_needs_a_reason(client, cast, org):
    nc = raise_nc(cast, org)
    login(client, cast["mr"])
    response = client.post(url("nonconformity_triage", nc.pk), {"decision": "reject", "severity": "minor"})
    assert response.status_code == 200
    assert "Ret gerekçesini yazın." in text(response)
    nc.refresh_from_db()
    assert nc.state == NCState.OPEN
    client.post(url("nonconformity_triage", nc.pk), {"decision": "reject", "severity": "minor", "reason": "Mükerrer"})
    nc.refresh_from_db()
    assert (nc.state, nc.rejection_reason) == (NCState.REJECTED, "Mükerrer")


def test_a_unit_manager_cannot_triage(client, cast, org):
    nc = raise_nc(cast, org)
    response = login(client, cast["manager"]).post(url("nonconformity_triage", nc.pk), {
        "decision": "accept", "unit": org["ÇMŞ"].pk, "severity": "major"})
    assert response.status_code == 403
    assert "DÖF'lerin ön değerlendirmesini yalnızca yönetim temsilcisi yapar." in text(response)
    nc.refresh_from_db()
    assert nc.triaged_at is None and nc.severity == "minor"


def test_the_unit_manager_records_the_root_cause(client, cast, nonconformity, today):
    nc = nonconformity(NCState.OPEN)
    response = login(client, cast["manager"]).post(url("nonconformity_analyse", nc.pk), {
        "immediate_correction": "Bekleyen aramalar arandı.", "correction_date": today.isoformat(),
        "why_1": "Liste yok", "why_2": "Kimse sorumlu değil", "root_cause": "Sorumluluk tanımlı değil",
        "cause_category": "people",
    })
    assert response.status_code == 302
    nc.refresh_from_db()
    assert (nc.state, nc.whys, nc.correction_date) == (NCState.CAUSE_ANALYSED, ["Liste yok", "Kimse sorumlu değil"],
                                                        today)


def test_whys_out_of_order_are_refused_with_the_message_and_nothing_is_saved(client, cast, nonconformity):
    nc = nonconformity(NCState.OPEN)
    response = login(client, cast["manager"]).post(url("nonconformity_analyse", nc.pk), {
        "why_1": "Liste yok", "why_3": "Atlanmış", "root_cause": "Sorumluluk", "immediate_correction": "Yapıldı"})
    assert response.status_code == 200
    html = text(response)
    assert "“Neden?” sorularını atlamadan sırayla yanıtlayın." in html
    assert "Atlanmış" in html  # the entered values are kept
    assert "Hiçbir şey kaydedilmedi." in html and 'href="#form-analyse"' in html
    nc.refresh_from_db()
    assert (nc.state, nc.why_1, nc.immediate_correction) == (NCState.OPEN, "", "")


def test_the_person_who_raised_it_cannot_answer_it(client, cast, nonconformity):
    nc = nonconformity(NCState.OPEN)
    response = login(client, cast["clerk"]).post(url("nonconformity_analyse", nc.pk), {
        "why_1": "Liste yok", "root_cause": "Sorumluluk"})
    assert response.status_code == 403
    assert "Bu DÖF'ü yalnızca Çağrı Merkezi Şefliği yöneticileri ya da yönetim temsilcisi yanıtlar." in text(response)
    nc.refresh_from_db()
    assert nc.state == NCState.OPEN


def test_the_unit_manager_adds_an_action_and_confirms_the_plan(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    login(client, cast["manager"])
    response = client.post(url("nonconformity_action_add", nc.pk), {
        "description": "Talimat yazılacak", "owner": cast["agent"].pk, "due_date": (today + dt.timedelta(days=7)),
    })
    assert response.status_code == 302
    action = nc.actions.get()
    assert (action.owner, action.state) == (cast["agent"], ActionState.PLANNED)
    page = client.get(url("nonconformity", nc.pk)).content.decode()
    assert (today + dt.timedelta(days=37)).isoformat() in page  # the plan form suggests the last due + 30 days
    client.post(url("nonconformity_plan", nc.pk), {"effectiveness_due": (today + dt.timedelta(days=37))})
    nc.refresh_from_db()
    assert (nc.state, nc.effectiveness_due) == (NCState.ACTIONS_PLANNED, today + dt.timedelta(days=37))


def test_an_action_due_before_the_dof_was_opened_is_refused_with_the_message(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    opened = timezone.localtime(nc.raised_at).strftime("%d.%m.%Y")
    response = login(client, cast["manager"]).post(url("nonconformity_action_add", nc.pk), {
        "description": "Talimat yazılacak", "owner": cast["agent"].pk, "due_date": today - dt.timedelta(days=3)})
    assert response.status_code == 200
    assert f"Bir faaliyetin termini DÖF'ün açıldığı tarihten ({opened}) önce olamaz." in text(response)
    assert not nc.actions.exists()


def test_a_plan_checked_before_its_last_action_is_due_is_refused(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    services.action_add(nonconformity=nc, user=cast["manager"], description="x", owner=cast["agent"],
                        due_date=today + dt.timedelta(days=20))
    response = login(client, cast["manager"]).post(url("nonconformity_plan", nc.pk), {
        "effectiveness_due": today + dt.timedelta(days=10)})
    assert response.status_code == 200
    nc.refresh_from_db()
    assert nc.state == NCState.CAUSE_ANALYSED and nc.effectiveness_due is None


def test_the_action_owner_cannot_add_actions(client, cast, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    response = login(client, cast["agent"]).post(url("nonconformity_action_add", nc.pk), {
        "description": "Kendi eylemim", "owner": cast["agent"].pk, "due_date": today + dt.timedelta(days=3)})
    assert response.status_code == 403
    assert nc.actions.count() == 1


def test_the_owner_records_their_action_as_done_with_evidence(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    pdf = SimpleUploadedFile("talimat.pdf", b"%PDF-1.4 talimat", content_type="application/pdf")
    response = login(client, cast["agent"]).post(url("action_complete", action.pk), {
        f"complete-{action.pk}-evidence": "TL-ÇMŞ-004 yayımlandı", f"complete-{action.pk}-files": [pdf]})
    assert response.status_code == 302
    action.refresh_from_db()
    nc.refresh_from_db()
    assert (action.state, action.completed_by, nc.state) == (ActionState.DONE, cast["agent"], NCState.ACTIONS_DONE)
    assert [f.original_name for f in action.files.all()] == ["talimat.pdf"]


def test_someone_who_may_see_but_not_answer_cannot_record_an_action_done(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    response = login(client, cast["clerk"]).post(url("action_complete", action.pk), {
        f"complete-{action.pk}-evidence": "Yaptım"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.state == ActionState.PLANNED


def test_an_action_done_without_evidence_is_refused(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    response = login(client, cast["agent"]).post(url("action_complete", action.pk), {
        f"complete-{action.pk}-evidence": ""})
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.state == ActionState.PLANNED


def test_the_unit_manager_cancels_an_action_with_a_reason_and_its_owner_cannot(client, cast, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    extra = services.action_add(nonconformity=nc, user=cast["manager"], description="Fazladan", owner=cast["agent"],
                                due_date=today + dt.timedelta(days=5))
    assert login(client, cast["agent"]).post(url("action_cancel", extra.pk), {
        f"cancel-{extra.pk}-reason": "Gerek yok"}).status_code == 403
    login(client, cast["manager"]).post(url("action_cancel", extra.pk), {f"cancel-{extra.pk}-reason": "Mükerrer"})
    extra.refresh_from_db()
    assert (extra.state, extra.cancel_reason) == (ActionState.CANCELLED, "Mükerrer")


def test_an_auditor_verifies_the_effectiveness(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    login(client, cast["auditor"])
    assert f'action="{url("nonconformity_check", nc.pk)}"' in client.get(url("nonconformity", nc.pk)).content.decode()
    response = client.post(url("nonconformity_check", nc.pk), {"effective": "yes", "note": "Kayıtlar incelendi."})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.state == NCState.VERIFIED
    assert nc.checks.get().checked_by == cast["auditor"]


def test_the_action_owner_cannot_verify(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    response = login(client, cast["agent"]).post(url("nonconformity_check", nc.pk), {"effective": "yes",
                                                                                       "note": "Oldu"})
    assert response.status_code == 403
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE and not nc.checks.exists()


def test_verifying_ones_own_actions_is_refused_with_the_message(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    action = services.action_add(nonconformity=nc, user=cast["manager"], description="Tetkikçi kontrol edecek",
                                 owner=cast["auditor"], due_date=today)
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    services.action_complete(action=action, user=cast["auditor"], evidence="Yapıldı")
    login(client, cast["auditor"])
    page = text(client.get(url("nonconformity", nc.pk)))
    assert f'action="{url("nonconformity_check", nc.pk)}"' not in page  # the form is not offered
    response = client.post(url("nonconformity_check", nc.pk), {"effective": "yes", "note": "Kendi işim"})
    assert response.status_code == 200
    assert "Düzeltici faaliyetleri yapan kişi bunların etkinliğini doğrulayamaz." in text(response)
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE and not nc.checks.exists()


def test_a_check_before_the_set_date_is_refused_and_the_form_waits(client, cast, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_DONE)
    later = today + dt.timedelta(days=15)
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=later)
    login(client, cast["auditor"])
    page = text(client.get(url("nonconformity", nc.pk)))
    assert f'action="{url("nonconformity_check", nc.pk)}"' not in page
    assert later.strftime("%d.%m.%Y") in page
    response = client.post(url("nonconformity_check", nc.pk), {"effective": "yes", "note": "Erken"})
    assert response.status_code == 200
    assert f"Etkinlik en erken {later:%d.%m.%Y} tarihinde doğrulanabilir." in text(response)
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE


def test_an_ineffective_check_reopens_the_dof_and_the_page_shows_both_cycles(client, cast, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_DONE)
    login(client, cast["auditor2"])
    client.post(url("nonconformity_check", nc.pk), {"effective": "no", "note": "Geri dönüşler hâlâ eksik."})
    nc.refresh_from_db()
    assert (nc.state, nc.cycle) == (NCState.CAUSE_ANALYSED, 2)
    services.action_add(nonconformity=nc, user=cast["manager"], description="Yeni eylem", owner=cast["agent"],
                        due_date=today + dt.timedelta(days=3))
    html = text(client.get(url("nonconformity", nc.pk)))
    assert "1. döngü" in html and "2. döngü" in html
    assert "Geri dönüşler hâlâ eksik." in html


def test_the_management_representative_closes_a_verified_dof(client, cast, nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    response = login(client, cast["mr"]).post(url("nonconformity_close", nc.pk), {"note": "Kapatıldı"})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert (nc.state, nc.closed_by) == (NCState.CLOSED, cast["mr"])


def test_a_unit_manager_cannot_close(client, cast, nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    response = login(client, cast["manager"]).post(url("nonconformity_close", nc.pk), {})
    assert response.status_code == 403
    assert "DÖF'leri yalnızca yönetim temsilcisi kapatır." in text(response)
    nc.refresh_from_db()
    assert nc.state == NCState.VERIFIED


def test_closing_too_early_is_refused_with_the_reason_and_nothing_is_saved(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    response = login(client, cast["mr"]).post(url("nonconformity_close", nc.pk), {"note": "Erken"})
    assert response.status_code == 200
    assert "Bir DÖF “Faaliyetler tamamlandı” durumundan “Kapatıldı” durumuna geçemez." in text(response)
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE and nc.closed_at is None


def test_a_step_url_opened_in_the_browser_goes_back_to_the_page(client, cast, nonconformity):
    nc = nonconformity(NCState.OPEN)
    response = login(client, cast["mr"]).get(url("nonconformity_close", nc.pk))
    assert response.status_code == 302 and response["Location"] == url("nonconformity", nc.pk)


def test_the_list_filters_by_clause_with_its_sub_clauses(client, cast, nonconformity):
    from django.urls import reverse

    from qms.models import Clause

    nc = nonconformity()  # on ISO 18295-1 4.2
    parent = Clause.objects.get(standard__code="ISO 18295-1", number="4")
    other = Clause.objects.get(standard__code="ISO 9001", number="4")
    client.force_login(cast["mr"])
    url = reverse("audits:nonconformities")
    assert nc.code in client.get(url, {"clause": parent.pk}).content.decode()
    assert nc.code not in client.get(url, {"clause": other.pk}).content.decode()
