"""The positions of a segment's common words as flat arrays, in a file of the segment.

Why: an exact phrase needs the positions of its words in every candidate document. Whoosh
keeps them in the posting values: zlib-compressed blocks of pickled, delta-encoded
(position, start, length) triples, one pickle per posting. Decoding them costs a few Python
calls per document and word, and for a phrase whose words are all common (`"data that have"`:
22,000 candidates at 300 MB, 35 of which hold it) that decoding was the slowest search left
(docs/benchmarks.md, issue 19). Here, when a new segment's body postings are written
(index/segment_postings.py), every term with at least `MIN_POSTINGS` postings also gets three
arrays: its documents, the start of each document's positions, and the positions, which numpy
reads straight from the memory-mapped segment file, so a phrase is checked over all its
candidates at once (index/search/phrase_arrays.py).

The file is one more member of the segment's compound file (named `<segment id>.rpa`), so it
is written, committed, merged away and deleted with its segment by Whoosh itself, and a
segment without it (written by Whoosh's own writer, a merge, an older version of this code) is
read the old way. Layout: `MAGIC`, the arrays (each 4-byte aligned), a marshalled directory
`{field: {term bytes: (postings, documents offset, starts offset, positions offset,
positions count, position item size)}}`, then the directory's offset and length and `MAGIC`.
"""

from __future__ import annotations

import logging
import marshal
import struct
import threading
import weakref
from array import array
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter
from typing import Any
from pickle import loads

import numpy as np

__all__ = ["EXTENSION", "MIN_POSTINGS", "PositionsWriter", "TermPositions", "made_before_arrays", "segment_positions"]

log = logging.getLogger(__name__)

EXTENSION = ".rpa"
MAGIC = b"RDRPOS01"
MIN_POSTINGS = 128
"""Terms with fewer postings in a segment are decoded from their postings, as before: their
few documents cost little, and the arrays of every rare term would be most of the file."""
EXPECTED_FROM_DOCS = 1_000
"""A segment of this many documents has words in `MIN_POSTINGS` of them in any real corpus, so
its having no arrays file means it was written without them (`made_before_arrays`)."""
_FOOTER = struct.Struct("<QQ")
_FIRST = itemgetter(0)


@dataclass(frozen=True, slots=True)
class TermPositions:
    """One term's positions in one segment: `positions[starts[k]:starts[k + 1]]` are those
    of document `docs[k]` (local document numbers, ascending; deleted documents included)."""

    docs: np.ndarray
    starts: np.ndarray
    positions: np.ndarray


class PositionsWriter:
    """Writes the arrays of a new segment's common terms into its file as they come (the
    file is made at the first such term: a segment of rare words has none)."""

    def __init__(self, storage, segment) -> None:
        self._storage, self._segment = storage, segment
        self._file: Any = None
        self._size = 0
        self._directory: dict[str, dict[bytes, tuple]] = {}

    def _append(self, data: bytes) -> int:
        f = self._file
        if f is None:
            f = self._file = self._segment.create_file(self._storage, EXTENSION)
            f.write(MAGIC)
            self._size = len(MAGIC)
        offset = self._size
        pad = -len(data) % 4
        f.write(data + bytes(pad) if pad else data)
        self._size += len(data) + pad
        return offset

    def add(self, field: str, btext: bytes, ids, values, chars: bool) -> None:
        """Add a term's postings (`ids` ascending, `values` Whoosh `Positions` or
        `Characters` encodings) when it has at least `MIN_POSTINGS` of them."""
        if len(ids) < MIN_POSTINGS:
            return
        positions = array("I")
        extend = positions.extend
        ends = array("I", [0])
        for value in values:
            codes = loads(value[4:] if value.endswith(b".") else value[4:] + b".")
            extend(accumulate(map(_FIRST, codes)) if chars else accumulate(codes))
            ends.append(len(positions))
        docs = array("I", ids)
        widest = max(positions, default=0)
        stored = array("H", positions) if widest < 1 << 16 else positions
        entry = (
            len(docs),
            self._append(docs.tobytes()),
            self._append(ends.tobytes()),
            self._append(stored.tobytes()),
            len(positions),
            stored.itemsize,
        )
        self._directory.setdefault(field, {})[btext] = entry

    def close(self) -> None:
        """Finish the file with its directory (nothing when no term had arrays)."""
        if self._file is None:
            return
        directory = marshal.dumps(self._directory)
        offset = self._append(directory)
        self._file.write(_FOOTER.pack(offset, len(directory)) + MAGIC)
        self._file.close()
        self._file = None
        self._directory = {}


class SegmentPositions:
    """The arrays of one segment's file, read from its memory map on demand."""

    def __init__(self, view, directory: dict) -> None:
        self._view = view
        self._directory = directory

    def get(self, field: str, btext: bytes) -> TermPositions | None:
        entry = self._directory.get(field, {}).get(btext)
        if entry is None:
            return None
        count, docs_at, starts_at, positions_at, npositions, itemsize = entry
        view = self._view
        docs = np.frombuffer(view, dtype=np.uint32, count=count, offset=docs_at)
        starts = np.frombuffer(view, dtype=np.uint32, count=count + 1, offset=starts_at)
        dtype = np.uint16 if itemsize == 2 else np.uint32
        positions = np.frombuffer(view, dtype=dtype, count=npositions, offset=positions_at)
        return TermPositions(docs, starts, positions)


_OPENED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_OPENED_LOCK = threading.Lock()
_NONE = SegmentPositions(b"", {})


def segment_positions(leaf) -> SegmentPositions | None:
    """The position arrays of a segment reader's segment, or None (it has no such file, or
    the file is not one this code wrote: logged, and the postings are read instead)."""
    with _OPENED_LOCK:
        found = _OPENED.get(leaf)
    if found is None:
        found = _open(leaf) or _NONE
        with _OPENED_LOCK:
            _OPENED[leaf] = found
    return None if found is _NONE else found


def _open(leaf) -> SegmentPositions | None:
    segment = getattr(leaf, "_segment", None)
    storage = getattr(leaf, "_storage", None)
    if segment is None or storage is None:
        return None
    try:
        f = segment.open_file(storage, EXTENSION)
    except Exception:  # no such member: a segment written without the arrays
        return None
    view = getattr(f, "_buf", None)
    if view is None:  # not memory-mapped (a plain file): read it once
        data = f.read()
        view = memoryview(data)
    view = memoryview(view).cast("B")
    try:
        if bytes(view[: len(MAGIC)]) != MAGIC or bytes(view[-len(MAGIC) :]) != MAGIC:
            raise ValueError("no position-array marks")
        at, length = _FOOTER.unpack(bytes(view[-len(MAGIC) - _FOOTER.size : -len(MAGIC)]))
        directory = marshal.loads(bytes(view[at : at + length]))
        if not isinstance(directory, dict):
            raise ValueError("the directory is not a table")
    except (ValueError, EOFError, TypeError, struct.error) as exc:
        log.warning("the position arrays of segment %s are unreadable (%s): read from the postings", segment, exc)
        return None
    return SegmentPositions(view, directory)


def made_before_arrays(reader) -> bool:
    """Whether an index (a Whoosh reader over its segments) was written before the arrays: its
    largest segment is big enough to have them and has none. Its phrases are read the slow way
    until it is built again (`reader index --rebuild` says so). A segment Whoosh merged has
    none either, but only small ones are merged: the largest is one a build wrote."""
    leaves = [leaf for leaf, _base in reader.leaf_readers()]
    if not leaves:
        return False
    largest = max(leaves, key=lambda leaf: leaf.doc_count_all())
    return largest.doc_count_all() >= EXPECTED_FROM_DOCS and segment_positions(largest) is None
