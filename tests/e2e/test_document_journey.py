"""One controlled document from draft to in force, in the browser, by the people who do it.

The author (manager of the Karşılama ve Sonuç Birimi) writes a procedure in the register's editor
(StreamField: a heading and a Draftail paragraph), saves a draft, which gets its code, and submits
it to the approval workflow; the Approve action is not offered to them. The manager of the unit
above reviews it from the dashboard's "Awaiting your review" panel (approve with a comment), the
management representative approves the second step from the editor, and a member of the unit
finds revision 00 in the library and opens it. Every step goes through the real UI; the database
is only read, to check what the steps did. The register list, the editor, the library and the
document page must pass axe, and nothing may break the Content Security Policy.

tests/conftest.py's `org` and `make_user` cannot be used here: `seed_demo` (the `seeded` fixture)
has already made the organisation, with the same unit codes. The people are made in the test,
with the demo password, in the seeded units.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from documents.models import Document, DocumentKind, today
from documents.viewsets import DocumentViewSet
from documents.wagtail_hooks import documents_menu, library_menu_item
from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role
from tests.e2e.conftest import SETTLE

# The journey makes its own document; the module's demo register is not needed (faster seeding).
pytestmark = pytest.mark.seed_modules("qms")

MENU_NAME = "controlled-documents"  # documents.wagtail_hooks.documents_menu
TITLE = "Şikâyetlerin Çözüm Süreci Prosedürü"
HEADING = "Amaç"
PARAGRAPH = "Şikâyetler en geç 3 iş günü içinde yanıtlanır; çözülemeyenler ilgili birime iletilir."
CHANGE_SUMMARY = "İlk yayın: şikâyet çözüm süreci tanımlandı."
REVIEW_COMMENT = "İnceledim, uygundur."


def turkish(text) -> str:
    """A msgid as the Turkish admin shows it (ours from our catalogue, Wagtail's from Wagtail's)."""
    with translation.override("tr"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def label_of(field_name: str) -> str:
    return capfirst(turkish(Document._meta.get_field(field_name).verbose_name))


def tab_label(index: int) -> str:
    """The editor's tabs: 0 register facts, 1 content, 2 revision (documents.viewsets)."""
    return turkish(DocumentViewSet.edit_handler.children[index].heading)


def block_label(name: str) -> str:
    return turkish(Document._meta.get_field("body").stream_block.child_blocks[name].label)


def make_person(username: str, role: Role, unit_code: str, first_name: str, last_name: str):
    user = get_user_model().objects.create_user(
        username=username, password=settings.QMS_DEMO_PASSWORD, first_name=first_name, last_name=last_name,
        email=f"{username}@example.org",
    )
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    StaffProfile.objects.create(user=user, unit=Unit.objects.get(code=unit_code), title="Memur")
    return user


def screenshot(ui, name: str):
    """ui.screenshot of the whole page: the admin scrolls inside <main>, so Playwright's full-page
    shot stops at the window; make the window as tall as the page for the picture."""
    page = ui.page
    page.evaluate(SETTLE)  # messages slide in, dropdowns fade in: the picture shows them at rest
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(
        document.documentElement.scrollHeight, document.querySelector("main")?.scrollHeight || 0)""")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 4000)})
    try:
        return ui.screenshot(name)
    finally:
        page.set_viewport_size(size)


def open_documents_menu_item(ui, label: str) -> None:
    """Dokümanlar → <label> in the sidebar, as a person clicks it."""
    page = ui.page
    heading = page.locator(f"#wagtail-sidebar-submenu-{MENU_NAME}-title")
    button = page.locator("#wagtail-sidebar li.sidebar-sub-menu-item", has=heading).locator(":scope > button")
    expect(button.locator(".menuitem-label")).to_have_text(turkish(documents_menu().label))
    button.click()
    link = page.locator(f"#wagtail-sidebar-submenu-{MENU_NAME}-title + ul").get_by_role("link", name=label, exact=True)
    with page.expect_navigation(wait_until="load"):
        link.click()


def log_out(ui) -> None:
    """The account menu's "Log out", at the foot of the sidebar."""
    page = ui.page
    page.locator("#wagtail-sidebar .sidebar-footer__account").click()
    with page.expect_navigation(wait_until="load"):
        page.locator("#wagtail-sidebar").get_by_role("button", name=turkish("Log out")).click()
    expect(page.locator("#id_username")).to_be_visible()


def open_action_menu(page):
    """The editor's footer: the dropdown next to "Save draft" with the workflow actions."""
    page.locator("footer").get_by_role("button", name=turkish("More actions")).click()
    menu = page.locator("footer .w-dropdown__content")
    expect(menu).to_be_visible()
    return menu


# Wagtail's editor takes a snapshot of the form two seconds after it opens (w-unsaved); a change after
# it is autosaved about a second later. Edits made before the snapshot are not noticed at all.
FORM_WATCHED = """() => {
    const form = document.querySelector("[data-edit-form]");
    const unsaved = form && window.wagtail?.app?.getControllerForElementAndIdentifier(form, "w-unsaved");
    return Boolean(unsaved && unsaved.initialFormData);
}"""


def wait_until_autosaved(page) -> None:
    expect(page.locator("#w-autosave-indicator")).to_have_attribute("data-w-autosave-state-value", "saved")


def test_a_procedure_goes_from_draft_to_in_force(ui):
    page = ui.page
    unit = Unit.objects.get(code="KSB")
    assert unit.parent.code == "ÇÖZM"
    author = make_person("e2e.yazar", Role.UNIT_MANAGER, "KSB", "Aylin", "Şener")
    reviewer = make_person("e2e.inceleyen", Role.UNIT_MANAGER, "ÇÖZM", "Oğuz", "Çakır")
    approver = make_person("e2e.onaylayan", Role.MANAGEMENT_REPRESENTATIVE, "KYRŞ", "Gülay", "Işık")
    reader = make_person("e2e.okuyucu", Role.STAFF, "KSB", "Şule", "Ağaoğlu")
    procedure = turkish(DocumentKind.PROCEDURE.label)

    # 1. The author writes the procedure: Dokümanlar → Kayıt → add.
    ui.login(author.username)
    open_documents_menu_item(ui, turkish(DocumentViewSet.menu_label))
    assert page.url == ui.url(reverse("wagtailsnippets_documents_document:list"))
    with page.expect_navigation(wait_until="load"):
        page.locator(f'header a[href="{reverse("wagtailsnippets_documents_document:add")}"]').click()
    page.wait_for_function(FORM_WATCHED)

    page.get_by_role("textbox", name=label_of("title")).fill(TITLE)
    page.get_by_role("combobox", name=label_of("doc_type")).select_option(label=procedure)
    page.get_by_role("combobox", name=label_of("unit")).select_option(label=unit.name)  # only own units offered

    page.get_by_role("tab", name=tab_label(1)).click()
    body = page.locator('[data-contentpath="body"]')
    body.locator("button.c-sf-add-button").first.click()
    page.get_by_role("option", name=block_label("heading"), exact=True).click()
    body.get_by_role("textbox", name=block_label("heading")).fill(HEADING)
    body.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name=block_label("paragraph"), exact=True).click()
    body.locator(".public-DraftEditor-content").click()
    page.keyboard.type(PARAGRAPH)
    # Draftail writes its hidden input a moment after the typing stops; a save before that loses the text.
    expect(body.locator('input[name="body-1-value"]')).to_have_value(re.compile(re.escape(PARAGRAPH[-20:])))
    # No autosave while creating (it would create the document, and spend a code, before "Save draft").
    expect(page.locator("#w-autosave-indicator")).to_have_count(0)

    with page.expect_navigation(wait_until="load"):
        page.locator("footer").get_by_role("button", name=turkish("Save draft")).click()
    created = list(Document.objects.filter(title=TITLE).values_list("code", "created_by__username"))
    assert len(created) == 1, f"one Save draft, one document: {created}"
    document = Document.objects.get(title=TITLE)
    assert document.created_by == author
    assert re.fullmatch(r"PR-KSB-\d{3}", document.code), document.code
    assert page.url == ui.url(reverse("wagtailsnippets_documents_document:edit", args=[document.pk]))
    expect(page.locator(".messages .success")).to_contain_text(document.code)
    expect(page.get_by_role("heading", name=f"{document.code} {TITLE}", exact=True)).to_be_visible()
    assert not document.live and document.current_workflow_state is None
    page.get_by_role("tab", name=tab_label(1)).click()
    expect(body.get_by_role("textbox", name=block_label("heading"))).to_have_value(HEADING)
    expect(body.locator(".public-DraftEditor-content")).to_have_text(PARAGRAPH)
    screenshot(ui, "document-draft")
    ui.assert_accessible("the document editor (draft)")

    # The change summary (Revision tab), then submit to the approval workflow.
    page.wait_for_function(FORM_WATCHED)
    page.get_by_role("tab", name=tab_label(2)).click()
    page.get_by_role("textbox", name=label_of("change_summary")).fill(CHANGE_SUMMARY)
    wait_until_autosaved(page)  # before the form is sent, so that the two do not cross
    workflow = document.get_workflow()
    submit_label = turkish("Submit to %(workflow_name)s") % {"workflow_name": workflow.name}
    menu = open_action_menu(page)
    expect(menu.get_by_role("button", name=turkish("Approve"))).to_have_count(0)
    screenshot(ui, "document-submit-menu")
    with page.expect_navigation(wait_until="load"):
        menu.get_by_role("button", name=submit_label, exact=True).click()
    assert page.url == ui.url(reverse("wagtailsnippets_documents_document:list"))
    expect(page.locator(".messages .success")).to_contain_text(document.code)
    document.refresh_from_db()
    assert document.current_workflow_task.name == "Birim yöneticisi incelemesi"
    row = page.get_by_role("row").filter(has_text=document.code)
    expect(row).to_contain_text(turkish("In review"))
    screenshot(ui, "document-submitted")
    ui.assert_accessible("the register list")

    # 2. The author is offered no Approve action: not in the editor, not on the dashboard.
    with page.expect_navigation(wait_until="load"):
        row.get_by_role("link", name=TITLE, exact=True).click()  # the title column links to the editor
    menu = open_action_menu(page)
    cancel = turkish("Cancel workflow ").strip()  # Wagtail's msgid ends in a space
    expect(menu.get_by_role("button", name=cancel)).to_be_visible()
    expect(menu.get_by_role("button", name=turkish("Approve"))).to_have_count(0)
    expect(menu.get_by_role("button", name=turkish("Approve with comment"))).to_have_count(0)
    screenshot(ui, "document-author-in-review")
    ui.goto(reverse("wagtailadmin_home"))
    # The dashboard's row actions sit in closed dropdowns: count the hidden buttons too.
    expect(page.get_by_role("button", name=turkish("Approve"), include_hidden=True)).to_have_count(0)
    ui.assert_no_csp_violation("the author's steps")
    log_out(ui)

    # 3. The manager of the unit above reviews it from the dashboard, with a comment.
    ui.login(reviewer.username)
    panel = page.get_by_role("region", name=turkish("Awaiting your review"))
    row = panel.get_by_role("row").filter(has_text=document.code)
    expect(row).to_contain_text(TITLE)
    # The same markup as the author's dashboard, where no such button was found even hidden.
    expect(row.get_by_role("button", name=turkish("Approve"), include_hidden=True)).to_have_count(2)
    row.get_by_role("button", name=turkish("Actions")).click()
    row.get_by_role("button", name=turkish("Approve with comment"), exact=True).click()
    modal = page.locator(".modal-content")
    modal.get_by_role("textbox", name=turkish("Comment")).fill(REVIEW_COMMENT)
    screenshot(ui, "document-review-modal")
    with page.expect_navigation(wait_until="load"):
        modal.get_by_role("button", name=turkish("Approve with comment"), exact=True).click()
    page.wait_for_load_state("networkidle")
    document.refresh_from_db()
    assert document.current_workflow_task.name == "Yönetim temsilcisi onayı"
    assert not document.live
    expect(page.get_by_role("region", name=turkish("Awaiting your review")).get_by_role("row").filter(
        has_text=document.code)).to_have_count(0)
    screenshot(ui, "document-reviewed")
    ui.assert_no_csp_violation("the reviewer's steps")
    log_out(ui)

    # 4. The management representative approves the second step from the editor.
    ui.login(approver.username)
    open_documents_menu_item(ui, turkish(DocumentViewSet.menu_label))
    row = page.get_by_role("row").filter(has_text=document.code)
    with page.expect_navigation(wait_until="load"):
        row.get_by_role("link", name=TITLE, exact=True).click()  # the title column links to the editor
    menu = open_action_menu(page)
    approve_label = turkish("%(label)s and Publish") % {"label": turkish("Approve")}
    screenshot(ui, "document-approve-menu")
    with page.expect_navigation(wait_until="load"):
        menu.get_by_role("button", name=approve_label, exact=True).click()
    expect(page.locator(".messages .success")).to_contain_text(document.code)
    document.refresh_from_db()
    assert document.live and document.current_workflow_state is None
    revision = document.approved_revisions.get()
    assert (revision.label, revision.author, revision.reviewer, revision.approver) == ("00", author, reviewer, approver)
    assert revision.change_summary == CHANGE_SUMMARY
    effective = revision.effective_date
    assert effective == today()
    row = page.get_by_role("row").filter(has_text=document.code)
    expect(row).to_contain_text(turkish("In force"))
    screenshot(ui, "document-approved")
    ui.assert_no_csp_violation("the approver's steps")
    log_out(ui)

    # 5. A member of the unit finds it in the library (Dokümanlar → Kütüphane) and reads it.
    ui.login(reader.username)
    open_documents_menu_item(ui, turkish(library_menu_item().label))
    assert page.url == ui.url(reverse("documents:library"))
    search = page.get_by_role("search")
    search.get_by_role("textbox", name=turkish("Search")).fill("sikayetlerin cozum")  # folded: no Turkish letters
    with page.expect_navigation(wait_until="load"):
        search.get_by_role("button", name=turkish("Search")).click()
    row = page.get_by_role("row").filter(has_text=document.code)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text(unit.name)
    expect(row).to_contain_text(effective.strftime("%d.%m.%Y"))
    screenshot(ui, "document-library")
    ui.assert_accessible("the document library")

    with page.expect_navigation(wait_until="load"):
        row.get_by_role("link", name=TITLE).click()
    assert page.url == ui.url(reverse("documents:read", args=[document.pk]))
    facts = page.locator("dl.qms-facts")

    def fact(label: str):
        return facts.locator("div").filter(has=page.locator("dt", has_text=re.compile(f"^{re.escape(label)}$")))

    expect(fact(turkish("Code")).locator("dd")).to_have_text(document.code)
    expect(fact(turkish("Revision")).locator("dd")).to_have_text(re.compile(r"^00\b"))
    expect(fact(turkish("Effective date")).locator("dd")).to_have_text(effective.strftime("%d.%m.%Y"))
    expect(fact(turkish("Owning unit")).locator("dd")).to_have_text(unit.name)
    article = page.get_by_role("article")
    expect(article.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(article.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(article).to_contain_text(PARAGRAPH)
    expect(page.get_by_role("link", name=turkish("Controlled copy (PDF)"))).to_be_visible()
    screenshot(ui, "document-read")
    ui.assert_accessible("the document page")
    ui.assert_no_csp_violation("the reader's steps")
