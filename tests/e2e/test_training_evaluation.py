"""After a training, in the browser: the participant evaluates it and downloads the certificate,
anyone checks the certificate on the public page, the manager evaluates the training's
effectiveness and the coordinator reads the results.

The session is built and finalised through training.services (the attendance screens are another
journey). An ALO 153 agent opens "My trainings", fills the evaluation form (also seen on a phone),
downloads the certificate; the public verification page, opened without signing in (desktop and
phone), confirms it; the call-centre chief fills the effectiveness evaluation; the training
coordinator sees the year's results with the agent's ratings in them. Every screen passes axe and
nothing breaks the CSP.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from qms.roles import Role
from tests.e2e.test_document_journey import log_out, make_person, screenshot, turkish
from training import services
from training.models import Certificate, Course, EffectivenessReview, Evaluation, Session
from training.queries import evaluation_results

pytestmark = pytest.mark.seed_modules("qms")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
COURSE = "Etkili İletişim ve Zor Müşteriyle Görüşme"
COMMENT = "Canlandırma örnekleri çok faydalıydı; çağrı kapanışına daha fazla zaman ayrılabilir."


def click_and_wait(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def held_training(coordinator, agent, others) -> Session:
    """A session that started two hours ago, everyone present, finalised; and an upcoming one."""
    course = Course.objects.create(code="EĞT-İLT-01", title=COURSE, duration_hours=3, is_mandatory=True,
                                   validity_months=12, external_trainer="Güneş Eğitim Danışmanlık",
                                   trainer_kind="external")
    start = timezone.now() - timedelta(hours=2)
    session = Session.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=3),
                                     place="Konak Hizmet Binası Eğitim Salonu", hours=3, capacity=20,
                                     external_trainer="Güneş Eğitim Danışmanlık")
    services.session_invite(session=session, people=[agent, *others], user=coordinator)
    services.attendance_record(session=session, user=coordinator,
                               marks={p.pk: "present" for p in [agent, *others]},
                               scores={agent.pk: (55, 85), others[0].pk: (60, 80)})
    services.session_finalise(session=session, user=coordinator)
    services.evaluation_submit(session=session, user=others[0], content=4, trainer=5, materials=3, usefulness=4,
                               comments="Salon biraz kalabalıktı.")
    upcoming_course = Course.objects.create(code="EĞT-KVKK-01", title="KVKK Farkındalık",
                                            external_trainer="Hukuk Müşavirliği", trainer_kind="external")
    later = timezone.now() + timedelta(days=9)
    upcoming = Session.objects.create(course=upcoming_course, starts_at=later, ends_at=later + timedelta(hours=2),
                                      place="Çağrı Merkezi Toplantı Salonu", hours=2,
                                      external_trainer="Hukuk Müşavirliği")
    services.session_invite(session=upcoming, people=[agent], user=coordinator)
    return session


def choose(page, name: str, value: int) -> None:
    page.locator(f'label[for="id_{name}_{value - 1}"]').click()


def test_a_participant_evaluates_downloads_and_the_certificate_is_verified(ui):
    page = ui.page
    User = get_user_model()
    coordinator = User.objects.get(username="egitim.koordinatoru")
    agent = User.objects.get(username="cagri.temsilcisi")  # Burak Öztürk, ALO 153
    manager = User.objects.get(username="birim.yoneticisi")  # chief of ÇMŞ, above ALO 153
    others = [make_person(f"temsilci{i}", Role.AGENT, "ALO153", name, "Çelik")
              for i, name in enumerate(("Şule", "Gökhan"))]
    session = held_training(coordinator, agent, others)
    certificate = Certificate.objects.get(attendance__person=agent)

    # 1. The agent finds the training on "My trainings" and opens its evaluation form.
    ui.login(agent.username)
    ui.goto(reverse("training:my_trainings"))
    main = page.locator("main")
    expect(main).to_contain_text(session.code)
    expect(main).to_contain_text("KVKK Farkındalık")  # the upcoming session
    expect(main).to_contain_text(certificate.number)
    screenshot(ui, "training-my-trainings")
    ui.assert_accessible("My trainings")

    click_and_wait(page, main.locator("table").get_by_role("link", name=turkish("Evaluate") + " " + session.code))
    expect(page.locator("legend")).to_have_count(4)
    choose(page, "content", 5)
    choose(page, "trainer", 5)
    page.set_viewport_size(PHONE)
    screenshot(ui, "training-evaluation-form-phone")
    ui.assert_accessible("the evaluation form on a phone")
    page.set_viewport_size(DESKTOP)

    # Submitting with two questions unanswered is refused, and nothing is saved.
    click_and_wait(page, page.get_by_role("button", name=turkish("Submit the evaluation")))
    expect(page.locator("main")).to_contain_text(turkish("Choose a rating from 1 to 5."))
    assert not Evaluation.objects.filter(participant=agent).exists()
    screenshot(ui, "training-evaluation-form-refused")
    ui.assert_accessible("the evaluation form with errors")
    choose(page, "materials", 3)
    choose(page, "usefulness", 4)
    page.locator("#id_comments").fill(COMMENT)
    expect(page.locator("[data-tev-progress]")).to_contain_text("4")
    click_and_wait(page, page.get_by_role("button", name=turkish("Submit the evaluation")))
    evaluation = Evaluation.objects.get(participant=agent)
    assert (evaluation.content_rating, evaluation.trainer_rating, evaluation.materials_rating,
            evaluation.usefulness_rating, evaluation.comments) == (5, 5, 3, 4, COMMENT)
    expect(page.locator("main")).to_contain_text(turkish("Evaluated"))

    # 2. The certificate downloads from the same page.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=turkish("Download (PDF)") + " " + certificate.number).click()
    pdf = download_info.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Burak Öztürk" in text and COURSE in text and certificate.number in text
    screenshot(ui, "training-my-trainings-evaluated")
    ui.assert_no_csp_violation("the participant's evaluation")
    log_out(ui)

    # 3. Anyone checks the certificate on the public page, without signing in: by typing the
    # number (in lower case, with spaces) and on the address the QR code leads to.
    ui.goto(reverse("training_public:verify"))
    ui.assert_accessible("the public verification form")
    page.locator("#verify-number").fill(f" {certificate.number.lower()} ")
    click_and_wait(page, page.get_by_role("button", name=turkish("Verify")))
    assert page.url.endswith(reverse("training_public:certificate", args=[certificate.number]))
    result = page.locator(".tev-verify__result")
    expect(result).to_contain_text(turkish("Valid certificate"))
    expect(result).to_contain_text("Burak Öztürk")
    expect(result).to_contain_text(COURSE)
    expect(result).to_contain_text(timezone.localtime(session.starts_at).strftime("%d.%m.%Y"))
    expect(page.locator("body")).not_to_contain_text("Güneş Eğitim")  # no trainer, hours or unit
    screenshot(ui, "training-verify-valid")
    ui.assert_accessible("the public verification page")
    page.set_viewport_size(PHONE)
    screenshot(ui, "training-verify-valid-phone")
    ui.assert_accessible("the public verification page on a phone")
    page.set_viewport_size(DESKTOP)
    response = ui.goto(reverse("training_public:certificate", args=["EGT-2026-AAAA-BBBB"]))
    assert response.status == 404
    expect(page.locator(".tev-verify__result")).to_contain_text(turkish("Certificate not found"))
    screenshot(ui, "training-verify-unknown")
    ui.assert_accessible("the verification page of an unknown number")
    ui.assert_no_csp_violation("the public verification page")

    # 4. The chief evaluates the training's effectiveness for the agent.
    ui.login(manager.username)
    ui.goto(reverse("training:effectiveness_queue"))
    expect(page.locator("main")).to_contain_text("Burak Öztürk")
    screenshot(ui, "training-effectiveness-queue")
    ui.assert_accessible("the effectiveness evaluations")
    review = EffectivenessReview.objects.get(attendance__person=agent)
    click_and_wait(page, page.locator(f'a[href="{reverse("training:effectiveness_form", args=[review.pk])}"]'))
    page.locator('label[for="id_rating_3"]').click()
    page.locator('label[for="id_applied_0"]').click()
    page.locator("#id_comments").fill("Zor aramalarda sakinleştirme tekniklerini uyguluyor.")
    screenshot(ui, "training-effectiveness-form")
    ui.assert_accessible("the effectiveness form")
    click_and_wait(page, page.get_by_role("button", name=turkish("Submit the effectiveness evaluation")))
    review.refresh_from_db()
    assert (review.rating, review.applied, review.submitted_by) == (4, "yes", manager)
    ui.assert_no_csp_violation("the effectiveness evaluation")
    log_out(ui)

    # 5. The coordinator reads the year's results: the agent's ratings are in, the name is not.
    ui.login(coordinator.username)
    year = timezone.localtime(session.starts_at).year
    ui.goto(reverse("training:evaluation_results"))
    assert page.url.endswith(reverse("training:evaluation_results_year", args=[year]))
    [by_session] = [g for g in evaluation_results(year) if g["key"] == session.pk]
    assert (by_session["responses"], by_session["participants"]) == (2, 3)
    row = page.locator("#by-session tr", has_text=session.code)
    expect(row.locator('data[data-field="responses"]')).to_have_text("2")
    expect(row.locator('data[data-field="response_rate"]')).to_contain_text("67")
    expect(row.locator('data[data-field="content_rating"]')).to_have_attribute(
        "value", str(by_session["averages"]["content_rating"]))
    main = page.locator("main")
    expect(main).to_contain_text(COMMENT)
    expect(main).not_to_contain_text("Burak Öztürk")
    screenshot(ui, "training-evaluation-results")
    ui.assert_accessible("the evaluation results")
    ui.goto(reverse("training:certificates"))
    expect(page.locator("main")).to_contain_text(certificate.number)
    screenshot(ui, "training-certificates")
    ui.assert_accessible("the certificate list")
    ui.assert_no_csp_violation("the coordinator's results")
