"""Request ids and structured logs.

Every request gets an id: the one the reverse proxy sent in `X-Request-ID` when it looks like an id,
a fresh one otherwise. The id is echoed in the response header, kept in a context variable for the
duration of the request, and added to every log record by `RequestIdFilter`, so one line in the
proxy's log, the application's log and a user's screenshot of an error lead to the same request.

With `LOG_FORMAT=json` (settings.LOGGING) `JsonLogFormatter` writes one JSON object per line for a
log collector (journald, Loki, ELK) and the middleware logs one line per request on
`qms.requests` with path, method, status and duration.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id looks like (nginx $request_id is 32 hex digits, a UUID has dashes). Anything
# else is replaced: the id is written into logs and headers, so no spaces, quotes or newlines that
# could forge a log line, and a bounded length.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

current_request_id: ContextVar[str | None] = ContextVar("qms_request_id", default=None)

request_logger = logging.getLogger("qms.requests")


def new_request_id() -> str:
    """A fresh random id (32 hex digits, the same shape as nginx's $request_id)."""
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    """`value` when it is an acceptable id from the proxy, otherwise None."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


@contextlib.contextmanager
def bound_request_id(value: str) -> Iterator[str]:
    """Log records written inside the block carry `value` as their request id (the background
    worker uses this to tag the lines of one job run)."""
    token = current_request_id.set(value)
    try:
        yield value
    finally:
        current_request_id.reset(token)


class RequestIdMiddleware:
    """Gives each request its id (kept from the proxy when sane), echoes it in the response and
    logs one line per request on `qms.requests` (shown at INFO only with LOG_FORMAT=json; in the
    plain format gunicorn's access log already has those lines)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        started = time.perf_counter()
        with bound_request_id(request_id):
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if request_logger.isEnabledFor(logging.INFO):
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                request_logger.info(
                    "%s %s %s %.1f ms", request.method, request.path, response.status_code, duration_ms,
                    extra={"method": request.method, "path": request.path, "status": response.status_code,
                           "duration_ms": duration_ms},
                )
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request or job) so formatters can use it.
    Attach it to the handler, not a logger: records propagated from other loggers then get it too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # Django logs 4xx/5xx responses (django.request) after the middleware chain has
            # returned, outside the context variable's span; those records carry the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id.get()
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id; for
    request lines also method, path, status and duration_ms; the traceback as `exception`.

    Only these named fields are written, never the whole record: Django attaches the request
    object to its own records, and its headers (cookies) must not end up in the log store."""

    REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id.get(),
        }
        for field in self.REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        # django.request's own warnings and errors carry the status as status_code.
        if "status" not in entry and isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # Turkish stays readable (ensure_ascii off); anything odd in a message becomes its str().
        return json.dumps(entry, ensure_ascii=False, default=str)
