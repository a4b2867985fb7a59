"""safe_text: untrusted text becomes display cells with no control character, offsets kept."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.safe_text import (
    BIDI_PLACEHOLDER,
    C1_PLACEHOLDER,
    TRANSLATE_TABLE,
    display_cells,
    is_simple,
    placeholder,
    sanitize,
)

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")

HOSTILE = (
    "[bold]x[/bold] [link=http://evil]y[/link] [@click=app.quit]z[/] "
    "\x1b[31mred\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x07 \x1b]52;c;aGk=\x07 bell\x07 "
    "cr\rover del\x7f c1\x85\x9b bidi\u202eabc\u202c iso\u2067x\u2069 \ud800"
)


def test_sanitize_keeps_length_and_removes_every_control() -> None:
    out = sanitize(HOSTILE)
    assert len(out) == len(HOSTILE)
    assert UNSAFE.search(out) is None
    # markup is left exactly as typed
    assert "[bold]x[/bold]" in out and "[@click=app.quit]" in out and "[link=http://evil]" in out


def test_placeholders_are_visible_and_one_cell() -> None:
    assert placeholder("\x1b") == "\u241b"  # ␛
    assert placeholder("\x07") == "\u2407"  # ␇
    assert placeholder("\r") == "\u240d"  # ␍
    assert placeholder("\x00") == "\u2400"
    assert placeholder("\x7f") == "\u2421"
    assert placeholder("\x9b") == C1_PLACEHOLDER
    assert placeholder("\u202e") == BIDI_PLACEHOLDER
    assert placeholder("a") == "a"
    for shown in set(TRANSLATE_TABLE.values()):
        assert cell_len(shown) == 1, repr(shown)


def test_sanitize_tab_is_one_space() -> None:
    assert sanitize("a\tb") == "a b"


def test_display_cells_expands_tabs_and_keeps_mapping() -> None:
    line = display_cells("a\tb\x1bc", tab_size=4)
    assert line.text == "a   b\u241bc"
    assert line.columns == (0, 1, 4, 5, 6, 7)
    assert line.offset_to_column(2) == 4
    assert line.column_to_offset(2) == 1  # inside the tab's cells -> the tab
    assert line.column_to_offset(4) == 2
    assert line.display_slice(1, 3) == "   b"


def test_display_cells_wide_characters() -> None:
    line = display_cells("a\u4e2d\u6587b")  # a中文b
    assert line.columns == (0, 1, 3, 5, 6)
    assert line.column_to_offset(2) == 1  # second cell of 中
    assert line.column_to_offset(3) == 2
    assert line.cell_length == 6


def test_is_simple() -> None:
    assert is_simple("plain ascii [bold]")
    assert is_simple("caf\u00e9 \x1b\x85")  # controls become one-cell placeholders
    assert not is_simple("tab\there")
    assert not is_simple("\u4e2d")
    assert not is_simple("e\u0301")  # combining mark: zero width


@given(st.text())
def test_sanitize_property(text: str) -> None:
    out = sanitize(text)
    assert len(out) == len(text)
    assert UNSAFE.search(out) is None


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\t\x1b\x07\r\u202e")))
def test_display_cells_property(text: str) -> None:
    line = display_cells(text)
    assert UNSAFE.search(line.text) is None
    assert "\t" not in line.text
    assert len(line.starts) == len(line.columns) == len(text) + 1
    assert list(line.columns) == sorted(line.columns)
