"""`reader resolve`: pick a version of a conflict a real git merge made, with the real CLI.

Two clones (tests/test_teams_git.py's `clones`), both coders edit one annotation, one merges the
other with git (the driver records the conflict), then `reader annotations --conflicts` numbers
the versions and `reader resolve ID --version N` keeps one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store import AnnotationStore
from test_teams_git import DOC_A, DOC_B, clones, commit_all, git, no_reader_path, reader  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def merged_conflict(clones) -> tuple[Path, Path, str]:
    """ann tags the shared annotation actor/militia, bob gives it a note; ann merges bob."""
    ann, bob = clones["ann"], clones["bob"]
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    AnnotationStore(ann / "annotations", creator="ann").edit(shared, tags=["actor/militia"])
    AnnotationStore(bob / "annotations", creator="bob").edit(shared, note="a faction, not a party")
    commit_all(ann, "ann edits")
    commit_all(bob, "bob edits")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode == 0, merged.stderr
    return ann, bob, shared


def files(clone: Path) -> dict[str, bytes]:
    folder = clone / "annotations"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def test_the_listing_numbers_the_versions_and_resolve_keeps_the_one_picked(clones):
    ann, bob, shared = merged_conflict(clones)
    listed = reader(ann, "annotations", "--conflicts").stdout
    assert "  version 1 (ours)\tactor/militia\t" in listed
    assert "  version 2 (theirs)\tactor\t" in listed and "a faction, not a party" in listed
    assert "reader resolve ID --version N" in listed
    (row,) = [json.loads(line) for line in reader(ann, "annotations", "--conflicts", "--json").stdout.splitlines()]
    assert [(c["number"], c["label"]) for c in row["choices"]] == [(1, "ours"), (2, "theirs")]
    assert row["choices"][1]["annotation"] == row["theirs"]

    done = reader(ann, "resolve", shared, "--version", "2", "--coder", "ann")
    assert f"resolved\t{DOC_A}\t{shared}\tversion 2 (theirs)\tactor\t“Al-Nujaba Movement”\tanchored" in done.stdout
    assert "1 conflict resolved" in done.stdout
    assert "0 conflicts" in reader(ann, "annotations", "--conflicts").stdout
    (now,) = [json.loads(line) for line in reader(ann, "annotations", "--json", "--doc", DOC_A).stdout.splitlines()]
    assert now["note"] == "a faction, not a party" and now["tags"] == ["actor"]

    # bob's branch already has that version: merging ann's resolution back gives no conflict
    commit_all(ann, "resolved")
    git(ann, "push", "-q", "origin", "main")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", path=no_reader_path())
    assert "0 conflicts" in reader(bob, "annotations", "--conflicts").stdout
    assert files(bob) == files(ann)


def test_bad_input_exits_2_and_changes_nothing(clones):
    ann, _bob, shared = merged_conflict(clones)
    before = files(ann)
    other = reader(ann, "tag", DOC_B, "--quote", "Baghdad", "--occurrence", "1", "--tag", "place", "--coder", "ann")
    before = files(ann)
    plain = other.stdout.split("\t")[0]
    cases = [
        (["resolve", "nope", "--version", "1"], "annotation 'nope' has no merge conflict to resolve"),
        (["resolve", plain, "--version", "1"], "has no merge conflict"),
        (["resolve", shared, "--version", "3"], "has versions 1 to 2, not 3"),
        (["resolve", shared, "--version", "0"], "has versions 1 to 2, not 0"),
        (["resolve", shared], "with --version N: 1 (ours), 2 (theirs)"),
        (["resolve"], "give ANN_ID --version N, or --all-ours / --all-theirs"),
        (["resolve", "--all-ours", "--all-theirs"], "give one of --all-ours and --all-theirs"),
        (["resolve", shared, "--all-ours"], "give no ANN_ID nor --version"),
        (["resolve", shared, "--version", "1", "--doc", DOC_A], "--doc goes with --all-ours/--all-theirs"),
    ]
    for args, message in cases:
        done = reader(ann, *args, check=False)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert done.stdout == ""
    assert files(ann) == before


def test_all_theirs_keeps_a_deletion_and_json_says_so(clones):
    """ann edits the shared annotation, bob deletes it: theirs is the deletion."""
    ann, bob = clones["ann"], clones["bob"]
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    AnnotationStore(ann / "annotations", creator="ann").edit(shared, tags=["actor/militia"])
    reader(ann, "tag", DOC_A, "--quote", "American bases", "--tag", "target", "--coder", "ann")
    AnnotationStore(bob / "annotations", creator="bob").delete(shared)
    reader(bob, "tag", DOC_A, "--quote", "truce", "--occurrence", "1", "--tag", "event", "--coder", "bob")
    commit_all(ann, "ann edits")
    commit_all(bob, "bob deletes")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    assert git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path()).returncode == 0
    (row,) = [json.loads(line) for line in reader(ann, "annotations", "--conflicts", "--json").stdout.splitlines()]
    assert row["theirs"] is None
    done = reader(ann, "resolve", "--all-theirs", "--json", "--coder", "ann")
    (out,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert out == {
        "doc": DOC_A,
        "id": shared,
        "version": 2,
        "label": "theirs",
        "deleted": True,
        "annotation": None,
        "status": None,
    }
    quotes = sorted(json.loads(line)["quote"] for line in reader(ann, "annotations", "--json").stdout.splitlines())
    assert quotes == ["American bases", "truce"]
    again = reader(ann, "resolve", "--all-theirs")
    assert again.stdout.strip() == "0 conflicts resolved"


def test_a_version_whose_text_moved_is_placed_as_any_annotation_is(clones):
    ann, _bob, shared = merged_conflict(clones)
    doc = ann / "corpus" / DOC_A
    doc.write_text("A new first paragraph.\n\n" + doc.read_text("utf-8"), "utf-8")
    done = reader(ann, "resolve", shared, "--version", "2", "--json")
    (out,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert out["status"] == "moved" and out["annotation"]["tags"] == ["actor"]
    (now,) = [json.loads(line) for line in reader(ann, "annotations", "--json", "--doc", DOC_A).stdout.splitlines()]
    assert now["status"] == "moved" and now["text"] == "Al-Nujaba Movement" and now["note"] == "a faction, not a party"


def test_resolve_is_a_known_command_of_the_lazy_map():
    from reader.cli.root import COMMAND_HOMES

    assert COMMAND_HOMES["resolve"] == "reader.cli.teams"


def test_resolve_on_a_postgresql_store(clones, request):
    """The merged project copied to the server (`reader store copy`): the same listing and
    resolution through `--store`, and the copy back to a folder equals the folder resolved."""
    url = request.getfixturevalue("pg_url")
    ann, _bob, shared = merged_conflict(clones)
    reader(ann, "store", "copy", "--to", url)
    listed = reader(ann, "annotations", "--conflicts", "--store", url).stdout
    assert "  version 2 (theirs)\tactor\t" in listed
    done = reader(ann, "resolve", shared, "--version", "2", "--store", url)
    assert "1 conflict resolved" in done.stdout
    assert "0 conflicts" in reader(ann, "annotations", "--conflicts", "--store", url).stdout
    reader(ann, "resolve", shared, "--version", "2", "--coder", "ann")
    back = ann.parent / "back"
    reader(ann, "store", "copy", "--store", url, "--to", str(back))
    folder = ann / "annotations"
    assert {str(p.relative_to(back)): p.read_bytes() for p in sorted(back.rglob("*.json"))} == {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))
    }


def test_an_export_over_unresolved_conflicts_says_so_and_not_once_they_are_resolved(clones, tmp_path):
    ann, _bob, shared = merged_conflict(clones)
    out = tmp_path / "out.csv"
    before = reader(ann, "export", "--format", "csv", "-o", str(out))
    assert before.returncode == 0
    assert "warning: 1 unresolved merge conflict(s)" in before.stderr and "reader resolve" in before.stderr
    other = reader(ann, "export", "--format", "csv", "-o", str(out), "--doc", DOC_B)
    assert "unresolved merge conflict" not in other.stderr  # the conflict is in DOC_A
    reader(ann, "resolve", shared, "--version", "1", "--coder", "ann")
    after = reader(ann, "export", "--format", "csv", "-o", str(out))
    assert after.returncode == 0 and "unresolved merge conflict" not in after.stderr


def renamed_conflict(clones) -> tuple[Path, str]:
    """ann renames `actor` to `party` (rewriting the shared annotation), bob gives it a note
    under its old name; ann merges bob: the conflict's version 2 is bob's, tagged `actor`."""
    ann, bob = clones["ann"], clones["bob"]
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    assert AnnotationStore(ann / "annotations", creator="ann").rename_tag("actor", "party") == 1
    AnnotationStore(bob / "annotations", creator="bob").edit(shared, note="a faction, not a party")
    commit_all(ann, "actor is party")
    commit_all(bob, "bob's note")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode == 0, merged.stderr
    return ann, shared


def test_a_conflicts_versions_read_through_the_record_of_renames(clones):
    """Every version of a conflict shows and resolves under the tag's surviving name."""
    ann, shared = renamed_conflict(clones)
    listed = reader(ann, "annotations", "--conflicts").stdout
    assert "  version 2 (theirs)\tparty\t" in listed and "\tactor\t" not in listed, listed
    (row,) = [json.loads(line) for line in reader(ann, "annotations", "--conflicts", "--json").stdout.splitlines()]
    assert [c["annotation"]["tags"] for c in row["choices"]] == [["party"], ["party"]]
    assert row["base"]["tags"] == ["party"] and row["theirs"]["tags"] == ["party"]
    done = reader(ann, "resolve", shared, "--version", "2", "--coder", "ann")
    assert "version 2 (theirs)\tparty\t" in done.stdout
    (now,) = [json.loads(line) for line in reader(ann, "annotations", "--json", "--doc", DOC_A).stdout.splitlines()]
    assert now["note"] == "a faction, not a party" and now["tags"] == ["party"]
    tags = {t["name"] for t in map(json.loads, reader(ann, "tags", "--json").stdout.splitlines())}
    assert "actor" not in tags


def test_a_conflict_on_postgresql_reads_through_a_rename_made_there(clones, request):
    """A conflicted project copied to the server, `actor` renamed there: the listing of this
    client and of a fresh one, and the resolution, say `party`."""
    from reader.store.postgres import PostgresStore

    url = request.getfixturevalue("pg_url")
    ann, _bob, shared = merged_conflict(clones)
    reader(ann, "store", "copy", "--to", url)
    store = PostgresStore(url, creator="ann", queue_folder=ann.parent / "q")
    store.conflicts()
    store.rename_tag("actor", "party")
    assert [v.tags for v in store.conflict(shared).versions] == [("party/militia",), ("party",)]
    listed = reader(ann, "annotations", "--conflicts", "--store", url).stdout
    assert "  version 2 (theirs)\tparty\t" in listed and "\tactor" not in listed, listed
    done = reader(ann, "resolve", shared, "--version", "2", "--store", url)
    assert "version 2 (theirs)\tparty\t" in done.stdout
