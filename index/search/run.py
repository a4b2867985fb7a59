"""Running a query: a page of ranked hits, or the matches inside one document.

The steps, each in its own module: check and parse (syntax), respell and expand (expansion),
choose the fast path (phrase, negation, blockwise, docsets), then spans, snippets and
suggestions for the hits shown, all with the index's one searcher held (session).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from whoosh import query as wq

from index.document import Span
from index.indexer import CorpusIndex
from index.match_units import MatchUnit, together_first
from index.search.blockwise import Stopped, mapped_top
from index.search.docsets import search_counting, exact_total
from index.search.expansion import expand_query
from index.search.negation import exclusion_top, FastNot
from index.search.phrase import FastPhrase
from index.search.results import SearchResults
from index.search.session import searching
from index.search.snippets import build_hit
from index.search.spans import shown_spans, spans_by_doc
from index.search.suggestions import added_spellings, spelling_suggestions
from index.search.syntax import check_syntax, query_from_text
from index.variants import VariantPhrase, VariantSet


def parse_query(index: CorpusIndex, text: str) -> wq.Query:
    """The Whoosh query for a user's text, or QueryError with a message for the user."""
    check_syntax(text)
    with searching(index) as (searcher, entry):
        return query_from_text(text, searcher, entry)


def fast_paths(q: wq.Query) -> wq.Query:
    """`q` with adjacent-words phrases as `FastPhrase` and exclusions as `FastNot`."""
    if type(q) in (wq.Phrase, VariantPhrase):
        return FastPhrase.of(q) if q.slop == 1 and len(q.words) > 1 else q
    if isinstance(q, wq.Phrase):
        return q
    if type(q) is wq.Not:
        return FastNot(fast_paths(q.query), boost=q.boost)
    return q.apply(fast_paths)


def search(
    index: CorpusIndex,
    query: str,
    page: int = 1,
    pagelen: int = 20,
    doc_ids: Iterable[str] | None = None,
    variants: bool = True,
    count: bool = True,
) -> SearchResults:
    """One page of ranked hits for `query`; raises QueryError for a query that cannot run.

    `doc_ids` restricts the search to those documents (e.g. a user's selection); without
    `variants` only the spellings typed are searched (no index/variants.py respellings).
    Without `count` a query with phrases of common words may leave its total uncounted
    (`counted` False, `total` the hits found so far): the hits come first, the same hits in
    the same order, and `count_hits` counts them after (index/search/verify_top.py).
    """
    started = time.perf_counter()
    page, pagelen = max(1, page), max(1, pagelen)
    check_syntax(query)
    notes: list[str] = []
    found = VariantSet()
    with searching(index) as (searcher, entry):
        q = _prepared(query, searcher, entry, found, variants, notes)
        allowed = _allowed(searcher, doc_ids)
        found_total: int | None = 0
        if allowed is not None and not allowed or q is wq.NullQuery:
            total, top = 0, []
        else:
            found_total, ranked = _ranked(q, searcher, allowed, page * pagelen, entry.helper, lazy=not count)
            top = [(docnum, score, searcher.stored_fields(docnum)) for docnum, score in ranked[(page - 1) * pagelen :]]
            total = len(ranked) if found_total is None else found_total
        spans = shown_spans(q, searcher, [docnum for docnum, _, _ in top], entry.helper)
        hits = tuple(build_hit(index, fields, score, spans[d], notes) for d, score, fields in top)
        suggestions = spelling_suggestions(index, q, query, searcher, total)
        added = added_spellings(index, searcher, found, hits) if total else ()
    return SearchResults(
        query=query,
        total=total,
        page=page,
        pagelen=pagelen,
        hits=hits,
        suggestions=suggestions,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
        added=added,
        counted=found_total is not None,
    )


def count_hits(
    index: CorpusIndex,
    query: str,
    doc_ids: Iterable[str] | None = None,
    variants: bool = True,
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """How many documents `query` finds: the total a `search(count=False)` left uncounted.

    With `cancelled`, asked between segments, the count stops when it says so (None) and
    lets go of the index's searcher, so the app's next search does not wait for a count no
    longer wanted; it is then counted in this process alone (the helper's half could not be
    stopped)."""
    check_syntax(query)
    with searching(index) as (searcher, entry):
        q = _prepared(query, searcher, entry, VariantSet(), variants, [])
        allowed = _allowed(searcher, doc_ids)
        if allowed is not None and not allowed or q is wq.NullQuery:
            return 0
        try:
            total, _ = _ranked(q, searcher, allowed, 1, entry.helper, stop=cancelled)
        except Stopped:
            return None
        assert total is not None  # counted: not lazy
        return total


def _prepared(query: str, searcher, entry, found: VariantSet, variants: bool, notes: list[str]) -> wq.Query:
    """The query a search runs: parsed, words typed together first, expanded, fast paths."""
    q = together_first(query_from_text(query, searcher, entry, found, variants), query)
    return fast_paths(expand_query(q, searcher.reader(), notes).normalize())


def _allowed(searcher, doc_ids: Iterable[str] | None) -> set[int] | None:
    if doc_ids is None:
        return None
    return {n for n in (searcher.document_number(id=d) for d in doc_ids) if n is not None}


def _ranked(q: wq.Query, searcher, allowed, limit: int, helper, lazy: bool = False, stop=None):
    """(total, [(docnum, score)] best first) by the fastest path that keeps Whoosh's ranking;
    the total is None only when `lazy` left it uncounted. `stop`: see `mapped_top` (the
    other paths do not stop)."""
    wide = mapped_top(q, searcher, allowed, limit, helper, lazy=lazy, stop=stop)
    if wide is None:
        wide = exclusion_top(q, searcher, allowed, limit, helper)
    if wide is not None:
        return wide
    counted = exact_total(q, searcher.reader(), allowed)
    if counted is not None:
        results = searcher.search(q, limit=limit, filter=allowed)
        total = counted
    else:  # e.g. a phrase: collect every match once, counting as it goes
        results = search_counting(searcher, q, limit, allowed)
        total = len(results)
    return total, [(hit.docnum, hit.score) for hit in results]


def match_spans(index: CorpusIndex, doc_id: str, query: str, variants: bool = True) -> tuple[Span, ...]:
    """Where `query` matches inside one document (search within the open document)."""
    return tuple(unit.span for unit in matches_in(index, doc_id, query, variants))


def matches_in(index: CorpusIndex, doc_id: str, query: str, variants: bool = True) -> tuple[MatchUnit, ...]:
    """`query`'s match units in one document, each saying whether it is a variant."""
    check_syntax(query)
    with searching(index) as (searcher, entry):
        q = query_from_text(query, searcher, entry, variants=variants)
        q = fast_paths(expand_query(q, searcher.reader(), []))
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or q is wq.NullQuery:
            return ()
        return tuple(spans_by_doc(q, searcher, [docnum])[docnum])
