"""The attendance sheet (tutanak) PDF: printed before the session with the session's facts, the
numbered list (name, unit, title, registry number), an empty signature column, blank rows for
walk-ins and the trainer's signature block, all in Turkish letters; after finalising it also
shows each person's attendance."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from training import services
from training.session_pdf import attendance_sheet_pdf

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_sheet_lists_everyone_with_an_empty_signature_column(client, coordinator, listed_session, trainees):
    session = listed_session(place="Çağrı Merkezi Eğitim Salonu")
    client.force_login(coordinator)
    response = client.get(reverse("training:session_pdf", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = _text(response.content)
    assert "Eğitim Katılım Tutanağı" in text
    assert session.code in text and session.course.title in text and "Çağrı Merkezi Eğitim Salonu" in text
    for person in trainees:
        assert person.get_full_name() in text
        assert person.staff_profile.registry_no in text
    assert "Çiğdem Işık" in text and "Şükrü Öğüt" in text
    assert "Çağrı Merkezi Birimi" in text
    assert "İmza" in text and "Sicil No" in text and "Unvan" in text
    assert "Eğitmen" in text and "Dış Eğitim A.Ş." in text
    assert "Katılım" not in text.split("Katılımcılar")[1].split("İmza")[0]  # no attendance column yet
    for number in range(1, 9):  # three people and five blank rows
        assert f"\n{number}" in text or text.startswith(str(number))


def test_after_finalising_the_sheet_shows_the_attendance(coordinator, listed_session, trainees):
    session = listed_session()
    a, b, c = trainees
    services.attendance_record(session=session, user=coordinator,
                               marks={a.pk: "present", b.pk: "absent", c.pk: "excused"})
    session = services.session_finalise(session=session, user=coordinator)
    text = _text(attendance_sheet_pdf(session, user=coordinator))
    assert "Katıldı" in text and "Katılmadı" in text and "Mazeretli" in text


def test_a_long_list_runs_over_pages_with_the_header_repeated(coordinator, make_session, make_user):
    from qms.roles import Role

    session = make_session(capacity=80)
    people = [make_user(Role.AGENT, unit="ALO153", first_name=f"Katılımcı{i:02d}", last_name="Öztürk")
              for i in range(60)]
    services.session_invite(session=session, people=people, user=coordinator)
    pdf = attendance_sheet_pdf(session, user=coordinator)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    text = _text(pdf)
    assert "Katılımcı00 Öztürk" in text and "Katılımcı59 Öztürk" in text
    assert all("İmza" in page.extract_text() for page in reader.pages[:-1])
