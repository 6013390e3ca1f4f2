"""POST /api/v1/requests/batch: a bearer token (401 without or with a bad one), the import
permission (403), up to QMS_KPI_API_BATCH_MAX records (more: 400), per-row errors with nothing
written (400), per-row results (200), idempotent (the same batch twice changes nothing)."""

from __future__ import annotations

import json

import pytest
from wagtail.models import APIToken, ModelLogEntry

from kpi.models import ImportRun, Request, Status
from qms.roles import Role
from tests.kpi.conftest import request_row

URL = "/api/v1/requests/batch"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def token_for(user) -> str:
    _instance, plaintext = APIToken.create_token(user=user, name="HİM entegrasyonu")
    return plaintext


@pytest.fixture
def importer(make_user, kpi_units):
    return make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB", username="him.servis")


@pytest.fixture
def post(client, importer):
    token = token_for(importer)

    def send(records=None, *, body=None, query="", auth=None):
        data = body if body is not None else json.dumps({"requests": records})
        headers = bearer(token) if auth is None else auth
        return client.post(URL + query, data=data, content_type="application/json", **headers)

    return send


def test_no_token_is_401(client, kpi_units):
    response = client.post(URL, data=json.dumps({"requests": [request_row()]}), content_type="application/json")
    assert response.status_code == 401
    assert Request.objects.count() == 0


def test_a_bad_or_revoked_token_is_401(post, importer):
    assert post([request_row()], auth=bearer("wagtail_not-a-token")).status_code == 401
    instance, plaintext = APIToken.create_token(user=importer, name="eski")
    instance.revoke()
    assert post([request_row()], auth=bearer(plaintext)).status_code == 401
    assert Request.objects.count() == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.UNIT_MANAGER, Role.TOP_MANAGEMENT])
def test_without_the_import_permission_is_403(post, make_user, role):
    user = make_user(role, unit="FEN")
    response = post([request_row()], auth=bearer(token_for(user)))
    assert response.status_code == 403
    assert "kpi.import_request" in response.json()["detail"]
    assert Request.objects.count() == 0


def test_a_batch_is_imported_with_per_row_results(post, importer):
    rows = [request_row(), request_row(status="open", first_answer_at=""), request_row(channel="WhatsApp")]
    response = post(rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "created": 3, "updated": 0, "unchanged": 0, "errors": 0, "dry_run": False,
        "results": [{"index": i, "request_no": row["request_no"], "status": "created"} for i, row in enumerate(rows)],
    }
    assert Request.objects.count() == 3
    run = ImportRun.objects.get()
    assert (run.source, run.user, run.created, run.filename) == (ImportRun.Source.API, importer, 3,
                                                               "API: HİM entegrasyonu")
    entry = ModelLogEntry.objects.get(action="qms.import")
    assert entry.user == importer and entry.data["created"] == 3 and "rows" in entry.data


def test_the_same_batch_twice_changes_nothing(post):
    rows = [request_row(), request_row(), request_row(satisfaction=5)]
    assert post(rows).status_code == 200
    before = list(Request.objects.order_by("pk").values())
    response = post(rows)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 3)
    assert {r["status"] for r in body["results"]} == {"unchanged"}
    assert list(Request.objects.order_by("pk").values()) == before  # imported_at included: not rewritten


def test_a_changed_request_is_updated(post):
    rows = [request_row(status="open", first_answer_at=""), request_row()]
    post(rows)
    rows[0].update(status="answered", first_answer_at="2026-03-03T12:00:00+03:00")
    body = post(rows).json()
    assert [r["status"] for r in body["results"]] == ["updated", "unchanged"]
    assert Request.objects.get(request_no=rows[0]["request_no"]).status == Status.ANSWERED


def test_refused_rows_are_400_with_per_row_errors_and_nothing_written(post):
    rows = [request_row(), request_row(created_at="2026-02-30 10:00"), {**request_row(), "citizen": "Ali"},
            request_row(unit_code="YOK"), "not a record"]
    response = post(rows)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "5 başvurudan 4 adedi reddedildi; hiçbir şey kaydedilmedi."
    errors = {e["index"]: e for e in body["errors"]}
    assert set(errors) == {1, 2, 3, 4}
    assert errors[1]["column"] == "created_at" and errors[1]["request_no"] == rows[1]["request_no"]
    assert "2026-02-30" in errors[1]["message"]
    assert errors[2]["column"] == "citizen" and "citizen" in errors[2]["message"]
    assert errors[3]["column"] == "unit_code" and "YOK" in errors[3]["message"]
    assert errors[4]["request_no"] == "" and errors[4]["message"]
    assert [r["status"] for r in body["results"]] == ["valid", "error", "error", "error", "error"]
    assert Request.objects.count() == 0 and ImportRun.objects.count() == 0


def test_more_than_the_batch_limit_is_refused(post, settings):
    settings.QMS_KPI_API_BATCH_MAX = 3
    response = post([request_row() for _ in range(4)])
    assert response.status_code == 400
    assert response.json()["detail"] == ("Bir paket en fazla 3 başvuru içerebilir; bu pakette 4 adet var. "
                                         "Daha küçük paketler hâlinde gönderin.")
    assert Request.objects.count() == 0
    assert post([request_row() for _ in range(3)]).status_code == 200


def test_a_full_batch_of_10000_is_accepted(post, settings):
    assert settings.QMS_KPI_API_BATCH_MAX == 10_000
    rows = [request_row(status="closed", created_at="2026-03-02T09:00:00+03:00",
                        first_answer_at="2026-03-04T10:00:00+03:00", closed_at="2026-03-05T10:00:00+03:00",
                        due_at=None, scheduled_until=None, return_count=0, satisfaction=4, field_check="ok",
                        extended=False) for _ in range(10_000)]
    body = json.dumps({"requests": rows})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # larger than Django lets a form be
    response = post(body=body)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == 10_000
    assert post([request_row() for _ in range(10_001)]).status_code == 400


def test_dry_run_counts_and_writes_nothing(post):
    post([request_row()])
    existing = Request.objects.get()
    rows = [request_row(), {**request_row(), "request_no": existing.request_no, "status": "closed",
                            "closed_at": "2026-03-05 10:00"}]
    response = post(rows, query="?dry_run=1")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and (body["created"], body["updated"]) == (1, 1)
    assert Request.objects.count() == 1 and ImportRun.objects.count() == 1


@pytest.mark.parametrize(("body", "words"), [
    ("{not json", "JSON değil"),
    ('{"rows": []}', "{\"requests\": [...]}"),
    ('[{"request_no": "X"}]', "{\"requests\": [...]}"),
    ('{"requests": []}', "Pakette hiç başvuru yok."),
])
def test_a_malformed_body_is_400(post, body, words):
    response = post(body=body)
    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_the_endpoint_is_in_the_api_schema():
    from qms.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "post" in paths["/api/v1/requests/batch"]
