"""Each request has an id: kept from the proxy's X-Request-ID when it looks like one, made up
otherwise, echoed in the response, and written in every JSON log line of that request."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from qms.request_log import JsonLogFormatter, RequestIdFilter

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """The JSON handler as settings.LOGGING sets it up with LOG_FORMAT=json, on the root logger;
    returns a function giving the lines written so far as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(RequestIdFilter())
    root, requests = logging.getLogger(), logging.getLogger("qms.requests")
    previous_level = requests.level
    requests.setLevel(logging.INFO)  # as LOGGING does with LOG_FORMAT=json
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        requests.setLevel(previous_level)


def test_a_request_logs_one_json_line_with_the_response_request_id(client, db, json_log):
    response = client.get("/health/")

    request_id = response["X-Request-ID"]
    assert HEX32.fullmatch(request_id)
    lines = [line for line in json_log() if line["logger"] == "qms.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/health/", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    assert "GET /health/ 200" in line["message"]


def test_django_warnings_inside_a_request_carry_its_id(client, make_user, json_log):
    from qms.roles import Role

    client.force_login(make_user(Role.STAFF))
    response = client.get("/admin/no-such-screen/")
    assert response.status_code == 404
    warning = next(line for line in json_log() if line["logger"] == "django.request")
    assert warning["request_id"] == response["X-Request-ID"]
    assert warning["status"] == 404
    assert "sessionid" not in json.dumps(json_log())  # the request's cookies are never logged


def test_a_sane_incoming_request_id_is_kept(client, db, json_log):
    proxy_id = "3f2a9c1e-7b4d-4e8a-9c0b-5d6e7f8a9b0c"
    response = client.get("/health/", HTTP_X_REQUEST_ID=proxy_id)
    assert response["X-Request-ID"] == proxy_id
    assert [line["request_id"] for line in json_log() if line["logger"] == "qms.requests"] == [proxy_id]


@pytest.mark.parametrize("incoming", [
    "short",  # too short to be an id
    "x" * 200,  # too long
    'abc" injected="1',  # quotes and spaces would forge fields in a plain log
    "-leading-dash-12345",
    "ünicode-id-123456",
])
def test_an_insane_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/health/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert HEX32.fullmatch(response["X-Request-ID"])


def test_exceptions_are_written_as_text_in_the_json_line(json_log):
    try:
        raise ValueError("bozuk satır")
    except ValueError:
        logging.getLogger("qms.test").exception("İçe aktarma başarısız")
    line = json_log()[-1]
    assert line["message"] == "İçe aktarma başarısız"  # Turkish kept readable
    assert line["level"] == "ERROR"
    assert "ValueError: bozuk satır" in line["exception"]
    assert line["request_id"] is None  # outside any request


def test_log_lines_outside_a_request_have_no_id_but_each_request_its_own(client, db):
    first = client.get("/health/")["X-Request-ID"]
    second = client.get("/health/")["X-Request-ID"]
    assert first != second
