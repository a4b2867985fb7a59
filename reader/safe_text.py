"""Display untrusted corpus text safely: no control character or escape sequence reaches the terminal.

Corpus text is untrusted. Before any of it is drawn, every character that a terminal would
interpret (C0 controls, ESC, DEL, C1 controls), every bidirectional control that could reorder
what the reader sees, and every lone surrogate (which cannot even be encoded for output) is
replaced by a visible one-cell placeholder:

- C0 controls and DEL become their Control Pictures (U+2400 + code, e.g. ESC -> '␛', BEL -> '␇',
  CR -> '␍', DEL -> '␡'); a tab is expanded to spaces up to the next tab stop.
- C1 controls (U+0080-U+009F) and lone surrogates become '�'.
- Bidi embeddings, overrides, isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
  U+061C) become '⇆'; line and paragraph separators (U+2028, U+2029) become '↵' and '¶'.

Zero-width joiners, combining marks and the like stay: they cannot move the cursor or hide
escape sequences, and emoji sequences need them.

Every replacement is one character for one character, so an index into the sanitized string is
an index into the real text (only tabs widen, and `display_cells` keeps the mapping for them).
Nothing here parses markup: callers build `rich` Segments / `Text` from these plain strings, so
`[bold]` or `[@click=app.quit]` in a document is shown exactly as typed.

This module does not import textual, and imports rich only when `display_cells` first needs a
character's width (the domain layer uses `UNSAFE` for tag names and never loads rich).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass


__all__ = [
    "BIDI_PLACEHOLDER",
    "C1_PLACEHOLDER",
    "DisplayLine",
    "UNSAFE",
    "display_cells",
    "is_simple",
    "placeholder",
    "sanitize",
    "sanitize_layout",
]

C1_PLACEHOLDER = "\ufffd"  # '�'
BIDI_PLACEHOLDER = "\u21c6"  # '⇆'

_BIDI = (
    [0x061C, 0x200E, 0x200F]
    + list(range(0x202A, 0x202F))  # LRE RLE PDF LRO RLO
    + list(range(0x2066, 0x206A))  # LRI RLI FSI PDI
)


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # Control Pictures: ␀ .. ␟
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = C1_PLACEHOLDER
    for code in _BIDI:
        table[code] = BIDI_PLACEHOLDER
    table[0x2028] = "\u21b5"  # ↵ LINE SEPARATOR
    table[0x2029] = "\u00b6"  # ¶ PARAGRAPH SEPARATOR
    for code in range(0xD800, 0xE000):  # lone surrogates (e.g. from surrogateescape)
        table[code] = C1_PLACEHOLDER
    return table


#: `str.translate` table: every unsafe code point -> its one-character placeholder.
TRANSLATE_TABLE: dict[int, str] = _build_table()


def _character_class(codes) -> str:
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi > lo else "") for lo, hi in ranges)


#: Matches every character `sanitize` replaces (tab included): what a tag name may not hold.
UNSAFE = re.compile(f"[{_character_class(TRANSLATE_TABLE)}]")

#: Same, but a tab becomes one space (for callers that want a strict 1:1 mapping).
_TABLE_TAB_SPACE = {**TRANSLATE_TABLE, 0x09: " "}

#: Same, but newline and tab pass: the layout of a message that is ours (its lines, its columns).
_TABLE_LAYOUT = {code: shown for code, shown in TRANSLATE_TABLE.items() if code not in (0x09, 0x0A)}

# Characters that are one cell wide once sanitized (a superset test on a string is C-speed):
# rich's own single-cell set (printable Latin, Greek, Cyrillic, box drawing, braille) plus every
# C0/C1 control except tab, since those become one-cell placeholders.
_SIMPLE_RANGES = [
    (0x00, 0x08),
    (0x0A, 0x7E),
    (0x7F, 0x9F),
    (0xA0, 0xAC),
    (0xAE, 0x2FF),
    (0x370, 0x482),
    (0x2500, 0x25FC),
    (0x2800, 0x28FF),
]
_SIMPLE = frozenset(chr(c) for lo, hi in _SIMPLE_RANGES for c in range(lo, hi + 1))
_is_simple = _SIMPLE.issuperset


def is_simple(text: str) -> bool:
    """True when every character of `text` takes exactly one cell once sanitized (no tab, no wide
    or zero-width character): then display column == character index."""
    return text.isascii() and "\t" not in text or _is_simple(text)


def placeholder(char: str) -> str:
    """The visible stand-in for one character (the character itself when it is safe)."""
    return TRANSLATE_TABLE.get(ord(char), char)


def sanitize(text: str) -> str:
    """`text` with every unsafe character replaced one for one (tab -> one space).

    `len(sanitize(t)) == len(t)` always, so offsets carry over unchanged.
    """
    return text.translate(_TABLE_TAB_SPACE)


def sanitize_layout(text: str) -> str:
    """`text` with every unsafe character replaced except newline and tab.

    For a whole message or file printed to a terminal, whose lines and tab-separated columns are
    its own layout; each untrusted value inside it should already have gone through `sanitize`
    (so a newline in a file name cannot start a line of its own). A CR before a newline (CRLF
    line ends) goes with it.
    """
    return text.replace("\r\n", "\n").translate(_TABLE_LAYOUT)


def _cell_width(char: str) -> int:
    """Cells of one character. rich is imported on first use and this name rebound to its
    function: the sanitiser itself is used by the domain layer (tag names), which never loads rich."""
    global _cell_width
    from rich.cells import get_character_cell_size

    _cell_width = get_character_cell_size
    return get_character_cell_size(char)


@dataclass(frozen=True)
class DisplayLine:
    """One line of text as drawn, with the mapping between characters and cells.

    `text` is the display string (placeholders in, tabs expanded); for source character `i`,
    `starts[i]` is where its display begins in `text` and `columns[i]` the cell column where it is
    drawn; both have one extra entry at the end (the total). Columns count from `start_col`.
    """

    source: str
    text: str
    starts: tuple[int, ...]
    columns: tuple[int, ...]

    @property
    def cell_length(self) -> int:
        return self.columns[-1] - self.columns[0]

    def offset_to_column(self, offset: int) -> int:
        """Cell column of the character at `offset` (clamped to the line)."""
        offset = max(0, min(offset, len(self.source)))
        return self.columns[offset]

    def column_to_offset(self, column: int) -> int:
        """Offset of the character drawn at cell `column` (a wide character covers two columns)."""
        if column <= self.columns[0]:
            return 0
        index = bisect_right(self.columns, column) - 1
        return max(0, min(index, len(self.source)))

    def display_slice(self, start: int, end: int) -> str:
        """The display text of source characters [start, end)."""
        return self.text[self.starts[start] : self.starts[end]]


def display_cells(text: str, *, tab_size: int = 4, start_col: int = 0) -> DisplayLine:
    """Turn one line of untrusted text into display cells with a character <-> column mapping.

    Tabs expand to the next multiple of `tab_size` counted from column 0 (so pass the column the
    line starts at as `start_col` when it does not start at 0).
    """
    pieces: list[str] = []
    starts: list[int] = []
    columns: list[int] = []
    pos = 0
    col = start_col
    table = TRANSLATE_TABLE
    for char in text:
        starts.append(pos)
        columns.append(col)
        if char == "\t":
            width = tab_size - (col % tab_size) if tab_size > 0 else 1
            shown = " " * width
        else:
            shown = table.get(ord(char), char)
            width = 1 if shown is not char else _cell_width(char)
        pieces.append(shown)
        pos += len(shown)
        col += width
    starts.append(pos)
    columns.append(col)
    return DisplayLine(text, "".join(pieces), tuple(starts), tuple(columns))
