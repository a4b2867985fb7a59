"""Running a query: a page of ranked hits, or the matches inside one document.

The steps, each in its own module: check and parse (syntax), respell and expand (expansion),
choose the fast path (phrase, negation, blockwise, docsets), then spans, snippets and
suggestions for the hits shown, all with the index's one searcher held (session).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from whoosh import query as wq

from index.document import Span
from index.indexer import CorpusIndex
from index.match_units import MatchUnit, together_first
from index.search.blockwise import _mapped_top
from index.search.docsets import _search_counting, _total
from index.search.expansion import _expand
from index.search.negation import _exclusion_top, _FastNot
from index.search.phrase import _FastPhrase
from index.search.results import SearchResults
from index.search.session import _searching
from index.search.snippets import _hit
from index.search.spans import _shown_spans, _spans_by_doc
from index.search.suggestions import _added_spellings, _suggestions
from index.search.syntax import _check_syntax, _parse
from index.variants import VariantPhrase, VariantSet


def parse_query(index: CorpusIndex, text: str) -> wq.Query:
    """The Whoosh query for a user's text, or QueryError with a message for the user."""
    _check_syntax(text)
    with _searching(index) as (searcher, entry):
        return _parse(text, searcher, entry)


def _fast_paths(q: wq.Query) -> wq.Query:
    """`q` with adjacent-words phrases as `_FastPhrase` and exclusions as `_FastNot`."""
    if type(q) in (wq.Phrase, VariantPhrase):
        return _FastPhrase.of(q) if q.slop == 1 and len(q.words) > 1 else q
    if isinstance(q, wq.Phrase):
        return q
    if type(q) is wq.Not:
        return _FastNot(_fast_paths(q.query), boost=q.boost)
    return q.apply(_fast_paths)


def search(
    index: CorpusIndex,
    query: str,
    page: int = 1,
    pagelen: int = 20,
    doc_ids: Iterable[str] | None = None,
    variants: bool = True,
) -> SearchResults:
    """One page of ranked hits for `query`; raises QueryError for a query that cannot run.

    `doc_ids` restricts the search to those documents (e.g. a user's selection); without
    `variants` only the spellings typed are searched (no index/variants.py respellings).
    """
    started = time.perf_counter()
    page, pagelen = max(1, page), max(1, pagelen)
    _check_syntax(query)
    notes: list[str] = []
    found = VariantSet()
    with _searching(index) as (searcher, entry):
        q = together_first(_parse(query, searcher, entry, found, variants), query)
        q = _fast_paths(_expand(q, searcher.reader(), notes).normalize())
        allowed = None
        if doc_ids is not None:
            allowed = {n for n in (searcher.document_number(id=d) for d in doc_ids) if n is not None}
        if allowed is not None and not allowed or q is wq.NullQuery:
            total, top = 0, []
        else:
            wide = _mapped_top(q, searcher, allowed, page * pagelen, entry.helper)
            if wide is None:
                wide = _exclusion_top(q, searcher, allowed, page * pagelen)
            if wide is not None:
                total, ranked = wide
            else:
                counted = _total(q, searcher.reader(), allowed)
                if counted is not None:
                    total = counted
                    results = searcher.search(q, limit=page * pagelen, filter=allowed)
                else:  # e.g. a phrase: collect every match once, counting as it goes
                    results = _search_counting(searcher, q, page * pagelen, allowed)
                    total = len(results)
                ranked = [(hit.docnum, hit.score) for hit in results]
            top = [(docnum, score, searcher.stored_fields(docnum)) for docnum, score in ranked[(page - 1) * pagelen :]]
        spans = _shown_spans(q, searcher, [docnum for docnum, _, _ in top], entry.helper)
        hits = tuple(_hit(index, fields, score, spans[d], notes) for d, score, fields in top)
        suggestions = _suggestions(index, q, query, searcher, total)
        added = _added_spellings(index, searcher, found, hits) if total else ()
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
    )


def match_spans(index: CorpusIndex, doc_id: str, query: str, variants: bool = True) -> tuple[Span, ...]:
    """Where `query` matches inside one document (search within the open document)."""
    return tuple(unit.span for unit in matches_in(index, doc_id, query, variants))


def matches_in(index: CorpusIndex, doc_id: str, query: str, variants: bool = True) -> tuple[MatchUnit, ...]:
    """`query`'s match units in one document, each saying whether it is a variant."""
    _check_syntax(query)
    with _searching(index) as (searcher, entry):
        q = _parse(query, searcher, entry, variants=variants)
        q = _fast_paths(_expand(q, searcher.reader(), []))
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or q is wq.NullQuery:
            return ()
        return tuple(_spans_by_doc(q, searcher, [docnum])[docnum])
