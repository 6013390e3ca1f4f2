"""KPI targets in the admin: the form keeps red on the worse side of green for the KPI's direction,
rates in percent and scores in 1-5; the department default and a unit override; only the
"kpi.targets" capability changes them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpi.models import Kpi, KpiTarget
from kpi.views.targets import KpiTargetForm
from qms.roles import Role

INDEX = reverse("kpi_targets:index")
ADD = reverse("kpi_targets:add")


def form(**data):
    return KpiTargetForm(data={"unit": "", **data})


@pytest.mark.parametrize("data, field", [
    ({"kpi": Kpi.ON_TIME_RATE, "green": 80, "red": 90}, "red"),  # higher is better: red above green
    ({"kpi": Kpi.SATISFACTION_AVG, "green": 3.5, "red": 4}, "red"),
    ({"kpi": Kpi.OVERDUE_OPEN, "green": 150, "red": 50}, "red"),  # lower is better: red below green
    ({"kpi": Kpi.MEDIAN_ANSWER_HOURS, "green": 96, "red": 48}, "red"),
    ({"kpi": Kpi.ON_TIME_RATE, "green": 90, "red": 90}, None),  # no amber band: allowed
    ({"kpi": Kpi.OVERDUE_OPEN, "green": 50, "red": 150}, None),
    ({"kpi": Kpi.ON_TIME_RATE, "green": 120, "red": 80}, "green"),  # percent: at most 100
    ({"kpi": Kpi.SATISFACTION_AVG, "green": 6, "red": 4}, "green"),
    ({"kpi": Kpi.OVERDUE_OPEN, "green": -1, "red": 5}, "green"),
    ({"kpi": Kpi.CREATED, "green": 10, "red": 5}, "kpi"),  # counts of volume take no target
])
def test_the_form_refuses_thresholds_on_the_wrong_side(db, data, field):
    bound = form(**data)
    if field is None:
        assert bound.is_valid(), bound.errors
    else:
        assert not bound.is_valid()
        assert field in bound.errors, bound.errors


def test_the_message_names_the_direction(db):
    bound = form(kpi=Kpi.ON_TIME_RATE, green=80, red=90)
    assert not bound.is_valid()
    assert "yüksek değer iyidir" in bound.errors["red"][0] and "%80" in bound.errors["red"][0]
    bound = form(kpi=Kpi.RETURNED_RATE, green=10, red=5)
    assert not bound.is_valid() and "düşük değer iyidir" in bound.errors["red"][0]


def test_one_default_and_one_override_per_unit(db, kpi_units):
    KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, green=90, red=80)
    assert not form(kpi=Kpi.ON_TIME_RATE, green=85, red=75).is_valid()  # a second department default
    assert form(kpi=Kpi.ON_TIME_RATE, green=95, red=90, unit=kpi_units["PARK"].pk).is_valid()


def test_the_targets_capability_adds_and_edits_through_the_admin(role_client, kpi_units):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = client.post(ADD, {"kpi": Kpi.ON_TIME_RATE, "unit": "", "green": "90", "red": "95"})
    assert response.status_code == 200 and not KpiTarget.objects.exists()
    assert "yüksek değer iyidir" in response.content.decode()
    response = client.post(ADD, {"kpi": Kpi.ON_TIME_RATE, "unit": "", "green": "90", "red": "80"})
    assert response.status_code == 302
    response = client.post(ADD, {"kpi": Kpi.ON_TIME_RATE, "unit": kpi_units["PARK"].pk, "green": "70", "red": "60"})
    assert response.status_code == 302
    html = client.get(INDEX).content.decode()
    assert "Müdürlük varsayılanı" in html and "%90" in html and "Park ve Bahçeler" in html and "%70" in html
    target = KpiTarget.objects.get(unit=None)
    response = client.post(reverse("kpi_targets:edit", args=[target.pk]),
                           {"kpi": Kpi.ON_TIME_RATE, "unit": "", "green": "92,5", "red": "85"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.green == 92.5


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.TOP_MANAGEMENT])
def test_kpi_viewers_see_the_targets_but_cannot_change_them(role_client, role, kpi_units):
    target = KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, green=90, red=80)
    client = role_client(role, unit="FEN")
    assert client.get(INDEX).status_code == 200
    for response in (client.post(ADD, {"kpi": Kpi.OVERDUE_OPEN, "unit": "", "green": "1", "red": "2"}),
                     client.post(reverse("kpi_targets:edit", args=[target.pk]),
                                 {"kpi": Kpi.ON_TIME_RATE, "unit": "", "green": "10", "red": "5"}),
                     client.post(reverse("kpi_targets:delete", args=[target.pk]))):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response.url == reverse("wagtailadmin_home")
    target.refresh_from_db()
    assert (KpiTarget.objects.count(), target.green) == (1, 90)


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_others_do_not_see_them(role_client, role, kpi_units):
    response = role_client(role).get(INDEX)
    assert response.status_code in (302, 403)
