"""Our Whoosh segment writer: Whoosh's own `SegmentWriter` with its hot spots removed.

Measured on a 12 MB slice of the benchmark corpus in one process, 15.4 s -> 10.5 s; with two
workers on 100 MB, 1.42 -> 2.1 MB/s (docs/benchmarks.md):

* At commit Whoosh's `FieldWriter.add_postings` asks the new segment's per-document reader for
  the field length of the document of *every posting*, and the W3 codec answers each call by
  reading the lengths column again (15-20% of a build). `CachedLengths` reads each field's
  column once; the values are exactly those of `doc_field_length`.
* The posting pool pickled every posting to its run files one at a time and read them back
  one at a time; `ChunkedPostingPool` moves them in marshalled chunks.
* Whoosh 2.7 compresses every posting block, tiny ones included (a bug defeats its own "less
  than 20 bytes" test); `_PostingsWriter` leaves blocks under `SMALL_BLOCK_BYTES` as they are
  (each block records its compression, so every Whoosh reader reads them) and skips four type
  asserts per posting.

Overridden: `_flush_segment` (Whoosh 2.7's code, with the wrapper), the pool's run I/O and the
postings writer's `add_posting` / `_write_block`. whoosh-reloaded is pinned to 2.7.5 in
pyproject.toml, and tests/test_index_parallel.py compares the postings, lengths and stored
fields of indexes written with and without this writer (spilled runs and multi-block posting
lists included). Used by index/indexer.py and index/parallel.py only.
"""

from __future__ import annotations

import marshal
import struct

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.index import FileIndex
from whoosh.writing import PostingPool, SegmentWriter

from index.postings import PreAnalyzed
from index.segment_postings import BodyPostings
from index.whoosh_internals import commit_with_segments

__all__ = ["FastSegmentWriter", "CachedLengths", "ChunkedPostingPool"]

# Postings per marshalled chunk of a run file: big enough that the per-call cost vanishes,
# small enough that merging runs holds little of each in memory.
RUN_CHUNK = 20_000
_LENGTH = struct.Struct("<Q")

# Posting blocks whose postings and values are smaller than this many bytes are written
# uncompressed. Whoosh means to skip compressing tiny blocks but a bug in 2.7
# (`W3PostingsWriter._write_block` sets `comp = 0`, then overwrites it) compresses every one:
# 6% of a build, mostly for the one-posting blocks of rare words, which zlib cannot shrink.
# Each block records its own compression level, so readers need no change.
SMALL_BLOCK_BYTES = 160


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with small blocks left uncompressed (`SMALL_BLOCK_BYTES`)
    and `add_posting` without its four type asserts per posting (our postings come from
    index/postings.py and the merge of Whoosh's own segments, typed by construction)."""

    def add_posting(self, id_, weight, vbytes, length=None):
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self, last=False):
        level = self._compression
        if level and 8 * len(self._ids) + sum(map(len, self._values)) < SMALL_BLOCK_BYTES:
            self._compression = 0
            try:
                super()._write_block(last)
            finally:
                self._compression = level
        else:
            super()._write_block(last)


class Codec(W3Codec):
    """Whoosh's W3 codec writing postings with `_PostingsWriter`."""

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class ChunkedPostingPool(PostingPool):
    """Whoosh's posting pool with run files written and read in marshalled chunks.

    Whoosh pickles every posting to a run file one `pickle.dump` at a time and reads it back
    one `pickle.load` at a time: about 15% of a build. Here a run is a sequence of
    `marshal` dumps of lists of `RUN_CHUNK` postings (the items are tuples of str, bytes,
    int and float, all marshal-able); the merge is Whoosh's, over the same sorted items.
    Run files are private to one writer and deleted after the merge, so the format never
    outlives a build.
    """

    def add(self, item):
        # The same size estimate as Whoosh's, without the asserts and the field-name set.
        self.currentsize += 150 + len(item[1]) * 2 + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f, items):
        def write(chunk: list) -> None:
            data = marshal.dumps(chunk)
            f.write(_LENGTH.pack(len(data)))
            f.write(data)

        try:
            if isinstance(items, list):
                for start in range(0, len(items), RUN_CHUNK):
                    write(items[start : start + RUN_CHUNK])
            else:  # a merge of runs (reduce_to): an iterator
                chunk = []
                for item in items:
                    chunk.append(item)
                    if len(chunk) >= RUN_CHUNK:
                        write(chunk)
                        chunk = []
                if chunk:
                    write(chunk)
        finally:
            f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                header = f.read(_LENGTH.size)
                if len(header) < _LENGTH.size:
                    return
                (size,) = _LENGTH.unpack(header)
                # marshal.load(f) would read the file a few bytes at a time: read whole chunks.
                yield from marshal.loads(f.read(size))  # marshal keeps the tuples tuples
        finally:
            f.close()
            self._remove_run(path)


class CachedLengths:
    """`doc_field_length` of a per-document reader, each field's column read once."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._columns: dict[str, list] = {}

    def _column(self, fieldname: str) -> list:
        reader = self._reader
        length = reader.doc_field_length
        column = [length(docnum, fieldname) for docnum in range(reader.doc_count_all())]
        self._columns[fieldname] = column
        return column

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        if default != 0:  # never from add_postings; not worth caching
            return self._reader.doc_field_length(docnum, fieldname, default)
        column = self._columns.get(fieldname)
        if column is None:
            column = self._column(fieldname)
        return column[docnum]

    def __getattr__(self, name):  # everything else: the reader's own answer
        return getattr(self._reader, name)


class FastSegmentWriter(SegmentWriter):
    """`SegmentWriter` whose commit reads the field lengths once per field, not per posting,
    with a faster posting pool (`ChunkedPostingPool`) and small blocks left uncompressed.

    The body's pre-analysed postings (`PreAnalyzed`) skip the pool altogether: they are
    gathered per term and written a term at a time (index/segment_postings.py). A segment that
    also merges other segments' postings (`add_reader`) sends them through the pool instead, so
    every posting of a field is written in one sorted pass.
    """

    FAST_FIELD = "body"

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", Codec())
        super().__init__(ix, **kwargs)
        limitmb = kwargs.get("limitmb", 128)
        self.pool = ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self._fast = _fast_postings(self.schema, self.FAST_FIELD, self.codec)
        self._merged = False

    def add_document(self, **fields):
        fast = self._fast
        body = fields.get(self.FAST_FIELD)
        if fast is None or not isinstance(body, PreAnalyzed) or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)
        # Whoosh's add_document for a schema without spelling, vectors or columns (checked by
        # `_fast_postings`) and no boosts (checked above), with the body's items to `fast`.
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        perdocwriter = self.perdocwriter
        add_post = self.pool.add
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name == self.FAST_FIELD:
                    length = fast.add(docnum, value.items)
                elif field.indexed:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        add_post((name, tbytes, docnum, weight, vbytes))
                perdocwriter.add_field(name, field, value if field.stored else None, length)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader):
        self._merged = True
        super().add_reader(reader)

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        fast = self._fast
        try:
            if fast:
                if self._merged:  # the pool may hold this field's postings too: one sorted pass
                    for item in fast.posting_items():
                        self.pool.add(item)
                else:
                    fast.write(self.fieldwriter, self.schema[fast.fieldname])
            postings = self.pool.iter_postings()
            self.fieldwriter.add_postings(self.schema, CachedLengths(pdr) if pdr else None, postings)
            self.fieldwriter.close()
        finally:
            if fast is not None:
                fast.close()
            if pdr:
                pdr.close()

    def _close_segment(self):
        if self._fast is not None:
            self._fast.close()
        super()._close_segment()


def _fast_postings(schema, fieldname: str, codec) -> BodyPostings | None:
    """A `BodyPostings` for `fieldname` when Whoosh's add_document would do nothing more for
    this schema than index, store and measure fields, and the codec is ours with no inlined
    postings (else None: Whoosh's own path)."""
    if fieldname not in schema or type(codec) is not Codec or codec._inlinelimit > 1:
        return None
    for _name, field in schema.items():
        if field.separate_spelling() or field.vector or field.column_type:
            return None
    field = schema[fieldname]
    if not (field.indexed and field.scorable) or field.stored:
        return None
    return BodyPostings(fieldname, blocklimit=codec._blocklimit, compression=codec._compression)


class _LazyWriter:
    """Opens a Whoosh writer only when there is something to write (a `touch` writes nothing)."""

    def __init__(self, ix: FileIndex | None) -> None:
        self._ix = ix
        self._writer: FastSegmentWriter | None = None

    def get(self) -> FastSegmentWriter:
        if self._writer is None:
            self._writer = FastSegmentWriter(self._ix, timeout=10.0)
        return self._writer

    def commit(self, segments=()) -> None:
        """Commit this writer's changes plus finished `segments` of worker processes.

        With worker segments this is what Whoosh's `MpWriter` does with `multisegment=True`:
        the default merge of small existing segments, our own segment if we added documents,
        then one TOC listing everything.
        """
        if segments:
            commit_with_segments(self.get(), segments)
            self._writer = None
        elif self._writer is not None:
            self._writer.commit()  # default merge of small segments only; never optimize
            self._writer = None

    def cancel(self) -> None:
        if self._writer is not None:
            try:
                self._writer.cancel()
            finally:
                self._writer = None
