"""The unit-tree and staff-list PDFs: who may print them, what they list, and at a fixed query cost."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from qms.models import OrganisationSettings, StaffProfile, Unit
from qms.org_reports import units_queryset
from qms.roles import Role

STAFF_URL = reverse("qms_staff_pdf")
UNITS_URL = reverse("qms_units_pdf")


@pytest.fixture(autouse=True)
def org_settings(db):
    # Created up front so that no request pays for the first `load()` insert.
    return OrganisationSettings.load()


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    # Whitespace-normalised: long cells wrap onto several lines.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def staff_everywhere(make_user):
    """One named person in each unit of the test organisation."""
    people = {}
    for code, first, last in [
        ("HİŞM", "Hülya", "Şahin"),
        ("ÇMŞ", "Çiğdem", "Mutlu"),
        ("ALO153", "Ali", "Öztürk"),
        ("ÇMPK", "Pınar", "Kılıç"),
        ("ÇÖZM", "Özge", "Zorlu"),
        ("KSB", "Kerem", "Sönmez"),
        ("FEN", "Fethi", "Ersoy"),
    ]:
        people[code] = make_user(Role.STAFF, unit=code, first_name=first, last_name=last)
    return people


@pytest.mark.parametrize("role", [Role.AGENT, Role.STAFF])
def test_staff_pdf_refused_without_view_staffprofile(role_client, role):
    assert role_client(role, unit="ALO153").get(STAFF_URL).status_code == 403


def test_units_pdf_refused_without_view_unit(client, org):
    user = get_user_model().objects.create_user("adminonly", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(UNITS_URL).status_code == 403
    assert client.get(STAFF_URL).status_code == 403


@pytest.mark.parametrize("url", [STAFF_URL, UNITS_URL])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_unit_manager_prints_own_subtree_only(role_client, staff_everywhere):
    client = role_client(Role.UNIT_MANAGER, unit="ÇMŞ", first_name="Melek", last_name="Yönetici")
    text = pdf_text(client.get(STAFF_URL))
    for name in ("Çiğdem Mutlu", "Ali Öztürk", "Pınar Kılıç", "Melek Yönetici"):
        assert name in text
    for name in ("Kerem Sönmez", "Hülya Şahin", "Özge Zorlu", "Fethi Ersoy"):
        assert name not in text


def test_scoped_role_without_staff_profile_prints_nobody(role_client, staff_everywhere):
    client = role_client(Role.QA_EVALUATOR, unit=None)
    text = pdf_text(client.get(STAFF_URL))
    for user in staff_everywhere.values():
        assert user.get_full_name() not in text


def test_management_representative_prints_everyone(role_client, staff_everywhere):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    text = pdf_text(client.get(STAFF_URL))
    for user in staff_everywhere.values():
        assert user.get_full_name() in text
    assert "Çağrı Merkezi Performans ve Kalite Birimi" in text  # long unit names wrap, not clip


def test_staff_pdf_shows_hire_date_as_dd_mm_yyyy(role_client, staff_everywhere):
    profile = StaffProfile.objects.get(user=staff_everywhere["KSB"])
    profile.hire_date = "2019-04-03"
    profile.save()
    text = pdf_text(role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(STAFF_URL))
    assert "03.04.2019" in text


def test_staff_pdf_query_count_is_fixed(role_client, make_user, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    units = list(org)
    for i in range(9):
        make_user(Role.STAFF, unit=units[i % len(units)])
    client.get(STAFF_URL)  # warm caches (content types, permissions) outside the measurement
    with CaptureQueriesContext(connection) as ten:
        response = client.get(STAFF_URL)
    assert response.status_code == 200
    assert StaffProfile.objects.count() == 10
    for i in range(90):
        make_user(Role.STAFF, unit=units[i % len(units)])
    with CaptureQueriesContext(connection) as hundred:
        response = client.get(STAFF_URL)
    assert response.status_code == 200
    assert StaffProfile.objects.count() == 100
    assert len(hundred) == len(ten), [q["sql"] for q in hundred.captured_queries]


def test_units_pdf_counts_active_staff_in_one_query(role_client, staff_everywhere, django_assert_num_queries):
    StaffProfile.objects.filter(user=staff_everywhere["KSB"]).update(is_active=False)
    with django_assert_num_queries(1):
        counts = {unit.code: unit.active_staff for unit in units_queryset()}
    assert counts["KSB"] == 0
    assert counts["FEN"] == 1

    client = role_client(Role.AGENT, unit="ALO153")  # every role may see the unit tree
    client.get(UNITS_URL)
    with CaptureQueriesContext(connection) as seven:
        text = pdf_text(client.get(UNITS_URL))
    for unit in Unit.objects.all():
        assert unit.code in text
    Unit.objects.bulk_create(
        [Unit(code=f"EK{i}", name=f"Ek Birim {i}", path=f"{90000000 + i:08d}/") for i in range(30)]
    )
    with CaptureQueriesContext(connection) as more:
        pdf_text(client.get(UNITS_URL))
    assert len(more) == len(seven)


def test_pdf_download_names_the_file_for_every_client(role_client):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(STAFF_URL)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''" in disposition
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize(
    ("index_url", "pdf_url"),
    [("wagtailsnippets_qms_unit:list", UNITS_URL), ("wagtailsnippets_qms_staffprofile:list", STAFF_URL)],
)
def test_index_views_offer_the_pdf(role_client, index_url, pdf_url):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(reverse(index_url))
    assert response.status_code == 200
    assert f'href="{pdf_url}"' in response.content.decode()
