"""Decoded postings blocks of common words, kept between searches (bounded, least recently used).

Why: a phrase of common words (`"the way"`, `"The register"`) spends about half of its time
decompressing and unpickling the postings blocks of its commonest word ("the": a block of 128
documents holds every position and character offset of the word in them), and the next phrase,
And or highlight with that word decodes the very same blocks again. Only big blocks (terms in
many documents: `MIN_POSTINGS` or more in a block) are kept: a rare word's single small block
costs less to decode than to look up. The budget (`BUDGET_BYTES`, counted as the values' bytes
plus a fixed cost per posting) bounds the memory: about 10 MB holds every block of "the" at
100 MB. A block is what Whoosh decoded (its ids, weights and values tuples, shared, never
changed), keyed by the segment reader (weakly: a reopened index has new readers, so nothing
stale is ever returned) and the block's number in the term's postings; deleted documents are
filtered by the caller as before, so deletions since do not matter either.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

BUDGET_BYTES = 32 << 20
MIN_POSTINGS = 64  # blocks with fewer postings are not kept
_PER_POSTING = 120  # bytes counted per posting besides its value's: tuple slots, ints, bytes headers


class BlockCache:
    """Least recently used decoded blocks, up to `budget` bytes (thread-safe: the app's
    searches of two indexes may run in two threads)."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self.size = 0
        self._blocks: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, leaf, key: tuple):
        """(ids, weights, values) of block `key` of `leaf`, or None."""
        full = (id(leaf), *key)
        with self._lock:
            entry = self._blocks.get(full)
            if entry is None:
                return None
            if entry[0]() is not leaf:  # another reader that got the same id: stale
                self._drop(full)
                return None
            self._blocks.move_to_end(full)
            return entry[1]

    def put(self, leaf, key: tuple, block: tuple) -> None:
        ids, _weights, values = block
        try:
            held = sum(map(len, values))  # in C: no Python step per posting
        except TypeError:  # a format without values (None each)
            held = 0
        size = _PER_POSTING * len(ids) + held
        if size > self.budget:
            return
        full = (id(leaf), *key)
        with self._lock:
            if full in self._blocks:
                self._drop(full)
            self._blocks[full] = (weakref.ref(leaf), block, size)
            self.size += size
            while self.size > self.budget:
                self._drop(next(iter(self._blocks)))

    def clear(self) -> None:
        with self._lock:
            self._blocks.clear()
            self.size = 0

    def _drop(self, full: tuple) -> None:
        entry = self._blocks.pop(full)
        self.size -= entry[2]


CACHE = BlockCache()


def decoded_block(leaf, field: str, btext: bytes, number: int, blocks) -> tuple:
    """(ids, weights, values) of the current block of `blocks` (a PostingBlocks), the
    `number`th of term `btext` in `leaf`: from the cache, or decoded and kept when big."""
    key = (field, btext, number)
    block = CACHE.get(leaf, key)
    if block is None:
        block = (blocks.ids(), blocks.weights(), blocks.values())
        if len(block[0]) >= MIN_POSTINGS:
            CACHE.put(leaf, key, block)
    return block


def kept_block(leaf, field: str, btext: bytes, number: int) -> tuple | None:
    """(ids, weights, values) of block `number` of term `btext` in `leaf` if it is kept, else
    None (nothing is decoded: the caller reads what it needs of the block)."""
    return CACHE.get(leaf, (field, btext, number))
