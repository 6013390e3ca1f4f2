"""The results page and the yearly analysis PDF: who may see them, that the page shows exactly
`training.queries.evaluation_results` per session, course and trainer, the anonymous comments, the
automatic reading (lowest criterion, response rates below 70 %) and a fixed number of queries."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from qms.roles import Role
from training import services
from training.models import Attendance, Evaluation, Session, SessionState
from training.queries import evaluation_report, evaluation_results

pytestmark = pytest.mark.django_db

YEAR = 2026


def at(month, day=1):
    return timezone.make_aware(datetime(YEAR, month, day, 10))


def rate(session, user, content, trainer, materials, usefulness, comments=""):
    services.evaluation_submit(session=session, user=user, content=content, trainer=trainer, materials=materials,
                               usefulness=usefulness, comments=comments)


def page_url(year=YEAR):
    return reverse("training:evaluation_results_year", args=[year])


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def results(make_user, held_session, make_course):
    """Two courses, three sessions, two trainers; one session with a low response rate."""
    iletisim = make_course(title="Etkili İletişim")
    kvkk = make_course(title="KVKK Farkındalık")
    a = [make_user(Role.AGENT, unit="ALO153", first_name=f"Ayşe{i}", last_name="Çınar") for i in range(4)]
    b = [make_user(Role.AGENT, unit="ALO153", first_name=f"Barış{i}", last_name="Öğüt") for i in range(2)]
    c = [make_user(Role.STAFF, unit="KSB", first_name=f"Cem{i}", last_name="Işık") for i in range(4)]
    s1 = held_session(present=a, course=iletisim, start=at(3))
    s2 = held_session(present=b, course=iletisim, start=at(4), external_trainer="Güneş Danışmanlık")
    s3 = held_session(present=c, course=kvkk, start=at(5))
    rate(s1, a[0], 5, 5, 4, 5, "Örnekler çok iyiydi.")
    rate(s1, a[1], 4, 5, 2, 4)
    rate(s1, a[2], 4, 4, 3, 5, "Salon soğuktu.")
    rate(s2, b[0], 3, 4, 2, 3)
    rate(s2, b[1], 4, 4, 3, 4)
    rate(s3, c[0], 2, 3, 3, 2, "Konu çok hızlı geçildi.")  # 1 of 4: 25 %
    return {"sessions": (s1, s2, s3), "people": a + b + c}


def shown_rows(content: str, table_id: str) -> list[dict]:
    """The figures of a results table as the page shows them (the <data> elements' values)."""
    table = content.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r'<tr data-group="\d+">(.*?)</tr>', table, re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row, re.S).group(1).strip()
        values = {field: value for value, field in re.findall(r'<data value="([^"]+)" data-field="(\w+)">', row)}
        rows.append({"label": label, **values})
    return rows


def expected_rows(group_by: str) -> list[dict]:
    rows = []
    for group in evaluation_results(YEAR, group_by=group_by):
        row = {"label": group["label"], "participants": str(group["participants"]),
               "responses": str(group["responses"])}
        if group_by != "session":
            row["sessions"] = str(group["sessions"])
        if group["response_rate"] is not None:
            row["response_rate"] = str(group["response_rate"])
        for field, value in group["averages"].items():
            if value is not None:
                row[field] = str(value)
        if group["overall"] is not None:
            row["overall"] = str(group["overall"])
        rows.append(row)
    return rows


@pytest.mark.parametrize("group_by, table_id", [("session", "by-session"), ("course", "by-course"),
                                                ("trainer", "by-trainer")])
def test_the_page_shows_exactly_the_aggregation(client, coordinator, results, group_by, table_id):
    client.force_login(coordinator)
    content = text(client.get(page_url()))
    assert shown_rows(content, table_id) == expected_rows(group_by)


def test_comments_are_shown_without_names_and_the_page_says_so(client, coordinator, results):
    client.force_login(coordinator)
    content = text(client.get(page_url()))
    for comment in ("Örnekler çok iyiydi.", "Salon soğuktu.", "Konu çok hızlı geçildi."):
        assert comment in content
    for person in results["people"]:
        assert person.get_full_name() not in content
    with translation.override("tr"):
        assert translation.gettext("Comments (anonymous)") in content
        assert translation.gettext("Evaluations are anonymous: this page shows averages (1 = very poor … 5 = very "
                                   "good) and comments, never the name of the participant who gave them. Response "
                                   "rate = forms returned ÷ participants recorded present.") in content


def test_the_reading_names_the_lowest_criterion_and_flags_low_response(client, coordinator, results):
    s3 = results["sessions"][2]
    client.force_login(coordinator)
    content = text(client.get(page_url()))
    reading = content.split('id="results-reading"', 1)[1].split("</ul>", 1)[0]
    with translation.override("tr"):
        materials = str(Evaluation._meta.get_field("materials_rating").verbose_name)
        assert materials[0].upper() + materials[1:] in reading  # materials: (4+2+3+2+3+3) / 6 = 2.83
        assert s3.code in reading
    by_session = content.split('id="by-session"', 1)[1].split("</table>", 1)[0]
    low_row = [row for row in re.findall(r"<tr data-group.*?</tr>", by_session, re.S) if s3.code in row][0]
    with translation.override("tr"):
        assert translation.gettext("below %(limit)s %%") % {"limit": 70} in low_row or "70" in low_row


def test_the_report_reading_in_english(results):
    with translation.override("en"):
        report = evaluation_report(YEAR)
    reading = " ".join(report["reading"])
    assert "Sessions held: 3; participants present: 10; evaluation forms returned: 6 (response rate 60 %)" in reading
    assert "The lowest-rated criterion is “Materials” (2,83)" in reading
    assert f"below 70 % (1): {results['sessions'][2].code}" in reading
    assert report["lowest"] == "materials_rating"


@pytest.mark.parametrize("role, unit", [(Role.TRAINING_COORDINATOR, "KSB"), (Role.MANAGEMENT_REPRESENTATIVE, "HİŞM"),
                                        (Role.TOP_MANAGEMENT, "HİŞM"), (Role.INTERNAL_AUDITOR, "ÇÖZM"),
                                        (Role.UNIT_MANAGER, "ÇMŞ")])
def test_records_readers_see_the_page_and_the_pdf(client, make_user, results, role, unit):
    client.force_login(make_user(role, unit=unit))
    assert client.get(page_url()).status_code == 200
    response = client.get(reverse("training:evaluation_results_pdf", args=[YEAR]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.QA_EVALUATOR])
def test_staff_agents_and_evaluators_are_refused(client, make_user, results, role):
    client.force_login(make_user(role, unit="ALO153"))
    for url in (reverse("training:evaluation_results"), page_url(),
                reverse("training:evaluation_results_pdf", args=[YEAR])):
        response = client.get(url)
        assert response.status_code == 403
        assert "Örnekler" not in text(response)
        with translation.override("tr"):
            assert translation.gettext("Only the training coordinator, management and unit managers see evaluation "
                                       "results.") in text(response)


def test_the_year_selector_and_bad_years(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("training:evaluation_results"), {"year": "2025"})
    assert response["Location"] == page_url(2025)
    response = client.get(reverse("training:evaluation_results"))
    assert response["Location"] == page_url(timezone.localdate().year)
    assert client.get(page_url(1990)).status_code == 404
    content = text(client.get(page_url(2025)))
    assert "<select" in content and 'for="results-year"' in content


def test_the_pdf_has_the_tables_the_reading_and_no_names(client, coordinator, results):
    client.force_login(coordinator)
    response = client.get(reverse("training:evaluation_results_pdf", args=[YEAR]))
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    pdf_text = " ".join(p.extract_text() for p in reader.pages)
    flat = " ".join(pdf_text.split())
    with translation.override("tr"):
        for msgid in ("Training evaluation analysis %(year)s", "Results by course", "Results by trainer",
                      "Results by session", "Comments (anonymous)"):
            expected = translation.gettext(msgid)
            expected = expected % {"year": YEAR} if "%(year)s" in msgid else expected
            assert " ".join(expected.split()) in flat
    for word in ("Etkili İletişim", "KVKK Farkındalık", "Güneş Danışmanlık", "Salon soğuktu.",
                 results["sessions"][2].code):
        assert word in flat
    for person in results["people"]:
        assert person.get_full_name() not in flat


def bulk_year(course, people, count: int, *, start_number: int) -> None:
    """`count` finalised sessions, each with the people present and half of them evaluating."""
    sessions = Session.objects.bulk_create([
        Session(course=course, year=YEAR, number=start_number + i, state=SessionState.FINALISED,
                starts_at=at(1 + i % 12, 1 + i % 27), ends_at=at(1 + i % 12, 1 + i % 27) + (at(1, 2) - at(1, 1)) / 12,
                finalised_at=timezone.now(), place="Salon", external_trainer=f"Eğitmen {i % 7}", hours=Decimal("2"))
        for i in range(count)])
    Attendance.objects.bulk_create([Attendance(session=s, person=p, status="present", confirmed=True)
                                    for s in sessions for p in people])
    Evaluation.objects.bulk_create([
        Evaluation(session=s, participant=p, content_rating=4, trainer_rating=5, materials_rating=3,
                   usefulness_rating=4, comments=f"Yorum {s.number}")
        for s in sessions for p in people[:1]])


def test_the_page_reads_a_fixed_number_of_queries(client, coordinator, make_course, make_user):
    course = make_course(title="Toplu Eğitim")
    people = [make_user(Role.AGENT, unit="ALO153") for _ in range(2)]
    client.force_login(coordinator)
    client.get(page_url())
    counts = []
    for count, start in ((10, 500), (90, 600)):
        bulk_year(course, people, count, start_number=start)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
