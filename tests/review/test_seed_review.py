"""The demo's management reviews: last year's approved, this year's in preparation, with the open
and overdue action of last year shown in this year's "actions from previous reviews"."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest

from qms import seed as core_seed
from qms.review import seed
from qms.review.models import Action, ActionStatus, AgendaItemKind, Review, ReviewState, Risk, Stakeholder
from qms.review.pack import item_pack

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def seeded():
    core_seed.run(stdout=StringIO())
    seed.run(stdout=StringIO(), today=TODAY)


def test_last_years_review_is_approved_and_this_years_is_in_preparation(seeded):
    last, this = Review.objects.order_by("planned_date")
    assert last.state == ReviewState.APPROVED and last.minutes["chair"] == "Mehmet Kaya"
    assert last.approved_by.username == "sube.muduru"
    assert last.approved_at.date() < TODAY - dt.timedelta(days=300)  # dated back to when it happened
    assert all(item.pack is not None for item in last.items.all())
    assert this.state == ReviewState.PREPARATION and this.planned_date > TODAY
    assert this.period_start == last.period_end + dt.timedelta(days=1)


def test_last_years_actions_are_partly_done_and_one_is_overdue(seeded):
    statuses = sorted(Action.objects.values_list("status", flat=True))
    assert statuses == [ActionStatus.DONE, ActionStatus.DONE, ActionStatus.OPEN]
    assert Action.objects.overdue(TODAY).count() == 1


def test_this_years_pack_lists_last_years_open_action(seeded):
    this = Review.objects.get(state=ReviewState.PREPARATION)
    pack = item_pack(this.items.get(kind=AgendaItemKind.PREVIOUS_ACTIONS))
    open_action = Action.objects.get(status=ActionStatus.OPEN)
    assert open_action.text in str(pack["tables"])


def test_the_registers_are_seeded_and_a_second_run_adds_nothing(seeded):
    before = (Review.objects.count(), Risk.objects.count(), Stakeholder.objects.count(), Action.objects.count())
    assert before[1] >= 8 and before[2] >= 7
    seed.run(stdout=StringIO(), today=TODAY)
    assert (Review.objects.count(), Risk.objects.count(), Stakeholder.objects.count(),
            Action.objects.count()) == before
