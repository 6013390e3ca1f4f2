"""The matrix's people table is paged and searchable on the server; its summaries count everyone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qms.models import StaffProfile
from qms.roles import Role

pytestmark = pytest.mark.django_db

URL = reverse("training:matrix")


def people_rows(response) -> list[str]:
    html = response.content.decode()
    if 'id="training-matrix-people"' not in html:
        return []
    table = html.split('id="training-matrix-people"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<span class="training-person-name">([^<]+)</span>', table)


def test_a_large_department_is_paged_and_the_summary_counts_everyone(role_client, make_user, make_course):
    make_course(is_mandatory=True)
    client = role_client(Role.INTERNAL_AUDITOR, unit="KSB")
    for _ in range(109):
        make_user(Role.AGENT, unit="ALO153")
    first = client.get(URL)
    assert len(people_rows(first)) == 100
    assert len(first.context["matrix"].people) == 110  # the auditor too
    second = client.get(URL, {"p": 2})
    assert len(people_rows(second)) == 10
    assert not set(people_rows(first)) & set(people_rows(second))


def test_find_a_person_by_name_in_any_case_or_by_registry_number(role_client, make_user, make_course):
    make_course(is_mandatory=True)
    client = role_client(Role.TRAINING_COORDINATOR, unit="KSB")
    make_user(Role.AGENT, unit="ALO153", first_name="Işıl", last_name="Çağlar")
    other = make_user(Role.AGENT, unit="ALO153", first_name="Deniz", last_name="Kaya")
    StaffProfile.objects.filter(user=other).update(registry_no="40404")
    assert people_rows(client.get(URL, {"person": "IŞIL"})) == ["Işıl Çağlar"]
    assert people_rows(client.get(URL, {"person": "isil caglar"})) == ["Işıl Çağlar"]
    assert people_rows(client.get(URL, {"person": "40404"})) == ["Deniz Kaya"]
    assert people_rows(client.get(URL, {"person": "nobody"})) == []
