"""Our Whoosh segment writer: Whoosh's own `SegmentWriter` with one hot spot removed.

At commit Whoosh's `FieldWriter.add_postings` asks the new segment's per-document reader for
the field length of the document of *every posting* (`doc_field_length`), and the W3 codec
answers each call by reading the lengths column again (several function calls and a struct
read per posting: 15-20% of a build). The lengths do not change while a segment is written, so
`FastSegmentWriter` hands `add_postings` a wrapper that reads each field's column once into a
list and answers from it. The values are exactly those of `doc_field_length` (it is what fills
the lists), so the segment written is the same, byte for byte.

Only `_flush_segment` is overridden (Whoosh 2.7's code, with the wrapper); whoosh-reloaded is
pinned to 2.7.5 in pyproject.toml, and tests/test_index_parallel.py compares indexes written
with and without it. Used by index/indexer.py and index/parallel.py only.
"""

from __future__ import annotations

from whoosh.writing import SegmentWriter

__all__ = ["FastSegmentWriter", "CachedLengths"]


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
    """`SegmentWriter` whose commit reads the field lengths once per field, not per posting."""

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        self.fieldwriter.add_postings(self.schema, CachedLengths(pdr) if pdr else None, postings)
        self.fieldwriter.close()
        if pdr:
            pdr.close()
