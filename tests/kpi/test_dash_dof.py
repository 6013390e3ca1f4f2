"""Raising a DÖF from a red or amber figure: a confirmation first, then a KPI-breach DÖF with the
figure, target, period, filters and the link to the requests in it; refused for a figure that is
no longer red or amber, for units outside the reader's scope and without the permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audits.models import Nonconformity, Source
from kpi.models import Kpi, KpiTarget
from qms.roles import Role
from tests.kpi.dash_data import add_targets, load_march, unit_rows, use_small_sample

URL = reverse("kpi:raise_dof")
FIGURE = {"period": "month", "year": "2026", "month": "3", "as_of": "2026-04-15", "unit": "", "channel": "",
          "type": "", "row_unit": ""}


@pytest.fixture
def march(make_requests, settings):
    load_march(make_requests, settings)


@pytest.fixture
def small_sample(settings):
    use_small_sample(settings)


@pytest.fixture
def targets(db):
    add_targets()


def post(client, confirm=False, **fields):
    data = {**FIGURE, **fields}
    if confirm:
        data["confirm"] = "1"
    return client.post(URL, data)


def test_a_red_unit_figure_is_confirmed_then_raised(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = post(client, kpi=Kpi.ON_TIME_RATE, row_unit="FEN")
    assert response.status_code == 200
    html = response.content.decode()
    assert "%44,4" in html and "Hedef dışı" in html and "≥ %90 (kırmızı: &lt; %80)" in html
    assert "Mart 2026" in html and "15.04.2026" in html
    assert not Nonconformity.objects.exists()  # the first step only shows what will be raised

    response = post(client, confirm=True, kpi=Kpi.ON_TIME_RATE, row_unit="FEN")
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response.url == reverse("audits:nonconformity", args=[nc.pk])
    assert nc.source == Source.KPI_BREACH
    assert nc.unit.code == "FEN"
    assert "%44,4" in nc.title and "FEN" in nc.title
    for text in ("Zamanında cevap oranı", "%44,4", "Hedef dışı", "≥ %90 (kırmızı: < %80)", "Mart 2026",
                 "01.03.2026–31.03.2026", "yalnızca bu birim", "Rapor tarihi: 15.04.2026",
                 "http://testserver/admin/kpi/requests/?from=2026-03-01&to=2026-03-31&figure=due_or_answered"):
        assert text in nc.description, text
    assert nc.origin_url.startswith("/admin/kpi/requests/?") and "unit=FEN" in nc.origin_url
    assert nc.raised_by == client.user
    followed = client.get(response.url)
    assert nc.code in followed.content.decode()


def test_the_dashboard_buttons_name_their_figure_as_a_cell(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = post(client, cell="on_time_rate:FEN")
    assert response.status_code == 200 and response.context["figure"].row_unit.code == "FEN"
    assert 'name="kpi" value="on_time_rate"' in response.content.decode()
    post(client, confirm=True, cell="on_time_rate:")
    assert Nonconformity.objects.get().unit.code == "HİŞM"
    assert post(client, cell="created:FEN").status_code == 302  # not a rated figure
    assert Nonconformity.objects.count() == 1


def test_an_amber_total_goes_to_the_filtered_unit(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    post(client, confirm=True, kpi=Kpi.OVERDUE_OPEN, unit="FEN")  # FEN and FEN-YOL: 3 overdue, amber
    nc = Nonconformity.objects.get()
    assert nc.unit.code == "FEN" and "Sınırda" in nc.description
    assert "altındaki birimlerle birlikte" in nc.description


def test_a_department_figure_goes_to_the_department_top_unit(role_client, march, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = post(client, kpi=Kpi.ON_TIME_RATE)
    assert response.context["unit"].code == "HİŞM"
    post(client, confirm=True, kpi=Kpi.ON_TIME_RATE)
    assert Nonconformity.objects.get().unit.code == "HİŞM"


def test_a_unit_manager_raises_for_the_top_of_their_scope(role_client, march):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    post(client, confirm=True, kpi=Kpi.ON_TIME_RATE)  # FEN + FEN-YOL: 9 of 14, red
    nc = Nonconformity.objects.get()
    assert nc.unit.code == "FEN" and "%64,3" in nc.description


def test_a_figure_no_longer_red_or_amber_is_refused(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = post(client, confirm=True, kpi=Kpi.ON_TIME_RATE, row_unit="FEN-YOL")  # green
    assert response.status_code == 302 and response.url.startswith(reverse("kpi:dashboard"))
    assert not Nonconformity.objects.exists()
    page = client.get(response.url).content.decode()
    assert "artık hedef dışı ya da sınırda değil" in page
    # A target changed since the dashboard was drawn: the red figure is green now.
    KpiTarget.objects.filter(kpi=Kpi.ON_TIME_RATE, unit=None).update(green=40, red=30)
    post(client, confirm=True, kpi=Kpi.ON_TIME_RATE, row_unit="FEN")
    assert not Nonconformity.objects.exists()


def test_a_small_sample_is_refused(role_client, make_requests, small_sample, targets):
    make_requests(unit_rows("FEN", late=2))
    post(role_client(Role.MANAGEMENT_REPRESENTATIVE), confirm=True, kpi=Kpi.ON_TIME_RATE)
    assert not Nonconformity.objects.exists()


def test_a_unit_outside_the_scope_answers_404(role_client, march):
    client = role_client(Role.UNIT_MANAGER, unit="FEN")
    assert post(client, confirm=True, kpi=Kpi.ON_TIME_RATE, row_unit="PARK").status_code == 404
    assert post(client, confirm=True, kpi=Kpi.ON_TIME_RATE, unit="PARK").status_code == 404
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_without_kpi_view_it_is_refused(role_client, role, march):
    assert post(role_client(role), confirm=True, kpi=Kpi.ON_TIME_RATE, row_unit="FEN").status_code == 403
    assert not Nonconformity.objects.exists()


def test_without_the_dof_permission_it_is_refused_and_no_button_is_shown(role_client, march):
    client = role_client(Role.TOP_MANAGEMENT)
    client.user.groups.first().permissions.remove(Permission.objects.get(codename="add_nonconformity"))
    assert post(client, confirm=True, kpi=Kpi.ON_TIME_RATE, row_unit="FEN").status_code == 403
    assert not Nonconformity.objects.exists()
    html = client.get(reverse("kpi:dashboard") + "?period=month&year=2026&month=3&as_of=2026-04-15")
    assert "/admin/kpi/dof/" not in html.content.decode()


def test_get_is_not_allowed_and_a_broken_form_goes_back(role_client, march):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    assert client.get(URL).status_code == 405
    response = post(client, kpi="created")  # not a rated KPI
    assert response.status_code == 302 and response.url == reverse("kpi:dashboard")
