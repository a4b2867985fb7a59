"""The one facade the app's screens and widgets call: the corpus index, search and annotations.

Widgets never talk to Whoosh or to the annotation files themselves; they call a `Library`, which
joins the three headless layers (`index.indexer`, `index.search`, `reader.store`) into the shapes
the screens show: document rows with the user's title/date/source overrides applied, an open
document with its annotations turned into coloured highlights, search results.

Every method may be called from a worker thread: `update_index` runs in one while the user
searches in another (Whoosh readers open their own view of the latest commit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import TYPE_CHECKING

from index.document import Document, IndexReport, Span
from index.indexer import CorpusIndex
from reader.paths import Paths
from reader.store import AnnotationStore
from reader.widgets.document_view import Highlight

if TYPE_CHECKING:  # imported on first use: Whoosh's query parser and rapidfuzz cost start-up time
    from index.search import SearchResults
    from reader.anchoring import Anchored

__all__ = ["DocumentRow", "Library", "OpenDocument"]


@dataclass(frozen=True)
class DocumentRow:
    """One line of the document list."""

    id: str
    title: str
    source: str | None
    date: str | None
    words: int
    annotation_count: int


@dataclass(frozen=True)
class OpenDocument:
    """A document as the reader pane shows it.

    `highlights` are the annotations placed in the current text (tag colour, annotation id as
    key); `anchored` has every annotation with its anchoring status, orphans included;
    `problems` are warnings to show with the document (e.g. its annotation file is unreadable,
    so the document's annotations are read-only).
    """

    document: Document
    title: str
    source: str | None
    date: str | None
    highlights: list[Highlight] = field(default_factory=list)
    anchored: list[Anchored] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Library:
    """The corpus at `paths.corpus`, its index at `paths.index`, its annotations at
    `paths.annotations`."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.index = CorpusIndex(paths.corpus, paths.index)
        self.store = AnnotationStore(paths.annotations)

    @property
    def annotations_dir(self) -> Path:
        return self.paths.annotations

    def update_index(
        self, progress: Callable[[int, int, str], None] | None = None
    ) -> IndexReport:
        """Bring the index up to date (incremental; cheap when nothing changed)."""
        return self.index.update(progress=progress)

    def documents(self) -> list[DocumentRow]:
        """Every indexed document, by id, with the user's overrides and annotation counts."""
        counts = Counter(a.doc for a in self.store.annotations())
        rows = []
        for doc_id, meta in sorted(self.index.documents().items()):
            attrs = self.store.attributes(doc_id)
            rows.append(
                DocumentRow(
                    id=doc_id,
                    title=attrs.title or meta.title,
                    source=attrs.source or meta.source,
                    date=attrs.date or meta.date,
                    words=meta.word_count,
                    annotation_count=counts.get(doc_id, 0),
                )
            )
        return rows

    def open(self, doc_id: str) -> OpenDocument:
        """Read a document from disk and place its annotations in its current text.

        Raises `index.corpus.UnreadableDocument` when the file cannot be read.
        """
        document = self.index.load(doc_id)
        anchored = self.store.resolve(doc_id, document.text, document.sha256)
        colors = {tag.name: tag.color for tag in self.store.tags()}
        highlights = [
            Highlight(
                a.span.start,
                a.span.end,
                colors.get(a.annotation.tags[0], "") if a.annotation.tags else "",
                key=a.annotation.id,
                label=", ".join(a.annotation.tags),
            )
            for a in anchored
            if a.span is not None
        ]
        problems = [str(p) for p in self.store.problems if p.doc in (doc_id, None)]
        attrs = self.store.attributes(doc_id)
        return OpenDocument(
            document=document,
            title=attrs.title or document.meta.title,
            source=attrs.source or document.meta.source,
            date=attrs.date or document.meta.date,
            highlights=highlights,
            anchored=anchored,
            problems=problems,
        )

    def search(
        self, query: str, page: int = 1, pagelen: int = 20, doc_ids: list[str] | None = None
    ) -> SearchResults:
        """Search the corpus (or only `doc_ids`); raises `index.search.QueryError` for bad syntax.

        Hit titles carry the user's title overrides, like the document list.
        """
        from index.search import search

        results = search(self.index, query, page=page, pagelen=pagelen, doc_ids=doc_ids)
        hits = []
        for hit in results.hits:
            title = self.store.attributes(hit.doc_id).title
            hits.append(replace(hit, title=title) if title else hit)
        return replace(results, hits=tuple(hits))

    def match_spans(self, doc_id: str, query: str) -> tuple[Span, ...]:
        """Every match of `query` in one document, in text order."""
        from index.search import match_spans

        return match_spans(self.index, doc_id, query)
