"""The "training plan realisation and competence" and "adequacy of resources" items hold the figures
the training module (`training.queries`), the staff records, call QA's agents and the KPI engine
report for the period, department-wide: equal to what `competence_matrix` and `training_hours` show
a reader who sees every unit; sessions outside the period's year and inactive people are not
counted; the builders' query counts do not grow with sessions, people or agents."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from kpi.callqa.models import Agent, Team
from kpi.engine import KpiEngine
from qms.models import StaffProfile
from qms.review.models import AgendaItemKind
from qms.review.pack import figure, table
from qms.roles import Role
from tests.kpi.conftest import request_row
from tests.review.pack_quality_data import (
    AS_OF,
    PERIOD_END,
    PERIOD_START,
    compiled,
    make_cast,
    many_sessions,
    queries_of,
    training_scenario,
)
from training.models import TrainingPlan
from training.queries import (
    competence_matrix,
    course_compliance,
    evaluation_report,
    plan_realisation,
    training_hours,
)

pytestmark = pytest.mark.django_db

TRAINING, RESOURCES = AgendaItemKind.TRAINING, AgendaItemKind.RESOURCES


@pytest.fixture
def cast(make_user, mr):
    return make_cast(make_user, mr)


@pytest.fixture
def scenario(cast):
    return training_scenario(cast)


def raw(pack, key):
    found = figure(pack, key)
    assert found is not None, key
    return found["raw"]


def test_plan_realisation_is_the_training_modules_at_the_period_end(review, scenario):
    pack = compiled(review, TRAINING)

    realisation = plan_realisation(scenario["plan"], at=AS_OF)
    assert raw(pack, "plan_realisation") == realisation.percent == 67  # 2 of the 3 sessions due by October
    assert raw(pack, "plan_planned") == realisation.planned == 3
    assert raw(pack, "plan_held") == realisation.held == 2
    assert raw(pack, "plan_unplanned") == realisation.unplanned == 1
    [row] = table(pack, "plan_years")["rows"]
    assert row == ["2026", "Onaylandı", "31.10.2026", "3", "2", "%67", "4", "1"]
    assert table(pack, "plan_years")["links"] == [reverse("training:plan_year", args=[2026])]
    lines = table(pack, "plan_lines")["rows"]
    assert [line[-1] for line in lines] == ["planın gerisinde", "yapıldı", "zamanı gelmedi"]


def test_competence_is_the_matrix_of_a_reader_who_sees_every_unit(review, scenario, mr):
    pack = compiled(review, TRAINING)

    matrix = competence_matrix(mr, today=AS_OF)
    assert raw(pack, "competence_percent") == matrix.percent
    assert raw(pack, "competence_people") == len(matrix.people)
    units = table(pack, "competence_units")["rows"]
    assert [[row[1], row[2]] for row in units] == [[str(u.people), str(u.compliant)] for u in matrix.units]
    courses = table(pack, "competence_courses")["rows"]
    expected = course_compliance(matrix)
    assert [row[1:6] for row in courses] == [
        [str(c.required), str(c.completed), str(c.expiring), str(c.expired), str(c.due)] for c in expected
    ]
    # The quality course is required of everyone (mandatory, no target): the agent and the clerk hold it.
    quality = next(c for c in expected if c.course == scenario["quality"])
    assert quality.compliant == 2


def test_hours_and_evaluations_are_the_training_modules_for_the_year(review, scenario, mr):
    pack = compiled(review, TRAINING)

    hours = training_hours(mr, 2026)
    assert raw(pack, "training_hours") == float(hours["total"]) == 2 * 2 + 3.5 + 2 + 2  # the year's, November too
    people = len(hours["people"])
    assert raw(pack, "training_hours_per_person") == round(float(hours["total"]) / people, 1)
    report = evaluation_report(2026, today=AS_OF)
    assert raw(pack, "evaluation_response_rate") == report["total"]["response_rate"]
    assert raw(pack, "evaluation_overall") == report["total"]["overall"] == 4.5
    assert raw(pack, "effectiveness_done") == report["effectiveness"]["done"] == 1
    assert raw(pack, "effectiveness_total") == report["effectiveness"]["total"]
    assert raw(pack, "effectiveness_average") == report["effectiveness"]["average"] == 4
    courses = table(pack, "evaluation_courses")["rows"]
    assert [row[1] for row in courses] == [g["label"] for g in report["by_course"]]


def test_a_period_over_two_years_reports_each_year(make_review, scenario, mr):
    review = make_review(period=(dt.date(2025, 7, 1), dt.date(2026, 6, 30)), planned=dt.date(2026, 7, 15))
    pack = compiled(review, TRAINING)

    years = table(pack, "training_years")["rows"]
    assert [row[0] for row in years] == ["2025", "2026"]
    assert float(years[0][6].replace(",", ".")) == float(training_hours(mr, 2025)["total"]) == 2.0
    # No plan for 2025: said in a note; the 2026 plan is measured on the period's end.
    assert "2025 yılı için eğitim planı yok." in pack["notes"]
    assert raw(pack, "plan_realisation") == plan_realisation(scenario["plan"], at=dt.date(2026, 6, 30)).percent


def test_inactive_staff_are_not_counted(review, scenario, cast, mr):
    StaffProfile.objects.filter(user=cast["clerk"]).update(is_active=False)
    pack = compiled(review, TRAINING)

    assert raw(pack, "training_hours") == float(training_hours(mr, 2026)["total"]) == 2 + 3.5 + 2
    assert raw(pack, "competence_people") == len(competence_matrix(mr, today=AS_OF).people)


def test_the_training_pack_is_json(review, scenario):
    pack = compiled(review, TRAINING)

    assert json.loads(json.dumps(pack)) == pack
    assert figure(pack, "plan_realisation")["value"] == "%67"


def test_the_training_query_count_does_not_grow(review, cast, make_user, django_assert_num_queries):
    people = [make_user(Role.AGENT, unit="ALO153") for _ in range(3)]
    many_sessions(cast, people, 10)
    at_ten = queries_of(review, TRAINING)
    people += [make_user(Role.STAFF, unit="KSB") for _ in range(10)]
    many_sessions(cast, people, 90)

    with django_assert_num_queries(at_ten):
        pack = compiled(review, TRAINING)
    assert raw(pack, "plan_held") == TrainingPlan.objects.get(year=2026).items.count() == 100


# --- resources -----------------------------------------------------------------------------------


def test_headcount_agents_and_requests_are_the_modules(review, cast, org, make_user, make_requests_in_period):
    team = Team.objects.create(name="Gece")
    Agent.objects.create(code="A001", team=team, staff=cast["agent"].staff_profile)
    Agent.objects.create(code="A002", team=team)
    Agent.objects.create(code="A003")
    Agent.objects.create(code="A004", team=team, is_active=False)
    gone = make_user(Role.STAFF, unit="KSB")
    gone.is_active = False
    gone.save()
    pack = compiled(review, RESOURCES)

    active = StaffProfile.objects.filter(is_active=True, user__is_active=True)
    assert raw(pack, "staff_headcount") == active.count() == len(training_hours(cast["mr"], 2026)["people"])
    assert raw(pack, "active_agents") == Agent.objects.filter(is_active=True).count() == 3
    assert table(pack, "agents_teams")["rows"] == [["Gece", "2"], ["Takımsız", "1"]]
    created = KpiEngine(user=None, as_of=AS_OF).compute(date_from=PERIOD_START, date_to=PERIOD_END).total.values
    assert raw(pack, "requests_created") == created["created"] == 4
    assert raw(pack, "requests_per_staff") == round(4 / active.count(), 1)
    units = {row[0]: row[1] for row in table(pack, "headcount_units")["rows"]}
    assert units["KSB Karşılama ve Sonuç Birimi"] == str(active.filter(unit=org["KSB"]).count())


def test_training_hours_per_unit_are_the_modules(review, scenario, cast, mr):
    pack = compiled(review, RESOURCES)

    hours = training_hours(mr, 2026)
    rows = {row[0]: [float(cell.replace(",", ".")) for cell in row[2:]]
            for row in table(pack, "headcount_units")["rows"]}
    assert len(rows) == len(hours["units"])
    for unit in hours["units"]:
        label = f'{unit["unit"].code} {unit["unit"].name}'
        assert rows[label] == [float(unit["hours"]), float(unit["per_person"])]
    assert raw(pack, "training_hours_per_person") == round(float(hours["total"]) / len(hours["people"]), 1)


def test_the_resources_pack_is_json_with_its_note(review, cast):
    pack = compiled(review, RESOURCES)

    assert json.loads(json.dumps(pack)) == pack
    assert any("yeterli olup olmadıklarını" in note for note in pack["notes"])


def test_the_resources_query_count_does_not_grow(review, cast, make_user, django_assert_num_queries):
    teams = [Team.objects.create(name=f"Takım {n}") for n in range(3)]
    for n in range(10):
        make_user(Role.AGENT, unit="ALO153")
        Agent.objects.create(code=f"A{n:03d}", team=teams[n % 3])
    at_ten = queries_of(review, RESOURCES)
    teams += [Team.objects.create(name=f"Takım {n}") for n in range(3, 10)]
    for n in range(10, 100):
        make_user(Role.STAFF, unit="KSB" if n % 2 else "ÇMPK")
        Agent.objects.create(code=f"A{n:03d}", team=teams[n % 10])

    with django_assert_num_queries(at_ten):
        pack = compiled(review, RESOURCES)
    assert raw(pack, "active_agents") == 100


@pytest.fixture
def make_requests_in_period(org):
    """Four requests in the period and one after it, through the KPI import pipeline."""
    from kpi.ingest import import_records

    rows = [request_row(unit_code="FEN", created_at=f"2026-0{month}-02 09:00",
                        first_answer_at=f"2026-0{month}-03 10:00") for month in (2, 3, 5, 9)]
    rows.append(request_row(unit_code="FEN", created_at="2026-11-02 09:00", first_answer_at="2026-11-03 10:00"))
    result = import_records(rows)
    assert result.committed, [error.as_dict() for error in result.errors]
    return result
