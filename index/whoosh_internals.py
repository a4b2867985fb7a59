"""Whoosh's private API, in one place: what the fast paths use that Whoosh does not publish.

The search fast paths (index/search/) and the corpus term counts (index/term_counts.py) read
Whoosh's postings a block at a time, its term table's bytes, a scorer's inner formula and the
list of an index's segments, none of which Whoosh documents. Each is wrapped here, written
against whoosh-reloaded 2.7.5 (index/whoosh_version.py warns at import about any other
version), and raises `Unsupported` when what it finds is not what it was written for. The
caller then takes the public, slower road and says so with `fallback`, in the log (see
reader/logs.py): after a Whoosh upgrade the app is slower, but the log says where and why.

The segment writer (index/writing.py) and the memory-mapped segment files (index/mapped.py)
are Whoosh subclasses of their own, tested against stock Whoosh's output; they stay there, and
the writer's segments are finished and committed together through the functions below.
"""

from __future__ import annotations

import logging
import struct
from array import array
import threading
import zlib
from collections.abc import Collection
from itertools import accumulate
from pickle import loads

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import InverseMatcher, ListMatcher, Matcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer

__all__ = [
    "Excluding",
    "PostingBlocks",
    "Unsupported",
    "add_terms",
    "bm25_parameters",
    "close_segment",
    "commit_with_segments",
    "fallback",
    "finish_segment",
    "length_score",
    "posting_blocks",
    "posting_codes",
    "segment_free",
    "segment_term_weights",
    "segments",
    "unfiltered",
]

log = logging.getLogger(__name__)


class Unsupported(Exception):
    """A private part of Whoosh is not what this module was written for; `str()` says what."""


_REPORTED: set[tuple[str, str, str]] = set()
_REPORTED_LOCK = threading.Lock()


def fallback(logger: logging.Logger, what: str, reason: object) -> None:
    """Log that the fast path `what` fell back to Whoosh's slower public one, and why.

    A warning the first time for each path and reason in a process (a fallback repeats on
    every search: the log must not fill with it), then at debug level."""
    text = f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else str(reason)
    key = (logger.name, what, text)
    with _REPORTED_LOCK:
        first = key not in _REPORTED
        _REPORTED.add(key)
    logger.log(logging.WARNING if first else logging.DEBUG, "fast path %s fell back to the slow one: %s", what, text)


# --- postings, a block at a time (whoosh.codec.whoosh3) ----------------------------------


def unfiltered(leaf, matcher) -> tuple[Matcher, Collection[int] | None]:
    """(the raw postings matcher, the segment's deleted documents or None): Whoosh wraps the
    postings of a segment with deletions in a FilterMatcher that hides them one by one."""
    if isinstance(matcher, FilterMatcher):
        return matcher.child, leaf.deleted_docs_set
    return matcher, None


def posting_blocks(matcher) -> PostingBlocks | None:
    """`matcher` (unfiltered) read by block, or None for postings inlined in their term info
    (a ListMatcher, which the codec uses for a term's single posting: read it as it is).
    Raises Unsupported for any other matcher."""
    if type(matcher) is ListMatcher:
        return None
    return PostingBlocks(matcher)


def posting_codes(value: bytes) -> list:
    """The pickled list inside a `Positions` or `Characters` posting value: position deltas,
    or (position delta, start delta, length) triples, as Whoosh's `decode_positions` and
    `decode_characters` read them (a 4-byte frequency, then the pickle without its stop)."""
    if not value.endswith(b"."):
        value += b"."
    return loads(value[4:])


_MEMO = {0x71: 2, 0x72: 5}  # BINPUT, LONG_BINPUT: opcode and argument bytes
_INTS = {0x4B: 2, 0x4D: 3, 0x4A: 5}  # BININT1, BININT2, BININT


def ids_weights_of(raw: bytes, compressed: bool, count: int) -> tuple | None:
    """(id deltas, weights) from the start of a W3 block's data, or None (read it whole).

    The block is `dumps((ids, weights, values), 2)`, zlib-compressed: PROTO 2, then the ids
    tuple (MARK, a BININT1/2/4 per delta, TUPLE, a memo put), then the weights (None, one
    BINFLOAT, or MARK, a BINFLOAT per posting, TUPLE, a memo put), then the values. Only the
    prefix up to the weights is decompressed; it is cut there and closed with TUPLE2 and STOP,
    so `pickle.loads` itself builds the two objects from the block's own bytes. Anything laid
    out otherwise (a short block's TUPLE1-3, another pickler) gives None."""
    if compressed:
        try:
            data = zlib.decompressobj().decompress(raw, 14 * count + 64)
        except zlib.error:
            return None
    else:
        data = raw
    try:
        if data[0] != 0x80 or data[1] != 2 or data[2] != 0x28:
            return None
        i = 3
        step = _INTS.get(data[i])
        while step is not None:
            i += step
            step = _INTS.get(data[i])
        if data[i] != 0x74:
            return None
        i += 1 + _MEMO[data[i + 1]]
        op = data[i]
        if op == 0x4E:  # None: every weight 1.0
            i += 1
        elif op == 0x47:  # one float for all
            i += 9
        elif op == 0x28:
            start = i + 1
            i = start + 9 * count
            if data[start:i:9] != b"G" * count or data[i] != 0x74:
                return None
            i += 1 + _MEMO[data[i + 1]]
        else:
            return None
    except (IndexError, KeyError):
        return None
    try:
        deltas, weights = loads(data[:i] + b"\x86.")
    except Exception:  # noqa: BLE001 - not the layout expected: the caller reads it whole
        return None
    if type(deltas) is not tuple or len(deltas) != count:
        return None
    if weights is not None and type(weights) is not float and (type(weights) is not tuple or len(weights) != count):
        return None
    return deltas, weights


class PostingBlocks:
    """A W3 codec postings matcher read a block at a time: the block's ids, weights and values
    as the codec decodes them, without a Python call per posting."""

    __slots__ = ("_matcher",)

    def __init__(self, matcher) -> None:
        if type(matcher) is not W3LeafMatcher:
            raise Unsupported(f"postings matcher is {type(matcher).__name__}, not W3LeafMatcher")
        for name in ("_read_ids", "_read_weights", "_read_values", "_next_block"):
            if not hasattr(matcher, name):
                raise Unsupported(f"W3LeafMatcher has no {name}")
        self._matcher = matcher

    def active(self) -> bool:
        return self._matcher.is_active()

    def last_id(self) -> int:
        """The greatest document number in the current block."""
        return self._matcher.block_max_id()

    def ids(self):
        self._matcher._read_ids()
        return self._matcher._ids

    def weights(self):
        self._matcher._read_weights()
        return self._matcher._weights

    def values(self):
        self._matcher._read_values()
        return self._matcher._values

    def ids_weights(self) -> tuple:
        """(ids, weights) of the current block, as `ids()` and `weights()` give them, without
        decoding its values when the block's pickle is laid out as W3 writes it (`ids_weights_of`).

        Why: a W3 block is one zlib-compressed pickle of (ids, weights, values), and a body
        word's values (every position and character offset, each a pickled `bytes` rebuilt
        through `_codecs.encode`) are nearly all of it: "the" decodes 14 times faster without
        them (ids 2 bytes, weights 9 bytes a posting, read from a prefix of the stream)."""
        m = self._matcher
        if m._ids is None and m._weights is None and not m._byteids:
            raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            found = ids_weights_of(raw, bool(m._compression), m._blocklength)
            if found is not None:
                deltas, weights = found
                ids = tuple(accumulate(deltas))
                if weights is None:  # as `_read_weights` makes them: 4-byte floats
                    weights = array("f", (1.0,)) * len(ids)
                elif isinstance(weights, float):
                    weights = array("f", (weights,)) * len(ids)
                return ids, weights
        return self.ids(), self.weights()

    def next(self) -> None:
        self._matcher._next_block()


# --- scoring ------------------------------------------------------------------------------


def length_score(scorer):
    """The `(weight, length) -> score` formula inside a BM25-like scorer, or None.

    `WeightLengthScorer.score(matcher)` asks the matcher for the weight and the document's
    length through two calls per posting; its private `_score(weight, length)` is the formula
    itself, fed here from lengths read once per segment."""
    if type(scorer).score is not WeightLengthScorer.score or getattr(scorer, "dfl", None) is None:
        return None
    score = getattr(scorer, "_score", None)
    if score is None:
        raise Unsupported(f"{type(scorer).__name__} has no _score(weight, length)")
    return score


def segment_free(scorer) -> bool:
    """Whether `scorer`'s `length_score` is the same for every segment of its searcher.

    Whoosh's `BM25FScorer` takes its idf and average field length from the top-level
    searcher (`searcher.get_parent()`); only its maximum quality, which block-wise scoring
    does not use, comes from the segment. Any other scorer class is not known to be so."""
    return type(scorer) is BM25FScorer and hasattr(scorer, "idf") and hasattr(scorer, "avgfl")


def bm25_parameters(scorer) -> tuple[float, float, float, float] | None:
    """(idf, average field length, B, K1) of a Whoosh `BM25FScorer`, whose `_score(weight,
    length)` is `whoosh.scoring.bm25(idf, weight, length, avgfl, B, K1)`; None for any other
    scorer. The caller checks its own evaluation of the formula against `_score`."""
    if type(scorer) is not BM25FScorer:
        return None
    try:
        return scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    except AttributeError:
        return None


class Excluding(InverseMatcher):
    """Whoosh's InverseMatcher over a known list of excluded documents (index/search/negation.py).

    It is never replaced during pruning (the exclusions must hold) and reports the negated
    query's quality, as Whoosh's own Not does. Private: InverseMatcher's `_replacement`,
    `_weight` and `_id`."""

    def __init__(self, child, limit, missing=None, weight=1.0, id=0, quality=0.0) -> None:
        self._quality = quality
        super().__init__(child, limit, missing=missing, weight=weight, id=id)

    def copy(self) -> Excluding:
        return Excluding(
            self.child.copy(), self.limit, missing=self.missing, weight=self._weight, id=self._id, quality=self._quality
        )

    def _replacement(self, newchild) -> Excluding:
        return Excluding(
            newchild, self.limit, missing=self.missing, weight=self._weight, id=self._id, quality=self._quality
        )

    def replace(self, minquality=0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def max_quality(self) -> float:
        return self._quality


# --- the index and its segments -----------------------------------------------------------


def segments(ix) -> list:
    """The segments of a Whoosh `FileIndex` as of its last open (its private `_segments()`)."""
    method = getattr(ix, "_segments", None)
    if method is None:
        raise Unsupported(f"{type(ix).__name__} has no _segments()")
    return method()


_LENGTHS = struct.Struct("!ii")
_WEIGHT = struct.Struct("!Bf")


def _field_table(leaf, field: str) -> tuple[bytes, bytes] | None:
    """The bytes of one segment's W3 term table from `field`'s first record on, and the
    field's 2-byte number that starts each of its keys; None when the segment lacks the field.

    The table's records are key length, value length (`!ii`), key (the field's number `!H`,
    then the term), value (flags, then the total weight, `!Bf`, then more)."""
    try:
        terms = leaf._terms
        table = terms._tindex
        fieldmap = terms._fieldmap
    except AttributeError as exc:
        raise Unsupported(f"segment reader without the W3 term table: {exc}") from exc
    if field not in fieldmap:
        return None
    prefix = struct.pack("!H", fieldmap[field])
    pos = table.closest_key_pos(prefix)
    if pos is None:
        return None
    return table.dbfile.get(pos, table.endofdata - pos), prefix


def segment_term_weights(leaf, field: str) -> dict[bytes, float]:
    """Term -> total weight of one segment's `field`, read straight from its W3 term table:
    one pass over its bytes instead of Whoosh's `iter_field`, which builds a TermInfo per term."""
    found = _field_table(leaf, field)
    if found is None:
        return {}
    data, prefix = found
    unpack_lengths, unpack_weight = _LENGTHS.unpack_from, _WEIGHT.unpack_from
    out: dict[bytes, float] = {}
    p, n = 0, len(data)
    while p < n:
        keylen, datalen = unpack_lengths(data, p)
        q = p + 8
        if data[q : q + 2] != prefix:
            break
        out[data[q + 2 : q + keylen]] = unpack_weight(data, q + keylen)[1]
        p = q + keylen + datalen
    return out


def segment_terms(leaf, field: str) -> list[bytes]:
    """Every term of one segment's `field` in the table's (sorted) order, from the same pass:
    Whoosh's `lexicon()` goes through three generators and a key decoder per term (6 s for
    the 471,000 terms of 100 MB's body at load 10)."""
    return list(segment_term_weights(leaf, field))


# --- writing segments (whoosh.writing.SegmentWriter) ----------------------------------------


def finish_segment(writer):
    """The writer's new segment, finished but not committed, or None when it added nothing
    (its files are then closed): what a worker process hands to the parent's commit."""
    if writer._added:
        return writer._finalize_segment()
    writer._close_segment()
    return None


def close_segment(writer) -> None:
    """Close the files of a writer's unfinished segment (a worker that stops)."""
    writer._close_segment()


def commit_with_segments(writer, segments) -> None:
    """Commit `writer` together with finished `segments` of other writers (worker processes).

    What Whoosh's `MpWriter` does with `multisegment=True`: the default merge of small
    existing segments, the writer's own segment if it added documents, then one TOC listing
    everything."""
    final = writer._merge_segments(None, None, None)
    own = finish_segment(writer)
    if own is not None:
        final.append(own)
    writer._commit_toc(final + list(segments))
    writer._finish()


_KEY_VALUE_LENGTHS = struct.Struct("!ii")


def add_terms(tindex, rows: list[tuple[bytes, bytes]]) -> None:
    """`OrderedHashWriter.add(key, value)` for each row, keys increasing, in one file write.

    The same records, hash buckets, key index and last key as Whoosh's one-call-per-term
    `add` (whoosh.filedb.filetables: the `!ii` key and value lengths, the key, the value),
    without three writes and two asserts per term."""
    try:
        dbfile, buckets, index = tindex.dbfile, tindex.buckets, tindex.index
        hashfn, lastkey = tindex.hashfn, tindex.lastkey
    except AttributeError as exc:
        raise Unsupported(f"term table writer is not Whoosh 2.7's OrderedHashWriter: {exc}") from exc
    if not rows:
        return
    if rows[0][0] <= lastkey:
        raise ValueError(f"Keys must increase: {lastkey!r}..{rows[0][0]!r}")
    pos = dbfile.tell()
    pack = _KEY_VALUE_LENGTHS.pack
    out = []
    append_index = index.append
    for key, value in rows:
        append_index(pos)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        record = pack(len(key), len(value)) + key + value
        out.append(record)
        pos += len(record)
    dbfile.write(b"".join(out))
    tindex.lastkey = rows[-1][0]
