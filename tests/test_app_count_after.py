"""The app shows a phrase's hits before their count (index/search/verify_top.py): the line under
the search box says "20+ hits, counting…" until the count comes, then the exact total, and the
last option says how many are left; a count that comes after a newer query is not shown."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import OptionList

import index.search.verify_top as verify_top
from index.search import search
from reader.app import create_app
from reader.screens.search_part import SearchPart
from reader.services import Library

from app_helpers import message_text
from conftest import make_paths, seed_copies
from waiting import HANG, pilot_wait_until, settle

PHRASE = '"of the"'


@pytest.fixture()
def held_count(monkeypatch):
    """Every count waits for `release`; `asked` lists the queries counted."""
    monkeypatch.setattr(verify_top, "ALL_BELOW", 0)  # 40 documents: lazy as on a big corpus
    release = threading.Event()
    asked: list[str] = []
    counted: list[int | None] = []
    real = Library.count_hits

    def count_hits(self, query, *args, **kwargs):
        asked.append(query)
        release.wait(HANG)
        counted.append(real(self, query, *args, **kwargs))
        return counted[-1]

    monkeypatch.setattr(Library, "count_hits", count_hits)
    return release, asked, counted


async def _type(pilot, text: str) -> None:
    if pilot.app.focused is not pilot.app.screen.search_box:
        await pilot.press("slash")
    await pilot.press(*text)


def _options(app) -> list[str]:
    results = app.screen.query_one("#results", OptionList)
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def test_hits_first_then_their_count(tmp_path, held_count):
    release, asked, counted = held_count
    paths = make_paths(tmp_path, seed_copies(tmp_path, 8))
    app = create_app(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expected = search(app.library.index, PHRASE)
        assert expected.total > 20
        await _type(pilot, PHRASE)
        await pilot_wait_until(pilot, lambda: asked and message_text(app), "the hits, before their count")
        assert message_text(app).startswith("20+ hits, counting…")
        options = _options(app)
        assert len(options) == 21 and options[-1] == "More results…"
        assert [option.split("\n")[0] for option in options[:20]] == [hit.title for hit in expected.hits]
        release.set()
        await pilot_wait_until(pilot, lambda: not message_text(app).startswith("20+"), "the count")
        assert message_text(app).startswith(f"{expected.total} hits")
        assert _options(app)[-1] == f"More results ({expected.total - 20} left)…"
        # the next page knows the total already: nothing is counted again
        app.screen.query_one("#results", OptionList).focus()
        await pilot.press("end", "enter")
        await settle(pilot)
        assert asked == [PHRASE] and counted == [expected.total]
        assert message_text(app).startswith(f"{expected.total} hits")
        assert len(_options(app)) == min(expected.total, 40) + (expected.total > 40)


async def test_a_count_after_a_newer_query_is_not_shown(tmp_path, held_count):
    """A newer query stops the count under way (it lets go of the searcher: the newer
    search does not wait for it) and the count is never shown."""
    release, asked, counted = held_count
    paths = make_paths(tmp_path, seed_copies(tmp_path, 8))
    app = create_app(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _type(pilot, PHRASE)
        await pilot_wait_until(pilot, lambda: asked, "the phrase's count begins")
        await pilot.press("ctrl+u")
        await _type(pilot, "Nujaba")
        expected = search(app.library.index, "Nujaba")
        await pilot_wait_until(pilot, lambda: message_text(app).startswith(f"{expected.total} hit"), "Nujaba's hits")
        release.set()
        await settle(pilot)
        assert counted == [None]  # stopped, not finished
        assert message_text(app).startswith(f"{expected.total} hit")
        assert app.screen.results.query == "Nujaba"


async def test_a_count_after_a_newer_keystroke_is_not_shown(tmp_path, monkeypatch):
    """The count came, but a keystroke queued before it has asked for a newer search (which
    cleared the line): the old count is not put back on the line."""
    monkeypatch.setattr(verify_top, "ALL_BELOW", 0)
    real = SearchPart._show_total
    seen: dict[str, str] = {}

    def show_total(self, *args):
        self.search_box.value = "Nujaba"  # what the loop ran first: the keystroke's search
        self.search()
        real(self, *args)
        seen["message"] = message_text(self.app)

    monkeypatch.setattr(SearchPart, "_show_total", show_total)
    app = create_app(make_paths(tmp_path, seed_copies(tmp_path, 8)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _type(pilot, PHRASE)
        await pilot_wait_until(pilot, lambda: seen, "the count")
        assert seen["message"] == ""  # not "40 hits" under "Nujaba"
        expected = search(app.library.index, "Nujaba")
        await pilot_wait_until(pilot, lambda: message_text(app).startswith(f"{expected.total} hit"), "Nujaba's hits")


async def test_a_count_that_fails_does_not_leave_counting_on_the_line(tmp_path, monkeypatch):
    monkeypatch.setattr(verify_top, "ALL_BELOW", 0)

    def count_hits(self, *args, **kwargs):
        raise OSError("the disk went away")

    monkeypatch.setattr(Library, "count_hits", count_hits)
    app = create_app(make_paths(tmp_path, seed_copies(tmp_path, 8)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _type(pilot, PHRASE)
        await pilot_wait_until(pilot, lambda: "not counted" in message_text(app), "the count's failure on the line")
        assert message_text(app).startswith("20+ hits (not counted: the count failed)")
        assert len(_options(app)) == 21  # the hits stay
        await settle(pilot, failures_ok=True)
