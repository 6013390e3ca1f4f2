"""Turkish by default, English when the person chooses it in their account settings."""

from wagtail.users.models import UserProfile

from qms.roles import Role


def test_portal_is_turkish_by_default(role_client, org):
    client = role_client(Role.STAFF)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert '<html lang="tr"' in response.content.decode()


def test_english_preference_applies_to_admin_and_response_language(role_client, org):
    client = role_client(Role.STAFF)
    profile = UserProfile.get_for_user(client.user)
    profile.preferred_language = "en"
    profile.save()
    response = client.get("/admin/")
    assert '<html lang="en"' in response.content.decode()
    assert response.headers["Content-Language"] == "en"
