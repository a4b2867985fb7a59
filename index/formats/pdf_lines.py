"""A PDF page's text as lines with their geometry, from PDFium's text page.

PDFium already splits a page's text into lines (its text ends each one with a generated
"\\r\\n", in reading order, or joins a line that ends in a hyphen to the next, marking the
hyphen U+FFFE: split there too); what it does not give is paragraphs. For those
(`index.formats.pdf_layout`) each line needs where it sits: its baseline, left and right
edges and font size. Glyph boxes are no good for this: their height depends on the letters
("other kinds" has no capital, "Copyright" has a descender), so a line's size is the font
size PDFium reports (scaled by the text matrix) and its height the baseline step.

Only a handful of PDFium calls per line (not per character), so reading lines costs about
what reading the text does.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass

from index.formats.model import clean

__all__ = ["Line", "page_lines"]

# A line of PDFium's text: up to its "\r\n", or up to and with a hyphen that PDFium found at
# a line end and marked U+FFFE, joining the two lines itself (we want both, with geometry).
_LINE = re.compile(r"[^\r\n\ufffe]+\ufffe?|\ufffe")


@dataclass(slots=True)  # a 1,000-page PDF has some 60,000 of them, all held until the end
class Line:
    """One line of a page: its text (whitespace already collapsed) and where it sits.

    Coordinates are PDF points, y growing upwards; `page` is the page's index in the file.
    """

    text: str
    baseline: float
    left: float
    right: float
    size: float
    page: int = 0

    @property
    def char_width(self) -> float:
        """The line's average advance per character: the unit for "would a word fit"."""
        return max(self.right - self.left, 1.0) / max(len(self.text), 1)


def page_lines(textpage, page: int = 0) -> list[Line]:
    """The lines of one PDFium text page (`pypdfium2.PdfTextPage`), in its reading order."""
    import pypdfium2.raw as raw

    text = textpage.get_text_range()
    handle = textpage.raw
    units = _char_indices(text, textpage.count_chars())
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    lines: list[Line] = []
    for found in _LINE.finditer(text):
        segment = found.group()
        if not segment.strip():
            continue
        start = found.start()
        first = start + (len(segment) - len(segment.lstrip()))
        last = start + len(segment.rstrip()) - 1
        words = clean(segment.replace("\ufffe", "-").replace("\x02", "\u00ad"))
        if not words:
            continue
        raw.FPDFText_GetCharOrigin(handle, units[first], x, y)
        raw.FPDFText_GetCharBox(handle, units[first], left, right, bottom, top)
        line_left = left.value
        raw.FPDFText_GetCharBox(handle, units[last], left, right, bottom, top)
        sizes = sorted(raw.FPDFText_GetFontSize(handle, units[i]) for i in (first, (first + last) // 2, last))
        lines.append(Line(words, y.value, line_left, right.value, sizes[1], page))
    return lines


def _char_indices(text: str, count: int) -> list[int]:
    """PDFium's character index for each code point of `text` (usually the same number).

    PDFium counts UTF-16 units: a character outside the Basic Multilingual Plane is two
    of its characters but one code point of the decoded text.
    """
    if len(text) == count:
        return range(len(text))  # type: ignore[return-value]
    indices = []
    unit = 0
    for char in text:
        indices.append(min(unit, max(count - 1, 0)))
        unit += 2 if ord(char) > 0xFFFF else 1
    return indices
