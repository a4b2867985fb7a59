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

The modules, one job each: `rows` (filters, rows, the selection, results), `selecting`
(`select`, `count`: the annotations re-anchored), `rendering` (`render`, `export`, `write_atomic`),
and one module per format (`markdown`, `tabular`, `html`, `w3c`, `qdpx`). This package's init only
re-exports the names other code imports.
"""

from __future__ import annotations

from reader.export.rendering import export, render, write_atomic
from reader.export.rows import (
    BINARY_FORMATS,
    CONTEXT_CHARS,
    FORMATS,
    SUFFIXES,
    DocumentText,
    ExportError,
    ExportResult,
    ExportRow,
    Filters,
    GroupBy,
    Rendered,
    Selection,
    Written,
)
from reader.export.selecting import count, matching_annotations, select

__all__ = [
    "BINARY_FORMATS",
    "CONTEXT_CHARS",
    "FORMATS",
    "SUFFIXES",
    "DocumentText",
    "ExportError",
    "ExportResult",
    "ExportRow",
    "Filters",
    "GroupBy",
    "Rendered",
    "Selection",
    "count",
    "export",
    "matching_annotations",
    "render",
    "select",
    "write_atomic",
    "Written",
]
