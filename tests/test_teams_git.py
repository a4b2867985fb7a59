"""Two coders, two clones, real git: the merge driver installed by `reader git-setup`.

Each clone tags with the real `reader` CLI (`--coder`), commits, and one merges the other with
git's own `git merge`, run with a PATH that has no `reader` on it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reader.store import AnnotationStore

from conftest import SEEDS

DOC_A = "000_5f0b56e8f3292fd3.txt"
DOC_B = "001_f1d61bf84ce1f504.txt"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, check: bool = True, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV}
    if path is not None:
        env["PATH"] = path
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def reader(clone: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reader",
            *args,
            "--corpus",
            str(clone / "corpus"),
            "--annotations",
            str(clone / "annotations"),
            "--index",
            str(clone.parent / f"{clone.name}-index"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def no_reader_path() -> str:
    """A PATH on which neither `reader` nor this venv's python is found (git must still be)."""
    return os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not (Path(p) / "reader").exists()
    )


@pytest.fixture()
def clones(tmp_path):
    """origin (bare), ann's and bob's clones of a project with two documents, set up."""
    work = tmp_path / "seed"
    (work / "corpus").mkdir(parents=True)
    for doc in (DOC_A, DOC_B):
        shutil.copy(SEEDS / doc, work / "corpus" / doc)
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    reader(work, "tag", DOC_A, "--quote", "Al-Nujaba Movement", "--tag", "actor", "--coder", "lead")
    setup = reader(work, "git-setup")
    assert "added\t.gitattributes: /annotations/codebook.json merge=reader" in setup.stdout
    commit_all(work, "project")
    git(tmp_path, "clone", "-q", "--bare", str(work), str(tmp_path / "origin.git"))
    out = {}
    for name in ("ann", "bob"):
        git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), str(tmp_path / name))
        reader(tmp_path / name, "git-setup")  # the config is per clone
        out[name] = tmp_path / name
    return out


def annotations(clone: Path) -> list[dict]:
    done = reader(clone, "annotations", "--json")
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_git_setup_is_idempotent_and_says_so(clones):
    again = reader(clones["ann"], "git-setup")
    assert again.stdout.count("already set") == 4
    assert "nothing to change" in again.stdout
    text = (clones["ann"] / ".gitattributes").read_text()
    assert text.count("merge=reader") == 2
    driver = git(clones["ann"], "config", "--get", "merge.reader.driver").stdout
    assert driver.startswith(sys.executable) and "-m reader.teams.merge_driver %O %A %B %P" in driver


def test_git_setup_outside_a_repository_says_so(tmp_path):
    (tmp_path / "corpus").mkdir()
    done = reader(tmp_path, "git-setup", check=False)
    assert done.returncode == 2
    assert "not inside a git repository" in done.stderr


def test_two_coders_tagging_the_same_document_merge_without_conflict(clones):
    ann, bob = clones["ann"], clones["bob"]
    reader(ann, "tag", DOC_A, "--quote", "American bases", "--tag", "target", "--coder", "ann")
    reader(ann, "tag", DOC_B, "--quote", "7 attacks", "--occurrence", "1", "--tag", "event", "--coder", "ann")
    reader(bob, "tag", DOC_A, "--quote", "truce", "--occurrence", "1", "--tag", "event/truce", "--coder", "bob")
    reader(bob, "tag", DOC_B, "--quote", "Baghdad", "--occurrence", "1", "--tag", "place", "--coder", "bob")
    commit_all(ann, "ann codes")
    commit_all(bob, "bob codes")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode == 0, merged.stdout + merged.stderr
    rows = annotations(ann)
    assert sorted((r["doc"], r["quote"], r["creator"]) for r in rows) == sorted(
        [
            (DOC_A, "Al-Nujaba Movement", "lead"),
            (DOC_A, "American bases", "ann"),
            (DOC_B, "7 attacks", "ann"),
            (DOC_A, "truce", "bob"),
            (DOC_B, "Baghdad", "bob"),
        ]
    )
    assert not any(b"<<<<<<<" in p.read_bytes() for p in (ann / "annotations").rglob("*.json"))
    # byte for byte what the store writes: a save rewrites nothing
    assert AnnotationStore(ann / "annotations").save() == 0
    tags = {t["name"] for t in map(json.loads, reader(ann, "tags", "--json").stdout.splitlines())}
    assert {"actor", "target", "event", "event/truce", "place"} <= tags
    assert "0 conflicts" in reader(ann, "annotations", "--conflicts").stdout


def test_both_coders_editing_one_annotation_is_a_listed_conflict(clones):
    ann, bob = clones["ann"], clones["bob"]
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    AnnotationStore(ann / "annotations", creator="ann").edit(shared, tags=["actor/militia"])
    AnnotationStore(bob / "annotations", creator="bob").edit(shared, note="a faction, not a party")
    reader(bob, "tag", DOC_B, "--quote", "Baghdad", "--occurrence", "1", "--tag", "place", "--coder", "bob")
    commit_all(ann, "ann edits")
    commit_all(bob, "bob edits")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode == 0, merged.stderr
    assert f"annotation {shared} was changed differently on both sides" in merged.stderr
    listed = reader(ann, "annotations", "--conflicts", "--json").stdout.splitlines()
    assert len(listed) == 1
    conflict = json.loads(listed[0])
    assert conflict["id"] == shared and conflict["doc"] == DOC_A
    assert conflict["ours"]["tags"] == ["actor/militia"]
    assert conflict["theirs"]["note"] == "a faction, not a party"
    assert conflict["base"]["tags"] == ["actor"]
    human = reader(ann, "annotations", "--conflicts").stdout
    assert f"{DOC_A}\t{shared}\tconflict" in human and "1 conflict" in human
    # the annotation itself is still there (ours), and bob's other work arrived
    quotes = {r["quote"] for r in annotations(ann)}
    assert quotes == {"Al-Nujaba Movement", "Baghdad"}


def test_three_coders_editing_one_annotation_list_all_three_versions(clones, tmp_path):
    """ann merges bob's edit (a conflict), then cy, who branched before both, merges that: the
    one conflict offers all three coders' versions (before, cy's record named ann's only as base)."""
    ann, bob = clones["ann"], clones["bob"]
    git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), str(tmp_path / "cy"))
    cy = tmp_path / "cy"
    reader(cy, "git-setup")
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    for clone, name in ((ann, "ann"), (bob, "bob"), (cy, "cy")):
        AnnotationStore(clone / "annotations", creator=name).edit(shared, tags=[f"actor/{name}"])
        commit_all(clone, f"{name} edits")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", path=no_reader_path())
    git(ann, "push", "-q", "origin", "main")
    git(cy, "fetch", "-q", "origin")
    merged = git(cy, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode == 0, merged.stderr
    (line,) = reader(cy, "annotations", "--conflicts", "--json").stdout.splitlines()
    conflict = json.loads(line)
    assert conflict["id"] == shared and conflict["base"]["tags"] == ["actor"]
    assert sorted(v["tags"][0] for v in conflict["versions"]) == ["actor/ann", "actor/bob", "actor/cy"]
    human = reader(cy, "annotations", "--conflicts").stdout
    assert human.count("\tconflict") == 1 and "1 conflict" in human
    for label, name in (("version 1 (ours)", "cy"), ("version 2 (theirs)", "ann"), ("version 3", "bob")):
        assert f"  {label}\tactor/{name}\t" in human


def test_a_deleted_file_against_an_edited_one_is_resolved_by_git_resolve(clones):
    """ann deletes DOC_A's only annotation (its file goes), bob edits it and tags more: git's
    modify/delete never runs the driver; `reader git-resolve` merges and stages the file."""
    ann, bob = clones["ann"], clones["bob"]
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    AnnotationStore(ann / "annotations", creator="ann").delete(shared)
    assert not list((ann / "annotations" / "docs").glob("*.json"))
    AnnotationStore(bob / "annotations", creator="bob").edit(shared, tags=["actor/militia"])
    reader(bob, "tag", DOC_A, "--quote", "American bases", "--tag", "target", "--coder", "bob")
    commit_all(ann, "ann deletes")
    commit_all(bob, "bob edits")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode != 0 and "modify/delete" in merged.stdout + merged.stderr
    done = reader(ann, "git-resolve")
    assert "merged\tannotations/docs/" in done.stdout and "1 conflict" in done.stdout
    assert "1 annotation file resolved; git commit to conclude the merge" in done.stdout
    assert git(ann, "diff", "--name-only", "--diff-filter=U").stdout == ""
    git(ann, "commit", "-q", "--no-edit")
    assert {r["quote"]: r["tags"] for r in annotations(ann)} == {
        "Al-Nujaba Movement": ["actor/militia"],  # an edit outlives a deletion
        "American bases": ["target"],
    }
    (line,) = reader(ann, "annotations", "--conflicts", "--json").stdout.splitlines()
    conflict = json.loads(line)
    assert conflict["id"] == shared and conflict["ours"] is None  # ann's side: deleted
    assert conflict["theirs"]["tags"] == ["actor/militia"]
    again = reader(ann, "git-resolve")
    assert "0 annotation files resolved (no modify/delete conflict in the annotations)" in again.stdout


def test_git_resolve_applies_a_deletion_the_other_side_did_not_touch(clones):
    ann, bob = clones["ann"], clones["bob"]
    shared = AnnotationStore(ann / "annotations").annotations()[0].id
    AnnotationStore(ann / "annotations", creator="ann").delete(shared)
    reader(bob, "tag", DOC_A, "--quote", "American bases", "--tag", "target", "--coder", "bob")
    commit_all(ann, "ann deletes")
    commit_all(bob, "bob adds")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    assert git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path()).returncode != 0
    assert "merged\tannotations/docs/" in reader(ann, "git-resolve").stdout
    git(ann, "commit", "-q", "--no-edit")
    assert [r["quote"] for r in annotations(ann)] == ["American bases"]
    assert "0 conflicts" in reader(ann, "annotations", "--conflicts").stdout


def test_git_resolve_removes_a_file_nothing_is_left_in(clones):
    ann, bob = clones["ann"], clones["bob"]
    seed = AnnotationStore(ann / "annotations").annotations()[0].id
    reader(ann, "tag", DOC_A, "--quote", "American bases", "--tag", "target", "--coder", "ann")
    commit_all(ann, "two")
    git(ann, "push", "-q", "origin", "main")
    git(bob, "pull", "-q", "origin", "main")
    other = next(a.id for a in AnnotationStore(ann / "annotations").annotations() if a.id != seed)
    for a in (seed, other):
        AnnotationStore(ann / "annotations", creator="ann").delete(a)
    AnnotationStore(bob / "annotations", creator="bob").delete(other)
    commit_all(ann, "ann deletes both")
    commit_all(bob, "bob deletes one")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    assert git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path()).returncode != 0
    assert "removed\tannotations/docs/" in reader(ann, "git-resolve").stdout
    git(ann, "commit", "-q", "--no-edit")
    assert annotations(ann) == [] and not list((ann / "annotations" / "docs").glob("*.json"))


def test_an_unreadable_side_fails_the_merge_loudly(clones):
    ann, bob = clones["ann"], clones["bob"]
    reader(ann, "tag", DOC_A, "--quote", "American bases", "--tag", "target", "--coder", "ann")
    doc_file = next((bob / "annotations" / "docs").glob("*.json"))
    doc_file.write_text(doc_file.read_text().replace('"format_version": 1', '"format_version": 99'))
    commit_all(ann, "ann")
    commit_all(bob, "bob, from a newer reader")
    git(bob, "push", "-q", "origin", "main")
    git(ann, "fetch", "-q", "origin")
    merged = git(ann, "merge", "--no-edit", "origin/main", check=False, path=no_reader_path())
    assert merged.returncode != 0
    assert "reader merge driver: cannot merge annotations/docs/" in merged.stderr
    assert "newer than this version" in merged.stderr
    assert "annotations/docs/" in git(ann, "diff", "--name-only", "--diff-filter=U").stdout


def test_log_lists_coding_changes_between_revisions(clones):
    ann = clones["ann"]
    first = [json.loads(x) for x in reader(ann, "log", "HEAD", "--json").stdout.splitlines()]
    assert {(r["change"], r.get("quote") or r.get("tag")) for r in first} == {
        ("added", "Al-Nujaba Movement"),
        ("tag created", "actor"),
    }  # the first commit: all added
    store = AnnotationStore(ann / "annotations", creator="ann")
    (seeded,) = store.annotations()
    reader(ann, "tag", DOC_B, "--quote", "Baghdad", "--occurrence", "1", "--tag", "place", "--coder", "ann")
    store.edit(seeded.id, note="the movement")
    commit_all(ann, "coding")
    AnnotationStore(ann / "annotations", creator="ann").rename_tag("place", "place/city")
    commit_all(ann, "rename")
    rows = [json.loads(x) for x in reader(ann, "log", "HEAD~2..HEAD~1", "--json").stdout.splitlines()]
    changes = {(r["kind"], r["change"], r.get("tag") or r.get("quote")) for r in rows}
    assert changes == {
        ("annotation", "added", "Baghdad"),
        ("annotation", "edited", "Al-Nujaba Movement"),
        ("tag", "tag created", "place"),
    }
    added = next(r for r in rows if r.get("quote") == "Baghdad")
    assert added["doc"] == DOC_B and added["coder"] == "ann" and added["tags"] == ["place"]
    edited = next(r for r in rows if r.get("change") == "edited")
    assert edited["before"] == {"tags": ["actor"], "note": ""} and edited["note"] == "the movement"
    renamed = [json.loads(x) for x in reader(ann, "log", "--json").stdout.splitlines()]
    assert renamed == [{"kind": "tag", "change": "tag renamed", "tag": "place", "to": "place/city"}]
    human = reader(ann, "log", "HEAD~2..HEAD").stdout
    assert "added\t" + DOC_B + "\tplace/city\t“Baghdad”\tann" in human
    assert "1 tag change, 2 annotation changes (HEAD~2..HEAD)" in human
    bad = reader(ann, "log", "nosuchrev..HEAD", check=False)
    assert bad.returncode == 2 and "nosuchrev" in bad.stderr
