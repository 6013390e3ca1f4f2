"""Who sees which training requests: the coordinator and the overseers all of them, a unit manager
those of their units (read-only), staff only their own; the list filters, and runs the same number
of queries for 10 and 100 requests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.roles import Role
from training import services
from training.models import RequestState, TrainingPlan, TrainingRequest
from training.queries import requests_visible_to

pytestmark = pytest.mark.django_db

LIST = reverse("training:request_list")


@pytest.fixture
def requests(make_user, coordinator, make_course):
    """One request per unit: ALO153 and ÇMPK (under ÇMŞ), KSB (under ÇÖZM); the ALO153 one accepted."""
    people = {code: make_user(Role.AGENT, unit=code, first_name=f"Kişi {code}") for code in ("ALO153", "ÇMPK", "KSB")}
    made = {code: services.request_submit(user=person, topic=f"Konu {code}", reason="Gerekli")
            for code, person in people.items()}
    plan = TrainingPlan.objects.create(year=timezone.localdate().year)
    services.request_accept(request=made["ALO153"], user=coordinator, plan=plan, month=12, course=make_course())
    return made


def topics(response) -> set[str]:
    return {row["req"].topic for row in response.context["rows"]}


@pytest.mark.parametrize("role", [Role.TRAINING_COORDINATOR, Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT,
                                  Role.INTERNAL_AUDITOR])
def test_the_coordinator_and_overseers_see_every_request(client, make_user, requests, role):
    client.force_login(make_user(role, unit="HİŞM"))
    response = client.get(LIST, {"state": ""})
    assert topics(response) == {"Konu ALO153", "Konu ÇMPK", "Konu KSB"}
    may_decide = role in (Role.TRAINING_COORDINATOR, Role.MANAGEMENT_REPRESENTATIVE)
    assert response.context["may_decide"] == may_decide
    assert ("trp-button\" href=\"" + reverse("training:request_detail", args=[requests["KSB"].pk])
            in response.content.decode()) == may_decide  # the Decide button


def test_the_coordinator_opens_the_queue_on_what_waits(client, coordinator, requests):
    client.force_login(coordinator)
    response = client.get(LIST)
    assert topics(response) == {"Konu ÇMPK", "Konu KSB"}
    assert response.context["waiting"] == 2
    assert topics(client.get(LIST, {"state": RequestState.ACCEPTED})) == {"Konu ALO153"}


def test_a_unit_manager_sees_the_requests_of_their_units_read_only(client, make_user, requests):
    chief = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    client.force_login(chief)
    response = client.get(LIST)
    assert topics(response) == {"Konu ALO153", "Konu ÇMPK"}
    assert not response.context["may_decide"]
    assert {u.code for u in response.context["form"].fields["unit"].queryset} == {"ALO153", "ÇMPK"}
    assert topics(client.get(LIST, {"unit": requests["ÇMPK"].unit_id})) == {"Konu ÇMPK"}
    assert client.get(reverse("training:request_detail", args=[requests["ALO153"].pk])).status_code == 200
    assert client.get(reverse("training:request_detail", args=[requests["KSB"].pk])).status_code == 404
    assert set(requests_visible_to(chief).values_list("topic", flat=True)) == {"Konu ALO153", "Konu ÇMPK"}


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR])
def test_staff_see_only_their_own_requests(client, make_user, requests, role):
    person = make_user(role, unit="ALO153")
    own = services.request_submit(user=person, topic="Benim konum", reason="Gerekli")
    client.force_login(person)
    response = client.get(LIST)
    assert response.status_code == 403
    assert "Başkalarının eğitim taleplerini görme yetkiniz yok." in response.content.decode()
    assert topics(client.get(reverse("training:request_mine"))) == {"Benim konum"}
    assert client.get(reverse("training:request_detail", args=[own.pk])).status_code == 200
    for other in requests.values():
        assert client.get(reverse("training:request_detail", args=[other.pk])).status_code == 404
    assert list(requests_visible_to(person)) == [own]


def test_the_year_filter(client, coordinator, requests):
    old = requests["KSB"]
    TrainingRequest.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2020))
    client.force_login(coordinator)
    response = client.get(LIST, {"state": "", "year": 2020})
    assert topics(response) == {"Konu KSB"}
    assert 2020 in response.context["form"].fields["year"].choices[-1]


def _many(count: int, people) -> None:
    TrainingRequest.objects.bulk_create([
        TrainingRequest(requested_by=people[i % len(people)], unit=people[i % len(people)].staff_profile.unit,
                        topic=f"Toplu {i}", reason="Gerekli") for i in range(count)])


@pytest.mark.parametrize("role", [Role.TRAINING_COORDINATOR, Role.UNIT_MANAGER])
def test_the_list_runs_the_same_queries_for_10_and_100_requests(client, make_user, role):
    people = [make_user(Role.AGENT, unit="ALO153"), make_user(Role.STAFF, unit="ÇMPK")]
    reader = make_user(role, unit="ÇMŞ")
    client.force_login(reader)
    _many(10, people)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    _many(90, people)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 50
    assert len(many) == len(few)
