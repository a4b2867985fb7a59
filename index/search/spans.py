"""Where a query matched in each hit, from the postings' character offsets.

Spans come from the postings' character offsets (`chars=True`), never from re-tokenizing a
document: Whoosh's highlighter re-tokenizes every hit's whole text, measured at 2 s p95.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.formats import Characters

from index.match_units import MatchUnit, Piece, match_units
from index.schema import VARIANTS_FIELD
from index.search.blocks import char_pieces, scored_among, term_postings
from index.search.blockwise import block_wise
from index.search.helper import helper_request, split_leaves
from index.search.phrase import FastPhrase

_CHAR_FIELDS = frozenset({"body", VARIANTS_FIELD})  # fields whose offsets are into the text


def positive_leaves(q: wq.Query) -> list[wq.Query]:
    """Term and Phrase queries that can contribute highlights (not under a NOT)."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return positive_leaves(q.a)
    if isinstance(q, (wq.Term, wq.Phrase)):
        return [q] if q.field() in _CHAR_FIELDS else []
    leaves: list[wq.Query] = []
    for child in q.children():
        leaves.extend(positive_leaves(child))
    return leaves


def _grouped_leaves(q: wq.Query, group: tuple = ()) -> list[tuple[wq.Query, tuple]]:
    """`positive_leaves` with the query word each belongs to: the path of And clauses above
    it (an Or's clauses, e.g. a word's fields and variants, stay one word). Match units
    join the pieces of different words only (index/match_units.py)."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return _grouped_leaves(q.a, group)
    if isinstance(q, (wq.Term, wq.Phrase)):
        return [(q, group)] if q.field() in _CHAR_FIELDS else []
    split = type(q) is wq.And
    found: list[tuple[wq.Query, tuple]] = []
    for i, child in enumerate(q.children()):
        found.extend(_grouped_leaves(child, group + (i,) if split else group))
    return found


def spans_by_doc(q: wq.Query, searcher, docnums: list[int], segments=None) -> dict[int, list[MatchUnit]]:
    """Match units (index/match_units.py) for each docnum, read from the postings.

    One matcher per query leaf and per segment that holds wanted documents, moved forward
    with `skip_to` from one wanted document to the next; segments without any of them are
    not touched (a prefix expanded to 64 terms would otherwise open 64 matchers on each).
    `segments`: (leaf searcher, base) pairs to look in (default: all); the spans of
    documents in no given segment stay empty.
    """
    wanted = sorted(set(docnums))
    found: dict[int, list[Piece]] = {d: [] for d in wanted}
    leaves = _grouped_leaves(q)
    for sub, offset in segments if segments is not None else searcher.leaf_searchers():
        end = offset + sub.reader().doc_count_all()
        local = [d - offset for d in wanted if offset <= d < end]
        if not local:
            continue
        for leaf, group in leaves:
            variant_of = getattr(leaf, "variant_of", ())
            if isinstance(leaf, FastPhrase):
                pieces_of = leaf.char_pieces(sub.reader(), local, group, variant_of)
                for docnum, pieces in pieces_of.items():
                    found[docnum + offset].extend(pieces)
                continue
            if type(leaf) is wq.Term and type(sub.schema[leaf.fieldname].format) is Characters:
                reader = sub.reader()
                try:
                    btext = sub.schema[leaf.fieldname].to_bytes(leaf.text)
                except ValueError:
                    continue
                having = scored_among(reader, leaf.fieldname, btext, local)
                if having and (leaf.fieldname, btext) in reader:
                    postings = term_postings(reader, leaf.fieldname, btext, having)
                else:
                    postings = {}
                if postings:
                    for docnum, (_, value) in postings.items():
                        found[docnum + offset].extend(char_pieces(value, group, variant_of))
                continue
            matcher = leaf.matcher(sub)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() != docnum:
                    continue
                found[docnum + offset].extend(
                    Piece(
                        sp.startchar,
                        sp.endchar,
                        -1 if sp.start is None else sp.start,
                        -1 if sp.end is None else sp.end,
                        group,
                        variant_of,
                    )
                    for sp in matcher.spans()
                    if sp.startchar is not None
                )
    return {d: match_units(pieces) for d, pieces in found.items()}


def shown_spans(q: wq.Query, searcher, docnums: list[int], helper) -> dict[int, list[MatchUnit]]:
    """`spans_by_doc` for the hits shown; for a query `mapped_top` scores (a prefix's 64
    words, a phrase) the documents in the helper's segments are done there meanwhile."""
    leaves = list(searcher.leaf_searchers())
    if helper is None or len(leaves) < 2 or len(docnums) < 2 or not helper.ready() or not block_wise(q, split=True):
        return spans_by_doc(q, searcher, docnums)
    mine, theirs = split_leaves(leaves)
    bounds = [(base, base + sub.reader().doc_count_all()) for sub, base in theirs]
    far = [d for d in docnums if any(lo <= d < hi for lo, hi in bounds)]
    if not far or len(far) == len(docnums):
        return spans_by_doc(q, searcher, docnums)
    asked = helper.ask(helper_request(q, searcher, theirs, limit=0, allowed=None, spans_of=tuple(far)))
    if not asked:
        return spans_by_doc(q, searcher, docnums)
    far_set = set(far)
    near = [d for d in docnums if d not in far_set]
    found = spans_by_doc(q, searcher, near, mine)
    answer = helper.spans()
    found.update(answer if answer is not None else spans_by_doc(q, searcher, far, theirs))
    return found
