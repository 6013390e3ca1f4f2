"""The year's training plan and a training request, in the browser, by the people who own each step.

The training coordinator opens this year's plan and puts three courses into it through the add form
(one of them already held once, so the grid shows realisation); the management representative
approves it after the confirmation page; a member of staff asks for a training that is not in the
catalogue (the form first refuses a request without a reason); the coordinator finds it in the queue
and accepts it into the plan with the catalogue course that answers it, which marks the new line as
added after approval and e-mails the requester; the coordinator then reads the year's request
evaluation. Every step goes through the real UI; the database is only read to check what the steps
did (and to record the one session held before the journey starts). Each screen must pass axe and
nothing may break the CSP.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from playwright.sync_api import expect

from qms.roles import ROLES, Role
from tests.e2e.test_document_journey import log_out, screenshot, turkish
from training import services
from training.models import Course, PlanState, RequestState, Session, TrainingPlan, TrainingRequest

pytestmark = pytest.mark.seed_modules("qms")

TOPIC = "Excel ile aylık raporlama"
REASON = "Aylık şikâyet raporlarını elle hazırlıyoruz; pivot tablo ve grafik bilgisi gerekiyor."


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def month_label(month: int) -> str:
    return turkish(MONTHS[month])


def add_line(page, course: Course, month: int, sessions: int, note: str = "") -> None:
    form = page.locator("form.trp-add-line")
    form.locator("#id_course").select_option(value=str(course.pk))
    form.locator("#id_month").select_option(value=str(month))
    form.locator("#id_sessions").fill(str(sessions))
    form.locator("#id_note").fill(note)
    click_and_wait(page, form.locator("button[type=submit]"))


def test_a_plan_is_built_approved_and_takes_an_accepted_request(ui):
    page = ui.page
    today = timezone.localdate()
    year = today.year
    User = get_user_model()
    coordinator = User.objects.get(username="egitim.koordinatoru")
    mr = User.objects.get(username="yonetim.temsilcisi")
    staff = User.objects.get(username="personel")
    quality = Course.objects.create(code="EĞT-KYS", title="Kalite Yönetim Sistemi Eğitimi", is_mandatory=True,
                                    min_sessions_per_year=3, validity_months=12, duration_hours=Decimal("3"),
                                    external_trainer="Kalite Danışmanlık A.Ş.", trainer_kind="external")
    kvkk = Course.objects.create(code="EĞT-KVKK", title="KVKK ve Kişisel Verilerin Korunması", is_mandatory=True,
                                 validity_months=12, duration_hours=Decimal("2"), trainer_kind="internal",
                                 default_trainer=coordinator)
    diction = Course.objects.create(code="EĞT-İLT", title="Etkili İletişim ve Diksiyon", duration_hours=Decimal("4"),
                                    trainer_kind="internal", default_trainer=coordinator)

    # 1. The coordinator adds a course to the catalogue, opens this year's plan and adds three courses to it.
    ui.login(coordinator.username)
    ui.goto(reverse("training:course_add"))
    page.locator("#id_code").fill("EĞT-EXCEL")
    page.locator("#id_title").fill("Ofis Programları: Excel")
    page.locator("#id_description").fill("Pivot tablo, grafik ve koşullu biçimlendirme ile aylık raporlar.")
    page.locator("#id_duration_hours").fill("6")
    page.get_by_role("radio", name=turkish("Internal trainer")).check()
    page.locator("#id_default_trainer").select_option(value=str(coordinator.pk))
    page.get_by_label(ROLES[Role.STAFF].group_name, exact=True).check()
    page.get_by_label("Karşılama ve Sonuç Birimi", exact=False).first.check()
    screenshot(ui, "training-course-form")
    ui.assert_accessible("the course form")
    click_and_wait(page, page.get_by_role("button", name=turkish("Save the course")))
    excel = Course.objects.get(code="EĞT-EXCEL")
    assert excel.default_trainer == coordinator and excel.trainer_kind == "internal"
    assert [g.name for g in excel.target_roles.all()] == [ROLES[Role.STAFF].group_name]
    screenshot(ui, "training-course-page")
    ui.assert_accessible("the course page")
    ui.goto(reverse("training:plan"))
    expect(page.locator("main")).to_contain_text(turkish("There is no training plan for %(year)s.") % {"year": year})
    click_and_wait(page, page.get_by_role("button", name=turkish("Create the %(year)s plan") % {"year": year}))
    plan = TrainingPlan.objects.get(year=year)
    assert plan.state == PlanState.DRAFT
    early = max(1, today.month - 2)
    add_line(page, quality, early, 1, "Tüm personel, 1. tekrar")
    add_line(page, kvkk, today.month, 2)
    add_line(page, diction, 12, 1, "Çağrı merkezi ekibi")
    assert plan.items.count() == 3
    # The quality training of the first line was held before this journey (recorded by the session screens).
    item = plan.items.get(course=quality)
    agent = User.objects.get(username="cagri.temsilcisi")
    start = timezone.now() - timedelta(hours=3) if early == today.month else timezone.make_aware(
        datetime(year, early, 10, 10))
    session = Session.objects.create(course=quality, plan_item=item, starts_at=start,
                                     ends_at=start + timedelta(hours=3), place="Eğitim Salonu",
                                     external_trainer="Kalite Danışmanlık A.Ş.")
    services.session_invite(session=session, people=[agent, staff], user=coordinator)
    services.attendance_record(session=session, user=coordinator, marks={agent.pk: "present", staff.pk: "present"})
    services.session_finalise(session=session, user=coordinator)
    ui.goto(reverse("training:plan_year", args=[year]))
    expect(page.locator("#plan-realisation")).to_contain_text("%")
    ui.assert_accessible("the training plan (draft)")
    log_out(ui)

    # 2. The management representative approves it, after the confirmation page.
    ui.login(mr.username)
    ui.goto(reverse("training:plan_year", args=[year]))
    click_and_wait(page, page.get_by_role("link", name=turkish("Approve the plan")))
    expect(page.locator("main")).to_contain_text(str(year))
    screenshot(ui, "training-plan-approve")
    ui.assert_accessible("the plan approval confirmation")
    click_and_wait(page, page.get_by_role("button", name=turkish("Approve the %(year)s plan") % {"year": year}))
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.approved_by == mr
    expect(page.locator("main")).to_contain_text(mr.get_full_name())
    log_out(ui)

    # 3. A member of staff asks for a training that is not in the catalogue; no reason is refused first.
    ui.login(staff.username)
    ui.goto(reverse("training:request_add"))
    page.locator("#id_topic").fill(TOPIC)
    page.locator("#id_participants").fill("4")
    click_and_wait(page, page.get_by_role("button", name=turkish("Send the request")))
    expect(page.locator("main")).to_contain_text(turkish("Say why the training is needed."))
    assert not TrainingRequest.objects.exists()
    page.locator("#id_reason").fill(REASON)
    screenshot(ui, "training-request-form")
    ui.assert_accessible("the training request form")
    click_and_wait(page, page.get_by_role("button", name=turkish("Send the request")))
    request = TrainingRequest.objects.get()
    assert (request.requested_by, request.topic, request.participants, request.state) == (
        staff, TOPIC, 4, RequestState.SUBMITTED)
    assert request.unit == staff.staff_profile.unit
    expect(page.locator("main")).to_contain_text(TOPIC)
    screenshot(ui, "training-my-requests")
    ui.assert_accessible("my training requests")
    ui.assert_no_csp_violation("requesting a training")
    log_out(ui)

    # 4. The coordinator accepts it into the plan with the catalogue course that answers it.
    ui.login(coordinator.username)
    ui.goto(reverse("training:request_list"))
    expect(page.locator("main")).to_contain_text(TOPIC)
    screenshot(ui, "training-request-queue")
    ui.assert_accessible("the request queue")
    click_and_wait(page, page.locator("main").get_by_role("link", name=turkish("Decide"), exact=False).first)
    accept = page.locator("#form-accept")
    accept.locator("#id_plan").select_option(value=str(plan.pk))
    accept.locator("#id_month").select_option(value=str(12))
    accept.locator("#id_course").select_option(value=str(excel.pk))
    accept.locator("#id_note").fill("Aralık ayında iki grup halinde verilecek.")
    screenshot(ui, "training-request-decide")
    ui.assert_accessible("deciding a training request")
    click_and_wait(page, accept.get_by_role("button", name=turkish("Accept into the plan")))
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED and request.decided_by == coordinator
    assert (request.plan_item.plan, request.plan_item.month, request.plan_item.course) == (plan, 12, excel)
    assert request.plan_item.added_after_approval
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "Excel" in mail.outbox[0].body

    # The plan grid shows the four lines, the held session and the line added after approval.
    page.set_viewport_size({"width": 1440, "height": 900})
    ui.goto(reverse("training:plan_year", args=[year]))
    grid = page.locator("table.trp-grid")
    expect(grid).to_contain_text(excel.title)
    expect(grid.locator(".trp-cell__mark")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(turkish("Added after approval"))
    screenshot(ui, "training-plan-grid")
    ui.assert_accessible("the training plan (approved)")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 5. The year's evaluation of every request, on one screen.
    ui.goto(reverse("training:request_evaluation", args=[year]))
    expect(page.locator("main")).to_contain_text(TOPIC)
    expect(page.locator('[data-figure="total"]')).to_have_text("1")
    screenshot(ui, "training-request-evaluation")
    ui.assert_accessible("the yearly request evaluation")

    ui.goto(reverse("training:course_list"))
    expect(page.locator("main")).to_contain_text(quality.title)
    screenshot(ui, "training-course-catalogue")
    ui.assert_accessible("the course catalogue")
    ui.assert_no_csp_violation("building the plan and deciding a request")
