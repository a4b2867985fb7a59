"""What an export is made of: the filters, one row per annotation, the selection every format
reads, and the result of an export (no Textual, no rich).

Built once per export by `reader.export.selecting`, read by every format module.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from index.document import Position
from reader import anchoring
from reader.model import Annotation, Tag, palette_color, tag_matches

if TYPE_CHECKING:  # pragma: no cover
    from reader.export.codebook import Codebook

CONTEXT_CHARS = 100
"""Characters of context either side of a quote in the rows (CSV, JSON Lines, HTML)."""

FORMATS: dict[str, str] = {
    "md": "Markdown: quotes grouped by tag or by document",
    "csv": "CSV: one row per (annotation, tag), every field",
    "jsonl": "JSON Lines: one object per (annotation, tag), every field",
    "html": "HTML: one self-contained page with tag colours",
    "w3c": "W3C Web Annotation: an AnnotationCollection (JSON-LD)",
    "qdpx": "REFI-QDA project (.qdpx) for ATLAS.ti, NVivo, MAXQDA, QualCoder",
}
"""Format name -> one-line description (the dialog's choices and the CLI's --format)."""

SUFFIXES = {"md": ".md", "csv": ".csv", "jsonl": ".jsonl", "html": ".html", "w3c": ".jsonld", "qdpx": ".qdpx"}
BINARY_FORMATS = frozenset({"qdpx"})
"""Formats that cannot go to a terminal (stdout): they need a file."""

GroupBy = Literal["tag", "doc"]


class ExportError(Exception):
    """An export that cannot be done (bad filter, query, format, unwritable file); the message
    is for the user."""


@dataclass(frozen=True)
class Filters:
    """What to export. Empty means everything; given filters combine with AND."""

    tags: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    query: str | None = None

    def __post_init__(self) -> None:  # accept lists from callers
        object.__setattr__(self, "tags", tuple(self.tags))
        object.__setattr__(self, "docs", tuple(self.docs))
        if self.query is not None and not self.query.strip():
            object.__setattr__(self, "query", None)

    def describe(self) -> str:
        parts = []
        if self.tags:
            parts.append("tag " + " or ".join(self.tags))
        if self.docs:
            parts.append("document " + " or ".join(self.docs))
        if self.query:
            parts.append(f"query {self.query!r}")
        return " and ".join(parts) if parts else "all annotations"

    def selects_tag(self, tag: str) -> bool:
        return not self.tags or any(tag_matches(tag, t) for t in self.tags)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One annotation as every format sees it (built once per export)."""

    annotation: Annotation
    title: str
    source: str | None
    date: str | None
    status: str  # anchored | moved | fuzzy | orphan (reader.anchoring.STATUSES)
    start: int | None  # current span in the current text; None for an orphan
    end: int | None
    quote: str  # the text at the current span (the stored quote for an orphan)
    context_before: str
    context_after: str
    selected_tags: tuple[str, ...]  # the annotation's tags the tag filter selected (all if none)
    # where a reader of the original finds it: a PDF page ("p. 12") or a cue time ("00:14:03")
    position: Position | None = None
    document_gone: bool = False  # an orphan because its document's file is gone

    @property
    def status_label(self) -> str:
        """The status for a person: `orphan (the document is gone)` says why."""
        return anchoring.status_label(self.status, self.document_gone)  # type: ignore[arg-type]

    @property
    def id(self) -> str:
        return self.annotation.id

    @property
    def doc(self) -> str:
        return self.annotation.doc

    @property
    def tags(self) -> tuple[str, ...]:
        return self.annotation.tags

    @property
    def note(self) -> str:
        return self.annotation.note

    @property
    def creator(self) -> str:
        return self.annotation.creator

    @property
    def created(self) -> str:
        return self.annotation.created

    @property
    def modified(self) -> str:
        return self.annotation.modified

    @property
    def stored_quote(self) -> str:
        return self.annotation.quote.exact

    @property
    def placed(self) -> bool:
        return self.start is not None


class TextSpool:
    """Texts kept out of memory for formats that ship them (REFI-QDA), in one temporary file
    (in memory up to `in_memory` bytes; deleted when closed or collected): at 10,000
    documents the texts are the corpus, which held in memory were most of the export's peak
    (935 MiB at 100,000 annotations). Each text is written once and read back when its
    source is written (UTF-8 with surrogates passed through, so any str comes back exact)."""

    def __init__(self, in_memory: int = 4 << 20) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=in_memory, prefix="reader-export-")
        self._end = 0

    def keep(self, text: str) -> tuple[int, int]:
        """Where `text` is kept: (offset, length in bytes), for `read`."""
        data = text.encode("utf-8", "surrogatepass")
        self._file.seek(self._end)
        self._file.write(data)
        where = (self._end, len(data))
        self._end += len(data)
        return where

    def read(self, where: tuple[int, int]) -> str:
        offset, length = where
        self._file.seek(offset)
        return self._file.read(length).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class DocumentText:
    """A document's current text, for formats that ship it (REFI-QDA): its metadata, and the
    text itself in the selection's spool, read back (`text`) only when it is written."""

    doc: str
    sha256: str
    title: str
    source: str | None
    date: str | None
    spool: TextSpool = field(repr=False, compare=False)
    where: tuple[int, int] = (0, 0)  # the text's place in the spool

    @property
    def text(self) -> str:
        return self.spool.read(self.where)


@dataclass
class Selection:
    """The rows to export, sorted by (document, start, id), with what formats need around them."""

    rows: list[ExportRow]
    tags: dict[str, Tag]  # every tag the rows carry and their ancestors, by name
    texts: dict[str, DocumentText]  # each document the rows are in (if readable), its text spooled
    filters: Filters = field(default_factory=Filters)
    missing_docs: tuple[str, ...] = ()  # documents with annotations whose file is gone
    left_out: tuple[tuple[str, str], ...] = ()  # (document id or "", why): annotation files the
    # store could not read, so their annotations are not in the rows (every format says so)
    codebook: "Codebook | None" = None  # every tag for formats that carry a codebook (REFI-QDA)

    def left_out_note(self) -> str:
        """One sentence saying what is missing from this export ("" when nothing is)."""
        if not self.left_out:
            return ""
        what = "; ".join(
            f"the annotations of {doc} ({why})" if doc else f"the codebook ({why})" for doc, why in self.left_out
        )
        return f"Incomplete: left out because their files cannot be read: {what}"

    @property
    def count(self) -> int:
        return len(self.rows)

    def tag(self, name: str) -> Tag:
        return self.tags.get(name) or Tag(name, palette_color(name))

    def by_tag(self) -> list[tuple[str, list[ExportRow]]]:
        """(tag, rows carrying it) for each selected tag, sorted by tag; a row with two
        selected tags appears under both (the reading formats group this way)."""
        groups: dict[str, list[ExportRow]] = {}
        for row in self.rows:
            for tag in row.selected_tags:
                groups.setdefault(tag, []).append(row)
        return sorted(groups.items())

    def by_document(self) -> list[tuple[str, list[ExportRow]]]:
        """(document id, its rows) sorted by document id."""
        docs: dict[str, list[ExportRow]] = {}
        for row in self.rows:
            docs.setdefault(row.doc, []).append(row)
        return sorted(docs.items())


@dataclass(frozen=True)
class ExportResult:
    format: str
    count: int  # annotations exported
    rows: int  # rows written (CSV/JSONL: one per annotation and tag; otherwise = count)
    inline: bytes | None  # the export's bytes when it went to no file (else read from `path`)
    path: Path | None  # where it was written (None: the caller writes `data`)
    skipped: tuple[str, ...] = ()  # annotations a format could not carry, with the reason
    filters: Filters = field(default_factory=Filters)

    @property
    def data(self) -> bytes:
        """The export's bytes. An export to a file was streamed there and never held whole, so
        they are read back from the file (only when asked for)."""
        if self.inline is not None:
            return self.inline
        assert self.path is not None
        return self.path.read_bytes()


@dataclass(frozen=True)
class Written:
    """What a format wrote: rows (CSV/JSONL: one per annotation and tag; otherwise annotations)
    and the annotations it could not carry, with the reason."""

    rows: int
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    data: bytes
    rows: int
    skipped: tuple[str, ...] = ()
