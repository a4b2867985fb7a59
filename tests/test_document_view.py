"""DocumentView: wrapping, motions, matches, annotations, hostile text, mouse, selection."""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import App, ComposeResult
from textual.message import Message

from index.document import Span
from reader.messages import CursorMoved, MatchChanged, SelectionChanged
from reader.widgets.document_view import GUTTER, DocumentView, Highlight

from conftest import SEEDS

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi"
LONG = " ".join([WORDS] * 6)  # one source line of about 500 characters

PROSE = "First sentence here. Second one follows! Third?\n\nPara two starts. It has words.\n\nPara three.\n"


class ViewApp(App):
    def __init__(self, text: str = "", **load: object) -> None:
        super().__init__()
        self._initial = (text, load)

    def compose(self) -> ComposeResult:
        yield DocumentView(id="view")

    def on_mount(self) -> None:
        view = self.query_one(DocumentView)
        text, load = self._initial
        view.load("doc", text, **load)  # type: ignore[arg-type]
        view.focus()


def unique(messages: list[Message]) -> list[Message]:
    """Each message once (the hook sees a bubbling message at every node it reaches)."""
    seen: set[int] = set()
    return [m for m in messages if not (id(m) in seen or seen.add(id(m)))]


def rows(view: DocumentView) -> list[str]:
    """The visible rows' text, gutter removed, right padding stripped."""
    height = view.scrollable_content_region.height
    return [view.render_line(y).text[GUTTER:].rstrip() for y in range(height)]


async def test_wraps_at_word_boundaries_and_rewraps_on_resize() -> None:
    app = ViewApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(DocumentView)
        width = view.scrollable_content_region.width
        assert width == 79  # 80 less the one-cell scrollbar gutter
        visible = [r for r in rows(view) if r]
        assert len(visible) > 5
        for row in visible:
            assert len(row) <= width - GUTTER
        # rows break between words, and together they are the line
        assert " ".join(r.strip() for r in visible) == LONG
        for row in visible:
            for word in row.split():
                assert word in WORDS.split()
        narrow_rows = view.virtual_size.height
        await pilot.resize_terminal(50, 24)
        await pilot.pause()
        assert view.virtual_size.height > narrow_rows
        visible = [r for r in rows(view) if r]
        assert all(len(r) <= 50 - 1 - GUTTER for r in visible)
        assert " ".join(r.strip() for r in visible) == LONG
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        assert view.virtual_size.height < narrow_rows


async def test_wraps_wide_characters_and_tabs() -> None:
    text = "\u4e2d\u6587" * 60 + "\n\tindented\tcells"
    app = ViewApp(text)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        view = app.query_one(DocumentView)
        from rich.cells import cell_len

        for y in range(view.scrollable_content_region.height):
            strip = view.render_line(y)
            assert strip.cell_length == view.scrollable_content_region.width
            assert cell_len(strip.text) == strip.cell_length
        assert "    indented" in "\n".join(rows(view))


async def test_character_and_row_motions() -> None:
    app = ViewApp("abcdef\nxy\nlonger line here")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("l", "right")
        assert view.cursor == 2
        await pilot.press("h")
        assert view.cursor == 1
        await pilot.press("left", "left")
        assert view.cursor == 0  # clamped
        await pilot.press("l", "l", "l", "l")  # column 4
        await pilot.press("j")
        assert view.cursor == 7 + 2  # "xy" is shorter: end of line
        await pilot.press("down")
        assert view.cursor == 10 + 4  # goal column 4 kept
        await pilot.press("k", "up")
        assert view.cursor == 4
        await pilot.press("end")
        assert view.cursor == 6
        await pilot.press("home")
        assert view.cursor == 0


async def test_word_sentence_paragraph_motions_fallback() -> None:
    app = ViewApp(PROSE)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("w")
        assert PROSE[view.cursor :].startswith("sentence")
        await pilot.press("w", "w")
        assert PROSE[view.cursor] == "."
        await pilot.press("b")
        assert PROSE[view.cursor :].startswith("here")
        await pilot.press("right_parenthesis")
        assert PROSE[view.cursor :].startswith("Second")
        await pilot.press("right_parenthesis")
        assert PROSE[view.cursor :].startswith("Third")
        await pilot.press("left_parenthesis")
        assert PROSE[view.cursor :].startswith("Second")
        await pilot.press("right_curly_bracket")
        assert PROSE[view.cursor :].startswith("Para two")
        await pilot.press("right_curly_bracket")
        assert PROSE[view.cursor :].startswith("Para three")
        await pilot.press("left_curly_bracket")
        assert PROSE[view.cursor :].startswith("Para two")
        await pilot.press("left_curly_bracket")
        assert view.cursor == 0


async def test_sentence_and_paragraph_motions_use_given_spans() -> None:
    text = "one. two. three. four."
    sentences = (Span(0, 4), Span(5, 9), Span(10, 16), Span(17, 22))
    paragraphs = (Span(0, 9), Span(10, 22))
    app = ViewApp(text, sentences=sentences, paragraphs=paragraphs)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("right_parenthesis", "right_parenthesis")
        assert view.cursor == 10
        await pilot.press("left_parenthesis")
        assert view.cursor == 5
        await pilot.press("right_curly_bracket")
        assert view.cursor == 10
        assert view.paragraph_index == 1


async def test_page_and_document_motions_and_cursor_messages() -> None:
    text = "\n".join(f"line {i}" for i in range(200))
    messages: list[Message] = []
    app = ViewApp(text)
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        view = app.query_one(DocumentView)
        height = view.scrollable_content_region.height
        await pilot.press("pagedown")
        assert text[view.cursor :].startswith(f"line {height - 1}\n")
        assert view.scroll_offset.y == height - 1
        await pilot.press("space", "ctrl+f")
        assert text[view.cursor :].startswith(f"line {3 * (height - 1)}\n")
        await pilot.press("pageup")
        assert text[view.cursor :].startswith(f"line {2 * (height - 1)}\n")
        await pilot.press("ctrl+b")
        assert text[view.cursor :].startswith(f"line {height - 1}\n")
        await pilot.press("G")  # on the last character, not the cell after it
        assert view.cursor == len(text) - 1 and text[view.cursor] == "9"
        assert view.scroll_offset.y == view.max_scroll_y
        await pilot.press("g")
        assert view.cursor == 0 and view.scroll_offset.y == 0
        await pilot.press("ctrl+end")
        assert view.cursor == len(text) - 1
        await pilot.press("ctrl+home")
        assert view.cursor == 0
        await pilot.pause()
    moved = [m for m in unique(messages) if isinstance(m, CursorMoved)]
    assert moved and moved[-1].offset == 0 and moved[-1].doc_id == "doc"
    assert any(m.percent == 100.0 for m in moved)


async def test_matches_next_prev_wrap_around_with_messages() -> None:
    text = "cat dog cat bird cat\n" * 3
    spans = [(m.start(), m.end()) for m in re.finditer("cat", text)]
    messages: list[Message] = []
    app = ViewApp(text)
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        view = app.query_one(DocumentView)
        view.set_matches(spans, current=0)
        await pilot.pause()
        assert view.match_count == 9 and view.current_match == 0 and view.cursor == 0
        await pilot.press("n")
        assert view.current_match == 1 and view.cursor == spans[1][0]
        await pilot.press("N", "N")
        assert view.current_match == 8 and view.cursor == spans[8][0]  # wrapped backwards
        await pilot.press("n")
        assert view.current_match == 0 and view.cursor == 0  # wrapped forwards
        await pilot.pause()
    changed = [(m.index, m.total) for m in unique(messages) if isinstance(m, MatchChanged)]
    assert changed == [(0, 9), (1, 9), (0, 9), (8, 9), (0, 9)]


async def test_match_scrolled_into_view_far_down() -> None:
    text = "filler\n" * 5000 + "needle\n" + "filler\n" * 100
    start = text.index("needle")
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        view.set_matches([(start, start + 6)])
        await pilot.pause()
        assert view.cursor == start
        assert any(r.startswith("needle") for r in rows(view))
        current = view.get_component_rich_style("document-view--match-current", partial=True)
        y = view._row_of(start) - view.scroll_offset.y
        segments = list(view.render_line(y))
        needle = [s for s in segments if "eedle" in s.text]  # "n" has the cursor
        assert needle and all(s.style.bgcolor == current.bgcolor for s in needle)


async def test_annotations_tint_underline_and_gutter() -> None:
    text = "The quick brown fox jumps over the lazy dog.\nSecond line.\n"
    outer = Highlight(4, 19, "#ff0000", key="a1", label="colour")
    inner = Highlight(10, 15, "#0000ff", key="a2", label="animal")  # "brown"
    app = ViewApp(text, annotations=[outer, inner], cursor=len(text) - 2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(DocumentView)
        segments = list(view.render_line(0))
        by_text = {s.text: s.style for s in segments}
        base_bg = view.rich_style.bgcolor
        assert by_text["The "].bgcolor == base_bg
        quick = by_text["quick "]
        brown = by_text["brown"]
        assert quick.bgcolor != base_bg and not quick.underline
        assert brown.bgcolor not in (base_bg, quick.bgcolor)  # inner span on top
        assert brown.underline  # a second layer is visible
        # gutter: one marker per distinct tag colour on the row
        markers = [s for s in segments[:2] if s.text == "\u258c"]
        assert [m.style.color.triplet.hex for m in markers] == ["#ff0000", "#0000ff"]
        second = list(view.render_line(1))
        assert second[0].text == "  "  # no annotation on the second line
        view.set_annotations([])
        assert all(s.style.bgcolor == base_bg for s in view.render_line(0) if s.text.strip())


HOSTILE = (
    "[bold]x[/bold] [link=http://evil]y[/link] [@click=app.quit]z[/]\n"
    "\x1b[31mred\x1b[0m and \x1b]8;;http://x\x07link\x1b]8;;\x07 osc52 \x1b]52;c;aGk=\x07\n"
    "bell\x07 cr\rover del\x7f c1\x85\x9b bidi \u202eabc\u202c iso\u2067x\u2069 \u2028sep\n"
    "crlf line\r\n"
    "tabs\tand\ttabs\n"
)
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


async def test_hostile_text_is_displayed_literally() -> None:
    app = ViewApp(HOSTILE)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("j", "w", "l", "enter")
        await pilot.pause()
        assert app.is_running
        shown = []
        for y in range(view.scrollable_content_region.height):
            for segment in view.render_line(y):
                assert FORBIDDEN.search(segment.text) is None, repr(segment.text)
                assert segment.style is None or segment.style.link is None
                assert segment.control is None
            shown.append(view.render_line(y).text[GUTTER:].rstrip())
        assert shown[0] == "[bold]x[/bold] [link=http://evil]y[/link] [@click=app.quit]z[/]"
        assert shown[1].startswith("\u241b[31mred\u241b[0m and \u241b]8;;http://x\u2407link")
        assert "\u241b]52;c;aGk=\u2407" in shown[1]
        assert "cr\u240dover" in shown[2] and "del\u2421" in shown[2]
        assert "bidi \u21c6abc\u21c6" in shown[2]
        assert shown[3] == "crlf line"
        assert shown[4] == "tabs    and tabs"
        # offsets stay those of the real text
        view.move_cursor(HOSTILE.index("red"))
        assert view.cursor == HOSTILE.index("red")


async def test_hostile_markup_does_not_run_actions_when_clicked() -> None:
    app = ViewApp("[@click=app.quit]click me[/]")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click(DocumentView, offset=(GUTTER + 20, 0))
        await pilot.pause()
        assert app.is_running
        assert app.query_one(DocumentView).cursor == 20


async def test_click_moves_cursor() -> None:
    text = "first line\nsecond line\nthird line"
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.click(DocumentView, offset=(GUTTER + 3, 1))
        assert view.cursor == text.index("second") + 3
        await pilot.click(DocumentView, offset=(GUTTER + 40, 2))
        assert view.cursor == len(text)  # past the end of the line: its end


async def test_selection_extends_with_motions() -> None:
    text = "one two three four\nfive six\n"
    messages: list[Message] = []
    app = ViewApp(text)
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("w")
        assert view.selection is None
        await pilot.press("v", "w", "w")
        assert view.selecting
        start, end = view.selection
        assert text[start:end] == "two three"  # up to the next word, not its first letter
        await pilot.press("b")
        assert text.__getitem__(slice(*view.selection)) == "two t"
        await pilot.press("o", "h")  # adjust the other end
        assert text.__getitem__(slice(*view.selection)) == " two t"
        await pilot.press("j")  # the cursor (the start) goes down a row, past the anchor
        assert view.selection == (8, text.index("five") + 3 + 1)
        # selected cells drawn in reverse
        selected = [s for s in view.render_line(0) if "hree" in s.text]
        assert selected and selected[0].style.reverse
        await pilot.press("escape")
        assert view.selection is None and not view.selecting
        await pilot.press("v", "v")
        assert view.selection is None
        await pilot.pause()
    changes = [m for m in unique(messages) if isinstance(m, SelectionChanged)]
    assert changes and changes[-1].start is None
    assert any(m.start == 4 for m in changes)


async def test_visual_selection_to_the_next_sentence_or_paragraph_stops_before_it() -> None:
    """Issue 14: `v` `)` stored "...The Revolutionaries.\nA", the next paragraph's first letter."""
    text = "Kataib Sayyid al-Shuhada. The Revolutionaries.\nA new paragraph starts here.\n"
    second = text.index("A new")
    paragraphs = (Span(0, second - 1), Span(second, len(text) - 1))  # as the index gives them
    async with ViewApp(text, paragraphs=paragraphs).run_test(size=(80, 24)) as pilot:
        view = pilot.app.query_one(DocumentView)
        await pilot.press(")")  # on "The"
        assert text[view.cursor :].startswith("The")
        await pilot.press("v", ")")
        assert text[slice(*view.selection)] == "The Revolutionaries."
        await pilot.press("escape", "g", "v", "}")
        assert text[slice(*view.selection)] == "Kataib Sayyid al-Shuhada. The Revolutionaries."
        await pilot.press("o")  # the other end is the last selected character, not the next one
        assert text[slice(*view.selection)] == "Kataib Sayyid al-Shuhada. The Revolutionaries."
        await pilot.press("escape", "g", "v", "l")  # a character motion takes the cursor's character
        assert text[slice(*view.selection)] == "Ka"
        await pilot.press("escape", "}", "v", "}")  # the last paragraph: up to the end of the text
        assert text[slice(*view.selection)] == "A new paragraph starts here."


async def test_select_sentence_and_paragraph() -> None:
    app = ViewApp(PROSE)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        view.move_cursor(PROSE.index("one follows"))
        view.select_sentence()
        assert PROSE.__getitem__(slice(*view.selection)) == "Second one follows!"
        view.clear_selection()
        view.move_cursor(PROSE.index("has words"))
        view.select_paragraph()
        assert PROSE.__getitem__(slice(*view.selection)) == "Para two starts. It has words."
        await pilot.pause()


async def test_mouse_drag_selects() -> None:
    text = "drag across these words"
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.mouse_down(DocumentView, offset=(GUTTER + 5, 0))
        await pilot.hover(DocumentView, offset=(GUTTER + 10, 0))
        await pilot.mouse_up(DocumentView, offset=(GUTTER + 10, 0))
        await pilot.pause()
        assert view.selection == (5, 11)


async def test_bindings_have_ids_and_can_be_remapped() -> None:
    ids = {binding.id for binding in DocumentView.BINDINGS}  # type: ignore[union-attr]
    for expected in (
        "reader.cursor.left",
        "reader.cursor.right",
        "reader.cursor.up",
        "reader.cursor.down",
        "reader.cursor.word_next",
        "reader.cursor.word_prev",
        "reader.cursor.sentence_next",
        "reader.cursor.sentence_prev",
        "reader.cursor.paragraph_next",
        "reader.cursor.paragraph_prev",
        "reader.page.down",
        "reader.page.up",
        "reader.cursor.start",
        "reader.cursor.end",
        "reader.match.next",
        "reader.match.prev",
        "reader.select.toggle",
    ):
        assert expected in ids
    assert all(binding.description for binding in DocumentView.BINDINGS)  # type: ignore[union-attr]
    app = ViewApp("abc\ndef")
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"reader.cursor.down": "x"})
        await pilot.pause()
        view = app.query_one(DocumentView)
        await pilot.press("x")
        assert view.cursor == 4


async def test_cursor_move_refreshes_only_touched_rows() -> None:
    text = "\n".join(f"row {i}" for i in range(100))
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(DocumentView)
        refreshed: list[object] = []
        original = view.refresh

        def spy(*regions: object, **kwargs: object) -> object:
            refreshed.append(regions)
            return original(*regions, **kwargs)

        view.refresh = spy  # type: ignore[method-assign]
        view.action_cursor_down()
        assert refreshed and all(
            len(regions) == 1 and regions[0].height == 1
            for regions in refreshed  # type: ignore[attr-defined]
        )


async def test_empty_document_and_load_before_mount() -> None:
    app = ViewApp("")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("j", "l", "w", "G", "n", "pagedown", "right_curly_bracket")
        assert view.cursor == 0
        assert view.next_match() is None
        view.load("other", "x" * 10, cursor=99)
        assert view.cursor == 10 and view.doc_id == "other"


async def test_large_document_smoke() -> None:
    """A 4 MB document (the seeds' real text, again and again, ending in a newline as most files
    do): G lands on its last character, not on the newline after it, and the last lines show.
    (It read /tmp/kjv.txt when that existed, a file any other program may have written: a text
    ending in a newline failed it there, and it was skipped everywhere else.)"""
    seeds = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    text = "\n\n".join([seeds.strip()] * (4_000_000 // len(seeds) + 1)) + "\n"
    app = ViewApp(text)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("G")
        assert view.cursor == len(text) - 2 and text[view.cursor] != "\n"
        assert rows(view)[-1] or rows(view)[-2]


# Snapshot tests (pytest-textual-snapshot runs the app itself: plain functions). Update with
# `pytest tests/test_document_view.py --snapshot-update` after looking at the SVG.
SNAPSHOT_APP = Path(__file__).parent / "snapshot_apps" / "document_view_app.py"


def test_snapshot_overlapping_annotations_and_current_match_80x24(snap_compare) -> None:
    assert snap_compare(SNAPSHOT_APP, terminal_size=(80, 24))


def test_snapshot_overlapping_annotations_and_current_match_120x40(snap_compare) -> None:
    assert snap_compare(SNAPSHOT_APP, terminal_size=(120, 40))


async def test_a_big_document_is_kept_out_of_full_garbage_collections() -> None:
    """Loading a document of FREEZE_CHARS or more freezes what exists (no 20 ms collector
    pause on a keystroke later); a small one does not."""
    import gc

    from reader.widgets import document_view

    gc.unfreeze()
    try:
        app = ViewApp(PROSE)
        async with app.run_test(size=(60, 10)) as pilot:
            view = app.query_one(DocumentView)
            assert gc.get_freeze_count() == 0
            big = (LONG + "\n") * (document_view.FREEZE_CHARS // len(LONG) + 1)
            view.load("big", big)
            await pilot.pause()
            assert gc.get_freeze_count() > 0
            assert rows(view)[0].startswith("alpha beta")
    finally:
        gc.unfreeze()
