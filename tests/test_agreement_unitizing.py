"""Krippendorff's unitizing alpha on the worked examples of his publications.

Krippendorff (2004), Content Analysis, 2nd ed., p. 254: two observers, categories c and k on a
continuum from 150 to 450. Krippendorff (1995), On the reliability of unitizing contiguous data,
p. 57: four pairs of coders (A-D) on 24 positions; the published alphas hold for a long continuum
(the units stretched), with the small error in the paper's D_e noted by its later corrections.
"""

from __future__ import annotations

import pytest

from reader.agreement.unitizing import (
    expected_disagreement,
    merge,
    observed_disagreement,
    unitizing_alpha,
)

K2004 = {
    "c": [[(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]],
    "k": [[(180, 240), (300, 350)], [(180, 240), (300, 350)]],
}

K1995 = {
    "A": [[(2, 10), (14, 20)], [(4, 8), (15, 17)]],
    "B": [[(0, 18)], [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 9), (9, 10)]],
    "C": [[(2, 8), (10, 12), (14, 18), (20, 22)], [(0, 2), (4, 8), (10, 14), (16, 18), (20, 22)]],
    "D": [[(0, 2), (2, 10), (10, 14), (14, 20), (20, 24)], [(0, 4), (4, 8), (8, 15), (15, 17), (17, 24)]],
}


def _stretch(coders, factor):
    return [[(a * factor, b * factor) for a, b in units] for units in coders]


def test_krippendorff_2004_example():
    c = unitizing_alpha({"c": K2004["c"]}, 150, 300)
    assert c.observed == pytest.approx(0.0144, abs=1e-4)
    assert c.expected == pytest.approx(0.0532, abs=1e-4)
    assert c.alpha == pytest.approx(0.7286, abs=1e-4)
    k = unitizing_alpha({"k": K2004["k"]}, 150, 300)
    assert k.observed == 0.0
    assert k.alpha == pytest.approx(1.0)
    assert unitizing_alpha(K2004, 150, 300).alpha == pytest.approx(0.8591, abs=5e-4)


@pytest.mark.parametrize(("category", "observed"), [("A", 0.03125), ("B", 2.26736), ("C", 0.02777), ("D", 0.38715)])
def test_krippendorff_1995_observed_disagreement(category, observed):
    merged = [merge(u) for u in K1995[category]]
    assert observed_disagreement(merged, 0, 24) == pytest.approx(observed, abs=1e-5)


@pytest.mark.parametrize(
    ("category", "expected", "alpha"),
    [("A", 0.06990, 0.553), ("B", 1.17731, -0.926), ("C", 0.08642, 0.679), ("D", 0.41445, 0.066)],
)
def test_krippendorff_1995_alpha_on_a_long_continuum(category, expected, alpha):
    factor = 50_000
    merged = [merge(u) for u in _stretch(K1995[category], factor)]
    assert expected_disagreement(merged, 0, 24 * factor) == pytest.approx(expected, abs=5e-3)
    result = unitizing_alpha({category: _stretch(K1995[category], factor)}, 0, 24 * factor)
    assert result.alpha == pytest.approx(alpha, abs=0.02)


def test_identical_codings_agree_perfectly_and_one_silent_coder_does_not():
    same = [[(10, 20), (40, 60)], [(10, 20), (40, 60)]]
    assert unitizing_alpha({"t": same}, 0, 100).alpha == pytest.approx(1.0)
    silent = [[(10, 20), (40, 60)], []]
    assert unitizing_alpha({"t": silent}, 0, 100).alpha < 0.5


def test_overlapping_units_of_one_coder_are_merged_touching_ones_are_not():
    assert merge([(5, 9), (0, 6), (9, 12)]) == [(0, 9), (9, 12)]
