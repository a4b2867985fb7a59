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
class DocumentMeta:
    """What the text says about itself. Overrides by the user are applied on top (see store)."""

    title: str
    source: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) or datetime as written, when stated
    word_count: int = 0


@dataclass(frozen=True)
class Document:
    """One decoded file of the corpus.

    `id` is the path relative to the corpus root with forward slashes: stable across machines
    and re-indexing, and the key the annotation store uses.
    """

    id: str
    path: Path
    text: str
    sha256: str  # hex digest of the raw bytes on disk
    encoding: str  # e.g. "utf-8", "utf-8-sig", "utf-16", "cp1252"
    meta: DocumentMeta
    paragraphs: tuple[Span, ...] = ()
    sentences: tuple[Span, ...] = ()


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
