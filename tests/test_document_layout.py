"""The reader pane's layout, motions and marks, headless: no app, no terminal.

`reader.widgets.document_layout`, `document_motions` and `document_marks` hold what the document
view decides (where rows wrap, where a motion goes, what a row's highlights and matches are);
these tests pin those decisions directly. tests/test_document_view.py drives the same rules
through the widget and its keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reader.highlight import Highlight
from reader.widgets.document_layout import DocumentLines
from reader.widgets.document_marks import BUCKET, Highlights, Matches
from reader.widgets.document_motions import Motions


@dataclass
class Span:
    start: int
    end: int


# --- layout ---------------------------------------------------------------------------------


def test_lines_split_on_newlines_only_and_a_final_newline_adds_no_line():
    doc = DocumentLines("one\r\ntwo\n\nthree\n")
    assert doc.lines == ["one\r", "two", "", "three"]
    assert doc.line_starts == [0, 5, 9, 10]
    assert doc.max_cursor == 15  # the end-of-line cell after "three"
    assert doc.last_character == 14
    assert doc.clamp(-3) == 0 and doc.clamp(99) == 15


def test_empty_text_is_one_empty_line():
    doc = DocumentLines("")
    assert doc.lines == [""] and doc.max_cursor == 0 and doc.last_character == 0
    assert doc.layout(10).total_rows == 1


def test_short_lines_take_one_row_each_and_long_ones_wrap_at_spaces():
    text = "short\n" + "alpha beta gamma delta" + "\nend"
    layout = DocumentLines(text).layout(10)
    rows = [layout.row_span(row) for row in range(layout.total_rows)]
    assert [text[start:end] for _, start, end, _ in rows] == [
        "short",
        "alpha beta ",
        "gamma ",
        "delta",
        "end",
    ]  # a space may hang into the EOL cell
    assert [line for line, *_ in rows] == [0, 1, 1, 1, 2]
    assert [last for *_, last in rows] == [True, False, False, True, True]


def test_every_offset_maps_to_the_row_that_shows_it():
    text = "a long line that wraps over several rows of eight\n\nx\n" + "word " * 9
    doc = DocumentLines(text)
    layout = doc.layout(8)
    for offset in range(len(text)):
        row = layout.row_of(offset)
        _, start, end, last = layout.row_span(row)
        assert start <= offset < end + (1 if last else 0), offset


def test_layouts_are_kept_per_width():
    doc = DocumentLines("some words to wrap " * 5)
    assert doc.layout(12) is doc.layout(12)
    assert doc.layout(12) is not doc.layout(13)


def test_wide_characters_count_two_cells():
    text = "合作项目合作项目"  # 8 characters, 16 cells
    doc = DocumentLines(text)
    assert doc.complex == {0}
    layout = doc.layout(6)
    assert layout.total_rows == 3  # three characters (six cells) per row
    assert doc.column_of(2, 0, 0) == 4
    assert layout.offset_in_row(0, 4) == 2
    assert layout.offset_in_row(1, 0) == 3


def test_offset_in_row_clamps_to_the_row():
    doc = DocumentLines("abc\ndefgh")
    layout = doc.layout(20)
    assert layout.offset_in_row(0, 99) == 3  # the end-of-line cell of a line's last row
    assert layout.offset_in_row(1, -5) == 4
    assert layout.row_last_offset(1) == 9


# --- motions --------------------------------------------------------------------------------


TEXT = "First one. Second, here! Third?\n\nNext paragraph starts. And ends.\n"


def motions(text=TEXT, **kw):
    return Motions(DocumentLines(text), **kw)


def test_word_motions():
    m = motions()
    assert m.word_next(0) == 6  # "one"
    assert m.word_next(6) == 9  # the full stop is a word of punctuation
    assert m.word_prev(9) == 6
    assert m.word_prev(0) == 0
    assert motions("end").word_next(0) is None


def test_sentence_motions_from_punctuation():
    m = motions()
    assert m.sentence_next(0) == 11
    assert m.sentence_next(11) == 25
    assert m.sentence_prev(25) == 11
    assert m.sentence_start_at(15) == 11
    start, end = m.sentence_around(15)
    assert TEXT[start:end] == "Second, here!"


def test_sentence_motions_from_the_analysis_when_given():
    m = motions(sentences=[Span(0, 5), Span(20, 30)])
    assert m.sentence_next(0) == 20
    assert m.sentence_next(25) == m.max_cursor
    assert m.sentence_prev(25) == 20
    assert m.sentence_start_at(19) == 0


def test_paragraph_motions():
    m = motions()
    second = TEXT.index("Next")
    assert m.para_starts == [0, second]
    assert m.paragraph_next(0) == second
    assert m.paragraph_next(second) == m.max_cursor
    assert m.paragraph_prev(second) == 0
    assert m.paragraph_index(second + 3) == 1 and m.paragraph_count == 2
    start, end = m.paragraph_around(3)
    assert TEXT[start:end] == "First one. Second, here! Third?"


def test_paragraphs_from_the_analysis_when_given():
    m = motions(paragraphs=[Span(12, 20), Span(0, 11)])
    assert m.para_starts == [0, 12]


def test_selection_includes_the_cursor_unless_a_motion_stopped_at_a_unit_start():
    m = motions()
    assert m.selection(None, 5, False) is None
    assert m.selection(0, 4, False) == (0, 5)
    assert m.selection(4, 0, False) == (0, 5)
    # `w` from "First" to "one": the selection ends before the blank, not through "o"
    assert m.selection(0, 6, True) == (0, 5)
    assert m.selection(len(TEXT) - 1, len(TEXT) + 5, False) == (len(TEXT) - 1, len(TEXT))


# --- marks ----------------------------------------------------------------------------------


def highlight(start, end, color="#ff0000"):
    return Highlight(start=start, end=end, color=color)


def test_highlights_are_found_across_bucket_boundaries():
    long = highlight(BUCKET - 10, 3 * BUCKET + 5)
    short = highlight(5, 9)
    marks = Highlights([long, short])
    assert marks.within(2 * BUCKET, 2 * BUCKET + 40) == [long]
    assert marks.within(0, 100) == [short]
    assert marks.within(3 * BUCKET + 5, 3 * BUCKET + 50) == []


def test_highlights_at_put_the_innermost_first_and_walk_their_starts():
    outer, inner = highlight(0, 50), highlight(10, 20)
    marks = Highlights([outer, inner])
    assert marks.at(15) == [inner, outer]
    assert marks.next_start(0) == 10
    assert marks.next_start(10) == 0  # wraps around
    assert marks.prev_start(10) == 0
    assert Highlights().next_start(0) is None


def test_matches_sorted_current_and_found_by_offset():
    matches = Matches([(30, 35), (10, 14), (12, 16), (5, 5)], current=9)
    assert matches.spans == [(10, 14), (12, 16), (30, 35)]  # empty spans dropped
    assert matches.current == 2 and matches.current_span == (30, 35)
    assert matches.within(13, 20) == [(10, 14), (12, 16)]
    assert matches.next_index(30) == 0 and matches.prev_index(10) == 2
    assert matches.index_at(31) == 2
    matches.current = 0
    assert matches.index_at(20) == 0  # not on a match: the current one


@pytest.mark.parametrize("spans", [[], [(4, 4)]])
def test_no_matches(spans):
    matches = Matches(spans, current=0)
    assert len(matches) == 0 and matches.current is None
    assert matches.next_index(0) is None and matches.index_at(0) is None
    assert matches.within(0, 10) == []
