"""The register's arithmetic: score = likelihood × impact, the 5x5 level bands, and the numbers
R-001 (risk), F-001 (opportunity), P-001 (stakeholder) counted per prefix."""

# ruff: noqa: F811 (the register fixtures are imported from registers_data and named as arguments)

import pytest

from qms.review.models import RISK_LEVEL_LABELS, Risk, RiskKind, risk_level
from qms.review.sections.registers import LEVEL_SCORES, at_level

from .registers_data import auditor, make_risk, make_stakeholder  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_score_is_likelihood_times_impact_and_follows_an_edit(make_risk):
    risk = make_risk(likelihood=3, impact=4)
    assert risk.score == 12
    risk.likelihood = 5
    risk.save()
    risk.refresh_from_db()
    assert risk.score == 20
    assert risk.level == "very_high"


@pytest.mark.parametrize(("score", "level"), [
    (1, "low"), (4, "low"), (5, "medium"), (9, "medium"), (10, "high"), (16, "high"), (20, "very_high"),
    (25, "very_high"),
])
def test_the_level_bands(score, level):
    assert risk_level(score) == level
    assert str(RISK_LEVEL_LABELS[level])


def test_every_product_of_the_matrix_falls_in_the_band_the_filters_use():
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            score = likelihood * impact
            low, high = LEVEL_SCORES[risk_level(score)]
            assert low <= score <= high


def test_the_level_filter_selects_by_band(make_risk):
    low, medium, high, very_high = make_risk(1, 4), make_risk(3, 3), make_risk(4, 4), make_risk(4, 5)
    assert list(at_level(Risk.objects.all(), "low")) == [low]
    assert list(at_level(Risk.objects.all(), "medium")) == [medium]
    assert list(at_level(Risk.objects.all(), "high")) == [high]
    assert list(at_level(Risk.objects.all(), "very_high")) == [very_high]


def test_numbers_are_counted_per_prefix(make_risk, make_stakeholder):
    assert make_risk().code == "R-001"
    assert make_risk(kind=RiskKind.OPPORTUNITY).code == "F-001"
    assert make_risk().code == "R-002"
    assert make_risk(kind=RiskKind.OPPORTUNITY).code == "F-002"
    assert make_stakeholder().code == "P-001"
    assert make_stakeholder().code == "P-002"


def test_an_edit_keeps_the_number(make_risk):
    risk = make_risk()
    risk.description = "Yeni tanım"
    risk.save()
    risk.refresh_from_db()
    assert risk.code == "R-001"
