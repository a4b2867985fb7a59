"""The PostgreSQL store against a real server (tests/postgres_server.py starts one): the same
behaviour as the JSON folder, through the same API."""

from __future__ import annotations

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store.postgres import PostgresStore, connect
from reader.store.postgres.schema import SCHEMA_VERSION, SchemaError, current_version, migrate

TEXT = "The strike on Ain al-Asad was claimed by Nujaba. Babel was quiet."
SHA = "a" * 64


@pytest.fixture
def pg(pg_url):
    with connect(pg_url) as conn:
        migrate(conn)
    return pg_url


def test_the_server_runs_on_a_unix_socket_as_an_unprivileged_user(pg_server):
    import os
    import psycopg

    with pg_server.admin() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
        data_owner = os.stat(pg_server.data).st_uid
    assert data_owner != 0
    assert pg_server.socket_dir.joinpath(".s.PGSQL.5432").exists()
    pg_server.create_role("nopass_user", "right-password")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(pg_server.url(user="nopass_user"))


def test_a_store_needs_its_schema_first_and_migrate_is_idempotent(pg_url):
    with pytest.raises(SchemaError, match="reader store migrate"):
        PostgresStore(pg_url)
    with connect(pg_url) as conn:
        assert current_version(conn) == 0
        assert [m.version for m in migrate(conn)] == list(range(1, SCHEMA_VERSION + 1))
        assert migrate(conn) == []
        assert current_version(conn) == SCHEMA_VERSION


def test_tags_survive_a_new_client_and_undo_redo(pg):
    store = PostgresStore(pg, creator="ann")
    a = store.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"], note="first")
    store.set_attributes("a.txt", title="A title", outlet="Newsweek")
    other = PostgresStore(pg, creator="bob")
    assert other.get(a.id) == a
    assert other.attributes("a.txt").attributes == {"outlet": "Newsweek"}
    assert [t.name for t in other.codebook()] == ["event/strike"]
    assert store.undo() == "set attributes of a.txt"
    assert store.undo().startswith("add event/strike")
    assert other.refresh() == ["a.txt"]
    assert other.annotations() == []
    store.redo()
    other.refresh()
    assert other.get(a.id) == a


def test_undo_is_per_coder_and_refused_over_another_coders_change(pg):
    from reader.store import UndoConflict

    ann, bob = PostgresStore(pg, creator="ann"), PostgresStore(pg, creator="bob")
    mine = ann.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    theirs = bob.add("a.txt", TEXT, SHA, 14, 20, ["place"])
    assert ann.undo().startswith("add event/strike")  # ann's own step, not bob's later one
    assert [a.id for a in PostgresStore(pg).annotations()] == [theirs.id]
    ann.redo()
    bob.refresh()
    bob.edit(mine.id, note="bob was here")
    with pytest.raises(UndoConflict, match="changed since"):
        ann.undo()
    assert PostgresStore(pg).get(mine.id).note == "bob was here"


def test_re_anchoring_an_edited_text_updates_the_server(pg):
    store = PostgresStore(pg, creator="ann")
    a = store.add("a.txt", TEXT, SHA, TEXT.index("Nujaba"), TEXT.index("Nujaba") + 6, ["actor"])
    edited = "A new first line.\n" + TEXT
    [result] = store.resolve("a.txt", edited, "e" * 64, update=True)
    assert result.status == "moved"
    moved = PostgresStore(pg).get(a.id)
    assert edited[moved.start : moved.end] == "Nujaba" and moved.doc_sha256 == "e" * 64
    assert store.undo().startswith("re-anchor")
    assert PostgresStore(pg).get(a.id) == a
