"""THE attendance screen: one form, one POST. Every status, walk-ins (searched or typed),
"all present" without JavaScript, self check-ins confirmed by saving; every refusal saves
nothing and shows the entered values again; finalising locks the screen and a correction with a
reason is logged and revokes or issues the certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from qms.roles import Role
from training import services
from training.models import Attendance, AttendanceCorrection, Certificate, SessionState

pytestmark = pytest.mark.django_db


def _url(session) -> str:
    return reverse("training:session_attendance", args=[session.pk])


def _statuses(session) -> dict[int, str]:
    return dict(session.attendances.values_list("person_id", "status"))


@pytest.fixture
def screen(client, coordinator):
    client.force_login(coordinator)
    return client


def test_the_screen_has_a_fieldset_with_three_choices_per_person(screen, listed_session, trainees):
    session = listed_session()
    response = screen.get(_url(session))
    html = response.content.decode()
    assert response.status_code == 200
    rows_html = html.split('<template id="walk-in-row-template">')[0]
    assert rows_html.count('class="attendance-person"') == 3
    for person in trainees:
        for value in ("present", "absent", "excused"):
            assert f'id="s{person.pk}-{value}" name="status-{person.pk}" value="{value}"' in html
        assert f'<legend class="attendance-person__name" data-name>{person.get_full_name()}</legend>' in html
    assert 'name="action" value="all_present"' in html and 'name="action" value="save"' in html
    assert 'src="/static/training/sessions.js"' in html or "training/sessions.js" in html
    assert "<script>" not in html.split("</head>")[1] and 'style="' not in html.split('<main')[1]


def test_saving_records_every_status_and_the_scores_in_one_post(screen, listed_session, trainees, coordinator):
    session = listed_session()
    a, b, c = trainees
    response = screen.post(_url(session), {
        "action": "save", f"status-{a.pk}": "present", f"status-{b.pk}": "absent", f"status-{c.pk}": "excused",
        f"pre-{a.pk}": "40", f"post-{a.pk}": "85", f"pre-{b.pk}": "", f"post-{b.pk}": "",
    })
    assert response.status_code == 302 and response["Location"] == _url(session)
    rows = {r.person_id: r for r in session.attendances.all()}
    assert rows[a.pk].status == "present" and rows[a.pk].confirmed and rows[a.pk].recorded_by == coordinator
    assert rows[b.pk].status == "absent" and rows[c.pk].status == "excused"
    assert (rows[a.pk].pre_test_score, rows[a.pk].post_test_score) == (40, 85)
    assert ModelLogEntry.objects.filter(object_id=str(session.pk), action="training.attendance").exists()
    followed = screen.get(_url(session)).content.decode()
    assert "Yoklama kaydedildi: 1 katıldı, 1 katılmadı, 1 mazeretli, 0 işaretlenmedi." in followed


def test_a_row_left_unmarked_stays_not_recorded(screen, listed_session, trainees):
    session = listed_session()
    screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "present"})
    assert _statuses(session) == {trainees[0].pk: "present", trainees[1].pk: "pending", trainees[2].pk: "pending"}


def test_all_present_without_javascript_marks_every_row_and_saves_nothing(screen, listed_session, trainees):
    session = listed_session()
    response = screen.post(_url(session), {"action": "all_present", f"pre-{trainees[0].pk}": "55",
                                           f"post-{trainees[0].pk}": ""})
    assert response.status_code == 200
    assert all(row["status"] == "present" for row in response.context["rows"])
    html = response.content.decode()
    for person in trainees:
        assert f'name="status-{person.pk}" value="present" checked' in html
    assert 'value="55"' in html
    assert set(_statuses(session).values()) == {"pending"}


def test_a_walk_in_found_by_search_is_added_uninvited_and_recorded(screen, listed_session, trainees, make_user):
    session = listed_session()
    guest = make_user(Role.STAFF, unit="KSB", first_name="Gül", last_name="Konuk")
    marks = {f"status-{p.pk}": "present" for p in trainees}
    response = screen.post(_url(session), {"action": "save", "walk_in": str(guest.pk), f"status-{guest.pk}": "present",
                                           **marks})
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, person=guest)
    assert row.invited is False and row.status == "present" and row.confirmed


def test_a_walk_in_typed_by_registry_number_without_javascript(screen, listed_session, make_user):
    from qms.models import StaffProfile

    session = listed_session()
    guest = make_user(Role.STAFF, unit="KSB", first_name="Gül", last_name="Konuk")
    StaffProfile.objects.filter(user=guest).update(registry_no="55501")
    response = screen.post(_url(session), {"action": "save", "walk_in_lookup": "55501"})
    assert response.status_code == 302
    assert Attendance.objects.get(session=session, person=guest).status == "present"


def test_a_walk_in_typed_by_full_name_in_another_case(screen, listed_session, make_user):
    session = listed_session()
    guest = make_user(Role.STAFF, unit="KSB", first_name="İsmail", last_name="Işıl")
    screen.post(_url(session), {"action": "save", "walk_in_lookup": "ismail ışıl"})
    assert Attendance.objects.filter(session=session, person=guest, invited=False).exists()


def test_an_unknown_typed_walk_in_saves_nothing_and_keeps_the_marks(screen, listed_session, trainees):
    session = listed_session()
    response = screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "absent",
                                           "walk_in_lookup": "99999"})
    assert response.status_code == 200
    assert response.context["errors"] and "99999" in " ".join(response.context["errors"])
    assert response.context["walk_in_lookup"] == "99999"
    assert f'name="status-{trainees[0].pk}" value="absent" checked' in response.content.decode()
    assert set(_statuses(session).values()) == {"pending"}


def test_a_mark_for_someone_not_on_the_list_without_the_walk_in_step_saves_nothing(screen, listed_session, trainees,
                                                                                    make_user):
    session = listed_session()
    outsider = make_user(Role.STAFF, unit="KSB", first_name="Dışarıdan", last_name="Gelen")
    response = screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "present",
                                           f"status-{outsider.pk}": "present"})
    assert response.status_code == 200
    errors = " ".join(response.context["errors"])
    assert "Dışarıdan Gelen" in errors
    assert "Hiçbir şey kaydedilmedi." in response.content.decode()
    assert set(_statuses(session).values()) == {"pending"}
    assert not Attendance.objects.filter(person=outsider).exists()


def test_a_walk_in_beyond_the_capacity_saves_nothing(screen, listed_session, trainees, make_user):
    session = listed_session(capacity=3)
    guest = make_user(Role.STAFF, unit="KSB")
    response = screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "present",
                                           "walk_in": str(guest.pk), f"status-{guest.pk}": "present"})
    assert response.status_code == 200
    assert "3" in " ".join(response.context["errors"])
    assert set(_statuses(session).values()) == {"pending"} and session.attendances.count() == 3
    # The walk-in stays on the screen with its mark, so raising the capacity and saving again works.
    assert any(row["pid"] == guest.pk and row["new"] for row in response.context["rows"])


def test_an_unknown_status_saves_nothing(screen, listed_session, trainees):
    session = listed_session()
    response = screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "present",
                                           f"status-{trainees[1].pk}": "maybe"})
    assert response.status_code == 200 and "maybe" in " ".join(response.context["errors"])
    assert set(_statuses(session).values()) == {"pending"}


def test_a_bad_test_score_is_shown_on_its_row_and_saves_nothing(screen, listed_session, trainees):
    session = listed_session()
    response = screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "present",
                                           f"pre-{trainees[0].pk}": "120", f"post-{trainees[0].pk}": "80"})
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["pid"] == trainees[0].pk)
    assert row["errors"] and row["pre"] == "120" and row["post"] == "80"
    assert set(_statuses(session).values()) == {"pending"}


def test_a_self_check_in_shows_a_badge_and_saving_it_present_confirms_it(screen, listed_session, trainees):
    session = listed_session()
    services.self_check_in(session=session, user=trainees[0], code=services.checkin_code(session))
    html = screen.get(_url(session)).content.decode()
    assert "session-tag--checkin" in html
    row = Attendance.objects.get(session=session, person=trainees[0])
    assert row.status == "present" and not row.confirmed
    screen.post(_url(session), {"action": "save", f"status-{trainees[0].pk}": "present"})
    row.refresh_from_db()
    assert row.confirmed


def test_finalising_asks_first_then_locks_and_issues_certificates(screen, listed_session, trainees):
    session = listed_session()
    url = reverse("training:session_finalise", args=[session.pk])
    page = screen.get(url)
    assert page.status_code == 200 and page.context["pending"] == 3
    response = screen.post(url)
    assert response.status_code == 200 and response.context["errors"]
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED
    screen.post(_url(session), {"action": "save", **{f"status-{p.pk}": "present" for p in trainees[:2]},
                                f"status-{trainees[2].pk}": "absent"})
    response = screen.post(url)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.FINALISED
    assert Certificate.objects.filter(attendance__session=session).count() == 2


def test_a_session_not_started_yet_is_not_finalised(screen, listed_session, trainees):
    session = listed_session(start=timezone.now() + timedelta(days=1))
    screen.post(_url(session), {"action": "save", **{f"status-{p.pk}": "present" for p in trainees}})
    response = screen.post(reverse("training:session_finalise", args=[session.pk]))
    assert response.status_code == 200 and response.context["errors"]
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED


@pytest.fixture
def finalised(listed_session, trainees, coordinator):
    session = listed_session()
    a, b, c = trainees
    services.attendance_record(session=session, user=coordinator,
                               marks={a.pk: "present", b.pk: "absent", c.pk: "excused"})
    return services.session_finalise(session=session, user=coordinator)


def test_a_post_after_finalising_is_refused_and_changes_nothing(screen, finalised, trainees):
    before = _statuses(finalised)
    response = screen.post(_url(finalised), {"action": "save", f"status-{trainees[1].pk}": "present"})
    assert response.status_code == 200
    assert "kilit" in " ".join(response.context["errors"])
    assert _statuses(finalised) == before
    response = screen.post(_url(finalised), {"action": "save", "walk_in_lookup": trainees[0].username})
    assert _statuses(finalised) == before


def test_the_finalised_screen_is_read_only_with_a_correction_form_per_row(screen, finalised, trainees):
    html = screen.get(_url(finalised)).content.decode()
    assert 'type="radio"' not in html and 'name="action"' not in html
    assert html.count('name="correct"') == 3
    assert html.count("<textarea") == 3


def test_a_correction_with_a_reason_is_logged_and_issues_or_revokes_the_certificate(screen, finalised, trainees,
                                                                                     coordinator):
    a, b, _c = trainees
    row_a = Attendance.objects.get(session=finalised, person=a)
    row_b = Attendance.objects.get(session=finalised, person=b)
    certificate = Certificate.objects.get(attendance=row_a)
    response = screen.post(_url(finalised), {"correct": row_a.pk, "status": "absent",
                                             "reason": "İmza listesinde imzası yok"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_reason == "İmza listesinde imzası yok"
    correction = AttendanceCorrection.objects.get(attendance=row_a)
    assert (correction.from_status, correction.to_status, correction.corrected_by) == ("present", "absent",
                                                                                       coordinator)
    screen.post(_url(finalised), {"correct": row_b.pk, "status": "present", "reason": "Geç geldi, imzaladı"})
    assert Certificate.objects.get(attendance=row_b).revoked_at is None
    assert ModelLogEntry.objects.filter(object_id=str(finalised.pk), action="training.correct").count() == 2
    detail = screen.get(reverse("training:session_detail", args=[finalised.pk])).content.decode()
    assert "İmza listesinde imzası yok" in detail and "Geç geldi, imzaladı" in detail


def test_a_correction_without_a_reason_is_refused_with_the_form_kept_open(screen, finalised, trainees):
    row = Attendance.objects.get(session=finalised, person=trainees[0])
    response = screen.post(_url(finalised), {"correct": row.pk, "status": "absent", "reason": " "})
    assert response.status_code == 200
    assert response.context["correction_form"]["errors"]
    assert '<details class="attendance-correct" open>' in response.content.decode()
    row.refresh_from_db()
    assert row.status == "present" and not AttendanceCorrection.objects.exists()


def test_a_correction_of_another_sessions_row_is_404(screen, finalised, listed_session, trainees):
    other = listed_session()
    row = Attendance.objects.get(session=other, person=trainees[0])
    response = screen.post(_url(finalised), {"correct": row.pk, "status": "absent", "reason": "x"})
    assert response.status_code == 404


def test_a_cancelled_session_has_no_attendance_screen(screen, listed_session, coordinator):
    session = listed_session()
    services.session_cancel(session=session, user=coordinator, reason="İptal")
    assert screen.get(_url(session)).status_code == 302


def test_the_people_search_finds_active_staff_by_name_and_registry_number(screen, listed_session, trainees,
                                                                          make_user):
    session = listed_session()
    guest = make_user(Role.STAFF, unit="KSB", first_name="Şule", last_name="İnce")
    gone = make_user(Role.STAFF, unit="KSB", first_name="Şule", last_name="Eski", is_active=False)
    url = reverse("training:session_people_search", args=[session.pk])
    results = screen.get(url, {"q": "şule"}).json()["results"]
    assert [r["id"] for r in results] == [guest.pk]
    assert results[0]["on_list"] is False and results[0]["unit"] == "Karşılama ve Sonuç Birimi"
    assert screen.get(url, {"q": "ŞULE İNCE"}).json()["results"][0]["id"] == guest.pk
    found = screen.get(url, {"q": "1023"}).json()["results"]
    assert {r["id"] for r in found} == {p.pk for p in trainees} and all(r["on_list"] for r in found)
    assert screen.get(url, {"q": "ş"}).json()["results"] == []
    assert gone.pk not in [r["id"] for r in screen.get(url, {"q": "eski"}).json()["results"]]


def test_the_screen_runs_a_fixed_number_of_queries(screen, make_session, coordinator, make_user):
    small, big = make_session(capacity=100), make_session(capacity=100)
    services.session_invite(session=small, people=[make_user(Role.AGENT, unit="ALO153") for _ in range(5)],
                            user=coordinator)
    services.session_invite(session=big, people=[make_user(Role.AGENT, unit="ALO153") for _ in range(60)],
                            user=coordinator)
    screen.get(_url(small))

    def count(session) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert screen.get(_url(session)).status_code == 200
        return len(queries)

    assert count(small) == count(big)


def test_a_walk_in_who_is_not_active_staff_is_not_added(screen, listed_session, trainees, make_user):
    session = listed_session()
    no_profile = make_user(unit=None, first_name="Profilsiz", last_name="Kullanıcı")
    response = screen.post(_url(session), {"action": "save", "walk_in": str(no_profile.pk),
                                           f"status-{no_profile.pk}": "present",
                                           f"status-{trainees[0].pk}": "present"})
    assert response.status_code == 200 and "Profilsiz Kullanıcı" in " ".join(response.context["errors"])
    assert not Attendance.objects.filter(person=no_profile).exists()
    assert set(_statuses(session).values()) == {"pending"}
