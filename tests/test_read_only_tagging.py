"""Tagging a document whose annotation file cannot be changed (a corrupt file, kept as it is):
both the main screen and side by side refuse with the same notice naming the file, open no tag
dialog, and leave the file byte for byte (reader/screens/opened_document.py holds the rule)."""

from __future__ import annotations

from reader.app import create_app
from reader.dialogs.tag import TagDialog
from reader.services import Library

from app_helpers import toasts
from snapshot_apps.compare_app import CompareApp
from test_app import SHAFAQ
from test_compare_screen import D000, D003
from test_tagging import open_shafaq
from waiting import settle

BROKEN = b'{"format_version": 1, "annotations": ['


def _break(paths, doc_id: str):
    path = paths.annotations / "docs" / f"{doc_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(BROKEN)
    return path


def _notices(app) -> list[str]:
    return [t for t in toasts(app) if "annotations are read-only" in t]


async def test_the_main_screen_refuses_to_tag_a_read_only_document(seed_paths):
    broken = _break(seed_paths, SHAFAQ)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_shafaq(app, pilot, at="political leader")
        before = len(_notices(app))  # opening it may already say so
        await pilot.press("s", "t")
        await settle(pilot)
        assert not isinstance(app.screen, TagDialog)
        notices = _notices(app)
        assert len(notices) == before + 1 and broken.name in notices[-1]
    assert broken.read_bytes() == BROKEN


async def test_side_by_side_refuses_to_tag_a_read_only_document(seed_paths):
    broken = _break(seed_paths, D003)
    library = Library(seed_paths)
    library.update_index()
    app = CompareApp(library, D000, D003)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = app.compare
        await settle(pilot)
        before = len(_notices(app))
        await pilot.press("tab", "J", "s", "t")
        await settle(pilot)
        assert app.screen is screen
        notices = _notices(app)
        assert len(notices) == before + 1 and broken.name in notices[-1]
        await pilot.press("shift+tab", "J", "s", "t")  # the other pane's document is writable
        await settle(pilot)
        assert isinstance(app.screen, TagDialog)
    assert broken.read_bytes() == BROKEN
