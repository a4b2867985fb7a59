"""Snapshots of the main screen (pytest-textual-snapshot): accept changes with --snapshot-update
after looking at them (the report opens in a browser), on the pinned Textual only."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from reader.app import create_app

from waiting import settle_workers


@pytest.fixture()
def snapshot_app(seed_paths, monkeypatch):
    """The app on the seeds, run from tmp_path so the annotations folder shows as a stable
    relative path in the status bar."""
    monkeypatch.chdir(seed_paths.corpus.parent)
    monkeypatch.setenv("READER_CODER", "coder")  # the status bar's coder, not the OS user
    return create_app(seed_paths)


async def _ready(pilot) -> None:
    app = pilot.app
    await settle_workers(app)
    await pilot.pause()
    for box in app.screen.query(Input):
        box.cursor_blink = False


async def _search_and_open(pilot, query: str = "Nujaba") -> None:
    await _ready(pilot)
    await pilot.press(*query)
    await settle_workers(pilot.app)
    await pilot.pause()
    await pilot.press("enter")
    await settle_workers(pilot.app)
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()


def test_start_80x24(snap_compare, snapshot_app):
    """The document list and an empty reader at 80x24."""
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=_ready)


def test_search_and_open_120x40(snap_compare, snapshot_app):
    """Search "Nujaba", open the first hit, jump to match 2: hits with highlighted snippets,
    the document with every match highlighted, "match 2 of N" in the status bar."""
    assert snap_compare(snapshot_app, terminal_size=(120, 40), run_before=_search_and_open)


def test_search_and_open_80x24(snap_compare, snapshot_app):
    """The same at 80x24: the sidebar narrows, the reader keeps most of the width."""
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=_search_and_open)


def test_invalid_query_120x40(snap_compare, snapshot_app):
    """An unbalanced quote: the message under the search box instead of the hit count."""

    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press(*'"Nujaba movement')
        await settle_workers(pilot.app)
        await pilot.pause()

    assert snap_compare(snapshot_app, terminal_size=(120, 40), run_before=run_before)
