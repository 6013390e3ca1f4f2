"""Sign-in refuses without telling why, and repeated failures for one account lock that account.

The Wagtail login form gives one message whether the user name is unknown, the password wrong or
the account inactive (no user enumeration). django-axes counts failures per (user name, address):
after AXES_FAILURE_LIMIT failures even the right password is refused with our lockout page
(HTTP 429) until the cool-off has passed, while other accounts from the same address still sign in.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from qms.roles import Role
from tests.conftest import PASSWORD

LOGIN_URL = "/admin/login/"
WRONG = "Yanlis.parola.2026"


@pytest.fixture
def login(client):
    def post(username: str, password: str, **extra):
        return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)

    return post


def error_text(response) -> str:
    """The form's error message as the page shows it."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    errors = form.non_field_errors()
    assert len(errors) == 1, errors
    message = str(errors[0])
    assert message in response.content.decode().replace("&#x27;", "'")
    return message


def assert_signed_in(response, client, user) -> None:
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("wagtailadmin_home")
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_login_page_renders(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "password" in response.context["form"].fields


def test_same_error_for_unknown_user_wrong_password_and_inactive_user(client, login, make_user):
    known = make_user(Role.STAFF)
    inactive = make_user(Role.STAFF, is_active=False)

    unknown_message = error_text(login("nobody.here", PASSWORD))
    wrong_password_message = error_text(login(known.username, WRONG))
    inactive_message = error_text(login(inactive.username, PASSWORD))

    assert unknown_message == wrong_password_message == inactive_message
    assert "inactive" not in inactive_message.lower()
    assert "pasif" not in inactive_message.lower()
    assert client.session.get("_auth_user_id") is None


def test_correct_password_signs_in(client, login, make_user):
    user = make_user(Role.STAFF)
    assert_signed_in(login(user.username, PASSWORD), client, user)


def lock(login, username: str) -> list:
    responses = [login(username, WRONG) for _ in range(settings.AXES_FAILURE_LIMIT)]
    # Every failure before the limit is the ordinary form error, the last one locks.
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses


def test_failure_limit_is_configured():
    assert settings.AXES_FAILURE_LIMIT >= 3
    assert get_cool_off() >= timedelta(minutes=5)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_lockout_refuses_the_correct_password(client, login, make_user):
    user = make_user(Role.STAFF)
    responses = lock(login, user.username)
    assert responses[-1].status_code == 429

    response = login(user.username, PASSWORD)

    assert response.status_code == 429
    assert "qms/lockout.html" in [t.name for t in response.templates]
    assert client.session.get("_auth_user_id") is None
    assert AccessAttempt.objects.filter(username=user.username).exists()


def test_lockout_page_tells_how_long_to_wait(login, make_user):
    user = make_user(Role.STAFF)
    lock(login, user.username)

    response = login(user.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    text = re.sub(r"\s+", " ", response.content.decode())
    minutes = int(get_cool_off().total_seconds() // 60)
    assert re.search(rf"\b{minutes} dakika\b", text), "the lockout page does not state the cool-off in minutes"
    assert "Traceback" not in text


def test_lockout_is_per_user_name_not_per_address(client, login, make_user):
    locked = make_user(Role.STAFF)
    colleague = make_user(Role.STAFF)
    lock(login, locked.username)

    response = login(colleague.username, PASSWORD)  # same client, same REMOTE_ADDR

    assert_signed_in(response, client, colleague)


def test_same_user_name_from_another_address_is_not_locked(client, login, make_user):
    user = make_user(Role.STAFF)
    lock(login, user.username)

    response = login(user.username, PASSWORD, REMOTE_ADDR="10.1.2.3")

    assert_signed_in(response, client, user)


def test_sign_in_works_again_after_the_cool_off(client, login, make_user):
    user = make_user(Role.STAFF)
    lock(login, user.username)
    assert login(user.username, PASSWORD).status_code == 429

    # Let the cool-off pass: every recorded attempt is moved back beyond it.
    past = AccessAttempt.objects.get(username=user.username).attempt_time - get_cool_off() - timedelta(minutes=1)
    AccessAttempt.objects.filter(username=user.username).update(attempt_time=past)

    assert_signed_in(login(user.username, PASSWORD), client, user)


def test_lock_is_not_lifted_before_the_cool_off(login, make_user):
    user = make_user(Role.STAFF)
    lock(login, user.username)

    almost = AccessAttempt.objects.get(username=user.username).attempt_time - get_cool_off() + timedelta(minutes=1)
    AccessAttempt.objects.filter(username=user.username).update(attempt_time=almost)

    assert login(user.username, PASSWORD).status_code == 429


def test_successful_sign_in_resets_the_failure_count(client, login, make_user):
    user = make_user(Role.STAFF)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(user.username, WRONG).status_code == 200
    assert_signed_in(login(user.username, PASSWORD), client, user)
    client.logout()

    # The earlier failures no longer count: one more failure does not lock.
    assert login(user.username, WRONG).status_code == 200
    assert_signed_in(login(user.username, PASSWORD), client, user)


def test_inactive_user_failures_are_counted_like_any_other(login, make_user):
    inactive = make_user(Role.STAFF, is_active=False)
    responses = lock(login, inactive.username)
    assert responses[-1].status_code == 429
    assert get_user_model().objects.get(pk=inactive.pk).is_active is False
