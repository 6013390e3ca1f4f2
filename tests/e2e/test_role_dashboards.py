"""Each role's demo user signs in and sees a Turkish dashboard whose menu follows the role table.

The expected menu is built from `qms.roles` (capability → menu entries), so a change to the role
table changes what this test expects. tests/qms/test_admin_menus.py checks the same rule on the
server's sidebar data; this test checks what a person really sees (submenus opened), that the
page is accessible (axe: no serious or critical WCAG violation) and that the Content Security
Policy blocks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from qms.roles import ROLES
from qms.seed import DEMO_USERS

USERNAME_OF_ROLE = {role: username for username, _first, _last, role, _unit, _title in DEMO_USERS}


def turkish(text) -> str:
    """A msgid as the Turkish admin shows it (ours from our catalogue, Wagtail's from Wagtail's)."""
    with translation.override("tr"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


@dataclass(frozen=True)
class MenuEntry:
    """What one capability shows in the sidebar.

    `submenu` is the Wagtail menu name of a top-level submenu (its panel heading has the id
    `wagtail-sidebar-submenu-<name>-title`); `href` is a link inside it. `submenu_label` and
    `label` are the texts the person reads. `explorer` is the page explorer ("Sayfalar").
    """

    label: str
    submenu: str | None = None
    submenu_label: str | None = None
    href: str | None = None
    explorer: bool = False


def menu_of_capability() -> dict[str, list[MenuEntry]]:
    from qms.models import OrganisationSettings
    from qms.wagtail_hooks import OrganisationGroup, StaffProfileViewSet, UnitViewSet

    organisation = turkish(OrganisationGroup.menu_label)
    settings_menu = turkish("Settings")
    return {
        "organisation.view": [
            MenuEntry(
                label=turkish(UnitViewSet.menu_label),
                submenu="organisation",
                submenu_label=organisation,
                href=reverse("wagtailsnippets_qms_unit:list"),
            )
        ],
        "staff.view": [
            MenuEntry(
                label=turkish(StaffProfileViewSet.menu_label),
                submenu="organisation",
                submenu_label=organisation,
                href=reverse("wagtailsnippets_qms_staffprofile:list"),
            )
        ],
        "audit.view": [
            MenuEntry(
                label=turkish("Site history"),
                submenu="reports",
                submenu_label=turkish("Reports"),
                href=reverse("wagtailadmin_reports:site_history"),
            )
        ],
        "portal.edit": [MenuEntry(label=turkish("Pages"), explorer=True)],
        "users.manage": [
            MenuEntry(
                label=turkish("Users"),
                submenu="settings",
                submenu_label=settings_menu,
                href=reverse("wagtailusers_users:index"),
            )
        ],
        "settings.manage": [
            MenuEntry(
                label=capfirst(turkish(OrganisationSettings._meta.verbose_name)),
                submenu="settings",
                submenu_label=settings_menu,
                href=reverse("wagtailsettings:edit", args=["qms", "organisationsettings"]),
            )
        ],
    }


def test_every_role_has_a_demo_user():
    assert set(USERNAME_OF_ROLE) == set(ROLES)


def test_the_admin_speaks_turkish():
    """The page checks below compare with these texts: they must really be Turkish, not msgids."""
    from qms.wagtail_hooks import OrganisationGroup, StaffProfileViewSet, UnitViewSet

    assert turkish("Dashboard") == "Kontrol paneli"
    assert turkish("Help") == "Yardım"
    ours = [
        turkish(label)
        for label in (OrganisationGroup.menu_label, UnitViewSet.menu_label, StaffProfileViewSet.menu_label)
    ]
    assert ours == ["Organizasyon", "Birimler", "Personel"], "compile the catalogue: make compile-messages"


def submenu_button(page, name: str):
    heading = page.locator(f"#wagtail-sidebar-submenu-{name}-title")
    return page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")


def test_role_dashboards(ui_factory, subtests):
    """Every role's demo user, each in a browser of their own, on one seeded database (seeding
    every module once instead of once per role: the dashboards only read it). Each role is its
    own subtest: one role's failure does not hide another's."""
    for role in ROLES:
        with subtests.test(msg=USERNAME_OF_ROLE.get(role, str(role))):
            ui = ui_factory()
            try:
                check_role_dashboard(ui, role)
            finally:
                ui.close()


def check_role_dashboard(ui, role):
    username = USERNAME_OF_ROLE[role]
    page = ui.page
    ui.login(username)

    # Landed on the Turkish dashboard.
    assert page.url == ui.url(reverse("wagtailadmin_home"))
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    assert page.title().startswith(turkish("Dashboard")), page.title()
    sidebar = page.locator("#wagtail-sidebar")
    expect(submenu_button(page, "help").locator(".menuitem-label")).to_have_text(turkish("Help"))
    ui.screenshot(f"dashboard-{username}")
    ui.assert_accessible(f"the dashboard of {username}")

    # The menu: what the role's capabilities show is there, what they do not is absent.
    capabilities = set(ROLES[role].capabilities)
    expected = menu_of_capability()
    shown = [entry for key, entries in expected.items() if key in capabilities for entry in entries]
    hidden = [entry for key, entries in expected.items() if key not in capabilities for entry in entries]
    hidden = [entry for entry in hidden if entry not in shown]

    explorer = sidebar.locator("li.sidebar-page-explorer-item")
    for entry in shown:
        if entry.explorer:
            expect(explorer.locator(".menuitem-label")).to_have_text(entry.label)
            continue
        button = submenu_button(page, entry.submenu)
        expect(button.locator(".menuitem-label")).to_have_text(entry.submenu_label)
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        link = sidebar.locator(f'#wagtail-sidebar-submenu-{entry.submenu}-title + ul a[href="{entry.href}"]')
        expect(link).to_be_visible()
        expect(link.locator(".menuitem-label")).to_have_text(entry.label)
        button.click()  # close it again before the next submenu
        expect(button).to_have_attribute("aria-expanded", "false")
        # Wagtail hides a closed submenu after its transition; reopening it before then leaves it
        # open but hidden (the pending hide still runs), so wait until it is really closed.
        expect(link).to_be_hidden()
    for entry in hidden:
        if entry.explorer:
            expect(explorer).to_have_count(0)
        else:
            expect(sidebar.locator(f'a[href="{entry.href}"]')).to_have_count(0)

    ui.assert_no_csp_violation(f"the dashboard of {username}")
