"""The one facade the app's screens and widgets call: the corpus index, search and annotations.

Widgets never talk to Whoosh or to the annotation files themselves; they call a `Library`, which
joins the three headless layers (`index.indexer`, `index.search`, `reader.store`) into the shapes
the screens show: document rows with the user's title/date/source overrides applied, an open
document with its annotations turned into coloured highlights, search results.

Every method may be called from a worker thread: `update_index` runs in one while the user
searches in another (Whoosh readers open their own view of the latest commit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import TYPE_CHECKING

from index.document import Document, IndexReport, Span
from index.indexer import CorpusIndex
from reader.store.postgres.texts import copy_warning
from reader.model import Annotation, DocumentAttributes, Tag
from reader.paths import Paths
from reader.store import AnnotationStore
from reader.store.backends import open_store
from reader.store.changes import default_creator
from reader.store.postgres.address import is_postgres
from reader.store_opening import StoreOpening
from reader.highlight import Highlight
from reader import autocode_service
from reader.autocode_plan import AutoCodePlan, MatchPreview

if TYPE_CHECKING:  # imported on first use: Whoosh's query parser and rapidfuzz cost start-up time
    from index.search import SearchResults
    from reader.anchoring import Anchored
    from reader.conflict_service import ConflictRow
    from reader.store.resolving import Resolution

__all__ = ["AutoCodePlan", "DocumentRow", "Library", "MatchPreview", "OpenDocument"]

MINE = "\0mine"
"""`Library.showing` for "only mine" (not a coder name: those have no control characters)."""

ANNOTATION_SUMMARY = "annotations-summary.json"
"""Beside the index (a cache like it): the store's summaries of its files, so that the first
screen lists counts without reading 100 MB of annotations (reader/store/summary.py)."""


@dataclass(frozen=True)
class DocumentRow:
    """One line of the document list."""

    id: str
    title: str
    source: str | None
    date: str | None
    words: int
    annotation_count: int
    conflicts: int = 0
    """Merge conflicts recorded for the document (resolved in the conflicts screen, `X`)."""
    counted: bool = True
    """False while the annotation files are still being read (a first start without the
    summaries): the count and the conflicts are not known yet, nor the title overrides."""


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
    read_only: str | None = None
    """Why this document's annotations cannot be changed (its file is unreadable), or None."""
    marks: dict[str, str] = field(default_factory=dict)
    """Coder -> the mark of their passages in the margin, when the annotations shown here are
    several coders' (else empty): the legend of the reader's margin."""

    def annotations_at(self, offset: int) -> list[Anchored]:
        """The placed annotations covering `offset`, innermost (shortest) first."""
        found = [a for a in self.anchored if a.span is not None and a.span.start <= offset < a.span.end]
        return sorted(found, key=lambda a: a.span.end - a.span.start)  # type: ignore[union-attr]

    def find(self, annotation_id: str) -> Anchored | None:
        return next((a for a in self.anchored if a.annotation.id == annotation_id), None)


def _marks(anchored: list[Anchored]) -> dict[str, str]:
    """Each coder's margin mark, when the placed annotations are several coders' (else {})."""
    from reader.coders import coder_marks, coder_of

    coders = {coder_of(a.annotation) for a in anchored if a.span is not None}
    return coder_marks(coders) if len(coders) > 1 else {}


class Library:
    """The corpus at `paths.corpus`, its index at `paths.index`, its annotations at
    `paths.annotations`."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.index = CorpusIndex(paths.corpus, paths.index)
        # a folder store's coder is known without opening it (a server's is its role)
        self._creator = None if is_postgres(paths.store or paths.annotations) else default_creator()
        self._store = StoreOpening(
            lambda: open_store(paths, creator=self._creator, summary=paths.index / ANNOTATION_SUMMARY)
        )
        if self._creator is None:  # a server's: connected now, so that an unreachable one is said at once
            self._store.get()
        self.showing: str | None = None
        """Whose coding the app shows: None everyone, MINE only this session's coder (blind
        coding: the others' annotations and counts are hidden), else one coder's name."""

    @property
    def store(self) -> AnnotationStore:
        """The annotation store, opened on first use (reader/store_opening.py)."""
        return self._store.get()

    @property
    def store_opened(self) -> bool:
        return self._store.opened

    @property
    def is_server(self) -> bool:
        """The store is a shared server's (PostgreSQL), which sends other coders' changes."""
        return self._creator is None

    @property
    def coder(self) -> str:
        """Who this session codes as: the creator the store stamps on new annotations."""
        if self._creator is not None and not self._store.opened:
            return self._creator
        return self.store.creator

    def code_as(self, name: str, save: bool = False) -> Path | None:
        """Code as `name` from now on in this session; with `save`, also in config.toml (the
        rule of reader/coders.py), whose path is returned. Raises `CoderError`."""
        from reader.coders import save_coder, validate_coder

        name = validate_coder(name)
        saved = save_coder(name) if save else None
        self.store.creator = name
        return saved

    @property
    def shown(self):
        """The store as the app shows it (reader/coder_view.py): every read of annotations and
        counts for display goes through this; writes go to `store`."""
        from reader.coder_view import for_coders

        if self.showing is None:
            return self.store
        return for_coders(self.store, [self.coder if self.showing == MINE else self.showing])

    @property
    def showing_label(self) -> str | None:
        """Whose coding `shown` holds, as the app says it (the export dialog's count): None
        for everyone's."""
        if self.showing is None:
            return None
        if self.showing == MINE:
            return "only mine (blind coding)"
        return f"only {self.showing}'s coding"

    def coders(self) -> list[str]:
        """Every coder with an annotation in the store."""
        from reader.coders import coder_of

        return sorted({coder_of(a) for a in self.store.annotations()})

    @property
    def annotations_dir(self) -> Path:
        return self.paths.annotations

    def update_index(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        committed: Callable[[int, int], None] | None = None,
        notice: Callable[[str], None] | None = None,
        planned: Callable[[dict[str, int]], None] | None = None,
    ) -> IndexReport:
        """Bring the index up to date (incremental; cheap when nothing changed).

        `committed(done, total)` is called when part of a first build can be searched;
        `notice(message)` when the user should know something now (waiting for another
        process's update of this index, a dead build's lock taken over); `planned(sizes)`
        before anything is read, with each document to read and its size in bytes.
        """
        return self.index.update(progress=progress, committed=committed, notice=notice, planned=planned)

    def rebuild_index(
        self,
        reason: str,
        progress: Callable[[int, int, str], None] | None = None,
        committed: Callable[[int, int], None] | None = None,
        notice: Callable[[str], None] | None = None,
        planned: Callable[[dict[str, int]], None] | None = None,
    ) -> IndexReport:
        """Discard the index and build it again (reading it failed: it is damaged)."""
        return self.index.rebuild(reason, progress=progress, committed=committed, notice=notice, planned=planned)

    def warm_search(self) -> None:
        """Import the search module and read what fuzzy terms and suggestions need, ahead of
        the first search; on a big corpus start the search helper process that gives the
        slow queries the second core (a worker calls this; a damaged index is left to the
        search)."""
        from index.search import warm

        try:
            warm(self.index, helper=True)
        except Exception:  # the next search reports it (and rebuilds) with a message
            pass

    def index_made_before_arrays(self) -> bool:
        """Whether the index was written by an earlier version, before phrases had position
        arrays: a rebuild would make its phrases of common words faster (False when that
        cannot be told: a damaged index is left to the search)."""
        try:
            return self.index.made_before_arrays()
        except Exception:  # noqa: BLE001 - a hint only: the next search reports a damaged index
            return False

    def close(self) -> None:
        """Let go of the index's open searcher and stop its helper process (the app calls
        this when it exits; both would otherwise live until the interpreter ends)."""
        from index.search import close_searcher

        close_searcher(self.index)
        close_store = getattr(self.store, "close", None)  # a server store's connection
        if close_store is not None:
            close_store()

    def documents(self, wait: bool = True) -> list[DocumentRow]:
        """Every indexed document, by id, with the user's overrides and annotation counts
        (from the store's summaries: no annotation file is read for a document unchanged).
        Not `wait`ing, when some files have no summary yet (a first start), the rows come at
        once from the index alone, counts pending (`counted` False): the next call reads them."""
        if not wait and not self.store.counts_ready():
            return [
                DocumentRow(doc_id, meta.title, meta.source, meta.date, meta.word_count, 0, counted=False)
                for doc_id, meta in sorted(self.index.documents().items())
            ]
        counts = self.shown.counts()
        conflicts = self.store.conflict_counts()
        overrides = self.store.overrides()
        none = DocumentAttributes("")
        rows = []
        for doc_id, meta in sorted(self.index.documents().items()):
            attrs = overrides.get(doc_id, none)
            rows.append(
                DocumentRow(
                    id=doc_id,
                    title=attrs.title or meta.title,
                    source=attrs.source or meta.source,
                    date=attrs.date or meta.date,
                    words=meta.word_count,
                    annotation_count=counts.get(doc_id, 0),
                    conflicts=conflicts.get(doc_id, 0),
                )
            )
        return rows

    def open(self, doc_id: str) -> OpenDocument:
        """Read a document from disk and place its annotations in its current text.

        Raises `index.corpus.UnreadableDocument` when the file cannot be read.
        """
        document = self.index.load(doc_id)
        anchored = self.shown.resolve(doc_id, document.text, document.sha256)
        problems = [str(p) for p in self.store.problems_of(doc_id)]
        differs = copy_warning(self.store, doc_id, document.sha256)  # a shared server's: is our copy the team's?
        if differs:
            problems.append(differs[0].upper() + differs[1:])
        attrs = self.store.attributes(doc_id)
        return OpenDocument(
            document=document,
            title=attrs.title or document.meta.title,
            source=attrs.source or document.meta.source,
            date=attrs.date or document.meta.date,
            highlights=self._highlights(anchored),
            anchored=anchored,
            problems=problems,
            marks=_marks(anchored),
            read_only=self.store.read_only_reason(doc_id),
        )

    def reanchor(self, opened: OpenDocument) -> OpenDocument:
        """`opened` with its annotations placed again (after a change to them): no file read."""
        document = opened.document
        anchored = self.shown.resolve(document.id, document.text, document.sha256)
        return replace(
            opened,
            highlights=self._highlights(anchored),
            anchored=anchored,
            read_only=self.store.read_only_reason(document.id),
            marks=_marks(anchored),
        )

    def _highlights(self, anchored: list[Anchored]) -> list[Highlight]:
        """One coloured span per placed annotation (the colour of its first tag), marked with
        its coder's letter when several coders' annotations are shown."""
        from reader.coders import coder_of

        colors = {tag.name: tag.color for tag in self.store.tags()}
        marks = _marks(anchored)
        return [
            Highlight(
                a.span.start,
                a.span.end,
                colors.get(a.annotation.tags[0], "") if a.annotation.tags else "",
                key=a.annotation.id,
                label=", ".join(a.annotation.tags),
                mark=marks.get(coder_of(a.annotation), ""),
            )
            for a in anchored
            if a.span is not None
        ]

    # ------------------------------------------------------------------ annotations
    # Thin calls into the store, so widgets never hold it. Each raises the store's errors
    # (`StoreError` and subclasses, `ValueError` for a bad tag name) for the caller to show.

    def annotate(self, opened: OpenDocument, start: int, end: int, tags: list[str], note: str = "") -> Annotation:
        document = opened.document
        return self.store.add(document.id, document.text, document.sha256, start, end, tags, note)

    def edit(self, annotation_id: str, tags: list[str] | None = None, note: str | None = None) -> Annotation:
        return self.store.edit(annotation_id, tags=tags, note=note)

    def delete(self, annotation_id: str) -> Annotation:
        return self.store.delete(annotation_id)

    def reattach(self, opened: OpenDocument, annotation_id: str, start: int, end: int) -> Annotation:
        document = opened.document
        return self.store.reattach(annotation_id, document.text, document.sha256, start, end)

    def annotations(self, doc_id: str | None = None, tag: str | None = None) -> list[Annotation]:
        return self.shown.annotations(doc_id, tag=tag)

    def tags(self) -> list[Tag]:
        return self.store.tags()

    def tag_counts(self) -> dict[str, int]:
        return self.shown.tag_counts()

    def recent_tags(self, n: int = 9) -> list[str]:
        return self.shown.recent_tags(n)

    def set_tag(self, name: str, color: str | None = None, description: str | None = None) -> Tag:
        return self.store.set_tag(name, color=color, description=description)

    def rename_tag(self, old: str, new: str) -> int:
        return self.store.rename_tag(old, new)

    def merge_tags(self, sources: list[str], target: str) -> int:
        return self.store.merge_tags(sources, target)

    def delete_tag(self, name: str, on_use: str = "refuse") -> int:
        return self.store.delete_tag(name, on_use=on_use)  # type: ignore[arg-type]

    def conflict_count(self) -> int:
        """How many merge conflicts the project records (the status bar's warning)."""
        return sum(self.store.conflict_counts().values())

    def conflicts(self) -> list[ConflictRow]:
        """Every merge conflict with its numbered versions, what they disagree on, and where
        each version would be placed in its document's current text (reader/conflict_service.py)."""
        from reader.conflict_service import conflict_rows

        return conflict_rows(self.store, self.index)

    def resolve_conflict(self, annotation_id: str, number: int) -> Resolution:
        """Keep version `number` of a merge conflict (one undo step: reader/store/resolving.py)."""
        return self.store.resolve_conflict(annotation_id, number)

    def undo(self) -> str | None:
        return self.store.undo()

    def redo(self) -> str | None:
        return self.store.redo()

    def read_only_reason(self, doc_id: str) -> str | None:
        return self.store.read_only_reason(doc_id)

    # ------------------------------------------------------------------ auto-code
    # The flow is reader/autocode_service.py's; the facade only exposes it.

    def plan_autocode(
        self,
        query: str,
        doc_ids: list[str] | None = None,
        is_cancelled: Callable[[], bool] = lambda: False,
        variants: bool = True,
    ) -> AutoCodePlan:
        """The matches of `query` to tag (`autocode_service.make_plan`, which says how)."""
        return autocode_service.make_plan(self, query, doc_ids, is_cancelled, variants)

    def autocode(self, plan: AutoCodePlan, tags: list[str], note: str = "") -> list[Annotation]:
        """Tag every match of `plan` as one change (one undo step), leaving alone the matches
        this coder has already tagged so on exactly that span."""
        return autocode_service.apply_plan(self, plan, tags, note)

    def search(
        self,
        query: str,
        page: int = 1,
        pagelen: int = 20,
        doc_ids: list[str] | None = None,
        variants: bool = True,
        count: bool = True,
    ) -> SearchResults:
        """Search the corpus (or only `doc_ids`); raises `index.search.QueryError` for bad syntax.

        Hit titles carry the user's title overrides, like the document list. Without
        `variants` only the spellings typed are searched. Without `count` the total of a
        phrase of common words may be left for `count_hits` (`counted` False): the app
        shows the hits first.
        """
        from index.search import search

        results = search(self.index, query, page=page, pagelen=pagelen, doc_ids=doc_ids, variants=variants, count=count)
        hits = []
        for hit in results.hits:
            title = self.store.attributes(hit.doc_id).title
            hits.append(replace(hit, title=title) if title else hit)
        return replace(results, hits=tuple(hits))

    def count_hits(
        self,
        query: str,
        doc_ids: list[str] | None = None,
        variants: bool = True,
        cancelled: Callable[[], bool] | None = None,
    ) -> int | None:
        """How many documents `query` finds (what `search(count=False)` left uncounted);
        None when `cancelled` said so before the count was done."""
        from index.search import count_hits

        return count_hits(self.index, query, doc_ids=doc_ids, variants=variants, cancelled=cancelled)

    def match_spans(self, doc_id: str, query: str, variants: bool = True) -> tuple[Span, ...]:
        """Every match unit of `query` in one document, in text order."""
        from index.search import match_spans

        return match_spans(self.index, doc_id, query, variants)
