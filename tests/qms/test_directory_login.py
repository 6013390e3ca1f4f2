"""Directory sign-in against a real OpenLDAP server (tests/qms/ldap_server.py), through the real sign-in page.

The directory decides who signs in and with which roles: the first sign-in creates the user, their
staff profile and their role groups from the mapped directory groups; a change of groups counts at
the next sign-in; a wrong password, a disabled account and a person in the deny group are refused,
and an old local password of such a person does not get round the directory. When the directory is
down, the page says so (not "wrong password") and local accounts still sign in. A malformed
setting stops start-up naming the variable; a wrong bind password fails the deployment check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms.directory import directory_settings, with_directory_backend
from qms.directory.checks import check_directory
from qms.models import StaffProfile
from qms.roles import ROLES, Role, roles_of
from tests.conftest import PASSWORD
from tests.qms import ldap_server
from tests.qms.ldap_server import BIND_DN, BIND_PASSWORD, GROUPS, PEOPLE, USER_PASSWORDS, DirectoryServer, group_dn

BASE_DIR = Path(__file__).resolve().parents[2]
User = get_user_model()


def _require_slapd() -> None:
    if not ldap_server.slapd_available():
        if os.environ.get("QMS_REQUIRE_LDAP") == "1":
            pytest.fail("QMS_REQUIRE_LDAP=1 but Debian's slapd is not installed (make system-deps).")
        pytest.skip("Debian's slapd is not installed (/usr/sbin/slapd): the directory tests need a real server.")


def _start(request) -> DirectoryServer:
    _require_slapd()
    server = DirectoryServer()
    request.addfinalizer(server.stop)  # registered before start: a failed start still cleans up
    return server.start()


@pytest.fixture(scope="session")
def shared_directory(request) -> DirectoryServer:
    """One slapd per test process (each xdist worker has its own session, so its own port)."""
    return _start(request)


@pytest.fixture
def own_directory(request) -> DirectoryServer:
    """A slapd of the test's own, for tests that change the directory or stop it."""
    return _start(request)


def directory_environment(server: DirectoryServer, **overrides: str) -> dict[str, str]:
    """The LDAP_* variables an operator would set for this server (docs/deploy.md, OpenLDAP)."""
    environment = {
        "LDAP_SERVER_URI": server.uri,
        "LDAP_BIND_DN": BIND_DN,
        "LDAP_BIND_PASSWORD": BIND_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_GROUP_SEARCH_BASE": GROUPS,
        # Spelled with spaces and capitals on purpose: the directory's spelling of a DN may differ.
        "LDAP_ROLE_GROUPS": (
            f"management_representative:CN=quality-managers, {GROUPS};\n"
            f"unit_manager:{group_dn('quality-managers')}; agent:{group_dn('call-agents')}"
        ),
        "LDAP_DENY_GROUP": group_dn("disabled"),
        "LDAP_UNIT_ATTRIBUTE": "departmentNumber",
        "LDAP_DEFAULT_UNIT": "ALO153",
        "LDAP_TIMEOUT": "2",
    }
    environment.update(overrides)
    return environment


def use_directory(settings, server: DirectoryServer, **overrides: str) -> None:
    """Turn directory sign-in on for this test exactly as qms/settings.py does from the environment."""
    for name, value in directory_settings(directory_environment(server, **overrides)).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = with_directory_backend(settings.AUTHENTICATION_BACKENDS)


@pytest.fixture
def directory(settings, shared_directory, org) -> DirectoryServer:
    use_directory(settings, shared_directory)
    return shared_directory


def sign_in(client, username: str, password: str):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def refusal(response) -> tuple[str, str]:
    """(code, message) of the sign-in form's one error, checked to be on the page."""
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].non_field_errors().as_data()
    assert len(errors) == 1, errors
    message = " ".join(errors[0].messages)
    assert message in response.content.decode().replace("&#x27;", "'")
    return errors[0].code, message


def role_set(user) -> set[Role]:
    user = User.objects.get(pk=user.pk)  # fresh: roles_of caches on the instance
    return set(roles_of(user))


def assert_signed_in(response, client, username: str):
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert response.url == reverse("wagtailadmin_home")
    user = User.objects.get(username=username)
    assert client.session.get("_auth_user_id") == str(user.pk)
    return user


def test_first_directory_sign_in_creates_user_staff_profile_and_roles(client, directory, org):
    assert not User.objects.filter(username="ayse").exists()

    user = assert_signed_in(sign_in(client, "ayse", USER_PASSWORDS["ayse"]), client, "ayse")

    assert (user.first_name, user.last_name, user.email) == ("Ayşe", "Yılmaz", "ayse@belediye.test")
    assert not user.has_usable_password()
    assert role_set(user) == {Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER}
    assert StaffProfile.objects.get(user=user).unit == org["KSB"]  # from departmentNumber
    assert client.get(reverse("wagtailadmin_home")).status_code == 200  # the roles open the admin


def test_directory_replaces_role_groups_only_and_disables_the_local_password(client, directory, make_user, org):
    existing = make_user(Role.STAFF, Role.QA_EVALUATOR, unit="ÇMPK", username="ayse")
    newsletter = Group.objects.create(name="Bülten okurları")  # not a role: the directory leaves it alone
    existing.groups.add(newsletter)

    user = assert_signed_in(sign_in(client, "ayse", USER_PASSWORDS["ayse"]), client, "ayse")

    assert user.pk == existing.pk
    assert role_set(user) == {Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER}
    assert newsletter in user.groups.all()
    assert StaffProfile.objects.get(user=user).unit == org["ÇMPK"]  # the portal keeps an existing profile
    client.logout()
    code, _message = refusal(sign_in(client, "ayse", PASSWORD))  # the old local password no longer works
    assert code == "invalid_login"


def test_group_change_in_directory_changes_roles_at_next_sign_in(client, settings, own_directory, org):
    use_directory(settings, own_directory)
    user = assert_signed_in(sign_in(client, "ayse", USER_PASSWORDS["ayse"]), client, "ayse")
    assert role_set(user) == {Role.MANAGEMENT_REPRESENTATIVE, Role.UNIT_MANAGER}

    own_directory.set_group_members("quality-managers", [])
    own_directory.set_group_members("call-agents", ["mehmet", "ayse"])
    client.logout()
    assert_signed_in(sign_in(client, "ayse", USER_PASSWORDS["ayse"]), client, "ayse")

    assert role_set(user) == {Role.AGENT}
    # Each change is in the audit trail: who got which role from the directory.
    entries = list(ModelLogEntry.objects.filter(action="qms.directory_roles", object_id=str(user.pk)).order_by("pk"))
    assert len(entries) == 2
    assert entries[-1].data["added"] == [ROLES[Role.AGENT].group_name]
    assert set(entries[-1].data["removed"]) == {ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name,
                                                 ROLES[Role.UNIT_MANAGER].group_name}


def test_user_without_mapped_groups_gets_no_role_and_no_admin(client, directory, org):
    user = assert_signed_in(sign_in(client, "zeynep", USER_PASSWORDS["zeynep"]), client, "zeynep")

    assert role_set(user) == set()
    assert StaffProfile.objects.get(user=user).unit == org["ALO153"]  # no unit attribute: LDAP_DEFAULT_UNIT
    assert client.get(reverse("wagtailadmin_home")).status_code == 302  # no role, no admin


def test_wrong_password_is_refused_like_any_wrong_password(client, directory, make_user):
    code, message = refusal(sign_in(client, "ayse", "Yanlis.parola.2026"))
    _unknown_code, unknown_message = refusal(sign_in(client, "nobody.here", "Yanlis.parola.2026"))

    assert code == "invalid_login"
    assert message == unknown_message  # no hint whether the person exists in the directory
    assert not User.objects.filter(username="ayse").exists()
    assert client.session.get("_auth_user_id") is None


def test_disabled_account_is_refused_and_a_local_password_does_not_get_round_it(client, directory, make_user):
    # mehmet's password is right, but he is in the deny group (LDAP_DENY_GROUP) ...
    local_row = make_user(Role.AGENT, unit="ALO153", username="mehmet")  # ... and has an old local account

    code, _message = refusal(sign_in(client, "mehmet", USER_PASSWORDS["mehmet"]))
    assert code == "invalid_login"
    code, _message = refusal(sign_in(client, "mehmet", PASSWORD))  # ModelBackend alone would accept this
    assert code == "invalid_login"

    assert client.session.get("_auth_user_id") is None
    assert role_set(local_row) == {Role.AGENT}  # a refused sign-in changes nothing


def test_local_account_signs_in_beside_the_directory_and_keeps_its_roles(client, directory, make_user):
    local = make_user(Role.QA_EVALUATOR, unit="ÇMPK", username="it.yonetici")

    assert_signed_in(sign_in(client, "it.yonetici", PASSWORD), client, "it.yonetici")

    assert role_set(local) == {Role.QA_EVALUATOR}
    assert User.objects.get(pk=local.pk).has_usable_password()


def test_directory_down_gives_a_clear_message_and_local_accounts_still_sign_in(
    client, settings, own_directory, make_user
):
    use_directory(settings, own_directory)
    local = make_user(Role.STAFF, username="yerel.kullanici")
    assert_signed_in(sign_in(client, "ayse", USER_PASSWORDS["ayse"]), client, "ayse")
    client.logout()

    own_directory.stop()
    started = time.monotonic()
    code, message = refusal(sign_in(client, "ayse", USER_PASSWORDS["ayse"]))
    elapsed = time.monotonic() - started

    assert code == "directory_unavailable"
    assert "dizin" in message.lower()  # Turkish, and not the "did not match" of a wrong password
    assert elapsed < 10
    assert_signed_in(sign_in(client, local.username, PASSWORD), client, local.username)


def test_directory_down_with_unreachable_address_answers_within_the_timeout(client, settings, shared_directory, org):
    # A firewall that drops packets: 192.0.2.0/24 is TEST-NET-1, never routed.
    use_directory(settings, shared_directory, LDAP_SERVER_URI="ldap://192.0.2.1:389", LDAP_TIMEOUT="1")
    started = time.monotonic()
    code, _message = refusal(sign_in(client, "ayse", USER_PASSWORDS["ayse"]))
    assert code == "directory_unavailable"
    assert time.monotonic() - started < 8


def test_deploy_check_passes_with_right_settings_and_names_a_wrong_one(settings, shared_directory, org):
    use_directory(settings, shared_directory)
    assert check_directory() == []

    use_directory(settings, shared_directory, LDAP_BIND_PASSWORD="wrong")
    errors = check_directory()
    assert [error.id for error in errors] == ["qms.E031"]
    assert "LDAP_BIND_PASSWORD" in errors[0].msg

    use_directory(settings, shared_directory, LDAP_USER_SEARCH_BASE=f"ou=staff,{ldap_server.SUFFIX}",
                  LDAP_DEFAULT_UNIT="YOK")
    messages = " ".join(error.msg for error in check_directory())
    assert "LDAP_USER_SEARCH_BASE" in messages and "LDAP_DEFAULT_UNIT" in messages


def test_deploy_check_names_an_unreachable_server(settings, shared_directory):
    from tests.qms.ldap_server import free_port

    use_directory(settings, shared_directory, LDAP_SERVER_URI=f"ldap://127.0.0.1:{free_port()}")
    errors = check_directory()
    assert [error.id for error in errors] == ["qms.E030"]
    assert "LDAP_SERVER_URI" in errors[0].msg


def test_check_directory_command_shows_how_a_person_would_sign_in(settings, shared_directory, org, capsys):
    use_directory(settings, shared_directory)
    call_command("check_directory", "ayse")
    output = capsys.readouterr().out
    assert "Yönetim Temsilcisi" in output and "Birim Yöneticisi" in output
    assert "Unit: KSB" in output


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LDAP_SERVER_URI", "http://ldap.belediye.local"),
        ("LDAP_ROLE_GROUPS", f"boss:{group_dn('quality-managers')}"),
        ("LDAP_ROLE_GROUPS", "staff"),
        ("LDAP_USER_SEARCH_BASE", ""),
        ("LDAP_USER_SEARCH_BASE", "people"),
        ("LDAP_GROUP_TYPE", "posix"),
        ("LDAP_START_TLS", "maybe"),
        ("LDAP_CA_FILE", "/nonexistent/ca.pem"),
        ("LDAP_TIMEOUT", "0"),
        ("LDAP_USER_FILTER", "(uid=someone)"),
        ("LDAP_USER_ATTR_MAP", "phone=telephoneNumber"),
    ],
)
def test_malformed_setting_is_refused_naming_the_variable(shared_directory, variable, value):
    environment = directory_environment(shared_directory, **{variable: value})
    with pytest.raises(ImproperlyConfigured) as refused:
        directory_settings(environment)
    assert str(refused.value).startswith(f"{variable}:")
    assert f"({variable}:" in str(refused.value)  # the English half names it too


def test_directory_is_off_without_server_uri():
    assert directory_settings({"LDAP_BIND_DN": BIND_DN}) == {}
    assert check_directory() == []


def _manage(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("LDAP_") and key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "qms.settings", **environment})
    return subprocess.run([sys.executable, "manage.py", *arguments], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_start_up_refuses_a_malformed_setting_naming_it(shared_directory, tmp_path):
    environment = directory_environment(shared_directory, LDAP_ROLE_GROUPS=f"boss:{group_dn('call-agents')}")
    result = _manage("check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured: LDAP_ROLE_GROUPS:" in result.stderr
    assert "unknown role 'boss'" in result.stderr


def test_deploy_check_command_names_a_wrong_bind_password(shared_directory, tmp_path):
    environment = directory_environment(shared_directory, LDAP_BIND_PASSWORD="wrong", LDAP_DEFAULT_UNIT="")
    result = _manage("check", "--deploy", "--tag", "directory",
                     DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **environment)
    assert result.returncode != 0
    assert "qms.E031" in result.stderr and "LDAP_BIND_PASSWORD" in result.stderr
