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
    yield from _left_out_records(selection)


def _left_out_records(selection: Selection):
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
    """The CSV, written a document's rows at a time to `out` (a text stream opened with
    newline=""). Each cell is what `_cell` makes of the record's value (tests compare the two),
    but made from the row itself: a document's title, source and date once per document, a
    tag's cells once per tag, an annotation's once for all its tags, and the cells that cannot
    need protection (their first character says so, `MAY_NEED`) without a call."""
    options = options or CsvOptions()
    if options.bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    mode = options.protect
    n = 0
    tag_cells: dict[str, tuple[str, str]] = {}
    doc_key: tuple | None = None
    doc_cells: tuple[str, str, str, str] = ("", "", "", "")
    lines: list[list[str]] = []

    def text(v: str) -> str:  # a str cell: protect() only when its first character may need it
        return v if not v or v[0] not in MAY_NEED else protect(v, mode)

    def number(v: int | None) -> str:
        return "" if v is None else str(v) if v >= 0 else protect(str(v), mode)

    for row in selection.rows:
        a = row.annotation
        key = (a.doc, row.title, row.source, row.date)
        if key != doc_key:
            if lines:
                writer.writerows(lines)
                lines = []
            doc_key = key
            doc_cells = (
                text(a.doc),
                _cell(row.title, mode),
                _cell(row.source, mode),
                _cell(row.date, mode),
            )
        doc, title, source, date = doc_cells
        position = row.position
        head = [text(a.id), doc, title, source, date]
        tail = [
            text("; ".join(a.tags)),
            text(row.status),
            number(row.start),
            number(row.end),
            text(row.quote),
            text(row.context_before),
            text(row.context_after),
            text(a.note),
            text(a.creator),
            text(a.created),
            text(a.modified),
            number(a.start),
            number(a.end),
            text(a.quote.exact),
            text(coder_of(a)),
            "" if position is None else text(position.cite()),
        ]
        for tag in row.selected_tags:
            cells = tag_cells.get(tag)
            if cells is None:
                cells = tag_cells[tag] = (text(tag), text(selection.tag(tag).color))
            lines.append(head + list(cells) + tail)
            n += 1
    if lines:
        writer.writerows(lines)
    for _row, _tag, rec in _left_out_records(selection):
        writer.writerow([_cell(rec[c], mode) for c in COLUMNS])
        n += 1
    return Written(n)


_JSON = json.JSONEncoder(ensure_ascii=False)
"""json.dumps(..., ensure_ascii=False) made once (dumps builds an encoder per call otherwise)."""


JSONL_BATCH = 32
"""Records encoded before one write: fewer writes, while what is held stays a few records'
worth, not a share of the output (tests/test_export_streaming.py)."""


def write_jsonl(selection: Selection, out: TextIO) -> Written:
    """The JSON Lines, written a few records at a time to `out`."""
    n = 0
    lines: list[str] = []
    encode = _JSON.encode
    for _row, _tag, rec in records(selection):
        lines.append(encode(rec))
        n += 1
        if len(lines) >= JSONL_BATCH:
            out.write("\n".join(lines) + "\n")
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")
    return Written(n)
