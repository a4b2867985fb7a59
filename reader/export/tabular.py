"""CSV and JSON Lines: one row per (annotation, selected tag), every field.

Columns (both formats, same names and order):

    annotation_id, doc, title, source, date, tag, tag_color, tags, status, start, end, quote,
    context_before, context_after, note, creator, created, modified, stored_start, stored_end,
    stored_quote, coder (the creator, or unknown; last, so that columns keep their places),
    position (a PDF page "p. 12" or a transcript time "00:14:03"; empty for text files)

`start`/`end` are the current span in the document's current text (code points, end exclusive;
empty/null for an orphan); `stored_*` are what the annotation recorded when it was tagged.
`tags` lists all the annotation's tags (CSV: joined with "; "; JSON: a list).

CSV is UTF-8, RFC 4180 (CRLF between records, fields with newlines quoted), by default with a
byte-order mark and with cells a spreadsheet would evaluate as formulas protected by a leading
`'` (`CsvOptions`; the rules and why are in `reader.export.spreadsheet`). JSON Lines keeps every
value exactly.
"""

from __future__ import annotations

import csv
import json
from operator import itemgetter
from typing import TextIO

from reader.export import ExportRow, Selection, Written
from reader.coders import coder_of
from reader.export.spreadsheet import BOM, MAY_NEED, CsvOptions, ProtectMode, protect

COLUMNS = (
    "annotation_id",
    "doc",
    "title",
    "source",
    "date",
    "tag",
    "tag_color",
    "tags",
    "status",
    "start",
    "end",
    "quote",
    "context_before",
    "context_after",
    "note",
    "creator",
    "created",
    "modified",
    "stored_start",
    "stored_end",
    "stored_quote",
    "coder",
    "position",
)


def records(selection: Selection):
    """(row, tag, record dict) for every (annotation, selected tag), in export order; then one
    record per annotation file left out (status "unreadable", the reason as its note), so the
    table itself says it is incomplete."""
    for row in selection.rows:
        for tag in row.selected_tags:
            yield row, tag, _record(selection, row, tag)
    for doc, why in selection.left_out:
        rec = dict.fromkeys(COLUMNS)
        rec.update(
            doc=doc or None,
            status="unreadable",
            tags=[],
            note=f"left out: {'its annotations' if doc else 'the codebook'} cannot be read ({why})",
        )
        yield None, None, rec


def _record(selection: Selection, row: ExportRow, tag: str) -> dict:
    a = row.annotation
    return {
        "annotation_id": a.id,
        "doc": a.doc,
        "title": row.title,
        "source": row.source,
        "date": row.date,
        "tag": tag,
        "tag_color": selection.tag(tag).color,
        "tags": list(a.tags),
        "status": row.status,
        "start": row.start,
        "end": row.end,
        "quote": row.quote,
        "context_before": row.context_before,
        "context_after": row.context_after,
        "note": a.note,
        "creator": a.creator,
        "coder": coder_of(a),
        "created": a.created,
        "modified": a.modified,
        "stored_start": a.start,
        "stored_end": a.end,
        "stored_quote": a.quote.exact,
        "position": row.position.cite() if row.position else None,
    }


def _cell(value, mode: ProtectMode) -> str:
    if value is None:
        return ""
    if type(value) is not str:
        value = "; ".join(value) if isinstance(value, list) else str(value)
    return protect(value, mode)


def write_csv(selection: Selection, out: TextIO, options: CsvOptions | None = None) -> Written:
    """The CSV, written row by row to `out` (a text stream opened with newline="")."""
    options = options or CsvOptions()
    if options.bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    n = 0
    mode = options.protect
    values = itemgetter(*COLUMNS)  # a record's values in the columns' order, in one C call
    for _row, _tag, rec in records(selection):
        writer.writerow([_fast_cell(v, mode) for v in values(rec)])
        n += 1
    return Written(n)


def _fast_cell(value, mode: ProtectMode) -> str:
    """`_cell` with its common case first: a string that cannot need protection, which is
    nearly every cell (`protect` looks at its first character only); the same cell always."""
    if type(value) is str and (not value or value[0] not in MAY_NEED):
        return value
    return _cell(value, mode)


def write_jsonl(selection: Selection, out: TextIO) -> Written:
    """The JSON Lines, written record by record to `out`."""
    n = 0
    for _row, _tag, rec in records(selection):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return Written(n)
