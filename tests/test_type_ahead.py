"""Keys typed ahead of what they are meant for (reader/key_order.py).

A terminal delivers fast typing (tmux send-keys, a paste of keystrokes, a quick typist on a busy
machine) as one burst, all in the app's queue before the first key is handled. Textual gave each
key to the widget focused when it arrived, so the keys after one that opens a dialog went to the
widget under it: `t` then "actor/fast" lost the name (in tmux "ctor/fast" was saved, in a pilot
burst nothing at all). These tests send bursts as test_app_first_hour's `burst` does and check
what was written to the store."""

from __future__ import annotations

import pytest

from reader.app import create_app
from reader.dialogs.tag import TagDialog
from reader.key_order import KeyOrder
from reader.screens.compare import CompareScreen

from test_app_first_hour import burst
from test_tagging import on_disk, open_shafaq
from waiting import pilot_wait_until, settle

SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


@SIZES
async def test_a_tag_name_typed_right_after_t_reaches_the_dialog_whole(seed_paths, size):
    app = create_app(seed_paths)
    async with app.run_test(size=size) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s")
        assert view.selection is not None
        burst(app, "t", *"actor/fast")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, TagDialog), "the tag dialog")
        dialog = app.screen
        await pilot_wait_until(pilot, lambda: dialog.filter_box.value == "actor/fast", "the whole name in the box")
        await settle(pilot)
        assert dialog.filter_box.value == "actor/fast"
        assert app.focused is dialog.filter_box


@SIZES
async def test_query_enter_m_t_a_new_tag_enter_typed_at_once(seed_paths, size):
    """From the search box at start: the hit opens, `m` selects its match, and the tag is
    written on it, though every key was typed before the search had run."""
    app = create_app(seed_paths)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.focused is app.screen.search_box
        burst(app, *"Haniyeh", "enter", "m", "t", *"actor/fast", "enter", "j")
        await pilot_wait_until(pilot, lambda: on_disk(app).annotations(), "an annotation written")
        await settle(pilot)
        [annotation] = on_disk(app).annotations()
        assert annotation.tags == ("actor/fast",)
        assert annotation.quote.exact == "Haniyeh"
        assert not isinstance(app.screen, TagDialog)


async def test_side_by_side_tab_then_tagging_tags_the_other_pane(seed_paths):
    """Tab J s t and a tag, typed at once: pane B is tagged, not A (it tagged A)."""
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot)
        main = app.screen
        other = next(row.id for row in main.rows if row.id != main.opened.document.id)
        main.action_compare(other)
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "side by side")
        await settle(pilot)
        burst(app, "tab", "J", "s", "t", *"claim/truce", "enter")
        await pilot_wait_until(pilot, lambda: on_disk(app).annotations(), "an annotation written")
        await settle(pilot)
        [annotation] = on_disk(app).annotations()
        assert annotation.doc == other
        assert annotation.tags == ("claim/truce",)


async def test_ctrl_q_is_never_held_back(seed_paths):
    """Keys wait for a slow open; quitting does not."""
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        order: KeyOrder = app.key_order
        order.busy = True  # a key in hand whose handling has not come back
        burst(app, "j", "ctrl+q")
        await pilot_wait_until(pilot, lambda: not app.is_running, "the app quit")
        assert [event.key for event in order.held] == ["j"]
