"""QR self check-in: the code rotates every step and an old one is refused after two steps (a
photo shared later does not work); check-in is open from shortly before the start to the end;
only people on the list check in; the participant's phone page says which; the coordinator's
screen shows the current code as an SVG QR code and the list filling, and confirms."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from qms.roles import Role
from training import services
from training.models import Attendance
from training.qr import qr_svg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A fixed moment, at the start of a code step (so "two steps later" is unambiguous).
STEP = settings.QMS_TRAINING_CHECKIN_STEP_SECONDS
_raw = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Istanbul"))
NOW = datetime.fromtimestamp(int(_raw.timestamp()) // STEP * STEP, tz=ZoneInfo("Europe/Istanbul"))


@pytest.fixture
def running(listed_session):
    """A session that started ten minutes before NOW and runs two hours."""
    return listed_session(start=NOW - timedelta(minutes=10))


@pytest.fixture
def fixed_now(monkeypatch):
    """Make timezone.now() answer NOW + `offset` (views call the services without a time)."""

    def set_offset(seconds: int = 0):
        monkeypatch.setattr("django.utils.timezone.now", lambda: NOW + timedelta(seconds=seconds))

    set_offset()
    return set_offset


def test_the_code_changes_every_step_and_is_the_same_within_a_step(running):
    code = services.checkin_code(running, NOW)
    assert services.checkin_code(running, NOW + timedelta(seconds=STEP - 1)) == code
    assert services.checkin_code(running, NOW + timedelta(seconds=STEP)) != code
    assert len(code) == 12


def test_a_code_is_accepted_during_its_step_and_the_next_but_refused_after_two_steps(running, trainees):
    code = services.checkin_code(running, NOW)
    with pytest.raises(ValidationError, match="expired"):
        services.self_check_in(session=running, user=trainees[0], code=code, at=NOW + timedelta(seconds=2 * STEP))
    assert Attendance.objects.get(session=running, person=trainees[0]).self_checked_in_at is None
    row = services.self_check_in(session=running, user=trainees[0], code=code, at=NOW + timedelta(seconds=STEP + 5))
    assert row.self_checked_in_at == NOW + timedelta(seconds=STEP + 5) and row.status == "present"
    assert not row.confirmed


def test_another_sessions_code_is_refused(running, listed_session, trainees):
    other = listed_session(start=NOW - timedelta(minutes=10))
    with pytest.raises(ValidationError, match="expired"):
        services.self_check_in(session=running, user=trainees[0], code=services.checkin_code(other, NOW), at=NOW)


def test_check_in_opens_shortly_before_the_start_and_closes_at_the_end(listed_session, trainees):
    opens = settings.QMS_TRAINING_CHECKIN_OPENS_MINUTES
    session = listed_session(start=NOW + timedelta(minutes=opens + 1), hours_long=1)
    with pytest.raises(ValidationError, match="only during the session"):
        services.self_check_in(session=session, user=trainees[0], code=services.checkin_code(session, NOW), at=NOW)
    later = session.starts_at - timedelta(minutes=opens - 1)
    services.self_check_in(session=session, user=trainees[0], code=services.checkin_code(session, later), at=later)
    after = session.ends_at + timedelta(seconds=1)
    with pytest.raises(ValidationError, match="only during the session"):
        services.self_check_in(session=session, user=trainees[1], code=services.checkin_code(session, after),
                               at=after)


def test_someone_not_on_the_list_is_refused(running, make_user):
    stranger = make_user(Role.STAFF, unit="KSB")
    with pytest.raises(ValidationError, match="not on this session's list"):
        services.self_check_in(session=running, user=stranger, code=services.checkin_code(running, NOW), at=NOW)
    assert not Attendance.objects.filter(person=stranger).exists()


# --- the participant's phone ------------------------------------------------------------------


def _link(session, code) -> str:
    return reverse("training:checkin", args=[session.pk, code])


def test_the_phone_page_checks_in_and_says_so(client, running, trainees, fixed_now):
    client.force_login(trainees[0])
    response = client.get(_link(running, services.checkin_code(running, NOW)))
    assert response.status_code == 200 and response.context["ok"]
    html = response.content.decode()
    assert running.course.title in html and running.code in html
    assert 'name="viewport"' in html
    row = Attendance.objects.get(session=running, person=trainees[0])
    assert row.self_checked_in_at == NOW
    fixed_now(40)
    again = client.get(_link(running, services.checkin_code(running, NOW + timedelta(seconds=40))))
    assert again.context["ok"]
    row.refresh_from_db()
    assert row.self_checked_in_at == NOW  # the first check-in stands


def test_the_phone_page_refuses_a_code_two_steps_old(client, running, trainees, fixed_now):
    code = services.checkin_code(running, NOW)
    fixed_now(2 * STEP + 1)
    client.force_login(trainees[0])
    response = client.get(_link(running, code))
    assert response.status_code == 200 and not response.context["ok"]
    assert "checkin-result__box--refused" in response.content.decode()
    assert Attendance.objects.get(session=running, person=trainees[0]).self_checked_in_at is None


def test_the_phone_page_refuses_outside_the_window_and_off_the_list(client, listed_session, trainees, make_user,
                                                                     fixed_now):
    early = listed_session(start=NOW + timedelta(hours=3))
    client.force_login(trainees[0])
    response = client.get(_link(early, services.checkin_code(early, NOW)))
    assert not response.context["ok"] and response.context["refusal"]
    running = listed_session(start=NOW - timedelta(minutes=5))
    client.force_login(make_user(Role.STAFF, unit="KSB"))
    response = client.get(_link(running, services.checkin_code(running, NOW)))
    assert not response.context["ok"]


def test_a_finalised_session_refuses_check_in(client, running, trainees, coordinator, fixed_now):
    services.attendance_record(session=running, user=coordinator, marks={p.pk: "absent" for p in trainees})
    services.session_finalise(session=running, user=coordinator)
    client.force_login(trainees[0])
    response = client.get(_link(running, services.checkin_code(running, NOW)))
    assert not response.context["ok"]
    assert Attendance.objects.get(session=running, person=trainees[0]).status == "absent"


def test_the_link_sends_a_signed_out_phone_to_the_login_and_back(client, running):
    link = _link(running, services.checkin_code(running, NOW))
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login")) and "next=" in response["Location"]


def test_an_unknown_session_is_404(client, trainees):
    client.force_login(trainees[0])
    assert client.get(reverse("training:checkin", args=[999999, "abcdef123456"])).status_code == 404


# --- the coordinator's check-in screen ---------------------------------------------------------------


def test_the_screen_shows_the_current_codes_qr_and_link(client, coordinator, running, fixed_now):
    client.force_login(coordinator)
    response = client.get(reverse("training:session_checkin", args=[running.pk]))
    assert response.status_code == 200
    code = services.checkin_code(running, NOW)
    html = response.content.decode()
    assert f"http://testserver{_link(running, code)}" in html
    assert reverse("training:session_checkin_qr", args=[running.pk]) in html
    assert "<script>" not in html.split("</head>")[1]


def test_the_state_follows_the_rotation_and_lists_who_checked_in(client, coordinator, running, trainees,
                                                                 fixed_now):
    services.self_check_in(session=running, user=trainees[1], code=services.checkin_code(running, NOW), at=NOW)
    client.force_login(coordinator)
    url = reverse("training:session_checkin_state", args=[running.pk])
    first = client.get(url).json()
    assert first["code"] == services.checkin_code(running, NOW) and first["open"] is True
    assert first["checked_in"] == 1 and first["unconfirmed"] == 1 and first["listed"] == 3
    assert trainees[1].get_full_name() in first["html"] and trainees[0].get_full_name() not in first["html"]
    assert first["url"].endswith(_link(running, first["code"]))
    fixed_now(STEP)
    second = client.get(url).json()
    assert second["code"] != first["code"] and second["qr_url"].endswith(f"?v={second['code']}")


def test_the_qr_code_is_an_svg_of_the_current_link(client, coordinator, running, fixed_now):
    client.force_login(coordinator)
    response = client.get(reverse("training:session_checkin_qr", args=[running.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert "no-store" in response["Cache-Control"]
    svg = response.content.decode()
    assert "<svg" in svg and f"<desc>http://testserver{_link(running, services.checkin_code(running, NOW))}</desc>" \
        in svg
    assert svg.count("<rect") > 100  # the modules of the code


def test_qr_svg_is_a_square_of_the_asked_size_with_its_title():
    svg = qr_svg("https://portal.example.org/admin/training/checkin/1/abc/", size=300, title="Yoklama & kod")
    assert 'width="300" height="300"' in svg and "<title>Yoklama &amp; kod</title>" in svg


def test_the_coordinator_confirms_one_check_in_or_all(client, coordinator, running, trainees, fixed_now):
    code = services.checkin_code(running, NOW)
    for person in trainees[:2]:
        services.self_check_in(session=running, user=person, code=code, at=NOW)
    client.force_login(coordinator)
    url = reverse("training:session_checkin_confirm", args=[running.pk])
    response = client.post(url, {"person": trainees[0].pk}, HTTP_ACCEPT="application/json")
    assert response.json() == {"confirmed": 1}
    assert Attendance.objects.get(session=running, person=trainees[0]).confirmed
    assert not Attendance.objects.get(session=running, person=trainees[1]).confirmed
    response = client.post(url)
    assert response.status_code == 302
    assert Attendance.objects.get(session=running, person=trainees[1]).confirmed
    assert Attendance.objects.get(session=running, person=trainees[2]).status == "pending"


def test_only_the_coordinator_sees_the_screen_and_confirms(client, cast, running, trainees, fixed_now):
    services.self_check_in(session=running, user=trainees[0], code=services.checkin_code(running, NOW), at=NOW)
    client.force_login(cast["auditor"])
    assert client.get(reverse("training:session_checkin", args=[running.pk])).status_code == 403
    assert client.get(reverse("training:session_checkin_state", args=[running.pk])).status_code == 403
    assert client.post(reverse("training:session_checkin_confirm", args=[running.pk])).status_code == 403
    assert not Attendance.objects.get(session=running, person=trainees[0]).confirmed
    client.force_login(trainees[0])
    assert client.get(reverse("training:session_checkin_qr", args=[running.pk])).status_code == 403


def test_confirm_all_leaves_a_check_in_the_coordinator_marked_absent(client, coordinator, running, trainees,
                                                                     fixed_now):
    code = services.checkin_code(running, NOW)
    for person in trainees[:2]:
        services.self_check_in(session=running, user=person, code=code, at=NOW)
    services.attendance_record(session=running, user=coordinator, marks={trainees[1].pk: "absent"})
    client.force_login(coordinator)
    client.post(reverse("training:session_checkin_confirm", args=[running.pk]))
    assert Attendance.objects.get(session=running, person=trainees[0]).confirmed
    assert Attendance.objects.get(session=running, person=trainees[1]).status == "absent"
