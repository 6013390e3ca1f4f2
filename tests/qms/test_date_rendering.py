"""Dates in the admin read and are typed as dd.mm.yyyy, in Turkish and in English.

Not the settings (test_date_formats.py) but what a person sees and types: the staff edit form
shows the stored hire date as 01.03.2019, accepts 15.04.2020 back, and the staff list shows it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from qms.models import StaffProfile
from qms.roles import Role
from tests.qms.admin_forms import staff_form

LANGUAGES = ["tr", "en"]


@pytest.fixture
def editor(role_client):
    def factory(language: str):
        client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
        profile = UserProfile.get_for_user(client.user)
        profile.preferred_language = language
        profile.save()
        return client

    return factory


@pytest.fixture
def profile(make_user) -> StaffProfile:
    person = make_user(Role.STAFF, unit="KSB", username="tarihli", first_name="Tarih", last_name="Sınaması")
    person.staff_profile.hire_date = datetime.date(2019, 3, 1)
    person.staff_profile.registry_no = "T-0042"
    person.staff_profile.save()
    return person.staff_profile


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input\b[^>]*\bname="{name}"[^>]*>', html)
    assert tag, f"no input named {name!r} in the form"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def edit_url(profile: StaffProfile) -> str:
    return reverse("wagtailsnippets_qms_staffprofile:edit", args=[profile.pk])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_edit_form_shows_the_hire_date_as_day_month_year(editor, profile, language):
    response = editor(language).get(edit_url(profile))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert input_value(response.content.decode(), "hire_date") == "01.03.2019"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_day_month_year_date_is_saved(editor, profile, language):
    response = editor(language).post(edit_url(profile), staff_form(profile, hire_date="15.04.2020"))
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    profile.refresh_from_db()
    assert profile.hire_date == datetime.date(2020, 4, 15)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_month_first_date_is_not_silently_swapped(editor, profile, language):
    """04/15/2020 (the US order) is refused, not stored as some other day."""
    response = editor(language).post(edit_url(profile), staff_form(profile, hire_date="04/15/2020"))
    assert response.status_code == 200
    assert "hire_date" in response.context["form"].errors
    profile.refresh_from_db()
    assert profile.hire_date == datetime.date(2019, 3, 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_list_shows_the_saved_date_as_day_month_year(editor, profile, language):
    client = editor(language)
    client.post(edit_url(profile), staff_form(profile, hire_date="15.04.2020"))
    for name in ("list", "list_results"):
        response = client.get(reverse(f"wagtailsnippets_qms_staffprofile:{name}"))
        assert response.status_code == 200
        text = response.content.decode()
        assert profile.full_name in text
        assert "15.04.2020" in text, name
        assert "2020-04-15" not in text and "April 15, 2020" not in text and "15 Nisan 2020" not in text
