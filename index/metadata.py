"""What a text says about itself: title, source, date and word count.

Articles saved from the web start with page furniture ("close" buttons, "Share"), so the title
is the first *meaningful* line, not the first line. Source and date are read only where a text
states them near its top (the first 20 non-blank lines): a labelled field ("Source: X",
"Published: <date>", "Last Update: <date>") anywhere in those lines, or a date that is most of
a short line (a dateline: "Tuesday, July 30, 2024", "By A. Writer | July 30, 2024").
A date inside prose or a photo caption ("... on July 31, 2024, in western Iraq") is an
event, not the publication date, so it is ignored.
Dates are normalised to YYYY-MM-DD. Only a bounded prefix of the text is examined for these,
so a 20 MB single-line file costs no more than a small one (the word count is one regex pass).
"""

from __future__ import annotations

import datetime as _dt
import re

from index.document import DocumentMeta
from index.structure import sentences

__all__ = ["extract_metadata", "parse_date", "word_count"]

_HEAD_CHARS = 20_000  # how much of the text the title/source/date scan ever looks at
_HEAD_LINES = 20
_TITLE_MAX = 80  # a title is one line of a hit list; prose beyond this is cut at a word, with …
_DATELINE_MAX = 80  # an unlabelled date counts only on a line this short...
_DATELINE_WORDS = 4  # ...with at most this many other words (weekday, "By A. Writer")

# Page furniture that web clippings start with; compared case-insensitively to a whole line.
_JUNK_LINES = frozenset(
    """close menu share search home print email tweet open back next previous more
    advertisement subscribe login skip loading... facebook twitter whatsapp linkedin
    pinterest telegram reddit""".split()
) | {
    "skip to content",
    "skip to main content",
    "sign in",
    "log in",
    "sign up",
    "toggle navigation",
    "main menu",
    "share this",
    "share this article",
    "read more",
    "show more",
    "accept cookies",
}
_HAS_WORD = re.compile(r"[^\W_]")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
# reStructuredText: explicit markup (comments, directives, labels, footnotes) starts with "..";
# a field list line with ":name:"; a section adornment repeats one punctuation character.
_RST_EXPLICIT = re.compile(r"^\.\.(?:\s|$)")
_RST_FIELD = re.compile(r"^:[^:\s][^:]*:(?:\s|$)")
_ADORNMENT = re.compile(r"^([=\-~*^+#\"'`_])\1{2,}$")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<mnum>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
)
_YEAR = re.compile(r"\d{4}")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_DATE_LABEL = re.compile(
    r"\b(?:last\s+update[ds]?|updated(?:\s+on)?|published(?:\s+on)?|posted(?:\s+on)?"
    r"|date(?:d)?)\s*:?\s*(?:on\s+)?",
    re.I,
)
_SOURCE = re.compile(r"\b(?:source|publisher|published\s+by)\s*:\s*(?P<value>.+)", re.I)
_SOURCE_END = re.compile(r"\s+[-–—|·•]\s+|\s*[|·•]\s*")
_SOURCE_MAX_WORDS = 8
# A token start followed by optional punctuation, then a letter or digit. Only token starts
# pass the lookbehind, so backtracking is bounded by one token: linear overall.
_WORD = re.compile(r"(?<!\S)(?:[^\w\s]|_)*[^\W_]")


def extract_metadata(text: str, fallback_title: str = "", count_words: bool = True) -> DocumentMeta:
    """Title, source, date and word count of `text` (never raises on odd input). Without
    `count_words` the word count is 0 and only the head of the text is looked at."""
    raw = _head_raw(text)
    head = [line.strip() for line in raw if line.strip()]
    title = _underlined_title(raw) or _title(_without_markup(raw)) or fallback_title
    return DocumentMeta(
        title=title,
        source=_source(head),
        date=_date(head),
        word_count=word_count(text) if count_words else 0,
    )


def word_count(text: str) -> int:
    """Whitespace-separated tokens that contain a letter or digit ("—" alone is not a word)."""
    return len(_WORD.findall(text))


def parse_date(value: str) -> str | None:
    """The first date written in `value` as YYYY-MM-DD, or None if there is no valid one."""
    best: tuple[int, str] | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(value):
            iso = _iso(m)
            if iso is not None and (best is None or m.start() < best[0]):
                best = (m.start(), iso)
            if iso is not None:
                break
    return best[1] if best else None


def _iso(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS[groups["month"].lower()]
    try:
        return _dt.date(int(groups["year"]), month, int(groups["day"])).isoformat()
    except ValueError:
        return None


def _head_raw(text: str) -> list[str]:
    """The lines up to the `_HEAD_LINES`th non-blank one, unstripped (blank ones kept),
    looking only at a bounded prefix of the text."""
    head = text[:_HEAD_CHARS]
    found: list[str] = []
    count = 0
    begin = 0
    for end in _LINE_BREAK.finditer(head):  # not re.split: a 20,000-character head, 20 lines used
        raw = head[begin : end.start()]
        begin = end.end()
        found.append(raw)
        if raw.strip():
            count += 1
            if count == _HEAD_LINES:
                return found
    found.append(head[begin:])
    return found


def _front_matter_end(raw: list[str]) -> int:
    """Index of the first line after a YAML front matter block (0 when there is none)."""
    first = next((i for i, line in enumerate(raw) if line.strip()), None)
    if first is None or raw[first].strip() != "---":
        return 0
    for i in range(first + 1, len(raw)):
        if raw[i].strip() == "---":
            return i + 1
    return len(raw)


def _markup_lines(raw: list[str]) -> set[int]:
    """Lines that are reStructuredText markup, never a title: comments and directives
    (`.. SPDX-License-Identifier: GPL-2.0`, `.. include:: x`, `.. _label:`) with their
    indented continuation lines, and field lists (`:Author: Someone`, `:orphan:`)."""
    markup: set[int] = set()
    in_block = False
    for i, line in enumerate(raw):
        if not line.strip():
            continue
        if in_block and line[:1].isspace():
            markup.add(i)
            continue
        in_block = False
        stripped = line.strip()
        if _RST_EXPLICIT.match(stripped):
            markup.add(i)
            in_block = True
        elif _RST_FIELD.match(stripped):
            markup.add(i)
            in_block = True  # a field's body may continue on indented lines
    return markup


def _without_markup(raw: list[str]) -> list[str]:
    markup = _markup_lines(raw)
    return [line.strip() for i, line in enumerate(raw) if line.strip() and i not in markup]


def _underlined_title(raw: list[str]) -> str:
    """The first heading underlined the reStructuredText (or Markdown setext) way:

        Embargoed hardware issues          =====================
        =========================    or    The PCI Express Guide
                                           =====================

    The underline repeats one punctuation character, at least three times and about as
    long as the heading (reST requires at least as long); the line above must be text,
    not markup or page furniture. Preferred over the first meaningful line, which in
    reST is often a note or a field list rather than the title.
    """
    markup = _markup_lines(raw)
    start = _front_matter_end(raw)
    for i in range(start, len(raw) - 1):
        line, under = raw[i], raw[i + 1]
        text = line.strip()
        if not text or i in markup or line[:1].isspace() or _ADORNMENT.match(text):
            continue
        mark = under.rstrip()
        if not _ADORNMENT.match(mark) or len(mark) < max(3, len(text) - 2):
            continue
        if _is_junk(text):
            continue
        return _shorten(text)
    return ""


def _is_junk(line: str) -> bool:
    return line.lower() in _JUNK_LINES or not _HAS_WORD.search(line)


def _title(head: list[str]) -> str:
    in_front_matter = bool(head) and head[0] == "---"
    for index, line in enumerate(head):
        if in_front_matter:
            # YAML front matter (Markdown): only its "title:" key is a title.
            if index and line == "---":
                in_front_matter = False
            front = re.match(r"title\s*:\s*(.+)", line, re.I)
            if front:
                line = front.group(1).strip().strip("\"'")
            else:
                continue
        heading = _MD_HEADING.match(line)
        if heading:
            line = heading.group(1)
        emphasis = _EMPHASIS.match(line)
        if emphasis:
            line = emphasis.group(2).strip()
        if _is_junk(line):
            continue
        return _shorten(line)
    return ""


def _shorten(line: str) -> str:
    """A long first line is prose: use its first sentence, or cut at a word boundary.

    A "sentence" that is only a numbered label ("فصل 6.", "Chapter 6.", "Appendix A.",
    "6.1.") or a word or two is not a title: the sentences that follow are joined to it
    until the title says something (a handbook chapter was titled "فصل 6.").
    """
    if len(line) <= _TITLE_MAX:
        return line
    window = line[: _TITLE_MAX * 2]
    found = sentences(window)
    if found:
        end = found[0].end
        for following in found[1:]:
            if not _is_label(window[found[0].start : end]):
                break
            end = following.end
        if end - found[0].start <= _TITLE_MAX and not _is_label(window[found[0].start : end]):
            return window[found[0].start : end]
    cut = line[: _TITLE_MAX + 1]
    if " " in cut:
        cut = cut.rsplit(None, 1)[0]
    return cut[:_TITLE_MAX].rstrip(" ,;:-–—") + "…"


# A label: at most two words, or words ending in a numeral or a single letter and a dot.
_LABEL_END = re.compile(r"(?:^|\s)(?:\d+(?:\.\d+)*|[IVXLCDM]+|[^\W\d_])\.?$")


def _is_label(text: str) -> bool:
    """Whether a first "sentence" is a numbered label or too short to be a title."""
    stripped = text.strip()
    return len(stripped.split()) <= 2 or bool(_LABEL_END.search(stripped))


def _source(head: list[str]) -> str | None:
    for line in head:
        m = _SOURCE.search(line)
        if not m:
            continue
        value = _SOURCE_END.split(m.group("value"), 1)[0].strip().rstrip(".,;:")
        if value and len(value.split()) <= _SOURCE_MAX_WORDS:
            return value
    return None


def _date(head: list[str]) -> str | None:
    for line in head:
        for label in _DATE_LABEL.finditer(line):
            found = _date_at_start(line[label.end() :])
            if found:
                return found
    for line in head:
        if len(line) <= _DATELINE_MAX:
            found = _dateline(line)
            if found:
                return found
    return None


def _dateline(line: str) -> str | None:
    """A date that is most of its line ("Tuesday, July 30, 2024", "By A. Writer | 2024-07-30")."""
    if not _YEAR.search(line):  # every date pattern has a four-digit year: most lines have none
        return None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(line):
            iso = _iso(m)
            if iso and word_count(line[: m.start()] + " " + line[m.end() :]) <= _DATELINE_WORDS:
                return iso
    return None


def _date_at_start(rest: str) -> str | None:
    """A date that directly follows a label (a weekday may come first)."""
    rest = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", rest, flags=re.I)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(rest)
        if m:
            return _iso(m)
    return None
