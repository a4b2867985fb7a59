"""Agreement coefficients against reference implementations and cases with known answers.

nltk's AnnotationTask (Cohen's kappa, Fleiss' multi-pi, Krippendorff's alpha) and the
`krippendorff` package compute the same figures from one row per unit; ours from counted
patterns. Random tables of many shapes must give the same numbers.
"""

from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask

from reader.agreement.bootstrap import alpha_interval
from reader.agreement.coefficients import (
    alpha_nominal,
    cohen_kappa,
    fleiss_kappa,
    kappa,
    percent,
)
from reader.agreement.table import from_rows


def _random_rows(rng: random.Random, coders: int, units: int, values: int, missing: float = 0.0):
    rows = []
    for _ in range(units):
        row = [rng.randrange(values) if rng.random() >= missing else None for _ in range(coders)]
        rows.append(row)
    return rows


def _nltk(rows, coders):
    data = [(f"c{c}", str(u), str(v)) for u, row in enumerate(rows) for c, v in enumerate(row) if v is not None]
    return AnnotationTask(data=data)


@pytest.mark.parametrize("seed", range(12))
def test_cohen_kappa_equals_nltk(seed):
    rng = random.Random(seed)
    rows = _random_rows(rng, 2, rng.randrange(5, 80), rng.randrange(2, 5))
    ours = cohen_kappa(from_rows(["a", "b"], rows))
    theirs = _nltk(rows, 2).kappa()
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_fleiss_kappa_equals_nltk_multi_pi(seed):
    rng = random.Random(100 + seed)
    m = rng.randrange(3, 6)
    rows = _random_rows(rng, m, rng.randrange(5, 60), rng.randrange(2, 5))
    ours = fleiss_kappa(from_rows([f"c{i}" for i in range(m)], rows))
    theirs = _nltk(rows, m).pi()
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_alpha_equals_krippendorff_and_nltk_with_missing_values(seed):
    rng = random.Random(200 + seed)
    m = rng.randrange(2, 5)
    rows = _random_rows(rng, m, rng.randrange(10, 60), rng.randrange(2, 5), missing=0.2)
    ours = alpha_nominal(from_rows([f"c{i}" for i in range(m)], rows))
    matrix = np.array([[np.nan if r[c] is None else r[c] for r in rows] for c in range(m)], float)
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)
    # nltk's alpha needs every unit pairable: compare on the units with two values or more
    pairable = [r for r in rows if sum(v is not None for v in r) >= 2]
    assert alpha_nominal(from_rows([f"c{i}" for i in range(m)], pairable)) == pytest.approx(
        _nltk(pairable, m).alpha(), abs=1e-9
    )


def test_values_may_be_tag_sets():
    rows = [
        (frozenset({"a"}), frozenset({"a"})),
        (frozenset({"a", "b"}), frozenset({"a"})),
        (frozenset(), frozenset()),
        (frozenset({"b"}), frozenset({"b"})),
    ]
    table = from_rows(["x", "y"], rows)
    assert percent(table) == pytest.approx(75.0)
    coded = [["a", "a"], ["ab", "a"], ["", ""], ["b", "b"]]
    assert cohen_kappa(table) == pytest.approx(cohen_kappa(from_rows(["x", "y"], coded)))


def test_perfect_agreement():
    table = from_rows(["x", "y"], [(1, 1), (0, 0), (1, 1), (0, 0)])
    assert percent(table) == 100.0
    assert cohen_kappa(table) == pytest.approx(1.0)
    assert alpha_nominal(table) == pytest.approx(1.0)


def test_complete_disagreement():
    table = from_rows(["x", "y"], [(1, 0), (0, 1), (1, 0), (0, 1)])
    assert percent(table) == 0.0
    assert cohen_kappa(table) == pytest.approx(-1.0)
    assert alpha_nominal(table) < -0.5


def test_one_silent_coder_gives_no_agreement_beyond_chance():
    # y coded nothing anywhere: kappa is 0 (p_o = p_e), alpha below 0, percent the uncoded share
    table = from_rows(["x", "y"], [(1, 0), (0, 0), (0, 0), (1, 0)])
    assert percent(table) == 50.0
    assert cohen_kappa(table) == pytest.approx(0.0)
    assert alpha_nominal(table) < 0


def test_undefined_when_there_is_no_variation():
    table = from_rows(["x", "y"], [(0, 0), (0, 0)])
    assert cohen_kappa(table) is None
    assert alpha_nominal(table) is None
    assert kappa(from_rows(["x", "y", "z"], [(0, 0, 0)])) is None


def test_weights_count_as_repeated_units():
    rows = [(1, 1)] * 7 + [(1, 0)] * 2 + [(0, 0)] * 5
    plain = from_rows(["x", "y"], rows)
    weighted = from_rows(["x", "y"], [])
    weighted.add((1, 1), 7)
    weighted.add((1, 0), 1, 2)
    weighted.add((0, 0), 5)
    assert alpha_nominal(weighted) == pytest.approx(alpha_nominal(plain))
    assert cohen_kappa(weighted) == pytest.approx(cohen_kappa(plain))


def test_bootstrap_interval_is_seeded_and_holds_the_estimate():
    rng = random.Random(7)
    rows = [(v, v if rng.random() < 0.8 else 1 - v) for v in (rng.randrange(2) for _ in range(300))]
    table = from_rows(["x", "y"], rows)
    first = alpha_interval(table, replicates=300, seed=1)
    again = alpha_interval(table, replicates=300, seed=1)
    assert first == again
    alpha = alpha_nominal(table)
    assert first.low < alpha < first.high
    assert first.high - first.low < 0.5
    assert not math.isnan(first.low)


def test_bootstrap_interval_matches_resampling_the_units_one_by_one():
    """The run-based (Poisson) bootstrap gives the interval of the textbook bootstrap, which
    resamples units with replacement and recomputes alpha, on units of weight 1."""
    import numpy as np

    rng = random.Random(11)
    rows = [
        (v, v if rng.random() < 0.75 else (v + 1) % 3, v if rng.random() < 0.8 else None)
        for v in (rng.randrange(3) for _ in range(400))
    ]
    table = from_rows(["x", "y", "z"], rows)
    ours = alpha_interval(table, replicates=2000, seed=3)
    draw = np.random.default_rng(5)
    alphas = []
    for _ in range(2000):
        picked = draw.integers(0, len(rows), len(rows))
        alpha = alpha_nominal(from_rows(["x", "y", "z"], [rows[k] for k in picked]))
        if alpha is not None:
            alphas.append(alpha)
    low, high = np.percentile(alphas, [2.5, 97.5])
    assert abs(ours.low - low) < 0.02 and abs(ours.high - high) < 0.02
