"""Rendering a selection in one format: the dispatch from a format's name to its module
(each imported only when used), and `export`, which selects, then streams the format into a
file written atomically, or renders it in memory when there is no file (no Textual, no rich)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable

from index import atomic, collector
from reader.export.rows import (
    CONTEXT_CHARS,
    FORMATS,
    ExportError,
    ExportResult,
    Filters,
    GroupBy,
    Rendered,
    Selection,
    Written,
)
from reader.export.selecting import select

TEXT_FORMATS = frozenset({"qdpx"})
"""Formats that ship the documents' texts: only their selections keep every text in memory."""

if TYPE_CHECKING:  # pragma: no cover
    from index.corpus import Corpus
    from index.indexer import CorpusIndex
    from reader.export.selecting import SearchGuard
    from reader.export.spreadsheet import CsvOptions
    from reader.paths import Paths
    from reader.store import AnnotationStore


def _writer(fmt: str) -> Callable[..., Written]:
    w: Callable[..., Written]
    if fmt == "md":
        from reader.export.markdown import write as w
    elif fmt in ("csv", "jsonl"):
        from reader.export import tabular

        w = tabular.write_csv if fmt == "csv" else tabular.write_jsonl
    elif fmt == "html":
        from reader.export.html import write as w
    elif fmt == "w3c":
        from reader.export.w3c import write as w
    elif fmt == "qdpx":
        from reader.export.qdpx import write as w
    else:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return w


def write(
    selection: Selection, fmt: str, out: BinaryIO, by: GroupBy = "tag", csv: "CsvOptions | None" = None
) -> Written:
    """Write `selection` in format `fmt` to the binary stream `out` as it is made (the text
    formats as UTF-8 through a small buffer): the whole output is never held. `by` groups md
    and html; `csv` says how CSV is written (default: BOM, formulas protected; see
    `reader.export.spreadsheet`)."""
    if by not in ("tag", "doc"):
        raise ExportError(f"--by must be 'tag' or 'doc', not {by!r}")
    writer = _writer(fmt)
    if fmt == "qdpx":
        return writer(selection, out)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        if fmt in ("md", "html"):
            written = writer(selection, text, by=by)
        elif fmt == "csv":
            written = writer(selection, text, csv)
        else:
            written = writer(selection, text)
        text.flush()
    finally:
        text.detach()  # `out` stays open: it is the caller's
    return written


def render(selection: Selection, fmt: str, by: GroupBy = "tag", csv: "CsvOptions | None" = None) -> Rendered:
    """The bytes of `selection` in format `fmt` (see FORMATS and `write`), held in memory."""
    buffer = io.BytesIO()
    written = write(selection, fmt, buffer, by=by, csv=csv)
    return Rendered(buffer.getvalue(), written.rows, written.skipped)


def _folder_of(path: Path) -> Path:
    """The folder `path` is written in; ExportError when it cannot be a file there."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    return folder


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (index/atomic.py: never a partial file).
    Raises ExportError with a message for the user."""
    path = Path(path)
    _folder_of(path)
    try:
        atomic.write_atomic(path, data)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc


# an export's rows have no cycles and live to its end: the collector's passes over them as
# they grew were a quarter of an export of 100,000 annotations (index/collector.py)
@collector.paused()
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
    guard: "SearchGuard | None" = None,
) -> ExportResult:
    """Select, render and (with `output`) write an export. Raises ExportError.

    Give `paths` (the store, corpus and index are opened from it) or `store` and `corpus`
    (plus `index` when filtering by query). Without `output` nothing is written: use `.data`.
    `guard`: how the query's search of the index is run (selecting.SearchGuard).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    filters = filters or Filters()
    selection = select(
        filters,
        paths=paths,
        store=store,
        corpus=corpus,
        index=index,
        context=context,
        texts=fmt in TEXT_FORMATS,
        guard=guard,
    )
    if output is None:
        rendered = render(selection, fmt, by=by, csv=csv)
        return ExportResult(fmt, selection.count, rendered.rows, rendered.data, None, rendered.skipped, filters)
    path = Path(output)
    _folder_of(path)
    try:
        with atomic.atomic_file(path) as out:
            written = write(selection, fmt, out, by=by, csv=csv)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return ExportResult(fmt, selection.count, written.rows, None, path, written.skipped, filters)
