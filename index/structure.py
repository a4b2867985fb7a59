"""Paragraph and sentence spans of a text, as code-point offsets into it.

The reader scrolls by paragraph, tagging selects by sentence and alignment compares sentences,
so these spans must be right on real articles and cheap on pathological input: every function
here is a single left-to-right pass (no regex that can backtrack over a long run), so a 20 MB
line costs seconds at worst, never hangs.

Paragraph rule. Blank lines separate blocks. A block of several lines is one paragraph only
when it looks hard-wrapped: every line but the last fills most of a column of at most 120
characters (and at least 40), and not every line ends a sentence; a Markdown heading, list
item or quote line always starts a new paragraph. Otherwise each line is its own paragraph:
that covers texts with one paragraph per line (seed 003), tables, lists, and a heading line
directly followed by its text. Spans exclude surrounding whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.document import Span

__all__ = ["paragraphs", "sentences", "lines"]

_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_NON_SPACE = re.compile(r"\S")
_CONTENT_LINE = re.compile(r"\S[^\r\n\u2028\u2029]*")  # a line from its first non-space
_WRAP_WIDTH = 120
_WRAP_MIN_WIDTH = 40
_WRAP_FILL = 0.6
_LIST_OR_HEADING = re.compile(r"#{1,6}\s|[-*+•]\s|\d{1,3}[.)]\s|>")
_MARKERS = frozenset("#-*+•>0123456789")
_ENDS_SENTENCE = re.compile(r"[.!?…:。！？؟][\"'”’»)\]]*$")


def lines(text: str) -> list[Span]:
    """Each line's content (line break excluded), blank lines included, in order."""
    return [Span(start, end) for start, end in _line_bounds(text)]


def _line_bounds(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for brk in _LINE_BREAK.finditer(text):
        yield start, brk.start()
        start = brk.end()
    yield start, len(text)


def _is_wrapped(text: str, block: list[tuple[int, int]]) -> bool:
    if len(block) < 2:
        return False
    width = max(end - start for start, end in block)
    if not _WRAP_MIN_WIDTH <= width <= _WRAP_WIDTH:
        return False
    if any(end - start < _WRAP_FILL * width for start, end in block[:-1]):
        return False
    # Short lines that each end a sentence are separate statements, not a wrapped paragraph.
    return not all(_ENDS_SENTENCE.search(text, start, end) for start, end in block)


def paragraphs(text: str) -> tuple[Span, ...]:
    """Paragraph spans in order; see the module docstring for the rule."""
    result: list[Span] = []
    block: list[tuple[int, int]] = []  # consecutive non-blank lines, stripped

    def flush() -> None:
        if len(block) == 1 or not _is_wrapped(text, block):
            result.extend(Span(start, end) for start, end in block)
        else:
            result.append(Span(block[0][0], block[-1][1]))
        block.clear()

    # One regex step per non-blank line: runs of blank or whitespace-only lines (even 20 MB of
    # them) are skipped in C, and the gap before a line tells whether a blank line precedes it.
    previous_end = 0
    for line in _CONTENT_LINE.finditer(text):
        start, end = line.span()
        if text[end - 1].isspace():
            end = start + len(line.group().rstrip())
        if block:
            gap = text[previous_end:start]
            breaks = gap.count("\n") + gap.count("\r") - gap.count("\r\n")
            breaks += gap.count("\u2028") + gap.count("\u2029")
            if breaks > 1 or (text[start] in _MARKERS and _LIST_OR_HEADING.match(text, start)):
                flush()  # a blank line, or a Markdown heading/list item/quote, starts anew
        block.append((start, end))
        previous_end = line.end()
    flush()
    return tuple(result)


# --- sentences -----------------------------------------------------------------------------

# Sentence-ending punctuation plus closing quotes/brackets, followed by whitespace, the end,
# or CJK text (CJK full stops take no space): "2.5", "U.S.-led" and "e.g.," never match.
# The lookbehind rejects a match that does not start a run of marks, which keeps the scan
# linear on input like "......x"; it comes after the first mark so the regex engine can still
# skip ahead to candidate characters quickly.
_MARKS = ".!?…‽؟۔。！？"
_TERMINAL = re.compile(
    rf"[{_MARKS}](?<![{_MARKS}][{_MARKS}])[{_MARKS}]*[\"'”’»)\]]*"
    r"(?=\s|\Z|[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef])"
)
_OPENERS = "\"'“‘«([¿¡"
_ABBREVIATIONS = frozenset(
    """mr mrs ms mx dr prof gen maj col lt sgt capt cmdr adm gov sen rep pres rev hon st sr jr
    messrs mt ft no nos vol vols fig figs pp p art sec ch approx dept est vs v cf al inc ltd co
    corp bros jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# After a dotted initialism ("U.S.", "e.g."), a capitalised word usually continues the
# sentence ("U.S. forces"); only these common openers signal a new one ("... the U.S. The").
_STARTERS = frozenset(
    """the a an he she it they we i you but and in on at this that these those there his her
    its their our however meanwhile so yet if when while after before as for then thus still
    also since although though what who why how""".split()
)
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$")


def sentences(text: str) -> tuple[Span, ...]:
    """Sentence spans in order, each inside one paragraph, whitespace excluded."""
    result: list[Span] = []
    for para in paragraphs(text):
        result.extend(_split(text, para.start, para.end))
    return tuple(result)


def _split(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    sent_start = start
    for m in _TERMINAL.finditer(text, start, end):
        stop = m.end()
        nxt = _NON_SPACE.search(text, stop, end)
        if nxt is None:
            break  # the paragraph ends here
        if _is_boundary(text, sent_start, m.start(), m.group(), nxt.start(), end):
            spans.append(Span(sent_start, stop))
            sent_start = nxt.start()
    if sent_start < end:
        spans.append(Span(sent_start, end))
    return spans


def _is_boundary(text: str, sent_start: int, punct: int, mark: str, nxt: int, end: int) -> bool:
    word_at = nxt
    while word_at < end and text[word_at] in _OPENERS:
        word_at += 1
    first = text[word_at] if word_at < end else ""
    if first.islower():
        return False  # '"Why?" he asked.', "approx. five", "e.g. this"
    if mark.rstrip("\"'”’»)]") != ".":
        return True  # ?, !, …, ?!, ... followed by a capital, digit or anything else
    token = text[max(sent_start, punct - 32) : punct].rsplit(None, 1)
    if not token:
        return True
    word = token[-1].lstrip(_OPENERS)
    lowered = word.lower()
    if lowered in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "Joe B. Smith"
    if "." in word and _INITIALISM.search(word):
        next_word = re.match(r"\w+", text[word_at : word_at + 40])
        return next_word is not None and next_word.group().lower() in _STARTERS
    return True
