"""The "internal and external audit results" item holds what the audits app reports for the
period: the audits held in it with their findings by type, the programme's completion
(`audits.queries.programme_completion`) and the clause coverage (`audits.queries.clause_coverage`);
audits outside the period are not counted; the builder's query count does not grow with the audits."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audits.models import Finding, FindingKind, Source
from audits.queries import HELD_AUDIT_STATES, audit_date, clause_coverage, programme_completion
from qms.models import Standard
from qms.review.models import AgendaItemKind
from qms.review.pack import figure, table
from tests.review.pack_quality_data import (
    AS_OF,
    PERIOD_END,
    PERIOD_START,
    audit_scenario,
    compiled,
    dof,
    make_cast,
    many_audits,
    place_dof,
    queries_of,
)

pytestmark = pytest.mark.django_db

KIND = AgendaItemKind.AUDITS


@pytest.fixture
def cast(make_user, mr):
    return make_cast(make_user, mr)


@pytest.fixture
def scenario(cast, org):
    return audit_scenario(cast, org)


def raw(pack, key):
    found = figure(pack, key)
    assert found is not None, key
    return found["raw"]


def held_in_period():
    from audits.models import Audit

    return [audit for audit in Audit.objects.all()
            if audit.state in HELD_AUDIT_STATES and PERIOD_START <= audit_date(audit) <= PERIOD_END]


def test_the_audits_held_and_their_findings_are_the_audits_apps(review, scenario):
    pack = compiled(review, KIND)

    held = held_in_period()
    assert {audit.pk for audit in held} == {scenario["reported"].pk, scenario["in_progress"].pk}
    assert raw(pack, "audits_held") == len(held) == 2
    findings = Finding.objects.filter(audit__in=held)
    for kind, key in ((FindingKind.MAJOR, "findings_major"), (FindingKind.MINOR, "findings_minor"),
                      (FindingKind.OBSERVATION, "findings_observation"),
                      (FindingKind.IMPROVEMENT, "findings_improvement")):
        assert raw(pack, key) == findings.filter(kind=kind).count(), key
    assert raw(pack, "findings_improvement") == 2
    assert raw(pack, "findings_major") == 1


def test_programme_completion_is_the_modules(review, scenario):
    pack = compiled(review, KIND)

    completion = programme_completion(2026)
    assert raw(pack, "programme_completion") == completion.percent == 25  # 1 reported of 4 not cancelled
    assert raw(pack, "programme_done") == completion.done
    assert raw(pack, "programme_total") == completion.total
    [row] = table(pack, "programme")["rows"]
    assert row[:4] == ["2026", "4", "1", "%25"]
    assert table(pack, "programme")["links"] == [reverse("audits:programme_year", args=[2026])]


def test_clause_coverage_is_the_modules_on_the_period_end(review, scenario):
    pack = compiled(review, KIND)

    coverage = table(pack, "clause_coverage")
    standards = list(Standard.objects.order_by("code"))
    assert len(coverage["rows"]) == len(standards)
    for row, standard in zip(coverage["rows"], standards, strict=True):
        report = clause_coverage(standard, AS_OF)
        assert row[1:] == [str(report.requirement_clauses), str(report.not_audited)]


def test_audits_outside_the_period_are_not_listed_and_each_links_to_its_file(review, scenario):
    pack = compiled(review, KIND)

    listed = table(pack, "audits_held")
    assert [row[0] for row in listed["rows"]] == [scenario["reported"].code, scenario["in_progress"].code]
    assert listed["links"] == [reverse("audits:audit", args=[scenario[name].pk])
                               for name in ("reported", "in_progress")]
    first = listed["rows"][0]
    assert first[2:6] == ["ÇMŞ", scenario["reported"].lead_auditor.get_full_name(), "12.03.2026", "Raporlandı"]
    assert first[6:] == ["0", "1", "1", "1"]


def test_external_audits_are_counted_from_their_dofs_with_a_note(review, cast, org):
    from tests.review.pack_quality_data import AFTER, IN_PERIOD

    place_dof(dof(cast, org, source=Source.EXTERNAL_AUDIT), raised=IN_PERIOD)
    place_dof(dof(cast, org, source=Source.EXTERNAL_AUDIT), raised=AFTER)
    pack = compiled(review, KIND)

    assert raw(pack, "external_audit_dofs") == 1
    assert any("Dış tetkik" in note for note in pack["notes"])


def test_the_pack_is_json(review, scenario):
    pack = compiled(review, KIND)

    assert json.loads(json.dumps(pack)) == pack
    assert figure(pack, "programme_completion")["value"] == "%25"


def test_the_query_count_does_not_grow_with_the_audits(review, cast, org, django_assert_num_queries):
    many_audits(cast, org, 10)
    at_ten = queries_of(review, KIND)
    many_audits(cast, org, 90)

    with django_assert_num_queries(at_ten):
        pack = compiled(review, KIND)
    assert raw(pack, "audits_held") == 100
    assert raw(pack, "findings_improvement") == Finding.objects.filter(kind=FindingKind.IMPROVEMENT).count() > 100
