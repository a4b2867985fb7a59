"""A seeded bootstrap confidence interval for Krippendorff's alpha.

None of the tools we compare with gives one; reviewers ask for it. What is resampled are the
table's *runs* (`reader.agreement.table`): a word, sentence, paragraph or document is a run of
weight 1; for character units a run is a stretch of characters coded alike, because neighbouring
characters are not independent observations and resampling them one by one would give an
interval far too narrow. Runs are drawn with replacement (the Poisson bootstrap), alpha is
recomputed for each replicate, and the 2.5th and 97.5th percentiles are the interval. How
many runs of each pattern a replicate holds is drawn exactly; how many units they add up to,
from a gamma law with the exact mean and variance of that sum (`_replicate_units`).
Replicates where alpha is undefined are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reader.agreement.coefficients import alpha_terms
from reader.agreement.table import ReliabilityTable

REPLICATES = 1000
SEED = 20261201


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    replicates: int
    seed: int


@dataclass(frozen=True)
class _Groups:
    """The table's runs grouped by the pairable values of their unit.

    Alpha sees a unit only through those values (a Counter's items), so patterns that differ
    only in which coder gave which value (ann `place` and bob nothing; bob `place` and ann
    nothing) are one group: under the Poisson bootstrap merging them is exact, a sum of Poisson
    counts being a Poisson count. Patterns with fewer than two pairable values add nothing to
    alpha and are left out. Per group: its values, disagreeing coincidences, runs, and the mean
    and variance of its runs' lengths (from each class's mean length).
    """

    values: list[frozenset]
    disagreeing: np.ndarray
    runs: np.ndarray
    means: np.ndarray
    variances: np.ndarray


def _groups(table: ReliabilityTable) -> _Groups:
    arrays = table.arrays()
    number: dict = {}
    disagreeing: list[float] = []
    group = np.full(len(arrays.patterns), -1, dtype=np.int64)
    for k, pattern in enumerate(arrays.patterns):
        terms = alpha_terms(pattern)
        if terms is None:
            continue
        key = frozenset(terms[1].items())
        if key not in number:
            number[key] = len(number)
            disagreeing.append(terms[0])
        group[k] = number[key]
    of_class = group[arrays.pattern] if arrays.pattern.size else arrays.pattern
    kept = of_class >= 0
    size = len(number)
    runs = np.bincount(of_class[kept], weights=arrays.runs[kept], minlength=size)
    units = np.bincount(of_class[kept], weights=arrays.units[kept], minlength=size)
    squares = np.bincount(of_class[kept], weights=arrays.units[kept] ** 2 / arrays.runs[kept], minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(runs > 0, units / runs, 0.0)
        variances = np.maximum(0.0, np.where(runs > 0, squares / runs, 0.0) - means**2)
    return _Groups(list(number), np.array(disagreeing), runs, means, variances)


def _replicate_units(rng, groups: _Groups, size: int):
    """Units per group in `size` bootstrap replicates: a (size, groups) array.

    Stage 1 draws how many runs of each pattern a replicate holds: the Poisson bootstrap
    (Hanley and MacGibbon 2006), each run drawn a Poisson(1) number of times, so a pattern of
    r runs gets a Poisson(r) count. It is the classic bootstrap's multinomial but for the total
    number of runs, which varies by about 1/sqrt(runs), and is much cheaper: numpy's multinomial
    draws a binomial of the whole remaining total for each of the thousands of tag combinations
    of an overall table (docs/benchmarks.md).

    Stage 2 draws how many units those m runs add up to from a gamma law with the exact mean
    and variance of a sum of m lengths drawn from the pattern's runs (m * mean,
    m * variance): positive, exact in its first two moments, and one vectorised draw for the
    thousands of tag combinations of an overall table (drawing each length was 10 times slower).
    """
    counts = rng.poisson(groups.runs, size=(size, groups.runs.size))
    means, variances = groups.means, groups.variances
    m = counts.astype(np.float64)
    units = m * means
    spread = (variances > 0) & (means > 0)
    if spread.any():
        scale = variances[spread] / means[spread]  # gamma: mean k*theta, variance k*theta^2
        shape = m[:, spread] * means[spread] / scale
        drawn = np.zeros_like(shape)
        positive = shape > 0
        drawn[positive] = rng.gamma(shape[positive], np.broadcast_to(scale, shape.shape)[positive])
        units[:, spread] = drawn
    return units


def _stable_order(value) -> tuple:
    """The values' column order, the same in every process: a tag set's repr follows its
    hashes, which PYTHONHASHSEED changes, and the columns' order decides the last digits of
    the sums (the interval must be the same for the same seed in every run)."""
    if isinstance(value, (frozenset, set)):
        return (type(value).__name__, tuple(sorted(repr(v) for v in value)))
    return (type(value).__name__, (repr(value),))


def alpha_interval(table: ReliabilityTable, replicates: int = REPLICATES, seed: int = SEED) -> Interval | None:
    """The bootstrap 95% interval of alpha, or None when alpha cannot vary or is undefined."""
    groups = _groups(table)
    values = sorted({v for key in groups.values for v, _ in key}, key=_stable_order)
    if not groups.values or len(values) < 2 or replicates <= 0:
        return None
    index = {v: k for k, v in enumerate(values)}
    value_counts = np.zeros((len(groups.values), len(values)))
    for row, key in enumerate(groups.values):
        for v, c in key:
            value_counts[row, index[v]] = c
    rng = np.random.default_rng(seed)
    w = _replicate_units(rng, groups, replicates)
    disagreeing = groups.disagreeing
    d = w @ disagreeing
    n_v = w @ value_counts
    n = n_v.sum(axis=1)
    expected = n * n - (n_v * n_v).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1) * d / expected
    sample = alpha[(expected > 0) & (n >= 2)]
    if sample.size == 0:
        return None
    low, high = np.percentile(sample, [2.5, 97.5])
    return Interval(float(low), float(high), int(sample.size), seed)
