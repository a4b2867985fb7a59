"""Who may do what on the PostgreSQL store, enforced by the server: each coder a role, row-level
security, a lead for the codebook and the consensus; versions per row; credentials only from
libpq's places; and two processes tagging one document at once."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store.postgres import address
from reader.store.postgres import ChangeRefused, EditConflict, PostgresStore, connect
from reader.store.postgres.schema import grant, migrate

TEXT = "The strike on Ain al-Asad was claimed by Nujaba. Babel was quiet all week."
SHA = "c" * 64


@pytest.fixture
def team(pg_server, pg_url, tmp_path, monkeypatch):
    """Coders `ann` and `bob` and lead `lea` (roles with passwords in a pgpass file), their
    addresses by role."""
    database = address.database(pg_url)
    suffix = database.removeprefix("reader_test_")
    roles = {who: f"{who}_{suffix}" for who in ("ann", "bob", "lea")}
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("".join(f"*:*:*:{r}:pw-{who}\n" for who, r in roles.items()))
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    for who, role in roles.items():
        pg_server.create_role(role, f"pw-{who}")
    with connect(pg_url) as conn:
        migrate(conn)
        for who, role in roles.items():
            grant(conn, role, lead=who == "lea")
    # the roles stay on the throwaway server (roles are the cluster's, named per test)
    return {who: pg_server.url(database, user=role) for who, role in roles.items()} | {"roles": roles}


def test_a_coder_codes_as_their_role_and_the_server_refuses_another_coders_change(team):
    ann = PostgresStore(team["ann"])
    bob = PostgresStore(team["bob"])
    assert ann.creator == team["roles"]["ann"]
    mine = ann.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    bob.refresh()
    with pytest.raises(ChangeRefused, match="refused.*only its own annotations"):
        bob.edit(mine.id, tags=["event/other"])
    with pytest.raises(ChangeRefused):
        bob.delete(mine.id)
    assert PostgresStore(team["ann"]).get(mine.id) == mine
    # the server, not this client: bob's own SQL changes nothing either
    with psycopg.connect(team["bob"], autocommit=True) as conn:
        done = conn.execute("UPDATE annotations SET creator = current_user WHERE id = %s", (mine.id,))
        assert done.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO annotations (id, doc, creator, record) VALUES ('x', 'a.txt', 'someone else', '{}')"
            )
    # pretending to be ann from bob's login is refused too
    as_ann = PostgresStore(team["bob"], creator=team["roles"]["ann"])
    with pytest.raises(ChangeRefused, match="refused"):
        as_ann.add("a.txt", TEXT, SHA, 0, 3, ["event/strike"])
    assert len(PostgresStore(team["lea"]).annotations()) == 1


def test_only_a_lead_changes_the_codebook_and_anyones_annotations(team):
    ann = PostgresStore(team["ann"])
    mine = ann.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])  # a new tag: any coder may
    with pytest.raises(ChangeRefused, match="lead"):
        ann.set_tag("event/strike", color="#00ff00")
    with pytest.raises(ChangeRefused):
        ann.rename_tag("event/strike", "event/attack")
    lea = PostgresStore(team["lea"])
    assert lea.rename_tag("event/strike", "event/attack") == 1
    consensus = lea.edit(mine.id, note="agreed")
    assert PostgresStore(team["ann"]).get(mine.id) == consensus
    assert [t.name for t in PostgresStore(team["ann"]).codebook()] == ["event/attack"]


def test_concurrent_edits_of_one_annotation_are_detected_never_overwritten(team):
    ann = PostgresStore(team["lea"])
    mine = ann.add("a.txt", TEXT, SHA, 4, 10, ["event/strike"])
    first, second = PostgresStore(team["lea"]), PostgresStore(team["lea"])
    assert second.get(mine.id) == mine  # what second's user sees (a document is read when shown)
    theirs = first.edit(mine.id, note="first says")
    with pytest.raises(EditConflict, match="changed on the server since you read it.*first says"):
        second.edit(mine.id, note="second says")
    assert second.get(mine.id) == theirs  # the refusal brought the latest version in
    assert PostgresStore(team["lea"]).get(mine.id).note == "first says"
    assert second.edit(mine.id, note="second, having looked").note == "second, having looked"


def test_credentials_come_only_from_libpq_and_never_show(team, monkeypatch, tmp_path):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(Exception, match="password") as refused:
        PostgresStore(team["ann"])
    assert "pw-ann" not in str(refused.value)
    monkeypatch.setenv("PGPASSWORD", "pw-ann")
    assert PostgresStore(team["ann"]).creator == team["roles"]["ann"]


WRITER = r"""
import sys
from reader.store.postgres import PostgresStore
store = PostgresStore(sys.argv[1])
text = sys.argv[2]
for k in range(int(sys.argv[3])):
    store.add("a.txt", text, "c" * 64, k, k + 2, [f"w/{sys.argv[4]}"])
"""


def test_two_processes_tagging_one_document_at_once_lose_nothing(team):
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, team[who], TEXT, "25", who], stderr=subprocess.PIPE, text=True)
        for who in ("ann", "bob")
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    store = PostgresStore(team["lea"])
    by_coder = {}
    for a in store.annotations("a.txt"):
        by_coder.setdefault(a.creator, []).append(a)
    assert sorted(len(v) for v in by_coder.values()) == [25, 25]
    with psycopg.connect(team["lea"]) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT seq) FROM changes").fetchone() == (50, 50)


def test_a_rename_a_coder_made_offline_is_refused_plainly_and_kept(team, pg_server, tmp_path):
    """Only a lead changes the codebook: a coder's rename made while the server was away is not
    applied when it returns, the coder is told so, and the change is kept aside, not lost."""
    lea = PostgresStore(team["lea"], queue_folder=tmp_path / "lea")
    lea.add("a.txt", TEXT, SHA, 4, 10, ["actor"])
    ann = PostgresStore(team["ann"], queue_folder=tmp_path / "ann")
    ann.annotations()
    pg_server.pause()
    try:
        ann.rename_tag("actor", "party")
        assert ann.waiting() == 1
    finally:
        pg_server.resume()
    with pytest.raises(EditConflict, match="rename tag actor to party") as refused:
        ann.send_waiting()
    assert "kept in" in str(refused.value)
    fresh = PostgresStore(team["lea"], queue_folder=tmp_path / "check")
    assert fresh._renames == () and [t.name for t in fresh.codebook()] == ["actor"]
    aside = list((tmp_path / "ann").glob("*.conflicts.jsonl"))
    assert len(aside) == 1 and '"renames"' in aside[0].read_text()
