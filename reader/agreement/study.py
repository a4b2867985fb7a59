"""An agreement study: coders' coded spans over documents, measured per tag and overall.

Units. `char` (the default, as QualCoder and INCEpTION measure) makes every character a unit;
`word`, `sentence` and `paragraph` use the corpus's own rules (words as runs of letters and
digits, sentences and paragraphs from `index.structure`), `document` one unit per document. A
coder's value for a unit is the set of tags of their annotations that overlap it (for `char`,
that cover it); per tag, whether that set holds the tag or one of its descendants
(`place` counts `place/Iraq`). Overall, the value is the whole set, so two coders agree on a
unit when they gave it exactly the same tags.

Which text. By default the study covers every document one of the coders coded something in
(or those named), and a coder who coded nothing in one of them said "nothing here" about all of
it. With `absent_as_missing` a coder who has no annotation in a document is taken not to have
coded it at all: their values there are missing (alpha allows that; kappa and percent then use
only the units every coder coded).

With and without uncoded text. Text nobody coded counts as agreement ("both said nothing"),
which inflates every coefficient on sparse coding (QualCoder #667). Every figure is given both
ways: over all units, and over the units at least one coder coded (for alpha_U, the continuum
shrunk to the coded stretches).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

from index.structure import paragraphs, sentences
from reader.agreement.bootstrap import SEED, Interval, alpha_interval
from reader.agreement.char_runs import char_table
from reader.agreement.coefficients import alpha_nominal, kappa, percent, undefined_reason
from reader.agreement.table import ReliabilityTable
from reader.agreement.unitizing import UnitizingResult, averaged, category_disagreement, merge
from reader.coders import coder_of
from reader.model import tag_matches

UNITS = ("char", "word", "sentence", "paragraph", "document")
_WORD = re.compile(r"\w+")
EMPTY: frozenset[str] = frozenset()


class CodedSpan(NamedTuple):
    """One annotation as the study sees it: who, where (current offsets), which tags. (A named
    tuple: a study of 30,000 annotations builds them at each run, five times faster.)"""

    coder: str
    doc: str
    start: int
    end: int
    tags: frozenset[str]


@dataclass(frozen=True)
class Figures:
    """The coefficients of one tag (or overall) over one choice of text."""

    units: int
    coded_by: dict[str, int]
    overlaps: int
    percent: float | None
    kappa: float | None
    alpha: float | None
    alpha_ci: Interval | None
    alpha_u: float | None
    reason: str = ""


@dataclass(frozen=True)
class TagAgreement:
    tag: str | None  # None: every tag at once
    coders: tuple[str, ...]
    unit: str
    with_uncoded: Figures
    without_uncoded: Figures


@dataclass
class Study:
    spans: Sequence[CodedSpan]
    texts: dict[str, str]
    coders: tuple[str, ...]
    unit: str = "char"
    tags: tuple[str, ...] = ()
    absent_as_missing: bool = False
    replicates: int = 1000
    seed: int = SEED
    lengths: dict[str, int] = field(default_factory=dict)
    """Each document's length in code points: all the `char` unit needs of a text, so a study
    of cached places (reader/agreement/places_cache.py) has `texts` only for other units."""
    _selected: list[CodedSpan] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r} (choose from {', '.join(UNITS)})")
        if not self.lengths:
            self.lengths = {doc: len(text) for doc, text in self.texts.items()}
        if self.unit != "char" and set(self.texts) != set(self.lengths):
            raise ValueError(f"the {self.unit} unit needs every document's text")
        wanted = set(self.coders)
        for span in self.spans:
            if span.coder not in wanted or span.doc not in self.lengths:
                continue
            if not self.tags:
                if span.tags and span.end > span.start:
                    self._selected.append(span)
                continue
            tags = frozenset(t for t in span.tags if any(tag_matches(t, q) for q in self.tags))
            if tags and span.end > span.start:
                self._selected.append(CodedSpan(span.coder, span.doc, span.start, span.end, tags))

    @property
    def selected(self) -> list[CodedSpan]:
        """The spans of the chosen coders in the study's documents, tags narrowed to --tag."""
        return self._selected

    @cached_property
    def reported_tags(self) -> list[str]:
        if self.tags:
            return list(self.tags)
        return sorted({t for s in self._selected for t in s.tags})

    def results(self) -> list[TagAgreement]:
        """One result per reported tag, then the overall one (tag None)."""
        table = self._table()
        coded = table.where(_someone_coded)
        out = []
        for tag in [*self.reported_tags, None]:
            if tag is None:
                full, shrunk = table, coded
            else:

                def has(v, tag=tag):
                    return any(tag_matches(t, tag) for t in v)

                full, shrunk = table.map_values(has), coded.map_values(has)
            out.append(
                TagAgreement(
                    tag,
                    self.coders,
                    self.unit,
                    self._figures(full, tag, shrink=False),
                    self._figures(shrunk, tag, shrink=True),
                )
            )
        return out

    # --- the reliability table -----------------------------------------------------------------

    @cached_property
    def _by_doc(self) -> dict[str, list[CodedSpan]]:
        docs: dict[str, list[CodedSpan]] = defaultdict(list)
        for span in self._selected:
            docs[span.doc].append(span)
        return docs

    def _table(self) -> ReliabilityTable:
        table = ReliabilityTable(self.coders)
        docs = [
            (doc, spans, [(not self.absent_as_missing) or any(s.coder == c for s in spans) for c in self.coders])
            for doc, spans in sorted(self._by_doc.items())
        ]
        if self.unit == "char":
            if char_table(table, self.coders, [(self.lengths[doc], spans, present) for doc, spans, present in docs]):
                return table
            for doc, spans, present in docs:  # more tags than the arrays' masks hold
                _char_runs(table, self.coders, spans, self.lengths[doc], present)
            return table
        for doc, spans, present in docs:
            _unit_runs(table, self.coders, spans, _unit_spans(self.unit, self.texts[doc]), present)
        return table

    def _figures(self, table: ReliabilityTable, tag: str | None, shrink: bool) -> Figures:
        alpha = alpha_nominal(table)
        coded_by = table.coded_by()
        overlaps = sum(n for p, n in table.patterns.items() if sum(1 for v in p if v) >= 2)
        reason = ""
        if alpha is None or not any(coded_by.values()):
            reason = "nobody coded this" if not any(coded_by.values()) else undefined_reason(table)
        ci = None
        if alpha is not None and self.replicates > 0:
            ci = alpha_interval(table, self.replicates, self.seed)
        return Figures(
            units=table.units,
            coded_by=coded_by,
            overlaps=overlaps,
            percent=percent(table),
            kappa=kappa(table),
            alpha=alpha,
            alpha_ci=ci,
            alpha_u=self._alpha_u(tag, shrink),
            reason=reason,
        )

    # --- unitizing -----------------------------------------------------------------------------

    @cached_property
    def _continuum(self) -> tuple[dict[str, int], int]:
        offsets: dict[str, int] = {}
        pos = 0
        for doc in sorted(self._by_doc):
            offsets[doc] = pos
            pos += self.lengths[doc]
        return offsets, pos

    @cached_property
    def _intervals(self) -> dict[str, list[list[tuple[int, int]]]]:
        """Per tag, each coder's intervals on the continuum (documents end to end)."""
        offsets, _ = self._continuum
        tags = self.reported_tags
        out: dict[str, list[list[tuple[int, int]]]] = {tag: [[] for _ in self.coders] for tag in tags}
        index = {c: k for k, c in enumerate(self.coders)}
        matching: dict[frozenset[str], list[str]] = {}  # a span's tags -> the reported tags
        for span in self._selected:
            hits = matching.get(span.tags)
            if hits is None:
                hits = matching[span.tags] = [tag for tag in tags if any(tag_matches(t, tag) for t in span.tags)]
            base = offsets[span.doc]
            for tag in hits:
                out[tag][index[span.coder]].append((base + span.start, base + span.end))
        return out

    @cached_property
    def _shrunk(self) -> tuple[dict, int]:
        """Every tag's intervals on the continuum cut down to the coded stretches."""
        return _shrink(self._intervals, self._intervals)

    @cached_property
    def _unitizing(self) -> dict[bool, dict[str, UnitizingResult]]:
        """Per tag, D_o and D_e on the whole continuum (False) and on the coded part (True)."""
        _, length = self._continuum
        shrunk, shrunk_length = self._shrunk
        out: dict[bool, dict[str, UnitizingResult]] = {False: {}, True: {}}
        for tag, per_coder in self._intervals.items():
            if length > 0 and any(per_coder):
                out[False][tag] = category_disagreement(per_coder, 0, length)
            if shrunk_length > 0 and any(shrunk[tag]):
                out[True][tag] = category_disagreement(shrunk[tag], 0, shrunk_length)
        return out

    def _alpha_u(self, tag: str | None, shrink: bool) -> float | None:
        per_tag = self._unitizing[shrink]
        if tag is None:
            result = averaged(list(per_tag.values()))
        else:
            result = per_tag.get(tag)
        return None if result is None else result.alpha


def _someone_coded(pattern) -> bool:
    return any(v for v in pattern if v is not None)


def _char_runs(table, coders, spans: list[CodedSpan], length: int, present: list[bool]) -> None:
    """Characters of one document as runs of constant pattern (a sweep over span ends).

    Each coder's value (the set of their tags covering the character) is rebuilt only when a
    tag starts or stops covering, not at every span end."""
    events = sorted(
        [(min(s.start, length), 1, s) for s in spans] + [(min(s.end, length), -1, s) for s in spans],
        key=lambda event: event[0],
    )
    index = {c: k for k, c in enumerate(coders)}
    counts: list[dict[str, int]] = [{} for _ in coders]
    current: list[frozenset[str] | None] = [EMPTY if ok else None for ok in present]
    pos = i = 0
    while i < len(events):
        at = events[i][0]
        if at > pos:
            table.add(tuple(current), at - pos)
            pos = at
        while i < len(events) and events[i][0] == at:
            _, sign, s = events[i]
            i += 1
            k = index[s.coder]
            active = counts[k]
            changed = False
            for tag in s.tags:
                n = active.get(tag, 0) + sign
                if n:
                    active[tag] = n
                else:
                    del active[tag]
                changed = changed or n == 0 or (n == 1 and sign == 1)
            if changed and present[k]:
                current[k] = frozenset(active)
    if length > pos:
        table.add(tuple(current), length - pos)


def _unit_spans(unit: str, text: str) -> list[tuple[int, int]]:
    if unit == "word":
        return [m.span() for m in _WORD.finditer(text)]
    if unit == "sentence":
        return [(s.start, s.end) for s in sentences(text)]
    if unit == "paragraph":
        return [(s.start, s.end) for s in paragraphs(text)]
    return [(0, len(text))] if text else []


def _unit_runs(table, coders, spans, units: list[tuple[int, int]], present: list[bool]) -> None:
    """Fixed units of one document: each is coded by the tags of the spans overlapping it."""
    starts = [u[0] for u in units]
    ends = [u[1] for u in units]
    index = {c: k for k, c in enumerate(coders)}
    touched: dict[int, list[set[str]]] = {}
    for s in spans:
        lo, hi = bisect_right(ends, s.start), bisect_left(starts, s.end)
        for u in range(lo, hi):
            touched.setdefault(u, [set() for _ in coders])[index[s.coder]].update(s.tags)
    for sets in touched.values():
        table.add(tuple(frozenset(v) if ok else None for v, ok in zip(sets, present, strict=True)))
    rest = len(units) - len(touched)
    table.add(tuple(EMPTY if ok else None for ok in present), 1, rest)


def _shrink(cats: dict, every: dict) -> tuple[dict, int]:
    """The continuum cut down to what some coder coded with some tag, and the cats mapped
    (with numpy: 90,000 intervals for 30,000 annotations of 12 tags)."""
    covered = np.array(
        merge([i for per_coder in every.values() for units in per_coder for i in units]), dtype=np.int64
    ).reshape(-1, 2)
    starts = covered[:, 0]
    before = np.cumsum(starts - np.concatenate(([0], covered[:-1, 1])))  # uncoded before each stretch

    def mapped(units: list[tuple[int, int]]) -> list[tuple[int, int]]:
        if not units:
            return []
        pairs = np.array(units, dtype=np.int64).reshape(-1, 2)
        k = np.searchsorted(starts, pairs[:, 0], side="right") - 1
        at = np.where(k >= 0, pairs[:, 0] - before[np.maximum(k, 0)], 0)
        return list(zip(at.tolist(), (at + pairs[:, 1] - pairs[:, 0]).tolist(), strict=True))

    length = int((covered[:, 1] - covered[:, 0]).sum())
    return {tag: [mapped(units) for units in per_coder] for tag, per_coder in cats.items()}, length


def place_annotations(annotations: Iterable, text: str) -> tuple[list[CodedSpan], Counter[str]]:
    """CodedSpans of one document's store annotations placed in its current text, and how many
    of each coder's were left out as orphans (their text is gone).

    A first `reader agree` places every annotation, so the loop is kept lean: the quote is
    compared where it stands without slicing the text, one frozenset is made per set of tags,
    and the named tuples are built by `tuple.__new__` (their generated `__new__` is Python)."""
    out: list[CodedSpan] = []
    orphans: Counter[str] = Counter()
    tag_sets: dict[tuple[str, ...], frozenset[str]] = {}
    size = len(text)
    make = tuple.__new__
    for a in annotations:
        position, exact = a.position, a.quote.exact
        start, end = position.start, position.end
        # the quote still there: text[start:end] == exact, without the slice
        if not (end <= size and exact and len(exact) == end - start and text.startswith(exact, start)):
            from reader.anchoring import anchor  # only then: it imports rapidfuzz

            placed = anchor(a, text)
            if placed.span is None:
                orphans[coder_of(a)] += 1
                continue
            start, end = placed.span.start, placed.span.end
        tags = tag_sets.get(a.tags)
        if tags is None:
            tags = tag_sets[a.tags] = frozenset(a.tags)
        out.append(make(CodedSpan, (coder_of(a), a.doc, start, end, tags)))
    return out, orphans
