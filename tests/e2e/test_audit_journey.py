"""An internal audit from plan to a closed DÖF, in the browser, by the people who own each step.

The management representative plans the audit of the call-centre chiefdom: first with the
auditor's own unit in scope (refused on the form, nothing saved), then correctly. The internal
auditor starts it, answers its checklist on a tablet-sized screen (one question nonconforming,
with evidence) and signs the report off; the nonconforming answer has opened a DÖF for the
chiefdom. The chiefdom's manager records the root cause (5 whys), plans an action and records it
as done; the auditor, who did none of the actions, verifies the effectiveness; the management
representative closes the DÖF. Every step goes through the real UI; the database is only read
to check what the steps did. Each screen must pass axe and nothing may break the CSP.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import (
    Audit,
    AuditProgramme,
    AuditState,
    ChecklistQuestion,
    ChecklistTemplate,
    NCState,
    Nonconformity,
)
from qms.models import Clause, Unit
from tests.e2e.test_document_journey import log_out, screenshot, turkish

pytestmark = pytest.mark.seed_modules("qms")

TITLE = "ALO 153 çağrı karşılama tetkiki"
EVIDENCE = "Ekim ayında geri arama sözü verilen 12 çağrının 5'inde geri dönüş yapılmamış."
TABLET = {"width": 768, "height": 1024}


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def test_an_audit_finding_is_followed_to_a_closed_dof(ui):
    page = ui.page
    today = timezone.localdate()
    User = get_user_model()
    mr = User.objects.get(username="yonetim.temsilcisi")
    auditor = User.objects.get(username="ic.tetkikci")  # works in KYRŞ
    manager = User.objects.get(username="birim.yoneticisi")  # chief of ÇMŞ
    chiefdom = Unit.objects.get(code="ÇMŞ")
    own_unit = auditor.staff_profile.unit
    AuditProgramme.objects.create(year=today.year)
    template = ChecklistTemplate.objects.create(title="Çağrı Merkezi (ISO 18295-1)")
    clause = Clause.objects.get(standard__code="ISO 18295-1", number="4.2")
    ChecklistQuestion.objects.create(template=template, clause=clause, sort_order=0,
                                     text="Geri arama sözü verilen çağrılarda vatandaşa dönülüyor mu?")
    ChecklistQuestion.objects.create(template=template, clause=clause, sort_order=1,
                                     text="Çağrı kayıtları bir yıl saklanıyor mu?")

    # 1. The management representative plans the audit; his first try puts the auditor's unit in scope.
    ui.login(mr.username)
    ui.goto(reverse("wagtailsnippets_audits_audit:add"))
    page.locator("#id_programme").select_option(label=str(AuditProgramme.objects.get()))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_units").select_option(label=own_unit.name)
    page.locator("#id_planned_start").fill(today.strftime("%d.%m.%Y"))
    page.locator("#id_planned_end").fill(today.strftime("%d.%m.%Y"))
    page.locator("#id_lead_auditor").select_option(value=str(auditor.pk))
    page.get_by_label(template.title).check()
    click_and_wait(page, page.locator("footer").get_by_role("button", name=turkish("Save")))
    expect(page.locator("main")).to_contain_text("kendi birimini tetkik edemez")
    assert not Audit.objects.exists()
    screenshot(ui, "audit-plan-refused")
    page.locator("#id_units").select_option(label=chiefdom.name)
    click_and_wait(page, page.locator("footer").get_by_role("button", name=turkish("Save")))
    audit = Audit.objects.get(title=TITLE)
    assert audit.state == AuditState.PLANNED and list(audit.units.all()) == [chiefdom]
    page.set_viewport_size({"width": 1440, "height": 900})  # wide enough for the months × units grid
    ui.goto(reverse("audits:programme_year", args=[today.year]))
    expect(page.locator("main")).to_contain_text(audit.code)
    screenshot(ui, "audit-programme-grid")
    ui.assert_accessible("the audit programme grid")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(ui)

    # 2. The auditor starts it and answers the checklist on a tablet.
    ui.login(auditor.username)
    page.set_viewport_size(TABLET)
    ui.goto(reverse("audits:audit", args=[audit.pk]))
    click_and_wait(page, page.get_by_role("button", name="Tetkiki başlat"))
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS
    ui.goto(reverse("audits:audit_checklist", args=[audit.pk]))
    first, second = audit.answers.order_by("order")
    page.locator(f'label[for="q{first.pk}-result-nonconforming"]').click()
    page.locator(f"#q{first.pk}-evidence").fill(EVIDENCE)
    page.locator(f"#q{first.pk}-severity").select_option("minor_nc")
    page.locator(f'label[for="q{second.pk}-result-conforming"]').click()
    screenshot(ui, "audit-checklist-tablet")
    ui.assert_accessible("the checklist on a tablet")
    click_and_wait(page, page.get_by_role("button", name="Yanıtları kaydet"))
    nc = Nonconformity.objects.get(finding__audit=audit)
    assert nc.unit == chiefdom and nc.state == NCState.OPEN and nc.triaged_at is not None
    expect(page.locator("main")).to_contain_text(nc.code)
    page.set_viewport_size({"width": 1280, "height": 900})

    ui.goto(reverse("audits:audit_sign_off", args=[audit.pk]))
    page.locator("#id_summary").fill("Geri arama süreci dışında çağrı karşılama uygun bulunmuştur.")
    click_and_wait(page, page.locator('button[name="sign_off"]'))
    audit.refresh_from_db()
    assert audit.state == AuditState.REPORTED and audit.reports.count() == 1
    screenshot(ui, "audit-file-reported")
    ui.assert_accessible("the audit file")
    ui.assert_no_csp_violation("planning and performing the audit")
    log_out(ui)

    # 3. The chiefdom's manager finds the DÖF, records the root cause, plans and does the action.
    ui.login(manager.username)
    ui.goto(reverse("audits:nonconformities"))
    click_and_wait(page, page.get_by_role("link", name=nc.code))
    page.locator("#form-analyse #id_why_1").fill("Geri aranacak çağrılar listelenmiyor.")
    page.locator("#form-analyse #id_why_2").fill("Vardiya devrinde liste aktarılmıyor.")
    page.locator("#form-analyse #id_root_cause").fill("Geri arama için yazılı bir talimat yok.")
    click_and_wait(page, page.locator("#form-analyse button[type=submit]"))
    nc.refresh_from_db()
    assert nc.state == NCState.CAUSE_ANALYSED
    page.locator("#form-action_add #id_description").fill("Geri arama talimatı yazılıp ekibe eğitimi verilecek.")
    page.locator("#form-action_add #id_owner").select_option(value=str(manager.pk))
    page.locator("#form-action_add #id_due_date").fill(today.isoformat())
    click_and_wait(page, page.locator("#form-action_add button[type=submit]"))
    page.locator("#form-plan #id_effectiveness_due").fill(today.isoformat())
    click_and_wait(page, page.locator("#form-plan button[type=submit]"))
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_PLANNED
    action = nc.actions.get()
    page.locator(f"#form-complete-{action.pk} textarea").fill("TL-ÇMŞ-005 yayımlandı, 14 temsilciye eğitim verildi.")
    click_and_wait(page, page.locator(f"#form-complete-{action.pk} button[type=submit]"))
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE
    screenshot(ui, "dof-actions-done")
    ui.assert_accessible("the DÖF page (actions done)")
    # The manager did the action: no effectiveness check is offered to him.
    expect(page.locator("#form-check")).to_have_count(0)
    log_out(ui)

    # 4. The auditor verifies the effectiveness.
    ui.login(auditor.username)
    ui.goto(reverse("audits:nonconformity", args=[nc.pk]))
    page.locator("#form-check input[type=radio][value=yes]").check()
    page.locator("#form-check textarea").fill("Kasım ayındaki 20 geri arama kaydının tamamında dönüş yapılmış.")
    click_and_wait(page, page.locator("#form-check button[type=submit]"))
    nc.refresh_from_db()
    assert nc.state == NCState.VERIFIED
    log_out(ui)

    # 5. The management representative closes it.
    ui.login(mr.username)
    ui.goto(reverse("audits:nonconformity", args=[nc.pk]))
    click_and_wait(page, page.locator("#form-close button[type=submit]"))
    nc.refresh_from_db()
    assert nc.state == NCState.CLOSED and nc.closed_by == mr
    screenshot(ui, "dof-closed")
    ui.assert_accessible("the DÖF page (closed)")
    ui.assert_no_csp_violation("following the DÖF to closure")
