"""Wildcards, fuzzy terms and ranges replaced by the real terms they match, once per query.

Expanded at most `MAX_EXPANSIONS` terms (the most frequent kept, a note says so), and never
against the variants field, where they would compare spellings with phonetic codes (see
index/search/syntax.py). A fuzzy term keeps its first letter and allows at most two edits.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from whoosh import query as wq

from index.search.lexicon import LEXICONS, LEXICONS_LOCK, terms_within

MAX_EXPANSIONS = 64
MAX_FUZZY_DISTANCE = 2  # `word~5` is searched as `word~2`: beyond that everything matches
FUZZY_PREFIX = 1  # fuzzy terms and suggestions keep the first letter (most typos are later)


def _display(q: wq.Query) -> str:
    """A multi-term query as the user typed it (near enough) for a note."""
    if isinstance(q, wq.Prefix):
        return f"{q.text}*"
    if isinstance(q, wq.FuzzyTerm):
        return f"{q.text}~"
    return getattr(q, "text", None) or str(q)


def _candidates(q: wq.MultiTerm, reader, notes: list[str]) -> Iterable:
    if isinstance(q, wq.FuzzyTerm):
        maxdist = min(int(q.maxdist), MAX_FUZZY_DISTANCE)
        prefix = max(int(q.prefixlength), FUZZY_PREFIX)
        if q.maxdist > MAX_FUZZY_DISTANCE:
            notes.append(
                f"'{_display(q)}': fuzzy matching allows at most {MAX_FUZZY_DISTANCE} changes; searched with that."
            )
        words = terms_within(reader, q.fieldname, q.text, maxdist, prefix)
        return sorted(words)
    if type(q) is wq.Prefix:
        with LEXICONS_LOCK:
            terms = LEXICONS.get(reader, {}).get(q.fieldname)
        if terms is not None:  # held in memory (after `warm`): a slice, no walk of the files
            start = bisect_left(terms, q.text)
            end = bisect_left(terms, q.text + "\U0010ffff", start)
            return (terms[i].encode("utf-8") for i in range(start, end))
    return (btext for _, btext in q.expanded_terms(reader))


def _frequency_of(reader, field: str):
    """A sort key putting the most frequent terms of `field` first.

    Counted in the big segments only (those holding at least a tenth of the documents):
    the small ones an incremental update leaves behind cannot change which words are
    frequent, and asking each of them costs a hash lookup per candidate (a prefix may
    have a thousand).
    """
    big = _big_leaves(reader, field)

    def key(btext) -> int:
        return -sum(leaf.doc_frequency(field, btext) for leaf in big)

    return key


def _big_leaves(reader, field: str) -> list:
    """The segments holding at least a tenth of the documents (all, if none does)."""
    leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.doc_count_all()]
    total = sum(leaf.doc_count_all() for leaf in leaves)
    big = [leaf for leaf in leaves if leaf.doc_count_all() * 10 >= total] or leaves
    return [leaf for leaf in big if field in leaf.indexed_field_names()]


def expand_query(q: wq.Query, reader, notes: list[str]) -> wq.Query:
    """Replace each wildcard/fuzzy/range term by an Or of at most MAX_EXPANSIONS real terms.

    A fuzzy term keeps its first letter (`FUZZY_PREFIX`) and at most `MAX_FUZZY_DISTANCE`
    edits, whatever the query says.
    """
    if isinstance(q, wq.MultiTerm):
        field = q.fieldname
        candidates = []
        for i, btext in enumerate(_candidates(q, reader, notes)):
            if i >= MAX_EXPANSIONS * 16:
                break
            candidates.append(btext)
        if len(candidates) > MAX_EXPANSIONS:
            candidates.sort(key=_frequency_of(reader, field))
            shown = _display(q)
            notes.append(
                f"'{shown}' matches more than {MAX_EXPANSIONS} words; searched the {MAX_EXPANSIONS} most frequent."
            )
            candidates = candidates[:MAX_EXPANSIONS]
        if not candidates:
            return wq.NullQuery
        fieldobj = reader.schema[field]
        texts = [fieldobj.from_bytes(b) if isinstance(b, bytes) else b for b in candidates]
        terms = [wq.Term(field, t, boost=q.boost) for t in texts]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    return q.apply(lambda child: expand_query(child, reader, notes))
