"""Two app instances on one PostgreSQL store see each other's tags as they are made (LISTEN/
NOTIFY carrying the change's sequence number, the change log read for the change); a dropped
live connection is said, comes back and catches up with what it missed; a change that cannot
reach the server is kept on disk, said, and sent when it is back. Every wait is on the event itself, never on time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.app import create_app
from reader.dialogs.tag import TagDialog
from reader.store.postgres import PostgresStore, connect
from reader.store.postgres.address import database
from reader.store.postgres.schema import migrate

from test_app import SHAFAQ, toasts
from test_tagging import open_shafaq
from waiting import pilot_wait_until


@pytest.fixture
def pg_paths(seed_paths, pg_url):
    with connect(pg_url) as conn:
        migrate(conn)
    return replace(seed_paths, store=pg_url)


def spans(view) -> set[tuple[int, int]]:
    return {(h.start, h.end) for h in view.highlights}


async def listening(app, pilot):
    await pilot_wait_until(
        pilot, lambda: app.live.listener is not None and app.live.listener.listening.is_set(), "the app to LISTEN"
    )


async def test_two_apps_see_each_others_tags(pg_paths):
    first, second = create_app(pg_paths), create_app(pg_paths)
    async with first.run_test(size=(120, 40)) as one, second.run_test(size=(120, 40)) as two:
        view_one = await open_shafaq(first, one, at="political leader")
        view_two = await open_shafaq(second, two)
        await listening(first, one)
        await listening(second, two)
        await one.press("s", "t")
        await pilot_wait_until(one, lambda: isinstance(first.screen, TagDialog), "the tag dialog")
        await one.press(*"actor/Nujaba", "enter")
        await pilot_wait_until(one, lambda: view_one.highlights, "the tag in the first app")
        await pilot_wait_until(two, lambda: spans(view_two) == spans(view_one), "the first app's tag in the second")
        view_two.move_cursor(view_two.text.index("Newsweek"))
        await two.press("s", "1")  # the recent tag, here the first app's
        await pilot_wait_until(two, lambda: len(view_two.highlights) == 2, "the second tag")
        await pilot_wait_until(one, lambda: spans(view_one) == spans(view_two), "the second app's tag in the first")
    assert {a.creator for a in PostgresStore(pg_paths.store).annotations()} == {PostgresStore(pg_paths.store).role}


async def test_a_dropped_live_connection_is_said_and_catches_up(pg_paths, pg_server):
    app = create_app(pg_paths)
    other = PostgresStore(pg_paths.store, creator="bob")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot)
        await listening(app, pilot)
        with pg_server.admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (app.live.listener.backend_pid,))
        await pilot_wait_until(
            pilot,
            lambda: any("Lost the live connection" in t for t in toasts(app)),
            "the app to say it lost the connection",
        )
        text = view.text
        start = text.index("Newsweek")
        other.add(SHAFAQ, text, app.library.index.load(SHAFAQ).sha256, start, start + 8, ["source"])
        await pilot_wait_until(pilot, lambda: (start, start + 8) in spans(view), "the change made while disconnected")
        assert any("Connected to the shared store again" in t for t in toasts(app))


async def test_a_change_made_while_the_server_is_away_is_kept_and_sent_when_it_is_back(pg_paths, pg_server):
    app = create_app(pg_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await listening(app, pilot)
        name = database(pg_paths.store)
        with pg_server.admin() as admin:  # the project's database refuses connections now
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        await pilot.press("s", "t")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, TagDialog), "the tag dialog")
        await pilot.press(*"offline", "enter")
        await pilot_wait_until(
            pilot,
            lambda: any("saved locally, 1 change waiting for the server" in t for t in toasts(app)),
            "the app to say the tag waits for the server",
        )
        assert view.highlights  # shown at once
        assert app.library.store.waiting() == 1
        with pg_server.admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await pilot_wait_until(
            pilot,
            lambda: any("sent 1 change saved locally" in t for t in toasts(app)),
            "the app to send the waiting change once the server is back",
        )
        assert app.library.store.waiting() == 0
    assert [a.tags for a in PostgresStore(pg_paths.store).annotations()] == [("offline",)]
