"""The most frequent terms of a whole corpus, from the index's term statistics, never from
re-reading the texts (reader/analytics/frequencies.py shows them).

The body field's total weight per term is its number of occurrences. Whoosh's own
`most_frequent_terms` merges every segment's term list through Python generators (7 s for the
143,000 terms of the 100 MB benchmark corpus); `_segment_weights` reads each segment's term
table in one pass instead (`index.whoosh_internals.segment_term_weights`), and falls back to
the public `iter_field`, saying why in the log, if the layout is not the expected one. A test
checks both give the same numbers. Rankings are cached in memory per index state (its
segments and deletions).

Whoosh keeps a deleted (replaced) document's terms in its segment's statistics until the
segment is merged; for segments with deletions the candidate terms have the deleted documents'
share subtracted (read at those documents in the term's postings), so the counts are exact.
The body field holds stems (`forces` -> `forc`): each term is shown as a lowercase word of the
corpus with that stem (read at its first posting).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from index.indexer import CorpusIndex
from index.search.suggestions import surface_form
from index.whoosh_internals import fallback, segment_term_weights

__all__ = ["most_frequent_terms"]

log = logging.getLogger(__name__)

FIELD = "body"
_cache: dict[tuple, list[tuple[bytes, float]]] = {}
_cache_lock = threading.Lock()


def forget_rankings() -> None:
    """Drop the cached rankings, so the next count reads the term table again (a cold run)."""
    with _cache_lock:
        _cache.clear()


def _segment_weights_public(leaf, field: str) -> dict[bytes, float]:
    """Term -> total weight of one segment, through Whoosh's public API (slower)."""
    if field not in leaf.schema:
        return {}
    return {term: info.weight() for term, info in leaf.iter_field(field)}


def _segment_weights(leaf, field: str) -> dict[bytes, float]:
    try:
        return segment_term_weights(leaf, field)
    except Exception as exc:  # not the W3 layout we know: take the slow, public road
        fallback(log, "term counts from the term table", exc)
        return _segment_weights_public(leaf, field)


def _deleted_weight(leaf, field: str, term: bytes, deleted: list[int]) -> float:
    """What a segment's deleted documents still add to a term's statistics.

    Read from the term's raw postings (the child of the matcher that hides deleted documents),
    skipping straight to each deleted document: a few block reads, whatever the term's size.
    """
    try:
        matcher = leaf.postings(field, term)
    except Exception:  # not in this segment
        return 0.0
    raw = getattr(matcher, "child", matcher)
    raw.reset()  # the filtering wrapper has already stepped its child past deleted documents
    total = 0.0
    for docnum in deleted:
        if not raw.is_active():
            break
        if raw.id() < docnum:
            raw.skip_to(docnum)
        if raw.is_active() and raw.id() == docnum:
            total += raw.weight()
    return total


def _raw_ranking(reader, field: str) -> list[tuple[bytes, float]]:
    """(term, weight) of every segment merged, by weight descending, then term."""
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    key = tuple((leaf.segment().segment_id(), leaf.doc_count(), leaf.doc_count_all()) for leaf in leaves) + (field,)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    merged: dict[bytes, float] = {}
    for leaf in leaves:
        weights = _segment_weights(leaf, field)
        if not merged:
            merged = weights
            continue
        get = merged.get
        for term, weight in weights.items():
            merged[term] = get(term, 0.0) + weight
    ranking = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    with _cache_lock:
        _cache.clear()  # one index state at a time is enough
        _cache[key] = ranking
    return ranking


def most_frequent_terms(index: CorpusIndex, keep: Callable[[str], bool], limit: int) -> list[tuple[str, int]]:
    """(a word of the corpus, occurrences) of the `limit` most frequent body terms that `keep`
    accepts (it is given the term, a stem), most frequent first, ties by term."""
    with index.whoosh().searcher() as searcher:
        reader = searcher.reader()
        ranking = _raw_ranking(reader, FIELD)
        deleted = [
            (leaf, [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)])
            for leaf, _ in reader.leaf_readers()
            if leaf.has_deletions()
        ]
        chosen: list[tuple[str, int]] = []
        for term_bytes, raw in ranking:
            term = term_bytes.decode("utf-8")
            if not keep(term):
                continue
            if chosen and len(chosen) >= limit:
                # Deletions only lower counts: once the `limit`-th exact count is at least this
                # raw count, no later term can enter the list.
                chosen.sort(key=lambda kv: (-kv[1], kv[0]))
                if chosen[limit - 1][1] >= raw:
                    break
            if deleted:
                raw -= sum(_deleted_weight(leaf, FIELD, term_bytes, docs) for leaf, docs in deleted)
            if raw > 0:
                chosen.append((term, int(round(raw))))
        chosen.sort(key=lambda kv: (-kv[1], kv[0]))
        return [(surface_form(index, searcher, term), n) for term, n in chosen[:limit]]
