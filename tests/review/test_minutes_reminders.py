"""The management-review reminders and watchdog: an action of approved minutes is reminded to its
owner from the notice period before its due date and every day once overdue, until done; nothing
for done or cancelled actions or for actions of minutes not approved. The management
representatives are warned when no review was held within the interval (with the last one's date,
or "none ever") and when approved reviews left actions overdue. Dates are relative to a fixed day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qms.reminders import collect
from qms.review import services, watchdog
from qms.review.models import Action
from qms.review.reminders import action_due, review_watchdog
from qms.roles import Role

from .conftest import make_ready

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 12, 31)  # the approved_review fixture's action
HELD = dt.date(2026, 11, 20)  # ... and its meeting


def texts(reminders, language="en") -> list[str]:
    with translation.override(language):
        return [str(r.title) for r in reminders]


def test_an_action_is_reminded_from_the_notice_period_before_it_falls_due(approved_review, mr, settings):
    settings.QMS_REVIEW_ACTION_NOTICE_DAYS = 7
    assert list(action_due(today=DUE - dt.timedelta(days=8), users=None)) == []
    [reminder] = action_due(today=DUE - dt.timedelta(days=7), users=None)
    assert reminder.user_id == mr.pk and reminder.due == DUE and not reminder.overdue
    assert reminder.url == reverse("review:my_actions")
    [text] = texts([reminder])
    assert text.startswith("Management review action of YGG-2026-1 is due on 31.12.2026: Çağrı karşılama oranını")


def test_an_overdue_action_is_reminded_every_day_until_done(approved_review, mr):
    for days in (1, 30, 365):
        [reminder] = action_due(today=DUE + dt.timedelta(days=days), users=None)
        assert reminder.overdue and reminder.user_id == mr.pk
    [text] = texts(action_due(today=DUE + dt.timedelta(days=1), users=None), "tr")
    assert "YGG-2026-1" in text and "süresi geçti" in text and "31.12.2026" in text


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_done_or_cancelled_actions_are_not_reminded(approved_review, mr, status):
    services.set_action_status(approved_review.actions.get(), user=mr, status=status, note="Tamamlandı.")
    assert list(action_due(today=DUE + dt.timedelta(days=1), users=None)) == []


def test_actions_of_minutes_not_approved_are_not_reminded(review, mr, chair):
    make_ready(review)
    review.actions.create(text="Taslak faaliyet", owner=mr, due=DUE)
    assert list(action_due(today=DUE, users=None)) == []
    services.submit(review, user=mr)
    assert list(action_due(today=DUE, users=None)) == []
    services.approve(review, user=chair)
    assert len(action_due(today=DUE, users=None)) == 1


def test_an_inactive_owner_is_not_reminded(approved_review, mr):
    get_user_model().objects.filter(pk=mr.pk).update(is_active=False)
    assert list(action_due(today=DUE, users=None)) == []


def test_the_owner_rule_is_limited_to_the_users_asked_for(approved_review, mr, chair):
    User = get_user_model()
    assert list(action_due(today=DUE, users=User.objects.filter(pk=chair.pk))) == []
    assert len(action_due(today=DUE, users=User.objects.filter(pk=mr.pk))) == 1


def test_the_owner_rule_runs_one_query_whatever_the_number_of_actions(review, mr, chair, make_user):
    owners = [make_user(Role.STAFF) for _ in range(5)]
    make_ready(review)
    for n in range(20):
        review.actions.create(text=f"Faaliyet {n}", owner=owners[n % 5], due=DUE - dt.timedelta(days=n))
    services.submit(review, user=mr)
    services.approve(review, user=chair)
    with CaptureQueriesContext(connection) as queries:
        reminders = action_due(today=DUE, users=None)
    assert len(reminders) == 20 and len(queries) == 1


def test_the_rules_are_in_the_registry(approved_review, mr):
    collected = collect(today=DUE + dt.timedelta(days=1))
    rules = {r.rule for r in collected.get(mr.pk, [])}
    assert "review.action_due" in rules and "review.watchdog" in rules  # mr owns the action and manages reviews
    assert not collected.failures


# --- the watchdog ----------------------------------------------------------------------------------


def test_a_review_held_within_the_interval_raises_no_warning(approved_review, settings):
    settings.QMS_REVIEW_INTERVAL_MONTHS = 12
    seen = watchdog.watch(dt.date(2027, 11, 20))  # exactly twelve months after the meeting
    assert not seen.review_overdue and seen.no_review_warning is None
    assert seen.last_review.pk == approved_review.pk and seen.last_review.day == HELD


def test_no_review_in_the_last_twelve_months_is_a_warning_with_the_last_date(approved_review, mr, settings):
    settings.QMS_REVIEW_INTERVAL_MONTHS = 12
    services.set_action_status(approved_review.actions.get(), user=mr, status="done", note="Yapıldı.")
    today = dt.date(2027, 11, 21)
    seen = watchdog.watch(today)
    assert seen.review_overdue and seen.review_due_since == dt.date(2027, 11, 20)
    with translation.override("en"):
        assert str(seen.warnings[0]) == ("No management review has been held in the last 12 months "
                                         "(the last one was held on 20.11.2026).")
    reminders = [r for r in review_watchdog(today=today, users=None) if r.user_id == mr.pk]
    assert len(reminders) == 1 and reminders[0].overdue and reminders[0].due == dt.date(2027, 11, 20)
    assert reminders[0].url == reverse("review:list")
    assert "20.11.2026" in texts(reminders, "tr")[0]


def test_never_a_review_is_a_warning(review, mr):
    seen = watchdog.watch(dt.date(2026, 11, 26))  # the fixture review is only in preparation
    assert seen.review_overdue and seen.last_review is None
    assert seen.next_review.pk == review.pk and seen.next_review.day == dt.date(2026, 11, 20)
    with translation.override("en"):
        assert "none has ever been approved" in str(seen.warnings[0])
    [reminder] = [r for r in review_watchdog(today=dt.date(2026, 11, 26), users=None) if r.user_id == mr.pk]
    assert reminder.due is None


def test_a_correction_does_not_count_as_the_next_planned_review(approved_review, mr):
    services.start_correction(approved_review, user=mr, reason="Yazım hatası")
    assert watchdog.watch(dt.date(2026, 11, 26)).next_review is None


def test_overdue_actions_of_approved_reviews_are_a_warning_to_the_management_representatives(
        approved_review, mr, chair, make_user):
    other_mr = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    today = DUE + dt.timedelta(days=10)
    seen = watchdog.watch(today)
    assert (seen.open_actions, seen.overdue_actions, seen.oldest_overdue) == (1, 1, DUE)
    with translation.override("en"):
        assert [str(w) for w in seen.warnings] == ["1 action from approved management reviews is overdue."]
    reminders = review_watchdog(today=today, users=None)
    assert {r.user_id for r in reminders} == {mr.pk, other_mr.pk}  # not the chair
    assert all(r.overdue and r.due == DUE for r in reminders)
    assert all(r.url == reverse("review:actions") + "?status=open&overdue=1" for r in reminders)
    assert chair.pk not in {r.user_id for r in reminders}


def test_done_actions_and_actions_of_unapproved_reviews_raise_no_warning(approved_review, make_review, mr):
    services.set_action_status(approved_review.actions.get(), user=mr, status="done", note="Yapıldı.")
    draft = make_review(planned=dt.date(2027, 11, 20))
    draft.actions.create(text="Taslak", owner=mr, due=dt.date(2020, 1, 1))
    seen = watchdog.watch(DUE + dt.timedelta(days=10))
    assert seen.overdue_actions == 0 and seen.warnings == []


def test_the_watchdog_runs_three_queries_whatever_the_numbers(approved_review, mr, chair):
    Action.objects.bulk_create([Action(review=approved_review, text=f"F{n}", owner=mr, due=dt.date(2026, 1, 1))
                                for n in range(50)])
    with CaptureQueriesContext(connection) as queries:
        seen = watchdog.watch(DUE)
    assert len(queries) == 3 and seen.overdue_actions == 50
    with CaptureQueriesContext(connection) as queries:
        list(review_watchdog(today=DUE, users=None))
    assert len(queries) == 4


def test_the_watchdog_rule_is_limited_to_the_users_asked_for(approved_review, mr, chair):
    User = get_user_model()
    today = dt.date(2028, 1, 1)
    assert review_watchdog(today=today, users=User.objects.filter(pk=chair.pk)) == []
    assert {r.user_id for r in review_watchdog(today=today, users=User.objects.filter(pk=mr.pk))} == {mr.pk}


def test_months_before_keeps_the_day_or_the_months_last_day():
    assert watchdog.months_before(dt.date(2026, 11, 26), 12) == dt.date(2025, 11, 26)
    assert watchdog.months_before(dt.date(2028, 2, 29), 12) == dt.date(2027, 2, 28)
    assert watchdog.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert watchdog.months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)
