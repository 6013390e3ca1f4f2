"""Wagtail's script-driven admin widgets work under our CSP (no inline script anywhere).

Wagtail starts its date pickers, chooser widgets and inline panels from inline <script> elements;
our CSP blocks those. templates/wagtailadmin/ (and qms/admin_csp.py for the choosers) leave inert
markers instead, and qms/static/qms/js/admin.js starts the widgets. These tests use each kind
the way a person does, including a form added later to an InlinePanel (the MutationObserver path).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from qms.models import StaffProfile, Unit

# Only the core's demo data: these screens do not show any module's records (faster seeding).
pytestmark = pytest.mark.seed_modules("qms")


def test_date_picker_on_the_staff_form(ui):
    page = ui.page
    ui.login("yonetim.temsilcisi")
    profile = StaffProfile.objects.get(user__username="personel")
    ui.goto(reverse("wagtailsnippets_qms_staffprofile:edit", args=[profile.pk]))
    date_input = page.locator("#id_hire_date")
    expect(date_input).to_have_value("01.03.2019")
    expect(page.locator('template[data-qms-init="date-chooser"][data-qms-target="id_hire_date"]')).to_have_attribute(
        "data-qms-initialised", "true"
    )
    ui.screenshot("staff-edit")
    ui.assert_accessible("the staff edit form")

    # The picker opens on the Turkish calendar (month names from Wagtail's Turkish catalogue).
    date_input.click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_have_count(1)
    expect(picker.locator(".xdsoft_month")).to_contain_text("Mart")
    ui.screenshot("staff-edit-date-picker")
    picker.locator('td.xdsoft_date[data-date="15"]:not(.xdsoft_other_month)').click()
    expect(date_input).to_have_value("15.03.2019")
    ui.assert_no_csp_violation("the staff edit form")


def test_parent_unit_chooser_on_the_unit_form(ui):
    page = ui.page
    ui.login("yonetim.temsilcisi")
    unit = Unit.objects.get(code="KSB")
    ui.goto(reverse("wagtailsnippets_qms_unit:edit", args=[unit.pk]))
    chooser = page.locator("#id_parent-chooser")
    expect(chooser.locator(".chooser__title")).to_have_text("Çözüm Merkezi Şefliği")

    chooser.locator(".w-dropdown__toggle").click()
    page.locator("[data-chooser-action-choose]:visible").first.click()
    modal = page.locator(".modal-content")
    target = Unit.objects.get(code="HİŞM")  # on the modal's first page of results
    expect(modal.locator("table")).to_contain_text(target.name)
    ui.screenshot("unit-parent-chooser")
    modal.get_by_role("link", name=target.name, exact=True).click()
    expect(modal).to_be_hidden()
    expect(chooser.locator(".chooser__title")).to_have_text(target.name)
    expect(page.locator("#id_parent")).to_have_value(str(target.pk))
    ui.assert_no_csp_violation("the unit form's parent chooser")


def test_inline_panel_adds_a_form_with_a_working_chooser(ui):
    """The workflow editor is Wagtail's own InlinePanel (of task choosers): the admin's case."""
    from wagtail.models import Workflow

    page = ui.page
    get_user_model().objects.filter(username="admin").update(is_superuser=True)
    ui.login("admin")
    workflow = Workflow.objects.first()
    ui.goto(reverse("wagtailadmin_workflows:edit", args=[workflow.pk]))
    forms = page.locator("#id_workflow_tasks-FORMS > [data-inline-panel-child]")
    expect(forms).to_have_count(workflow.workflow_tasks.count())
    expect(page.locator('template[data-qms-init="inline-panel"]')).to_have_attribute("data-qms-initialised", "true")

    page.locator("#id_workflow_tasks-ADD").click()  # only works if InlinePanel was started
    expect(forms).to_have_count(workflow.workflow_tasks.count() + 1)
    new_form = forms.last
    # The task chooser inside the added form was started by the MutationObserver.
    expect(new_form.locator('template[data-qms-init="task-chooser"]')).to_have_attribute("data-qms-initialised", "true")
    ui.screenshot("workflow-edit")
    new_form.locator("[data-chooser-action-choose]:visible").click()
    expect(page.locator(".modal-content")).to_contain_text(workflow.tasks.first().name)
    ui.assert_no_csp_violation("the workflow editor")


def test_page_editor(ui):
    """The home page (rich text field) and a portal page (StreamField with rich text blocks)."""
    from qms.models import HomePage, StandardPage

    page = ui.page
    ui.login("yonetim.temsilcisi")
    for name, portal_page in (("page-edit", HomePage.objects.get()), ("page-edit-stream", StandardPage.objects.get())):
        ui.goto(reverse("wagtailadmin_pages:edit", args=[portal_page.pk]))
        expect(page.locator("#id_title")).to_have_value(portal_page.title)
        expect(page.locator(".public-DraftEditor-content").first).to_be_visible()
        ui.screenshot(name)
        ui.assert_accessible(f"the page editor ({portal_page.title})")
        ui.assert_no_csp_violation(f"the page editor ({portal_page.title})")
