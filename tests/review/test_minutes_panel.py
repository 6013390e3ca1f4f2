"""The "Management review" dashboard panel: shown to whoever may view reviews, with the last approved
review, the next planned one, the watchdog's warnings in words and the open action counts, in a
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.review import services
from qms.review.models import Action
from qms.roles import Role

from .conftest import make_ready

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")
PANEL = 'id="review-watchdog-section"'


def panel_html(client) -> str:
    html = client.get(HOME).content.decode()
    assert PANEL in html
    start = html.index(PANEL)
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.MANAGEMENT_REPRESENTATIVE, True),
        (Role.TOP_MANAGEMENT, True),
        (Role.INTERNAL_AUDITOR, True),
        (Role.UNIT_MANAGER, False),
        (Role.STAFF, False),
        (Role.AGENT, False),
        (Role.QA_EVALUATOR, False),
        (Role.TEAM_LEAD, False),
        (Role.TRAINING_COORDINATOR, False),
    ],
)
def test_the_panel_is_shown_to_those_who_may_view_reviews(role_client, role, shown):
    client = role_client(role, unit="HİŞM")
    assert (PANEL in client.get(HOME).content.decode()) is shown


def _approved(make_review, mr, chair, *, held: dt.date, due: dt.date | None = None):
    review = make_review(planned=held, period=(held - dt.timedelta(days=365), held - dt.timedelta(days=30)))
    make_ready(review, held_on=held)
    if due:
        review.actions.create(text="Vardiya planını güncelle", owner=mr, due=due)
    services.submit(review, user=mr)
    services.approve(review, user=chair)
    return review


def test_the_panel_names_the_last_and_the_next_review_and_warns_of_overdue_actions(client, make_review, mr, chair):
    today = timezone.localdate()
    last = _approved(make_review, mr, chair, held=today - dt.timedelta(days=60), due=today - dt.timedelta(days=5))
    coming = make_review(planned=today + dt.timedelta(days=30), title="Gelecek gözden geçirme")
    client.force_login(mr)
    html = panel_html(client)
    assert reverse("review:detail", args=[last.pk]) in html
    assert (today - dt.timedelta(days=60)).strftime("%d.%m.%Y") in html
    assert reverse("review:detail", args=[coming.pk]) in html and "Gelecek gözden geçirme" in html
    assert (today + dt.timedelta(days=30)).strftime("%d.%m.%Y") in html
    assert "Uyarı:" in html
    assert "Onaylanmış yönetimin gözden geçirmelerinden 1 faaliyetin süresi geçti." in html
    assert "1 açık" in html and "1 gecikmiş" in html
    assert 'href="/admin/review/actions/?status=open&amp;overdue=1"' in html
    assert "Son 12 ayda" not in html  # a review was held within the year


def test_the_panel_warns_when_no_review_was_held_in_the_last_twelve_months(client, make_review, mr, chair):
    today = timezone.localdate()
    held = today - dt.timedelta(days=400)
    _approved(make_review, mr, chair, held=held)
    client.force_login(chair)
    html = panel_html(client)
    assert "Uyarı:" in html
    assert f"Son 12 ayda yönetimin gözden geçirmesi yapılmadı (sonuncusu {held:%d.%m.%Y} tarihinde yapıldı)." in html
    assert "Planlanan yok." in html


def test_the_panel_says_when_no_review_was_ever_approved(client, mr):
    client.force_login(mr)
    html = panel_html(client)
    assert "henüz hiç onaylanmış gözden geçirme yok" in html
    assert "Henüz yok." in html


def test_the_panel_has_no_warning_when_all_is_up_to_date(client, make_review, mr, chair):
    today = timezone.localdate()
    _approved(make_review, mr, chair, held=today - dt.timedelta(days=10), due=today + dt.timedelta(days=3))
    client.force_login(mr)
    html = panel_html(client)
    assert "Uyarı:" not in html
    assert "uyarı yok" in html
    assert "1 açık" in html and "0 gecikmiş" in html


def test_the_panel_runs_the_same_queries_for_few_and_many_actions(client, make_review, mr, chair):
    today = timezone.localdate()
    review = _approved(make_review, mr, chair, held=today - dt.timedelta(days=10), due=today - dt.timedelta(days=1))
    client.force_login(mr)
    client.get(HOME)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            panel_html(client)
        return len(queries)

    few = count()
    Action.objects.bulk_create([Action(review=review, text=f"F{n}", owner=mr, due=today - dt.timedelta(days=2))
                                for n in range(99)])
    assert count() == few
