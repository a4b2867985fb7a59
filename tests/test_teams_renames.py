"""A tag renamed on one branch and used under its old name on another, through real git.

ann renames `actor` to `party` (the store rewrites every file and records the rename in the
codebook); bob, on his clone, tags new passages `actor`: in DOC_A, whose file ann's rename
changed too (git runs the driver on it), and in DOC_B, whose file ann's rename did not touch
(git takes bob's file as it is, no driver). Whichever clone merges the other, the merged project
reads, lists and exports every one of them as `party`, and a later write of a file writes it.
"""

from __future__ import annotations

import csv as csvmod
import io
import json
import shutil

import pytest

from reader.store import AnnotationStore

from test_teams_git import DOC_A, DOC_B, clones, commit_all, git, no_reader_path, reader  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def tag(clone, doc, quote, name, coder) -> None:
    reader(clone, "tag", doc, "--quote", quote, "--occurrence", "1", "--tag", name, "--coder", coder)


def diverge(clones) -> None:
    """DOC_B gets a `place` annotation in the common history; then each coder works alone."""
    ann, bob = clones["ann"], clones["bob"]
    tag(ann, DOC_B, "Baghdad", "place", "lead")
    commit_all(ann, "a place")
    git(ann, "push", "-q", "origin", "main")
    git(bob, "pull", "-q", "--no-rebase", "origin", "main")
    assert AnnotationStore(ann / "annotations", creator="ann").rename_tag("actor", "party") == 1
    commit_all(ann, "actor is party")
    tag(bob, DOC_A, "American bases", "actor", "bob")  # a file ann's rename changed too
    tag(bob, DOC_B, "7 attacks", "actor", "bob")  # a file ann's rename did not touch
    commit_all(bob, "bob tags actors")


def merge(into, other_name: str, clones) -> None:
    other = clones[other_name]
    git(other, "push", "-q", "origin", "main")
    git(into, "fetch", "-q", "origin")
    merged = git(into, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode == 0, merged.stdout + merged.stderr


@pytest.mark.parametrize("order", ["ann merges bob", "bob merges ann"])
def test_a_tag_renamed_on_one_side_and_used_on_the_other_ends_up_renamed(clones, order, tmp_path):
    diverge(clones)
    ann, bob = clones["ann"], clones["bob"]
    into = ann if order == "ann merges bob" else bob
    merge(into, "bob" if into is ann else "ann", clones)
    rows = [json.loads(line) for line in reader(into, "annotations", "--json").stdout.splitlines()]
    assert sorted((r["quote"], tuple(r["tags"])) for r in rows) == [
        ("7 attacks", ("party",)),
        ("Al-Nujaba Movement", ("party",)),
        ("American bases", ("party",)),
        ("Baghdad", ("place",)),
    ]
    tags = {t["name"]: t["count"] for t in map(json.loads, reader(into, "tags", "--json").stdout.splitlines())}
    assert tags == {"party": 3, "place": 1}
    assert "0 conflicts" in reader(into, "annotations", "--conflicts").stdout
    csv = reader(into, "export", "--format", "csv", "--no-bom").stdout
    table = list(csvmod.DictReader(io.StringIO(csv)))
    assert sorted(r["tag"] for r in table) == ["party", "party", "party", "place"], csv
    # the record is in the merged codebook; a file is written renamed at its next change
    codebook = json.loads((into / "annotations" / "codebook.json").read_text())
    assert [(r["from"], r["to"], r["kind"], r["by"]) for r in codebook["renames"]] == [
        ("actor", "party", "rename", "ann")
    ]
    assert [t["name"] for t in codebook["tags"]] == ["party", "place"]
    store = AnnotationStore(into / "annotations", creator="cy")
    (placed,) = store.annotations(DOC_B, tag="place")
    store.edit(placed.id, note="the capital")
    on_disk = json.loads(store.path_of(DOC_B).read_text())
    assert sorted(tuple(a["tags"]) for a in on_disk["annotations"]) == [("party",), ("place",)]
    # tagging with the old name tags the new one
    tag(into, DOC_B, "Baghdad", "actor", "cy")
    assert {tuple(a.tags) for a in AnnotationStore(into / "annotations").annotations()} == {("party",), ("place",)}


def test_renamed_to_different_names_on_both_sides_is_a_conflict_git_shows(clones):
    ann, bob = clones["ann"], clones["bob"]
    AnnotationStore(ann / "annotations", creator="ann").rename_tag("actor", "party")
    commit_all(ann, "actor is party")
    AnnotationStore(bob / "annotations", creator="bob").rename_tag("actor", "militia")
    commit_all(bob, "actor is militia")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode != 0
    assert "tag actor was renamed to militia and to party" in merged.stderr
    assert "annotations/codebook.json" in git(ann, "diff", "--name-only", "--diff-filter=U").stdout


def test_log_names_the_rename_and_a_merge_of_the_other_side_lists_no_edits(clones):
    """`reader log` over the merge: bob's `actor` annotations arrive as `party`, and the rename
    itself is listed once."""
    diverge(clones)
    ann = clones["ann"]
    merge(ann, "bob", clones)
    rows = [json.loads(x) for x in reader(ann, "log", "HEAD~2..HEAD", "--json").stdout.splitlines()]
    assert {"kind": "tag", "change": "tag renamed", "tag": "actor", "to": "party"} in rows
    added = sorted((r["quote"], tuple(r["tags"])) for r in rows if r["kind"] == "annotation")
    assert added == [("7 attacks", ("party",)), ("American bases", ("party",))]
