"""Selecting what to export: the annotations the filters keep, each re-anchored in its
document's current text, as the rows every format reads (no Textual, no rich)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from index.document import position_at
from reader.export.codebook import export_codebook
from reader.export.rows import (
    CONTEXT_CHARS,
    DocumentText,
    ExportError,
    ExportRow,
    Filters,
    Selection,
    TextSpool,
)
from reader.anchoring import anchor_all
from reader.model import Annotation, Tag, palette_color

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from index.corpus import Corpus
    from index.document import DocumentMeta
    from index.indexer import CorpusIndex
    from index.search import SearchResults
    from reader.paths import Paths
    from reader.store import AnnotationStore

    SearchGuard = Callable[[Callable[[], SearchResults]], SearchResults]
    """How a query's search of the index is run: `guard(run)` returns `run()`, or repairs a
    damaged index and runs it again (the CLI's `search_repairing`)."""


def _query_docs(
    index: "CorpusIndex", query: str, candidates: Iterable[str], guard: "SearchGuard | None" = None
) -> set[str]:
    from index.search import QueryError, search

    candidates = sorted(set(candidates))
    if not candidates:
        return set()

    def run() -> "SearchResults":
        return search(index, query, page=1, pagelen=max(1, len(candidates)), doc_ids=candidates)

    try:
        results = guard(run) if guard is not None else run()
    except QueryError as exc:
        raise ExportError(f"invalid query: {exc.message}") from exc
    return {hit.doc_id for hit in results.hits}


def matching_annotations(
    store: "AnnotationStore", filters: Filters, index: "CorpusIndex | None" = None, guard: "SearchGuard | None" = None
) -> list[Annotation]:
    """The store's annotations the filters select, sorted by (doc, start, id). `index` is
    needed only with a query, whose search runs through `guard` when given."""
    docs = set(filters.docs) if filters.docs else None
    anns = [
        a
        for a in store.annotations()
        if (docs is None or a.doc in docs) and (not filters.tags or any(filters.selects_tag(t) for t in a.tags))
    ]
    if filters.query:
        if index is None:
            raise ExportError("a query filter needs the corpus index")
        hits = _query_docs(index, filters.query, {a.doc for a in anns}, guard)
        anns = [a for a in anns if a.doc in hits]
    return anns


def _open(paths, store, corpus, index, need_index: bool):
    if store is None or corpus is None or (need_index and index is None):
        if paths is None:
            raise TypeError("give paths, or store and corpus (and index for a query)")
    if store is None:
        from reader.store.backends import open_store

        store = open_store(paths)
    if corpus is None:
        from index.corpus import CorpusError

        try:
            corpus = paths.open_corpus()
        except CorpusError as exc:
            raise ExportError(str(exc)) from exc
    if need_index and index is None:
        from index.indexer import CorpusIndex

        index = CorpusIndex(paths.corpus, paths.index)
        index.update()
    return store, corpus, index


def count(
    filters: Filters | None = None,
    *,
    paths: "Paths | None" = None,
    store: "AnnotationStore | None" = None,
    corpus: "Corpus | None" = None,
    index: "CorpusIndex | None" = None,
) -> int:
    """How many annotations an export with these filters would write (no document is read)."""
    filters = filters or Filters()
    if store is None:
        if paths is None:
            raise TypeError("give paths or store")
        from reader.store.backends import open_store

        store = open_store(paths)
    if filters.query and index is None:
        if paths is None:
            raise ExportError("a query filter needs the corpus index")
        from index.indexer import CorpusIndex

        index = CorpusIndex(paths.corpus, paths.index)
        index.update()
    return len(matching_annotations(store, filters, index))


def select(
    filters: Filters | None = None,
    *,
    paths: "Paths | None" = None,
    store: "AnnotationStore | None" = None,
    corpus: "Corpus | None" = None,
    index: "CorpusIndex | None" = None,
    context: int = CONTEXT_CHARS,
    texts: bool = True,
    guard: "SearchGuard | None" = None,
) -> Selection:
    """Build the rows for the filters: each annotation re-anchored in its current text.
    `texts`: keep every document's text for the selection (only formats that ship the texts
    need them; at 10,000 documents they are the corpus, kept in a temporary file: TextSpool).
    `guard`: how the query's search is run (see SearchGuard)."""
    filters = filters or Filters()
    store, corpus, index = _open(paths, store, corpus, index, bool(filters.query))
    indexed = _indexed(index, paths)
    anns = matching_annotations(store, filters, index, guard)
    by_doc: dict[str, list[Annotation]] = {}
    for a in anns:
        by_doc.setdefault(a.doc, []).append(a)

    rows: list[ExportRow] = []
    kept_texts: dict[str, DocumentText] = {}
    spool = TextSpool() if texts else None
    missing = []
    everything = not filters.tags  # every tag of every row selected: its own tuple, no test per tag
    for doc_id, doc_anns in by_doc.items():
        attrs = store.attributes(doc_id)
        document = _load(corpus, doc_id, indexed.get(doc_id))
        if document is None:
            missing.append(doc_id)
            title = attrs.title if attrs.title is not None else doc_id
            for a in doc_anns:
                rows.append(_orphan_row(a, title, attrs.source, attrs.date, filters, "orphan", document_gone=True))
            continue
        meta = document.meta
        title = attrs.title if attrs.title is not None else meta.title
        source = attrs.source if attrs.source is not None else meta.source
        date = attrs.date if attrs.date is not None else meta.date
        text = document.text
        if spool is not None:
            kept_texts[doc_id] = DocumentText(doc_id, document.sha256, title, source, date, spool, spool.keep(text))
        first = len(rows)
        in_order = True  # rows placed where they were stored keep doc_anns' (start, id) order
        # the annotations selected, anchored as `store.resolve` anchors them (nothing written),
        # not all of the document's again (a lookup per annotation to drop the others)
        for placed in anchor_all(doc_anns, text):
            a = placed.annotation
            if placed.span is None:
                rows.append(_orphan_row(a, title, source, date, filters, placed.status))
                continue
            if placed.status != "anchored":
                in_order = False
            s, e = placed.span.start, placed.span.end
            rows.append(
                ExportRow(
                    annotation=a,
                    title=title,
                    source=source,
                    date=date,
                    status=placed.status,
                    start=s,
                    end=e,
                    quote=text[s:e],
                    context_before=text[max(0, s - context) : s],
                    context_after=text[e : e + context],
                    selected_tags=a.tags if everything else tuple(t for t in a.tags if filters.selects_tag(t)),
                    position=position_at(document.positions, s) if document.positions else None,
                )
            )
        if not in_order:  # a moved or fuzzy row: this document's rows by their current start
            rows[first:] = sorted(rows[first:], key=_row_order)
    # documents come in id order (anns are sorted by doc, start, id) and each one's rows are in
    # (start, id) order: the rows are sorted by (doc, start, id) without a key per row

    codebook = {t.name: t for t in store.tags()}
    used: dict[str, Tag] = {}
    for name in {name for r in rows for name in r.tags}:  # each tag once, not once per row
        parts = name.split("/")
        for i in range(1, len(parts) + 1):
            n = "/".join(parts[:i])
            used[n] = codebook.get(n) or Tag(n, palette_color(n))
    left_out = tuple(
        (p.doc or "", p.reason) for p in store.problems if p.doc is None or not filters.docs or p.doc in filters.docs
    )
    book = export_codebook(store, filters, used)
    return Selection(rows, dict(sorted(used.items())), kept_texts, filters, tuple(sorted(missing)), left_out, book)


def _row_order(r: ExportRow) -> tuple:
    """The rows' order: (document, current start, or the stored one for an orphan, id)."""
    return (r.doc, r.start if r.start is not None else r.annotation.start, r.id)


@dataclass(frozen=True)
class _Loaded:
    text: str
    sha256: str
    meta: DocumentMeta
    positions: tuple = ()  # index.document.Position: pages or cue times of extracted formats


def _indexed(index: "CorpusIndex | None", paths: "Paths | None") -> dict[str, tuple[str, "DocumentMeta"]]:
    """(sha256, metadata) of each document the corpus index holds, from its manifest (not
    brought up to date: an entry is used only for a file of the same hash); {} without one."""
    if index is None and paths is not None:
        from index.corpus import CorpusError
        from index.indexer import CorpusIndex

        try:
            index = CorpusIndex(paths.corpus, paths.index)
        except CorpusError:
            return {}
    return index.indexed() if index is not None else {}


def _load(corpus: "Corpus", doc_id: str, indexed: tuple[str, "DocumentMeta"] | None = None) -> _Loaded | None:
    """A document's text, hash and metadata, as `Corpus.load` gives them but without the
    paragraph/sentence analysis export does not need (a third of the time at 10,000 rows).
    The metadata is the index's (`indexed`: its hash and metadata) when the file is the one
    indexed, else extracted from the head of the text, without counting its words: at 10,000
    documents extracting it was a third of an export. None when the file is gone or unreadable."""
    import hashlib
    import os
    from pathlib import PurePosixPath

    from index.corpus import UnreadableDocument
    from index.decoding import DecodeError, decode
    from index.metadata import extract_metadata

    from index.formats import is_extracted

    if is_extracted(doc_id):  # PDF, Word, ...: the extracted text, through the cache
        try:
            read = corpus.read(doc_id)
        except UnreadableDocument:
            return None
        return _Loaded(read.text, read.sha256, read.meta, read.positions)
    try:
        file = corpus.file(doc_id)
        with open(file.path, "rb") as f:
            # read what the file holds (plus one byte, to see it grew past the limit): a read of
            # max_bytes + 1 would allocate that much for every file, the export's peak memory
            size = os.fstat(f.fileno()).st_size
            data = f.read(min(size, corpus.max_bytes) + 1)
            if size < len(data) <= corpus.max_bytes:  # it grew while being read: the rest too
                data += f.read(corpus.max_bytes + 1 - len(data))
        if not data or len(data) > corpus.max_bytes:
            return None
        text, _encoding = decode(data)
    except (UnreadableDocument, OSError, DecodeError):
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    if indexed is not None and indexed[0] == sha256:
        return _Loaded(text, sha256, indexed[1])
    # metadata comes from the first lines: don't scan (and word-count) the whole text
    meta = extract_metadata(text[:_META_CHARS], fallback_title=PurePosixPath(doc_id).stem, count_words=False)
    return _Loaded(text, sha256, meta)


_META_CHARS = 20_000  # what index.metadata ever looks at (_HEAD_CHARS)


def _orphan_row(
    a: Annotation, title, source, date, filters: Filters, status: str, document_gone: bool = False
) -> ExportRow:
    return ExportRow(
        annotation=a,
        title=title,
        source=source,
        date=date,
        status=status,
        start=None,
        end=None,
        quote=a.quote.exact,
        context_before=a.quote.prefix,
        context_after=a.quote.suffix,
        selected_tags=tuple(t for t in a.tags if filters.selects_tag(t)),
        document_gone=document_gone,
    )
