"""/api/v1/requests: the case system pushes created or changed citizen requests.

Mounted on the one NinjaAPI (`qms.api.api`) by `KpiConfig.ready()`. Authentication is the API's
(a bearer token, or the admin session with CSRF): none or a bad token, 401. The caller needs
`kpi.import_request` (the "kpi.import" capability), else 403.

    POST /requests/batch[?dry_run=1]
        {"requests": [{"request_no": "HIM-2026-0000001", "type": "complaint", "channel": "ALO 153",
                       "category": "Yol Bakım", "unit_code": "FEN", "created_at": "2026-03-02T09:00:00+03:00",
                       "deadline": 7, "status": "answered", "first_answer_at": "2026-03-04 10:00", ...}, ...]}

Each record is keyed by the import's column names (`kpi.ingest.COLUMNS`; an unknown key refuses
the row) and goes through the same pipeline as a file (`kpi.ingest.import_records`): the same
checks, the same upsert by `request_no`. At most QMS_KPI_API_BATCH_MAX records per batch.

    200 {"created": 2, "updated": 1, "unchanged": 0, "errors": 0, "dry_run": false,
         "results": [{"index": 0, "request_no": "HIM-…", "status": "created"|"updated"|"unchanged"}, …]}
    400 {"detail": "…", "errors": [{"index": 3, "request_no": "HIM-…", "column": "created_at", "message": "…"}],
         "results": [{"index": 0, "request_no": "HIM-…", "status": "valid"|"error"}, …]}

The batch is all or nothing: any refused record and nothing is written (the other records say
"valid": they passed, and can be sent again with the corrected ones). Idempotent: a record sent
again unchanged is "unchanged" and not rewritten, so a retried batch changes nothing. A dry run
checks and counts (what would be created, updated, unchanged) and writes nothing.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
import json

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Router, Schema
from ninja.errors import HttpError

from kpi.ingest import COLUMNS, import_records
from qms.api import api, require_perm

IMPORT_PERMISSION = "kpi.import_request"
BYTES_PER_REQUEST = 4096  # a record is a few hundred bytes; the body limit leaves room for long names

router = Router(tags=["requests"])


class RequestBatchResultOut(Schema):
    index: int
    request_no: str
    status: str


class RequestBatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: int
    dry_run: bool
    results: list[RequestBatchResultOut]


class RequestBatchErrorRowOut(Schema):
    index: int
    request_no: str
    column: str
    message: str


class RequestBatchErrorOut(Schema):
    detail: str
    errors: list[RequestBatchErrorRowOut] = []
    results: list[RequestBatchResultOut] = []


_RECORD_SCHEMA = {
    "type": "object",
    "required": ["request_no", "type", "channel", "category", "unit_code", "created_at", "deadline", "status"],
    "properties": {name: {"type": ["string", "integer", "boolean", "null"]} for name in COLUMNS},
    "additionalProperties": False,
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["requests"],
            "properties": {"requests": {"type": "array", "items": _RECORD_SCHEMA}},
        }}},
    }
}


def _batch_limit() -> int:
    return settings.QMS_KPI_API_BATCH_MAX


def read_batch(request, *, key: str, max_records: int, bytes_per_record: int, not_a_list: str, empty: str,
               too_many: str) -> list:
    """The posted records (`{key: [...]}`), or HttpError 400/413 saying what is wrong with the body.
    The request and call batches both read their bodies with it; the three messages name their records
    (`too_many` takes %(max)s and %(count)s).

    The body is read here rather than by ninja: a full batch is larger than Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE (meant for forms), so it gets its own limit by the batch size."""
    limit = max_records * bytes_per_record + 65536
    too_large = HttpError(413, _("The body is larger than %(size)s MB; send smaller batches.")
                          % {"size": max(limit // (1024 * 1024), 1)})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, _("The body is not JSON: %(error)s") % {"error": error}) from None
    records = body.get(key) if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise HttpError(400, not_a_list)
    if not records:
        raise HttpError(400, empty)
    if len(records) > max_records:
        raise HttpError(400, too_many % {"max": max_records, "count": len(records)})
    return records


def _read_batch(request) -> list:
    return read_batch(
        request, key="requests", max_records=_batch_limit(), bytes_per_record=BYTES_PER_REQUEST,
        not_a_list=_("The body must be an object with a list of requests: {\"requests\": [...]}."),
        empty=_("The batch holds no requests."),
        too_many=_("A batch holds at most %(max)s requests; this one has %(count)s. Send it in smaller batches."))


def _request_no(record) -> str:
    if not isinstance(record, dict) or record.get("request_no") is None:
        return ""
    return str(record["request_no"]).strip()[:40]


@router.post("/batch", response={200: RequestBatchOut, 400: RequestBatchErrorOut, 413: RequestBatchErrorOut},
             summary="Başvuru toplu aktarımı / push a batch of requests", openapi_extra=_BODY)
def push_batch(request, dry_run: bool = False):
    """Create or update up to QMS_KPI_API_BATCH_MAX requests, all or nothing (see the module's text)."""
    require_perm(request, IMPORT_PERMISSION)
    records = _read_batch(request)
    token = getattr(request, "auth", None)
    label = f"API: {token.name}"[:255] if getattr(token, "name", "") else "API"
    result = import_records(records, user=request.user, dry_run=dry_run, filename=label)
    numbers = [_request_no(record) for record in records]
    if result.error_count:
        return 400, {
            "detail": ngettext("%(count)s of %(total)s request was refused; nothing was written.",
                               "%(count)s of %(total)s requests were refused; nothing was written.",
                               result.error_count) % {"count": result.error_count, "total": len(records)},
            "errors": [{"index": e.line, "request_no": e.request_no or numbers[e.line], "column": e.column,
                        "message": e.message} for e in result.errors],
            "results": [{"index": index, "request_no": numbers[index],
                         "status": "error" if status == "error" else "valid"}
                        for index, status in enumerate(result.statuses)],
        }
    return 200, {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged, "errors": 0,
        "dry_run": result.dry_run,
        "results": [{"index": index, "request_no": numbers[index], "status": status}
                    for index, status in enumerate(result.statuses)],
    }


api.add_router("/requests", router)
