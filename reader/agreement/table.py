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

    def add(self, pattern: Pattern, weight: int = 1, count: int = 1) -> None:
        """`count` runs of `weight` units each, all with `pattern`."""
        if weight > 0 and count > 0:
            self._add(pattern, length_bin(weight), count, weight * count)

    def _add(self, pattern: Pattern, bin_: int, runs: int, units: int) -> None:
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
        """The same units with every present value replaced by fn(value) (missing stays missing)."""
        mapped: dict[Pattern, Pattern] = {}
        for pattern in self.patterns:
            mapped[pattern] = tuple(None if v is None else fn(v) for v in pattern)
        out = ReliabilityTable(self.coders)
        for (pattern, bin_), (runs, units) in self.classes.items():
            out._add(mapped[pattern], bin_, runs, units)
        return out

    def where(self, keep: Callable[[Pattern], bool]) -> ReliabilityTable:
        out = ReliabilityTable(self.coders)
        kept = {p for p in self.patterns if keep(p)}
        for (pattern, bin_), (runs, units) in self.classes.items():
            if pattern in kept:
                out._add(pattern, bin_, runs, units)
        return out

    def coded_by(self) -> dict[str, int]:
        """For each coder, the units they gave a non-empty value (coded something)."""
        out = dict.fromkeys(self.coders, 0)
        for pattern, n in self.patterns.items():
            for coder, value in zip(self.coders, pattern, strict=True):
                if value is not None and value != frozenset() and value is not False:
                    out[coder] += n
        return out


def from_rows(coders: Iterable[str], rows: Iterable[Iterable[Value | None]]) -> ReliabilityTable:
    """A table from one row per unit (each row a value per coder): for tests and small data."""
    table = ReliabilityTable(tuple(coders))
    for row in rows:
        table.add(tuple(row))
    return table
