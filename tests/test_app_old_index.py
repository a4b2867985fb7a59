"""An index made before the position arrays (index/position_arrays.py), opened in the app: a
note says once that phrases would be faster after a rebuild, and the command palette's
"Rebuild the index" gives it its arrays (a pilot test; the CLI's `reader index --rebuild` is in
tests/test_position_arrays.py)."""

from __future__ import annotations

import index.position_arrays as position_arrays
from index.indexer import CorpusIndex
from index.search import close_searcher
from reader.app import create_app
from reader.screens.indexing_part import OLD_INDEX

from app_helpers import toasts
from conftest import make_paths, seed_copies
from waiting import pilot_wait_until, settle


def _with_arrays(ci: CorpusIndex) -> list[bool]:
    with ci.whoosh().searcher() as searcher:
        return [position_arrays.segment_positions(leaf) is not None for leaf, _ in searcher.reader().leaf_readers()]


def _rebuilt(app) -> bool:
    found = _with_arrays(app.library.index)
    return bool(found) and all(found)


def _told(app) -> bool:
    return any(OLD_INDEX in toast for toast in toasts(app))


async def test_an_old_index_is_told_once_and_rebuilt_from_the_palette(tmp_path, monkeypatch):
    monkeypatch.setattr(position_arrays, "EXPECTED_FROM_DOCS", 10)  # these segments: 40 documents
    paths = make_paths(tmp_path, seed_copies(tmp_path, 8))
    with monkeypatch.context() as patch:
        patch.setattr(position_arrays, "MIN_POSTINGS", 10**9)  # as an earlier version wrote it
        old = CorpusIndex(paths.corpus, paths.index)
        old.update()
        assert not any(_with_arrays(old))
        close_searcher(old)
    monkeypatch.setattr(position_arrays, "MIN_POSTINGS", 8)
    app = create_app(paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot_wait_until(pilot, lambda: _told(app), "the note on the old index")
        assert not any(_with_arrays(app.library.index))
        app.clear_notifications()
        await pilot.press("ctrl+p")
        await pilot.press(*"Rebuild the index")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot_wait_until(pilot, lambda: _rebuilt(app), "the arrays after the rebuild")
        await settle(pilot)
        assert not _told(app)  # said once, and of an index that now has them
    close_searcher(app.library.index)
