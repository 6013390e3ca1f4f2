"""/api/v1/audits: audits, findings and DÖFs under the screens' visibility rules, raising a DÖF, and
each step of a DÖF through /state, /actions and /actions/{id}/complete, with the refusals.

Outside a person's visibility: 404 like an unknown id. A step the person may not take: 403 with the
reason. A step the DÖF is not ready for: 409 (or 400 when the request's data is wrong) with the
messages, in Turkish, and nothing saved. No credentials: 401.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone
from wagtail.models import APIToken

from audits import services
from audits.models import ActionState, CorrectiveAction, FindingKind, NCState, Nonconformity, Source
from qms.api import api

pytestmark = pytest.mark.django_db

API = "/api/v1/audits"


def bearer(user) -> dict:
    _instance, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def login(client, user):
    client.force_login(user)
    return client


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def codes(response) -> set[str]:
    return {item["code"] for item in items(response)}


def post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


@pytest.fixture
def ksb(cast, org):
    """A DÖF of KSB raised by the management representative (the ÇMŞ people do not see it)."""
    return services.raise_nonconformity(source=Source.CITIZEN_COMPLAINT, title="Sıra numaratörü yok",
                                        description="Bankoda sıra numaratörü yok.", unit=org["KSB"],
                                        raised_by=cast["mr"])


# --- mounting and authentication ---------------------------------------------------------------------


def test_the_router_is_mounted_once_even_if_ready_runs_again():
    apps.get_app_config("audits").ready()
    assert [prefix for prefix, _router in api._routers].count("/audits") == 1
    paths = set(api.get_openapi_schema()["paths"])
    assert {f"{API}/audits", f"{API}/nonconformities", f"{API}/nonconformities/{{nc_id}}/state",
            f"{API}/actions/{{action_id}}/complete"} <= paths


def test_no_credentials_is_401(client, nonconformity):
    nc = nonconformity(NCState.OPEN)
    for response in (
        client.get(f"{API}/audits"),
        client.get(f"{API}/findings"),
        client.get(f"{API}/nonconformities"),
        client.get(f"{API}/nonconformities/{nc.pk}"),
        post(client, "/nonconformities", {"title": "x", "description": "y", "unit": "KSB"}),
        post(client, f"/nonconformities/{nc.pk}/state", {"to": "closed"}),
    ):
        assert response.status_code == 401


def test_an_account_without_any_role_gets_403(client, make_user):
    login(client, make_user(unit="KSB"))
    assert client.get(f"{API}/nonconformities").status_code == 403


def test_a_bearer_token_reads_the_list(client, cast, nonconformity):
    nc = nonconformity(NCState.OPEN)
    assert codes(client.get(f"{API}/nonconformities", **bearer(cast["clerk"]))) == {nc.code}


# --- who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mr", "top", "auditor"])
def test_overseers_list_every_dof(client, cast, nonconformity, ksb, who):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    assert codes(login(client, cast[who]).get(f"{API}/nonconformities")) == {nc.code, ksb.code}


def test_a_unit_manager_an_action_owner_and_the_raiser_see_only_theirs(client, cast, nonconformity, ksb):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    for who in ("manager", "agent", "clerk"):
        assert codes(login(client, cast[who]).get(f"{API}/nonconformities")) == {nc.code}, who
    assert codes(login(client, cast["desk_manager"]).get(f"{API}/nonconformities")) == {ksb.code}


def test_a_dof_one_may_not_see_is_404_like_an_unknown_id(client, cast, ksb):
    login(client, cast["manager"])
    hidden = client.get(f"{API}/nonconformities/{ksb.pk}")
    unknown = client.get(f"{API}/nonconformities/999999")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert post(client, f"/nonconformities/{ksb.pk}/state", {"to": "rejected", "reason": "x"}).status_code == 404
    assert post(client, f"/nonconformities/{ksb.pk}/actions", {
        "description": "x", "owner": "sef", "due_date": timezone.localdate().isoformat()}).status_code == 404


def test_the_list_filters(client, cast, nonconformity, ksb, today):
    late = nonconformity(NCState.ACTIONS_PLANNED)
    Nonconformity.objects.filter(pk=late.pk).update(raised_at=timezone.now() - dt.timedelta(days=10))
    CorrectiveAction.objects.filter(nonconformity=late).update(due_date=today - dt.timedelta(days=1))
    closed = nonconformity(NCState.CLOSED)
    login(client, cast["mr"])
    assert codes(client.get(f"{API}/nonconformities?overdue=true")) == {late.code}
    assert codes(client.get(f"{API}/nonconformities?state=open")) == {late.code, ksb.code}
    assert codes(client.get(f"{API}/nonconformities?state=closed")) == {closed.code}
    assert codes(client.get(f"{API}/nonconformities?unit=ÇMŞ")) == {late.code, closed.code}
    assert codes(client.get(f"{API}/nonconformities?source=citizen_complaint")) == {ksb.code}


def test_the_list_runs_a_fixed_number_of_queries(client, cast, org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, cast["manager"])

    def raise_many(n):
        for i in range(n):
            services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title=f"DÖF {i}", description="x",
                                         unit=org["ALO153"], raised_by=cast["clerk"])

    raise_many(2)
    client.get(f"{API}/nonconformities")
    with CaptureQueriesContext(connection) as few:
        assert len(items(client.get(f"{API}/nonconformities"))) == 2
    raise_many(20)
    with CaptureQueriesContext(connection) as many:
        assert len(items(client.get(f"{API}/nonconformities?limit=50"))) == 22
    assert len(many) == len(few)


def test_the_detail_has_the_whys_the_actions_and_the_checks(client, cast, nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    data = login(client, cast["agent"]).get(f"{API}/nonconformities/{nc.pk}").json()
    assert data["code"] == nc.code
    assert data["state"] == {"key": "verified_effective", "label": str(NCState.VERIFIED.label)}
    assert data["unit"] == {"code": "ÇMŞ", "name": "Çağrı Merkezi Şefliği"}
    assert data["clause"] == "ISO 18295-1 4.2"
    assert data["whys"] == ["Geri arama listesi tutulmuyor", "Talimat yok"]
    assert data["root_cause"] == "Geri arama talimatı yok"
    [action] = data["actions"]
    assert (action["owner"]["username"], action["state"]["key"], action["evidence"]) == (
        "temsilci", "done", "TL-ÇMŞ-004 yayımlandı")
    [check] = data["checks"]
    assert (check["effective"], check["checked_by"]["username"]) == (True, "tetkikci2")
    assert data["url"] == f"/admin/audits/nonconformities/{nc.pk}/"


# --- audits and findings -----------------------------------------------------------------------------


def test_audits_and_findings_follow_the_audit_visibility(client, cast, nc_finding, make_user):
    audit = nc_finding.audit
    login(client, cast["auditor"])  # the lead auditor
    assert codes(client.get(f"{API}/audits")) == {audit.code}
    data = client.get(f"{API}/audits/{audit.pk}").json()
    assert data["state"]["key"] == "in_progress"
    assert [u["code"] for u in data["units"]] == ["ÇMŞ"]
    assert data["lead_auditor"]["username"] == "tetkikci"
    assert [f["code"] for f in data["findings"]] == [nc_finding.code]
    assert data["findings"][0]["nonconformity"] == nc_finding.nonconformity.code
    [finding] = items(client.get(f"{API}/findings?kind={FindingKind.MINOR}"))
    assert finding["code"] == nc_finding.code
    assert items(client.get(f"{API}/findings?kind={FindingKind.OBSERVATION}")) == []
    # Another auditor, not on the team, sees neither; a unit manager of ÇMŞ follows it.
    login(client, cast["auditor2"])
    assert items(client.get(f"{API}/audits")) == []
    assert client.get(f"{API}/audits/{audit.pk}").status_code == 404
    assert items(client.get(f"{API}/findings")) == []
    assert codes(login(client, cast["manager"]).get(f"{API}/audits")) == {audit.code}
    assert codes(login(client, cast["mr"]).get(f"{API}/audits?year={audit.programme.year}")) == {audit.code}
    assert items(client.get(f"{API}/audits?state=closed")) == []


def test_the_dof_of_a_finding_names_it(client, cast, nc_finding):
    nc = nc_finding.nonconformity
    data = login(client, cast["mr"]).get(f"{API}/nonconformities/{nc.pk}").json()
    assert data["finding"] == nc_finding.code
    assert data["source"]["key"] == Source.INTERNAL_AUDIT


# --- raising -----------------------------------------------------------------------------------------


def test_raising_a_dof_answers_201_with_its_number(client, cast, clause):
    response = post(login(client, cast["agent"]), "/nonconformities", {
        "title": "Anons sistemi bozuk", "description": "Bekleme anonsu çalmıyor.", "unit": "ALO153",
        "source": "call_qa", "clause": "ISO 18295-1 4.2"})
    assert response.status_code == 201, response.content
    data = response.json()
    nc = Nonconformity.objects.get(code=data["code"])
    assert data["code"].startswith(f"DÖF-{timezone.localdate().year}-")
    assert (nc.unit.code, nc.source, nc.clause, nc.raised_by, nc.triaged_at) == (
        "ALO153", Source.CALL_QA, clause, cast["agent"], None)
    assert data["state"]["key"] == "open"


def test_raising_with_an_unknown_unit_or_clause_is_400_and_nothing_is_saved(client, cast):
    login(client, cast["clerk"])
    response = post(client, "/nonconformities", {"title": "x", "description": "y", "unit": "YOK"})
    assert response.status_code == 400
    assert response.json()["fields"]["unit"] == ["“YOK” kodlu etkin bir birim yok."]
    response = post(client, "/nonconformities", {"title": "x", "description": "y", "unit": "KSB",
                                                 "clause": "ISO 10002 99.9"})
    assert response.status_code == 400 and "clause" in response.json()["fields"]
    response = post(client, "/nonconformities", {"title": "x", "description": "y", "unit": "KSB",
                                                 "source": Source.INTERNAL_AUDIT})
    assert response.status_code == 400 and "source" in response.json()["fields"]
    response = post(client, "/nonconformities", {"title": " ", "description": "y", "unit": "KSB"})
    assert response.status_code == 409 and response.json()["detail"]
    assert not Nonconformity.objects.exists()


# --- the steps ---------------------------------------------------------------------------------------


def test_a_dof_walks_its_whole_life_through_the_api(client, cast, org, today):
    nc = services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title="Geri dönüş yok", description="x",
                                      unit=org["KSB"], raised_by=cast["clerk"])
    mr, manager, agent, auditor = (login(client.__class__(), cast[k]) for k in ("mr", "manager", "agent", "auditor2"))

    response = post(mr, f"/nonconformities/{nc.pk}/triage", {"unit": "ÇMŞ", "severity": "major"})
    assert response.status_code == 200, response.content
    assert (response.json()["unit"]["code"], response.json()["severity"]["key"]) == ("ÇMŞ", "major")

    response = post(manager, f"/nonconformities/{nc.pk}/state", {
        "to": "cause_analysed", "whys": ["Liste yok", "Talimat yok"], "root_cause": "Talimat yok",
        "cause_category": "method", "immediate_correction": "Arandı", "correction_date": today.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["state"]["key"] == "cause_analysed"
    assert response.json()["whys"] == ["Liste yok", "Talimat yok"]

    response = post(manager, f"/nonconformities/{nc.pk}/actions", {
        "description": "Talimat yazılacak", "owner": "temsilci", "due_date": today.isoformat()})
    assert response.status_code == 201, response.content
    action_id = response.json()["id"]

    response = post(manager, f"/nonconformities/{nc.pk}/state", {"to": "actions_planned",
                                                                  "effectiveness_due": today.isoformat()})
    assert response.status_code == 200 and response.json()["state"]["key"] == "actions_planned"

    response = post(agent, f"/actions/{action_id}/complete", {"evidence": "TL-ÇMŞ-009 yayımlandı"})
    assert response.status_code == 200 and response.json()["state"]["key"] == ActionState.DONE
    assert Nonconformity.objects.get(pk=nc.pk).state == NCState.ACTIONS_DONE

    response = post(auditor, f"/nonconformities/{nc.pk}/state", {"to": "verified_effective", "note": "Kontrol"})
    assert response.status_code == 200 and response.json()["state"]["key"] == "verified_effective"

    response = post(mr, f"/nonconformities/{nc.pk}/state", {"to": "closed", "note": "Kapandı"})
    assert response.status_code == 200 and response.json()["state"]["key"] == "closed"


def test_an_ineffective_check_through_the_api_reopens_the_dof(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    response = post(login(client, cast["auditor2"]), f"/nonconformities/{nc.pk}/state", {
        "to": "cause_analysed", "effective": False, "note": "Geri dönüşler hâlâ yapılmıyor."})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["state"]["key"], data["cycle"]) == ("cause_analysed", 2)
    assert data["checks"][-1]["effective"] is False


def test_rejecting_through_the_api(client, cast, org):
    nc = services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title="Kantin", description="x",
                                      unit=org["KSB"], raised_by=cast["clerk"])
    login(client, cast["mr"])
    response = post(client, f"/nonconformities/{nc.pk}/state", {"to": "rejected"})
    assert response.status_code == 409
    assert response.json()["detail"] == ["Ret gerekçesini yazın."]
    response = post(client, f"/nonconformities/{nc.pk}/state", {"to": "rejected", "reason": "Uygunsuzluk değil"})
    assert response.status_code == 200 and response.json()["state"]["key"] == "rejected"


def test_a_unit_manager_cannot_close_403_with_the_reason(client, cast, nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    response = post(login(client, cast["manager"]), f"/nonconformities/{nc.pk}/state", {"to": "closed"})
    assert response.status_code == 403
    assert response.json() == {"detail": "DÖF'leri yalnızca yönetim temsilcisi kapatır."}
    assert Nonconformity.objects.get(pk=nc.pk).state == NCState.VERIFIED


def test_closing_too_early_is_409_and_nothing_is_saved(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    response = post(login(client, cast["mr"]), f"/nonconformities/{nc.pk}/state", {"to": "closed"})
    assert response.status_code == 409
    assert response.json()["detail"] == ["Bir DÖF “Faaliyetler tamamlandı” durumundan “Kapatıldı” durumuna geçemez."]
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE and nc.closed_at is None


def test_the_action_owner_cannot_verify_403(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    response = post(login(client, cast["agent"]), f"/nonconformities/{nc.pk}/state", {"to": "verified_effective",
                                                                                        "note": "Oldu"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Etkinliği yalnızca bir iç tetkikçi ya da yönetim temsilcisi doğrular."


def test_verifying_ones_own_actions_is_409_with_the_message(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    action = services.action_add(nonconformity=nc, user=cast["manager"], description="Tetkikçi yapacak",
                                 owner=cast["auditor"], due_date=today)
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    services.action_complete(action=action, user=cast["auditor"], evidence="Yapıldı")
    response = post(login(client, cast["auditor"]), f"/nonconformities/{nc.pk}/state", {
        "to": "verified_effective", "note": "Kendi işim"})
    assert response.status_code == 409
    assert "Düzeltici faaliyetleri yapan kişi bunların etkinliğini doğrulayamaz." in response.json()["detail"]
    assert not nc.checks.exists()


def test_an_action_due_before_the_dof_was_opened_is_400_with_the_field(client, cast, nonconformity, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    opened = timezone.localtime(nc.raised_at).strftime("%d.%m.%Y")
    response = post(login(client, cast["manager"]), f"/nonconformities/{nc.pk}/actions", {
        "description": "Geç kalmış", "owner": "temsilci", "due_date": (today - dt.timedelta(days=5)).isoformat()})
    assert response.status_code == 400
    assert response.json()["fields"]["due_date"] == [
        f"Bir faaliyetin termini DÖF'ün açıldığı tarihten ({opened}) önce olamaz."]
    assert not nc.actions.exists()


def test_the_action_owner_cannot_add_actions_403(client, cast, nonconformity, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    response = post(login(client, cast["agent"]), f"/nonconformities/{nc.pk}/actions", {
        "description": "x", "owner": "temsilci", "due_date": today.isoformat()})
    assert response.status_code == 403
    assert nc.actions.count() == 1


def test_someone_else_cannot_complete_an_action_403_and_an_unseen_one_is_404(client, cast, nonconformity):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    assert post(login(client, cast["clerk"]), f"/actions/{action.pk}/complete", {"evidence": "x"}).status_code == 403
    assert post(login(client, cast["desk_manager"]), f"/actions/{action.pk}/complete",
                {"evidence": "x"}).status_code == 404
    action.refresh_from_db()
    assert action.state == ActionState.PLANNED


def test_planning_without_a_date_is_400_and_an_unknown_state_is_400(client, cast, nonconformity):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    login(client, cast["manager"])
    response = post(client, f"/nonconformities/{nc.pk}/state", {"to": "actions_planned"})
    assert response.status_code == 400 and "effectiveness_due" in response.json()["fields"]
    response = post(client, f"/nonconformities/{nc.pk}/state", {"to": "finished"})
    assert response.status_code == 400 and "to" in response.json()["fields"]
    response = post(client, f"/nonconformities/{nc.pk}/state", {"to": "actions_done"})
    assert response.status_code == 409


def test_whys_out_of_order_are_409_with_the_message(client, cast, nonconformity):
    nc = nonconformity(NCState.OPEN)
    response = post(login(client, cast["manager"]), f"/nonconformities/{nc.pk}/state", {
        "to": "cause_analysed", "whys": ["Bir", "", "Üç"], "root_cause": "Kök"})
    assert response.status_code == 409
    assert "“Neden?” sorularını atlamadan sırayla yanıtlayın." in response.json()["detail"]
    nc.refresh_from_db()
    assert nc.state == NCState.OPEN and nc.why_1 == ""


def test_english_for_those_who_chose_it(client, cast, nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(cast["manager"])
    profile.preferred_language = "en"
    profile.save()
    response = post(login(client, cast["manager"]), f"/nonconformities/{nc.pk}/state", {"to": "closed"})
    assert response.json() == {"detail": "Only the management representative closes DÖFs."}
