"""`a NOT b` with b's documents read once as a set.

Whoosh's own matcher for it walks every document that lacks b in step with a, and left some
documents out of the ranking; `FastNot` (with index.whoosh_internals.Excluding) and
`exclusion_top` give Whoosh's scores and ranking from b's document set.
"""

from __future__ import annotations

import logging

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher

from index.search.blockwise import block_wise, mapped_top
from index.search.docsets import docset
from index.whoosh_internals import Excluding, fallback

log = logging.getLogger(__name__)


class FastNot(wq.Not):
    """A `Not` whose excluded documents are read once as a set (`docset`) instead of
    being walked by the negated query's matcher tree in step with the positive part
    (`kernel NOT driver` spent most of its 70 ms there). Same matcher class, score (1.0)
    and size estimate as Whoosh's, so the And around it builds the same tree and scores."""

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        try:
            excluded = docset(self.query, reader) if searcher.is_atomic() else None
        except Exception as exc:
            fallback(log, "exclusions as a set", exc)
            excluded = None
        if excluded is None:
            return super().matcher(searcher, context)
        # Whoosh's top-N pruning asks the And's parts for their best possible score, and
        # Whoosh's Not answers with its query's: answer the same, or the pruning changes.
        quality = self.query.matcher(searcher, searcher.boolean_context()).max_quality()
        ids = sorted(excluded)
        return Excluding(
            ListMatcher(ids, weights=[1.0] * len(ids)) if ids else NullMatcher(),
            reader.doc_count_all(),
            missing=reader.is_deleted,
            quality=quality,
        )


def exclusion_top(q: wq.Query, searcher, allowed: set[int] | None, limit: int, helper=None):
    """(total, [(docnum, score)] best first) for `a NOT b`, else None.

    Whoosh scores `And([a, Not(b)])` as a's score plus 1.0 (its InverseMatcher's weight)
    but walks every document that lacks b, one by one, in step with a. Here b's documents
    are read once as a set and a is searched with them masked out; the 1.0 is added after.
    A few more than `limit` are fetched so that scores which the + 1.0 rounds to a tie are
    ordered as Whoosh orders ties (by document number).

    When a is a word (or what `mapped_top` scores), it is scored from its postings with b's
    documents left out (`mapped_top`'s `excluded`), in both processes: Whoosh's collector
    stepped through a's postings one by one, most of a NOT at 300 MB.
    """
    if type(q) is not wq.And or q.boost != 1.0 or len(q.subqueries) != 2:
        return None
    positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
    negative = [c for c in q.subqueries if isinstance(c, wq.Not)]
    if len(positive) != 1 or len(negative) != 1:
        return None
    reader = searcher.reader()
    try:
        excluded = docset(negative[0].query, reader)
    except Exception as exc:
        fallback(log, "a NOT b from document sets", exc)
        return None
    if excluded is None:
        return None
    if block_wise(positive[0]):
        mapped = mapped_top(positive[0], searcher, allowed, limit + 10, helper, excluded=excluded)
        if mapped is not None:
            total, top = mapped
            ranked = sorted(((score + 1.0, docnum) for docnum, score in top), key=lambda x: (-x[0], x[1]))
            return total, [(docnum, score) for score, docnum in ranked[:limit]]
    try:
        found = docset(positive[0], reader)
    except Exception as exc:
        fallback(log, "a NOT b from document sets", exc)
        return None
    if found is None:
        return None
    found -= excluded
    total = len(found & allowed) if allowed is not None else len(found)
    results = searcher.search(positive[0], limit=limit + 10, filter=allowed, mask=excluded)
    ranked = sorted(((hit.score + 1.0, hit.docnum) for hit in results), key=lambda x: (-x[0], x[1]))
    return total, [(docnum, score) for score, docnum in ranked[:limit]]
