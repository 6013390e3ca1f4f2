"""The KVKK retention screen in the browser, on the demo data (seed_demo: the call centre).

The management representative opens *Ayarlar → Kişisel verilerin saklanması*, reads each record
type's period and what is due, places a legal hold on a call (given by the telephony system's call
id) and sees it listed; an agent is refused the screen. The screen must pass axe and the CSP.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kpi.callqa.models import Call
from tests.e2e.test_document_journey import log_out, screenshot

pytestmark = pytest.mark.seed_modules("qms", "kpi.callqa")

SCREEN = reverse("operations:retention")


def test_the_management_representative_places_a_legal_hold_and_an_agent_is_refused(ui):
    page = ui.page
    call = Call.objects.order_by("offered_at").first()

    ui.login("yonetim.temsilcisi")
    settings_menu = page.locator("#wagtail-sidebar").get_by_role("button", name="Ayarlar")
    settings_menu.click()
    with page.expect_navigation(wait_until="load"):
        page.locator("#wagtail-sidebar").get_by_role("link", name="Kişisel verilerin saklanması").click()
    expect(page.locator("h1")).to_contain_text("Kişisel verilerin saklanması")
    for label in ("Çağrı kayıtları", "RETENTION_AUDIT_LOG_DAYS"):
        expect(page.get_by_text(label).first).to_be_visible()

    page.select_option("#id_record_type", "call_records")
    page.fill("#id_object_id", call.call_id)
    page.fill("#id_reason", "Tüketici hakem heyeti başvurusu")
    page.fill("#id_reference", "THH-2026/118")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Kararı koy").click()
    expect(page.get_by_text("THH-2026/118").first).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Çağrı kayıtları #")  # the type's name, not its key
    screenshot(ui, "retention-screen-management-representative")
    ui.assert_accessible("the retention screen")

    log_out(ui)
    ui.login("cagri.temsilcisi")
    response = ui.goto(SCREEN)
    assert response.status == 403
