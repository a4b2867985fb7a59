"""Opening a server store reads summaries, not every annotation: a document's rows are read,
in bulk, when something asks for its annotations (reader/store/postgres/summaries.py), and
every answer is the one a full read gives."""

from __future__ import annotations

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store.postgres import PostgresStore, connect, rows
from reader.store.postgres.schema import migrate

TEXT = "The strike on Ain al-Asad was claimed by Nujaba. Babel was quiet all week long."
SHA = "e" * 64


@pytest.fixture
def project(pg_url):
    with connect(pg_url) as conn:
        migrate(conn)
    ann = PostgresStore(pg_url, creator="ann")
    bob = PostgresStore(pg_url, creator="bob")
    for n in range(3):
        ann.add(f"d{n}.txt", TEXT, SHA, 4, 10, ["event/strike"])
        bob.add(f"d{n}.txt", TEXT, SHA, 14 + n, 25, ["place", "event/strike"], note=f"n{n}")
    ann.set_attributes("d9.txt", title="Only attributes")
    return pg_url


@pytest.fixture
def parses(monkeypatch):
    seen: list[str] = []
    real = rows.add_annotation

    def counting(f, record):
        seen.append(f.doc)
        real(f, record)

    monkeypatch.setattr(rows, "add_annotation", counting)
    return seen


def test_opening_reads_no_annotation_and_answers_from_summaries(project, parses):
    store = PostgresStore(project, creator="cy")
    assert store.documents() == ["d0.txt", "d1.txt", "d2.txt", "d9.txt"]
    assert store.counts() == {"d0.txt": 2, "d1.txt": 2, "d2.txt": 2}
    assert store.counts(coders=["bob"]) == {"d0.txt": 1, "d1.txt": 1, "d2.txt": 1}
    assert store.tag_counts() == {"event/strike": 6, "place": 3}
    assert [t.name for t in store.tags()] == ["event/strike", "place"]
    assert store.attributes("d9.txt").title == "Only attributes"
    assert parses == []
    assert [a.note for a in store.annotations("d1.txt")] == ["", "n1"]
    assert parses == ["d1.txt", "d1.txt"]  # that document only, once
    store.annotations("d1.txt")
    assert len(parses) == 2


def test_a_lazy_store_changes_and_catches_up_like_a_full_one(project, parses):
    store = PostgresStore(project, creator="ann")
    other = PostgresStore(project, creator="bob")
    added = store.add("d0.txt", TEXT, SHA, 30, 40, ["actor"])  # the document is read first
    assert len(store.annotations("d0.txt")) == 3
    target = next(a for a in other.annotations("d2.txt") if a.creator == "bob")
    other.edit(target.id, note="edited")
    assert store.refresh() == ["d2.txt"]
    assert {a.note for a in store.annotations("d2.txt")} == {"", "edited"}
    assert store.rename_tag("place", "location") == 3  # touches documents never read
    fresh = PostgresStore(project)
    assert fresh.tag_counts() == {"actor": 1, "event/strike": 6, "location": 3}
    assert fresh.get(added.id) == added
    assert sorted(a.id for a in fresh.annotations()) == sorted(a.id for a in store.annotations())
