"""A 60-person training session recorded by the training coordinator in under a minute of clicking.

The coordinator opens the check-in screen (the rotating QR code); one participant scans it on
her phone, signs in and is checked in, and her name appears on the screen. On a tablet the
coordinator then opens the attendance screen, presses "All present", marks three people absent
and two excused, adds a walk-in found by name, saves, and finalises the session. The test
times the clicking from the attendance screen to the finalised session, and checks what the
database holds afterwards. Every screen must pass axe and nothing may break the CSP.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role
from tests.e2e.conftest import ARTIFACTS, SETTLE, UI
from tests.e2e.test_document_journey import screenshot
from training import services
from training.models import Attendance, Certificate, Course, Session, SessionState

pytestmark = pytest.mark.seed_modules("qms")

PEOPLE = 60
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FIRST_NAMES = ["Ahmet", "Ayşe", "Mehmet", "Fatma", "Mustafa", "Emine", "Ali", "Hatice", "Hüseyin", "Zeynep",
               "İbrahim", "Elif", "Hasan", "Şule", "Osman", "Gülay", "Yusuf", "Özlem", "Murat", "Çiğdem"]
LAST_NAMES = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan",
              "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özdemir", "Şimşek", "Polat", "Erdoğan"]


class Stopwatch:
    """Time spent clicking, leaving out the pauses for screenshots and accessibility checks."""

    def __init__(self):
        self.total = 0.0
        self.since = None

    def run(self):
        self.since = time.monotonic()

    def stop(self) -> float:
        if self.since is not None:
            self.total += time.monotonic() - self.since
            self.since = None
        return self.total

    @contextmanager
    def paused(self):
        self.stop()
        try:
            yield
        finally:
            self.run()


def view_shot(ui, name: str) -> None:
    """What the screen shows now (a 60-row page is too long for a whole-page picture)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ui.page.evaluate(SETTLE)
    ui.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def make_trainees(count: int) -> list:
    """`count` agents of ALO 153, created in bulk (the test measures recording, not creating)."""
    User = get_user_model()
    unit = Unit.objects.get(code="ALO153")
    users = User.objects.bulk_create([
        User(username=f"katilimci{i:02d}", first_name=FIRST_NAMES[i % 20],
             last_name=f"{LAST_NAMES[(i * 7) % 20]}{'' if i < 20 else ' ' + 'ABC'[i // 20]}",
             email=f"katilimci{i:02d}@example.org", password="!")
        for i in range(count)
    ])
    users = list(User.objects.filter(username__startswith="katilimci").order_by("username"))
    StaffProfile.objects.bulk_create([
        StaffProfile(user=u, unit=unit, title="Çağrı Merkezi Temsilcisi", registry_no=f"7{i:04d}")
        for i, u in enumerate(users)
    ])
    group = Group.objects.get(name=ROLES[Role.AGENT].group_name)
    User.groups.through.objects.bulk_create([User.groups.through(user=u, group=group) for u in users])
    return users


def test_a_sixty_person_session_is_recorded_in_under_a_minute(ui, browser, axe_source, axe_log):
    page = ui.page
    User = get_user_model()
    coordinator = User.objects.get(username="egitim.koordinatoru")
    trainees = make_trainees(PEOPLE)
    phone_user = trainees[4]
    phone_user.set_password(settings.QMS_DEMO_PASSWORD)
    phone_user.save()
    walk_in = User.objects.create_user(username="gul.konuk", password="x", first_name="Gül", last_name="Konuk")
    StaffProfile.objects.create(user=walk_in, unit=Unit.objects.get(code="KSB"), title="Memur", registry_no="80001")
    course = Course.objects.create(code="KYS-01", title="Kalite Yönetim Sistemi Bilgilendirme Eğitimi",
                                   external_trainer="Kalite Akademi", is_mandatory=True, min_sessions_per_year=3)
    now = timezone.now()
    session = Session.objects.create(course=course, starts_at=now - timedelta(minutes=20),
                                     ends_at=now + timedelta(minutes=100), place="Çağrı Merkezi Eğitim Salonu",
                                     external_trainer="Kalite Akademi", hours=2, capacity=PEOPLE + 5)
    services.session_invite(session=session, people=trainees, user=coordinator)
    absent, excused = trainees[10:13], trainees[20:22]

    # 0. The coordinator's planning screens: the list, a new session, an invitation preview.
    ui.login(coordinator.username)
    page.set_viewport_size(DESKTOP)
    ui.goto(reverse("training:session_list"))
    expect(page.locator("main")).to_contain_text(session.code)
    screenshot(ui, "training-session-list")
    ui.assert_accessible("the session list")
    ui.goto(reverse("training:session_add") + f"?course={course.pk}")
    expect(page.locator("#id_hours")).to_have_value("1.0")
    screenshot(ui, "training-session-form")
    ui.assert_accessible("the session form")
    ui.goto(reverse("training:session_invite", args=[session.pk]))
    page.locator("#id_units").select_option(value=str(Unit.objects.get(code="KSB").pk))
    click_and_wait(page, page.get_by_role("button", name="Önizle"))
    expect(page.locator("main")).to_contain_text("Gül Konuk")
    screenshot(ui, "training-session-invite-preview")
    ui.assert_accessible("the invitation preview")
    assert session.attendances.count() == PEOPLE
    ui.goto(reverse("training:session_detail", args=[session.pk]))
    screenshot(ui, "training-session-planned")
    ui.assert_accessible("the planned session's page")
    ui.goto(reverse("training:session_import", args=[session.pk]))
    screenshot(ui, "training-attendance-import")
    ui.assert_accessible("the attendance import")

    # 1. The coordinator puts the check-in screen on the projector.
    ui.goto(reverse("training:session_checkin", args=[session.pk]))
    qr = page.locator("img[data-checkin-qr]")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    link = page.locator("[data-checkin-url]").inner_text().strip()
    assert f"/admin/training/checkin/{session.pk}/" in link

    # 2. A participant scans it: her phone is not signed in, so she signs in and comes back.
    phone_context = browser.new_context(locale="tr-TR", timezone_id="Europe/Istanbul", viewport=PHONE,
                                        is_mobile=True, has_touch=True, device_scale_factor=2)
    phone_page = phone_context.new_page()
    phone = UI(page=phone_page, base_url=ui.base_url, axe_source=axe_source, axe_log=axe_log)
    phone_page.on("console", lambda m: "Content Security Policy" in m.text and phone.csp_violations.append(m.text))
    try:
        phone_page.goto(link, wait_until="load")
        expect(phone_page.locator("#id_username")).to_be_visible()
        phone_page.fill("#id_username", phone_user.username)
        phone_page.fill("#id_password", settings.QMS_DEMO_PASSWORD)
        with phone_page.expect_navigation(wait_until="load"):
            phone_page.click("form.login-form button[type=submit]")
        expect(phone_page.locator(".checkin-result__box--ok")).to_contain_text("Yoklamaya katıldınız")
        expect(phone_page.locator(".checkin-result__box--ok")).to_contain_text(course.title)
        screenshot(phone, "training-checkin-phone")
        phone.assert_accessible("the participant's phone after check-in")
        old_code = services.checkin_code(session, timezone.now() - timedelta(
            seconds=2 * settings.QMS_TRAINING_CHECKIN_STEP_SECONDS))
        phone.goto(reverse("training:checkin", args=[session.pk, old_code]))
        expect(phone_page.locator(".checkin-result__box--refused")).to_be_visible()
        screenshot(phone, "training-checkin-phone-expired")
        phone.assert_accessible("the participant's phone with an expired code")
        assert not phone.csp_violations, phone.csp_violations
    finally:
        phone_context.close()
    row = Attendance.objects.get(session=session, person=phone_user)
    assert row.self_checked_in_at is not None and not row.confirmed

    # 3. Her name appears on the check-in screen within a poll or two.
    expect(page.locator("[data-checkin-list]")).to_contain_text(phone_user.get_full_name(), timeout=10_000)
    screenshot(ui, "training-checkin-screen")
    ui.assert_accessible("the check-in screen")

    # 4. On a tablet: all present, three absent, two excused, one walk-in, save, finalise; timed.
    page.set_viewport_size(TABLET)
    ui.goto(reverse("training:session_attendance", args=[session.pk]))
    expect(page.locator("[data-row]")).to_have_count(PEOPLE)
    ui.assert_accessible("the attendance screen on a tablet")
    clock = Stopwatch()
    clock.run()
    page.get_by_role("button", name="Hepsi katıldı").click()
    expect(page.locator('[data-count="present"]')).to_have_text(str(PEOPLE))
    for person in absent:
        page.locator(f'label[for="s{person.pk}-absent"]').click()
    for person in excused:
        page.locator(f'label[for="s{person.pk}-excused"]').click()
    with clock.paused():
        page.locator(f"#row-{absent[0].pk}").scroll_into_view_if_needed()
        view_shot(ui, "training-attendance-tablet")
    search = page.get_by_label("Ad, sicil numarası ya da kullanıcı adıyla arayın")
    search.fill("konuk")
    result = page.locator("[data-walkin-results] button", has_text="Gül Konuk")
    expect(result).to_be_visible()
    with clock.paused():
        result.scroll_into_view_if_needed()
        view_shot(ui, "training-attendance-walk-in-search")
    result.click()
    expect(page.locator(f'[data-row][data-pid="{walk_in.pk}"]')).to_be_visible()
    expect(page.locator(f"#s{walk_in.pk}-present")).to_be_checked()
    expect(page.locator('[data-count="present"]').first).to_have_text(str(PEOPLE - 5 + 1))
    expect(page.locator('[data-count="absent"]')).to_have_text("3")
    expect(page.locator('[data-count="excused"]')).to_have_text("2")
    with clock.paused():
        view_shot(ui, "training-attendance-walk-in-added")
        ui.assert_accessible("the attendance screen, marked, on a tablet")
    click_and_wait(page, page.get_by_role("button", name="Yoklamayı kaydet"))
    expect(page.locator(".messages")).to_contain_text("Yoklama kaydedildi: 56 katıldı, 3 katılmadı, 2 mazeretli")
    with clock.paused():
        page.set_viewport_size(DESKTOP)
        view_shot(ui, "training-attendance-desktop")
        ui.assert_accessible("the attendance screen on a desktop")
        page.set_viewport_size(TABLET)
    click_and_wait(page, page.get_by_role("link", name="Oturumu kesinleştir"))
    with clock.paused():
        screenshot(ui, "training-session-finalise-confirm")
        ui.assert_accessible("the finalise confirmation")
    click_and_wait(page, page.get_by_role("button", name="Oturumu kesinleştir"))
    expect(page.locator(".messages")).to_contain_text("kesinleştirildi")
    elapsed = clock.stop()
    assert elapsed < 60, f"recording 60 people took {elapsed:.1f} s of clicking"

    # What the database holds: one save, one finalise.
    session.refresh_from_db()
    assert session.state == SessionState.FINALISED
    statuses = dict(session.attendances.values_list("person_id", "status"))
    assert len(statuses) == PEOPLE + 1
    assert {statuses[p.pk] for p in absent} == {"absent"} and {statuses[p.pk] for p in excused} == {"excused"}
    assert sum(1 for s in statuses.values() if s == "present") == 56
    assert Attendance.objects.get(session=session, person=walk_in).invited is False
    assert Attendance.objects.get(session=session, person=phone_user).confirmed
    assert Certificate.objects.filter(attendance__session=session).count() == 56
    page.set_viewport_size(DESKTOP)
    screenshot(ui, "training-session-finalised")
    ui.assert_accessible("the finalised session's page")

    # 5. The locked screen on a desktop, with a correction form per row.
    ui.goto(reverse("training:session_attendance", args=[session.pk]))
    expect(page.locator('input[type="radio"]')).to_have_count(0)
    row = page.locator(f"#row-{absent[0].pk}")
    row.locator("summary").click()
    row.scroll_into_view_if_needed()
    view_shot(ui, "training-attendance-desktop-locked")
    ui.assert_accessible("the locked attendance screen")
    ui.assert_no_csp_violation("recording a session's attendance")
    print(f"\nrecording {PEOPLE} people: {elapsed:.1f} s of clicking")
