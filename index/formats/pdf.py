"""PDF: the text layer, page by page, with lines joined into paragraphs.

Library: pypdfium2 (PDFium, the engine of Chrome's PDF viewer; BSD-3/Apache-2.0). It is the
fastest permissively licensed text extractor (native code; pdfminer.six and pypdf are pure
Python and several times slower) and its reading order is PDFium's, which is what browsers
show. PyMuPDF is faster still but AGPL, which an MIT project cannot ship.

Pages are read one at a time and closed before the next, so a 1,000-page PDF never sits in
memory as a whole (only its text does). PDFium gives text runs with their boxes: runs are
grouped into lines by their vertical overlap, and lines into paragraphs: a new paragraph
starts after a vertical gap clearly larger than the page's usual line spacing, at a change of
font size (a heading), or after a
line that ends so far short of the column's right edge that the next line's first word would
have fitted on it (the last line of a paragraph, justified or ragged). A word hyphenated across a line end is
joined again ("extrac-" + "tion" -> "extraction") when the next line starts in lower case.
A line repeated at the top or bottom of most pages (a running header or footer, page numbers
included) is dropped when the document has at least four pages, where that is reliable.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.formats.model import Block, ExtractionError, assemble

VERSION = 1
FORMAT = "PDF"

_SENTENCE_END = tuple(".!?:;\"'\u201d\u2019)")
_DIGITS = re.compile(r"\d+")
_ZERO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*/Count\s+0\b")


@dataclass
class _Line:
    top: float
    bottom: float
    left: float
    right: float
    text: str


def extract(data: bytes, progress=None):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise ExtractionError("encrypted PDF (password-protected)") from None
        if _ZERO_PAGES.search(data[:65536]):  # PDFium refuses a page tree with no pages
            raise ExtractionError("PDF with zero pages") from None
        raise ExtractionError(f"not a readable PDF ({_short(exc)})") from None
    try:
        count = len(pdf)
        if count == 0:
            raise ExtractionError("PDF with zero pages")
        pages = []
        for number in range(count):
            pages.append(_page_lines(pdf, number))
            if progress is not None:
                progress(number + 1, count)
        meta = _metadata(pdf)
        labels = [_label(pdf, number) for number in range(count)]
    finally:
        pdf.close()
    pages = _drop_running_lines(pages)
    blocks = []
    for label, lines in zip(labels, pages):
        first = True
        for paragraph in _paragraphs(lines):
            blocks.append(Block(paragraph, ("page", label) if first else None))
            first = False
        if first:  # a page without text still marks where the next text is
            blocks.append(Block("", ("page", label)))
    result = assemble(blocks, empty_reason="scanned: no text layer", extra={"pages": count}, **meta)
    return result


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:100] if str(exc).strip() else type(exc).__name__


def _label(pdf, number: int) -> str:
    try:
        label = pdf.get_page_label(number)
    except Exception:
        label = ""
    return label.strip() or str(number + 1)


def _page_lines(pdf, number: int) -> list[_Line]:
    page = pdf[number]
    try:
        textpage = page.get_textpage()
        try:
            runs = []
            for i in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(i)
                text = textpage.get_text_bounded(left, bottom, right, top)
                if text.strip():
                    runs.append(_Line(top, bottom, left, right, text))
        finally:
            textpage.close()
    finally:
        page.close()
    return _lines(runs)


def _lines(runs: list[_Line]) -> list[_Line]:
    """Runs on one baseline (vertically overlapping, in PDFium's order) as one line."""
    lines: list[_Line] = []
    for run in runs:
        line = lines[-1] if lines else None
        if line is not None:
            overlap = min(line.top, run.top) - max(line.bottom, run.bottom)
            height = min(line.top - line.bottom, run.top - run.bottom)
            if height > 0 and overlap > 0.5 * height and run.left >= line.left:
                gap = " " if not line.text.endswith((" ", "-")) and not run.text.startswith(" ") else ""
                line.text += gap + run.text
                line.right = max(line.right, run.right)
                line.top, line.bottom = max(line.top, run.top), min(line.bottom, run.bottom)
                continue
        lines.append(_Line(run.top, run.bottom, run.left, run.right, run.text))
    for line in lines:
        line.text = line.text.replace("\r", " ").replace("\n", " ").strip()
    return [line for line in lines if line.text]


def _running_key(line: _Line) -> str:
    return _DIGITS.sub("#", line.text.strip().lower())


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Without a header/footer line that most pages repeat (page numbers as '#')."""
    if len(pages) < 4:
        return pages
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_running_key(line) for line in lines[:2] + lines[-2:]}
        counts.update(edge)
    threshold = max(3, int(0.6 * len(pages)))
    running = {key for key, n in counts.items() if n >= threshold and len(key) < 120}
    if not running:
        return pages
    kept = []
    for lines in pages:
        edges = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        kept.append([line for i, line in enumerate(lines)
                     if not (i in edges and _running_key(line) in running)])
    return kept


def _paragraphs(lines: list[_Line]) -> list[str]:
    if not lines:
        return []
    gaps = [prev.bottom - line.top for prev, line in zip(lines, lines[1:])
            if 0 <= prev.bottom - line.top]
    # the usual spacing of lines within a paragraph: low in the range, as paragraph gaps are rarer
    usual = sorted(gaps)[len(gaps) // 5] if gaps else 0.0
    heights = sorted(line.top - line.bottom for line in lines)
    height = heights[len(heights) // 2] or 1.0
    column_right = max(line.right for line in lines)
    column_left = min(line.left for line in lines)
    width = max(column_right - column_left, 1.0)
    paragraphs: list[list[str]] = [[lines[0].text]]
    for prev, line in zip(lines, lines[1:]):
        gap = prev.bottom - line.top
        new = (
            gap < -height  # moved up: a new column or a jump in reading order
            or gap > usual + 0.35 * height
            or abs((prev.top - prev.bottom) - (line.top - line.bottom)) > 0.2 * height  # a heading
            or _ended_short(prev, line, column_right)
            or line.left > prev.left + 0.5 * height and prev.text.endswith(_SENTENCE_END)
        )
        if new:
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
    return [_join(parts) for parts in paragraphs]


def _ended_short(prev: _Line, line: _Line, column_right: float) -> bool:
    """Whether the next line's first word would have fitted on the previous line: then the
    previous line ended its paragraph (works for ragged and justified text alike)."""
    if not prev.text or prev.text.endswith(("-", "\u00ad", "\x02")):
        return False  # a word hyphenated across the line end goes on
    char = (prev.right - prev.left) / len(prev.text)
    first = line.text.split(" ", 1)[0]
    return column_right - prev.right > (len(first) + 1.5) * char


def _join(lines: list[str]) -> str:
    """Lines of one paragraph as one line, hyphenation at line ends undone."""
    text = lines[0]
    for line in lines[1:]:
        end = text[-1:]
        if end in ("-", "\u00ad", "\x02") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
            text = text[:-1] + line
        elif end in ("\u00ad", "\x02"):
            text = text[:-1] + line
        elif end == "-" and text[-2:-1].isalpha() and line[:1].isalpha():
            text += line  # a compound split at its hyphen: "Franco-" + "German"
        else:
            text += " " + line
    return text


def _metadata(pdf) -> dict:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        return {}
    from index.formats.dates import pdf_date

    return {
        "title": (info.get("Title") or "").strip() or None,
        "author": (info.get("Author") or "").strip() or None,
        "date": pdf_date(info.get("CreationDate") or ""),
    }
