"""Every sessions and attendance screen walked as every role: served exactly when the role table
says so (training.oversee / training.coordinate), refused (403 / 404) otherwise; a participant of
any role opens their own session's page, never another's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qms.roles import ROLES, Role
from training import services

pytestmark = pytest.mark.django_db


def can(role: Role, *capabilities: str) -> bool:
    return any(capability in ROLES[role].capabilities for capability in capabilities)


@pytest.mark.parametrize("role", list(Role))
def test_session_screens_per_role(role, role_client, make_session, coordinator):
    client = role_client(role, unit="ALO153")
    theirs, other = make_session(), make_session()
    services.session_invite(session=theirs, people=[client.user], user=coordinator)
    oversee = can(role, "training.coordinate", "training.oversee")
    coordinate = can(role, "training.coordinate")
    screens = {
        "list": (reverse("training:session_list"), True),
        "add": (reverse("training:session_add"), coordinate),
        "own session": (reverse("training:session_detail", args=[theirs.pk]), True),
        "other session": (reverse("training:session_detail", args=[other.pk]), oversee),
        "sheet pdf": (reverse("training:session_pdf", args=[other.pk]), oversee),
        "own sheet pdf": (reverse("training:session_pdf", args=[theirs.pk]), oversee),
        "edit": (reverse("training:session_edit", args=[other.pk]), coordinate),
        "cancel": (reverse("training:session_cancel", args=[other.pk]), coordinate),
        "invite": (reverse("training:session_invite", args=[other.pk]), coordinate),
        "attendance": (reverse("training:session_attendance", args=[other.pk]), coordinate),
        "own attendance": (reverse("training:session_attendance", args=[theirs.pk]), coordinate),
        "import": (reverse("training:session_import", args=[other.pk]), coordinate),
        "finalise": (reverse("training:session_finalise", args=[other.pk]), coordinate),
        "check-in screen": (reverse("training:session_checkin", args=[other.pk]), coordinate),
        "check-in state": (reverse("training:session_checkin_state", args=[other.pk]), coordinate),
        "check-in qr": (reverse("training:session_checkin_qr", args=[other.pk]), coordinate),
        "people search": (reverse("training:session_people_search", args=[other.pk]) + "?q=Ad", coordinate),
    }
    for name, (url, served) in screens.items():
        response = client.get(url)
        if served:
            assert response.status_code == 200, (role, name, response.status_code)
        else:
            assert response.status_code in (403, 404), (role, name, response.status_code)
    html = client.get(reverse("training:session_list")).content.decode()
    assert theirs.code in html
    assert (other.code in html) is oversee


def test_a_signed_out_visitor_is_sent_to_the_login(client, make_session):
    session = make_session()
    for url in (reverse("training:session_list"), reverse("training:session_detail", args=[session.pk]),
                reverse("training:session_attendance", args=[session.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
