"""The server keeps each document's content hash; a coder whose copy differs is warned, on open
(the app) and before tagging (`reader tag`), and cannot make their copy the team's."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest
from click.testing import CliRunner

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.app import create_app
from reader.cli import main
from reader.store.postgres import PostgresStore, connect
from reader.store.postgres.schema import migrate

from test_app import SHAFAQ
from test_cli import corpus_args  # noqa: F401  (a fixture: the seeds copied, folders in tmp_path)
from test_store_postgres_rights import team  # noqa: F401  (a fixture: coders as roles)
from test_tagging import open_shafaq

SHA, OTHER = "a" * 64, "b" * 64


@pytest.fixture
def pg(pg_url):
    with connect(pg_url) as conn:
        migrate(conn)
    return pg_url


def test_the_first_copy_is_registered_and_a_different_one_is_warned_about(pg):
    ann = PostgresStore(pg, creator="ann")
    assert ann.copy_warning("a.txt", SHA) is None  # registered now
    assert ann.copy_warning("a.txt", SHA) is None
    bob = PostgresStore(pg, creator="bob")
    warning = bob.copy_warning("a.txt", OTHER)
    assert warning is not None
    assert "your copy of a.txt differs from the one this project's server knows" in warning
    assert "aaaaaaaaaaaa" in warning and "bbbbbbbbbbbb" in warning
    assert bob.copy_warning("a.txt", OTHER) is not None  # said every time, never adopted
    assert bob.copy_warning("b.txt", OTHER) is None  # another document: its own hash


def test_only_a_lead_may_change_a_registered_hash(team):  # noqa: F811
    PostgresStore(team["ann"]).copy_warning("a.txt", SHA)
    with psycopg.connect(team["bob"], autocommit=True) as conn:
        assert conn.execute("UPDATE texts SET sha256 = %s", (OTHER,)).rowcount == 0
        assert conn.execute("DELETE FROM texts").rowcount == 0
    with psycopg.connect(team["lea"], autocommit=True) as conn:
        assert conn.execute("UPDATE texts SET sha256 = %s", (OTHER,)).rowcount == 1
    assert PostgresStore(team["bob"]).copy_warning("a.txt", OTHER) is None


async def test_the_app_warns_on_open_when_the_copy_differs(seed_paths, pg):
    PostgresStore(pg, creator="ann").copy_warning(SHAFAQ, OTHER)  # someone else's copy came first
    app = create_app(replace(seed_paths, store=pg))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot)
        problems = app.screen.opened.problems
        assert any(f"Your copy of {SHAFAQ} differs" in p for p in problems)
        assert app.screen.query_one("#doc-warning").display


def test_reader_tag_warns_before_tagging_a_different_copy(corpus_args, pg):  # noqa: F811
    args = [*corpus_args[:2], *corpus_args[4:], "--store", pg]
    doc = "003_c50da1745df50ef1.txt"
    PostgresStore(pg, creator="ann").copy_warning(doc, OTHER)
    result = CliRunner().invoke(main, ["tag", doc, "--quote", "Nujaba", "--occurrence", "1", "--tag", "actor", *args])
    assert result.exit_code == 0, result.output
    assert f"reader: warning: your copy of {doc} differs" in result.stderr
    assert [a.tags for a in PostgresStore(pg).annotations(doc)] == [("actor",)]  # warned, still tagged
    clean = CliRunner().invoke(main, ["tag", "001_f1d61bf84ce1f504.txt", "--span", "0:5", "--tag", "x", *args])
    assert clean.exit_code == 0 and "differs" not in clean.stderr
