"""Who sees which sessions: everyone with training.view_session sees all of them with their
lists; anyone else sees only the sessions they are on, and of those only their own attendance.
Every coordinator-only screen refuses the other roles (403), a session outside one's view is 404,
and the list runs the same number of queries for 10 sessions as for 100."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training.models import Attendance, Session

pytestmark = pytest.mark.django_db

OVERSEERS = ("coordinator", "mr", "top", "auditor")
OTHERS = ("manager", "agent", "staff")


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


@pytest.mark.parametrize("who", OVERSEERS)
def test_the_overseeing_roles_see_every_session_with_its_list(client, cast, listed_session, trainees, who):
    session = listed_session()
    html = _get(client, cast[who], reverse("training:session_list")).content.decode()
    assert session.code in html
    detail = _get(client, cast[who], reverse("training:session_detail", args=[session.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    for person in trainees:
        assert person.get_full_name() in text


@pytest.mark.parametrize("who", OTHERS)
def test_others_see_only_the_sessions_they_are_on_and_only_their_own_row(client, cast, make_session, coordinator,
                                                                         trainees, who):
    from training import services

    theirs = make_session(place="Salon A")
    other = make_session(place="Salon B")
    services.session_invite(session=theirs, people=[cast[who], *trainees], user=coordinator)
    response = _get(client, cast[who], reverse("training:session_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert theirs.code in html and other.code not in html
    detail = _get(client, cast[who], reverse("training:session_detail", args=[theirs.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Katılımınız" in text
    for person in trainees:
        assert person.get_full_name() not in text
    assert _get(client, cast[who], reverse("training:session_detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("who", OTHERS)
def test_a_session_one_is_not_on_is_404_on_every_url(client, cast, listed_session, who):
    session = listed_session()
    client.force_login(cast[who])
    for name in ("session_detail", "session_attendance", "session_pdf", "session_invite", "session_checkin",
                 "session_finalise", "session_import", "session_cancel", "session_edit"):
        assert client.get(reverse(f"training:{name}", args=[session.pk])).status_code == 404, name


@pytest.mark.parametrize("who", ("top", "auditor"))
def test_overseers_read_but_may_not_plan_record_or_finalise(client, cast, listed_session, who):
    session = listed_session()
    client.force_login(cast[who])
    assert client.get(reverse("training:session_pdf", args=[session.pk])).status_code == 200
    for name in ("session_attendance", "session_invite", "session_checkin", "session_finalise", "session_import",
                 "session_cancel", "session_edit", "session_checkin_qr"):
        response = client.get(reverse(f"training:{name}", args=[session.pk]))
        assert response.status_code == 403, name
    assert client.get(reverse("training:session_add")).status_code == 403
    assert client.get(reverse("training:session_checkin_state", args=[session.pk])).status_code == 403
    assert client.get(reverse("training:session_people_search", args=[session.pk]), {"q": "Ahmet"}).status_code == 403
    for name in ("session_attendance", "session_finalise", "session_checkin_confirm"):
        assert client.post(reverse(f"training:{name}", args=[session.pk])).status_code == 403, name
    session.refresh_from_db()
    assert session.state == "planned"
    html = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert reverse("training:session_attendance", args=[session.pk]) not in html
    assert reverse("training:session_pdf", args=[session.pk]) in html


@pytest.mark.parametrize("who", OTHERS)
def test_participants_may_not_print_record_or_plan_their_own_session(client, cast, make_session, coordinator, who):
    from training import services

    session = make_session()
    services.session_invite(session=session, people=[cast[who]], user=coordinator)
    client.force_login(cast[who])
    assert client.get(reverse("training:session_pdf", args=[session.pk])).status_code == 403
    for name in ("session_attendance", "session_invite", "session_checkin", "session_edit", "session_cancel"):
        assert client.get(reverse(f"training:{name}", args=[session.pk])).status_code == 403, name
    response = client.post(reverse("training:session_attendance", args=[session.pk]),
                           {f"status-{cast[who].pk}": "present", "action": "save"})
    assert response.status_code == 403
    assert Attendance.objects.get(session=session, person=cast[who]).status == "pending"
    assert client.get(reverse("training:session_add")).status_code == 403


def test_the_management_representative_plans_and_records_like_the_coordinator(client, cast, listed_session):
    session = listed_session()
    client.force_login(cast["mr"])
    for name in ("session_attendance", "session_invite", "session_checkin", "session_edit", "session_cancel"):
        assert client.get(reverse(f"training:{name}", args=[session.pk])).status_code == 200, name


def test_the_menu_item_is_shown_to_the_roles_that_see_sessions(client, cast):
    from training.views.sessions import menu_items

    item = menu_items()[0]
    request = type("R", (), {})()
    for who in OVERSEERS:
        request.user = cast[who]
        assert item.is_shown(request), who
    for who in OTHERS:
        request.user = cast[who]
        assert not item.is_shown(request), who


def test_the_list_filters_by_year_course_state_and_searches_code_and_course(client, cast, make_session, make_course):
    kvkk = make_course(code="KVKK-01", title="KVKK farkındalık eğitimi")
    iletisim = make_course(code="İLT-01", title="İletişim becerileri")
    last_year = timezone.now() - timedelta(days=400)
    a = make_session(course=kvkk)
    b = make_session(course=iletisim)
    c = make_session(course=kvkk, start=last_year)
    client.force_login(cast["coordinator"])
    url = reverse("training:session_list")

    def codes(**params):
        return {row["session"].pk for row in client.get(url, params).context["rows"]}

    assert codes() == {a.pk, b.pk, c.pk}
    assert codes(year=c.year) == {c.pk}
    assert codes(course=iletisim.pk) == {b.pk}
    assert codes(q="kvkk") == {a.pk, c.pk}
    assert codes(q="iletişim") == {b.pk}
    assert codes(q="İLETİŞİM") == {b.pk}
    assert codes(q=b.code) == {b.pk}
    assert codes(q=b.code.replace("Ğ", "G").lower()) == {b.pk}
    from training import services

    services.session_cancel(session=b, user=cast["coordinator"], reason="Salon yok")
    assert codes(state="cancelled") == {b.pk}
    assert codes(state="planned") == {a.pk, c.pk}


def _bulk_sessions(course, coordinator, people, count):
    start = timezone.now() - timedelta(days=1)
    for i in range(count):
        session = Session.objects.create(course=course, starts_at=start - timedelta(hours=i),
                                         ends_at=start - timedelta(hours=i) + timedelta(hours=1),
                                         place=f"Salon {i}", external_trainer="Dış Eğitim A.Ş.", capacity=10)
        Attendance.objects.bulk_create([Attendance(session=session, person=p, status="present") for p in people])


@pytest.mark.parametrize("who", ("coordinator", "agent"))
def test_the_list_runs_the_same_number_of_queries_for_10_and_100_sessions(client, cast, make_course, trainees, who):
    course = make_course()
    people = [*trainees, cast["agent"]]
    client.force_login(cast[who])
    url = reverse("training:session_list")
    client.get(url)  # warm caches (content types, site root)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    _bulk_sessions(course, cast["coordinator"], people, 10)
    at_10 = count()
    _bulk_sessions(course, cast["coordinator"], people, 90)
    at_100 = count()
    assert at_10 == at_100
    rows = client.get(url).context["rows"]
    assert len(rows) == 50
    if who == "agent":
        assert all(row["my_status"] == "Katıldı" for row in rows)
    else:
        assert all(row["session"].listed == 4 and row["session"].present == 4 for row in rows)


def test_the_session_page_runs_a_fixed_number_of_queries(client, cast, make_session, coordinator, make_user):
    from qms.roles import Role
    from training import services

    client.force_login(cast["coordinator"])
    small = make_session(capacity=200)
    services.session_invite(session=small, people=[make_user(Role.AGENT, unit="ALO153") for _ in range(5)],
                            user=coordinator)
    big = make_session(capacity=200)
    services.session_invite(session=big, people=[make_user(Role.AGENT, unit="ALO153") for _ in range(50)],
                            user=coordinator)
    client.get(reverse("training:session_detail", args=[small.pk]))

    def count(session) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("training:session_detail", args=[session.pk])).status_code == 200
        return len(queries)

    assert count(small) == count(big)
