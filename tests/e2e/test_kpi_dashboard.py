"""The request KPI dashboard in the browser, on the demo year of requests (kpi/seed.py).

The management representative opens Göstergeler → Talep göstergeleri (this month, then the year),
checks that the charts are drawn (SVG bars with their labels, a data table under each) and that
every screen passes axe (WCAG 2.1 AA); she follows a figure to the list of the requests behind it,
whose length is the figure, and raises a DÖF from a red figure after the confirmation page. The FEN
manager then sees FEN's figures only. The database is only read, to know what the screens should
show. Screenshots: tests/artifacts/kpi-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Nonconformity, Source
from kpi.engine import Rating, dashboard
from kpi.models import Kpi
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_document_journey import screenshot, turkish

pytestmark = pytest.mark.seed_modules("qms", "kpi")

CHARTS = ("kpi-series", "kpi-unit-rate", "kpi-unit-overdue", "kpi-channel", "kpi-type")


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def open_dashboard_from_the_menu(ui) -> None:
    page = ui.page
    heading = page.locator("#wagtail-sidebar-submenu-kpi-title")
    button = page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")
    expect(button.locator(".menuitem-label")).to_have_text(turkish("Performance indicators"))
    button.click()
    link = page.locator("#wagtail-sidebar-submenu-kpi-title + ul").get_by_role(
        "link", name=turkish("Request KPIs"), exact=True)
    click_and_wait(page, link)


def check_charts(page, *, unit_bars: int = 2) -> None:
    """Every chart is an SVG whose bars have a size, with a data table under it."""
    for chart_id in CHARTS:
        figure = page.locator(f"#{chart_id}")
        expect(figure).to_be_visible()
        svg = figure.locator("svg[role=img]")
        expect(svg).to_have_count(1)
        assert svg.get_attribute("aria-label")
        box = svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 60, (chart_id, box)
        bars = figure.locator("svg rect[height]:not([fill^=url])")
        heights = [float(h) for h in bars.evaluate_all("els => els.map(e => e.getAttribute('height'))")]
        least = unit_bars if chart_id.startswith("kpi-unit") else 2
        assert sum(1 for h in heights if h > 1) >= least, (chart_id, heights)
        expect(figure.locator("details summary")).to_have_text(turkish("The figures as a table"))


def test_the_management_representative_reads_the_dashboard_follows_a_figure_and_raises_a_dof(ui):
    page = ui.page
    today = timezone.localdate()
    year_board = dashboard(period="year", anchor=today, as_of=today)

    # 1. This month, from the menu.
    ui.login("yonetim.temsilcisi")
    open_dashboard_from_the_menu(ui)
    expect(page.get_by_role("heading", name=turkish("Headline figures"))).to_be_visible()
    expect(page.locator("#id_period")).to_have_value("month")
    check_charts(page)
    assert page.locator("#kpi-series svg text").filter(has_text=re.compile(r"^%100$")).count() == 1
    ui.assert_accessible("kpi dashboard, month")
    ui.assert_no_csp_violation("kpi dashboard, month")
    screenshot(ui, "kpi-dashboard-month")

    # 2. The year: twelve months in the series, every figure of the year.
    page.locator("#id_period").select_option("year")
    click_and_wait(page, page.locator("form.kpi-filter button[type=submit]"))
    check_charts(page)
    series_rows = page.locator("#kpi-series details tbody tr")
    expect(series_rows).to_have_count(12)
    created = year_board.total.values[Kpi.CREATED]
    tile = page.locator("li.kpi-tile", has=page.get_by_role("heading", name=str(Kpi.CREATED.label)))
    expect(tile.locator(".kpi-tile__value")).to_have_text(f"{created:,}".replace(",", "."))
    ui.assert_accessible("kpi dashboard, year")
    ui.assert_no_csp_violation("kpi dashboard, year")
    screenshot(ui, "kpi-dashboard-year")

    # 3. A figure opens the requests behind it: FEN's overdue backlog, as many rows as the figure.
    fen = next(r for r in year_board.by_unit.rows if r.keys["unit_code"] == "FEN")
    overdue = fen.values[Kpi.OVERDUE_OPEN]
    assert overdue > 0
    row = page.locator("table.kpi-unit-table tbody tr", has=page.locator("th", has_text="(FEN)"))
    column = list(Kpi).index(Kpi.OVERDUE_OPEN)
    click_and_wait(page, row.locator("td").nth(column).get_by_role("link"))
    expect(page.locator(".kpi-summary")).to_contain_text(f"{overdue} başvuru")
    expect(page.locator("table.kpi-request-table tbody tr")).to_have_count(min(overdue, 50))
    expect(page.locator("table.kpi-request-table tbody")).to_contain_text("Fen İşleri")
    ui.assert_accessible("kpi requests behind a figure")
    ui.assert_no_csp_violation("kpi requests behind a figure")
    screenshot(ui, "kpi-requests")

    # 4. Back on the year, FEN's on-time rate is red: raise a DÖF from it.
    assert fen.ratings[Kpi.ON_TIME_RATE] == Rating.RED
    click_and_wait(page, page.get_by_role("link", name=turkish("Back to the dashboard")))
    page.locator("#id_period").select_option("year")
    click_and_wait(page, page.locator("form.kpi-filter button[type=submit]"))
    row = page.locator("table.kpi-unit-table tbody tr", has=page.locator("th", has_text="(FEN)"))
    column = list(Kpi).index(Kpi.ON_TIME_RATE)
    cell = row.locator("td").nth(column)
    expect(cell).to_have_class(re.compile("kpi-cell--red"))
    table = page.locator(".kpi-table-wrap", has=page.locator("table.kpi-unit-table"))
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(ARTIFACTS / "kpi-unit-table.png"))
    click_and_wait(page, cell.get_by_role("button"))
    expect(page.locator(".kpi-facts")).to_contain_text(str(Kpi.ON_TIME_RATE.label))
    expect(page.locator(".kpi-facts")).to_contain_text("Hedef dışı")
    expect(page.locator(".kpi-facts")).to_contain_text("Fen İşleri Dairesi Başkanlığı (FEN)")
    ui.assert_accessible("kpi DÖF confirmation")
    screenshot(ui, "kpi-dof-confirm")
    click_and_wait(page, page.get_by_role("button", name=turkish("Raise the DÖF")))
    nc = Nonconformity.objects.get(source=Source.KPI_BREACH)
    assert page.url.endswith(reverse("audits:nonconformity", args=[nc.pk]))
    expect(page.locator(".messages")).to_contain_text(nc.code)
    assert nc.unit.code == "FEN" and "Hedef dışı" in nc.description and "/admin/kpi/requests/?" in nc.description
    ui.assert_no_csp_violation("kpi DÖF raised")
    screenshot(ui, "kpi-dof-raised")


def test_a_unit_manager_sees_only_their_unit(ui):
    page = ui.page
    manager = get_user_model().objects.get(username="fen.muduru")
    ui.login(manager.username)
    ui.goto(reverse("kpi:dashboard") + "?period=year")
    expect(page.locator("table.kpi-unit-table tbody tr")).to_have_count(1)
    expect(page.locator("table.kpi-unit-table tbody th")).to_contain_text("(FEN)")
    options = page.locator("#id_unit option").all_inner_texts()
    assert [o for o in options if "(" in o] == ["Fen İşleri Dairesi Başkanlığı (FEN)"]
    expect(page.locator("#kpi-unit-rate svg")).to_contain_text("Fen İşleri")
    assert "Park ve Bahçeler" not in page.locator("main").inner_text()
    check_charts(page, unit_bars=1)
    ui.assert_accessible("kpi dashboard, unit manager")
    screenshot(ui, "kpi-dashboard-unit-manager")
    # Another unit's requests: refused, not listed.
    response = page.goto(ui.url(reverse("kpi:requests") + "?unit=PARK"))
    assert response.status == 404
