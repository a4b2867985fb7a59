"""The app on a PostgreSQL store (`reader --store URL`): tagging, undo and redo go to the server
through the same services as on the JSON folder (pilot tests; a fresh client checks the rows)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.app import create_app
from reader.dialogs.tag import TagDialog
from reader.store.postgres import PostgresStore, connect
from reader.store.postgres.schema import migrate

from test_tagging import FIRST_SENTENCE, open_shafaq
from waiting import pilot_wait_until, settle


@pytest.fixture
def pg_paths(seed_paths, pg_url):
    with connect(pg_url) as conn:
        migrate(conn)
    return replace(seed_paths, store=pg_url)


async def test_tag_undo_and_redo_in_the_app_reach_the_server(pg_paths):
    app = create_app(pg_paths)
    assert isinstance(app.library.store, PostgresStore)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s", "t")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, TagDialog), "the tag dialog")
        await pilot.press(*"actor/Nujaba", "enter")
        await settle(pilot)
        [annotation] = PostgresStore(pg_paths.store).annotations()
        assert annotation.quote.exact == FIRST_SENTENCE and annotation.tags == ("actor/Nujaba",)
        assert [(h.start, h.end) for h in view.highlights] == [(annotation.start, annotation.end)]
        await pilot.press("u")
        await pilot_wait_until(pilot, lambda: not view.highlights, "the highlight gone")
        assert PostgresStore(pg_paths.store).annotations() == []
        await pilot.press("ctrl+r")
        await pilot_wait_until(pilot, lambda: view.highlights, "the highlight back")
        assert PostgresStore(pg_paths.store).annotations() == [annotation]
    assert not list(pg_paths.annotations.rglob("*.json"))  # nothing went to the folder
