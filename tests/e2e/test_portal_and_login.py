"""Sign-in, the staff portal, the 404 page and the unit register in a real browser.

Every page visited must pass axe (no serious or critical WCAG 2.1 A/AA violation) and must run
under the Content Security Policy without a single violation or JavaScript error.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from qms.models import HomePage, OrganisationSettings, StandardPage, Unit
from qms.seed import QUALITY_POLICY

# Only the core's demo data: these screens do not show any module's records (faster seeding).
pytestmark = pytest.mark.seed_modules("qms")


def turkish(text) -> str:
    with translation.override("tr"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def test_login_page_is_accessible_and_runs_under_the_csp(ui):
    response = ui.goto(reverse("wagtailadmin_login"))
    assert response.status == 200
    page = ui.page
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#id_password")).to_have_attribute("type", "password")
    expect(page.locator('label[for="id_password"]')).to_contain_text(turkish("Password"))
    expect(page.locator("form.login-form button[type=submit]")).to_contain_text(turkish("Sign in"))
    # Branded with the department (templates/wagtailadmin/login.html), not "Sign in to Wagtail".
    department = OrganisationSettings.load().department_name
    expect(page.locator("main h1")).to_contain_text(department)
    assert page.title().endswith(department), page.title()
    ui.screenshot("login")
    ui.assert_accessible("the login page")
    ui.assert_no_csp_violation("the login page")


def test_wrong_credentials_get_one_generic_message(ui):
    """Whether the user name exists or only the password is wrong, the answer is the same."""
    page = ui.page
    messages = {}
    for case, username in (("wrong password", "yonetim.temsilcisi"), ("unknown user", "boyle.biri.yok")):
        ui.login(username, "Yanlis.parola.123")
        assert page.url.startswith(ui.url(reverse("wagtailadmin_login"))), f"{case}: signed in?"
        error = page.locator(".messages li.error")
        expect(error).to_have_count(1)
        messages[case] = error.inner_text().strip()
        assert username not in messages[case]
        expect(page.locator("#id_password")).to_have_value("")
    assert messages["wrong password"], "no error message shown"
    assert messages["wrong password"] == messages["unknown user"], messages
    ui.screenshot("login-error")
    ui.assert_accessible("the login page with an error")
    ui.assert_no_csp_violation("the login page with an error")


def test_portal_home_shows_the_quality_policy(ui):
    page = ui.page
    ui.login("personel", next_path="/")
    assert page.url == ui.url("/")
    home = HomePage.objects.get()
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.locator("h1")).to_have_text(home.title)
    policy = page.locator("section[aria-labelledby=policy-heading]")
    expect(policy.locator("h2")).to_have_text(turkish("Quality policy"))
    # The first and last sentences of the seeded policy, as the browser renders them.
    first_words = re.sub(r"<[^>]+>", "", QUALITY_POLICY).split(";")[0]
    expect(policy).to_contain_text(first_words)
    expect(policy).to_contain_text("taahhüt ederiz")
    ui.screenshot("portal-home")
    ui.assert_accessible("the portal home page")

    # A portal page below it, reached through the home page's list of pages.
    child = StandardPage.objects.get(slug="kalite-hedefleri")
    page.locator("section[aria-labelledby=pages-heading]").get_by_role("link", name=child.title).click()
    page.wait_for_url(ui.url(child.url))
    expect(page.locator("h1")).to_have_text(child.title)
    expect(page.locator("main")).to_contain_text("ALO 153")
    ui.screenshot("portal-page")
    ui.assert_accessible("a portal page")
    ui.assert_no_csp_violation("the portal pages")


def test_unknown_address_shows_the_portals_own_404_page(ui):
    response = ui.goto("/boyle-bir-sayfa-yok/")
    assert response.status == 404
    page = ui.page
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(turkish("Page not found"))
    expect(page.locator("main").locator('a[href="/"]')).to_be_visible()
    ui.screenshot("404")
    ui.assert_accessible("the 404 page")
    ui.assert_no_csp_violation("the 404 page")


def test_unit_register_and_edit_form(ui):
    from qms.wagtail_hooks import OrganisationGroup, UnitViewSet

    page = ui.page
    ui.login("yonetim.temsilcisi")

    # The Organisation menu leads to the unit list.
    heading = page.locator("#wagtail-sidebar-submenu-organisation-title")
    menu = page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")
    expect(menu).to_contain_text(turkish(OrganisationGroup.menu_label))
    menu.click()
    heading.locator("+ ul").get_by_role("link", name=turkish(UnitViewSet.menu_label)).click()
    page.wait_for_url(ui.url(reverse("wagtailsnippets_qms_unit:list")))
    listing = page.locator("main table")
    expect(listing).to_contain_text("Halkla İlişkiler Şube Müdürlüğü")
    expect(listing).to_contain_text("Karşılama ve Sonuç Birimi")
    ui.screenshot("units")
    ui.assert_accessible("the unit list")
    ui.assert_no_csp_violation("the unit list")

    # The edit form of one unit, opened from the list.
    unit = Unit.objects.get(code="KSB")
    edit_url = reverse("wagtailsnippets_qms_unit:edit", args=[unit.pk])
    listing.locator(f'a[href="{edit_url}"]').first.click()
    page.wait_for_url(ui.url(edit_url))
    expect(page.locator("#id_name")).to_have_value(unit.name)
    expect(page.locator("#id_code")).to_have_value(unit.code)
    ui.screenshot("unit-edit")
    ui.assert_accessible("the unit edit form")
    ui.assert_no_csp_violation("the unit edit form")
