"""Agreement coefficients over a `ReliabilityTable`, with the formulas of their authors.

* percent: observed agreement, the mean over pairs of coders of the share of units both coded
  alike (for two coders simply the share of units with equal values); complete units only.
* Cohen's kappa (two coders): (p_o - p_e) / (1 - p_e), p_e from each coder's own marginals.
* Fleiss' kappa (three or more coders, Fleiss 1971, Scott's pi generalised): the same shape,
  P-bar over units against P_e from the pooled marginals; complete units only.
* Krippendorff's alpha, nominal: 1 - (n - 1) * sum of disagreeing coincidences /
  (n^2 - sum_v n_v^2), over every unit with at least two values, so missing values are allowed.

Each returns `None` when the coefficient is undefined (no units, a single value everywhere so
the expected disagreement is 0, too few coders), never a division by zero; `undefined_reason`
says why for the human output. tests/test_agreement.py compares every figure with nltk's
`AnnotationTask` and the `krippendorff` package on the same data.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from reader.agreement.table import Pattern, ReliabilityTable


def _complete(table: ReliabilityTable) -> dict[Pattern, int]:
    """Units per pattern, of the units every coder gave a value."""
    return {p: n for p, n in table.patterns.items() if None not in p}


def percent(table: ReliabilityTable) -> float | None:
    """Observed agreement in percent (mean over coder pairs), over complete units."""
    patterns = _complete(table)
    total = sum(patterns.values())
    m = len(table.coders)
    if total == 0 or m < 2:
        return None
    pairs = m * (m - 1) / 2
    agreeing = 0.0
    for pattern, n in patterns.items():
        same = sum(1 for a, b in combinations(pattern, 2) if a == b)
        agreeing += n * same / pairs
    return 100.0 * agreeing / total


def cohen_kappa(table: ReliabilityTable) -> float | None:
    """Cohen's kappa for exactly two coders, over the units both coded."""
    if len(table.coders) != 2:
        return None
    patterns = _complete(table)
    total = sum(patterns.values())
    if total == 0:
        return None
    first: Counter = Counter()
    second: Counter = Counter()
    observed = 0
    for (a, b), n in patterns.items():
        first[a] += n
        second[b] += n
        if a == b:
            observed += n
    p_o = observed / total
    p_e = sum(first[v] * second.get(v, 0) for v in first) / (total * total)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(table: ReliabilityTable) -> float | None:
    """Fleiss' kappa for two or more coders, over the units every coder coded."""
    m = len(table.coders)
    if m < 2:
        return None
    patterns = _complete(table)
    total = sum(patterns.values())
    if total == 0:
        return None
    pooled: dict = {}
    p_bar = 0.0
    for pattern, n in patterns.items():
        counts = counted(pattern)
        for v, c in counts.items():
            pooled[v] = pooled.get(v, 0) + c * n
        p_bar += n * sum(c * (c - 1) for c in counts.values()) / (m * (m - 1))
    p_bar /= total
    p_e = sum((c / (total * m)) ** 2 for c in pooled.values())
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def kappa(table: ReliabilityTable) -> float | None:
    """Cohen's kappa for two coders, Fleiss' for more (the `kappa` field of `reader agree`)."""
    return cohen_kappa(table) if len(table.coders) == 2 else fleiss_kappa(table)


def counted(values) -> dict:
    """How many times each value occurs, in the order of first occurrence (as a Counter has
    them, five times faster for a unit's few values: an overall table has thousands of
    patterns, and the coefficients and the bootstrap count each one)."""
    out: dict = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def pairable(pattern: Pattern) -> tuple[dict, int]:
    """The values of one unit that alpha can pair (present ones), and how many there are."""
    values = counted(v for v in pattern if v is not None)
    return values, sum(values.values())


def alpha_terms(pattern: Pattern) -> tuple[float, dict] | None:
    """One unit's share of alpha: its disagreeing coincidences and its pairable values."""
    values, m_u = pairable(pattern)
    if m_u < 2:
        return None
    disagreeing = (m_u * m_u - sum(c * c for c in values.values())) / (m_u - 1)
    return disagreeing, values


def alpha_nominal(table: ReliabilityTable) -> float | None:
    """Krippendorff's alpha for nominal data; missing values allowed."""
    disagreeing = 0.0
    totals: dict = {}
    for pattern, n in table.patterns.items():
        terms = alpha_terms(pattern)
        if terms is None:
            continue
        d, values = terms
        disagreeing += n * d
        for v, c in values.items():
            totals[v] = totals.get(v, 0) + c * n
    return alpha_from_sums(disagreeing, list(totals.values()))


def alpha_from_sums(disagreeing: float, value_totals: list[float]) -> float | None:
    """alpha = 1 - (n - 1) * D / (n^2 - sum n_v^2); None where the expected term is 0."""
    n = sum(value_totals)
    expected = n * n - sum(c * c for c in value_totals)
    if n < 2 or expected <= 0:
        return None
    return 1.0 - (n - 1) * disagreeing / expected


def undefined_reason(table: ReliabilityTable) -> str:
    """Why the coefficients of this table are undefined, in words for the human output."""
    if len(table.coders) < 2:
        return "fewer than two coders"
    patterns = table.patterns
    if not patterns:
        return "no units"
    values = {v for p in patterns for v in p if v is not None}
    if len(values) <= 1:
        return "every coder gave every unit the same value (no variation)"
    return "too few units coded by two or more coders"
