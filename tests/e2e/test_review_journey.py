"""The management review in the browser, on the demo (qms/review/seed.py and every module's demo).

The management representative (yonetim.temsilcisi) opens this year's review in preparation from
Yönetimin Gözden Geçirmesi → Management reviews, writes the narrative of every agenda item (the
figures beside it compiled live from the modules), records who was present and the meeting date,
adds an action with an owner and a due date, and submits. The chair (sube.muduru) sees the review
watchdog on the dashboard (last year's overdue action), reads the stored pack and approves the
minutes: they are frozen and the minutes PDF opens. Every screen passes axe (WCAG 2.1 AA) and the
CSP. Screenshots: tests/artifacts/review-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from qms.review.models import AGENDA_ORDER, Review, ReviewState
from tests.e2e.test_document_journey import screenshot, turkish

pytestmark = pytest.mark.seed_modules("qms", "documents", "audits", "training", "kpi", "kpi.callqa", "qms.review")


def tr(text: str, context: str | None = None) -> str:
    with translation.override("tr"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def open_from_the_menu(ui, item: str) -> None:
    page = ui.page
    heading = page.locator("#wagtail-sidebar-submenu-review-title")
    button = page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")
    expect(button.locator(".menuitem-label")).to_have_text(turkish("Management review"))
    button.click()
    link = page.locator("#wagtail-sidebar-submenu-review-title + ul").get_by_role("link", name=item, exact=True)
    click_and_wait(page, link)


def test_the_representative_prepares_a_review_and_the_chair_approves_it(ui):
    page = ui.page
    review = Review.objects.get(state=ReviewState.PREPARATION)
    today = timezone.localdate()

    # 1. The list: last year's approved review and this year's in preparation.
    ui.login("yonetim.temsilcisi")
    open_from_the_menu(ui, tr("Management reviews"))
    expect(page.locator("tbody tr", has_text="YGG-")).to_have_count(2)
    ui.assert_accessible("review list")
    screenshot(ui, "review-list")
    click_and_wait(page, page.get_by_role("link", name=review.code, exact=False).first)

    # 2. The detail page: live figures from the modules, what still stops the submission.
    expect(page.get_by_text(tr("Live figures, compiled now"), exact=True).first).to_be_visible()
    expect(page.get_by_text(tr("The review cannot be submitted yet:"))).to_be_visible()
    ui.assert_accessible("review detail in preparation")
    ui.assert_no_csp_violation("review detail in preparation")
    screenshot(ui, "review-detail-preparation")

    # 3. A narrative for every agenda item, one after the other.
    ui.goto(f"/admin/review/{review.pk}/items/{AGENDA_ORDER[0]}/")
    ui.assert_accessible("review agenda item")
    screenshot(ui, "review-item")
    for number, kind in enumerate(AGENDA_ORDER, start=1):
        assert page.url.rstrip("/").endswith(f"/items/{kind}"), page.url
        page.locator("textarea[name=narrative]").fill(f"Madde {number}: veriler değerlendirildi; ğüşıöç İĞÜŞÖÇ.")
        last = number == len(AGENDA_ORDER)
        button = tr("Save") if last else tr("Save and go to the next item")
        click_and_wait(page, page.get_by_role("button", name=button, exact=True))

    # 4. The meeting: held today, the chair and the representative present.
    ui.goto(f"/admin/review/{review.pk}/edit/")
    page.locator("#id_held_on").fill(today.isoformat())
    for name in ("Mehmet Kaya", "Ayşe Yıldırım"):
        page.get_by_label(f"{name}: {tr('present')}", exact=True).check()
    ui.assert_accessible("review meeting and attendees")
    screenshot(ui, "review-attendees")
    click_and_wait(page, page.get_by_role("button", name=tr("Save"), exact=True))

    # 5. An action with its owner and due date.
    ui.goto(f"/admin/review/{review.pk}/actions/new/")
    page.locator("#id_text").fill("Hizmet düzeyi hedefini yeni vardiya planına göre yeniden belirlemek.")
    page.locator("#id_owner").select_option(label="Gülşen Aydın")
    page.locator("#id_due").fill((today + dt.timedelta(days=60)).isoformat())
    ui.assert_accessible("review action form")
    click_and_wait(page, page.get_by_role("button", name=tr("Save"), exact=True))

    # 6. Nothing stops it now: submit; the figures are stored.
    ready = tr("Everything needed is there: the review can be submitted to the chair.")
    expect(page.get_by_text(ready)).to_be_visible()
    click_and_wait(page, page.get_by_role("button", name=tr("Submit for approval")))
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert all(item.pack is not None for item in review.items.all())
    screenshot(ui, "review-submitted")
    page.context.clear_cookies()

    # 7. The chair's dashboard: the watchdog names last year's overdue action; then the chair reads
    #    the stored pack and approves.
    ui.login("sube.muduru")
    panel = page.locator("#review-watchdog-section")
    expect(panel).to_contain_text(tr("See the overdue actions"))
    ui.assert_accessible("dashboard with the review watchdog")
    panel.scroll_into_view_if_needed()
    screenshot(ui, "review-dashboard")
    ui.goto(f"/admin/review/{review.pk}/")
    expect(page.get_by_role("button", name=tr("Approve minutes"))).to_be_visible()
    ui.assert_accessible("review detail for the chair")
    screenshot(ui, "review-chair")
    click_and_wait(page, page.get_by_role("button", name=tr("Approve minutes")))
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED and review.approved_by.username == "sube.muduru"
    expect(page.get_by_role("button", name=tr("Approve minutes"))).to_have_count(0)
    expect(page.get_by_role("link", name=tr("Write the narrative"))).to_have_count(0)
    ui.assert_accessible("approved minutes")
    screenshot(ui, "review-approved")

    # 8. The minutes PDF opens for the chair.
    response = page.request.get(ui.url(f"/admin/review/{review.pk}/minutes.pdf"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
