"""A phrase's matches in a segment found with numpy, from the position arrays of its words.

Why: decoding the posting values of common words one document at a time was most of the
slowest phrases' time (index/position_arrays.py says why the arrays exist). Here each word's
positions in the candidate documents are gathered from its arrays in a few numpy calls and
turned into keys `(candidate rank << 32) | (position - offset of the word in the phrase)`:
the phrase starts where every word has the same key, found by intersecting sorted key
arrays. A word without arrays (rarer than `MIN_POSTINGS` in this segment) is read from its
postings for the candidates alone, as before; it is then usually the rarest word, so few.

The result is what `FastPhrase.query_contains` returns: {local docnum: start positions}, and
for each word its postings {docnum: (weight, None)}; the values are not read (the hits'
highlights read them for the shown documents only).
"""

from __future__ import annotations

from itertools import accumulate, repeat

import numpy as np

from index.position_arrays import TermPositions, segment_positions
from index.search.blocks import term_postings, term_weights
from index.whoosh_internals import posting_codes

__all__ = ["phrase_starts"]

_SHIFT = np.int64(32)
_LOW = np.int64((1 << 32) - 1)


def _gather(arrays: TermPositions, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rank of each position's document in `docs`, the positions), for `docs` (sorted, all
    of them among the term's documents)."""
    rows = np.searchsorted(arrays.docs, docs)
    begins = arrays.starts[rows].astype(np.int64)
    counts = arrays.starts[rows + 1].astype(np.int64) - begins
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ranks = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
    # Index of each gathered position: its document's begin plus its place in that document.
    firsts = np.cumsum(counts) - counts
    index = np.arange(total, dtype=np.int64) - np.repeat(firsts - begins, counts)
    return ranks, arrays.positions[index].astype(np.int64)


def _keys_from_postings(values: dict, docs: np.ndarray, offset: int, chars: bool) -> np.ndarray:
    """The sorted keys of a word read from its postings (`values`: {docnum: (weight, value)})."""
    keys: list[int] = []
    for rank, docnum in enumerate(docs.tolist()):
        codes = posting_codes(values[docnum][1])
        base = (rank << 32) - offset
        keys.extend(base + p for p in accumulate(map(_first, codes) if chars else codes) if p >= offset)
    found = np.array(keys, dtype=np.int64)
    found.sort()
    return found


def _first(code):
    return code[0]


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values of sorted `a` that are in sorted `b`."""
    if not len(a) or not len(b):
        return a[:0]
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    return a[b[at] == a]


def phrase_starts(leaf, field: str, btexts: list[bytes], distinct: list[bytes], only: list[int] | None, chars: bool):
    """({local docnum: start positions}, {word: {docnum: (weight, None)}}) of the phrase of
    words `btexts` in this segment (for `only` those documents, sorted), or None when no word
    has position arrays here (the caller reads the postings). `distinct` is the set of words,
    rarest first."""
    table = segment_positions(leaf)
    if table is None:
        return None
    arrays = {b: table.get(field, b) for b in distinct}
    if all(found is None for found in arrays.values()):
        return None
    deleted = leaf.deleted_docs_set if leaf.has_deletions() else None
    # The candidates: documents holding every word, rarest word first.
    candidates: np.ndarray | None = None if only is None else np.asarray(only, dtype=np.uint32)
    read: dict[bytes, dict] = {}
    for btext in distinct:
        found = arrays[btext]
        if found is None:
            wanted = None if candidates is None else candidates.tolist()
            read[btext] = term_postings(leaf, field, btext, wanted)
            docs = np.fromiter(sorted(read[btext]), dtype=np.uint32)
        else:
            docs = found.docs
        candidates = docs if candidates is None else np.intersect1d(candidates, docs, assume_unique=True)
        if not len(candidates):
            return {}, {}
    assert candidates is not None
    if deleted:
        candidates = candidates[~np.isin(candidates, np.fromiter(deleted, dtype=np.uint32))]
    # Words by how many positions they bring, fewest first; each narrows the keys.
    order = sorted(range(len(btexts)), key=lambda i: _weight_of(arrays[btexts[i]], candidates))
    keys: np.ndarray | None = None
    for i in order:
        btext = btexts[i]
        found = arrays[btext]
        if keys is not None:
            alive = np.unique(keys >> _SHIFT)
            docs = candidates[alive]
        else:
            alive, docs = None, candidates
        if found is None:
            word_keys = _keys_from_postings(read[btext], docs, i, chars)
        else:
            ranks, positions = _gather(found, docs)
            if i:
                kept = positions >= i  # a word before the phrase's start could be here
                ranks, positions = ranks[kept], positions[kept] - i
            word_keys = (ranks << _SHIFT) | positions
        if alive is not None:  # ranks among `docs` back to ranks among the candidates
            word_keys = ((alive[word_keys >> _SHIFT]) << _SHIFT) | (word_keys & _LOW)
        keys = word_keys if keys is None else _intersect(keys, word_keys)
        if not len(keys):
            return {}, {}
    assert keys is not None
    ranks = keys >> _SHIFT
    starts_of = (keys & _LOW).tolist()
    docnums = candidates[ranks].tolist()
    starts: dict[int, set[int]] = {}
    for docnum, start in zip(docnums, starts_of):
        found_starts = starts.get(docnum)
        if found_starts is None:
            starts[docnum] = {start}
        else:
            found_starts.add(start)
    matched = sorted(starts)
    postings: dict[bytes, dict] = {}
    for btext in distinct:
        ids, weights = term_weights(leaf, field, btext, matched)
        postings[btext] = dict(zip(ids, zip(weights, repeat(None))))
    return starts, postings


def _weight_of(found: TermPositions | None, candidates: np.ndarray) -> int:
    """How many positions a word brings over the candidates (0 for a word without arrays:
    it is read from its postings, and first so that the others are gathered for fewer)."""
    if found is None:
        return 0
    rows = np.searchsorted(found.docs, candidates)
    return int((found.starts[rows + 1].astype(np.int64) - found.starts[rows]).sum())
