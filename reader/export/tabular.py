"""CSV and JSON Lines: one row per (annotation, selected tag), every field.

Columns (both formats, same names and order):

    annotation_id, doc, title, source, date, tag, tag_color, tags, status, start, end, quote,
    context_before, context_after, note, creator, created, modified, stored_start, stored_end,
    stored_quote

`start`/`end` are the current span in the document's current text (code points, end exclusive;
empty/null for an orphan); `stored_*` are what the annotation recorded when it was tagged.
`tags` lists all the annotation's tags (CSV: joined with "; "; JSON: a list).

CSV is UTF-8 without a byte-order mark, RFC 4180 (CRLF between records, fields with newlines
quoted). Corpus text is untrusted: a cell that starts with `=`, `+`, `-`, `@`, tab or CR is
prefixed with `'` so a spreadsheet shows it instead of evaluating it (OWASP's advice against
formula injection). JSON Lines keeps every value exactly.
"""

from __future__ import annotations

import csv
import io
import json

from reader.export import ExportRow, Rendered, Selection

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
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def records(selection: Selection):
    """(row, tag, record dict) for every (annotation, selected tag), in export order."""
    for row in selection.rows:
        for tag in row.selected_tags:
            yield row, tag, _record(selection, row, tag)


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
        "created": a.created,
        "modified": a.modified,
        "stored_start": a.start,
        "stored_end": a.end,
        "stored_quote": a.quote.exact,
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    value = str(value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(selection: Selection) -> Rendered:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    n = 0
    for _row, _tag, rec in records(selection):
        writer.writerow([_cell(rec[c]) for c in COLUMNS])
        n += 1
    return Rendered(buf.getvalue().encode("utf-8"), n)


def render_jsonl(selection: Selection) -> Rendered:
    lines = [json.dumps(rec, ensure_ascii=False) for _row, _tag, rec in records(selection)]
    data = "".join(line + "\n" for line in lines)
    return Rendered(data.encode("utf-8"), len(lines))
