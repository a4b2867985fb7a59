"""Resolving a merge conflict in the store, in both backends: the annotation becomes the version
picked (or is deleted), the record goes, in one undoable change; undo brings every version back.

The conflicts are made by the real merge driver from two coders' copies of one store; the
PostgreSQL store gets them through `reader store copy` (tests/postgres_server.py's server).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store import AnnotationStore, StoreError, UndoConflict
from reader.store.backends import open_address
from reader.store.copy import copy_store
from reader.store.paths import doc_path
from reader.store.resolving import ConflictNotFound, NoSuchVersion
from reader.teams.merge_driver import main as driver_main

DOC = "news/a.txt"
OTHER = "news/b.txt"
TEXT = "The strike on Ain al-Asad was claimed by Nujaba. Babel was quiet that night."
SHA = "a" * 64


def merge_into(ours: Path, theirs: Path, base: Path, doc: str) -> None:
    """Merge `theirs`' file of `doc` into `ours`' with the real driver (base: the common copy)."""
    files = [doc_path(folder, doc) for folder in (base, ours, theirs)]
    assert driver_main([str(files[0]), str(files[1]), str(files[2]), doc]) == 0


def conflicted(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder where a merge left three conflicts in DOC: `edit` (ann's and bob's tags differ),
    `gone` (ann deleted it, bob edited it) and `both`; OTHER holds a plain annotation."""
    base = tmp_path / "base"
    lead = AnnotationStore(base, creator="lead")
    ids = {
        "edit": lead.add(DOC, TEXT, SHA, 4, 10, ["event"]).id,
        "gone": lead.add(DOC, TEXT, SHA, 14, 25, ["place"]).id,
        "both": lead.add(DOC, TEXT, SHA, 41, 47, ["actor"], note="first").id,
        "plain": lead.add(OTHER, TEXT, SHA, 0, 3, ["word"]).id,
    }
    ours, theirs = tmp_path / "ann", tmp_path / "bob"
    shutil.copytree(base, ours)
    shutil.copytree(base, theirs)
    ann, bob = AnnotationStore(ours, creator="ann"), AnnotationStore(theirs, creator="bob")
    ann.edit(ids["edit"], tags=["event/strike"])
    bob.edit(ids["edit"], tags=["event/attack"])
    ann.delete(ids["gone"])
    bob.edit(ids["gone"], note="an air base")
    ann.edit(ids["both"], note="ann's note")
    bob.edit(ids["both"], tags=["actor/militia"])
    merge_into(ours, theirs, base, DOC)
    return ours, ids


@pytest.fixture(params=["json", "postgresql"])
def open_backend(request, tmp_path):
    """A function opening the conflicted project in the backend (each call: a new client)."""
    folder, ids = conflicted(tmp_path)
    if request.param == "json":
        return (lambda creator="lead": AnnotationStore(folder, creator=creator)), ids, folder
    url = request.getfixturevalue("pg_url")
    copy_store(AnnotationStore(folder), url)
    return (lambda creator="lead": open_address(url, creator=creator)), ids, folder


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted((folder / "docs").rglob("*.json"))}


def test_the_merge_made_three_conflicts(open_backend):
    open_store, ids, _folder = open_backend
    store = open_store()
    assert [c.id for c in store.conflicts()] == sorted([ids["edit"], ids["gone"], ids["both"]])
    assert [c.label for c in store.conflict_choices(store.conflict(ids["edit"]))] == ["ours", "theirs"]


def test_picking_theirs_makes_the_annotation_that_version_and_removes_the_record(open_backend):
    open_store, ids, _folder = open_backend
    store = open_store()
    theirs = store.conflict(ids["edit"]).theirs
    done = store.resolve_conflict(ids["edit"], 2)
    assert done.chosen.annotation == theirs and done.before.tags == ("event/strike",)
    assert store.get(ids["edit"]) == theirs  # exactly bob's version, his `modified` too
    assert ids["edit"] not in [c.id for c in store.conflicts()]
    assert "event/attack" in [t.name for t in store.codebook()]
    again = open_store()  # what was written: a new client reads the same
    assert again.get(ids["edit"]) == theirs
    assert [c.id for c in again.conflicts()] == sorted([ids["gone"], ids["both"]])


def test_undo_brings_the_conflict_and_every_version_back_and_redo_resolves_again(open_backend):
    open_store, ids, folder = open_backend
    store = open_store()
    record = store.conflict(ids["both"])
    before = store.get(ids["both"])
    store.resolve_conflict(ids["both"], 2)
    assert store.undo().startswith("resolve the conflict of")
    assert store.get(ids["both"]) == before
    assert store.conflict(ids["both"]) == record
    assert open_store().conflict(ids["both"]) == record
    assert store.redo()
    assert store.get(ids["both"]) == record.theirs
    assert ids["both"] not in [c.id for c in open_store().conflicts()]


def test_picking_the_deletion_deletes_the_annotation_and_undo_restores_it(open_backend):
    open_store, ids, _folder = open_backend
    store = open_store()
    record = store.conflict(ids["gone"])
    assert record.ours is None  # ann deleted it; the merge kept bob's edit
    kept = store.get(ids["gone"])
    store.resolve_conflict(ids["gone"], 1)
    assert ids["gone"] not in [a.id for a in store.annotations(DOC)]
    assert ids["gone"] not in [a.id for a in open_store().annotations(DOC)]
    store.undo()
    assert store.get(ids["gone"]) == kept and store.conflict(ids["gone"]) == record
    assert open_store().get(ids["gone"]) == kept


def test_picking_ours_keeps_the_annotation_and_only_removes_the_record(open_backend):
    open_store, ids, _folder = open_backend
    store = open_store()
    before = store.get(ids["edit"])
    store.resolve_conflict(ids["edit"], 1)
    assert store.get(ids["edit"]) == before
    assert ids["edit"] not in [c.id for c in open_store().conflicts()]
    store.undo()
    assert ids["edit"] in [c.id for c in open_store().conflicts()]


def test_many_conflicts_resolve_as_one_undo_step(open_backend):
    open_store, ids, _folder = open_backend
    store = open_store()
    picks = [(c.id, 2) for c in store.conflicts()]
    done = store.resolve_conflicts(picks)
    assert len(done) == 3 and not open_store().conflicts()
    assert store.undo() == "resolve 3 merge conflicts"
    assert len(open_store().conflicts()) == 3


def test_unknown_ids_and_versions_change_nothing(open_backend):
    open_store, ids, folder = open_backend
    store = open_store()
    with pytest.raises(ConflictNotFound, match="has no merge conflict"):
        store.resolve_conflict(ids["plain"], 1)
    with pytest.raises(ConflictNotFound):
        store.resolve_conflict("no-such-id", 1)
    for bad in (0, 3, -1):
        with pytest.raises(NoSuchVersion, match="versions 1 to 2"):
            store.resolve_conflict(ids["edit"], bad)
    with pytest.raises(NoSuchVersion):  # one bad pick: none of the others is applied
        store.resolve_conflicts([(ids["both"], 1), (ids["edit"], 5)])
    assert len(open_store().conflicts()) == 3 and not store.can_undo


def test_an_edit_made_after_the_merge_is_a_choice_too(open_backend):
    open_store, ids, _folder = open_backend
    store = open_store()
    edited = store.edit(ids["edit"], note="decided later")
    (record,) = [c for c in store.conflicts() if c.id == ids["edit"]]
    labels = [(c.number, c.label) for c in store.conflict_choices(record)]
    assert labels == [(1, "ours"), (2, "theirs"), (3, "as it is now (edited since the merge)")]
    store.resolve_conflict(ids["edit"], 3)
    assert store.get(ids["edit"]) == edited and ids["edit"] not in [c.id for c in store.conflicts()]
    store.undo()
    assert store.get(ids["edit"]) == edited  # the record back, the edit untouched


def test_a_record_changed_by_another_client_is_not_resolved_by_a_stale_number(open_backend):
    open_store, ids, _folder = open_backend
    store, other = open_store(), open_store()
    store.conflicts()
    other.resolve_conflict(ids["edit"], 2)
    with pytest.raises(StoreError, match="changed since it was read"):
        store.resolve_conflict(ids["edit"], 1)
    assert open_store().get(ids["edit"]).tags == ("event/attack",)  # the other's pick stands
    store.refresh()
    assert ids["edit"] not in [c.id for c in store.conflicts()]


def test_an_undo_over_another_clients_change_is_refused(open_backend):
    open_store, ids, _folder = open_backend
    store, other = open_store(), open_store()
    store.resolve_conflict(ids["both"], 2)
    other.refresh()
    other.edit(ids["both"], note="after")
    with pytest.raises(UndoConflict):
        store.undo()
    assert open_store().get(ids["both"]).note == "after"


def test_the_json_file_after_resolve_and_undo_is_byte_for_byte_the_merged_one(tmp_path):
    folder, ids = conflicted(tmp_path)
    before = folder_bytes(folder)
    store = AnnotationStore(folder, creator="lead")
    store.resolve_conflicts([(c.id, 2) for c in store.conflicts()])
    written = json.loads(doc_path(folder, DOC).read_text())
    assert "conflicts" not in written
    store.undo()
    assert folder_bytes(folder) == before


def test_a_copy_to_the_server_and_back_keeps_the_records_byte_for_byte(tmp_path, pg_url):
    folder, ids = conflicted(tmp_path)
    before = folder_bytes(folder)
    copy_store(AnnotationStore(folder), pg_url)
    server = open_address(pg_url, creator="lead")
    server.resolve_conflict(ids["edit"], 2)
    server.undo()
    back = tmp_path / "back"
    copy_store(open_address(pg_url), back)
    assert folder_bytes(back) == before
    server.resolve_conflict(ids["edit"], 2)
    local = AnnotationStore(folder, creator="lead")
    local.resolve_conflict(ids["edit"], 2)
    back2 = tmp_path / "back2"
    copy_store(open_address(pg_url), back2)
    assert folder_bytes(back2) == folder_bytes(folder)


def test_another_client_sees_a_resolution_when_it_catches_up(tmp_path, pg_url):
    folder, ids = conflicted(tmp_path)
    copy_store(AnnotationStore(folder), pg_url)
    watcher = open_address(pg_url, creator="lead")
    assert len(watcher.conflicts()) == 3
    open_address(pg_url, creator="lead").resolve_conflict(ids["edit"], 2)
    assert DOC in watcher.refresh()
    assert ids["edit"] not in [c.id for c in watcher.conflicts()]
    assert watcher.get(ids["edit"]).tags == ("event/attack",)
