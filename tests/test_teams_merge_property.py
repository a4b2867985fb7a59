"""Random edit sequences on two branches, merged by the driver: nothing acknowledged is lost.

Each branch is a real store folder copied from a common base and changed through the store's
own API (add, edit, delete: every call that returns is a change the coder was told was saved).
The driver merges the document's three versions as git would hand them over; the property: every
version a branch wrote is in the result, as the annotation or as a recorded conflict version,
every one-sided deletion is applied, and the result is what the store itself writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model import annotation_to_json
from reader.store import AnnotationStore
from reader.teams.merge_driver import main as driver_main
from reader.teams.merge3 import merge_document

DOC = "doc.txt"
TEXT = "".join(f"word{i} " for i in range(200))
SHA = "0" * 64

op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 190), st.sampled_from(["a", "b", "c/d"])),
    st.tuples(st.just("edit"), st.integers(0, 30), st.sampled_from(["a", "x", "y/z"]), st.text(max_size=5)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
)


def apply(store: AnnotationStore, ops) -> None:
    for o in ops:
        ids = sorted(a.id for a in store.annotations())
        if o[0] == "add":
            store.add(DOC, TEXT, SHA, o[1] * 5, o[1] * 5 + 4, [o[2]])
        elif ids and o[0] == "edit":
            store.edit(ids[o[1] % len(ids)], tags=[o[2]], note=o[3])
        elif ids and o[0] == "delete":
            store.delete(ids[o[1] % len(ids)])


def state(folder: Path) -> dict[str, dict]:
    return {a.id: annotation_to_json(a) for a in AnnotationStore(folder).annotations()}


def doc_bytes(folder: Path) -> bytes:
    path = AnnotationStore(folder).path_of(DOC)
    return path.read_bytes() if path.exists() else b""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base_ops=st.lists(op, min_size=1, max_size=6),
    ours_ops=st.lists(op, max_size=8),
    theirs_ops=st.lists(op, max_size=8),
)
def test_random_edits_on_two_branches_lose_nothing(tmp_path_factory, base_ops, ours_ops, theirs_ops):
    root = tmp_path_factory.mktemp("branches")
    base = root / "base"
    AnnotationStore(base, creator="lead").add(DOC, TEXT, SHA, 0, 5, ["seed"])
    apply(AnnotationStore(base, creator="lead"), base_ops)
    for name, ops in (("ours", ours_ops), ("theirs", theirs_ops)):
        shutil.copytree(base, root / name)
        apply(AnnotationStore(root / name, creator=name), ops)
    b, o, t = (state(root / n) for n in ("base", "ours", "theirs"))
    files = {}
    for name in ("base", "ours", "theirs"):
        files[name] = root / f"{name}.json"
        files[name].write_bytes(doc_bytes(root / name))
    if not files["ours"].read_bytes() or not files["theirs"].read_bytes():
        return  # a side removed the file: git reports modify/delete itself, without the driver
    assert driver_main([str(files["base"]), str(files["ours"]), str(files["theirs"]), DOC]) == 0
    merged_bytes = files["ours"].read_bytes()
    merged = json.loads(merged_bytes)
    result = {a["id"]: a for a in merged["annotations"]}
    conflicts = {c["id"]: c for c in merged.get("conflicts", [])}
    for ann_id in set(b) | set(o) | set(t):
        bv, ov, tv = b.get(ann_id), o.get(ann_id), t.get(ann_id)
        for mine, other in ((ov, tv), (tv, ov)):
            if mine != bv and mine is not None:  # a version this side wrote
                assert result.get(ann_id) == mine or (
                    ann_id in conflicts and mine in (conflicts[ann_id]["ours"], conflicts[ann_id]["theirs"])
                )
            if mine is None and bv is not None and other == bv:  # a one-sided deletion
                assert ann_id not in result
        if ann_id in conflicts:
            assert ann_id in result  # a conflict never loses the annotation itself
            assert {conflicts[ann_id]["ours"] is None, conflicts[ann_id]["theirs"] is None} != {True}
    # the store reads the result in full and writes it back byte for byte
    folder = root / "merged"
    shutil.copytree(root / "ours", folder)
    AnnotationStore(folder).path_of(DOC).write_bytes(merged_bytes)
    store = AnnotationStore(folder)
    assert store.problems == []
    assert {a.id for a in store.annotations()} == set(result)
    assert {c.id for c in store.conflicts()} == set(conflicts)
    assert store.save() == 0
    # merging is symmetric in what it keeps
    swapped = json.loads(
        merge_document(files["base"].read_bytes(), doc_bytes(root / "theirs"), doc_bytes(root / "ours")).data
    )
    assert {a["id"] for a in swapped["annotations"]} == set(result)


def test_a_store_change_keeps_the_recorded_conflicts(tmp_path):
    """The store rewrites a document's file on every change: the conflicts must survive it."""
    base = tmp_path / "base"
    store = AnnotationStore(base, creator="lead")
    ann = store.add(DOC, TEXT, SHA, 0, 5, ["seed"])
    shutil.copytree(base, tmp_path / "ours")
    shutil.copytree(base, tmp_path / "theirs")
    AnnotationStore(tmp_path / "ours").edit(ann.id, tags=["one"])
    AnnotationStore(tmp_path / "theirs").edit(ann.id, tags=["two"])
    merged = merge_document(doc_bytes(base), doc_bytes(tmp_path / "ours"), doc_bytes(tmp_path / "theirs"))
    assert [c.id for c in merged.conflicts] == [ann.id]
    AnnotationStore(tmp_path / "ours").path_of(DOC).write_bytes(merged.data)
    store = AnnotationStore(tmp_path / "ours", creator="ann")
    store.add(DOC, TEXT, SHA, 10, 15, ["more"])
    store.edit(ann.id, note="still here")
    again = AnnotationStore(tmp_path / "ours")
    (conflict,) = again.conflicts()
    assert conflict.ours.tags == ("one",) and conflict.theirs.tags == ("two",)
    assert conflict.base.tags == ("seed",)
