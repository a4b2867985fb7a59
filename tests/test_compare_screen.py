"""The side-by-side view (issue 6): opening, aligning, syncing, switching sides, pair navigation,
word diffs, find similar, opening another document, tagging in either pane, the narrow layout,
and a snapshot of the split view. Also the headless rules of reader/compare_service.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.document import Span
from reader.align import Alignment, Pair
from reader.compare_service import passage_at, step, summary
from reader.screens.compare import DIFF_KEY, MARK_KEY, CompareScreen
from reader.dialogs.pickers import DocumentPicker, SimilarDialog
from reader.dialogs.tag import TagDialog
from reader.services import Library

from snapshot_apps.compare_app import CompareApp

from conftest import make_paths
from waiting import settle

D000 = "000_5f0b56e8f3292fd3.txt"
D001 = "001_f1d61bf84ce1f504.txt"
D002 = "002_aa247d70c2f24e11.txt"
D003 = "003_c50da1745df50ef1.txt"
BABIL = "In Iraq, there are growing calls"  # 000's paragraph on the strike in Babil
BABEL = "Calls to end the truce"  # 003's: the same told with "Babel"
LESS = "Less than a week later"


@pytest.fixture()
def library(seed_paths) -> Library:
    library = Library(seed_paths)
    library.update_index()  # find similar and the document picker read the index
    return library


def _status(screen: CompareScreen) -> str:
    return str(screen.query_one("#compare-status").render())


def _visible_text(view) -> str:
    """What the view shows on screen, row by row."""
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


def _marks(view, key: str) -> list[tuple[int, int]]:
    return [(h.start, h.end) for h in view.highlights if h.key == key]


async def test_opening_aligns_both_documents(library):
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        assert app.screen is screen
        assert screen.view("a").doc_id == D000 and screen.view("b").doc_id == D003
        assert screen.alignment is not None and len(screen.alignment.paired) == 13
        status = _status(screen)
        assert "13 pairs" in status and "39 only in A" in status and "0 only in B" in status
        assert "Aligning" not in status and "Sync on" in status
        header = str(screen.query_one("#header-a").render())
        assert "Al-Nujaba Movement threatens" in header


async def test_cursor_on_babil_brings_the_babel_paragraph_into_view(library):
    app = CompareApp(library, D003, D000)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a, b = screen.view("a"), screen.view("b")
        assert b.scroll_offset.y == 0
        a.move_cursor(a.text.index(BABEL))
        await pilot.pause()
        pair = screen.pair
        assert pair is not None and pair.paired
        assert b.text[pair.b.start :].startswith(BABIL)
        assert pair.b.start <= b.cursor < pair.b.end
        assert "Babil Governorate" in _visible_text(b)
        # both passages are marked, and the status names the pair
        assert _marks(a, MARK_KEY) == [(pair.a.start, pair.a.end)]
        assert _marks(b, MARK_KEY) == [(pair.b.start, pair.b.end)]
        assert "pair 4/13" in _status(screen)
        # far down 000: B scrolls to it
        a.move_cursor(a.text.index("He added"))
        await pilot.pause()
        assert b.scroll_offset.y > 0 and "Al-Lami emphasized" in _visible_text(b)
        assert screen.pair.b.start <= b.cursor < screen.pair.b.end


async def test_sync_off_leaves_the_other_pane_alone(library):
    app = CompareApp(library, D003, D000)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a, b = screen.view("a"), screen.view("b")
        await pilot.press("y")
        assert screen.sync is False and "Sync off" in _status(screen)
        a.move_cursor(a.text.index("He added"))
        await pilot.pause()
        assert b.cursor == 0 and b.scroll_offset.y == 0
        # the counterpart is still marked, only not brought into view
        assert _marks(b, MARK_KEY) == [(screen.pair.b.start, screen.pair.b.end)]
        await pilot.press("y")  # on again: it catches up at once
        await pilot.pause()
        assert "Sync on" in _status(screen)
        assert screen.pair.b.start <= b.cursor < screen.pair.b.end and b.scroll_offset.y > 0


async def test_tab_switches_sides_and_the_other_side_follows(library):
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a, b = screen.view("a"), screen.view("b")
        assert app.focused is a and "Active: A" in _status(screen)
        await pilot.press("tab")
        assert app.focused is b and screen.side == "b" and "Active: B" in _status(screen)
        assert screen.pane("b").has_class("-active") and not screen.pane("a").has_class("-active")
        b.move_cursor(b.text.index(LESS))
        await pilot.pause()
        assert a.text[a.cursor :].startswith(LESS)  # A's "Less than a week later, missiles…"
        await pilot.press("tab")
        assert app.focused is a and screen.side == "a"


async def test_pair_and_unpaired_navigation(library):
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a, b = screen.view("a"), screen.view("b")
        paired = screen.alignment.paired
        await pilot.press("J")  # from the first pair (cursor at 0) to the second
        assert a.cursor == paired[1].a.start and b.cursor == paired[1].b.start
        await pilot.press("J", "J")
        assert a.cursor == paired[3].a.start and "pair 4/13" in _status(screen)
        await pilot.press("K")
        assert a.cursor == paired[2].a.start and b.cursor == paired[2].b.start
        await pilot.press("U")  # A's first passage with no counterpart: the added section
        assert a.text[a.cursor :].startswith("Response to U.S. Military Presence")
        assert screen.pair is not None and screen.pair.b is None
        assert "only in A" in _status(screen)
        assert _marks(b, MARK_KEY) == []
        await pilot.press("tab", "U")  # every passage of 003 has a counterpart
        assert b.cursor == paired[2].b.start


async def test_words_on_one_side_only_are_marked_tolerating_name_variants(library):
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a, b = screen.view("a"), screen.view("b")
        a.move_cursor(a.text.index(BABIL))
        await pilot.pause()
        only_a = {a.text[s:e] for s, e in _marks(a, DIFF_KEY)}
        only_b = {b.text[s:e] for s, e in _marks(b, DIFF_KEY)}
        assert "growing" in only_a and "increasing" in only_b
        assert "Babil" not in only_a and "Babel" not in only_b  # the same place, spelt two ways
        await pilot.press("d")
        assert _marks(a, DIFF_KEY) == [] and _marks(b, DIFF_KEY) == []
        assert _marks(a, MARK_KEY)  # the pair stays marked
        assert "Diff off" in _status(screen)


async def test_find_similar_lists_003_and_opens_it_in_the_other_pane(library):
    app = CompareApp(library, D000, D001)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a = screen.view("a")
        a.move_cursor(a.text.index(LESS) + 10)
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SimilarDialog)
        docs = [row.doc_id for row in dialog.rows]
        assert D003 in docs and D000 not in docs
        target = docs.index(D003)
        await pilot.press(*["down"] * target, "enter")
        await settle(pilot)
        assert app.screen is screen
        b = screen.view("b")
        assert b.doc_id == D003
        assert b.text[b.cursor :].startswith("Less than a week later, rockets")
        assert len(screen.alignment.paired) == 13 and "13 pairs" in _status(screen)


async def test_open_another_document_in_the_active_pane(library):
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        await pilot.press("tab", "O")
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        assert D000 not in {row.id for row in picker.rows}  # the other pane's document
        await pilot.press(*"zzz", "enter")  # no document matches: nothing to open
        assert app.screen is picker
        await pilot.press(*["backspace"] * 3, *"shafaq", "enter")  # 002's source
        await settle(pilot)
        assert app.screen is screen and screen.view("b").doc_id == D002
        await pilot.press("O", *"72 hours", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.view("b").doc_id == D001
        assert screen.alignment is not None and "pairs" in _status(screen)


async def test_without_a_second_document_the_picker_asks_for_one(library):
    app = CompareApp(library, D000, None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DocumentPicker)
        await pilot.press(*"Nujaba Movement announced", "enter")
        await settle(pilot)
        assert app.screen is app.compare and app.compare.view("b").doc_id == D003
        assert len(app.compare.alignment.paired) == 13

    app = CompareApp(library, D000, None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # nothing chosen: the compare screen goes too
        await pilot.pause()
        assert not isinstance(app.screen, (DocumentPicker, CompareScreen))


async def test_open_in_shows_a_hit_with_its_matches(library):
    app = CompareApp(library, D003, D000)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        b = screen.view("b")
        start = b.text.index("Ain al-Assad airbase")
        screen.open_in("b", D000, matches=(Span(start, start + 20),))
        await settle(pilot)
        assert b.matches == [(start, start + 20)] and b.cursor == start
        assert screen.alignment is not None


async def test_tagging_in_the_right_pane(library):
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        await pilot.press("tab", "J", "s", "t")
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"claim/truce", "enter")
        await pilot.pause()
        assert app.screen is screen
        saved = library.annotations(D003)
        assert [a.tags for a in saved] == [("claim/truce",)]
        b = screen.view("b")
        assert [(h.start, h.end) for h in b.highlights if h.key == saved[0].id] == [(saved[0].start, saved[0].end)]
        assert library.annotations(D000) == []


async def test_recent_tags_1_to_9_tag_in_side_by_side(library):
    """Issue 14: 1-9 did nothing here (no notice, nothing written)."""
    notices: list[str] = []
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        app.notify = lambda message, **kw: notices.append(str(message))  # type: ignore[method-assign]
        await settle(pilot)
        await pilot.press("s", "1")  # no tag used yet: say so, write nothing
        await pilot.pause()
        assert any("No recent tag 1" in n for n in notices)
        assert library.annotations(D000) == []
        await pilot.press("tab", "J", "s", "t", *"claim/truce", "enter")
        await pilot.pause()
        await pilot.press("tab", "s", "1")  # the left pane, with the recent tag
        await pilot.pause()
        assert app.screen is screen
        saved = library.annotations(D000)
        assert [a.tags for a in saved] == [("claim/truce",)]
        a = screen.view("a")
        assert any(h.key == saved[0].id for h in a.highlights)
        assert a.selection is None
        assert any("Tagged" in n and "claim/truce" in n for n in notices)


async def test_escape_and_q_close_the_screen(library):
    for key in ("escape", "q"):
        app = CompareApp(library, D000, D003)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, CompareScreen)


async def test_narrow_layout_stacks_the_panes(library):
    app = CompareApp(library, D003, D000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.compare
        await settle(pilot)
        assert screen.has_class("-narrow")
        top, bottom = screen.pane("a").region, screen.pane("b").region
        assert bottom.y >= top.bottom and top.width == bottom.width == 80
        a, b = screen.view("a"), screen.view("b")
        assert a.size.height >= 5 and b.size.height >= 5
        a.move_cursor(a.text.index(BABEL))
        await pilot.pause()
        assert screen.pair.b.start <= b.cursor < screen.pair.b.end
        assert "Babil" in _visible_text(b)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert screen.has_class("-wide") and screen.pane("b").region.x > 0


async def test_corpus_text_is_never_markup(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "[bold]Title[/bold] [@click=app.quit]x[/]\n\nA shared paragraph about rockets striking the airbase.\n"
    )
    (corpus / "two.txt").write_text("[red]Other[/red]\n\nA shared paragraph about rockets striking the airbase.\n")
    library = Library(make_paths(tmp_path, corpus))
    library.update_index()
    app = CompareApp(library, "one.txt", "two.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "[bold]Title[/bold] [@click=app.quit]x[/]" in str(app.compare.query_one("#header-a").render())
        assert "[red]Other[/red]" in str(app.compare.query_one("#header-b").render())
        assert "1 pair" in _status(app.compare)


def test_split_view_snapshot_120x40(snap_compare, library, monkeypatch):
    """000 against 003, the cursor on 000's Babil paragraph: both passages tinted, the words
    present on one side only in amber, the status line with the summary and the pair."""
    import reader.screens.compare as compare

    def align(a, b, cancelled=None):  # the time taken varies: show a fixed one
        return replace(real_align(a, b, cancelled), seconds=0.02)

    real_align = compare.align
    monkeypatch.setattr(compare, "align", align)

    async def run_before(pilot) -> None:
        await settle(pilot)
        view = pilot.app.compare.view("a")
        view.move_cursor(view.text.index(BABIL))
        await pilot.pause()

    app = CompareApp(library, D000, D003)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


# --- compare_service (headless) ---------------------------------------------------------------


def _alignment() -> Alignment:
    return Alignment(
        (
            Pair(Span(0, 10), Span(0, 5), 0.5, "paragraph"),
            Pair(Span(12, 20), None, 0.0, "paragraph"),
            Pair(Span(22, 30), Span(20, 25), 0.4, "paragraph", in_order=False),
            Pair(None, Span(7, 15), 0.0, "paragraph"),
            Pair(Span(32, 40), Span(30, 35), 0.6, "paragraph"),
        ),
        0.012,
    )


def test_step_visits_pairs_in_each_sides_order_and_wraps():
    alignment = _alignment()
    assert step(alignment, "a", 3, 1).a == Span(22, 30)  # inside the first pair: the next one
    assert step(alignment, "a", 21, 1).a == Span(22, 30)  # in a gap: the pair that follows
    assert step(alignment, "a", 35, 1).a == Span(0, 10)  # wraps around
    assert step(alignment, "a", 25, -1).a == Span(0, 10)
    assert step(alignment, "a", 3, -1).a == Span(32, 40)
    assert step(alignment, "b", 0, 1).b == Span(20, 25)
    assert step(alignment, "a", 0, 1, paired=False).a == Span(12, 20)
    assert step(alignment, "b", 0, 1, paired=False).b == Span(7, 15)
    assert step(Alignment((), 0.0), "a", 0, 1) is None


def test_passage_at_and_summary():
    paragraphs = (Span(0, 10), Span(12, 20))
    assert passage_at(paragraphs, 5, 20) == Span(0, 10)
    assert passage_at(paragraphs, 11, 20) == Span(12, 20)  # between two: the next
    assert passage_at((), 3, 42) == Span(0, 42)
    assert summary(_alignment()) == "3 pairs (1 out of order) · 1 only in A · 1 only in B · 12 ms"
