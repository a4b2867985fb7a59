"""Which documents match, as sets read from the postings: totals without a second run.

Totals are counted from the postings' document numbers (`exact_total`) rather than by running the
query twice; queries that cannot be counted that way are collected once, counting as they go
(`search_counting`).
"""

from __future__ import annotations

import logging

from whoosh import query as wq
from whoosh.searching import Searcher

from index.search.blocks import term_ids
from index.search.phrase import FastPhrase
from index.whoosh_internals import fallback

log = logging.getLogger(__name__)


def exact_total(q: wq.Query, reader, allowed: set[int] | None) -> int | None:
    """How many documents match, from the postings' document numbers (None: can't tell).

    Whoosh's top-N collection skips blocks that cannot reach the top, so it does not know
    the total; `len(results)` then runs the whole query again through its matcher tree
    (125 ms for a word in 8,500 of 10,000 documents). Reading each term's document numbers
    per segment and combining them as sets costs a tenth of that. Phrases and other
    queries return None and are counted by Whoosh.
    """
    try:
        docs = docset(q, reader)
    except Exception as exc:
        fallback(log, "totals from document sets", exc)
        return None
    if docs is None:
        return None
    return len(docs & allowed) if allowed is not None else len(docs)


def search_counting(searcher: Searcher, q: wq.Query, limit: int, allowed: set[int] | None):
    """Top `limit` hits whose `len()` is exact without a second run of the query.

    Whoosh's optimisations skip postings blocks (block quality) and drop branches of an OR
    that cannot reach the top (`replace`); both leave the total unknown, so `len(results)`
    would run the query again: twice the cost of a phrase. Without them one pass scores
    every match and counts it.
    """
    collector = searcher.collector(limit=limit, filter=allowed, optimize=False)
    leaf = collector
    while hasattr(leaf, "child"):
        leaf = leaf.child
    leaf.replace = 0
    searcher.search_with_collector(q, collector)
    return collector.results()


def docset(q: wq.Query, reader) -> set[int] | None:
    if isinstance(q, wq.Term):
        found: set[int] = set()
        for leaf, base in reader.leaf_readers():
            if (q.fieldname, q.text) in leaf:
                ids = term_ids(leaf, q.fieldname, q.text)
                found.update(ids if base == 0 else [base + d for d in ids])
        return found
    if type(q) is wq.Or and not getattr(q, "minmatch", 0):
        union: set[int] = set()
        for child in q.children():
            part = docset(child, reader)
            if part is None:
                return None
            union |= part
        return union
    if type(q) is wq.And:
        positive = [c for c in q.children() if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.children() if isinstance(c, wq.Not)]
        if not positive:
            return None
        parts = [docset(c, reader) for c in positive]
        sets = [part for part in parts if part is not None]
        if len(sets) < len(parts):
            return None
        sets.sort(key=len)
        result = set(sets[0]).intersection(*sets[1:])
        for child in negative:
            part = docset(child, reader)
            if part is None:
                return None
            result -= part
        return result
    if type(q) is wq.AndNot:
        a, b = docset(q.a, reader), docset(q.b, reader)
        return None if a is None or b is None else a - b
    if type(q) is wq.AndMaybe:
        return docset(q.a, reader)
    if isinstance(q, FastPhrase):
        return q.docset(reader)
    return None
