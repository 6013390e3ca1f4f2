"""The monthly sample's screens (kpi.callqa.views.sampling): only the QA roles open them, the
preview writes nothing, the draw writes what the preview showed, refusals say why, and the past
runs list has a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kpi.callqa import sampling
from kpi.callqa.models import Evaluation, SamplingRun
from tests.callqa.sampling_data import OCTOBER, month_calls

pytestmark = pytest.mark.django_db

URL = reverse("callqa:sampling")
QUERIES = 16  # session, user, permissions, menu, the form (scorecards, evaluators), the page and its count


@pytest.fixture
def october(centre):
    for agent in (centre.agents.a1, centre.agents.a2, centre.agents.b1):
        month_calls(agent, hours=(9, 14, 18))
    return centre


def _query(centre, **extra) -> dict:
    users = centre.users
    data = {"action": "preview", "month": "2026-10", "per_agent": "5", "seed": "4242",
            "scorecard": str(centre.scorecard.pk), "evaluators": [str(users.ev1.pk), str(users.ev2.pk)],
            "level_open": "on"}
    data.update(extra)
    return data


@pytest.mark.parametrize("who", ["ev1", "a1", "lead_a", "top", "staff"])
def test_other_roles_get_404(client, centre, who):
    client.force_login(getattr(centre.users, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, _query(centre, action="draw")).status_code == 404
    assert not SamplingRun.objects.exists()


def test_anonymous_is_sent_to_login(client, centre):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["qa_lead", "mr"])
def test_the_form_comes_filled_in(client, centre, who):
    client.force_login(getattr(centre.users, who))
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["month"] == (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    assert 0 <= form.initial["seed"] < 10**9 and f'value="{form.initial["seed"]}"' in response.content.decode()
    assert form.initial["per_agent"] == 5 and form.initial["scorecard"] == centre.scorecard.pk
    assert set(form.initial["evaluators"]) == {centre.users.ev1.pk, centre.users.ev2.pk, centre.users.qa_lead.pk}


def test_preview_shows_the_plan_and_writes_nothing(client, october):
    client.force_login(october.users.qa_lead)
    response = client.get(URL, _query(october))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.total == 15 and plan.seed == 4242
    html = response.content.decode()
    for agent in ("A001", "A002", "B001"):
        assert agent in html
    assert 'data-count="total">15<' in html
    assert not Evaluation.objects.exists() and not SamplingRun.objects.exists()
    # the confirmation carries the same values
    assert ("seed", "4242") in response.context["hidden"]


def test_the_draw_writes_what_the_preview_showed(client, october):
    client.force_login(october.users.qa_lead)
    shown = client.get(URL, _query(october)).context["plan"]
    response = client.post(URL, _query(october, action="draw"))
    assert response.status_code == 302
    run = SamplingRun.objects.get()
    assert response["Location"] == reverse("callqa:sampling_run", args=[run.pk])
    made = sorted(Evaluation.objects.filter(sampling=run).values_list("call__call_id", "evaluator__username"))
    assert made == sorted((a.call.call_id, a.evaluator.get_username()) for a in shown.assignments)
    assert run.created_by == october.users.qa_lead and run.seed == 4242
    page = client.get(response["Location"])
    assert page.status_code == 200 and len(page.context["evaluations"]) == 15
    listing = client.get(URL)
    assert "4242" in listing.content.decode()


def test_a_second_draw_of_the_month_is_refused_with_the_reason(client, october):
    client.force_login(october.users.qa_lead)
    assert client.post(URL, _query(october, action="draw")).status_code == 302
    response = client.post(URL, _query(october, action="draw", seed="1"))
    assert response.status_code == 400
    assert response.context["problems"]
    assert SamplingRun.objects.count() == 1
    replaced = client.post(URL, _query(october, action="draw", seed="1", replace_unstarted="on"))
    assert replaced.status_code == 302 and SamplingRun.objects.count() == 2


def test_bad_input_is_refused(client, october):
    client.force_login(october.users.qa_lead)
    for bad in ({"month": "2026-13"}, {"per_agent": "0"}, {"seed": "-1"}, {"evaluators": []},
                {"month": "2999-01"}):
        response = client.get(URL, _query(october, **bad))
        assert response.status_code == 400, bad
        assert response.context["plan"] is None
    assert client.post(URL, _query(october, action="draw", per_agent="99")).status_code == 400
    assert not SamplingRun.objects.exists()


def _runs(count, centre):
    SamplingRun.objects.bulk_create([
        SamplingRun(month=dt.date(2020 + i // 12, i % 12 + 1, 1), seed=i, per_agent=5, scorecard=centre.scorecard,
                    created_by=centre.users.qa_lead) for i in range(count)])


@pytest.mark.parametrize("count", [10, 100])
def test_the_past_runs_take_a_fixed_number_of_queries(client, centre, django_assert_num_queries, count):
    _runs(count, centre)
    client.force_login(centre.users.qa_lead)
    client.get(URL)  # warm the session and the permission caches
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert response.status_code == 200 and len(response.context["runs"]) == min(count, 25)



def test_a_run_page_lists_its_calls(client, october):
    run = sampling.draw(OCTOBER, per_agent=2, seed=3, scorecard=october.scorecard, today=dt.date(2026, 11, 26))
    client.force_login(october.users.qa_lead)
    response = client.get(reverse("callqa:sampling_run", args=[run.pk]))
    assert response.status_code == 200
    assert response.context["agent_count"] == 3 and len(response.context["evaluations"]) == 6
    client.force_login(october.users.ev1)
    assert client.get(reverse("callqa:sampling_run", args=[run.pk])).status_code == 404
