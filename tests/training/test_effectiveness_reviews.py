"""The managers' effectiveness evaluations: each manager sees and fills the reviews assigned to
them (due and overdue first), the training coordinator sees every pending one and stands in for a
manager who left; nobody else opens them; a submitted review is read-only; fixed query counts."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qms.roles import Role
from training.models import Attendance, EffectivenessReview, Session, SessionState

pytestmark = pytest.mark.django_db

QUEUE = reverse("training:effectiveness_queue")
VALID = {"rating": "4", "applied": "partly", "comments": "Çağrı kapanışlarını talimata göre yapıyor."}


def turkish(msgid: str) -> str:
    with translation.override("tr"):
        return translation.gettext(msgid)


def form_url(review) -> str:
    return reverse("training:effectiveness_form", args=[review.pk])


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def team(make_user, held_session):
    """The ÇMŞ chief with two ALO 153 agents trained; a chief of another branch; a clerk."""
    people = {
        "manager": make_user(Role.UNIT_MANAGER, unit="ÇMŞ", first_name="Gülşen", last_name="Aydın"),
        "other_manager": make_user(Role.UNIT_MANAGER, unit="ÇÖZM", first_name="Serkan", last_name="Yurt"),
        "agent": make_user(Role.AGENT, unit="ALO153", first_name="Burak", last_name="Öztürk"),
        "agent2": make_user(Role.AGENT, unit="ALO153", first_name="Fatma", last_name="Kurt"),
        "clerk": make_user(Role.STAFF, unit="KSB", first_name="İbrahim", last_name="Arslan"),
    }
    people["session"] = held_session(present=[people["agent"], people["agent2"]])
    return people


def review_of(person) -> EffectivenessReview:
    return EffectivenessReview.objects.get(attendance__person=person)


def test_the_manager_sees_their_teams_reviews_overdue_first(client, team):
    today = timezone.localdate()
    EffectivenessReview.objects.filter(attendance__person=team["agent2"]).update(due_date=today - timedelta(days=5))
    content = text(get(client, team["manager"], QUEUE))
    assert "Burak Öztürk" in content and "Fatma Kurt" in content
    assert content.index("Fatma Kurt") < content.index("Burak Öztürk")  # overdue first
    with translation.override("tr"):
        assert translation.pgettext("review due", "Overdue by %(days)s days") % {"days": 5} in content


def test_another_manager_and_staff_do_not_see_or_open_them(client, team):
    review = review_of(team["agent"])
    for who in ("other_manager", "clerk", "agent"):
        content = text(get(client, team[who], QUEUE))
        assert "Burak Öztürk" not in content
        assert get(client, team[who], form_url(review)).status_code == 404
        assert client.post(form_url(review), VALID).status_code == 404
    assert not EffectivenessReview.objects.filter(submitted_at__isnull=False).exists()


def test_the_manager_submits_and_it_becomes_read_only(client, team):
    review = review_of(team["agent"])
    response = get(client, team["manager"], form_url(review))
    content = text(response)
    assert content.count("<fieldset") == 2 and "<legend" in content
    assert "Burak Öztürk" in content and team["session"].code in content
    assert review.due_date.strftime("%d.%m.%Y") in content
    with translation.override("tr"):  # due in three months: the form says it is early
        assert translation.gettext("It is early: effectiveness is best judged once the participant has had time to "
                                   "apply the training. This evaluation is due on %(date)s.") % {
            "date": review.due_date.strftime("%d.%m.%Y")} in content
    response = client.post(form_url(review), VALID)
    assert response.status_code == 302 and response["Location"] == QUEUE
    review.refresh_from_db()
    assert (review.rating, review.applied, review.submitted_by) == (4, "partly", team["manager"])
    assert review.comments == VALID["comments"]
    content = text(client.get(form_url(review)))
    assert 'method="post"' not in content and VALID["comments"] in content
    response = client.post(form_url(review), {**VALID, "rating": "1"})
    assert turkish("This effectiveness evaluation was already submitted.") in text(response)
    review.refresh_from_db()
    assert review.rating == 4
    # It leaves the waiting list and shows under "submitted".
    assert "Burak Öztürk" not in text(client.get(QUEUE))
    assert "Burak Öztürk" in text(client.get(QUEUE, {"show": "done"}))


@pytest.mark.parametrize("change, message", [
    ({"rating": ""}, "Choose a rating from 1 to 5."),
    ({"rating": "9"}, "Choose a rating from 1 to 5."),
    ({"applied": ""}, "Say whether the training is applied on the job."),
    ({"applied": "maybe"}, "Say whether the training is applied on the job."),
])
def test_bad_input_is_refused_and_nothing_is_saved(client, team, change, message):
    review = review_of(team["agent"])
    client.force_login(team["manager"])
    response = client.post(form_url(review), {**VALID, **change})
    assert response.status_code == 200 and turkish(message) in text(response)
    review.refresh_from_db()
    assert review.submitted_at is None and review.rating is None


def test_the_coordinator_sees_all_and_fills_one_for_a_manager_who_left(client, team, coordinator):
    team["manager"].is_active = False
    team["manager"].save()
    content = text(get(client, coordinator, QUEUE))
    assert "Burak Öztürk" in content and "Fatma Kurt" in content
    unassigned = text(client.get(QUEUE, {"show": "unassigned"}))
    assert "Burak Öztürk" in unassigned and turkish("no longer active") in unassigned
    review = review_of(team["agent"])
    content = text(client.get(form_url(review)))
    assert turkish("You are filling this evaluation in place of the participant's manager; your name is recorded "
                   "as the one who submitted it.") in content
    assert client.post(form_url(review), VALID).status_code == 302
    review.refresh_from_db()
    assert review.submitted_by == coordinator and review.reviewer == team["manager"]


def test_the_unassigned_view_is_only_for_the_coordinator(client, team):
    content = text(get(client, team["manager"], QUEUE, show="unassigned"))
    assert "Burak Öztürk" in content  # falls back to the manager's own waiting list
    assert "?show=unassigned" not in content


def bulk_reviews(session, people, manager) -> None:
    rows = Attendance.objects.bulk_create([
        Attendance(session=session, person=p, status="present", confirmed=True) for p in people])
    EffectivenessReview.objects.bulk_create([
        EffectivenessReview(attendance=a, reviewer=manager, due_date=timezone.localdate() + timedelta(days=i % 40 - 20))
        for i, a in enumerate(rows)])


def test_the_queue_reads_a_fixed_number_of_queries(client, team, make_user, coordinator):
    course = team["session"].course
    session = Session.objects.create(course=course, starts_at=timezone.now() - timedelta(days=1),
                                     ends_at=timezone.now() - timedelta(hours=20), place="Salon",
                                     external_trainer="Dış Eğitmen", capacity=500)
    Session.objects.filter(pk=session.pk).update(state=SessionState.FINALISED)
    counts = {}
    for viewer in ("manager", "coordinator"):
        user = coordinator if viewer == "coordinator" else team["manager"]
        client.force_login(user)
        client.get(QUEUE)
        for total in (10, 100):
            already = EffectivenessReview.objects.count()
            people = [make_user(Role.AGENT, unit="ALO153") for _ in range(total - already + 2)]
            bulk_reviews(session, people, team["manager"])
            with CaptureQueriesContext(connection) as queries:
                response = client.get(QUEUE)
            assert response.status_code == 200
            counts.setdefault(viewer, []).append(len(queries))
        EffectivenessReview.objects.filter(attendance__session=session).delete()
        Attendance.objects.filter(session=session).delete()
    assert counts["manager"][0] == counts["manager"][1], counts
    assert counts["coordinator"][0] == counts["coordinator"][1], counts
