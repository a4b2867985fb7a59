"""The body field's postings of a new segment, gathered per term and written a term at a time.

Why (the build profile in docs/benchmarks.md): Whoosh sends every posting of every field
through its posting pool (one tuple per posting, sorted, spilled to run files and merged
posting by posting), then `FieldWriter.add_postings` writes them with several Python calls
per posting. For the body field that was about half of a build's CPU. Here the body's
postings (already analysed, `index.postings.PreAnalyzed`) are appended per term to compact
arrays as each document is added; at the segment's flush the terms are sorted once and each
term's posting list is cut into blocks and encoded with a few C-level calls per block.

The bytes are Whoosh 2.7's W3 codec format, decoded by every Whoosh reader unchanged: a block
is the header magic (first block only), a signed length (negative for the term's last block),
the pickled block info `(count, last id, max weight, compression, min length byte, max length
byte)` and the pickled `(delta-encoded ids, weights, values)`, zlib-compressed unless it is
smaller than `SMALL_BLOCK_BYTES` (as index/writing.py's postings writer does); the term's
`W3TermInfo` row goes to the term table. tests/test_segment_postings.py compares every term's
postings, term statistics and block statistics with those Whoosh's own writer produces.

A term's gathered postings are two `bytearray`s, never a list of objects: the packed
(document, weight, value length) of each posting, and the values one after the other. Why:
Python's cyclic garbage collector walks every reference of every live list at each full
collection, and with a flat list of three objects per posting a worker's full collections
walked millions of them again and again, about a fifth of its CPU (docs/benchmarks.md, issue
12's build section). A bytearray holds no references; the tuple holding a term's two is
untracked by the collector after its first look. The bytes are also about half the memory.

Memory stays bounded: when the gathered postings pass `budget` bytes (an estimate), they are
written to a private run file, sorted by term; the flush merges the runs term by term (a run
holds the documents after those of the runs before it, so a term's bytes are concatenated in
order, never merged posting by posting).
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
import tempfile
import zlib
from array import array
from itertools import accumulate, chain
from operator import itemgetter, sub
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.formats import Characters
from whoosh.util.numeric import length_to_byte

from index.position_arrays import PositionsWriter
from index.whoosh_internals import add_terms

__all__ = ["BodyPostings", "SMALL_BLOCK_BYTES"]

# Posting blocks whose ids and values are smaller than this estimate are left uncompressed
# (see index/writing.py, which applies the same rule to the other fields' blocks).
SMALL_BLOCK_BYTES = 160
# A rough size of one gathered posting and of one new term (bytearrays, tuple, dict slot), in
# bytes; only used to decide when to write a run.
POSTING_BYTES = 80
TERM_BYTES = 200
RUN_CHUNK_TERMS = 5_000

_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo: flags, weight, df, min/max length, max weight, ids
_BLOCK_LENGTH = struct.Struct("!i")
_EXTENT = struct.Struct("!qi")  # pack_long(offset) + pack_int(length)
_RUN_LENGTH = struct.Struct("<Q")
# One gathered posting's fixed part: document number, weight (a float32, as the blocks and
# the term info store it), length of its value.
_POSTING = struct.Struct("=IfI")
_pack_posting = _POSTING.pack
_first = itemgetter(0)
_second = itemgetter(1)


class BodyPostings:
    """The postings of one field of one new segment, per term (see the module docstring)."""

    def __init__(self, fieldname: str, blocklimit: int = 128, compression: int = 3, budget: int = 96 << 20) -> None:
        self.fieldname = fieldname
        self._blocklimit = blocklimit
        self._compression = compression
        self._budget = budget
        self._terms: dict[bytes, tuple[bytearray, bytearray]] = {}
        self._lengthbytes = bytearray()  # per document of the segment (docnum - docbase)
        self._docbase: int | None = None
        self._size = 0
        self._runs: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._terms) or bool(self._runs)

    def add(self, docnum: int, items) -> int:
        """Add one document's posting items `(term bytes, frequency, weight, value)`; returns
        the document's field length (the sum of the frequencies, as Whoosh counts it)."""
        length = sum(map(_second, items))
        if self._docbase is None:
            self._docbase = docnum
        lengths = self._lengthbytes
        index = docnum - self._docbase
        if index >= len(lengths):
            lengths.extend(bytes(index + 1 - len(lengths)))
        lengths[index] = length_to_byte(length)
        terms = self._terms
        get = terms.get
        pack = _pack_posting
        new = 0
        for tbytes, _freq, weight, value in items:
            found = get(tbytes)
            if found is None:
                terms[tbytes] = (bytearray(pack(docnum, weight, len(value))), bytearray(value))
                new += 1
            else:
                packed, blob = found
                packed += pack(docnum, weight, len(value))
                blob += value
        self._size += POSTING_BYTES * len(items) + TERM_BYTES * new
        if self._size > self._budget:
            self._spill()
        return length

    def posting_items(self):
        """Every gathered posting as Whoosh's pool items `(field, term, docnum, weight, value)`,
        in term then document order (for a segment whose pool also got this field)."""
        name = self.fieldname
        for tbytes, ids, weights, values in self._sorted_terms():
            for docnum, weight, value in zip(ids, weights, values):
                yield (name, tbytes, docnum, weight, value)

    def write(self, fieldwriter, fieldobj) -> None:
        """Write every term's postings and term info through a W3 field writer (in key order:
        call before the pool's fields, which all sort after this one's field number)."""
        fieldwriter.start_field(self.fieldname, fieldobj)
        postfile = fieldwriter._postfile
        prefix = struct.pack("!H", fieldwriter._fieldid)
        offset = postfile.tell()
        pending: list[bytes] = []
        rows: list[tuple[bytes, bytes]] = []
        pending_bytes = 0
        encode = self._encode_term
        # The common terms' positions as arrays too (index/position_arrays.py): a file of the
        # segment, closed with it even when a write fails (the segment is then abandoned).
        arrays = PositionsWriter(fieldwriter._storage, fieldwriter._segment)
        chars = isinstance(fieldobj.format, Characters)
        try:
            for tbytes, ids, weights, values in self._sorted_terms():
                data, info = encode(ids, weights, values)
                arrays.add(self.fieldname, tbytes, ids, values, chars)
                rows.append((prefix + tbytes, info + _EXTENT.pack(offset, len(data))))
                offset += len(data)
                pending.append(data)
                pending_bytes += len(data)
                if pending_bytes > 1 << 20:
                    postfile.write(b"".join(pending))
                    add_terms(fieldwriter._tindex, rows)
                    pending, rows, pending_bytes = [], [], 0
            if pending:
                postfile.write(b"".join(pending))
                add_terms(fieldwriter._tindex, rows)
        finally:
            arrays.close()
        fieldwriter.finish_field()

    def close(self) -> None:
        """Remove the run files (after `write`, or when the segment is abandoned)."""
        for path in self._runs:
            try:
                os.remove(path)
            except OSError:
                pass
        self._runs = []
        self._terms = {}

    # --- encoding -------------------------------------------------------------------------

    def _encode_term(self, ids, weights, values) -> tuple[bytes, bytes]:
        """(the posting blocks of one term, its W3TermInfo bytes without the extent)."""
        lengths = self._lengthbytes
        docbase = self._docbase or 0
        limit = self._blocklimit
        level = self._compression
        n = len(ids)
        if n == 1:  # most terms of a segment: one posting, one small block
            docnum = ids[0]
            weight = weights[0]
            value = values[0]
            data = dumps(((docnum,), None if weight == 1.0 else weight, (value,)), 2)
            comp = level if level and 8 + len(value) >= SMALL_BLOCK_BYTES else 0
            if comp:
                data = zlib.compress(data, comp)
            lb = lengths[docnum - docbase]
            info = dumps((1, docnum, weight, comp, lb, lb), 2)
            block = WHOOSH3_HEADER_MAGIC + _BLOCK_LENGTH.pack(-(len(info) + len(data))) + info + data
            return block, _INFO.pack(0, weight, 1, lb, lb, weight, docnum, docnum)
        parts = [WHOOSH3_HEADER_MAGIC]
        total_weight = 0.0
        max_weight = 0.0
        min_length = 255
        max_length = 0
        for start in range(0, n, limit):
            stop = min(start + limit, n)
            block_ids = ids[start:stop]
            block_weights = weights[start:stop]
            block_values = tuple(values[start:stop])
            count = stop - start
            if block_weights.count(1.0) == count:
                mini_weights = None
            elif block_weights.count(block_weights[0]) == count:
                mini_weights = block_weights[0]
            else:
                mini_weights = tuple(block_weights)
            deltas = tuple(map(sub, block_ids, chain((0,), block_ids)))
            data = dumps((deltas, mini_weights, block_values), 2)
            comp = level
            if level and 8 * count + sum(map(len, block_values)) < SMALL_BLOCK_BYTES:
                comp = 0
            if comp:
                data = zlib.compress(data, comp)
            if docbase:
                block_lengths = bytes(lengths[i - docbase] for i in block_ids)
            else:
                block_lengths = bytes(map(lengths.__getitem__, block_ids))
            low, high = min(block_lengths), max(block_lengths)
            block_max = max(block_weights)
            info = dumps((count, block_ids[-1], block_max, comp, low, high), 2)
            size = len(info) + len(data)
            parts.append(_BLOCK_LENGTH.pack(-size if stop == n else size))
            parts.append(info)
            parts.append(data)
            total_weight += sum(block_weights)
            max_weight = max(max_weight, block_max)
            min_length = min(min_length, low)
            max_length = max(max_length, high)
        term_info = _INFO.pack(0, total_weight, n, min_length, max_length, max_weight, ids[0], ids[-1])
        return b"".join(parts), term_info

    # --- runs -----------------------------------------------------------------------------

    def _spill(self) -> None:
        """Write the gathered postings to a run file, sorted by term, and start afresh."""
        sweep_stale_runs()
        fd, path = tempfile.mkstemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", suffix=".run")
        self._runs.append(path)
        with os.fdopen(fd, "wb") as f:
            chunk = []
            terms = self._terms
            for tbytes in sorted(terms):
                chunk.append((tbytes, *terms[tbytes]))
                if len(chunk) >= RUN_CHUNK_TERMS:
                    _write_chunk(f, chunk)
                    chunk = []
            if chunk:
                _write_chunk(f, chunk)
        self._terms = {}
        self._size = 0

    def _sorted_terms(self):
        """(term, ids, weights, values) for every term, sorted, runs and memory merged."""
        terms = self._terms
        memory = ((t, *terms[t]) for t in sorted(terms))
        if self._runs:
            sources = [_read_run(path) for path in self._runs] + [memory]
            merged = heapq.merge(*sources, key=_first)  # stable: the runs' documents in order
            memory = _concatenated(merged)
        unpack = _POSTING.unpack
        size = _POSTING.size
        for tbytes, packed, blob in memory:
            if len(packed) == size:  # most terms: one posting
                docnum, weight, _ = unpack(packed)
                yield tbytes, (docnum,), (weight,), (bytes(blob),)
                continue
            ints = array("I", packed)
            floats = array("f", packed)
            ends = list(accumulate(ints[2::3]))
            blob = bytes(blob)
            values = list(map(blob.__getitem__, map(slice, [0, *ends[:-1]], ends)))
            yield tbytes, ints[0::3], floats[1::3], values


RUN_PREFIX = "reader-postings-"
_swept: set[str] = set()  # the temp folders this process has swept


def sweep_stale_runs(folder: str | None = None) -> list[str]:
    """Remove the run files of builds whose process is gone (a worker killed with SIGKILL
    cannot remove its own: each is up to `budget` bytes of the temp folder). A run file is
    named with its process's id; one whose process still runs is kept, whoever it is (a reused
    id keeps a file, never loses one in use). Once per temp folder and process."""
    folder = folder or tempfile.gettempdir()
    if folder in _swept:
        return []
    _swept.add(folder)
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(RUN_PREFIX) and name.endswith(".run")):
            continue
        pid = name[len(RUN_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            os.remove(os.path.join(folder, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _concatenated(merged):
    """(term, packed postings, values) with the bytes of consecutive equal terms joined."""
    current = None
    for tbytes, packed, blob in merged:
        if current is not None and current[0] == tbytes:
            current[1].extend(packed)
            current[2].extend(blob)
            continue
        if current is not None:
            yield current
        current = (tbytes, bytearray(packed), bytearray(blob))
    if current is not None:
        yield current


def _write_chunk(f, chunk: list) -> None:
    data = marshal.dumps(chunk)
    f.write(_RUN_LENGTH.pack(len(data)))
    f.write(data)


def _read_run(path: str):
    with open(path, "rb") as f:
        while True:
            header = f.read(_RUN_LENGTH.size)
            if len(header) < _RUN_LENGTH.size:
                return
            (size,) = _RUN_LENGTH.unpack(header)
            yield from marshal.loads(f.read(size))  # (term, packed postings, values)
