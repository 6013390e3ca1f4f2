"""The course catalogue: who reads it, who keeps it, the one orientation course, retiring instead of
deleting, search with Turkish letters, and a fixed number of queries whatever the number of courses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from documents.models import DocumentKind, DocumentType
from documents.services import document_create_draft
from qms.roles import ROLES, Role
from training.models import Course
from training.views import plan as plan_views

pytestmark = pytest.mark.django_db

LIST = reverse("training:course_list")
ADD = reverse("training:course_add")


def tr(text: str) -> str:
    """A message as the (Turkish) admin shows it."""
    with translation.override("tr"):
        return translation.gettext(text)


def form_data(**overrides) -> dict:
    data = {
        "code": "EĞT-KVKK", "title": "KVKK Farkındalık Eğitimi", "description": "Kişisel verilerin korunması",
        "duration_hours": "2.0", "trainer_kind": "external", "external_trainer": "Hukuk Müşavirliği",
        "default_trainer": "", "validity_months": "12", "min_sessions_per_year": "0",
    }
    data.update(overrides)
    return data


def login(client, user):
    client.force_login(user)
    return client


def test_the_coordinator_adds_a_course_with_its_targets_and_documents(client, coordinator, org, make_user):
    author = make_user(Role.UNIT_MANAGER, unit="KSB")
    document = document_create_draft(user=author, doc_type=DocumentType.objects.get(kind=DocumentKind.PROCEDURE),
                                     unit=org["KSB"], title="Kişisel Veri İşleme Talimatı", change_summary="İlk")
    agents = Group.objects.get(name=ROLES[Role.AGENT].group_name)
    response = login(client, coordinator).post(ADD, form_data(
        is_mandatory="on", target_roles=[agents.pk], target_units=[org["ÇMŞ"].pk], documents=[document.pk]))
    course = Course.objects.get(code="EĞT-KVKK")
    assert response.status_code == 302 and response["Location"] == reverse("training:course_detail", args=[course.pk])
    assert course.is_mandatory and course.validity_months == 12 and course.is_active
    assert list(course.target_roles.all()) == [agents] and list(course.target_units.all()) == [org["ÇMŞ"]]
    assert list(course.documents.all()) == [document]
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(course.pk), user=coordinator).exists()
    page = client.get(reverse("training:course_detail", args=[course.pk])).content.decode()
    assert "Kişisel Veri İşleme Talimatı" in page and ROLES[Role.AGENT].group_name in page
    assert "Çağrı Merkezi Şefliği" in page


def test_target_roles_are_only_the_portals_roles(client, coordinator):
    other = Group.objects.create(name="Eski Editörler")
    response = login(client, coordinator).post(ADD, form_data(target_roles=[other.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["target_roles"]
    assert not Course.objects.exists()
    offered = {g.name for g in response.context["form"].fields["target_roles"].queryset}
    assert offered == {spec.group_name for spec in ROLES.values()}


def test_a_second_orientation_course_is_refused_naming_the_first(client, coordinator, make_course):
    first = make_course(code="EĞT-ORY", title="Oryantasyon Eğitimi", is_orientation=True, is_active=False)
    response = login(client, coordinator).post(ADD, form_data(is_orientation="on"))
    assert response.status_code == 200
    errors = response.context["form"].errors["is_orientation"]
    assert errors == [tr("“%(course)s” is already the orientation course and there is only one; "
                         "remove the mark from that course first.") % {"course": first}]
    assert Course.objects.count() == 1


def test_an_external_course_names_its_trainer(client, coordinator):
    response = login(client, coordinator).post(ADD, form_data(external_trainer=" "))
    assert response.status_code == 200
    assert "external_trainer" in response.context["form"].errors
    assert not Course.objects.exists()


def test_editing_keeps_the_code_unique_and_logs_the_change(client, coordinator, make_course):
    kvkk = make_course(code="EĞT-KVKK", title="KVKK")
    other = make_course(code="EĞT-İLT", title="İletişim")
    edit = reverse("training:course_edit", args=[other.pk])
    response = login(client, coordinator).post(edit, form_data(code=kvkk.code, title="İletişim"))
    assert response.status_code == 200 and "code" in response.context["form"].errors
    response = client.post(edit, form_data(code="EĞT-İLT", title="Etkili İletişim", trainer_kind="internal",
                                           default_trainer=coordinator.pk, duration_hours="4"))
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.title, other.duration_hours, other.default_trainer, other.external_trainer) == (
        "Etkili İletişim", Decimal("4.0"), coordinator, "")
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(other.pk)).exists()


def test_a_course_is_retired_never_deleted(client, coordinator, make_course):
    course = make_course(title="Eski Santral Eğitimi")
    active_url = reverse("training:course_active", args=[course.pk])
    response = login(client, coordinator).post(active_url, {"active": "0"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert not course.is_active
    assert client.get(LIST).context["rows"] == []
    assert [r["course"] for r in client.get(LIST, {"status": "inactive"}).context["rows"]] == [course]
    assert [r["course"] for r in client.get(LIST, {"status": "all"}).context["rows"]] == [course]
    # Retiring it twice says so; bringing it back works.
    client.post(active_url, {"active": "0"})
    assert Course.objects.filter(pk=course.pk).exists()
    client.post(active_url, {"active": "1"})
    course.refresh_from_db()
    assert course.is_active
    assert not any("delete" in str(pattern.pattern) for pattern in plan_views.urlpatterns)


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR, Role.UNIT_MANAGER])
def test_readers_see_the_catalogue_but_cannot_change_it(client, make_user, make_course, role):
    course = make_course(title="KVKK")
    reader = make_user(role, unit="ÇMŞ")
    login(client, reader)
    assert client.get(LIST).status_code == 200
    assert client.get(reverse("training:course_detail", args=[course.pk])).status_code == 200
    for url in (ADD, reverse("training:course_edit", args=[course.pk])):
        response = client.get(url)
        assert response.status_code == 403
        assert tr("Only the training coordinator keeps the course catalogue.") in response.content.decode()
    assert client.post(ADD, form_data()).status_code == 403
    assert client.post(reverse("training:course_active", args=[course.pk]), {"active": "0"}).status_code == 403
    assert Course.objects.filter(is_active=True).count() == 1


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR])
def test_staff_do_not_open_the_catalogue_screens(client, make_user, make_course, role):
    course = make_course()
    login(client, make_user(role))
    for url in (LIST, reverse("training:course_detail", args=[course.pk])):
        response = client.get(url)
        assert response.status_code == 403, url
        assert tr("You may not see the course catalogue.") in response.content.decode()
    assert client.get(ADD).status_code == 403


def test_the_management_representative_keeps_the_catalogue_too(client, make_user):
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    assert login(client, mr).post(ADD, form_data()).status_code == 302
    assert Course.objects.filter(code="EĞT-KVKK").exists()


def test_search_finds_turkish_letters_in_either_case(client, coordinator, make_course):
    make_course(code="EĞT-KVKK", title="KİŞİSEL VERİLERİN KORUNMASI")
    make_course(code="EĞT-DİK", title="Diksiyon")
    login(client, coordinator)
    page = client.get(LIST, {"q": "kişisel"}).content.decode()
    assert "EĞT-KVKK" in page and "EĞT-DİK" not in page
    assert "EĞT-DİK" in client.get(LIST, {"q": "diksiyon"}).content.decode()


def test_filters_show_mandatory_and_orientation_courses(client, coordinator, make_course):
    make_course(code="EĞT-A", is_mandatory=True)
    make_course(code="EĞT-B", is_orientation=True)
    make_course(code="EĞT-C")
    login(client, coordinator)
    assert [r["course"].code for r in client.get(LIST, {"kind": "mandatory"}).context["rows"]] == ["EĞT-A"]
    assert [r["course"].code for r in client.get(LIST, {"kind": "orientation"}).context["rows"]] == ["EĞT-B"]
    page = client.get(LIST).content.decode()
    assert ">Zorunlu<" in page and ">Oryantasyon<" in page


def _many_courses(count: int, start: int, org, coordinator) -> None:
    agents = Group.objects.get(name=ROLES[Role.AGENT].group_name)
    for i in range(start, start + count):
        course = Course.objects.create(code=f"EĞT-{i:04d}", title=f"Eğitim {i}", external_trainer="Dış",
                                       default_trainer=coordinator, validity_months=12 if i % 2 else None)
        course.target_roles.add(agents)
        course.target_units.add(org["ALO153"])


def test_the_catalogue_runs_the_same_queries_for_10_and_100_courses(client, coordinator, org):
    login(client, coordinator)
    _many_courses(10, 0, org, coordinator)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    _many_courses(90, 10, org, coordinator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 50  # one page
    assert len(many) == len(few)
