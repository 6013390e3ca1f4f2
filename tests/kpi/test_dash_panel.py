"""The home dashboard's "Request KPIs this month" panel: for those who see the KPIs, with this
month's on-time rate, overdue backlog and satisfaction, rated, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpi.models import Kpi, KpiTarget
from kpi.panels import RequestKpiPanel
from qms.roles import Role
from tests.kpi.conftest import request_row

HOME = reverse("wagtailadmin_home")


def this_month_rows(unit: str, *, on_time: int, overdue: int, today) -> list[dict]:
    """Requests created on the 1st of this month; the overdue ones with a 3-day deadline, due by
    the 4th (so the test means something after the 4th of a month only)."""
    created = today.replace(day=1)
    rows = [request_row(unit_code=unit, created_at=f"{created} 08:00", first_answer_at=f"{created} 12:00",
                        satisfaction="4") for _ in range(on_time)]
    rows += [request_row(unit_code=unit, created_at=f"{created} 08:00", deadline="3", status="open",
                         first_answer_at=None) for _ in range(overdue)]
    return rows


@pytest.fixture
def month_data(make_requests, settings):
    settings.QMS_KPI_MIN_SAMPLE = 2
    KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, green=90, red=80)
    today = timezone.localdate()
    make_requests(this_month_rows("FEN", on_time=3, overdue=0, today=today)
                  + this_month_rows("PARK", on_time=1, overdue=0, today=today))
    return today


@pytest.mark.parametrize("role, shown", [(Role.MANAGEMENT_REPRESENTATIVE, True), (Role.UNIT_MANAGER, True),
                                         (Role.TOP_MANAGEMENT, True), (Role.STAFF, False), (Role.AGENT, False)])
def test_the_panel_is_shown_to_kpi_viewers(role_client, role, shown, kpi_units):
    html = role_client(role, unit="FEN").get(HOME).content.decode()
    assert ('id="kpi-summary-section"' in html) == shown
    if shown:
        assert "Bu ayın talep göstergeleri" in html and reverse("kpi:dashboard") in html


def test_the_panel_shows_the_months_figures_of_the_scope(role_client, month_data):
    response = role_client(Role.UNIT_MANAGER, unit="FEN").get(HOME)
    html = response.content.decode()
    panel = html.split('id="kpi-summary-section"')[1]
    assert "Oluşturulan başvuru" in panel and ": 3" in panel  # FEN's 3, not PARK's
    assert "%100,0" in panel and "Hedefte" in panel and "≥ %90" in panel
    assert "Zamanında cevap oranı" in panel and "Memnuniyet (ortalama 1-5)" in panel
    assert "figure=due_or_answered" in panel


def test_the_panel_runs_a_fixed_number_of_queries(rf, make_user, make_requests, kpi_units, settings):
    user = make_user(Role.UNIT_MANAGER, unit="FEN")
    request = rf.get(HOME)
    today = timezone.localdate()

    def count() -> int:
        request.user = type(user).objects.get(pk=user.pk)  # as a fresh request would
        with CaptureQueriesContext(connection) as queries:
            RequestKpiPanel().get_context_data({"request": request})
        return len(queries)

    make_requests(this_month_rows("FEN", on_time=5, overdue=5, today=today))
    first = count()
    make_requests(this_month_rows("FEN", on_time=45, overdue=45, today=today)
                  + this_month_rows("PARK", on_time=5, overdue=5, today=today))
    assert count() == first <= 7  # groups, profile, scope, 2 rollups, targets
