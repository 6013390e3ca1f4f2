"""/api/v1/calls: the telephony system pushes call records.

Mounted on the one NinjaAPI (`qms.api.api`) by `kpi.callqa.api` (the areas). Authentication is the
API's (a bearer token, or the admin session with CSRF): none or a bad token, 401. The caller needs
`callqa.import_call` (the "callqa.import" capability), else 403.

    POST /calls/batch[?dry_run=1][&create_agents=1]
        {"calls": [{"call_id": "C-2026-0000001", "line": "ALO 153", "queue": "Genel", "agent": "A001",
                    "direction": "in", "offered_at": "2026-03-02T09:00:00+03:00", "wait_seconds": 12,
                    "outcome": "answered", "talk_seconds": 140, "hold_seconds": 0, "wrap_seconds": 25,
                    "recording_url": "https://kayit.example/C-2026-0000001.mp3"}, ...]}

Each record is keyed by the import's column names (`kpi.callqa.ingest.COLUMNS`; an unknown key
refuses the row) and goes through the same pipeline as a file (`kpi.callqa.ingest.import_records`):
the same checks, the same upsert by `call_id`. At most QMS_CALL_API_BATCH_MAX records per batch.
An unknown agent code refuses the record unless `create_agents=1` (a new agent profile, no staff).

    200 {"created": 2, "updated": 1, "unchanged": 0, "errors": 0, "dry_run": false,
         "results": [{"index": 0, "call_id": "C-…", "status": "created"|"updated"|"unchanged"}, …]}
    400 {"detail": "…", "errors": [{"index": 3, "call_id": "C-…", "column": "talk_seconds", "message": "…"}],
         "results": [{"index": 0, "call_id": "C-…", "status": "valid"|"error"}, …]}

The batch is all or nothing: any refused record and nothing is written (the other records say
"valid"). Idempotent: a record sent again unchanged is "unchanged" and not rewritten, so a retried
batch changes nothing. A dry run checks and counts and writes nothing.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Router, Schema

from kpi.api import read_batch
from kpi.callqa.ingest import COLUMNS, REQUIRED, import_records
from qms.api import api, require_perm

IMPORT_PERMISSION = "callqa.import_call"
BYTES_PER_CALL = 2048  # a record is about 300 bytes; the body limit leaves room for long addresses

router = Router(tags=["calls"])


class CallBatchResultOut(Schema):
    index: int
    call_id: str
    status: str


class CallBatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: int
    dry_run: bool
    new_lines: list[str]
    new_queues: list[str]
    new_agents: list[str]
    results: list[CallBatchResultOut]


class CallBatchErrorRowOut(Schema):
    index: int
    call_id: str
    column: str
    message: str


class CallBatchErrorOut(Schema):
    detail: str
    errors: list[CallBatchErrorRowOut] = []
    results: list[CallBatchResultOut] = []


_RECORD_SCHEMA = {
    "type": "object",
    "required": list(REQUIRED),
    "properties": {name: {"type": ["string", "integer", "null"]} for name in COLUMNS},
    "additionalProperties": False,
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["calls"],
            "properties": {"calls": {"type": "array", "items": _RECORD_SCHEMA}},
        }}},
    }
}


def _batch_limit() -> int:
    return settings.QMS_CALL_API_BATCH_MAX


def _read_batch(request) -> list:
    return read_batch(
        request, key="calls", max_records=_batch_limit(), bytes_per_record=BYTES_PER_CALL,
        not_a_list=_("The body must be an object with a list of calls: {\"calls\": [...]}."),
        empty=_("The batch holds no calls."),
        too_many=_("A batch holds at most %(max)s calls; this one has %(count)s. Send it in smaller batches."))


def _call_id(record) -> str:
    if not isinstance(record, dict) or record.get("call_id") is None:
        return ""
    return str(record["call_id"]).strip()[:64]


@router.post("/batch", response={200: CallBatchOut, 400: CallBatchErrorOut, 413: CallBatchErrorOut},
             summary="Çağrı kayıtları toplu aktarımı / push a batch of call records", openapi_extra=_BODY)
def push_call_batch(request, dry_run: bool = False, create_agents: bool = False):
    """Create or update up to QMS_CALL_API_BATCH_MAX call records, all or nothing (see the module's text)."""
    require_perm(request, IMPORT_PERMISSION)
    records = _read_batch(request)
    token = getattr(request, "auth", None)
    label = f"API: {token.name}"[:255] if getattr(token, "name", "") else "API"
    result = import_records(records, user=request.user, dry_run=dry_run, create_agents=create_agents,
                            filename=label)
    ids = [_call_id(record) for record in records]
    if result.error_count:
        return 400, {
            "detail": ngettext("%(count)s of %(total)s call was refused; nothing was written.",
                               "%(count)s of %(total)s calls were refused; nothing was written.",
                               result.error_count) % {"count": result.error_count, "total": len(records)},
            "errors": [{"index": e.line, "call_id": e.call_id or ids[e.line], "column": e.column,
                        "message": e.message} for e in result.errors],
            "results": [{"index": index, "call_id": ids[index], "status": "error" if status == "error" else "valid"}
                        for index, status in enumerate(result.statuses)],
        }
    return 200, {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged, "errors": 0,
        "dry_run": result.dry_run, "new_lines": result.new_lines, "new_queues": result.new_queues,
        "new_agents": result.new_agents,
        "results": [{"index": index, "call_id": ids[index], "status": status}
                    for index, status in enumerate(result.statuses)],
    }


api.add_router("/calls", router)
