"""Krippendorff's alpha and percentage agreement (kpi.callqa.agreement) against the worked examples
of Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", and small cases by hand."""

from __future__ import annotations

import pytest

from kpi.callqa.agreement import (
    INTERVAL,
    NOMINAL,
    ORDINAL,
    RATIO,
    coincidences,
    krippendorff_alpha,
    pair_counts,
    percent_agreement,
)

pytestmark = pytest.mark.django_db  # no queries; the house rule for every module

N = None
# Krippendorff 2011, section C: four observers, twelve units, values 1-5, missing values.
OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
UNITS = list(zip(*OBSERVERS, strict=True))


@pytest.mark.parametrize(("metric", "published"), [(NOMINAL, 0.743), (ORDINAL, 0.815), (INTERVAL, 0.849),
                                                   (RATIO, 0.797)])
def test_the_published_example_with_missing_values(metric, published):
    assert round(krippendorff_alpha(UNITS, metric), 3) == published


def test_the_published_coincidence_matrix():
    # Krippendorff 2011, section C: n = 40 pairable values; row 1 is 7, 4/3, 1/3, 1/3 (n_1 = 9),
    # o_33 = 8 (units 3 and 4), o_55 = 3 (unit 10), n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3
    matrix = coincidences(UNITS)
    assert sum(matrix.values()) == pytest.approx(40)
    assert [matrix.get((1, k), 0) for k in (1, 2, 3, 4)] == pytest.approx([7, 4 / 3, 1 / 3, 1 / 3])
    assert matrix[(3, 3)] == pytest.approx(8)
    assert matrix[(5, 5)] == pytest.approx(3)
    totals = {c: sum(v for (first, _k), v in matrix.items() if first == c) for c in (1, 2, 3, 4, 5)}
    assert [totals[c] for c in (1, 2, 3, 4, 5)] == pytest.approx([9, 13, 10, 5, 3])


def test_the_published_binary_example_two_observers():
    # section A: alpha = 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(krippendorff_alpha(list(zip(a, b, strict=True)), NOMINAL), 3) == 0.095


def test_the_published_nominal_example_two_observers():
    # section B: alpha = 0.692
    a = "a a b b d c c c e d d a".split()
    b = "b a b b b c c c e d d d".split()
    assert round(krippendorff_alpha(list(zip(a, b, strict=True)), NOMINAL), 3) == 0.692


def test_small_nominal_case_by_hand():
    # o_11 = 2, o_22 = 2, o_12 = o_21 = 1; n_1 = n_2 = 3, n = 6
    # alpha = 1 - (n - 1) * sum(o δ) / sum(n_c n_k δ) = 1 - 5 * 2 / (3 * 3 * 2) = 4 / 9
    assert krippendorff_alpha([(1, 1), (2, 2), (1, 2)], NOMINAL) == pytest.approx(4 / 9)


def test_small_interval_case_by_hand():
    # units (1, 2), (3, 3): o_12 = o_21 = 1, o_33 = 2; n_1 = n_2 = 1, n_3 = 2, n = 4
    # sum(o δ²) = 2; sum(n_c n_k δ²) = 2 (1·1·1) + 2 (1·2·4) + 2 (1·2·1) = 22; alpha = 1 - 3 * 2 / 22
    assert krippendorff_alpha([(1, 2), (3, 3)], INTERVAL) == pytest.approx(1 - 6 / 22)


def test_binary_nominal_and_interval_agree():
    units = [(0, 1, 1), (1, 1, 1), (0, 0, None), (1, 0, 0)]
    assert krippendorff_alpha(units, NOMINAL) == pytest.approx(krippendorff_alpha(units, INTERVAL))


def test_perfect_agreement_is_one():
    assert krippendorff_alpha([(1, 1, 1), (2, 2, 2), (4, 4, None)], INTERVAL) == 1.0
    assert krippendorff_alpha([("a", "a"), ("b", "b")], NOMINAL) == 1.0


def test_no_variation_is_undefined():
    assert krippendorff_alpha([(3, 3, 3), (3, 3)], INTERVAL) is None
    assert krippendorff_alpha([(1, 1)], NOMINAL) is None


def test_one_unit_says_nothing():
    # the reason a criterion's alpha is taken over many sessions: within one unit D_o = D_e
    assert krippendorff_alpha([(1, 2, 3)], INTERVAL) == pytest.approx(0.0)


def test_missing_values_and_lone_values_are_left_out():
    base = [(1, 2), (3, 3), (2, 2)]
    with_gaps = [(1, 2, None), (3, None, 3), (2, 2, None), (None, 5, None), (None, None, None)]
    assert krippendorff_alpha(with_gaps, INTERVAL) == pytest.approx(krippendorff_alpha(base, INTERVAL))
    assert krippendorff_alpha([], NOMINAL) is None
    assert krippendorff_alpha([(1, None), (None, 2)], NOMINAL) is None


def test_disagreement_worse_than_chance_is_negative():
    assert krippendorff_alpha([(0, 1), (1, 0)], NOMINAL) < 0


def test_unknown_metric_is_an_error():
    with pytest.raises(ValueError):
        krippendorff_alpha([(1, 2), (2, 2)], "cosine")


def test_percentage_agreement_counts_pairs():
    # three raters give 1, 1, 2: three pairs, one agrees
    assert pair_counts([(1, 1, 2)]) == (1, 3)
    assert percent_agreement([(1, 1, 2)]) == pytest.approx(1 / 3)
    # N/A is a mark of its own here: two N/A agree
    assert percent_agreement([("na", "na"), (2, "na")]) == pytest.approx(1 / 2)
    # missing values make no pair
    assert pair_counts([(1, None, 1), (None, 3)]) == (1, 1)
    assert percent_agreement([(None, 1)]) is None
