"""Random edit sequences with tag renames and merges on two or three branches, merged file by
file as git and the driver do, in either order: nothing acknowledged is lost, and every
annotation (and every version a conflict records) ends with the surviving name.

Each branch is a real store folder copied from a common base and changed through the store's
own API: add, edit, delete, rename a tag, merge tags, undo. A call that returns is a change the
coder was told was saved; one refused (a name taken, nothing to undo) is not. Renames on two
branches of one name to different names, or in a circle, are refused by the codebook's driver
(git marks the codebook conflicted and says why): such examples end there, nothing merged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reader.model import annotation_to_json
from reader.store import AnnotationStore
from reader.store.errors import StoreError
from reader.store.renames import RenameMap
from reader.teams.merge3 import MergeRefused

from test_store_renames import git_merge

DOC = "doc.txt"
TEXT = "".join(f"word{i} " for i in range(200))
SHA = "0" * 64
NAMES = ["a", "b", "c", "a/d"]

op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 190), st.sampled_from(NAMES)),
    st.tuples(st.just("edit"), st.integers(0, 30), st.sampled_from(NAMES), st.text(max_size=3)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("rename"), st.sampled_from(NAMES), st.sampled_from(["a", "b", "c", "e"])),
    st.tuples(st.just("merge"), st.sampled_from(NAMES), st.sampled_from(["a", "b", "c", "e"])),
    st.tuples(st.just("undo")),
)


def apply(store: AnnotationStore, ops) -> None:
    for o in ops:
        ids = sorted(a.id for a in store.annotations())
        try:
            if o[0] == "add":
                store.add(DOC, TEXT, SHA, o[1] * 5, o[1] * 5 + 4, [o[2]])
            elif ids and o[0] == "edit":
                store.edit(ids[o[1] % len(ids)], tags=[o[2]], note=o[3])
            elif ids and o[0] == "delete":
                store.delete(ids[o[1] % len(ids)])
            elif o[0] == "rename":
                store.rename_tag(o[1], o[2])
            elif o[0] == "merge":
                store.merge_tags([o[1]], o[2])
            elif o[0] == "undo":
                store.undo()
        except (ValueError, StoreError):
            pass  # refused: the coder was told, nothing was acknowledged


def state(folder: Path) -> dict[str, dict]:
    return {a.id: annotation_to_json(a) for a in AnnotationStore(folder).annotations()}


def read_through(version: dict | None, record: RenameMap) -> dict | None:
    if version is None:
        return None
    return {**version, "tags": list(record.tags(tuple(version["tags"])))}


def merged_state(store: AnnotationStore) -> tuple[dict, dict, RenameMap]:
    record = RenameMap(store._renames)
    result = {a.id: annotation_to_json(a) for a in store.annotations()}
    conflicts = {
        c.id: [None if v is None else annotation_to_json(v) for v in (c.base, *c.versions)] for c in store.conflicts()
    }
    return result, conflicts, record


def check(branches: dict[str, dict], base: dict, store: AnnotationStore) -> None:
    result, conflicts, record = merged_state(store)
    assert store.problems == []
    # every name in use is a surviving one
    for a in result.values():
        assert all(record.tag(t) == t for t in a["tags"]), a
    for versions in conflicts.values():
        for v in versions:
            assert v is None or all(record.tag(t) == t for t in v["tags"]), v
    assert all(record.tag(t.name) == t.name for t in store.tags())
    # every version a branch wrote is there, read through the merged record
    for ann_id in set(base).union(*branches.values()):
        bv = base.get(ann_id)
        for name, mine in ((n, s.get(ann_id)) for n, s in branches.items()):
            if mine is None or mine == bv:
                continue
            wanted = read_through(mine, record)
            assert result.get(ann_id) == wanted or (ann_id in conflicts and wanted in conflicts[ann_id][1:]), (
                name,
                ann_id,
            )
            # the others left it as it was in base: nothing to merge against, it is theirs alone
        if ann_id in conflicts:
            assert ann_id in result  # a conflict never loses the annotation itself


def branches_from(root: Path, base_ops, ops_by_branch) -> tuple[Path, dict[str, Path]]:
    base = root / "base"
    AnnotationStore(base, creator="lead").add(DOC, TEXT, SHA, 0, 5, ["a"])
    apply(AnnotationStore(base, creator="lead"), base_ops)
    made = {}
    for name, ops in ops_by_branch.items():
        shutil.copytree(base, root / name)
        apply(AnnotationStore(root / name, creator=name), ops)
        made[name] = root / name
    return base, made


def doc_present(folder: Path) -> bool:
    return AnnotationStore(folder).path_of(DOC).exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(  # a rename on one side, the annotation edited under its old name on the other
    base_ops=[("add", 10, "c")],
    ours_ops=[("rename", "a", "b")],
    theirs_ops=[("edit", 0, "a", "n"), ("edit", 1, "a", "n")],
)
@given(
    base_ops=st.lists(op, min_size=1, max_size=5),
    ours_ops=st.lists(op, max_size=7),
    theirs_ops=st.lists(op, max_size=7),
)
def test_renames_and_merges_on_two_branches_lose_nothing_in_either_order(
    tmp_path_factory, base_ops, ours_ops, theirs_ops
):
    root = tmp_path_factory.mktemp("renames")
    base, made = branches_from(root, base_ops, {"ours": ours_ops, "theirs": theirs_ops})
    if not all(doc_present(p) for p in (base, *made.values())):
        return  # a side removed the file: git reports modify/delete (reader git-resolve)
    states = {n: state(p) for n, p in made.items()}
    results = []
    for reverse in (False, True):
        try:
            store = git_merge(base, made["ours"], made["theirs"], root / f"merged-{reverse}", reverse)
        except MergeRefused:
            return  # two names for one tag, or a circle: the driver refuses, git shows it
        check(states, state(base), store)
        result, conflicts, record = merged_state(store)
        # a conflicted annotation keeps the merging side's version: compared through its record
        plain = {i: a["tags"] for i, a in result.items() if i not in conflicts}
        choices = {i: sorted(map(str, versions[1:])) for i, versions in conflicts.items()}
        results.append((plain, set(result), choices, record.entries))
    assert results[0] == results[1]  # the same names, annotations and conflicts in either order


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base_ops=st.lists(op, min_size=1, max_size=4),
    one=st.lists(op, max_size=5),
    two=st.lists(op, max_size=5),
    three=st.lists(op, max_size=5),
)
def test_renames_and_merges_on_three_branches_lose_nothing(tmp_path_factory, base_ops, one, two, three):
    root = tmp_path_factory.mktemp("three")
    base, made = branches_from(root, base_ops, {"one": one, "two": two, "three": three})
    if not all(doc_present(p) for p in (base, *made.values())):
        return
    states = {n: state(p) for n, p in made.items()}
    try:
        first = git_merge(base, made["one"], made["two"], root / "m1")
        store = git_merge(base, first.folder, made["three"], root / "m2")
    except MergeRefused:
        return
    if not doc_present(first.folder) or not doc_present(store.folder):
        return
    check(states, state(base), store)
