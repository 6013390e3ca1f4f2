"""The evaluation form (Eğitim Değerlendirme Formu): a participant recorded present at a finalised
session evaluates it once; every other case is refused with its reason and nothing is saved; a
submitted evaluation is shown read-only."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from qms.roles import Role
from training import services
from training.models import Evaluation

pytestmark = pytest.mark.django_db

VALID = {"content": "4", "trainer": "5", "materials": "3", "usefulness": "4", "comments": "Örnekler çok iyiydi."}


def turkish(msgid: str, context: str | None = None) -> str:
    with translation.override("tr"):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def url(session) -> str:
    return reverse("training:evaluation_form", args=[session.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, unit="ALO153", first_name="Burak", last_name="Öztürk")


def test_the_form_has_four_radio_groups_with_the_meaning_of_1_and_5(client, agent, held_session):
    session = held_session(present=[agent])
    client.force_login(agent)
    response = client.get(url(session))
    assert response.status_code == 200
    content = text(response)
    assert content.count("<fieldset") == 4 and content.count("<legend") == 4
    for name in ("content", "trainer", "materials", "usefulness"):
        assert len(re.findall(rf'type="radio" name="{name}" value="[1-5]"', content)) == 5
    assert turkish("Very poor", "rating") in content and turkish("Very good", "rating") in content
    assert turkish("1 = very poor, 5 = very good") in content
    assert 'for="id_comments"' in content
    assert turkish("Your name is not shown in the results:") in content


def test_a_present_participant_submits_once_and_then_sees_it_read_only(client, agent, held_session):
    session = held_session(present=[agent])
    client.force_login(agent)
    response = client.post(url(session), VALID)
    assert response.status_code == 302 and response["Location"] == reverse("training:my_trainings")
    evaluation = Evaluation.objects.get()
    assert (evaluation.participant, evaluation.content_rating, evaluation.trainer_rating,
            evaluation.materials_rating, evaluation.usefulness_rating, evaluation.comments) == (
        agent, 4, 5, 3, 4, "Örnekler çok iyiydi.")
    content = text(client.get(url(session)))
    assert 'method="post"' not in content
    assert "Örnekler çok iyiydi." in content and turkish("Good", "rating") in content

    # A second evaluation, however sent, is refused and changes nothing.
    response = client.post(url(session), {**VALID, "content": "1"})
    assert response.status_code == 200
    assert turkish("You have already evaluated this session.") in text(response)
    assert Evaluation.objects.count() == 1 and Evaluation.objects.get().content_rating == 4


def test_someone_recorded_absent_is_refused(client, agent, held_session, make_user):
    session = held_session(present=[make_user(Role.AGENT, unit="ALO153")], absent=[agent])
    client.force_login(agent)
    content = text(client.get(url(session)))
    assert 'method="post"' not in content
    assert turkish("Absent", "attendance") in content
    response = client.post(url(session), VALID)
    assert response.status_code == 200
    assert turkish("Only a participant recorded as present at a held session can evaluate it.") in text(response)
    assert not Evaluation.objects.exists()


def test_a_session_not_finalised_yet_cannot_be_evaluated(client, agent, make_session, coordinator):
    session = make_session()
    services.session_invite(session=session, people=[agent], user=coordinator)
    services.attendance_record(session=session, user=coordinator, marks={agent.pk: "present"})
    client.force_login(agent)
    content = text(client.get(url(session)))
    assert 'method="post"' not in content
    assert turkish("You can evaluate this training once it has been held and the training coordinator has closed "
                   "its attendance.") in content
    response = client.post(url(session), VALID)
    assert turkish("Only a participant recorded as present at a held session can evaluate it.") in text(response)
    assert not Evaluation.objects.exists()


def test_a_cancelled_session_cannot_be_evaluated(client, agent, make_session, coordinator):
    session = make_session()
    services.session_invite(session=session, people=[agent], user=coordinator)
    services.session_cancel(session=session, user=coordinator, reason="Eğitmen hastalandı.")
    client.force_login(agent)
    assert turkish("This session was cancelled; there is nothing to evaluate.") in text(client.get(url(session)))
    client.post(url(session), VALID)
    assert not Evaluation.objects.exists()


def test_a_session_the_person_is_not_on_answers_404(client, agent, held_session, make_user, coordinator):
    session = held_session(present=[make_user(Role.AGENT, unit="ALO153")])
    for user in (agent, coordinator):  # even the coordinator evaluates only sessions they attended
        client.force_login(user)
        assert client.get(url(session)).status_code == 404
        assert client.post(url(session), VALID).status_code == 404
    assert client.get(reverse("training:evaluation_form", args=[987654])).status_code == 404
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"content": ""}, "content"),
    ({"trainer": "6"}, "trainer"),
    ({"materials": "0"}, "materials"),
    ({"usefulness": "iyi"}, "usefulness"),
])
def test_a_missing_or_wrong_rating_is_refused_and_nothing_is_saved(client, agent, held_session, change, field):
    session = held_session(present=[agent])
    client.force_login(agent)
    response = client.post(url(session), {**VALID, **change})
    assert response.status_code == 200
    content = text(response)
    assert turkish("Choose a rating from 1 to 5.") in content
    assert f'id="id_{field}-errors"' in content
    # What was entered is kept, so only the wrong answer needs choosing again.
    assert "Örnekler çok iyiydi." in content
    assert not Evaluation.objects.exists()


def test_an_overlong_comment_is_refused(client, agent, held_session):
    session = held_session(present=[agent])
    client.force_login(agent)
    response = client.post(url(session), {**VALID, "comments": "a" * 2001})
    assert 'id="id_comments-errors"' in text(response)
    assert not Evaluation.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, agent, held_session):
    session = held_session(present=[agent])
    response = client.post(url(session), VALID)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Evaluation.objects.exists()
