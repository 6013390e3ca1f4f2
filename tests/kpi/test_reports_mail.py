"""`manage.py send_unit_scorecards`: each active unit that answers requests sends its scorecard PDF
to each of its unit managers (one message per manager, in their language), and to nobody else."""

from __future__ import annotations

import io
from io import BytesIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from kpi.scorecards import month_label, previous_month
from qms.models import StaffProfile
from qms.roles import Role
from tests.kpi.reports_data import scorecard_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers(make_user, kpi_units, make_requests):
    make_requests(scorecard_rows())
    fen = [make_user(Role.UNIT_MANAGER, unit="FEN", email=f"fen{n}@example.org") for n in (1, 2)]
    park = make_user(Role.UNIT_MANAGER, unit=None, email="park@example.org")
    StaffProfile.objects.create(user=park, unit=kpi_units["PARK"], title="Daire Başkanı")
    # Nobody else: a colleague without the role, a manager who left, a manager of a unit that
    # answers no requests, a manager whose staff profile is closed.
    make_user(Role.STAFF, unit="FEN", email="staff@example.org")
    make_user(Role.UNIT_MANAGER, unit="FEN", email="gone@example.org", is_active=False)
    make_user(Role.UNIT_MANAGER, unit="KSB", email="ksb@example.org")
    closed = make_user(Role.UNIT_MANAGER, unit="FEN", email="closed@example.org")
    StaffProfile.objects.filter(user=closed).update(is_active=False)
    return {"FEN": fen, "PARK": [park]}


def pdf_text(content: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).split())


def test_one_mail_per_unit_manager_with_the_unit_scorecard_attached(managers):
    out = io.StringIO()
    call_command("send_unit_scorecards", "--month", "2026-03", stdout=out)
    assert sorted(m.to[0] for m in mail.outbox) == ["fen1@example.org", "fen2@example.org", "park@example.org"]
    assert "ulaşılan birim sayısı 2, gönderilen ileti sayısı 3" in out.getvalue()
    by_address = {m.to[0]: m for m in mail.outbox}
    fen = by_address["fen1@example.org"]
    assert fen.subject == "Birim karnesi: Fen İşleri Dairesi Başkanlığı, Mart 2026"
    assert "Fen İşleri Dairesi Başkanlığı birimine ait Mart 2026 birim karnesi ektedir." in fen.body
    assert f"/admin/kpi/scorecards/{managers['FEN'][0].staff_profile.unit_id}/2026-03/" in fen.body
    [(name, content, mimetype)] = fen.attachments
    assert (name, mimetype) == ("Birim karnesi FEN 2026-03.pdf", "application/pdf")
    text = pdf_text(content)
    assert "Birim karnesi: Fen İşleri Dairesi Başkanlığı, Mart 2026" in text
    assert "%50,0" in text and "104,3" in text
    park = by_address["park@example.org"]
    [(name, content, _mimetype)] = park.attachments
    assert name == "Birim karnesi PARK 2026-03.pdf"
    park_text = pdf_text(content)
    assert "Park ve Bahçeler Dairesi Başkanlığı" in park_text and "Fen İşleri" not in park_text.split("Daire")[0]


def test_the_default_month_is_the_previous_one(managers):
    call_command("send_unit_scorecards", stdout=io.StringIO())
    month = previous_month(timezone.localdate())
    assert len(mail.outbox) == 3
    assert all(m.subject.endswith(month_label(month)) for m in mail.outbox)


def test_a_bad_or_future_month_is_refused(managers):
    with pytest.raises(CommandError):
        call_command("send_unit_scorecards", "--month", "mart", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("send_unit_scorecards", "--month", f"{timezone.localdate().year + 1}-01", stdout=io.StringIO())
    assert mail.outbox == []
