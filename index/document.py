"""The plain data the corpus layer hands out: documents, spans, metadata, skip reasons.

Offsets everywhere are Python string indices (Unicode code points) into `Document.text`, which
is the file's text exactly as decoded: never normalised (no NFC, no whitespace changes), so an
offset computed today points at the same characters tomorrow and in every export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range [start, end) of code-point offsets into a document's text."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end


@dataclass(frozen=True)
class Position:
    """Where in the original a stretch of the text starts: a PDF page or a transcript cue.

    Only documents extracted from other formats (index.formats) have positions. `kind` is
    "page" (label "12", the page's printed label when the PDF has one) or "time" (label
    "00:14:03", the cue's start); `start` is the offset where that page or cue begins.
    """

    start: int
    kind: str
    label: str

    def cite(self) -> str:
        """How exports name it: "p. 12" or "00:14:03"."""
        return f"p. {self.label}" if self.kind == "page" else self.label


def position_at(positions: tuple[Position, ...], offset: int) -> Position | None:
    """The page or cue an offset falls in: the last position starting at or before it."""
    found = None
    for position in positions:
        if position.start > offset:
            break
        found = position
    return found


@dataclass(frozen=True)
class DocumentMeta:
    """What the text says about itself. Overrides by the user are applied on top (see store)."""

    title: str
    source: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) or datetime as written, when stated
    word_count: int = 0
    duration: str | None = None  # a transcript's length, "00:41:10" (its last cue's end)
    ocr_pages: tuple[str, ...] = ()  # labels of the PDF pages whose text Tesseract read


@dataclass(frozen=True)
class Document:
    """One decoded file of the corpus.

    `id` is the path relative to the corpus root with forward slashes: stable across machines
    and re-indexing, and the key the annotation store uses.
    """

    id: str
    path: Path
    text: str
    sha256: str  # hex digest of the raw bytes on disk (with the extractor version, if extracted)
    encoding: str  # e.g. "utf-8", "utf-8-sig", "utf-16", "cp1252"; "pdf/1" for extracted text
    meta: DocumentMeta
    paragraphs: tuple[Span, ...] = ()
    sentences: tuple[Span, ...] = ()
    positions: tuple[Position, ...] = ()  # pages or cue times, for extracted formats only


@dataclass(frozen=True)
class Skipped:
    """A file discovery or loading left out, and why, for the index report."""

    id: str
    reason: str


@dataclass
class IndexReport:
    """What an index update did. `seconds` is wall time of the whole update."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    rebuilt_reason: str | None = None  # set when the index was rebuilt from scratch, and why
    seconds: float = 0.0
    bytes_indexed: int = 0
    notices: list[str] = field(default_factory=list)  # e.g. a dead build's lock taken over

    @property
    def indexed(self) -> int:
        return len(self.added) + len(self.changed)
