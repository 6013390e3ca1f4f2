"""The "nonconformities and corrective actions" item holds the figures the audits app reports for
the review period: DÖFs raised, closed, open at the end, overdue actions (`audits.queries.overdue_actions`),
effectiveness checks; DÖFs outside the period are not counted; the pack is plain JSON; and the
builder's query count does not grow with the number of DÖFs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db.models import Q
from django.urls import reverse

from audits.models import EffectivenessCheck, NCState, Nonconformity, Source
from audits.queries import overdue_actions, start_of_day
from qms.review.models import AgendaItemKind
from qms.review.pack import figure, table
from tests.review.pack_quality_data import (
    AS_OF,
    PERIOD_END,
    PERIOD_START,
    compiled,
    dof_scenario,
    make_cast,
    many_dofs,
    queries_of,
)

pytestmark = pytest.mark.django_db

KIND = AgendaItemKind.NONCONFORMITIES
START, END = start_of_day(PERIOD_START), start_of_day(PERIOD_END + dt.timedelta(days=1))


@pytest.fixture
def cast(make_user, mr):
    return make_cast(make_user, mr)


@pytest.fixture
def scenario(cast, org):
    return dof_scenario(cast, org)


def raw(pack, key):
    found = figure(pack, key)
    assert found is not None, key
    return found["raw"]


def test_the_counts_are_the_audits_apps_for_the_period(review, scenario):
    pack = compiled(review, KIND)

    raised = Nonconformity.objects.filter(raised_at__gte=START, raised_at__lt=END).exclude(state=NCState.REJECTED)
    closed = Nonconformity.objects.filter(state=NCState.CLOSED, closed_at__gte=START, closed_at__lt=END)
    checks = EffectivenessCheck.objects.filter(checked_at__gte=START, checked_at__lt=END)
    assert raw(pack, "dofs_raised") == raised.count() == 4
    assert raw(pack, "dofs_closed") == closed.count() == 1
    assert raw(pack, "dofs_rejected") == 1
    assert raw(pack, "actions_overdue") == overdue_actions(AS_OF).count() == 1
    assert raw(pack, "checks_effective") == checks.filter(effective=True).count() == 1
    assert raw(pack, "checks_not_effective") == checks.filter(effective=False).count() == 1
    # Raised 10 March, closed 20 May (09:00 -> 10:00): 71 days and one hour.
    assert raw(pack, "avg_days_to_close") == 71.0


def test_open_at_the_end_counts_what_was_open_that_day(review, scenario):
    pack = compiled(review, KIND)

    expected = {scenario[name].code for name in ("overdue", "old_open", "closed_after", "ineffective")}
    assert raw(pack, "dofs_open_at_end") == len(expected)
    listed = table(pack, "open_dofs")
    assert {row[0] for row in listed["rows"]} == expected
    # Today's open DÖFs of that time are the module's open() ones, plus the one closed after the end.
    still_open = set(Nonconformity.objects.open().filter(raised_at__lt=END).values_list("code", flat=True))
    assert still_open | {scenario["closed_after"].code} == expected


def test_records_outside_the_period_are_not_counted(review, scenario):
    pack = compiled(review, KIND)

    rows = {row[0]: row[1:] for row in table(pack, "dofs_by_source")["rows"]}
    # The KPI-breach DÖF was raised after the period: no source row counts it.
    assert rows[str(Source.KPI_BREACH.label)] == ["0", "0", "0"]
    # The citizen complaint was raised before the period: open at its end, not raised in it.
    assert rows[str(Source.CITIZEN_COMPLAINT.label)] == ["0", "0", "1"]
    assert rows[str(Source.STAFF_SUGGESTION.label)] == ["2", "1", "1"]
    codes = {row[0] for row in table(pack, "open_dofs")["rows"]}
    assert scenario["later"].code not in codes and scenario["closed_before"].code not in codes


def test_the_tables_add_up_to_the_figures_and_link_each_dof(review, scenario):
    pack = compiled(review, KIND)

    units = table(pack, "dofs_by_unit")
    assert sum(int(row[1]) for row in units["rows"]) == raw(pack, "dofs_raised")
    assert sum(int(row[3]) for row in units["rows"]) == raw(pack, "dofs_open_at_end")
    listed = table(pack, "open_dofs")
    by_code = dict(zip((row[0] for row in listed["rows"]), listed["links"], strict=True))
    nc = scenario["overdue"]
    assert by_code[nc.code] == reverse("audits:nonconformity", args=[nc.pk])
    row = next(row for row in listed["rows"] if row[0] == nc.code)
    assert row[2] == "ALO153"
    assert row[4] == str((AS_OF - dt.date(2026, 4, 1)).days)
    assert {"label": "DÖF listesi", "url": reverse("audits:nonconformities")} in pack["links"]


def test_the_pack_is_json_and_turkish(review, scenario):
    pack = compiled(review, KIND)

    assert json.loads(json.dumps(pack)) == pack
    assert figure(pack, "dofs_raised")["label"] == "Dönem içinde açılan DÖF"
    assert figure(pack, "avg_days_to_close")["value"] == "71,0"


def test_an_empty_period_reports_zero_and_no_average(review):
    pack = compiled(review, KIND)

    assert raw(pack, "dofs_raised") == 0
    assert raw(pack, "avg_days_to_close") is None
    assert figure(pack, "avg_days_to_close")["value"] == "—"
    assert table(pack, "open_dofs")["rows"] == []


def test_the_query_count_does_not_grow_with_the_dofs(review, cast, org, django_assert_num_queries):
    many_dofs(cast, org, 10)
    at_ten = queries_of(review, KIND)
    many_dofs(cast, org, 90)
    assert Nonconformity.objects.filter(~Q(state=NCState.REJECTED)).count() == 80

    with django_assert_num_queries(at_ten):
        pack = compiled(review, KIND)
    assert raw(pack, "dofs_raised") == 80
