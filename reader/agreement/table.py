"""Reliability data: what each coder said about each unit, counted by pattern.

Every coefficient we report (percent agreement, Cohen's and Fleiss' kappa, Krippendorff's
alpha) depends only on how many units show each *pattern*: the tuple of values the coders gave
one unit, `None` where a coder's value is missing. A corpus of 100 MB has 100 million character
units but only a few thousand patterns, so the table keeps exact counts per pattern, never one
row per unit.

For the bootstrap the table also keeps how the units came: in *runs* (a stretch of characters
coded alike is one run; each word, sentence, paragraph or document is one run of weight 1).
Resampling runs rather than characters respects that neighbouring characters are not
independent observations (see `reader.agreement.bootstrap`). Runs are kept as classes of the
same pattern and about the same length (a 5% geometric scale), with their count and total
weight, so that mapping a table to one tag touches a few thousand classes, not every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np

Value = Hashable
Pattern = tuple[Value | None, ...]
RunClass = tuple[Pattern, int]  # pattern, length bin

_LENGTH_STEP = math.log(1.05)


def length_bin(weight: int) -> int:
    return 0 if weight <= 1 else round(math.log(weight) / _LENGTH_STEP)


@dataclass
class ReliabilityTable:
    """Units per pattern (exact) and runs per class, for a fixed list of coders."""

    coders: tuple[str, ...]
    patterns: dict[Pattern, int] = field(default_factory=dict)
    classes: dict[RunClass, list[int]] = field(default_factory=dict)  # [runs, units]
    _arrays: ClassArrays | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, pattern: Pattern, weight: int = 1, count: int = 1) -> None:
        """`count` runs of `weight` units each, all with `pattern`."""
        if weight > 0 and count > 0:
            self._add(pattern, length_bin(weight), count, weight * count)

    def _add(self, pattern: Pattern, bin_: int, runs: int, units: int) -> None:
        self._arrays = None
        self.patterns[pattern] = self.patterns.get(pattern, 0) + units
        entry = self.classes.get((pattern, bin_))
        if entry is None:
            self.classes[(pattern, bin_)] = [runs, units]
        else:
            entry[0] += runs
            entry[1] += units

    @property
    def units(self) -> int:
        return sum(self.patterns.values())

    def map_values(self, fn: Callable[[Value], Value]) -> ReliabilityTable:
        """The same units with every present value replaced by fn(value) (missing stays missing).

        fn is called once per distinct value, and the classes are summed in one loop: a study
        maps its overall table once per tag, and the table has thousands of classes."""
        by_value: dict[Value | None, Value | None] = {}
        for pattern in self.patterns:
            for v in pattern:
                if v not in by_value:
                    by_value[v] = None if v is None else fn(v)
        to = by_value.__getitem__
        return self._regrouped({pattern: tuple(map(to, pattern)) for pattern in self.patterns})

    def where(self, keep: Callable[[Pattern], bool]) -> ReliabilityTable:
        return self._regrouped({p: p for p in self.patterns if keep(p)})

    def arrays(self) -> ClassArrays:
        """The classes as arrays (computed once, until the next `add`)."""
        if self._arrays is None:
            order = {p: k for k, p in enumerate(self.patterns)}
            keys = list(self.classes)
            counts = np.array(list(self.classes.values()), dtype=np.int64).reshape(-1, 2)
            self._arrays = ClassArrays(
                list(self.patterns),
                np.array([order[p] for p, _ in keys], dtype=np.int64),
                np.array([b for _, b in keys], dtype=np.int64),
                counts[:, 0].astype(np.float64),
                counts[:, 1].astype(np.float64),
            )
        return self._arrays

    def _regrouped(self, mapped: dict[Pattern, Pattern]) -> ReliabilityTable:
        """A table of the classes whose pattern `mapped` has, under the pattern it maps to
        (summed with numpy: a study regroups its overall table of thousands of classes once
        per tag)."""
        out = ReliabilityTable(self.coders)
        arrays = self.arrays()
        targets = list(dict.fromkeys(mapped.values()))
        number = {t: k for k, t in enumerate(targets)}
        to = np.array([number[mapped[p]] if p in mapped else -1 for p in arrays.patterns], dtype=np.int64)
        if not targets or not arrays.pattern.size:
            return out
        target = to[arrays.pattern]
        kept = target >= 0
        span = int(arrays.bin.max()) + 1
        keys, inverse = np.unique(target[kept] * span + arrays.bin[kept], return_inverse=True)
        runs = np.bincount(inverse, weights=arrays.runs[kept])
        units = np.bincount(inverse, weights=arrays.units[kept])
        for key, r, u in zip(keys.tolist(), runs.tolist(), units.tolist(), strict=True):
            t, bin_ = divmod(key, span)
            pattern = targets[t]
            out.patterns[pattern] = out.patterns.get(pattern, 0) + int(u)
            out.classes[(pattern, bin_)] = [int(r), int(u)]
        return out

    def coded_by(self) -> dict[str, int]:
        """For each coder, the units they gave a non-empty value (coded something)."""
        out = dict.fromkeys(self.coders, 0)
        for pattern, n in self.patterns.items():
            for coder, value in zip(self.coders, pattern, strict=True):
                if value is not None and value != frozenset() and value is not False:
                    out[coder] += n
        return out


@dataclass(frozen=True)
class ClassArrays:
    """A table's classes as arrays: each class's pattern (an index into `patterns`), length
    bin, runs and units (floats: exact below 2**53)."""

    patterns: list[Pattern]
    pattern: np.ndarray
    bin: np.ndarray
    runs: np.ndarray
    units: np.ndarray


def from_rows(coders: Iterable[str], rows: Iterable[Iterable[Value | None]]) -> ReliabilityTable:
    """A table from one row per unit (each row a value per coder): for tests and small data."""
    table = ReliabilityTable(tuple(coders))
    for row in rows:
        table.add(tuple(row))
    return table
