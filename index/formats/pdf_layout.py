"""A PDF's lines rebuilt into the paragraphs of the original, across page breaks.

A PDF has no paragraphs, only positioned lines (`index.formats.pdf_lines`). A new paragraph
starts where a reader sees one:
- a vertical gap clearly larger than the document's usual step between lines of that size;
- a change of font size (a heading and the text under it);
- after a line that ends so far short of its column's right edge that the next line's first
  word would have fitted on it: the writer (a person or a typesetter) broke the line on
  purpose. This holds for ragged and justified text alike;
- an indented first line after a line that ends a sentence (TeX's paragraph indent);
- a line that starts with a bullet, or with an enumerator ("2.", "b)") after a line that
  ends a sentence: a list item;
- a jump upwards on the page (the next column), unless the paragraph goes on (as at a
  page break, below).
A paragraph goes on across a page break (or a column) when the last line before it was full
and the first line after it is neither indented nor a list item nor in another size; the
page's start is then recorded inside the paragraph, so the page is still found.

Running headers and footers (on most pages, or changing with the chapter on a run of
pages) and page numbers are dropped first, where that is reliable (`pdf_running`).
Words hyphenated across a line end are joined again (`join`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

from index.formats.pdf_lines import Line
from index.formats.pdf_running import drop_running_lines

__all__ = ["Paragraph", "drop_running_lines", "join", "paragraphs", "vocabulary"]

_SENTENCE_END = tuple(".!?:;\"'\u201d\u2019)")
_BULLET = re.compile(r"[\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219\u00b7*\u2013\u2014-]\s")
_ENUMERATOR = re.compile(r"\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlc]{1,5})[.)]\s")
_HYPHENS = ("-", "\u00ad", "\x02")
_RULE = re.compile(r"([*=_~#-])\1{7,}")
# A last word of initials or a one-letter abbreviation ("v.", "e.g.", "U.S."): no sentence end
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:[A-Za-z]\.)+$")


@dataclass
class Paragraph:
    """One paragraph's text and, at offsets inside it, the pages that start there."""

    text: str = ""
    pages: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, page index)


@dataclass
class _Metrics:
    """What the whole document says is usual: the baseline step for each font size."""

    steps: dict[float, float]

    @classmethod
    def of(cls, pages: Iterable[list[Line]]) -> _Metrics:
        counts: dict[float, Counter[float]] = {}
        for lines in pages:
            for prev, line in zip(lines, lines[1:]):
                step = prev.baseline - line.baseline
                if _same_size(prev, line) and 0.5 * line.size < step < 3 * line.size:
                    counts.setdefault(_size_key(line.size), Counter())[round(step, 1)] += 1
        return cls({size: c.most_common(1)[0][0] for size, c in counts.items()})

    def step(self, size: float) -> float:
        return self.steps.get(_size_key(size), 1.2 * size)


def _size_key(size: float) -> float:
    return round(size * 2) / 2


def _same_size(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) <= 0.08 * max(a.size, b.size, 1.0)


def _column(lines: list[Line], usual_right: float) -> tuple[float, float]:
    """A page's text column (left, right): the most common left edge, and the right edge of
    its widest line or the document's usual right edge, whichever is further right (a page
    of short lines has no full line to measure)."""
    lefts = Counter(round(line.left) for line in lines)
    left = float(lefts.most_common(1)[0][0])
    return left, max(max(line.right for line in lines), usual_right)


def _usual_rights(pages: list[list[Line]]) -> tuple[float, float]:
    """The right edge most full lines reach, on even and on odd pages (a book's margins
    alternate; all pages when one side has too few lines to tell): a high percentile, as
    ragged text rarely reaches the margin itself."""

    def edge(rights: list[float]) -> float:
        rights.sort()
        return rights[int(0.9 * (len(rights) - 1))] if rights else 0.0

    every = edge([line.right for lines in pages for line in lines])
    sides = [[line.right for lines in pages[parity::2] for line in lines] for parity in (0, 1)]
    even, odd = (edge(side) if len(side) >= 30 else every for side in sides)
    return even, odd


def paragraphs(pages: list[list[Line]], read: dict[int, list[str]] | None = None) -> list[Paragraph]:
    """The document's paragraphs, in reading order; pages given in order, one list each.

    `read` holds the paragraphs of pages that have no lines but were read otherwise (OCR),
    by page index: they stand apart, no paragraph runs into or out of them.
    """
    read = read or {}
    metrics = _Metrics.of(pages)
    usual_rights = _usual_rights(pages)
    words = _LazyVocabulary(pages)
    out: list[Paragraph] = []
    prev: Line | None = None
    prev_right = 0.0
    parts: list[str] = []
    for number, lines in enumerate(pages):
        if number in read:
            if parts:
                out[-1].text = join(parts, words)
                parts, prev = [], None
            for index, text in enumerate(read[number]):
                out.append(Paragraph(text, [(0, number)] if index == 0 else []))
            continue
        if not lines:
            continue
        left, right = _column(lines, usual_rights[number % 2])
        first_of_page = True
        for line in lines:
            if prev is None:
                new = True
            elif first_of_page:
                new = not _goes_on(prev, prev_right, line, left)
            else:
                new = _breaks(prev, prev_right, line, left, metrics)
            if prev is not None and not new:
                new = _at_rule(prev, line, len(parts))
            if new and parts:
                out[-1].text = join(parts, words)
                parts = []
            if new:
                out.append(Paragraph())
            parts.append(line.text)
            if first_of_page:  # join() only appends a line: it starts len(line) from the end
                out[-1].pages.append((len(join(parts, words)) - len(line.text), number))
                first_of_page = False
            prev, prev_right = line, right
    if parts:
        out[-1].text = join(parts, words)
    return out


def _breaks(prev: Line, prev_right: float, line: Line, left: float, metrics: _Metrics) -> bool:
    step = prev.baseline - line.baseline
    if step < 0.3 * line.size:  # moved up (the next column) or back along the same line
        return not _goes_on(prev, prev_right, line, left)
    return (
        step > 1.3 * metrics.step(line.size)
        or not _same_size(prev, line)
        or _ended_short(prev, line, prev_right)
        or _starts_item(prev, line, left)
    )


def _at_rule(prev: Line, line: Line, lines_so_far: int) -> bool:
    """A rule (a word of one repeated mark: "=====", "*****") that ends a line underlines or
    closes the paragraph it ends; one that starts a line after the end of a sentence opens
    a new one (a box of asterisks in a plain-text licence)."""
    before = prev.text.split(" ")
    if _RULE.fullmatch(before[-1]) and (len(before) > 1 or lines_so_far > 1):
        return True
    return bool(_RULE.fullmatch(line.text.split(" ", 1)[0])) and prev.text.endswith(_SENTENCE_END)


def _goes_on(prev: Line, prev_right: float, line: Line, left: float) -> bool:
    """Whether a paragraph continues from the last line of a page (or column) to `line`."""
    return _same_size(prev, line) and not _ended_short(prev, line, prev_right) and not _starts_item(prev, line, left)


def _starts_item(prev: Line, line: Line, left: float) -> bool:
    """An indented first line, a bullet, or an enumerator after the end of a sentence."""
    if _BULLET.match(line.text):
        # "* " after a line with a lone "*" in it is a text box's border, not a bullet
        return not (line.text[0] == "*" and "*" in prev.text.split(" ")[1:])
    if not prev.text.endswith(_SENTENCE_END):
        return False
    indented = line.left > left + 0.8 * line.size and line.left > prev.left + 0.8 * line.size
    # "... License, v." then "2.0. If a copy ...": a number after an abbreviation goes on
    return indented or (bool(_ENUMERATOR.match(line.text)) and not _ABBREVIATION.search(prev.text))


def _ended_short(prev: Line, line: Line, column_right: float) -> bool:
    """Whether the next line's first word would have fitted on the previous line: then the
    previous line ended its paragraph (works for ragged and justified text alike)."""
    if prev.text.endswith(_HYPHENS) and prev.text[-2:-1].isalpha():
        return False  # a word hyphenated across the line end goes on
    first = line.text.split(" ", 1)[0]
    return column_right - prev.right > (len(first) + 1.2) * prev.char_width


_WORD = re.compile(r"\w+(?:-\w+)*")
_LAST_PART = re.compile(r"(\w+)[-\u00ad\x02]$")
_FIRST_PART = re.compile(r"\w+")
_COMPOUND_TAIL = re.compile(r"\w+-\w")


def vocabulary(pages: Iterable[list[Line]]) -> set[str]:
    """The document's words, lower case, and each pair of parts of its hyphenated words
    ("side-by" from "side-by-side"): what decides a hyphen at a line end."""
    words: set[str] = set()
    for lines in pages:
        for line in lines:
            for word in _WORD.findall(line.text.lower()):
                words.add(word)
                parts = word.split("-")
                words.update(f"{a}-{b}" for a, b in zip(parts, parts[1:]))
    return words


class _LazyVocabulary:
    """`vocabulary(pages)`, read only when a hyphen at a line end asks (most PDFs have none:
    LibreOffice and Word do not hyphenate by default; reading every word costs a fifth of a
    text PDF's extraction)."""

    def __init__(self, pages: list[list[Line]]) -> None:
        self._pages = pages
        self._words: set[str] | None = None

    def __contains__(self, word: object) -> bool:
        if self._words is None:
            self._words = vocabulary(self._pages)
        return word in self._words


def join(lines: list[str], words: Container[str] | None = None) -> str:
    """Lines of one paragraph as one line, hyphenation at line ends undone.

    A hyphen at a line end before a lower-case letter is a word broken by the typesetter
    ("extrac-" + "tion"), unless the document (`words`) spells that word with its hyphen
    elsewhere and never without ("side-" + "by-side", "non-" + "free"), or the word before
    it has a hyphen already or is an address (".../why-not-" + "lgpl.html", a mail address):
    typesetters break such words only at their own hyphens. A soft hyphen always
    goes; a hyphen before a capital stays, glued ("Franco-" + "German").
    """
    text = lines[0]
    for line in lines[1:]:
        end = text[-1:]
        if end in ("\u00ad", "\x02"):
            text = text[:-1] + line
        elif end == "-" and text[-2:-1].isalpha() and line[:1].isalpha():
            if line[:1].islower() and not _keeps_hyphen(text, line, words):
                text = text[:-1] + line
            else:
                text += line  # a compound split at its hyphen
        else:
            text += " " + line
    return text


def _keeps_hyphen(text: str, line: str, words: Container[str] | None) -> bool:
    if _COMPOUND_TAIL.match(line):
        return True
    token = text[:-1].rsplit(" ", 1)[-1]
    if "-" in token or "/" in token or "@" in token:  # "why-not-" + "lgpl": no typesetter's break
        return True
    if words is None:
        return False
    before, after = _LAST_PART.search(text), _FIRST_PART.match(line)
    if before is None or after is None:
        return False
    head, tail = before.group(1).lower(), after.group().lower()
    return f"{head}-{tail}" in words and head + tail not in words
