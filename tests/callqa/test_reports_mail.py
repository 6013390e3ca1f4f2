"""`manage.py send_callqa_reports`: each team lead gets the team's figures of the month with a link,
each agent with evaluations a link to their report; aggregates and links only, never an agent's
scores or feedback in the mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.callqa.reports_data import october

pytestmark = pytest.mark.django_db


def test_the_monthly_mail(centre, settings):
    october(centre)
    call_command("send_callqa_reports", "--month", "2026-10", stdout=open("/dev/null", "w"))
    by_address = {message.to[0]: message for message in mail.outbox}
    u = centre.users
    assert set(by_address) == {u.lead_a.email, u.lead_b.email, u.a1.email, u.a2.email, u.b1.email}
    lead = by_address[u.lead_a.email]
    assert "Takım A" in lead.subject and "Ekim 2026" in lead.subject
    assert "57,37" in lead.body and f"?team={centre.teams.a.pk}&month=2026-10" in lead.body
    assert "76,49" not in lead.body and "A001" not in lead.body
    agent = by_address[u.a1.email]
    assert reverse("callqa:report_agent", args=[centre.agents.a1.pk, "2026-10"]) in agent.body
    assert "3" in agent.body and "Karşılama" not in agent.body and "76,49" not in agent.body
    assert not mail.outbox[0].attachments


def test_the_month_is_checked(centre):
    with pytest.raises(CommandError):
        call_command("send_callqa_reports", "--month", "2026/10")
    with pytest.raises(CommandError):
        call_command("send_callqa_reports", "--month", "2999-01")
