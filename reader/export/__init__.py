"""Export tagged snippets: one selection, many formats (no Textual, no rich).

The app's export dialog and `reader export` make the same single call:

    result = export("md", paths=paths, filters=Filters(tags=("actor",), query="truce"))
    result.count, result.path, result.data

and `count(paths=paths, filters=...)` previews how many annotations a choice of filters selects.

How a selection is built (`select`), once, whatever the format:
- Filters combine with AND: `tags` (an annotation carrying any of them, or a tag below one:
  `actor` selects `actor/Nujaba`), `docs` (document ids), `query` (documents matching a Whoosh
  query through the corpus index).
- Each selected annotation is re-anchored against its document's current text
  (`AnnotationStore.resolve`): its row carries the current span and status (anchored, moved,
  fuzzy, orphan), the quote as it reads now, 100 characters of context either side, the
  document's title/source/date (the user's overrides first), the note, creator and times.
  An orphan keeps its stored quote and context and has no span.

Offsets are code points into the document's text as decoded (CRLF counts two), except in the
REFI-QDA project, whose shipped `.txt` sources have LF line endings: its offsets count code
points of that shipped text (see `reader.export.qdpx`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Literal

from index.document import Position, position_at
from reader.export.codebook import Codebook, export_codebook
from reader.model import Annotation, Tag, palette_color, tag_matches

if TYPE_CHECKING:  # pragma: no cover
    from reader.export.spreadsheet import CsvOptions
    from index.corpus import Corpus
    from index.indexer import CorpusIndex
    from reader.paths import Paths
    from reader.store import AnnotationStore

__all__ = [
    "CONTEXT_CHARS",
    "FORMATS",
    "DocumentText",
    "ExportError",
    "ExportResult",
    "ExportRow",
    "Filters",
    "Selection",
    "count",
    "export",
    "matching_annotations",
    "render",
    "select",
]

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


@dataclass(frozen=True)
class ExportRow:
    """One annotation as every format sees it (built once per export)."""

    annotation: Annotation
    title: str
    source: str | None
    date: str | None
    status: str  # anchored | moved | fuzzy | orphan (| missing: the document is gone)
    start: int | None  # current span in the current text; None for an orphan
    end: int | None
    quote: str  # the text at the current span (the stored quote for an orphan)
    context_before: str
    context_after: str
    selected_tags: tuple[str, ...]  # the annotation's tags the tag filter selected (all if none)
    # where a reader of the original finds it: a PDF page ("p. 12") or a cue time ("00:14:03")
    position: Position | None = None

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


@dataclass(frozen=True)
class DocumentText:
    """A document's current text, for formats that ship it (REFI-QDA)."""

    doc: str
    text: str
    sha256: str
    title: str
    source: str | None
    date: str | None


@dataclass
class Selection:
    """The rows to export, sorted by (document, start, id), with what formats need around them."""

    rows: list[ExportRow]
    tags: dict[str, Tag]  # every tag the rows carry and their ancestors, by name
    texts: dict[str, DocumentText]  # current text of each document the rows are in (if readable)
    filters: Filters = field(default_factory=Filters)
    missing_docs: tuple[str, ...] = ()  # documents with annotations whose file is gone
    left_out: tuple[tuple[str, str], ...] = ()  # (document id or "", why): annotation files the
    # store could not read, so their annotations are not in the rows (every format says so)
    codebook: "Codebook | None" = None  # every tag for formats that carry a codebook (REFI-QDA)

    def left_out_note(self) -> str:
        """One sentence saying what is missing from this export ("" when nothing is)."""
        if not self.left_out:
            return ""
        what = "; ".join(f"the annotations of {doc} ({why})" if doc else f"the codebook ({why})"
                         for doc, why in self.left_out)
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
    data: bytes
    path: Path | None  # where it was written (None: the caller writes `data`)
    skipped: tuple[str, ...] = ()  # annotations a format could not carry, with the reason
    filters: Filters = field(default_factory=Filters)


# --- selecting ----------------------------------------------------------------------------------


def _query_docs(index: "CorpusIndex", query: str, candidates: Iterable[str]) -> set[str]:
    from index.search import QueryError, search

    candidates = sorted(set(candidates))
    if not candidates:
        return set()
    try:
        results = search(index, query, page=1, pagelen=max(1, len(candidates)), doc_ids=candidates)
    except QueryError as exc:
        raise ExportError(f"invalid query: {exc.message}") from exc
    return {hit.doc_id for hit in results.hits}


def matching_annotations(
    store: "AnnotationStore", filters: Filters, index: "CorpusIndex | None" = None
) -> list[Annotation]:
    """The store's annotations the filters select, sorted by (doc, start, id). `index` is
    needed only with a query."""
    docs = set(filters.docs) if filters.docs else None
    anns = [
        a
        for a in store.annotations()
        if (docs is None or a.doc in docs) and (not filters.tags or any(filters.selects_tag(t) for t in a.tags))
    ]
    if filters.query:
        if index is None:
            raise ExportError("a query filter needs the corpus index")
        hits = _query_docs(index, filters.query, {a.doc for a in anns})
        anns = [a for a in anns if a.doc in hits]
    return anns


def _open(paths, store, corpus, index, need_index: bool):
    if store is None or corpus is None or (need_index and index is None):
        if paths is None:
            raise TypeError("give paths, or store and corpus (and index for a query)")
    if store is None:
        from reader.store import AnnotationStore

        store = AnnotationStore(paths.annotations)
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
        from reader.store import AnnotationStore

        store = AnnotationStore(paths.annotations)
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
) -> Selection:
    """Build the rows for the filters: each annotation re-anchored in its current text."""
    filters = filters or Filters()
    store, corpus, index = _open(paths, store, corpus, index, bool(filters.query))
    anns = matching_annotations(store, filters, index)
    by_doc: dict[str, list[Annotation]] = {}
    for a in anns:
        by_doc.setdefault(a.doc, []).append(a)

    rows: list[ExportRow] = []
    texts: dict[str, DocumentText] = {}
    missing = []
    for doc_id, doc_anns in by_doc.items():
        attrs = store.attributes(doc_id)
        document = _load(corpus, doc_id)
        if document is None:
            missing.append(doc_id)
            title = attrs.title if attrs.title is not None else doc_id
            for a in doc_anns:
                rows.append(_orphan_row(a, title, attrs.source, attrs.date, filters, "missing"))
            continue
        meta = document.meta
        title = attrs.title if attrs.title is not None else meta.title
        source = attrs.source if attrs.source is not None else meta.source
        date = attrs.date if attrs.date is not None else meta.date
        text = document.text
        texts[doc_id] = DocumentText(doc_id, text, document.sha256, title, source, date)
        wanted = {a.id for a in doc_anns}
        for placed in store.resolve(doc_id, text, document.sha256):
            a = placed.annotation
            if a.id not in wanted:
                continue
            if placed.span is None:
                rows.append(_orphan_row(a, title, source, date, filters, placed.status))
                continue
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
                    selected_tags=tuple(t for t in a.tags if filters.selects_tag(t)),
                    position=position_at(document.positions, s),
                )
            )
    rows.sort(key=lambda r: (r.doc, r.start if r.start is not None else r.annotation.start, r.id))

    codebook = {t.name: t for t in store.tags()}
    used: dict[str, Tag] = {}
    for r in rows:
        for name in r.tags:
            parts = name.split("/")
            for i in range(1, len(parts) + 1):
                n = "/".join(parts[:i])
                used[n] = codebook.get(n) or Tag(n, palette_color(n))
    left_out = tuple((p.doc or "", p.reason) for p in store.problems
                     if p.doc is None or not filters.docs or p.doc in filters.docs)
    book = export_codebook(store, filters, used)
    return Selection(rows, dict(sorted(used.items())), texts, filters, tuple(sorted(missing)), left_out, book)


@dataclass(frozen=True)
class _Loaded:
    text: str
    sha256: str
    meta: object
    positions: tuple = ()  # index.document.Position: pages or cue times of extracted formats


def _load(corpus: "Corpus", doc_id: str) -> _Loaded | None:
    """A document's text, hash and metadata, as `Corpus.load` gives them but without the
    paragraph/sentence analysis export does not need (a third of the time at 10,000 rows).
    None when the file is gone or unreadable."""
    import hashlib
    from pathlib import PurePosixPath

    from index.corpus import UnreadableDocument
    from index.decoding import DecodeError, decode
    from index.document import DocumentMeta
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
            data = f.read(corpus.max_bytes + 1)
        if not data or len(data) > corpus.max_bytes:
            return None
        text, _encoding = decode(data)
    except (UnreadableDocument, OSError, DecodeError):
        return None
    # metadata comes from the first lines: don't scan (and word-count) the whole text
    stem = PurePosixPath(doc_id).stem
    try:  # title/source/date only: the word count (a scan of 20,000 characters) is not needed
        from index import metadata as m

        head = m._head_lines(text)
        meta = DocumentMeta(title=m._title(head) or stem, source=m._source(head), date=m._date(head))
    except AttributeError:  # pragma: no cover - the metadata module changed: the public way
        meta = extract_metadata(text[:_META_CHARS], fallback_title=stem)
    return _Loaded(text, hashlib.sha256(data).hexdigest(), meta)


_META_CHARS = 20_000  # what index.metadata ever looks at (_HEAD_CHARS)


def _orphan_row(a: Annotation, title, source, date, filters: Filters, status: str) -> ExportRow:
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
    )


# --- rendering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    data: bytes
    rows: int
    skipped: tuple[str, ...] = ()


def _renderer(fmt: str) -> Callable[..., Rendered]:
    if fmt == "md":
        from reader.export.markdown import render as r
    elif fmt in ("csv", "jsonl"):
        from reader.export import tabular

        r = tabular.render_csv if fmt == "csv" else tabular.render_jsonl
    elif fmt == "html":
        from reader.export.html import render as r
    elif fmt == "w3c":
        from reader.export.w3c import render as r
    elif fmt == "qdpx":
        from reader.export.qdpx import render as r
    else:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return r


def render(selection: Selection, fmt: str, by: GroupBy = "tag", csv: "CsvOptions | None" = None) -> Rendered:
    """The bytes of `selection` in format `fmt` (see FORMATS). `by` groups md and html; `csv`
    says how CSV is written (default: BOM, formulas protected; see `reader.export.spreadsheet`)."""
    if by not in ("tag", "doc"):
        raise ExportError(f"--by must be 'tag' or 'doc', not {by!r}")
    renderer = _renderer(fmt)
    if fmt in ("md", "html"):
        return renderer(selection, by=by)
    if fmt == "csv":
        return renderer(selection, csv)
    return renderer(selection)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder (never a partial file).
    Raises ExportError with a message for the user."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    tmp = str(folder / f".{path.name[:100]}.{secrets.token_hex(6)}.tmp")
    try:  # created with 0o666 & ~umask by the kernel: the process's umask is never changed
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def export(
    fmt: str,
    filters: Filters | None = None,
    *,
    paths: "Paths | None" = None,
    store: "AnnotationStore | None" = None,
    corpus: "Corpus | None" = None,
    index: "CorpusIndex | None" = None,
    output: Path | str | None = None,
    by: GroupBy = "tag",
    context: int = CONTEXT_CHARS,
    csv: "CsvOptions | None" = None,
) -> ExportResult:
    """Select, render and (with `output`) write an export. Raises ExportError.

    Give `paths` (the store, corpus and index are opened from it) or `store` and `corpus`
    (plus `index` when filtering by query). Without `output` nothing is written: use `.data`.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    filters = filters or Filters()
    selection = select(filters, paths=paths, store=store, corpus=corpus, index=index, context=context)
    rendered = render(selection, fmt, by=by, csv=csv)
    path = None
    if output is not None:
        path = Path(output)
        write_atomic(path, rendered.data)
    return ExportResult(fmt, selection.count, rendered.rows, rendered.data, path, rendered.skipped, filters)
