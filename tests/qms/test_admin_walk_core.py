"""Wagtail's own admin screens (site history, users, groups, settings, API tokens) walked as every role.

DESIGN rule 4: the role table in qms/roles.py decides who gets through. Each role is let in to a
screen exactly when its capabilities say so ("audit.view" → site history, "users.manage" → users
and groups, "settings.manage" → organisation details, "api.tokens" → own API tokens); everyone else
is refused (Wagtail: a redirect to the dashboard, or 403). Rule 3: records are deactivated, never
deleted, so no role may delete a user, a staff profile or a unit, by any URL. Anonymous users are
sent to the login page.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.log_actions import log
from wagtail.models import APIToken

from qms.audit import record
from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role, permissions_for

ALL_ROLES = list(Role)
AUDIT_ROLES = [r for r in ALL_ROLES if "audit.view" in ROLES[r].capabilities]
HOME = reverse("wagtailadmin_home")
LOGIN = reverse("wagtailadmin_login")
PASSWORD = "Yeni.parola.2026!"

SITE_HISTORY = reverse("wagtailadmin_reports:site_history")
SITE_HISTORY_URLS = {
    "page": SITE_HISTORY,
    "results": reverse("wagtailadmin_reports:site_history_results"),
    "csv": SITE_HISTORY + "?export=csv",
}


def can(role: Role, capability: str) -> bool:
    return capability in ROLES[role].capabilities


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def assert_refused(response, what="", *, outside_scope=False) -> None:
    """Wagtail's refusal: back to the dashboard (with a message), or 403; never the page itself.

    A record outside the user's unit scope may also be 404 (qms.permissions: guessing its URL
    must not even confirm that it exists)."""
    allowed = (302, 403, 404) if outside_scope else (302, 403)
    assert response.status_code in allowed, (what, response.status_code)
    if response.status_code == 302:
        assert response.url == HOME, (what, response.url)


def assert_served(response, what="") -> None:
    assert response.status_code == 200, (what, response.status_code, getattr(response, "url", ""))


def get_through_redirect(client, url):
    """GET `url`; the settings screen redirects once to its own edit URL, which is followed."""
    response = client.get(url)
    if response.status_code == 302 and response.url.startswith("/admin/settings/"):
        response = client.get(response.url)
    return response


@pytest.fixture
def other(make_user):
    """Another person (not the signed-in user), with a staff profile in FEN and an API token."""
    user = make_user(Role.STAFF, unit="FEN", username="baska.kisi", first_name="Başka", last_name="Kişioğlu")
    token, _plaintext = APIToken.create_token(user=user, name="Başkasının anahtarı")
    log(token, "wagtail.apitoken.create", user=user)
    return user


# --- which screens each role gets into --------------------------------------------------------

# (URL name, how to build its args from the `other` user, the capability that lets a role in;
#  None: no role is let in).
SCREENS = [
    ("wagtailusers_users:index", None, "users.manage"),
    ("wagtailusers_users:index_results", None, "users.manage"),
    ("wagtailusers_users:add", None, "users.manage"),
    ("wagtailusers_users:edit", lambda o: [o.pk], "users.manage"),
    ("wagtailusers_users:delete", lambda o: [o.pk], None),  # deactivate, never delete
    ("wagtailusers_groups:index", None, "users.manage"),
    # Groups are the role table's (sync_roles rewrites them at each deploy): nobody edits them here.
    ("wagtailusers_groups:add", None, None),
    ("wagtailusers_groups:edit", lambda o: [o.groups.get().pk], None),
    ("wagtailusers_groups:delete", lambda o: [o.groups.get().pk], None),
    ("wagtailsettings:edit", lambda o: ["qms", "organisationsettings"], "settings.manage"),
    ("wagtailusers_api_tokens:index", None, "api.tokens"),
    ("wagtailusers_api_tokens:add", None, "api.tokens"),
    ("wagtailadmin_reports:site_history", None, "audit.view"),
    ("wagtailadmin_reports:site_history_results", None, "audit.view"),
    ("wagtailsnippets_qms_unit:delete", lambda o: [o.staff_profile.unit_id], None),
    ("wagtailsnippets_qms_staffprofile:delete", lambda o: [o.staff_profile.pk], None),
]


def screen_url(name, args, other_user) -> str:
    return reverse(name, args=args(other_user) if args else None)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "args", "capability"), SCREENS, ids=[s[0] for s in SCREENS])
def test_each_role_gets_in_exactly_when_its_capabilities_say_so(role_client, other, role, name, args, capability):
    client = role_client(role, unit="KSB")
    url = screen_url(name, args, other)
    response = get_through_redirect(client, url)
    if capability is not None and can(role, capability):
        assert_served(response, (role, url))
    else:
        assert_refused(response, (role, url), outside_scope="staffprofile" in name)


@pytest.mark.parametrize(("name", "args", "capability"), SCREENS, ids=[s[0] for s in SCREENS])
def test_anonymous_is_sent_to_login(client, other, name, args, capability):
    url = screen_url(name, args, other)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN + "?next=")


def test_anonymous_cannot_export_site_history(client, other):
    response = client.get(SITE_HISTORY_URLS["csv"])
    assert response.status_code == 302
    assert response.url.startswith(LOGIN + "?next=")


def test_the_role_table_grants_no_delete_of_people_or_units():
    for role in ALL_ROLES:
        perms = permissions_for(role)
        assert not perms & {"auth.delete_user", "qms.delete_staffprofile", "qms.delete_unit"}, role


# --- site history -----------------------------------------------------------------------------


@pytest.fixture
def staff_change_in_fen(make_user, other):
    """A logged change to a staff profile in FEN (outside KSB, where the walking users sit)."""
    author = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", username="yazar")
    record(other.staff_profile, "wagtail.edit", user=author)
    return other.staff_profile


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("view", list(SITE_HISTORY_URLS))
def test_site_history_is_for_the_audit_roles_only(role_client, staff_change_in_fen, role, view):
    client = role_client(role, unit="KSB")
    response = client.get(SITE_HISTORY_URLS[view])
    if can(role, "audit.view"):
        assert_served(response, (role, view))
        assert staff_change_in_fen.full_name in text_of(response), (role, view)
    else:
        assert_refused(response, (role, view))
        assert staff_change_in_fen.full_name not in text_of(response)


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if not can(r, "audit.view")])
def test_site_history_is_403_to_xhr_without_audit_view(role_client, staff_change_in_fen, role):
    client = role_client(role, unit="KSB")
    response = client.get(SITE_HISTORY_URLS["results"], HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403
    assert staff_change_in_fen.full_name not in text_of(response)


def test_csv_export_is_a_csv_with_the_entry(role_client, staff_change_in_fen):
    client = role_client(Role.INTERNAL_AUDITOR, unit="KSB")
    response = client.get(SITE_HISTORY_URLS["csv"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert staff_change_in_fen.full_name in text_of(response)


def test_site_history_leaves_out_staff_outside_the_unit_scope(make_user, client, org):
    """The audit roles see every unit; a scoped user given the audit permission directly (outside
    the role table) shows the scope filter: a unit manager in ÇMŞ sees ALO153 but not FEN."""
    author = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    inside = make_user(Role.STAFF, unit="ALO153", first_name="İçeride", last_name="Alooğlu").staff_profile
    outside = make_user(Role.STAFF, unit="FEN", first_name="Dışarıda", last_name="Fenoğlu").staff_profile
    record(inside, "wagtail.edit", user=author)
    record(outside, "wagtail.edit", user=author)
    viewer = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    viewer.user_permissions.add(Permission.objects.get(codename="view_audit_trail", content_type__app_label="qms"))
    client.force_login(viewer)
    for view, url in SITE_HISTORY_URLS.items():
        response = client.get(url)
        assert response.status_code == 200, view
        text = text_of(response)
        assert inside.full_name in text, view
        assert outside.full_name not in text, view


@pytest.fixture
def own_token_entry():
    def factory(user):
        token, _plaintext = APIToken.create_token(user=user, name="Benim anahtarım")
        log(token, "wagtail.apitoken.create", user=user)
        return token

    return factory


@pytest.mark.parametrize("role", AUDIT_ROLES)
@pytest.mark.parametrize("view", list(SITE_HISTORY_URLS))
def test_site_history_shows_other_peoples_api_tokens_only_to_user_managers(
    role_client, other, own_token_entry, role, view
):
    client = role_client(role, unit="KSB")
    own_token_entry(client.user)
    response = client.get(SITE_HISTORY_URLS[view])
    assert response.status_code == 200
    text = text_of(response)
    assert "Benim anahtarım" in text, (role, view)
    sees_others = "auth.change_user" in permissions_for(role)
    assert ("Başkasının anahtarı" in text) == sees_others, (role, view)


# --- API tokens: own tokens only, unless the user manages users ------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_token_list_shows_own_tokens_only(role_client, other, own_token_entry, role):
    client = role_client(role, unit="KSB")
    own_token_entry(client.user)
    for name in ("index", "index_results"):
        response = client.get(reverse(f"wagtailusers_api_tokens:{name}"))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Benim anahtarım" in text
        assert ("Başkasının anahtarı" in text) == ("auth.change_user" in permissions_for(role)), (role, name)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_another_users_token_cannot_be_opened_or_revoked(role_client, other, own_token_entry, role, action):
    client = role_client(role, unit="KSB")
    mine = own_token_entry(client.user)
    theirs = other.api_tokens.get()
    assert client.get(reverse(f"wagtailusers_api_tokens:{action}", args=[mine.pk])).status_code == 200

    url = reverse(f"wagtailusers_api_tokens:{action}", args=[theirs.pk])
    manages_users = "auth.change_user" in permissions_for(role)
    response = client.get(url)
    if manages_users:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403, 404), (role, action, response.status_code)
        assert "Başkasının anahtarı" not in response.content.decode()
        client.post(url, {"name": "Ele geçirildi"})
        theirs.refresh_from_db()
        assert theirs.name == "Başkasının anahtarı"
        assert theirs.revoked_at is None


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if "auth.change_user" not in permissions_for(r)])
def test_a_token_cannot_be_created_for_another_user(role_client, other, role):
    client = role_client(role, unit="KSB")
    client.post(reverse("wagtailusers_api_tokens:add"), {"name": "Sahte", "user": other.pk})
    assert not APIToken.objects.filter(name="Sahte").exists()


def test_user_managers_cannot_reach_a_superusers_tokens(role_client):
    boss = get_user_model().objects.create_superuser("kok", "kok@example.org", PASSWORD)
    token, _plaintext = APIToken.create_token(user=boss, name="Kök anahtarı")
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    assert "Kök anahtarı" not in client.get(reverse("wagtailusers_api_tokens:index")).content.decode()
    assert client.get(reverse("wagtailusers_api_tokens:edit", args=[token.pk])).status_code in (302, 403, 404)


# --- users: the management representative creates and edits, never makes a superuser ----------


def new_user_form(**changes) -> dict:
    data = {
        "username": "yeni.kullanici",
        "email": "yeni@example.org",
        "first_name": "Yeni",
        "last_name": "Kullanıcı",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "groups": [Group.objects.get(name=ROLES[Role.STAFF].group_name).pk],
    }
    data.update(changes)
    return data


def edit_user_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "password1": "",
        "password2": "",
        "is_active": "on" if user.is_active else "",
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(changes)
    return data


def test_management_representative_creates_a_user_with_a_role(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    response = client.post(reverse("wagtailusers_users:add"), new_user_form())
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    created = get_user_model().objects.get(username="yeni.kullanici")
    assert list(created.groups.values_list("name", flat=True)) == [ROLES[Role.STAFF].group_name]


def test_management_representative_cannot_create_a_superuser(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    client.post(reverse("wagtailusers_users:add"), new_user_form(is_superuser="on"))
    assert not get_user_model().objects.filter(is_superuser=True).exists()


def test_management_representative_edits_a_user(role_client, other):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    url = reverse("wagtailusers_users:edit", args=[other.pk])
    response = client.post(url, edit_user_form(other, last_name="Yenisoyad"))
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    other.refresh_from_db()
    assert other.last_name == "Yenisoyad"


def test_management_representative_cannot_make_a_user_superuser(role_client, other):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    client.post(reverse("wagtailusers_users:edit", args=[other.pk]), edit_user_form(other, is_superuser="on"))
    other.refresh_from_db()
    assert not other.is_superuser
    assert not get_user_model().objects.filter(is_superuser=True).exists()


def test_the_superuser_box_is_not_offered_to_the_management_representative(role_client, other):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    for url in (reverse("wagtailusers_users:add"), reverse("wagtailusers_users:edit", args=[other.pk])):
        assert 'name="is_superuser"' not in client.get(url).content.decode(), url


def test_management_representative_cannot_take_over_a_superusers_account(role_client):
    boss = get_user_model().objects.create_superuser("kok", "kok@example.org", PASSWORD)
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    url = reverse("wagtailusers_users:edit", args=[boss.pk])
    assert_refused(client.get(url))
    client.post(url, edit_user_form(boss, password1="Ele.gecir.2026!", password2="Ele.gecir.2026!"))
    boss.refresh_from_db()
    assert boss.check_password(PASSWORD)


def bulk_user_action(client, action: str, user, data: dict):
    url = reverse("wagtail_bulk_action", args=["auth", "user", action]) + f"?id={user.pk}"
    return client.post(url, data)


@pytest.mark.parametrize("action", ["set_active_state", "assign_role"])
def test_management_representative_cannot_touch_a_superuser_through_bulk_actions(role_client, make_user, action):
    """The users list's bulk actions are another way in than the edit page: same rule."""
    boss = get_user_model().objects.create_superuser("kok", "kok@example.org", PASSWORD)
    ordinary = make_user(Role.STAFF, unit="FEN", username="siradan")
    auditors = Group.objects.get(name=ROLES[Role.INTERNAL_AUDITOR].group_name)
    data = {"mark_as_active": "False"} if action == "set_active_state" else {"role": auditors.pk}
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")

    bulk_user_action(client, action, ordinary, data)  # the action works on an ordinary account ...
    ordinary.refresh_from_db()
    assert (not ordinary.is_active) if action == "set_active_state" else ordinary.groups.filter(pk=auditors.pk)

    bulk_user_action(client, action, boss, data)  # ... and leaves the superuser alone
    boss.refresh_from_db()
    assert boss.is_active
    assert not boss.groups.exists()


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if not can(r, "users.manage")])
def test_other_roles_cannot_post_users(role_client, other, role):
    client = role_client(role, unit="KSB")
    assert_refused(client.post(reverse("wagtailusers_users:add"), new_user_form(is_superuser="on")))
    assert_refused(
        client.post(reverse("wagtailusers_users:edit", args=[other.pk]), edit_user_form(other, last_name="X"))
    )
    assert not get_user_model().objects.filter(username="yeni.kullanici").exists()
    other.refresh_from_db()
    assert other.last_name == "Kişioğlu"


# --- nothing is deleted: users, staff profiles, units ----------------------------------------


def bulk_delete_url(model, pk) -> str:
    return reverse("wagtail_bulk_action", args=[model._meta.app_label, model._meta.model_name, "delete"]) + f"?id={pk}"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_role_deletes_a_user_a_staff_profile_or_a_unit(role_client, make_user, org, role):
    client = role_client(role, unit="KSB")
    victim = make_user(Role.STAFF, unit="KSB", username="silinmeyecek")
    empty_unit = Unit.objects.create(code="BOŞ", name="Boş Birim", parent=org["ÇÖZM"])
    User = get_user_model()
    targets = [
        (User, victim.pk, reverse("wagtailusers_users:delete", args=[victim.pk])),
        (
            StaffProfile,
            victim.staff_profile.pk,
            reverse("wagtailsnippets_qms_staffprofile:delete", args=[victim.staff_profile.pk]),
        ),
        (Unit, empty_unit.pk, reverse("wagtailsnippets_qms_unit:delete", args=[empty_unit.pk])),
    ]
    for model, pk, url in targets:
        assert_refused(client.get(url), (role, url))
        assert_refused(client.post(url), (role, url))
        client.post(bulk_delete_url(model, pk))
        assert model.objects.filter(pk=pk).exists(), (role, model.__name__)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_delete_button_is_offered(role_client, make_user, org, role):
    """A hidden button is no protection (the URLs above are), but a shown one is a broken promise."""
    client = role_client(role, unit="KSB")
    victim = make_user(Role.STAFF, unit="KSB", username="silinmeyecek")
    pages = [
        reverse("wagtailsnippets_qms_staffprofile:edit", args=[victim.staff_profile.pk]),
        reverse("wagtailsnippets_qms_unit:edit", args=[org["KSB"].pk]),
    ]
    if can(role, "users.manage"):
        pages.append(reverse("wagtailusers_users:edit", args=[victim.pk]))
    delete_urls = [
        reverse("wagtailsnippets_qms_staffprofile:delete", args=[victim.staff_profile.pk]),
        reverse("wagtailsnippets_qms_unit:delete", args=[org["KSB"].pk]),
        reverse("wagtailusers_users:delete", args=[victim.pk]),
    ]
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        text = response.content.decode()
        for url in delete_urls:
            assert url not in text, (role, page, url)
