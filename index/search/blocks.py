"""A term's postings read a block at a time, straight from Whoosh's block matcher.

Whoosh's matchers step posting by posting through Python objects; reading a block's ids,
weights and values at once, and skipping blocks that hold no wanted document, is what makes
the fast paths (phrases, block-wise scoring, totals, spans) fast. Another codec falls back to
the matcher's public API.
"""

from __future__ import annotations

from bisect import bisect_left
from pickle import loads

from whoosh.matching.wrappers import FilterMatcher

from index.match_units import Piece


class _Posting:
    """What a Whoosh scorer reads of a matcher: the current document and its term weight."""

    __slots__ = ("_docnum", "_weight")

    def __init__(self, docnum: int, weight: float) -> None:
        self._docnum, self._weight = docnum, weight

    def id(self) -> int:
        return self._docnum

    def weight(self) -> float:
        return self._weight


def _term_postings(
    leaf, field: str, btext: bytes, wanted: list[int] | None, values: bool = True
) -> dict:
    """{docnum: (weight, value)} of one term in one segment, for the `wanted` documents
    (sorted; None: all). Read block by block: a block whose document range holds none of
    the wanted documents is not even decompressed, and nothing is decoded per posting.
    With `values=False` the values (positions and characters) are left out (value is None):
    scoring needs only the weights. A W3 block pickles ids, weights and values together, so
    they are decompressed all the same; only their copying is saved."""
    matcher = leaf.postings(field, btext)
    deleted = None
    if isinstance(matcher, FilterMatcher):
        deleted, matcher = leaf.deleted_docs_set, matcher.child
    found: dict = {}
    wanted_set = None if wanted is None else set(wanted)
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_read_values", "_next_block")):
        while matcher.is_active():  # another codec: one posting at a time
            docnum = matcher.id()
            if wanted_set is None or docnum in wanted_set:
                found[docnum] = (matcher.weight(), matcher.value() if values else None)
            matcher.next()
    else:
        j, count = 0, 0 if wanted is None else len(wanted)
        while matcher.is_active():
            last = matcher.block_max_id()
            if wanted is not None:
                if j >= count:
                    break
                if wanted[j] > last:  # no wanted document in this block
                    matcher._next_block()
                    continue
            matcher._read_ids()
            matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            if values:
                matcher._read_values()
                data = matcher._values
            else:
                data = (None,) * len(ids)
            if wanted_set is None:
                found.update(zip(ids, zip(weights, data)))
            else:
                for k, docnum in enumerate(ids):
                    if docnum in wanted_set:
                        found[docnum] = (weights[k], data[k])
                j = bisect_left(wanted, last + 1, j)
            matcher._next_block()
    if deleted:
        for docnum in deleted:
            found.pop(docnum, None)
    return found


def _term_ids(leaf, field: str, text) -> list[int]:
    """The documents of one term in one segment, read a postings block at a time (the
    matcher's `all_ids` costs a few Python calls per posting)."""
    matcher = leaf.postings(field, text)
    deleted = None
    if isinstance(matcher, FilterMatcher):
        deleted, matcher = leaf.deleted_docs_set, matcher.child
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_next_block")):
        return list(leaf.postings(field, text).all_ids())
    ids: list[int] = []
    while matcher.is_active():
        matcher._read_ids()
        ids.extend(matcher._ids)
        matcher._next_block()
    if deleted:
        ids = [d for d in ids if d not in deleted]
    return ids


def _char_pieces(value: bytes, group=0, variant_of=()) -> list[Piece]:
    """A `Characters` posting value's matches (Whoosh's `decode_characters`) as pieces."""
    pieces = []
    position = endchar = 0
    for dpos, dstart, dlen in _decoded(value):
        position += dpos
        startchar = endchar + dstart
        endchar = startchar + dlen
        pieces.append(Piece(startchar, endchar, position, position, group, variant_of))
    return pieces


def _decoded(value: bytes) -> list:
    """A posting value's pickled list (what Whoosh's `Positions`/`Characters` decode)."""
    if not value.endswith(b"."):
        value += b"."
    return loads(value[4:])
