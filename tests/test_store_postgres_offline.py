"""Changes made while the PostgreSQL server is down: kept on disk, sent in order when it is back,
never written over someone else's change (reader/store/postgres/offline.py). The server is
really stopped and started (its own server: the session's is shared with other tests)."""

from __future__ import annotations

import json

import pytest

from postgres_server import start_server
from reader.store.errors import StoreError, StoreWriteError
from reader.store.postgres import EditConflict, PostgresStore, connect
from reader.store.postgres.schema import migrate

TEXT = "The strike on Ain al-Asad was claimed by Nujaba. Babel was quiet."
SHA = "a" * 64


@pytest.fixture(scope="module")
def server():
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db(server):
    name = server.create_database()
    url = server.url(name)
    with connect(url) as conn:
        migrate(conn)
    try:
        yield url
    finally:
        if not server.socket_dir.joinpath(".s.PGSQL.5432").exists():
            server.resume()
        server.drop_database(name)


def test_changes_made_while_the_server_is_down_are_kept_and_sent_in_order(server, db, tmp_path):
    store = PostgresStore(db, creator="ann", queue_folder=tmp_path / "q")
    first = store.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    server.pause()
    try:
        second = store.add("a.txt", TEXT, SHA, 14, 25, ["place"])  # not refused: queued
        assert store.waiting() == 1
        edited = store.edit(second.id, tags=["place/base"])
        store.delete(first.id)
        assert store.waiting() == 3
        assert [a.id for a in store.annotations("a.txt")] == [second.id]  # shown at once
        assert store.get(second.id).tags == ("place/base",)
        with pytest.raises(StoreError):
            PostgresStore(db, queue_folder=tmp_path / "q")  # a new client cannot open...
        queued = (tmp_path / "q").glob("*.jsonl")
        lines = [json.loads(line) for path in queued for line in path.read_text().splitlines()]
        assert [e["entry"]["description"].split()[0] for e in lines] == ["add", "edit", "delete"]
    finally:
        server.resume()
    assert store.waiting() == 3
    report = store.send_waiting()
    assert report.sent == 3 and store.waiting() == 0
    fresh = PostgresStore(db, creator="bob", queue_folder=tmp_path / "other")
    assert [a for a in fresh.annotations("a.txt")] == [edited]
    assert fresh.get(second.id).tags == ("place/base",)
    assert [t.name for t in fresh.codebook()] == ["event/strike", "place", "place/base"]
    # the client goes on normally: its next edit is made over the version it sent
    store.edit(second.id, note="checked")
    fresh.refresh()
    assert fresh.get(second.id).note == "checked"


def test_a_queued_edit_is_not_written_over_a_change_made_meanwhile(server, db, tmp_path):
    ann = PostgresStore(db, creator="ann", queue_folder=tmp_path / "ann")
    lead = PostgresStore(db, creator="ann", queue_folder=tmp_path / "lead")
    a = ann.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    keep = ann.add("a.txt", TEXT, SHA, 30, 40, ["actor"])
    lead.refresh()
    server.pause()
    try:
        ann.edit(a.id, note="offline note")
        ann.edit(keep.id, note="offline too")
    finally:
        server.resume()
    lead.edit(a.id, note="the lead's note")  # made on the server while ann's edit waited
    with pytest.raises(EditConflict, match=f"annotation {a.id} in a.txt was changed on the server") as caught:
        ann.send_waiting()
    assert "kept in" in str(caught.value)
    assert ann.waiting() == 0
    assert ann.get(a.id).note == "the lead's note"  # theirs stands, memory shows it
    check = PostgresStore(db, queue_folder=tmp_path / "check")
    assert check.get(a.id).note == "the lead's note"
    assert check.get(keep.id).note == "offline too"  # the change that did not conflict went in
    aside = list((tmp_path / "ann").glob("*.conflicts.jsonl"))
    assert len(aside) == 1
    kept = json.loads(aside[0].read_text().splitlines()[0])["entry"]
    assert kept["anns"][0][3]["note"] == "offline note"  # nothing of ann's is lost


def test_the_next_change_sends_what_waits_first_and_says_so(server, db, tmp_path):
    store = PostgresStore(db, creator="ann", queue_folder=tmp_path / "q")
    store.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    server.pause()
    try:
        store.add("a.txt", TEXT, SHA, 14, 25, ["place"])
    finally:
        server.resume()
    store.add("a.txt", TEXT, SHA, 30, 40, ["actor"])
    assert store.waiting() == 0
    assert store.take_notices() == ["sent 1 change saved locally while the server could not be reached"]
    with connect(db) as conn:
        log = [r[0] for r in conn.execute("SELECT description FROM changes ORDER BY seq")]
    assert [d.split()[1] for d in log] == ["event/strike", "place", "actor"]


def test_a_queue_survives_the_process_and_a_torn_last_line(server, db, tmp_path):
    store = PostgresStore(db, creator="ann", queue_folder=tmp_path / "q")
    store.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    server.pause()
    try:
        store.add("a.txt", TEXT, SHA, 14, 25, ["place"])
        store.close()  # the app ends while the server is still away
        (queue,) = (tmp_path / "q").glob("*[0-9a-f].jsonl")
        with open(queue, "ab") as out:
            out.write(b'{"sum": "torn')  # a crash while appending: never acknowledged
        with pytest.raises(StoreError, match="1 change saved locally, waiting for it"):
            PostgresStore(db, queue_folder=tmp_path / "q")
    finally:
        server.resume()
    again = PostgresStore(db, creator="ann", queue_folder=tmp_path / "q")  # opening sends it
    assert sorted(t for a in again.annotations() for t in a.tags) == ["event/strike", "place"]
    assert again.waiting() == 0


def test_a_store_that_never_reached_the_server_still_says_nothing_was_saved(server, db, tmp_path):
    server.pause()
    try:
        with pytest.raises(StoreError, match="cannot connect"):
            PostgresStore(db, queue_folder=tmp_path / "q")
    finally:
        server.resume()
    store = PostgresStore(db, queue_folder=tmp_path / "q")
    store._queue.folder = tmp_path / "q" / "missing" / "deeper"
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "missing").write_text("a file where the folder should be")
    server.pause()
    try:
        with pytest.raises(StoreWriteError, match="nothing was saved"):
            store.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
        assert store.annotations() == []
    finally:
        server.resume()


def test_reader_store_send_sends_what_waits_and_sets_conflicts_aside(server, db, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from reader.cli import main
    from reader.paths import user_data_dir

    queue = user_data_dir() / "offline"  # the folder a command uses (READER_DATA_DIR in the tests)
    ann = PostgresStore(db, creator="ann", queue_folder=queue)
    a = ann.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    server.pause()
    try:
        ann.add("a.txt", TEXT, SHA, 14, 25, ["place"])
        ann.edit(a.id, note="offline")
    finally:
        server.resume()
    PostgresStore(db, creator="ann", queue_folder=tmp_path / "lead").edit(a.id, note="meanwhile")
    monkeypatch.setenv("READER_STORE", db)
    result = CliRunner().invoke(main, ["store", "send"], catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert "sent 1 change saved locally" in result.stderr
    assert "1 change made while the server could not be reached conflicted" in result.stderr
    assert "1 change sent, 1 change set aside; 0 changes waiting for the server" in result.stdout
    again = CliRunner().invoke(main, ["store", "send"], catch_exceptions=False)
    assert again.exit_code == 0 and "0 changes sent, 0 changes set aside; 0 changes waiting" in again.stdout
    tags = CliRunner().invoke(main, ["tags", "--json"], catch_exceptions=False)
    assert {json.loads(line)["name"] for line in tags.stdout.splitlines()} == {"event/strike", "place"}


def test_a_merge_conflict_is_not_resolved_while_the_server_is_down(server, db, tmp_path):
    """The record lives on the server: resolving it offline is refused, nothing queued or lost."""
    from test_store_resolve import conflicted

    from reader.store import AnnotationStore
    from reader.store.copy import copy_store

    folder, ids = conflicted(tmp_path)
    copy_store(AnnotationStore(folder), db)
    store = PostgresStore(db, creator="lead", queue_folder=tmp_path / "q")
    records = store.conflicts()
    server.pause()
    try:
        with pytest.raises(StoreWriteError, match="resolved on the server only .*; nothing was saved"):
            store.resolve_conflict(ids["edit"], 2)
        assert store.waiting() == 0 and store.conflicts() == records and not store.can_undo
    finally:
        server.resume()
    assert PostgresStore(db, creator="lead", queue_folder=tmp_path / "q").conflicts() == records


def test_a_rename_made_while_the_server_is_down_reaches_it_with_its_record(server, db, tmp_path):
    """The rename's record (reader/store/renames.py) travels in the queue: once sent, every
    client reads the rename, and tagging with the old name tags the new one."""
    store = PostgresStore(db, creator="ann", queue_folder=tmp_path / "q")
    first = store.add("a.txt", TEXT, SHA, 4, 10, ["actor"])
    store.annotations()  # every document read: a rename needs them all
    server.pause()
    try:
        assert store.rename_tag("actor", "party") == 1
        assert store.waiting() == 1
    finally:
        server.resume()
    assert store.send_waiting().sent == 1
    fresh = PostgresStore(db, creator="bob", queue_folder=tmp_path / "bob")
    assert [(e.old, e.new, e.kind) for e in fresh._renames] == [("actor", "party", "rename")]
    assert fresh.get(first.id).tags == ("party",)
    later = fresh.add("a.txt", TEXT, SHA, 14, 25, ["actor"])
    assert later.tags == ("party",)
    assert [t.name for t in fresh.codebook()] == ["party"]


def test_a_tag_used_offline_under_a_name_renamed_meanwhile_arrives_renamed(server, db, tmp_path):
    """bob tags `actor` while the server is away; ann renames `actor` to `party` on the server
    meanwhile: bob's annotation arrives as `party`, and `actor` does not come back as a tag."""
    ann = PostgresStore(db, creator="ann", queue_folder=tmp_path / "ann")
    bob = PostgresStore(db, creator="bob", queue_folder=tmp_path / "bob")
    ann.add("a.txt", TEXT, SHA, 4, 10, ["actor"])
    bob.refresh()
    bob.annotations()
    server.pause()
    try:
        queued = bob.add("a.txt", TEXT, SHA, 14, 25, ["actor"])
    finally:
        server.resume()
    ann.rename_tag("actor", "party")
    bob.send_waiting()
    check = PostgresStore(db, queue_folder=tmp_path / "check")
    assert check.get(queued.id).tags == ("party",)
    assert [t.name for t in check.codebook()] == ["party"]
    assert bob.get(queued.id).tags == ("party",)
