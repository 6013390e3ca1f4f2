"""The contact-centre KPI engine (kpi.callqa.engine): every formula against the hand-computed calls
of tests/callqa/dashboard_data.py, each service-level variant, the definition it states, groupings,
the cube it reads, calls without an agent, and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpi.callqa import engine as call_engine
from kpi.callqa.engine import KPI_NAMES, CallKpiEngine, Variant, definition, kpis_of
from kpi.callqa.models import CallRollupState
from tests.callqa.dashboard_data import OCTOBER_TOTAL, make_october

pytestmark = pytest.mark.django_db

OCT_1, OCT_31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def october(centre):
    make_october(centre.agents)
    return centre


def compute(user=None, **kwargs):
    kwargs.setdefault("date_from", OCT_1)
    kwargs.setdefault("date_to", OCT_31)
    return CallKpiEngine(user=user).compute(**kwargs)


def test_every_kpi_of_the_month_is_the_hand_computed_figure(october):
    report = compute()
    assert report.cube == "month"
    assert list(report.total.values) == list(KPI_NAMES)
    assert report.total.values == OCTOBER_TOTAL
    # ungrouped: one row, the total
    assert [row.values for row in report.rows] == [OCTOBER_TOTAL]
    counters = report.total.counters
    assert (counters["answered_in_sl"], counters["abandoned_in_sl"], counters["wait_answered"]) == (4, 1, 90)


@pytest.mark.parametrize(("exclude_short", "abandons_met", "expected"), [
    # service level, abandon rate, answer rate
    (True, False, (4 / 8, 2 / 8, 6 / 8)),        # 4 answered in 20 s of 10 offered less 2 short abandons
    (False, False, (4 / 10, 4 / 10, 6 / 10)),    # short abandons stay in the denominator and the abandons
    (True, True, (5 / 8, 2 / 8, 6 / 8)),         # c5 (abandoned after 15 s) counts as met
    (False, True, (7 / 10, 4 / 10, 6 / 10)),     # c5 and the two short abandons count as met
])
def test_each_service_level_variant_changes_the_numbers(october, settings, exclude_short, abandons_met, expected):
    settings.QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS = exclude_short
    settings.QMS_CALL_SL_ABANDONS_IN_THRESHOLD_MET = abandons_met
    values = compute().total.values
    assert (values["service_level"], values["abandon_rate"], values["answer_rate"]) == tuple(
        round(v, 4) for v in expected)
    # the rest does not depend on the variant
    assert (values["asa"], values["aht"], values["offered"], values["short_abandoned"]) == (15.0, 136.7, 10, 2)


def test_answer_and_abandon_rates_add_up_to_one(october, settings):
    for exclude in (True, False):
        settings.QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS = exclude
        values = compute().total.values
        assert values["answer_rate"] + values["abandon_rate"] == pytest.approx(1)


def test_the_thresholds_are_the_rollups(october, settings):
    # a 30 s threshold counts c2 (30 s) as met and c8 (25 s) too, once the rollups are rebuilt
    settings.QMS_CALL_SL_SECONDS = 30
    report = compute()
    assert report.total.values["service_level"] == 0.5  # still counted with 20 s
    assert report.definition["stale"] is True
    assert report.definition["sl_seconds"] == 20 and report.definition["settings_sl_seconds"] == 30
    assert "30 s" in report.definition["warning"] and "rebuild_call_rollups" in report.definition["warning"]
    from kpi.callqa import rollups

    rollups.rebuild_all()
    report = compute()
    assert report.definition["stale"] is False and report.definition["warning"] is None
    # in 30 s: c1, c2, c3, c7, c8, c10 answered; c5 abandoned (15 s) and c6 (40 s) not met
    assert report.total.values["service_level"] == round(6 / 8, 4)
    assert report.definition["sl_seconds"] == 30


def test_zero_denominators_give_none(october):
    # hour 11 holds only the outbound call
    rows = {row.keys["hour"]: row.values for row in compute(group_by=("hour",)).rows}
    assert rows[11]["offered"] == 0 and rows[11]["outbound"] == 1
    assert all(rows[11][name] is None for name in ("service_level", "asa", "aht", "abandon_rate", "answer_rate"))
    assert kpis_of(call_engine.empty_counters())["service_level"] is None


def test_only_short_abandons_give_no_rate(settings):
    counters = call_engine.empty_counters() | {"offered": 2, "abandoned": 2, "short_abandoned": 2}
    values = kpis_of(counters, Variant(exclude_short=True))
    assert values["service_level"] is None and values["abandon_rate"] is None
    values = kpis_of(counters, Variant(exclude_short=False))
    assert values["service_level"] == 0.0 and values["abandon_rate"] == 1.0


# ---- the definition -------------------------------------------------------------------------------


def test_the_definition_as_data_and_sentence(db, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        found = definition()
    assert found["text"] == ("Service level: answered within 20 s ÷ (offered − abandoned under 5 s); abandons "
                             "within 20 s not counted as met.")
    assert found["formulas"]["service_level"] == "answered_in_sl / (offered - short_abandoned)"
    assert found["formulas"]["abandon_rate"] == "(abandoned - short_abandoned) / (offered - short_abandoned)"
    assert (found["sl_seconds"], found["short_abandon_seconds"], found["exclude_short_abandons"],
            found["abandons_in_threshold_met"], found["stale"]) == (20, 5, True, False, False)
    assert "Average speed of answer" in found["more"]


@pytest.mark.parametrize(("exclude_short", "abandons_met", "formula", "words"), [
    (False, False, "answered_in_sl / offered", "÷ offered (abandons under 5 s included); abandons within 20 s not"),
    (True, True, "(answered_in_sl + abandoned_in_sl) / (offered - short_abandoned)", "counted as met."),
    (False, True, "(answered_in_sl + abandoned_in_sl + short_abandoned) / offered", "÷ offered"),
])
def test_each_variant_is_stated(db, settings, exclude_short, abandons_met, formula, words):
    from django.utils import translation

    settings.QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS = exclude_short
    settings.QMS_CALL_SL_ABANDONS_IN_THRESHOLD_MET = abandons_met
    with translation.override("en"):
        found = definition()
    assert found["formulas"]["service_level"] == formula
    assert words in found["text"]
    assert ("not counted as met" in found["text"]) == (not abandons_met)


def test_the_definition_in_turkish(db):
    found = definition()
    assert found["text"] == ("Hizmet düzeyi: 20 sn içinde cevaplanan ÷ (sunulan − 5 sn altında terk edilen); "
                             "20 sn içinde terk edilenler karşılanmış sayılmaz.")


def test_the_definition_states_the_rollups_thresholds(db, settings):
    CallRollupState.objects.create(sl_seconds=15, short_abandon_seconds=3)
    found = definition()
    assert found["stale"] and found["sl_seconds"] == 15 and found["short_abandon_seconds"] == 3
    assert "15 sn" in found["text"] and found["warning"]


# ---- groupings and cubes ----------------------------------------------------------------------------


def test_line_by_day(october):
    report = compute(group_by=("line", "day"))
    assert report.cube == "day"
    rows = [(r.keys["line"], r.keys["day"], r.values["offered"], r.values["service_level"], r.values["abandon_rate"],
             r.values["outbound"]) for r in report.rows]
    assert rows == [
        ("ALO 153", "2026-10-05", 6, 0.4, 0.4, 1),   # c1-c6: 2 in SL of 6 - 1 short; (3 - 1) / 5
        ("ALO 153", "2026-10-06", 3, 0.5, 0.0, 0),   # c7-c9: 1 of 3 - 1; (1 - 1) / 2
        ("WhatsApp", "2026-10-06", 1, 1.0, 0.0, 0),  # c10, answered without an agent
    ]
    assert list(report.rows[0].keys) == ["line", "day"]


def test_agent_by_month_leaves_out_calls_without_an_agent(october):
    report = compute(group_by=("agent", "month"), date_to=dt.date(2026, 11, 30))
    assert report.cube == "month"
    rows = {(r.keys["agent"], r.keys["month"]): r.values for r in report.rows}
    assert set(rows) == {("A001", "2026-10"), ("A002", "2026-10"), ("A002", "2026-11"), ("B001", "2026-10")}
    a1 = rows[("A001", "2026-10")]
    assert (a1["offered"], a1["answered"], a1["service_level"], a1["asa"], a1["aht"], a1["outbound"]) == (
        2, 2, 0.5, 20.0, 185.0, 1)
    assert rows[("A002", "2026-10")]["aht"] == 90.0
    assert (rows[("B001", "2026-10")]["asa"], rows[("B001", "2026-10")]["aht"]) == (15.0, 150.0)
    assert rows[("A002", "2026-11")]["asa"] == 8.0
    # the agents' calls only: 5 answered in October + 1 in November, no abandons (all without agent)
    assert report.total.values["offered"] == 6 and report.total.values["abandoned"] == 0


def test_no_agent_calls_count_in_line_and_queue_figures(october):
    by_queue = {r.keys["queue"]: r.values["offered"] for r in compute(group_by=("queue",)).rows}
    assert by_queue == {"Genel": 7, "Ruhsat": 3}
    by_agent = compute(group_by=("agent",))
    assert sum(r.values["offered"] for r in by_agent.rows) == 5
    assert "?" not in {r.keys["agent"] for r in by_agent.rows}


def test_hour_of_day(october):
    report = compute(group_by=("hour",))
    assert report.cube == "interval"  # the hour cube without agents
    assert [(r.keys["hour"], r.values["offered"]) for r in report.rows] == [(9, 1), (10, 6), (11, 0), (14, 3)]
    by_agent = compute(group_by=("agent", "hour"))
    assert by_agent.cube == "hour"  # agents need the agent hour cube
    assert sum(r.values["offered"] for r in by_agent.rows) == 5  # calls without an agent left out
    both = compute(group_by=("day", "hour"))
    assert [(r.keys["day"], r.keys["hour"]) for r in both.rows] == [
        ("2026-10-05", 10), ("2026-10-05", 11), ("2026-10-06", 9), ("2026-10-06", 14)]


def test_week_and_team(october):
    weeks = compute(group_by=("week",))
    assert [(r.keys["week"], r.values["offered"]) for r in weeks.rows] == [("2026-W41", 10)]
    teams = compute(group_by=("team",))
    assert [(r.keys["team"], r.values["offered"], r.values["service_level"]) for r in teams.rows] == [
        ("Takım A", 3, round(2 / 3, 4)), ("Takım B", 2, 0.5)]


def test_month_grouping_over_part_of_a_month_reads_the_day_cube(october):
    report = compute(group_by=("month",), date_from=dt.date(2026, 10, 6), date_to=dt.date(2026, 11, 15))
    assert report.cube == "day"
    assert [(r.keys["month"], r.values["offered"]) for r in report.rows] == [("2026-10", 4), ("2026-11", 1)]


def test_filters(october):
    engine = CallKpiEngine()
    lines = {name: pk for pk, name in engine.lines().items()}
    assert compute(lines=[lines["WhatsApp"]]).total.values["offered"] == 1
    teams = {name: pk for pk, name in engine.teams().items()}
    assert compute(teams=[teams["Takım B"]]).total.values["offered"] == 2
    assert compute(agents=[october.agents.a2.pk]).total.values["offered"] == 1


def test_regroup_sums_without_a_query(october, django_assert_num_queries):
    report = compute(group_by=("line", "queue"))
    with django_assert_num_queries(0):
        by_queue = report.regroup(("queue",))
    assert {r.keys["queue"]: r.values["offered"] for r in by_queue.rows} == {"Genel": 7, "Ruhsat": 3}


@pytest.mark.parametrize(("group_by", "words"), [
    (("colour",), "colour"), (("day", "month"), "one period"), (("line", "line"), "once")])
def test_bad_groupings_are_refused(db, group_by, words):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as error:
        compute(group_by=group_by)
    assert words in " ".join(error.value.messages)


def test_a_range_that_ends_before_it_starts_is_refused(db):
    with pytest.raises(ValidationError):
        compute(date_from=OCT_31, date_to=OCT_1)


# ---- who sees what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a1", "ev1", "staff"])
def test_agents_evaluators_and_staff_are_refused(october, name):
    with pytest.raises(PermissionDenied):
        CallKpiEngine(user=getattr(october.users, name))


@pytest.mark.parametrize("name", ["mr", "qa_lead", "top"])
def test_kpi_viewers_see_everything(october, name):
    assert compute(getattr(october.users, name)).total.values == OCTOBER_TOTAL


def test_a_team_lead_sees_only_their_teams_agents(october):
    report = compute(october.users.lead_a, group_by=("agent",))
    assert [r.keys["agent"] for r in report.rows] == ["A001", "A002"]
    total = compute(october.users.lead_a).total.values
    # c1, c2, c3: no call without an agent, nothing of team B
    assert (total["offered"], total["answered"], total["service_level"], total["outbound"]) == (3, 3, 0.6667, 1)
    by_line = compute(october.users.lead_b, group_by=("line", "queue")).rows
    assert [(r.keys["line"], r.keys["queue"], r.values["offered"]) for r in by_line] == [("ALO 153", "Ruhsat", 2)]


def test_a_team_lead_cannot_name_another_team_or_agent(october):
    for params in ({"teams": "Takım B"}, {"agents": "B001"}):
        with pytest.raises(ValidationError):
            call_engine.calls_report(user=october.users.lead_a, date_from="2026-10-01", date_to="2026-10-31",
                                     **params)
    report = call_engine.calls_report(user=october.users.lead_a, date_from="2026-10-01", date_to="2026-10-31",
                                      teams="Takım A", agents=["A001"])
    assert report.total.values["offered"] == 2
