"""POST /api/v1/calls/batch: a bearer token (401 without or with a bad one), callqa.import_call (403),
up to QMS_CALL_API_BATCH_MAX records, every refused row with nothing written (400), per-row results
(200), create_agents, dry run, idempotent (the same batch twice changes nothing)."""

from __future__ import annotations

import json

import pytest
from wagtail.models import APIToken, ModelLogEntry

from kpi.callqa.models import Agent, Call, CallImportRun, CallRollupDay
from qms.roles import Role
from tests.callqa.ingest_data import call_row, cubes

pytestmark = pytest.mark.django_db
URL = "/api/v1/calls/batch"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def token_for(user) -> str:
    _instance, plaintext = APIToken.create_token(user=user, name="Santral entegrasyonu")
    return plaintext


@pytest.fixture
def importer(make_user):
    Agent.objects.create(code="A001")
    return make_user(Role.QA_LEAD, unit="ÇMPK", username="santral.servis")


@pytest.fixture
def post(client, importer):
    token = token_for(importer)

    def send(records=None, *, body=None, query="", auth=None):
        data = body if body is not None else json.dumps({"calls": records})
        headers = bearer(token) if auth is None else auth
        return client.post(URL + query, data=data, content_type="application/json", **headers)

    return send


def test_no_token_is_401(client, importer):
    response = client.post(URL, data=json.dumps({"calls": [call_row()]}), content_type="application/json")
    assert response.status_code == 401 and Call.objects.count() == 0


def test_a_bad_or_revoked_token_is_401(post, importer):
    assert post([call_row()], auth=bearer("wagtail_not-a-token")).status_code == 401
    instance, plaintext = APIToken.create_token(user=importer, name="eski")
    instance.revoke()
    assert post([call_row()], auth=bearer(plaintext)).status_code == 401
    assert Call.objects.count() == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.TEAM_LEAD, Role.QA_EVALUATOR, Role.TOP_MANAGEMENT])
def test_without_the_import_permission_is_403(post, make_user, role):
    response = post([call_row()], auth=bearer(token_for(make_user(role, unit="ALO153"))))
    assert response.status_code == 403
    assert "callqa.import_call" in response.json()["detail"]
    assert Call.objects.count() == 0


def test_the_management_representative_may_push(post, make_user):
    user = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMPK")
    assert post([call_row()], auth=bearer(token_for(user))).status_code == 200


def test_a_batch_is_imported_with_per_row_results(post, importer):
    rows = [call_row(), call_row(agent="", line="WhatsApp"), call_row(direction="out", wait_seconds=None)]
    rows[0]["wait_seconds"] = 7  # numbers as JSON numbers
    response = post(rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "created": 3, "updated": 0, "unchanged": 0, "errors": 0, "dry_run": False,
        "new_lines": ["ALO 153", "WhatsApp"], "new_queues": ["Genel Bilgi"], "new_agents": [],
        "results": [{"index": i, "call_id": row["call_id"], "status": "created"} for i, row in enumerate(rows)],
    }
    assert Call.objects.get(call_id=rows[0]["call_id"]).wait_seconds == 7
    run = CallImportRun.objects.get()
    assert (run.source, run.user, run.created, run.filename) == (CallImportRun.Source.API, importer, 3,
                                                               "API: Santral entegrasyonu")
    entry = ModelLogEntry.objects.get(action="qms.import")
    assert entry.user == importer and entry.data["created"] == 3


def test_the_same_batch_twice_changes_nothing(post):
    rows = [call_row(), call_row(), call_row(outcome="terk", talk_seconds=0, hold_seconds=0, wrap_seconds=0)]
    assert post(rows).status_code == 200
    before, cube = list(Call.objects.order_by("pk").values()), cubes()
    response = post(rows)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 3)
    assert {r["status"] for r in body["results"]} == {"unchanged"}
    assert list(Call.objects.order_by("pk").values()) == before and cubes() == cube
    assert CallImportRun.objects.count() == 1


def test_a_changed_call_is_updated(post):
    rows = [call_row(), call_row()]
    post(rows)
    rows[0]["wrap_seconds"] = "90"
    body = post(rows).json()
    assert [r["status"] for r in body["results"]] == ["updated", "unchanged"]
    assert Call.objects.get(call_id=rows[0]["call_id"]).wrap_seconds == 90


def test_refused_rows_are_400_all_of_them_and_nothing_written(post):
    rows = [call_row(), call_row(talk_seconds=-2), {**call_row(), "caller": "0532"}, call_row(agent="YOK"),
            "not a record", call_row(outcome="abandoned"), call_row(recording_url="file:///etc/passwd")]
    response = post(rows)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "7 çağrıdan 6 adedi reddedildi; hiçbir şey kaydedilmedi."
    errors = {e["index"]: e for e in body["errors"]}
    assert set(errors) == {1, 2, 3, 4, 5, 6}
    assert errors[1]["column"] == "talk_seconds" and errors[1]["call_id"] == rows[1]["call_id"]
    assert errors[2]["column"] == "caller" and "caller" in errors[2]["message"]
    assert errors[3]["column"] == "agent" and "YOK" in errors[3]["message"]
    assert errors[4]["call_id"] == "" and errors[4]["message"]
    assert errors[5]["column"] == "talk_seconds" and "Terk edilen" in errors[5]["message"]
    assert errors[6]["column"] == "recording_url"
    assert [r["status"] for r in body["results"]] == ["valid"] + ["error"] * 6
    assert Call.objects.count() == 0 and CallImportRun.objects.count() == 0 and not CallRollupDay.objects.exists()


def test_create_agents(post):
    rows = [call_row(agent="YENI7")]
    assert post(rows).status_code == 400
    response = post(rows, query="?create_agents=1")
    assert response.status_code == 200 and response.json()["new_agents"] == ["YENI7"]
    assert Agent.objects.get(code="YENI7").staff_id is None


def test_dry_run_counts_and_writes_nothing(post):
    post([call_row()])
    existing = Call.objects.get()
    rows = [call_row(), {**call_row(), "call_id": existing.call_id, "wait_seconds": "99"}]
    response = post(rows, query="?dry_run=1")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and (body["created"], body["updated"]) == (1, 1)
    assert Call.objects.count() == 1 and Call.objects.get().wait_seconds == 12
    assert CallImportRun.objects.count() == 1


def test_more_than_the_batch_limit_is_refused(post, settings):
    settings.QMS_CALL_API_BATCH_MAX = 3
    response = post([call_row() for _ in range(4)])
    assert response.status_code == 400
    assert response.json()["detail"] == ("Bir paket en fazla 3 çağrı içerebilir; bu pakette 4 adet var. "
                                         "Daha küçük paketler hâlinde gönderin.")
    assert Call.objects.count() == 0
    assert post([call_row() for _ in range(3)]).status_code == 200


def test_a_full_batch_is_accepted(post, settings):
    limit = settings.QMS_CALL_API_BATCH_MAX
    rows = [call_row() for _ in range(limit)]
    body = json.dumps({"calls": rows})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # larger than Django lets a form be
    response = post(body=body)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == limit
    assert sum(CallRollupDay.objects.values_list("offered", flat=True)) == limit


@pytest.mark.parametrize(("body", "words"), [
    ("{not json", "JSON değil"),
    ('{"rows": []}', '{"calls": [...]}'),
    ('[{"call_id": "X"}]', '{"calls": [...]}'),
    ('{"calls": []}', "Pakette hiç çağrı yok."),
])
def test_a_malformed_body_is_400(post, body, words):
    response = post(body=body)
    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_the_endpoint_is_in_the_api_schema():
    from qms.api import api

    assert "post" in api.get_openapi_schema()["paths"]["/api/v1/calls/batch"]
