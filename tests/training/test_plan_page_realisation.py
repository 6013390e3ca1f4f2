"""The plan page shows the realisation the query computes (the arithmetic is tested in
test_plan_realisation.py): at a chosen date, per line, the unplanned sessions and the courses below
their yearly minimum; who may open it; a fixed number of queries whatever the number of lines."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.roles import Role
from training.models import Course, PlanItem, TrainingPlan
from training.queries import plan_realisation, repetition_shortfalls

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1  # a year that is over: every session in it can be held


def at(month, day, hour=10):
    return timezone.make_aware(datetime(YEAR, month, day, hour))


@pytest.fixture
def plan(make_course, held_session, make_user):
    """Feb: KVKK x1 (held), Mar: quality x2 (held once), Sep: diction x1; one session outside the plan."""
    plan = TrainingPlan.objects.create(year=YEAR)
    kvkk = make_course(code="EĞT-KVKK", title="KVKK Farkındalık")
    quality = make_course(code="EĞT-KYS", title="Kalite Yönetim Sistemi", min_sessions_per_year=3)
    diction = make_course(code="EĞT-DİK", title="Diksiyon ve Güzel Konuşma")
    lines = {
        "kvkk": PlanItem.objects.create(plan=plan, course=kvkk, month=2, sessions=1),
        "quality": PlanItem.objects.create(plan=plan, course=quality, month=3, sessions=2),
        "diction": PlanItem.objects.create(plan=plan, course=diction, month=9, sessions=1),
    }
    person = make_user(Role.AGENT, unit="ALO153")
    held_session(present=[person], course=kvkk, plan_item=lines["kvkk"], start=at(2, 10))
    held_session(present=[person], course=quality, plan_item=lines["quality"], start=at(3, 5))
    held_session(present=[person], course=diction, start=at(5, 5))  # not on the plan
    return plan


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))


def test_the_page_shows_the_realisation_at_the_chosen_date(client, plan, coordinator):
    client.force_login(coordinator)
    url = reverse("training:plan_year", args=[YEAR])
    expected = plan_realisation(plan, date(YEAR, 6, 30))
    assert (expected.planned, expected.held, expected.percent) == (3, 2, 67)
    html = client.get(url, {"at": f"{YEAR}-06-30"}).content.decode()
    assert figures(html) == {"planned": "3", "held": "2", "planned-year": "4", "held-year": "2", "unplanned": "1"}
    assert "%67" in html  # Turkish puts the sign first
    assert f"30.06.{YEAR} itibarıyla gerçekleşme: %67 (planlanan 3 oturumun 2 tanesi yapıldı)." in html
    # Without a date: today, when the whole year is due.
    whole = plan_realisation(plan)
    html = client.get(url).content.decode()
    assert figures(html)["planned"] == str(whole.planned) == "4"
    assert whole.percent == 50 and "%50" in html


def test_each_line_shows_planned_held_and_its_state_in_words(client, plan, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("training:plan_year", args=[YEAR]), {"at": f"{YEAR}-06-30"})
    rows = {row.course.code: row for row in response.context["rows"]}
    assert [(c.planned, c.held, c.status) for c in rows["EĞT-KYS"].cells if c.line] == [(2, 1, "partly")]
    assert [(c.planned, c.held, c.status) for c in rows["EĞT-KVKK"].cells if c.line] == [(1, 1, "done")]
    assert [(c.planned, c.held, c.status) for c in rows["EĞT-DİK"].cells if c.line] == [(1, 0, "upcoming")]
    html = response.content.decode()
    grid = html.split('<table class="trp-grid">')[1].split("</table>")[0]
    for words in ("2 planlı", "1 yapıldı", "eksik", "tamam", "sırada"):
        assert words in grid, words  # the state is named, not only coloured
    lines = [(line["item"].course.code, line["status"]["label"]) for line in response.context["lines"]]
    assert lines == [("EĞT-KVKK", "tamam"), ("EĞT-KYS", "eksik"), ("EĞT-DİK", "sırada")]


def test_a_bad_date_falls_back_to_today_with_a_message(client, plan, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("training:plan_year", args=[YEAR]), {"at": "31.02.2025"})
    assert response.status_code == 200
    assert response.context["at"] == timezone.localdate()
    assert response.context["date_form"].errors


def test_courses_below_their_yearly_minimum_are_listed(client, plan, coordinator):
    client.force_login(coordinator)
    shortfalls = repetition_shortfalls(YEAR)
    assert [(s["course"].code, s["held"], s["minimum"]) for s in shortfalls] == [("EĞT-KYS", 1, 3)]
    html = client.get(reverse("training:plan_year", args=[YEAR])).content.decode()
    section = html.split('id="plan-shortfalls"')[1].split("</ul>")[0]
    assert f"Kalite Yönetim Sistemi: {YEAR} yılında 1 kez yapıldı, en az 3 kez gerekli." in section


def test_a_year_without_a_plan_offers_to_create_it_to_the_coordinator_only(client, coordinator, make_user):
    url = reverse("training:plan_year", args=[YEAR + 5])
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert f"{YEAR + 5} yılı için eğitim planı yok." in html
    assert reverse("training:plan_create", args=[YEAR + 5]) in html
    client.force_login(make_user(Role.TOP_MANAGEMENT, unit="HİŞM"))
    html = client.get(url).content.decode()
    assert reverse("training:plan_create", args=[YEAR + 5]) not in html


def test_the_current_year_opens_from_the_menu_link(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("training:plan"))
    assert response["Location"] == reverse("training:plan_year", args=[timezone.localdate().year])


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR,
                                  Role.UNIT_MANAGER])
def test_plan_readers_open_the_plan_without_changing_it(client, plan, make_user, role):
    client.force_login(make_user(role, unit="ÇMŞ"))
    response = client.get(reverse("training:plan_year", args=[YEAR]))
    assert response.status_code == 200
    html = response.content.decode()
    may_change = role == Role.MANAGEMENT_REPRESENTATIVE
    assert (reverse("training:plan_item_add", args=[YEAR]) in html) == may_change
    assert (reverse("training:plan_approve", args=[YEAR]) in html) == may_change


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR])
def test_staff_do_not_see_the_plan(client, plan, make_user, role):
    client.force_login(make_user(role))
    for url in (reverse("training:plan"), reverse("training:plan_year", args=[YEAR]),
                reverse("training:plan_pdf", args=[YEAR])):
        response = client.get(url)
        assert response.status_code == 403
        assert "Eğitim planını görme yetkiniz yok." in response.content.decode()


def _lines(plan, count: int, start: int) -> None:
    courses = Course.objects.bulk_create([
        Course(code=f"EĞT-{i:04d}", title=f"Eğitim {i}", external_trainer="Dış") for i in range(start, start + count)])
    PlanItem.objects.bulk_create([PlanItem(plan=plan, course=c, month=i % 12 + 1, sessions=1 + i % 3)
                                  for i, c in enumerate(courses)])


def test_the_plan_page_runs_the_same_queries_for_10_and_100_lines(client, coordinator):
    plan = TrainingPlan.objects.create(year=YEAR)
    client.force_login(coordinator)
    url = reverse("training:plan_year", args=[YEAR])
    _lines(plan, 10, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _lines(plan, 90, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["lines"]) == 100
    assert len(many) == len(few)
