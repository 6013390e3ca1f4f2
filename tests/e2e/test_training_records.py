"""The training records an auditor asks for, in the browser, on the demo data (seed_demo).

The internal auditor opens the competence matrix from the Training menu, finds a person with the
search box, and downloads the landscape PDF; then the orientation follow-up (the new hire past the
30-day deadline first) and the training-hours report. The call centre's unit manager sees only
their units in the matrix and its unit filter, and on the dashboard the training panels: the
orientation of their new hires, their units' compliance and the effectiveness evaluations they owe.
The training coordinator's dashboard shows the plan's realisation and this month's sessions. Every
screen must pass axe and nothing may break the CSP.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_document_journey import log_out, screenshot

pytestmark = pytest.mark.seed_modules("qms", "training")

MATRIX = reverse("training:matrix")


def open_training_menu_item(ui, label: str) -> None:
    """Eğitim → <label> in the sidebar, as a person clicks it."""
    page = ui.page
    heading = page.locator("#wagtail-sidebar-submenu-training-title")
    button = page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")
    button.click()
    link = page.locator("#wagtail-sidebar-submenu-training-title + ul").get_by_role("link", name=label, exact=True)
    with page.expect_navigation(wait_until="load"):
        link.click()


def test_an_auditor_takes_the_competence_matrix_and_a_manager_sees_their_units(ui):
    page = ui.page

    # 1. The internal auditor opens the matrix from the menu.
    ui.login("ic.tetkikci")
    open_training_menu_item(ui, "Yetkinlik matrisi")
    expect(page.locator("h1")).to_contain_text("Yetkinlik matrisi")
    summary = page.locator(".training-records-lead")
    expect(summary).to_contain_text("Zorunlu eğitim uyumu")
    for heading in ("Birimlere göre zorunlu eğitim uyumu", "Eğitimlere göre zorunlu eğitim uyumu",
                    "Rollere göre zorunlu eğitimler"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    people = page.locator("#training-matrix-people tbody tr")
    total = people.count()
    assert total >= 80
    # Every state is written out, not only coloured.
    for state in ("Tamamlandı", "Süresi yakında doluyor", "Süresi doldu", "Alınmadı"):
        expect(page.locator("#training-matrix-people").get_by_text(state, exact=True).first).to_be_visible()
    screenshot(ui, "training-matrix-auditor")
    ui.assert_accessible("the competence matrix")

    # Finding a person: the server filters the people table; the summaries still count everyone.
    page.get_by_label("Kişi ara (ad veya sicil numarası)").fill("ayşegül")
    page.get_by_role("button", name="Göster", exact=True).click()
    expect(page.locator("#training-matrix-people tbody tr")).to_have_count(1)
    expect(page.locator("#training-matrix-people")).to_contain_text("Ayşegül Altın")
    expect(page.get_by_text("1 kişi gösteriliyor")).to_be_visible()

    # The landscape PDF, as the auditor keeps it.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF indir (yatay)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()
    reader = PdfReader(BytesIO(content))
    first = reader.pages[0]
    assert first.mediabox.width > first.mediabox.height
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Yetkinlik matrisi ve zorunlu eğitim uyumu" in text and "Ayşegül Altın" in text

    # 2. The orientation follow-up: the new hire past the deadline first, with the days late.
    open_training_menu_item(ui, "Oryantasyon takibi")
    overdue = page.locator("#training-orientation-overdue + table")
    expect(overdue.locator("tbody tr").first).to_contain_text("Deniz Aktaş")
    expect(overdue).to_contain_text("gün gecikti")
    expect(page.locator("#training-orientation-due + table")).to_contain_text("Cem Özkan")
    screenshot(ui, "training-orientation")
    ui.assert_accessible("the orientation follow-up")

    # 3. Training hours of the year.
    open_training_menu_item(ui, "Eğitim saatleri")
    expect(page.locator(".training-facts")).to_contain_text("Toplam eğitim saati")
    screenshot(ui, "training-hours")
    ui.assert_accessible("the training-hours report")
    ui.assert_no_csp_violation("the training records")
    log_out(ui)

    # 4. The call centre's manager: the dashboard's training panels, then their units' matrix.
    ui.login("birim.yoneticisi")
    for panel in ("#training-mine-section", "#training-orientation-section", "#training-compliance-section"):
        expect(page.locator(panel)).to_be_visible()
    expect(page.locator("#training-mine-section")).to_contain_text("Yapmanız gereken etkinlik değerlendirmeleri")
    expect(page.locator("#training-orientation-section")).to_contain_text("Deniz Aktaş")
    expect(page.locator("#training-compliance-section")).to_contain_text("Çağrı Merkezi Birimi (ALO 153)")
    expect(page.locator("#training-compliance-section")).not_to_contain_text("Karşılama ve Sonuç Birimi")
    expect(page.locator("#training-plan-section")).to_have_count(0)
    screenshot(ui, "training-dashboard-unit-manager")
    ui.assert_accessible("the unit manager's dashboard")

    ui.goto(MATRIX)
    units = page.locator("#id_unit option").all_inner_texts()
    assert any("Çağrı Merkezi Birimi" in u for u in units)
    assert not any("Karşılama ve Sonuç Birimi" in u for u in units)
    matrix = page.locator("#training-matrix-people")
    expect(matrix).to_contain_text("Ayşegül Altın")
    expect(matrix).not_to_contain_text("İbrahim Arslan")  # a KSB clerk
    alo = page.locator("#id_unit option", has_text="Çağrı Merkezi Birimi (ALO 153)").get_attribute("value")
    page.locator("#id_unit").select_option(value=alo)
    page.get_by_label("Yalnızca eksiği olanlar (süresi dolmuş ya da alınmamış eğitim)").check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Göster", exact=True).click()
    expect(page.locator(".training-records-lead")).to_contain_text("Çağrı Merkezi Birimi (ALO 153)")
    expect(page.locator("#training-matrix-people tbody tr").first).to_contain_text("Hayır")
    screenshot(ui, "training-matrix-unit-manager")
    ui.assert_accessible("the unit manager's matrix")
    ui.assert_no_csp_violation("the unit manager's training records")
    log_out(ui)

    # 5. The training coordinator's dashboard: plan realisation and this month's sessions.
    ui.login("egitim.koordinatoru")
    plan = page.locator("#training-plan-section")
    expect(plan).to_contain_text("plan gerçekleşmesi")
    expect(plan).to_contain_text("Bu ayın oturumları")
    expect(page.locator("#training-orientation-section")).to_contain_text("1")
    screenshot(ui, "training-dashboard-coordinator")
    ui.assert_accessible("the training coordinator's dashboard")
    ui.assert_no_csp_violation("the training coordinator's dashboard")
