"""An account and its staff profile are made on one form (unit and job title on the user form)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms.models import StaffProfile
from qms.roles import ROLES, Role

PASSWORD = "Uzun.bir.parola.2026"


def creation_data(org, **overrides):
    data = {
        "username": "yeni.personel",
        "email": "yeni.personel@example.org",
        "first_name": "Yeni",
        "last_name": "Personel",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "groups": [Group.objects.get(name=ROLES[Role.AGENT].group_name).pk],
        "unit": org["ALO153"].pk,
        "staff_title": "Çağrı Merkezi Temsilcisi",
    }
    data.update(overrides)
    return data


def test_creating_a_user_with_a_unit_creates_the_staff_profile_and_logs_it(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = client.post(reverse("wagtailusers_users:add"), creation_data(org))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    profile = StaffProfile.objects.get(user__username="yeni.personel")
    assert (profile.unit, profile.title) == (org["ALO153"], "Çağrı Merkezi Temsilcisi")
    entry = ModelLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(StaffProfile), object_id=str(profile.pk), action="wagtail.create"
    )
    assert entry.user == client.user


def test_a_service_account_needs_no_unit(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    data = creation_data(org, username="him-entegrasyon", unit="", staff_title="", groups=[])
    assert client.post(reverse("wagtailusers_users:add"), data).status_code == 302
    assert not StaffProfile.objects.filter(user__username="him-entegrasyon").exists()


def test_a_job_title_without_a_unit_is_refused_and_nothing_is_saved(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    response = client.post(reverse("wagtailusers_users:add"), creation_data(org, unit=""))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="yeni.personel").exists()


def test_editing_the_user_moves_the_profile_and_shows_the_current_unit(role_client, org, make_user):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE)
    person = make_user(Role.STAFF, unit="KSB")
    url = reverse("wagtailusers_users:edit", args=[person.pk])
    form = client.get(url).context["form"]
    assert form["unit"].value() == org["KSB"].pk
    data = {
        "username": person.username, "email": person.email, "first_name": person.first_name,
        "last_name": person.last_name, "is_active": "on", "password1": "", "password2": "",
        "groups": [g.pk for g in person.groups.all()], "unit": org["ÇMPK"].pk, "staff_title": "Uzman",
    }
    assert client.post(url, data).status_code == 302
    person.staff_profile.refresh_from_db()
    assert (person.staff_profile.unit, person.staff_profile.title) == (org["ÇMPK"], "Uzman")
