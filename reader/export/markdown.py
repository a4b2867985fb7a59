"""Markdown: the snippets as quotes, grouped by tag or by document, ready for a report.

Each quote is a block quote followed by where it comes from: title, source, date, document id
and position (code points, end exclusive), the status when the annotation is not exactly where
it was tagged, and the note. An annotation with several tags appears under each selected tag
when grouped by tag.

Corpus text is untrusted: characters that would turn a quote into markup (`* _ ` [ ] < > |`,
backslash, and `#`/list markers at the start of a line) are backslash-escaped, and control
characters other than newline and tab, in the text as in document ids and tag names, become
the visible symbols of `reader.safe_text` (`␛`): a report read in a terminal (`cat`, `less -R`)
runs no escape sequence, and a pasted one shows the text as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TextIO

from reader.anchoring import status_legend
from reader.export import ExportRow, Selection, Written
from reader.safe_text import sanitize, sanitize_layout

_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """Plain text as Markdown that renders as the same text."""
    text = sanitize_layout(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


@lru_cache(maxsize=4096)
def _code(text: str) -> str:
    """A document id or tag name as an inline code span (no backtick, no control character)."""
    return f"`{sanitize(text).replace('`', '')}`"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", escape(text)).strip()


def _quote_block(text: str) -> list[str]:
    lines = escape(text).split("\n")
    return [("> " + line.rstrip()) if line.strip() else ">" for line in lines]


@lru_cache(maxsize=1024)
def _document_parts(title: str, source: str | None, date: str | None, with_title: bool) -> tuple[str, ...]:
    """A document's part of `_where`, the same for each of its rows: made once per document
    (cached, as `_code` is: both are functions of their text alone), not once per row."""
    parts = []
    if with_title:
        parts.append(f"*{_one_line(title)}*")
    if source:
        parts.append(_one_line(source))
    if date:
        parts.append(_one_line(date))
    return tuple(parts)


def _where(row: ExportRow, with_title: bool) -> str:
    parts = list(_document_parts(row.title, row.source, row.date, with_title))
    pos = f"{row.start}–{row.end}" if row.placed else "position unknown"
    if row.position is not None:  # where the original shows it: "p. 12", "00:14:03"
        pos += f", {row.position.cite()}"
    parts.append(f"{_code(row.doc)} {pos}")
    if row.status not in ("anchored", "moved"):
        parts.append(f"**{_one_line(row.status_label)}**")
    return "— " + ", ".join(parts)


def _entry(row: ExportRow, with_title: bool, with_tags: bool) -> list[str]:
    out = _quote_block(row.quote)
    out.append("")
    out.append(_where(row, with_title))
    if with_tags:
        out.append("")
        out.append("Tags: " + ", ".join(_code(t) for t in row.selected_tags))
    if row.note:
        out.append("")
        note = escape(row.note).split("\n")
        out.append("Note: " + note[0])
        out.extend(("  " + line) if line.strip() else "" for line in note[1:])
    out.append("")
    return out


def _lines(selection: Selection, by: str):
    """The report's lines in order, in groups (lists), made as they are written."""
    rows = selection.rows
    yield [f"# Tagged snippets ({len(rows)})", ""]
    if selection.filters.tags or selection.filters.docs or selection.filters.query:
        yield [f"Selected: {_one_line(selection.filters.describe())}.", ""]
    if selection.left_out:
        yield [f"**{_one_line(selection.left_out_note())}.**", ""]
    legend = status_legend(r.status for r in rows)
    if legend:
        yield [f"Placements: {_one_line(legend)}.", ""]
    if by == "tag":
        for tag, members in selection.by_tag():
            description = selection.tag(tag).description
            yield [f"## {_one_line(tag)} ({len(members)})", ""]
            if description:
                yield [_one_line(description), ""]
            for row in members:
                yield _entry(row, with_title=True, with_tags=False)
    else:
        for doc, members in selection.by_document():
            first = members[0]
            yield [f"## {_one_line(first.title)} ({len(members)})", ""]
            meta = [m for m in (first.source, first.date) if m]
            yield [", ".join(_one_line(m) for m in meta + [_code(doc)]), ""]
            for row in members:
                yield _entry(row, with_title=False, with_tags=True)


def write(selection: Selection, out: TextIO, by: str = "tag") -> Written:
    """The report written to `out` group by group, ending in exactly one newline (as
    `"\\n".join(lines).rstrip("\\n") + "\\n"` would: trailing newlines are held back until
    more text follows)."""
    held = ""  # newlines at the end of what was made so far: written only if text follows
    first = True
    for group in _lines(selection, by):
        if not group:
            continue
        piece = held + ("" if first else "\n") + "\n".join(group)
        first = False
        kept = piece.rstrip("\n")
        if kept:
            out.write(kept)
            held = piece[len(kept) :]
        else:
            held = piece
    out.write("\n")
    return Written(len(selection.rows))
