"""Agenda item 1, "status of actions from previous reviews": an action of last year's approved
review still open appears by itself in this year's item (overdue in words), so do the ones done or
cancelled during this year's period; one closed before the period, actions of reviews not
approved or planned later, and the review's own earlier versions do not."""

# ruff: noqa: F811 (the fixtures are imported from meetings_data and named as arguments)

from __future__ import annotations

import datetime as dt

import pytest

from audits.models import Source
from audits.services import raise_nonconformity
from qms.review import services
from qms.review.models import Action, AgendaItemKind
from qms.review.pack import compile_item, figure, table

from .conftest import make_ready
from .meetings_data import approved, detail, last_year  # noqa: F401

pytestmark = pytest.mark.django_db

KIND = AgendaItemKind.PREVIOUS_ACTIONS


def _codes(pack) -> list[str]:
    found = table(pack, "previous_actions")
    return [row[0] for row in found["rows"]] if found else []


def _row(pack, action) -> list[str]:
    return next(row for row in table(pack, "previous_actions")["rows"] if row[0] == action.code)


def test_open_and_in_period_actions_of_last_years_review_appear(review, last_year):
    pack = compile_item(review, KIND)
    named = last_year.named
    assert _codes(pack) == [named["open_"].code, named["done_in"].code, named["cancelled"].code]
    assert figure(pack, "open_actions")["raw"] == 1
    overdue = figure(pack, "overdue_actions")
    assert (overdue["raw"], overdue["target"], overdue["status"]) == (1, "0", "missed")
    assert figure(pack, "done_in_period")["raw"] == 1
    assert figure(pack, "cancelled_actions")["raw"] == 1
    open_row = _row(pack, named["open_"])
    assert open_row[1] == "YGG-2025-1"
    assert "31.12.2025" in open_row[5] and "gecikmiş" in open_row[5]  # overdue, in words
    done_row = _row(pack, named["done_in"])
    assert (done_row[6], done_row[7]) == ("10.03.2026", "Güncellendi.")
    links = table(pack, "previous_actions")["links"]
    assert links[0] == detail(last_year) + "#actions"


def test_an_action_cancelled_before_the_period_is_left_out(review, last_year):
    cancelled = last_year.named["cancelled"]
    Action.objects.filter(pk=cancelled.pk).update(completed_on=dt.date(2025, 12, 5))  # closed before the period
    pack = compile_item(review, KIND)
    assert cancelled.code not in _codes(pack)
    assert figure(pack, "cancelled_actions")["raw"] == 0


def test_actions_of_reviews_not_approved_or_planned_later_are_not_previous(review, last_year, make_review, mr, chair):
    draft = make_review(title="Taslak", period=(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), planned=dt.date(2025, 7, 1))
    Action.objects.create(review=draft, text="Taslak faaliyet", owner=mr, due=dt.date(2025, 8, 1))
    later = approved(make_review(title="Sonraki", planned=dt.date(2026, 12, 15)), mr, chair)
    codes = _codes(compile_item(review, KIND))
    assert not any(code.startswith(draft.code) for code in codes)
    assert not any(code.startswith(later.code) for code in codes)


def test_a_correction_does_not_report_on_its_own_earlier_version(review, mr, chair):
    approved(review, mr, chair)
    correction = services.start_correction(review, user=mr, reason="Yazım hatası")
    pack = compile_item(correction, KIND)
    assert _codes(pack) == []
    assert figure(pack, "open_actions")["raw"] == 0


def test_a_dof_raised_from_an_earlier_action_is_linked(review, last_year, mr, org):
    action = last_year.named["open_"]
    services.raise_dof_for_action(action, user=mr, unit=org["ALO153"])
    action.refresh_from_db()
    pack = compile_item(review, KIND)
    assert _row(pack, action)[8] == action.nonconformity.code
    assert any(link["label"].startswith(action.nonconformity.code) for link in pack["links"])


def test_the_item_on_the_next_reviews_page_lists_the_open_action(client, review, last_year, mr, chair):
    make_ready(review)
    client.force_login(chair)
    html = client.get(detail(review)).content.decode()
    assert last_year.named["open_"].text in html
    assert last_year.named["done_before"].text not in html


def test_no_earlier_review_gives_an_empty_table_and_a_note(review):
    pack = compile_item(review, KIND)
    assert pack["tables"] == [] and figure(pack, "open_actions")["raw"] == 0
    assert len(pack["notes"]) == 2


def test_a_new_dof_is_not_an_action(review, last_year, mr, org):
    raise_nonconformity(source=Source.STAFF_SUGGESTION, title="DÖF", description="x", unit=org["FEN"], raised_by=mr)
    assert len(_codes(compile_item(review, KIND))) == 3
