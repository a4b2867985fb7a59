"""The best hits of a query with phrases, reading positions only as far as the ranking needs.

Why: a phrase of common words (`"need to"`, `"must be"`) must check its words' positions in
every document that has them all to know its exact total: at 300 MB and 1 GB that is most of
every slow search (docs/benchmarks.md). Its ranking needs far less. A phrase's score in a
document is the sum of its words' scores there, known from the words' ids and weights alone,
before any position is read. So each document that has every word of a phrase is first given
the score it would have if the phrase matched there. That is an upper bound on its real
score: scores are positive, and a phrase that fails only takes its part out of an Or's sum
or the document out of an And. The candidates are then checked best bound first, a batch at
a time, until the `limit`-th checked hit ranks ahead of every bound still unchecked.

The hits, their scores and their order are the ones the full scoring gives
(tests/test_verify_top.py compares them query by query). What is not known is the total:
`top_first` says None for it unless every candidate was checked anyway, and the caller counts
afterwards (index/search/run.py `count_hits`, which the app runs once the hits are shown).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import islice
from typing import Any

import numpy as np
from whoosh import query as wq

from index.search.blocks import term_weights
from index.search.phrase import FastPhrase
from index.whoosh_internals import bm25_parameters

ALL_BELOW = 1000
"""With fewer candidates than this every one is checked: the exact total then costs little more."""
FIRST_BATCH = 1.5
"""Candidates checked first, per hit wanted; each next batch is twice the last (few batches
whatever the rate)."""
GIVE_UP = 1.0
"""When the rate found so far says the hits still missing need more work than this share of
checking every candidate, every candidate is checked at once instead (the full scoring: a phrase that few of
its candidates hold, such as `"data that have"`, costs about what it cost before). The work
is counted in postings blocks decoded: a candidate checked alone decodes about a block per
word; checking all decodes every block of the words once and the positions of every
candidate, `POSITIONS_PER_BLOCK` of them costing about a block (at 300 MB `"need to"`
decoded "to"'s blocks in 95 ms and its 17,000 documents' positions in 258 ms)."""
SAMPLE = 64
SAMPLE_RATE = 0.2
"""The ranking is settled lazily only for a phrase that at least this share of a sample of its
rarest word's documents holds (`_common_enough`)."""
POSTINGS_PER_BLOCK = 128  # Whoosh's W3 codec's `blocklimit`
POSITIONS_PER_BLOCK = 64

PhraseScores = Callable[[FastPhrase], Any]  # anything with get(docnum) -> score or None
ScoreMap = Callable[..., dict[int, float]]


def bm25_array(params: tuple[float, float, float, float], tf: np.ndarray, fl: np.ndarray) -> np.ndarray:
    """Whoosh's `bm25(idf, tf, fl, avgfl, B, K1)` over arrays, the same operations in the same
    order (every element is the double Whoosh's `_score` gives; callers check one)."""
    idf, avgfl, B, K1 = params
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))


def candidate_scores(phrase: FastPhrase, sub, context, lengths: Callable) -> tuple[dict[int, float], int] | None:
    """({local docnum: score}, blocks) of the documents of one segment that have every word of
    `phrase`, each scored as `FastPhrase.matcher` scores it where the phrase matches, and
    about how many postings blocks checking them all would decode (the cost of the full
    scoring). `lengths(leaf, field)` is the segment's field lengths as a numpy array. None:
    not scored by BM25F as written here (no bounds can be made)."""
    leaf = sub.reader()
    field = phrase.fieldname
    btexts = phrase._btexts(leaf.schema)
    if btexts is None or any((field, b) not in leaf for b in btexts):
        return {}, 0
    distinct = sorted(set(btexts), key=lambda b: leaf.doc_frequency(field, b))
    read: dict[bytes, tuple[np.ndarray, list[float]]] = {}  # each word's (ids, weights) read
    common: np.ndarray | None = None
    blocks = 0
    for btext in distinct:  # the rarest whole, the others only in the blocks of the documents left
        ids, weights = term_weights(leaf, field, btext, None if common is None else common.tolist())
        array = np.fromiter(ids, dtype=np.intp, count=len(ids))
        read[btext] = array, weights
        if common is None:
            blocks += -(-len(ids) // POSTINGS_PER_BLOCK)
            common = array
        else:
            blocks += min(-(-leaf.doc_frequency(field, btext) // POSTINGS_PER_BLOCK), len(common))
            common = np.intersect1d(common, array, assume_unique=True)
        if not len(common):
            return {}, 0
    assert common is not None
    blocks += len(common) * len(read) // POSITIONS_PER_BLOCK
    fl = lengths(leaf, field)[common]
    per_word = []
    weighting = context.weighting
    for btext in btexts:
        ids_array, weights = read[btext]
        tf = np.fromiter(weights, dtype=np.float64, count=len(weights))[np.searchsorted(ids_array, common)]
        scorer = weighting.scorer(sub, field, btext)
        params = bm25_parameters(scorer)
        scores = bm25_array(params, tf, fl) if params is not None else None
        if scores is None or float(scores[0]) != scorer._score(float(tf[0]), int(fl[0])):
            return None
        per_word.append(scores)
    total = _array_tree_sum(per_word)
    if phrase.boost != 1.0:
        total = total * phrase.boost
    return dict(zip(common.tolist(), total.tolist())), blocks


def _array_tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """`phrase._tree_sum` over arrays: element-wise sums in the order of Whoosh's tree."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _array_tree_sum(parts[:half]) + _array_tree_sum(parts[half:])


def _most_candidates(phrases: list[FastPhrase], leaves) -> int:
    """At most how many documents hold every word of one of the phrases in these segments:
    each phrase's rarest word's document count, added up."""
    most = 0
    for sub, _ in leaves:
        leaf = sub.reader()
        for phrase in phrases:
            btexts = phrase._btexts(leaf.schema) if phrase.fieldname in leaf.schema else None
            if btexts:
                most += min(leaf.doc_frequency(phrase.fieldname, b) for b in btexts)
    return most


def _common_enough(phrases: list[FastPhrase], leaves) -> bool:
    """Whether one of the phrases is found in at least `SAMPLE_RATE` of the first `SAMPLE`
    documents of its rarest word in the biggest segment. A phrase found that often settles its
    ranking after a few checks (`"need to"`: 80% of the documents with "need"); one found
    rarely (`"data that have"`: 35 of 22,000) would check hundreds of candidates one by one and
    then all of them, slower than checking all at once. The sample costs a few blocks."""
    if not leaves:
        return False
    leaf = max(leaves, key=lambda item: item[0].doc_count_all())[0].reader()
    for phrase in phrases:
        field = phrase.fieldname
        btexts = phrase._btexts(leaf.schema) if field in leaf.schema else None
        if not btexts or any((field, b) not in leaf for b in btexts):
            continue
        rarest = min(set(btexts), key=lambda b: leaf.doc_frequency(field, b))
        sample = sorted(islice(leaf.postings(field, rarest).all_ids(), SAMPLE))
        if sample and len(phrase.query_contains(leaf, only=sample)[0]) >= SAMPLE_RATE * len(sample):
            return True
    return False


def _phrases(q: wq.Query) -> list[FastPhrase]:
    if type(q) is FastPhrase:
        return [q]
    return [p for c in q.children() for p in _phrases(c)]


def _positive(q: wq.Query) -> bool:
    """Whether every boost in `q` is positive (the bounds hold only for positive scores)."""
    return q.boost > 0 and all(_positive(c) for c in q.children())


def _doc_score(q: wq.Query, d: int, whole: dict[int, dict[int, float]], phrase_map: PhraseScores) -> float | None:
    """Document `d`'s score under `q`, added in the order `_score_map` adds: subtrees without
    a phrase from their maps scored whole (`whole`, by node id), phrases from `phrase_map`."""
    if type(q) is FastPhrase:
        return phrase_map(q).get(d)
    found = whole.get(id(q))
    if found is not None:
        return found.get(d)
    parts = [_doc_score(c, d, whole, phrase_map) for c in q.subqueries]
    if type(q) is wq.Or:
        present = [p for p in parts if p is not None]
        if not present:
            return None
        score = 0.0
        for p in present:
            score = score + p
    else:  # And
        if any(p is None for p in parts):
            return None
        score = sum(parts)  # type: ignore[arg-type]
    return score * q.boost if q.boost != 1.0 else score


def top_first(
    q: wq.Query,
    leaves,
    context,
    formulas: dict,
    allowed,
    excluded,
    limit: int,
    score_map: ScoreMap,
    lengths: Callable,
) -> tuple[int | None, list[tuple[int, float]]] | list[tuple[int, dict[int, float]]] | None:
    """(total or None, best `limit` (docnum, score)) of a `_mappable` query with phrases over
    some segments, checking positions only as far as the ranking needs. None when the query
    has no phrase, cannot be bounded or has few candidates (the caller scores it in full);
    a list of each segment's (base, scores) when so few candidates held the phrase that all
    were checked (the caller ranks them and counts them, as after a full scoring)."""
    phrases = {id(p): p for p in _phrases(q)}
    if not phrases or not _positive(q):
        return None
    listed = list(phrases.values())
    if _most_candidates(listed, leaves) < ALL_BELOW or not _common_enough(listed, leaves):
        return None
    full_cost = 0  # postings blocks that checking every candidate would decode
    words = max(len(set(p.words)) for p in listed)  # about the blocks one candidate checked alone decodes
    segments = []  # per segment: (sub, base, candidates by phrase id, whole subtrees by node id)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (docnums, bounds, segment numbers)
    for number, (sub, base) in enumerate(leaves):
        candidates: dict[int, dict[int, float]] = {}
        whole: dict[int, dict[int, float]] = {}
        failed = False

        def bound(phrase: FastPhrase, sub=sub, candidates=candidates) -> dict[int, float]:
            nonlocal failed, full_cost
            found = candidates.get(id(phrase))
            if found is None:
                made = candidate_scores(phrase, sub, context, lengths)
                if made is None:
                    failed, made = True, ({}, 0)
                found, blocks = made
                candidates[id(phrase)] = found
                full_cost += blocks
            return found

        scores = score_map(q, sub, context, formulas, phrase_scores=bound, whole=whole)
        if failed:
            return None
        segments.append((sub, base, candidates, whole))
        count = len(scores)
        docnums = np.fromiter(scores.keys(), dtype=np.int64, count=count) + base
        parts.append((docnums, np.fromiter(scores.values(), dtype=np.float64, count=count), np.full(count, number)))
    docnums = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    bounds = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
    numbers = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    for kept in (allowed, excluded):
        if kept is not None and (kept is allowed or kept):
            inside = np.isin(docnums, np.fromiter(kept, dtype=np.int64, count=len(kept)))
            keep = inside if kept is allowed else ~inside
            docnums, bounds, numbers = docnums[keep], bounds[keep], numbers[keep]
    if len(docnums) < ALL_BELOW:
        return None
    order = np.lexsort((docnums, -bounds))  # best bound first, ties by document number
    docnums, bounds, numbers = docnums[order].tolist(), bounds[order].tolist(), numbers[order].tolist()
    checked: list[dict[int, set[int]]] = [{} for _ in segments]  # per segment: phrase id -> matched
    best: list[tuple[float, int]] = []  # a heap of the best `limit` as (score, -docnum)
    total = 0
    start, size, hits = 0, max(8, int(FIRST_BATCH * limit)), 0
    while start < len(docnums):
        if len(best) >= limit and (bounds[start], -docnums[start]) < best[0]:
            return None, _ranked(best)  # the next bound ranks below the limit-th hit
        if start and (limit - len(best)) * start * words > GIVE_UP * full_cost * max(hits, 0.5):
            return _all_checked(q, context, formulas, segments, score_map)
        batch = zip(docnums[start : start + size], numbers[start : start + size])
        start, size = start + size, size * 2
        by_segment: dict[int, list[int]] = {}
        for docnum, number in batch:
            by_segment.setdefault(number, []).append(docnum - segments[number][1])
        for number, docs in by_segment.items():
            sub, base, candidates, whole = segments[number]
            matched = checked[number]
            leaf = sub.reader()
            for phrase_id, found in candidates.items():
                wanted = sorted(d for d in docs if d in found)
                if wanted:
                    matched.setdefault(phrase_id, set()).update(phrases[phrase_id]._found(leaf, only=wanted)[0])

            def exact(phrase: FastPhrase, candidates=candidates, matched=matched) -> _Verified:
                return _Verified(candidates.get(id(phrase), {}), matched.get(id(phrase), set()))

            for d in docs:
                score = _doc_score(q, d, whole, exact)
                if score is None:
                    continue
                total += 1
                if score <= 0:
                    continue
                hits += 1
                item = (score, -(base + d))
                if len(best) < limit:
                    heapq.heappush(best, item)
                elif item > best[0]:
                    heapq.heapreplace(best, item)
    return total, _ranked(best)


def _all_checked(q, context, formulas, segments, score_map) -> list[tuple[int, dict[int, float]]]:
    """Every segment's (base, {local docnum: score}) with every candidate checked, as the full
    scoring makes it, reusing the candidates' scores and the subtrees without a phrase."""
    maps = []
    for sub, base, candidates, whole in segments:
        leaf = sub.reader()

        def matched(phrase: FastPhrase, leaf=leaf, candidates=candidates) -> dict[int, float]:
            scores = candidates[id(phrase)]
            return {d: scores[d] for d in sorted(phrase._found(leaf)[0])}

        maps.append((base, score_map(q, sub, context, formulas, phrase_scores=matched, whole=whole)))
    return maps


class _Verified:
    """A phrase's candidate scores seen through the documents where it was found to match."""

    def __init__(self, candidates: dict[int, float], matched: set[int]) -> None:
        self._candidates, self._matched = candidates, matched

    def get(self, d: int) -> float | None:
        return self._candidates.get(d) if d in self._matched else None


def _ranked(best: list[tuple[float, int]]) -> list[tuple[int, float]]:
    return [(-negdoc, score) for score, negdoc in sorted(best, reverse=True)]
