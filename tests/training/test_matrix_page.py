"""The competence matrix page: who may open it, whose people it lists (the reader's unit scope,
narrowed by the unit filter, never widened), what each cell says in words, the compliance by unit
and by course, and a query count that does not grow with the number of people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.roles import ROLES, Role

pytestmark = pytest.mark.django_db

URL = reverse("training:matrix")
READERS = [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR, Role.TRAINING_COORDINATOR,
           Role.UNIT_MANAGER]
REFUSED = [Role.AGENT, Role.STAFF, Role.QA_EVALUATOR]


@pytest.fixture
def catalogue(make_course):
    """KVKK (everyone, 12 months) and ALO 153 standards (agents in ÇMŞ, 12 months)."""
    kvkk = make_course(code="KVKK-01", title="KVKK Farkındalık", is_mandatory=True, validity_months=12)
    alo = make_course(code="ALO-01", title="ALO 153 Standartları", is_mandatory=True, validity_months=12)
    alo.target_roles.set([Group.objects.get(name=ROLES[Role.AGENT].group_name)])
    make_course(code="İLT-01", title="Diksiyon")  # not mandatory: not in the matrix
    return {"kvkk": kvkk, "alo": alo}


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


@pytest.mark.parametrize("role", REFUSED)
def test_the_matrix_is_refused_to_roles_without_training_records(role_client, role):
    response = role_client(role, unit="ALO153").get(URL)
    assert response.status_code == 403


@pytest.mark.parametrize("role", READERS)
def test_the_matrix_opens_for_those_who_follow_training_records(role_client, role, catalogue):
    response = role_client(role, unit="ÇMŞ").get(URL)
    assert response.status_code == 200
    assert "KVKK-01" in response.content.decode()


def test_each_cell_says_its_state_in_words_with_its_date(role_client, make_user, catalogue, held_session):
    agent = make_user(Role.AGENT, unit="ALO153", first_name="Burak", last_name="Öztürk")
    expired = make_user(Role.AGENT, unit="ALO153", first_name="Zehra", last_name="Önal")
    held_session(present=[agent], course=catalogue["kvkk"], start=days_ago(350))
    held_session(present=[expired], course=catalogue["kvkk"], start=days_ago(400))
    held_session(present=[agent, expired], course=catalogue["alo"], start=days_ago(10))
    html = role_client(Role.INTERNAL_AUDITOR, unit="KSB").get(URL).content.decode()
    rows = {name: html[html.index(name):] for name in ("Burak Öztürk", "Zehra Önal")}
    assert "Süresi yakında doluyor" in rows["Burak Öztürk"][:1500]  # KVKK of 350 days ago expires within 30 days
    assert "Süresi doldu" in rows["Zehra Önal"][:1500]
    assert timezone.localdate(days_ago(10)).strftime("%d.%m.%Y") in rows["Burak Öztürk"][:1500]  # ALO: its date
    # People: a compliant verdict, or the number of gaps.
    assert "Hayır: 1 eksik" in rows["Zehra Önal"][:2500]


def test_a_required_course_never_taken_is_due_and_a_course_not_required_is_marked_so(
        role_client, make_user, catalogue):
    make_user(Role.STAFF, unit="KSB", first_name="İbrahim", last_name="Arslan")
    html = role_client(Role.INTERNAL_AUDITOR, unit="KSB").get(URL).content.decode()
    row = html[html.index("İbrahim Arslan"):]
    row = row[:row.index("</tr>")]
    assert "Alınmadı" in row  # KVKK is due
    assert "Gerekli değil" in row  # ALO 153 standards are for agents only


def test_compliance_by_unit_and_by_course_and_overall(role_client, make_user, catalogue, held_session):
    done = make_user(Role.AGENT, unit="ALO153")
    missing = make_user(Role.AGENT, unit="ALO153")
    clerk = make_user(Role.STAFF, unit="ÇÖZM")
    held_session(present=[done, clerk], course=catalogue["kvkk"], start=days_ago(20))
    held_session(present=[done], absent=[missing], course=catalogue["alo"], start=days_ago(20))
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    response = client.get(URL)
    report = response.context["report"]
    units = {row.unit.code: (row.people, row.compliant, row.percent) for row in report.matrix.units}
    assert units["ALO153"] == (2, 1, 50)
    assert units["ÇÖZM"] == (1, 1, 100)
    assert units["KSB"] == (1, 0, 0)  # the coordinator who recorded the sessions has no KVKK
    courses = {row.course.code: (row.required, row.compliant, row.due, row.percent) for row in report.course_rows}
    # KVKK: the three people, the coordinator and the reader (in HİŞM) must have it; two do.
    assert courses["KVKK-01"] == (5, 2, 3, 40)
    assert courses["ALO-01"] == (2, 1, 1, 50)
    html = response.content.decode()
    assert "Birimlere göre zorunlu eğitim uyumu" in html and "Eğitimlere göre zorunlu eğitim uyumu" in html
    assert report.matrix.percent == 40  # `done` and the clerk, of five


def test_the_roles_table_shows_which_role_needs_which_course(role_client, catalogue):
    response = role_client(Role.TRAINING_COORDINATOR, unit="KSB").get(URL)
    rows = {row["role"]: row["cells"] for row in response.context["role_rows"]}
    courses = [c.code for c in response.context["courses"]]
    assert courses == ["ALO-01", "KVKK-01"]
    assert rows[ROLES[Role.AGENT].group_name] == [True, True]
    assert rows[ROLES[Role.STAFF].group_name] == [False, True]


def test_a_unit_manager_sees_their_units_only(client, make_user, catalogue):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    make_user(Role.AGENT, unit="ALO153", first_name="Ayşe", last_name="Kaya")
    make_user(Role.STAFF, unit="KSB", first_name="Mehmet", last_name="Uzak")
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert "Ayşe Kaya" in html
    assert "Mehmet Uzak" not in html
    units = [u.code for u in client.get(URL).context["form"].units]
    assert "KSB" not in units and {"ÇMŞ", "ALO153"} <= set(units)


def test_the_unit_filter_narrows_to_a_subtree(role_client, make_user, org, catalogue):
    make_user(Role.AGENT, unit="ALO153", first_name="Ayşe", last_name="Kaya")
    make_user(Role.STAFF, unit="KSB", first_name="Mehmet", last_name="Uzak")
    client = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM")
    html = client.get(URL, {"unit": org["ÇMŞ"].pk}).content.decode()
    assert "Ayşe Kaya" in html and "Mehmet Uzak" not in html


def test_a_unit_outside_the_scope_is_refused_by_the_filter_not_shown(client, make_user, org, catalogue):
    manager = make_user(Role.UNIT_MANAGER, unit="ÇMŞ")
    make_user(Role.STAFF, unit="KSB", first_name="Mehmet", last_name="Uzak")
    client.force_login(manager)
    response = client.get(URL, {"unit": org["KSB"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mehmet Uzak" not in html
    assert "Görebildiğiniz birimlerden birini seçin" in html


def test_only_people_with_gaps(role_client, make_user, catalogue, held_session):
    done = make_user(Role.STAFF, unit="KSB", first_name="Tam", last_name="Uyumlu")
    make_user(Role.STAFF, unit="KSB", first_name="Eksik", last_name="Kişi")
    held_session(present=[done], course=catalogue["kvkk"], start=days_ago(5))
    client = role_client(Role.INTERNAL_AUDITOR, unit="ÇÖZM")
    html = client.get(URL, {"gaps": "on"}).content.decode()
    assert "Eksik Kişi" in html and "Tam Uyumlu" not in html


def test_no_mandatory_course_says_what_to_do(role_client):
    html = role_client(Role.TRAINING_COORDINATOR, unit="KSB").get(URL).content.decode()
    assert "zorunlu olarak işaretleyin" in html


def _people(make_user, n: int, start: int):
    return [make_user(Role.AGENT if i % 2 else Role.STAFF, unit="ALO153" if i % 2 else "KSB",
                      username=f"kisi{start + i}") for i in range(n)]


def test_the_query_count_does_not_grow_with_people(role_client, make_user, catalogue, held_session):
    client = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM")
    people = _people(make_user, 10, 0)
    held_session(present=people, course=catalogue["kvkk"], start=days_ago(30))
    client.get(URL)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(URL).status_code == 200
    more = _people(make_user, 90, 100)
    held_session(present=more, course=catalogue["alo"], start=days_ago(30), capacity=200)
    with CaptureQueriesContext(connection) as hundred:
        response = client.get(URL)
    assert len(response.context["rows"]) >= 100
    assert len(hundred) == len(ten), [q["sql"] for q in hundred.captured_queries]
