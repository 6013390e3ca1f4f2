"""People put on a session's list get an invitation e-mail with the event for their calendar."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qms.roles import Role
from training.notifications import session_invitation_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(make_session, make_course):
    course = make_course(title="Öfke Yönetimi ve Zor Müşteriyle İletişim")
    return make_session(course=course, start=timezone.make_aware(datetime(2026, 12, 3, 9, 30)), hours_long=3,
                        place="Çağrı Merkezi Eğitim Salonu; 2. kat")


def test_each_new_invitee_is_mailed_once_with_the_calendar_event(client, coordinator, session, make_user):
    first = make_user(Role.AGENT, unit="ALO153", first_name="Şule", last_name="Aslan")
    no_address = make_user(Role.AGENT, unit="ALO153", email="")
    client.force_login(coordinator)
    url = reverse("training:session_invite", args=[session.pk])
    response = client.post(url, {"people": [first.pk, no_address.pk], "action": "invite"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1  # nobody without an address
    message = mail.outbox[0]
    assert message.to == [first.email]
    assert message.subject == "Eğitim daveti: Öfke Yönetimi ve Zor Müşteriyle İletişim, 03.12.2026"
    assert "Sayın Şule Aslan" in message.body and "03.12.2026, 09:30–12:30" in message.body
    assert "Çağrı Merkezi Eğitim Salonu; 2. kat" in message.body
    [(name, content, mimetype)] = message.attachments
    assert name == f"{session.code}.ics" and mimetype == "text/calendar"
    text = content if isinstance(content, str) else content.decode()
    assert "DTSTART:20261203T063000Z" in text  # 09:30 in Istanbul
    # Inviting the same people again mails nobody: they are already on the list.
    mail.outbox.clear()
    client.post(url, {"people": [first.pk], "action": "invite"})
    assert mail.outbox == []


def test_the_calendar_event_is_valid_rfc_5545(session):
    text = session_invitation_calendar(session)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "LOCATION:Çağrı Merkezi Eğitim Salonu\\; 2. kat" in unfolded
    assert f"UID:training-session-{session.pk}@" in unfolded
    assert "DTEND:20261203T093000Z" in unfolded
