"""The evaluation screens: the recording player, the queue by month, the list's filters and its
downloads, the PDF, the agent's list and the menu."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kpi.callqa import services
from tests.callqa.evaluations_data import assigned, english, kinds, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["english", "kinds"]


@pytest.mark.parametrize(("url", "player"), [
    ("https://kayit.example.org/a/1.wav", True),
    ("/media/kayit/1.wav", True),
    ("javascript:alert(1)", False),
    ("ftp://kayit.example.org/1.wav", False),
    ("", False),
])
def test_the_recording_player(client, centre, url, player):
    evaluation = assigned(centre, centre.agents.a1, centre.users.ev1, recording_url=url)
    client.force_login(centre.users.ev1)
    response = client.get(reverse("callqa:evaluation_score", args=[evaluation.pk]))
    html = response.content.decode()
    assert ("<audio controls" in html) == player
    assert "javascript:" not in html.split("<main", 1)[-1] or not url.startswith("javascript")
    if player:
        assert f'src="{url}"' in html and f'href="{url}"' in html  # the link fallback
    else:
        assert "There is no recording for this call." in html
    csp = response.get("Content-Security-Policy", "")
    assert ("media-src 'self' https://kayit.example.org" in csp) == url.startswith("https://")


def test_scoring_page_shows_guidance_radios_select_and_na(client, centre):
    from kpi.callqa.models import Criterion, ScorecardSection, ScoringType

    card = centre.scorecard
    evaluation = assigned(centre, centre.agents.a1, centre.users.ev1)
    client.force_login(centre.users.ev1)
    html = client.get(reverse("callqa:evaluation_score", args=[evaluation.pk])).content.decode()
    assert "Belediye adı ve temsilci adı söylenir." in html  # guidance
    assert html.count('type="radio"') == 2 + 2 + 5 + 4 + 2  # yes/no, yes/no, 0..4, 0..2 + N/A, yes/no
    assert 'value="na"' in html and "<select" not in html
    assert "Save draft" in html and ">Submit<" in html.replace("</svg>", ">")
    # A long scale is a drop-down (a new card: the frozen one is never changed).
    long_card = card.__class__.objects.create(key="uzun", name="Uzun ölçek")
    section = ScorecardSection.objects.create(scorecard=long_card, order=1, title="Tek")
    Criterion.objects.create(section=section, text="Ayrıntı", scoring=ScoringType.SCALE, scale_max=20)
    other = assigned(centre, centre.agents.a2, centre.users.ev1, card=long_card)
    html = client.get(reverse("callqa:evaluation_score", args=[other.pk])).content.decode()
    assert "<select" in html and html.count("<option") == 22


def test_the_queue_by_month(client, centre):
    u, a = centre.users, centre.agents
    assigned(centre, a.a1, u.ev1, offered_at=dt.datetime(2026, 9, 3, 10, 0))
    draft = assigned(centre, a.a2, u.ev1, offered_at=dt.datetime(2026, 10, 3, 10, 0))
    services.save_draft(draft, {}, {}, "başladım", "", by=u.ev1)
    assigned(centre, a.b1, u.ev2, offered_at=dt.datetime(2026, 10, 4, 10, 0))
    submitted(centre, a.b1, u.ev1, offered_at=dt.datetime(2026, 10, 5, 10, 0))
    client.force_login(u.ev1)
    response = client.get(reverse("callqa:queue"))
    months = {row["key"]: (row["assigned"], row["draft"], row["total"]) for row in response.context["months"]}
    assert months == {"2026-10": (0, 1, 1), "2026-09": (1, 0, 1)}
    assert len(response.context["rows"]) == 2 and response.context["submitted_this_month"] == 1
    october = client.get(reverse("callqa:queue"), {"month": "2026-10"})
    assert [ev.pk for ev in october.context["rows"]] == [draft.pk]
    assert client.get(reverse("callqa:queue"), {"month": "x"}).status_code == 400


def test_the_list_filters_and_downloads(client, centre, kinds):
    client.force_login(centre.users.qa_lead)
    url = reverse("callqa:evaluations")
    rows = lambda **q: {ev.pk for ev in client.get(url, q).context["rows"]}  # noqa: E731
    assert rows() == {e.pk for e in vars(kinds).values()}
    assert rows(agent=centre.agents.b1.pk) == {kinds.b1_submitted.pk}
    assert rows(evaluator=centre.users.ev1.pk, status="draft") == {kinds.a1_draft.pk}
    assert rows(month="2026-09") == set()
    assert client.get(url, {"month": "eylül"}).status_code == 400
    assert client.get(url, {"agent": "abc"}).status_code == 400
    assert client.get(url, {"format": "pdf"}).status_code == 400

    csv = client.get(url, {"format": "csv", "status": "submitted"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Evaluation;Month;Kind;Call;")
    assert len(lines) == 1 + 3 and "Calibration" in text
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    sheet = book.active
    assert sheet.max_row == 1 + 4 and sheet["H2"].value in {"A001", "B001", "A002"}

    # A team lead's filters offer only what they may see.
    client.force_login(centre.users.lead_b)
    response = client.get(url)
    agents = [value for value, _label in response.context["form"].fields["agent"].choices if value]
    assert agents == [centre.agents.b1.pk]
    assert client.get(url, {"agent": centre.agents.a1.pk}).status_code == 400  # not a choice for them


def test_the_pdf(client, centre, kinds):
    client.force_login(centre.users.lead_a)
    response = client.get(reverse("callqa:evaluation_pdf", args=[kinds.a1_submitted.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kurumsal karşılama yapıldı" in text and "Çözüm" in text and "Geri bildirim" in text
    assert kinds.a1_submitted.call.call_id in text


def test_my_evaluations(client, centre, kinds, make_user):
    from qms.roles import Role

    client.force_login(centre.users.a1)
    response = client.get(reverse("callqa:my_evaluations"))
    assert [item["evaluation"].pk for item in response.context["items"]] == [kinds.a1_submitted.pk]
    assert response.context["waiting"] == 1
    assert "Read and respond" in response.content.decode()
    unlinked = make_user(Role.AGENT, unit="ALO153")
    client.force_login(unlinked)
    assert "not linked to an agent profile" in client.get(reverse("callqa:my_evaluations")).content.decode()


def test_menu(client, centre):
    from wagtail import hooks

    from kpi.callqa.menu import MENU_HOOK

    items = {item.name: item for item in (fn() for fn in hooks.get_hooks(MENU_HOOK))}
    expected = {"callqa-queue": 400, "callqa-my-evaluations": 410, "callqa-evaluations": 420,
                "callqa-disputes": 430, "callqa-scorecards": 700}
    assert {name: items[name].order for name in expected} == expected

    class Request:
        def __init__(self, user):
            self.user = user

    shown = {who: {name for name in expected if items[name].is_shown(Request(getattr(centre.users, who)))}
             for who in ("a1", "ev1", "lead_a", "qa_lead", "mr", "top", "staff")}
    assert shown["a1"] == {"callqa-my-evaluations"}
    assert shown["ev1"] == {"callqa-queue", "callqa-scorecards"}
    assert shown["lead_a"] == {"callqa-evaluations", "callqa-scorecards"}
    assert shown["qa_lead"] == {"callqa-queue", "callqa-evaluations", "callqa-disputes", "callqa-scorecards"}
    assert shown["mr"] == {"callqa-evaluations", "callqa-disputes", "callqa-scorecards"}
    assert shown["top"] == shown["staff"] == set()
