"""The record of renames on PostgreSQL (schema 5, the `renames` table) as every client sees it:
after its own rename and its undo, after another client's, after a dropped connection, and on a
fresh open; tagging with the old name tags the new one in each case (reader/store/renames.py)."""

from __future__ import annotations

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store.postgres import PostgresStore, connect
from reader.store.postgres.schema import migrate

TEXT = "The strike on Ain al-Asad was claimed by Nujaba. Babel was quiet."
SHA = "a" * 64


@pytest.fixture
def url(pg_url):
    with connect(pg_url) as conn:
        migrate(conn)
    return pg_url


def names(store: PostgresStore) -> list[tuple[str, str, str]]:
    return [(e.old, e.new, e.kind) for e in store._renames]


def test_every_client_sees_the_current_record(url, tmp_path):
    ann = PostgresStore(url, creator="ann", queue_folder=tmp_path / "ann")
    bob = PostgresStore(url, creator="bob", queue_folder=tmp_path / "bob")
    first = ann.add("a.txt", TEXT, SHA, 4, 10, ["actor"])
    bob.refresh()
    # its own change
    assert ann.rename_tag("actor", "party") == 1
    assert names(ann) == [("actor", "party", "rename")]
    assert ann.add("a.txt", TEXT, SHA, 14, 25, ["actor"]).tags == ("party",)
    # another's, caught up by refresh and by the next change without one
    bob.refresh()
    assert names(bob) == [("actor", "party", "rename")]
    assert bob.get(first.id).tags == ("party",)
    # a fresh open
    assert names(PostgresStore(url, queue_folder=tmp_path / "cy")) == [("actor", "party", "rename")]
    # its own undo takes the entry away, here and for the others
    ann.undo()
    ann.undo()
    assert names(ann) == []
    bob.refresh()
    assert names(bob) == [] and bob.get(first.id).tags == ("actor",)
    assert names(PostgresStore(url, queue_folder=tmp_path / "cy")) == []


def test_a_client_whose_connection_dropped_catches_up_with_a_merge(url, tmp_path):
    ann = PostgresStore(url, creator="ann", queue_folder=tmp_path / "ann")
    bob = PostgresStore(url, creator="bob", queue_folder=tmp_path / "bob")
    ann.add("a.txt", TEXT, SHA, 4, 10, ["actor"])
    ann.add("a.txt", TEXT, SHA, 14, 25, ["militia"])
    bob.annotations()
    with connect(url) as admin:  # bob's connection is cut
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND datname = current_database() AND application_name = 'reader'"
        )
    ann = PostgresStore(url, creator="ann", queue_folder=tmp_path / "ann")
    ann.annotations()
    assert ann.merge_tags(["militia"], "actor") == 1
    # bob's next change reconnects and catches up first: his `militia` is `actor`
    later = bob.add("a.txt", TEXT, SHA, 30, 40, ["militia"])
    assert later.tags == ("actor",)
    assert names(bob) == [("militia", "actor", "merge")]
    assert sorted(a.tags for a in bob.annotations()) == [("actor",), ("actor",), ("actor",)]
    assert [t.name for t in bob.codebook()] == ["actor"]
