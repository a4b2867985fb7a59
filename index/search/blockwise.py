"""Ands, phrases and wide Ors (expanded wildcards and fuzzy terms) scored block by block.

Each term's postings are read a block at a time and scored with Whoosh's own scorer objects,
so totals, scores and ranking stay Whoosh's (up to the order of floating-point additions):
780 ms -> 120 ms for `cons*`. With a helper process the segments are split between the two.
"""

from __future__ import annotations

import heapq
import logging
import threading
import weakref
from collections.abc import Callable, Iterator

import numpy as np
from whoosh import query as wq

from index.search.blocks import Posting, forget_scored, remember_scored, term_weights
from index.search.helper import helper_request, split_leaves, merge_top
from index.search.phrase import FastPhrase, ScoredDocs
from index.search.verify_top import bm25_array, top_first
from index.search.syntax import query_contains
from index.whoosh_internals import Unsupported, bm25_parameters, fallback, length_score, segment_free

log = logging.getLogger(__name__)


class Stopped(Exception):
    """A scoring stopped because its caller no longer wants it (`mapped_top`'s `stop`)."""


_LENGTHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LENGTHS_LOCK = threading.Lock()
_WIDE_OR = 8  # an Or of at least this many clauses is scored by `mapped_top`


def _field_lengths(leaf, field: str) -> list[int]:
    """Every document's length in `field` for one segment, as Whoosh's scorer reads it. A
    document with no word in the field has a zero length byte, for which Whoosh's
    `doc_field_length` returns None rather than its default; such a document never matches a
    word of that field, so the default stands in (scoring reads every document's length)."""
    with _LENGTHS_LOCK:
        fields = _LENGTHS.get(leaf)
        if fields is None:
            fields = _LENGTHS[leaf] = {}
        lengths = fields.get(field)
        if lengths is None:
            length = leaf.doc_field_length
            lengths = fields[field] = [length(d, field, 1) or 1 for d in range(leaf.doc_count_all())]
        return lengths


def _length_array(leaf, field: str) -> np.ndarray:
    """`_field_lengths` as a numpy array (kept beside the list)."""
    lengths = _field_lengths(leaf, field)
    with _LENGTHS_LOCK:
        fields = _LENGTHS[leaf]
        key = (field, "array")
        array = fields.get(key)
        if array is None:
            array = fields[key] = np.array(lengths, dtype=np.int64)
        return array


def _or_of_terms(q: wq.Or, sub, weighting, formulas: dict | None) -> dict[int, float] | None:
    """`_score_map` of an Or of plain terms (a prefix's or a fuzzy term's expansions) with
    Whoosh's BM25F formula evaluated by numpy over each term's postings, or None (not BM25F:
    score it posting by posting).

    The formula is Whoosh's `bm25` written out with the same operations in the same order,
    so every score is the same double (checked against Whoosh's own scorer on each term's
    first posting; a difference falls back and says so); the clauses' scores are added in
    the Or's order, starting from 0.0, as the posting-by-posting Or adds them. The Python
    call per posting was about a sixth of `cons*`."""
    leaf = sub.reader()
    total = np.zeros(leaf.doc_count_all())
    hit = np.zeros(leaf.doc_count_all(), dtype=bool)
    for term in q.subqueries:
        field = term.fieldname
        if field not in sub.schema:
            continue
        try:
            btext = sub.schema[field].to_bytes(term.text)
        except ValueError:
            continue
        if (field, btext) not in leaf:
            continue
        key = ("bm25", field, btext)
        params = formulas.get(key) if formulas is not None else None
        scorer = None
        if params is None:
            scorer = weighting.scorer(sub, field, btext)
            params = bm25_parameters(scorer)
            if params is None:
                return None
            if formulas is not None and segment_free(scorer):
                formulas[key] = params
        docs, weights = term_weights(leaf, field, btext)
        remember_scored(leaf, field, btext, docs)
        if not docs:
            continue
        count = len(docs)
        ids = np.fromiter(docs, dtype=np.intp, count=count)
        tf = np.fromiter(weights, dtype=np.float64, count=count)
        fl = _length_array(leaf, field)[ids]
        scores = bm25_array(params, tf, fl)
        if scorer is not None:
            first = int(ids[0])
            expected = scorer._score(float(tf[0]), _field_lengths(leaf, field)[first])
            if float(scores[0]) != expected:
                fallback(log, "scoring an Or of terms with numpy", f"{float(scores[0])!r} != {expected!r}")
                return None
        if term.boost != 1.0:
            scores = scores * term.boost
        total[ids] += scores
        hit[ids] = True
    docs = np.flatnonzero(hit)
    values = total[docs]
    if q.boost != 1.0:
        values = values * q.boost
    return dict(zip(docs.tolist(), values.tolist()))


def _term_scores(sub, term: wq.Term, weighting, formulas: dict | None = None) -> list[tuple[int, float]]:
    """[(local docnum, score)] of one term in one segment, scored as Whoosh's matcher would
    (the term's boost included), from its postings read a block at a time.

    `formulas` keeps, across the segments of one scoring, each term's scoring formula when
    it does not depend on the segment (`segment_free`): Whoosh's BM25F scorer looks up the
    term's document frequency in every segment to compute its idf, so making one per term
    and segment cost 121 term-table lookups per word of a prefix on 11 segments."""
    field = term.fieldname
    if field not in sub.schema:
        return []
    fieldobj = sub.schema[field]
    try:
        btext = fieldobj.to_bytes(term.text)
    except ValueError:
        return []
    leaf = sub.reader()
    if (field, btext) not in leaf:
        return []
    docs, weights = term_weights(leaf, field, btext)
    remember_scored(leaf, field, btext, docs)
    score = formulas.get((field, btext)) if formulas is not None else None
    if score is None:
        scorer = weighting.scorer(sub, field, btext)
        try:
            score = length_score(scorer)
        except Unsupported as exc:
            fallback(log, "scoring from field lengths", exc)
            score = None
        if score is not None and formulas is not None and segment_free(scorer):
            formulas[(field, btext)] = score
    if score is not None:
        lengths = _field_lengths(leaf, field)
        values = [(d, score(w, lengths[d])) for d, w in zip(docs, weights)]
    else:
        values = [(d, scorer.score(Posting(d, w))) for d, w in zip(docs, weights)]
    if term.boost != 1.0:
        values = [(d, s * term.boost) for d, s in values]
    return values


def _mappable(q: wq.Query) -> bool:
    """Whether `_score_map` can score `q`: terms and adjacent-word phrases under Ands and
    plain Ors."""
    if type(q) in (wq.Term, FastPhrase):
        return True
    if type(q) is wq.And or (type(q) is wq.Or and not q.minmatch and not q.scale):
        return all(_mappable(c) for c in q.subqueries)
    return False


def _score_map(
    q: wq.Query,
    sub,
    context,
    formulas: dict | None = None,
    phrase_scores=None,
    whole: dict | None = None,
) -> dict[int, float]:
    """{local docnum: score} of a `_mappable` query in one segment, as Whoosh scores it.

    With `phrase_scores` each phrase's map is that function's instead (index/search/
    verify_top.py: the scores its documents would have if it matched), and `whole` keeps
    the map of every subtree without a phrase, by node id."""
    if phrase_scores is not None and type(q) is FastPhrase:
        return phrase_scores(q)
    if whole is not None and id(q) in whole:
        return whole[id(q)]
    scores = _node_scores(q, sub, context, formulas, phrase_scores, whole)
    if whole is not None and not query_contains(q, lambda n: type(n) is FastPhrase):
        whole[id(q)] = scores
    return scores


def _node_scores(q: wq.Query, sub, context, formulas, phrase_scores, whole) -> dict[int, float]:
    """`_score_map` of one node.

    Whoosh's matcher trees step posting by posting through Python objects (a union or an
    intersection matcher per pair of clauses, a block-quality check per step); for an And
    of common words or an Or of many terms that walk was most of a search (140 ms for
    `supported AND being`, 780 ms for `cons*`). Here each term's postings are read a block at
    a time and scored with Whoosh's scorer objects; an Or adds its clauses' scores, an And
    adds them over the documents every clause matches, and a boost multiplies, as Whoosh's
    union, intersection and wrapping matchers do. Only the order of floating-point additions
    may differ (tests/test_search.py compares rankings and scores).
    """
    kind = type(q)
    if kind is wq.Term:
        return dict(_term_scores(sub, q, context.weighting, formulas))
    if kind is FastPhrase:
        matcher = q.matcher(sub, context)
        if isinstance(matcher, ScoredDocs):
            return matcher.scores_by_doc()
        return {d: matcher.score() for d in _matcher_ids(matcher)}
    if kind is wq.Or and _numpy_or(q):
        found = _or_of_terms(q, sub, context.weighting, formulas)
        if found is not None:
            return found
    parts = [_score_map(c, sub, context, formulas, phrase_scores, whole) for c in q.subqueries]
    if kind is wq.Or:
        scores: dict[int, float] = {}
        get = scores.get
        for part in parts:
            for d, s in part.items():
                scores[d] = get(d, 0.0) + s
    else:  # And
        smallest = min(parts, key=len)
        common = set(smallest).intersection(*(p for p in parts if p is not smallest))
        scores = {d: sum(p[d] for p in parts) for d in common}
    if q.boost != 1.0:
        scores = {d: s * q.boost for d, s in scores.items()}
    return scores


def _numpy_or(q: wq.Or) -> bool:
    """Whether `_or_of_terms` scores this Or: plain terms, `_WIDE_OR` or more of them, or at
    most two (a word in the body and the title), where its left-to-right sum is the one
    Whoosh's union matcher makes (a + b); three are summed a + (b + c) by Whoosh's tree."""
    n = len(q.subqueries)
    return (n >= _WIDE_OR or n <= 2) and all(type(c) is wq.Term for c in q.subqueries)


def _matcher_ids(matcher) -> Iterator[int]:
    while matcher.is_active():
        yield matcher.id()
        matcher.next()


def mapped_top(
    q: wq.Query,
    searcher,
    allowed: set[int] | None,
    limit: int,
    helper=None,
    excluded: set[int] | frozenset[int] | None = None,
    lazy: bool = False,
    stop: Callable[[], bool] | None = None,
):
    """(total, [(docnum, score)] best first) through `_score_map`, for the queries where it
    beats Whoosh's matchers (an And, a phrase, an Or of `_WIDE_OR` or more clauses), else
    None. Ties are ranked by document number, as Whoosh's collector ranks them. With `lazy`
    a query with phrases checks positions only as far as the ranking needs
    (index/search/verify_top.py) and its total may be None: not counted.

    With a ready `helper` (index/search/helper.py) about half of the documents' segments are
    scored in that process while this one scores the rest. `excluded` documents are left out
    of the total and the ranking (the other side of `a NOT b`, index/search/negation.py).
    `stop` is asked before each segment; when it says so, `Stopped` is raised (no helper
    then: its half could not be stopped)."""
    ready = helper is not None and stop is None and helper.ready()
    if not block_wise(q, split=ready):
        return None
    context = searcher.context(weighting=searcher.weighting)
    if context.needs_current:
        fallback(log, "block-wise scoring", f"{type(searcher.weighting).__name__} needs the matcher")
        return None
    leaves = list(searcher.leaf_searchers())
    theirs: list = []
    if ready and helper is not None and len(leaves) > 1:
        mine, theirs = split_leaves(leaves)
        request = helper_request(
            q,
            searcher,
            theirs,
            limit=limit,
            allowed=frozenset(allowed) if allowed is not None else None,
            excluded=frozenset(excluded) if excluded else None,
            lazy=lazy,
        )
        if helper.ask(request):
            leaves = mine
        else:
            theirs = []
    own = _score_segments(q, searcher, leaves, allowed, limit, context, excluded, lazy, stop)
    if not theirs or helper is None:
        return own
    answer = helper.answer()
    if answer is None:  # the helper could not: score its segments here
        answer = _score_segments(q, searcher, theirs, allowed, limit, context, excluded, lazy)
    return merge_top([own, answer], limit)


def block_wise(q: wq.Query, split: bool = False) -> bool:
    """Whether `mapped_top` scores `q`: an Or of `_WIDE_OR`+ clauses, a phrase, an And, or,
    when the work is `split` with a helper process, any Or of 3+ clauses."""
    if not _mappable(q):
        return False
    if type(q) is wq.Or and len(q.subqueries) >= (3 if split else _WIDE_OR):
        return True
    if type(q) is wq.Term or (type(q) is wq.Or and _numpy_or(q)):  # a word: numpy, not a collector
        return True
    return query_contains(q, lambda n: type(n) in (FastPhrase, wq.And))


def _score_segments(
    q: wq.Query,
    searcher,
    leaves,
    allowed: set[int] | frozenset[int] | None,
    limit: int,
    context=None,
    excluded: set[int] | frozenset[int] | None = None,
    lazy: bool = False,
    stop: Callable[[], bool] | None = None,
) -> tuple[int | None, list[tuple[int, float]]]:
    """(total, best `limit` (docnum, score)) of a `_mappable` query over some segments,
    `excluded` documents left out; with `lazy` the total of a query with phrases may be
    None (not counted: index/search/verify_top.py)."""
    if context is None:
        context = searcher.context(weighting=searcher.weighting)
    forget_scored()  # the previous search's
    scores: dict[int, float] = {}
    formulas: dict = {}  # each term's scoring formula, made once for all the segments
    maps = None
    if lazy:
        found = top_first(q, leaves, context, formulas, allowed, excluded, limit, _score_map, _length_array)
        if isinstance(found, tuple):
            return found
        maps = found  # every candidate checked after all: the segments' maps, or None
    if maps is None:
        maps = []
        for sub, base in leaves:
            if stop is not None and stop():
                raise Stopped
            maps.append((base, _score_map(q, sub, context, formulas)))
    for base, segment_scores in maps:
        for d, s in segment_scores.items():
            scores[base + d] = s
    if allowed is not None:
        scores = {d: s for d, s in scores.items() if d in allowed}
    if excluded:
        scores = {d: s for d, s in scores.items() if d not in excluded}
    total = len(scores)
    ranked = heapq.nsmallest(limit, ((-s, d) for d, s in scores.items() if s > 0))
    return total, [(d, -s) for s, d in ranked]
