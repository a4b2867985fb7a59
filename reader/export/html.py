"""HTML: one self-contained, readable page of the snippets with tag colours.

Everything that comes from the corpus or the store (quotes, context, titles, notes, tag names,
even colours) is untrusted: text is HTML-escaped (`html.escape`, quotes included), control and
bidi-override characters are dropped, colours are used only when they are `#rrggbb`, and the page
carries a Content-Security-Policy that allows no script, no network and only its own inline
style. Quotes get `dir="auto"` so Arabic reads right to left. No external resources.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TextIO

from reader.anchoring import status_legend
from reader.export import ExportRow, Selection, Written

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:50rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#222;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.5rem;border-bottom:1px solid #ddd}
.snippet{margin:1.2rem 0;padding:.6rem .9rem;border-left:.4rem solid var(--c,#888);background:#fafafa}
blockquote{margin:0;white-space:pre-wrap}
.ctx{color:#888}
.meta{font-size:.85rem;color:#555;margin-top:.4rem}
.tag{display:inline-block;font-size:.8rem;padding:0 .4rem;margin:0 .2rem .2rem 0;border-radius:.3rem;
border:1px solid #ccc}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:.2rem;margin-right:.3rem;
vertical-align:middle;background:var(--c,#888)}
.note{margin-top:.4rem;white-space:pre-wrap}
.status{font-weight:bold;color:#a40}
""".strip()


def esc(text: str | None) -> str:
    return html.escape(_CONTROL.sub("", text or ""), quote=True)


def _color(selection: Selection, tag: str) -> str:
    color = selection.tag(tag).color
    return color if isinstance(color, str) and _COLOR.match(color) else "#888888"


def _tag_chip(selection: Selection, tag: str) -> str:
    return _chip(_color(selection, tag), tag)


@lru_cache(maxsize=4096)
def _chip(color: str, tag: str) -> str:
    """A tag's chip, made once per (colour, tag) and not once per snippet (cached, as
    `_document_meta` is: both are functions of their text alone)."""
    return f'<span class="tag"><span class="swatch" style="--c:{color}"></span>{esc(tag)}</span>'


@lru_cache(maxsize=1024)
def _code(doc: str) -> str:
    return f"<code>{esc(doc)}</code>"


@lru_cache(maxsize=1024)
def _document_meta(title: str, source: str | None, date: str | None, with_title: bool) -> tuple[str, ...]:
    """A document's part of a snippet's meta line, the same for each of its rows."""
    meta = []
    if with_title:
        meta.append(f"<cite>{esc(title)}</cite>")
    for value in (source, date):
        if value:
            meta.append(esc(value))
    return tuple(meta)


def _snippet(selection: Selection, row: ExportRow, accent: str, with_title: bool) -> str:
    before = row.context_before[-60:]
    after = row.context_after[:60]
    meta = list(_document_meta(row.title, row.source, row.date, with_title))
    pos = f"{row.start}–{row.end}" if row.placed else "position unknown"
    if row.position is not None:  # where the original shows it: "p. 12", "00:14:03"
        pos += f", {row.position.cite()}"
    meta.append(f"{_code(row.doc)} {pos}")
    if row.status not in ("anchored", "moved"):
        meta.append(f'<span class="status">{esc(row.status_label)}</span>')
    parts = [
        f'<div class="snippet" style="--c:{accent}">',
        f'<blockquote dir="auto"><span class="ctx">…{esc(before)}</span><mark>{esc(row.quote)}</mark>'
        f'<span class="ctx">{esc(after)}…</span></blockquote>',
        f'<div class="meta">{" · ".join(meta)}</div>',
        '<div class="tags">' + "".join(_tag_chip(selection, t) for t in row.tags) + "</div>",
    ]
    if row.note:
        parts.append(f'<div class="note" dir="auto">{esc(row.note)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _body(selection: Selection, by: str):
    """The page's body, part by part (each one line of the page), made as it is written."""
    rows = selection.rows
    yield f"<h1>Tagged snippets ({len(rows)})</h1>"
    if selection.filters.tags or selection.filters.docs or selection.filters.query:
        yield f"<p>Selected: {esc(selection.filters.describe())}.</p>"
    if selection.left_out:
        yield f"<p><strong>{esc(selection.left_out_note())}.</strong></p>"
    legend = status_legend(r.status for r in rows)
    if legend:
        yield f"<p>Placements: {esc(legend)}.</p>"
    if by == "tag":
        for tag, members in selection.by_tag():
            color = _color(selection, tag)
            yield f'<section><h2><span class="swatch" style="--c:{color}"></span>{esc(tag)} ({len(members)})</h2>'
            description = selection.tag(tag).description
            if description:
                yield f"<p>{esc(description)}</p>"
            for r in members:
                yield _snippet(selection, r, color, with_title=True)
            yield "</section>"
    else:
        for doc, members in selection.by_document():
            first = members[0]
            meta = [esc(m) for m in (first.source, first.date) if m] + [f"<code>{esc(doc)}</code>"]
            yield (
                f'<section><h2 dir="auto">{esc(first.title)} ({len(members)})</h2>'
                f'<p class="meta">{" · ".join(meta)}</p>'
            )
            for r in members:
                yield _snippet(selection, r, _color(selection, r.tags[0]), with_title=False)
            yield "</section>"


def write(selection: Selection, out: TextIO, by: str = "tag") -> Written:
    """The page written to `out` snippet by snippet."""
    rows = selection.rows
    out.write(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>Tagged snippets ({len(rows)})</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
    )
    separator = ""
    for part in _body(selection, by):
        out.write(separator + part)
        separator = "\n"
    out.write("\n</body>\n</html>\n")
    return Written(len(rows))
