"""Running headers and footers of a PDF: the lines a reader skips, found across pages.

A line at the top or bottom of a page (one of its first or last two) is a running line when:
- the same text (page numbers as '#') is there on most pages (60%: a book's title, a
  report's footer), in documents of at least four pages; or
- the same text is there on a run of at least three consecutive pages (or every other page:
  a book's left and right pages carry different headers), at the same height on each, and
  with a number in it that goes up with the pages ("Chapter 4: Function reference 9",
  "... 10", ...): a header that changes with the chapter. The number must follow the pages
  so that a body line that merely repeats (a table's heading row on each page, a recurring
  "Returns:") is never taken for one;
- it is nothing but a page number: a number that is its page's index plus the offset the
  document's other page numbers show (at least three pages agree on it);
- it is a page's first or last line, at a height where at least three of the running lines
  above sit (the page template's), and is a roman page number (front matter) or ends with
  its page's number (by that offset): a chapter's header on a run too short to tell
  ("Chapter 3: Utilities 6", "... 7").
Everything else stays: a real body line is never dropped for looking like a header once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from index.formats.pdf_lines import Line

__all__ = ["drop_running_lines"]

_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"[ivxlcdm]{1,7}")
_NUMBER = re.compile(r"\d{1,5}")
_MIN_RUN = 3
_SAME_HEIGHT = 1.5  # points: the same line of the page's template


def _key(line: Line) -> str:
    text = line.text.lower()
    return "#" if _ROMAN.fullmatch(text) else _DIGITS.sub("#", text)


def _edges(lines: list[Line]) -> list[int]:
    return sorted(set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines))))


def drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """`pages` without their running headers, footers and page numbers (see the module)."""
    if len(pages) < 4:
        return pages
    candidates = [[(i, lines[i], _key(lines[i])) for i in _edges(lines)] for lines in pages]
    drop: set[tuple[int, int]] = set()  # (page index, line index)
    heights: list[float] = []  # baselines of the running lines found

    counts: Counter[str] = Counter()
    for edge in candidates:
        counts.update({key for _, _, key in edge})
    threshold = max(3, int(0.6 * len(pages)))
    common = {key for key, n in counts.items() if n >= threshold and len(key) < 120}
    offsets: Counter[int] = Counter()  # page number minus page index, over numbered running lines
    for number, edge in enumerate(candidates):
        for i, line, key in edge:
            if key in common:
                drop.add((number, i))
                heights.append(line.baseline)
                _count_offset(offsets, line, number)

    for (number, i), line in _chapter_headers(candidates).items():
        drop.add((number, i))
        heights.append(line.baseline)
        _count_offset(offsets, line, number)

    lone = [(number, i, line) for number, edge in enumerate(candidates) for i, line, _ in edge]
    lone = [(number, i, line) for number, i, line in lone if _NUMBER.fullmatch(line.text)]
    for number, _, line in lone:
        offsets[int(line.text) - number] += 1
    offset, agreeing = offsets.most_common(1)[0] if offsets else (0, 0)
    if agreeing >= _MIN_RUN:
        drop.update((number, i) for number, i, line in lone if int(line.text) - number == offset)
    # the heights of the page's template: where at least three running lines sit
    template = [h for h, n in Counter(round(h) for h in heights).items() if n >= _MIN_RUN]
    if template:  # there, as the first or last line: a roman page number, or a header with
        # the page's number that is on too short a run (a chapter of two pages)
        for number, edge in enumerate(candidates):
            outermost = {0, len(pages[number]) - 1}
            for i, line, key in edge:
                if i not in outermost or not any(abs(line.baseline - h) <= _SAME_HEIGHT for h in template):
                    continue
                numbers = _NUMBER.findall(line.text)
                if _ROMAN.fullmatch(line.text.lower()) or (
                    agreeing >= _MIN_RUN and "#" in key and numbers and int(numbers[-1]) - number == offset
                ):
                    drop.add((number, i))
    if not drop:
        return pages
    return [[line for i, line in enumerate(lines) if (number, i) not in drop] for number, lines in enumerate(pages)]


def _count_offset(offsets: Counter[int], line: Line, number: int) -> None:
    found = _NUMBER.findall(line.text)
    if found:
        offsets[int(found[-1]) - number] += 1


def _chapter_headers(candidates: list[list[tuple[int, Line, str]]]) -> dict[tuple[int, int], Line]:
    """Edge lines on runs of consecutive pages (steps of one or two), same text but for a
    number that goes up with the page, at the same height."""
    seen: dict[str, list[tuple[int, int, Line]]] = defaultdict(list)
    for number, edge in enumerate(candidates):
        for i, line, key in edge:
            if "#" in key and key != "#" and len(key) < 120:
                seen[key].append((number, i, line))
    found: dict[tuple[int, int], Line] = {}
    for occurrences in seen.values():
        if len(occurrences) < _MIN_RUN:
            continue
        run: list[tuple[int, int, Line]] = []
        for occurrence in occurrences + [(-10, 0, occurrences[0][2])]:  # a sentinel ends the last run
            if run and not _follows(run[-1], occurrence):
                if len(run) >= _MIN_RUN:
                    found.update({(n, i): line for n, i, line in run})
                run = []
            run.append(occurrence)
    return found


def _follows(before: tuple[int, int, Line], after: tuple[int, int, Line]) -> bool:
    (page_a, _, a), (page_b, _, b) = before, after
    if not 1 <= page_b - page_a <= 2 or abs(a.baseline - b.baseline) > _SAME_HEIGHT:
        return False
    numbers_a, numbers_b = _NUMBER.findall(a.text), _NUMBER.findall(b.text)
    if len(numbers_a) != len(numbers_b) or not numbers_a:
        return False
    # the page number: the one number that differs, by as many as the pages do
    differing = [(int(x), int(y)) for x, y in zip(numbers_a, numbers_b) if x != y]
    return len(differing) == 1 and differing[0][1] - differing[0][0] == page_b - page_a
