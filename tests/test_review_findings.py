"""Bugs found by the review of 62dfa16..main (2026-12-03): merge conflicts and renames of tags.
The decision that fixed them: a conflict's versions are kept as written on disk and read through
the record of renames only when they are shown or resolved, in both backends
(reader/store/resolving.py `_conflicts_shown`)."""

from __future__ import annotations

from reader.store import AnnotationStore

from test_store_resolve import DOC, conflicted, folder_bytes


def test_a_rename_in_this_store_shows_the_conflicts_versions_under_the_new_name(tmp_path):
    """The PostgreSQL store re-reads its conflicts through the record when a rename changes it
    (postgres/reading.py `_set_codebook`); the folder store does not: after `rename_tag` in the
    same session, `conflict()` still lists the old name (a fresh store lists the new one)."""
    folder, ids = conflicted(tmp_path)
    store = AnnotationStore(folder, creator="lead")
    store.rename_tag("actor", "party")
    fresh = [v.tags for v in AnnotationStore(folder).conflict(ids["both"]).versions]
    assert fresh == [("party",), ("party/militia",)]
    assert [v.tags for v in store.conflict(ids["both"]).versions] == fresh


def test_undoing_a_rename_gives_the_conflicts_versions_their_names_back(tmp_path):
    """A conflict's versions are read through the record of renames (2ccc2fe) and written back
    that way by any later write of the file (here another coder's edit of another annotation of
    the document), so the versions on disk are rewritten by the rename, which the record says
    never happens; undoing the rename then leaves them under a name that no longer exists."""
    folder, ids = conflicted(tmp_path)
    first = AnnotationStore(folder, creator="lead")
    first.rename_tag("actor", "party")
    AnnotationStore(folder, creator="bob").edit(ids["edit"], note="any write of this file")
    assert first.undo() == "rename tag actor to party"
    fresh = AnnotationStore(folder)
    assert "party" not in {t.name for t in fresh.tags()}
    assert [v.tags for v in fresh.conflict(ids["both"]).versions] == [("actor",), ("actor/militia",)]


def test_resolving_after_a_rename_picks_the_new_name_and_its_undo_puts_the_record_back_as_written(tmp_path):
    """The chosen version becomes the annotation under the surviving name, while the change
    that removes the record carries it as written: undoing the resolution gives the file back
    byte for byte, the versions still under the old name on disk."""
    folder, ids = conflicted(tmp_path)
    store = AnnotationStore(folder, creator="lead")
    store.rename_tag("actor", "party")
    renamed = folder_bytes(folder)
    assert b'"actor/militia"' in b"".join(renamed.values())  # the record is not rewritten
    done = store.resolve_conflict(ids["both"], 2)
    assert done.chosen.annotation is not None and done.chosen.annotation.tags == ("party/militia",)
    for client in (store, AnnotationStore(folder)):
        assert [a.tags for a in client.annotations(DOC) if a.id == ids["both"]] == [("party/militia",)]
    assert (store.undo() or "").startswith("resolve the conflict of")
    assert folder_bytes(folder) == renamed
    assert [v.tags for v in AnnotationStore(folder).conflict(ids["both"]).versions] == [("party",), ("party/militia",)]
