"""`align`: the passages of two documents paired, in order, then out of order, then by
sentence (steps 3 to 5 of reader/align/__init__.py).
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from index.document import Document, Span
from reader.align.terms import _passages, _Side, _variant_map, _Vocab

Kind = Literal["paragraph", "sentence"]
PAIR_THRESHOLD = 0.2  # minimum cosine for an in-order pair
OUT_OF_ORDER_THRESHOLD = 0.3  # stricter: an out-of-order pair has no neighbours vouching for it
SENTENCE_THRESHOLD = 0.3  # sentences are short: one shared name weighs more
PART_THRESHOLD = 0.08  # each part of a merge must resemble the counterpart at least this much
NEAR_IDENTICAL = 0.8  # a pair sharing a single term must score this (identical headings)
MAX_MERGE = 10


# Gain added to an in-order pair that directly continues the previous one (next passage on both
# sides): a translation or an edit keeps runs, so a weaker adjacent counterpart beats a closer
# wording twenty paragraphs on (seed 000 tells 003 twice: a translation, then a rewrite).
CONTINUITY_BONUS = 0.25  # at most this many consecutive passages against one


class Cancelled(Exception):
    """`align` stopped because its `cancelled` callback returned True."""


@dataclass(frozen=True)
class Pair:
    """One aligned passage: `a` in the first document, `b` in the second; None = unpaired.

    A merge (one paragraph against two or three consecutive ones) has one span covering them
    all. `in_order` is False for pairs found by the out-of-order pass.
    """

    a: Span | None
    b: Span | None
    score: float
    kind: Kind
    in_order: bool = True

    @property
    def paired(self) -> bool:
        return self.a is not None and self.b is not None


@dataclass(frozen=True)
class Alignment:
    pairs: tuple[Pair, ...]
    seconds: float

    def pair_at(self, side: Literal["a", "b"], offset: int) -> Pair | None:
        """The pair whose passage on `side` contains `offset` (or is the nearest after it).

        What a split view calls when the cursor moves: it gets the counterpart to bring into
        view. Returns None past the last passage.
        """
        best: Pair | None = None
        for pair in self.pairs:
            span = pair.a if side == "a" else pair.b
            if span is None:
                continue
            if span.start <= offset < span.end:
                return pair
            if span.start > offset and (best is None or span.start < _side(best, side).start):
                best = pair
        return best

    @property
    def paired(self) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.paired)


def _side(pair: Pair, side: str) -> Span:
    span = pair.a if side == "a" else pair.b
    assert span is not None
    return span


def _similar_cells(
    vocab: _Vocab,
    xs: Sequence[frozenset[int]],
    ys: Sequence[frozenset[int]],
    floor: float,
    cancelled: Callable[[], bool] | None,
) -> dict[tuple[int, int], float]:
    """Cosine of every (x, y) that shares a term and scores >= floor, from an inverted index.

    Terms in more than a fifth of ys (and over 64 of them) are left out of the accumulation,
    which only under-estimates; every cell kept is scored exactly.
    """
    w2 = vocab.w2
    postings: dict[int, list[int]] = defaultdict(list)
    for j, y in enumerate(ys):
        for t in y:
            postings[t].append(j)
    cap = max(64, len(ys) // 5)
    ynorm = [vocab.norm(y) for y in ys]
    cells: dict[tuple[int, int], float] = {}
    for i, x in enumerate(xs):
        if cancelled is not None and i % 32 == 0 and cancelled():
            raise Cancelled
        nx = vocab.norm(x)
        if not nx:
            continue
        acc: dict[int, float] = defaultdict(float)
        for t in x:
            posting = postings.get(t)
            if posting and len(posting) <= cap:
                weight = w2[t]
                for j in posting:
                    acc[j] += weight
        for j, dot in acc.items():
            denom = nx * ynorm[j]
            if dot < floor * denom * 0.5:
                continue
            shared = x & ys[j]
            score = sum(w2[t] for t in shared) / denom
            if score >= floor and (len(shared) >= 2 or score >= NEAR_IDENTICAL):
                cells[(i, j)] = score
    return cells


@dataclass(frozen=True, slots=True)
class _Cell:
    i1: int  # rows (passages of A) i1..i2 inclusive
    i2: int
    j1: int  # columns (passages of B) j1..j2 inclusive
    j2: int
    score: float
    in_order: bool = True


def _merged_cells(
    vocab: _Vocab,
    xs: Sequence[frozenset[int]],
    ys: Sequence[frozenset[int]],
    cells: dict[tuple[int, int], float],
) -> list[_Cell]:
    """1:n and n:1 merges of consecutive passages whose parts each resemble the other side.

    A merge is kept only while each added passage raises the similarity: a passage that does
    not belong dilutes the set and stops the extension.
    """
    out: list[_Cell] = []
    for (i, j), score in cells.items():
        # A's i told in B's j, j+1, ...; every step must beat the merge so far and each part
        union, best, single = ys[j], score, score
        for nj in range(j + 1, j + MAX_MERGE):
            part = cells.get((i, nj))
            if part is None:
                break
            union, single = union | ys[nj], max(single, part)
            merged = vocab.cosine(xs[i], union)
            if merged <= max(best, single):
                break
            best = merged
            out.append(_Cell(i, i, j, nj, merged))
        # A's i, i+1, ... told in B's j
        union, best, single = xs[i], score, score
        for ni in range(i + 1, i + MAX_MERGE):
            part = cells.get((ni, j))
            if part is None:
                break
            union, single = union | xs[ni], max(single, part)
            merged = vocab.cosine(union, ys[j])
            if merged <= max(best, single):
                break
            best = merged
            out.append(_Cell(i, ni, j, j, merged))
    return out


def _gain(cell: _Cell, threshold: float) -> float:
    return (cell.score - threshold) * ((cell.i2 - cell.i1 + 1) + (cell.j2 - cell.j1 + 1)) / 2


def _chain(cells: list[_Cell], rows: int, cols: int, threshold: float) -> list[_Cell]:
    """The monotone set of non-overlapping cells with the largest total gain (skips are free)."""
    if not cells:
        return []
    size = cols + 1
    tree_val = [0.0] * (size + 1)
    tree_arg = [-1] * (size + 1)

    def update(col: int, value: float, arg: int) -> None:
        k = col + 1
        while k <= size:
            if value > tree_val[k]:
                tree_val[k], tree_arg[k] = value, arg
            k += k & -k

    def query(col: int) -> tuple[float, int]:  # best over columns < col
        k, best, arg = col, 0.0, -1
        while k > 0:
            if tree_val[k] > best:
                best, arg = tree_val[k], tree_arg[k]
            k -= k & -k
        return best, arg

    by_start: dict[int, list[int]] = defaultdict(list)
    by_end: dict[int, list[int]] = defaultdict(list)
    for n, c in enumerate(cells):
        by_start[c.i1].append(n)
        by_end[c.i2].append(n)
    value = [0.0] * len(cells)
    pred = [-1] * len(cells)
    ends_at: dict[tuple[int, int], int] = {}  # (i2, j2) -> the best cell ending there
    for row in range(rows):
        for n in by_end.get(row - 1, ()):
            update(cells[n].j2, value[n], n)
        for n in by_start.get(row, ()):
            c = cells[n]
            best, arg = query(c.j1)
            diagonal = ends_at.get((c.i1 - 1, c.j1 - 1))
            if diagonal is not None and value[diagonal] + CONTINUITY_BONUS > best:
                best, arg = value[diagonal] + CONTINUITY_BONUS, diagonal
            value[n] = best + _gain(c, threshold)
            pred[n] = arg
            key = (c.i2, c.j2)
            if key not in ends_at or value[ends_at[key]] < value[n]:
                ends_at[key] = n
    end = max(range(len(cells)), key=value.__getitem__)
    chain: list[_Cell] = []
    while end != -1:
        chain.append(cells[end])
        end = pred[end]
    chain.reverse()
    return chain


def _match(
    vocab: _Vocab,
    xs: Sequence[frozenset[int]],
    ys: Sequence[frozenset[int]],
    threshold: float,
    cancelled: Callable[[], bool] | None,
) -> list[_Cell]:
    """In-order chain (with merges), then out-of-order pairs among what is left."""
    cells = _similar_cells(vocab, xs, ys, PART_THRESHOLD, cancelled)
    candidates = [_Cell(i, i, j, j, s) for (i, j), s in cells.items() if s >= threshold]
    candidates += [c for c in _merged_cells(vocab, xs, ys, cells) if c.score >= threshold]
    chain = _chain(candidates, len(xs), len(ys), threshold)
    used_x = {i for c in chain for i in range(c.i1, c.i2 + 1)}
    used_y = {j for c in chain for j in range(c.j1, c.j2 + 1)}
    loose = sorted(
        ((s, i, j) for (i, j), s in cells.items() if s >= max(threshold, OUT_OF_ORDER_THRESHOLD)),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    extra: list[_Cell] = []
    for s, i, j in loose:
        if i not in used_x and j not in used_y:
            used_x.add(i)
            used_y.add(j)
            extra.append(_Cell(i, i, j, j, s, in_order=False))
    return chain + extra


def _cover(spans: Sequence[Span], first: int, last: int) -> Span:
    return Span(spans[first].start, spans[last].end)


def _sentences_in(sentences: Sequence[Span], starts: list[int], paragraph: Span) -> list[Span]:
    """The sentences inside a paragraph (clipped to it); the paragraph itself if none."""
    out: list[Span] = []
    k = max(0, bisect.bisect_right(starts, paragraph.start) - 1)
    while k < len(sentences) and sentences[k].start < paragraph.end:
        s = sentences[k]
        clipped = Span(max(s.start, paragraph.start), min(s.end, paragraph.end))
        if clipped.start < clipped.end:
            out.append(clipped)
        k += 1
    return out or [paragraph]


def align(
    a: Document,
    b: Document,
    cancelled: Callable[[], bool] | None = None,
) -> Alignment:
    """Pair the passages of `a` with those of `b` (see the module docstring).

    `cancelled` is polled now and then (e.g. `lambda: worker.is_cancelled`); when it returns
    True, `Cancelled` is raised.
    """
    started = time.perf_counter()
    side_a, side_b = _Side(a.text), _Side(b.text)
    vocab = _Vocab(_variant_map([*side_a.tokens, *side_b.tokens]))
    paras_a, paras_b = _passages(a), _passages(b)
    xs = [side_a.terms(p, vocab) for p in paras_a]
    ys = [side_b.terms(p, vocab) for p in paras_b]
    vocab.weigh([*xs, *ys])

    pairs: list[Pair] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for c in _match(vocab, xs, ys, PAIR_THRESHOLD, cancelled):
        span_a, span_b = _cover(paras_a, c.i1, c.i2), _cover(paras_b, c.j1, c.j2)
        pairs.append(Pair(span_a, span_b, c.score, "paragraph", c.in_order))
        used_a.update(range(c.i1, c.i2 + 1))
        used_b.update(range(c.j1, c.j2 + 1))
    left_a = [p for n, p in enumerate(paras_a) if n not in used_a]
    left_b = [p for n, p in enumerate(paras_b) if n not in used_b]
    if left_a and left_b:
        pairs += _sentence_pairs(a, b, side_a, side_b, vocab, left_a, left_b, cancelled)
    else:
        pairs += [Pair(p, None, 0.0, "paragraph") for p in left_a]
        pairs += [Pair(None, p, 0.0, "paragraph") for p in left_b]
    return Alignment(_reading_order(pairs), time.perf_counter() - started)


def _sentence_pairs(
    a: Document,
    b: Document,
    side_a: _Side,
    side_b: _Side,
    vocab: _Vocab,
    left_a: list[Span],
    left_b: list[Span],
    cancelled: Callable[[], bool] | None,
) -> list[Pair]:
    """Align the sentences of the unpaired paragraphs; paragraphs with none paired stay whole."""
    starts_a = [s.start for s in a.sentences]
    starts_b = [s.start for s in b.sentences]
    sents_a = [(p, s) for p in left_a for s in _sentences_in(a.sentences, starts_a, p)]
    sents_b = [(p, s) for p in left_b for s in _sentences_in(b.sentences, starts_b, p)]
    xs = [side_a.terms(s, vocab) for _, s in sents_a]
    ys = [side_b.terms(s, vocab) for _, s in sents_b]
    cells = _match(vocab, xs, ys, SENTENCE_THRESHOLD, cancelled)
    out: list[Pair] = []
    hit_a: set[int] = set()
    hit_b: set[int] = set()
    for c in cells:
        span_a = Span(sents_a[c.i1][1].start, sents_a[c.i2][1].end)
        span_b = Span(sents_b[c.j1][1].start, sents_b[c.j2][1].end)
        if sents_a[c.i1][0] != sents_a[c.i2][0] or sents_b[c.j1][0] != sents_b[c.j2][0]:
            continue  # a merge across paragraphs: not a passage anyone reads as one
        out.append(Pair(span_a, span_b, c.score, "sentence", c.in_order))
        hit_a.update(range(c.i1, c.i2 + 1))
        hit_b.update(range(c.j1, c.j2 + 1))
    for side, sents, hit in (("a", sents_a, hit_a), ("b", sents_b, hit_b)):
        touched = {sents[k][0] for k in hit}
        whole: set[Span] = set()
        for k, (para, sent) in enumerate(sents):
            if para not in touched:
                if para not in whole:
                    whole.add(para)
                    out.append(_unpaired(side, para, "paragraph"))
            elif k not in hit:
                out.append(_unpaired(side, sent, "sentence"))
    return out


def _unpaired(side: str, span: Span, kind: Kind) -> Pair:
    return Pair(span, None, 0.0, kind) if side == "a" else Pair(None, span, 0.0, kind)


def _reading_order(pairs: list[Pair]) -> tuple[Pair, ...]:
    """A's order; a B-only passage goes right after the in-order pair preceding it in B."""
    anchors = sorted((p.b.start, p.a.start) for p in pairs if p.a and p.b and p.in_order)
    anchor_b = [b for b, _ in anchors]
    keyed: list[tuple[tuple[int, int, int], Pair]] = []
    for p in pairs:
        if p.a is not None:
            keyed.append(((p.a.start, 0, 0), p))
        else:
            assert p.b is not None
            k = bisect.bisect_left(anchor_b, p.b.start) - 1
            keyed.append(((anchors[k][1] if k >= 0 else -1, 1, p.b.start), p))
    keyed.sort(key=lambda item: item[0])
    return tuple(p for _, p in keyed)
