"""Call QA in the browser, on the demo contact centre (kpi/callqa/seed.py).

The evaluator (kalite.degerlendirici) opens Çağrı merkezi → My QA queue, opens the demo agent's call
waiting there, hears it (an audio player), scores every criterion, writes feedback and submits:
the score shown is the server's. The agent (cagri.temsilcisi) opens My evaluations, reads it and
acknowledges it. The management representative reads the contact-centre dashboard. Every screen
passes axe (WCAG 2.1 AA) and the CSP. Screenshots: tests/artifacts/callqa-*.png.
"""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from kpi.callqa.models import Acknowledgement, Criterion, Evaluation, EvaluationStatus
from tests.e2e.test_document_journey import screenshot, turkish

pytestmark = pytest.mark.seed_modules("qms", "kpi.callqa")


def menu(text: str) -> str:
    with translation.override("tr"):
        return translation.pgettext("menu", text)


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def open_from_the_menu(ui, item: str) -> None:
    page = ui.page
    heading = page.locator("#wagtail-sidebar-submenu-callqa-title")
    button = page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")
    expect(button.locator(".menuitem-label")).to_have_text(turkish("Contact centre"))
    button.click()
    link = page.locator("#wagtail-sidebar-submenu-callqa-title + ul").get_by_role("link", name=item, exact=True)
    click_and_wait(page, link)


def test_an_evaluator_scores_a_call_and_the_agent_acknowledges_it(ui):
    page = ui.page
    waiting = Evaluation.objects.select_related("agent__staff__user", "call").get(
        evaluator__username="kalite.degerlendirici", agent__staff__user__username="cagri.temsilcisi",
        status=EvaluationStatus.ASSIGNED)
    agent_name = waiting.agent.staff.user.get_full_name()

    # 1. The evaluator's queue holds the demo agent's call.
    ui.login("kalite.degerlendirici")
    open_from_the_menu(ui, menu("My QA queue"))
    row = page.locator("tr", has_text=waiting.call.call_id)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(agent_name)
    ui.assert_accessible("callqa queue")
    screenshot(ui, "callqa-queue")
    click_and_wait(page, row.get_by_role("link").first)

    # 2. The scoring page: the recording plays in the page; every criterion gets its best mark.
    audio = page.locator("audio[controls]")
    expect(audio).to_have_count(1)
    assert (audio.get_attribute("src") or audio.locator("source").get_attribute("src")).endswith("ornek-kayit.wav")
    ui.assert_accessible("callqa scoring page")
    ui.assert_no_csp_violation("callqa scoring page")
    blocks = page.locator(".cqa-criterion")
    count = blocks.count()
    assert count == Criterion.objects.filter(section__scorecard=waiting.scorecard).count()
    for index in range(count):
        block = blocks.nth(index)
        radios = block.locator("input[type=radio]:not([value=na])")
        if radios.count():  # the best mark: the highest value offered (yes = 1)
            values = radios.evaluate_all("els => els.map(e => Number(e.value))")
            block.locator(f"input[type=radio][value='{max(values)}']").check()
        else:
            select = block.locator("select")
            values = select.locator("option").evaluate_all("els => els.map(e => e.value).filter(v => /^\\d+$/.test(v))")
            select.select_option(str(max(int(v) for v in values)))
    blocks.first.locator("textarea").fill("Karşılama kalıbı eksiksiz; çağrı açılışı örnek niteliğinde.")
    page.locator("textarea[name=feedback]").fill("Çözüm odaklı, sakin ve anlaşılır bir görüşme.")
    page.locator("textarea[name=suggestions]").fill("Bilgi bankasındaki güncel duyuruları vardiya başında okuyun.")
    screenshot(ui, "callqa-scoring")
    click_and_wait(page, page.locator("button[name=action][value=submit]"))
    waiting.refresh_from_db()
    assert waiting.status == EvaluationStatus.SUBMITTED
    assert str(waiting.score) == "100.00" and not waiting.critical_failed
    expect(page.locator("main")).to_contain_text("100")
    ui.assert_accessible("callqa evaluation after submitting")
    ui.assert_no_csp_violation("callqa evaluation after submitting")
    screenshot(ui, "callqa-submitted")

    # 3. The agent reads it and acknowledges it.
    page.context.clear_cookies()
    ui.login("cagri.temsilcisi")
    open_from_the_menu(ui, menu("My evaluations"))
    row = page.locator("tr", has_text=f"{timezone.localtime(waiting.call.offered_at):%d.%m.%Y %H:%M}")
    expect(row).to_have_count(1)
    ui.assert_accessible("callqa my evaluations")
    screenshot(ui, "callqa-mine")
    click_and_wait(page, row.get_by_role("link").first)
    expect(page.locator("main")).to_contain_text("Çözüm odaklı, sakin ve anlaşılır bir görüşme.")
    ui.assert_accessible("callqa evaluation as the agent")
    with translation.override("tr"):
        acknowledge = translation.pgettext("button", "Acknowledge")
    click_and_wait(page, page.get_by_role("button", name=acknowledge))
    waiting.refresh_from_db()
    assert waiting.acknowledgement == Acknowledgement.ACKNOWLEDGED and waiting.responded_at is not None
    expect(page.locator("main")).to_contain_text(turkish("Acknowledged"))
    ui.assert_no_csp_violation("callqa acknowledged")
    screenshot(ui, "callqa-acknowledged")


def test_the_management_representative_reads_the_contact_centre_dashboard(ui):
    page = ui.page
    ui.login("yonetim.temsilcisi")
    open_from_the_menu(ui, menu("Contact-centre KPIs"))
    svgs = page.locator("main svg[role=img]")
    assert svgs.count() >= 3
    expect(page.locator("main")).to_contain_text("20 sn")  # the service-level definition is stated
    ui.assert_accessible("callqa dashboard")
    ui.assert_no_csp_violation("callqa dashboard")
    screenshot(ui, "callqa-dashboard")
