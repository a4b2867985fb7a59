"""A term's postings read a block at a time, straight from Whoosh's block matcher.

Whoosh's matchers step posting by posting through Python objects; reading a block's ids,
weights and values at once, and skipping blocks that hold no wanted document, is what makes
the fast paths (phrases, block-wise scoring, totals, spans) fast. The block internals are
read through index/whoosh_internals.py; a matcher it does not know (another codec, another
Whoosh) is read one posting at a time through the public API, and the log says why.
"""

from __future__ import annotations

import logging
import threading
import weakref
from bisect import bisect_left

from index.match_units import Piece
from index.search.block_cache import decoded_block, kept_block
from index.whoosh_internals import Unsupported, fallback, posting_blocks, posting_codes, unfiltered

log = logging.getLogger(__name__)


class Posting:
    """What a Whoosh scorer reads of a matcher: the current document and its term weight."""

    __slots__ = ("_docnum", "_weight")

    def __init__(self, docnum: int, weight: float) -> None:
        self._docnum, self._weight = docnum, weight

    def id(self) -> int:
        return self._docnum

    def weight(self) -> float:
        return self._weight


def term_postings(leaf, field: str, btext: bytes, wanted: list[int] | None, values: bool = True) -> dict:
    """{docnum: (weight, value)} of one term in one segment, for the `wanted` documents
    (sorted; None: all). Read block by block: a block whose document range holds none of
    the wanted documents is not even decompressed, and nothing is decoded per posting.
    With `values=False` the values (positions and characters) are left out (value is None):
    scoring needs only the weights. A W3 block pickles ids, weights and values together, so
    they are decompressed all the same; only their copying is saved."""
    matcher, deleted = unfiltered(leaf, leaf.postings(field, btext))
    found: dict = {}
    wanted_set = None if wanted is None else set(wanted)
    blocks = _blocks(matcher)
    if blocks is None:
        while matcher.is_active():  # inlined in the term info, or another codec
            docnum = matcher.id()
            if wanted_set is None or docnum in wanted_set:
                found[docnum] = (matcher.weight(), matcher.value() if values else None)
            matcher.next()
    else:
        j, count = 0, 0 if wanted is None else len(wanted)
        ordered = wanted or []
        number = -1
        while blocks.active():
            number += 1
            last = blocks.last_id()
            if wanted is not None:
                if j >= count:
                    break
                if wanted[j] > last:  # no wanted document in this block
                    blocks.next()
                    continue
            ids, weights, data = decoded_block(leaf, field, btext, number, blocks)
            if not values:
                data = (None,) * len(ids)
            if wanted_set is None:
                found.update(zip(ids, zip(weights, data)))
            else:
                for k, docnum in enumerate(ids):
                    if docnum in wanted_set:
                        found[docnum] = (weights[k], data[k])
                j = bisect_left(ordered, last + 1, j)
            blocks.next()
    if deleted:
        for docnum in deleted:
            found.pop(docnum, None)
    return found


# The documents of each term that block-wise scoring read in the search under way, per segment
# reader: the hits' highlights (spans.py) skip the words of a prefix or a fuzzy term that none
# of the shown documents has, instead of opening their postings again in every segment (most
# of a prefix's 64 words per field). A reader's postings never change, so what is kept stays
# true for as long as the reader lives (held weakly); emptied when the next scoring starts.
_SCORED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SCORED_LOCK = threading.Lock()


def remember_scored(leaf, field: str, btext: bytes, docs: list[int]) -> None:
    """Keep `term_weights(leaf, field, btext)`'s documents (sorted) for the highlights."""
    with _SCORED_LOCK:
        terms = _SCORED.get(leaf)
        if terms is None:
            terms = _SCORED[leaf] = {}
        terms[(field, btext)] = docs


def scored_among(leaf, field: str, btext: bytes, wanted: list[int]) -> list[int]:
    """The `wanted` documents (sorted) that have the term, by what `remember_scored` kept;
    all of them when nothing was kept."""
    with _SCORED_LOCK:
        terms = _SCORED.get(leaf)
        docs = None if terms is None else terms.get((field, btext))
    if docs is None:
        return wanted
    count = len(docs)
    found = []
    for d in wanted:
        k = bisect_left(docs, d)
        if k < count and docs[k] == d:
            found.append(d)
    return found


def forget_scored() -> None:
    with _SCORED_LOCK:
        _SCORED.clear()


def term_ids(leaf, field: str, text) -> list[int]:
    """The documents of one term in one segment, read a postings block at a time (the
    matcher's `all_ids` costs a few Python calls per posting)."""
    matcher, deleted = unfiltered(leaf, leaf.postings(field, text))
    blocks = _blocks(matcher)
    if blocks is None:
        return list(leaf.postings(field, text).all_ids())
    ids: list[int] = []
    number = 0
    while blocks.active():
        kept = kept_block(leaf, field, text, number)
        ids.extend(kept[0] if kept is not None else blocks.ids_weights()[0])
        number += 1
        blocks.next()
    if deleted:
        ids = [d for d in ids if d not in deleted]
    return ids


def term_weights(leaf, field: str, btext: bytes, wanted: list[int] | None = None) -> tuple[list[int], list[float]]:
    """(documents, weights) of one term in one segment, in document order, deleted documents
    left out: what scoring reads, without the values (positions and characters), which are
    nearly all of a body word's postings to decode (`PostingBlocks.ids_weights`). The hits'
    highlights then read the values of the shown documents' blocks alone (spans.py).

    With `wanted` (sorted) only those documents: blocks holding none of them are skipped
    undecoded, as `term_postings` skips them (a common word beside a rarer one in a phrase:
    only the blocks of the rarer word's documents are read, index/search/verify_top.py)."""
    matcher, deleted = unfiltered(leaf, leaf.postings(field, btext))
    blocks = _blocks(matcher)
    wanted_set = None if wanted is None else set(wanted)
    ids: list[int] = []
    weights: list[float] = []
    if blocks is None:
        while matcher.is_active():
            if wanted_set is None or matcher.id() in wanted_set:
                ids.append(matcher.id())
                weights.append(matcher.weight())
            matcher.next()
    else:
        number, j = -1, 0
        while blocks.active():
            number += 1
            if wanted is not None:
                if j >= len(wanted):
                    break
                last = blocks.last_id()
                if wanted[j] > last:  # no wanted document in this block
                    blocks.next()
                    continue
                j = bisect_left(wanted, last + 1, j)
            kept = kept_block(leaf, field, btext, number)
            block_ids, block_weights = kept[:2] if kept is not None else blocks.ids_weights()
            if wanted_set is None:
                ids.extend(block_ids)
                weights.extend(block_weights)
            else:
                for k, docnum in enumerate(block_ids):
                    if docnum in wanted_set:
                        ids.append(docnum)
                        weights.append(block_weights[k])
            blocks.next()
    if deleted:
        keep = [k for k, d in enumerate(ids) if d not in deleted]
        ids, weights = [ids[k] for k in keep], [weights[k] for k in keep]
    return ids, weights


def char_pieces(value: bytes, group=0, variant_of=()) -> list[Piece]:
    """A `Characters` posting value's matches (Whoosh's `decode_characters`) as pieces."""
    pieces = []
    position = endchar = 0
    for dpos, dstart, dlen in posting_codes(value):
        position += dpos
        startchar = endchar + dstart
        endchar = startchar + dlen
        pieces.append(Piece(startchar, endchar, position, position, group, variant_of))
    return pieces


def _blocks(matcher):
    """The matcher's postings by block, or None: read them one posting at a time (postings
    inlined in the term info, a single posting, are; anything else unknown is logged)."""
    try:
        return posting_blocks(matcher)
    except Unsupported as exc:
        fallback(log, "postings by block", exc)
        return None
