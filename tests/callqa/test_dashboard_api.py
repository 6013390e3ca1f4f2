"""GET /api/v1/kpis/calls and `manage.py kpi_export calls`: the engine's rows by group with the
definition in force, day and month formats, refusals (401, 403, 400 with a message), a team lead's
scope, a fixed number of queries, and the command's rows equal to the API's."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import APIToken

from kpi.callqa.engine import KPI_NAMES
from tests.callqa.dashboard_data import OCTOBER, OCTOBER_TOTAL, make_many, make_october

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/calls"


@pytest.fixture
def october(centre):
    make_october(centre.agents)
    return centre


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["rows"]


def test_line_by_day_with_the_definition(client, october):
    client.force_login(october.users.mr)
    response = client.get(URL, {**OCTOBER, "group_by": "line,day"})
    body = response.json()
    assert (body["from"], body["to"], body["group_by"], body["cube"]) == ("2026-10-01", "2026-10-31",
                                                                          ["line", "day"], "day")
    definition = body["definition"]
    assert definition["sl_seconds"] == 20 and definition["short_abandon_seconds"] == 5
    assert definition["text"].startswith("Hizmet düzeyi: 20 sn") and definition["stale"] is False
    rows = body["rows"]
    assert list(rows[0]) == ["line", "day", *KPI_NAMES]
    assert [(r["line"], r["day"], r["offered"], r["service_level"]) for r in rows] == [
        ("ALO 153", "2026-10-05", 6, 0.4), ("ALO 153", "2026-10-06", 3, 0.5), ("WhatsApp", "2026-10-06", 1, 1.0)]


def test_no_grouping_gives_the_months_total(client, october):
    client.force_login(october.users.qa_lead)
    rows = rows_of(client.get(URL, OCTOBER))
    assert rows == [OCTOBER_TOTAL]


def test_agent_by_month_and_hour(client, october):
    client.force_login(october.users.mr)
    rows = rows_of(client.get(URL, {"from": "2026-10-01", "to": "2026-11-30", "group_by": "agent,month"}))
    assert [(r["agent"], r["month"], r["offered"]) for r in rows] == [
        ("A001", "2026-10", 2), ("A002", "2026-10", 1), ("A002", "2026-11", 1), ("B001", "2026-10", 2)]
    rows = rows_of(client.get(URL, {**OCTOBER, "group_by": "hour"}))
    assert [(r["hour"], r["offered"]) for r in rows] == [(9, 1), (10, 6), (11, 0), (14, 3)]
    assert rows[2]["service_level"] is None


def test_filters_by_name_and_code(client, october):
    client.force_login(october.users.mr)
    assert rows_of(client.get(URL, {**OCTOBER, "line": "WhatsApp"}))[0]["offered"] == 1
    assert rows_of(client.get(URL, {**OCTOBER, "queue": ["Genel", "Ruhsat"]}))[0]["offered"] == 10
    assert rows_of(client.get(URL, {**OCTOBER, "agent": "A001", "group_by": "agent"}))[0]["agent"] == "A001"
    assert rows_of(client.get(URL, {**OCTOBER, "team": "Takım B"}))[0]["offered"] == 2


def test_the_variant_setting_changes_the_rows_and_is_stated(client, october, settings):
    settings.QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS = False
    client.force_login(october.users.mr)
    body = client.get(URL, OCTOBER).json()
    assert body["rows"][0]["service_level"] == 0.4 and body["rows"][0]["abandon_rate"] == 0.4
    assert body["definition"]["exclude_short_abandons"] is False
    assert body["definition"]["formulas"]["service_level"] == "answered_in_sl / offered"


def test_stale_rollups_are_flagged(client, october, settings):
    settings.QMS_CALL_SHORT_ABANDON_SECONDS = 10
    client.force_login(october.users.mr)
    definition = client.get(URL, OCTOBER).json()["definition"]
    assert definition["stale"] is True and definition["settings_short_abandon_seconds"] == 10
    assert "rebuild_call_rollups" in definition["warning"]


def test_a_bearer_token_works(client, october):
    _token, plaintext = APIToken.create_token(user=october.users.top, name="santral")
    response = client.get(URL, {**OCTOBER, "group_by": "queue"}, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert [r["queue"] for r in rows_of(response)] == ["Genel", "Ruhsat"]


def test_401_without_credentials(client, october):
    response = client.get(URL, OCTOBER)
    assert response.status_code == 401
    assert "rows" not in response.json()


@pytest.mark.parametrize("name", ["a1", "ev1", "ev2", "staff"])
def test_403_for_agents_evaluators_and_staff(client, october, name):
    client.force_login(getattr(october.users, name))
    response = client.get(URL, {**OCTOBER, "group_by": "agent"})
    assert response.status_code == 403
    assert "callqa.view_callkpi" in response.json()["detail"]
    assert "rows" not in response.json()


def test_a_team_lead_gets_their_teams_agents_only(client, october):
    client.force_login(october.users.lead_b)
    rows = rows_of(client.get(URL, {**OCTOBER, "group_by": "agent"}))
    assert [(r["agent"], r["offered"]) for r in rows] == [("B001", 2)]
    rows = rows_of(client.get(URL, {**OCTOBER, "group_by": "line"}))
    assert [(r["line"], r["offered"]) for r in rows] == [("ALO 153", 2)]
    # another team's agent or team is unknown to them
    for params in ({"agent": "A001"}, {"team": "Takım A"}):
        response = client.get(URL, {**OCTOBER, **params})
        assert response.status_code == 400
    assert client.get(URL, {**OCTOBER, "agent": "A001"}).json()["detail"] == \
        client.get(URL, {**OCTOBER, "agent": "YOK"}).json()["detail"].replace("YOK", "A001")


@pytest.mark.parametrize(("params", "words"), [
    ({"group_by": "line,colour"}, "colour"),
    ({"group_by": "day,month"}, "En fazla bir"),
    ({"group_by": "line,line"}, "bir kez"),
    ({"from": "2026-10-31", "to": "2026-10-01"}, "sonra"),
    ({"from": "31.10.2026"}, "31.10.2026"),
    ({"from": ""}, "from"),
    ({"line": "Faks"}, "Faks"),
    ({"queue": "Yok"}, "Yok"),
    ({"agent": "Z000"}, "Z000"),
    ({"team": "Takım Z"}, "Takım Z"),
])
def test_bad_parameters_are_400_with_a_message(client, october, params, words):
    client.force_login(october.users.mr)
    response = client.get(URL, {**OCTOBER, **params})
    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_the_query_count_does_not_grow_with_the_calls(client, centre, django_assert_num_queries):
    client.force_login(centre.users.mr)
    params = {**OCTOBER, "group_by": "line,queue,agent,day"}
    make_many(centre.agents, 10)
    client.get(URL, params)  # the session's first request warms caches that are not the report's
    # session, user, Wagtail's user profile, permissions (2), the cube, rollup state, lines, queues, agents
    with django_assert_num_queries(10):
        small = rows_of(client.get(URL, params))
    make_many(centre.agents, 90)
    with django_assert_num_queries(10):
        large = rows_of(client.get(URL, params))
    assert sum(r["offered"] for r in large) > sum(r["offered"] for r in small)
    assert len(large) > len(small)


# ---- manage.py kpi_export calls -----------------------------------------------------------------


def export(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("kpi_export", "calls", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("group_by", ["line,day", "agent,month", "hour", "queue,team,week", ""])
def test_the_commands_json_rows_are_the_apis(client, october, group_by):
    client.force_login(october.users.mr)
    api_rows = rows_of(client.get(URL, {"from": "2026-10-01", "to": "2026-11-30", "group_by": group_by}))
    out, err = export("--from", "2026-10-01", "--to", "2026-11-30", "--group-by", group_by, "--format", "json")
    assert json.loads(out) == api_rows
    assert "Hizmet düzeyi: 20 sn" in err  # the definition goes to standard error


def test_the_commands_csv_states_the_definition_first(october):
    out, _err = export("--from", "2026-10-01", "--to", "2026-10-31", "--group-by", "line,day", "--format", "csv")
    assert out.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert len(lines[0]) == 1 and lines[0][0].startswith("# Hizmet düzeyi: 20 sn")
    assert lines[1] == ["line", "day", *KPI_NAMES]
    assert lines[2][:4] == ["ALO 153", "2026-10-05", "6", "3"]
    assert lines[2][KPI_NAMES.index("service_level") + 2] == "0.4"


def test_the_command_writes_a_file(october, tmp_path):
    target = tmp_path / "cagri.json"
    _out, err = export("--from", "2026-10-01", "--to", "2026-10-31", "--group-by", "queue", "--output", str(target))
    assert [r["queue"] for r in json.loads(target.read_text(encoding="utf-8"))] == ["Genel", "Ruhsat"]
    assert "2" in err


@pytest.mark.parametrize(("args", "words"), [
    (("--group-by", "unit"), "unit"),
    (("--unit", "FEN"), "--unit"),
    (("--line", "Faks"), "Faks"),
    (("--to", "2026-09-01"), "sonra"),
])
def test_the_command_refuses_bad_parameters(october, args, words):
    base = {"--from": "2026-10-01", "--to": "2026-10-31"}
    extra = dict(zip(args[::2], args[1::2], strict=True))
    flat = [item for pair in {**base, **extra}.items() for item in pair]
    with pytest.raises(CommandError) as error:
        export(*flat)
    assert words in str(error.value)


def test_the_request_dataset_refuses_call_options(db):
    with pytest.raises(CommandError) as error:
        call_command("kpi_export", "requests", "--from", "2026-10-01", "--to", "2026-10-31", "--line", "X",
                     stdout=io.StringIO())
    assert "--line" in str(error.value)


def test_the_openapi_schema_lists_the_endpoint():
    from qms.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/kpis/calls"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "group_by", "line", "queue", "agent", "team"}
