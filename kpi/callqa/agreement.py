"""Agreement between raters, pure Python: percentage agreement and Krippendorff's alpha.

Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"), from the
coincidence matrix:

    units u, each with the m_u values the raters gave it (missing values left out);
    only pairable units count (m_u >= 2);
    o_ck = sum over units of (number of ordered pairs (c, k) of values from different raters) / (m_u - 1)
    n_c  = sum_k o_ck,   n = sum_c n_c   (the number of pairable values)
    D_o  = sum_c sum_k o_ck * delta²(c, k) / n                      observed disagreement
    D_e  = sum_c sum_k n_c * n_k * delta²(c, k) / (n * (n - 1))    expected disagreement
    alpha = 1 - D_o / D_e

with delta²(c, k) = 0 if c == k else 1 (nominal), (c - k)² (interval), ((c - k) / (c + k))² (ratio),
or (sum of n_g for g from c to k - (n_c + n_k) / 2)² (ordinal). Alpha is undefined (None) without
pairable values or when every value is the same (D_e = 0): nothing varies, so nothing can be agreed
on beyond chance. For yes/no data coded 0/1 the interval and nominal metrics give the same alpha.

Percentage agreement: the share of pairs of raters of one unit who gave the same value, over all
units (pairs, not raters: 3 raters give 3 pairs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from itertools import combinations

NOMINAL = "nominal"
ORDINAL = "ordinal"
INTERVAL = "interval"
RATIO = "ratio"
METRICS = (NOMINAL, ORDINAL, INTERVAL, RATIO)


def _pairable(units: Iterable[Sequence]) -> list[list]:
    kept = []
    for unit in units:
        values = [value for value in unit if value is not None]
        if len(values) >= 2:
            kept.append(values)
    return kept


def coincidences(units: Iterable[Sequence]) -> dict[tuple[Hashable, Hashable], float]:
    """The coincidence matrix o_ck (both orders of every pair) of the pairable units."""
    matrix: dict[tuple[Hashable, Hashable], float] = {}
    for values in _pairable(units):
        weight = 1.0 / (len(values) - 1)
        for i, first in enumerate(values):
            for j, second in enumerate(values):
                if i != j:
                    matrix[(first, second)] = matrix.get((first, second), 0.0) + weight
    return matrix


def _delta(metric: str, totals: dict, ordered: list):
    if metric == NOMINAL:
        return lambda c, k: 0.0 if c == k else 1.0
    if metric == INTERVAL:
        return lambda c, k: float(c - k) ** 2
    if metric == RATIO:
        return lambda c, k: 0.0 if c + k == 0 else (float(c - k) / float(c + k)) ** 2
    if metric == ORDINAL:
        position = {value: index for index, value in enumerate(ordered)}

        def ordinal(c, k):
            low, high = sorted((position[c], position[k]))
            between = sum(totals[ordered[g]] for g in range(low, high + 1))
            return (between - (totals[c] + totals[k]) / 2.0) ** 2

        return ordinal
    raise ValueError(f"unknown metric {metric!r}; one of {', '.join(METRICS)}")


def krippendorff_alpha(units: Iterable[Sequence], metric: str = NOMINAL) -> float | None:
    """Krippendorff's alpha of `units` (each a sequence of the values its raters gave; None for a
    rater who gave none). None when alpha is undefined (see the module's text)."""
    matrix = coincidences(units)
    totals: dict[Hashable, float] = {}
    for (first, _second), count in matrix.items():
        totals[first] = totals.get(first, 0.0) + count
    n = sum(totals.values())
    if n <= 1 or len(totals) < 2:
        return None
    ordered = sorted(totals) if metric in (ORDINAL, INTERVAL, RATIO) else list(totals)
    delta = _delta(metric, totals, ordered)
    observed = sum(count * delta(c, k) for (c, k), count in matrix.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in ordered for k in ordered)
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def pair_counts(units: Iterable[Sequence]) -> tuple[int, int]:
    """(pairs that agree, pairs) over the units: every pair of raters who both gave a value."""
    agreeing = pairs = 0
    for unit in units:
        values = [value for value in unit if value is not None]
        for first, second in combinations(values, 2):
            pairs += 1
            agreeing += first == second
    return agreeing, pairs


def percent_agreement(units: Iterable[Sequence]) -> float | None:
    """The share (0..1) of rater pairs that gave the same value; None without a pair."""
    agreeing, pairs = pair_counts(units)
    return agreeing / pairs if pairs else None


def value_counts(units: Iterable[Sequence]) -> Counter:
    """How often each value was given (n_c before pairing); for tests and tables."""
    return Counter(value for unit in units for value in unit if value is not None)
