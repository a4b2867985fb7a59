"""Rendering a selection in one format: the dispatch from a format's name to its module
(each imported only when used), and `export`, which selects, renders and writes atomically
(no Textual, no rich)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from index import atomic
from reader.export.rows import (
    CONTEXT_CHARS,
    FORMATS,
    ExportError,
    ExportResult,
    Filters,
    GroupBy,
    Rendered,
    Selection,
)
from reader.export.selecting import select

if TYPE_CHECKING:  # pragma: no cover
    from index.corpus import Corpus
    from index.indexer import CorpusIndex
    from reader.export.spreadsheet import CsvOptions
    from reader.paths import Paths
    from reader.store import AnnotationStore


def _renderer(fmt: str) -> Callable[..., Rendered]:
    r: Callable[..., Rendered]
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
    """Write `data` to `path` atomically (index/atomic.py: never a partial file).
    Raises ExportError with a message for the user."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    try:
        atomic.write_atomic(path, data)
    except OSError as exc:
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
